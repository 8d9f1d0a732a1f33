//! The Settings window's part for the provider chain (which ways into a stream, in which order,
//! with which keys) and the streamer's TikTok session for 18+ rooms (pasted once, kept in the OS
//! keyring, never shown again).

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::state::{SessionLogin, SessionStatus};
use super::drafts::committed_edit_ui;
use super::{GREEN, GREY, RED};
use crate::live::ProviderKind;
use crate::settings::Settings;

/// What each provider is called in the window.
fn provider_label(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Sign => "Sign server",
        ProviderKind::EulerWs => "Euler's WebSocket",
        ProviderKind::Custom => "Your own sign server",
    }
}

/// The chain as the window edits it: every provider, in order, switched on or off.
pub fn chain_rows(providers: &[ProviderKind]) -> Vec<(ProviderKind, bool)> {
    let on: &[ProviderKind] = if providers.is_empty() {
        &ProviderKind::ALL
    } else {
        providers
    };
    let mut rows: Vec<(ProviderKind, bool)> = on.iter().map(|k| (*k, true)).collect();
    rows.dedup_by_key(|(k, _)| *k);
    for kind in ProviderKind::ALL {
        if !rows.iter().any(|(k, _)| *k == kind) {
            rows.push((kind, false));
        }
    }
    rows
}

/// Returns true when a setting was committed.
pub fn providers_settings_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    login: &mut SessionLogin,
    cmds: &mut Commands,
) -> bool {
    let mut changed = false;
    let c = &mut settings.connection;
    ui.label(RichText::new("Ways in, tried in this order").strong());
    ui.label(
        RichText::new(
            "When one fails (for example the sign server answers errors for everyone), giftdeck carries on through the next, and goes back once the first works again.",
        )
        .weak(),
    );
    let mut rows = chain_rows(&c.providers);
    let mut edited = false;
    // Only ticked providers have a place in the chain (they come first): Up and Down move them
    // among themselves; an unticked one joins at the end when ticked.
    let ticked = rows.iter().filter(|(_, on)| *on).count();
    for i in 0..rows.len() {
        ui.horizontal(|ui| {
            let (kind, on) = &mut rows[i];
            let in_chain = *on;
            edited |= ui.checkbox(on, provider_label(*kind)).changed();
            if ui
                .add_enabled(in_chain && i > 0, egui::Button::new("Up").small())
                .clicked()
            {
                rows.swap(i, i - 1);
                edited = true;
            } else if ui
                .add_enabled(
                    in_chain && i + 1 < ticked,
                    egui::Button::new("Down").small(),
                )
                .clicked()
            {
                rows.swap(i, i + 1);
                edited = true;
            }
        });
    }
    if edited {
        c.providers = rows.iter().filter(|(_, on)| *on).map(|(k, _)| *k).collect();
        changed = true;
    }
    egui::Grid::new("providers_grid")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label("Euler's WebSocket URL");
            changed |= committed_edit_ui(ui, &mut c.euler_ws_url, |ui, draft: &mut String| {
                ui.add(egui::TextEdit::singleline(draft).desired_width(320.0))
                    .labelled_by(label.id)
            });
            ui.end_row();
            changed |= key_field_ui(ui, "Euler's WebSocket key", &mut c.euler_ws_api_key);
            ui.end_row();
            let label = ui.label("Your own sign server URL");
            let mut url = c.custom_sign_url.clone().unwrap_or_default();
            if committed_edit_ui(ui, &mut url, |ui, draft: &mut String| {
                ui.add(
                    egui::TextEdit::singleline(draft)
                        .hint_text("optional")
                        .desired_width(320.0),
                )
                .labelled_by(label.id)
            }) {
                let url = url.trim();
                c.custom_sign_url = (!url.is_empty()).then(|| url.to_owned());
                changed = true;
            }
            ui.end_row();
            changed |= key_field_ui(ui, "Its API key", &mut c.custom_sign_api_key);
            ui.end_row();
        });
    ui.add_space(6.0);
    session_ui(ui, login, cmds);
    changed
}

/// A key field that never shows the key. Returns true when one was committed.
fn key_field_ui(ui: &mut egui::Ui, name: &str, key: &mut Option<String>) -> bool {
    let label = ui.label(name);
    let mut text = key.clone().unwrap_or_default();
    let committed = committed_edit_ui(ui, &mut text, |ui, draft: &mut String| {
        ui.add(
            egui::TextEdit::singleline(draft)
                .password(true)
                .hint_text("optional")
                .desired_width(320.0),
        )
        .labelled_by(label.id)
    });
    if committed {
        let k = text.trim();
        *key = (!k.is_empty()).then(|| k.to_owned());
    }
    committed
}

/// The TikTok session: what it is, the paste field, Save and Forget, and what happened.
fn session_ui(ui: &mut egui::Ui, login: &mut SessionLogin, cmds: &mut Commands) {
    let heading = ui.label(RichText::new("Your TikTok session (for 18+ rooms)").strong());
    ui.label(
        RichText::new(
            "Age-restricted rooms open only for a logged-in account. Your session is your TikTok account's key: whoever has it is logged in as you. Paste the sessionid cookie (or the whole cookie line) from tiktok.com in your browser. giftdeck keeps it in this computer's keyring, never in its settings file or logs, and sends it only to TikTok and to the sign server, and only for a room that needs it.",
        )
        .weak(),
    );
    ui.horizontal(|ui| {
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut login.input)
                    .password(true)
                    .hint_text("sessionid=…")
                    .desired_width(260.0),
            )
            .labelled_by(heading.id);
        let can_save = !login.input.trim().is_empty() && login.status != SessionStatus::Working;
        if ui
            .add_enabled(can_save, egui::Button::new("Save in the keyring"))
            .clicked()
            || (can_save && field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)))
        {
            cmds.push(Command::SaveTikTokSession);
        }
        if ui
            .add_enabled(
                login.status != SessionStatus::Working,
                egui::Button::new("Forget"),
            )
            .clicked()
        {
            cmds.push(Command::ForgetTikTokSession);
        }
    });
    let (color, words) = match &login.status {
        SessionStatus::Unknown => (
            GREY,
            "Saved sessions are read only when a room needs one.".to_owned(),
        ),
        SessionStatus::Working => (GREY, "Talking to the keyring…".to_owned()),
        SessionStatus::Saved => (GREEN, "Saved in the keyring.".to_owned()),
        SessionStatus::Forgotten => (GREY, "No session saved.".to_owned()),
        SessionStatus::Failed(error) => (RED, super::super::failure::session_keep_failure(error)),
    };
    ui.label(RichText::new(words).color(color));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_chain_shows_every_provider_on_in_order() {
        assert_eq!(
            chain_rows(&[]),
            ProviderKind::ALL.map(|k| (k, true)).to_vec()
        );
        assert_eq!(
            chain_rows(&[ProviderKind::EulerWs]),
            [
                (ProviderKind::EulerWs, true),
                (ProviderKind::Sign, false),
                (ProviderKind::Custom, false)
            ]
        );
    }
}
