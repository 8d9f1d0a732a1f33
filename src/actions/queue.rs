//! The queue's types and shared state: the executor's settings, what is queued ([`Item`],
//! [`Work`]), the status and log the window reads, and the state the handle and the runner
//! share (`Inner`). Below `executor` (the handle), `expand` (building items) and `runner` (the
//! task), which all use it; it uses none of them.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{Notify, mpsc, watch};

use super::bedrock::BedrockLink;
use super::binding::{HeldQueue, HeldQueues, Origin, ServerId};
use super::datapack::{BatchRoute, FunctionWork, ReadyPack};
use super::devices::{Devices, KeysTicket};
use super::keys::{KeysLimits, KeysPace, Plan};
use super::obs::{ObsConfig, ObsWork};
use super::outcome::{ActionError, FailedAction, RconDown};
use super::rcon::RconConfig;
use super::speak::{ReadChat, Utterance};
use crate::event::CreditedGift;
use crate::overlay::{OverlayHub, TextOverlay};
use crate::triggers::EventLine;

/// How many log lines [`ExecutorHandle::recent_log`](super::ExecutorHandle::recent_log) keeps.
pub const RECENT_LOG_LINES: usize = 200;

/// Executor settings; can change while it runs
/// ([`ExecutorHandle::set_config`](super::ExecutorHandle::set_config)).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ExecutorConfig {
    /// Least time from the end of one action to the start of the next (so the server also gets
    /// this pause when it lags). Never shortened by a backlog.
    pub gap_millis: u64,
    /// Actions that waited longer than this are skipped (and counted) instead of run late.
    pub max_age_millis: Option<u64>,
    /// Most actions waiting (held queues included); more are dropped and counted.
    pub capacity: usize,
    /// The streamer's server; `None` makes command actions fail with a clear message.
    pub rcon: Option<RconConfig>,
    /// The demo's own server. While set it is the current server, and actions from the real
    /// stream stay bound to `rcon` (held until it is current again).
    #[serde(skip)]
    pub demo_rcon: Option<RconConfig>,
    /// OBS's WebSocket server; `None` makes OBS actions fail with a clear message.
    pub obs: Option<ObsConfig>,
    /// Keys actions' own pace and per-trigger cap.
    pub keys_pace: KeysPace,
    /// What one keys action may do at most.
    pub keys_limits: KeysLimits,
    /// Reading chat aloud (its word filter and length apply to `speak` actions too).
    pub read_chat: ReadChat,
    /// The streamer's Bedrock world over `/connect`: while set it is the streamer's server
    /// instead of `rcon` (commands never go to both).
    #[serde(skip)]
    pub bedrock: Option<BedrockLink>,
    /// The streamer's world folder (a local Java server): batches of vanilla commands go as one
    /// datapack `function` call there (`actions::datapack`). Never for the demo or Bedrock.
    #[serde(skip)]
    pub world_folder: Option<PathBuf>,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self {
            gap_millis: 50,
            max_age_millis: None,
            capacity: 10_000,
            rcon: None,
            demo_rcon: None,
            obs: None,
            keys_pace: KeysPace::default(),
            keys_limits: KeysLimits::default(),
            read_chat: ReadChat::default(),
            bedrock: None,
            world_folder: None,
        }
    }
}

impl ExecutorConfig {
    /// Where commands go now, when that is an RCON server.
    pub fn active_rcon(&self) -> Option<&RconConfig> {
        match (&self.demo_rcon, &self.bedrock) {
            (Some(demo), _) => Some(demo),
            (None, Some(_)) => None,
            (None, None) => self.rcon.as_ref(),
        }
    }

    /// Where commands go now, when that is the streamer's Bedrock world.
    pub fn active_bedrock(&self) -> Option<&BedrockLink> {
        self.bedrock.as_ref().filter(|_| self.demo_rcon.is_none())
    }

