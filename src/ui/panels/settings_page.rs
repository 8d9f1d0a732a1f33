//! The Settings page: the TikTok connection (sign server, API key, the provider chain and the
//! TikTok session: `providers_settings`), the Minecraft server with its Test button (or the
//! Bedrock world over `/connect`), OBS, queue pacing and the streak timeout, the panic button's
//! cleanup and the window's look (`look`). One column that scrolls.

use crate::i18n::tr;
use egui::RichText;

use super::super::bridge::RconProblem;
use super::super::commands::{Command, Commands};
use super::super::failure;
use super::super::state::{ObsTest, RconTest, SessionLogin};
use super::drafts::committed_edit_ui;
use super::plain::plain_failure_ui;
use super::{GREEN, GREY, RED};
use crate::settings::{ObsConfig, RconConfig, Settings};

/// The page's fields that are kept apart from the settings until committed.
pub struct Drafts<'a> {
    /// The sign API key field (an empty field clears the key).
    pub api_key: &'a mut String,
    /// The TikTok session being pasted.
    pub session: &'a mut SessionLogin,
    /// The name of a counter being added.
    pub new_counter: &'a mut String,
}

/// What the page shows about the connections it sets up.
pub struct Links<'a> {
    pub rcon_test: &'a RconTest,
    pub obs_test: &'a ObsTest,
    pub bedrock: &'a super::super::bedrock::BedrockView,
    pub local_servers: &'a super::super::local_servers::LocalServersView,
}

/// The Settings page: every section in one column that scrolls, so it fits any window.
pub fn settings_page_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    drafts: Drafts<'_>,
    links: Links<'_>,
    cmds: &mut Commands,
) {
    let mut changed = false;
    egui::ScrollArea::vertical()
        .id_salt("settings_page")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width().min(MAX_WIDTH));
            changed |= sections_ui(ui, settings, drafts, links, cmds);
        });
    if changed {
        cmds.push(Command::SettingsChanged);
    }
}

/// Widest the page's column grows (a long line is hard to read).
const MAX_WIDTH: f32 = 860.0;

/// The sections, top to bottom. Returns true when a setting changed.
fn sections_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    drafts: Drafts<'_>,
    links: Links<'_>,
    cmds: &mut Commands,
) -> bool {
    let Links {
        rcon_test,
        obs_test,
        bedrock,
        local_servers,
    } = links;
    let Drafts {
        api_key: api_key_input,
        session: session_login,
        new_counter,
    } = drafts;
    let mut changed = false;
    ui.heading(tr("settings-page-tiktok-connection"));
    ui.label(RichText::new(tr("settings-page-changes-apply-on-the-next")).weak());
    changed |= connection_fields_ui(ui, settings, api_key_input);
    changed |= super::providers_settings::providers_settings_ui(ui, settings, session_login, cmds);
    ui.separator();
    ui.heading(tr("settings-page-minecraft-bedrock-connect"));
    changed |=
        super::bedrock::bedrock_setup_ui(ui, "settings_bedrock", &mut settings.bedrock, bedrock);
    ui.separator();
    ui.heading(tr("settings-page-minecraft-server-rcon"));
    ui.label(RichText::new(tr("settings-page-needs-enable-rcon-true-rcon")).weak());
    changed |= rcon_fields_ui(ui, "rcon_grid", &mut settings.rcon);
    rcon_test_ui(ui, "settings_rcon_test", rcon_test, cmds);
    ui.label(RichText::new(tr("settings-page-with-your-player-name-the")).weak());
    changed |= super::world::world_fields_ui(ui, &mut settings.minecraft_world);
    changed |= super::datapack::world_folder_ui(ui, &mut settings.minecraft_world, cmds);
    changed |= super::counters::stream_timer_fields_ui(ui, &mut settings.stream_timer);
    ui.label(RichText::new(tr("settings-page-counters-deaths-and-wins-are")).weak());
    changed |= super::counters::counter_defs_ui(ui, &mut settings.counters, new_counter);
    ui.separator();
    ui.heading(tr("settings-page-obs-websocket-server"));
    ui.label(RichText::new(tr("settings-page-for-obs-actions-in-obs")).weak());
    changed |= obs_fields_ui(ui, &mut settings.obs);
    obs_test_ui(ui, obs_test, cmds);
    ui.separator();
    ui.heading(tr("settings-page-queue-and-gifts"));
    changed |= pacing_ui(ui, settings);
    ui.separator();
    ui.heading(tr("settings-page-keystrokes"));
    changed |= super::keys_editor::keys_pace_ui(ui, &mut settings.keys.pace);
    ui.separator();
    ui.heading(tr("read-chat-read-chat-aloud"));
    ui.horizontal(|ui| {
        ui.label(if settings.read_chat.enabled {
            tr("settings-on-chat-is-read-aloud")
        } else {
            tr("settings-off")
        });
        if ui.button(tr("settings-page-filters-and-voice")).clicked() {
            cmds.push(Command::OpenReadChat);
        }
    });
    ui.separator();
    changed |= for_other_programs_ui(ui, settings, local_servers, cmds);
    ui.separator();
    changed |= super::look::panic_cleanup_ui(ui, &mut settings.executor.panic_cleanup);
    ui.separator();
    changed |= super::look::appearance_ui(ui, &mut settings.ui);
    changed |= super::look::picture_cache_ui(ui, &mut settings.pictures);
    ui.separator();
    if let Some(dir) = super::super::log_dir() {
        ui.label(
            RichText::new(crate::trf!(
                "settings-log-files",
                path = dir.display().to_string()
            ))
            .small()
            .weak(),
        );
    }
    changed
}

