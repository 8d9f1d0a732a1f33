//! The status bar at the bottom: the session's counters, what the UI had to skip, and where the
//! settings are saved.

use egui::RichText;

use super::super::failure;
use super::super::state::{SaveState, Skipped};
use super::AMBER;
use crate::engine::Stats;

pub fn status_bar_ui(
    ui: &mut egui::Ui,
    stats: &Stats,
    skipped: Skipped,
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
        if skipped.feed_rows > 0 || skipped.log_lines > 0 {
            ui.label(
                RichText::new(format!(
                    "· {} feed rows and {} reply lines skipped (UI busy; actions still ran)",
                    skipped.feed_rows, skipped.log_lines
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
