//! A fake Minecraft Bedrock game for tests: a WebSocket *client* of a `/connect` server, written
//! from the documented format (`shared/research/tech-wave3.md`, checked against the PyPI server
//! library bedrockpy). It offers the `com.microsoft.minecraft.wsencrypt` subprotocol, answers
//! `ws:encrypt` (or the older `enableencryption` command), keeps at most `pending_limit` commands
//! waiting and refuses more with the game's "too many commands" error, answers `per_tick` of them
//! each `tick`, answers `getlocalplayername`, records subscriptions and sends subscribed events.
//! It can disconnect after a number of commands, and fail commands that start with `fail`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::actions::bedrock::crypto::{Cipher, game_answer};
use crate::actions::bedrock::protocol::TOO_MANY_PENDING;

/// The game's words for the 101st pending command.
pub const TOO_MANY_MESSAGE: &str = "Too many commands have been requested, wait for one to be done";
/// The game's syntax error code.
pub const SYNTAX_ERROR: i64 = -2_147_483_648;

/// The game's code for a command that found no target.
pub const NO_TARGETS: i64 = -2_147_352_576;

/// Which encryption handshake the fake takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encryption {
    /// `ws:encrypt` (newer games).
    Modern,
    /// Only the `enableencryption` command (older games).
    Legacy,
    /// Neither ("Require Encrypted Websockets" off and an old protocol).
    Off,
}

/// How the fake game behaves.
#[derive(Clone, Debug)]
pub struct FakeGameConfig {
    /// Offer the subprotocol, as the game does (off for peers that do not echo it).
    pub offer_subprotocol: bool,
    pub encryption: Encryption,
    /// Commands the game keeps waiting before it refuses more (the game: 100).
    pub pending_limit: usize,
    /// Answers per tick, and the tick.
    pub per_tick: usize,
    pub tick: Duration,
    /// Close the connection once this many commands arrived.
    pub disconnect_after: Option<usize>,
    /// The local player's name (`getlocalplayername`).
    pub player: String,
}

impl Default for FakeGameConfig {
    fn default() -> Self {
        Self {
            offer_subprotocol: true,
            encryption: Encryption::Modern,
            pending_limit: 100,
            per_tick: 10,
            tick: Duration::from_millis(50),
            disconnect_after: None,
            player: "Steve".to_owned(),
        }
    }
}

/// What the fake saw.
#[derive(Clone, Debug, Default)]
pub struct FakeGameRecord {
    /// Every command line that reached the game (refused ones included), in arrival order.
    pub commands: Vec<String>,
    /// Commands the game ran (answered), in the order it ran them.
    pub ran: Vec<String>,
    pub subscribed: Vec<String>,
    /// The most commands ever waiting at once.
    pub max_pending: usize,
    /// "Too many commands" errors sent.
    pub too_many: usize,
    pub encrypted: bool,
    /// The connection is closed.
    pub closed: bool,
}

struct Shared {
    record: Mutex<FakeGameRecord>,
    changed: Notify,
    /// The local player is on the death screen: `testfor @e[type=player…]` finds nobody.
    player_dead: std::sync::atomic::AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FakeGameRecord> {
        self.record.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, f: impl FnOnce(&mut FakeGameRecord)) {
        f(&mut self.lock());
        self.changed.notify_waiters();
    }
}

/// Why the fake could not connect.
#[derive(Debug, thiserror::Error)]
#[error("the fake game could not connect to {url}: {source}")]
pub struct FakeGameError {
    url: String,
    #[source]
    source: tokio_tungstenite::tungstenite::Error,
}

/// A connected fake game; disconnects when dropped.
pub struct FakeGame {
    shared: Arc<Shared>,
    events: mpsc::Sender<(String, Value)>,
    task: JoinHandle<()>,
    /// The local player's name.
    player: String,
}

