//! One connection from the game: the WebSocket handshake (loopback `Host` only, no browser
//! `Origin`, the game's subprotocol echoed), the encryption handshake (`ws:encrypt`, then the older
//! `enableencryption` command, else plain), the event subscriptions, then commands out in order
//! and replies, errors and events in, each reply to the command it answers by request id. When
//! the connection ends every unanswered command is told so.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, mpsc, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::crypto::{Cipher, ServerExchange};
use super::link::{GameState, LinkInner, Request as CommandRequest};
use super::protocol::{self, Incoming, TOO_MANY_PENDING};
use super::{BedrockError, Done, REPLY_TIMEOUT, Reply, events};

/// The subprotocol the game offers; echoed so the game keeps the connection.
pub const SUBPROTOCOL: &str = "com.microsoft.minecraft.wsencrypt";
/// How long each encryption step waits for the game.
const ENCRYPT_WAIT: Duration = Duration::from_secs(3);
/// The largest frame the game sends that is worth reading (replies and events are small).
const MAX_FRAME_BYTES: usize = 1 << 20;

/// The handshake's checks (tungstenite's callback: its error type is what it is).
#[expect(
    clippy::result_large_err,
    reason = "the signature tungstenite's handshake callback requires"
)]
fn check(request: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    let header = |name: &str| request.headers().get(name).and_then(|h| h.to_str().ok());
    let refuse = |text: &str| {
        let mut refused = ErrorResponse::new(Some(text.to_owned()));
        *refused.status_mut() = StatusCode::FORBIDDEN;
        Err(refused)
    };
    if !crate::overlay::server::is_loopback_host(header("host").unwrap_or("")) {
        return refuse("giftdeck's Bedrock port answers only to 127.0.0.1 and localhost");
    }
    // The game sends no Origin; a web page always does.
    if header("origin").is_some() {
        return refuse("giftdeck's Bedrock port is for the game, not for web pages");
    }
    let offered = header("sec-websocket-protocol")
        .is_some_and(|p| p.split(',').any(|p| p.trim() == SUBPROTOCOL));
    if offered {
        response.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static(SUBPROTOCOL),
        );
    }
    Ok(response)
}

/// Resolves once the listener is told to stop.
pub(super) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// A command sent, waiting for its reply.
struct Pending {
    done: Done,
    sent: Instant,
    _permit: OwnedSemaphorePermit,
}

struct Session {
    ws: WebSocketStream<TcpStream>,
    cipher: Option<Cipher>,
    inner: Arc<LinkInner>,
    id: u64,
    pending: HashMap<String, Pending>,
    /// The request id of `getlocalplayername`, answered once.
    name_request: Option<String>,
    encrypted: bool,
    /// An encrypted frame went out (see [`first_encrypted_frame`]).
    sent_encrypted: bool,
}

/// The first encrypted frame, with a leading JSON space when needed so its ciphertext does not
/// start like plain JSON: some peers (mcpews) take a frame that starts with `{` (after trimming
/// whitespace) for a plain one until the first encrypted frame arrived.
fn first_encrypted_frame(cipher: &Cipher, mut frame: Vec<u8>) -> Vec<u8> {
    // `{`, ASCII whitespace, and the lead bytes of the UTF-8 spaces JavaScript's trim removes.
    let looks_plain = |b: u8| {
        b == b'{'
            || b.is_ascii_whitespace()
            || b == 0x0b
            || matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3 | 0xef)
    };
    let key = cipher.next_keystream_byte();
    if let Some(&space) = [b' ', b'\t', b'\n', b'\r'].iter().find(|&&space| {
        looks_plain(frame.first().copied().unwrap_or(b'{') ^ key) && !looks_plain(space ^ key)
    }) {
        frame.insert(0, space);
    }
    frame
}

/// Serves one connection to its end.
pub(super) async fn serve(
    stream: TcpStream,
    inner: Arc<LinkInner>,
    stop: watch::Receiver<bool>,
    permit: OwnedSemaphorePermit,
) {
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES));
    let handshake = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(config)),
    );
    let Ok(Ok(ws)) = handshake.await else {
        return;
    };
    drop(permit);
    let (id, requests) = inner.attach();
    let mut session = Session {
        ws,
        cipher: None,
        inner,
        id,
        pending: HashMap::new(),
        name_request: None,
        encrypted: false,
        sent_encrypted: false,
    };
    let reason = session.run(requests, stop).await;
    session.finish(reason).await;
}

