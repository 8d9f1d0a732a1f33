//! The ordered executor: one bounded queue of actions run one at a time, in order, on a tokio task,
//! with a gap that never shrinks under backlog, an optional max age, pause/resume/clear, and a
//! status the UI reads. RCON commands wait (reconnecting with backoff) while the server is down.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use rand::Rng as _;
use rand::seq::IndexedRandom as _;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use super::placeholders::{self, Values};
use super::rcon::{RconClient, RconConfig, RconError, RconTimeouts};
use super::sound::SoundPlayer;
use super::webhook::WebhookClient;
use crate::backoff::Backoff;
use crate::engine::Decision;
use crate::event::CreditedGift;
use crate::mappings::{Action, Mapping, MappingTable};
use crate::overlay::{OverlayHub, TextOverlay};

/// How often an idle connection is checked, so the status notices a server that went away.
const LIVENESS_CHECK: Duration = Duration::from_secs(2);

/// How many log lines [`ExecutorHandle::recent_log`] keeps.
pub const RECENT_LOG_LINES: usize = 200;

/// Executor settings; can change while it runs ([`ExecutorHandle::set_config`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ExecutorConfig {
    /// Least time from the end of one action to the start of the next (so the server also gets
    /// this pause when it lags). Never shortened by a backlog.
    pub gap_millis: u64,
    /// Actions that waited longer than this are skipped (and counted) instead of run late.
    pub max_age_millis: Option<u64>,
    /// Most actions waiting; more are dropped and counted.
    pub capacity: usize,
    /// Where to send commands; `None` makes command actions fail with a clear message.
    pub rcon: Option<RconConfig>,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self {
            gap_millis: 50,
            max_age_millis: None,
            capacity: 10_000,
            rcon: None,
        }
    }
}

/// The RCON connection as the UI shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RconState {
    #[default]
    NotConfigured,
    Connecting,
    Connected,
    /// The last attempt failed; the reason says why and when the next try is.
    Down(String),
}

/// A snapshot of the queue for the UI.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueStatus {
    pub depth: usize,
    /// What is running (or waiting for RCON) right now.
    pub running: Option<String>,
    pub done: u64,
    pub failed: u64,
    pub dropped: u64,
    pub skipped_stale: u64,
    pub paused: bool,
    pub last_error: Option<String>,
    pub rcon: RconState,
}

/// One finished action, for the log view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecLogLine {
    pub time: SystemTime,
    /// What ran, e.g. `/say hi` (rendered), `♪ ding.wav`, `POST http://…`.
    pub action: String,
    /// The server's reply (RCON), `HTTP 200`, `playing`… or the error.
    pub outcome: Result<String, String>,
}

/// What the executor tells the UI. Sent with `try_send`: a full channel loses a message, never
/// blocks the queue (the latest status is always in [`ExecutorHandle::status`]).
#[derive(Clone, Debug)]
pub enum ExecMsg {
    Status(QueueStatus),
    Log(ExecLogLine),
}

/// Pacing policy: the pause between two actions. It is the configured gap whatever
/// the backlog: Tiktok2Mc shortened it as the queue grew, so bursts hit the server hardest.
pub fn gap_for(gap_millis: u64, backlog: usize) -> Duration {
    let _ = backlog;
    Duration::from_millis(gap_millis)
}

/// When the next action may start, given when the last one ended.
pub fn next_start(last_end: Option<Instant>, now: Instant, gap: Duration) -> Instant {
    match last_end {
        Some(last) => (last + gap).max(now),
        None => now,
    }
}

/// Staleness policy: an action is skipped when it waited longer than `max_age_millis`.
pub fn is_stale(enqueued: Instant, now: Instant, max_age_millis: Option<u64>) -> bool {
    max_age_millis
        .is_some_and(|max| now.saturating_duration_since(enqueued) > Duration::from_millis(max))
}

