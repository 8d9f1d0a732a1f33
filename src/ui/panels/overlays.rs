//! The Overlays panel: each overlay page's URL with Copy and Open-in-browser, and whether a page
//! (an OBS browser source, a browser tab) is connected right now.

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::overlays_view::OverlaysView;
use super::{GREEN, GREY, RED};

/// The panel (in the side column).
pub fn overlays_ui(ui: &mut egui::Ui, view: &OverlaysView, cmds: &mut Commands) {
    ui.heading("Overlays");
    if let Some(reason) = &view.off_reason {
        ui.label(RichText::new(reason).color(RED));
        return;
    }
    ui.label(
        RichText::new("Add each URL to OBS as a Browser source (transparent background).").weak(),
    );
    for page in &view.pages {
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
                    cmds.push(Command::OpenUrl(page.url.clone()));
                }
                if ui
                    .small_button("Copy")
                    .on_hover_text("Copy the URL")
                    .clicked()
                {
                    ui.ctx().copy_text(page.url.clone());
                }
            });
        });
        ui.label(RichText::new(&page.url).monospace().small());
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
}
