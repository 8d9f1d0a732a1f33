//! The connect bar: the TikTok username field, Connect/Disconnect and Demo.

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::state::Connection;

pub fn connect_bar_ui(
    ui: &mut egui::Ui,
    target_input: &mut String,
    conn: &Connection,
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
    });
}
