//! Tests of the 2026 kinds as triggers, from encoded frames through the real decoder and pipeline:
//! subscriptions (SubNotify and member action 3 counted once), viewers ≥ N once per stream, Super
//! Fan moments, chests, battle start/end once per battle, emotes, and the top-gifter and fan-club
//! audiences.

use super::*;
use crate::actions::placeholders::{Values, render};
use crate::engine::{EngineConfig, Output, Pipeline};
use crate::event::{BattlePhase, MEMBER_SUBSCRIBED, SuperFanMoment};
use crate::mappings::{Action, Mapping, MappingTable};
use crate::testkit::frames::{
    BatchSpec, EventSpec, EventSpecKind, GiftSpec, MessageSpec, encode_batch,
};
use crate::testkit::room_frames::{RoomSpec, Who};

fn rule(trigger: &str, on: Condition) -> Mapping {
    Mapping::new(
        trigger,
        vec![Action::command("say {user} {months} {viewers}")],
    )
    .on(on)
}

fn room(msg_id: i64, spec: RoomSpec) -> MessageSpec {
    MessageSpec::Room {
        msg_id,
        create_time_millis: 0,
        spec,
    }
}

fn sub_notify(msg_id: i64, who: &Who, months: i64) -> MessageSpec {
    room(
        msg_id,
        RoomSpec::SubNotify {
            who: who.clone(),
            months,
        },
    )
}

fn member_subscribe(msg_id: i64, who: &Who) -> MessageSpec {
    MessageSpec::Event(EventSpec::new(
        msg_id,
        who.user_id,
        &who.unique_id,
        EventSpecKind::Subscribe,
    ))
}

fn viewers(msg_id: i64, count: i64) -> MessageSpec {
    room(
        msg_id,
        RoomSpec::Viewers {
            viewers: count,
            total: count * 2,
            top: vec![],
        },
    )
}

/// Encodes `messages` as one frame's batch, decodes it and runs it through `p`.
fn feed(p: &mut Pipeline, messages: Vec<MessageSpec>) -> Vec<Output> {
    let bytes = encode_batch(&BatchSpec {
        messages,
        ..BatchSpec::default()
    });
    let batch = crate::wire::decode_batch(&bytes).unwrap();
    assert_eq!(batch.malformed, 0, "every fixture decodes");
    let mut out = Vec::new();
    p.ingest_batch(batch, 1_000, &mut out);
    out
}

fn lines(out: &[Output]) -> Vec<EventLine> {
    out.iter()
        .filter_map(|o| match o {
            Output::Fired(f) => Some(f.line.clone()),
            _ => None,
        })
        .collect()
}

fn pipeline(mappings: Vec<Mapping>) -> Pipeline {
    Pipeline::new(EngineConfig::default(), MappingTable::new(mappings))
}

#[test]
fn a_sub_notify_fires_subscribe_with_months_in_the_line_and_the_placeholder() {
    let mut p = pipeline(vec![rule("sub", Condition::Subscribe)]);
    let amy = Who::new(7, "amy");
    let out = feed(&mut p, vec![sub_notify(1, &amy, 3)]);
    let fired = lines(&out);
    assert_eq!(fired.len(), 1, "{out:?}");
    assert_eq!(fired[0].kind, EventKind::Subscribe);
    assert_eq!(fired[0].unique_id, "amy");
    assert_eq!(fired[0].room.months, Some(3));
    let json = serde_json::to_value(&fired[0]).unwrap();
    assert_eq!(json["kind"], "subscribe");
    assert_eq!(json["months"], 3);
    let values = Values::from_event(&fired[0]);
    assert_eq!(
        render("say {user} for {months} months", &values).unwrap(),
        "say amy for 3 months"
    );
}

#[test]
fn a_subscription_sent_twice_counts_once_per_viewer_in_either_order() {
    let amy = Who::new(7, "amy");
    let bob = Who::new(8, "bob");
    for member_first in [true, false] {
        let mut p = pipeline(vec![rule("sub", Condition::Subscribe)]);
        let (a, b) = if member_first {
            (member_subscribe(1, &amy), sub_notify(2, &amy, 2))
        } else {
            (sub_notify(1, &amy, 2), member_subscribe(2, &amy))
        };
        let out = feed(&mut p, vec![a, b, sub_notify(3, &bob, 1)]);
        let who: Vec<String> = lines(&out).iter().map(|l| l.unique_id.clone()).collect();
        assert_eq!(who, ["amy", "bob"], "member first: {member_first}");
        // The second message of Amy's subscription reaches no consumer (feed, goals, ledger).
        let events = out
            .iter()
            .filter(|o| matches!(o, Output::Event(e) if e.subscriber().is_some()))
            .count();
        assert_eq!(events, 2);
        assert_eq!(p.stats().duplicates, 1);
        // A later message in a new frame still counts nothing for Amy.
        assert!(lines(&feed(&mut p, vec![sub_notify(4, &amy, 2)])).is_empty());
    }
}

