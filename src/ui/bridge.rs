//! The UI's one doorway to the live connection, the fake backend and the action executor: every
//! call the app makes into those modules goes through here, and their messages are turned into
//! what the panels show (plain words and colours), so the panels stay simple.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use crate::actions::{self, ExecLogLine, QueueStatus, RconState};
use crate::testkit::fake::FakeTikTok;

pub use crate::actions::{ExecMsg, ExecutorConfig, ExecutorHandle, RconConfig, spawn_executor};
pub use crate::live::{ConnStatus, LiveConfig, LiveHandle, LiveMsg, spawn_session};

pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// A running fake TikTok backend on loopback; dropping it stops it.
pub struct FakeBackend {
    pub fake: FakeTikTok,
    pub tiktok_url: String,
    pub webcast_url: String,
    pub sign_url: String,
    pub target: String,
}

impl FakeBackend {
    fn new(fake: FakeTikTok) -> Self {
        Self {
            tiktok_url: fake.tiktok_url(),
            webcast_url: fake.webcast_url(),
            sign_url: fake.sign_url(),
            target: format!("@{}", fake.unique_id()),
            fake,
        }
    }
}

/// Starts the fake backend with the lively demo scenario.
pub async fn start_demo_backend() -> Result<FakeBackend, String> {
    FakeTikTok::start_demo()
        .await
        .map(FakeBackend::new)
        .map_err(|e| format!("cannot start the demo TikTok backend: {e}"))
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
    /// Words for the RCON connection, and whether it is healthy (`None`: nothing to say).
    pub rcon_text: String,
    pub rcon_ok: Option<bool>,
}

impl From<QueueStatus> for QueueView {
    fn from(s: QueueStatus) -> Self {
        let (rcon_text, rcon_ok) = match s.rcon {
            RconState::NotConfigured => (
                "not set up: commands fail until you add your server in Settings".to_owned(),
                Some(false),
            ),
            RconState::Connecting => ("connecting…".to_owned(), None),
            RconState::Connected => ("connected".to_owned(), Some(true)),
            RconState::Down(reason) => (reason, Some(false)),
        };
        Self {
            depth: s.depth,
            running: s.running,
            done: s.done,
            failed: s.failed,
            dropped: s.dropped,
            skipped_stale: s.skipped_stale,
            paused: s.paused,
            last_error: s.last_error,
            rcon_text,
            rcon_ok,
        }
    }
}

/// One line of the executor's log, as the queue panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub text: String,
    pub is_error: bool,
}

impl From<ExecLogLine> for LogLine {
    fn from(line: ExecLogLine) -> Self {
        let secs = line
            .time
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let clock = format!(
            "{:02}:{:02}:{:02}",
            (secs / 3600) % 24,
            (secs / 60) % 60,
            secs % 60
        );
        let action = super::feed::clean(&line.action, 120);
        match line.outcome {
            Ok(reply) if reply.trim().is_empty() => Self {
                text: format!("{clock} {action} ✔"),
                is_error: false,
            },
            Ok(reply) => Self {
                text: format!("{clock} {action} → {}", super::feed::clean(&reply, 160)),
                is_error: false,
            },
            Err(err) => Self {
                text: format!("{clock} {action} ✖ {}", super::feed::clean(&err, 200)),
                is_error: true,
            },
        }
    }
}

pub enum ExecView {
    Status(QueueView),
    Log(LogLine),
}

/// Adapts an executor message to what the UI shows.
pub fn exec_msg_view(msg: ExecMsg) -> ExecView {
    match msg {
        ExecMsg::Status(s) => ExecView::Status(s.into()),
        ExecMsg::Log(l) => ExecView::Log(l.into()),
    }
}

/// The queue as it stands now (the executor's messages may be dropped when the UI lags; this
/// never is).
pub fn queue_now(executor: &ExecutorHandle) -> QueueView {
    executor.status().into()
}

/// Tries a login and a harmless command; the answer is what the settings window shows.
pub async fn test_rcon_connection(config: RconConfig) -> Result<String, String> {
    actions::test_rcon_connection(&config)
        .await
        .map(|reply| {
            if reply.trim().is_empty() {
                "connected".to_owned()
            } else {
                format!("connected: {}", reply.trim())
            }
        })
        .map_err(|e| e.to_string())
}