    /// The world folder, while commands go to the streamer's RCON server (not the demo's, not
    /// Bedrock): where the datapack is written.
    pub fn datapack_world(&self) -> Option<&PathBuf> {
        if self.demo_rcon.is_some() || self.bedrock.is_some() || self.rcon.is_none() {
            return None;
        }
        self.world_folder
            .as_ref()
            .filter(|p| !p.as_os_str().is_empty())
    }

    /// The current server: new actions without an [`Origin`] are bound to it.
    pub fn server(&self) -> ServerId {
        if self.demo_rcon.is_some() {
            ServerId::Demo
        } else {
            self.stream_server()
        }
    }

    /// The streamer's own server (whether or not the demo runs).
    pub fn stream_server(&self) -> ServerId {
        if let Some(link) = &self.bedrock {
            return ServerId::Bedrock(link.port());
        }
        self.rcon
            .as_ref()
            .map_or(ServerId::NotSet, |r| ServerId::rcon(&r.host, r.port))
    }

    pub(super) fn server_for(&self, origin: Option<Origin>) -> ServerId {
        match origin {
            None => self.server(),
            Some(Origin::Demo) => ServerId::Demo,
            Some(Origin::Stream) => self.stream_server(),
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
    /// The last attempt failed: why, and when the next try is.
    Down(RconDown),
    /// The Bedrock world on `port` is not connected: the streamer types `/connect` in the game.
    WaitingForGame {
        port: u16,
    },
}

/// A snapshot of the queue for the UI.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueStatus {
    pub depth: usize,
    /// What is running (or waiting for RCON) right now.
    pub running: Option<String>,
    /// Commands sent to the Bedrock game that wait for its answer.
    pub in_flight: usize,
    pub done: u64,
    pub failed: u64,
    pub dropped: u64,
    /// Of `dropped`: keys actions over their trigger's cap (a storm must not become minutes of
    /// held keys).
    pub keys_capped: u64,
    /// Of `failed`: commands and OBS actions with no server set up (`--execute` reports them as
    /// not run).
    pub not_configured: u64,
    /// `speak` actions handed to the speech queue and not said yet.
    pub speaking: usize,
    /// Waited longer than the max age, so they were not run (and not sent late).
    pub too_old: u64,
    /// Removed by the streamer (Clear, the panic button, or clearing a held queue) without
    /// running.
    pub cleared: u64,
    /// Commands in the urgent lane (the panic button's cleanup), not sent yet.
    pub urgent: usize,
    pub paused: bool,
    /// Held while the streamer's player is dead (the world awareness, `crate::world`): apart from
    /// the streamer's own Pause, and lifted on respawn or when the world can no longer be read.
    pub world_pause: Option<WorldPause>,
    pub last_error: Option<FailedAction>,
    pub rcon: RconState,
    /// The server the queue runs on now.
    pub server: ServerId,
    /// Queues held for other servers, oldest switch first.
    pub held: Vec<HeldQueue>,
    /// The stop handshake began: nothing new is queued.
    pub stopping: bool,
    /// How ×N batches reach the streamer's server: one datapack call, or command by command.
    pub batches: BatchRoute,
}

/// Why the world awareness holds the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldPause {
    /// The streamer's in-game name.
    pub player: String,
}

impl std::fmt::Display for WorldPause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "paused while {} is dead; resumes when they respawn",
            self.player
        )
    }
}

/// One finished action, for the log view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecLogLine {
    pub time: SystemTime,
    /// What ran, e.g. `/say hi` (rendered), `♪ ding.wav`, `POST http://…`.
    pub action: String,
    /// The server's reply (RCON), `HTTP 200`, `playing`… or why it failed.
    pub outcome: Result<String, ActionError>,
}

/// What the executor tells a printer besides its status. Sent with `try_send`: a full channel
/// loses a line, never blocks the queue (the last lines are always in the log,
/// [`ExecutorHandle::log_since`](super::ExecutorHandle::log_since); the status is latest-value
/// state in [`ExecutorHandle::status_watch`](super::ExecutorHandle::status_watch)).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ExecMsg {
    Log(ExecLogLine),
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

