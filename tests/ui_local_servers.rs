//! Settings → TikFinity events API and External triggers, driven headless with egui_kittest as a
//! streamer would (the switches clicked), then used by real loopback clients: a WebSocket client
//! gets the `config` message and a Test gift in TikFinity's shape; an HTTP call with the token
//! fires a trigger (in the feed as EXTERNAL, its action in the queue's log), and calls without
//! the token, with a foreign Host or from a web page are refused and reach nothing. A busy port is
//! said on screen with the fix.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use futures_util::StreamExt as _;
use giftdeck::ui::GiftdeckApp;
use giftdeck::ui::commands::Command;
use serde_json::Value;
use ui_harness::*;

#[path = "support/ui_harness.rs"]
mod ui_harness;

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A settings file with both servers off on ports of the test's own, and one Rose trigger.
fn settings_file(path: &Path, tikfinity_port: u16, external_port: u16) {
    let json = serde_json::json!({
        "version": 1,
        "mappings": [{"trigger": "Rose", "actions": [{"type": "command", "command": "say {nickname} fired it"}]}],
        "tikfinity": {"enabled": false, "port": tikfinity_port},
        "external": {"enabled": false, "port": external_port},
    });
    std::fs::write(path, json.to_string()).unwrap();
}

fn tall_harness(app: GiftdeckApp) -> Harness<'static, GiftdeckApp> {
    Harness::builder()
        .with_size([1280.0, 2200.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app)
}

fn open_settings(h: &mut Harness<'_, GiftdeckApp>) {
    show_page(h, "⚙ Settings");
}

/// Whether some text on screen contains `part`.
fn shows(h: &Harness<'_, GiftdeckApp>, part: &str) -> bool {
    h.query_all_by(|node| {
        node.label().is_some_and(|l| l.contains(part))
            || node.value().is_some_and(|v| v.contains(part))
    })
    .next()
    .is_some()
}

fn step_until_shown(h: &mut Harness<'_, GiftdeckApp>, part: &str) {
    let started = Instant::now();
    while !shows(h, part) {
        assert!(started.elapsed() < TIMEOUT, "never showed {part:?}");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next JSON message, at most [`TIMEOUT`] away.
async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(TIMEOUT, ws.next())
            .await
            .expect("no message in time")
            .expect("the server closed")
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

#[test]
fn turned_on_in_settings_the_tikfinity_events_api_serves_a_real_websocket_client() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let port = free_port();
    settings_file(&path, port, free_port());
    let mut h = tall_harness(app(&rt, &path, false));
    open_settings(&mut h);
    h.get_by_label("Serve TikFinity's events API (for tools written for TikFinity)")
        .click();
    step_until_shown(&mut h, &format!("listening on 127.0.0.1:{port}, 0 clients"));
    assert!(shows(&h, &format!("ws://127.0.0.1:{port}/")));

    let mut ws = rt.block_on(async {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/"))
            .await
            .unwrap();
        assert_eq!(
            next_json(&mut ws).await,
            serde_json::json!({"event": "config", "data": {"events": []}})
        );
        ws
    });
    step_until_shown(&mut h, &format!("listening on 127.0.0.1:{port}, 1 client"));

    // The Rose row's Test button: the gift reaches the client as TikFinity sends it.
    h.state_mut().command(Command::Test { row: 0, count: 1 });
    h.run_steps(2);
    let gift = rt.block_on(async {
        loop {
            let message = next_json(&mut ws).await;
            if message["event"] == "gift" {
                return message;
            }
        }
    });
    let data = &gift["data"];
    assert_eq!(data["giftName"], "Rose", "{gift}");
    assert!(data["userId"].is_string(), "{gift}");
    assert!(data["giftId"].is_number(), "{gift}");
    assert_eq!(data["repeatEnd"], true, "{gift}");
    assert_eq!(data["repeatCount"], 1, "{gift}");
    assert_eq!(data["uniqueId"], "giftdeck_test", "{gift}");

    // Off again: the client is closed and the port is free.
    h.get_by_label("Serve TikFinity's events API (for tools written for TikFinity)")
        .click();
    h.run_steps(2);
    rt.block_on(async {
        let end = tokio::time::timeout(TIMEOUT, async {
            loop {
                match ws.next().await {
                    None | Some(Err(_)) => return,
                    Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) => return,
                    Some(Ok(_)) => {}
                }
            }
        });
        end.await.expect("the client was not closed");
    });
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port was not given back");
}

