//! The Overlays panel: each overlay page's URL with Copy and Open-in-browser, and whether a page
//! (an OBS browser source, a browser tab) is connected right now.

use crate::i18n::tr;
use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::overlays_view::OverlaysView;
use super::{GREEN, GREY, RED};

/// The panel (in the side column).
pub fn overlays_ui(ui: &mut egui::Ui, view: &OverlaysView, cmds: &mut Commands) {
    ui.heading(tr("overlays-overlays"));
    if let Some(reason) = &view.off_reason {
        ui.label(RichText::new(reason).color(RED));
        return;
    }
    ui.label(RichText::new(tr("overlays-add-each-url-to-obs")).weak());
    for page in &view.pages {
        ui.horizontal(|ui| {
            let (color, words) = if page.connected > 0 {
                (
                    GREEN,
                    crate::trf!("overlays-connected", count = page.connected),
                )
            } else {
                (GREY, tr("overlays-not-connected").to_owned())
            };
            ui.label(RichText::new(page.title).strong());
            ui.label(RichText::new(words).color(color).small())
                .on_hover_text(tr("overlays-browser-sources-or-tabs-showing"));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .small_button(tr("overlays-open"))
                    .on_hover_text(tr("overlays-open-in-your-browser"))
                    .clicked()
                {
                    cmds.push(Command::OpenUrl(page.url.clone()));
                }
                if ui
                    .small_button(tr("triggers-copy"))
                    .on_hover_text(tr("overlays-copy-the-url"))
                    .clicked()
                {
                    ui.ctx().copy_text(page.url.clone());
                }
            });
        });
        ui.label(RichText::new(&page.url).monospace().small());
    }
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr("overlays-events-json")).strong());
        ui.label(
            RichText::new(crate::trf!("overlays-clients", count = view.event_clients))
                .weak()
                .small(),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.small_button(tr("triggers-copy")).clicked() {
                ui.ctx().copy_text(view.events_url.clone());
            }
        });
    });
    ui.label(RichText::new(&view.events_url).monospace().small());
}
