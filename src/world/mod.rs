//! Awareness of the streamer's Minecraft world: whether their player is alive, and deaths as they
//! happen, so the queue can wait out the death screen. The decisions are a pure policy
//! ([`policy`]); Java Edition is read over RCON ([`java`]), Bedrock through the game's events on
//! its `/connect` link ([`bedrock`]). The settings are [`WorldSettings`]; a running watch is a
//! [`WorldHandle`]; [`feed_counters`] turns what it sees into the death and win counters and the
//! stream timer's hold.

pub mod bedrock;
pub mod java;
pub mod policy;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::actions::{BedrockLink, RconConfig, WorldGate};
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

/// Where the world is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldSource {
    /// A Java server over RCON (a connection of the watch's own).
    Java(RconConfig),
    /// A Bedrock world connected with `/connect` (its events, and questions on the same link).
    Bedrock(BedrockLink),
}

/// What a running watch looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldConfig {
    pub source: WorldSource,
    /// The player; on Bedrock it may be empty: the player whose game connected.
    pub player: String,
    pub while_dead: WhileDead,
}

impl WorldConfig {
    /// The watch for these settings and Java server; `None` while either is not set up.
    pub fn of(settings: &WorldSettings, rcon: Option<RconConfig>) -> Option<Self> {
        let player = settings.player.trim();
        Some(Self {
            source: WorldSource::Java(rcon?),
            player: (!player.is_empty()).then(|| player.to_owned())?,
            while_dead: settings.while_dead,
        })
    }

    /// The watch for a Bedrock world: on whenever the listener is (the game says who its
    /// player is; a name in the settings narrows the deaths to that player).
    pub fn bedrock(settings: &WorldSettings, link: Option<BedrockLink>) -> Option<Self> {
        Some(Self {
            source: WorldSource::Bedrock(link?),
            player: settings.player.trim().to_owned(),
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
        /// Deaths seen since the watch started (it never goes down while the handle lives, even
        /// when the settings change: consumers take the difference).
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
        let task = tokio::spawn(run(config_rx, gate.clone(), status_tx));
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

/// Runs until `config` is closed: watches the world the settings name (Java or Bedrock), holds
/// the queue through `gate` while the player is dead (when the settings say so), and publishes
/// the status. A failing look releases the queue.
async fn run(
    mut config: watch::Receiver<Option<WorldConfig>>,
    gate: WorldGate,
    status: watch::Sender<WorldStatus>,
) {
    let mut deaths_seen = 0u64;
    loop {
        let current = config.borrow_and_update().clone();
        match current {
            None => {
                gate.set(None);
                publish(&status, WorldStatus::Off);
                if config.changed().await.is_err() {
                    return;
                }
            }
            Some(current) => {
                let watch = async {
                    match &current.source {
                        WorldSource::Java(rcon) => {
                            java::watch_player(&current, rcon, &gate, &status, &mut deaths_seen)
                                .await;
                        }
                        WorldSource::Bedrock(link) => {
                            bedrock::watch_player(&current, link, &gate, &status, &mut deaths_seen)
                                .await;
                        }
                    }
                };
                tokio::select! {
                    () = watch => {}
                    changed = config.changed() => {
                        if changed.is_err() {
                            gate.set(None);
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// Publishes the status when it changed (an unchanged look wakes nobody).
pub(crate) fn publish(status: &watch::Sender<WorldStatus>, next: WorldStatus) {
    status.send_if_modified(|current| {
        let changed = *current != next;
        *current = next;
        changed
    });
}

/// One step of a watch, whichever edition: holds or releases the queue, counts the deaths, says
/// what is new once, and publishes the status.
pub(crate) fn apply_step(
    step: &policy::Step,
    watch: &policy::Watch,
    player: &str,
    problem: Option<String>,
    gate: &WorldGate,
    status: &watch::Sender<WorldStatus>,
    deaths_seen: &mut u64,
) {
    *deaths_seen += u64::from(step.new_deaths);
    gate.set(step.hold.then(|| crate::actions::WorldPause {
        player: player.to_owned(),
    }));
    match &step.notice {
        // Said once: the policy repeats nothing while it keeps failing.
        Some(policy::Notice::Failing(reason)) => {
            tracing::warn!(%reason, "cannot read the Minecraft world; the queue runs as usual");
        }
        Some(notice) => tracing::info!(?notice, player = %player, "Minecraft world"),
        None => {}
    }
    publish(
        status,
        match problem {
            Some(reason) => WorldStatus::Problem(reason),
            None => WorldStatus::Watching {
                player: player.to_owned(),
                life: watch.life,
                deaths_seen: *deaths_seen,
            },
        },
    );
}

/// What the counters learn from the world, as a pure step: the deaths since the last status,
/// and whether the player is dead now (the stream timer stands still then).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterFeed {
    deaths_seen: u64,
}

impl CounterFeed {
    /// `(new deaths, dead now)` for the next status.
    pub fn next(&mut self, status: &WorldStatus) -> (u32, bool) {
        match status {
            WorldStatus::Watching {
                life, deaths_seen, ..
            } => {
                let new = deaths_seen.saturating_sub(self.deaths_seen);
                self.deaths_seen = self.deaths_seen.max(*deaths_seen);
                (u32::try_from(new).unwrap_or(u32::MAX), *life == Life::Dead)
            }
            WorldStatus::Off | WorldStatus::Problem(_) => (0, false),
        }
    }
}

/// Feeds the death and win counters and the stream timer's hold from the world's status, until
/// the watch is gone. Subscribes: the watch knows nothing of counters.
pub async fn feed_counters(
    mut status: watch::Receiver<WorldStatus>,
    hub: crate::counter_hub::CounterHub,
) {
    let mut feed = CounterFeed::default();
    loop {
        let now = status.borrow_and_update().clone();
        let (deaths, dead) = feed.next(&now);
        hub.deaths(deaths);
        hub.set_dead_at(dead, crate::counter_hub::wall_millis());
        if status.changed().await.is_err() {
            hub.set_dead_at(false, crate::counter_hub::wall_millis());
            return;
        }
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

    #[test]
    fn the_counter_feed_takes_each_death_once_and_the_death_screen() {
        let watching = |life, deaths_seen| WorldStatus::Watching {
            player: "Steve".into(),
            life,
            deaths_seen,
        };
        let mut feed = CounterFeed::default();
        assert_eq!(feed.next(&watching(Life::Alive, 0)), (0, false));
        assert_eq!(feed.next(&watching(Life::Dead, 1)), (1, true));
        assert_eq!(feed.next(&watching(Life::Dead, 1)), (0, true), "once");
        // A failing look in between: not dead on a guess, and no death lost or doubled.
        assert_eq!(feed.next(&WorldStatus::Problem("down".into())), (0, false));
        assert_eq!(feed.next(&watching(Life::Alive, 3)), (2, false));
        assert_eq!(feed.next(&WorldStatus::Off), (0, false));
        assert_eq!(feed.next(&watching(Life::Alive, 3)), (0, false));
    }
}
