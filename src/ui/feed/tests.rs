//! The feed's tests: bounds, filters, grouping, totals, fired rows and the 2026 rows.
use super::*;

fn credit(user_id: i64, name: &str, gift: &str, diamonds: u32, count: u32) -> CreditedGift {
    CreditedGift {
        msg_id: 0,
        user_id,
        unique_id: name.to_lowercase(),
        nickname: name.into(),
        gift_id: 1,
        gift_name: gift.into(),
        diamonds,
        count,
        ..crate::testkit::outputs::rose()
    }
}

#[test]
fn feed_is_bounded_and_totals_count_everything() {
    let mut feed = Feed::default();
    for i in 0..(FEED_CAPACITY as i64 + 500) {
        feed.push_at(&credit(i % 7, "v", "Rose", 1, 2), false, 0);
    }
    assert_eq!(feed.len(), FEED_CAPACITY);
    assert_eq!(feed.received, FEED_CAPACITY as u64 + 500);
    assert_eq!(feed.gifts_total, 2 * (FEED_CAPACITY as u64 + 500));
    assert_eq!(feed.rows().next().unwrap().seq, 500, "oldest rows dropped");
}

#[test]
fn filter_matches_viewer_or_gift_and_survives_rows_falling_off() {
    let mut feed = Feed::default();
    feed.push_at(&credit(1, "Alice", "Rose", 1, 1), false, 0);
    feed.push_at(&credit(2, "Bob", "Lion", 29_999, 1), false, 0);
    feed.filter = "lion".into();
    feed.apply_filter();
    assert_eq!(feed.visible_len(), 1);
    assert_eq!(feed.visible_row(0).unwrap().nickname, "Bob");
    feed.push_at(&credit(3, "Lionel", "Rose", 1, 1), false, 0);
    assert_eq!(feed.visible_len(), 2, "new rows are matched on arrival");
    for _ in 0..FEED_CAPACITY {
        feed.push_at(&credit(4, "Carol", "Rose", 1, 1), false, 0);
    }
    assert_eq!(feed.visible_len(), 0, "matches that fell off are forgotten");
    assert!(feed.visible_row(0).is_none());
}

#[test]
fn top_gifters_rank_by_diamonds_and_tests_do_not_count() {
    let mut feed = Feed::default();
    feed.push_at(&credit(1, "Alice", "Rose", 1, 10), false, 0);
    feed.push_at(&credit(2, "Bob", "Lion", 29_999, 1), false, 0);
    feed.push_at(&credit(1, "Alice", "Rose", 1, 5), false, 0);
    feed.push_at(&credit(3, "Tester", "Universe", 34_999, 1), true, 0);
    let top: Vec<_> = feed.top_gifters().iter().map(|g| g.diamonds).collect();
    assert_eq!(top, [29_999, 15]);
    assert_eq!(feed.diamonds_total, 29_999 + 15);
}

#[test]
fn hostile_names_are_one_safe_line() {
    assert_eq!(clean("a\nb\u{202E}c\0", 10), "a bc");
    assert_eq!(clean("abcdef", 3), "abc…");
}

fn viewer(id: i64) -> crate::event::User {
    crate::event::User {
        user_id: id,
        unique_id: format!("v{id}"),
        nickname: format!("V{id}"),
        ..crate::event::User::default()
    }
}

fn like(msg_id: i64, count: u32, total: i64) -> LiveEvent {
    LiveEvent::Like {
        msg_id,
        user: viewer(msg_id),
        count,
        total,
        create_time_millis: 0,
    }
}

#[test]
fn likes_and_joins_are_grouped_per_few_seconds_of_the_engines_time() {
    // Each like message goes through the real engine; the feed shows what it counted.
    let mut pipeline =
        crate::engine::Pipeline::new(Default::default(), crate::mappings::MappingTable::default());
    let mut feed = Feed::default();
    let mut push = |feed: &mut Feed, event: LiveEvent, at_millis: u64| {
        let mut out = Vec::new();
        let batch = crate::wire::Batch {
            messages: 1,
            events: vec![event],
            ..crate::wire::Batch::default()
        };
        pipeline.ingest_batch(batch, at_millis, &mut out);
        for output in out {
            match output {
                crate::engine::Output::Event(event) => feed.push_event_at(&event, at_millis),
                crate::engine::Output::Likes(likes) => feed.push_likes_at(&likes, at_millis),
                _ => {}
            }
        }
    };
    push(&mut feed, like(1, 15, 1_015), 0);
    push(&mut feed, like(2, 100, 1_115), 1_000);
    push(&mut feed, like(3, 35, 1_150), 2_999);
    push(&mut feed, like(4, 5, 1_100), 2_999); // lower total: nothing
    push(&mut feed, like(5, 10, 1_160), 3_000); // a new group
    let likes: Vec<_> = feed
        .rows()
        .map(|r| (r.count, r.what_text().into_owned(), r.handle.clone()))
        .collect();
    assert_eq!(
        likes,
        [
            (150, "❤ +150 likes".to_owned(), "v1".to_owned()),
            (10, "❤ +10 likes".to_owned(), "v5".to_owned())
        ]
    );
    assert_eq!(feed.likes_total(), 160);
    assert_eq!(
        feed.likes_total(),
        pipeline.likes_counted(),
        "the engine's count"
    );
    let join = |id| LiveEvent::Member {
        msg_id: id,
        user: viewer(id),
        action: MEMBER_JOINED,
        create_time_millis: 0,
    };
    feed.push_event_at(&join(6), 3_100);
    feed.push_event_at(&join(7), 3_200);
    assert_eq!(feed.rows().last().unwrap().what_text(), "👋 +2 joined");
    // A row shows the time it was stamped, however late it is pushed.
    let stamped = feed.rows().last().unwrap().time.clone();
    assert_eq!(
        stamped,
        super::super::clock::local_hms(UNIX_EPOCH + Duration::from_millis(3_100))
    );
}

