//! Minecraft Bedrock over `/connect`: giftdeck's server on loopback against the fake game in
//! `testkit` (written from the documented format): encryption both ways, replies in the queue's
//! log, the 100-pending limit and its "too many commands" error, a disconnect mid-queue, a slow
//! game, events, the busy port and the server binding. The real-client tests are in
//! tests/bedrock_mcpews.rs (npm mcpews) and the fake's cross-check in tests/bedrock_peer.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::sync::Arc;
use std::time::Duration;

use giftdeck::actions::bedrock::{
    BedrockError, BedrockServer, GameEvent, GameState, MAX_IN_FLIGHT,
};
use giftdeck::actions::{
    ExecMsg, ExecutorConfig, ExecutorHandle, QueueStatus, RconConfig, RconState, ServerId,
    spawn_executor,
};
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::bedrock::{Encryption, FakeGame, FakeGameConfig};
use giftdeck::testkit::rcon::FakeRcon;
use serde_json::json;
use tokio::sync::{mpsc, watch};

/// Generous: the machine running tests may be busy building.
const WAIT: Duration = Duration::from_secs(30);

fn decision(commands: &[&str], count: u32, nickname: &str) -> Decision {
    let actions = commands
        .iter()
        .map(|c| Action::Command {
            command: (*c).into(),
            repeat: 1,
        })
        .collect();
    let mapping = Mapping::new("Rose", actions);
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
        mapping: Some(mapping),
    }
}

struct Exec {
    handle: ExecutorHandle,
    events: mpsc::Receiver<ExecMsg>,
    _mappings: watch::Sender<MappingTable>,
}

fn start(config: ExecutorConfig) -> Exec {
    let (tx, rx) = watch::channel(MappingTable::default());
    let (events_tx, events) = mpsc::channel(8192);
    let handle = spawn_executor(config, rx, events_tx, Arc::new(|| {}));
    Exec {
        handle,
        events,
        _mappings: tx,
    }
}

impl Exec {
    fn logs(&mut self) -> Vec<(String, Result<String, String>)> {
        let mut out = Vec::new();
        while let Ok(ExecMsg::Log(line)) = self.events.try_recv() {
            out.push((line.action, line.outcome.map_err(|e| e.to_string())));
        }
        out
    }
}

fn bedrock_config(server: &BedrockServer) -> ExecutorConfig {
    ExecutorConfig {
        gap_millis: 0,
        bedrock: Some(server.link()),
        ..ExecutorConfig::default()
    }
}

async fn status_until(handle: &ExecutorHandle, done: impl Fn(&QueueStatus) -> bool) -> QueueStatus {
    let mut status = handle.status_watch();
    let found = tokio::time::timeout(WAIT, status.wait_for(|s| done(s))).await;
    match found {
        Ok(Ok(status)) => status.clone(),
        _ => panic!("timed out; last status {:?}", handle.status()),
    }
}