#[test]
fn subscriptions_are_remembered_across_a_restart_of_the_same_stream() {
    let amy = Who::new(7, "amy");
    let mut p = pipeline(vec![rule("sub", Condition::Subscribe)]);
    p.start_journal();
    assert_eq!(lines(&feed(&mut p, vec![sub_notify(1, &amy, 1)])).len(), 1);
    let mut journal = p.take_journal().unwrap();
    journal.seq = 1;
    assert!(journal.events.iter().any(|e| matches!(
        e,
        crate::engine::memory::EventChange::Subscribed { viewer } if viewer == "7"
    )));
    let mut restarted = pipeline(vec![rule("sub", Condition::Subscribe)]);
    restarted.restore(crate::engine::memory::RoomMemory::default(), vec![journal]);
    // The member message TikTok sends for the same subscription, after the restart.
    let mut member = EventSpec::new(9, 7, "amy", EventSpecKind::Subscribe);
    member.create_time_millis = 5;
    assert!(lines(&feed(&mut restarted, vec![MessageSpec::Event(member)])).is_empty());
    assert_eq!(restarted.memory_size().subscribers, 1);
}

#[test]
fn member_action_3_still_fires_subscribe() {
    let mut t = TriggerState::new();
    let table = MappingTable::new(vec![rule("sub", Condition::Subscribe)]);
    let mut out = vec![];
    let event = LiveEvent::Member {
        msg_id: 1,
        user: User {
            user_id: 3,
            unique_id: "c".into(),
            ..User::default()
        },
        action: MEMBER_SUBSCRIBED,
        create_time_millis: 0,
    };
    t.on_event(&table, &event, 0, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].line.room.months, None,
        "a member message says no months"
    );
}

#[test]
fn viewers_at_least_n_fires_once_per_stream_when_the_count_first_reaches_n() {
    let mut p = pipeline(vec![
        rule("100", Condition::Viewers { at_least: 100 }),
        rule("500", Condition::Viewers { at_least: 500 }),
    ]);
    let fired = |out: &[Output]| -> Vec<(String, Option<u64>)> {
        lines(out)
            .into_iter()
            .map(|l| (l.trigger, l.room.viewers))
            .collect()
    };
    assert!(fired(&feed(&mut p, vec![viewers(1, 99)])).is_empty());
    let out = feed(&mut p, vec![viewers(2, 120)]);
    assert_eq!(fired(&out), [("100".to_owned(), Some(120))]);
    let json = serde_json::to_value(&lines(&out)[0]).unwrap();
    assert_eq!(
        (json["kind"].clone(), json["viewers"].clone()),
        ("viewers".into(), 120.into())
    );
    // Down and up again: not a second time. A jump over both thresholds fires the one left.
    assert!(fired(&feed(&mut p, vec![viewers(3, 80), viewers(4, 130)])).is_empty());
    assert_eq!(
        fired(&feed(&mut p, vec![viewers(5, 900)])),
        [("500".to_owned(), Some(900))]
    );
    assert!(fired(&feed(&mut p, vec![viewers(6, 1_000)])).is_empty());
    assert_eq!(p.trigger_memory().peak_viewers, 1_000);
    // A rule added later whose N the stream already passed does not fire for the past.
    p.set_mappings(MappingTable::new(vec![rule(
        "200",
        Condition::Viewers { at_least: 200 },
    )]));
    assert!(fired(&feed(&mut p, vec![viewers(7, 1_001)])).is_empty());
    let values = Values::from_event(&lines(&out)[0]);
    assert_eq!(
        render("say {viewers} watching", &values).unwrap(),
        "say 120 watching"
    );
}

