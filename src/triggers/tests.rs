//! Engine tests for every trigger kind and rule, through the real pipeline where it matters.

use super::*;
use crate::engine::{EngineConfig, Output, Pipeline};
use crate::event::{
    GiftMessage, Identity, LiveEvent, MEMBER_JOINED, MEMBER_SUBSCRIBED, SocialKind,
};
use crate::mappings::{Action, Mapping, MappingTable};
use crate::wire::Batch;

fn user(id: i64, handle: &str) -> User {
    User {
        user_id: id,
        unique_id: handle.into(),
        nickname: handle.to_uppercase(),
        identity: Identity::default(),
    }
}

fn rule(trigger: &str, on: Condition) -> Mapping {
    Mapping::new(trigger, vec![Action::command("say {user} {count}")]).on(on)
}

fn follow(msg_id: i64, who: &User) -> LiveEvent {
    LiveEvent::Social {
        msg_id,
        user: who.clone(),
        kind: SocialKind::Follow,
        create_time_millis: 0,
    }
}

fn like(msg_id: i64, count: u32, total: i64) -> LiveEvent {
    LiveEvent::Like {
        msg_id,
        user: user(5, "liker"),
        count,
        total,
        create_time_millis: 0,
    }
}

fn chat(msg_id: i64, who: &User, text: &str) -> LiveEvent {
    LiveEvent::Chat {
        msg_id,
        user: who.clone(),
        text: text.into(),
        create_time_millis: 0,
    }
}

fn member(msg_id: i64, who: &User, action: i32) -> LiveEvent {
    LiveEvent::Member {
        msg_id,
        user: who.clone(),
        action,
        create_time_millis: 0,
    }
}

/// Runs events through a pipeline (dedupe included) at `now`; returns (trigger, count, skipped).
fn run(p: &mut Pipeline, events: Vec<LiveEvent>, now: u64) -> Vec<(String, u32, Option<Skip>)> {
    let mut out = vec![];
    let batch = Batch {
        messages: events.len() as u32,
        events,
        ..Batch::default()
    };
    p.ingest_batch(batch, now, &mut out);
    out.into_iter()
        .filter_map(|o| match o {
            Output::Fired(f) => Some((f.line.trigger, f.line.count, f.line.skipped)),
            _ => None,
        })
        .collect()
}

fn pipeline(mappings: Vec<Mapping>) -> Pipeline {
    Pipeline::new(EngineConfig::default(), MappingTable::new(mappings))
}

fn fired(trigger: &str, count: u32) -> (String, u32, Option<Skip>) {
    (trigger.to_owned(), count, None)
}

#[test]
fn follow_fires_once_per_viewer_per_stream() {
    let mut p = pipeline(vec![rule("apple", Condition::Follow)]);
    let (a, b) = (user(1, "amy"), user(2, "bob"));
    assert_eq!(run(&mut p, vec![follow(10, &a)], 0), [fired("apple", 1)]);
    // TikTok repeating it under a new id, or unfollow + follow again: nothing.
    assert!(run(&mut p, vec![follow(11, &a)], 1).is_empty());
    assert_eq!(run(&mut p, vec![follow(12, &b)], 2), [fired("apple", 1)]);
    // The memory survives a reconnect to the same room.
    let memory = p.trigger_memory().clone();
    let mut again = pipeline(vec![rule("apple", Condition::Follow)]);
    again.restore_trigger_memory(memory);
    assert!(run(&mut again, vec![follow(13, &a)], 3).is_empty());
}

#[test]
fn like_rules_fire_once_per_block_several_per_jump_side_by_side() {
    let mut p = pipeline(vec![
        rule("every100", Condition::Likes { every: 100 }),
        rule("every1000", Condition::Likes { every: 1_000 }),
    ]);
    // First message: baseline = 5_000 − 15; its own 15 likes count.
    assert!(run(&mut p, vec![like(1, 15, 5_000)], 0).is_empty());
    assert_eq!(
        run(&mut p, vec![like(2, 15, 5_085)], 0),
        [fired("every100", 1)]
    );
    // One jump from 100 to 1_250 counted likes: 11 blocks of 100, one of 1,000.
    assert_eq!(
        run(&mut p, vec![like(3, 15, 6_235)], 0),
        [fired("every100", 11), fired("every1000", 1)]
    );
    // A lower total (out of order) is ignored; equal too.
    assert!(run(&mut p, vec![like(4, 15, 6_000), like(5, 1, 6_235)], 0).is_empty());
    assert_eq!(p.likes_counted(), 1_250);
}

