//! The app state and its glue: owns the settings, the trigger table, the feed, the queue view and
//! the running session; turns UI commands into work on the tokio runtime; drains the background
//! channel with a time budget each frame. Never blocks or awaits on the UI thread.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch};

use super::bridge::{
    self, ConnStatus, ExecView, ExecutorConfig, ExecutorHandle, LiveConfig, LiveHandle, LiveMsg,
    LogLine, QueueView, RconConfig, Wake,
};
use super::catalog::Catalog;
use super::demo::{DEMO_RCON_PASSWORD, DemoRcon};
use super::feed::Feed;
use super::triggers::{TriggerEditor, TriggerEvent};
use crate::engine::{self, Decision, EngineConfig, GiftEngine, Output};
use crate::event::{GiftMessage, User};
use crate::mappings::{Mapping, MappingTable};
use crate::settings::{self, Settings};

/// Capacity of the one background → UI channel.
pub const UI_CHANNEL_CAPACITY: usize = 8_192;
/// Capacity of a session's channel into the router.
const LIVE_CHANNEL_CAPACITY: usize = 1_024;
/// Capacity of the executor's channel.
const EXEC_CHANNEL_CAPACITY: usize = 1_024;
/// Actions the queue holds before it drops.
const QUEUE_CAPACITY: usize = 10_000;
/// Time the UI spends draining messages per frame; the rest waits for the next frame.
pub const DRAIN_BUDGET: Duration = Duration::from_millis(4);
/// Edits are saved once typing pauses this long.
const SAVE_DEBOUNCE: Duration = Duration::from_millis(300);
/// Executor log lines kept for the queue panel.
const EXEC_LOG_CAPACITY: usize = 200;
/// A file dialog that returns "nothing chosen" faster than this most likely never appeared.
const DIALOG_TOO_FAST: Duration = Duration::from_millis(400);
/// Notices shown at once.
const MAX_NOTICES: usize = 4;

/// How the app is built: tests inject a temp settings path and their own runtime.
pub struct AppOptions {
    /// `None`: nothing is loaded or saved (no config dir on this OS).
    pub settings_path: Option<PathBuf>,
    pub runtime: Handle,
    /// Start the demo at once (`giftdeck --demo`).
    pub demo: bool,
}

/// Calls `request_repaint` once the UI has told us its context; background tasks hold this.
#[derive(Default)]
pub struct Waker {
    ctx: OnceLock<egui::Context>,
}

impl Waker {
    pub fn wake(&self) {
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }
}

/// Everything the background sends the UI.
pub enum UiMsg {
    Live {
        session: u64,
        msg: LiveMsg,
    },
    Exec(ExecView),
    Saved(Result<PathBuf, String>),
    DemoReady {
        session: u64,
        result: Result<DemoBackends, String>,
    },
    Imported(Result<(PathBuf, settings::MappingsFile), String>),
    Exported(Result<PathBuf, String>),
    /// A file dialog closed without a file; `fast` when it likely never appeared.
    DialogEmpty {
        fast: bool,
    },
    DialogFailed(String),
    SoundPicked {
        row: usize,
        action: usize,
        path: PathBuf,
    },
    RconTested(Result<String, String>),
}

/// The demo's loopback backends; dropping them stops them.
pub struct DemoBackends {
    pub fake: bridge::FakeBackend,
    pub rcon: DemoRcon,
}

/// What the user asked for this frame; run after drawing.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Connect,
    Disconnect,
    StartDemo,
    Test { row: usize, count: u32 },
    MappingsChanged,
    SettingsChanged,
    PauseQueue,
    ResumeQueue,
    ClearQueue,
    ImportDialog,
    ExportDialog,
    ImportPath(PathBuf),
    ExportPath(PathBuf),
    PickSound { row: usize, action: usize },
    TestRcon,
    UndoImport,
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

/// The connection as the top bar shows it.
pub struct Connection {
    pub session: u64,
    pub handle: Option<LiveHandle>,
    pub demo: Option<DemoBackends>,
    pub starting_demo: bool,
    pub status: ConnStatus,
    pub status_since: Instant,
    pub stats: engine::Stats,
    /// Who we are connected to, for the status line.
    pub target: String,
}

impl Connection {
    /// Something is running or starting.
    pub fn active(&self) -> bool {
        self.starting_demo || (self.handle.is_some() && !is_final(&self.status))
    }
}

pub(crate) fn is_final(status: &ConnStatus) -> bool {
    matches!(status, ConnStatus::Ended | ConnStatus::Failed { .. })
}

