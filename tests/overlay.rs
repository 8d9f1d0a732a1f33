//! The overlay server against real parts: a real headless Chromium opens the pages while the fake
//! TikTok streams over loopback; a real WebSocket client reads `/events`; a real busy port.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/chromium.rs"]
mod chromium;
#[path = "support/real.rs"]
mod real;

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

use egui_kittest::kittest::Queryable as _;
use giftdeck::actions::{ExecutorConfig, spawn_executor};
use giftdeck::capture::CaptureReader;
use giftdeck::dispatch::{Dispatch, Source, ToOverlays};
use giftdeck::engine::{Decision, EngineConfig, Output, Pipeline};
use giftdeck::event::CreditedGift;
use giftdeck::live::spawn_session;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::overlay::alerts::AlertConfig;
use giftdeck::overlay::{HubConfig, OverlayError, Overlays, Page};
use giftdeck::testkit::fake::{DemoGift, FakeConfig, FakeTikTok, Scenario, Step, gift};
use giftdeck::testkit::frames::{GiftSpec, MessageSpec, encode_gift_message};

const ROSE: DemoGift = DemoGift {
    id: 5655,
    name: "Rose",
    diamonds: 1,
    streakable: false,
};
const GALAXY: DemoGift = DemoGift {
    id: 5996,
    name: "Galaxy",
    diamonds: 1_000,
    streakable: false,
};
/// Fits the 40 characters an overlay shows of a name.
const HOSTILE: &str = "<img src=x onerror=document.title=1>";

fn hub_config(duration_millis: u64) -> HubConfig {
    HubConfig {
        alerts: AlertConfig {
            duration_millis,
            max_lag_millis: 60_000,
        },
        ..HubConfig::default()
    }
}

/// A gift message whose gift struct carries a picture URL, the way TikTok sends it: the encoded
/// message plus a second `gift` field (15) holding only `image.url_list`, which protobuf merges.
fn gift_with_image(msg_id: i64, user_id: i64, nickname: &str, url: &str) -> MessageSpec {
    let mut payload = encode_gift_message(&GiftSpec {
        msg_id,
        user_id,
        unique_id: format!("user{user_id}"),
        nickname: nickname.to_owned(),
        gift_id: ROSE.id,
        gift_name: ROSE.name.to_owned(),
        diamonds: ROSE.diamonds,
        gift_type: 2,
        repeat_count: 1,
        repeat_end: false,
        group_id: 0,
        create_time_millis: 0,
    });
    let url = url.as_bytes();
    let image = [&[0x0a, url.len() as u8][..], url].concat(); // ImageModel.url_list (1)
    let gift = [&[0x0a, image.len() as u8][..], &image].concat(); // Gift.image (1)
    payload.extend_from_slice(&[0x7a, gift.len() as u8]); // WebcastGiftMessage.gift (15)
    payload.extend_from_slice(&gift);
    MessageSpec::Raw {
        method: "WebcastGiftMessage".into(),
        msg_id,
        payload,
    }
}

/// Streams the fake's script through a real session into the overlays.
async fn stream_into(
    overlays: &Overlays,
    scenario: Scenario,
) -> (FakeTikTok, giftdeck::live::LiveHandle) {
    let fake = FakeTikTok::start(FakeConfig::with_scenario(scenario))
        .await
        .unwrap();
    let (_tx, mappings) = watch::channel(MappingTable::default());
    let (events_tx, events) = mpsc::channel(256);
    let handle = spawn_session(fake.live_config(), mappings, events_tx, Arc::new(|| {}));
    let mut dispatch = Dispatch::new(Source::STREAM);
    dispatch.subscribe(ToOverlays(overlays.hub.clone()));
    tokio::spawn(dispatch.run(events));
    (fake, handle)
}