#[test]
fn first_like_message_counts_its_own_likes() {
    let mut p = pipeline(vec![rule("every10", Condition::Likes { every: 10 })]);
    assert_eq!(
        run(&mut p, vec![like(1, 12, 900)], 0),
        [fired("every10", 1)]
    );
}

#[test]
fn like_lines_carry_likes_and_total() {
    let table = MappingTable::new(vec![rule("every10", Condition::Likes { every: 10 })]);
    let mut t = TriggerState::new();
    let mut out = vec![];
    t.on_event(&table, &like(1, 25, 1_025), 0, &mut out);
    let line = &out[0].line;
    assert_eq!((line.kind, line.count), (EventKind::Like, 2));
    assert_eq!((line.likes, line.total_likes), (Some(25), Some(1_025)));
}

#[test]
fn share_subscribe_and_join_fire_their_kinds() {
    let mut p = pipeline(vec![
        rule("shared", Condition::Share),
        rule("subbed", Condition::Subscribe),
        rule("hello", Condition::Join),
    ]);
    let a = user(1, "amy");
    let share = LiveEvent::Social {
        msg_id: 1,
        user: a.clone(),
        kind: SocialKind::Share,
        create_time_millis: 0,
    };
    assert_eq!(
        run(
            &mut p,
            vec![
                share,
                member(2, &a, MEMBER_SUBSCRIBED),
                member(3, &a, MEMBER_JOINED),
                member(4, &a, 27),
            ],
            0
        ),
        [fired("shared", 1), fired("subbed", 1), fired("hello", 1)]
    );
}

