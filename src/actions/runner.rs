//! The executor's task: takes actions from the queue one at a time, paces them (keys actions also
//! by their own pace), keeps the RCON connection for the current server (reconnecting with backoff
//! while it is down), hands `speak` actions to the speech queue (their outcome is logged when they
//! have been said), and stops when asked by the shutdown handshake.

mod pack_glue;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand::Rng as _;
use tokio::sync::watch;

use super::bedrock::{BedrockLink, queue_glue};
use super::datapack::PackState;
use super::keys::Plan;
use super::obs::{ObsError, ObsLink, ObsTimeouts, ObsWork};
use super::outcome::{ActionError, RconDown};
use super::queue::{ExecLogLine, Inner, Item, RconState, Work, is_stale, next_start};
use super::rcon::{RconClient, RconError, RconTimeouts};
use super::sound::SoundPlayer;
use super::speak::{Said, Utterance};
use super::webhook::WebhookClient;
use crate::backoff::Backoff;
use crate::mappings::MappingTable;
use crate::overlay::TextOverlay;

/// How often an idle connection is checked, so the status notices a server that went away.
const LIVENESS_CHECK: Duration = Duration::from_secs(2);

/// The task's own state: the connection, the sound thread, pacing.
struct Runner {
    inner: Arc<Inner>,
    conn: Option<RconClient>,
    conn_version: u64,
    connect_attempt: u32,
    sound: Option<SoundPlayer>,
    webhook: WebhookClient,
    /// The OBS task, started by the first OBS action.
    obs: Option<ObsLink>,
    last_end: Option<Instant>,
    /// The triggers, for the datapack's functions.
    mappings: watch::Receiver<MappingTable>,
    /// The datapack's state on this connection (`datapack_glue`).
    pack: PackState,
}

enum Next {
    Stop,
    Wait,
    Ready {
        needs_rcon: bool,
        gap: Duration,
        /// Keys actions' own pace: how long the next one must still wait.
        keys_wait: Duration,
    },
}

/// The executor task: runs until the stop handshake asks it to return.
pub(super) async fn run(inner: Arc<Inner>, mappings: watch::Receiver<MappingTable>) {
    Runner::new(inner, mappings).run().await;
}

impl Runner {
    fn new(inner: Arc<Inner>, mappings: watch::Receiver<MappingTable>) -> Self {
        Self {
            inner,
            conn: None,
            conn_version: 0,
            connect_attempt: 0,
            sound: None,
            webhook: WebhookClient::new(),
            obs: None,
            last_end: None,
            mappings,
            pack: PackState::default(),
        }
    }

    async fn run(mut self) {
        let inner = self.inner.clone();
        loop {
            let notified = inner.work.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            self.refresh_pack().await;
            match self.peek() {
                Next::Stop => {
                    // Sources still shown for a while are hidden now, not left on stream.
                    if let Some(obs) = self.obs.take() {
                        obs.stop().await;
                    }
                    return;
                }
                Next::Wait => {
                    self.inner.publish();
                    if let Some(link) = self.bedrock() {
                        self.conn = None;
                        queue_glue::idle(&self.inner, &link, notified).await;
                    } else if self.wants_connection() {
                        // Connect as soon as RCON is configured, so the status is true before
                        // the first gift; on failure this waits the backoff delay.
                        self.ensure_connected(notified).await;
                    } else if self.conn.is_some() {
                        let closed = tokio::select! {
                            () = notified => false,
                            () = tokio::time::sleep(LIVENESS_CHECK) => match &self.conn {
                                Some(conn) => conn.is_closed().await,
                                None => false,
                            },
                        };
                        if closed {
                            tracing::info!("RCON connection closed by the server; reconnecting");
                            self.conn = None;
                            self.set_rcon(RconState::Connecting);
                        }
                    } else {
                        notified.await;
                    }
                    continue;
                }
                Next::Ready {
                    needs_rcon,
                    gap,
                    keys_wait,
                } => {
                    let now = Instant::now();
                    let due = next_start(self.last_end, now, gap).max(now + keys_wait);
                    if due > Instant::now() {
                        tokio::select! {
                            () = tokio::time::sleep_until(due.into()) => {}
                            () = notified => {}
                        }
                        continue;
                    }
                    if needs_rcon && !self.ensure_target(notified).await {
                        continue;
                    }
                }
            }
            let Some(item) = self.pop() else { continue };
            self.run_item(item).await;
        }
    }