#[test]
fn super_fan_moments_chests_and_boxes_fire_their_own_rules() {
    let amy = Who::new(7, "amy");
    let mut p = pipeline(vec![
        rule(
            "new",
            Condition::SuperFan {
                moment: SuperFanMoment::New,
            },
        ),
        rule(
            "join",
            Condition::SuperFan {
                moment: SuperFanMoment::Join,
            },
        ),
        rule(
            "box",
            Condition::SuperFan {
                moment: SuperFanMoment::Box,
            },
        ),
        rule("chest", Condition::TreasureChest),
    ]);
    let chest = |msg_id, super_fan_box| {
        room(
            msg_id,
            RoomSpec::Chest {
                who: amy.clone(),
                envelope_id: format!("env-{msg_id}"),
                diamonds: 500,
                openers: 20,
                super_fan_box,
            },
        )
    };
    let out = feed(
        &mut p,
        vec![
            room(
                1,
                RoomSpec::SuperFan {
                    who: amy.clone(),
                    joined: false,
                },
            ),
            room(
                2,
                RoomSpec::SuperFan {
                    who: amy.clone(),
                    joined: true,
                },
            ),
            chest(3, true),
            chest(4, false),
        ],
    );
    let fired: Vec<(String, EventKind, Option<SuperFanMoment>, Option<u64>)> = lines(&out)
        .into_iter()
        .map(|l| (l.trigger, l.kind, l.room.moment, l.room.diamonds))
        .collect();
    assert_eq!(
        fired,
        [
            (
                "new".to_owned(),
                EventKind::SuperFan,
                Some(SuperFanMoment::New),
                None
            ),
            (
                "join".to_owned(),
                EventKind::SuperFan,
                Some(SuperFanMoment::Join),
                None
            ),
            (
                "box".to_owned(),
                EventKind::SuperFan,
                Some(SuperFanMoment::Box),
                Some(500)
            ),
            (
                "chest".to_owned(),
                EventKind::TreasureChest,
                None,
                Some(500)
            ),
        ]
    );
    let chest_line = serde_json::to_value(&lines(&out)[3]).unwrap();
    assert_eq!(chest_line["kind"], "treasure_chest");
    assert_eq!(
        (
            chest_line["diamonds"].clone(),
            chest_line["openers"].clone()
        ),
        (500.into(), 20.into())
    );
    // An envelope names its sender by id and nickname (no @handle).
    assert_eq!(
        (
            chest_line["user_id"].clone(),
            chest_line["nickname"].clone()
        ),
        (7.into(), "amy".into())
    );
    let on: Condition = serde_json::from_str(r#"{"kind":"super_fan"}"#).unwrap();
    assert_eq!(
        on,
        Condition::SuperFan {
            moment: SuperFanMoment::New
        },
        "new is the default"
    );
}

#[test]
fn a_battle_start_and_end_fire_once_each_with_scores_and_winner() {
    let mut p = pipeline(vec![
        rule(
            "start",
            Condition::Battle {
                phase: BattlePhase::Start,
            },
        ),
        rule(
            "end",
            Condition::Battle {
                phase: BattlePhase::End,
            },
        ),
    ]);
    let sides = |a, b| vec![(11, "Me".to_owned(), a, 0), (22, "Rival".to_owned(), b, 1)];
    let out = feed(
        &mut p,
        vec![
            room(
                1,
                RoomSpec::Battle {
                    battle_id: 900,
                    action: 4,
                    sides: sides(0, 0),
                },
            ),
            room(
                2,
                RoomSpec::Armies {
                    battle_id: 900,
                    end: false,
                    scores: vec![(11, 5), (22, 3)],
                },
            ),
            room(
                3,
                RoomSpec::Battle {
                    battle_id: 900,
                    action: 5,
                    sides: sides(12, 8),
                },
            ),
            // TikTok's last scores of the same battle: its end already fired.
            room(
                4,
                RoomSpec::Armies {
                    battle_id: 900,
                    end: true,
                    scores: vec![(11, 12), (22, 8)],
                },
            ),
        ],
    );
    let fired = lines(&out);
    let phases: Vec<(String, Option<BattlePhase>, Option<i64>)> = fired
        .iter()
        .map(|l| (l.trigger.clone(), l.room.phase, l.room.winner))
        .collect();
    assert_eq!(
        phases,
        [
            ("start".to_owned(), Some(BattlePhase::Start), None),
            ("end".to_owned(), Some(BattlePhase::End), Some(11)),
        ]
    );
    let end = serde_json::to_value(&fired[1]).unwrap();
    assert_eq!(end["kind"], "battle");
    assert_eq!(end["phase"], "end");
    assert_eq!(end["battle_id"], 900);
    assert_eq!(
        end["scores"],
        serde_json::json!([{"user_id": 11, "score": 12}, {"user_id": 22, "score": 8}])
    );
    // The next battle fires again.
    let out = feed(
        &mut p,
        vec![room(
            5,
            RoomSpec::Battle {
                battle_id: 901,
                action: 4,
                sides: sides(0, 0),
            },
        )],
    );
    assert_eq!(lines(&out).len(), 1);
    assert!(
        Condition::Battle {
            phase: BattlePhase::Scores
        }
        .problem()
        .is_some()
    );
}

#[test]
fn emotes_fire_from_emote_messages_and_from_chats_of_only_emotes() {
    let mut p = pipeline(vec![
        rule("emote", Condition::Emote),
        rule(
            "hi",
            Condition::ChatKeyword {
                keyword: "hi".into(),
            },
        ),
    ]);
    let amy = Who::new(7, "amy");
    let out = feed(
        &mut p,
        vec![
            room(
                1,
                RoomSpec::Emote {
                    who: amy.clone(),
                    emote_ids: vec!["e1".into()],
                },
            ),
            room(
                2,
                RoomSpec::EmoteChat {
                    who: amy.clone(),
                    emote_ids: vec!["e2".into(), "e3".into()],
                },
            ),
            MessageSpec::Chat {
                msg_id: 3,
                user_id: 7,
                unique_id: "amy".into(),
                nickname: "Amy".into(),
                text: "hi".into(),
            },
        ],
    );
    let fired: Vec<(String, Vec<String>)> = lines(&out)
        .into_iter()
        .map(|l| (l.trigger, l.room.emotes))
        .collect();
    assert_eq!(
        fired,
        [
            ("emote".to_owned(), vec!["e1".to_owned()]),
            ("emote".to_owned(), vec!["e2".to_owned(), "e3".to_owned()]),
            ("hi".to_owned(), vec![]),
        ]
    );
    let json = serde_json::to_value(&lines(&out)[1]).unwrap();
    assert_eq!(json["kind"], "emote");
    assert_eq!(json["emotes"], serde_json::json!(["e2", "e3"]));
}

#[test]
fn the_top_gifter_audience_admits_only_who_sent_the_most_so_far() {
    let mut top_only = rule("top", Condition::Share);
    top_only.audience = Audience::TopGifter;
    let mut p = pipeline(vec![top_only]);
    let gift = |msg_id, user_id: i64, handle: &str, diamonds| {
        MessageSpec::Gift(GiftSpec {
            msg_id,
            user_id,
            unique_id: handle.into(),
            nickname: handle.into(),
            diamonds,
            gift_type: 2,
            ..GiftSpec::default()
        })
    };
    let follow = |msg_id, user_id, handle: &str| {
        MessageSpec::Event(EventSpec::new(
            msg_id,
            user_id,
            handle,
            EventSpecKind::Share,
        ))
    };
    // Nobody gave yet: nobody is the top gifter.
    assert!(lines(&feed(&mut p, vec![follow(1, 1, "amy")])).is_empty());
    let out = feed(
        &mut p,
        vec![
            gift(2, 1, "amy", 10),
            gift(3, 2, "bob", 30),
            follow(4, 2, "bob"),
            follow(5, 3, "cat"),
        ],
    );
    let who: Vec<String> = lines(&out).into_iter().map(|l| l.unique_id).collect();
    assert_eq!(who, ["bob"]);
    // Amy overtakes Bob (10 + 25 > 30): she is the top gifter now, Bob no longer.
    let out = feed(&mut p, vec![gift(6, 1, "amy", 25), follow(7, 2, "bob2")]);
    assert!(lines(&out).is_empty());
    let mut t = TriggerState::new();
    let table = MappingTable::new(vec![{
        let mut m = rule("top", Condition::Share);
        m.audience = Audience::TopGifter;
        m
    }]);
    let amy = User {
        user_id: 1,
        unique_id: "amy".into(),
        ..User::default()
    };
    t.choose_gift(&table, &amy, "Rose", 1, 35, 0);
    let mut fired = vec![];
    let share = LiveEvent::Social {
        msg_id: 9,
        user: amy.clone(),
        kind: crate::event::SocialKind::Share,
        create_time_millis: 0,
    };
    t.on_event(&table, &share, 0, &mut fired);
    assert_eq!(fired.len(), 1);
}

#[test]
fn the_fan_club_audience_reads_the_level_tiktok_sends_with_the_viewer() {
    let mut club = rule("club", Condition::Emote);
    club.audience = Audience::FanClubLevel(5);
    let mut p = pipeline(vec![club]);
    let with_level = |level| Who {
        fan_club_level: level,
        ..Who::new(i64::from(level) + 100, &format!("lvl{level}"))
    };
    let emote = |msg_id, who: Who| {
        room(
            msg_id,
            RoomSpec::Emote {
                who,
                emote_ids: vec!["e".into()],
            },
        )
    };
    let out = feed(
        &mut p,
        vec![
            emote(1, with_level(0)),
            emote(2, with_level(4)),
            emote(3, with_level(5)),
            emote(4, with_level(12)),
        ],
    );
    let who: Vec<String> = lines(&out).into_iter().map(|l| l.unique_id).collect();
    assert_eq!(who, ["lvl5", "lvl12"]);
    let json = serde_json::to_string(&Audience::FanClubLevel(5)).unwrap();
    assert_eq!(json, r#"{"fan_club_level":5}"#);
    assert_eq!(
        serde_json::to_string(&Audience::TopGifter).unwrap(),
        r#""top_gifter""#
    );
}
