//! The status bar at the bottom: the session's counters, what the UI had to skip, and where the
//! settings are saved.

use egui::RichText;

use super::super::failure;
use super::super::state::{NotShown, SaveState};
use super::AMBER;
use crate::engine::Stats;

pub fn status_bar_ui(
    ui: &mut egui::Ui,
    stats: &Stats,
    not_shown: NotShown,
    backlog: usize,
    save: &SaveState,
) {
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!(
                "frames {} · gifts decoded {} · duplicates ignored {} · bad frames {}",
                stats.frames, stats.gifts, stats.duplicates, stats.malformed
            ))
            .small()
            .weak(),
        );
        if not_shown.feed_rows > 0 || not_shown.log_lines > 0 {
            ui.label(
                RichText::new(format!(
                    "· {} feed rows and {} reply lines not shown (UI busy; actions still ran)",
                    not_shown.feed_rows, not_shown.log_lines
                ))
                .small()
                .color(AMBER),
            );
        }
        if backlog > 0 {
            ui.label(
                RichText::new(format!("· catching up {backlog}"))
                    .small()
                    .weak(),
            );
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let text = match (&save.last, &save.path) {
                (_, None) => "settings not saved (no config folder)".to_owned(),
                (Some(Ok(path)), _) => format!("saved to {}", path.display()),
                (Some(Err(err)), _) => failure::save_failure_short(err),
                (None, Some(path)) => format!("settings: {}", path.display()),
            };
            ui.label(RichText::new(text).small().weak());
        });
    });
}
