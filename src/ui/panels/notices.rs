//! The banners under the status line: a settings-file warning and the latest notices, each
//! dismissable; an import's notice offers Undo.

use super::super::commands::{Command, Commands};
use super::super::state::{NoticeLevel, Notices};
use super::{AMBER, BLUE, RED, banner_ui};
use crate::i18n::tr;

pub fn notices_ui(
    ui: &mut egui::Ui,
    settings_warning: &mut Option<String>,
    notices: &mut Notices,
    cmds: &mut Commands,
) {
    if let Some(warning) = settings_warning {
        let mut dismiss = false;
        let words = crate::trf!("notices-settings-warning", warning = warning.as_str());
        banner_ui(ui, AMBER, &words, |ui| {
            dismiss = ui.small_button(tr("notices-ok")).clicked();
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
            if ui
                .small_button("✖")
                .on_hover_text(tr("notices-dismiss"))
                .clicked()
            {
                remove = Some(i);
            }
            if notice.undo_import && ui.small_button(tr("notices-undo")).clicked() {
                cmds.push(Command::UndoImport);
            }
        });
    }
    if let Some(i) = remove {
        notices.remove(i);
    }
}