/// The whole app.
pub struct GiftdeckApp {
    pub(crate) runtime: Handle,
    pub(crate) settings_path: Option<PathBuf>,
    pub(crate) save_allowed: bool,
    pub(crate) settings: Settings,
    pub(crate) settings_warning: Option<String>,
    pub(crate) last_save: Option<Result<PathBuf, String>>,
    save_due: Option<Instant>,
    save_tx: watch::Sender<Option<Settings>>,
    pub(crate) table: MappingTable,
    mappings_tx: watch::Sender<MappingTable>,
    pub(crate) catalog: Catalog,
    pub(crate) editor: TriggerEditor,
    pub(crate) feed: Feed,
    pub(crate) queue: QueueView,
    pub(crate) exec_log: std::collections::VecDeque<LogLine>,
    pub(crate) executor: Arc<ExecutorHandle>,
    pub(crate) conn: Connection,
    pub(crate) target_input: String,
    pub(crate) notices: std::collections::VecDeque<Notice>,
    pub(crate) undo_mappings: Option<Vec<Mapping>>,
    pub(crate) show_settings: bool,
    pub(crate) show_path_window: bool,
    pub(crate) path_input: String,
    pub(crate) api_key_input: String,
    pub(crate) rcon_test: Option<Result<String, String>>,
    pub(crate) rcon_testing: bool,
    pending: Vec<Command>,
    ui_tx: mpsc::Sender<UiMsg>,
    ui_rx: mpsc::Receiver<UiMsg>,
    waker: Arc<Waker>,
    /// Feed rows the router could not hand over because the UI channel was full.
    pub(crate) feed_dropped: Arc<AtomicU64>,
    /// Messages left in the channel after the last frame's budget ran out.
    pub(crate) backlog: usize,
}

impl GiftdeckApp {
    /// Loads settings, starts the executor and the saver on the runtime, and (in demo mode)
    /// starts the demo.
    pub fn new(options: AppOptions) -> Self {
        let AppOptions {
            settings_path,
            runtime,
            demo,
        } = options;
        let (settings, settings_warning, save_allowed) = match &settings_path {
            Some(path) => {
                let loaded = settings::load(path);
                let warning = loaded.warning.map(|w| {
                    let mut text = w.to_string();
                    if let Some(backup) = &loaded.backup {
                        text.push_str(&format!(
                            ". The original was kept as {}; starting from defaults.",
                            backup.display()
                        ));
                    }
                    if !loaded.save_allowed {
                        text.push_str(". Changes will not be saved, to protect that file.");
                    }
                    text
                });
                (loaded.settings, warning, loaded.save_allowed)
            }
            None => (
                Settings::default(),
                Some("No settings folder on this system: changes will not be saved.".to_owned()),
                false,
            ),
        };
        let _guard = runtime.enter();
        let waker = Arc::new(Waker::default());
        let wake: Wake = {
            let waker = waker.clone();
            Arc::new(move || waker.wake())
        };
        let (ui_tx, ui_rx) = mpsc::channel(UI_CHANNEL_CAPACITY);
        let table = MappingTable::new(settings.mappings.clone());
        let (mappings_tx, mappings_rx) = watch::channel(table.clone());

        let (exec_tx, exec_rx) = mpsc::channel(EXEC_CHANNEL_CAPACITY);
        let executor = Arc::new(bridge::spawn_executor(
            executor_config(&settings, None),
            mappings_rx,
            exec_tx,
            wake.clone(),
        ));
        runtime.spawn(forward_exec(exec_rx, ui_tx.clone(), wake.clone()));

        let (save_tx, save_rx) = watch::channel(None);
        if let Some(path) = settings_path.clone().filter(|_| save_allowed) {
            runtime.spawn(saver(path, save_rx, ui_tx.clone(), wake.clone()));
        }

        let catalog = Catalog::built_in();
        let mut editor = TriggerEditor::default();
        editor.revalidate(&settings.mappings, &catalog);
        let target_input = settings.connection.last_target.clone();
        let api_key_input = settings.connection.sign_api_key.clone().unwrap_or_default();
        let mut app = Self {
            runtime: runtime.clone(),
            settings_path,
            save_allowed,
            settings,
            settings_warning,
            last_save: None,
            save_due: None,
            save_tx,
            table,
            mappings_tx,
            catalog,
            editor,
            feed: Feed::default(),
            queue: QueueView::default(),
            exec_log: Default::default(),
            executor,
            conn: Connection {
                session: 0,
                handle: None,
                demo: None,
                starting_demo: false,
                status: ConnStatus::Idle,
                status_since: Instant::now(),
                stats: engine::Stats::default(),
                target: String::new(),
            },
            target_input,
            notices: Default::default(),
            undo_mappings: None,
            show_settings: false,
            show_path_window: false,
            path_input: String::new(),
            api_key_input,
            rcon_test: None,
            rcon_testing: false,
            pending: Vec::new(),
            ui_tx,
            ui_rx,
            waker,
            feed_dropped: Arc::new(AtomicU64::new(0)),
            backlog: 0,
        };
        if demo {
            app.pending.push(Command::StartDemo);
            app.run_commands();
        }
        app
    }

