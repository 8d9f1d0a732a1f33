//! The room memory through the real live client and the loopback fake TikTok: Disconnect/Connect,
//! a crash and a stream end, each against real files in a temp dir. Every session starts with the
//! fake's history batch, as TikTok's do.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use giftdeck::engine::{Output, Stamped};
use giftdeck::event::EndedBy;
use giftdeck::live::{ConnStatus, LiveConfig, LiveHandle, LiveMsg, spawn_session};
use giftdeck::mappings::MappingTable;
use giftdeck::room_store::RoomStore;
use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, Scenario, Step};
use giftdeck::testkit::frames::{GiftSpec, MessageSpec};
use tokio::sync::{mpsc, watch};

const WAIT: Duration = Duration::from_secs(10);

fn gift(msg_id: i64, user_id: i64, gift_type: i32, count: i32, end: bool) -> MessageSpec {
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id,
        unique_id: format!("user{user_id}"),
        nickname: format!("User {user_id}"),
        gift_id: if gift_type == 1 { 5655 } else { 6369 },
        gift_name: if gift_type == 1 { "Rose" } else { "Lion" }.into(),
        diamonds: 1,
        gift_type,
        repeat_count: count,
        repeat_end: end,
        group_id: user_id,
        create_time_millis: 1_795_000_000_000 + msg_id,
    })
}

/// A session and what it sent.
struct Session {
    handle: LiveHandle,
    rx: mpsc::Receiver<LiveMsg>,
    _mappings: watch::Sender<MappingTable>,
    log: Vec<LiveMsg>,
}

impl Session {
    fn start(fake: &FakeTikTok, rooms: Option<&Path>) -> Self {
        let config = LiveConfig {
            memory: rooms.map(RoomStore::new),
            ..fake.live_config()
        };
        let (mappings, mappings_rx) = watch::channel(MappingTable::default());
        let (tx, rx) = mpsc::channel(64);
        let handle = spawn_session(config, mappings_rx, tx, Arc::new(|| {}));
        Self {
            handle,
            rx,
            _mappings: mappings,
            log: Vec::new(),
        }
    }

    /// Reads until `done` holds (true), or the channel closes or time runs out (false).
    async fn until(&mut self, done: impl Fn(&[LiveMsg]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !done(&self.log) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(msg)) => self.log.push(msg),
                Ok(None) | Err(_) => return false,
            }
        }
        true
    }

    /// Waits until the engine has processed `n` gift messages (stats arrive once a second).
    async fn until_gifts(&mut self, n: u64) {
        let seen = self
            .until(|log| {
                log.iter()
                    .any(|m| matches!(m, LiveMsg::Stats(s) if s.gifts + s.duplicates >= n))
            })
            .await;
        assert!(seen, "{:#?}", self.log);
    }

    /// Stops the session (a Disconnect) and reads to the end.
    async fn stop(mut self) -> Vec<(String, u32, EndedBy)> {
        self.handle.stop();
        let ended = self
            .until(|log| {
                log.iter()
                    .any(|m| matches!(m, LiveMsg::Status(s) if s.is_final()))
            })
            .await;
        assert!(ended, "{:#?}", self.log);
        while let Some(msg) = self.rx.recv().await {
            self.log.push(msg);
        }
        self.credits()
    }

    fn credits(&self) -> Vec<(String, u32, EndedBy)> {
        self.log
            .iter()
            .filter_map(|m| match m {
                LiveMsg::Output(Stamped {
                    output: Output::Credit(d),
                    ..
                }) => Some((d.gift.gift_name.clone(), d.gift.count, d.gift.ended_by)),
                _ => None,
            })
            .collect()
    }
}

async fn fake(scenario: Scenario) -> FakeTikTok {
    FakeTikTok::start(FakeConfig::with_scenario(scenario))
        .await
        .expect("fake binds loopback")
}

