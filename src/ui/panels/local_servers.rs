//! Settings' parts for other programs: the TikFinity events API (switch, port, state) and the
//! external trigger endpoint (switch, port, the token masked with Copy and Regenerate, and the
//! `curl` line with the real port, copied with the token in full).

use crate::i18n::tr;
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
        ui.label(tr("local-servers-state"));
        ui.label(RichText::new(words).color(color).strong());
    });
}

/// The port field; true when changed.
fn port_ui(ui: &mut egui::Ui, port: &mut u16) -> bool {
    ui.horizontal(|ui| {
        ui.label(tr("local-servers-port-on-127-0-0"));
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
            tr("local-servers-serve-tikfinity-s-events-api"),
        )
        .on_hover_text(tr("local-servers-game-mods-tts-apps-and"))
        .changed();
    if !settings.enabled {
        return changed;
    }
    ui.push_id("tikfinity_settings", |ui| {
        changed |= port_ui(ui, &mut settings.port);
        ui.label(
            RichText::new(crate::trf!(
                "local-servers-tikfinity-port",
                port = settings.port.to_string()
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
            tr("local-servers-let-programs-on-this-computer"),
        )
        .on_hover_text(tr("local-servers-stream-deck-scripts-and-bots"))
        .changed();
    if !settings.enabled {
        return changed;
    }
    ui.push_id("external_settings", |ui| {
        changed |= port_ui(ui, &mut settings.port);
        ui.horizontal(|ui| {
            ui.label(tr("local-servers-token"));
            ui.label(RichText::new(masked_token(&settings.token)).monospace())
                .on_hover_text(tr("local-servers-hidden-on-screen-copy-puts"));
            if ui
                .small_button(tr("bedrock-copy"))
                .on_hover_text(tr("local-servers-copy-the-token"))
                .clicked()
            {
                ui.ctx().copy_text(settings.token.clone());
            }
            if ui
                .small_button(tr("local-servers-regenerate"))
                .on_hover_text(tr("local-servers-a-new-token-programs-using"))
                .clicked()
            {
                cmds.push(Command::RegenerateExternalToken);
            }
        });
        ui.label(tr("local-servers-to-fire-a-trigger-from"));
        let shown = curl_line(
            settings.port,
            &masked_token(&settings.token),
            example_trigger,
        );
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(shown).monospace().small());
            if ui
                .small_button(tr("local-servers-copy-command"))
                .on_hover_text(tr("local-servers-copies-the-line-with-the"))
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
