//! One session's life: resolve → sign → connect → pump frames, and around it the reconnect loop.
//! The session owns the [`Pipeline`], so dedupe and streak state outlive every connection; only a
//! stop, a stream end or a fatal error finalizes open streaks. With a [`crate::room_store`], the
//! memory also outlives the session: it is loaded once the room is known and journaled before
//! each step's outputs are sent on.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::resolve::{self, ResolveError};
use super::sign::{self, SignRequest};
use super::socket::{self, Handshake, SocketError, WsStream};
use super::target::{self, Target};
use super::{
    ConnStatus, Disposition, LiveConfig, LiveError, LiveMsg, Recorder, SessionWarning, disposition,
};
use crate::engine::{Output, Pipeline, Stats};
use crate::event::LiveEvent;
use crate::mappings::MappingTable;
use crate::room_store::{self, RoomJournal};
use crate::wire;

/// How often open streaks are checked for their timeout (and stats are sent).
const TICK: Duration = Duration::from_secs(1);
/// How long a polite close may take before the socket is simply dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Why the session stops (other than a reconnectable drop).
#[derive(Debug)]
enum Halt {
    /// `LiveHandle::stop` was called.
    Stop,
    /// A control message (or the liveness check) says the stream is over.
    StreamEnded,
    /// Nobody listens any more: end quietly.
    ConsumerGone,
    Failed(LiveError),
}

/// How one attempt ended when it did not halt the session.
enum Interrupt {
    Halt(Halt),
    Error(LiveError),
}

impl From<Halt> for Interrupt {
    fn from(halt: Halt) -> Self {
        Self::Halt(halt)
    }
}

impl<E: Into<LiveError>> From<E> for Interrupt {
    fn from(err: E) -> Self {
        Self::Error(err.into())
    }
}

/// A live connection that dropped, and how long it had been up.
struct Dropped {
    error: SocketError,
    lived: Duration,
}

type Sink = SplitSink<WsStream, Message>;

pub(super) async fn run(
    config: LiveConfig,
    mappings: watch::Receiver<MappingTable>,
    events: mpsc::Sender<LiveMsg>,
    wake: Arc<dyn Fn() + Send + Sync>,
    stop: watch::Receiver<bool>,
) {
    let http = match reqwest::Client::builder()
        .timeout(config.request_timeout)
        .connect_timeout(config.request_timeout)
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            let status = ConnStatus::failed(&LiveError::Http(err));
            if events.send(LiveMsg::Status(status)).await.is_ok() {
                wake();
            }
            return;
        }
    };
    let table = mappings.borrow().clone();
    let mut session = Session {
        pipeline: Pipeline::new(config.engine.clone(), table),
        inflater: wire::Inflater::new(),
        record: config.record.clone(),
        memory: None,
        memory_opened: false,
        config: Arc::new(config),
        http,
        mappings,
        events,
        wake,
        stop,
        out: Vec::new(),
        status: ConnStatus::Idle,
        frames: 0,
        bad_frames: 0,
        sent_stats: Stats::default(),
        was_live: false,
    };
    let halt = session.connect_loop().await;
    session.finish(halt).await;
}

struct Session {
    config: Arc<LiveConfig>,
    http: reqwest::Client,
    pipeline: Pipeline,
    /// Keeps inflate state across frames (see `wire::Inflater`).
    inflater: wire::Inflater,
    mappings: watch::Receiver<MappingTable>,
    events: mpsc::Sender<LiveMsg>,
    wake: Arc<dyn Fn() + Send + Sync>,
    stop: watch::Receiver<bool>,
    /// Reused buffer of pipeline outputs waiting to be sent.
    out: Vec<Output>,
    status: ConnStatus,
    /// WebSocket messages received.
    frames: u64,
    /// WebSocket messages that could not be decoded at all.
    bad_frames: u64,
    sent_stats: Stats,
    was_live: bool,
    record: Option<Recorder>,
    /// The room's saved memory, once the room is known (see `room_store`).
    memory: Option<RoomJournal>,
    memory_opened: bool,
}

