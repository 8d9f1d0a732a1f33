//! The real live client against the loopback fake TikTok, one fault mode per test: what the client
//! sent (enter room, heartbeats, acks, User-Agent, cookie) and what it credited. Failures each get
//! their own kind in `live_failures.rs`; `giftdeck watch` as a process is in `watch.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/live_run.rs"]
mod live_run;

use std::time::Duration;

use giftdeck::engine::{Output, Stamped};
use giftdeck::event::EndedBy;
use giftdeck::live::{ConnStatus, LiveConfig, LiveMsg};
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::fake::{FakeConfig, PageMode, Scenario, Step};
use giftdeck::testkit::frames::{self, ClientFrame, Compression, MessageSpec};
use live_run::*;

/// The push socket's upgrade request carries the signing identity like a browser's: the same
/// User-Agent, TikTok's cookie without its attributes, the signed route and cursor.
fn assert_push_request_is_a_browsers(
    request: &giftdeck::testkit::fake::HttpRequest,
    user_agent: &str,
) {
    assert_eq!(
        request.header("user-agent"),
        Some(user_agent),
        "same UA as signing"
    );
    let cookie = request.header("cookie").unwrap_or_default();
    assert!(cookie.contains("ttwid=1%7CFAKE-ttwid"), "{cookie}");
    assert!(
        !cookie.contains("Path") && !cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert_eq!(request.path, "/webcast/im/ws_proxy/ws_reuse_supplement/");
    assert_eq!(request.query("room_id"), Some(ROOM));
    assert_eq!(request.query("compress"), Some("gzip"));
    assert_eq!(request.query("wrss"), Some("fake-wrss-1"), "route params");
    assert_eq!(request.query("cursor"), Some("c-sign-1"));
    assert_eq!(request.query("internal_ext"), Some("ie-sign-1"));
    assert_eq!(request.query_all("version_code"), ["180800", "270000"]);
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
    assert_push_request_is_a_browsers(&conn.request, user_agent);
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
async fn the_demo_stream_credits_gifts_with_hostile_names() {
    let fake = start_fake(FakeConfig::demo()).await;
    let mut run = Run::start(fast(fake.live_config()));
    run.until_credits(3).await;
    assert!(run.statuses().iter().any(is_live));
    assert!(run.credits().iter().all(|c| c.count >= 1));
}
