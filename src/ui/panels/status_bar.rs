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
            RichText::new(crate::trf!(
                "status-counters",
                frames = stats.frames,
                gifts = stats.gifts,
                duplicates = stats.duplicates,
                bad = stats.malformed
            ))
            .small()
            .weak(),
        );
        if not_shown.feed_rows > 0 || not_shown.log_lines > 0 {
            ui.label(
                RichText::new(crate::trf!(
                    "status-not-shown",
                    rows = not_shown.feed_rows,
                    lines = not_shown.log_lines
                ))
                .small()
                .color(AMBER),
            );
        }
        if backlog > 0 {
            ui.label(
                RichText::new(crate::trf!("status-catching-up", count = backlog))
                    .small()
                    .weak(),
            );
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let text = match (&save.last, &save.path) {
                (_, None) => crate::i18n::tr("status-not-saved").to_owned(),
                (Some(Ok(path)), _) => {
                    crate::trf!("status-saved-to", path = path.display().to_string())
                }
                (Some(Err(err)), _) => failure::save_failure_short(err),
                (None, Some(path)) => {
                    crate::trf!("status-settings-at", path = path.display().to_string())
                }
            };
            ui.label(RichText::new(text).small().weak());
        });
    });
}
