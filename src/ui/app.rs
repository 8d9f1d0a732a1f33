//! The app: owns the [`State`] the panels draw and the machinery behind it (executor, session,
//! channels, saver). Each frame it takes the newest values from the `watch` channels, drains the
//! event channel within a time budget, draws the panels and runs the [`Command`]s they emitted.
//! Never blocks or awaits on the UI thread.

mod bedrock;
mod connection;
mod counters;
mod game;
mod inspect;
mod ledger;
mod local_servers;
mod login;
mod messages;
mod pictures;
mod quit;
mod speech;
mod test_buttons;

pub use ledger::LedgerHost;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch};

use super::bridge::{
    self, ConnStatus, ExecutorConfig, ExecutorHandle, LogLine, QueueStatus, RconConfig,
    WorldConfig, WorldHandle, WorldStatus,
};
use super::commands::{Command, Commands};
use super::files;
use super::link::Link;
use super::outbox::Inbox;
use super::overlays_view::OverlaysView;
use super::saver;
use super::state::{Notice, NoticeLevel, State};
use super::tasks::{self, Tasks, UI_CHANNEL_CAPACITY, UiMsg, Waker};
use crate::event::CreditedGift;
use crate::mappings::{Mapping, MappingTable};
use crate::overlay::{OverlayError, Overlays};
use crate::settings::{self, Settings};

/// Capacity of a session's channel into its router.
const LIVE_CHANNEL_CAPACITY: usize = 1_024;

/// Opens `url` with the system's handler (starts the opener; never waits for it).
fn open_in_browser(url: &str) -> std::io::Result<()> {
    let mut command = if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else {
        std::process::Command::new("xdg-open")
    };
    let mut child = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    // Reap the opener when it exits (it usually hands off to the browser at once).
    std::thread::Builder::new()
        .name("open-url".into())
        .spawn(move || child.wait())
        .map(drop)
}

/// Actions the queue holds before it drops.
const QUEUE_CAPACITY: usize = 10_000;
/// Time the UI spends draining events per frame; the rest waits for the next frame.
pub const DRAIN_BUDGET: Duration = Duration::from_millis(4);
/// Edits are saved once typing pauses this long.
const SAVE_DEBOUNCE: Duration = Duration::from_millis(300);
/// On close, how long open streaks and the queue get to finish before the app quits anyway.
pub const QUIT_DRAIN: Duration = Duration::from_secs(30);
/// How long the executor's stop handshake lets the running action finish at exit.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// How the app is built: tests inject a temp settings path and their own runtime.
pub struct AppOptions {
    /// `None`: nothing is loaded or saved (no config dir on this OS).
    pub settings_path: Option<PathBuf>,
    pub runtime: Handle,
    /// Start the demo at once (`giftdeck --demo`).
    pub demo: bool,
    /// Where passwords, API keys and webhook URLs are kept: the OS keyring (the app), or the
    /// settings file alone (tests, which must not touch the streamer's keyring).
    pub secrets: settings::SecretsHome,
}