    // ---- public surface for tests and benchmarks ------------------------------------------

    /// One whole frame: background messages, then the UI. What eframe does in `logic` + `ui`;
    /// tests and benchmarks call it from an egui_kittest harness.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        self.logic_step(ui.ctx());
        self.ui_root(ui);
    }

    pub fn feed(&self) -> &Feed {
        &self.feed
    }

    pub fn queue(&self) -> &QueueView {
        &self.queue
    }

    pub fn exec_log(&self) -> impl Iterator<Item = &LogLine> {
        self.exec_log.iter()
    }

    pub fn status(&self) -> &ConnStatus {
        &self.conn.status
    }

    pub fn mappings(&self) -> &[Mapping] {
        &self.settings.mappings
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn notices(&self) -> impl Iterator<Item = &Notice> {
        self.notices.iter()
    }

    /// The demo's RCON server, while the demo runs.
    pub fn demo_rcon(&self) -> Option<&DemoRcon> {
        self.conn.demo.as_ref().map(|d| &d.rcon)
    }

    /// A receiver of the live trigger table, as the session and executor see it.
    pub fn mappings_watch(&self) -> watch::Receiver<MappingTable> {
        self.mappings_tx.subscribe()
    }

    /// Replaces the trigger table as if edited in the UI (benchmarks, scripted setups).
    pub fn set_mappings(&mut self, mappings: Vec<Mapping>) {
        self.settings.mappings = mappings;
        self.mappings_changed();
    }

    /// Applies one live message as if the current session sent it (benchmarks, tests).
    pub fn apply_live_msg(&mut self, msg: LiveMsg) {
        self.on_live(msg);
    }

    /// The background → UI channel and the current session id, for feeding messages the way the
    /// router does (benchmarks of bursts).
    pub fn ui_sender(&self) -> (u64, mpsc::Sender<UiMsg>) {
        (self.conn.session, self.ui_tx.clone())
    }

    /// Sets the feed's filter box text (benchmarks).
    pub fn set_feed_filter(&mut self, text: &str) {
        self.feed.filter = text.to_owned();
    }

    /// Queues a command as if a button was pressed; it runs at the end of the next frame.
    pub fn command(&mut self, command: Command) {
        self.pending.push(command);
    }

    /// Points the connection at other servers (tests use a loopback fake).
    pub fn set_connection(&mut self, connection: settings::ConnectionSettings) {
        self.api_key_input = connection.sign_api_key.clone().unwrap_or_default();
        self.target_input = connection.last_target.clone();
        self.settings.connection = connection;
        self.settings_changed();
    }

    pub fn set_rcon(&mut self, rcon: settings::RconSettings) {
        self.settings.rcon = rcon;
        self.settings_changed();
    }

    // ---- the frame --------------------------------------------------------------------------

    /// Drains background messages within [`DRAIN_BUDGET`] and runs due saves. No drawing.
    pub fn logic_step(&mut self, ctx: &egui::Context) {
        if self.waker.ctx.get().is_none() {
            // First frame: from now on background tasks can wake us.
            let _ = self.waker.ctx.set(ctx.clone());
        }
        let started = Instant::now();
        while let Ok(msg) = self.ui_rx.try_recv() {
            self.on_msg(msg);
            if started.elapsed() > DRAIN_BUDGET {
                break;
            }
        }
        self.backlog = self.ui_rx.len();
        // The executor may drop status messages when we lag; its snapshot is always current.
        self.queue = bridge::queue_now(&self.executor);
        if self.backlog > 0 {
            ctx.request_repaint();
        }
        if let Some(due) = self.save_due {
            let now = Instant::now();
            if now >= due {
                self.save_due = None;
                self.save_now();
            } else {
                ctx.request_repaint_after(due - now);
            }
        }
        if matches!(self.conn.status, ConnStatus::Reconnecting { .. }) {
            // The countdown ticks.
            ctx.request_repaint_after(Duration::from_millis(250));
        }
    }

    /// Draws the window, then runs what the user asked for.
    pub fn ui_root(&mut self, ui: &mut egui::Ui) {
        super::panels::root_ui(self, ui);
        self.run_commands();
    }

    pub(crate) fn push(&mut self, command: Command) {
        self.pending.push(command);
    }

    fn run_commands(&mut self) {
        for command in std::mem::take(&mut self.pending) {
            self.run(command);
        }
    }

    fn run(&mut self, command: Command) {
        match command {
            Command::Connect => self.connect(),
            Command::Disconnect => self.disconnect(),
            Command::StartDemo => self.start_demo(),
            Command::Test { row, count } => self.test_row(row, count),
            Command::MappingsChanged => self.mappings_changed(),
            Command::SettingsChanged => self.settings_changed(),
            Command::PauseQueue => self.executor.pause(),
            Command::ResumeQueue => self.executor.resume(),
            Command::ClearQueue => {
                let removed = self.executor.clear();
                self.notice(
                    NoticeLevel::Info,
                    format!("Cleared {removed} waiting action(s)."),
                );
            }
            Command::ImportDialog => self.import_dialog(),
            Command::ExportDialog => self.export_dialog(),
            Command::ImportPath(path) => self.import_path(path),
            Command::ExportPath(path) => self.export_path(path),
            Command::PickSound { row, action } => self.pick_sound(row, action),
            Command::TestRcon => self.test_rcon(),
            Command::UndoImport => {
                if let Some(previous) = self.undo_mappings.take() {
                    self.settings.mappings = previous;
                    self.mappings_changed();
                    self.notices.retain(|n| !n.undo_import);
                    self.notice(NoticeLevel::Info, "Import undone.".into());
                }
            }
        }
    }

    pub(crate) fn on_trigger_events(&mut self, events: Vec<TriggerEvent>) {
        for event in events {
            match event {
                TriggerEvent::Changed => self.push(Command::MappingsChanged),
                TriggerEvent::Test { row, count } => self.push(Command::Test { row, count }),
                TriggerEvent::PickSound { row, action } => {
                    self.push(Command::PickSound { row, action })
                }
            }
        }
    }

    pub(crate) fn notice(&mut self, level: NoticeLevel, text: String) {
        match level {
            NoticeLevel::Error => tracing::warn!("{text}"),
            _ => tracing::info!("{text}"),
        }
        self.notices.push_back(Notice {
            level,
            text,
            undo_import: false,
        });
        while self.notices.len() > MAX_NOTICES {
            self.notices.pop_front();
        }
    }

    // ---- messages -----------------------------------------------------------------------------

    fn on_msg(&mut self, msg: UiMsg) {
        match msg {
            UiMsg::Live { session, msg } if session == self.conn.session => self.on_live(msg),
            UiMsg::Live { .. } => {} // from a session we already left
            UiMsg::Exec(ExecView::Status(status)) => self.queue = status,
            UiMsg::Exec(ExecView::Log(line)) => {
                self.exec_log.push_back(line);
                while self.exec_log.len() > EXEC_LOG_CAPACITY {
                    self.exec_log.pop_front();
                }
            }
            UiMsg::Saved(result) => {
                if let Err(err) = &result {
                    self.notice(
                        NoticeLevel::Error,
                        format!("Could not save settings: {err}"),
                    );
                }
                self.last_save = Some(result);
            }
            UiMsg::DemoReady { session, result } => self.on_demo_ready(session, result),
            UiMsg::Imported(Ok((path, file))) => {
                let count = file.mappings.len();
                let previous = std::mem::replace(&mut self.settings.mappings, file.mappings);
                let replaced = previous.len();
                self.undo_mappings = Some(previous);
                self.mappings_changed();
                for warning in file.warnings.iter().take(3) {
                    self.notice(NoticeLevel::Warning, warning.clone());
                }
                self.notices.push_back(Notice {
                    level: NoticeLevel::Info,
                    text: format!(
                        "Imported {count} trigger(s) from {} (replacing {replaced}).",
                        path.display()
                    ),
                    undo_import: true,
                });
                while self.notices.len() > MAX_NOTICES {
                    self.notices.pop_front();
                }
            }
            UiMsg::Imported(Err(err)) => self.notice(NoticeLevel::Error, err),
            UiMsg::Exported(Ok(path)) => self.notice(
                NoticeLevel::Info,
                format!("Exported the triggers to {}.", path.display()),
            ),
            UiMsg::Exported(Err(err)) => self.notice(NoticeLevel::Error, err),
            UiMsg::DialogEmpty { fast: true } => {
                self.notice(
                    NoticeLevel::Warning,
                    "No file dialog appeared (this desktop may lack xdg-desktop-portal and zenity). Type the path instead.".into(),
                );
                self.show_path_window = true;
            }
            UiMsg::DialogEmpty { fast: false } => {}
            UiMsg::DialogFailed(err) => {
                self.notice(NoticeLevel::Error, err);
                self.show_path_window = true;
            }
            UiMsg::SoundPicked { row, action, path } => {
                if let Some(crate::mappings::Action::Sound { path: p, .. }) = self
                    .settings
                    .mappings
                    .get_mut(row)
                    .and_then(|m| m.actions.get_mut(action))
                {
                    *p = path;
                    self.mappings_changed();
                }
            }
            UiMsg::RconTested(result) => {
                self.rcon_testing = false;
                self.rcon_test = Some(result);
            }
        }
    }

    fn on_live(&mut self, msg: LiveMsg) {
        match msg {
            LiveMsg::Status(status) => {
                tracing::info!(target: "giftdeck::ui", "connection: {status:?}");
                self.conn.status = status;
                self.conn.status_since = Instant::now();
            }
            LiveMsg::Output(Output::Credit(decision)) => {
                let gift = &decision.gift;
                if self
                    .catalog
                    .note_seen(&gift.gift_name, gift.gift_id, gift.diamonds)
                {
                    self.editor
                        .revalidate(&self.settings.mappings, &self.catalog);
                }
                self.feed.push(&decision.gift, false);
            }
            LiveMsg::Output(Output::Event(_)) => {}
            LiveMsg::Stats(stats) => self.conn.stats = stats,
            LiveMsg::Warning(text) => self.notice(NoticeLevel::Warning, text),
        }
    }

    // ---- connection ---------------------------------------------------------------------------

    fn new_session(&mut self) -> u64 {
        if let Some(handle) = self.conn.handle.take() {
            handle.stop();
        }
        self.conn.demo = None;
        self.conn.starting_demo = false;
        self.conn.session += 1;
        self.conn.stats = engine::Stats::default();
        self.feed.reset();
        self.conn.session
    }

    fn connect(&mut self) {
        let target = self.target_input.trim().to_owned();
        if target.is_empty() {
            self.notice(
                NoticeLevel::Warning,
                "Type the TikTok @username (or live URL) to connect to.".into(),
            );
            return;
        }
        let session = self.new_session();
        self.executor
            .set_config(executor_config(&self.settings, None));
        if self.settings.connection.last_target != target {
            self.settings.connection.last_target = target.clone();
            self.schedule_save();
        }
        let c = &self.settings.connection;
        let config = LiveConfig {
            target: target.clone(),
            sign_url: c.sign_url.clone(),
            sign_api_key: c.sign_api_key.clone().filter(|k| !k.trim().is_empty()),
            tiktok_url: c.tiktok_url.clone(),
            webcast_url: c.webcast_url.clone(),
            engine: self.settings.engine.engine_config(),
            // The room's memory outlives Disconnect/Connect and restarts (not the demo's: its
            // fake stream reuses ids).
            memory: crate::room_store::RoomStore::for_app(self.settings_path.as_deref()),
            ..LiveConfig::default()
        };
        self.start_session(session, config, target);
    }

    fn start_session(&mut self, session: u64, config: LiveConfig, target: String) {
        let _guard = self.runtime.enter();
        let (live_tx, live_rx) = mpsc::channel(LIVE_CHANNEL_CAPACITY);
        let wake = self.wake();
        let handle =
            bridge::spawn_session(config, self.mappings_tx.subscribe(), live_tx, wake.clone());
        self.runtime.spawn(route(
            session,
            live_rx,
            self.executor.clone(),
            self.ui_tx.clone(),
            wake,
            self.feed_dropped.clone(),
        ));
        self.conn.handle = Some(handle);
        self.conn.target = target;
        self.conn.status = ConnStatus::Resolving;
        self.conn.status_since = Instant::now();
    }

    fn disconnect(&mut self) {
        if let Some(handle) = &self.conn.handle {
            // A clean stop: open streaks are credited, then the session reports Ended.
            handle.stop();
        }
        if self.conn.demo.is_some() || self.conn.starting_demo {
            self.conn.demo = None;
            self.conn.starting_demo = false;
            self.conn.session += 1;
            self.conn.handle = None;
            self.conn.status = ConnStatus::Idle;
            self.executor
                .set_config(executor_config(&self.settings, None));
        }
    }

    fn start_demo(&mut self) {
        let session = self.new_session();
        self.conn.starting_demo = true;
        self.conn.status = ConnStatus::Resolving;
        self.conn.target = "demo stream".into();
        if self.settings.mappings.is_empty() {
            self.settings.mappings = Settings::default().mappings;
            self.mappings_changed();
            self.notice(
                NoticeLevel::Info,
                "Added example triggers for the demo; edit or delete them freely.".into(),
            );
        }
        let tx = self.ui_tx.clone();
        let wake = self.wake();
        self.runtime.spawn(async move {
            let result = async {
                let rcon = DemoRcon::start()
                    .await
                    .map_err(|e| format!("cannot start the demo Minecraft server: {e}"))?;
                let fake = bridge::start_demo_backend().await?;
                Ok(DemoBackends { fake, rcon })
            }
            .await;
            if tx.send(UiMsg::DemoReady { session, result }).await.is_ok() {
                wake();
            }
        });
    }

    fn on_demo_ready(&mut self, session: u64, result: Result<DemoBackends, String>) {
        if session != self.conn.session || !self.conn.starting_demo {
            return; // the user moved on; dropping the backends stops them
        }
        self.conn.starting_demo = false;
        match result {
            Ok(demo) => {
                let rcon = RconConfig {
                    host: "127.0.0.1".into(),
                    port: demo.rcon.port(),
                    password: DEMO_RCON_PASSWORD.into(),
                };
                self.executor
                    .set_config(executor_config(&self.settings, Some(rcon)));
                let config = LiveConfig {
                    target: demo.fake.target.clone(),
                    sign_url: demo.fake.sign_url.clone(),
                    sign_api_key: None,
                    tiktok_url: demo.fake.tiktok_url.clone(),
                    webcast_url: demo.fake.webcast_url.clone(),
                    engine: self.settings.engine.engine_config(),
                    ..LiveConfig::default()
                };
                let target = format!("@{} (demo)", demo.fake.target.trim_start_matches('@'));
                self.conn.demo = Some(demo);
                self.start_session(session, config, target);
            }
            Err(err) => {
                self.conn.status = ConnStatus::Failed {
                    reason: format!("demo could not start: {err}"),
                };
                self.notice(NoticeLevel::Error, format!("Demo could not start: {err}"));
            }
        }
    }

    fn wake(&self) -> Wake {
        let waker = self.waker.clone();
        Arc::new(move || waker.wake())
    }

    // ---- triggers -----------------------------------------------------------------------------

    /// Applies the edited table at once (session and executor) and schedules a save.
    pub(crate) fn mappings_changed(&mut self) {
        self.table = MappingTable::new(self.settings.mappings.clone());
        self.mappings_tx.send_replace(self.table.clone());
        self.editor
            .revalidate(&self.settings.mappings, &self.catalog);
        self.schedule_save();
    }

    pub(crate) fn settings_changed(&mut self) {
        if self.conn.demo.is_none() {
            self.executor
                .set_config(executor_config(&self.settings, None));
        }
        self.schedule_save();
    }

    /// Sends `count` of row `row`'s gift through the real engine and matching, then the queue,
    /// exactly as a viewer's streak would arrive.
    fn test_row(&mut self, row: usize, count: u32) {
        let Some(mapping) = self.settings.mappings.get(row) else {
            return;
        };
        let trigger = mapping.trigger.trim().to_owned();
        let (gift_name, gift_id, diamonds) = match trigger.parse::<i64>() {
            Ok(id) => match self.catalog.by_id(id) {
                Some(g) => (g.name.clone(), id, g.diamonds),
                None => (String::new(), id, 0),
            },
            Err(_) => match self.catalog.by_name(&trigger) {
                Some(g) => (trigger.clone(), g.id.unwrap_or(0), g.diamonds),
                None => (trigger.clone(), 0, 0),
            },
        };
        let now_millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let message = GiftMessage {
            msg_id: 0,
            user: User {
                user_id: -1,
                unique_id: "giftdeck_test".into(),
                nickname: "Tester".into(),
            },
            gift_id,
            gift_name,
            diamonds,
            streakable: count > 1,
            repeat_count: count,
            repeat_end: true,
            group_id: 0,
            create_time_millis: now_millis,
            image_url: None,
        };
        let mut credits = Vec::new();
        GiftEngine::new(EngineConfig::default()).on_gift(message, 0, &mut credits);
        let Some(credit) = credits.pop() else {
            return;
        };
        let decision: Decision = engine::decide(&self.table, credit);
        let queued = self.executor.enqueue(&decision);
        self.feed.push(&decision.gift, true);
        match &decision.mapping {
            Some(m) => self.notice(
                NoticeLevel::Info,
                format!("Test: {count} × “{}” queued {queued} action(s).", m.trigger),
            ),
            None => self.notice(
                NoticeLevel::Warning,
                format!("Test: “{trigger}” matched no enabled trigger (is the row switched on?)."),
            ),
        }
    }

    // ---- saving -------------------------------------------------------------------------------

    fn schedule_save(&mut self) {
        self.save_due = Some(Instant::now() + SAVE_DEBOUNCE);
        self.waker.wake();
    }

    fn save_now(&mut self) {
        if self.save_allowed && self.settings_path.is_some() {
            self.save_tx.send_replace(Some(self.settings.clone()));
        }
    }

    /// Saves synchronously if an edit is still waiting (the window is closing).
    pub fn flush_save(&mut self) {
        if self.save_due.take().is_some()
            && self.save_allowed
            && let Some(path) = &self.settings_path
            && let Err(err) = settings::save_atomic(path, &self.settings)
        {
            tracing::error!("could not save settings on exit: {err}");
        }
    }

    /// Stops the session and demo (the window is closing).
    pub fn shutdown(&mut self) {
        self.flush_save();
        if let Some(handle) = self.conn.handle.take() {
            handle.stop();
        }
        self.conn.demo = None;
    }

    // ---- files --------------------------------------------------------------------------------

    fn import_dialog(&mut self) {
        let tx = self.ui_tx.clone();
        let wake = self.wake();
        self.runtime.spawn(async move {
            let opened = Instant::now();
            let picked = rfd::AsyncFileDialog::new()
                .set_title("Import triggers")
                .add_filter("giftdeck JSON or Tiktok2Mc actions.mca", &["json", "mca"])
                .add_filter("All files", &["*"])
                .pick_file()
                .await;
            let msg = match picked {
                Some(file) => import_file(file.path().to_owned()).await,
                None => UiMsg::DialogEmpty {
                    fast: opened.elapsed() < DIALOG_TOO_FAST,
                },
            };
            if tx.send(msg).await.is_ok() {
                wake();
            }
        });
    }

    fn import_path(&mut self, path: PathBuf) {
        let tx = self.ui_tx.clone();
        let wake = self.wake();
        self.runtime.spawn(async move {
            if tx.send(import_file(path).await).await.is_ok() {
                wake();
            }
        });
    }

    fn export_dialog(&mut self) {
        let tx = self.ui_tx.clone();
        let wake = self.wake();
        let mappings = self.settings.mappings.clone();
        self.runtime.spawn(async move {
            let opened = Instant::now();
            let picked = rfd::AsyncFileDialog::new()
                .set_title("Export triggers")
                .set_file_name("giftdeck-triggers.json")
                .add_filter("giftdeck JSON", &["json"])
                .add_filter("Tiktok2Mc actions.mca", &["mca"])
                .save_file()
                .await;
            let msg = match picked {
                Some(file) => export_file(file.path().to_owned(), mappings).await,
                None => UiMsg::DialogEmpty {
                    fast: opened.elapsed() < DIALOG_TOO_FAST,
                },
            };
            if tx.send(msg).await.is_ok() {
                wake();
            }
        });
    }

    fn export_path(&mut self, path: PathBuf) {
        let tx = self.ui_tx.clone();
        let wake = self.wake();
        let mappings = self.settings.mappings.clone();
        self.runtime.spawn(async move {
            if tx.send(export_file(path, mappings).await).await.is_ok() {
                wake();
            }
        });
    }

    fn pick_sound(&mut self, row: usize, action: usize) {
        let tx = self.ui_tx.clone();
        let wake = self.wake();
        self.runtime.spawn(async move {
            let opened = Instant::now();
            let picked = rfd::AsyncFileDialog::new()
                .set_title("Choose a sound")
                .add_filter("Sound", &["wav", "ogg", "mp3"])
                .pick_file()
                .await;
            let msg = match picked {
                Some(file) => UiMsg::SoundPicked {
                    row,
                    action,
                    path: file.path().to_owned(),
                },
                None => UiMsg::DialogEmpty {
                    fast: opened.elapsed() < DIALOG_TOO_FAST,
                },
            };
            if tx.send(msg).await.is_ok() {
                wake();
            }
        });
    }

    fn test_rcon(&mut self) {
        self.rcon_testing = true;
        self.rcon_test = None;
        let r = &self.settings.rcon;
        let config = RconConfig {
            host: r.host.clone(),
            port: r.port,
            password: r.password.clone(),
        };
        let tx = self.ui_tx.clone();
        let wake = self.wake();
        self.runtime.spawn(async move {
            let result = bridge::test_rcon_connection(config).await;
            if tx.send(UiMsg::RconTested(result)).await.is_ok() {
                wake();
            }
        });
    }
}

