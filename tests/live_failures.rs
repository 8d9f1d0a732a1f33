//! The live client's failures against the loopback fake TikTok, each its own kind with its own
//! retry: sign server faults, a blocked device, unknown, offline and blocked users, a refused API
//! key; and the fake's own sign and refusal shapes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/live_run.rs"]
mod live_run;

use std::time::Duration;

use giftdeck::live::{ConnStatus, FailureKind, LiveConfig};
use giftdeck::testkit::fake::{FakeConfig, HandshakeFault, PageMode, SignFault, Step};
use giftdeck::wire;
use live_run::*;

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
