//! giftdeck's `/connect` server against a client we did not write: npm `mcpews` (MIT), whose
//! `WSClient` behaves as the Bedrock game does, encryption included. The client answers every
//! command (`fail…` with the game's syntax error), reports what it saw as JSON lines, and sends a
//! chat event once giftdeck subscribed. Both encryption handshakes are run: `ws:encrypt`, and the
//! older `enableencryption` command (the client refuses the first). Also `replay --execute
//! --bedrock-port` as a process with mcpews as the game.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/node.rs"]
mod node;
#[path = "support/real.rs"]
mod real;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use giftdeck::actions::bedrock::{BedrockServer, GameEvent, GameState};
use giftdeck::actions::{ExecMsg, ExecutorConfig, spawn_executor};
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use serde_json::Value;
use tokio::sync::{mpsc as tokio_mpsc, watch};

const WAIT: Duration = Duration::from_secs(60);

/// The game, played by mcpews' client. `mode` is `modern` or `legacy`.
const SCRIPT: &str = r#"
import { WSClient, Version } from 'mcpews';
const [url, mode] = process.argv.slice(2);
const out = (o) => console.log(JSON.stringify(o));
let tries = 0;
function connect() {
  const client = new WSClient(url, Version.V1_4_0);
  client.socket.on('error', () => { if (++tries < 300) setTimeout(connect, 100); else process.exit(4); });
  client.on('encryptionEnabled', () => out({ encrypted: true }));
  client.on('encryptRequest', (request) => { if (mode === 'legacy') request.cancel(); });
  client.on('subscribe', (event) => {
    out({ subscribe: event.eventName });
    if (event.eventName === 'PlayerMessage') {
      setTimeout(() => client.publishEvent('PlayerMessage',
        { message: 'hello from mcpews', sender: 'Alex', receiver: '', type: 'chat' }), 50);
    }
  });
  client.on('command', (frame) => {
    if (mode === 'legacy' && frame.handleEncryptionHandshake()) return;
    const line = frame.commandLine;
    if (line === 'getlocalplayername') {
      frame.respond({ statusCode: 0, statusMessage: 'Alex', localplayername: 'Alex' });
      return;
    }
    out({ command: line });
    if (line.startsWith('fail')) {
      frame.respond({ statusCode: -2147483648, statusMessage: 'Syntax error: Unexpected "fail"' });
    } else {
      frame.respond({ statusCode: 0, statusMessage: 'done ' + line });
    }
  });
  client.on('disconnect', () => { out({ closed: true }); process.exit(0); });
}
connect();
setTimeout(() => { out({ timeout: true }); process.exit(3); }, 60000);
"#;

/// The mcpews game running under Node, its JSON lines on a channel.
struct McpewsGame {
    child: Child,
    lines: mpsc::Receiver<Value>,
    seen: Vec<Value>,
}

impl Drop for McpewsGame {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl McpewsGame {
    fn start(port: u16, mode: &str) -> Option<Self> {
        let (node, dir) = node::node_packages()?;
        let script = dir.join("giftdeck-mcpews-game.mjs");
        std::fs::write(&script, SCRIPT).unwrap();
        let mut child = Command::new(node)
            .arg("--no-warnings")
            .arg(&script)
            .args([format!("ws://127.0.0.1:{port}"), mode.to_owned()])
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::sync_channel(1 << 14);
        std::thread::Builder::new()
            .name("mcpews-stdout".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let Ok(value) = serde_json::from_str(&line) else {
                        continue;
                    };
                    if tx.send(value).is_err() {
                        return;
                    }
                }
            })
            .unwrap();
        Some(Self {
            child,
            lines,
            seen: Vec::new(),
        })
    }

    /// Waits for a line that `want` accepts; every line seen is kept.
    fn wait_for(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(found) = self.seen.iter().find(|v| want(v)) {
            return found.clone();
        }
        loop {
            let line = self
                .lines
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("mcpews said no such line; saw {:?}", self.seen));
            self.seen.push(line.clone());
            if want(&line) {
                return line;
            }
        }
    }

    /// Waits until `n` commands arrived; returns them.
    fn wait_commands(&mut self, n: usize) -> Vec<String> {
        while self.commands().len() < n {
            let line = self
                .lines
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("fewer than {n} commands; saw {:?}", self.seen));
            self.seen.push(line);
        }
        self.commands()
    }

    fn commands(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter_map(|v| v["command"].as_str().map(str::to_owned))
            .collect()
    }
}

