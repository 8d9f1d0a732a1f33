//! Pipeline tests: dedupe, the one clock, the memory's snapshot/journal round trip.

use super::test_support::credits;
use super::*;
use crate::event::User;
use crate::mappings::Action;

/// A Rose streak message of user 111, group 9001 (shared with `streaks`' tests).
pub(super) fn gift(msg_id: i64, rc: u32, end: bool) -> GiftMessage {
    GiftMessage {
        msg_id,
        user: User {
            user_id: 111,
            unique_id: "alice".into(),
            nickname: "Alice".into(),
            ..User::default()
        },
        gift_id: 5655,
        gift_name: "Rose".into(),
        diamonds: 1,
        streakable: true,
        repeat_count: rc,
        repeat_end: end,
        group_id: 9001,
        create_time_millis: 0,
        image_url: None,
    }
}

fn single(msg_id: i64) -> GiftMessage {
    GiftMessage {
        streakable: false,
        repeat_count: 1,
        gift_name: "Lion".into(),
        gift_id: 1,
        ..gift(msg_id, 1, false)
    }
}

fn chat(msg_id: i64) -> LiveEvent {
    LiveEvent::Chat {
        msg_id,
        user: User::default(),
        text: "hi".into(),
        create_time_millis: 0,
    }
}

fn batch(events: Vec<LiveEvent>) -> Batch {
    Batch {
        messages: u32::try_from(events.len()).unwrap(),
        events,
        ..Batch::default()
    }
}

fn gifts(list: Vec<GiftMessage>) -> Batch {
    batch(list.into_iter().map(LiveEvent::Gift).collect())
}

#[test]
fn pipeline_dedupes_matches_and_counts() {
    let table = MappingTable::new(vec![Mapping::new(
        "rose",
        vec![Action::Command {
            command: "say hi".into(),
            repeat: 1,
        }],
    )]);
    let mut p = Pipeline::new(EngineConfig::default(), table);
    let mut out = vec![];
    p.ingest_batch(
        gifts(vec![gift(1, 1, false), gift(1, 1, false), gift(2, 2, true)]),
        0,
        &mut out,
    );
    assert_eq!(out.len(), 1);
    let Output::Credit(d) = &out[0] else {
        panic!("expected a credit")
    };
    assert_eq!(d.gift.count, 2);
    assert_eq!(d.gift.trigger.as_deref(), Some("rose"));
    assert!(d.mapping.is_some());
    assert_eq!(p.stats().duplicates, 1);
    assert_eq!(p.stats().gifts, 2);
}

#[test]
fn pipeline_uses_message_clock_when_replaying() {
    let config = EngineConfig {
        clock_from_messages: true,
        ..EngineConfig::default()
    };
    let mut p = Pipeline::new(config, MappingTable::default());
    let mut a = gift(1, 2, false);
    a.create_time_millis = 1_000;
    let mut b = gift(2, 1, false);
    b.user.user_id = 999;
    b.create_time_millis = 30_000;
    let mut out = vec![];
    p.ingest_batch(gifts(vec![a, b]), 0, &mut out);
    assert_eq!(out.len(), 1, "a timed out when b arrived 29 s later");
    let Output::Credit(d) = &out[0] else { panic!() };
    assert_eq!((d.gift.count, d.gift.ended_by), (2, EndedBy::Timeout));
    assert!(d.gift.trigger.is_none());
}

/// Reproduced on the old pipeline: `tick` read the caller's clock while gifts read the messages'.
#[test]
fn one_clock_in_replay_the_callers_time_never_expires_a_streak() {
    let config = EngineConfig {
        clock_from_messages: true,
        ..EngineConfig::default()
    };
    let mut p = Pipeline::new(config, MappingTable::default());
    let mut out = vec![];
    let mut a = gift(1, 2, false);
    a.create_time_millis = 1_000;
    p.ingest_batch(gifts(vec![a]), 0, &mut out);
    p.tick(10_000_000, &mut out);
    assert!(out.is_empty(), "message time has not moved: no timeout");
    assert_eq!(p.clock_millis(), 1_000);
}