/// The whole app.
pub struct GiftdeckApp {
    state: State,
    tasks: Tasks,
    ui_rx: mpsc::Receiver<UiMsg>,
    executor: Arc<ExecutorHandle>,
    queue_rx: watch::Receiver<QueueStatus>,
    table: MappingTable,
    mappings_tx: watch::Sender<MappingTable>,
    save_tx: watch::Sender<Option<Settings>>,
    save_due: Option<Instant>,
    /// Where the settings' secrets go (the saver's, shared with the last save on exit).
    vault: settings::SharedVault,
    /// Feed rows and warnings from the dispatch, drained each frame.
    inbox: Arc<Inbox>,
    /// How many executor log lines the window has taken (see [`ExecutorHandle::log_since`]).
    log_seen: u64,
    undo_mappings: Option<Vec<Mapping>>,
    pending: Commands,
    /// The overlay server and hub (`None`: off or failed to start).
    overlays: Option<Overlays>,
    /// Finished before quitting: the window may close.
    quit_ready: bool,
    /// What runs behind the connect bar: the session, its channels, the demo's servers.
    link: Link,
    /// Where sessions keep room memories instead of the one beside the settings file (tests).
    room_store: Option<crate::room_store::RoomStore>,
    /// The streamer's Minecraft player: holds the queue while they are dead.
    world: WorldHandle,
    world_rx: watch::Receiver<WorldStatus>,
    /// The listener the Bedrock game connects to (`bedrock.enabled`).
    bedrock: bedrock::BedrockHost,
    /// The death and win counters, the others, and the stream timer.
    counters: crate::counter_hub::CounterHub,
    /// The speech queue's status, once something started the queue.
    speech_rx: Option<watch::Receiver<crate::actions::speak::SpeechStatus>>,
    /// The viewers' ledger, once open (`ledger.enabled`).
    ledger: Option<ledger::LedgerHost>,
    /// The desktop's light/dark setting, where eframe cannot read it (Linux).
    desktop_theme: watch::Receiver<Option<egui::Theme>>,
    /// The goals and the subathon timer (their pages, their saved state).
    game: crate::game::Game,
    /// The TikFinity events API and the external trigger endpoint (`tikfinity`, `external`).
    local: local_servers::LocalServers,
    /// The room's gift list and the overlays' copy of the catalog's pictures.
    catalog_sync: pictures::CatalogSync,
}

impl GiftdeckApp {
    /// The app without overlays (tests, or overlays off).
    pub fn new(options: AppOptions) -> Self {
        Self::with_overlays(options, None)
    }

    /// Loads settings, starts the executor and the saver on the runtime, and (in demo mode)
    /// starts the demo.
    /// `overlays`: the server started before the window (`None`: overlays are off), or why it
    /// could not start (the app then runs without overlays and says so).
    pub fn with_overlays(
        options: AppOptions,
        overlays: Option<Result<Overlays, OverlayError>>,
    ) -> Self {
        let AppOptions {
            settings_path,
            runtime,
            demo,
            secrets,
        } = options;
        let (settings, save, vault) = saver::load_settings(settings_path, secrets);
        let _guard = runtime.enter();
        let waker = Arc::new(Waker::default());
        let tasks_waker = waker.clone();
        let (ui_tx, ui_rx) = mpsc::channel(UI_CHANNEL_CAPACITY);
        let tasks = Tasks::new(runtime, ui_tx.clone(), waker.clone());
        let inbox = Arc::new(Inbox::new(waker.clone()));

        let table =
            MappingTable::new(settings.mappings.clone()).with_blocklist(&settings.blocklist);
        let (mappings_tx, mappings_rx) = watch::channel(table.clone());
        // The executor wakes the UI when its status changed or it logged a line; the window
        // reads both from the executor itself.
        let executor = Arc::new(bridge::spawn_executor(
            executor_config(&settings, None, None),
            mappings_rx,
            None,
            {
                let waker = waker.clone();
                Arc::new(move || waker.wake())
            },
        ));
        let (overlays, overlay_error) = match overlays {
            Some(Ok(overlays)) => (Some(overlays), None),
            Some(Err(err)) => (None, Some(err.to_string())),
            None => (None, None),
        };
        executor.set_overlay(overlays.as_ref().map(|o| o.hub.clone()));
        let game = crate::game::Game::start(
            game::game_config(&settings),
            overlays.as_ref().map(|o| o.hub.clone()),
        );
        // Latest-value state straight from the executor: never behind, never blocking it.
        let queue_rx = executor.status_watch();
        let world = WorldHandle::spawn(executor.world_gate());
        let world_rx = world.status_watch();
        let counters_path = counters::counters_path(save.path.as_deref());
        let (counter_hub, counters_problem) =
            counters::start_hub(&settings, counters_path.as_deref());

        let (save_tx, save_rx) = watch::channel(None);
        if let Some(path) = save.path.clone().filter(|_| save.allowed) {
            tasks.spawn_loop(saver::save_settings(
                path,
                save_rx,
                vault.clone(),
                ui_tx,
                waker,
            ));
        }

        let mut app = Self {
            state: State::new(settings, save),
            tasks,
            ui_rx,
            executor,
            queue_rx,
            table,
            mappings_tx,
            save_tx,
            save_due: None,
            vault,
            inbox,
            log_seen: 0,
            undo_mappings: None,
            pending: Vec::new(),
            quit_ready: false,
            overlays,
            room_store: None,
            link: Link::Off,
            world,
            world_rx,
            bedrock: bedrock::BedrockHost::default(),
            counters: counter_hub,
            speech_rx: None,
            ledger: None,
            desktop_theme: super::desktop_theme::watch_desktop_theme({
                let waker = tasks_waker.clone();
                Arc::new(move || waker.wake())
            }),
            game,
            local: local_servers::LocalServers::default(),
            catalog_sync: pictures::CatalogSync::default(),
        };
        app.start_pictures();
        app.open_ledger();
        app.wake_on_change(app.game.view());
        app.game.follow_counters(app.counters.subscribe());
        if app.sync_bedrock() {
            app.apply_executor_config();
        }
        app.sync_local_servers();
        app.world
            .set_config(world_config(&app.state.settings, app.bedrock.link()));
        app.start_counters(counters_path, counters_problem);
        // The world's status wakes the window when it changes; nothing else does.
        app.wake_on_change(app.world_rx.clone());
        app.show_overlays(overlay_error);
        if demo {
            app.run(Command::StartDemo);
        }
        app
    }