fn decision(commands: &[&str], count: u32, nickname: &str) -> Decision {
    let actions = commands
        .iter()
        .map(|c| Action::Command {
            command: (*c).into(),
            repeat: 1,
        })
        .collect();
    Decision {
        gift: CreditedGift {
            msg_id: 7,
            user_id: 42,
            unique_id: "viewer_1".into(),
            nickname: nickname.into(),
            count,
            trigger: Some("Rose".into()),
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: Some(Mapping::new("Rose", actions)),
    }
}

async fn run_against_mcpews(mode: &str) {
    let server = BedrockServer::start(0).await.unwrap();
    let mut events = server.link().events();
    let Some(mut game) = McpewsGame::start(server.port(), mode) else {
        return;
    };
    let mut state = server.link().state_watch();
    let connected = tokio::time::timeout(
        WAIT,
        state.wait_for(|s| {
            matches!(
                s,
                GameState::Connected {
                    player: Some(_),
                    ..
                }
            )
        }),
    )
    .await
    .expect("mcpews connected")
    .unwrap()
    .clone();
    assert_eq!(
        connected,
        GameState::Connected {
            port: server.port(),
            player: Some("Alex".into()),
            encrypted: true
        },
        "{mode}"
    );
    let (tx, rx) = watch::channel(MappingTable::default());
    let (log_tx, mut log) = tokio_mpsc::channel(256);
    let handle = spawn_executor(
        ExecutorConfig {
            gap_millis: 0,
            bedrock: Some(server.link()),
            ..ExecutorConfig::default()
        },
        rx,
        log_tx,
        Arc::new(|| {}),
    );
    handle.enqueue(&decision(
        &[
            r#"tellraw @a {"rawtext":[{"text":"{nickname} sent a Rose"}]}"#,
            "fail {nickname}",
        ],
        3,
        "Bob\"} @a",
    ));
    let mut lines = Vec::new();
    while lines.len() < 6 {
        let Some(ExecMsg::Log(line)) = tokio::time::timeout(WAIT, log.recv()).await.unwrap() else {
            panic!("the log closed");
        };
        lines.push((line.action, line.outcome.map_err(|e| e.to_string())));
    }
    let tellraw = r#"tellraw @a {"rawtext":[{"text":"Bob\"} ＠a sent a Rose"}]}"#;
    assert_eq!(
        lines[0],
        (format!("/{tellraw}"), Ok(format!("done {tellraw}")))
    );
    let failure = lines[1].1.clone().unwrap_err();
    assert!(failure.contains("Syntax error"), "{failure}");
    let status = handle.status();
    assert_eq!((status.done, status.failed), (3, 3));
    game.wait_for(|v| v["encrypted"] == true);
    game.wait_for(|v| v["subscribe"] == "PlayerDied");
    // `fail` is no command giftdeck knows: the viewer's text is one word there.
    game.wait_for(|v| v["command"].as_str() == Some("fail Bob_a"));
    let commands = game.wait_commands(6);
    assert_eq!(commands.len(), 6, "{commands:?}");
    assert_eq!(commands[0], tellraw, "in order, escaped by Bedrock's rules");
    let chat = tokio::time::timeout(WAIT, events.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        chat,
        GameEvent::PlayerMessage {
            sender: "Alex".into(),
            receiver: String::new(),
            message: "hello from mcpews".into(),
            kind: "chat".into()
        }
    );
    drop(tx);
    drop(server);
    game.wait_for(|v| v["closed"] == true);
}

// Multi-threaded: the test blocks its thread on mcpews' output while the server's tasks run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcpews_plays_the_game_with_ws_encrypt() {
    run_against_mcpews("modern").await;
}

// Multi-threaded: the test blocks its thread on mcpews' output while the server's tasks run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcpews_plays_an_older_game_with_the_enableencryption_command() {
    run_against_mcpews("legacy").await;
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn mappings(dir: &Path, commands: &[&str]) -> PathBuf {
    let actions: Vec<Value> = commands
        .iter()
        .map(|c| serde_json::json!({"type": "command", "command": c}))
        .collect();
    let json = serde_json::json!({"mappings": [{"trigger": "Rose", "actions": actions}]});
    let path = dir.join("mappings.json");
    std::fs::write(&path, json.to_string()).unwrap();
    path
}

/// `replay --execute --bedrock-port` as a process: it waits for the game, runs the capture's
/// actions on it and exits 0 when all ran, 3 when one failed.
#[test]
fn replay_runs_a_capture_on_the_mcpews_game_with_exit_codes() {
    if node::node_packages().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/streak.bin");
    for (commands, code) in [
        (&["say rose {count}"][..], 0),
        (&["say rose", "fail now"][..], 3),
    ] {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
            .arg("replay")
            .arg(&capture)
            .arg("--mappings")
            .arg(mappings(dir.path(), commands))
            .args(["--execute", "--bedrock-port", &port.to_string()])
            .args(["--drain-timeout", "60"])
            .env("RUST_LOG", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut game = McpewsGame::start(port, "modern").unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(
            stderr.contains(&format!("/connect 127.0.0.1:{port}"))
                && stderr.contains("Bedrock world connected (player Alex, encrypted)"),
            "{stderr}"
        );
        game.wait_for(|v| v["closed"] == true);
        assert!(!game.commands().is_empty(), "{stderr}");
    }
}
