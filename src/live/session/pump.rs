//! The live part of a session: frames from whichever socket carries the stream go through the one
//! [`crate::engine::Pipeline::ingest_ws_message`] entry point; heartbeats and acks go to TikTok's
//! push socket, pings to Euler's; and while a fallback provider carries the stream, a preferred one
//! is probed on the chain's schedule and, once it connects, takes over.

use std::future::Future;
use std::pin::{Pin, pin};
use std::time::{Duration, Instant};

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{Ended, Halt, Session, TICK, stopped};
use crate::live::dial::{Link, Prepared};
use crate::live::euler_ws::{self, EulerClose, EulerError};
use crate::live::socket::{SocketError, WsStream};
use crate::live::switching;
use crate::live::target::Target;
use crate::live::{LiveError, sanitize};
use crate::wire;

/// How long a polite close may take before the socket is simply dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// When no probe is scheduled, the probe timer sleeps this long (and is then re-armed).
const NO_PROBE: Duration = Duration::from_secs(3600);

type Sink = SplitSink<WsStream, Message>;
type Probe = Pin<Box<dyn Future<Output = (usize, Result<Prepared, LiveError>)> + Send>>;

impl Session {
    /// Reads frames until the connection drops or a probe takes over (`Ok`), or the session
    /// halts (`Err`).
    pub(super) async fn pump(
        &mut self,
        link: Link,
        room_id: &str,
        target: &Target,
    ) -> Result<Ended, Halt> {
        let connected = Instant::now();
        let (ws, heartbeat, room_number) = link.into_parts(self.config.heartbeat_default);
        let euler = room_number.is_none();
        let dropped = |error: SocketError| {
            Ok(Ended::Dropped {
                error: if euler {
                    LiveError::Euler(EulerError::Socket(error))
                } else {
                    LiveError::Socket(error)
                },
                lived: connected.elapsed(),
            })
        };
        let (mut sink, mut stream) = ws.split();
        let mut seq: i64 = 1;
        if let Some(room) = room_number
            && let Err(err) = enter_room(&mut sink, room).await
        {
            return dropped(SocketError::Io(err));
        }
        let start = tokio::time::Instant::now();
        let mut beat = tokio::time::interval_at(start + heartbeat, heartbeat);
        beat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut ticker = tokio::time::interval_at(start + TICK, TICK);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let watchdog_limit = self.config.watchdog;
        let mut watchdog = pin!(tokio::time::sleep(watchdog_limit));
        let mut probe: Option<Probe> = None;
        let mut probe_timer = pin!(tokio::time::sleep_until(self.probe_deadline()));
        let mut stop = self.stop.clone();
        loop {
            // Heartbeats and ticks come before the stream: under a flood of frames a biased select
            // would otherwise never reach them.
            let message = tokio::select! {
                biased;
                () = stopped(&mut stop) => {
                    close(&mut sink).await;
                    return Err(Halt::Stop);
                }
                _ = beat.tick() => {
                    if let Err(err) = sink.send(keep_alive(room_number, &mut seq)).await {
                        return dropped(SocketError::Io(err));
                    }
                    continue;
                }
                _ = ticker.tick() => {
                    self.tick().await?;
                    continue;
                }
                () = &mut probe_timer, if probe.is_none() => {
                    probe = self.start_probe(room_id, target);
                    // Not due after all (a rate limit still running): look again in a while,
                    // never in a tight loop.
                    let deadline = self.probe_deadline().max(tokio::time::Instant::now() + TICK);
                    probe_timer.as_mut().reset(deadline);
                    continue;
                }
                (index, result) = running(&mut probe) => {
                    probe = None;
                    match self.probe_done(index, result) {
                        Some(prepared) => {
                            close(&mut sink).await;
                            return Ok(Ended::Handover(Box::new(prepared)));
                        }
                        None => probe_timer.as_mut().reset(self.probe_deadline()),
                    }
                    continue;
                }
                message = stream.next() => message,
                () = &mut watchdog => {
                    return dropped(SocketError::Silent { silent_for: watchdog_limit });
                }
            };
            watchdog
                .as_mut()
                .reset(tokio::time::Instant::now() + watchdog_limit);
            match self.on_message(message, &mut sink, euler, room_id).await? {
                None => {}
                Some(error) => {
                    return Ok(Ended::Dropped {
                        error,
                        lived: connected.elapsed(),
                    });
                }
            }
        }
    }

    /// One message from the socket: `Some(error)` when the connection is over.
    async fn on_message(
        &mut self,
        message: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
        sink: &mut Sink,
        euler: bool,
        room_id: &str,
    ) -> Result<Option<LiveError>, Halt> {
        let gone = |error: SocketError| {
            Some(if euler {
                LiveError::Euler(EulerError::Socket(error))
            } else {
                LiveError::Socket(error)
            })
        };
        match message {
            Some(Ok(Message::Binary(bytes))) => match self.on_binary(&bytes, sink, !euler).await {
                Ok(None) => Ok(None),
                Ok(Some(err)) => Ok(gone(err)),
                Err(halt) => {
                    if matches!(halt, Halt::StreamEnded) {
                        close(sink).await;
                    }
                    Err(halt)
                }
            },
            Some(Ok(Message::Text(text))) if euler => {
                if let Some(info) = euler_ws::parse_text(&text) {
                    tracing::debug!("Euler's WebSocket says: {:?}", info.types);
                    if let Some(id) = info.room_id.filter(|id| id != room_id) {
                        tracing::info!("Euler's WebSocket names room {id}, we know {room_id}");
                    }
                }
                Ok(None)
            }
            Some(Ok(Message::Close(frame))) => {
                let (code, reason) = frame.map_or((1005, String::new()), |f| {
                    (u16::from(f.code), sanitize(&f.reason, 120))
                });
                if euler {
                    return Ok(Some(LiveError::Euler(EulerError::Closed {
                        close: EulerClose::from_code(code),
                        reason,
                    })));
                }
                Ok(gone(SocketError::Closed { code, reason }))
            }
            // Text on TikTok's socket, ping, pong: proof of life only (tungstenite answers
            // pings itself).
            Some(Ok(_)) => Ok(None),
            Some(Err(err)) => Ok(gone(SocketError::Io(err))),
            None => Ok(gone(SocketError::Eof)),
        }
    }

