//! Bedrock Edition's world through its `/connect` link: the game's `PlayerDied` events count the
//! deaths (the game sends them for its own player), and a question on the same link — whether a
//! living-entity selector still finds the player — tells the death screen from a respawn (the
//! game sends no respawn event). Asked at once after a death, then about once a second while
//! dead, and every few seconds while alive; a question that fails releases the queue.

use std::time::Duration;

use rand::Rng as _;
use thiserror::Error;
use tokio::sync::{broadcast, watch};

use super::policy::{Life, Seen, Watch};
use super::{WorldConfig, WorldStatus};
use crate::actions::bedrock::{BedrockError, GameEvent, GameState};
use crate::actions::{BedrockLink, WorldGate};

/// How long the game gets to answer one question.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(5);
/// How often an alive player is looked at (a death arrives as an event in between).
pub const ALIVE_LOOK_EVERY: Duration = Duration::from_secs(5);
/// The game's code for a malformed command (not a "nobody found").
const SYNTAX_ERROR: i64 = -2_147_483_648;

/// Why the Bedrock world could not be read.
#[derive(Debug, Error)]
pub enum BedrockLookError {
    #[error(
        "{player:?} is not a Bedrock player name giftdeck can look for (letters, digits, spaces, _ and -)"
    )]
    BadName { player: String },
    #[error(transparent)]
    Link(#[from] BedrockError),
    #[error("the game refused {command:?}: {reply} (are cheats on in this world?)")]
    Refused { command: String, reply: String },
}

/// A gamertag fit for a quoted selector argument: nothing that could end the quote.
pub fn checked_name(player: &str) -> Option<&str> {
    let player = player.trim();
    let valid = (1..=32).contains(&player.chars().count())
        && player
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-'));
    valid.then_some(player)
}

/// The two questions one look asks: online (`@a`: every player) and alive (`@e`: living
/// entities only).
pub fn look_commands(player: &str) -> [String; 2] {
    [
        format!("testfor @a[name=\"{player}\"]"),
        format!("testfor @e[type=player,name=\"{player}\"]"),
    ]
}

async fn found(link: &BedrockLink, command: &str) -> Result<bool, BedrockLookError> {
    let reply = link.request(command, ANSWER_WITHIN).await?;
    match reply.status_code {
        code if code >= 0 => Ok(true),
        SYNTAX_ERROR => Err(BedrockLookError::Refused {
            command: command.to_owned(),
            reply: crate::text::one_line(&reply.message, 120),
        }),
        // "No targets matched selector".
        _ => Ok(false),
    }
}

async fn look(link: &BedrockLink, player: &str, deaths: i64) -> Result<Seen, BedrockLookError> {
    let [online, alive] = look_commands(player);
    let online = found(link, &online).await?;
    let alive = online && found(link, &alive).await?;
    Ok(Seen {
        online,
        alive,
        deaths: Some(deaths),
    })
}

/// The player to watch: the settings' name, else the one whose game connected.
fn player_of(config: &WorldConfig, state: &GameState) -> Option<String> {
    match state {
        GameState::Connected { player, .. } if config.player.is_empty() => player.clone(),
        GameState::Connected { .. } => Some(config.player.clone()),
        _ => None,
    }
}

/// Watches the player of whichever game is connected, until cancelled (new settings).
pub(super) async fn watch_player(
    config: &WorldConfig,
    link: &BedrockLink,
    gate: &WorldGate,
    status: &watch::Sender<WorldStatus>,
    deaths_seen: &mut u64,
) {
    let mut state = link.state_watch();
    loop {
        let player = player_of(config, &state.borrow_and_update());
        let watching = async {
            match player {
                None => {
                    // No game (or it has not said its player yet): nothing to wait out.
                    gate.set(None);
                    super::publish(status, WorldStatus::Off);
                    std::future::pending::<()>().await;
                }
                Some(player) => watch_game(config, link, &player, gate, status, deaths_seen).await,
            }
        };
        tokio::select! {
            () = watching => {}
            changed = state.changed() => {
                if changed.is_err() {
                    gate.set(None);
                    std::future::pending::<()>().await;
                }
            }
        }
    }
}

/// Is this death the watched player's? The game sends its own player's; a name that differs
/// (another player's event, if a game ever sends one) is not.
fn is_watched(died: &str, player: &str) -> bool {
    died.is_empty() || died.eq_ignore_ascii_case(player)
}

async fn watch_game(
    config: &WorldConfig,
    link: &BedrockLink,
    player: &str,
    gate: &WorldGate,
    status: &watch::Sender<WorldStatus>,
    deaths_seen: &mut u64,
) {
    let Some(player) = checked_name(player) else {
        gate.set(None);
        let err = BedrockLookError::BadName {
            player: player.to_owned(),
        };
        super::publish(status, WorldStatus::Problem(err.to_string()));
        std::future::pending::<()>().await;
        return;
    };
    let mut events = link.events();
    let mut watch = Watch::default();
    let mut deaths: i64 = 0;
    loop {
        let (step, problem) = match look(link, player, deaths).await {
            Ok(seen) => (watch.seen(seen, config.while_dead), None),
            Err(err) => {
                let reason = err.to_string();
                (watch.failed(&reason), Some(reason))
            }
        };
        super::apply_step(&step, &watch, player, problem, gate, status, deaths_seen);
        let wait = match watch.life {
            Life::Alive | Life::Offline => ALIVE_LOOK_EVERY,
            Life::Dead | Life::Unknown => watch.next_look_in(rand::rng().random::<f64>()),
        };
        deaths += next_deaths(&mut events, player, wait).await;
    }
}

/// Waits up to `wait` for the watched player's death; returns the deaths that arrived (a reader
/// that fell behind looks again at once).
async fn next_deaths(
    events: &mut broadcast::Receiver<GameEvent>,
    player: &str,
    wait: Duration,
) -> i64 {
    let sleep = tokio::time::sleep(wait);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            () = &mut sleep => return 0,
            event = events.recv() => match event {
                Ok(GameEvent::PlayerDied { player: died, .. }) if is_watched(&died, player) => {
                    return 1;
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => return 0,
                // The link is gone: the state watch ends this watch.
                Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_they_reach_a_selector() {
        assert_eq!(checked_name(" Steve Two "), Some("Steve Two"));
        assert_eq!(checked_name("Alex_99-x"), Some("Alex_99-x"));
        for bad in ["", "a\"]@e[", "x,type=pig", "名前", &"a".repeat(33)] {
            assert_eq!(checked_name(bad), None, "{bad}");
        }
        assert_eq!(
            look_commands("Steve Two"),
            [
                "testfor @a[name=\"Steve Two\"]".to_owned(),
                "testfor @e[type=player,name=\"Steve Two\"]".to_owned()
            ]
        );
        assert!(is_watched("steve", "Steve") && is_watched("", "Steve"));
        assert!(!is_watched("Alex", "Steve"));
    }
}
