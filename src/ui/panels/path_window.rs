//! Import/export by typed path: the fallback when no file dialog can be shown.

use crate::i18n::tr;
use std::path::PathBuf;

use super::super::commands::{Command, Commands};
use super::super::state::Windows;

pub fn path_window_ui(ctx: &egui::Context, windows: &mut Windows, cmds: &mut Commands) {
    if !windows.path {
        return;
    }
    let input = &mut windows.path_input;
    egui::Window::new(tr("path-window-triggers-file-by-path"))
        .id(egui::Id::unique("path_window"))
        .open(&mut windows.path)
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(tr("path-window-full-path-of-a-giftdeck"));
            ui.add(
                egui::TextEdit::singleline(input)
                    .hint_text(tr("path-window-home-me-actions-mca"))
                    .desired_width(380.0),
            );
            ui.horizontal(|ui| {
                let typed = input.trim();
                let has_path = !typed.is_empty();
                let path = PathBuf::from(typed);
                if ui
                    .add_enabled(has_path, egui::Button::new(tr("path-window-import")))
                    .clicked()
                {
                    cmds.push(Command::ImportPath(path.clone()));
                }
                if ui
                    .add_enabled(has_path, egui::Button::new(tr("path-window-export")))
                    .on_hover_text(tr("path-window-ends-in-mca-tiktok2mc-format"))
                    .clicked()
                {
                    cmds.push(Command::ExportPath(path));
                }
            });
        });
}
