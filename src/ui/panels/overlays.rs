//! The Overlays panel: each overlay page's URL with Copy and Open-in-browser, whether a page
//! (an OBS browser source, a browser tab) is connected right now, and per page the hygiene
//! switch (its link carries `?hygiene=1`: no gift pictures, neutral words; saved in the
//! settings' `overlays.hygiene`).

use crate::i18n::tr;
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
    ui.heading(tr("overlays-overlays"));
    if let Some(reason) = &view.off_reason {
        ui.label(RichText::new(reason).color(RED));
        return;
    }
    ui.label(RichText::new(tr("overlays-add-each-url-to-obs")).weak());
    for page in &view.pages {
        let mut hygienic = settings.hygienic(page.page);
        let link = page_link(&page.url, hygienic);
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
                    cmds.push(Command::OpenUrl(link.clone()));
                }
                if ui
                    .small_button(tr("triggers-copy"))
                    .on_hover_text(tr("overlays-copy-the-url"))
                    .clicked()
                {
                    ui.ctx().copy_text(link.clone());
                }
            });
        });
        ui.horizontal(|ui| {
            ui.label(RichText::new(&link).monospace().small());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let toggle = ui
                    .push_id(page.page.index(), |ui| {
                        ui.checkbox(&mut hygienic, tr("overlays-hygiene"))
                    })
                    .inner
                    .on_hover_text(tr("overlays-hygiene-hover"));

                if toggle.changed() {
                    settings.set_hygienic(page.page, hygienic);
                    cmds.push(Command::SettingsChanged);
                }
            });
        });
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