/// One queued action, ready to run.
#[derive(Debug)]
enum Work {
    Command(Arc<str>),
    Sound {
        path: Arc<PathBuf>,
        volume: f32,
    },
    Webhook {
        url: Arc<str>,
        timeout_millis: u64,
        gift: Arc<CreditedGift>,
    },
    /// Title and subtitle already rendered (plain text).
    OverlayText(Arc<TextOverlay>),
    /// Could not be prepared (a placeholder error, no mapping for Random): fails in its turn.
    Invalid(Arc<str>),
}

#[derive(Debug)]
struct Item {
    work: Work,
    summary: Arc<str>,
    enqueued: Instant,
}

struct Shared {
    queue: VecDeque<Item>,
    status: QueueStatus,
    config: ExecutorConfig,
    /// Bumped by `set_config`, so the runner reconnects with new RCON settings.
    config_version: u64,
    recent: VecDeque<ExecLogLine>,
    /// Where overlay-text actions go (`None`: overlays are off).
    overlay: Option<OverlayHub>,
}

struct Inner {
    shared: Mutex<Shared>,
    /// New work, resume, clear or new settings.
    work: Notify,
    idle: watch::Sender<bool>,
    events: mpsc::Sender<ExecMsg>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn snapshot(shared: &Shared) -> QueueStatus {
        let mut status = shared.status.clone();
        status.depth = shared.queue.len();
        status
    }

    fn publish(&self) {
        let status = {
            let shared = self.lock();
            let status = Self::snapshot(&shared);
            let idle = shared.queue.is_empty() && status.running.is_none();
            self.idle
                .send_if_modified(|v| std::mem::replace(v, idle) != idle);
            status
        };
        let _ = self.events.try_send(ExecMsg::Status(status));
        (self.wake)();
    }

    fn log(&self, line: ExecLogLine) {
        {
            let mut shared = self.lock();
            if shared.recent.len() == RECENT_LOG_LINES {
                shared.recent.pop_front();
            }
            shared.recent.push_back(line.clone());
        }
        let _ = self.events.try_send(ExecMsg::Log(line));
    }
}

/// Controls a running executor. Dropping it stops the executor.
pub struct ExecutorHandle {
    inner: Arc<Inner>,
    mappings: watch::Receiver<MappingTable>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ExecutorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutorHandle")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl Drop for ExecutorHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Starts the executor task (call inside a tokio runtime). `mappings` is read for `Random`
/// actions; `events` gets status and log lines; `wake` is called after each message (the UI's
/// repaint request).
pub fn spawn_executor(
    config: ExecutorConfig,
    mappings: watch::Receiver<MappingTable>,
    events: mpsc::Sender<ExecMsg>,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> ExecutorHandle {
    let status = QueueStatus {
        rcon: if config.rcon.is_some() {
            RconState::Connecting
        } else {
            RconState::NotConfigured
        },
        ..QueueStatus::default()
    };
    let inner = Arc::new(Inner {
        shared: Mutex::new(Shared {
            queue: VecDeque::new(),
            status,
            config,
            config_version: 0,
            recent: VecDeque::new(),
            overlay: None,
        }),
        work: Notify::new(),
        idle: watch::Sender::new(true),
        events,
        wake,
    });
    let task = tokio::spawn(Runner::new(inner.clone()).run());
    ExecutorHandle {
        inner,
        mappings,
        task: Some(task),
    }
}

impl ExecutorHandle {
    /// Queues a decision's actions: `count × mapping.repeat` runs of the action list, each command
    /// `repeat` times, `Random` picking another mapping each time. Never blocks. Returns how many
    /// actions were queued; what does not fit is counted as dropped.
    pub fn enqueue(&self, decision: &Decision) -> usize {
        let Some(mapping) = &decision.mapping else {
            return 0;
        };
        // Read-locks the table only for this call (no await below); `Random` picks from it.
        let table = self.mappings.borrow();
        let now = Instant::now();
        let (queued, dropped) = {
            let mut shared = self.inner.lock();
            let room = shared.config.capacity.saturating_sub(shared.queue.len());
            let mut filler = Filler {
                room,
                items: Vec::new(),
                dropped: 0,
                now,
            };
            expand(decision, mapping, &table, &mut filler);
            let queued = filler.items.len();
            shared.queue.extend(filler.items);
            shared.status.dropped = shared.status.dropped.saturating_add(filler.dropped);
            (queued, filler.dropped)
        };
        drop(table);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                gift = %decision.gift.gift_name,
                "action queue full: actions dropped"
            );
        }
        if queued > 0 {
            self.inner
                .idle
                .send_if_modified(|v| std::mem::replace(v, false));
            self.inner.work.notify_one();
        }
        if queued > 0 || dropped > 0 {
            self.inner.publish();
        }
        queued
    }

