//! The ledger against a real SQLite file: credit keys, streams, adjustments, queries, exports, and
//! the handle's behaviour when its channel is full.

use super::store::{Msg, Store, open_connection};
use super::*;

use crate::testkit::outputs::{credit as gift, likes, viewer};

fn chat(msg_id: i64, user: &User) -> Output {
    crate::testkit::outputs::chat(msg_id, user, "hi")
}

fn follow(msg_id: i64, user: &User) -> Output {
    crate::testkit::outputs::social(msg_id, user, SocialKind::Follow)
}

/// Simple rates: 1 per coin, 1 per like, 10 per follow, 2 per chat (no cooldown), no watch time.
fn simple_rules() -> PointRules {
    PointRules {
        coin: Rate::new(1, 1),
        like: Rate::new(1, 1),
        follow: Rate::new(10, 1),
        chat: Rate::new(2, 1),
        ..PointRules::off()
    }
}

fn store(dir: &tempfile::TempDir) -> Store {
    let conn = open_connection(&dir.path().join("ledger.sqlite")).unwrap();
    Store::new(conn, simple_rules())
}

fn ev(output: &Output, at: u64) -> Msg {
    Msg::Event(LedgerEvent::from_output(output, at).unwrap())
}

fn begin(room: &str, at: u64) -> Msg {
    Msg::Begin {
        room_id: room.into(),
        at_millis: at,
    }
}

fn points_of(store: &Store, user_id: i64) -> i64 {
    store
        .conn()
        .query_row("SELECT points FROM viewers WHERE id = ?1", [user_id], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn an_event_counts_once_by_its_credit_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(&dir);
    let anna = viewer(1, "anna");
    let first = store
        .apply(&[
            begin("room-1", 1_000),
            ev(&gift(11, &anna, 5, 3), 1_000),
            ev(&likes(12, &anna, 15), 1_100),
            ev(&gift(11, &anna, 5, 3), 1_200),
        ])
        .unwrap();
    assert_eq!((first.events, first.duplicates, first.points), (2, 1, 30));
    // A reconnect's history, or a restart: the same room, the same messages again.
    let again = store
        .apply(&[
            begin("room-1", 5_000),
            ev(&likes(12, &anna, 15), 5_000),
            ev(&gift(11, &anna, 5, 3), 5_000),
            ev(&chat(13, &anna), 5_000),
        ])
        .unwrap();
    assert_eq!((again.events, again.duplicates, again.points), (1, 2, 2));
    assert_eq!(points_of(&store, 1), 32);
    // Id 0 has no key: counted every time, as the engine counts it.
    store
        .apply(&[ev(&chat(0, &anna), 6_000), ev(&chat(0, &anna), 6_001)])
        .unwrap();
    assert_eq!(points_of(&store, 1), 36);
}

#[test]
fn streams_are_kept_apart_and_boards_rank_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(&dir);
    let (anna, ben, cleo) = (viewer(1, "anna"), viewer(2, "ben"), viewer(3, "cleo"));
    store
        .apply(&[
            begin("room-1", 1_000),
            ev(&gift(1, &anna, 1, 10), 1_000),
            ev(&gift(2, &ben, 100, 1), 1_001),
            ev(&follow(3, &cleo), 1_002),
            ev(&follow(4, &cleo), 1_003),
            Msg::End { at_millis: 2_000 },
            begin("room-2", 10_000),
            // The same message id in another stream is another event.
            ev(&gift(1, &anna, 1, 500), 10_000),
            ev(&likes(5, &cleo, 40), 10_001),
        ])
        .unwrap();
    let levels = Levels(vec![100, 500]);
    let conn = store.conn();
    let board = |scope: Scope, by: By| {
        queries::leaderboard(
            conn,
            &Board {
                scope,
                by,
                limit: 10,
            },
            &levels,
        )
        .unwrap()
        .into_iter()
        .map(|r| (r.unique_id, r.value))
        .collect::<Vec<_>>()
    };
    let room1 = || Scope::Stream("room-1".into());
    assert_eq!(
        board(room1(), By::Coins),
        [("ben".into(), 100), ("anna".into(), 10)]
    );
    assert_eq!(
        board(room1(), By::Points),
        [
            ("ben".into(), 100),
            ("anna".into(), 10),
            ("cleo".into(), 10)
        ],
        "a follow earns once per stream; ties by id"
    );
    assert_eq!(
        board(Scope::AllTime, By::Coins),
        [("anna".into(), 510), ("ben".into(), 100)]
    );
    assert_eq!(board(Scope::AllTime, By::Likes), [("cleo".into(), 40)]);
    assert!(board(Scope::Stream("nope".into()), By::Coins).is_empty());
    let top = queries::leaderboard(
        conn,
        &Board {
            scope: Scope::AllTime,
            by: By::Points,
            limit: 1,
        },
        &levels,
    )
    .unwrap();
    assert_eq!((top[0].points, top[0].level, top[0].rank), (510, 2, 1));

    let summaries = queries::stream_summaries(conn, 5, &levels).unwrap();
    assert_eq!(summaries.len(), 2);
    let (newest, oldest) = (&summaries[0], &summaries[1]);
    assert_eq!(newest.room_id, "room-2");
    assert_eq!(newest.ended_millis, None);
    assert_eq!(
        (
            oldest.gifts,
            oldest.coins,
            oldest.new_followers,
            oldest.viewers
        ),
        (11, 110, 1, 3)
    );
    assert_eq!(oldest.ended_millis, Some(2_000));
    assert_eq!(oldest.top_gifters.len(), 2);
    assert_eq!(oldest.points, 120);
}

