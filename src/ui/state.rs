//! What the panels draw: the connection as the top bar shows it, the queue, the feed, notices,
//! the RCON test, the open windows, and the saved settings being edited. Plain data and small
//! rules about it; the runtime handles behind it (the session, its channels, the demo's servers,
//! the executor) are the app's (`ui::link`, `app.rs`), the way egui's demo keeps its saved
//! `State` apart from `WrapApp`. The app changes it; panels read the narrow part they draw.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::Instant;

use super::bridge::{ConnStatus, LogLine, QueueStatus};
use super::catalog::Catalog;
use super::errors::{ObsTestError, SaveError};
use super::failure::RconFailure;
use super::feed::Feed;
use super::triggers::TriggerEditor;
use crate::engine;
use crate::settings::Settings;

/// Notices shown at once; older ones scroll away.
pub const MAX_NOTICES: usize = 4;
/// Executor log lines kept for the queue panel.
pub const EXEC_LOG_CAPACITY: usize = 200;

/// What runs behind the connect bar, as the panels see it (the handles themselves are the
/// app's: `ui::link::Link`, which keeps this in step).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Nothing runs.
    #[default]
    Off,
    /// The demo's fake TikTok and Minecraft are starting; a session follows.
    StartingDemo,
    /// A session runs (or has just ended: see [`ConnStatus::is_final`]).
    Session {
        /// The session is the demo's.
        demo: bool,
    },
}

/// The connection as the top bar shows it.
pub struct Connection {
    /// Bumped for every new session, so replies from an old one are ignored.
    pub session: u64,
    pub phase: Phase,
    /// The newest status (from the session's watch channel, or set here for the demo).
    pub status: ConnStatus,
    pub status_since: Instant,
    pub stats: engine::Stats,
    /// Who we are connected to, for the status line.
    pub target: String,
    /// The provider carrying the stream and the outages ahead of it, for the status line.
    pub route: Option<crate::live::Route>,
}

impl Default for Connection {
    fn default() -> Self {
        Self {
            session: 0,
            phase: Phase::Off,
            status: ConnStatus::Idle,
            status_since: Instant::now(),
            stats: engine::Stats::default(),
            target: String::new(),
            route: None,
        }
    }
}

impl Connection {
    /// Something is running or starting, so the connect bar offers Disconnect.
    pub fn active(&self) -> bool {
        match self.phase {
            Phase::Off => false,
            Phase::StartingDemo => true,
            Phase::Session { .. } => !self.status.is_final(),
        }
    }

    pub fn is_demo(&self) -> bool {
        matches!(
            self.phase,
            Phase::StartingDemo | Phase::Session { demo: true }
        )
    }

    /// No session runs any more (none was started, or it has ended and credited its streaks).
    pub fn session_finished(&self) -> bool {
        !matches!(self.phase, Phase::Session { .. }) || self.status.is_final()
    }

    pub fn starting_demo(&self) -> bool {
        matches!(self.phase, Phase::StartingDemo)
    }

    pub fn set_status(&mut self, status: ConnStatus) {
        tracing::info!(target: "giftdeck::ui", "connection: {status:?}");
        self.status = status;
        self.status_since = Instant::now();
    }
}

/// The settings window's "Test connection" for the Minecraft server.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum RconTest {
    #[default]
    Idle,
    Running,
    Done(Result<String, RconFailure>),
}

/// The settings window's TikTok session field and what the keyring said.
#[derive(Default)]
pub struct SessionLogin {
    /// What is being pasted (cleared as soon as it is handed to the keyring).
    pub input: String,
    pub status: SessionStatus,
}

// The pasted session never reaches `Debug` output.
impl std::fmt::Debug for SessionLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionLogin")
            .field("input", &crate::text::masked(&self.input))
            .field("status", &self.status)
            .finish()
    }
}

/// What the keyring did with the TikTok session, in the words the window shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SessionStatus {
    #[default]
    Unknown,
    Working,
    Saved,
    Forgotten,
    /// A paste that is not a session, or a keyring that cannot be used (worded by `failure`).
    Failed(super::errors::SessionKeepError),
}

/// The settings window's "Test connection" for OBS.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ObsTest {
    #[default]
    Idle,
    Running,
    /// The versions, or why not.
    Done(Result<String, ObsTestError>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug)]
pub struct Notice {
    pub level: NoticeLevel,
    pub text: String,
    /// Offers an Undo button for the last import.
    pub undo_import: bool,
}

/// The banners under the connect bar, newest last, at most [`MAX_NOTICES`].
#[derive(Debug, Default)]
pub struct Notices {
    list: VecDeque<Notice>,
}

impl Notices {
    pub fn push(&mut self, level: NoticeLevel, text: String) {
        self.push_notice(Notice {
            level,
            text,
            undo_import: false,
        });
    }

