//! The connect bar: the TikTok username field, Connect/Disconnect and Demo.

use crate::i18n::tr;
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
        ui.label(
            RichText::new(tr("connect-bar-giftdeck"))
                .strong()
                .size(18.0),
        );
        ui.separator();
        let label = ui.label(tr("connect-bar-tiktok-user"));
        let active = conn.active();
        let field = ui
            .add_enabled(
                !active,
                egui::TextEdit::singleline(target_input)
                    .hint_text(tr("connect-bar-username-or-live-url"))
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if active {
            if ui.button(tr("connect-bar-disconnect")).clicked() {
                cmds.push(Command::Disconnect);
            }
        } else {
            if ui
                .button(tr("connect-bar-connect"))
                .on_hover_text(tr("connect-bar-connect-to-this-user-s"))
                .clicked()
                || enter
            {
                cmds.push(Command::Connect);
            }
            if ui
                .button(tr("connect-bar-demo"))
                .on_hover_text(tr("connect-bar-practice-stream-a-built-in"))
                .clicked()
            {
                cmds.push(Command::StartDemo);
            }
        }
    });
}
