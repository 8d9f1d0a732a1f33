//! The streamer's Minecraft player: the settings fields (name, what the queue does while they are
//! dead) and the queue panel's line saying what the world watch sees.

use crate::i18n::tr;
use egui::RichText;

use super::super::bridge::WorldStatus;
use super::drafts::committed_edit_ui;
use super::{AMBER, GREEN, GREY, RED};
use crate::world::{Life, WhileDead, WorldSettings};

/// The player name and the while-dead choice. Returns true when one was committed.
pub fn world_fields_ui(ui: &mut egui::Ui, world: &mut WorldSettings) -> bool {
    let mut changed = false;
    egui::Grid::new("world_grid").num_columns(2).show(ui, |ui| {
        let label = ui.label(tr("world-your-player-name"));
        changed |= committed_edit_ui(ui, &mut world.player, |ui, draft: &mut String| {
            ui.text_edit_singleline(draft)
                .labelled_by(label.id)
                .on_hover_text(tr("world-your-in-game-name-so"))
        });
        ui.end_row();
        ui.label(tr("world-while-you-are-dead"));
        ui.horizontal(|ui| {
            changed |= ui
                .radio_value(
                    &mut world.while_dead,
                    WhileDead::Pause,
                    tr("world-pause-the-queue"),
                )
                .changed();
            changed |= ui
                .radio_value(
                    &mut world.while_dead,
                    WhileDead::KeepRunning,
                    tr("world-keep-running"),
                )
                .changed();
        });
        ui.end_row();
    });
    changed
}

/// One line under the queue's counts: whom the watch sees, alive or dead.
pub fn world_line_ui(ui: &mut egui::Ui, world: &WorldStatus) {
    let (color, text) = match world {
        WorldStatus::Off => return,
        WorldStatus::Watching {
            player,
            life,
            deaths_seen,
        } => {
            let (color, state) = match life {
                Life::Unknown => (GREY, tr("world-looking")),
                Life::Offline => (AMBER, tr("world-not-on-the-server-is")),
                Life::Alive => (GREEN, tr("world-alive")),
                Life::Dead => (RED, tr("world-dead")),
            };
            let deaths = match deaths_seen {
                0 => String::new(),
                n => crate::trf!("world-deaths", count = n),
            };
            (
                color,
                crate::trf!(
                    "world-player-line",
                    player = player.to_string(),
                    state = state,
                    deaths = deaths
                ),
            )
        }
        WorldStatus::Problem(reason) => (
            AMBER,
            crate::trf!("world-cannot-see-player", reason = reason.to_string()),
        ),
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(tr("world-minecraft-player"));
        ui.label(RichText::new(text).color(color));
    });
}
