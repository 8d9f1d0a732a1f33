//! The datapack's two bits of window: the world-folder setting (Settings → Minecraft, under the
//! player name) and the queue panel's line saying how ×N batches reach the server.

use crate::i18n::tr;
use egui::RichText;

use super::super::commands::{Command, Commands};
use super::{AMBER, GREEN, GREY};
use crate::actions::BatchRoute;
use crate::world::WorldSettings;

/// The world folder: shown, chosen with a folder dialog, or cleared. Returns true when cleared
/// (a chosen folder arrives later, as a message).
pub fn world_folder_ui(ui: &mut egui::Ui, world: &mut WorldSettings, cmds: &mut Commands) -> bool {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        ui.label(tr("datapack-world-folder-local-server"));
        match &world.world_folder {
            Some(folder) => {
                ui.monospace(folder.display().to_string());
            }
            None => {
                ui.label(RichText::new(tr("datapack-not-set")).color(GREY));
            }
        }
        if ui
            .button(tr("datapack-choose"))
            .on_hover_text(tr("datapack-the-folder-with-level-dat"))
            .clicked()
        {
            cmds.push(Command::PickWorldFolder);
        }
        if world.world_folder.is_some() && ui.button(tr("datapack-clear")).clicked() {
            world.world_folder = None;
            changed = true;
        }
    });
    changed
}

/// One line under the queue's counts: one call per batch, or why command by command.
pub fn batch_route_line_ui(ui: &mut egui::Ui, route: &BatchRoute) {
    let color = match route {
        BatchRoute::Off => return,
        BatchRoute::Preparing => GREY,
        BatchRoute::OneCall { .. } => GREEN,
        BatchRoute::LineByLine(_) => AMBER,
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(tr("datapack-batches"));
        ui.label(RichText::new(route.to_string()).color(color));
    });
}