    /// Repaints the window whenever `changed` changes, and only then (an idle window stays idle).
    fn wake_on_change<T: Send + Sync + 'static>(&self, mut changed: watch::Receiver<T>) {
        let waker = self.tasks.waker();
        self.tasks.spawn_loop(async move {
            while changed.changed().await.is_ok() {
                waker.wake();
            }
        });
    }

    /// The Overlays panel: the running server's pages (a page connecting or leaving repaints
    /// it), or why the server could not start.
    fn show_overlays(&mut self, error: Option<String>) {
        match (&self.overlays, error) {
            (Some(overlays), _) => {
                overlays
                    .hub
                    .set_config(self.state.settings.overlays.pages.clone());
                self.state.overlays = OverlaysView::of(overlays);
                self.wake_on_change(overlays.hub.subscribe_connections());
            }
            (None, Some(err)) => {
                let words = crate::trf!("notice-overlays-off", error = err.to_string());
                self.state.overlays = OverlaysView::off(words.clone());
                self.notice(NoticeLevel::Error, words);
            }
            (None, None) => {}
        }
    }

    // ---- public surface for tests and benchmarks ------------------------------------------

    /// One whole frame: background messages, then the UI. What eframe does in `logic` + `ui`;
    /// tests and benchmarks call it from an egui_kittest harness.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        self.logic_step(ui.ctx());
        self.ui_root(ui);
    }

    // ---- the frame --------------------------------------------------------------------------

    /// Takes the newest latest-values, drains events within [`DRAIN_BUDGET`] and runs due
    /// saves. No drawing; runs even while the window is hidden.
    pub fn logic_step(&mut self, ctx: &egui::Context) {
        self.tasks.waker().frame_started(ctx);
        // Every frame, so a pick in Settings shows at once (two stores).
        let lang = self.state.settings.ui.language.resolve();
        crate::i18n::set_app_language(lang);
        if let Some(overlays) = &self.overlays {
            overlays.server.set_language(lang);
        }
        self.close_requested_step(ctx);
        super::look::take_over_zoom_keys(ctx);
        let desktop = *self.desktop_theme.borrow();
        super::look::apply_look(ctx, &self.state.settings.ui, desktop);
        if self.queue_rx.borrow().has_changed() {
            self.state.queue = self.queue_rx.borrow_and_update().clone();
        }
        self.world_step();
        self.refresh_counters();
        self.game_step();
        self.viewers_step();
        self.speech_step();
        self.link.refresh(&mut self.state.conn);
        self.refresh_bedrock();
        self.refresh_local_servers(ctx);
        if let Some(overlays) = &self.overlays {
            // Reading the counts is cheap; a change wakes the window (see `with_overlays`).
            self.state.overlays.refresh(overlays);
        }
        self.take_log();
        self.drain_messages();
        self.pictures_step(ctx);
        self.state.backlog = self.inbox.len() + self.ui_rx.len();
        self.state.not_shown.feed_rows = self.inbox.rows_let_go();
        if self.state.backlog > 0 {
            // Catch up in the next frames, still at the coalesced pace.
            ctx.request_repaint_after(tasks::BUSY_COALESCE);
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
        self.quit_step(ctx);
        if let ConnStatus::Reconnecting { retry_in, .. } = &self.state.conn.status {
            // The countdown shows whole seconds: repaint when the next one starts.
            let left = retry_in.saturating_sub(self.state.conn.status_since.elapsed());
            let to_next_second = Duration::from_nanos(u64::from(left.subsec_nanos()));
            if !left.is_zero() {
                ctx.request_repaint_after(to_next_second.max(Duration::from_millis(20)));
            }
        }
    }

    /// Handles waiting messages until [`DRAIN_BUDGET`] is spent: the inbox's rows and warnings,
    /// then replies to spawned work. What is left waits for the next frame.
    fn drain_messages(&mut self) {
        /// Taken from the inbox at a time, between checks of the budget.
        const CHUNK: usize = 64;
        let started = Instant::now();
        let mut batch = Vec::with_capacity(CHUNK);
        loop {
            self.inbox.take(CHUNK, &mut batch);
            if batch.is_empty() {
                break;
            }
            for msg in batch.drain(..) {
                self.on_msg(msg);
            }
            if started.elapsed() > DRAIN_BUDGET {
                return;
            }
        }
        while let Ok(msg) = self.ui_rx.try_recv() {
            self.on_msg(msg);
            if started.elapsed() > DRAIN_BUDGET {
                return;
            }
        }
    }

    /// Takes the executor's new log lines (the executor keeps the one log; the queue panel
    /// shows its newest lines, formatted once here).
    fn take_log(&mut self) {
        if self.executor.logged() == self.log_seen {
            return;
        }
        let (lines, logged) = self.executor.log_since(self.log_seen);
        let missed = (logged - self.log_seen).saturating_sub(lines.len() as u64);
        self.state.not_shown.log_lines += missed;
        self.log_seen = logged;
        for line in lines {
            // The window is where a failed action ends up: shown here, and in the log file.
            if let Err(err) = &line.outcome {
                tracing::warn!(action = %line.action, "action failed: {err}");
            }
            self.state.push_log(LogLine::from(line));
        }
    }

    /// Draws the window, then runs what the user asked for.
    pub fn ui_root(&mut self, ui: &mut egui::Ui) {
        super::panels::root_ui(ui, &mut self.state, &mut self.pending);
        for command in std::mem::take(&mut self.pending) {
            self.run(command);
        }
    }

    fn run(&mut self, command: Command) {
        match command {
            Command::Counters(change) => self.hand_change(change),
            Command::Connect => self.connect(),
            Command::Disconnect => self.disconnect(),
            Command::StartDemo => self.start_demo(),
            Command::OpenUrl(url) => {
                if let Err(err) = open_in_browser(&url) {
                    let words = crate::trf!(
                        "notice-cannot-open",
                        url = url.as_str(),
                        error = err.to_string()
                    );
                    self.notice(NoticeLevel::Error, words);
                }
            }
            Command::Test { row, count } => self.test_row(row, count),
            Command::MappingsChanged => self.mappings_changed(),
            Command::SettingsChanged => self.settings_changed(),
            Command::Game(control) => self.game.control(control),
            Command::LookupViewer(query) => self.lookup_viewer(query),
            Command::ExportCsv(csv) => self.export_csv(csv),
            Command::PauseQueue => self.executor.pause(),
            Command::ResumeQueue => self.executor.resume(),
            Command::ClearQueue => {
                let removed = self.executor.clear();
                self.notice(
                    NoticeLevel::Info,
                    crate::trf!("notice-cleared", count = removed),
                );
            }
            Command::Panic => self.panic(),
            Command::ClearHeld(server) => {
                let removed = self.executor.clear_held(&server);
                self.notice(
                    NoticeLevel::Info,
                    crate::trf!(
                        "notice-cleared-held",
                        count = removed,
                        server = server.to_string()
                    ),
                );
            }
            Command::KeepHeld(server) => {
                if self.executor.keep_held(&server) {
                    let words = if server == self.state.queue.server {
                        crate::trf!("notice-kept-now", server = server.to_string())
                    } else {
                        crate::trf!("notice-kept-later", server = server.to_string())
                    };
                    self.notice(NoticeLevel::Info, words);
                }
            }
            Command::SkipSpeech
            | Command::StopSpeech
            | Command::TrySpeech
            | Command::OpenReadChat => self.speech_command(&command),
            Command::Quit => self.begin_quit(),
            Command::QuitNow => {
                if let Some(quitting) = &mut self.state.quitting {
                    quitting.now = true;
                }
            }
            Command::ImportDialog => self.tasks.spawn(files::import_dialog()),
            Command::ImportT2mDialog => self.tasks.spawn(files::import_t2m_dialog()),
            Command::ExportDialog => {
                let mappings = self.state.settings.mappings.clone();
                self.tasks.spawn(files::export_dialog(mappings));
            }
            Command::ImportPath(path) => self.tasks.spawn(files::import_file(path)),
            Command::ExportPath(path) => {
                let mappings = self.state.settings.mappings.clone();
                self.tasks.spawn(files::export_file(path, mappings));
            }
            Command::PickSound { row, action } => self.tasks.spawn(files::pick_sound(row, action)),
            Command::PickWorldFolder => self.tasks.spawn(files::pick_world_folder()),
            Command::TestRcon => self.test_rcon(),
            Command::SaveTikTokSession => self.keep_tiktok_session(true),
            Command::ForgetTikTokSession => self.keep_tiktok_session(false),
            Command::TestObs => self.test_obs(),
            Command::RegenerateExternalToken => self.regenerate_external_token(),
            Command::UndoImport => {
                if let Some(previous) = self.undo_mappings.take() {
                    self.state.settings.mappings = previous;
                    self.mappings_changed();
                    self.state.notices.retain(|n| !n.undo_import);
                    self.notice(
                        NoticeLevel::Info,
                        crate::i18n::tr("notice-import-undone").into(),
                    );
                }
            }
        }
    }

    /// The panic button: everything stops and what waits is gone; the count is shown and logged
    /// (the notice goes to the log file too).
    fn panic(&mut self) {
        let report = self
            .executor
            .panic(&self.state.settings.executor.panic_cleanup);
        self.notice(
            NoticeLevel::Warning,
            crate::trf!(
                "notice-panic",
                report = super::failure::panic_words(&report)
            ),
        );
        self.state.last_panic = Some(report);
    }

    fn notice(&mut self, level: NoticeLevel, text: String) {
        self.state.notices.push(level, text);
    }

    // ---- events -------------------------------------------------------------------------------

    /// Replaces the triggers with an imported file's (undoable), its warnings as notices.
    fn apply_import(&mut self, path: &std::path::Path, mut file: settings::MappingsFile) {
        settings::restore_redacted_urls(&mut file, &self.state.settings.mappings);
        let count = file.mappings.len();
        let previous = std::mem::replace(&mut self.state.settings.mappings, file.mappings);
        let replaced = previous.len();
        self.undo_mappings = Some(previous);
        self.mappings_changed();
        for warning in file.warnings.iter().take(3) {
            self.notice(NoticeLevel::Warning, warning.clone());
        }
        self.state.notices.push_notice(Notice {
            level: NoticeLevel::Info,
            text: crate::trf!(
                "notice-imported",
                count = count,
                path = path.display().to_string(),
                replaced = replaced
            ),
            undo_import: true,
        });
    }

    /// Takes over a Tiktok2Mc folder: its triggers (undoable), RCON port and password, and user;
    /// the report opens in a window.
    fn apply_t2m_import(&mut self, path: &std::path::Path, import: crate::t2m::T2mImport) {
        let count = import.mappings.len();
        let skipped = import.not_imported().count();
        let previous =
            std::mem::replace(&mut self.state.settings.mappings, import.mappings.clone());
        let replaced = previous.len();
        self.undo_mappings = Some(previous);
        self.mappings_changed();
        if let Some(port) = import.rcon_port {
            self.state.settings.rcon.host = "127.0.0.1".into();
            self.state.settings.rcon.port = port;
        }
        if let Some(password) = &import.rcon_password {
            self.state.settings.rcon.password = password.clone();
        }
        if let Some(user) = &import.tiktok_user {
            self.state.target_input = format!("@{user}");
            self.state.settings.connection.last_target = format!("@{user}");
        }
        self.schedule_save();
        self.state.windows.import_report = import.report.iter().map(ToString::to_string).collect();
        self.state.notices.push_notice(Notice {
            level: if skipped == 0 {
                NoticeLevel::Info
            } else {
                NoticeLevel::Warning
            },
            text: crate::trf!(
                "notice-imported-t2m",
                count = count,
                path = path.display().to_string(),
                replaced = replaced,
                skipped = skipped
            ),
            undo_import: true,
        });
    }

    fn on_gift(&mut self, gift: &CreditedGift, at_millis: u64, test: bool) {
        let state = &mut self.state;
        if state.catalog.note_seen(
            &gift.gift_name,
            gift.gift_id,
            gift.diamonds,
            gift.image_url.as_deref(),
        ) {
            state
                .editor
                .revalidate(&state.settings.mappings, &state.catalog);
        }
        state.feed.push_at(gift, test, at_millis);
        if !test && gift.trigger.is_some() && !state.conn.is_demo() {
            self.trigger_tried();
        }
    }

    /// The checklist's last step: a trigger really ran.
    fn trigger_tried(&mut self) {
        if !self.state.settings.setup.trigger_tried {
            self.state.settings.setup.trigger_tried = true;
            self.schedule_save();
        }
    }

    // ---- triggers -----------------------------------------------------------------------------

    /// Applies the edited table at once (session and executor) and schedules a save.
    fn mappings_changed(&mut self) {
        let state = &mut self.state;
        self.table = MappingTable::new(state.settings.mappings.clone())
            .with_blocklist(&state.settings.blocklist);
        self.mappings_tx.send_replace(self.table.clone());
        state
            .editor
            .revalidate(&state.settings.mappings, &state.catalog);
        self.schedule_save();
    }

    fn settings_changed(&mut self) {
        if let Some(overlays) = &self.overlays {
            overlays
                .hub
                .set_config(self.state.settings.overlays.pages.clone());
        }
        self.sync_bedrock();
        self.sync_local_servers();
        self.apply_executor_config();
        self.world
            .set_config(world_config(&self.state.settings, self.bedrock.link()));
        self.counters_settings_changed();
        self.game_settings_changed();
        self.pictures_settings_changed();
        self.schedule_save();
    }

    fn apply_executor_config(&mut self) {
        // The demo's server stays current while it runs; the streamer's is updated beside it.
        let demo_rcon = (self.link.demo_rcon()).map(|rcon| Self::demo_rcon_config(rcon.port()));
        self.executor.set_config(executor_config(
            &self.state.settings,
            demo_rcon,
            self.bedrock.link(),
        ));
    }

    /// Takes the world's newest status; a problem reading it is said once, as a notice.
    fn world_step(&mut self) {
        if !self.world_rx.borrow().has_changed() {
            return;
        }
        let status = self.world_rx.borrow_and_update().clone();
        if let WorldStatus::Problem(reason) = &status
            && !matches!(self.state.world, WorldStatus::Problem(_))
        {
            self.notice(
                NoticeLevel::Warning,
                crate::trf!("notice-cannot-see-player", reason = reason.to_string()),
            );
        }
        self.state.world = status;
    }

    // ---- saving -------------------------------------------------------------------------------

    fn schedule_save(&mut self) {
        self.save_due = Some(Instant::now() + SAVE_DEBOUNCE);
        self.tasks.waker().wake();
    }

    fn save_now(&mut self) {
        if self.state.save.allowed && self.state.save.path.is_some() {
            self.save_tx.send_replace(Some(self.state.settings.clone()));
        }
    }

    /// Saves synchronously if an edit is still waiting (the window is closing).
    pub fn flush_save(&mut self) {
        if self.save_due.take().is_some()
            && self.state.save.allowed
            && let Some(path) = &self.state.save.path
        {
            match settings::save_shared(&self.vault, path, &self.state.settings) {
                Ok(None) => {}
                Ok(Some(warning)) => tracing::warn!("{warning}"),
                Err(err) => tracing::error!("could not save settings on exit: {err}"),
            }
        }
    }
}

