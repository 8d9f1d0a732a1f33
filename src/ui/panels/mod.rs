//! The window's panels, one file each. A panel draws the narrow part of [`State`] it is given
//! and pushes a [`Command`] for anything beyond its own drawing; no panel knows the app.
//! [`root_ui`] lays them out: the connect bar and the tab row on top, then the page on screen
//! ([`Page`]: Live, Triggers, Overlays, Settings). Adding a panel is a file here and a line in
//! its page.

pub mod actions_window;
pub mod bedrock;
pub mod checklist;
pub mod conditions;
pub mod connect_bar;
pub mod counter_actions;
pub mod counters;
pub mod datapack;
pub mod drafts;
pub mod feed;
pub mod game;
pub mod gift_picker;
pub mod held;
pub mod keys_editor;
pub mod live_goals;
pub mod live_page;
pub mod local_servers;
pub mod look;
pub mod notices;
pub mod overlays;
pub mod path_window;
pub mod plain;
pub mod providers_settings;
pub mod queue;
pub mod quit;
pub mod read_chat;
pub mod settings_page;
pub mod speak_editor;
pub mod speech_queue;
pub mod status_bar;
pub mod status_line;
pub mod tabs;
pub mod totals;
pub mod triggers;
pub mod viewers;
pub mod world;

use crate::i18n::tr;
use egui::{Color32, RichText};

use super::commands::{Command, Commands};
use super::pages::Page;
use super::state::{State, Windows};

pub use status_line::{StatusWords, status_words};

pub const GREEN: Color32 = Color32::from_rgb(80, 200, 100);
pub const AMBER: Color32 = Color32::from_rgb(235, 170, 40);
pub const RED: Color32 = Color32::from_rgb(235, 85, 75);
pub const GREY: Color32 = Color32::from_rgb(140, 140, 140);
pub const BLUE: Color32 = Color32::from_rgb(90, 160, 240);

/// A side or top panel's frame without its fill. The window is cleared to the panel colour
/// (`GiftdeckApp::clear_color`), so a filled panel would shade each of its pixels a second time;
/// with software GL (a machine without a GPU driver) that second pass is much of a frame's cost.
pub fn side_frame(ui: &egui::Ui) -> egui::Frame {
    egui::Frame::side_top_panel(ui.style()).fill(Color32::TRANSPARENT)
}

/// The whole window: the connect bar, the tab row and the status bar around the page on screen.
pub fn root_ui(ui: &mut egui::Ui, state: &mut State, cmds: &mut Commands) {
    tabs::shortcuts_ui(
        ui.ctx(),
        &mut state.page,
        &mut state.settings.ui,
        state.queue.paused,
        cmds,
    );
    egui::Panel::top("connect_bar")
        .frame(side_frame(ui))
        .show(ui, |ui| {
            ui.add_space(4.0);
            connect_bar::connect_bar_ui(ui, &mut state.target_input, &state.conn, cmds);
            status_line::status_line_ui(ui, &state.conn, state.feed.viewers().map(|v| v.viewers));
            ui.add_space(4.0);
            tabs::tab_row_ui(ui, &mut state.page, &state.queue, cmds);
            ui.add_space(2.0);
        });
    egui::Panel::bottom("status_bar")
        .frame(side_frame(ui))
        .show(ui, |ui| {
            status_bar::status_bar_ui(
                ui,
                &state.conn.stats,
                state.not_shown,
                state.backlog,
                &state.save,
            );
        });
    // Banners come and go at the bottom, so nothing above them moves under the pointer.
    if state.save.warning.is_some() || state.notices.iter().next().is_some() {
        egui::Panel::bottom("notices")
            .frame(side_frame(ui))
            .show_separator_line(false)
            .show(ui, |ui| {
                ui.add_space(2.0);
                notices::notices_ui(ui, &mut state.save.warning, &mut state.notices, cmds);
                ui.add_space(2.0);
            });
    }
    egui::CentralPanel::default()
        .frame(egui::Frame::central_panel(ui.style()).fill(Color32::TRANSPARENT))
        .show(ui, |ui| page_ui(ui, state, cmds));

    let ctx = ui.ctx().clone();
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

/// The page on screen, inside the central panel.
fn page_ui(ui: &mut egui::Ui, state: &mut State, cmds: &mut Commands) {
    match state.page {
        Page::Live => live_page::live_page_ui(ui, state, cmds),
        Page::Triggers => triggers_page_ui(ui, state, cmds),
        Page::Overlays => {
            egui::ScrollArea::vertical()
                .id_salt("overlays_page")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    ui.set_max_width(ui.available_width().min(860.0));
                    overlays::overlays_ui(ui, &state.overlays, &mut state.settings.overlays, cmds);
                    ui.separator();
                    game::game_ui(
                        ui,
                        &state.game,
                        &mut state.settings.goals,
                        &mut state.settings.subathon,
                        cmds,
                    );
                    ui.separator();
                    viewers::viewers_ui(ui, &mut state.viewers, cmds);
                });
        }
        Page::Settings => settings_page::settings_page_ui(
            ui,
            &mut state.settings,
            settings_page::Drafts {
                api_key: &mut state.api_key_input,
                session: &mut state.session_login,
                new_counter: &mut state.new_counter,
            },
            settings_page::Links {
                rcon_test: &state.rcon_test,
                obs_test: &state.obs_test,
                bedrock: &state.bedrock,
                local_servers: &state.local_servers,
            },
            cmds,
        ),
    }
}

