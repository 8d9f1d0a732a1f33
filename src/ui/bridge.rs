//! The UI's one doorway to the live connection, the fake backend and the action executor: every
//! call the app makes into those modules goes through here, so their shapes are adapted in one
//! place. TEMPORARY stand-ins until `live`/`fake`/`actions` are merged (see TODO(ui)).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::engine::{self, Decision, EngineConfig};
use crate::mappings::MappingTable;

pub type Wake = Arc<dyn Fn() + Send + Sync>;

// ---- live ---------------------------------------------------------------------------------

/// TODO(ui): replace with `crate::live::LiveConfig` once merged.
#[derive(Clone, Debug, Default)]
pub struct LiveConfig {
    pub target: String,
    pub room_id: Option<String>,
    pub sign_url: String,
    pub sign_api_key: Option<String>,
    pub tiktok_url: String,
    pub webcast_url: String,
    pub engine: EngineConfig,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnStatus {
    Idle,
    Resolving,
    Signing,
    Connecting,
    Live {
        room_id: String,
    },
    Reconnecting {
        retry_in: Duration,
        last_error: String,
    },
    Ended,
    Failed {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum LiveMsg {
    Status(ConnStatus),
    Output(engine::Output),
    Stats(engine::Stats),
}

pub struct LiveHandle {
    task: tokio::task::JoinHandle<()>,
}

impl LiveHandle {
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for LiveHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Must be called inside the runtime.
pub fn spawn_session(
    _config: LiveConfig,
    _mappings: watch::Receiver<MappingTable>,
    events: mpsc::Sender<LiveMsg>,
    wake: Wake,
) -> LiveHandle {
    let task = tokio::spawn(async move {
        let status = ConnStatus::Failed {
            reason: "the live module is not merged into this build yet".into(),
        };
        if events.send(LiveMsg::Status(status)).await.is_ok() {
            wake();
        }
    });
    LiveHandle { task }
}

// ---- fake backend -------------------------------------------------------------------------

/// A running fake TikTok backend on loopback; dropping it stops it.
pub struct FakeBackend {
    pub tiktok_url: String,
    pub webcast_url: String,
    pub sign_url: String,
    pub target: String,
}

/// Starts the fake backend with the lively demo scenario.
pub async fn start_demo_backend() -> Result<FakeBackend, String> {
    Err("the demo backend is not merged into this build yet".into())
}

// ---- actions ------------------------------------------------------------------------------

#[derive(Clone, PartialEq, Eq)]
pub struct RconConfig {
    pub host: String,
    pub port: u16,
    pub password: String,
}

#[derive(Clone, Debug, Default)]
pub struct ExecutorConfig {
    pub gap_millis: u64,
    pub max_age_millis: Option<u64>,
    pub capacity: usize,
    pub rcon: Option<RconConfig>,
}

impl std::fmt::Debug for RconConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RconConfig({}:{})", self.host, self.port)
    }
}

/// What the queue panel shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueView {
    pub depth: usize,
    pub running: Option<String>,
    pub done: u64,
    pub failed: u64,
    pub dropped: u64,
    pub skipped_stale: u64,
    pub paused: bool,
    pub last_error: Option<String>,
    /// Words for the RCON connection, and whether it is healthy.
    pub rcon_text: String,
    pub rcon_ok: Option<bool>,
}

/// One line of the executor's log, as the queue panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub text: String,
    pub is_error: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExecMsg {
    Status(QueueView),
    Log(LogLine),
}

/// Adapts an executor message to what the UI shows.
pub fn exec_msg_view(msg: ExecMsg) -> ExecView {
    match msg {
        ExecMsg::Status(s) => ExecView::Status(s),
        ExecMsg::Log(l) => ExecView::Log(l),
    }
}

pub enum ExecView {
    Status(QueueView),
    Log(LogLine),
}

pub struct ExecutorHandle {
    state: std::sync::Mutex<QueueView>,
    events: mpsc::Sender<ExecMsg>,
    wake: Wake,
}

impl ExecutorHandle {
    fn publish(&self, view: QueueView) {
        if self.events.try_send(ExecMsg::Status(view)).is_ok() {
            (self.wake)();
        }
    }

    fn update(&self, f: impl FnOnce(&mut QueueView)) {
        let view = {
            let mut state = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut state);
            state.clone()
        };
        self.publish(view);
    }

    /// Queues a decision's actions; returns how many were queued.
    pub fn enqueue(&self, decision: &Decision) -> usize {
        let Some(mapping) = &decision.mapping else {
            return 0;
        };
        let n = mapping.actions.len() * decision.gift.count as usize * mapping.repeat as usize;
        self.update(|s| s.depth += n);
        n
    }
    pub fn pause(&self) {
        self.update(|s| s.paused = true);
    }
    pub fn resume(&self) {
        self.update(|s| s.paused = false);
    }
    pub fn clear(&self) {
        self.update(|s| s.depth = 0);
    }
    pub fn set_config(&self, _config: ExecutorConfig) {}
}

/// Must be called inside the runtime.
pub fn spawn_executor(
    _config: ExecutorConfig,
    _mappings: watch::Receiver<MappingTable>,
    events: mpsc::Sender<ExecMsg>,
    wake: Wake,
) -> ExecutorHandle {
    ExecutorHandle {
        state: Default::default(),
        events,
        wake,
    }
}

/// Tries a login; the answer is what the settings window shows.
pub async fn test_rcon_connection(config: RconConfig) -> Result<String, String> {
    Err(format!(
        "cannot test {}:{}: the actions module is not merged yet",
        config.host, config.port
    ))
}