    /// Where overlay-text actions show (`None` when overlays are off).
    pub fn set_overlay(&self, hub: Option<OverlayHub>) {
        self.inner.lock().overlay = hub;
    }

    /// Stops starting new actions (the running one finishes).
    pub fn pause(&self) {
        self.inner.lock().status.paused = true;
        self.inner.publish();
    }

    pub fn resume(&self) {
        self.inner.lock().status.paused = false;
        self.inner.work.notify_one();
        self.inner.publish();
    }

    /// Empties the queue (the running action finishes). Returns how many were removed.
    pub fn clear(&self) -> usize {
        let removed = {
            let mut shared = self.inner.lock();
            let removed = shared.queue.len();
            shared.queue.clear();
            removed
        };
        self.inner.work.notify_one();
        self.inner.publish();
        removed
    }

    /// New settings; new RCON settings reconnect before the next command.
    pub fn set_config(&self, config: ExecutorConfig) {
        {
            let mut shared = self.inner.lock();
            if config.rcon != shared.config.rcon {
                shared.status.rcon = if config.rcon.is_some() {
                    RconState::Connecting
                } else {
                    RconState::NotConfigured
                };
            }
            shared.config = config;
            shared.config_version += 1;
        }
        self.inner.work.notify_one();
        self.inner.publish();
    }

    /// Waits until the queue is empty and nothing runs. (Never returns while paused with work.)
    pub async fn drained(&self) {
        let mut idle = self.inner.idle.subscribe();
        let _ = idle.wait_for(|&idle| idle).await;
    }

    pub fn status(&self) -> QueueStatus {
        Inner::snapshot(&self.inner.lock())
    }

    /// The last [`RECENT_LOG_LINES`] log lines, oldest first.
    pub fn recent_log(&self) -> Vec<ExecLogLine> {
        self.inner.lock().recent.iter().cloned().collect()
    }

    /// Stops the executor task and waits until it has stopped (the running action is cut off).
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

/// Collects items up to the free room and counts the rest as dropped, without building them.
struct Filler {
    room: usize,
    items: Vec<Item>,
    dropped: u64,
    now: Instant,
}

impl Filler {
    fn full(&self) -> bool {
        self.items.len() >= self.room
    }

