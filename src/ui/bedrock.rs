//! The Bedrock world's connection as the checklist and the settings window say it (pure): what to
//! type in the game, and the state "waiting for the game / connected (player) / disconnected" or
//! why giftdeck cannot listen.

use crate::actions::bedrock::{GameState, connect_command};
use crate::i18n::tr;

/// What the panels draw about the Bedrock listener.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BedrockView {
    /// The listener's state (`None`: Bedrock is off, or the listener could not start).
    pub game: Option<GameState>,
    /// Why giftdeck cannot listen (a busy port), in the error's own words (they say the fix).
    pub error: Option<String>,
}

/// How a state line looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Good,
    Bad,
}

/// The state in a few words, and how it looks.
pub fn state_line(view: &BedrockView) -> (Tone, String) {
    if let Some(error) = &view.error {
        return (Tone::Bad, error.clone());
    }
    match &view.game {
        None => (Tone::Neutral, tr("state-off").to_owned()),
        Some(GameState::Waiting { .. }) => {
            (Tone::Neutral, tr("queue-rcon-waiting-for-game").to_owned())
        }
        Some(GameState::Connected {
            player, encrypted, ..
        }) => {
            let who = player.as_deref().map_or_else(
                || tr("bedrock-connected").to_owned(),
                |p| crate::trf!("bedrock-connected-player", player = p),
            );
            let lock = if *encrypted {
                tr("bedrock-encrypted")
            } else {
                ""
            };
            (Tone::Good, format!("{who}{lock}"))
        }
        Some(GameState::Disconnected { port, reason }) => (
            Tone::Bad,
            crate::trf!(
                "bedrock-disconnected",
                reason = reason.to_string(),
                command = connect_command(*port)
            ),
        ),
        Some(GameState::Stopped { .. }) => (Tone::Neutral, tr("bedrock-stopped").to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_states_and_a_busy_port() {
        let view = |game| BedrockView {
            game: Some(game),
            error: None,
        };
        assert_eq!(
            state_line(&view(GameState::Waiting { port: 1 })),
            (Tone::Neutral, "waiting for the game".into())
        );
        assert_eq!(
            state_line(&view(GameState::Connected {
                port: 1,
                player: Some("Steve".into()),
                encrypted: true
            })),
            (Tone::Good, "connected (Steve's game), encrypted".into())
        );
        let (tone, words) = state_line(&view(GameState::Disconnected {
            port: 23880,
            reason: "the game closed the connection".into(),
        }));
        assert_eq!(tone, Tone::Bad);
        assert!(
            words.ends_with("type /connect 127.0.0.1:23880 again"),
            "{words}"
        );
        let busy = BedrockView {
            game: None,
            error: Some("port 23880 on 127.0.0.1 is already in use".into()),
        };
        assert_eq!(state_line(&busy).0, Tone::Bad);
        assert_eq!(
            state_line(&BedrockView::default()),
            (Tone::Neutral, "off".into())
        );
    }
}