/// TikFinity's events API and the external trigger endpoint (`local_servers`). Returns true
/// when a setting changed.
fn for_other_programs_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    view: &super::super::local_servers::LocalServersView,
    cmds: &mut Commands,
) -> bool {
    ui.heading(tr("settings-page-tikfinity-events-api"));
    let mut changed =
        super::local_servers::tikfinity_settings_ui(ui, &mut settings.tikfinity, &view.tikfinity);
    ui.separator();
    ui.heading(tr("settings-page-external-triggers"));
    let example = (settings.mappings.iter())
        .find(|m| m.enabled && !m.trigger.trim().is_empty())
        .map_or_else(|| "Rose".to_owned(), |m| m.trigger.trim().to_owned());
    changed |= super::local_servers::external_settings_ui(
        ui,
        &mut settings.external,
        &view.external,
        &example,
        cmds,
    );
    changed
}

/// The sign server's URL and API key. Returns true when one was committed.
fn connection_fields_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    api_key_input: &mut String,
) -> bool {
    let mut changed = false;
    egui::Grid::new("conn_grid").num_columns(2).show(ui, |ui| {
        // Drafts until the field is left, like the RCON fields: a half-typed URL or key
        // never reaches the settings file.
        let label = ui.label(tr("settings-page-sign-server-url"));
        changed |= committed_edit_ui(
            ui,
            &mut settings.connection.sign_url,
            |ui, draft: &mut String| {
                ui.add(egui::TextEdit::singleline(draft).desired_width(320.0))
                    .labelled_by(label.id)
            },
        );
        ui.end_row();
        let label = ui.label(tr("settings-page-sign-server-api-key"));
        let key_committed = committed_edit_ui(ui, api_key_input, |ui, draft: &mut String| {
            ui.add(
                egui::TextEdit::singleline(draft)
                    .password(true)
                    .hint_text(tr("settings-page-optional"))
                    .desired_width(320.0),
            )
            .labelled_by(label.id)
            .on_hover_text(tr("settings-page-kept-in-this-computer-s"))
        });
        if key_committed {
            let k = api_key_input.trim();
            settings.connection.sign_api_key = (!k.is_empty()).then(|| k.to_owned());
            changed = true;
        }
        ui.end_row();
    });
    changed
}

/// Host, port and password of the Minecraft server. Returns true when one was committed.
///
/// Edits are drafts until the field loses focus (Enter, Tab or a click elsewhere): applying
/// every keystroke would log in with half a password and bind queued actions to half-typed
/// hosts.
pub fn rcon_fields_ui(ui: &mut egui::Ui, id: &str, rcon: &mut RconConfig) -> bool {
    let mut changed = false;
    egui::Grid::new(id).num_columns(2).show(ui, |ui| {
        let label = ui.label(tr("settings-page-host"));
        changed |= committed_edit_ui(ui, &mut rcon.host, |ui, draft: &mut String| {
            ui.text_edit_singleline(draft).labelled_by(label.id)
        });
        ui.end_row();
        let label = ui.label(tr("settings-page-port"));
        changed |= committed_edit_ui(ui, &mut rcon.port, |ui, draft: &mut u16| {
            ui.add(egui::DragValue::new(draft)).labelled_by(label.id)
        });
        ui.end_row();
        let label = ui.label(tr("settings-page-password"));
        changed |= committed_edit_ui(ui, &mut rcon.password, |ui, draft: &mut String| {
            ui.add(egui::TextEdit::singleline(draft).password(true))
                .labelled_by(label.id)
        });
        ui.end_row();
    });
    changed
}

