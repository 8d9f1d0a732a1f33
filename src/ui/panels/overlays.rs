//! The Overlays panel: each overlay page's URL with Copy and Open-in-browser, whether a page
//! (an OBS browser source, a browser tab) is connected right now, and per page the hygiene
//! switch (its link carries `?hygiene=1`: no gift pictures, neutral words; saved in the
//! settings' `overlays.hygiene`), and how many lines the list pages keep (applied at once).

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::overlays_view::OverlaysView;
use super::{GREEN, GREY, RED};
use crate::overlay::{OverlaySettings, page_link};

/// The panel (on the Overlays page). Ticking a page's hygiene box edits `settings` and saves.
pub fn overlays_ui(
    ui: &mut egui::Ui,
    view: &OverlaysView,
    settings: &mut OverlaySettings,
    cmds: &mut Commands,
) {
    ui.heading("Overlays");
    if let Some(reason) = &view.off_reason {
        ui.label(RichText::new(reason).color(RED));
        return;
    }
    ui.label(
        RichText::new("Add each URL to OBS as a Browser source (transparent background).").weak(),
    );
    for page in &view.pages {
        let mut hygienic = settings.hygienic(page.page);
        let link = page_link(&page.url, hygienic);
        ui.horizontal(|ui| {
            let (color, words) = if page.connected > 0 {
                (GREEN, format!("{} connected", page.connected))
            } else {
                (GREY, "not connected".to_owned())
            };
            ui.label(RichText::new(page.title).strong());
            ui.label(RichText::new(words).color(color).small())
                .on_hover_text("Browser sources (or tabs) showing this page right now");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .small_button("Open")
                    .on_hover_text("Open in your browser")
                    .clicked()
                {
                    cmds.push(Command::OpenUrl(link.clone()));
                }
                if ui
                    .small_button("Copy")
                    .on_hover_text("Copy the URL")
                    .clicked()
                {
                    ui.ctx().copy_text(link.clone());
                }
                let toggle = ui
                    .checkbox(&mut hygienic, "Hide gift pictures and words")
                    .on_hover_text(
                        "For streams TikTok might flag: the link gets ?hygiene=1 (no gift \
                         pictures, neutral words such as \"joined in\" for \"followed\"). Copy \
                         it into OBS again after changing this.",
                    );
                if toggle.changed() {
                    settings.set_hygienic(page.page, hygienic);
                    cmds.push(Command::SettingsChanged);
                }
            });
        });
        ui.label(RichText::new(&link).monospace().small());
    }
    ui.horizontal(|ui| {
        ui.label(RichText::new("Events (JSON)").strong());
        ui.label(
            RichText::new(format!("{} client(s)", view.event_clients))
                .weak()
                .small(),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.small_button("Copy").clicked() {
                ui.ctx().copy_text(view.events_url.clone());
            }
        });
    });
    ui.label(RichText::new(&view.events_url).monospace().small());
    list_sizes_ui(ui, settings, cmds);
}

/// How much the list pages keep (a page shows `?count=` of it); applied to open pages at once.
fn list_sizes_ui(ui: &mut egui::Ui, settings: &mut OverlaySettings, cmds: &mut Commands) {
    egui::CollapsingHeader::new("List sizes")
        .id_salt("overlay_list_sizes")
        .show(ui, |ui| {
            let pages = &mut settings.pages;
            let mut changed = false;
            egui::Grid::new("overlay_list_sizes_grid")
                .num_columns(2)
                .show(ui, |ui| {
                    for (label, size, most) in [
                        ("Chat lines kept", &mut pages.chat_size, 200),
                        ("Top gifters kept", &mut pages.top_size, 100),
                        ("Recent events kept", &mut pages.recent_size, 200),
                    ] {
                        let label = ui.label(label);
                        changed |= ui
                            .add(egui::DragValue::new(size).range(1..=most))
                            .labelled_by(label.id)
                            .changed();
                        ui.end_row();
                    }
                });
            if changed {
                cmds.push(Command::SettingsChanged);
            }
        });
}
