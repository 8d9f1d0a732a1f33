//! The Overlays panel: each overlay page's URL with Copy and Open-in-browser, whether a page
//! (an OBS browser source, a browser tab) is connected right now, and per page the hygiene
//! switch (its link carries `?hygiene=1`: no gift pictures, neutral words; saved in the
//! settings' `overlays.hygiene`), and how many lines the list pages keep (applied at once).

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
                let toggle = ui
                    .checkbox(&mut hygienic, tr("overlays-hygiene"))
                    .on_hover_text(tr("overlays-hygiene-hover"));
                if toggle.changed() {
                    settings.set_hygienic(page.page, hygienic);
                    cmds.push(Command::SettingsChanged);
                }
            });
        });
        ui.label(RichText::new(&link).monospace().small());
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
    list_sizes_ui(ui, settings, cmds);
}

/// How much the list pages keep (a page shows `?count=` of it); applied to open pages at once.
fn list_sizes_ui(ui: &mut egui::Ui, settings: &mut OverlaySettings, cmds: &mut Commands) {
    egui::CollapsingHeader::new(tr("overlays-list-sizes"))
        .id_salt("overlay_list_sizes")
        .show(ui, |ui| {
            let pages = &mut settings.pages;
            let mut changed = false;
            egui::Grid::new("overlay_list_sizes_grid")
                .num_columns(2)
                .show(ui, |ui| {
                    for (label, size, most) in [
                        (tr("overlays-chat-kept"), &mut pages.chat_size, 200),
                        (tr("overlays-top-kept"), &mut pages.top_size, 100),
                        (tr("overlays-recent-kept"), &mut pages.recent_size, 200),
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
