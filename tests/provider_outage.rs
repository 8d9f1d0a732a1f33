//! The provider chain through an outage and over time, on the loopback fake TikTok: the 8-hour
//! renewal, the sign server failing mid-stream (0 lost, 0 doubled, back when it recovers), rooms
//! that need a login, the gift list, and `giftdeck watch` with the chain's flags.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/chain_run.rs"]
mod chain_run;

use std::collections::BTreeMap;

use chain_run::*;
use giftdeck::live::{ConnStatus, FailureKind, LiveConfig, ProviderKind};
use giftdeck::testkit::fake::{EulerFake, FakeConfig, PageMode, SignFault, Step};
use giftdeck::testkit::frames::ClientFrame;

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

/// The outage: TikTok's socket drops, the sign server answers 500 to the reconnect and to the
/// first two probes and then recovers, and Euler's WebSocket relays the stream meanwhile. Truth:
/// the viewers send gifts 1..=6 (a streak 100..102 spans all three sockets).
fn outage() -> FakeConfig {
    let history = vec![single(1)];
    FakeConfig {
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
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_server_outage_mid_stream_loses_and_doubles_nothing_and_comes_back() {
    let fake = start_fake(outage()).await;
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
    let picture = rose.picture_url.as_deref().unwrap();
    assert!(
        picture.starts_with("http://127.0.0.1:") && picture.ends_with("/gift-pictures/5655.png"),
        "the fake's own picture: {picture}"
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
