//! Import/export by typed path: the fallback when no file dialog can be shown.

use std::path::PathBuf;

use super::super::commands::{Command, Commands};
use super::super::state::Windows;

pub fn path_window_ui(ctx: &egui::Context, windows: &mut Windows, cmds: &mut Commands) {
    if !windows.path {
        return;
    }
    let input = &mut windows.path_input;
    egui::Window::new("Triggers file by path")
        .id(egui::Id::unique("path_window"))
        .open(&mut windows.path)
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(
                "Full path of a giftdeck .json, a Tiktok2Mc actions.mca, or a Tiktok2Mc folder:",
            );
            ui.add(
                egui::TextEdit::singleline(input)
                    .hint_text("/home/me/actions.mca")
                    .desired_width(380.0),
            );
            ui.horizontal(|ui| {
                let typed = input.trim();
                let has_path = !typed.is_empty();
                let path = PathBuf::from(typed);
                if ui
                    .add_enabled(has_path, egui::Button::new("Import"))
                    .clicked()
                {
                    cmds.push(Command::ImportPath(path.clone()));
                }
                if ui
                    .add_enabled(has_path, egui::Button::new("Export"))
                    .on_hover_text("Ends in .mca → Tiktok2Mc format; otherwise giftdeck JSON")
                    .clicked()
                {
                    cmds.push(Command::ExportPath(path));
                }
            });
        });
}