    fn push(&mut self, work: Work, summary: &Arc<str>) {
        if self.full() {
            self.dropped = self.dropped.saturating_add(1);
        } else {
            self.items.push(Item {
                work,
                summary: summary.clone(),
                enqueued: self.now,
            });
        }
    }
}

/// How many queue entries one run of the action list makes (`Random` counted as one).
fn actions_per_run(mapping: &Mapping) -> u64 {
    mapping
        .actions
        .iter()
        .map(|a| match a {
            Action::Command { repeat, .. } => u64::from(*repeat),
            _ => 1,
        })
        .sum()
}

fn expand(decision: &Decision, mapping: &Mapping, table: &MappingTable, filler: &mut Filler) {
    let gift = Arc::new(decision.gift.clone());
    let values = Values::from_gift(&decision.gift);
    let runs = u64::from(decision.gift.count) * u64::from(mapping.repeat);
    let steps = prepare(mapping, &values, &gift);
    let mut rng = rand::rng();
    let mut random = |f: &mut Filler| {
        let candidates = table.random_candidates(&mapping.trigger);
        match candidates.choose(&mut rng) {
            Some(chosen) => {
                let chosen_steps = prepare(chosen, &values, &gift);
                // Candidates hold no Random action (no chains).
                push_runs(
                    f,
                    &chosen_steps,
                    u64::from(chosen.repeat),
                    actions_per_run(chosen),
                    &mut |_| {},
                );
            }
            None => f.push(
                Work::Invalid("random: no other enabled mapping with actions to pick".into()),
                &Arc::from("random mapping"),
            ),
        }
    };
    push_runs(filler, &steps, runs, actions_per_run(mapping), &mut random);
}

/// Pushes `runs` runs of `steps`; once the queue is full the rest is only counted.
fn push_runs(
    filler: &mut Filler,
    steps: &[Prepared],
    runs: u64,
    per_run: u64,
    random: &mut dyn FnMut(&mut Filler),
) {
    for run in 0..runs {
        if filler.full() {
            filler.dropped = filler
                .dropped
                .saturating_add((runs - run).saturating_mul(per_run));
            return;
        }
        for step in steps {
            match step {
                Prepared::Once(work, summary) => filler.push(work.clone_work(), summary),
                Prepared::Repeat(work, summary, times) => {
                    for i in 0..*times {
                        if filler.full() {
                            filler.dropped = filler.dropped.saturating_add(u64::from(times - i));
                            break;
                        }
                        filler.push(work.clone_work(), summary);
                    }
                }
                Prepared::Random => random(filler),
            }
        }
    }
}

/// An action with its placeholders filled in, ready to copy into the queue.
enum Prepared {
    Once(Work, Arc<str>),
    Repeat(Work, Arc<str>, u32),
    Random,
}

impl Work {
    fn clone_work(&self) -> Work {
        match self {
            Work::Command(c) => Work::Command(c.clone()),
            Work::Sound { path, volume } => Work::Sound {
                path: path.clone(),
                volume: *volume,
            },
            Work::Webhook {
                url,
                timeout_millis,
                gift,
            } => Work::Webhook {
                url: url.clone(),
                timeout_millis: *timeout_millis,
                gift: gift.clone(),
            },
            Work::OverlayText(t) => Work::OverlayText(t.clone()),
            Work::Invalid(e) => Work::Invalid(e.clone()),
        }
    }
}

fn prepare(mapping: &Mapping, values: &Values, gift: &Arc<CreditedGift>) -> Vec<Prepared> {
    mapping
        .actions
        .iter()
        .map(|action| match action {
            Action::Command { command, repeat } => match placeholders::render(command, values) {
                Ok(text) => {
                    let summary: Arc<str> = format!("/{text}").into();
                    Prepared::Repeat(Work::Command(text.into()), summary, *repeat)
                }
                Err(err) => Prepared::Repeat(
                    Work::Invalid(err.to_string().into()),
                    format!("/{command}").into(),
                    *repeat,
                ),
            },
            Action::Sound { path, volume } => Prepared::Once(
                Work::Sound {
                    path: Arc::new(path.clone()),
                    volume: *volume,
                },
                action.summary().into(),
            ),
            Action::Webhook {
                url,
                timeout_millis,
            } => Prepared::Once(
                Work::Webhook {
                    url: url.as_str().into(),
                    timeout_millis: *timeout_millis,
                    gift: gift.clone(),
                },
                action.summary().into(),
            ),
            Action::Random => Prepared::Random,
            Action::OverlayText {
                title,
                subtitle,
                seconds,
            } => {
                let text = TextOverlay {
                    title: placeholders::render_text(title, values),
                    subtitle: placeholders::render_text(subtitle, values),
                    seconds: *seconds,
                };
                let summary = Action::OverlayText {
                    title: text.title.clone(),
                    subtitle: text.subtitle.clone(),
                    seconds: text.seconds,
                }
                .summary();
                Prepared::Once(Work::OverlayText(Arc::new(text)), summary.into())
            }
        })
        .collect()
}

/// The task's own state: the connection, the sound thread, pacing.
struct Runner {
    inner: Arc<Inner>,
    conn: Option<RconClient>,
    conn_version: u64,
    connect_attempt: u32,
    sound: Option<SoundPlayer>,
    webhook: WebhookClient,
    last_end: Option<Instant>,
}

enum Next {
    Wait,
    Ready { needs_rcon: bool, gap: Duration },
}

impl Runner {
    fn new(inner: Arc<Inner>) -> Self {
        Self {
            inner,
            conn: None,
            conn_version: 0,
            connect_attempt: 0,
            sound: None,
            webhook: WebhookClient::new(),
            last_end: None,
        }
    }

