//! The Settings window's part for the provider chain (which ways into a stream, in which order,
//! with which keys) and the streamer's TikTok session for 18+ rooms (pasted once, kept in the OS
//! keyring, never shown again).

use crate::i18n::tr;
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
        ProviderKind::Sign => tr("providers-sign-server"),
        ProviderKind::EulerWs => tr("providers-euler-s-websocket"),
        ProviderKind::Custom => tr("providers-your-own-sign-server"),
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
    ui.label(RichText::new(tr("providers-settings-ways-in-tried-in-this")).strong());
    ui.label(RichText::new(tr("providers-settings-when-one-fails-for-example")).weak());
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
                .add_enabled(
                    in_chain && i > 0,
                    egui::Button::new(tr("providers-settings-up")).small(),
                )
                .clicked()
            {
                rows.swap(i, i - 1);
                edited = true;
            } else if ui
                .add_enabled(
                    in_chain && i + 1 < ticked,
                    egui::Button::new(tr("providers-settings-down")).small(),
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
            let label = ui.label(tr("providers-settings-euler-s-websocket-url"));
            changed |= committed_edit_ui(ui, &mut c.euler_ws_url, |ui, draft: &mut String| {
                ui.add(egui::TextEdit::singleline(draft).desired_width(320.0))
                    .labelled_by(label.id)
            });
            ui.end_row();
            changed |= key_field_ui(
                ui,
                tr("providers-euler-s-websocket-key"),
                &mut c.euler_ws_api_key,
            );
            ui.end_row();
            let label = ui.label(tr("providers-settings-your-own-sign-server-url"));
            let mut url = c.custom_sign_url.clone().unwrap_or_default();
            if committed_edit_ui(ui, &mut url, |ui, draft: &mut String| {
                ui.add(
                    egui::TextEdit::singleline(draft)
                        .hint_text(tr("settings-page-optional"))
                        .desired_width(320.0),
                )
                .labelled_by(label.id)
            }) {
                let url = url.trim();
                c.custom_sign_url = (!url.is_empty()).then(|| url.to_owned());
                changed = true;
            }
            ui.end_row();
            changed |= key_field_ui(ui, tr("providers-its-api-key"), &mut c.custom_sign_api_key);
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
                .hint_text(tr("settings-page-optional"))
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
    let heading =
        ui.label(RichText::new(tr("providers-settings-your-tiktok-session-for-18")).strong());
    ui.label(RichText::new(tr("providers-settings-age-restricted-rooms-open-only")).weak());
    ui.horizontal(|ui| {
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut login.input)
                    .password(true)
                    .hint_text(tr("providers-settings-sessionid"))
                    .desired_width(260.0),
            )
            .labelled_by(heading.id);
        let can_save = !login.input.trim().is_empty() && login.status != SessionStatus::Working;
        if ui
            .add_enabled(
                can_save,
                egui::Button::new(tr("providers-settings-save-in-the-keyring")),
            )
            .clicked()
            || (can_save && field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)))
        {
            cmds.push(Command::SaveTikTokSession);
        }
        if ui
            .add_enabled(
                login.status != SessionStatus::Working,
                egui::Button::new(tr("providers-settings-forget")),
            )
            .clicked()
        {
            cmds.push(Command::ForgetTikTokSession);
        }
    });
    let (color, words) = match &login.status {
        SessionStatus::Unknown => (
            GREY,
            tr("providers-saved-sessions-are-read-only").to_owned(),
        ),
        SessionStatus::Working => (GREY, tr("providers-talking-to-the-keyring").to_owned()),
        SessionStatus::Saved => (GREEN, tr("providers-saved-in-the-keyring").to_owned()),
        SessionStatus::Forgotten => (GREY, tr("providers-no-session-saved").to_owned()),
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
