//! The real live client against the loopback fake TikTok, one fault mode per test: what the client
//! sent (enter room, heartbeats, acks, User-Agent, cookie) and what it credited. Also `giftdeck watch`
//! as a process.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::sync::Arc;
use std::time::Duration;

use giftdeck::backoff::Backoff;
use giftdeck::capture::{CaptureFormat, CaptureReader};
use giftdeck::engine::{EngineConfig, Output, Pipeline, Stamped, Stats};
use giftdeck::event::{CreditedGift, EndedBy};
use giftdeck::live::{ConnStatus, FailureKind, LiveConfig, LiveHandle, LiveMsg, spawn_session};
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::fake::{
    FakeConfig, FakeTikTok, HandshakeFault, PageMode, Scenario, SignFault, Step,
};
use giftdeck::testkit::frames::{self, ClientFrame, Compression, GiftSpec, MessageSpec};
use giftdeck::wire;
use tokio::sync::{mpsc, watch};

const ROOM: &str = "7000000000000000001";
const WAIT: Duration = Duration::from_secs(10);

fn gift(
    msg_id: i64,
    user_id: i64,
    name: &str,
    gift_type: i32,
    count: i32,
    end: bool,
) -> MessageSpec {
    let (gift_id, diamonds) = match name {
        "Rose" => (5655, 1),
        "Lion" => (6369, 29_999),
        "Galaxy" => (5996, 1_000),
        "Universe" => (7312, 44_999),
        _ => (1, 1),
    };
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id,
        unique_id: format!("user{user_id}"),
        nickname: format!("User {user_id}"),
        gift_id,
        gift_name: name.into(),
        diamonds,
        gift_type,
        repeat_count: count,
        repeat_end: end,
        group_id: 77,
        create_time_millis: 0,
    })
}

fn rose(msg_id: i64, count: i32, end: bool) -> MessageSpec {
    gift(msg_id, 111, "Rose", 1, count, end)
}

fn single(msg_id: i64, name: &str) -> MessageSpec {
    gift(msg_id, 222, name, 2, 1, false)
}

/// Short timings so every fault plays out in well under a second or two.
fn fast(config: LiveConfig) -> LiveConfig {
    LiveConfig {
        backoff: Backoff {
            first: Duration::from_millis(50),
            max: Duration::from_millis(200),
        },
        watchdog: Duration::from_secs(5),
        request_timeout: Duration::from_secs(3),
        blocked_retry: Duration::from_secs(3),
        ..config
    }
}

async fn start_fake(config: FakeConfig) -> FakeTikTok {
    FakeTikTok::start(config)
        .await
        .expect("fake binds loopback")
}

/// A running session and everything it sent so far.
struct Run {
    handle: LiveHandle,
    rx: mpsc::Receiver<LiveMsg>,
    mappings: watch::Sender<MappingTable>,
    log: Vec<LiveMsg>,
    closed: bool,
}

impl Run {
    fn start(config: LiveConfig) -> Self {
        Self::start_with(config, MappingTable::default())
    }

    /// Starts with `table` already in place, so not even the first message misses it.
    fn start_with(config: LiveConfig, table: MappingTable) -> Self {
        let (mappings, mappings_rx) = watch::channel(table);
        let (tx, rx) = mpsc::channel(64);
        let handle = spawn_session(config, mappings_rx, tx, Arc::new(|| {}));
        Self {
            handle,
            rx,
            mappings,
            log: Vec::new(),
            closed: false,
        }
    }

    /// Reads messages until `done` holds for the log, the channel closes, or the time is up.
    async fn until(&mut self, timeout: Duration, done: impl Fn(&[LiveMsg]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.log) {
            if self.closed {
                return false;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(msg)) => self.log.push(msg),
                Ok(None) => self.closed = true,
                Err(_) => return false,
            }
        }
        true
    }

    async fn until_credits(&mut self, n: usize) {
        let ok = self.until(WAIT, |log| credits(log).len() >= n).await;
        assert!(ok, "wanted {n} credits, log: {:#?}", self.log);
    }

    async fn until_status(&mut self, want: impl Fn(&ConnStatus) -> bool) -> ConnStatus {
        let ok = self
            .until(WAIT, |log| statuses(log).iter().any(&want))
            .await;
        assert!(ok, "status never came, log: {:#?}", self.log);
        statuses(&self.log).into_iter().find(|s| want(s)).unwrap()
    }

    /// Waits for the channel to close and returns the final status.
    async fn until_closed(&mut self) -> ConnStatus {
        let ok = self.until(WAIT, |_| false).await || self.closed;
        assert!(
            ok && self.closed,
            "session did not end, log: {:#?}",
            self.log
        );
        statuses(&self.log).last().cloned().expect("a status")
    }

    fn credits(&self) -> Vec<CreditedGift> {
        credits(&self.log)
    }

    fn statuses(&self) -> Vec<ConnStatus> {
        statuses(&self.log)
    }
}

