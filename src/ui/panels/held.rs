//! Queues held back by a server switch (demo ↔ the streamer's server, or a new host:port): each
//! says which server it belongs to and that it will not run on the current one, with the
//! streamer's two choices: clear it, or keep it for its own server.

use crate::i18n::tr;
use egui::RichText;

use super::super::bridge::{QueueStatus, ServerId};
use super::super::commands::{Command, Commands};
use super::{AMBER, GREY};

/// One box per held queue; nothing when none is held.
pub fn held_queues_ui(ui: &mut egui::Ui, q: &QueueStatus, cmds: &mut Commands) {
    for held in &q.held {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            let text = if held.kept {
                crate::trf!(
                    "held-kept",
                    count = held.count,
                    server = held.server.to_string()
                )
            } else {
                crate::trf!(
                    "held-held",
                    count = held.count,
                    server = held.server.to_string(),
                    current = server_words(&q.server)
                )
            };
            ui.label(RichText::new(text).color(AMBER));
            if let Some(next) = &held.next {
                ui.label(
                    RichText::new(crate::trf!("held-next", action = next.to_string()))
                        .color(GREY)
                        .small(),
                );
            }
            ui.horizontal(|ui| {
                if !held.kept
                    && ui
                        .button(crate::trf!(
                            "held-keep-for",
                            server = held.server.to_string()
                        ))
                        .on_hover_text(tr("held-run-them-only-when-that"))
                        .clicked()
                {
                    cmds.push(Command::KeepHeld(held.server.clone()));
                }
                if ui
                    .button(tr("held-clear-held"))
                    .on_hover_text(tr("held-throw-these-actions-away-they"))
                    .clicked()
                {
                    cmds.push(Command::ClearHeld(held.server.clone()));
                }
            });
        });
    }
}

/// The current server in the words the queue panel uses.
pub fn server_words(server: &ServerId) -> String {
    match server {
        ServerId::NotSet => tr("queue-this-queue-no-server-set").to_owned(),
        other => other.to_string(),
    }
}