/// What a webhook posts: the gift line `replay` prints, or a non-gift trigger's `--events` line.
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
pub(super) enum WebhookBody {
    Gift(CreditedGift),
    Event(EventLine),
}

/// One queued action, ready to run. `Debug` hides a webhook URL's token.
pub(super) enum Work {
    Command(Arc<str>),
    Sound {
        path: Arc<PathBuf>,
        volume: f32,
    },
    Webhook {
        url: Arc<str>,
        timeout_millis: u64,
        gift: Arc<WebhookBody>,
    },
    /// Title and subtitle already rendered (plain text).
    OverlayText(Arc<TextOverlay>),
    /// An OBS action, placeholders filled in.
    Obs(Arc<ObsWork>),
    /// A keys action's events, holding its place under the trigger's cap.
    Keys(KeysWork),
    /// What a `speak` action says, filtered.
    Speak(Arc<Utterance>),
    /// A counter change (`counter` action).
    Counter {
        name: Arc<str>,
        op: crate::counters::CounterOp,
    },
    /// A stream timer change (`stream_timer` action).
    StreamTimer(crate::stream_timer::TimerOp),
    /// A batch of vanilla commands as one datapack `function` call.
    Function(Arc<FunctionWork>),
    /// Could not be prepared (a placeholder error, no mapping for Random): fails in its turn.
    Invalid(ActionError),
}

impl std::fmt::Debug for Work {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Command(command) => write!(f, "Command({command:?})"),
            Self::Sound { path, volume } => write!(f, "Sound({path:?}, {volume})"),
            Self::Webhook {
                url,
                timeout_millis,
                ..
            } => {
                let shown = super::webhook::redact_url(url);
                write!(f, "Webhook({shown}, {timeout_millis} ms)")
            }
            Self::OverlayText(text) => write!(f, "OverlayText({:?})", text.title),
            Self::Obs(work) => write!(f, "Obs({work:?})"),
            Self::Keys(keys) => {
                let place = keys.ticket.as_ref().map_or("uncapped", |_| "capped");
                write!(f, "Keys({} events, {place})", keys.plan.inputs.len())
            }
            Self::Speak(utterance) => write!(f, "Speak({:?})", utterance.text),
            Self::Counter { name, op } => write!(f, "Counter({name:?}, {op:?})"),
            Self::StreamTimer(op) => write!(f, "StreamTimer({op:?})"),
            Self::Function(call) => write!(f, "Function({:?})", call.line),
            Self::Invalid(reason) => write!(f, "Invalid({reason})"),
        }
    }
}

/// A keys action in the queue: the events, and its place under its trigger's cap (`None` when
/// no cap applies), freed when the item is dropped.
pub(super) struct KeysWork {
    pub(super) plan: Arc<Plan>,
    pub(super) ticket: Option<KeysTicket>,
}

#[derive(Debug)]
pub(super) struct Item {
    pub(super) work: Work,
    pub(super) summary: Arc<str>,
    pub(super) enqueued: Instant,
    /// In the urgent lane (the panic button's cleanup): runs before the queue, even while it is
    /// paused, and is never too old.
    pub(super) urgent: bool,
}

pub(super) struct Shared {
    /// Actions for the current server (`config.server()`), in order.
    pub(super) queue: VecDeque<Item>,
    /// The urgent lane: commands for the current server that run before `queue`, paused or not
    /// (the panic button's cleanup).
    pub(super) urgent: VecDeque<Item>,
    /// Actions for other servers, never run while those are not current.
    pub(super) held: HeldQueues<Item>,
    pub(super) status: QueueStatus,
    pub(super) config: ExecutorConfig,
    /// Bumped by `set_config`, so the runner reconnects with new RCON settings.
    pub(super) config_version: u64,
    /// The log: the last [`RECENT_LOG_LINES`] lines, and how many were ever logged.
    pub(super) recent: VecDeque<ExecLogLine>,
    pub(super) logged: u64,
    /// The stop handshake began: new work is refused (and counted).
    pub(super) closed: bool,
    /// The runner returns at its next check.
    pub(super) stop: bool,
    pub(super) refused: u64,
    /// Where overlay-text actions go (`None`: overlays are off).
    pub(super) overlay: Option<OverlayHub>,
    /// What counter and timer actions change (`None`: not set up, e.g. a headless replay).
    pub(super) counters: Option<crate::counter_hub::CounterHub>,
    /// Commands sent to the Bedrock game, not answered yet (the queue is idle only without them).
    pub(super) awaiting: usize,
    /// Commands the game refused as "too many" and that went back to the head of the queue, in
    /// the order they were first sent (the next ones go in behind them).
    pub(super) requeued: usize,
    /// The datapack as written for the streamer's server (`None`: batches go line by line).
    pub(super) ready_pack: Option<Arc<ReadyPack>>,
}

