//! The fake's push WebSocket: a hand-made upgrade (so it can also refuse like TikTok, with 200 and
//! `handshake-msg`), then a reader that records client frames next to a writer that plays the script.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

use super::http::{self, HttpRequest};
use super::scenario::{DemoGenerator, HandshakeFault, STORM_TICK, Step, storm_batch};
use super::{Shared, Slot, WsConnection};
use crate::testkit::frames::{self, BatchSpec, ClientFrame, Compression, MessageSpec};

type Tx = SplitSink<WebSocketStream<TcpStream>, Message>;
type Rx = SplitStream<WebSocketStream<TcpStream>>;

/// How a script stopped.
enum End {
    /// Ran to the end: stay open until the client leaves.
    Idle,
    /// Drop the TCP connection now.
    Drop,
    /// Sent a close frame: give the client a moment to answer.
    Closed,
}

pub(super) async fn serve(
    mut stream: TcpStream,
    request: HttpRequest,
    leftover: Vec<u8>,
    shared: Arc<Shared>,
) {
    let (slot, fault, ping, script, compression) = shared.record(|s| {
        let script_index = s.recorded.accepted_connections();
        s.recorded.connections.push(WsConnection {
            request: request.clone(),
            ..WsConnection::default()
        });
        let compression = if request.query("compress") == Some("gzip") {
            Compression::GzipWithHeader
        } else {
            Compression::None
        };
        (
            Slot {
                euler: false,
                index: s.recorded.connections.len() - 1,
            },
            s.handshake_faults
                .pop_front()
                .filter(|f| *f != HandshakeFault::Accept),
            s.config.ping_interval,
            s.config.scenario.script(script_index).to_vec(),
            compression,
        )
    });
    if let Some(HandshakeFault::Blocked {
        status,
        handshake_status,
        message,
    }) = fault
    {
        let headers = [
            ("handshake-status".to_owned(), handshake_status.to_string()),
            ("handshake-msg".to_owned(), message),
            ("Content-Length".to_owned(), "0".to_owned()),
            ("Connection".to_owned(), "close".to_owned()),
        ];
        let _ = http::write_head(&mut stream, status, &headers).await;
        shared.record(|s| s.recorded.slot_mut(slot).ended = true);
        return;
    }
    let mut extra = Vec::new();
    if let Some(ping) = ping {
        extra.push((
            "Handshake-Options".to_owned(),
            format!("ping-interval={}; ping-timeout=60", ping.as_secs_f64()),
        ));
    }
    let Some((stream, subprotocol)) = upgrade(stream, &request, extra).await else {
        shared.record(|s| s.recorded.slot_mut(slot).ended = true);
        return;
    };
    shared.record(|s| {
        let connection = s.recorded.slot_mut(slot);
        connection.accepted = true;
        connection.subprotocol = subprotocol;
    });
    let ws = WebSocketStream::from_partially_read(stream, leftover, Role::Server, None).await;
    run(ws, script, &shared, slot, compression).await;
}

/// Answers a WebSocket upgrade with 101 (offering `echo-protocol` back only when the client asked
/// for it: Node asks for none) plus `extra` headers. `None` when the request cannot be upgraded
/// (it was answered with 400) or the socket failed.
pub(super) async fn upgrade(
    mut stream: TcpStream,
    request: &HttpRequest,
    extra: Vec<(String, String)>,
) -> Option<(TcpStream, Option<String>)> {
    let Some(key) = request.header("sec-websocket-key").map(str::to_owned) else {
        let response = http::Response::new(400, "text/plain", "missing Sec-WebSocket-Key");
        let _ = http::write_response(&mut stream, &response).await;
        return None;
    };
    let subprotocol = request
        .header("sec-websocket-protocol")
        .and_then(|offered| {
            offered
                .split(',')
                .map(str::trim)
                .find(|p| *p == "echo-protocol")
        })
        .map(str::to_owned);
    let mut headers = vec![
        ("Upgrade".to_owned(), "websocket".to_owned()),
        ("Connection".to_owned(), "Upgrade".to_owned()),
        (
            "Sec-WebSocket-Accept".to_owned(),
            derive_accept_key(key.as_bytes()),
        ),
    ];
    if let Some(protocol) = &subprotocol {
        headers.push(("Sec-WebSocket-Protocol".to_owned(), protocol.clone()));
    }
    headers.extend(extra);
    http::write_head(&mut stream, 101, &headers).await.ok()?;
    Some((stream, subprotocol))
}