/// The Triggers page: the table, and the editor of the row being edited under it.
fn triggers_page_ui(ui: &mut egui::Ui, state: &mut State, cmds: &mut Commands) {
    actions_window::actions_editor_ui(
        ui,
        &mut state.settings.mappings,
        &mut state.editor,
        &state.settings.keys.limits,
        cmds,
    );
    egui::CentralPanel::no_frame().show(ui, |ui| {
        let windows = &mut state.windows;
        triggers::triggers_ui(
            ui,
            &mut state.settings.mappings,
            &mut state.editor,
            &state.catalog,
            &mut state.pictures,
            cmds,
            |ui, cmds| triggers_file_menu_ui(ui, windows, cmds),
        );
    });
}

/// Import and export of the trigger table.
fn triggers_file_menu_ui(ui: &mut egui::Ui, windows: &mut Windows, cmds: &mut Commands) {
    ui.menu_button(tr("panels-triggers-file"), |ui| {
        if ui
            .button(tr("panels-import-json-or-tiktok2mc-mca"))
            .clicked()
        {
            cmds.push(Command::ImportDialog);
            ui.close();
        }
        if ui
            .button(tr("panels-import-a-tiktok2mc-folder"))
            .on_hover_text(tr("panels-triggers-like-rules-webhooks-rcon"))
            .clicked()
        {
            cmds.push(Command::ImportT2mDialog);
            ui.close();
        }
        if ui.button(tr("panels-export")).clicked() {
            cmds.push(Command::ExportDialog);
            ui.close();
        }
        if ui.button(tr("panels-type-a-file-path")).clicked() {
            windows.path = true;
            ui.close();
        }
    });
}

/// The last Tiktok2Mc import's report: what was imported and every line that was not, with why.
fn import_report_ui(ctx: &egui::Context, report: &mut Vec<String>) {
    if report.is_empty() {
        return;
    }
    let mut open = true;
    egui::Window::new(tr("panels-tiktok2mc-import-report"))
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

/// A coloured banner with buttons on the right; a long text wraps instead of running off.
pub fn banner_ui(
    ui: &mut egui::Ui,
    color: Color32,
    text: &str,
    buttons: impl FnOnce(&mut egui::Ui),
) {
    /// Room kept on the right for the buttons (✖, Undo, OK).
    const BUTTONS_WIDTH: f32 = 90.0;
    egui::Frame::new()
        .fill(color.gamma_multiply(0.15))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(8, 3))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let text_width = (ui.available_width() - BUTTONS_WIDTH).max(120.0);
                ui.allocate_ui_with_layout(
                    egui::vec2(text_width, 0.0),
                    egui::Layout::top_down(egui::Align::Min),
                    |ui| {
                        ui.add(egui::Label::new(RichText::new(text).color(color)).wrap());
                    },
                );
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), buttons);
            });
        });
}