/// The first bullet. Before the memory, the second session credited the history again
/// and the open streak in full (the control session below still shows that without a store).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_then_connect_in_the_same_stream_credits_nothing_twice() {
    let fake = fake(Scenario {
        history: vec![gift(100, 1, 2, 1, false), gift(101, 2, 1, 5, true)],
        connections: vec![
            vec![
                Step::WaitForEnterRoom,
                Step::Batch(vec![gift(200, 3, 1, 3, false)]),
            ],
            vec![
                Step::WaitForEnterRoom,
                Step::Batch(vec![gift(201, 3, 1, 7, true)]),
            ],
        ],
        after: Vec::new(),
    })
    .await;
    let rooms = tempfile::tempdir().unwrap();

    let mut first = Session::start(&fake, Some(rooms.path()));
    first.until_gifts(3).await;
    assert_eq!(
        first.stop().await,
        [
            ("Lion".into(), 1, EndedBy::Single),
            ("Rose".into(), 5, EndedBy::StreakEnd),
            ("Rose".into(), 3, EndedBy::Timeout), // Disconnect finalizes the open streak
        ]
    );
    assert!(
        RoomStore::new(rooms.path())
            .snapshot_path(&fake.room_id())
            .exists()
    );

    let mut second = Session::start(&fake, Some(rooms.path()));
    second.until_gifts(3).await;
    assert_eq!(
        second.stop().await,
        [("Rose".into(), 4, EndedBy::StreakEnd)],
        "the history is remembered, and the streak gets only its last 4"
    );

    // Control: the same reconnect without a store is what every session did before.
    let mut control = Session::start(&fake, None);
    control.until_gifts(2).await;
    assert_eq!(control.stop().await.len(), 2, "history credited again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_keeps_the_open_streak_and_credits_the_history_once() {
    let fake = fake(Scenario {
        history: vec![gift(100, 1, 2, 1, false)],
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![gift(200, 4, 1, 2, false)]),
        ]],
        after: Vec::new(),
    })
    .await;
    let rooms = tempfile::tempdir().unwrap();
    let mut first = Session::start(&fake, Some(rooms.path()));
    first.until_gifts(2).await;
    assert_eq!(first.credits(), [("Lion".into(), 1, EndedBy::Single)]);
    // The app dies: the task is aborted mid-stream, nothing is finalized or closed.
    drop(first);

    let mut second = Session::start(&fake, Some(rooms.path()));
    second.until_gifts(1).await;
    assert_eq!(
        second.stop().await,
        [("Rose".into(), 2, EndedBy::Timeout)],
        "the open streak survived the crash and is credited once; the Lion is not"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_ending_forgets_the_room() {
    let fake = fake(Scenario {
        history: vec![gift(100, 1, 2, 1, false)],
        connections: vec![vec![Step::WaitForEnterRoom, Step::EndStream]],
        after: Vec::new(),
    })
    .await;
    let rooms = tempfile::tempdir().unwrap();
    let mut session = Session::start(&fake, Some(rooms.path()));
    let ended = session
        .until(|log| {
            log.iter()
                .any(|m| matches!(m, LiveMsg::Status(ConnStatus::Ended)))
        })
        .await;
    assert!(ended, "{:#?}", session.log);
    let store = RoomStore::new(rooms.path());
    assert!(!store.snapshot_path(&fake.room_id()).exists());
    assert!(!store.journal_path(&fake.room_id()).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_memory_file_is_set_aside_and_the_streamer_is_told() {
    let fake = fake(Scenario {
        history: vec![gift(100, 1, 2, 1, false)],
        connections: vec![vec![Step::WaitForEnterRoom]],
        after: Vec::new(),
    })
    .await;
    let rooms = tempfile::tempdir().unwrap();
    let store = RoomStore::new(rooms.path());
    std::fs::write(store.snapshot_path(&fake.room_id()), b"\x00garbage").unwrap();
    let mut session = Session::start(&fake, Some(rooms.path()));
    session.until_gifts(1).await;
    let warning = session.log.iter().find_map(|m| match m {
        LiveMsg::Warning(w) => Some(w.to_string()),
        _ => None,
    });
    let warning = warning.expect("a warning before the first gift");
    assert!(
        warning.contains("kept as") && warning.contains(".bad"),
        "{warning}"
    );
    assert_eq!(
        session.stop().await,
        [("Lion".into(), 1, EndedBy::Single)],
        "it starts empty and runs on"
    );
    let aside = rooms.path().join(format!("{}.json.bad", fake.room_id()));
    assert_eq!(std::fs::read(aside).unwrap(), b"\x00garbage");
}