impl eframe::App for GiftdeckApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.logic_step(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }
}

/// The executor's settings; `demo_rcon` replaces the streamer's server while the demo runs.
fn executor_config(settings: &Settings, demo_rcon: Option<RconConfig>) -> ExecutorConfig {
    let r = &settings.rcon;
    let rcon = demo_rcon.or_else(|| {
        // No password means not set up yet: Minecraft refuses an empty one anyway.
        (!r.host.trim().is_empty() && !r.password.is_empty()).then(|| RconConfig {
            host: r.host.trim().to_owned(),
            port: r.port,
            password: r.password.clone(),
        })
    });
    ExecutorConfig {
        gap_millis: settings.executor.gap_millis,
        max_age_millis: settings.executor.max_age_millis,
        capacity: QUEUE_CAPACITY,
        rcon,
    }
}

/// Sends a session's credits to the executor first (actions never wait for the UI), then
/// forwards what the UI shows. Feed rows are dropped and counted if the UI falls far behind;
/// status changes always get through.
async fn route(
    session: u64,
    mut rx: mpsc::Receiver<LiveMsg>,
    executor: Arc<ExecutorHandle>,
    ui_tx: mpsc::Sender<UiMsg>,
    wake: Wake,
    feed_dropped: Arc<AtomicU64>,
) {
    while let Some(msg) = rx.recv().await {
        match &msg {
            LiveMsg::Output(Output::Credit(decision)) => {
                executor.enqueue(decision);
            }
            LiveMsg::Output(Output::Event(_)) => continue,
            _ => {}
        }
        let is_status = matches!(msg, LiveMsg::Status(_) | LiveMsg::Warning(_));
        let msg = UiMsg::Live { session, msg };
        if is_status {
            if ui_tx.send(msg).await.is_err() {
                return;
            }
        } else if let Err(err) = ui_tx.try_send(msg) {
            match err {
                mpsc::error::TrySendError::Full(_) => {
                    feed_dropped.fetch_add(1, Ordering::Relaxed);
                }
                mpsc::error::TrySendError::Closed(_) => return,
            }
        }
        wake();
    }
}

