//! The window's panels, one file each. A panel draws the narrow part of [`State`] it is given
//! and pushes a [`Command`](super::commands::Command) for anything beyond its own drawing; no
//! panel knows the app. [`root_ui`] lays them out: adding a panel is a file here and a line there.

pub mod actions_window;
pub mod bedrock;
pub mod checklist;
pub mod conditions;
pub mod connect_bar;
pub mod drafts;
pub mod feed;
pub mod held;
pub mod keys_editor;
pub mod local_servers;
pub mod notices;
pub mod overlays;
pub mod path_window;
pub mod plain;
pub mod providers_settings;
pub mod queue;
pub mod quit;
pub mod read_chat;
pub mod settings_window;
pub mod speak_editor;
pub mod speech_queue;
pub mod status_bar;
pub mod status_line;
pub mod totals;
pub mod triggers;
pub mod world;

use egui::{Color32, RichText};

use super::commands::Commands;
use super::setup::Checklist;
use super::state::State;

pub use status_line::{StatusWords, status_words};

pub const GREEN: Color32 = Color32::from_rgb(80, 200, 100);
pub const AMBER: Color32 = Color32::from_rgb(235, 170, 40);
pub const RED: Color32 = Color32::from_rgb(235, 85, 75);
pub const GREY: Color32 = Color32::from_rgb(140, 140, 140);
pub const BLUE: Color32 = Color32::from_rgb(90, 160, 240);

/// The whole window.
pub fn root_ui(ui: &mut egui::Ui, state: &mut State, cmds: &mut Commands) {
    egui::Panel::top("connect_bar").show(ui, |ui| {
        ui.add_space(4.0);
        connect_bar::connect_bar_ui(
            ui,
            &mut state.target_input,
            &state.conn,
            &mut state.windows,
            cmds,
        );
        status_line::status_line_ui(ui, &state.conn, state.feed.viewers().map(|v| v.viewers));
        notices::notices_ui(ui, &mut state.save.warning, &mut state.notices, cmds);
        ui.add_space(2.0);
    });
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        status_bar::status_bar_ui(
            ui,
            &state.conn.stats,
            state.not_shown,
            state.backlog,
            &state.save,
        );
    });
    egui::Panel::right("side_panel")
        .resizable(true)
        .default_size(330.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("side_scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    totals::totals_ui(ui, &state.feed);
                    ui.separator();
                    queue::queue_ui(
                        ui,
                        &state.queue,
                        &state.world,
                        &state.exec_log,
                        &state.rcon_test,
                        state.conn.is_demo(),
                        cmds,
                    );
                    ui.separator();
                    speech_queue::speech_queue_ui(
                        ui,
                        state.speech.as_ref(),
                        state.settings.read_chat.enabled,
                        &mut state.windows.read_chat,
                        cmds,
                    );
                    ui.separator();
                    overlays::overlays_ui(ui, &state.overlays, cmds);
                });
        });
    egui::Panel::bottom("triggers_panel")
        .resizable(true)
        .default_size(300.0)
        .show(ui, |ui| {
            ui.add_space(4.0);
            triggers::triggers_ui(
                ui,
                &mut state.settings.mappings,
                &mut state.editor,
                &state.catalog,
                cmds,
            );
        });
    egui::CentralPanel::default().show(ui, |ui| {
        if Checklist::shown(&state.settings) {
            checklist::checklist_ui(
                ui,
                &mut state.settings,
                &state.rcon_test,
                &state.bedrock,
                state.conn.is_demo(),
                cmds,
            );
        }
        feed::feed_ui(ui, &mut state.feed);
    });

    let ctx = ui.ctx().clone();
    actions_window::actions_window_ui(
        &ctx,
        &mut state.settings.mappings,
        &mut state.editor,
        &state.settings.keys.limits,
        cmds,
    );
    settings_window::settings_window_ui(
        &ctx,
        &mut state.windows.settings,
        &mut state.settings,
        settings_window::Drafts {
            api_key: &mut state.api_key_input,
            session: &mut state.session_login,
        },
        settings_window::Links {
            rcon_test: &state.rcon_test,
            obs_test: &state.obs_test,
            bedrock: &state.bedrock,
            local_servers: &state.local_servers,
        },
        cmds,
    );
    read_chat::read_chat_window_ui(
        &ctx,
        &mut state.windows.read_chat,
        &mut state.settings.read_chat,
        cmds,
    );
    path_window::path_window_ui(&ctx, &mut state.windows, cmds);
    import_report_ui(&ctx, &mut state.windows.import_report);
    if let Some(quitting) = &state.quitting {
        let session_done = state.conn.session_finished();
        quit::quit_window_ui(&ctx, quitting, &state.queue, session_done, cmds);
    }
}

/// The last Tiktok2Mc import's report: what was imported and every line that was not, with why.
fn import_report_ui(ctx: &egui::Context, report: &mut Vec<String>) {
    if report.is_empty() {
        return;
    }
    let mut open = true;
    egui::Window::new("Tiktok2Mc import report")
        .id(egui::Id::unique("import_report"))
        .open(&mut open)
        .default_size([640.0, 360.0])
        .show(ctx, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                for line in report.iter() {
                    let text = egui::RichText::new(line);
                    if line.contains("NOT imported") {
                        ui.label(text.color(AMBER));
                    } else {
                        ui.label(text);
                    }
                }
            });
        });
    if !open {
        report.clear();
    }
}

/// A coloured one-line banner with buttons on the right.
pub fn banner_ui(
    ui: &mut egui::Ui,
    color: Color32,
    text: &str,
    buttons: impl FnOnce(&mut egui::Ui),
) {
    egui::Frame::new()
        .fill(color.gamma_multiply(0.15))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(8, 3))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(text).color(color));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), buttons);
            });
        });
}