/// The task returns right after it drops its sender; give the runtime a moment to notice.
async fn assert_finishes(handle: &LiveHandle) {
    for _ in 0..100 {
        if handle.is_finished() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the session task did not finish");
}

fn credits(log: &[LiveMsg]) -> Vec<CreditedGift> {
    log.iter()
        .filter_map(|m| match m {
            LiveMsg::Output(Stamped {
                output: Output::Credit(d),
                ..
            }) => Some(d.gift.clone()),
            _ => None,
        })
        .collect()
}

fn statuses(log: &[LiveMsg]) -> Vec<ConnStatus> {
    log.iter()
        .filter_map(|m| match m {
            LiveMsg::Status(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn last_stats(log: &[LiveMsg]) -> Stats {
    log.iter()
        .rev()
        .find_map(|m| match m {
            LiveMsg::Stats(s) => Some(*s),
            _ => None,
        })
        .unwrap_or_default()
}

fn summary(credits: &[CreditedGift]) -> Vec<(String, u32, EndedBy)> {
    credits
        .iter()
        .map(|c| (c.gift_name.clone(), c.count, c.ended_by))
        .collect()
}

fn is_live(s: &ConnStatus) -> bool {
    matches!(s, ConnStatus::Live { .. })
}

fn scenario(connections: Vec<Vec<Step>>) -> Scenario {
    Scenario {
        connections,
        ..Scenario::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_sends_enter_room_heartbeats_and_acks_with_the_signing_identity() {
    let fake = start_fake(FakeConfig {
        ping_interval: Some(Duration::from_millis(100)),
        ..FakeConfig::with_scenario(scenario(vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![rose(1, 1, false)]),
            Step::Batch(vec![rose(2, 2, true)]),
            Step::Batch(vec![single(3, "Lion")]),
        ]]))
    })
    .await;
    let user_agent = "Mozilla/5.0 (giftdeck test) Gecko/20100101";
    let mut run = Run::start(fast(LiveConfig {
        user_agent: user_agent.into(),
        sign_api_key: Some("k-123".into()),
        target: "https://www.tiktok.com/@fake_streamer/live".into(),
        ..fake.live_config()
    }));
    run.until_credits(2).await;
    let (recorded, ok) = fake
        .wait_for(WAIT, |r| {
            r.connections
                .first()
                .is_some_and(|c| c.heartbeats().len() >= 4 && c.acks().len() >= 3)
        })
        .await;
    assert!(ok, "heartbeats and acks: {recorded:#?}");

    let sign = recorded.sign_requests();
    assert_eq!(sign.len(), 1);
    assert_eq!(sign[0].path, "/webcast/fetch");
    assert_eq!(sign[0].query("room_id"), Some(ROOM));
    assert_eq!(sign[0].query("user_agent"), Some(user_agent));
    assert_eq!(sign[0].query("client_enter"), Some("true"));
    assert_eq!(sign[0].query("platform"), Some("web"));
    assert!(sign[0].query("client").is_some());
    assert_eq!(sign[0].header("x-api-key"), Some("k-123"));

    let conn = &recorded.connections[0];
    assert_eq!(
        conn.request.header("user-agent"),
        Some(user_agent),
        "same UA as signing"
    );
    let cookie = conn.request.header("cookie").unwrap_or_default();
    assert!(cookie.contains("ttwid=1%7CFAKE-ttwid"), "{cookie}");
    assert!(
        !cookie.contains("Path") && !cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert_eq!(
        conn.request.path,
        "/webcast/im/ws_proxy/ws_reuse_supplement/"
    );
    assert_eq!(conn.request.query("room_id"), Some(ROOM));
    assert_eq!(conn.request.query("compress"), Some("gzip"));
    assert_eq!(
        conn.request.query("wrss"),
        Some("fake-wrss-1"),
        "route params"
    );
    assert_eq!(conn.request.query("cursor"), Some("c-sign-1"));
    assert_eq!(conn.request.query("internal_ext"), Some("ie-sign-1"));
    assert_eq!(conn.request.query_all("version_code"), ["180800", "270000"]);
    assert_eq!(conn.subprotocol, None, "we offer no subprotocol, like Node");

    let room: i64 = ROOM.parse().unwrap();
    assert_eq!(
        conn.frames[0],
        ClientFrame::EnterRoom {
            room_id: room,
            live_id: 12,
            identity: "audience".into()
        }
    );
    assert_eq!(
        conn.frames[1],
        ClientFrame::Heartbeat {
            room_id: room,
            seq: 1
        }
    );
    let beats = conn.heartbeats();
    assert!(
        beats.windows(2).all(|w| w[1] == w[0] + 1),
        "heartbeat seq counts up: {beats:?}"
    );
    assert_eq!(
        conn.acks(),
        conn.sent_needing_ack,
        "one ack per frame, echoing log_id and internal_ext"
    );
    assert_eq!(conn.undecodable, 0);

    assert_eq!(
        summary(&run.credits()),
        [
            ("Rose".into(), 2, EndedBy::StreakEnd),
            ("Lion".into(), 1, EndedBy::Single)
        ]
    );
    let mut words: Vec<ConnStatus> = run.statuses();
    words.dedup();
    assert_eq!(
        words,
        [
            ConnStatus::Resolving,
            ConnStatus::Signing,
            ConnStatus::Connecting,
            ConnStatus::Live {
                room_id: ROOM.into()
            }
        ]
    );
    assert!(!run.handle.is_finished());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streak_across_a_tcp_drop_is_credited_once_in_full() {
    let fake = start_fake(FakeConfig::with_scenario(scenario(vec![
        vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![rose(1, 1, false)]),
            Step::Batch(vec![rose(2, 2, false)]),
            Step::DropTcp,
        ],
        vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![rose(3, 3, false)]),
            Step::Batch(vec![rose(4, 5, true)]),
            Step::Batch(vec![single(5, "Lion")]),
        ],
    ])))
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    run.until_credits(2).await;
    assert_eq!(
        summary(&run.credits()),
        [
            ("Rose".into(), 5, EndedBy::StreakEnd),
            ("Lion".into(), 1, EndedBy::Single)
        ]
    );
    let reconnecting = run
        .until_status(|s| matches!(s, ConnStatus::Reconnecting { .. }))
        .await;
    let ConnStatus::Reconnecting { retry_in, .. } = reconnecting else {
        unreachable!()
    };
    assert!(retry_in <= Duration::from_millis(200), "{retry_in:?}");
    let recorded = fake.recorded();
    assert_eq!(recorded.accepted_connections(), 2);
    assert_eq!(recorded.sign_requests().len(), 2, "a reconnect signs again");
    assert_eq!(
        recorded.connections[1].frames[0],
        ClientFrame::EnterRoom {
            room_id: ROOM.parse().unwrap(),
            live_id: 12,
            identity: "audience".into()
        }
    );
    run.handle.stop();
    assert_eq!(run.until_closed().await, ConnStatus::Ended);
    assert_eq!(
        run.credits().len(),
        2,
        "stop added nothing: no streak was open"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_replayed_on_reconnect_is_not_double_counted() {
    let fake = start_fake(FakeConfig::with_scenario(Scenario {
        history: vec![
            single(100, "Lion"),
            rose(101, 3, true),
            MessageSpec::Chat {
                msg_id: 102,
                user_id: 5,
                unique_id: "chatty".into(),
                nickname: "Chatty".into(),
                text: "hello".into(),
            },
        ],
        connections: vec![
            vec![
                Step::WaitForEnterRoom,
                Step::Batch(vec![single(200, "Galaxy")]),
                Step::Close {
                    code: 1000,
                    reason: "bye".into(),
                },
            ],
            vec![
                Step::WaitForEnterRoom,
                Step::Batch(vec![single(200, "Galaxy"), single(201, "Universe")]),
            ],
        ],
        after: Vec::new(),
    }))
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    run.until_credits(4).await;
    let ok = run.until(WAIT, |log| last_stats(log).duplicates >= 4).await;
    assert!(
        ok,
        "history (3) and the repeated Galaxy (1) were seen again: {:#?}",
        run.log
    );
    let mut got = summary(&run.credits());
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            ("Galaxy".into(), 1, EndedBy::Single),
            ("Lion".into(), 1, EndedBy::Single),
            ("Rose".into(), 3, EndedBy::StreakEnd),
            ("Universe".into(), 1, EndedBy::Single),
        ]
    );
    let chats = run
        .log
        .iter()
        .filter(|m| {
            matches!(
                m,
                LiveMsg::Output(Stamped {
                    output: Output::Event(giftdeck::event::LiveEvent::Chat { .. }),
                    ..
                })
            )
        })
        .count();
    assert_eq!(chats, 1, "history chat shown once");
    let reconnecting = run
        .until_status(|s| matches!(s, ConnStatus::Reconnecting { .. }))
        .await;
    assert!(
        matches!(&reconnecting, ConnStatus::Reconnecting { last_error, .. } if last_error.contains("code 1000")),
        "{reconnecting:?}"
    );
    assert_eq!(fake.recorded().accepted_connections(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_and_the_like_count_survive_a_reconnect_to_the_same_room() {
    use giftdeck::testkit::frames::{EventSpec, EventSpecKind};
    use giftdeck::triggers::Condition;
    let event = |msg_id, user_id, handle: &str, kind| {
        MessageSpec::Event(EventSpec::new(msg_id, user_id, handle, kind))
    };
    let like = |msg_id, total| event(msg_id, 9, "liker", EventSpecKind::Like { count: 10, total });
    let fake = start_fake(FakeConfig::with_scenario(Scenario {
        history: vec![event(1, 11, "amy", EventSpecKind::Follow)],
        connections: vec![
            vec![
                Step::WaitForEnterRoom,
                Step::Batch(vec![like(2, 1_090)]),
                Step::Close {
                    code: 1000,
                    reason: "bye".into(),
                },
            ],
            vec![
                Step::WaitForEnterRoom,
                // TikTok repeats amy's follow under a new id; bob is new; likes go on.
                Step::Batch(vec![
                    event(3, 11, "amy", EventSpecKind::Follow),
                    event(4, 12, "bob", EventSpecKind::Follow),
                    like(5, 1_110),
                ]),
            ],
        ],
        after: Vec::new(),
    }))
    .await;
    let table = MappingTable::new(vec![
        Mapping::new("apple", vec![Action::command("give {user} golden_apple")])
            .on(Condition::Follow),
        Mapping::new("creeper", vec![Action::command("summon creeper")])
            .on(Condition::Likes { every: 25 }),
    ]);
    let mut run = Run::start_with(fast(fake.live_config()), table);
    let fired = |log: &[LiveMsg]| -> Vec<(String, String, u32)> {
        log.iter()
            .filter_map(|m| match m {
                LiveMsg::Output(Stamped {
                    output: Output::Fired(f),
                    ..
                }) => Some((
                    f.line.trigger.clone(),
                    f.line.unique_id.clone(),
                    f.line.count,
                )),
                _ => None,
            })
            .collect()
    };
    let ok = run.until(WAIT, |log| fired(log).len() >= 3).await;
    assert!(ok, "{:#?}", run.log);
    assert_eq!(
        fired(&run.log),
        [
            ("apple".to_owned(), "amy".to_owned(), 1),
            ("apple".to_owned(), "bob".to_owned(), 1),
            // Baseline 1_080 (the first like's total minus its count) is kept across the reconnect:
            // 10 → 30 counted crosses 25. A fresh baseline would have counted only 10.
            ("creeper".to_owned(), "liker".to_owned(), 1),
        ]
    );
    assert_eq!(fake.recorded().accepted_connections(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_server_faults_each_get_a_clear_error_then_recover() {
    let fake = start_fake(FakeConfig {
        sign_faults: vec![
            // The wait it asks for is honoured (a short one, so the test stays quick).
            SignFault::RateLimited {
                message: "Sign server rate limit reached. Try again in 00:01.".into(),
            },
            SignFault::ServerError {
                status: 500,
                message: "Empty response payload received! (Internal Code: 200)".into(),
            },
            SignFault::EmptyBody,
            SignFault::NoCookie,
        ],
        ..FakeConfig::with_scenario(scenario(vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![single(1, "Lion")]),
        ]]))
    })
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    run.until_credits(1).await;
    let errors: Vec<String> = run
        .statuses()
        .into_iter()
        .filter_map(|s| match s {
            ConnStatus::Reconnecting { last_error, .. } => Some(last_error),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(
        errors[0].contains("rate limit") && errors[0].contains("Try again in 00:01."),
        "{}",
        errors[0]
    );
    let waited = run.statuses().into_iter().find_map(|s| match s {
        ConnStatus::Reconnecting { retry_in, .. } => Some(retry_in),
        _ => None,
    });
    assert!(
        waited >= Some(Duration::from_secs(1)),
        "waited as told: {waited:?}"
    );
    assert!(
        errors[1].contains("HTTP 500") && errors[1].contains("Empty response payload"),
        "{}",
        errors[1]
    );
    assert!(errors[2].contains("empty body"), "{}", errors[2]);
    assert!(errors[3].contains("X-Set-TT-Cookie"), "{}", errors[3]);
    assert!(run.statuses().iter().any(is_live));
    let recorded = fake.recorded();
    assert_eq!(recorded.sign_requests().len(), 5);
    assert_eq!(
        recorded.connections.len(),
        1,
        "no WebSocket before a good sign"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_blocked_handshake_fails_without_a_retry_loop() {
    let fake = start_fake(FakeConfig {
        handshake_faults: vec![HandshakeFault::device_blocked()],
        ..FakeConfig::default()
    })
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    let status = run.until_closed().await;
    let ConnStatus::Failed {
        kind: FailureKind::Blocked,
        detail: reason,
    } = &status
    else {
        panic!("expected a Blocked failure, got {status:?}")
    };
    assert!(
        reason.contains("DEVICE_BLOCKED") && reason.contains("blocked"),
        "{reason}"
    );
    assert!(reason.contains("415"), "{reason}");
    // A finished session tries nothing more: what the fake saw by then is all there is.
    assert_finishes(&run.handle).await;
    let recorded = fake.recorded();
    assert_eq!(recorded.connections.len(), 1, "exactly one attempt");
    assert_eq!(recorded.sign_requests().len(), 1);
    assert!(!recorded.connections[0].accepted);
}

/// On tokio's paused clock: time moves only when every task waits, so the retry's moment is exact.
#[tokio::test(start_paused = true)]
async fn blocked_after_being_live_waits_the_slow_retry() {
    let fake = start_fake(FakeConfig {
        handshake_faults: vec![HandshakeFault::Accept, HandshakeFault::device_blocked()],
        ..FakeConfig::with_scenario(scenario(vec![vec![Step::WaitForEnterRoom, Step::DropTcp]]))
    })
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    let status = run
        .until_status(|s| {
            matches!(s, ConnStatus::Reconnecting { last_error, .. } if last_error.contains("DEVICE_BLOCKED"))
        })
        .await;
    let ConnStatus::Reconnecting { retry_in, .. } = status else {
        unreachable!()
    };
    let announced = tokio::time::Instant::now();
    assert!(
        retry_in >= Duration::from_secs(3),
        "blocked_retry honoured: {retry_in:?}"
    );
    tokio::time::sleep(retry_in - Duration::from_millis(10)).await;
    assert_eq!(fake.recorded().connections.len(), 2, "no tight retry");
    let (recorded, retried) = fake.wait_for(WAIT, |r| r.connections.len() >= 3).await;
    assert!(retried, "no retry after {retry_in:?}: {recorded:#?}");
    let waited = announced.elapsed();
    assert!(
        waited >= retry_in && waited < retry_in + Duration::from_secs(1),
        "retried after {waited:?}, announced {retry_in:?}"
    );
    run.handle.stop();
    assert_eq!(run.until_closed().await, ConnStatus::Ended);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_end_ends_the_session_without_reconnecting() {
    let fake = start_fake(FakeConfig::with_scenario(scenario(vec![vec![
        Step::WaitForEnterRoom,
        Step::Batch(vec![rose(1, 2, false)]),
        Step::EndStream,
    ]])))
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    assert_eq!(run.until_closed().await, ConnStatus::Ended);
    assert_eq!(
        summary(&run.credits()),
        [("Rose".into(), 2, EndedBy::Timeout)],
        "the open streak is finalized at the end"
    );
    let end_index = run
        .log
        .iter()
        .position(|m| matches!(m, LiveMsg::Status(ConnStatus::Ended)))
        .unwrap();
    let credit_index = run
        .log
        .iter()
        .position(|m| {
            matches!(
                m,
                LiveMsg::Output(Stamped {
                    output: Output::Credit(_),
                    ..
                })
            )
        })
        .unwrap();
    assert!(credit_index < end_index, "credits come before Ended");
    assert!(
        !run.statuses()
            .iter()
            .any(|s| matches!(s, ConnStatus::Reconnecting { .. }))
    );
    let (recorded, _) = fake
        .wait_for(Duration::from_secs(2), |r| {
            r.connections[0].client_close.is_some()
        })
        .await;
    assert_eq!(
        recorded.connections[0].client_close,
        Some(1000),
        "closed politely"
    );
    // A finished session tries nothing more: what the fake saw by then is all there is.
    assert_finishes(&run.handle).await;
    assert_eq!(fake.recorded().connections.len(), 1);
    assert_eq!(fake.recorded().sign_requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_trips_the_watchdog_and_reconnects() {
    let fake = start_fake(FakeConfig {
        ping_interval: Some(Duration::from_millis(100)),
        ..FakeConfig::with_scenario(scenario(vec![
            vec![
                Step::WaitForEnterRoom,
                Step::Batch(vec![single(1, "Lion")]),
                Step::Silent,
            ],
            vec![
                Step::WaitForEnterRoom,
                Step::Batch(vec![single(2, "Universe")]),
            ],
        ]))
    })
    .await;
    let mut run = Run::start(LiveConfig {
        watchdog: Duration::from_millis(400),
        ..fast(fake.live_config())
    });
    run.until_credits(2).await;
    let status = run
        .until_status(|s| matches!(s, ConnStatus::Reconnecting { .. }))
        .await;
    assert!(
        matches!(&status, ConnStatus::Reconnecting { last_error, .. } if last_error.contains("silent")),
        "{status:?}"
    );
    let recorded = fake.recorded();
    assert_eq!(recorded.accepted_connections(), 2);
    assert!(
        recorded.connections[0].heartbeats().len() >= 2,
        "heartbeats kept going while the server was silent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_lose_only_themselves() {
    let bad_batch = frames::encode_server_frame(1, 1, "msg", &[0xff; 16], Compression::None);
    let bad_gzip =
        frames::encode_server_frame(2, 2, "msg", &[0x1f, 0x8b, 0, 1, 2, 3], Compression::None);
    let fake = start_fake(FakeConfig::with_scenario(scenario(vec![vec![
        Step::WaitForEnterRoom,
        Step::Raw(vec![0xff, 0xff, 0xff, 0x01]),
        Step::Raw(bad_batch),
        Step::Raw(bad_gzip),
        Step::ServerHeartbeat,
        Step::EnterRoomResponse(vec![]),
        Step::Batch(vec![
            MessageSpec::Raw {
                method: "WebcastGiftMessage".into(),
                msg_id: 9,
                payload: vec![0xff, 0xff],
            },
            single(10, "Lion"),
        ]),
        Step::Batch(vec![single(11, "Universe")]),
    ]])))
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    run.until_credits(2).await;
    let ok = run.until(WAIT, |log| last_stats(log).malformed >= 4).await;
    assert!(
        ok,
        "three bad frames and one bad message counted: {:#?}",
        last_stats(&run.log)
    );
    assert_eq!(
        summary(&run.credits()),
        [
            ("Lion".into(), 1, EndedBy::Single),
            ("Universe".into(), 1, EndedBy::Single)
        ]
    );
    assert_eq!(
        run.statuses().iter().filter(|s| is_live(s)).count(),
        1,
        "no reconnect"
    );
    assert_eq!(fake.recorded().connections.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_finalizes_open_streaks_then_ends() {
    let fake = start_fake(FakeConfig::with_scenario(scenario(vec![vec![
        Step::WaitForEnterRoom,
        Step::Batch(vec![rose(1, 4, false)]),
    ]])))
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    let ok = run.until(WAIT, |log| last_stats(log).gifts >= 1).await;
    assert!(ok, "{:#?}", run.log);
    assert!(
        run.credits().is_empty(),
        "a reconnect or a pause credits nothing"
    );
    run.handle.stop();
    assert_eq!(run.until_closed().await, ConnStatus::Ended);
    assert_eq!(
        summary(&run.credits()),
        [("Rose".into(), 4, EndedBy::Timeout)]
    );
    let (recorded, _) = fake
        .wait_for(Duration::from_secs(2), |r| {
            r.connections[0].client_close.is_some()
        })
        .await;
    assert_eq!(recorded.connections[0].client_close, Some(1000));
    assert_finishes(&run.handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapping_edits_apply_to_the_next_credit() {
    let fake = start_fake(FakeConfig::with_scenario(scenario(vec![vec![
        Step::WaitForEnterRoom,
        Step::Batch(vec![single(1, "Lion")]),
        Step::WaitForRelease,
        Step::Batch(vec![single(2, "Lion")]),
    ]])))
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    run.until_credits(1).await;
    assert_eq!(run.credits()[0].trigger, None);
    let table = MappingTable::new(vec![Mapping::new(
        "lion",
        vec![Action::Command {
            command: "summon lightning_bolt".into(),
            repeat: 1,
        }],
    )]);
    run.mappings.send_replace(table);
    fake.release();
    run.until_credits(2).await;
    assert_eq!(run.credits()[1].trigger.as_deref(), Some("lion"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_that_went_offline_ends_the_session_at_the_reconnect() {
    let fake = start_fake(FakeConfig::with_scenario(scenario(vec![vec![
        Step::WaitForEnterRoom,
        Step::Batch(vec![rose(1, 2, false)]),
        Step::WaitForRelease,
        Step::DropTcp,
    ]])))
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    let ok = run.until(WAIT, |log| last_stats(log).gifts >= 1).await;
    assert!(ok);
    fake.set_alive(false);
    fake.release();
    assert_eq!(run.until_closed().await, ConnStatus::Ended);
    assert_eq!(
        summary(&run.credits()),
        [("Rose".into(), 2, EndedBy::Timeout)]
    );
    assert_eq!(
        fake.recorded().sign_requests().len(),
        1,
        "no sign after the room went offline"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_lookup_falls_back_to_the_api_and_room_ids_skip_it() {
    let fake = start_fake(FakeConfig {
        page: PageMode::NoState,
        ..FakeConfig::default()
    })
    .await;
    let mut run = Run::start(fast(LiveConfig {
        target: "fake_streamer".into(),
        ..fake.live_config()
    }));
    run.until_status(is_live).await;
    let paths: Vec<String> = fake
        .recorded()
        .http
        .iter()
        // The gift list is fetched beside the connection, whenever it gets to it.
        .filter(|r| r.path != "/webcast/gift_info")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "/@fake_streamer/live",
            "/api-live/user/room/",
            "/webcast/fetch"
        ]
    );
    let api = &fake.recorded().http[1];
    assert_eq!(api.query("uniqueId"), Some("fake_streamer"));
    drop(run);

    let fake = start_fake(FakeConfig::default()).await;
    let mut run = Run::start(fast(LiveConfig {
        target: ROOM.into(),
        ..fake.live_config()
    }));
    run.until_status(is_live).await;
    let paths: Vec<String> = fake
        .recorded()
        .http
        .iter()
        // The gift list is fetched beside the connection, whenever it gets to it.
        .filter(|r| r.path != "/webcast/gift_info")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(paths, ["/webcast/room/check_alive/", "/webcast/fetch"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_offline_and_blocked_users_are_distinct_failures() {
    let cases = [
        (
            PageMode::Live,
            "@nobody_here",
            FailureKind::UserNotFound,
            "TikTok has no user @nobody_here",
        ),
        (
            PageMode::Offline,
            "@fake_streamer",
            FailureKind::NotLive,
            "@fake_streamer is not live right now",
        ),
        (
            PageMode::Captcha,
            "@fake_streamer",
            FailureKind::Blocked,
            "captcha",
        ),
    ];
    for (page, target, want, words) in cases {
        let fake = start_fake(FakeConfig {
            page,
            ..FakeConfig::default()
        })
        .await;
        let mut run = Run::start(fast(LiveConfig {
            target: target.into(),
            ..fake.live_config()
        }));
        let status = run.until_closed().await;
        assert!(
            matches!(&status, ConnStatus::Failed { kind, detail } if *kind == want && detail.contains(words)),
            "{page:?}: {status:?}"
        );
        assert!(fake.recorded().sign_requests().is_empty(), "{page:?}");
    }
    // A room id that TikTok says is not live.
    let fake = start_fake(FakeConfig {
        alive: false,
        ..FakeConfig::default()
    })
    .await;
    let mut run = Run::start(fast(LiveConfig {
        room_id: Some(ROOM.into()),
        ..fake.live_config()
    }));
    let status = run.until_closed().await;
    assert_eq!(
        status,
        ConnStatus::Failed {
            kind: FailureKind::NotLive,
            detail: format!("room {ROOM} is not live right now")
        }
    );
    // Nonsense input never reaches the network.
    let mut run = Run::start(fast(LiveConfig {
        target: "not a user/../x".into(),
        ..fake.live_config()
    }));
    assert!(
        matches!(run.until_closed().await, ConnStatus::Failed { kind: FailureKind::UserNotFound, detail } if detail.contains("not a TikTok username"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_api_key_is_its_own_failure_kind() {
    let fake = start_fake(FakeConfig {
        sign_faults: vec![SignFault::Status {
            status: 401,
            body: r#"{"message":"Invalid API key"}"#.into(),
        }],
        ..FakeConfig::default()
    })
    .await;
    let mut run = Run::start(fast(fake.live_config()));
    let status = run.until_closed().await;
    assert!(
        matches!(&status, ConnStatus::Failed { kind: FailureKind::SignRefused, detail } if detail.contains("Invalid API key")),
        "{status:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_stream_credits_gifts_with_hostile_names() {
    let fake = start_fake(FakeConfig::demo()).await;
    let mut run = Run::start(fast(fake.live_config()));
    run.until_credits(3).await;
    assert!(run.statuses().iter().any(is_live));
    assert!(run.credits().iter().all(|c| c.count >= 1));
}

// ------------------------------------------------------------------------------------------------
// `giftdeck watch` as a process
// ------------------------------------------------------------------------------------------------

/// `memory`: the room memory folder (a temp dir, so runs never share the fake's fixed ids).
fn watch_command(fake: &FakeTikTok, memory: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_giftdeck"));
    cmd.arg("watch")
        .arg("--memory-dir")
        .arg(memory)
        .arg("@fake_streamer")
        .args(["--tiktok-url", &fake.tiktok_url()])
        .args(["--webcast-url", &fake.webcast_url()])
        .args(["--sign-url", &fake.sign_url()])
        .env_remove("GIFTDECK_SIGN_API_KEY")
        .env("RUST_LOG", "off");
    cmd
}

fn unix_millis() -> u64 {
    giftdeck::room_store::millis_since_epoch(std::time::SystemTime::now())
}

fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_json_lines_records_a_capture_and_exits_when_the_stream_ends() {
    let fake = start_fake(FakeConfig::with_scenario(Scenario {
        history: vec![single(100, "Lion")],
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![rose(1, 1, false)]),
            Step::Batch(vec![rose(2, 3, true)]),
            Step::Raw(vec![1, 2, 3]),
            Step::EndStream,
        ]],
        after: Vec::new(),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("live.capture");
    let mappings = dir.path().join("mappings.json");
    std::fs::write(
        &mappings,
        r#"{"mappings":[{"trigger":"Lion","actions":[{"type":"command","command":"say lion"}]}]}"#,
    )
    .unwrap();
    let mut cmd = watch_command(&fake, &dir.path().join("rooms"));
    cmd.arg("--record")
        .arg(&capture)
        .arg("--mappings")
        .arg(&mappings)
        .env("GIFTDECK_SIGN_API_KEY", "secret-key-xyz");
    let started_millis = unix_millis();
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let ended_millis = unix_millis();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "stderr: {stderr}");
    assert!(stderr.contains(&format!("live (room {ROOM})")), "{stderr}");
    assert!(stderr.contains("stream ended"), "{stderr}");
    assert!(
        !stderr.contains("secret-key-xyz"),
        "the key is never printed"
    );
    assert_eq!(
        fake.recorded().sign_requests()[0].header("x-api-key"),
        Some("secret-key-xyz"),
        "the key from GIFTDECK_SIGN_API_KEY reaches the sign server"
    );
    let lines = json_lines(&output.stdout);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[0]["gift_name"], "Lion");
    assert_eq!(lines[0]["trigger"], "Lion");
    assert_eq!(lines[0]["ended_by"], "single");
    assert_eq!(lines[1]["gift_name"], "Rose");
    assert_eq!(lines[1]["count"], 3);
    assert_eq!(lines[1]["trigger"], serde_json::Value::Null);

    // The capture replays to the same credits: sign batch first, then every WebSocket message,
    // each with the time it was received (a version-2 capture).
    let mut reader = CaptureReader::open(&capture).unwrap();
    assert_eq!(reader.format().unwrap(), CaptureFormat::V2);
    let mut pipeline = Pipeline::new(EngineConfig::default(), MappingTable::default());
    let mut out = Vec::new();
    let mut records = 0;
    let mut last_received = started_millis;
    while let Some(record) = reader.next_timed().unwrap() {
        if records == 0 {
            let frame = wire::decode_push_frame(record.message).unwrap();
            assert_eq!(frame.payload_type, "msg");
            assert!(wire::decode_batch(&frame.payload).unwrap().is_first);
        }
        let received = record.received_millis.unwrap();
        assert!(
            (last_received..=ended_millis).contains(&received),
            "{received} not in {last_received}..={ended_millis}"
        );
        last_received = received;
        records += 1;
        let _ = pipeline.ingest_ws_message(record.message, received, &mut out);
    }
    pipeline.finish(&mut out);
    assert_eq!(records, 5, "sign batch + 4 WebSocket messages");
    let replayed: Vec<(String, u32)> = out
        .iter()
        .filter_map(|o| match o {
            Output::Credit(d) => Some((d.gift.gift_name.clone(), d.gift.count)),
            _ => None,
        })
        .collect();
    assert_eq!(replayed, [("Lion".to_owned(), 1), ("Rose".to_owned(), 3)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_says_what_kind_of_failure_ended_it_and_exits_one() {
    let fake = start_fake(FakeConfig {
        page: PageMode::Offline,
        ..FakeConfig::default()
    })
    .await;
    let memory = tempfile::tempdir().unwrap();
    let mut cmd = watch_command(&fake, memory.path());
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("failed: @fake_streamer is not live right now"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the user is not live right now: run again once the stream starts"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_finalizes_open_streaks_on_ctrl_c_and_exits_zero() {
    let fake = start_fake(FakeConfig::with_scenario(scenario(vec![vec![
        Step::WaitForEnterRoom,
        Step::Batch(vec![rose(1, 7, false)]),
    ]])))
    .await;
    let memory = tempfile::tempdir().unwrap();
    let mut child = watch_command(&fake, memory.path())
        .arg("--execute")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (_, acked) = fake
        .wait_for(WAIT, |r| {
            r.connections.first().is_some_and(|c| !c.acks().is_empty())
        })
        .await;
    // The session feeds a batch to the engine right after sending its ack, with no await in
    // between: once the fake has the ack, the streak is open in the engine.
    assert!(acked);
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || {
        let _ = &mut child;
        child.wait_with_output()
    })
    .await
    .unwrap()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // `--execute` without `--rcon` and without mappings: the executor runs and has nothing to do.
    assert!(stderr.contains("giftdeck: actions: 0 done"), "{stderr}");
    let lines = json_lines(&output.stdout);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["count"], 7);
    assert_eq!(lines[0]["ended_by"], "timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fake_serves_the_node_sign_shape_and_refuses_like_tiktok() {
    let fake = start_fake(FakeConfig {
        handshake_faults: vec![HandshakeFault::device_blocked()],
        ..FakeConfig::default()
    })
    .await;
    let url = format!(
        "{}/webcast/rooms/{ROOM}/connect?client=ttlive-node&cursor=&user_agent=UA&client_enter=true&platform=web",
        fake.sign_url()
    );
    let reply = reqwest::get(&url).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.headers()["x-room-id"], ROOM);
    assert!(
        reply.headers()["x-set-tt-cookie"]
            .to_str()
            .unwrap()
            .starts_with("ttwid=")
    );
    let batch = wire::decode_batch(&reply.bytes().await.unwrap()).unwrap();
    assert!(batch.is_first && !batch.cursor.is_empty() && !batch.route_params.is_empty());
    assert_eq!(batch.push_server, fake.ws_url());
    assert_eq!(
        fake.recorded().sign_requests()[0].query("client"),
        Some("ttlive-node")
    );

    // The blocked handshake is an HTTP 200 with TikTok's headers, not a 101.
    let ws = tokio_tungstenite::connect_async(fake.ws_url()).await;
    let Err(tokio_tungstenite::tungstenite::Error::Http(response)) = ws else {
        panic!("expected an HTTP refusal, got {ws:?}")
    };
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["handshake-msg"], "DEVICE_BLOCKED");
    assert_eq!(response.headers()["handshake-status"], "415");
}