    async fn run(mut self) {
        let inner = self.inner.clone();
        loop {
            let notified = inner.work.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.peek() {
                Next::Wait => {
                    self.inner.publish();
                    if self.wants_connection() {
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
                            self.set_rcon(RconState::Connecting, None);
                        }
                    } else {
                        notified.await;
                    }
                    continue;
                }
                Next::Ready { needs_rcon, gap } => {
                    let due = next_start(self.last_end, Instant::now(), gap);
                    if due > Instant::now() {
                        tokio::time::sleep_until(due.into()).await;
                        continue;
                    }
                    if needs_rcon && !self.ensure_connected(notified).await {
                        continue;
                    }
                }
            }
            let Some(item) = self.pop() else { continue };
            self.run_item(item).await;
        }
    }

    /// RCON is configured and we hold no connection for the current settings.
    fn wants_connection(&mut self) -> bool {
        let (configured, version) = {
            let shared = self.inner.lock();
            (shared.config.rcon.is_some(), shared.config_version)
        };
        if !configured {
            self.conn = None;
            return false;
        }
        self.conn.is_none() || version != self.conn_version
    }

    fn peek(&self) -> Next {
        let shared = self.inner.lock();
        if shared.status.paused {
            return Next::Wait;
        }
        match shared.queue.front() {
            None => Next::Wait,
            Some(item) => Next::Ready {
                needs_rcon: matches!(item.work, Work::Command(_)),
                gap: gap_for(shared.config.gap_millis, shared.queue.len()),
            },
        }
    }