impl Session {
    /// Runs attempts until the session halts. Never returns early without a reason.
    async fn connect_loop(&mut self) -> Halt {
        let target = match self.target() {
            Ok(target) => target,
            Err(err) => return Halt::Failed(err.into()),
        };
        let mut room = match &target {
            Target::Room(id) => Some(id.clone()),
            Target::User(_) => None,
        };
        let mut attempt: u32 = 0;
        loop {
            let err = match self.attempt(&target, &mut room).await {
                Ok(dropped) => {
                    if dropped.lived >= self.config.stable_after {
                        attempt = 0;
                    }
                    LiveError::Socket(dropped.error)
                }
                Err(Interrupt::Halt(halt)) => return halt,
                Err(Interrupt::Error(err)) => err,
            };
            let policy = disposition(&err, self.was_live);
            tracing::info!("live session: {err} ({policy:?})");
            let mut retry_in = self.config.backoff.delay(attempt, rand::random::<f64>());
            attempt = attempt.saturating_add(1);
            match policy {
                Disposition::Fail => return Halt::Failed(err),
                Disposition::Retry => {}
                Disposition::RetrySlowly => retry_in = retry_in.max(self.config.blocked_retry),
            }
            let status = ConnStatus::Reconnecting {
                retry_in,
                kind: err.kind(),
                last_error: err.to_string(),
            };
            if let Err(halt) = self.set_status(status).await {
                return halt;
            }
            if let Err(halt) = self.guard(tokio::time::sleep(retry_in)).await {
                return halt;
            }
        }
    }

    fn target(&self) -> Result<Target, super::TargetError> {
        match &self.config.room_id {
            Some(id) if !id.trim().is_empty() => target::parse_room_id(id).map(Target::Room),
            _ => target::parse_target(&self.config.target),
        }
    }

    /// One resolve → sign → connect → pump cycle.
    async fn attempt(
        &mut self,
        target: &Target,
        room: &mut Option<String>,
    ) -> Result<Dropped, Interrupt> {
        let config = Arc::clone(&self.config);
        let http = self.http.clone();
        let room_id = match room.clone() {
            Some(id) => {
                self.check_alive(&http, &id).await?;
                id
            }
            None => {
                self.set_status(ConnStatus::Resolving).await?;
                let Target::User(user) = target else {
                    return Err(Halt::Stop.into());
                };
                let id = self
                    .guard(resolve::resolve_room(
                        &http,
                        &config.tiktok_url,
                        &config.user_agent,
                        user,
                    ))
                    .await??;
                *room = Some(id.clone());
                id
            }
        };
        self.open_memory(&room_id).await?;
        let room_number: i64 = room_id.parse().map_err(|_| {
            LiveError::Target(super::TargetError::BadRoomId {
                input: room_id.clone(),
            })
        })?;

        self.set_status(ConnStatus::Signing).await?;
        let request = SignRequest {
            sign_url: &config.sign_url,
            api_key: config.sign_api_key.as_deref(),
            client_name: &config.sign_client,
            room_id: &room_id,
            user_agent: &config.user_agent,
        };
        let signed = self.guard(sign::sign(&http, &request)).await??;
        if let Some(recorder) = &self.record {
            // Wrapped as a `msg` frame so `replay` reads it like any other message.
            let frame = wire::encode_batch_as_msg_frame(&signed.raw);
            recorder.write(&frame).map_err(LiveError::Record)?;
        }
        let url = socket::build_ws_url(
            &signed.batch,
            config.push_server_override.as_deref(),
            &room_id,
            &config.user_agent,
        )?;
        // The initial batch is recent history: same pipeline, so replays after a reconnect dedupe.
        self.sync_mappings();
        let now = self.now_millis();
        self.pipeline.ingest_batch(signed.batch, now, &mut self.out);
        self.flush_outputs().await?;

        self.set_status(ConnStatus::Connecting).await?;
        let handshake = Handshake {
            user_agent: &config.user_agent,
            cookie: &signed.cookie,
            timeout: config.request_timeout,
        };
        let (ws, ping) = self.guard(socket::connect(&url, handshake)).await??;
        self.was_live = true;
        self.set_status(ConnStatus::Live {
            room_id: room_id.clone(),
        })
        .await?;
        let connected = Instant::now();
        let heartbeat = ping.unwrap_or(config.heartbeat_default);
        let error = self.pump(ws, heartbeat, room_number).await?;
        Ok(Dropped {
            error,
            lived: connected.elapsed(),
        })
    }