#[test]
fn chat_command_and_keyword_carry_message_and_args() {
    let table = MappingTable::new(vec![
        rule(
            "jump",
            Condition::ChatCommand {
                command: "!jump".into(),
            },
        ),
        rule(
            "creeper",
            Condition::ChatKeyword {
                keyword: "creeper".into(),
            },
        ),
    ]);
    let mut t = TriggerState::new();
    let mut out = vec![];
    let a = user(1, "amy");
    t.on_event(&table, &chat(1, &a, "!JUMP high"), 0, &mut out);
    t.on_event(&table, &chat(2, &a, "a Creeper please"), 0, &mut out);
    t.on_event(&table, &chat(3, &a, "!jumping"), 0, &mut out);
    let got: Vec<_> = out
        .iter()
        .map(|f| {
            (
                f.line.trigger.as_str(),
                f.line.args.as_deref(),
                f.line.message.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("jump", Some("high"), Some("!JUMP high")),
            ("creeper", Some("please"), Some("a Creeper please")),
        ]
    );
}

#[test]
fn global_cooldown_shows_as_skipped_then_fires_again() {
    let mut jump = rule(
        "jump",
        Condition::ChatCommand {
            command: "!jump".into(),
        },
    );
    jump.cooldown_seconds = 10;
    let mut p = pipeline(vec![jump]);
    let (a, b) = (user(1, "amy"), user(2, "bob"));
    assert_eq!(
        run(&mut p, vec![chat(1, &a, "!jump")], 0),
        [fired("jump", 1)]
    );
    assert_eq!(
        run(&mut p, vec![chat(2, &b, "!jump")], 5_000),
        [("jump".to_owned(), 1, Some(Skip::Cooldown))]
    );
    assert_eq!(
        run(&mut p, vec![chat(3, &b, "!jump")], 10_000),
        [fired("jump", 1)]
    );
    assert_eq!(p.stats().skipped, 1);
    assert_eq!(p.stats().fired, 2);
}

#[test]
fn viewer_cooldown_is_per_viewer() {
    let mut jump = rule(
        "jump",
        Condition::ChatCommand {
            command: "!jump".into(),
        },
    );
    jump.viewer_cooldown_seconds = 60;
    let mut p = pipeline(vec![jump]);
    let (a, b) = (user(1, "amy"), user(2, "bob"));
    assert_eq!(
        run(&mut p, vec![chat(1, &a, "!jump")], 0),
        [fired("jump", 1)]
    );
    assert_eq!(
        run(&mut p, vec![chat(2, &a, "!jump")], 1_000),
        [("jump".to_owned(), 1, Some(Skip::ViewerCooldown))]
    );
    assert_eq!(
        run(&mut p, vec![chat(3, &b, "!jump")], 1_000),
        [fired("jump", 1)]
    );
}

#[test]
fn gift_cooldown_is_reported_on_the_credit() {
    let mut rose = Mapping::new("Rose", vec![Action::command("say hi")]);
    rose.cooldown_seconds = 30;
    let table = MappingTable::new(vec![rose]);
    let mut p = Pipeline::new(EngineConfig::default(), table);
    let gift = |msg_id| {
        LiveEvent::Gift(GiftMessage {
            msg_id,
            user: user(1, "amy"),
            gift_id: 5655,
            gift_name: "Rose".into(),
            diamonds: 1,
            streakable: false,
            repeat_count: 1,
            ..GiftMessage::default()
        })
    };
    let mut out = vec![];
    p.ingest_batch(
        Batch {
            events: vec![gift(1)],
            ..Batch::default()
        },
        0,
        &mut out,
    );
    p.ingest_batch(
        Batch {
            events: vec![gift(2)],
            ..Batch::default()
        },
        1_000,
        &mut out,
    );
    let got: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Output::Credit(d) => {
                Some((d.gift.trigger.clone(), d.gift.skipped, d.mapping.is_some()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some("Rose".into()), None, true),
            (Some("Rose".into()), Some(Skip::Cooldown), false),
        ]
    );
    let line = serde_json::to_string(&match &out[1] {
        Output::Credit(d) => d.gift.clone(),
        _ => unreachable!(),
    })
    .unwrap();
    assert!(line.ends_with(r#""skipped":"cooldown"}"#), "{line}");
}

#[test]
fn audience_filters_followers_subscribers_moderators_and_handles() {
    let mut fans = rule(
        "fans",
        Condition::ChatKeyword {
            keyword: "hi".into(),
        },
    );
    fans.audience = Audience::Followers;
    let mut subs = rule(
        "subs",
        Condition::ChatKeyword {
            keyword: "hi".into(),
        },
    );
    subs.audience = Audience::Subscribers;
    let mut mods = rule(
        "mods",
        Condition::ChatKeyword {
            keyword: "hi".into(),
        },
    );
    mods.audience = Audience::Moderators;
    let mut vip = rule(
        "vip",
        Condition::ChatKeyword {
            keyword: "hi".into(),
        },
    );
    vip.audience = Audience::Handles(vec!["@Zed".into()]);
    let mut p = pipeline(vec![fans, subs, mods, vip]);

    let stranger = user(1, "stranger");
    assert!(run(&mut p, vec![chat(1, &stranger, "hi")], 0).is_empty());

    let mut fan = user(2, "fan");
    fan.identity.follower = true;
    assert_eq!(
        run(&mut p, vec![chat(2, &fan, "hi")], 0),
        [fired("fans", 1)]
    );

    let mut sub_mod = user(3, "boss");
    sub_mod.identity.subscriber = true;
    sub_mod.identity.moderator = true;
    assert_eq!(
        run(&mut p, vec![chat(3, &sub_mod, "hi")], 0),
        [fired("subs", 1), fired("mods", 1)]
    );
    assert_eq!(
        run(&mut p, vec![chat(4, &user(4, "ZED"), "hi")], 0),
        [fired("vip", 1)]
    );

    // Following during the stream makes a viewer a follower; so does subscribing a subscriber.
    let late = user(5, "late");
    run(
        &mut p,
        vec![follow(5, &late), member(6, &late, MEMBER_SUBSCRIBED)],
        0,
    );
    assert_eq!(
        run(&mut p, vec![chat(7, &late, "hi")], 0),
        [fired("fans", 1), fired("subs", 1)]
    );
}

#[test]
fn blocklist_silences_every_kind() {
    let table = MappingTable::new(vec![
        rule("apple", Condition::Follow),
        rule(
            "jump",
            Condition::ChatCommand {
                command: "!jump".into(),
            },
        ),
        rule("every1", Condition::Likes { every: 1 }),
        Mapping::new("Rose", vec![Action::command("say rose")]),
    ])
    .with_blocklist(&["@Troll"]);
    let troll = User {
        unique_id: "troll".into(),
        ..user(9, "troll")
    };
    let mut t = TriggerState::new();
    let mut out = vec![];
    t.on_event(&table, &follow(1, &troll), 0, &mut out);
    t.on_event(&table, &chat(2, &troll, "!jump"), 0, &mut out);
    let mut like_msg = like(3, 5, 100);
    if let LiveEvent::Like { user, .. } = &mut like_msg {
        *user = troll.clone();
    }
    t.on_event(&table, &like_msg, 0, &mut out);
    assert!(out.is_empty());
    let choice = t.choose_gift(&table, &troll, "Rose", 5655, 1, 0);
    assert!(choice.mapping.is_none() && choice.trigger.is_none());
}

#[test]
fn dedupe_applies_to_every_kind() {
    let mut p = pipeline(vec![
        rule("apple", Condition::Share),
        rule(
            "jump",
            Condition::ChatCommand {
                command: "!jump".into(),
            },
        ),
        rule("hello", Condition::Join),
    ]);
    let a = user(1, "amy");
    let share = LiveEvent::Social {
        msg_id: 7,
        user: a.clone(),
        kind: SocialKind::Share,
        create_time_millis: 0,
    };
    let events = vec![
        share.clone(),
        share,
        chat(8, &a, "!jump"),
        chat(8, &a, "!jump"),
        member(9, &a, MEMBER_JOINED),
        member(9, &a, MEMBER_JOINED),
        // The same id on another kind is a duplicate too (ids are per room, not per kind).
        chat(7, &a, "!jump"),
    ];
    assert_eq!(
        run(&mut p, events, 0),
        [fired("apple", 1), fired("jump", 1), fired("hello", 1)]
    );
    assert_eq!(p.stats().duplicates, 4);
}

#[test]
fn gift_kinds_fall_back_from_name_to_worth_to_any() {
    let table = MappingTable::new(vec![
        Mapping::new("any", vec![Action::command("a")]).on(Condition::AnyGift),
        Mapping::new("big", vec![Action::command("b")])
            .on(Condition::GiftsWorth { min_diamonds: 100 }),
        Mapping::new("huge", vec![Action::command("h")]).on(Condition::GiftsWorth {
            min_diamonds: 1_000,
        }),
        Mapping::new("Rose", vec![Action::command("r")]),
    ]);
    let mut t = TriggerState::new();
    let a = user(1, "amy");
    let pick = |t: &mut TriggerState, name: &str, total| {
        t.choose_gift(&table, &a, name, 1, total, 0).trigger
    };
    assert_eq!(pick(&mut t, "Rose", 5_000).as_deref(), Some("Rose"));
    assert_eq!(pick(&mut t, "GG", 1).as_deref(), Some("any"));
    assert_eq!(
        pick(&mut t, "GG", 100).as_deref(),
        Some("big"),
        "count × value reaches 100"
    );
    assert_eq!(pick(&mut t, "Lion", 29_999).as_deref(), Some("huge"));
}

#[test]
fn gift_worth_counts_count_times_value_through_the_pipeline() {
    let table = MappingTable::new(vec![
        Mapping::new("big", vec![Action::command("b")])
            .on(Condition::GiftsWorth { min_diamonds: 10 }),
    ]);
    let mut p = Pipeline::new(EngineConfig::default(), table);
    let streak = |msg_id, rc, end| {
        LiveEvent::Gift(GiftMessage {
            msg_id,
            user: user(1, "amy"),
            gift_id: 5655,
            gift_name: "Rose".into(),
            diamonds: 1,
            streakable: true,
            repeat_count: rc,
            repeat_end: end,
            group_id: 1,
            // Created one after the other: the ×1 after the ×9 end is a new streak on the same
            // group (without times it would count as a late message of the first).
            create_time_millis: msg_id * 1_000,
            ..GiftMessage::default()
        })
    };
    let mut out = vec![];
    let batch = Batch {
        events: vec![streak(1, 9, true), streak(2, 1, false), streak(3, 10, true)],
        ..Batch::default()
    };
    p.ingest_batch(batch, 0, &mut out);
    let triggers: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Output::Credit(d) => Some((d.gift.count, d.gift.trigger.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(triggers, [(9, None), (10, Some("big".into()))]);
}

#[test]
fn a_like_rule_added_mid_stream_counts_from_the_connect_baseline() {
    let mut p = pipeline(vec![]);
    run(&mut p, vec![like(1, 10, 1_000), like(2, 10, 1_150)], 0);
    p.set_mappings(MappingTable::new(vec![rule(
        "every100",
        Condition::Likes { every: 100 },
    )]));
    // Counted 160 → 260: crosses 200 only (the 100 crossed before the rule existed stays crossed).
    assert_eq!(
        run(&mut p, vec![like(3, 10, 1_250)], 0),
        [fired("every100", 1)]
    );
}

#[test]
fn disabled_and_invalid_rules_never_fire() {
    let mut off = rule("off", Condition::Follow);
    off.enabled = false;
    let zero = rule("zero", Condition::Likes { every: 0 });
    let mut p = pipeline(vec![off, zero]);
    assert!(run(&mut p, vec![follow(1, &user(1, "a")), like(2, 5, 50)], 0).is_empty());
}

#[test]
fn chat_text_is_escaped_like_a_nickname_in_commands() {
    use crate::actions::placeholders::{Values, render};
    let table = MappingTable::new(vec![rule(
        "jump",
        Condition::ChatCommand {
            command: "!jump".into(),
        },
    )]);
    let mut t = TriggerState::new();
    let mut out = vec![];
    let hostile = "!jump @a[tag=x] ~ ~ ~\n/op me \"; kill @e";
    t.on_event(&table, &chat(1, &user(1, "amy"), hostile), 0, &mut out);
    let values = Values::from_event(&out[0].line);
    // A player position takes only a player name: refused, never a selector.
    assert!(matches!(
        render("tp {args}", &values),
        Err(crate::actions::RenderError::NotAPlayerName { .. })
    ));
    let word = render("tag @a add {args}", &values).unwrap();
    assert_eq!(word, "tag @a add atagx_op_me_kill_e");
    // A message keeps the text, but Minecraft would expand `@a` even between quotes: neutralized.
    let quoted = render(r#"say "{message}""#, &values).unwrap();
    assert!(!quoted.contains('\n'), "{quoted}");
    assert!(
        crate::actions::grammar::selectors_in_message(&quoted).is_empty(),
        "{quoted}"
    );
}

#[test]
fn gift_mappings_serialize_exactly_as_before() {
    let rose = Mapping::new("Rose", vec![Action::command("say hi")]);
    assert_eq!(
        serde_json::to_string(&rose).unwrap(),
        r#"{"trigger":"Rose","enabled":true,"actions":[{"type":"command","command":"say hi","repeat":1}],"repeat":1}"#
    );
    let mut follow = rule("apple", Condition::Follow);
    follow.audience = Audience::Followers;
    follow.viewer_cooldown_seconds = 5;
    let json = serde_json::to_string(&follow).unwrap();
    assert!(
        json.contains(
            r#""on":{"kind":"follow"},"audience":"followers","viewer_cooldown_seconds":5"#
        ),
        "{json}"
    );
    let back: Mapping = serde_json::from_str(&json).unwrap();
    assert_eq!(back, follow);
}

#[test]
fn level_and_points_audiences_read_the_ledgers_standings() {
    let mut vip = rule(
        "vip",
        Condition::ChatCommand {
            command: "!vip".into(),
        },
    );
    vip.audience = Audience::Level(2);
    let mut rich = rule(
        "rich",
        Condition::ChatCommand {
            command: "!vip".into(),
        },
    );
    rich.audience = Audience::Points(1_000);
    let mut p = pipeline(vec![vip, rich]);
    let standings = crate::standings::Standings::new(vec![100, 250]);
    standings.record(&[(1, 250), (2, 1_000), (3, 99)]);
    p.set_standings(standings.clone());
    let (amy, bob, cat, anon) = (user(1, "amy"), user(2, "bob"), user(3, "cat"), user(0, "x"));
    let got = run(
        &mut p,
        vec![
            chat(1, &amy, "!vip"),
            chat(2, &bob, "!vip"),
            chat(3, &cat, "!vip"),
            chat(4, &anon, "!vip"),
        ],
        0,
    );
    assert_eq!(got, [fired("vip", 1), fired("vip", 1), fired("rich", 1)]);
    // The standings move with the ledger's commits: cat reaches level 2.
    standings.record(&[(3, 300)]);
    assert_eq!(
        run(&mut p, vec![chat(5, &cat, "!vip")], 0),
        [fired("vip", 1)]
    );
    assert_eq!(
        serde_json::to_string(&Audience::Level(2)).unwrap(),
        r#"{"level":2}"#
    );
    let points: Audience = serde_json::from_str(r#"{"points":1000}"#).unwrap();
    assert_eq!(points, Audience::Points(1_000));
}