    /// Pops the next item that is not stale (counting the stale ones).
    fn pop(&self) -> Option<Item> {
        let mut shared = self.inner.lock();
        if shared.status.paused {
            return None;
        }
        let now = Instant::now();
        let max_age = shared.config.max_age_millis;
        while let Some(item) = shared.queue.pop_front() {
            if is_stale(item.enqueued, now, max_age) {
                shared.status.skipped_stale += 1;
                continue;
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
            shared.status.skipped_stale += 1;
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
            (shared.config.rcon.clone(), shared.config_version)
        };
        let Some(config) = config else {
            // No RCON settings (any more): never send to an old server.
            self.conn = None;
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
        self.set_rcon(RconState::Connecting, None);
        match RconClient::connect(&config, RconTimeouts::default()).await {
            Ok(conn) => {
                tracing::info!(addr = %config.address(), "RCON connected");
                self.conn = Some(conn);
                self.connect_attempt = 0;
                self.set_rcon(RconState::Connected, None);
                true
            }
            Err(err) => {
                let delay = Backoff::RCON.delay(self.connect_attempt, rand::rng().random::<f64>());
                self.connect_attempt = self.connect_attempt.saturating_add(1);
                let reason = format!("{err} (retrying in {:.1} s)", delay.as_secs_f64());
                tracing::warn!("{reason}");
                self.set_rcon(RconState::Down(reason), Some(err.to_string()));
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

    fn set_rcon(&self, state: RconState, error: Option<String>) {
        {
            let mut shared = self.inner.lock();
            shared.status.rcon = state;
            if error.is_some() {
                shared.status.last_error = error;
            }
        }
        self.inner.publish();
    }

    async fn run_item(&mut self, item: Item) {
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
                .post(url, *timeout_millis, gift)
                .await
                .map_err(|e| e.to_string()),
            Work::OverlayText(text) => {
                let hub = self.inner.lock().overlay.clone();
                match hub {
                    Some(hub) => {
                        hub.show_text(TextOverlay::clone(text));
                        Ok("shown on the text overlay".to_owned())
                    }
                    None => Err(
                        "overlays are off (overlay port 0): nothing can show this text".to_owned(),
                    ),
                }
            }
            Work::Invalid(reason) => Err(reason.to_string()),
        };
        self.last_end = Some(Instant::now());
        match &outcome {
            Ok(reply) => tracing::info!(action = %item.summary, reply = %reply, "action done"),
            Err(err) => tracing::warn!(action = %item.summary, error = %err, "action failed"),
        }
        {
            let mut shared = self.inner.lock();
            shared.status.running = None;
            match &outcome {
                Ok(_) => shared.status.done += 1,
                Err(err) => {
                    shared.status.failed += 1;
                    shared.status.last_error = Some(format!("{}: {err}", item.summary));
                }
            }
        }
        self.inner.log(ExecLogLine {
            time: SystemTime::now(),
            action: item.summary.to_string(),
            outcome,
        });
        self.inner.publish();
    }

    async fn run_command(&mut self, text: &str) -> Result<String, String> {
        let Some(conn) = self.conn.as_mut() else {
            return Err("RCON is not configured (set host, port and password)".to_owned());
        };
        match conn.command(text).await {
            Ok(reply) => Ok(reply),
            Err(err) => {
                if !matches!(
                    err,
                    RconError::TooLong { .. } | RconError::NulInCommand { .. }
                ) {
                    // The connection's state is unknown: start fresh for the next command.
                    self.conn = None;
                    self.set_rcon(RconState::Connecting, Some(err.to_string()));
                }
                Err(err.to_string())
            }
        }
    }

    async fn run_sound(&mut self, path: &std::path::Path, volume: f32) -> Result<String, String> {
        if self.sound.is_none() {
            match SoundPlayer::start() {
                Ok(player) => self.sound = Some(player),
                Err(e) => return Err(format!("cannot start the sound thread: {e}")),
            }
        }
        let Some(player) = &self.sound else {
            return Err("no sound thread".to_owned());
        };
        player
            .play(path, volume)
            .await
            .map(|()| "playing".to_owned())
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gap_never_shrinks_with_the_backlog() {
        for gap_millis in [0, 5, 50, 500] {
            for backlog in [0, 1, 20, 21, 50, 51, 100, 101, 10_000, usize::MAX] {
                assert_eq!(
                    gap_for(gap_millis, backlog),
                    Duration::from_millis(gap_millis),
                    "gap {gap_millis} ms, backlog {backlog}"
                );
            }
        }
    }

    #[test]
    fn next_start_keeps_the_gap_after_the_last_end() {
        let t0 = Instant::now();
        let gap = Duration::from_millis(50);
        assert_eq!(next_start(None, t0, gap), t0);
        assert_eq!(next_start(Some(t0), t0, gap), t0 + gap);
        assert_eq!(
            next_start(Some(t0), t0 + Duration::from_millis(80), gap),
            t0 + Duration::from_millis(80)
        );
    }

    #[test]
    fn staleness_needs_a_max_age_and_is_strict() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_millis(1000);
        assert!(!is_stale(t0, later, None));
        assert!(!is_stale(t0, later, Some(1000)));
        assert!(is_stale(t0, later, Some(999)));
        assert!(!is_stale(later, t0, Some(0)), "clock order never panics");
    }

    fn gift(count: u32, nickname: &str) -> CreditedGift {
        CreditedGift {
            msg_id: 1,
            user_id: 2,
            unique_id: "viewer".into(),
            nickname: nickname.into(),
            gift_id: 5655,
            gift_name: "Rose".into(),
            diamonds: 1,
            count,
            trigger: Some("Rose".into()),
            ended_by: crate::event::EndedBy::StreakEnd,
            image_url: None,
        }
    }

    fn commands(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| match &i.work {
                Work::Command(c) => c.to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn filler(room: usize) -> Filler {
        Filler {
            room,
            items: Vec::new(),
            dropped: 0,
            now: Instant::now(),
        }
    }

    #[test]
    fn count_times_mapping_repeat_times_command_repeat() {
        let mut mapping = Mapping::new(
            "Rose",
            vec![
                Action::Command {
                    command: "say a {count}".into(),
                    repeat: 2,
                },
                Action::Command {
                    command: "say b".into(),
                    repeat: 1,
                },
            ],
        );
        mapping.repeat = 2;
        let decision = Decision {
            gift: gift(3, "x"),
            mapping: Some(mapping.clone()),
        };
        let mut f = filler(100);
        expand(&decision, &mapping, &MappingTable::default(), &mut f);
        let run = ["say a 3", "say a 3", "say b"];
        let want: Vec<String> = std::iter::repeat_n(run, 6)
            .flatten()
            .map(String::from)
            .collect();
        assert_eq!(commands(&f.items), want);
        assert_eq!(f.dropped, 0);
    }

    #[test]
    fn a_full_queue_drops_and_counts_without_building_everything() {
        let mapping = Mapping::new(
            "Rose",
            vec![Action::Command {
                command: "say x".into(),
                repeat: 1000,
            }],
        );
        let decision = Decision {
            gift: gift(u32::MAX, "x"),
            mapping: Some(mapping.clone()),
        };
        let mut f = filler(10);
        expand(&decision, &mapping, &MappingTable::default(), &mut f);
        assert_eq!(f.items.len(), 10);
        assert_eq!(f.dropped, u64::from(u32::MAX) * 1000 - 10);
    }

    #[test]
    fn random_picks_another_enabled_mapping() {
        let other = Mapping::new(
            "Lion",
            vec![Action::Command {
                command: "say lion {user}".into(),
                repeat: 1,
            }],
        );
        let rose = Mapping::new("Rose", vec![Action::Random]);
        let table = MappingTable::new(vec![rose.clone(), other]);
        let decision = Decision {
            gift: gift(2, "x"),
            mapping: Some(rose.clone()),
        };
        let mut f = filler(100);
        expand(&decision, &rose, &table, &mut f);
        assert_eq!(commands(&f.items), ["say lion viewer", "say lion viewer"]);

        let mut f = filler(100);
        expand(
            &decision,
            &rose,
            &MappingTable::new(vec![rose.clone()]),
            &mut f,
        );
        assert!(matches!(&f.items[0].work, Work::Invalid(e) if e.contains("no other")));
    }

    #[test]
    fn a_hostile_nickname_is_neutralized_when_queued() {
        let mapping = Mapping::new(
            "Rose",
            vec![Action::Command {
                command: "give {nickname} diamond".into(),
                repeat: 1,
            }],
        );
        let decision = Decision {
            gift: gift(1, "@a[x] stone\n/op me"),
            mapping: Some(mapping.clone()),
        };
        let mut f = filler(10);
        expand(&decision, &mapping, &MappingTable::default(), &mut f);
        assert_eq!(commands(&f.items), ["give ax_stoneop_me diamond"]);
    }
}
