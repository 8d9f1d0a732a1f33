//! The provider chain against the loopback fake TikTok: each provider (the sign server with and
//! without a key, Euler's managed WebSocket, a custom sign URL), each switch (HTTP 5xx, the
//! `ws-fallback` stub, a refused key, three failures in a row, 429 with a wait), the managed
//! WebSocket's close codes as typed failures, the 8-hour renewal, and an outage mid-stream that
//! loses and doubles nothing and comes back to the sign server.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use giftdeck::backoff::Backoff;
use giftdeck::engine::{Output, Stats};
use giftdeck::event::CreditedGift;
use giftdeck::live::{
    ChainPolicy, ConnStatus, FailureKind, LiveConfig, LiveHandle, LiveMsg, ProviderKind, Route,
    spawn_session,
};
use giftdeck::mappings::MappingTable;
use giftdeck::testkit::fake::{
    EulerFake, FakeConfig, FakeTikTok, PageMode, Scenario, SignFault, Step,
};
use giftdeck::testkit::frames::{ClientFrame, GiftSpec, MessageSpec};
use tokio::sync::{mpsc, watch};

const WAIT: Duration = Duration::from_secs(15);
const EULER_KEY: &str = "euler-test-key";

fn gift(msg_id: i64, name: &str, gift_type: i32, count: i32, end: bool) -> MessageSpec {
    let (gift_id, diamonds) = match name {
        "Rose" => (5655, 1),
        "Lion" => (6369, 29_999),
        _ => (5996, 1_000),
    };
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id: 111,
        unique_id: "user111".into(),
        nickname: "User 111".into(),
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

fn single(msg_id: i64) -> MessageSpec {
    gift(msg_id, "Galaxy", 2, 1, false)
}

fn rose(msg_id: i64, count: i32, end: bool) -> MessageSpec {
    gift(msg_id, "Rose", 1, count, end)
}

/// Short timings; the chain as given, Euler's WebSocket keyed.
fn fast(fake: &FakeTikTok, providers: &[ProviderKind]) -> LiveConfig {
    LiveConfig {
        providers: providers.to_vec(),
        euler_ws_api_key: Some(EULER_KEY.into()),
        backoff: Backoff {
            first: Duration::from_millis(50),
            max: Duration::from_millis(200),
        },
        chain_policy: ChainPolicy {
            failures_before_switch: 3,
            probe: Backoff {
                first: Duration::from_millis(300),
                max: Duration::from_secs(2),
            },
        },
        watchdog: Duration::from_secs(5),
        request_timeout: Duration::from_secs(3),
        blocked_retry: Duration::from_secs(3),
        ..fake.live_config()
    }
}

async fn start_fake(config: FakeConfig) -> FakeTikTok {
    FakeTikTok::start(config)
        .await
        .expect("fake binds loopback")
}

fn scenario(history: Vec<MessageSpec>, connections: Vec<Vec<Step>>) -> Scenario {
    Scenario {
        history,
        connections,
        after: vec![Step::Silent],
    }
}

/// A running session and everything it sent so far.
struct Run {
    handle: LiveHandle,
    rx: mpsc::Receiver<LiveMsg>,
    _mappings: watch::Sender<MappingTable>,
    log: Vec<LiveMsg>,
    closed: bool,
}

impl Run {
    fn start(config: LiveConfig) -> Self {
        let (mappings, mappings_rx) = watch::channel(MappingTable::default());
        let (tx, rx) = mpsc::channel(64);
        let handle = spawn_session(config, mappings_rx, tx, Arc::new(|| {}));
        Self {
            handle,
            rx,
            _mappings: mappings,
            log: Vec::new(),
            closed: false,
        }
    }

    /// Reads messages until `done` holds for the log, the channel closes, or the time is up.
    async fn until(&mut self, done: impl Fn(&[LiveMsg]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + WAIT;
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

    async fn until_status(&mut self, want: impl Fn(&ConnStatus) -> bool) -> ConnStatus {
        let ok = self.until(|log| statuses(log).iter().any(&want)).await;
        assert!(ok, "status never came, log: {:#?}", self.log);
        statuses(&self.log).into_iter().find(|s| want(s)).unwrap()
    }

    /// Waits for the session to end; returns its final status.
    async fn until_closed(&mut self) -> ConnStatus {
        let ok = self.until(|_| false).await || self.closed;
        assert!(ok && self.closed, "session did not end: {:#?}", self.log);
        statuses(&self.log).last().cloned().expect("a status")
    }

    fn credits(&self) -> Vec<CreditedGift> {
        self.log
            .iter()
            .filter_map(|m| match m {
                LiveMsg::Output(Output::Credit(d)) => Some(d.gift.clone()),
                _ => None,
            })
            .collect()
    }

    fn routes(&self) -> Vec<Route> {
        self.log
            .iter()
            .filter_map(|m| match m {
                LiveMsg::Route(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    fn stats(&self) -> Stats {
        last_stats(&self.log)
    }
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

fn statuses(log: &[LiveMsg]) -> Vec<ConnStatus> {
    log.iter()
        .filter_map(|m| match m {
            LiveMsg::Status(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn is_live(s: &ConnStatus) -> bool {
    matches!(s, ConnStatus::Live { .. })
}

fn reconnecting_kinds(run: &Run) -> Vec<FailureKind> {
    statuses(&run.log)
        .into_iter()
        .filter_map(|s| match s {
            ConnStatus::Reconnecting { kind, .. } => Some(kind),
            _ => None,
        })
        .collect()
}

/// Credits by message id: how often each was credited (the truth for "lost" and "doubled").
fn credit_counts(credits: &[CreditedGift]) -> BTreeMap<i64, usize> {
    let mut counts = BTreeMap::new();
    for credit in credits {
        *counts.entry(credit.msg_id).or_default() += 1;
    }
    counts
}

// ---- each provider ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_server_works_with_and_without_a_key() {
    for key in [None, Some("sign-key-1")] {
        let fake = start_fake(FakeConfig {
            sign_api_key: key.map(str::to_owned),
            ..FakeConfig::with_scenario(scenario(
                vec![],
                vec![vec![Step::WaitForEnterRoom, Step::Batch(vec![single(1)])]],
            ))
        })
        .await;
        let mut run = Run::start(LiveConfig {
            sign_api_key: key.map(str::to_owned),
            ..fast(&fake, &[ProviderKind::Sign])
        });
        assert!(
            run.until(|log| !credits_of(log).is_empty()).await,
            "{key:?}"
        );
        let recorded = fake.recorded();
        assert_eq!(recorded.sign_requests()[0].header("x-api-key"), key);
        assert!(recorded.euler.is_empty(), "no other provider was touched");
        assert!(
            run.routes().is_empty(),
            "the preferred provider: nothing to say"
        );
    }
}

fn credits_of(log: &[LiveMsg]) -> Vec<CreditedGift> {
    log.iter()
        .filter_map(|m| match m {
            LiveMsg::Output(Output::Credit(d)) => Some(d.gift.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn euler_s_websocket_carries_the_stream_through_the_same_decoder() {
    let fake = start_fake(FakeConfig {
        euler: EulerFake {
            api_key: Some(EULER_KEY.into()),
            connections: vec![vec![
                Step::Batch(vec![rose(11, 1, false), rose(12, 2, false)]),
                Step::Batch(vec![rose(13, 3, true), single(14)]),
                Step::Close {
                    code: 4005,
                    reason: "TikTok stream ended".into(),
                },
            ]],
            after: vec![],
        },
        ..FakeConfig::with_scenario(scenario(vec![single(1)], vec![]))
    })
    .await;
    let mut run = Run::start(fast(&fake, &[ProviderKind::EulerWs]));
    let end = run.until_closed().await;
    assert_eq!(
        end,
        ConnStatus::Ended,
        "4005 ends the stream: {:#?}",
        run.log
    );
    let credits = run.credits();
    let got: Vec<(i64, u32)> = credits.iter().map(|c| (c.msg_id, c.count)).collect();
    assert_eq!(got, [(1, 1), (13, 3), (14, 1)], "history, streak, single");
    let recorded = fake.recorded();
    assert!(
        recorded.sign_requests().is_empty(),
        "no sign server on this path"
    );
    assert!(
        recorded.connections.is_empty(),
        "no TikTok push socket either"
    );
    let conn = &recorded.euler[0];
    assert_eq!(
        conn.request.query("uniqueId"),
        Some(fake.unique_id().as_str())
    );
    assert_eq!(conn.request.query("apiKey"), Some(EULER_KEY));
    assert_eq!(conn.request.query("features.rawMessages"), Some("true"));
    assert!(
        conn.frames.is_empty() && conn.undecodable == 0,
        "the client sends no frames to Euler (no enter-room, heartbeat or ack): {conn:#?}"
    );
    assert!(
        run.stats().frames >= 3,
        "binary frames counted by the pipeline"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_sign_url_is_a_provider_of_its_own() {
    let own = start_fake(FakeConfig {
        sign_api_key: Some("own-key".into()),
        ..FakeConfig::with_scenario(scenario(
            vec![],
            vec![vec![Step::WaitForEnterRoom, Step::Batch(vec![single(5)])]],
        ))
    })
    .await;
    let main = start_fake(FakeConfig {
        sign_faults: vec![SignFault::ServerError {
            status: 503,
            message: "API is not ready for connections yet.".into(),
        }],
        ..FakeConfig::default()
    })
    .await;
    let mut run = Run::start(LiveConfig {
        sign_api_key: Some("euler-only".into()),
        custom_sign_url: Some(own.sign_url()),
        custom_sign_api_key: Some("own-key".into()),
        ..fast(&main, &[ProviderKind::Sign, ProviderKind::Custom])
    });
    assert!(
        run.until(|log| !credits_of(log).is_empty()).await,
        "{:#?}",
        run.log
    );
    assert_eq!(run.credits()[0].msg_id, 5);
    let signed = own.recorded();
    assert_eq!(
        signed.sign_requests()[0].header("x-api-key"),
        Some("own-key")
    );
    assert_eq!(
        main.recorded().sign_requests()[0].header("x-api-key"),
        Some("euler-only"),
        "each key only to its own provider"
    );
    let route = run.routes().pop().unwrap();
    assert_eq!(route.via, ProviderKind::Custom);
    assert_eq!(route.outages[0].code, Some(503));
}

// ---- each switch ----

/// A fake whose sign server fails with `faults` and whose managed WebSocket streams one gift.
async fn failing_sign_server(faults: Vec<SignFault>) -> FakeTikTok {
    start_fake(FakeConfig {
        sign_faults: faults,
        euler: EulerFake {
            api_key: Some(EULER_KEY.into()),
            connections: vec![vec![Step::Batch(vec![single(42)])]],
            after: vec![Step::Silent],
        },
        ..FakeConfig::with_scenario(scenario(vec![], vec![]))
    })
    .await
}

async fn switched_to_euler(fake: &FakeTikTok) -> Run {
    let mut run = Run::start(LiveConfig {
        chain_policy: ChainPolicy {
            // Not probed during the test: only the switch is looked at.
            probe: Backoff {
                first: Duration::from_secs(600),
                max: Duration::from_secs(600),
            },
            ..ChainPolicy::default()
        },
        ..fast(fake, &[ProviderKind::Sign, ProviderKind::EulerWs])
    });
    assert!(
        run.until(|log| !credits_of(log).is_empty()).await,
        "{:#?}",
        run.log
    );
    assert_eq!(run.credits()[0].msg_id, 42);
    assert_eq!(run.routes().last().unwrap().via, ProviderKind::EulerWs);
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_500_from_the_sign_server_switches_to_the_websocket_at_once() {
    let fake = failing_sign_server(vec![SignFault::ServerError {
        status: 500,
        message: "A 500 error occurred".into(),
    }])
    .await;
    let run = switched_to_euler(&fake).await;
    assert_eq!(
        fake.recorded().sign_requests().len(),
        1,
        "one 500 is enough"
    );
    assert_eq!(reconnecting_kinds(&run), [FailureKind::ProviderDown]);
    let Some(ConnStatus::Reconnecting { retry_in, .. }) = statuses(&run.log)
        .into_iter()
        .find(|s| matches!(s, ConnStatus::Reconnecting { .. }))
    else {
        unreachable!()
    };
    assert_eq!(
        retry_in,
        Duration::ZERO,
        "a fresh provider is tried at once"
    );
    let route = run.routes().pop().unwrap();
    assert_eq!(route.outages.len(), 1);
    assert_eq!(route.outages[0].provider, ProviderKind::Sign);
    assert_eq!(route.outages[0].kind, FailureKind::ProviderDown);
    assert_eq!(route.outages[0].code, Some(500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ws_fallback_stub_switches_and_is_never_dialled() {
    let fake = failing_sign_server(vec![SignFault::FallbackStub]).await;
    let run = switched_to_euler(&fake).await;
    assert!(
        fake.recorded().connections.is_empty(),
        "the stub's URL was never opened"
    );
    assert_eq!(reconnecting_kinds(&run), [FailureKind::ProviderDown]);
    let detail = statuses(&run.log)
        .into_iter()
        .find_map(|s| match s {
            ConnStatus::Reconnecting { last_error, .. } => Some(last_error),
            _ => None,
        })
        .unwrap();
    assert!(detail.contains("fallback stub"), "{detail}");
    assert!(
        !detail.contains("fake-jwt"),
        "the stub's token is not shown: {detail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_key_switches_and_the_refusing_provider_is_not_asked_again() {
    let fake = start_fake(FakeConfig {
        sign_api_key: Some("the-right-key".into()),
        euler: EulerFake {
            api_key: Some(EULER_KEY.into()),
            connections: vec![vec![Step::Batch(vec![single(42)])]],
            after: vec![Step::Silent],
        },
        ..FakeConfig::with_scenario(scenario(vec![], vec![]))
    })
    .await;
    let mut run = Run::start(LiveConfig {
        sign_api_key: Some("a-wrong-key".into()),
        chain_policy: ChainPolicy {
            probe: Backoff {
                first: Duration::from_millis(100),
                max: Duration::from_millis(100),
            },
            ..ChainPolicy::default()
        },
        ..fast(&fake, &[ProviderKind::Sign, ProviderKind::EulerWs])
    });
    assert!(
        run.until(|log| !credits_of(log).is_empty()).await,
        "{:#?}",
        run.log
    );
    assert_eq!(reconnecting_kinds(&run), [FailureKind::SignRefused]);
    // Well past several probe periods: a refused key is not probed.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(fake.recorded().sign_requests().len(), 1);
    // Alone, a refused key ends the session with its kind.
    let mut lone = Run::start(LiveConfig {
        sign_api_key: Some("a-wrong-key".into()),
        ..fast(&fake, &[ProviderKind::Sign])
    });
    let end = lone.until_closed().await;
    assert!(
        matches!(
            end,
            ConnStatus::Failed {
                kind: FailureKind::SignRefused,
                ..
            }
        ),
        "{end:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_failures_in_a_row_switch() {
    let fake = failing_sign_server(vec![
        SignFault::EmptyBody,
        SignFault::NoCookie,
        SignFault::EmptyBody,
    ])
    .await;
    let run = switched_to_euler(&fake).await;
    assert_eq!(fake.recorded().sign_requests().len(), 3);
    assert_eq!(reconnecting_kinds(&run).len(), 3, "{:#?}", run.log);
    let recorded = fake.recorded();
    assert_eq!(
        recorded.euler.len(),
        1,
        "the WebSocket only after the third"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_waits_as_told_and_says_how_long() {
    let fake = start_fake(FakeConfig {
        sign_faults: vec![SignFault::RetryAfter { secs: 1 }],
        ..FakeConfig::with_scenario(scenario(
            vec![],
            vec![vec![Step::WaitForEnterRoom, Step::Batch(vec![single(7)])]],
        ))
    })
    .await;
    let started = tokio::time::Instant::now();
    let mut run = Run::start(fast(&fake, &[ProviderKind::Sign]));
    let waiting = run
        .until_status(|s| matches!(s, ConnStatus::Reconnecting { .. }))
        .await;
    let ConnStatus::Reconnecting {
        retry_in,
        kind,
        last_error,
    } = waiting
    else {
        unreachable!()
    };
    assert_eq!(kind, FailureKind::RateLimited);
    assert!(retry_in >= Duration::from_secs(1), "{retry_in:?}");
    assert!(
        last_error.contains("wait 1 s"),
        "says how long: {last_error}"
    );
    assert!(run.until(|log| !credits_of(log).is_empty()).await);
    assert!(started.elapsed() >= Duration::from_secs(1), "it did wait");
    assert_eq!(fake.recorded().sign_requests().len(), 2);
}

// ---- the managed WebSocket's close codes ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn euler_close_codes_become_typed_failures() {
    // A wrong key (4401) and a streamer who is not live (4404) end a lone provider's session.
    let fake = start_fake(FakeConfig {
        euler: EulerFake {
            api_key: Some("another-key".into()),
            ..EulerFake::default()
        },
        ..FakeConfig::default()
    })
    .await;
    let end = Run::start(fast(&fake, &[ProviderKind::EulerWs]))
        .until_closed()
        .await;
    assert!(
        matches!(&end, ConnStatus::Failed { kind: FailureKind::SignRefused, detail } if detail.contains("4401")),
        "{end:?}"
    );
    let offline = start_fake(FakeConfig {
        alive: false,
        ..FakeConfig::default()
    })
    .await;
    let end = Run::start(fast(&offline, &[ProviderKind::EulerWs]))
        .until_closed()
        .await;
    assert!(
        matches!(&end, ConnStatus::Failed { kind: FailureKind::NotLive, detail } if detail.contains("4404")),
        "{end:?}"
    );
    // Passing ones reconnect, each with its kind.
    let cases = [
        (4429, FailureKind::TooManyConnections),
        (4556, FailureKind::ProviderDown),
        (4557, FailureKind::ProviderDown),
        (1011, FailureKind::ProviderDown),
        (4500, FailureKind::TiktokUnreachable),
        (4006, FailureKind::TiktokUnreachable),
    ];
    let closing = |code: u16| {
        vec![Step::Close {
            code,
            reason: "bye".into(),
        }]
    };
    let fake = start_fake(FakeConfig {
        euler: EulerFake {
            api_key: Some(EULER_KEY.into()),
            connections: cases.iter().map(|(code, _)| closing(*code)).collect(),
            after: vec![Step::Batch(vec![single(9)]), Step::Silent],
        },
        ..FakeConfig::default()
    })
    .await;
    let mut run = Run::start(fast(&fake, &[ProviderKind::EulerWs]));
    assert!(
        run.until(|log| !credits_of(log).is_empty()).await,
        "{:#?}",
        run.log
    );
    let kinds: Vec<FailureKind> = cases.iter().map(|(_, kind)| *kind).collect();
    assert_eq!(reconnecting_kinds(&run), kinds);
    let details: Vec<String> = statuses(&run.log)
        .into_iter()
        .filter_map(|s| match s {
            ConnStatus::Reconnecting { last_error, .. } => Some(last_error),
            _ => None,
        })
        .collect();
    for ((code, _), detail) in cases.iter().zip(&details) {
        assert!(detail.contains(&format!("code {code}")), "{detail}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_8_hour_lifetime_reconnects_seamlessly_and_credits_nothing_twice() {
    let history = vec![single(1), single(2)];
    let fake = start_fake(FakeConfig {
        euler: EulerFake {
            api_key: Some(EULER_KEY.into()),
            connections: vec![
                vec![
                    Step::Batch(vec![rose(10, 1, false), single(3)]),
                    Step::Close {
                        code: 4555,
                        reason: "Max lifetime exceeded".into(),
                    },
                ],
                // The new socket replays the history and the last batch, then goes on.
                vec![
                    Step::Batch(vec![rose(10, 1, false), single(3)]),
                    Step::Batch(vec![rose(11, 2, true), single(4)]),
                ],
            ],
            after: vec![Step::Silent],
        },
        ..FakeConfig::with_scenario(scenario(history, vec![]))
    })
    .await;
    let mut run = Run::start(fast(&fake, &[ProviderKind::EulerWs]));
    assert!(
        run.until(|log| credits_of(log).len() >= 5).await,
        "{:#?}",
        run.log
    );
    let counts = credit_counts(&run.credits());
    assert_eq!(
        counts,
        BTreeMap::from([(1, 1), (2, 1), (3, 1), (4, 1), (11, 1)]),
        "every gift once"
    );
    let rose = run.credits().into_iter().find(|c| c.msg_id == 11).unwrap();
    assert_eq!(
        rose.count, 2,
        "the streak that spanned the renewal counts once, in full"
    );
    assert_eq!(fake.recorded().euler.len(), 2);
    let mut seen = statuses(&run.log);
    seen.dedup();
    assert!(
        seen.iter()
            .all(|s| !matches!(s, ConnStatus::Reconnecting { .. })),
        "no reconnecting in between: {seen:#?}"
    );
    assert_eq!(seen.iter().filter(|s| is_live(s)).count(), 1, "{seen:#?}");
    assert!(
        run.until(|log| last_stats(log).duplicates >= 4).await,
        "the replays were recognised: {:?}",
        run.stats()
    );
}

// ---- an outage mid-stream ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_server_outage_mid_stream_loses_and_doubles_nothing_and_comes_back() {
    // Truth: the viewers send gifts 1..=6 (a streak 100..102 spans all three sockets).
    let history = vec![single(1)];
    let fake = start_fake(FakeConfig {
        // The first sign works; the outage then answers 500 to the reconnect and to the first
        // two probes; after that the sign server has recovered.
        sign_faults: [SignFault::Pass]
            .into_iter()
            .chain((0..3).map(|_| SignFault::ServerError {
                status: 500,
                message: "A 500 error occurred whilst fetching".into(),
            }))
            .collect(),
        euler: EulerFake {
            api_key: Some(EULER_KEY.into()),
            // Euler relays the recent history first (1, 2 and the streak's start), then new ones.
            connections: vec![vec![
                Step::Batch(vec![single(2), rose(100, 1, false), single(3)]),
                Step::Batch(vec![rose(101, 2, false), single(4)]),
                Step::Silent,
            ]],
            after: vec![Step::Silent],
        },
        ..FakeConfig::with_scenario(scenario(
            history,
            vec![
                vec![
                    Step::WaitForEnterRoom,
                    Step::Batch(vec![single(2), rose(100, 1, false)]),
                    Step::DropTcp,
                ],
                // Back on TikTok's socket: an overlap with what Euler sent, then the rest.
                vec![
                    Step::WaitForEnterRoom,
                    Step::Batch(vec![single(4), rose(101, 2, false)]),
                    Step::Batch(vec![rose(102, 3, true), single(5), single(6)]),
                ],
            ],
        ))
    })
    .await;
    let mut run = Run::start(fast(&fake, &[ProviderKind::Sign, ProviderKind::EulerWs]));
    let expected: BTreeMap<i64, usize> = [1, 2, 3, 4, 5, 6, 102]
        .into_iter()
        .map(|id| (id, 1))
        .collect();
    assert!(
        run.until(|log| credit_counts(&credits_of(log)).len() >= expected.len())
            .await,
        "{:#?}",
        run.log
    );
    // Every replayed message recognised (the history three times, two overlaps of two): the
    // stats follow once a second; anything credited meanwhile would be a double.
    assert!(
        run.until(|log| last_stats(log).duplicates >= 6).await,
        "{:?}",
        run.stats()
    );
    let counts = credit_counts(&run.credits());
    let lost: Vec<i64> = expected
        .keys()
        .filter(|id| !counts.contains_key(id))
        .copied()
        .collect();
    let doubled: Vec<i64> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    let stats = run.stats();
    eprintln!(
        "outage figures: {} credits expected, {} credited, {} lost, {} doubled, {} duplicate messages recognised",
        expected.len(),
        counts.values().sum::<usize>(),
        lost.len(),
        doubled.len(),
        stats.duplicates
    );
    assert_eq!(stats.duplicates, 6);
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
    assert_eq!(counts, expected);
    let streak = run.credits().into_iter().find(|c| c.msg_id == 102).unwrap();
    assert_eq!(
        streak.count, 3,
        "the streak across three sockets counts once, in full"
    );

    // The path: TikTok's socket, Euler's WebSocket during the outage, TikTok's socket again.
    let routes = run.routes();
    assert_eq!(routes.len(), 2, "{routes:#?}");
    assert_eq!(routes[0].via, ProviderKind::EulerWs);
    assert_eq!(routes[0].outages[0].provider, ProviderKind::Sign);
    assert_eq!(routes[0].outages[0].code, Some(500));
    assert_eq!(routes[1].via, ProviderKind::Sign);
    assert!(routes[1].outages.is_empty());
    let recorded = fake.recorded();
    assert_eq!(recorded.accepted_connections(), 2, "TikTok's socket twice");
    assert_eq!(recorded.euler.len(), 1);
    assert_eq!(
        recorded.euler[0].client_close,
        Some(1000),
        "Euler's socket closed politely once the sign server took over"
    );
    assert_eq!(
        recorded.sign_requests().len(),
        5,
        "first, reconnect, two failed probes, recovery"
    );
    assert!(
        recorded.connections[1]
            .frames
            .iter()
            .any(|f| matches!(f, ClientFrame::Ack { .. })),
        "acks to TikTok again"
    );
    assert!(
        !statuses(&run.log).iter().any(|s| s.is_final()),
        "it stayed up throughout"
    );
    assert!(!run.handle.is_finished());
}

// ---- rooms that need a login ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_18_plus_room_without_a_session_asks_for_one_in_plain_words() {
    let fake = start_fake(FakeConfig {
        page: PageMode::AgeRestricted,
        ..FakeConfig::default()
    })
    .await;
    let end = Run::start(fast(&fake, &[ProviderKind::Sign]))
        .until_closed()
        .await;
    let ConnStatus::Failed { kind, detail } = &end else {
        panic!("{end:?}")
    };
    assert_eq!(*kind, FailureKind::AgeRestricted);
    let plain = giftdeck::ui::failure::tiktok_failure(*kind, "@x", detail);
    assert_eq!(
        plain.headline,
        "This room is 18+: add your TikTok session in Settings."
    );
    assert!(fake.recorded().sign_requests().is_empty());
}

// ---- the command line ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_takes_the_chain_from_its_flags_and_names_the_outage_on_stderr() {
    let fake = start_fake(FakeConfig {
        sign_faults: vec![SignFault::ServerError {
            status: 500,
            message: "A 500 error occurred".into(),
        }],
        euler: EulerFake {
            api_key: Some(EULER_KEY.into()),
            connections: vec![vec![
                Step::Batch(vec![single(42)]),
                Step::Close {
                    code: 4005,
                    reason: "TikTok stream ended".into(),
                },
            ]],
            after: vec![],
        },
        ..FakeConfig::default()
    })
    .await;
    let memory = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_giftdeck"));
    cmd.arg("watch")
        .arg("--memory-dir")
        .arg(memory.path())
        .arg("@fake_streamer")
        .args(["--tiktok-url", &fake.tiktok_url()])
        .args(["--webcast-url", &fake.webcast_url()])
        .args(["--sign-url", &fake.sign_url()])
        .args(["--provider", "sign", "--provider", "euler-ws"])
        .args(["--euler-ws-url", &fake.euler_ws_url()])
        .env("GIFTDECK_EULER_WS_API_KEY", EULER_KEY)
        .env_remove("GIFTDECK_SIGN_API_KEY")
        .env("RUST_LOG", "off");
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "stderr:\n{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("\"msg_id\":42"), "{stdout}");
    let outage = stderr
        .lines()
        .find(|l| l.contains("connected through Euler's WebSocket instead"))
        .unwrap_or_else(|| panic!("no outage line:\n{stderr}"));
    assert!(
        outage.contains("the sign server is failing right now (HTTP 500 since "),
        "{outage}"
    );
    assert!(
        !stderr.contains(EULER_KEY),
        "the key never shows:\n{stderr}"
    );

    // A name that is not a provider is a usage error.
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .args(["watch", "@x", "--provider", "tiktok"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("sign, euler-ws or custom"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_18_plus_room_with_a_session_connects_and_the_session_goes_only_where_it_must() {
    let fake = start_fake(FakeConfig {
        page: PageMode::AgeRestricted,
        ..FakeConfig::with_scenario(scenario(
            vec![],
            vec![vec![Step::WaitForEnterRoom, Step::Batch(vec![single(18)])]],
        ))
    })
    .await;
    let session = giftdeck::live::TikTokSession::parse(
        "sessionid=sess-secret; sessionid_ss=sess-secret-ss; tt-target-idc=useast5",
    )
    .unwrap();
    let mut run = Run::start(LiveConfig {
        tiktok_session: giftdeck::live::SessionSource::Given(session),
        ..fast(&fake, &[ProviderKind::Sign])
    });
    assert!(
        run.until(|log| !credits_of(log).is_empty()).await,
        "{:#?}",
        run.log
    );
    let recorded = fake.recorded();
    let lookups: Vec<_> = recorded
        .http
        .iter()
        .filter(|r| r.path.starts_with("/api-live"))
        .collect();
    assert_eq!(lookups.len(), 2, "anonymous first, then with the session");
    assert!(
        !lookups[0]
            .header("cookie")
            .unwrap_or_default()
            .contains("sess-secret")
    );
    assert!(
        lookups[1]
            .header("cookie")
            .unwrap()
            .contains("sessionid=sess-secret")
    );
    let sign = &recorded.sign_requests()[0];
    assert_eq!(
        sign.query("session_id"),
        Some("sess-secret"),
        "the signer needs it for this room"
    );
    assert_eq!(sign.query("tt_target_idc"), Some("useast5"));
    let cookie = recorded.connections[0].request.header("cookie").unwrap();
    assert!(
        cookie.contains("sessionid=sess-secret") && cookie.contains("ttwid="),
        "{cookie}"
    );
    // Nothing the session sends to its consumer carries the session.
    let shown = format!("{:?}", run.log);
    assert!(!shown.contains("sess-secret"), "{shown}");
}

// ---- the gift list ----

async fn gift_list_of(run: &Run) -> std::sync::Arc<giftdeck::live::gifts::GiftList> {
    let mut gifts = run.handle.gift_list();
    let got = tokio::time::timeout(WAIT, gifts.wait_for(Option::is_some))
        .await
        .expect("a gift list in time")
        .unwrap()
        .clone();
    got.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gift_list_comes_through_the_chain_is_cached_and_never_blocks_the_connection() {
    let cache = tempfile::tempdir().unwrap();
    let streaming = || {
        FakeConfig::with_scenario(scenario(
            vec![],
            vec![vec![Step::WaitForEnterRoom, Step::Batch(vec![single(3)])]],
        ))
    };
    let fake = start_fake(FakeConfig {
        sign_api_key: Some("k".into()),
        ..streaming()
    })
    .await;
    let run = Run::start(LiveConfig {
        sign_api_key: Some("k".into()),
        gift_cache_dir: Some(cache.path().to_owned()),
        ..fast(&fake, &[ProviderKind::Sign])
    });
    let list = gift_list_of(&run).await;
    assert!(!list.from_cache);
    assert_eq!(list.room_id, fake.room_id());
    let rose = list.gifts.iter().find(|g| g.id == 5655).unwrap();
    assert_eq!((rose.name.as_str(), rose.coins), ("Rose", 1));
    assert_eq!(
        rose.picture_url.as_deref(),
        Some("https://example.invalid/5655.png")
    );
    let asked = fake.recorded();
    let request = asked
        .http
        .iter()
        .find(|r| r.path == "/webcast/gift_info")
        .unwrap();
    assert_eq!(
        request.header("x-api-key"),
        Some("k"),
        "through the sign provider"
    );
    assert!(cache.path().join(format!("{}.json", list.region)).exists());
    drop(run);

    // The provider fails: the stream is not held up, and the cached list is used.
    let failing = start_fake(FakeConfig {
        gift_list_fails: true,
        ..streaming()
    })
    .await;
    let mut run = Run::start(LiveConfig {
        gift_cache_dir: Some(cache.path().to_owned()),
        ..fast(&failing, &[ProviderKind::Sign])
    });
    assert!(
        run.until(|log| !credits_of(log).is_empty()).await,
        "{:#?}",
        run.log
    );
    let cached = gift_list_of(&run).await;
    assert!(cached.from_cache);
    assert_eq!(cached.gifts, list.gifts);
}
