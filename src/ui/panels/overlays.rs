//! The Overlays panel: each overlay page's URL with Copy and Open-in-browser, and whether a page
//! (an OBS browser source, a browser tab) is connected right now.

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::{GREEN, GREY, RED};
use crate::overlay::{Overlays, Page, events_url, page_urls};

/// One page as the panel shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverlayPage {
    pub title: &'static str,
    pub url: String,
    /// Open connections (0 = no browser source shows it).
    pub connected: usize,
}

/// What the panel shows; refreshed from the hub every frame (cheap atomic reads).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverlaysView {
    pub pages: Vec<OverlayPage>,
    pub events_url: String,
    pub event_clients: usize,
    /// Why there are no overlays (`--overlay-port 0`, a busy port…); `None` while they run.
    pub off_reason: Option<String>,
}

impl OverlaysView {
    /// The view of running overlays.
    pub fn of(overlays: &Overlays) -> Self {
        let port = overlays.server.port();
        Self {
            pages: page_urls(port)
                .into_iter()
                .map(|(page, url)| OverlayPage {
                    title: page.title(),
                    url,
                    connected: overlays.hub.connections(page),
                })
                .collect(),
            events_url: events_url(port),
            event_clients: overlays.hub.event_clients(),
            off_reason: None,
        }
    }

    /// Updates the connection counts in place.
    pub fn refresh(&mut self, overlays: &Overlays) {
        for (view, page) in self.pages.iter_mut().zip(Page::ALL) {
            view.connected = overlays.hub.connections(page);
        }
        self.event_clients = overlays.hub.event_clients();
    }

    pub fn off(reason: impl Into<String>) -> Self {
        Self {
            off_reason: Some(reason.into()),
            ..Self::default()
        }
    }
}

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
