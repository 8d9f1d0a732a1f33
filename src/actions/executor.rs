//! The ordered executor: one bounded queue of actions run one at a time, in order, on a tokio task
//! (`runner`), with a gap that never shrinks under backlog, an optional max age,
//! pause/resume/clear, and a status the UI reads as latest-value state (`tokio::sync::watch`).
//! Every action is bound to the server it was queued for ([`super::binding`]): a server switch
//! holds the old queue. Stopping is a handshake with a deadline that lists what did not run.
//! The queue's types live in `queue`; this is the handle.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use super::binding::{self, HeldQueues, Origin, ServerId, ShutdownReport};
use super::devices::Devices;
pub use super::devices::Released;
use super::expand::{Dialect, Filler, Source, expand};
use super::keys::KeysRunner;
pub use super::panic::PanicReport;
use super::panic::cleanup_commands;
use super::placeholders::Values;
pub use super::queue::{
    ExecLogLine, ExecMsg, ExecutorConfig, QueueStatus, RECENT_LOG_LINES, RconState, WorldPause,
    is_stale, next_start,
};
use super::queue::{Inner, Item, Shared, WebhookBody, Work};
use super::speak::{NotRead, SpeechQueue, Utterance};
use crate::engine::Decision;
use crate::event::User;
use crate::mappings::{Mapping, MappingTable};
use crate::overlay::OverlayHub;
use crate::triggers::Fired;

/// Holds and releases the queue for the world awareness, apart from the streamer's Pause.
#[derive(Clone)]
pub struct WorldGate {
    inner: Arc<Inner>,
}

impl WorldGate {
    /// `Some`: no new action starts (the running one finishes); `None`: the queue goes on.
    pub fn set(&self, pause: Option<WorldPause>) {
        let changed = {
            let mut shared = self.inner.lock();
            let changed = shared.status.world_pause != pause;
            shared.status.world_pause = pause;
            changed
        };
        if changed {
            self.inner.work.notify_one();
            self.inner.publish();
        }
    }
}

/// Controls a running executor. Dropping it aborts the executor; [`ExecutorHandle::stop`] stops
/// it cleanly.
pub struct ExecutorHandle {
    inner: Arc<Inner>,
    mappings: watch::Receiver<MappingTable>,
    task: Mutex<Option<JoinHandle<()>>>,
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
        let task = self.task.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(task) = task.take() {
            task.abort();
        }
    }
}

