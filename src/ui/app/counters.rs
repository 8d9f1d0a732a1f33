//! The app's counters and stream timer: the hub made from the settings and the saved values, the
//! tasks around it (saving every change, the timer's zero, the overlay pages, deaths from the
//! world watch), the buttons' changes, and the values copied to the panel when they change.

use std::path::{Path, PathBuf};

use crate::counter_hub::{CounterHub, HandChange, store};
use crate::settings::Settings;
use crate::ui::state::NoticeLevel;

use super::GiftdeckApp;

/// Where the values are saved: the OS data dir for the usual settings file; beside any other
/// settings file (a portable setup, a test), so separate setups never share counters. `None`
/// without a settings file: the values last as long as the app.
pub fn counters_path(settings_path: Option<&Path>) -> Option<PathBuf> {
    let path = settings_path?;
    if crate::paths::settings_path().as_deref() == Some(path) {
        return crate::paths::counters_path();
    }
    Some(
        path.parent()
            .unwrap_or(Path::new("."))
            .join("counters.json"),
    )
}

/// The hub for `settings`, with the values saved at `path`; the error says why they could not
/// be read (the app starts from the settings then, and says so).
pub(super) fn start_hub(settings: &Settings, path: Option<&Path>) -> (CounterHub, Option<String>) {
    let hub = CounterHub::new(&settings.counters, &settings.stream_timer);
    let problem = path
        .and_then(|path| store::restore(&hub, path).err())
        .map(|err| err.to_string());
    (hub, problem)
}

impl GiftdeckApp {
    /// Starts the counters' tasks: saving, the timer's zero, the pages, deaths from the world.
    pub(super) fn start_counters(&mut self, path: Option<PathBuf>, problem: Option<String>) {
        let hub = self.counters.clone();
        if let Some(path) = path.filter(|_| self.state.save.allowed) {
            self.tasks.spawn_loop(store::run_saver(hub.clone(), path));
        }
        self.tasks.spawn_loop(store::run_ticker(hub.clone()));
        self.tasks.spawn_loop(crate::world::feed_counters(
            self.world_rx.clone(),
            hub.clone(),
        ));
        if let Some(overlays) = &self.overlays {
            self.tasks.spawn_loop(crate::overlay::counters::feed(
                hub.clone(),
                overlays.hub.clone(),
            ));
        }
        self.executor.set_counters(Some(hub.clone()));
        self.wake_on_change(hub.subscribe());
        self.state.counters = hub.board();
        if let Some(problem) = problem {
            self.notice(
                NoticeLevel::Warning,
                crate::trf!("notice-counters-start-over", problem = problem.to_string()),
            );
        }
    }

    /// A button in the Counters panel.
    pub(super) fn hand_change(&mut self, change: HandChange) {
        if let Err(err) = self.counters.hand(change) {
            self.notice(NoticeLevel::Error, err.to_string());
        }
    }

    /// New settings: counters added or removed, the timer's rules.
    pub(super) fn counters_settings_changed(&mut self) {
        self.counters.define(
            &self.state.settings.counters,
            &self.state.settings.stream_timer,
        );
    }

    /// Copies the values for this frame.
    pub(super) fn refresh_counters(&mut self) {
        self.state.counters = self.counters.board();
    }

    /// Saves the values now (the window is closing; the saver may not get to the last change).
    pub(super) fn flush_counters(&self) {
        if !self.state.save.allowed {
            return;
        }
        if let Some(path) = counters_path(self.state.save.path.as_deref())
            && let Err(err) = store::save(&path, &store::Saved::of(&self.counters.board()))
        {
            tracing::error!("could not save the counters on exit: {err}");
        }
    }
}