#[test]
fn the_clock_never_runs_backwards() {
    let mut p = Pipeline::new(EngineConfig::default(), MappingTable::default());
    let mut out = vec![];
    p.ingest_batch(gifts(vec![gift(1, 2, false)]), 100_000, &mut out);
    // The wall clock steps back a minute (NTP): the streak still times out 20 s after its update.
    p.tick(40_000, &mut out);
    p.tick(119_000, &mut out);
    assert!(out.is_empty());
    assert_eq!(p.clock_millis(), 119_000);
    p.tick(120_000, &mut out);
    assert_eq!(credits(&out), [(1, 2, EndedBy::Timeout)]);
}

/// The old pipeline shared one ring between chat and gifts: a heavy chat pushed a big gift out,
/// and its replay credited again.
#[test]
fn gift_ids_have_their_own_memory_that_chat_cannot_push_out() {
    let config = EngineConfig {
        dedupe_capacity: 100,
        ..EngineConfig::default()
    };
    let mut p = Pipeline::new(config, MappingTable::default());
    let mut out = vec![];
    p.ingest_batch(gifts(vec![single(1)]), 0, &mut out);
    p.ingest_batch(batch((1_000..2_000).map(chat).collect()), 10, &mut out);
    p.ingest_batch(gifts(vec![single(1)]), 20, &mut out);
    assert_eq!(credits(&out), [(1, 1, EndedBy::Single)]);
    assert_eq!(
        p.memory_size().message_ids,
        100,
        "the chat ring stays bounded"
    );
}

#[test]
fn the_memory_is_bounded_in_time() {
    let config = EngineConfig {
        gift_id_retention_millis: 1_000,
        finished_retention_millis: 1_000,
        ..EngineConfig::default()
    };
    let mut p = Pipeline::new(config, MappingTable::default());
    let mut out = vec![];
    p.ingest_batch(gifts(vec![single(1), gift(2, 3, true)]), 0, &mut out);
    assert_eq!(p.memory_size().gift_ids, 2);
    assert_eq!(p.memory_size().finished_streaks, 1);
    p.tick(5_000, &mut out);
    assert_eq!(p.memory_size(), MemorySize::default());
}

/// What a new session did with TikTok's history batch before: a fresh pipeline credited the same
/// gifts again (the control below); restored from the memory, it credits each gift once.
#[test]
fn a_restored_memory_credits_nothing_twice() {
    let history = || {
        gifts(vec![
            single(1),
            gift(2, 5, true),
            GiftMessage {
                user: User {
                    user_id: 222,
                    ..User::default()
                },
                ..gift(3, 4, false)
            },
        ])
    };
    let mut first = Pipeline::new(EngineConfig::default(), MappingTable::default());
    first.start_journal();
    let mut out = vec![];
    first.ingest_batch(history(), 1_000, &mut out);
    assert_eq!(
        credits(&out),
        [(1, 1, EndedBy::Single), (2, 5, EndedBy::StreakEnd)]
    );
    let saved = first.snapshot("7");
    let journal = first.take_journal().unwrap();

    let mut control = Pipeline::new(EngineConfig::default(), MappingTable::default());
    let mut doubled = vec![];
    control.ingest_batch(history(), 2_000, &mut doubled);
    assert_eq!(
        credits(&doubled).len(),
        2,
        "without memory the history credits again"
    );

    // The memory travels as JSON, like the files do.
    let saved: RoomMemory = serde_json::from_str(&serde_json::to_string(&saved).unwrap()).unwrap();
    let journal: JournalEntry =
        serde_json::from_str(&serde_json::to_string(&journal).unwrap()).unwrap();
    let mut second = Pipeline::new(EngineConfig::default(), MappingTable::default());
    second.restore(saved, [journal]);
    let mut again = vec![];
    second.ingest_batch(history(), 2_000, &mut again);
    assert!(credits(&again).is_empty(), "{again:?}");
    assert_eq!(second.stats().duplicates, 3);
    assert_eq!(second.open_streaks(), 1, "the open streak carries on");
    // It times out by the wall clock, relative to its update in the first session.
    second.tick(20_999, &mut again);
    assert!(credits(&again).is_empty());
    second.tick(21_300, &mut again);
    assert_eq!(credits(&again), [(3, 4, EndedBy::Timeout)]);
}