async fn wait_until(what: &str, timeout: Duration, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

const ALERT_STATE: &str = "(() => { const c = document.querySelector('.alert-card:not(.leaving)'); \
    return c ? { id: c.dataset.id, text: c.querySelector('.alert-text').textContent, \
    name: c.querySelector('.name').textContent, \
    img: (c.querySelector('img.gift-image') || {}).src || null, \
    nameChildren: c.querySelector('.name').children.length } : null; })()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_page_in_chromium_merges_a_burst_and_shows_a_hostile_name_as_text() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let overlays = Overlays::start(0, hub_config(1_500)).await.unwrap();
    let port = overlays.server.port();
    let url = format!("http://127.0.0.1:{port}/alerts?width=900&height=200");
    let mut browser = chromium::Browser::open(&binary, &url, 900, 200).await;
    browser
        .wait_for(
            "document.body.dataset.connected",
            Duration::from_secs(20),
            |v| v == "yes",
        )
        .await;
    assert_eq!(overlays.hub.connections(Page::Alerts), 1);
    let title = browser.eval("document.title").await;

    let image = format!("http://127.0.0.1:{port}/rose.png");
    let mut burst = vec![gift_with_image(1, 7, "Alice", &image)];
    burst.extend((2..=5).map(|id| gift(id, 7, "Alice", &ROSE, 1, false)));
    let scenario = Scenario {
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(burst),
            Step::Batch(vec![gift(10, 8, HOSTILE, &GALAXY, 1, false)]),
            Step::Batch(vec![MessageSpec::Follow {
                msg_id: 20,
                user_id: 9,
                unique_id: "bob".into(),
            }]),
            Step::Silent,
        ]],
        ..Scenario::default()
    };
    let (_fake, session) = stream_into(&overlays, scenario).await;

    // Watch the page: every distinct alert it shows, in order.
    let mut seen: Vec<Value> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !seen.iter().any(|s| s["text"] == "bob followed") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "alerts seen so far: {seen:?}"
        );
        let state = browser.eval(ALERT_STATE).await;
        if !state.is_null() && seen.last() != Some(&state) {
            seen.push(state);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let alice: Vec<&Value> = seen.iter().filter(|s| s["name"] == "Alice").collect();
    // The burst is one alert (one id), ending at the merged count.
    assert!(alice.iter().all(|s| s["id"] == alice[0]["id"]), "{seen:?}");
    assert_eq!(alice.last().unwrap()["text"], "Alice sent 5 × Rose");
    assert_eq!(alice[0]["img"], image.as_str());
    let hostile = seen
        .iter()
        .find(|s| s["text"].as_str().unwrap().ends_with("sent 1 × Galaxy"))
        .expect("the Galaxy alert showed");
    assert_eq!(hostile["name"], HOSTILE);
    assert_eq!(hostile["nameChildren"], 0, "the nickname became HTML");
    assert_eq!(
        hostile["text"],
        format!("{HOSTILE} sent 1 × Galaxy").as_str()
    );
    let order: Vec<&str> =
        seen.iter()
            .map(|s| s["name"].as_str().unwrap())
            .fold(Vec::new(), |mut acc, n| {
                if acc.last() != Some(&n) {
                    acc.push(n);
                }
                acc
            });
    assert_eq!(order, ["Alice", HOSTILE, "bob"]);
    assert_eq!(browser.eval("document.title").await, title, "script ran");
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#overlay img:not(.gift-image)').length")
            .await,
        0
    );
    session.stop();

    // giftdeck restarts on the same port: the open page reconnects by itself.
    overlays.stop().await;
    browser
        .wait_for(
            "document.body.dataset.connected",
            Duration::from_secs(10),
            |v| v == "no",
        )
        .await;
    let restarted = Overlays::start(port, hub_config(10_000)).await.unwrap();
    restarted
        .hub
        .send_output(&Output::Credit(decision("Carol", 1)));
    browser
        .wait_for(ALERT_STATE, Duration::from_secs(20), |v| {
            v["text"] == "Carol sent 1 × Rose"
        })
        .await;
    restarted.stop().await;
}

