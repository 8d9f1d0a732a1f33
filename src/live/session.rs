//! One session's life: resolve → connect through a provider → pump frames, and around it the
//! reconnect loop and the provider chain ([`super::switching`]). The session owns the
//! [`Pipeline`], so dedupe and streak state outlive every connection and every provider: a switch,
//! a probe that takes over, or Euler's 8-hour renewal credits nothing twice. Only a stop, a stream
//! end or a fatal error finalizes open streaks. With a [`crate::room_store`], the memory also
//! outlives the session: it is loaded once the room is known and journaled before each step's
//! outputs are sent on.

mod pump;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{mpsc, watch};
use tokio::time::MissedTickBehavior;

use super::dial::{self, Dialer, Prepared};
use super::euler_ws::{EulerClose, EulerError};
use super::gifts::GiftList;
use super::resolve::{self, ResolveError};
use super::sign::Signed;
use super::switching::{Chain, Route, Verdict};
use super::target::{self, Target};
use super::{
    ConnStatus, Disposition, LiveConfig, LiveError, LiveMsg, Provider, ProviderKind, Recorder,
    SessionSource, SessionWarning, disposition, http, switching,
};
use crate::engine::{Output, Pipeline, Stats};
use crate::event::LiveEvent;
use crate::mappings::MappingTable;
use crate::room_store::{self, RoomJournal};
use crate::wire;

/// How often open streaks are checked for their timeout (and stats are sent).
const TICK: Duration = Duration::from_secs(1);

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

/// How a live connection ended without halting the session.
enum Ended {
    /// It dropped (or the provider closed it), after being up this long.
    Dropped { error: LiveError, lived: Duration },
    /// A probe connected a preferred provider: it takes over.
    Handover(Box<Prepared>),
}

pub(super) async fn run(
    config: LiveConfig,
    mappings: watch::Receiver<MappingTable>,
    events: mpsc::Sender<LiveMsg>,
    wake: Arc<dyn Fn() + Send + Sync>,
    stop: watch::Receiver<bool>,
    gifts: watch::Sender<Option<Arc<GiftList>>>,
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
    let providers = config.chain();
    let chain = Chain::new(
        providers.iter().map(|p| p.kind).collect(),
        config.chain_policy,
    );
    let config = Arc::new(config);
    let mut pipeline = Pipeline::new(config.engine.clone(), table);
    pipeline.set_standings(config.standings.clone());
    let mut session = Session {
        pipeline,
        record: config.record.clone(),
        memory: None,
        memory_opened: false,
        dialer: Dialer {
            config: Arc::clone(&config),
            http,
            login: None,
        },
        route_sent: Route {
            sign_is_euler: sign_is_euler(&providers),
            ..chain.route()
        },
        chain,
        providers,
        origin: tokio::time::Instant::now(),
        config,
        mappings,
        events,
        wake,
        stop,
        out: Vec::new(),
        status: ConnStatus::Idle,
        quiet: false,
        login_tried: false,
        gifts: Some(gifts),
        sent_stats: Stats::default(),
        was_live: false,
    };
    let halt = session.connect_loop().await;
    session.finish(halt).await;
}

