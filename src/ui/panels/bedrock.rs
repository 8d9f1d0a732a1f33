//! The Bedrock world's setup, drawn in the checklist and the settings window: the switch, the
//! port, exactly what to type in the game with a copy button, and the connection's state.

use egui::RichText;

use super::super::bedrock::{BedrockView, Tone, state_line};
use super::{GREEN, GREY, RED};
use crate::actions::bedrock::{BedrockSettings, connect_command};

/// Returns true when the streamer changed a setting.
pub fn bedrock_setup_ui(
    ui: &mut egui::Ui,
    id: &str,
    settings: &mut BedrockSettings,
    view: &BedrockView,
) -> bool {
    let mut changed = ui
        .checkbox(
            &mut settings.enabled,
            "My world is Minecraft Bedrock Edition (Windows, phone, tablet)",
        )
        .on_hover_text("Commands go to the game over /connect instead of RCON")
        .changed();
    if !settings.enabled {
        return changed;
    }
    ui.push_id(id, |ui| {
        ui.horizontal(|ui| {
            ui.label("Port on this computer");
            changed |= ui
                .add(egui::DragValue::new(&mut settings.port).range(1024..=65535))
                .changed();
        });
        let line = connect_command(settings.port);
        ui.label("In the game, in a world with cheats on, open the chat and type:");
        ui.horizontal(|ui| {
            ui.label(RichText::new(&line).monospace().strong());
            if ui
                .small_button("📋 Copy")
                .on_hover_text("Copy it, then paste it in the game's chat")
                .clicked()
            {
                ui.ctx().copy_text(line.clone());
            }
        });
        let (tone, words) = state_line(view);
        let color = match tone {
            Tone::Neutral => GREY,
            Tone::Good => GREEN,
            Tone::Bad => RED,
        };
        ui.horizontal_wrapped(|ui| {
            ui.label("Game:");
            ui.label(RichText::new(words).color(color).strong());
        });
    });
    changed
}