fn decision(nickname: &str, count: u32) -> Decision {
    Decision {
        gift: CreditedGift {
            user_id: nickname.len() as i64,
            unique_id: nickname.to_lowercase(),
            nickname: nickname.to_owned(),
            gift_id: ROSE.id,
            count,
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: None,
    }
}

fn gift_decision(user_id: i64, nickname: &str, gift: &DemoGift, count: u32) -> Output {
    let mut d = decision(nickname, count);
    d.gift.user_id = user_id;
    d.gift.gift_id = gift.id;
    d.gift.gift_name = gift.name.into();
    d.gift.diamonds = gift.diamonds as u32;
    Output::Credit(d)
}

/// Every page in the browser, with state from the hub; screenshots go to `docs/` when
/// `GIFTDECK_SCREENSHOTS=1` (how README's pictures are made), else to a temp dir.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_in_chromium_and_screenshots() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let overlays = Overlays::start(0, hub_config(120_000)).await.unwrap();
    let hub = &overlays.hub;
    let lion = DemoGift {
        id: 6369,
        name: "Lion",
        diamonds: 29_999,
        streakable: false,
    };
    hub.send_output(&gift_decision(1, "Alice 🌹", &ROSE, 5));
    hub.send_output(&gift_decision(2, "Bob", &lion, 1));
    hub.send_output(&gift_decision(3, HOSTILE, &GALAXY, 2));
    hub.send_output(&Output::Event(giftdeck::event::LiveEvent::Social {
        msg_id: 4,
        create_time_millis: 0,
        user: giftdeck::event::User {
            user_id: 4,
            unique_id: "dora".into(),
            nickname: "Dora".into(),
            ..giftdeck::event::User::default()
        },
        kind: giftdeck::event::SocialKind::Follow,
    }));
    hub.send_output(&Output::Event(giftdeck::event::LiveEvent::Like {
        msg_id: 5,
        create_time_millis: 0,
        user: giftdeck::event::User::default(),
        count: 640,
        total: 640,
    }));
    // What the engine counted of it: the goal shows the engine's count.
    hub.send_output(&Output::Likes(giftdeck::engine::Likes {
        added: 640,
        counted: 640,
    }));
    hub.show_text(giftdeck::overlay::TextOverlay {
        title: "Thanks Bob!".into(),
        subtitle: "LION unleashed".into(),
        seconds: 120,
    });
    let port = overlays.server.port();
    let out_dir = if std::env::var_os("GIFTDECK_SCREENSHOTS").is_some() {
        None
    } else {
        Some(tempfile::tempdir().unwrap())
    };
    let dir = out_dir.as_ref().map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs"),
        |d| d.path().to_owned(),
    );
    let pages: [(&str, &str, u32, u32, &str); 5] = [
        ("alerts", "?animate=0", 900, 240, "Alice 🌹 sent 5 × Rose"),
        (
            "goal",
            "?title=Like%20goal&animate=0",
            700,
            220,
            "640 / 1,000",
        ),
        ("top", "?count=3&animate=0", 620, 320, "1.Bob💎 29,999"),
        ("recent", "?count=4&animate=0", 1300, 200, "Dora followed"),
        ("text", "?animate=0", 800, 260, "Thanks Bob!LION unleashed"),
    ];
    for (name, query, width, height, want) in pages {
        let url = format!("http://127.0.0.1:{port}/{name}{query}");
        let mut browser = chromium::Browser::open(&binary, &url, width, height).await;
        let text = browser
            .wait_for(
                "document.getElementById('overlay').textContent",
                Duration::from_secs(20),
                |v| v.as_str().is_some_and(|t| t.contains(want)),
            )
            .await;
        if name == "recent" || name == "top" {
            assert!(text.as_str().unwrap().contains(HOSTILE), "{text}");
        }
        assert_eq!(
            browser
                .eval("getComputedStyle(document.body).backgroundColor")
                .await,
            "rgba(0, 0, 0, 0)",
            "{name} must be transparent"
        );
        drop(browser);
        let path = dir.join(format!("overlay-{name}.png"));
        // Chromium blocks while it renders: off the runtime's worker threads.
        let (binary, url) = (binary.clone(), url.clone());
        let shot = path.clone();
        tokio::task::spawn_blocking(move || {
            chromium::screenshot(&binary, &url, width, height, 2_500, &shot)
        })
        .await
        .unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 1_000);
    }
    overlays.stop().await;
}

