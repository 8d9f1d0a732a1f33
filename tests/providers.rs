//! The provider chain against the loopback fake TikTok: each provider (the sign server with and
//! without a key, Euler's managed WebSocket, a custom sign URL), each switch (HTTP 5xx, the
//! `ws-fallback` stub, a refused key, three failures in a row, 429 with a wait) and the managed
//! WebSocket's close codes as typed failures. `provider_outage.rs` has the outage mid-stream.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/chain_run.rs"]
mod chain_run;

use std::time::Duration;

use chain_run::*;
use giftdeck::backoff::Backoff;
use giftdeck::live::{ChainPolicy, ConnStatus, FailureKind, LiveConfig, ProviderKind};
use giftdeck::testkit::fake::{EulerFake, FakeConfig, FakeTikTok, SignFault, Step};

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