#[test]
fn a_busy_port_is_said_in_settings_with_the_fix() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    settings_file(&path, port, free_port());
    let mut h = tall_harness(app(&rt, &path, false));
    open_settings(&mut h);
    h.get_by_label("Serve TikFinity's events API (for tools written for TikFinity)")
        .click();
    step_until_shown(
        &mut h,
        &format!("Port {port} on 127.0.0.1 is already in use"),
    );
    assert!(shows(&h, "pick another port here"));
}

async fn call(port: u16, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/trigger"))
        .header("content-type", "application/json")
        .body(r#"{"trigger":"rose","viewer":"Alice","count":1}"#);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

#[test]
fn turned_on_in_settings_external_triggers_fire_with_the_token_and_refuse_without_it() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let port = free_port();
    settings_file(&path, free_port(), port);
    let mut h = tall_harness(app(&rt, &path, false));
    // Made on first start, and saved.
    let token = h.state().settings().external.token.clone();
    assert_eq!(token.len(), 43, "a token made on first start");
    open_settings(&mut h);
    h.get_by_label("Let programs on this computer fire triggers (with the token)")
        .click();
    step_until_shown(&mut h, &format!("listening on 127.0.0.1:{port}"));
    // The curl line with the real port; on screen the token is only hinted at.
    assert!(shows(&h, &format!("http://127.0.0.1:{port}/trigger")));
    assert!(shows(&h, &format!("Bearer {}…", &token[..4])));
    assert!(!shows(&h, &token), "the whole token is on screen");
    // Copy command copies the same line with the whole token.
    h.get_by_label("📋 Copy command").click();
    h.step();
    let copied: Vec<String> = (h.output().platform_output.commands.iter())
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        copied,
        [format!(
            "curl -X POST http://127.0.0.1:{port}/trigger -H \"Authorization: Bearer {token}\" \
             -H \"Content-Type: application/json\" -d '{{\"trigger\":\"Rose\",\"viewer\":\"Alice\",\"count\":1}}'"
        )]
    );

    let bearer = format!("Bearer {token}");
    rt.block_on(async {
        let (status, answer) = call(port, &[]).await;
        assert_eq!(status, 401, "{answer}");
        let (status, answer) = call(port, &[("authorization", "Bearer wrong")]).await;
        assert_eq!(status, 401, "{answer}");
        let (status, answer) = call(
            port,
            &[("authorization", &bearer), ("host", "evil.example")],
        )
        .await;
        assert_eq!(status, 403, "{answer}");
        let (status, answer) = call(
            port,
            &[
                ("authorization", &bearer),
                ("origin", "https://evil.example"),
            ],
        )
        .await;
        assert_eq!(status, 403, "{answer}");
        let (status, answer) = call(port, &[("authorization", &bearer)]).await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(answer["trigger"], "Rose");
    });

    step_until(&mut h, "the external call in the feed", |app| {
        app.feed()
            .rows()
            .any(|r| r.trigger.as_deref() == Some("Rose"))
    });
    let rows: Vec<_> = h.state().feed().rows().collect();
    assert_eq!(
        rows.len(),
        1,
        "only the call with the token reached the feed"
    );
    assert_eq!(rows[0].handle, "Alice");
    assert!(rows[0].test, "not counted as a viewer's gift");
    show_page(&mut h, "📺 Live");
    step_until_shown(&mut h, "EXTERNAL");
    step_until(&mut h, "the action in the queue's log", |app| {
        app.exec_log()
            .any(|l| l.text.contains("say Alice fired it"))
    });
    assert_eq!(h.state().state().local_servers.external_calls, 1);

    // Regenerate: the old token is refused from now on.
    show_page(&mut h, "⚙ Settings");
    h.get_by_label("🔄 Regenerate").click();
    h.run_steps(2);
    let new_token = h.state().settings().external.token.clone();
    assert_ne!(new_token, token);
    step_until_shown(&mut h, &format!("listening on 127.0.0.1:{port}"));
    rt.block_on(async {
        let (status, _) = call(port, &[("authorization", &bearer)]).await;
        assert_eq!(status, 401, "the old token still works");
        let (status, _) = call(port, &[("authorization", &format!("Bearer {new_token}"))]).await;
        assert_eq!(status, 202);
    });
    // The settings file (no keyring in tests) keeps the token, so it survives a restart.
    let started = Instant::now();
    loop {
        h.step();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains(&new_token) {
            break;
        }
        assert!(started.elapsed() < TIMEOUT, "the new token was never saved");
        std::thread::sleep(Duration::from_millis(20));
    }
}
