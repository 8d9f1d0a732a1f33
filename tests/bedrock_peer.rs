//! The fake Bedrock game (`testkit::bedrock`) checked once against a peer *server* library we did
//! not write: PyPI `bedrockpy` 1.0.1 runs its server, our fake connects as the game does (without
//! offering the subprotocol: bedrockpy's server does not echo it, and the game's client would
//! then refuse, as tungstenite's does), and bedrockpy sends 300 commands at once and a failing
//! one, subscribes to chat and reads the fake's chat event. So the fake's message formats are the
//! ones a peer expects, and its 100-pending limit holds against a peer that keeps 99 in flight.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/python.rs"]
mod python;
#[path = "support/real.rs"]
mod real;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use giftdeck::testkit::bedrock::{Encryption, FakeGame, FakeGameConfig, SYNTAX_ERROR};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

const SCRIPT: &str = r#"
import asyncio, json, sys
from bedrock.server import Server

app = Server()
out = lambda o: print(json.dumps(o), flush=True)

@app.game_event
async def player_message(ctx):
    out({"event": {"sender": ctx.sender, "message": ctx.message, "type": ctx.type}})

@app.server_event
async def ready(ctx):
    out({"ready": True})

@app.server_event
async def connect(ctx):
    async def storm():
        replies = await asyncio.gather(*(app.run(f"say {i}") for i in range(300)))
        failed = await app.run("fail now")
        out({"ok": sum(r.ok for r in replies), "n": len(replies),
             "first": replies[0].message, "fail": [failed.status, failed.message]})
    asyncio.get_event_loop().create_task(storm())

app.start("127.0.0.1", int(sys.argv[1]))
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_game_talks_to_bedrockpy_as_the_game_does() {
    let Some(python) = python::bedrockpy_python() else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bedrockpy_server.py");
    std::fs::write(&script, SCRIPT).unwrap();
    let mut child = Command::new(python)
        .arg(&script)
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::sync_channel::<Value>(1024);
    std::thread::Builder::new()
        .name("bedrockpy-stdout".into())
        .spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str(&line)
                    && tx.send(value).is_err()
                {
                    return;
                }
            }
        })
        .unwrap();
    let next = |want: &str| loop {
        let line = lines.recv_timeout(WAIT).expect("bedrockpy answered");
        if line.get(want).is_some() {
            return line;
        }
    };
    next("ready");
    let config = FakeGameConfig {
        offer_subprotocol: false,
        encryption: Encryption::Off,
        ..FakeGameConfig::default()
    };
    let game = FakeGame::connect(port, config).await.unwrap();
    game.wait_until(WAIT, |r| r.subscribed.iter().any(|s| s == "PlayerMessage"))
        .await
        .expect("bedrockpy subscribed to chat");
    game.send_event(
        "PlayerMessage",
        json!({"message": "hi from the fake", "sender": "Steve", "receiver": "", "type": "chat"}),
    )
    .await;
    let event = next("event");
    assert_eq!(
        event["event"],
        json!({"sender": "Steve", "message": "hi from the fake", "type": "chat"})
    );
    let storm = next("ok");
    assert_eq!(storm["n"], 300);
    assert_eq!(storm["ok"], 300, "every reply read as a success: {storm}");
    assert_eq!(storm["first"], "ran say 0");
    assert_eq!(storm["fail"][0], SYNTAX_ERROR);
    let record = game.record();
    assert_eq!(record.too_many, 0, "bedrockpy keeps under the limit");
    assert!(
        record.max_pending > 50 && record.max_pending < 100,
        "{}",
        record.max_pending
    );
    let _ = child.kill();
    let _ = child.wait();
}
