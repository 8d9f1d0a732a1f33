//! The banners under the status line: a settings-file warning and the latest notices, each
//! dismissable; an import's notice offers Undo.

use super::super::commands::{Command, Commands};
use super::super::state::{NoticeLevel, Notices};
use super::{AMBER, BLUE, RED, banner_ui};

pub fn notices_ui(
    ui: &mut egui::Ui,
    settings_warning: &mut Option<String>,
    notices: &mut Notices,
    cmds: &mut Commands,
) {
    if let Some(warning) = settings_warning {
        let mut dismiss = false;
        banner_ui(ui, AMBER, &format!("⚠ Settings: {warning}"), |ui| {
            dismiss = ui.small_button("OK").clicked();
        });
        if dismiss {
            *settings_warning = None;
        }
    }
    let mut remove = None;
    for (i, notice) in notices.iter().enumerate() {
        let color = match notice.level {
            NoticeLevel::Info => BLUE,
            NoticeLevel::Warning => AMBER,
            NoticeLevel::Error => RED,
        };
        banner_ui(ui, color, &notice.text, |ui| {
            if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                remove = Some(i);
            }
            if notice.undo_import && ui.small_button("Undo").clicked() {
                cmds.push(Command::UndoImport);
            }
        });
    }
    if let Some(i) = remove {
        notices.remove(i);
    }
}