impl Drop for FakeGame {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeGame {
    /// Connects to `ws://127.0.0.1:PORT` as the game does after `/connect`.
    pub async fn connect(port: u16, config: FakeGameConfig) -> Result<Self, FakeGameError> {
        let url = format!("ws://127.0.0.1:{port}");
        let err = |source| FakeGameError {
            url: url.clone(),
            source,
        };
        let mut request = url.as_str().into_client_request().map_err(err)?;
        if config.offer_subprotocol {
            request.headers_mut().insert(
                "sec-websocket-protocol",
                HeaderValue::from_static("com.microsoft.minecraft.wsencrypt"),
            );
        }
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(err)?;
        let shared = Arc::new(Shared {
            record: Mutex::new(FakeGameRecord::default()),
            changed: Notify::new(),
            player_dead: std::sync::atomic::AtomicBool::new(false),
        });
        let player = config.player.clone();
        let (events, events_rx) = mpsc::channel(64);
        let game = Game {
            ws,
            cipher: None,
            config,
            shared: shared.clone(),
            pending: VecDeque::new(),
            arrived: 0,
        };
        let task = tokio::spawn(game.run(events_rx));
        Ok(Self {
            shared,
            events,
            task,
            player,
        })
    }

    pub fn record(&self) -> FakeGameRecord {
        self.shared.lock().clone()
    }

    /// Waits (up to `deadline`) until `done` holds for the record; returns the record.
    pub async fn wait_until(
        &self,
        deadline: Duration,
        done: impl Fn(&FakeGameRecord) -> bool,
    ) -> Option<FakeGameRecord> {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let record = self.record();
            if done(&record) {
                return Some(record);
            }
            tokio::select! {
                () = changed => {}
                () = tokio::time::sleep_until(until) => return None,
            }
        }
    }

    /// The local player dies: the death screen (living-entity selectors miss them) and the
    /// `PlayerDied` event, as the game sends it.
    pub async fn kill_player(&self) {
        self.shared
            .player_dead
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let body = json!({"cause": 2, "inRaid": false, "killer": {"type": 32},
            "player": {"name": self.player, "position": {"x": 0, "y": 64, "z": 0}}});
        self.send_event("PlayerDied", body).await;
    }

    /// The local player respawns (the game sends no event for it).
    pub fn respawn_player(&self) {
        self.shared
            .player_dead
            .store(false, std::sync::atomic::Ordering::SeqCst);
    }

    /// Sends `name` with `body` as the game sends an event (only if the server subscribed).
    pub async fn send_event(&self, name: &str, body: Value) {
        let _ = self.events.send((name.to_owned(), body)).await;
    }
}

struct Game {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    cipher: Option<Cipher>,
    config: FakeGameConfig,
    shared: Arc<Shared>,
    /// Waiting commands: request id and command line.
    pending: VecDeque<(String, String)>,
    arrived: usize,
}

fn frame(purpose: &str, request_id: &str, body: Value) -> String {
    json!({
        "header": {"version": 17_039_360, "requestId": request_id, "messagePurpose": purpose},
        "body": body,
    })
    .to_string()
}

impl Game {
    async fn run(mut self, mut events: mpsc::Receiver<(String, Value)>) {
        let mut tick = tokio::time::interval(self.config.tick);
        loop {
            let ok = tokio::select! {
                message = self.ws.next() => match message {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => false,
                    Some(Ok(message)) => self.incoming(message).await,
                },
                _ = tick.tick() => self.answer_some().await,
                event = events.recv() => match event {
                    Some((name, body)) => self.event(&name, body).await,
                    None => true,
                },
            };
            if !ok {
                break;
            }
        }
        let _ = self.ws.close(None).await;
        self.shared.update(|r| r.closed = true);
    }

    async fn send(&mut self, text: String) -> bool {
        let message = match &mut self.cipher {
            Some(cipher) => {
                let mut bytes = text.into_bytes();
                cipher.encrypt(&mut bytes);
                Message::binary(bytes)
            }
            None => Message::text(text),
        };
        self.ws.send(message).await.is_ok()
    }

    async fn event(&mut self, name: &str, body: Value) -> bool {
        if !self.shared.lock().subscribed.iter().any(|s| s == name) {
            return true;
        }
        let text = json!({
            "header": {"eventName": name, "messagePurpose": "event", "version": 17_039_360},
            "body": body,
        })
        .to_string();
        self.send(text).await
    }

