//! Awareness of the streamer's Minecraft world: whether their player is alive, and deaths as they
//! happen, so the queue can wait out the death screen. The decisions are a pure policy
//! ([`policy`]); Java Edition is read over RCON ([`java`]). The settings are [`WorldSettings`];
//! a running watch is a [`WorldHandle`].

pub mod java;
pub mod policy;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::actions::{RconConfig, WorldGate};
pub use policy::{Life, WhileDead};

/// The world awareness's settings (`minecraft_world` in settings.json).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorldSettings {
    /// The streamer's in-game player name; empty: no world awareness.
    pub player: String,
    /// What the queue does while that player is dead.
    pub while_dead: WhileDead,
    /// The world folder of the streamer's local Java server (`…/server/world`): batches go as
    /// one datapack call there (`docs/actions.md`, "One call instead of five hundred"). `None`
    /// (and in files written before it): command by command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world_folder: Option<std::path::PathBuf>,
}

/// What a running watch looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldConfig {
    pub rcon: RconConfig,
    pub player: String,
    pub while_dead: WhileDead,
}

impl WorldConfig {
    /// The watch for these settings and server; `None` while either is not set up.
    pub fn of(settings: &WorldSettings, rcon: Option<RconConfig>) -> Option<Self> {
        let player = settings.player.trim();
        Some(Self {
            rcon: rcon?,
            player: (!player.is_empty()).then(|| player.to_owned())?,
            while_dead: settings.while_dead,
        })
    }
}

/// The watch as the window shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum WorldStatus {
    /// No player name or no server set.
    #[default]
    Off,
    Watching {
        player: String,
        life: Life,
        /// Deaths seen since the watch started.
        deaths_seen: u64,
    },
    /// The world cannot be read (the reason, in the words of the error); the queue runs as usual.
    Problem(String),
}

/// A running watch: give it settings, read its status. Dropping it ends the watch and releases
/// the queue.
pub struct WorldHandle {
    config: watch::Sender<Option<WorldConfig>>,
    status: watch::Receiver<WorldStatus>,
    gate: WorldGate,
    task: JoinHandle<()>,
}

impl WorldHandle {
    /// Starts the watch (call inside the runtime); it does nothing until [`Self::set_config`].
    pub fn spawn(gate: WorldGate) -> Self {
        let (config, config_rx) = watch::channel(None);
        let (status_tx, status) = watch::channel(WorldStatus::Off);
        let task = tokio::spawn(java::run(config_rx, gate.clone(), status_tx));
        Self {
            config,
            status,
            gate,
            task,
        }
    }

    /// New settings: the watch starts over (a new connection, a new baseline) only when they
    /// changed.
    pub fn set_config(&self, config: Option<WorldConfig>) {
        self.config.send_if_modified(|current| {
            let changed = *current != config;
            *current = config;
            changed
        });
    }

    pub fn status(&self) -> WorldStatus {
        self.status.borrow().clone()
    }

    pub fn status_watch(&self) -> watch::Receiver<WorldStatus> {
        self.status.clone()
    }
}

impl Drop for WorldHandle {
    fn drop(&mut self) {
        self.task.abort();
        // Never leave the queue held by a watch that is gone.
        self.gate.set(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_without_the_world_still_load_and_the_keys_read() {
        let old: crate::settings::Settings = serde_json::from_str(r#"{"version":1}"#).unwrap();
        assert_eq!(old.minecraft_world, WorldSettings::default());
        assert_eq!(old.minecraft_world.while_dead, WhileDead::Pause);
        let new: WorldSettings =
            serde_json::from_str(r#"{"player":"Steve","while_dead":"keep_running"}"#).unwrap();
        assert_eq!(new.while_dead, WhileDead::KeepRunning);
        assert_eq!(
            serde_json::to_value(&new).unwrap(),
            serde_json::json!({"player": "Steve", "while_dead": "keep_running"})
        );
    }

    #[test]
    fn a_watch_needs_a_player_and_a_server() {
        let rcon = RconConfig {
            host: "127.0.0.1".into(),
            port: 25575,
            password: "pw".into(),
        };
        let mut settings = WorldSettings::default();
        assert_eq!(WorldConfig::of(&settings, Some(rcon.clone())), None);
        settings.player = " Steve ".into();
        assert_eq!(WorldConfig::of(&settings, None), None);
        let config = WorldConfig::of(&settings, Some(rcon)).unwrap();
        assert_eq!(config.player, "Steve");
    }
}