/// The `/events` WebSocket: a client receives every event of fixture captures, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_websocket_streams_every_event_of_a_capture_in_order() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let table = MappingTable::new(vec![
        Mapping::new("Rose", vec![Action::command("say rose")]),
        Mapping::new("5655", vec![Action::command("say id")]),
    ]);
    let mut pipeline = Pipeline::new(
        EngineConfig {
            clock_from_messages: true,
            ..EngineConfig::default()
        },
        table,
    );
    let mut outputs = Vec::new();
    for fixture in [
        "interleaved.bin",
        "hostile_nicknames.bin",
        "streak.bin",
        "repeated_end.bin",
    ] {
        let mut reader = CaptureReader::open(&data.join(fixture)).unwrap();
        while let Some(record) = reader.next_record().unwrap() {
            let _ = pipeline.ingest_ws_message(record, 0, &mut outputs);
        }
    }
    pipeline.finish(&mut outputs);
    let mut expected = Vec::new();
    for output in &outputs {
        match output {
            Output::Credit(d) => {
                expected.push(("gift".to_owned(), d.gift.msg_id));
                if d.mapping.is_some() {
                    expected.push(("trigger".to_owned(), d.gift.msg_id));
                }
            }
            Output::Event(e) => expected.push((String::new(), e.msg_id())),
            Output::Fired(f) => expected.push(("trigger".to_owned(), f.line.msg_id)),
            // The like count moves the goal; `/events` says the like message itself.
            Output::Likes(_) => {}
        }
    }
    assert!(expected.len() >= 10, "fixtures too small: {expected:?}");
    assert!(expected.iter().any(|(t, _)| t == "trigger"));

    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let url = format!("ws://127.0.0.1:{}/events", overlays.server.port());
    let (mut client, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    wait_until("client registered", Duration::from_secs(5), || {
        overlays.hub.event_clients() == 1
    })
    .await;
    for output in &outputs {
        overlays.hub.send_output(output);
    }
    let mut received = Vec::new();
    while received.len() < expected.len() {
        let message = tokio::time::timeout(Duration::from_secs(10), client.next())
            .await
            .expect("events arrive")
            .unwrap()
            .unwrap();
        let Message::Text(text) = message else {
            continue;
        };
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_ne!(value["type"], "lagged");
        received.push(value);
    }
    for (i, (value, (kind, msg_id))) in received.iter().zip(&expected).enumerate() {
        assert_eq!(value["seq"], i as u64 + 1);
        assert_eq!(value["msg_id"], *msg_id, "event {i}: {value}");
        if !kind.is_empty() {
            assert_eq!(value["type"], kind.as_str(), "event {i}: {value}");
        }
    }
    // Read-only: what a client sends changes nothing and the stream goes on.
    futures_util::SinkExt::send(
        &mut client,
        Message::text("{\"type\":\"fire\",\"trigger\":\"Rose\"}"),
    )
    .await
    .unwrap();
    overlays
        .hub
        .send_output(&Output::Credit(decision("Zed", 1)));
    let next = tokio::time::timeout(Duration::from_secs(10), client.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(next.to_text().unwrap().contains("\"Zed\""));
    // Stopping the server closes the socket cleanly.
    overlays.stop().await;
    let end = tokio::time::timeout(Duration::from_secs(5), client.next())
        .await
        .expect("the socket closes on stop");
    assert!(matches!(
        end,
        None | Some(Ok(Message::Close(_))) | Some(Err(_))
    ));
}

#[tokio::test]
async fn a_busy_port_is_a_clear_error_with_the_fix() {
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = Overlays::start(port, HubConfig::default())
        .await
        .unwrap_err();
    assert!(matches!(err, OverlayError::PortInUse { port: p } if p == port));
    let text = err.to_string();
    assert!(
        text.contains(&port.to_string()) && text.contains("--overlay-port"),
        "{text}"
    );
}

#[tokio::test]
async fn pages_answer_only_loopback_hosts_with_a_strict_policy() {
    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let base = format!("http://127.0.0.1:{}", overlays.server.port());
    let http = reqwest::Client::new();
    let page = http.get(format!("{base}/alerts")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(page.text().await.unwrap().contains("/overlay.js"));
    let rebound = http
        .get(format!("{base}/alerts"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);
    let missing = http.get(format!("{base}/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let not_ws = http.get(format!("{base}/events")).send().await.unwrap();
    assert_eq!(not_ws.status(), 426);
    overlays.stop().await;
}

/// The overlay-text action goes through the executor's queue and shows, placeholders filled in,
/// viewer text as text.
#[tokio::test]
async fn overlay_text_action_runs_in_the_executor_queue() {
    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let mapping = Mapping::new(
        "Rose",
        vec![Action::OverlayText {
            title: "Thanks {nickname}!".into(),
            subtitle: "{count} × {gift}".into(),
            seconds: 5,
        }],
    );
    let (_tx, mappings) = watch::channel(MappingTable::new(vec![mapping.clone()]));
    let (exec_tx, _exec_rx) = mpsc::channel(64);
    let executor = spawn_executor(
        ExecutorConfig::default(),
        mappings,
        exec_tx,
        Arc::new(|| {}),
    );
    executor.set_overlay(Some(overlays.hub.clone()));
    let mut text = overlays.hub.subscribe_page(Page::Text);
    let mut d = decision(HOSTILE, 3);
    d.mapping = Some(mapping);
    // One run per counted gift: three texts, in order, through the queue.
    assert_eq!(executor.enqueue(&d), 3);
    executor.drained().await;
    let value = loop {
        let value: Value = serde_json::from_str(&text.borrow_and_update()).unwrap();
        if !value["text"].is_null() {
            break value;
        }
        tokio::time::timeout(Duration::from_secs(5), text.changed())
            .await
            .unwrap()
            .unwrap();
    };
    assert_eq!(
        value["text"]["title"],
        format!("Thanks {HOSTILE}!").as_str()
    );
    assert_eq!(value["text"]["subtitle"], "3 × Rose");
    assert_eq!(executor.status().done, 3);
    // With overlays off the action says so in the log (a choice, not a failure).
    executor.set_overlay(None);
    executor.enqueue(&d);
    executor.drained().await;
    let status = executor.status();
    assert_eq!((status.done, status.failed), (6, 0));
    let log = executor.recent_log();
    let last = log.last().unwrap();
    assert_eq!(
        last.outcome.as_deref(),
        Ok("not shown: overlays are off (overlay port 0)")
    );
    overlays.stop().await;
}

fn app_with(
    rt: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    demo: bool,
    overlays: Option<Result<Overlays, OverlayError>>,
) -> egui_kittest::Harness<'static, giftdeck::ui::GiftdeckApp> {
    let app = giftdeck::ui::GiftdeckApp::with_overlays(
        giftdeck::ui::AppOptions {
            settings_path: Some(dir.join("settings.json")),
            runtime: rt.handle().clone(),
            demo,
            secrets: giftdeck::settings::SecretsHome::SettingsFile,
        },
        overlays,
    );
    // The test reads English words: "auto" is English on any machine.
    giftdeck::i18n::assume_os_language(giftdeck::i18n::Lang::En);
    egui_kittest::Harness::builder()
        .with_size([1280.0, 900.0])
        .build_ui_state(
            |ui, app: &mut giftdeck::ui::GiftdeckApp| app.frame_ui(ui),
            app,
        )
}

/// The app's Overlays panel lists the URLs and shows a connected page; the demo stream drives the
/// overlays (its gifts reach `/events` and the alert page's state).
#[test]
fn the_app_lists_overlay_urls_and_its_demo_drives_the_overlays() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let overlays = rt
        .block_on(Overlays::start(0, HubConfig::default()))
        .unwrap();
    let port = overlays.server.port();
    let hub = overlays.hub.clone();
    let mut events = hub.subscribe_events();
    let mut h = app_with(&rt, dir.path(), true, Some(Ok(overlays)));
    h.step();
    h.get_by_label("🖼 Overlays").click();
    h.step();
    h.step();
    let alerts_url = format!("http://127.0.0.1:{port}/alerts");
    assert!(h.query_by_label(&alerts_url).is_some());
    assert!(
        h.query_by_label(&format!("ws://127.0.0.1:{port}/events"))
            .is_some()
    );
    assert_eq!(h.get_all_by_label("not connected").count(), Page::ALL.len());

    // A page opens (what an OBS browser source does): the panel says so.
    let page = rt.spawn(async move {
        let mut response = reqwest::get(format!("http://127.0.0.1:{port}/sse/alerts"))
            .await
            .unwrap();
        while let Ok(Some(_)) = response.chunk().await {}
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while h.query_by_label("1 connected").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the panel never showed the page"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    // The demo's gifts reach the overlays.
    let mut gift_seen = false;
    while !gift_seen {
        assert!(
            std::time::Instant::now() < deadline,
            "no demo gift reached /events"
        );
        h.step();
        while let Ok(line) = events.try_recv() {
            gift_seen |= line.contains("\"type\":\"gift\"");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut alerts = hub.subscribe_page(Page::Alerts);
    let state: Value = serde_json::from_str(&alerts.borrow_and_update()).unwrap();
    assert!(!state["alert"].is_null(), "{state}");
    page.abort();
    drop(h);
}

/// A trigger row's Test button reaches the overlays through the same dispatch as a viewer's gift:
/// the alert shows (so the streamer sees it in OBS), `/events` carries it, and the top gifters
/// board does not count it.
#[test]
fn the_test_button_shows_its_alert_on_the_overlays_and_counts_nowhere() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let overlays = rt
        .block_on(Overlays::start(0, HubConfig::default()))
        .unwrap();
    let hub = overlays.hub.clone();
    let mut events = hub.subscribe_events();
    let mut alerts = hub.subscribe_page(Page::Alerts);
    let top_before = hub.subscribe_page(Page::Top).borrow().clone();
    let mut h = app_with(&rt, dir.path(), false, Some(Ok(overlays)));
    h.step();
    h.get_by_label("🎁 Triggers").click();
    h.step();
    h.get_all_by_label("▶ Test").next().unwrap().click();
    h.step();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut gift_line = None;
    while gift_line.is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the Test gift never reached /events"
        );
        h.step();
        while let Ok(line) = events.try_recv() {
            if line.contains("\"type\":\"gift\"") {
                gift_line = Some(line);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let state: Value = serde_json::from_str(&alerts.borrow_and_update()).unwrap();
    assert!(!state["alert"].is_null(), "the alert shows: {state}");
    assert_eq!(
        *hub.subscribe_page(Page::Top).borrow(),
        top_before,
        "a Test is not a viewer's gift"
    );
    drop(h);
}

/// A busy port: the app starts anyway, without overlays, and says why and what to do.
#[test]
fn the_app_runs_without_overlays_when_the_port_is_busy() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut h = app_with(
        &rt,
        dir.path(),
        false,
        Some(Err(OverlayError::PortInUse { port: 23870 })),
    );
    h.step();
    h.get_by_label("🖼 Overlays").click();
    h.step();
    h.step();
    // In the notice and on the Overlays page.
    assert_eq!(
        h.get_all_by_label_contains("overlay port 23870 on 127.0.0.1 is already in use")
            .count(),
        2
    );
    assert_eq!(h.get_all_by_label_contains("--overlay-port").count(), 2);
}

/// The app redraws its Overlays panel when a page connects or leaves, and only then (an idle
/// window must not repaint on a timer): the hub says so through `subscribe_connections`. On
/// tokio's paused clock, so a quiet minute passes at once.
#[tokio::test(start_paused = true)]
async fn a_page_connecting_and_leaving_is_announced() {
    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let port = overlays.server.port();
    let mut changed = overlays.hub.subscribe_connections();
    changed.borrow_and_update();
    let (chunks_tx, mut chunks) = mpsc::channel::<String>(64);
    let page = tokio::spawn(async move {
        let mut response = reqwest::get(format!("http://127.0.0.1:{port}/sse/goal"))
            .await
            .unwrap();
        while let Ok(Some(chunk)) = response.chunk().await {
            let _ = chunks_tx
                .send(String::from_utf8_lossy(&chunk).into_owned())
                .await;
        }
    });
    tokio::time::timeout(Duration::from_secs(10), changed.changed())
        .await
        .expect("no announcement when the page connected")
        .unwrap();
    assert_eq!(overlays.hub.connections(Page::Goal), 1);
    changed.borrow_and_update();
    // Traffic to the page and a minute of time, but no page comes or goes: no announcement.
    overlays
        .hub
        .send_output(&Output::Likes(giftdeck::engine::Likes {
            added: 640,
            counted: 640,
        }));
    let mut seen = String::new();
    while !seen.contains("\"likes\":640") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), chunks.recv())
            .await
            .unwrap_or_else(|_| panic!("the likes never reached the page; it got {seen}"))
            .expect("page open");
        seen.push_str(&chunk);
    }
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(
        !changed.has_changed().unwrap(),
        "announced although no page came or left"
    );
    page.abort();
    tokio::time::timeout(Duration::from_secs(10), changed.changed())
        .await
        .expect("no announcement when the page left")
        .unwrap();
    assert_eq!(overlays.hub.connections(Page::Goal), 0);
    overlays.stop().await;
}