    /// The streamer's Bedrock world, when commands go there now.
    fn bedrock(&self) -> Option<BedrockLink> {
        self.inner.lock().config.active_bedrock().cloned()
    }

    /// The current server can take a command: the Bedrock game's window has room, or RCON is
    /// logged in (see [`Self::ensure_connected`]).
    async fn ensure_target(
        &mut self,
        notified: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
    ) -> bool {
        let Some(link) = self.bedrock() else {
            return self.ensure_connected(notified).await;
        };
        self.conn = None;
        self.conn_version = self.inner.lock().config_version;
        let ready = queue_glue::ensure_ready(&self.inner, &link, notified).await;
        if !ready {
            self.skip_stale_head();
            self.inner.publish();
        }
        ready
    }

    /// RCON is configured and we hold no connection for the current settings.
    fn wants_connection(&mut self) -> bool {
        let (configured, version) = {
            let shared = self.inner.lock();
            (shared.config.active_rcon().is_some(), shared.config_version)
        };
        if !configured {
            self.conn = None;
            return false;
        }
        self.conn.is_none() || version != self.conn_version
    }

    fn peek(&self) -> Next {
        let shared = self.inner.lock();
        if shared.stop {
            return Next::Stop;
        }
        if !shared.urgent.is_empty() {
            // The urgent lane runs paused or not, keeping the gap.
            return Next::Ready {
                needs_rcon: true,
                gap: Duration::from_millis(shared.config.gap_millis),
                keys_wait: Duration::ZERO,
            };
        }
        if shared.status.paused || shared.status.world_pause.is_some() {
            return Next::Wait;
        }
        match shared.queue.front() {
            None => Next::Wait,
            Some(item) => Next::Ready {
                needs_rcon: matches!(item.work, Work::Command(_) | Work::Function(_)),
                // The configured gap whatever the backlog: Tiktok2Mc shortened it as the queue
                // grew, so bursts hit the server hardest (tests/actions.rs holds it under load).
                gap: Duration::from_millis(shared.config.gap_millis),
                keys_wait: if matches!(item.work, Work::Keys(_)) {
                    self.inner.devices.keys_wait()
                } else {
                    Duration::ZERO
                },
            },
        }
    }

    /// Pops the next urgent command, or else the next item that is not stale (counting the stale
    /// ones). A command is only popped while our connection is for the current settings: checked
    /// under the same lock that switches servers, so a command never runs on the server before
    /// the switch.
    fn pop(&self) -> Option<Item> {
        let mut shared = self.inner.lock();
        if !shared.stop && !shared.urgent.is_empty() {
            if shared.config_version != self.conn_version {
                return None;
            }
            let item = shared.urgent.pop_front()?;
            shared.status.running = Some(item.summary.to_string());
            return Some(item);
        }
        if shared.status.paused || shared.status.world_pause.is_some() || shared.stop {
            return None;
        }
        let now = Instant::now();
        let max_age = shared.config.max_age_millis;
        while let Some(item) = shared.queue.pop_front() {
            if is_stale(item.enqueued, now, max_age) {
                shared.status.too_old += 1;
                continue;
            }
            if matches!(item.work, Work::Command(_) | Work::Function(_))
                && shared.config_version != self.conn_version
            {
                shared.queue.push_front(item);
                return None;
            }
            shared.status.running = Some(item.summary.to_string());
            return Some(item);
        }
        None
    }

    fn skip_stale_head(&self) {
        let mut shared = self.inner.lock();
        let now = Instant::now();
        let max_age = shared.config.max_age_millis;
        while shared
            .queue
            .front()
            .is_some_and(|item| is_stale(item.enqueued, now, max_age))
        {
            shared.queue.pop_front();
            shared.status.too_old += 1;
        }
    }