/// Plays `script` on an open socket while recording what the client sends, then marks the
/// connection ended.
pub(super) async fn run(
    ws: WebSocketStream<TcpStream>,
    script: Vec<Step>,
    shared: &Shared,
    slot: Slot,
    compression: Compression,
) {
    let (mut tx, rx) = ws.split();
    let mut reader = std::pin::pin!(read_client(rx, shared, slot));
    let play = play(&mut tx, &script, shared, slot, compression);
    tokio::select! {
        () = &mut reader => {}
        end = play => match end {
            End::Idle => reader.await,
            End::Closed => {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), reader).await;
            }
            End::Drop => {}
        }
    }
    shared.record(|s| s.recorded.slot_mut(slot).ended = true);
}

async fn read_client(mut rx: Rx, shared: &Shared, slot: Slot) {
    while let Some(message) = rx.next().await {
        match message {
            Ok(Message::Binary(bytes)) => {
                let frame = frames::decode_client_frame(&bytes);
                shared.record(|s| {
                    let limit = s.config.record_limit;
                    let connection = s.recorded.slot_mut(slot);
                    match frame {
                        Ok(frame) => {
                            if matches!(frame, ClientFrame::EnterRoom { .. }) {
                                connection.entered_room = true;
                            }
                            if connection.frames.len() < limit {
                                connection.frames.push(frame);
                            } else {
                                connection.unrecorded_frames += 1;
                            }
                        }
                        Err(_) => connection.undecodable += 1,
                    }
                });
            }
            Ok(Message::Close(frame)) => {
                let code = frame.map_or(1005, |f| u16::from(f.code));
                shared.record(|s| s.recorded.slot_mut(slot).client_close = Some(code));
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

async fn play(
    tx: &mut Tx,
    script: &[Step],
    shared: &Shared,
    slot: Slot,
    compression: Compression,
) -> End {
    let start = tokio::time::Instant::now();
    for step in script {
        let sent = match step {
            Step::Batch(messages) => {
                send_batch(tx, shared, slot, "msg", messages, compression).await
            }
            Step::EnterRoomResponse(messages) => {
                send_batch(
                    tx,
                    shared,
                    slot,
                    "im_enter_room_resp",
                    messages,
                    compression,
                )
                .await
            }
            Step::Raw(bytes) => tx.send(Message::Binary(bytes.clone().into())).await,
            Step::ServerHeartbeat => {
                let frame = frames::encode_server_frame(0, 0, "hb", &[], Compression::None);
                tx.send(Message::Binary(frame.into())).await
            }
            Step::Sleep(duration) => {
                tokio::time::sleep(*duration).await;
                Ok(())
            }
            Step::At(offset) => {
                tokio::time::sleep_until(start + *offset).await;
                Ok(())
            }
            Step::WaitForEnterRoom => {
                wait_for_enter_room(shared, slot).await;
                Ok(())
            }
            Step::WaitForRelease => {
                if let Ok(permit) = shared.release.acquire().await {
                    permit.forget();
                }
                Ok(())
            }
            Step::DropTcp => return End::Drop,
            Step::Close { code, reason } => {
                let frame = CloseFrame {
                    code: (*code).into(),
                    reason: reason.clone().into(),
                };
                let _ = tx.send(Message::Close(Some(frame))).await;
                return End::Closed;
            }
            Step::Silent => std::future::pending().await,
            Step::EndStream => {
                let end = MessageSpec::Control {
                    msg_id: shared.next_msg_id.fetch_add(1, Ordering::Relaxed),
                    action: 3,
                };
                send_batch(tx, shared, slot, "msg", &[end], compression).await
            }
            Step::Demo { seed } => return play_demo(tx, shared, slot, compression, *seed).await,
            Step::Storm { gifts_per_second } => {
                return play_storm(tx, shared, slot, compression, *gifts_per_second).await;
            }
        };
        if sent.is_err() {
            return End::Drop;
        }
    }
    End::Idle
}

/// The endless demo stream; ends only when the client is gone.
async fn play_demo(
    tx: &mut Tx,
    shared: &Shared,
    slot: Slot,
    compression: Compression,
    seed: u64,
) -> End {
    let first = shared
        .next_msg_id
        .fetch_add(1_000_000_000, Ordering::Relaxed);
    let mut generator = DemoGenerator::new(seed.wrapping_add(slot.index as u64), first);
    loop {
        let (pause, batch) = generator.next_batch();
        tokio::time::sleep(pause).await;
        if batch.is_empty() {
            continue;
        }
        if send_batch(tx, shared, slot, "msg", &batch, compression)
            .await
            .is_err()
        {
            return End::Drop;
        }
    }
}

/// A gift storm of `gifts_per_second`, forever; ends only when the client is gone.
async fn play_storm(
    tx: &mut Tx,
    shared: &Shared,
    slot: Slot,
    compression: Compression,
    gifts_per_second: u32,
) -> End {
    let per_tick =
        (u64::from(gifts_per_second) * STORM_TICK.as_millis() as u64 / 1_000).max(1) as usize;
    let mut ticks = tokio::time::interval(STORM_TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let first = shared
            .next_msg_id
            .fetch_add(per_tick as i64, Ordering::Relaxed);
        let batch = storm_batch(first, per_tick);
        if send_batch(tx, shared, slot, "msg", &batch, compression)
            .await
            .is_err()
        {
            return End::Drop;
        }
    }
}

async fn wait_for_enter_room(shared: &Shared, slot: Slot) {
    let mut changed = shared.changed.subscribe();
    loop {
        let entered = shared.lock().recorded.slot_mut(slot).entered_room;
        if entered || changed.changed().await.is_err() {
            return;
        }
    }
}

pub(super) async fn send_batch(
    tx: &mut Tx,
    shared: &Shared,
    slot: Slot,
    payload_type: &str,
    messages: &[MessageSpec],
    compression: Compression,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let log_id = shared.next_log_id.fetch_add(1, Ordering::Relaxed);
    let internal_ext = format!("ie-{log_id}");
    let payload = frames::encode_batch(&BatchSpec {
        messages: messages.to_vec(),
        cursor: format!("c-{log_id}"),
        internal_ext: internal_ext.clone(),
        need_ack: true,
        ..BatchSpec::default()
    });
    let frame = frames::encode_server_frame(log_id, log_id, payload_type, &payload, compression);
    shared.record(|s| {
        let limit = s.config.record_limit;
        let connection = s.recorded.slot_mut(slot);
        if connection.sent_needing_ack.len() < limit {
            connection.sent_needing_ack.push((log_id, internal_ext));
        } else {
            connection.unrecorded_sent += 1;
        }
        if s.config.record_send_times {
            let now = Instant::now();
            s.send_times
                .extend(messages.iter().map(|m| (message_id(m), now)));
        }
    });
    tx.send(Message::Binary(frame.into())).await
}

fn message_id(message: &MessageSpec) -> i64 {
    match message {
        MessageSpec::Gift(g) => g.msg_id,
        MessageSpec::Event(e) => e.msg_id,
        MessageSpec::Chat { msg_id, .. }
        | MessageSpec::Like { msg_id, .. }
        | MessageSpec::Follow { msg_id, .. }
        | MessageSpec::Control { msg_id, .. }
        | MessageSpec::Raw { msg_id, .. }
        | MessageSpec::Room { msg_id, .. } => *msg_id,
    }
}