#[test]
fn kind_toggles_filter_rows_and_totals_count_every_kind() {
    let mut feed = Feed::default();
    feed.push_at(&credit(1, "Amy", "Rose", 1, 2), false, 0);
    let follow = |id| LiveEvent::Social {
        msg_id: id,
        user: viewer(1),
        kind: SocialKind::Follow,
        create_time_millis: 0,
    };
    feed.push_event_at(&follow(10), 0);
    feed.push_event_at(&follow(11), 0); // the same viewer again: counted once
    feed.push_event_at(&like(12, 20, 120), 0);
    feed.push_likes_at(
        &Likes {
            added: 20,
            counted: 20,
        },
        0,
    );
    feed.push_event_at(
        &LiveEvent::Chat {
            msg_id: 13,
            user: viewer(2),
            text: "hi".into(),
            create_time_millis: 0,
        },
        0,
    );
    assert_eq!(feed.follows_total, 1);
    assert_eq!(feed.len(), 4);
    feed.apply_filter();
    // Defaults: gifts and follows shown, likes and chat hidden.
    let kinds: Vec<_> = (0..feed.visible_len())
        .map(|i| feed.visible_row(i).unwrap().kind())
        .collect();
    assert_eq!(kinds, [EventKind::Gift, EventKind::Follow]);
    feed.shown = [true; KINDS];
    feed.apply_filter();
    assert_eq!(feed.visible_len(), 4);
    feed.shown[kind_slot(EventKind::Gift)] = false;
    feed.apply_filter();
    feed.push_at(&credit(1, "Amy", "Rose", 1, 1), false, 0);
    assert_eq!(
        feed.visible_len(),
        3,
        "a hidden kind stays hidden as rows arrive"
    );
}

#[test]
fn fired_triggers_show_their_trigger_and_skips() {
    let mut feed = Feed::default();
    let line = EventLine {
        kind: EventKind::Chat,
        msg_id: 1,
        user_id: 2,
        unique_id: "amy".into(),
        nickname: "Amy".into(),
        trigger: "!jump".into(),
        count: 1,
        likes: None,
        total_likes: None,
        message: Some("!jump high".into()),
        args: Some("high".into()),
        skipped: Some(Skip::Cooldown),
        room: crate::triggers::RoomLine::default(),
    };
    feed.push_fired_at(&line, false, 0);
    let row = feed.rows().last().unwrap();
    assert_eq!(row.trigger.as_deref(), Some("!jump"));
    assert_eq!(row.skipped, Some(Skip::Cooldown));
    assert_eq!(row.what_text(), "💬 !jump high");
}

fn room(msg_id: i64, user: crate::event::User, kind: crate::event::RoomKind) -> LiveEvent {
    LiveEvent::Room(Box::new(crate::event::RoomEvent {
        msg_id,
        create_time_millis: 0,
        user,
        kind,
    }))
}