#[test]
fn viewer_cards_know_history_and_lookups_find_handles() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(&dir);
    let anna = viewer(1, "Anna_x");
    let renamed = User {
        nickname: "Anna ✨".into(),
        ..anna.clone()
    };
    store
        .apply(&[
            begin("room-1", 1_000),
            ev(&chat(1, &anna), 1_000),
            begin("room-2", 90_000),
            ev(&gift(2, &renamed, 30, 2), 95_000),
            ev(&likes(3, &viewer(2, "annabel"), 1), 96_000),
            ev(&likes(4, &viewer(3, "bob"), 1), 96_000),
        ])
        .unwrap();
    let levels = Levels(vec![10, 100]);
    let card = queries::viewer(store.conn(), 1, &levels).unwrap().unwrap();
    assert_eq!(card.nickname, "Anna ✨", "the newest name");
    assert_eq!(
        (card.first_seen_millis, card.last_seen_millis),
        (1_000, 95_000)
    );
    assert_eq!(
        (card.coins, card.gifts, card.chats, card.points),
        (60, 2, 1, 62)
    );
    assert_eq!((card.level, card.streams), (1, 2));
    let last = card.last_gift.unwrap();
    assert_eq!(
        (last.gift_name.as_str(), last.count, last.at_millis),
        ("Rose", 2, 95_000)
    );
    assert!(
        queries::viewer(store.conn(), 99, &levels)
            .unwrap()
            .is_none()
    );
    let found: Vec<String> = queries::find_viewers(store.conn(), "@ANNA", 10, &levels)
        .unwrap()
        .into_iter()
        .map(|c| c.unique_id)
        .collect();
    assert_eq!(
        found,
        ["Anna_x", "annabel"],
        "case-blind prefix, most points first"
    );
    assert!(
        queries::find_viewers(store.conn(), "zed", 10, &levels)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn adjustments_count_once_and_never_take_below_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(&dir);
    let anna = viewer(1, "anna");
    let take = |points, slot| {
        Msg::Adjust(Adjustment {
            msg_id: 50,
            slot,
            viewer: Viewer::of(&anna),
            points,
            reason: "redeem".into(),
            at_millis: 2_000,
        })
    };
    store
        .apply(&[begin("room-1", 1_000), ev(&gift(9, &anna, 1, 30), 1_000)])
        .unwrap();
    let applied = store
        .apply(&[take(-20, 1), take(-20, 1), take(-20, 2)])
        .unwrap();
    assert_eq!(
        (applied.adjustments, applied.duplicates, applied.points),
        (2, 1, -30)
    );
    assert_eq!(points_of(&store, 1), 0, "30 - 20 - (only 10 left)");
    let give = Msg::Adjust(Adjustment {
        msg_id: 0,
        slot: 0,
        viewer: Viewer::of(&viewer(5, "new")),
        points: 25,
        reason: "by hand".into(),
        at_millis: 3_000,
    });
    store.apply(&[give]).unwrap();
    assert_eq!(points_of(&store, 5), 25, "a viewer never seen is created");
}

#[test]
fn state_is_saved_by_name_newest_wins() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(&dir);
    let save = |json: &str| Msg::SaveState {
        name: "goals".into(),
        json: json.into(),
        at_millis: 1,
    };
    store.apply(&[save("[1]"), save("[2]")]).unwrap();
    assert_eq!(
        queries::load_state(store.conn(), "goals")
            .unwrap()
            .as_deref(),
        Some("[2]")
    );
    assert_eq!(queries::load_state(store.conn(), "timer").unwrap(), None);
}

#[test]
fn old_streams_lose_their_credit_keys_but_keep_their_figures() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(&dir);
    let anna = viewer(1, "anna");
    store
        .apply(&[begin("old", 1_000), ev(&gift(1, &anna, 1, 5), 1_000)])
        .unwrap();
    let later = 1_000 + store::KEY_RETENTION_MILLIS + 1;
    store.apply(&[begin("new", later)]).unwrap();
    let keys: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM credits", [], |r| r.get(0))
        .unwrap();
    assert_eq!(keys, 0);
    let summaries = queries::stream_summaries(store.conn(), 1, &Levels::default()).unwrap();
    assert_eq!(summaries[1].coins, 5);
}