impl Session {
    async fn run(
        &mut self,
        requests: mpsc::Receiver<CommandRequest>,
        stop: watch::Receiver<bool>,
    ) -> String {
        if let Err(reason) = self.encrypt().await {
            return reason;
        }
        self.publish(None);
        tracing::info!(encrypted = self.encrypted, "the Bedrock game connected");
        for event in events::SUBSCRIBED {
            let frame = protocol::subscribe(&protocol::request_id(), event);
            if let Err(reason) = self.send(frame).await {
                return reason;
            }
        }
        let name_id = protocol::request_id();
        if let Err(reason) = self
            .send(protocol::command_request(&name_id, "getlocalplayername"))
            .await
        {
            return reason;
        }
        self.name_request = Some(name_id);
        self.serve(requests, stop).await
    }

    fn publish(&self, player: Option<String>) {
        self.inner.publish(
            self.id,
            GameState::Connected {
                port: self.inner.port(),
                player,
                encrypted: self.encrypted,
            },
        );
    }

    /// Commands out, frames in, until the connection ends; returns why it ended.
    async fn serve(
        &mut self,
        mut requests: mpsc::Receiver<CommandRequest>,
        mut stop: watch::Receiver<bool>,
    ) -> String {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                request = requests.recv() => match request {
                    Some(request) => {
                        let id = protocol::request_id();
                        let frame = protocol::command_request(&id, &request.command);
                        if let Err(reason) = self.send(frame).await {
                            (request.done)(Err(BedrockError::Disconnected { reason: reason.clone() }));
                            return reason;
                        }
                        self.pending.insert(id, Pending {
                            done: request.done,
                            sent: Instant::now(),
                            _permit: request.permit,
                        });
                    }
                    None => return "another game connected".to_owned(),
                },
                frame = self.ws.next() => match frame {
                    Some(Ok(Message::Close(_))) | None => return "the game closed the connection".to_owned(),
                    Some(Err(err)) => return format!("the connection failed: {err}"),
                    Some(Ok(message)) => self.incoming(message),
                },
                _ = tick.tick() => self.expire(),
                () = stopped(&mut stop) => return "giftdeck stopped listening".to_owned(),
            }
        }
    }

    /// Fails the commands that waited too long for an answer (their window slots come back).
    fn expire(&mut self) {
        let now = Instant::now();
        let late: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| now.saturating_duration_since(p.sent) >= REPLY_TIMEOUT)
            .map(|(id, _)| id.clone())
            .collect();
        for id in late {
            if let Some(pending) = self.pending.remove(&id) {
                (pending.done)(Err(BedrockError::NoAnswer {
                    after: REPLY_TIMEOUT,
                }));
            }
        }
    }

    /// One frame from the game, decrypted and read; what is not understood is dropped.
    fn incoming(&mut self, message: Message) {
        let Some(text) = self.open(message) else {
            return;
        };
        let incoming = match protocol::parse(&text) {
            Ok(incoming) => incoming,
            Err(err) => {
                tracing::debug!("Bedrock: {err}");
                return;
            }
        };
        match incoming {
            Incoming::CommandResponse {
                request_id,
                status_code,
                status_message,
                body,
            } => {
                if self.name_request.as_deref() == Some(request_id.as_str()) {
                    self.name_request = None;
                    let name = body
                        .get("localplayername")
                        .and_then(|n| n.as_str())
                        .map(|n| crate::text::one_line(n, 40))
                        .filter(|n| !n.is_empty());
                    self.publish(name);
                } else if let Some(pending) = self.pending.remove(&request_id) {
                    (pending.done)(Ok(Reply {
                        status_code,
                        message: crate::text::one_line(&status_message, 1_000),
                    }));
                }
            }
            Incoming::Error {
                request_id,
                status_code,
                status_message,
            } => {
                if let Some(pending) = self.pending.remove(&request_id) {
                    let message = crate::text::one_line(&status_message, 300);
                    (pending.done)(Err(if status_code == TOO_MANY_PENDING {
                        BedrockError::TooMany { message }
                    } else {
                        BedrockError::Refused {
                            code: status_code,
                            message,
                        }
                    }));
                }
            }
            Incoming::Event { name, body } => {
                // Nobody listening is not an error.
                let _ = self.inner.events.send(events::read(&name, &body));
            }
            Incoming::EncryptResponse { .. } | Incoming::Other { .. } => {}
        }
    }

    /// A frame's text: decrypted once encryption is on.
    fn open(&mut self, message: Message) -> Option<String> {
        let mut bytes = match message {
            Message::Text(text) => text.as_bytes().to_vec(),
            Message::Binary(bytes) => bytes.to_vec(),
            _ => return None,
        };
        if let Some(cipher) = &mut self.cipher {
            cipher.decrypt(&mut bytes);
        }
        String::from_utf8(bytes).ok()
    }

    /// Sends one frame (encrypted once encryption is on); the error says why it failed.
    async fn send(&mut self, frame: String) -> Result<(), String> {
        let first = !self.sent_encrypted;
        let message = match &mut self.cipher {
            Some(cipher) => {
                let mut bytes = frame.into_bytes();
                if first {
                    bytes = first_encrypted_frame(cipher, bytes);
                }
                self.sent_encrypted = true;
                cipher.encrypt(&mut bytes);
                Message::binary(bytes)
            }
            None => Message::text(frame),
        };
        self.ws
            .send(message)
            .await
            .map_err(|err| format!("the connection failed: {err}"))
    }

    /// Asks for encryption: `ws:encrypt` first, then the older `enableencryption` command; a
    /// game that takes neither stays plain (the connection is on this computer).
    async fn encrypt(&mut self) -> Result<(), String> {
        let exchange = match ServerExchange::new() {
            Ok(exchange) => exchange,
            Err(err) => {
                tracing::warn!("Bedrock: no encryption: {err}");
                return Ok(());
            }
        };
        let modern_id = protocol::request_id();
        self.send(protocol::encrypt_request(
            &modern_id,
            exchange.public_key(),
            &exchange.salt(),
        ))
        .await?;
        let mut key = self.wait_key(&modern_id).await?;
        if key.is_none() {
            let legacy_id = protocol::request_id();
            let command = protocol::legacy_encrypt_command(exchange.public_key(), &exchange.salt());
            self.send(protocol::command_request(&legacy_id, &command))
                .await?;
            key = self.wait_key(&legacy_id).await?;
        }
        let Some(key) = key else {
            tracing::info!(
                "Bedrock: the game did not ask for encryption; the connection stays plain"
            );
            return Ok(());
        };
        match exchange.finish(&key) {
            Ok(cipher) => {
                self.cipher = Some(cipher);
                self.encrypted = true;
                Ok(())
            }
            Err(err) => Err(format!("the encryption handshake failed: {err}")),
        }
    }

    /// The game's public key in its answer to request `id`; `None` when it refused or did not
    /// answer in time.
    async fn wait_key(&mut self, id: &str) -> Result<Option<String>, String> {
        let deadline = tokio::time::Instant::now() + ENCRYPT_WAIT;
        loop {
            let frame = tokio::select! {
                frame = self.ws.next() => frame,
                () = tokio::time::sleep_until(deadline) => return Ok(None),
            };
            let message = match frame {
                Some(Ok(Message::Close(_))) | None => {
                    return Err("the game closed the connection".to_owned());
                }
                Some(Err(err)) => return Err(format!("the connection failed: {err}")),
                Some(Ok(message)) => message,
            };
            let Some(text) = self.open(message) else {
                continue;
            };
            match protocol::parse(&text) {
                Ok(Incoming::EncryptResponse {
                    request_id,
                    public_key,
                }) if request_id == id => return Ok(Some(public_key)),
                Ok(Incoming::CommandResponse {
                    request_id,
                    status_code,
                    body,
                    ..
                }) if request_id == id => {
                    let key = body.get("publicKey").and_then(|k| k.as_str());
                    return Ok(key.filter(|_| status_code >= 0).map(str::to_owned));
                }
                Ok(Incoming::Error { request_id, .. }) if request_id == id => return Ok(None),
                _ => {}
            }
        }
    }

    /// The connection ended: every unanswered command fails, the link forgets this game.
    async fn finish(mut self, reason: String) {
        tracing::info!("the Bedrock game disconnected: {reason}");
        for (_, pending) in self.pending.drain() {
            (pending.done)(Err(BedrockError::Disconnected {
                reason: reason.clone(),
            }));
        }
        self.inner.detach(self.id, reason);
        let _ = self.ws.close(None).await;
    }
}