async fn connected(server: &BedrockServer) -> GameState {
    let mut state = server.link().state_watch();
    let found = tokio::time::timeout(
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
    .await;
    match found {
        Ok(Ok(state)) => state.clone(),
        _ => panic!("the game never connected: {:?}", server.link().state()),
    }
}

#[tokio::test]
async fn a_gift_runs_on_the_bedrock_world_encrypted_with_replies_in_the_log() {
    let server = BedrockServer::start(0).await.unwrap();
    let game = FakeGame::connect(server.port(), FakeGameConfig::default())
        .await
        .unwrap();
    let state = connected(&server).await;
    assert_eq!(
        state,
        GameState::Connected {
            port: server.port(),
            player: Some("Steve".into()),
            encrypted: true
        }
    );
    let mut exec = start(bedrock_config(&server));
    let queued = exec.handle.enqueue(&decision(
        &[
            "say thanks {nickname}",
            "fail this one",
            "tell @a {nickname} sent {count}",
        ],
        2,
        "Bob @a",
    ));
    assert_eq!(queued, 6);
    let status = status_until(&exec.handle, |s| s.done + s.failed == 6).await;
    assert_eq!((status.done, status.failed), (4, 2));
    let record = game.record();
    assert!(record.encrypted);
    assert_eq!(
        record.ran,
        [
            "say thanks Bob ＠a",
            "fail this one",
            "tell @a Bob ＠a sent 2",
            "say thanks Bob ＠a",
            "fail this one",
            "tell @a Bob ＠a sent 2"
        ],
        "in order, escaped by Bedrock's rules"
    );
    let logs = exec.logs();
    assert_eq!(logs.len(), 6);
    assert_eq!(
        logs[0],
        (
            "/say thanks Bob ＠a".to_owned(),
            Ok("ran say thanks Bob ＠a".to_owned())
        )
    );
    let failure = logs[1].1.as_ref().unwrap_err();
    assert!(
        failure.starts_with("the game refused the command: Syntax error")
            && failure.contains("syntax error, status -2147483648"),
        "{failure}"
    );
    assert_eq!(status.server, ServerId::Bedrock(server.port()));
    assert_eq!(status.rcon, RconState::Connected);
}

#[tokio::test]
async fn the_older_encryption_command_and_a_plain_game_work_too() {
    for (encryption, encrypted) in [(Encryption::Legacy, true), (Encryption::Off, false)] {
        let server = BedrockServer::start(0).await.unwrap();
        let config = FakeGameConfig {
            encryption,
            ..FakeGameConfig::default()
        };
        let game = FakeGame::connect(server.port(), config).await.unwrap();
        let state = connected(&server).await;
        assert!(
            matches!(state, GameState::Connected { encrypted: e, .. } if e == encrypted),
            "{encryption:?}: {state:?}"
        );
        let reply = server.link().request("say hi", WAIT).await.unwrap();
        assert_eq!(
            (reply.status_code, reply.message.as_str()),
            (0, "ran say hi")
        );
        assert_eq!(game.record().encrypted, encrypted);
    }
}

#[tokio::test]
async fn a_storm_on_a_slow_game_stays_under_its_limit_and_in_order() {
    let server = BedrockServer::start(0).await.unwrap();
    // A slow game: 5 answers every 20 ms.
    let config = FakeGameConfig {
        per_tick: 5,
        tick: Duration::from_millis(20),
        ..FakeGameConfig::default()
    };
    let game = FakeGame::connect(server.port(), config).await.unwrap();
    connected(&server).await;
    let exec = start(bedrock_config(&server));
    exec.handle
        .enqueue(&decision(&["summon tnt ~ ~{count} ~"], 1, "x"));
    let commands: Vec<String> = (0..300).map(|i| format!("say {i}")).collect();
    let refs: Vec<&str> = commands.iter().map(String::as_str).collect();
    exec.handle.enqueue(&decision(&refs, 1, "x"));
    let status = status_until(&exec.handle, |s| s.done == 301).await;
    assert_eq!(status.failed, 0);
    let record = game.record();
    assert_eq!(record.too_many, 0, "never over the game's limit");
    assert!(
        record.max_pending <= MAX_IN_FLIGHT && record.max_pending > 10,
        "pipelined, under 100: {}",
        record.max_pending
    );
    let mut want = vec!["summon tnt ~ ~1 ~".to_owned()];
    want.extend(commands);
    assert_eq!(record.ran, want, "in order");
    exec.handle.drained().await;
    assert_eq!(exec.handle.status().in_flight, 0);
}

#[tokio::test]
async fn too_many_commands_are_sent_again_and_nothing_is_lost() {
    let server = BedrockServer::start(0).await.unwrap();
    // Another tool uses most of the game's room: only 5 of ours may wait.
    let config = FakeGameConfig {
        pending_limit: 5,
        per_tick: 2,
        tick: Duration::from_millis(10),
        ..FakeGameConfig::default()
    };
    let game = FakeGame::connect(server.port(), config).await.unwrap();
    connected(&server).await;
    let mut exec = start(bedrock_config(&server));
    let commands: Vec<String> = (0..120).map(|i| format!("say {i}")).collect();
    let refs: Vec<&str> = commands.iter().map(String::as_str).collect();
    exec.handle.enqueue(&decision(&refs, 1, "x"));
    let status = status_until(&exec.handle, |s| s.done == 120).await;
    assert_eq!(status.failed, 0);
    let record = game.record();
    assert!(record.too_many > 0, "the game did refuse some");
    let mut ran = record.ran.clone();
    ran.sort();
    ran.dedup();
    assert_eq!(ran.len(), 120, "each ran exactly once");
    assert_eq!(record.ran.len(), 120);
    assert_eq!(
        exec.logs().len(),
        120,
        "one log line per command, none for a retry"
    );
}

#[tokio::test]
async fn a_disconnect_mid_queue_fails_what_was_unanswered_and_the_rest_waits() {
    let server = BedrockServer::start(0).await.unwrap();
    let config = FakeGameConfig {
        per_tick: 1,
        tick: Duration::from_millis(20),
        disconnect_after: Some(20),
        ..FakeGameConfig::default()
    };
    let first = FakeGame::connect(server.port(), config).await.unwrap();
    connected(&server).await;
    let mut exec = start(ExecutorConfig {
        gap_millis: 5,
        ..bedrock_config(&server)
    });
    let commands: Vec<String> = (0..60).map(|i| format!("say {i}")).collect();
    let refs: Vec<&str> = commands.iter().map(String::as_str).collect();
    exec.handle.enqueue(&decision(&refs, 1, "x"));
    let waiting = status_until(&exec.handle, |s| {
        matches!(s.rcon, RconState::WaitingForGame { .. }) && s.in_flight == 0 && s.depth > 0
    })
    .await;
    let gone = first.wait_until(WAIT, |r| r.closed).await.unwrap();
    assert_eq!(gone.commands.len(), 20, "sent while it was there");
    // What the game had not answered (and anything sent as it closed) failed in plain words.
    let unanswered = 20 - gone.ran.len() as u64;
    assert!(
        unanswered > 0 && waiting.failed >= unanswered,
        "{waiting:?}"
    );
    let logs = exec.logs();
    let failure = logs.iter().find_map(|(_, o)| o.clone().err()).unwrap();
    assert!(failure.contains("may or may not have run"), "{failure}");
    // The streamer types /connect again: the rest runs, in order, nothing twice.
    let second = FakeGame::connect(server.port(), FakeGameConfig::default())
        .await
        .unwrap();
    let status = status_until(&exec.handle, |s| s.done + s.failed == 60).await;
    assert_eq!(
        status.failed, waiting.failed,
        "nothing failed after the reconnect"
    );
    let again = second.record();
    assert_eq!((gone.ran.len() + again.ran.len()) as u64, status.done);
    let mut all = [gone.ran.clone(), again.ran.clone()].concat();
    let in_order = all.clone();
    all.sort_by_key(|c| c[4..].parse::<u32>().unwrap());
    assert_eq!(all, in_order, "in order across the reconnect");
    all.dedup();
    assert_eq!(all.len() as u64, status.done, "nothing ran twice");
}

#[tokio::test]
async fn events_are_subscribed_and_typed() {
    let server = BedrockServer::start(0).await.unwrap();
    let mut events = server.link().events();
    let game = FakeGame::connect(server.port(), FakeGameConfig::default())
        .await
        .unwrap();
    connected(&server).await;
    let record = game
        .wait_until(WAIT, |r| r.subscribed.len() >= 2)
        .await
        .unwrap();
    assert!(record.subscribed.iter().any(|s| s == "PlayerDied"));
    assert!(record.subscribed.iter().any(|s| s == "PlayerMessage"));
    game.send_event(
        "PlayerDied",
        json!({"cause": 2, "player": {"name": "Steve", "position": {"x": 0, "y": 64, "z": 0}}}),
    )
    .await;
    game.send_event(
        "PlayerMessage",
        json!({"message": "gg", "sender": "Alex", "receiver": "", "type": "chat"}),
    )
    .await;
    let died = tokio::time::timeout(WAIT, events.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        died,
        GameEvent::PlayerDied {
            player: "Steve".into(),
            cause: Some(2)
        }
    );
    let chat = tokio::time::timeout(WAIT, events.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(chat, GameEvent::PlayerMessage { ref sender, ref message, .. } if sender == "Alex" && message == "gg")
    );
}

#[tokio::test]
async fn a_busy_port_says_how_to_fix_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = BedrockServer::start(port).await.unwrap_err();
    assert!(matches!(err, BedrockError::PortInUse { port: p } if p == port));
    let words = err.to_string();
    assert!(
        words.contains("already in use")
            && words.contains("bedrock.port")
            && words.contains("--bedrock-port"),
        "{words}"
    );
}