#[test]
fn csv_exports_hold_every_viewer_and_stream_with_inert_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(&dir);
    let evil = User {
        user_id: 1,
        unique_id: "=HYPERLINK(\"http://evil\",\"x\")".into(),
        nickname: "+cmd|' /C calc'!A0".into(),
        ..User::default()
    };
    store
        .apply(&[
            begin("room-1", 1_767_225_600_000),
            ev(&gift(1, &evil, 10, 1), 1_767_225_600_000),
            ev(&follow(2, &viewer(2, "ben")), 1_767_225_601_000),
        ])
        .unwrap();
    let levels = Levels::default();
    let mut out = Vec::new();
    assert_eq!(
        export::viewers_csv(store.conn(), &levels, &mut out).unwrap(),
        2
    );
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("user_id,unique_id,nickname,first_seen"));
    assert!(
        lines[1].starts_with(
            "2,ben,BEN,2026-01-01T00:00:01Z,2026-01-01T00:00:01Z,1,0,0,0,1,0,0,0,0,10,0,,,"
        ) || lines[2].starts_with("2,ben,"),
        "{text}"
    );
    let evil_line = lines.iter().find(|l| l.starts_with("1,")).unwrap();
    assert!(
        evil_line
            .starts_with("1,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",'+cmd|' /C calc'!A0,"),
        "{evil_line}"
    );
    assert!(
        evil_line.ends_with(",Rose,1,2026-01-01T00:00:00Z"),
        "{evil_line}"
    );
    let path = dir.path().join("streams.csv");
    assert_eq!(
        export::write_streams_csv(store.conn(), &levels, &path).unwrap(),
        1
    );
    let streams = std::fs::read_to_string(&path).unwrap();
    let row = streams.lines().nth(1).unwrap();
    assert!(
        row.starts_with("room-1,2026-01-01T00:00:00Z,2026-01-01T00:00:01Z,,1,10,0,1,"),
        "{row}"
    );
    assert!(
        row.ends_with(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\") (10)\""),
        "{row}"
    );
}

#[test]
fn a_full_channel_keeps_messages_in_order_and_never_blocks() {
    let (mut ledger, mut rx) = Ledger::unattached(2);
    let anna = viewer(1, "anna");
    for id in 1..=5 {
        ledger.on_output(&likes(id, &anna, 1), 0);
    }
    assert_eq!(ledger.waiting(), 3, "two in the channel, three waiting");
    // The writer takes one: the next call moves the oldest waiting one in first.
    let first = rx.try_recv().unwrap();
    ledger.on_output(&likes(6, &anna, 1), 0);
    let mut order = vec![first];
    while let Ok(msg) = rx.try_recv() {
        order.push(msg);
        ledger.flush();
    }
    let ids: Vec<i64> = order
        .iter()
        .map(|m| match m {
            Msg::Event(e) => e.msg_id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    assert_eq!((ledger.waiting(), ledger.unrecorded()), (0, 0));
    // No viewer id: nothing to credit, counted.
    ledger.on_output(&likes(7, &User::default(), 1), 0);
    assert_eq!(ledger.anonymous(), 1);
    drop(rx);
    ledger.on_output(&likes(8, &anna, 1), 0);
    assert_eq!(
        ledger.unrecorded(),
        1,
        "a stopped writer: counted, not silent"
    );
}

#[tokio::test]
async fn the_writer_commits_what_the_handle_sends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("ledger.sqlite");
    let (mut ledger, reader) = open(path.clone(), simple_rules()).await.unwrap();
    let anna = viewer(1, "anna");
    ledger.begin_stream("room-1", 1_000);
    for id in 0..1_000 {
        ledger.on_output(&gift(id + 1, &anna, 1, 1), 1_000 + id as u64);
    }
    ledger.on_output(&gift(1, &anna, 1, 1), 5_000);
    ledger.save_state("counters", "{}".into(), 5_000);
    ledger.synced().await.unwrap();
    let status = ledger.status().borrow().clone();
    assert_eq!((status.events, status.duplicates), (1_000, 1));
    assert!(status.commits >= 1 && status.error.is_none());
    let levels = Levels::default();
    let card = reader
        .read(move |conn| queries::viewer(conn, 1, &levels))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(card.coins, 1_000);
    let closed = ledger.close().await.unwrap();
    assert_eq!(closed.events, 1_000);
    // Opened again (a restart): the keys are still there.
    let (mut ledger, _) = open(path, simple_rules()).await.unwrap();
    ledger.begin_stream("room-1", 9_000);
    ledger.on_output(&gift(500, &anna, 1, 1), 9_000);
    let status = ledger.close().await.unwrap();
    assert_eq!((status.events, status.duplicates), (0, 1));
}
