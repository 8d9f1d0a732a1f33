//! Room store tests on real files in a temp dir: crash, torn lines, damaged files, age, locks.

use std::time::UNIX_EPOCH;

use super::*;
use crate::engine::EngineConfig;
use crate::engine::test_support::credits;
use crate::event::{EndedBy, GiftMessage, LiveEvent, User};
use crate::mappings::MappingTable;
use crate::wire::Batch;

const ROOM: &str = "7000000000000000001";
/// A fixed "now" for the files' age: 2026-11-28.
const NOW_MILLIS: u64 = 1_795_000_000_000;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(NOW_MILLIS)
}

fn rose(msg_id: i64, user_id: i64, rc: u32, end: bool) -> LiveEvent {
    LiveEvent::Gift(GiftMessage {
        msg_id,
        user: User {
            user_id,
            ..User::default()
        },
        gift_id: 5655,
        gift_name: "Rose".into(),
        streakable: true,
        repeat_count: rc,
        repeat_end: end,
        group_id: user_id,
        create_time_millis: i64::try_from(NOW_MILLIS).unwrap() + msg_id,
        ..GiftMessage::default()
    })
}

fn lion(msg_id: i64) -> LiveEvent {
    LiveEvent::Gift(GiftMessage {
        msg_id,
        gift_name: "Lion".into(),
        repeat_count: 1,
        ..GiftMessage::default()
    })
}

fn pipeline() -> Pipeline {
    Pipeline::new(EngineConfig::default(), MappingTable::default())
}

fn history() -> Batch {
    Batch {
        events: vec![lion(1), rose(2, 10, 3, false), rose(3, 11, 5, true)],
        ..Batch::default()
    }
}

/// Opens the room the way a session does (lease, open), on a fresh pipeline.
async fn open(store: &RoomStore) -> (Pipeline, RoomJournal, Vec<RoomStoreError>) {
    let mut p = pipeline();
    let mut warnings = Vec::new();
    let lease = store.lease(ROOM).await;
    let journal = store
        .open(ROOM, lease, &mut p, now(), &mut warnings)
        .unwrap();
    (p, journal, warnings)
}

#[tokio::test]
async fn a_crash_right_after_a_credit_never_doubles_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = RoomStore::new(dir.path());
    let (mut p, mut journal, warnings) = open(&store).await;
    assert!(warnings.is_empty());
    let mut out = Vec::new();
    p.ingest_batch(history(), NOW_MILLIS, &mut out);
    journal.commit(&mut p).unwrap(); // before the credits leave
    assert_eq!(credits(&out).len(), 2);
    // The process dies here: no close, no finish. A torn line is what a crash mid-write leaves.
    drop(journal);
    let mut file = OpenOptions::new()
        .append(true)
        .open(store.journal_path(ROOM))
        .unwrap();
    file.write_all(br#"{"seq":99,"message_ids":[1,2"#).unwrap();
    drop(file);

    let (mut p, _journal, warnings) = open(&store).await;
    assert!(
        warnings.is_empty(),
        "a torn last line is expected: {warnings:?}"
    );
    let mut again = Vec::new();
    // The restart's history batch holds the same messages, and the streak's end arrives.
    p.ingest_batch(history(), NOW_MILLIS + 5_000, &mut again);
    assert!(credits(&again).is_empty(), "{again:?}");
    let end = Batch {
        events: vec![rose(4, 10, 6, true)],
        ..Batch::default()
    };
    p.ingest_batch(end, NOW_MILLIS + 6_000, &mut again);
    assert_eq!(credits(&again), [(4, 6, EndedBy::StreakEnd)]);
}

#[tokio::test]
async fn the_journal_is_folded_into_the_snapshot_and_reloads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = RoomStore::new(dir.path()).with_compact_bytes(2_000);
    let (mut p, mut journal, _) = open(&store).await;
    let mut out = Vec::new();
    for i in 0..500 {
        let batch = Batch {
            events: vec![rose(1_000 + i, 1_000 + i, 2, i % 2 == 0), lion(5_000 + i)],
            ..Batch::default()
        };
        p.ingest_batch(batch, NOW_MILLIS + u64::try_from(i).unwrap(), &mut out);
        journal.commit(&mut p).unwrap();
        let size = fs::metadata(store.journal_path(ROOM)).unwrap().len();
        assert!(size < 2_000 + 1_000, "compacted: {size} bytes");
    }
    let expected = p.snapshot(ROOM);
    drop(journal);
    let (p, _journal, _) = open(&store).await;
    let mut got = p.snapshot(ROOM);
    got.updated_millis = expected.updated_millis;
    assert_eq!(got, expected);
}