#[test]
fn a_streak_finished_by_disconnect_is_credited_only_the_rest_after_reconnect() {
    let mut first = Pipeline::new(EngineConfig::default(), MappingTable::default());
    let mut out = vec![];
    first.ingest_batch(gifts(vec![gift(1, 3, false)]), 0, &mut out);
    first.finish(&mut out); // Disconnect: open streaks are credited as timeout
    let mut second = Pipeline::new(EngineConfig::default(), MappingTable::default());
    second.restore(first.snapshot("7"), []);
    second.ingest_batch(
        gifts(vec![gift(1, 3, false), gift(2, 7, true)]),
        5_000,
        &mut out,
    );
    assert_eq!(
        credits(&out),
        [(1, 3, EndedBy::Timeout), (2, 4, EndedBy::StreakEnd)]
    );
}

#[test]
fn journal_entries_already_in_the_snapshot_are_skipped() {
    let mut p = Pipeline::new(EngineConfig::default(), MappingTable::default());
    p.start_journal();
    let mut out = vec![];
    p.ingest_batch(gifts(vec![gift(1, 2, false)]), 0, &mut out);
    let mut old = p.take_journal().unwrap();
    old.seq = 1;
    p.ingest_batch(gifts(vec![gift(2, 2, true)]), 10, &mut out);
    let mut saved = p.snapshot("7");
    saved.seq = 1;
    let mut newer = p.take_journal().unwrap();
    newer.seq = 2;
    let mut copy = Pipeline::new(EngineConfig::default(), MappingTable::default());
    copy.restore(saved, [old, newer]);
    assert_eq!(
        copy.open_streaks(),
        0,
        "the old entry did not reopen the streak"
    );
    let mut copied = copy.snapshot("7");
    copied.updated_millis = p.clock_millis();
    assert_eq!(copied, p.snapshot("7"));
    assert!(p.take_journal().is_none(), "nothing changed since");
}

/// The events work's trigger memory rides in the same journal: a follower who already fired the
/// follow trigger, and the like count, survive a crash.
#[test]
fn followers_and_likes_are_journaled_and_restored() {
    use crate::event::SocialKind;
    let follow = |msg_id, user_id| LiveEvent::Social {
        msg_id,
        user: User {
            user_id,
            ..User::default()
        },
        kind: SocialKind::Follow,
        create_time_millis: 0,
    };
    let like = |msg_id, count, total| LiveEvent::Like {
        msg_id,
        user: User::default(),
        count,
        total,
        create_time_millis: 0,
    };
    let mut first = Pipeline::new(EngineConfig::default(), MappingTable::default());
    first.start_journal();
    let mut out = vec![];
    first.ingest_batch(batch(vec![follow(1, 7), like(2, 15, 100)]), 0, &mut out);
    let journal = first.take_journal().unwrap();
    assert!(!journal.events.is_empty(), "{journal:?}");
    let journal: JournalEntry =
        serde_json::from_str(&serde_json::to_string(&journal).unwrap()).unwrap();

    let mut second = Pipeline::new(EngineConfig::default(), MappingTable::default());
    second.restore(RoomMemory::default(), [JournalEntry { seq: 1, ..journal }]);
    assert_eq!(second.trigger_memory(), first.trigger_memory());
    assert_eq!(second.memory_size().followers, 1);
    assert_eq!(second.likes_counted(), first.likes_counted());
}

#[test]
fn a_restored_open_streak_keeps_the_viewers_identity() {
    let mut subs_only = Mapping::new("Rose", vec![Action::command("say thanks {user}")]);
    subs_only.audience = crate::triggers::Audience::Subscribers;
    let table = MappingTable::new(vec![subs_only]);
    let mut streak = gift(1, 3, false);
    streak.user.identity.subscriber = true;
    let mut first = Pipeline::new(EngineConfig::default(), table.clone());
    let mut out = vec![];
    first.ingest_batch(gifts(vec![streak]), 1_000, &mut out);
    assert!(credits(&out).is_empty(), "the streak is still open");

    // Restarted: only the saved memory remembers the streak and who began it.
    let saved: RoomMemory =
        serde_json::from_str(&serde_json::to_string(&first.snapshot("7")).unwrap()).unwrap();
    let mut second = Pipeline::new(EngineConfig::default(), table);
    second.restore(saved, []);
    let mut out = vec![];
    second.tick(30_000, &mut out);
    let [Output::Credit(decision)] = out.as_slice() else {
        panic!("one credit expected: {out:?}");
    };
    assert_eq!(decision.gift.ended_by, EndedBy::Timeout);
    assert_eq!(decision.gift.skipped, None, "{decision:?}");
    assert_eq!(decision.gift.trigger.as_deref(), Some("Rose"));
}