#[test]
fn the_2026_kinds_get_their_rows_totals_and_the_viewer_count() {
    use crate::event::{
        Battle, BattlePhase, BattleSide, Chest, GoalProgress, Poll, PollOption, PollPhase,
        RoomKind, SuperFanMoment, ViewerCount,
    };
    let mut feed = Feed::default();
    let chest = |super_fan_box| {
        RoomKind::Chest(Chest {
            envelope_id: "e".into(),
            diamonds: 500,
            openers: 20,
            super_fan_box,
        })
    };
    let battle = |phase, winner| {
        RoomKind::Battle(Battle {
            battle_id: 9,
            phase,
            sides: vec![
                BattleSide {
                    anchor_id: 1,
                    name: "Me".into(),
                    score: 12,
                },
                BattleSide {
                    anchor_id: 2,
                    name: "Rival".into(),
                    score: 8,
                },
            ],
            winner,
        })
    };
    let poll = |phase, votes| {
        RoomKind::Poll(Poll {
            poll_id: 3,
            phase,
            title: "Next?".into(),
            options: vec![PollOption {
                text: "TNT".into(),
                votes,
            }],
        })
    };
    let events = [
        RoomKind::Subscription { months: 3 },
        RoomKind::Viewers(ViewerCount {
            viewers: 120,
            ..ViewerCount::default()
        }),
        RoomKind::SuperFan {
            moment: SuperFanMoment::New,
        },
        RoomKind::SuperFan {
            moment: SuperFanMoment::Join,
        },
        chest(false),
        chest(true),
        battle(BattlePhase::Start, None),
        battle(BattlePhase::Scores, None),
        battle(BattlePhase::End, Some(1)),
        RoomKind::Emote {
            emote_ids: vec!["a".into(), "b".into()],
        },
        poll(PollPhase::Start, 0),
        poll(PollPhase::Update, 3),
        poll(PollPhase::End, 7),
        RoomKind::Goal(GoalProgress {
            goal_id: 1,
            description: "Camera".into(),
            progress: 40,
            target: 100,
        }),
        RoomKind::Question {
            question_id: 1,
            text: "why?".into(),
        },
        RoomKind::Pinned {
            pinned_msg_id: 5,
            text: "gg".into(),
            unpinned: false,
        },
        RoomKind::Viewers(ViewerCount {
            viewers: 90,
            ..ViewerCount::default()
        }),
    ];
    for (i, kind) in events.into_iter().enumerate() {
        feed.push_event_at(&room(100 + i as i64, viewer(1), kind), 0);
    }
    let rows: Vec<(EventKind, String)> = feed
        .rows()
        .map(|r| (r.kind(), r.what_text().into_owned()))
        .collect();
    let want = [
        (EventKind::Subscribe, "⭐ subscribed · 3 months"),
        (EventKind::SuperFan, "💜 became a Super Fan"),
        (EventKind::SuperFan, "💜 Super Fan joined"),
        (
            EventKind::TreasureChest,
            "📦 treasure chest · 500 💎 · 20 can open it",
        ),
        (
            EventKind::SuperFan,
            "💜 Super Fan box · 500 💎 · 20 can open it",
        ),
        (EventKind::Battle, "⚔ battle started"),
        (EventKind::Battle, "⚔ battle won by Me (12–8)"),
        (EventKind::Emote, "😀 2 emotes"),
        (EventKind::Poll, "📊 poll: Next?"),
        (EventKind::Poll, "📊 poll ended: TNT (7 votes)"),
        (EventKind::Goal, "🎯 Camera 40/100"),
        (EventKind::Question, "❓ why?"),
        (EventKind::Chat, "📌 pinned: gg"),
    ];
    assert_eq!(rows, want.map(|(k, t)| (k, t.to_owned())));
    assert_eq!(
        (
            feed.subscribers_total,
            feed.super_fans_total,
            feed.chests_total
        ),
        (1, 1, 2)
    );
    assert_eq!(
        feed.viewers().map(|v| v.viewers),
        Some(90),
        "the latest count"
    );
    assert_eq!(feed.peak_viewers(), 120);
    // The kinds a streamer wants to see by default are shown; emotes are noisy like chat.
    feed.apply_filter();
    let shown: Vec<EventKind> = (0..feed.visible_len())
        .map(|i| feed.visible_row(i).unwrap().kind())
        .collect();
    assert!(
        !shown.contains(&EventKind::Emote) && shown.contains(&EventKind::Battle),
        "{shown:?}"
    );
    feed.reset();
    assert!(
        feed.viewers().is_none(),
        "a new session starts without a count"
    );
}

#[test]
fn a_moderators_deletion_marks_the_rows_of_those_messages_and_viewers() {
    use crate::event::RoomKind;
    let mut feed = Feed::default();
    let chat = |msg_id, user_id| LiveEvent::Chat {
        msg_id,
        user: viewer(user_id),
        text: "spam".into(),
        create_time_millis: 0,
    };
    feed.push_event_at(&chat(1, 1), 0);
    feed.push_event_at(&chat(2, 2), 0);
    feed.push_event_at(&chat(3, 3), 0);
    feed.push_event_at(&chat(4, 3), 0);
    feed.push_at(&credit(3, "Cat", "Rose", 1, 1), false, 0);
    feed.push_event_at(
        &room(
            9,
            crate::event::User::default(),
            RoomKind::Deleted {
                msg_ids: vec![1],
                user_ids: vec![3],
            },
        ),
        0,
    );
    let deleted: Vec<(i64, bool)> = feed.rows().map(|r| (r.msg_id, r.deleted)).collect();
    assert_eq!(
        deleted,
        [(1, true), (2, false), (3, true), (4, true), (0, true)]
    );
    assert_eq!(
        feed.len(),
        5,
        "rows stay, marked; the deletion itself adds none"
    );
}