/// The Test button and its result: a failure in plain words, its detail one click away.
pub fn rcon_test_ui(ui: &mut egui::Ui, id_salt: &str, rcon_test: &RconTest, cmds: &mut Commands) {
    ui.horizontal(|ui| {
        if *rcon_test == RconTest::Running {
            ui.spinner();
            ui.label(tr("settings-page-testing"));
        } else if ui.button(tr("settings-page-test-connection")).clicked() {
            cmds.push(Command::TestRcon);
        }
        if let RconTest::Done(Ok(text)) = rcon_test {
            ui.label(RichText::new(format!("✔ {text}")).color(GREEN));
        }
    });
    if let RconTest::Done(Err(failure)) = rcon_test {
        // A missing password is a step not taken yet, not an error.
        let color = if failure.problem() == RconProblem::NoPassword {
            GREY
        } else {
            RED
        };
        plain_failure_ui(ui, id_salt, &failure.plain(), color);
    }
}

/// Host, port and password of OBS's WebSocket server. Returns true when one changed.
fn obs_fields_ui(ui: &mut egui::Ui, obs: &mut ObsConfig) -> bool {
    let mut changed = false;
    egui::Grid::new("obs_grid").num_columns(2).show(ui, |ui| {
        let label = ui.label(tr("settings-page-host"));
        changed |= ui
            .text_edit_singleline(&mut obs.host)
            .labelled_by(label.id)
            .changed();
        ui.end_row();
        let label = ui.label(tr("settings-page-port"));
        changed |= ui
            .add(egui::DragValue::new(&mut obs.port))
            .labelled_by(label.id)
            .on_hover_text(tr("settings-page-4455-unless-changed-in-obs"))
            .changed();
        ui.end_row();
        let label = ui.label(tr("settings-page-password"));
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut obs.password)
                    .password(true)
                    .hint_text(tr("settings-page-empty-if-authentication-is-off")),
            )
            .labelled_by(label.id)
            .changed();
        ui.end_row();
    });
    changed
}

/// OBS's Test connection button and its result (the versions, or why not).
fn obs_test_ui(ui: &mut egui::Ui, obs_test: &ObsTest, cmds: &mut Commands) {
    ui.horizontal(|ui| {
        if *obs_test == ObsTest::Running {
            ui.spinner();
            ui.label(tr("settings-page-testing"));
        } else if ui.button(tr("settings-page-test-connection")).clicked() {
            cmds.push(Command::TestObs);
        }
        match obs_test {
            ObsTest::Done(Ok(text)) => {
                ui.label(RichText::new(format!("✔ {text}")).color(GREEN));
            }
            ObsTest::Done(Err(err)) => {
                ui.label(RichText::new(failure::obs_test_failure(err)).color(RED));
            }
            ObsTest::Idle | ObsTest::Running => {}
        }
    });
}

/// Gap between actions, skipping old actions, streak timeout. Returns true when one changed.
fn pacing_ui(ui: &mut egui::Ui, s: &mut Settings) -> bool {
    let mut changed = false;
    egui::Grid::new("exec_grid").num_columns(2).show(ui, |ui| {
        ui.label(tr("settings-page-gap-between-actions"));
        changed |= ui
            .add(
                egui::DragValue::new(&mut s.executor.gap_millis)
                    .range(0..=10_000)
                    .suffix(" ms"),
            )
            .changed();
        ui.end_row();
        ui.label(tr("settings-page-skip-actions-older-than"));
        let mut skip = s.executor.max_age_millis.is_some();
        ui.horizontal(|ui| {
            if ui.checkbox(&mut skip, "").changed() {
                s.executor.max_age_millis = skip.then_some(60_000);
                changed = true;
            }
            if let Some(age) = &mut s.executor.max_age_millis {
                let mut secs = *age / 1000;
                if ui
                    .add(
                        egui::DragValue::new(&mut secs)
                            .range(1..=3_600)
                            .suffix(" s"),
                    )
                    .changed()
                {
                    *age = secs * 1000;
                    changed = true;
                }
            } else {
                ui.label(RichText::new(tr("settings-page-never-skip")).weak());
            }
        });
        ui.end_row();
        ui.label(tr("settings-page-streak-timeout"));
        let mut secs = s.engine.streak_timeout_millis / 1000;
        if ui
            .add(egui::DragValue::new(&mut secs).range(1..=300).suffix(" s"))
            .on_hover_text(tr("settings-page-a-combo-with-no-end"))
            .changed()
        {
            s.engine.streak_timeout_millis = secs * 1000;
            changed = true;
        }
        ui.end_row();
    });
    changed
}