    async fn answer_some(&mut self) -> bool {
        for _ in 0..self.config.per_tick {
            let Some((id, command)) = self.pending.pop_front() else {
                break;
            };
            let dead = self
                .shared
                .player_dead
                .load(std::sync::atomic::Ordering::SeqCst);
            let body = if command.starts_with("testfor ") {
                // `@e` selects living entities only; `@a` every player online.
                if dead && command.starts_with("testfor @e") {
                    json!({"statusCode": NO_TARGETS, "statusMessage": "No targets matched selector"})
                } else {
                    json!({"statusCode": 0, "statusMessage": format!("Found {}", self.config.player), "victim": [self.config.player]})
                }
            } else if command.starts_with("fail") {
                json!({"statusCode": SYNTAX_ERROR, "statusMessage": format!("Syntax error: Unexpected \"{command}\"")})
            } else {
                json!({"statusCode": 0, "statusMessage": format!("ran {command}")})
            };
            self.shared.update(|r| r.ran.push(command));
            if !self.send(frame("commandResponse", &id, body)).await {
                return false;
            }
        }
        true
    }

    /// One frame from the server; false ends the connection.
    async fn incoming(&mut self, message: Message) -> bool {
        let mut bytes = match message {
            Message::Text(text) => text.as_bytes().to_vec(),
            Message::Binary(bytes) => bytes.to_vec(),
            _ => return true,
        };
        if let Some(cipher) = &mut self.cipher {
            cipher.decrypt(&mut bytes);
        }
        let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
            // The game ignores what it cannot read.
            return true;
        };
        let header = &value["header"];
        let id = header["requestId"].as_str().unwrap_or_default().to_owned();
        let body = &value["body"];
        match header["messagePurpose"].as_str().unwrap_or_default() {
            "ws:encrypt" => self.encrypt_modern(&id, body).await,
            "subscribe" => {
                let name = body["eventName"].as_str().unwrap_or_default().to_owned();
                self.shared.update(|r| r.subscribed.push(name));
                true
            }
            "commandRequest" => {
                let line = body["commandLine"].as_str().unwrap_or_default().to_owned();
                self.command(&id, line).await
            }
            _ => true,
        }
    }

    async fn encrypt_modern(&mut self, id: &str, body: &Value) -> bool {
        if self.config.encryption != Encryption::Modern {
            let refused =
                json!({"statusCode": -2_147_418_111, "statusMessage": "Malformed request"});
            return self.send(frame("error", id, refused)).await;
        }
        let key = body["publicKey"].as_str().unwrap_or_default();
        let salt = body["salt"].as_str().unwrap_or_default();
        let Ok((public_key, cipher)) = game_answer(key, salt) else {
            return false;
        };
        let ok = self
            .send(frame("ws:encrypt", id, json!({"publicKey": public_key})))
            .await;
        self.cipher = Some(cipher);
        self.shared.update(|r| r.encrypted = true);
        ok
    }

    async fn command(&mut self, id: &str, line: String) -> bool {
        if let Some(args) = line.strip_prefix("enableencryption ") {
            return self.encrypt_legacy(id, args).await;
        }
        if line == "getlocalplayername" {
            let body = json!({"statusCode": 0, "statusMessage": self.config.player, "localplayername": self.config.player});
            return self.send(frame("commandResponse", id, body)).await;
        }
        self.arrived += 1;
        let refuse = self.pending.len() >= self.config.pending_limit;
        let pending = self.pending.len() + usize::from(!refuse);
        self.shared.update(|r| {
            r.commands.push(line.clone());
            r.max_pending = r.max_pending.max(pending);
            r.too_many += usize::from(refuse);
        });
        let sent = if refuse {
            let body = json!({"statusCode": TOO_MANY_PENDING, "statusMessage": TOO_MANY_MESSAGE});
            self.send(frame("error", id, body)).await
        } else {
            self.pending.push_back((id.to_owned(), line));
            true
        };
        sent && self
            .config
            .disconnect_after
            .is_none_or(|after| self.arrived < after)
    }

    async fn encrypt_legacy(&mut self, id: &str, args: &str) -> bool {
        if self.config.encryption != Encryption::Legacy {
            let body = json!({"statusCode": -2_147_483_647, "statusMessage": "Unknown command: enableencryption"});
            return self.send(frame("commandResponse", id, body)).await;
        }
        let mut parts = args.split(' ');
        let unquote =
            |s: Option<&str>| serde_json::from_str::<String>(s.unwrap_or("")).unwrap_or_default();
        let (key, salt) = (unquote(parts.next()), unquote(parts.next()));
        let Ok((public_key, cipher)) = game_answer(&key, &salt) else {
            return false;
        };
        let body = json!({"statusCode": 0, "publicKey": public_key});
        let ok = self.send(frame("commandResponse", id, body)).await;
        self.cipher = Some(cipher);
        self.shared.update(|r| r.encrypted = true);
        ok
    }
}
