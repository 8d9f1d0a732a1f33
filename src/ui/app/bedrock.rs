//! The app's Bedrock listener: started, moved or stopped as `bedrock.enabled` and `bedrock.port`
//! change, a busy port said once in a notice and kept on the setup line, the game's state copied
//! to the panels (a change repaints the window), and the checklist's Minecraft step ticked when
//! the game connects.

use crate::actions::RconConfig;
use crate::actions::bedrock::{BedrockLink, BedrockServer};
use crate::settings::Settings;
use crate::ui::state::NoticeLevel;

use super::GiftdeckApp;

/// The listener the window owns (`None` while Bedrock is off or could not start).
#[derive(Debug, Default)]
pub(super) struct BedrockHost {
    server: Option<BedrockServer>,
    /// The port that failed, so the same failure is not retried (or told) every frame.
    failed_port: Option<u16>,
}

impl BedrockHost {
    pub(super) fn link(&self) -> Option<BedrockLink> {
        self.server.as_ref().map(BedrockServer::link)
    }
}

impl GiftdeckApp {
    /// Makes the listener match the settings; returns true when the link changed.
    pub(super) fn sync_bedrock(&mut self) -> bool {
        let wanted = &self.state.settings.bedrock;
        let wanted_port = wanted.enabled.then_some(wanted.port);
        let current = self.bedrock.server.as_ref().map(BedrockServer::port);
        if current == wanted_port || (current.is_none() && self.bedrock.failed_port == wanted_port)
        {
            return false;
        }
        // Stop the old one first: the new port may be the same one after a failure.
        self.bedrock.server = None;
        self.bedrock.failed_port = None;
        self.state.bedrock = Default::default();
        let Some(port) = wanted_port else {
            return current.is_some();
        };
        let started = {
            let _guard = self.tasks.runtime().enter();
            BedrockServer::bind(port)
        };
        match started {
            Ok(server) => {
                let mut state = server.link().state_watch();
                let waker = self.tasks.waker();
                self.tasks.spawn_loop(async move {
                    while state.changed().await.is_ok() {
                        waker.wake();
                    }
                });
                self.bedrock.server = Some(server);
            }
            Err(err) => {
                let words = err.to_string();
                self.notice(
                    NoticeLevel::Error,
                    crate::trf!("notice-bedrock", words = words.to_string()),
                );
                self.state.bedrock.error = Some(words);
                self.bedrock.failed_port = Some(port);
            }
        }
        true
    }

    /// Copies the game's state for this frame; the first connection ticks the checklist.
    pub(super) fn refresh_bedrock(&mut self) {
        let Some(server) = &self.bedrock.server else {
            return;
        };
        let game = server.link().state();
        if game.is_connected() && !self.state.settings.setup.minecraft_ok {
            self.state.settings.setup.minecraft_ok = true;
            self.schedule_save();
        }
        if self.state.bedrock.game.as_ref() != Some(&game) {
            self.state.bedrock.game = Some(game);
        }
    }
}

/// The RCON server the streamer's commands may go to: none while their world is Bedrock, even
/// when its listener could not start, so a queue meant for the Bedrock world never runs on a Java
/// server. No password means not set up yet (Minecraft refuses an empty one anyway).
pub(super) fn stream_rcon(settings: &Settings) -> Option<RconConfig> {
    if settings.bedrock.enabled {
        return None;
    }
    settings.rcon.if_set_up()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bedrock_world_never_falls_back_to_rcon() {
        let mut settings = Settings::default();
        settings.rcon.password = "pw".into();
        assert!(stream_rcon(&settings).is_some());
        settings.bedrock.enabled = true;
        assert_eq!(stream_rcon(&settings), None);
    }
}
