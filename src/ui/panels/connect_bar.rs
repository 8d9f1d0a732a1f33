//! The connect bar: the TikTok username field, Connect/Disconnect, Demo, the triggers-file menu
//! and the Settings button.

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::state::{Connection, Windows};

pub fn connect_bar_ui(
    ui: &mut egui::Ui,
    target_input: &mut String,
    conn: &Connection,
    windows: &mut Windows,
    cmds: &mut Commands,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("giftdeck").strong().size(18.0));
        ui.separator();
        let label = ui.label("TikTok user:");
        let active = conn.active();
        let field = ui
            .add_enabled(
                !active,
                egui::TextEdit::singleline(target_input)
                    .hint_text("@username or live URL")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if active {
            if ui.button("⏹ Disconnect").clicked() {
                cmds.push(Command::Disconnect);
            }
        } else {
            if ui
                .button("🔌 Connect")
                .on_hover_text("Connect to this user's live stream")
                .clicked()
                || enter
            {
                cmds.push(Command::Connect);
            }
            if ui
                .button("▶ Demo")
                .on_hover_text(
                    "Practice stream: a built-in fake TikTok and a demo Minecraft server on this computer. Nothing goes online.",
                )
                .clicked()
            {
                cmds.push(Command::StartDemo);
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("⚙ Settings").clicked() {
                windows.settings = !windows.settings;
            }
            ui.menu_button("📁 Triggers file", |ui| {
                if ui.button("Import… (JSON or Tiktok2Mc .mca)").clicked() {
                    cmds.push(Command::ImportDialog);
                    ui.close();
                }
                if ui
                    .button("Import a Tiktok2Mc folder…")
                    .on_hover_text("Triggers, like rules, webhooks, RCON and the TikTok user, with a report")
                    .clicked()
                {
                    cmds.push(Command::ImportT2mDialog);
                    ui.close();
                }
                if ui.button("Export…").clicked() {
                    cmds.push(Command::ExportDialog);
                    ui.close();
                }
                if ui.button("Type a file path…").clicked() {
                    windows.path = true;
                    ui.close();
                }
            });
        });
    });
}
