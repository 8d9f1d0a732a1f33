//! Settings' parts for other programs: the TikFinity events API (switch, port, state) and the
//! external trigger endpoint (switch, port, the token masked with Copy and Regenerate, and the
//! `curl` line with the real port, copied with the token in full).

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::local_servers::{ServerLine, curl_line, masked_token, status_words};
use super::{GREEN, GREY, RED};
use crate::settings::ExternalSettings;
use crate::tikfinity::TikfinitySettings;

/// The state line under a server's switch.
fn status_ui(ui: &mut egui::Ui, line: &ServerLine, with_clients: bool) {
    let (color, words) = match status_words(line, with_clients) {
        Ok(words) if line.listening.is_some() => (GREEN, words),
        Ok(words) => (GREY, words),
        Err(words) => (RED, words),
    };
    ui.horizontal_wrapped(|ui| {
        ui.label("State:");
        ui.label(RichText::new(words).color(color).strong());
    });
}

/// The port field; true when changed.
fn port_ui(ui: &mut egui::Ui, port: &mut u16) -> bool {
    ui.horizontal(|ui| {
        ui.label("Port on 127.0.0.1");
        ui.add(egui::DragValue::new(port).range(1024..=65535))
            .changed()
    })
    .inner
}

/// TikFinity's events API; returns true when the streamer changed a setting.
pub fn tikfinity_settings_ui(
    ui: &mut egui::Ui,
    settings: &mut TikfinitySettings,
    line: &ServerLine,
) -> bool {
    let mut changed = ui
        .checkbox(
            &mut settings.enabled,
            "Serve TikFinity's events API (for tools written for TikFinity)",
        )
        .on_hover_text(
            "Game mods, TTS apps and bots that connect to TikFinity on ws://127.0.0.1:21213 get giftdeck's events instead",
        )
        .changed();
    if !settings.enabled {
        return changed;
    }
    ui.push_id("tikfinity_settings", |ui| {
        changed |= port_ui(ui, &mut settings.port);
        ui.label(
            RichText::new(format!(
                "Tools connect to ws://127.0.0.1:{}/ (close TikFinity first: both cannot use the same port).",
                settings.port
            ))
            .weak(),
        );
        status_ui(ui, line, true);
    });
    changed
}

/// The external trigger endpoint; returns true when the streamer changed a setting.
pub fn external_settings_ui(
    ui: &mut egui::Ui,
    settings: &mut ExternalSettings,
    line: &ServerLine,
    example_trigger: &str,
    cmds: &mut Commands,
) -> bool {
    let mut changed = ui
        .checkbox(
            &mut settings.enabled,
            "Let programs on this computer fire triggers (with the token)",
        )
        .on_hover_text(
            "Stream Deck, scripts and bots POST to 127.0.0.1; web pages are refused, and every call shows in the feed as EXTERNAL",
        )
        .changed();
    if !settings.enabled {
        return changed;
    }
    ui.push_id("external_settings", |ui| {
        changed |= port_ui(ui, &mut settings.port);
        ui.horizontal(|ui| {
            ui.label("Token");
            ui.label(RichText::new(masked_token(&settings.token)).monospace())
                .on_hover_text("Hidden on screen; Copy puts the whole token on the clipboard");
            if ui
                .small_button("📋 Copy")
                .on_hover_text("Copy the token")
                .clicked()
            {
                ui.ctx().copy_text(settings.token.clone());
            }
            if ui
                .small_button("🔄 Regenerate")
                .on_hover_text("A new token: programs using the old one are refused from now on")
                .clicked()
            {
                cmds.push(Command::RegenerateExternalToken);
            }
        });
        ui.label("To fire a trigger from a terminal or a script:");
        let shown = curl_line(
            settings.port,
            &masked_token(&settings.token),
            example_trigger,
        );
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(shown).monospace().small());
            if ui
                .small_button("📋 Copy command")
                .on_hover_text("Copies the line with the whole token")
                .clicked()
            {
                ui.ctx()
                    .copy_text(curl_line(settings.port, &settings.token, example_trigger));
            }
        });
        status_ui(ui, line, false);
    });
    changed
}