/// Starts the executor task (call inside a tokio runtime). `mappings` is read for `Random`
/// actions; `events` (optional) gets every log line as it is logged, for a printer that needs
/// each one (the window reads [`ExecutorHandle::log_since`] instead); `wake` is called when the
/// status changed or a line was logged (the UI's repaint request).
pub fn spawn_executor(
    config: ExecutorConfig,
    mappings: watch::Receiver<MappingTable>,
    events: impl Into<Option<mpsc::Sender<ExecMsg>>>,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> ExecutorHandle {
    let events = events.into();
    let devices = Devices::new(config.keys_pace.clone(), config.read_chat.clone());
    let status = QueueStatus {
        rcon: connection_state(&config),
        server: config.server(),
        ..QueueStatus::default()
    };
    let inner = Arc::new(Inner {
        shared: Mutex::new(Shared {
            queue: VecDeque::new(),
            urgent: VecDeque::new(),
            held: HeldQueues::default(),
            status: status.clone(),
            config,
            config_version: 0,
            recent: VecDeque::new(),
            logged: 0,
            closed: false,
            stop: false,
            refused: 0,
            overlay: None,
            counters: None,
            awaiting: 0,
            requeued: 0,
            ready_pack: None,
        }),
        work: Notify::new(),
        idle: watch::Sender::new(true),
        status: watch::Sender::new(status),
        events,
        wake,
        devices,
    });
    let task = tokio::spawn(super::runner::run(inner.clone(), mappings.clone()));
    // A changed table may change the datapack: wake the runner to rewrite it.
    let mut table = mappings.clone();
    let waker = Arc::downgrade(&inner);
    tokio::spawn(async move {
        while table.changed().await.is_ok() {
            let Some(inner) = waker.upgrade() else { return };
            inner.work.notify_one();
        }
    });
    ExecutorHandle {
        inner,
        mappings,
        task: Mutex::new(Some(task)),
    }
}

/// The connection state a new configuration starts with.
fn connection_state(config: &ExecutorConfig) -> RconState {
    if let Some(link) = config.active_bedrock() {
        super::bedrock::queue_glue::queue_state(link)
    } else if config.active_rcon().is_some() {
        RconState::Connecting
    } else {
        RconState::NotConfigured
    }
}

impl ExecutorHandle {
    /// Queues a decision's actions for the current server: `count × mapping.repeat` runs of the
    /// action list, each command `repeat` times, `Random` picking another mapping each time. Never
    /// blocks. Returns how many actions were queued; what does not fit is counted as dropped.
    pub fn enqueue(&self, decision: &Decision) -> usize {
        self.enqueue_to(decision, None)
    }

    /// Like [`ExecutorHandle::enqueue`], bound to the server of the stream the gift came from:
    /// a demo gift credited after the demo stopped is held for the demo, never sent to the
    /// streamer's world (and the other way round).
    pub fn enqueue_from(&self, decision: &Decision, origin: Origin) -> usize {
        self.enqueue_to(decision, Some(origin))
    }

    fn enqueue_to(&self, decision: &Decision, origin: Option<Origin>) -> usize {
        let Some(mapping) = &decision.mapping else {
            return 0;
        };
        let source = Source {
            values: Values::from_gift(&decision.gift),
            body: Arc::new(WebhookBody::Gift(decision.gift.clone())),
            count: decision.gift.count,
        };
        self.enqueue_source(mapping, &source, &decision.gift.gift_name, origin)
    }

    /// Queues a fired non-gift trigger's actions (`count × mapping.repeat` runs), like [`enqueue`].
    /// A skipped trigger (no mapping) queues nothing.
    ///
    /// [`enqueue`]: Self::enqueue
    pub fn enqueue_fired(&self, fired: &Fired) -> usize {
        self.enqueue_fired_to(fired, None)
    }

    /// Like [`ExecutorHandle::enqueue_fired`], bound to the server of the stream it came from.
    pub fn enqueue_fired_from(&self, fired: &Fired, origin: Origin) -> usize {
        self.enqueue_fired_to(fired, Some(origin))
    }

    fn enqueue_fired_to(&self, fired: &Fired, origin: Option<Origin>) -> usize {
        let Some(mapping) = &fired.mapping else {
            return 0;
        };
        let source = Source {
            values: Values::from_event(&fired.line),
            body: Arc::new(WebhookBody::Event(fired.line.clone())),
            count: fired.line.count,
        };
        self.enqueue_source(mapping, &source, fired.line.kind.as_str(), origin)
    }

    fn enqueue_source(
        &self,
        mapping: &Mapping,
        source: &Source,
        what: &str,
        origin: Option<Origin>,
    ) -> usize {
        // Read-locks the table only for this call (no await below); `Random` picks from it.
        let table = self.mappings.borrow();
        let now = Instant::now();
        let (queued, dropped, held_for) = {
            let mut shared = self.inner.lock();
            let waiting = shared.queue.len() + shared.held.len();
            let room = if shared.closed {
                0
            } else {
                shared.config.capacity.saturating_sub(waiting)
            };
            let keys_limits = shared.config.keys_limits.clone();
            let server = shared.config.server_for(origin);
            let mut filler = Filler {
                room,
                items: Vec::new(),
                dropped: 0,
                capped: 0,
                now,
                keys_limits: &keys_limits,
                devices: Some(&self.inner.devices),
                dialect: Dialect::of(&server),
                pack: shared.ready_pack.clone().filter(|p| p.server == server),
            };
            expand(source, mapping, &table, &mut filler);
            let queued = filler.items.len();
            shared.status.keys_capped = shared.status.keys_capped.saturating_add(filler.capped);
            let held_for = if server == shared.config.server() {
                shared.queue.extend(filler.items);
                None
            } else {
                shared.held.hold(&server, filler.items);
                Some(server)
            };
            if shared.closed {
                shared.refused = shared.refused.saturating_add(filler.dropped);
            } else {
                shared.status.dropped = shared.status.dropped.saturating_add(filler.dropped);
            }
            (queued, filler.dropped, held_for)
        };
        drop(table);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                gift = %what,
                "action queue full or stopping: actions not queued"
            );
        }
        if let Some(server) = held_for
            && queued > 0
        {
            tracing::info!(queued, %server, "actions held: they belong to another server");
        }
        if queued > 0 {
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

    /// What counter and timer actions change (`None`: they fail, saying counters are off).
    pub fn set_counters(&self, hub: Option<crate::counter_hub::CounterHub>) {
        self.inner.lock().counters = hub;
    }

    /// Keys actions run on this keystroke thread (tests: a test's own X display) instead of one
    /// started on first use with the system's input backend.
    pub fn set_keys(&self, runner: KeysRunner) {
        self.inner.devices.set_keys(runner);
    }

    /// `speak` actions and chat reading use this speech queue instead of one started on first
    /// use on the system's speech service.
    pub fn set_speech(&self, queue: SpeechQueue) {
        self.inner.devices.set_speech(queue);
    }

    /// The speech queue (started now if it was not yet), for its status, Skip and Stop all.
    pub fn speech(&self) -> SpeechQueue {
        self.inner.devices.speech()
    }

    /// The speech queue if a `speak` action or chat reading started it (or one was set).
    pub fn speech_if_started(&self) -> Option<SpeechQueue> {
        self.inner.devices.speech_if_started()
    }

    /// Reads a chat message aloud if the "read chat aloud" setting
    /// ([`ExecutorConfig::read_chat`]) takes it: the speech queue gets it at once (it has a queue
    /// of its own; the action queue is not held up). `at_millis` is the engine's clock, for the
    /// per-viewer cooldown.
    pub fn read_chat(
        &self,
        user: &User,
        message: &str,
        at_millis: u64,
    ) -> Result<Utterance, NotRead> {
        self.inner.devices.read_chat(user, message, at_millis)
    }

    /// The panic button's part for games and voices: lets go of every held key and mouse button
    /// at once (a hold is cut short), cuts what is being said and drops what the speech queue
    /// holds, and throws away the keys and speak actions waiting in this queue (counted as
    /// cleared). Other actions stay queued; nothing is paused. Never blocks.
    pub fn release_all(&self) -> Released {
        let dropped = {
            let mut shared = self.inner.lock();
            let before = shared.queue.len();
            shared
                .queue
                .retain(|item| !matches!(item.work, Work::Keys(_) | Work::Speak(_)));
            let dropped = before - shared.queue.len();
            shared.status.cleared += dropped as u64;
            dropped
        };
        let (keys, speech) = self.inner.devices.release();
        let released = Released {
            dropped,
            keys,
            speech,
        };
        tracing::warn!(?released, "release all: keys let go, speech stopped");
        self.inner.log(ExecLogLine {
            time: std::time::SystemTime::now(),
            action: "⏹ Release keys, stop speech".to_owned(),
            outcome: Ok(released.to_string()),
        });
        self.inner.work.notify_one();
        self.inner.publish();
        released
    }

    /// The panic button: pauses the queue, throws away everything that waits (the current queue,
    /// whether paused or held while the streamer's player is dead, and the queues held for other
    /// servers), lets go of every held key, stops speech, and puts `cleanup` (the streamer's
    /// `executor.panic_cleanup`, tidied by [`cleanup_commands`]) in the urgent lane of the current
    /// server, which runs while the queue stays paused. The running action finishes. Never blocks.
    pub fn panic(&self, cleanup: &[String]) -> PanicReport {
        let commands = cleanup_commands(cleanup);
        let (cleared, cleared_held, server, sent) = {
            let mut shared = self.inner.lock();
            shared.status.paused = true;
            let cleared = shared.queue.len();
            shared.queue.clear();
            shared.requeued = 0;
            let cleared_held: usize = shared
                .held
                .take_all()
                .iter()
                .map(|held| held.items.len())
                .sum();
            shared.status.cleared += (cleared + cleared_held) as u64;
            let server = shared.config.server();
            let sent = if server == ServerId::NotSet {
                0
            } else {
                let now = Instant::now();
                shared
                    .urgent
                    .extend(commands.into_iter().map(|command| Item {
                        summary: format!("🚨 /{command}").into(),
                        work: Work::Command(command.into()),
                        enqueued: now,
                        urgent: true,
                    }));
                shared.urgent.len()
            };
            (cleared, cleared_held, server, sent)
        };
        let (keys, speech) = self.inner.devices.release();
        let report = PanicReport {
            cleared,
            cleared_held,
            released: Released {
                dropped: 0,
                keys,
                speech,
            },
            cleanup: sent,
            server,
        };
        tracing::warn!(
            cleared = report.cleared_total(),
            cleanup = report.cleanup,
            "panic button: {report}"
        );
        self.inner.log(ExecLogLine {
            time: std::time::SystemTime::now(),
            action: "⛔ Panic".to_owned(),
            outcome: Ok(report.to_string()),
        });
        self.inner.work.notify_one();
        self.inner.publish();
        report
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

    /// The handle the world awareness holds the queue with (while the streamer's player is dead).
    pub fn world_gate(&self) -> WorldGate {
        WorldGate {
            inner: self.inner.clone(),
        }
    }

    /// Empties the current queue (the running action finishes). Returns how many were removed.
    pub fn clear(&self) -> usize {
        let removed = {
            let mut shared = self.inner.lock();
            let removed = shared.queue.len();
            shared.queue.clear();
            shared.requeued = 0;
            shared.status.cleared += removed as u64;
            removed
        };
        self.inner.work.notify_one();
        self.inner.publish();
        removed
    }

    /// Discards the queue held for `server`. Returns how many actions were removed.
    pub fn clear_held(&self, server: &ServerId) -> usize {
        let removed = {
            let mut shared = self.inner.lock();
            let removed = shared.held.take(server).len();
            shared.status.cleared += removed as u64;
            removed
        };
        if removed > 0 {
            tracing::info!(removed, %server, "held actions cleared");
        }
        self.inner.publish();
        removed
    }

    /// Keeps the queue held for `server` for that server: it runs when `server` is current again
    /// (at once if it is current now). Returns false when nothing is held for it.
    pub fn keep_held(&self, server: &ServerId) -> bool {
        let kept = {
            let mut shared = self.inner.lock();
            let kept = shared.held.keep(server);
            if kept && *server == shared.config.server() {
                let back = shared.held.take(server);
                binding::prepend(&mut shared.queue, back);
            }
            kept
        };
        self.inner.work.notify_one();
        self.inner.publish();
        kept
    }

    /// New settings; new RCON settings reconnect before the next command. A different server
    /// (see [`ExecutorConfig::server`]) holds the current queue for the old one.
    pub fn set_config(&self, config: ExecutorConfig) {
        {
            let mut shared = self.inner.lock();
            if config.active_rcon() != shared.config.active_rcon()
                || config.active_bedrock() != shared.config.active_bedrock()
            {
                shared.status.rcon = connection_state(&config);
            }
            let (old, new) = (shared.config.server(), config.server());
            if old != new {
                // The panic's cleanup was meant for the old server's world.
                let urgent = shared.urgent.len();
                shared.urgent.clear();
                if urgent > 0 {
                    tracing::warn!(urgent, from = %old, "server changed: cleanup commands not sent");
                }
                let Shared { held, queue, .. } = &mut *shared;
                let moved = queue.len();
                binding::switch_server(held, queue, &old, &new);
                if moved > 0 {
                    tracing::warn!(
                        moved,
                        from = %old,
                        to = %new,
                        "server changed: queued actions held for their own server"
                    );
                }
            }
            self.inner
                .devices
                .configure(&config.keys_pace, &config.read_chat);
            if config.datapack_world() != shared.config.datapack_world() || old != new {
                // Written for another folder or server: line by line until the runner rewrote it.
                shared.ready_pack = None;
            }
            shared.config = config;
            shared.config_version += 1;
        }
        self.inner.work.notify_one();
        self.inner.publish();
    }

    /// How many times [`Self::set_config`] ran: a new version means new settings were applied.
    pub fn config_version(&self) -> u64 {
        self.inner.lock().config_version
    }

    /// Waits until the current queue is empty and nothing runs (held queues do not count).
    /// Never returns while paused with work.
    pub async fn drained(&self) {
        let mut idle = self.inner.idle.subscribe();
        let _ = idle.wait_for(|&idle| idle).await;
    }

    pub fn status(&self) -> QueueStatus {
        Inner::snapshot(&self.inner.lock())
    }

    /// The status as latest-value state: never blocks the executor, never falls behind.
    pub fn status_watch(&self) -> watch::Receiver<QueueStatus> {
        self.inner.status.subscribe()
    }

    /// The last [`RECENT_LOG_LINES`] log lines, oldest first.
    pub fn recent_log(&self) -> Vec<ExecLogLine> {
        self.inner.lock().recent.iter().cloned().collect()
    }

    /// The log lines after the first `seen` ever logged, oldest first, and how many were ever
    /// logged. Lines that already scrolled out of the log are not returned: the caller can tell
    /// how many from the count.
    pub fn log_since(&self, seen: u64) -> (Vec<ExecLogLine>, u64) {
        let shared = self.inner.lock();
        let new = usize::try_from(shared.logged.saturating_sub(seen)).unwrap_or(usize::MAX);
        let skip = shared.recent.len().saturating_sub(new);
        (
            shared.recent.iter().skip(skip).cloned().collect(),
            shared.logged,
        )
    }

    /// How many lines were ever logged (cheap: the window checks it each frame).
    pub fn logged(&self) -> u64 {
        self.inner.lock().logged
    }

    /// First half of the stop handshake: nothing new is queued from now on (what arrives is
    /// counted as refused); the queue keeps running so it can drain.
    pub fn close(&self) {
        self.inner.lock().closed = true;
        self.inner.publish();
    }

    /// The stop handshake: refuses new work, asks the task to stop after the running action and
    /// waits for it up to `grace` (then cuts it off). Returns what ran and lists every action that
    /// did not (the current queue and the held ones). Call it once; later calls only list.
    pub async fn stop(&self, grace: Duration) -> ShutdownReport {
        {
            let mut shared = self.inner.lock();
            shared.closed = true;
            shared.stop = true;
        }
        self.inner.work.notify_one();
        let task = self
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let mut clean = true;
        let mut cut_off = None;
        if let Some(mut task) = task
            && tokio::time::timeout(grace, &mut task).await.is_err()
        {
            clean = false;
            cut_off = self.inner.lock().status.running.take();
            task.abort();
            let _ = task.await;
        }
        let report = {
            let mut shared = self.inner.lock();
            let current = shared.config.server();
            let urgent = std::mem::take(&mut shared.urgent);
            let mut left: Vec<(ServerId, String)> = urgent
                .into_iter()
                .chain(shared.queue.drain(..))
                .map(|i| (current.clone(), i.summary.to_string()))
                .collect();
            for held in shared.held.take_all() {
                left.extend(
                    held.items
                        .into_iter()
                        .map(|i| (held.server.clone(), i.summary.to_string())),
                );
            }
            let speaking = shared.status.speaking;
            left.extend(
                (0..speaking).map(|_| (current.clone(), "🔊 speech not finished".to_owned())),
            );
            shared.status.running = None;
            ShutdownReport {
                done: shared.status.done,
                failed: shared.status.failed,
                not_run: binding::group_not_run(left),
                refused: shared.refused,
                cut_off,
                clean,
            }
        };
        // Nothing stays held or keeps talking once the queue is gone.
        self.inner.devices.release();
        self.inner.publish();
        report
    }
}