impl eframe::App for GiftdeckApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.logic_step(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    /// The panel colour: the panels draw no fill of their own (`panels::side_frame`), so the
    /// clear is the window's one full-size pass.
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        visuals.panel_fill.to_normalized_gamma_f32()
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        let _ = self.shutdown();
    }
}

/// The executor's settings; `demo_rcon` is the current server while the demo runs (the
/// streamer's stays set, so real-stream actions stay bound to it and are held meanwhile).
/// The world watch for the streamer's Bedrock world when that is on, else their own Java server
/// and player (`None` until both are set up).
fn world_config(
    settings: &Settings,
    bedrock: Option<crate::actions::BedrockLink>,
) -> Option<WorldConfig> {
    match bedrock {
        Some(link) => WorldConfig::bedrock(&settings.minecraft_world, Some(link)),
        None => WorldConfig::of(&settings.minecraft_world, settings.rcon.if_set_up()),
    }
}

/// `bedrock` is the streamer's Bedrock world when that is on.
fn executor_config(
    settings: &Settings,
    demo_rcon: Option<RconConfig>,
    bedrock: Option<crate::actions::BedrockLink>,
) -> ExecutorConfig {
    let rcon = bedrock::stream_rcon(settings);
    ExecutorConfig {
        gap_millis: settings.executor.gap_millis,
        max_age_millis: settings.executor.max_age_millis,
        capacity: QUEUE_CAPACITY,
        rcon,
        demo_rcon,
        obs: settings.obs.if_set_up(),
        keys_pace: settings.keys.pace.clone(),
        keys_limits: settings.keys.limits.clone(),
        read_chat: settings.read_chat.clone(),
        bedrock,
        world_folder: crate::actions::datapack::world_folder(
            &settings.minecraft_world.world_folder,
        ),
    }
}

/// The wall clock in Unix milliseconds: the engine clock of the app's Test pipeline.
fn unix_millis() -> u64 {
    crate::room_store::millis_since_epoch(std::time::SystemTime::now())
}
