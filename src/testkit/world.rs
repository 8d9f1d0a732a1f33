//! A fake Minecraft world behind the fake RCON server ([`super::rcon`]): players who are online,
//! alive or dead, and the scoreboard commands the world awareness sends, answered in vanilla's
//! words (Minecraft's `en_us` strings: "Test passed. Count: 1", `Steve has 3 [giftdeck_deaths]`,
//! "Can't get value of … none is set", "Created new objective …"). Every other command gets
//! `ran <command>`, like [`super::rcon::FakeRcon::start`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

use super::rcon::ReplyFn;

#[derive(Clone, Copy, Debug, Default)]
struct Player {
    online: bool,
    alive: bool,
}

#[derive(Default)]
struct State {
    players: BTreeMap<String, Player>,
    /// `deathCount` objectives: they count deaths from when they were created.
    death_objectives: BTreeSet<String>,
    /// Scores per (objective, player); absent until the first death after creation.
    scores: BTreeMap<(String, String), i64>,
    looks: u64,
}

/// The world's state, shared with the server's reply function.
#[derive(Clone, Default)]
pub struct FakeWorld {
    state: Arc<Mutex<State>>,
}

impl FakeWorld {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A player joins, alive.
    pub fn join(&self, name: &str) {
        let mut state = self.lock();
        let player = state.players.entry(name.to_owned()).or_default();
        player.online = true;
        player.alive = true;
    }

    /// The player dies: every `deathCount` objective counts it.
    pub fn kill(&self, name: &str) {
        let mut state = self.lock();
        let State {
            players,
            death_objectives,
            scores,
            ..
        } = &mut *state;
        if let Some(player) = players.get_mut(name) {
            player.alive = false;
            for objective in death_objectives.iter() {
                *scores
                    .entry((objective.clone(), name.to_owned()))
                    .or_insert(0) += 1;
            }
        }
    }

    pub fn respawn(&self, name: &str) {
        if let Some(player) = self.lock().players.get_mut(name) {
            player.alive = true;
        }
    }

    /// How many `scoreboard players get` the server answered (one per look).
    pub fn looks(&self) -> u64 {
        self.lock().looks
    }

    /// The reply function to start a [`super::rcon::FakeRcon`] with.
    pub fn replies(&self) -> ReplyFn {
        let world = self.clone();
        Arc::new(move |command: &str| world.reply(command))
    }

    fn reply(&self, command: &str) -> String {
        let words: Vec<&str> = command.trim_start_matches('/').split_whitespace().collect();
        let mut state = self.lock();
        match words.as_slice() {
            ["scoreboard", "objectives", "add", name, "deathCount"] => {
                if state.death_objectives.insert((*name).to_owned()) {
                    format!("Created new objective [{name}]")
                } else {
                    "An objective already exists by that name".to_owned()
                }
            }
            ["scoreboard", "players", "get", player, objective] => {
                state.looks += 1;
                if !state.death_objectives.contains(*objective) {
                    return format!("Unknown scoreboard objective '{objective}'");
                }
                match state
                    .scores
                    .get(&((*objective).to_owned(), (*player).to_owned()))
                {
                    Some(score) => format!("{player} has {score} [{objective}]"),
                    None => format!("Can't get value of {objective} for {player}; none is set"),
                }
            }
            ["execute", "if", "entity", selector] => {
                let count = state
                    .players
                    .iter()
                    .filter(|(name, p)| selects(selector, name, p))
                    .count();
                if count > 0 {
                    format!("Test passed. Count: {count}")
                } else {
                    "Test failed".to_owned()
                }
            }
            _ => format!("ran {command}"),
        }
    }
}

/// `@a[name=X]` (every online player, dead or alive) and `@e[type=minecraft:player,name=X]`
/// (living entities only), as vanilla selects them.
fn selects(selector: &str, name: &str, player: &Player) -> bool {
    let wanted = |prefix: &str| {
        selector
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(']'))
            .is_some_and(|n| n == name)
    };
    if wanted("@a[name=") {
        player.online
    } else if wanted("@e[type=minecraft:player,name=") {
        player.online && player.alive
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_like_vanilla() {
        let world = FakeWorld::new();
        world.join("Steve");
        let r = world.replies();
        assert_eq!(
            r("scoreboard players get Steve giftdeck_deaths"),
            "Unknown scoreboard objective 'giftdeck_deaths'"
        );
        assert_eq!(
            r("scoreboard objectives add giftdeck_deaths deathCount"),
            "Created new objective [giftdeck_deaths]"
        );
        assert_eq!(
            r("scoreboard objectives add giftdeck_deaths deathCount"),
            "An objective already exists by that name"
        );
        assert_eq!(
            r("scoreboard players get Steve giftdeck_deaths"),
            "Can't get value of giftdeck_deaths for Steve; none is set"
        );
        world.kill("Steve");
        assert_eq!(
            r("scoreboard players get Steve giftdeck_deaths"),
            "Steve has 1 [giftdeck_deaths]"
        );
        assert_eq!(
            r("execute if entity @a[name=Steve]"),
            "Test passed. Count: 1"
        );
        assert_eq!(
            r("execute if entity @e[type=minecraft:player,name=Steve]"),
            "Test failed"
        );
        world.respawn("Steve");
        assert_eq!(
            r("execute if entity @e[type=minecraft:player,name=Steve]"),
            "Test passed. Count: 1"
        );
        assert_eq!(r("execute if entity @a[name=Alex]"), "Test failed");
        assert_eq!(r("say hi"), "ran say hi");
    }
}