async fn forward_exec(
    mut rx: mpsc::Receiver<bridge::ExecMsg>,
    ui_tx: mpsc::Sender<UiMsg>,
    wake: Wake,
) {
    while let Some(msg) = rx.recv().await {
        if ui_tx
            .send(UiMsg::Exec(bridge::exec_msg_view(msg)))
            .await
            .is_err()
        {
            return;
        }
        wake();
    }
}

/// Saves the newest settings whenever they change, one save at a time, off the UI thread.
async fn saver(
    path: PathBuf,
    mut rx: watch::Receiver<Option<Settings>>,
    ui_tx: mpsc::Sender<UiMsg>,
    wake: Wake,
) {
    while rx.changed().await.is_ok() {
        let Some(settings) = rx.borrow_and_update().clone() else {
            continue;
        };
        let target = path.clone();
        let result = tokio::task::spawn_blocking(move || settings::save_atomic(&target, &settings))
            .await
            .map_err(|e| format!("the save task failed: {e}"))
            .and_then(|r| r.map_err(|e| e.to_string()))
            .map(|()| path.clone());
        if ui_tx.send(UiMsg::Saved(result)).await.is_err() {
            return;
        }
        wake();
    }
}

async fn import_file(path: PathBuf) -> UiMsg {
    let p = path.clone();
    let result = tokio::task::spawn_blocking(move || settings::load_mappings_file(&p))
        .await
        .map_err(|e| format!("the import task failed: {e}"))
        .and_then(|r| r.map_err(|e| format!("Could not import: {e}")));
    UiMsg::Imported(result.map(|file| (path, file)))
}

async fn export_file(path: PathBuf, mappings: Vec<Mapping>) -> UiMsg {
    let result = tokio::task::spawn_blocking(move || export_to(&path, &mappings).map(|()| path))
        .await
        .map_err(|e| format!("the export task failed: {e}"))
        .and_then(|r| r);
    UiMsg::Exported(result)
}

/// Writes `.mca` for Tiktok2Mc, our JSON otherwise.
fn export_to(path: &Path, mappings: &[Mapping]) -> Result<(), String> {
    let is_mca = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mca"));
    let text = if is_mca {
        let (text, warnings) = settings::export_mca(mappings);
        if !warnings.is_empty() {
            tracing::warn!(
                "mca export: {} action(s) could not be expressed",
                warnings.len()
            );
        }
        text
    } else {
        settings::export_mappings_json(mappings)
    };
    settings::write_atomic(path, text.as_bytes()).map_err(|e| format!("Could not export: {e}"))
}