struct Session {
    config: Arc<LiveConfig>,
    dialer: Dialer,
    pipeline: Pipeline,
    /// The providers, in chain order, and which one carries the stream.
    providers: Vec<Provider>,
    chain: Chain,
    /// The route last sent to the consumer.
    route_sent: Route,
    /// The chain's clock starts here.
    origin: tokio::time::Instant,
    mappings: watch::Receiver<MappingTable>,
    events: mpsc::Sender<LiveMsg>,
    wake: Arc<dyn Fn() + Send + Sync>,
    stop: watch::Receiver<bool>,
    /// Reused buffer of pipeline outputs waiting to be sent.
    out: Vec<Output>,
    status: ConnStatus,
    /// Reconnecting seamlessly (Euler's 8-hour renewal): no in-between statuses.
    quiet: bool,
    /// The streamer's session was looked for already (an 18+ room).
    login_tried: bool,
    /// Where the gift list goes; taken by the fetch, which runs once, when first connected.
    gifts: Option<watch::Sender<Option<Arc<GiftList>>>>,
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
        let mut handover: Option<Box<Prepared>> = None;
        loop {
            let result = match handover.take() {
                Some(prepared) => self.take_over(*prepared, room.as_deref()).await,
                None => self.attempt(&target, &mut room).await,
            };
            let err = match result {
                Ok(Ended::Handover(prepared)) => {
                    handover = Some(prepared);
                    attempt = 0;
                    continue;
                }
                Ok(Ended::Dropped { error, lived }) => {
                    if lived >= self.config.stable_after {
                        attempt = 0;
                    }
                    error
                }
                Err(Interrupt::Halt(halt)) => return halt,
                Err(Interrupt::Error(err)) => err,
            };
            if self.stream_is_over(&err) {
                return Halt::StreamEnded;
            }
            match self.after_failure(err, &mut attempt).await {
                Ok(()) => {}
                Err(halt) => return halt,
            }
        }
    }

    /// A provider's word that the stream is over: Euler's 4005, or its 4404 once frames of the
    /// stream have arrived (before that, 4404 means the streamer is not live yet).
    fn stream_is_over(&self, err: &LiveError) -> bool {
        match err {
            LiveError::Euler(EulerError::Closed { close, .. }) => {
                *close == EulerClose::StreamEnded
                    || (*close == EulerClose::NotLive && self.pipeline.stats().frames > 0)
            }
            _ => false,
        }
    }

    /// Decides what a failed attempt leads to: the chain picks the provider, the retry policy
    /// the wait; then the status says so and the wait runs.
    async fn after_failure(&mut self, err: LiveError, attempt: &mut u32) -> Result<(), Halt> {
        let verdict = switching::verdict(&err);
        let now = self.chain_now();
        let next = self
            .chain
            .on_failure(verdict, err.kind(), err.code(), now, SystemTime::now());
        // The error is handled once: passed on in the status it becomes (which `set_status`
        // logs), or, for a renewal that shows no status, logged here.
        tracing::debug!(
            "live session: {verdict:?}; next provider {}",
            self.chain.current_kind()
        );
        if verdict == Verdict::Renew {
            // Euler's lifetime is over, not the stream: straight back, no status in between.
            tracing::info!("live session: {err}; reconnecting at once");
            self.quiet = true;
            return Ok(());
        }
        self.send_route().await?;
        let mut retry_in = self.config.backoff.delay(*attempt, rand::random::<f64>());
        *attempt = attempt.saturating_add(1);
        if next.switched && next.fresh {
            // A provider that has not failed yet: try it now.
            retry_in = Duration::ZERO;
        } else if !next.switched {
            let policy = if next.stuck || verdict == Verdict::NotProvider {
                disposition(&err, self.was_live)
            } else {
                Disposition::Retry
            };
            match policy {
                Disposition::Fail => return Err(Halt::Failed(err)),
                Disposition::Retry => {}
                Disposition::RetrySlowly => retry_in = retry_in.max(self.config.blocked_retry),
            }
            if next.stuck && self.chain.all_dead() {
                return Err(Halt::Failed(err));
            }
        }
        if let Some(wait) = next.wait {
            retry_in = retry_in.max(wait);
        }
        let status = ConnStatus::Reconnecting {
            retry_in,
            kind: err.kind(),
            last_error: err.to_string(),
        };
        self.quiet = false;
        self.set_status(status).await?;
        self.guard(tokio::time::sleep(retry_in)).await
    }

    fn target(&self) -> Result<Target, super::TargetError> {
        match &self.config.room_id {
            Some(id) if !id.trim().is_empty() => target::parse_room_id(id).map(Target::Room),
            _ => target::parse_target(&self.config.target),
        }
    }

    /// The chain's clock: time since the session started.
    fn chain_now(&self) -> Duration {
        self.origin.elapsed()
    }

    /// One resolve → connect (through the chain's current provider) → pump cycle.
    async fn attempt(
        &mut self,
        target: &Target,
        room: &mut Option<String>,
    ) -> Result<Ended, Interrupt> {
        let config = Arc::clone(&self.config);
        let http = self.dialer.http.clone();
        let room_id = match room.clone() {
            Some(id) => {
                self.check_alive(&http, &id).await?;
                id
            }
            None => {
                self.progress(ConnStatus::Resolving).await?;
                let Target::User(user) = target else {
                    return Err(Halt::Stop.into());
                };
                let id = loop {
                    let cookie = self.tiktok_cookie();
                    let found = self
                        .guard(resolve::resolve_room(
                            &http,
                            &config.tiktok_url,
                            &config.user_agent,
                            &cookie,
                            user,
                        ))
                        .await?;
                    match found {
                        Err(ResolveError::AgeRestricted { .. }) if self.log_in().await? => {}
                        other => break other?,
                    }
                };
                *room = Some(id.clone());
                id
            }
        };
        self.open_memory(&room_id).await?;
        let room_number = dial::room_number(&room_id)?;
        let index = self.chain.current();
        let provider = self.providers[index].clone();
        let dialer = self.dialer.clone();
        let link = match provider.kind {
            ProviderKind::Sign | ProviderKind::Custom => {
                self.progress(ConnStatus::Signing).await?;
                let signed = self.guard(dialer.sign(&provider, &room_id)).await??;
                let url = dialer.push_url(&signed, &room_id)?;
                // The history is ingested before the socket opens: credits never wait on it.
                self.take_history(signed.batch.clone(), &signed).await?;
                self.progress(ConnStatus::Connecting).await?;
                self.guard(dialer.push(&url, &signed, room_number))
                    .await??
            }
            ProviderKind::EulerWs => {
                self.progress(ConnStatus::Connecting).await?;
                let user = match target {
                    Target::User(user) => Some(user.as_str()),
                    Target::Room(_) => None,
                };
                self.guard(dialer.euler(&provider, user)).await??
            }
        };
        self.go_live(&room_id).await?;
        Ok(self.pump(link, &room_id, target).await?)
    }

    /// A probe's connection takes over: its history first, then its frames.
    async fn take_over(
        &mut self,
        prepared: Prepared,
        room: Option<&str>,
    ) -> Result<Ended, Interrupt> {
        let Some(room_id) = room.map(str::to_owned) else {
            return Err(Halt::Stop.into());
        };
        if let Some(signed) = &prepared.signed {
            self.take_history(signed.batch.clone(), signed).await?;
        }
        tracing::info!(
            "live session: {} is back; it carries the stream again",
            self.providers[prepared.provider].kind
        );
        self.go_live(&room_id).await?;
        let target = self.target()?;
        Ok(self.pump(prepared.link, &room_id, &target).await?)
    }

    /// Records the sign server's answer and ingests its history batch: recent messages, replayed
    /// on every reconnect and by every provider, recognised by the same pipeline.
    async fn take_history(&mut self, batch: wire::Batch, signed: &Signed) -> Result<(), Interrupt> {
        let now = self.now_millis();
        if let Some(recorder) = &self.record {
            // Wrapped as a `msg` frame so `replay` reads it like any other message.
            let frame = wire::encode_batch_as_msg_frame(&signed.raw);
            recorder.write(&frame, now).map_err(LiveError::Record)?;
        }
        self.sync_mappings();
        self.pipeline.ingest_batch(batch, now, &mut self.out);
        self.flush_outputs().await?;
        Ok(())
    }

    /// The connection is up: the chain knows the provider works, the consumer hears it.
    async fn go_live(&mut self, room_id: &str) -> Result<(), Halt> {
        if let Some(publish) = self.gifts.take() {
            let region = self
                .dialer
                .login
                .as_ref()
                .and_then(|l| l.tt_target_idc.clone())
                .unwrap_or_else(|| "useast1a".to_owned());
            // Its own task: the stream never waits for the gift list.
            tokio::spawn(super::gifts::fetch_and_publish(
                self.dialer.http.clone(),
                self.providers.clone(),
                room_id.to_owned(),
                region,
                self.config.gift_cache_dir.clone(),
                publish,
            ));
        }
        self.was_live = true;
        self.quiet = false;
        self.chain.on_live();
        self.set_status(ConnStatus::Live {
            room_id: room_id.to_owned(),
        })
        .await?;
        self.send_route().await
    }

    /// Sends the route when it changed (which provider, which outages ahead of it).
    async fn send_route(&mut self) -> Result<(), Halt> {
        let route = Route {
            sign_is_euler: sign_is_euler(&self.providers),
            ..self.chain.route()
        };
        if route == self.route_sent {
            return Ok(());
        }
        self.route_sent = route.clone();
        self.emit(LiveMsg::Route(route)).await
    }

    /// The `Cookie` for TikTok's own pages: the session once a room needed it, else anonymous.
    fn tiktok_cookie(&self) -> String {
        match &self.dialer.login {
            Some(login) => login.cookie.clone(),
            None => http::ANONYMOUS_COOKIE.to_owned(),
        }
    }

    /// The room needs a login: fetch the streamer's session (once). `true` when there is one now;
    /// a keyring that cannot be read is said in plain words and counts as none.
    async fn log_in(&mut self) -> Result<bool, Halt> {
        if self.dialer.login.is_some() || self.login_tried {
            return Ok(false);
        }
        self.login_tried = true;
        let session = match self.config.tiktok_session.clone() {
            SessionSource::None => None,
            SessionSource::Given(session) => Some(session),
            SessionSource::Keyring => {
                let read = tokio::task::spawn_blocking(crate::keystore::load);
                match self.guard(read).await? {
                    Ok(Ok(session)) => session,
                    Ok(Err(err)) => {
                        self.emit(LiveMsg::Warning(SessionWarning::Keyring(err)))
                            .await?;
                        None
                    }
                    Err(_) => None,
                }
            }
        };
        let Some(session) = session else {
            return Ok(false);
        };
        tracing::info!("the room is 18+: using the streamer's TikTok session");
        self.dialer.login = Some(dial::Login {
            session_id: session.sessionid.clone(),
            tt_target_idc: session.tt_target_idc.clone(),
            cookie: session.cookie_header(),
        });
        Ok(true)
    }

    /// An in-between status (resolving, signing, connecting), unless reconnecting seamlessly.
    async fn progress(&mut self, status: ConnStatus) -> Result<(), Halt> {
        if self.quiet {
            return Ok(());
        }
        self.set_status(status).await
    }

    /// Before reconnecting to a known room (or using a room id we were given), ask TikTok whether it
    /// is still live. Only a definite "no" counts; any failure of the check is ignored.
    async fn check_alive(
        &mut self,
        http: &reqwest::Client,
        room_id: &str,
    ) -> Result<(), Interrupt> {
        if !self.was_live {
            self.progress(ConnStatus::Resolving).await?;
        }
        let config = Arc::clone(&self.config);
        let answer = self
            .guard(resolve::check_alive(
                http,
                &config.webcast_url,
                &config.user_agent,
                &self.tiktok_cookie(),
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
        self.pipeline.stats()
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

/// Whether the chain's `sign` provider is Euler Stream's own server.
fn sign_is_euler(providers: &[Provider]) -> bool {
    providers
        .iter()
        .any(|p| p.kind == ProviderKind::Sign && super::provider::is_euler_sign_url(&p.url))
}

/// Resolves once a stop was requested (or the handle is gone). The watch guard is dropped inside, so
/// the future stays `Send`.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