#[tokio::test]
async fn a_damaged_snapshot_is_kept_aside_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let store = RoomStore::new(dir.path());
    fs::write(store.snapshot_path(ROOM), b"{ not json").unwrap();
    let (p, _journal, warnings) = open(&store).await;
    assert_eq!(p.memory_size(), Default::default(), "starts empty");
    let [
        RoomStoreError::Unusable {
            aside: Some(aside), ..
        },
    ] = warnings.as_slice()
    else {
        panic!("{warnings:?}")
    };
    assert_eq!(fs::read(aside).unwrap(), b"{ not json");
    let text = warnings[0].to_string();
    assert!(
        text.contains("kept as") && text.contains("empty memory"),
        "{text}"
    );
    // A second damaged file never replaces the first one kept aside.
    drop(_journal);
    fs::write(store.snapshot_path(ROOM), b"[]").unwrap();
    let (_, _journal, warnings) = open(&store).await;
    let [
        RoomStoreError::Unusable {
            aside: Some(second),
            ..
        },
    ] = warnings.as_slice()
    else {
        panic!("{warnings:?}")
    };
    assert_ne!(second, aside);
    assert_eq!(fs::read(aside).unwrap(), b"{ not json");
}

#[tokio::test]
async fn a_snapshot_from_another_version_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let store = RoomStore::new(dir.path());
    let memory = RoomMemory {
        version: MEMORY_VERSION + 1,
        room_id: ROOM.into(),
        updated_millis: NOW_MILLIS,
        ..RoomMemory::default()
    };
    fs::write(
        store.snapshot_path(ROOM),
        serde_json::to_vec(&memory).unwrap(),
    )
    .unwrap();
    let (_, _journal, warnings) = open(&store).await;
    assert!(
        warnings[0].to_string().contains("format version 2"),
        "{}",
        warnings[0]
    );
}

#[tokio::test]
async fn a_damaged_journal_line_keeps_what_came_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = RoomStore::new(dir.path());
    let (mut p, mut journal, _) = open(&store).await;
    p.ingest_batch(
        Batch {
            events: vec![lion(1)],
            ..Batch::default()
        },
        NOW_MILLIS,
        &mut Vec::new(),
    );
    journal.commit(&mut p).unwrap();
    drop(journal);
    let mut file = OpenOptions::new()
        .append(true)
        .open(store.journal_path(ROOM))
        .unwrap();
    file.write_all(b"garbage\n{\"seq\":3}\n").unwrap();
    drop(file);
    let (mut p, _journal, warnings) = open(&store).await;
    assert!(matches!(
        warnings.as_slice(),
        [RoomStoreError::Unusable { aside: Some(_), .. }]
    ));
    let mut out = Vec::new();
    p.ingest_batch(
        Batch {
            events: vec![lion(1)],
            ..Batch::default()
        },
        NOW_MILLIS,
        &mut out,
    );
    assert!(
        credits(&out).is_empty(),
        "the line before the damage was kept"
    );
}

#[tokio::test]
async fn memory_older_than_a_day_is_not_loaded_and_an_ended_stream_is_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let store = RoomStore::new(dir.path());
    let (mut p, mut journal, _) = open(&store).await;
    p.ingest_batch(history(), NOW_MILLIS, &mut Vec::new());
    journal.commit(&mut p).unwrap();
    journal.close(&mut p).unwrap();

    // The next day: the same room id starts empty.
    let mut later = pipeline();
    let lease = store.lease(ROOM).await;
    let day_later = now() + MAX_AGE + Duration::from_secs(60);
    let journal = store
        .open(ROOM, lease, &mut later, day_later, &mut Vec::new())
        .unwrap();
    assert_eq!(later.memory_size(), Default::default());
    journal.forget().unwrap();
    assert!(!store.snapshot_path(ROOM).exists());
    assert!(!store.journal_path(ROOM).exists());
}

#[tokio::test]
async fn another_process_holding_the_room_means_no_persistence() {
    let dir = tempfile::tempdir().unwrap();
    let store = RoomStore::new(dir.path());
    fs::create_dir_all(store.dir()).unwrap();
    let other = File::create(store.journal_path(ROOM)).unwrap();
    other.lock().unwrap();
    let lease = store.lease(ROOM).await;
    let err = store
        .open(ROOM, lease, &mut pipeline(), now(), &mut Vec::new())
        .unwrap_err();
    assert!(matches!(err, RoomStoreError::Busy { .. }), "{err}");
}

#[tokio::test]
async fn a_second_session_waits_for_the_first_to_close() {
    let dir = tempfile::tempdir().unwrap();
    let store = RoomStore::new(dir.path());
    let first = store.lease(ROOM).await;
    let waiting = tokio::spawn({
        let store = store.clone();
        async move { store.lease(ROOM).await }
    });
    tokio::task::yield_now().await;
    assert!(!waiting.is_finished());
    drop(first);
    tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the lease is handed over")
        .unwrap();
}

#[tokio::test]
async fn only_numeric_room_ids_become_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let store = RoomStore::new(dir.path());
    let lease = store.lease("../x").await;
    let err = store
        .open("../x", lease, &mut pipeline(), now(), &mut Vec::new())
        .unwrap_err();
    assert!(matches!(err, RoomStoreError::BadRoomId { .. }));
}
