//! The viewers' ledger against real parts: the soak's simulated stream with reconnects and every
//! kind of restart (points equal the credited events times the rates, exactly), and a writer
//! process killed with SIGKILL while it writes (the file keeps exactly what was committed, and
//! delivering everything again doubles nothing).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/ledger_soak.rs"]
mod ledger_soak;
#[path = "support/soak.rs"]
mod soak;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use giftdeck::engine::Output;
use giftdeck::ledger;
use giftdeck::testkit::outputs;
use soak::SoakConfig;

#[test]
fn the_ledger_under_the_soak_stream_gives_exactly_the_credited_points() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = dir.path().join("rooms");
    let config = SoakConfig {
        checkpoints: 4,
        ..SoakConfig::ci(21)
    };
    let mut watch = ledger_soak::LedgerWatch::new(dir.path());
    let report = soak::run_with(&config, &rooms, &mut watch);
    let figures = watch.finish(u64::MAX / 4);
    eprintln!("{report}\n{figures:?}");
    assert_eq!((report.lost, report.doubled), (0, 0), "{report}");
    assert_eq!(report.restarts, 3);
    // Every gift the stream delivered (1 coin each), no more, no less: the soak's own truth.
    assert_eq!(figures.coins, i64::try_from(report.expected_gifts).unwrap());
    assert_eq!(figures.expected_coins, figures.coins);
    assert_eq!(figures.points, figures.expected_points, "{figures:?}");
    assert_eq!(figures.wrong_viewers, 0, "{figures:?}");
    assert!(figures.expected_points > 50_000, "{figures:?}");
    assert_eq!(figures.redelivered, 3 * 500);
    assert_eq!(
        figures.status.duplicates, figures.redelivered,
        "{figures:?}"
    );
    assert_eq!(figures.unrecorded, 0);
    assert!(
        figures.status.largest_batch > 1,
        "storms are batched: {figures:?}"
    );
}

const CHILD_DB: &str = "GIFTDECK_LEDGER_CRASH_DB";
/// Events the writer process is given, in order, each round.
const EVENTS: i64 = 40_000;

/// Event `i` (1-based): a gift or likes of one of 100 viewers, worth `value(i)` points.
fn event(i: i64) -> Output {
    let id = i % 100 + 1;
    let user = outputs::viewer(id, &format!("viewer{id}"));
    if i % 3 == 0 {
        outputs::likes(i, &user, 2)
    } else {
        outputs::credit(i, &user, u32::try_from(i % 7 + 1).unwrap(), 1)
    }
}

fn value(i: i64) -> i64 {
    if i % 3 == 0 { 2 } else { i % 7 + 1 }
}

/// The child half of the crash test: writes events 1..=EVENTS through the ledger and prints
/// `committed N` each time the writer commits, until the parent kills it. Run only by
/// `a_killed_writer_keeps_exactly_what_it_committed` (ignored on its own).
#[test]
#[ignore = "the child process of the crash test"]
fn crash_child_writes_until_killed() {
    let Some(path) = std::env::var_os(CHILD_DB) else {
        panic!("run by the crash test only");
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let (mut ledger, _) = ledger::open(path.into(), ledger_soak::rules())
            .await
            .unwrap();
        let mut status = ledger.status();
        tokio::spawn(async move {
            while status.changed().await.is_ok() {
                let events = status.borrow_and_update().events;
                println!("committed {events}");
            }
        });
        ledger.begin_stream("crash-room", 1);
        for i in 1..=EVENTS {
            ledger.on_output(&event(i), 1_000 + u64::try_from(i).unwrap());
            if ledger.waiting() > 0 {
                ledger.synced().await.unwrap();
            }
            if i % 50 == 0 {
                tokio::task::yield_now().await;
            }
        }
        ledger.synced().await.unwrap();
        println!("done");
        // Stay alive until killed.
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
}

/// What the file holds: the number of credit keys, whether they are exactly 1..=n, the points
/// of each viewer as summed from those events, and the stream's coins and likes.
fn check_prefix(path: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let (keys, max): (i64, Option<i64>) = conn
        .query_row("SELECT count(*), max(msg_id) FROM credits", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        max.unwrap_or(0),
        keys,
        "the keys are exactly events 1..={keys}"
    );
    let mut expected = vec![0_i64; 101];
    for i in 1..=keys {
        expected[usize::try_from(i % 100 + 1).unwrap()] += value(i);
    }
    let mut stmt = conn.prepare("SELECT id, points FROM viewers").unwrap();
    let stored: Vec<(i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, points) in stored {
        assert_eq!(
            points,
            expected[usize::try_from(id).unwrap()],
            "viewer {id}"
        );
    }
    let stream_points: i64 = conn
        .query_row(
            "SELECT coalesce(sum(points), 0) FROM streams WHERE room_id = 'crash-room'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        stream_points,
        expected.iter().sum::<i64>(),
        "the stream's totals too"
    );
    keys
}

#[test]
fn a_killed_writer_keeps_exactly_what_it_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let exe = std::env::current_exe().unwrap();
    let mut kept = 0;
    // Each round starts again from event 1 (a restart delivers its history again: duplicates
    // first) and is killed once it has committed this many new events.
    for (round, kill_after) in [3_000_i64, 10_000, 10_000].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "crash_child_writes_until_killed",
                "--nocapture",
            ])
            .env(CHILD_DB, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut reported = 0;
        while reported < kill_after {
            assert!(
                Instant::now() < deadline,
                "round {round}: the child stalled at {reported}"
            );
            let Some(line) = lines.next() else {
                panic!("round {round}: the child ended at {reported}");
            };
            let line = line.unwrap();
            assert_ne!(
                line, "done",
                "round {round}: killed too late to be mid-write"
            );
            if let Some(n) = line.strip_prefix("committed ") {
                reported = n.parse().unwrap();
            }
        }
        child.kill().unwrap();
        // Lines the child printed before it died: commits it reported just before the kill.
        for line in lines.map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("committed ") {
                reported = reported.max(n.parse().unwrap());
            }
        }
        child.wait().unwrap();
        let keys = check_prefix(&path);
        let new_this_round = reported;
        eprintln!(
            "round {round}: killed after {new_this_round} new events reported committed; the file keeps {keys} events"
        );
        assert!(
            keys >= kept + new_this_round,
            "everything reported committed is there"
        );
        kept = keys;
    }
    // Everything delivered once more, to the end: nothing doubles.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        let (mut ledger, _) = ledger::open(path.clone(), ledger_soak::rules())
            .await
            .unwrap();
        ledger.begin_stream("crash-room", 1);
        for i in 1..=EVENTS {
            ledger.on_output(&event(i), 1_000 + u64::try_from(i).unwrap());
            if ledger.waiting() > 0 {
                ledger.synced().await.unwrap();
            }
        }
        ledger.close().await.unwrap()
    });
    assert_eq!(
        (status.events, status.duplicates),
        (
            u64::try_from(EVENTS - kept).unwrap(),
            u64::try_from(kept).unwrap()
        )
    );
    assert_eq!(check_prefix(&path), EVENTS);
}
