//! The goals and the subathon timer in the app: the game task started with the window (pages on
//! the overlay server), attached to the ledger once it opens (restored, then saved there), fed by
//! each live session's dispatch, and its latest state copied for the Game panel.

use super::GiftdeckApp;
use crate::game::{Game, GameConfig};
use crate::settings::Settings;

/// The game's part of the settings.
pub(super) fn game_config(settings: &Settings) -> GameConfig {
    GameConfig {
        goals: settings.goals.clone(),
        subathon: settings.subathon.clone(),
        points_command: settings.ledger.points_command.clone(),
    }
}

impl GiftdeckApp {
    /// Takes the game's newest state for the panel (its changes wake the window).
    pub(super) fn game_step(&mut self) {
        let mut view = self.game.view();
        if view.has_changed().unwrap_or(false) {
            self.state.game = view.borrow_and_update().clone();
        }
    }

    /// Goal definitions or subathon rates were edited.
    pub(super) fn game_settings_changed(&self) {
        self.game.set_config(game_config(&self.state.settings));
    }

    /// The game task (tests, the panels).
    pub fn game(&self) -> &Game {
        &self.game
    }
}
