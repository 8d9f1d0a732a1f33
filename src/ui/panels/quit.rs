//! The window shown while the app finishes before quitting: open streaks are being credited and
//! the queue drains, with a countdown to the deadline and a "Quit now" choice (what is left is
//! then listed as not run in the log).

use crate::i18n::tr;
use std::time::Instant;

use egui::RichText;

use super::super::bridge::QueueStatus;
use super::super::commands::{Command, Commands};
use super::super::state::Quitting;
use super::AMBER;

pub fn quit_window_ui(
    ctx: &egui::Context,
    quitting: &Quitting,
    queue: &QueueStatus,
    session_done: bool,
    cmds: &mut Commands,
) {
    let left = quitting.deadline.saturating_duration_since(Instant::now());
    egui::Window::new(tr("quit-finishing-before-quitting"))
        .id(egui::Id::unique("quit_window"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            if !session_done {
                ui.label(tr("quit-crediting-open-streaks"));
            }
            let waiting = queue.depth + usize::from(queue.running.is_some());
            ui.label(crate::trf!("quit-still-to-run", count = waiting));
            ui.label(
                RichText::new(crate::trf!("quit-in", seconds = left.as_secs() + 1))
                    .color(AMBER)
                    .strong(),
            );
            ui.label(RichText::new(tr("quit-anything-not-run-by-then")).weak());
            if ui.button(tr("quit-quit-now")).clicked() {
                cmds.push(Command::QuitNow);
            }
        });
}
