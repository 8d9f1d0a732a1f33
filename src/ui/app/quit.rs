//! Quitting: the close button holds the window while open streaks are credited and the queue
//! drains (with a countdown and "Quit now"), then the executor stops through its handshake.

use std::time::{Duration, Instant};

use super::super::link::Link;
use super::super::state::Quitting;
use super::{GiftdeckApp, QUIT_DRAIN, STOP_GRACE};
use crate::actions::ShutdownReport;

/// How long quitting waits for the goals and the subathon clock to be committed.
const GAME_SAVE_GRACE: Duration = Duration::from_secs(2);

impl GiftdeckApp {
    /// The window's close button: with a session running or actions queued, the close is held
    /// back while streaks are credited and the queue drains (a second close quits at once).
    pub(super) fn close_requested_step(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || self.quit_ready() {
            return;
        }
        let busy = !self.state.conn.session_finished()
            || self.state.queue.depth > 0
            || self.state.queue.running.is_some();
        if let Some(quitting) = &mut self.state.quitting {
            quitting.now = true;
        } else if busy {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.begin_quit();
        }
    }

    /// Stops the session cleanly (its open streaks are credited and queued) and starts the
    /// countdown; the queue keeps running.
    pub(super) fn begin_quit(&mut self) {
        if self.state.quitting.is_some() {
            return;
        }
        tracing::info!("finishing before quitting: crediting open streaks, draining the queue");
        match &self.link {
            Link::Session { handle, .. } => handle.stop(),
            Link::StartingDemo => {
                self.set_link(Link::Off);
            }
            Link::Off => {}
        }
        self.state.quitting = Some(Quitting {
            deadline: Instant::now() + QUIT_DRAIN,
            now: false,
        });
    }

    /// While quitting: closes the window once streaks are credited and the queue is empty, the
    /// deadline passed, or the streamer chose "Quit now".
    pub(super) fn quit_step(&mut self, ctx: &egui::Context) {
        let Some(quitting) = &self.state.quitting else {
            return;
        };
        let drained = self.state.conn.session_finished()
            && self.state.queue.depth == 0
            && self.state.queue.running.is_none();
        if drained || quitting.now || Instant::now() >= quitting.deadline {
            self.quit_ready = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            // The countdown ticks.
            ctx.request_repaint_after(Duration::from_millis(250));
        }
    }

    /// The app has finished what it could and the window may close.
    pub fn quit_ready(&self) -> bool {
        self.quit_ready
    }

    /// The window is closing: saves, stops the session, stops the executor with its handshake
    /// (the running action gets `STOP_GRACE`), and saves the goals and the subathon clock in the
    /// ledger (the game saves at most once a second while it runs; this keeps that last second).
    /// Every action that did not run is logged (a warning, so the desktop binary's stderr shows
    /// it too; library code prints nothing itself) and returned. Blocks the closing window for
    /// at most the grace and [`GAME_SAVE_GRACE`].
    pub fn shutdown(&mut self) -> ShutdownReport {
        self.flush_save();
        self.flush_counters();
        // Dropping the server tells every page and /events client to close.
        self.overlays = None;
        if let Link::Session { handle, .. } = self.set_link(Link::Off) {
            handle.stop();
        }
        let report = self
            .tasks
            .runtime()
            .block_on(self.executor.stop(STOP_GRACE));
        let not_run = report.not_run_count();
        if not_run > 0 {
            tracing::warn!(not_run, "quitting: {not_run} action(s) did not run");
        }
        for line in report.not_run_lines() {
            tracing::warn!("not run: {line}");
        }
        self.save_game_on_quit();
        report
    }

    /// Saves the game's state now and waits until the ledger committed it (at most
    /// [`GAME_SAVE_GRACE`]: a ledger stuck on a busy disk does not hold the window).
    fn save_game_on_quit(&self) {
        let synced = self
            .tasks
            .runtime()
            .block_on(async { tokio::time::timeout(GAME_SAVE_GRACE, self.game.synced()).await });
        if synced.is_err() {
            tracing::warn!(
                "quitting: the goals' last second could not be saved within {GAME_SAVE_GRACE:?}"
            );
        }
    }
}
