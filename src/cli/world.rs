//! World awareness and the counters for `watch --execute`: with a player name (`--player`, or
//! `minecraft_world.player` in the `--mappings` settings file) and `--rcon`, or with
//! `--bedrock-port`, the queue waits while the player is dead, as in the app; deaths move the
//! death and win counters and stand the stream timer still, shown on the overlay pages. What the
//! watch sees is said on stderr, once per change. The values live as long as the run (the app
//! saves its own; a headless run does not touch them).

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::actions::{BedrockLink, ExecutorHandle, RconConfig};
use crate::counter_hub::{CounterHub, store};
use crate::counters::CounterDef;
use crate::overlay::OverlayHub;
use crate::stream_timer::StreamTimerSettings;
use crate::world::{Life, WorldConfig, WorldHandle, WorldSettings, WorldStatus, feed_counters};

/// The settings a headless run takes from a settings file: the player, the counters, the timer.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
pub struct WorldPart {
    pub minecraft_world: WorldSettings,
    pub counters: Option<Vec<CounterDef>>,
    pub stream_timer: StreamTimerSettings,
}

impl WorldPart {
    /// Reads only these parts of `path` (anything unreadable: the defaults).
    pub fn peek(path: Option<&std::path::Path>) -> Self {
        path.filter(|p| p.is_file())
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }
}

/// A running watch with its counters; everything stops when it is dropped.
pub struct HeadlessWorld {
    _watch: WorldHandle,
    counters: CounterHub,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for HeadlessWorld {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl HeadlessWorld {
    /// Starts watching the world `executor` runs commands on, when there is one to watch:
    /// Bedrock's game, or the Java server with a player named. `None`: nothing to watch.
    pub fn start(
        executor: &ExecutorHandle,
        rcon: Option<RconConfig>,
        bedrock: Option<BedrockLink>,
        part: &WorldPart,
    ) -> Option<Self> {
        let config = match bedrock {
            Some(link) => WorldConfig::bedrock(&part.minecraft_world, Some(link)),
            None => WorldConfig::of(&part.minecraft_world, rcon),
        }?;
        let defs = part
            .counters
            .clone()
            .unwrap_or_else(crate::counters::tiktok2mc_counters);
        let counters = CounterHub::new(&defs, &part.stream_timer);
        let watch = WorldHandle::spawn(executor.world_gate());
        watch.set_config(Some(config));
        executor.set_counters(Some(counters.clone()));
        let tasks = vec![
            tokio::spawn(feed_counters(watch.status_watch(), counters.clone())),
            tokio::spawn(store::run_ticker(counters.clone())),
            tokio::spawn(say_changes(watch.status_watch())),
        ];
        Some(Self {
            _watch: watch,
            counters,
            tasks,
        })
    }

    /// Shows the counters and the timer on the overlay pages.
    pub fn show_on(&mut self, overlays: &OverlayHub) {
        self.tasks.push(tokio::spawn(crate::overlay::counters::feed(
            self.counters.clone(),
            overlays.clone(),
        )));
    }

    pub fn counters(&self) -> &CounterHub {
        &self.counters
    }
}

/// One stderr line for what the watch sees, when it changes.
pub fn status_line(status: &WorldStatus) -> Option<String> {
    match status {
        WorldStatus::Off => None,
        WorldStatus::Watching { player, life, .. } => Some(match life {
            Life::Unknown => return None,
            Life::Offline => format!("giftdeck: {player} is not in the world (is the name right?)"),
            Life::Alive => format!("giftdeck: {player} is alive; the queue runs"),
            Life::Dead => format!("giftdeck: {player} died; the queue waits for the respawn"),
        }),
        WorldStatus::Problem(reason) => Some(format!(
            "giftdeck: cannot see the Minecraft player ({reason}); the queue runs as usual"
        )),
    }
}

async fn say_changes(mut status: watch::Receiver<WorldStatus>) {
    let mut last = None;
    loop {
        let line = status_line(&status.borrow_and_update());
        if line.is_some() && line != last {
            eprintln!("{}", line.as_deref().unwrap_or_default());
            last = line;
        }
        if status.changed().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_parts_read_from_a_settings_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(
            &path,
            r#"{"mappings": [], "minecraft_world": {"player": "Steve"},
                "counters": [{"name": "Boss"}], "stream_timer": {"length_seconds": 60}}"#,
        )
        .unwrap();
        let part = WorldPart::peek(Some(&path));
        assert_eq!(part.minecraft_world.player, "Steve");
        assert_eq!(part.counters.unwrap()[0].name, "Boss");
        assert_eq!(part.stream_timer.length_seconds, 60);
        assert_eq!(WorldPart::peek(None), WorldPart::default());
        let dead = WorldStatus::Watching {
            player: "Steve".into(),
            life: Life::Dead,
            deaths_seen: 1,
        };
        assert_eq!(
            status_line(&dead).unwrap(),
            "giftdeck: Steve died; the queue waits for the respawn"
        );
    }
}