#[tokio::test]
async fn a_web_page_or_a_foreign_host_cannot_connect() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let server = BedrockServer::start(0).await.unwrap();
    let url = format!("ws://127.0.0.1:{}", server.port());
    let mut from_page = url.as_str().into_client_request().unwrap();
    from_page
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(from_page).await.is_err());
    let mut foreign = url.as_str().into_client_request().unwrap();
    foreign
        .headers_mut()
        .insert("host", "evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(foreign).await.is_err());
    assert_eq!(
        server.link().state(),
        GameState::Waiting {
            port: server.port()
        }
    );
}

#[tokio::test]
async fn a_queue_never_crosses_between_the_bedrock_world_and_the_java_server() {
    let server = BedrockServer::start(0).await.unwrap();
    let rcon = FakeRcon::start("pw").await.unwrap();
    let java = ExecutorConfig {
        gap_millis: 0,
        rcon: Some(RconConfig {
            host: "127.0.0.1".into(),
            port: rcon.addr.port(),
            password: "pw".into(),
        }),
        ..ExecutorConfig::default()
    };
    let both = ExecutorConfig {
        bedrock: Some(server.link()),
        ..java.clone()
    };
    // The Bedrock world is the streamer's server; no game is connected yet.
    let exec = start(both);
    exec.handle.enqueue(&decision(&["say for bedrock"], 3, "x"));
    let waiting = status_until(&exec.handle, |s| {
        matches!(s.rcon, RconState::WaitingForGame { .. }) && s.depth == 3
    })
    .await;
    assert_eq!(waiting.server, ServerId::Bedrock(server.port()));
    // Switching to the Java server holds them for the Bedrock world; none goes to RCON.
    exec.handle.set_config(java.clone());
    exec.handle.enqueue(&decision(&["say for java"], 1, "x"));
    let status = status_until(&exec.handle, |s| s.done == 1).await;
    assert_eq!(status.held.len(), 1);
    assert_eq!(status.held[0].server, ServerId::Bedrock(server.port()));
    assert_eq!(status.held[0].count, 3);
    assert_eq!(rcon.commands(), ["say for java"]);
}

/// `replay --execute --bedrock-port` with no game: it waits `--drain-timeout`, says what to type
/// and exits 2 (the run could not start, as with an RCON server that refuses the login).
#[test]
fn replay_without_a_game_says_what_to_type_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let mappings = dir.path().join("mappings.json");
    std::fs::write(
        &mappings,
        r#"{"mappings":[{"trigger":"Rose","actions":[{"type":"command","command":"say rose"}]}]}"#,
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let capture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/streak.bin");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(&capture)
        .arg("--mappings")
        .arg(&mappings)
        .args([
            "--execute",
            "--bedrock-port",
            &port.to_string(),
            "--drain-timeout",
            "1",
        ])
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the Bedrock game did not connect within 1 s: type /connect 127.0.0.1:{port}"
        )),
        "{stderr}"
    );
    // --bedrock-port and --rcon are one or the other.
    let both = std::process::Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(&capture)
        .args([
            "--execute",
            "--bedrock-port",
            "1",
            "--rcon",
            "127.0.0.1:25575",
        ])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
}