pub(super) struct Inner {
    pub(super) shared: Mutex<Shared>,
    /// New work, resume, clear, new settings or stop.
    pub(super) work: Notify,
    pub(super) idle: watch::Sender<bool>,
    pub(super) status: watch::Sender<QueueStatus>,
    pub(super) events: Option<mpsc::Sender<ExecMsg>>,
    pub(super) wake: Arc<dyn Fn() + Send + Sync>,
    /// The keystroke thread and the speech queue.
    pub(super) devices: Devices,
}

impl Inner {
    pub(super) fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn snapshot(shared: &Shared) -> QueueStatus {
        let mut status = shared.status.clone();
        status.depth = shared.queue.len();
        status.urgent = shared.urgent.len();
        status.server = shared.config.server();
        status.stopping = shared.closed;
        status.in_flight = shared.awaiting;
        status.held = shared
            .held
            .iter()
            .map(|h| HeldQueue {
                server: h.server.clone(),
                count: h.items.len(),
                kept: h.kept,
                next: h.items.front().map(|i| i.summary.to_string()),
            })
            .collect();
        status
    }

    /// Publishes the latest status (and wakes the UI when it changed).
    pub(super) fn publish(&self) {
        let status = {
            let shared = self.lock();
            let status = Self::snapshot(&shared);
            let idle = shared.queue.is_empty()
                && shared.urgent.is_empty()
                && status.running.is_none()
                && status.speaking == 0
                && shared.awaiting == 0;
            self.idle
                .send_if_modified(|v| std::mem::replace(v, idle) != idle);
            status
        };
        let changed = self.status.send_if_modified(|current| {
            if *current == status {
                false
            } else {
                *current = status;
                true
            }
        });
        if changed {
            (self.wake)();
        }
    }

    /// Counts a finished action's outcome in the status, logs it and publishes. The outcome is
    /// passed on (the log, the status), not logged here: the window and `--execute`'s stderr
    /// report it.
    pub(super) fn record(&self, summary: &str, outcome: Result<String, ActionError>) {
        {
            let mut shared = self.lock();
            match &outcome {
                Ok(_) => shared.status.done += 1,
                Err(err) => {
                    shared.status.failed += 1;
                    if matches!(
                        err,
                        ActionError::RconNotConfigured | ActionError::ObsNotConfigured
                    ) {
                        shared.status.not_configured += 1;
                    }
                    shared.status.last_error = Some(FailedAction {
                        action: summary.to_owned(),
                        error: err.clone(),
                    });
                }
            }
        }
        self.log(ExecLogLine {
            time: SystemTime::now(),
            action: summary.to_owned(),
            outcome,
        });
        self.publish();
    }

    /// Adds a line to the log (the one the window reads), hands it to the event channel if there
    /// is one (a full channel loses the line there, never here), and wakes the UI.
    pub(super) fn log(&self, line: ExecLogLine) {
        {
            let mut shared = self.lock();
            if shared.recent.len() == RECENT_LOG_LINES {
                shared.recent.pop_front();
            }
            shared.recent.push_back(line.clone());
            shared.logged += 1;
        }
        if let Some(events) = &self.events {
            let _ = events.try_send(ExecMsg::Log(line));
        }
        (self.wake)();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
