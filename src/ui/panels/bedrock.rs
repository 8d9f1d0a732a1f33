//! The Bedrock world's setup, drawn in the checklist and the settings window: the switch, the
//! port, exactly what to type in the game with a copy button, and the connection's state.

use crate::i18n::tr;
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
            tr("bedrock-my-world-is-minecraft-bedrock"),
        )
        .on_hover_text(tr("bedrock-commands-go-to-the-game"))
        .changed();
    if !settings.enabled {
        return changed;
    }
    ui.push_id(id, |ui| {
        ui.horizontal(|ui| {
            ui.label(tr("bedrock-port-on-this-computer"));
            changed |= ui
                .add(egui::DragValue::new(&mut settings.port).range(1024..=65535))
                .changed();
        });
        let line = connect_command(settings.port);
        ui.label(tr("bedrock-in-the-game-in-a"));
        ui.horizontal(|ui| {
            ui.label(RichText::new(&line).monospace().strong());
            if ui
                .small_button(tr("bedrock-copy"))
                .on_hover_text(tr("bedrock-copy-it-then-paste-it"))
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
            ui.label(tr("bedrock-game"));
            ui.label(RichText::new(words).color(color).strong());
        });
    });
    changed
}