    pub fn push_notice(&mut self, notice: Notice) {
        match notice.level {
            NoticeLevel::Error => tracing::warn!("{}", notice.text),
            _ => tracing::info!("{}", notice.text),
        }
        self.list.push_back(notice);
        while self.list.len() > MAX_NOTICES {
            self.list.pop_front();
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Notice> {
        self.list.iter()
    }

    pub fn remove(&mut self, index: usize) {
        self.list.remove(index);
    }

    pub fn retain(&mut self, keep: impl FnMut(&Notice) -> bool) {
        self.list.retain(keep);
    }
}

/// Which extra windows are open.
#[derive(Debug, Default)]
pub struct Windows {
    /// The "Read chat aloud" window.
    pub read_chat: bool,
    pub path: bool,
    /// The last Tiktok2Mc import's report, shown until closed (empty = closed).
    pub import_report: Vec<String>,
    /// The text of the path window.
    pub path_input: String,
}

/// Where settings are saved and how the last save went.
#[derive(Debug, Default)]
pub struct SaveState {
    /// `None`: nothing is loaded or saved (no config dir on this OS).
    pub path: Option<PathBuf>,
    pub allowed: bool,
    pub last: Option<Result<PathBuf, SaveError>>,
    /// A problem with the settings file found at start, shown once as a banner.
    pub warning: Option<String>,
}

/// Rows the window let go while it was far behind (a minimized window): not shown, and nothing
/// else lost (their actions ran). One of three things once all called "skipped": a trigger
/// skipped while cooling down is `Skip`, an action too old to run is `QueueStatus::too_old`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NotShown {
    pub feed_rows: u64,
    pub log_lines: u64,
}

/// The app is finishing before it quits (the window's close was held back).
#[derive(Clone, Debug)]
pub struct Quitting {
    /// When it quits whatever is left.
    pub deadline: Instant,
    /// The streamer chose "Quit now", or closed the window again.
    pub now: bool,
}

/// Everything the window draws.
pub struct State {
    /// The page on screen.
    pub page: super::pages::Page,
    /// What the last press of the panic button did (shown on the Live page).
    pub last_panic: Option<crate::actions::PanicReport>,
    pub settings: Settings,
    pub save: SaveState,
    pub catalog: Catalog,
    /// The gifts' pictures as textures (the cache task's handle inside).
    pub pictures: super::pictures::GiftPictures,
    pub editor: TriggerEditor,
    pub feed: Feed,
    pub queue: QueueStatus,
    /// The streamer's Minecraft player as the world watch sees them.
    pub world: crate::world::WorldStatus,
    /// The counters and the stream timer, as of this frame.
    pub counters: crate::counter_hub::CounterBoard,
    /// The Counters panel's "new counter" name being typed.
    pub new_counter: String,
    pub exec_log: VecDeque<LogLine>,
    pub conn: Connection,
    /// The username field of the connect bar.
    pub target_input: String,
    /// The settings window's API key field (kept apart so an empty field clears the key).
    pub api_key_input: String,
    pub notices: Notices,
    pub windows: Windows,
    pub rcon_test: RconTest,
    /// The settings window's "Test connection" for OBS (same states as the RCON one).
    pub obs_test: ObsTest,
    pub not_shown: NotShown,
    /// The settings window's TikTok session (for 18+ rooms).
    pub session_login: SessionLogin,
    /// Messages left in the UI channel after the last frame's budget ran out.
    pub backlog: usize,
    /// The Overlays panel's URLs and connections.
    pub overlays: super::overlays_view::OverlaysView,
    /// Set while finishing before quitting.
    pub quitting: Option<Quitting>,
    /// The Bedrock world's listener and game, for the checklist and the settings window.
    pub bedrock: super::bedrock::BedrockView,
    /// The goals and the subathon timer as the game task last published them.
    pub game: crate::game::GameView,
    /// Leaderboards and the viewer lookup.
    pub viewers: super::viewers::ViewersView,
    /// The TikFinity events API's and the external trigger endpoint's state.
    pub local_servers: super::local_servers::LocalServersView,
    /// The speech queue's status; `None` until something started it (speech starts on first use).
    pub speech: Option<crate::actions::speak::SpeechStatus>,
}

impl State {
    pub fn new(settings: Settings, save: SaveState) -> Self {
        let catalog = Catalog::built_in();
        let mut editor = TriggerEditor::default();
        editor.revalidate(&settings.mappings, &catalog);
        Self {
            page: super::pages::Page::at_start(&settings),
            last_panic: None,
            target_input: settings.connection.last_target.clone(),
            api_key_input: settings.connection.sign_api_key.clone().unwrap_or_default(),
            settings,
            save,
            catalog,
            pictures: super::pictures::GiftPictures::default(),
            editor,
            feed: Feed::default(),
            queue: QueueStatus::default(),
            world: crate::world::WorldStatus::default(),
            counters: crate::counter_hub::CounterBoard::default(),
            new_counter: String::new(),
            exec_log: VecDeque::new(),
            conn: Connection::default(),
            notices: Notices::default(),
            windows: Windows::default(),
            rcon_test: RconTest::Idle,
            obs_test: ObsTest::Idle,
            not_shown: NotShown::default(),
            session_login: SessionLogin::default(),
            overlays: super::overlays_view::OverlaysView::off(crate::i18n::tr("overlays-off-flag")),
            backlog: 0,
            quitting: None,
            bedrock: super::bedrock::BedrockView::default(),
            game: crate::game::GameView::default(),
            viewers: super::viewers::ViewersView::default(),
            local_servers: Default::default(),
            speech: None,
        }
    }

    pub fn push_log(&mut self, line: LogLine) {
        self.exec_log.push_back(line);
        while self.exec_log.len() > EXEC_LOG_CAPACITY {
            self.exec_log.pop_front();
        }
    }
}