    /// Makes sure a logged-in connection exists. On failure, waits the backoff delay (cut short by
    /// new settings, clear or resume) and returns false; the command stays at the head of the queue.
    async fn ensure_connected(
        &mut self,
        notified: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
    ) -> bool {
        let (config, version) = {
            let shared = self.inner.lock();
            (shared.config.active_rcon().cloned(), shared.config_version)
        };
        let Some(config) = config else {
            // No RCON settings (any more): never send to an old server; commands fail clearly.
            self.conn = None;
            self.conn_version = version;
            return true;
        };
        if version != self.conn_version {
            self.conn = None;
            self.connect_attempt = 0;
            self.conn_version = version;
        }
        if let Some(conn) = &self.conn {
            if !conn.is_closed().await {
                return true;
            }
            tracing::info!(addr = %conn.address(), "RCON connection closed by the server; reconnecting");
            self.conn = None;
        }
        self.set_rcon(RconState::Connecting);
        match RconClient::connect(&config, RconTimeouts::default()).await {
            Ok(conn) => {
                tracing::info!(addr = %config.address(), "RCON connected");
                self.conn = Some(conn);
                self.connect_attempt = 0;
                // A new connection may be a restarted or upgraded server: ask its version again.
                self.pack.stale = true;
                self.pack.version = None;
                self.set_rcon(RconState::Connected);
                true
            }
            Err(err) => {
                let delay = Backoff::RCON.delay(self.connect_attempt, rand::rng().random::<f64>());
                self.connect_attempt = self.connect_attempt.saturating_add(1);
                // Passed on, not logged: the status says it (the window, `--execute`'s stderr).
                self.set_rcon(RconState::Down(RconDown {
                    address: config.address(),
                    error: Arc::new(err),
                    retry_in: delay,
                }));
                {
                    let mut shared = self.inner.lock();
                    let waiting = shared
                        .queue
                        .front()
                        .map(|i| format!("waiting for RCON: {}", i.summary));
                    shared.status.running = waiting;
                }
                self.inner.publish();
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = notified => {}
                }
                self.skip_stale_head();
                self.inner.lock().status.running = None;
                self.inner.publish();
                false
            }
        }
    }

    fn set_rcon(&self, state: RconState) {
        self.inner.lock().status.rcon = state;
        self.inner.publish();
    }

    async fn run_item(&mut self, item: Item) {
        if matches!(item.work, Work::Function(_)) {
            self.run_function(item).await;
            return;
        }
        if matches!(item.work, Work::Command(_))
            && let Some(link) = self.bedrock()
        {
            // The game answers later; the gap runs from this send.
            self.last_end = Some(Instant::now());
            queue_glue::send(&self.inner, &link, item);
            return;
        }
        self.inner.publish();
        let outcome = match &item.work {
            Work::Command(text) => self.run_command(text).await,
            Work::Sound { path, volume } => self.run_sound(path, *volume).await,
            Work::Webhook {
                url,
                timeout_millis,
                gift,
            } => self
                .webhook
                .post(url, *timeout_millis, &**gift)
                .await
                .map_err(|e| ActionError::Webhook(Arc::new(e))),
            Work::OverlayText(text) => {
                let hub = self.inner.lock().overlay.clone();
                match hub {
                    Some(hub) => {
                        hub.show_text(TextOverlay::clone(text));
                        Ok("shown on the text overlay".to_owned())
                    }
                    // Overlays off is the streamer's choice (or a headless replay), not a failure.
                    None => Ok("not shown: overlays are off (overlay port 0)".to_owned()),
                }
            }
            Work::Obs(work) => self.run_obs(work).await,
            Work::Counter { name, op } => self.run_counter(name, *op),
            Work::StreamTimer(op) => self.run_timer(*op),
            Work::Keys(keys) => self.run_keys(&keys.plan).await,
            Work::Speak(utterance) => match self.run_speak(utterance, &item.summary) {
                // Said later: its outcome is recorded then, and the queue goes on meanwhile.
                None => {
                    self.last_end = Some(Instant::now());
                    self.inner.lock().status.running = None;
                    self.inner.publish();
                    return;
                }
                Some(refused) => refused,
            },
            Work::Invalid(reason) => Err(reason.clone()),
            Work::Function(_) => return,
        };
        self.last_end = Some(Instant::now());
        self.inner.lock().status.running = None;
        self.inner.record(&item.summary, outcome);
    }

    /// Changes a counter: the log says what it was and what it is.
    fn run_counter(
        &self,
        name: &str,
        op: crate::counters::CounterOp,
    ) -> Result<String, ActionError> {
        let hub = self.inner.lock().counters.clone();
        let hub = hub.ok_or(ActionError::CountersOff)?;
        let change = hub.apply(name, op).map_err(ActionError::Counter)?;
        Ok(format!("{name}: {} → {}", change.before, change.after))
    }

    /// Changes the stream timer: the log says the time left.
    fn run_timer(&self, op: crate::stream_timer::TimerOp) -> Result<String, ActionError> {
        let hub = self.inner.lock().counters.clone();
        let hub = hub.ok_or(ActionError::CountersOff)?;
        let wins = hub.timer(op);
        let board = hub.board();
        let left = crate::counter_hub::clock_text(
            board.remaining_millis(crate::counter_hub::wall_millis()),
        );
        Ok(match wins {
            0 => format!("stream timer: {left} left"),
            _ => format!("stream timer reached zero: a win ({left} left)"),
        })
    }

    /// Runs a keys action on the keystroke thread (started on first use) and waits for it: the
    /// next action starts after its keys are let go.
    async fn run_keys(&self, plan: &Plan) -> Result<String, ActionError> {
        let keys = self.inner.devices.keys().map_err(ActionError::Keys)?;
        let result = keys.run(plan.clone()).await;
        self.inner.devices.keys_ran();
        result
            .map(|done| {
                format!(
                    "{} input events in {} ms",
                    done.events,
                    done.elapsed.as_millis()
                )
            })
            .map_err(ActionError::Keys)
    }

    /// Hands an utterance to the speech queue. `None`: queued, and a task records its outcome
    /// once it has been said (the action counts as speaking until then); `Some`: refused now.
    fn run_speak(
        &self,
        utterance: &Utterance,
        summary: &Arc<str>,
    ) -> Option<Result<String, ActionError>> {
        let ended = match self.inner.devices.speech().say_then(utterance.clone()) {
            Ok(ended) => ended,
            Err(full) => return Some(Err(ActionError::SpeechFull(full))),
        };
        self.inner.lock().status.speaking += 1;
        let inner = self.inner.clone();
        let summary = summary.clone();
        tokio::spawn(async move {
            let outcome = match ended.await {
                Ok(Ok(Said::Finished)) => Some(Ok("said".to_owned())),
                Ok(Ok(Said::Cancelled)) => Some(Ok("cut short (Skip or Stop all)".to_owned())),
                Ok(Err(err)) => Some(Err(ActionError::Speech(err))),
                // Stop all dropped it before it was said: the streamer's choice, not a failure.
                Err(_) => None,
            };
            {
                let mut shared = inner.lock();
                shared.status.speaking = shared.status.speaking.saturating_sub(1);
                if outcome.is_none() {
                    shared.status.cleared += 1;
                }
            }
            let outcome = outcome.unwrap_or_else(|| Ok("not said: Stop all dropped it".to_owned()));
            inner.record(&summary, outcome);
        });
        None
    }

    async fn run_command(&mut self, text: &str) -> Result<String, ActionError> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(ActionError::RconNotConfigured);
        };
        let address = conn.address().to_owned();
        match conn.command(text).await {
            Ok(reply) => Ok(reply),
            Err(err) => {
                if !matches!(
                    err,
                    RconError::TooLong { .. } | RconError::NulInCommand { .. }
                ) {
                    // The connection's state is unknown: start fresh for the next command.
                    self.conn = None;
                    self.set_rcon(RconState::Connecting);
                }
                Err(ActionError::rcon(address, err))
            }
        }
    }

    /// OBS actions do not wait for OBS the way commands wait for RCON: OBS being closed must not
    /// hold Minecraft commands back, so a failed OBS action fails in its turn and is logged.
    async fn run_obs(&mut self, work: &ObsWork) -> Result<String, ActionError> {
        let config = self.inner.lock().config.obs.clone();
        let Some(config) = config else {
            return Err(ActionError::ObsNotConfigured);
        };
        let inner = self.inner.clone();
        let obs = self.obs.get_or_insert_with(|| {
            // A hide that runs after its show left the queue reports to the same action log.
            ObsLink::start(
                ObsTimeouts::default(),
                Arc::new(move |action, outcome: Result<String, ObsError>| {
                    inner.log(ExecLogLine {
                        time: SystemTime::now(),
                        action,
                        outcome: outcome.map_err(|e| ActionError::Obs(Arc::new(e))),
                    });
                }),
            )
        });
        obs.run(&config, work)
            .await
            .map_err(|e| ActionError::Obs(Arc::new(e)))
    }

    async fn run_sound(
        &mut self,
        path: &std::path::Path,
        volume: f32,
    ) -> Result<String, ActionError> {
        let player = match &mut self.sound {
            Some(player) => player,
            slot @ None => slot
                .insert(SoundPlayer::start().map_err(|e| ActionError::SoundThread(Arc::new(e)))?),
        };
        player
            .play(path, volume)
            .await
            .map(|()| "playing".to_owned())
            .map_err(ActionError::Sound)
    }
}
