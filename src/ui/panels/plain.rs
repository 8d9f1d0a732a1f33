//! A failure in plain words: the headline and what to do, with the technical detail behind a
//! "Details" header, closed until clicked.

use egui::{Color32, RichText};

use super::super::failure::Plain;

pub fn plain_failure_ui(ui: &mut egui::Ui, id_salt: &str, plain: &Plain, color: Color32) {
    ui.label(RichText::new(&plain.headline).color(color).strong());
    ui.label(&plain.advice);
    details_ui(ui, id_salt, &plain.detail);
}

/// The technical detail, one click away.
pub fn details_ui(ui: &mut egui::Ui, id_salt: &str, detail: &str) {
    if detail.is_empty() {
        return;
    }
    egui::CollapsingHeader::new("Details")
        .id_salt(id_salt)
        .default_open(false)
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(detail).monospace().small()).selectable(true));
        });
}
