//! Queues held back by a server switch (demo ↔ the streamer's server, or a new host:port): each
//! says which server it belongs to and that it will not run on the current one, with the
//! streamer's two choices: clear it, or keep it for its own server.

use egui::RichText;

use super::super::bridge::{QueueStatus, ServerId};
use super::super::commands::{Command, Commands};
use super::{AMBER, GREY};

/// One box per held queue; nothing when none is held.
pub fn held_queues_ui(ui: &mut egui::Ui, q: &QueueStatus, cmds: &mut Commands) {
    for held in &q.held {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            let text = if held.kept {
                format!(
                    "{} action(s) kept for {}: they run when you switch back to it.",
                    held.count, held.server
                )
            } else {
                format!(
                    "{} action(s) queued for {} are held: they will not run on {}.",
                    held.count,
                    held.server,
                    server_words(&q.server)
                )
            };
            ui.label(RichText::new(text).color(AMBER));
            if let Some(next) = &held.next {
                ui.label(RichText::new(format!("Next: {next}")).color(GREY).small());
            }
            ui.horizontal(|ui| {
                if !held.kept
                    && ui
                        .button(format!("Keep for {}", held.server))
                        .on_hover_text("Run them only when that server is current again")
                        .clicked()
                {
                    cmds.push(Command::KeepHeld(held.server.clone()));
                }
                if ui
                    .button("🗑 Clear held")
                    .on_hover_text("Throw these actions away; they never run anywhere")
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
        ServerId::NotSet => "this queue (no server set up)".to_owned(),
        other => other.to_string(),
    }
}