    /// A probe finished: the connection that takes over, or `None` (the chain schedules the next).
    fn probe_done(
        &mut self,
        index: usize,
        result: Result<Prepared, LiveError>,
    ) -> Option<Prepared> {
        let now = self.chain_now();
        match result {
            Ok(prepared) => {
                self.chain.on_probe_ok(index, now);
                Some(prepared)
            }
            Err(err) => {
                tracing::info!("probe of {} failed: {err}", self.providers[index].kind);
                self.chain
                    .on_probe_failed(index, switching::verdict(&err), now);
                None
            }
        }
    }

    /// When the next probe is due, as a tokio instant (far ahead when none is scheduled).
    fn probe_deadline(&self) -> tokio::time::Instant {
        match self.chain.next_probe_at() {
            Some(at) => self.origin + at,
            None => tokio::time::Instant::now() + NO_PROBE,
        }
    }

    /// Starts the probe that is due, if one is: a whole connection through the preferred
    /// provider, made beside the running one.
    fn start_probe(&self, room_id: &str, target: &Target) -> Option<Probe> {
        let index = self.chain.probe_due(self.chain_now())?;
        let provider = self.providers[index].clone();
        tracing::info!(
            "probing {} while another provider carries the stream",
            provider.kind
        );
        let user = match target {
            Target::User(user) => Some(user.clone()),
            Target::Room(_) => None,
        };
        let dial = self
            .dialer
            .clone()
            .prepare(index, provider, room_id.to_owned(), user);
        let timeout = self.config.request_timeout.saturating_mul(3);
        Some(Box::pin(async move {
            let result = match tokio::time::timeout(timeout, dial).await {
                Ok(result) => result,
                Err(_) => Err(LiveError::Socket(SocketError::Silent {
                    silent_for: timeout,
                })),
            };
            (index, result)
        }))
    }

    /// Handles one binary message: record, decode and ingest (the pipeline's one entry point),
    /// ack when asked and `acks` (TikTok's socket), then send the outputs on. A frame that cannot
    /// be decoded is counted and skipped. Returns a socket error when the ack could not be sent
    /// (after the batch was processed, so nothing is lost).
    async fn on_binary(
        &mut self,
        bytes: &[u8],
        sink: &mut Sink,
        acks: bool,
    ) -> Result<Option<SocketError>, Halt> {
        let now = self.now_millis();
        if let Some(recorder) = &self.record {
            recorder
                .write(bytes, now)
                .map_err(|err| Halt::Failed(err.into()))?;
        }
        self.sync_mappings();
        let ack = match self.pipeline.ingest_ws_message(bytes, now, &mut self.out) {
            Ok(ack) => ack,
            Err(err) => {
                tracing::debug!("skipped a frame: {err}");
                None
            }
        };
        let mut ack_error = None;
        if let Some(ack) = ack.filter(|_| acks) {
            let frame = wire::encode_ack(ack.log_id, &ack.internal_ext);
            if let Err(err) = sink.send(Message::Binary(frame.into())).await {
                ack_error = Some(SocketError::Io(err));
            }
        }
        self.flush_outputs().await?;
        Ok(ack_error)
    }
}

/// The first frames on TikTok's socket: enter the room, then the first heartbeat.
async fn enter_room(
    sink: &mut Sink,
    room: i64,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let enter_unique_id = (rand::random::<i64>() & i64::MAX).max(1);
    sink.send(Message::Binary(
        wire::encode_enter_room(room, enter_unique_id).into(),
    ))
    .await?;
    sink.send(Message::Binary(wire::encode_heartbeat(room, 1).into()))
        .await
}

/// The running probe's result; never resolves when there is none.
async fn running(probe: &mut Option<Probe>) -> (usize, Result<Prepared, LiveError>) {
    match probe {
        Some(probe) => probe.await,
        None => std::future::pending().await,
    }
}

/// Says goodbye politely, but never waits long for it.
async fn close(sink: &mut Sink) {
    let frame = CloseFrame {
        code: CloseCode::Normal,
        reason: "bye".into(),
    };
    let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(Message::Close(Some(frame)))).await;
}

/// The next keep-alive frame: TikTok's heartbeat (numbered by `seq`) for the push socket's room,
/// a WebSocket ping for Euler's.
fn keep_alive(room_number: Option<i64>, seq: &mut i64) -> Message {
    match room_number {
        Some(room) => {
            *seq += 1;
            Message::Binary(wire::encode_heartbeat(room, *seq).into())
        }
        None => Message::Ping(Vec::new().into()),
    }
}
