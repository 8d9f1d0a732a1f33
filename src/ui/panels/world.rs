//! The streamer's Minecraft player: the settings fields (name, what the queue does while they are
//! dead) and the queue panel's line saying what the world watch sees.

use egui::RichText;

use super::super::bridge::WorldStatus;
use super::drafts::committed_edit_ui;
use super::{AMBER, GREEN, GREY, RED};
use crate::world::{Life, WhileDead, WorldSettings};

/// The player name and the while-dead choice. Returns true when one was committed.
pub fn world_fields_ui(ui: &mut egui::Ui, world: &mut WorldSettings) -> bool {
    let mut changed = false;
    egui::Grid::new("world_grid").num_columns(2).show(ui, |ui| {
        let label = ui.label("Your player name");
        changed |= committed_edit_ui(ui, &mut world.player, |ui, draft: &mut String| {
            ui.text_edit_singleline(draft)
                .labelled_by(label.id)
                .on_hover_text("Your in-game name, so giftdeck can tell when you die (empty: off)")
        });
        ui.end_row();
        ui.label("While you are dead");
        ui.horizontal(|ui| {
            changed |= ui
                .radio_value(&mut world.while_dead, WhileDead::Pause, "pause the queue")
                .changed();
            changed |= ui
                .radio_value(
                    &mut world.while_dead,
                    WhileDead::KeepRunning,
                    "keep running",
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
                Life::Unknown => (GREY, "looking…"),
                Life::Offline => (AMBER, "not on the server (is the name right?)"),
                Life::Alive => (GREEN, "alive"),
                Life::Dead => (RED, "dead"),
            };
            let deaths = match deaths_seen {
                0 => String::new(),
                1 => " · 1 death this session".to_owned(),
                n => format!(" · {n} deaths this session"),
            };
            (color, format!("{player}: {state}{deaths}"))
        }
        WorldStatus::Problem(reason) => (AMBER, format!("cannot see your player: {reason}")),
    };
    ui.horizontal_wrapped(|ui| {
        ui.label("Minecraft player:");
        ui.label(RichText::new(text).color(color));
    });
}