    /// Before reconnecting to a known room (or using a room id we were given), ask TikTok whether it
    /// is still live. Only a definite "no" counts; any failure of the check is ignored.
    async fn check_alive(
        &mut self,
        http: &reqwest::Client,
        room_id: &str,
    ) -> Result<(), Interrupt> {
        if !self.was_live {
            self.set_status(ConnStatus::Resolving).await?;
        }
        let config = Arc::clone(&self.config);
        let answer = self
            .guard(resolve::check_alive(
                http,
                &config.webcast_url,
                &config.user_agent,
                room_id,
            ))
            .await?;
        match answer {
            Ok(Some(false)) if self.was_live => Err(Halt::StreamEnded.into()),
            Ok(Some(false)) => Err(ResolveError::RoomOffline {
                room_id: room_id.to_owned(),
            }
            .into()),
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::debug!("liveness check skipped: {err}");
                Ok(())
            }
        }
    }

    /// Loads the room's saved memory into the pipeline before the first message of this session
    /// (the history batch) is processed. Without it the session still runs, with a warning.
    async fn open_memory(&mut self, room_id: &str) -> Result<(), Halt> {
        if self.memory_opened {
            return Ok(());
        }
        self.memory_opened = true;
        let Some(store) = self.config.memory.clone() else {
            return Ok(());
        };
        let lease = self.guard(store.lease(room_id)).await?;
        let mut warnings = Vec::new();
        let opened = store.open(
            room_id,
            lease,
            &mut self.pipeline,
            SystemTime::now(),
            &mut warnings,
        );
        let failed = match opened {
            Ok(journal) => {
                self.memory = Some(journal);
                None
            }
            Err(err) => Some(err),
        };
        // Passed on, not logged here: the app's notice and `watch`'s stderr line report it.
        for warning in warnings.into_iter().chain(failed) {
            let warning = SessionWarning::Memory(Arc::new(warning));
            self.emit(LiveMsg::Warning(warning)).await?;
        }
        Ok(())
    }

    /// Journals the pipeline's last step before its outputs are sent on. A failed write keeps the
    /// session running without saved memory (credits matter more than the file) and returns the
    /// warning for the streamer.
    fn commit_memory(&mut self) -> Option<SessionWarning> {
        let journal = self.memory.as_mut()?;
        let err = journal.commit(&mut self.pipeline).err()?;
        self.memory = None;
        Some(SessionWarning::MemoryNotSaved(Arc::new(err)))
    }

    /// Reads frames until the connection drops (`Ok`) or the session halts (`Err`).
    async fn pump(
        &mut self,
        ws: WsStream,
        heartbeat: Duration,
        room_id: i64,
    ) -> Result<SocketError, Halt> {
        let (mut sink, mut stream) = ws.split();
        let enter_unique_id = (rand::random::<i64>() & i64::MAX).max(1);
        let mut seq: i64 = 1;
        let opening = [
            wire::encode_enter_room(room_id, enter_unique_id),
            wire::encode_heartbeat(room_id, seq),
        ];
        for frame in opening {
            if let Err(err) = sink.send(Message::Binary(frame.into())).await {
                return Ok(SocketError::Io(err));
            }
        }
        let start = tokio::time::Instant::now();
        let mut beat = tokio::time::interval_at(start + heartbeat, heartbeat);
        beat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut ticker = tokio::time::interval_at(start + TICK, TICK);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let watchdog_limit = self.config.watchdog;
        let mut watchdog = pin!(tokio::time::sleep(watchdog_limit));
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
                    seq += 1;
                    let frame = wire::encode_heartbeat(room_id, seq);
                    if let Err(err) = sink.send(Message::Binary(frame.into())).await {
                        return Ok(SocketError::Io(err));
                    }
                    continue;
                }
                _ = ticker.tick() => {
                    self.tick().await?;
                    continue;
                }
                message = stream.next() => message,
                () = &mut watchdog => {
                    return Ok(SocketError::Silent { silent_for: watchdog_limit });
                }
            };
            watchdog
                .as_mut()
                .reset(tokio::time::Instant::now() + watchdog_limit);
            match message {
                Some(Ok(Message::Binary(bytes))) => match self.on_binary(&bytes, &mut sink).await {
                    Ok(None) => {}
                    Ok(Some(err)) => return Ok(err),
                    Err(halt) => {
                        if matches!(halt, Halt::StreamEnded) {
                            close(&mut sink).await;
                        }
                        return Err(halt);
                    }
                },
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame.map_or((1005, String::new()), |f| {
                        (u16::from(f.code), super::sanitize(&f.reason, 120))
                    });
                    return Ok(SocketError::Closed { code, reason });
                }
                // Text, ping, pong: proof of life only (tungstenite answers pings itself).
                Some(Ok(_)) => {}
                Some(Err(err)) => return Ok(SocketError::Io(err)),
                None => return Ok(SocketError::Eof),
            }
        }
    }

    /// Handles one binary message: record, decode, ack, ingest. A frame that cannot be decoded is
    /// counted and skipped. Returns a socket error when the ack could not be sent (after the batch
    /// was processed, so nothing is lost).
    async fn on_binary(
        &mut self,
        bytes: &[u8],
        sink: &mut Sink,
    ) -> Result<Option<SocketError>, Halt> {
        self.frames += 1;
        if let Some(recorder) = &self.record {
            recorder
                .write(bytes)
                .map_err(|err| Halt::Failed(err.into()))?;
        }
        let batch = match self.inflater.decode_message_batch(bytes) {
            Ok(Some(pair)) => pair,
            Ok(None) => return Ok(None),
            Err(err) => {
                self.bad_frames += 1;
                tracing::debug!("skipped a frame: {err}");
                return Ok(None);
            }
        };
        let (log_id, batch) = batch;
        let mut ack_error = None;
        if batch.need_ack {
            let ack = wire::encode_ack(log_id, &batch.internal_ext);
            if let Err(err) = sink.send(Message::Binary(ack.into())).await {
                ack_error = Some(SocketError::Io(err));
            }
        }
        self.sync_mappings();
        let now = self.now_millis();
        self.pipeline.ingest_batch(batch, now, &mut self.out);
        self.flush_outputs().await?;
        Ok(ack_error)
    }

    /// Runs `fut` while still ticking the engine once a second and honouring `stop`.
    async fn guard<T>(&mut self, fut: impl Future<Output = T>) -> Result<T, Halt> {
        let mut fut = pin!(fut);
        let mut stop = self.stop.clone();
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = stopped(&mut stop) => return Err(Halt::Stop),
                value = &mut fut => return Ok(value),
                _ = ticker.tick() => self.tick().await?,
            }
        }
    }

    /// Fires streak timeouts, sends stats when they changed, flushes the recording.
    async fn tick(&mut self) -> Result<(), Halt> {
        self.sync_mappings();
        let now = self.now_millis();
        self.pipeline.tick(now, &mut self.out);
        self.flush_outputs().await?;
        self.send_stats().await?;
        if let Some(recorder) = &self.record {
            recorder.flush().map_err(|err| Halt::Failed(err.into()))?;
        }
        Ok(())
    }

    /// Ends the session: finalize open streaks, send their credits, then the final status.
    async fn finish(&mut self, halt: Halt) {
        let ended = matches!(halt, Halt::StreamEnded);
        let mut failure = match halt {
            Halt::ConsumerGone => return,
            Halt::Stop | Halt::StreamEnded => None,
            Halt::Failed(err) => Some(err),
        };
        self.pipeline.finish(&mut self.out);
        let flushed = self.flush_outputs().await;
        if let Some(journal) = self.memory.take() {
            // The stream is over: its memory has no further use. Otherwise the next session (or
            // app start) continues from it; if nobody took the final credits, from before them,
            // as after a crash.
            let kept = match (&flushed, ended) {
                (Err(Halt::ConsumerGone), _) => Ok(()),
                (_, true) => journal.forget(),
                (_, false) => journal.close(&mut self.pipeline),
            };
            if let Err(err) = kept {
                tracing::warn!("{err}");
            }
        }
        if let Err(Halt::ConsumerGone) = flushed {
            return;
        }
        if let Some(recorder) = &self.record
            && let Err(err) = recorder.flush()
            && failure.is_none()
        {
            failure = Some(err.into());
        }
        if self.send_stats().await.is_err() {
            return;
        }
        let status = match failure {
            Some(err) => ConnStatus::failed(&err),
            None => ConnStatus::Ended,
        };
        let _ = self.set_status(status).await;
    }

    /// Wall-clock milliseconds: the engine clock of a live session, comparable with a memory
    /// saved by an earlier session (the engine keeps it from running backwards).
    fn now_millis(&self) -> u64 {
        room_store::millis_since_epoch(SystemTime::now())
    }

    fn sync_mappings(&mut self) {
        if self.mappings.has_changed().unwrap_or(false) {
            let table = self.mappings.borrow_and_update().clone();
            self.pipeline.set_mappings(table);
        }
    }

    fn stats(&self) -> Stats {
        let mut stats = self.pipeline.stats();
        stats.frames = self.frames;
        stats.malformed += self.bad_frames;
        stats
    }

    async fn send_stats(&mut self) -> Result<(), Halt> {
        let stats = self.stats();
        if stats != self.sent_stats {
            self.sent_stats = stats;
            self.emit(LiveMsg::Stats(stats)).await?;
        }
        Ok(())
    }

    /// Sends pending outputs in order. A control message that ends the stream halts the session,
    /// after everything before and after it in the same batch has been sent.
    async fn flush_outputs(&mut self) -> Result<(), Halt> {
        // Journaling credits nobody will receive would mark them done: leave them to the next
        // session instead.
        if self.events.is_closed() {
            return Err(Halt::ConsumerGone);
        }
        if let Some(warning) = self.commit_memory() {
            self.emit(LiveMsg::Warning(warning)).await?;
        }
        if self.out.is_empty() {
            return Ok(());
        }
        let mut outputs = std::mem::take(&mut self.out);
        let mut ended = false;
        for output in outputs.drain(..) {
            if let Output::Event(LiveEvent::Control { action, .. }) = &output {
                ended |= action.ends_stream();
            }
            let stamped = self.pipeline.stamp(output);
            self.emit(LiveMsg::Output(stamped)).await?;
        }
        self.out = outputs;
        if ended {
            Err(Halt::StreamEnded)
        } else {
            Ok(())
        }
    }

    async fn set_status(&mut self, status: ConnStatus) -> Result<(), Halt> {
        if status == self.status {
            return Ok(());
        }
        tracing::info!("live status: {status}");
        self.status = status.clone();
        self.emit(LiveMsg::Status(status)).await
    }

    /// Bounded send, then wake the consumer.
    async fn emit(&mut self, msg: LiveMsg) -> Result<(), Halt> {
        self.events
            .send(msg)
            .await
            .map_err(|_| Halt::ConsumerGone)?;
        (self.wake)();
        Ok(())
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

/// Resolves once a stop was requested (or the handle is gone). The watch guard is dropped inside, so
/// the future stays `Send`.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
