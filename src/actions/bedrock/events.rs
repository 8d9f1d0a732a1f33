//! The game's events giftdeck subscribes to, typed (pure): a player's death and chat, players
//! joining and leaving. Games that no longer send one of them simply never do; giftdeck subscribes
//! to each where it exists and world awareness takes what arrives.

use serde_json::Value;

/// The events giftdeck asks the game for.
pub const SUBSCRIBED: &[&str] = &["PlayerDied", "PlayerMessage", "PlayerJoin", "PlayerLeave"];

/// One game event, as world awareness sees it. Text fields are the game's (players' names and
/// chat), never run as commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GameEvent {
    /// A player died: their name and the game's cause number, if it said.
    PlayerDied {
        player: String,
        cause: Option<i64>,
    },
    /// A chat line, `/say`, `/tell`, `/me` or a title the game reports.
    PlayerMessage {
        sender: String,
        receiver: String,
        message: String,
        /// `chat`, `say`, `tell`, `me`, `title`…
        kind: String,
    },
    PlayerJoin {
        player: String,
    },
    PlayerLeave {
        player: String,
    },
    /// An event giftdeck did not ask for, by name.
    Other {
        name: String,
    },
}

/// The longest text kept from one event field (a chat line fits).
const MAX_FIELD_CHARS: usize = 300;

fn field(body: &Value, path: &[&str]) -> Option<String> {
    let mut value = body;
    for key in path {
        value = value.get(key)?;
    }
    match value {
        Value::String(s) => Some(crate::text::one_line(s, MAX_FIELD_CHARS)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The text at the first of `paths` that has one (new games' keys first, then the old
/// `properties` format).
fn first(body: &Value, paths: &[&[&str]]) -> String {
    paths
        .iter()
        .find_map(|path| field(body, path))
        .unwrap_or_default()
}

fn player_name(body: &Value) -> String {
    first(
        body,
        &[
            &["player", "name"],
            &["properties", "PlayerName"],
            &["properties", "Player"],
        ],
    )
}

/// Reads an event frame's name and body.
pub fn read(name: &str, body: &Value) -> GameEvent {
    match name {
        "PlayerDied" => GameEvent::PlayerDied {
            player: player_name(body),
            cause: body
                .get("cause")
                .or_else(|| body.get("properties").and_then(|p| p.get("Cause")))
                .and_then(Value::as_i64),
        },
        "PlayerMessage" => GameEvent::PlayerMessage {
            sender: first(body, &[&["sender"], &["properties", "Sender"]]),
            receiver: first(body, &[&["receiver"], &["properties", "Receiver"]]),
            message: first(body, &[&["message"], &["properties", "Message"]]),
            kind: first(body, &[&["type"], &["properties", "MessageType"]]),
        },
        "PlayerJoin" => GameEvent::PlayerJoin {
            player: player_name(body),
        },
        "PlayerLeave" => GameEvent::PlayerLeave {
            player: player_name(body),
        },
        other => GameEvent::Other {
            name: crate::text::one_line(other, 60),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deaths_and_chat_in_the_new_and_the_old_format() {
        let died = json!({"cause": 2, "inRaid": false, "killer": {"type": 32},
            "player": {"name": "Steve", "position": {"x": 1, "y": 2, "z": 3}}});
        assert_eq!(
            read("PlayerDied", &died),
            GameEvent::PlayerDied {
                player: "Steve".into(),
                cause: Some(2)
            }
        );
        let chat = json!({"message": "hi @a", "sender": "Alex", "receiver": "", "type": "chat"});
        assert_eq!(
            read("PlayerMessage", &chat),
            GameEvent::PlayerMessage {
                sender: "Alex".into(),
                receiver: String::new(),
                message: "hi @a".into(),
                kind: "chat".into()
            }
        );
        let old = json!({"properties": {"Message": "yo", "Sender": "Alex", "MessageType": "say"}});
        assert!(
            matches!(read("PlayerMessage", &old), GameEvent::PlayerMessage { message, kind, .. } if message == "yo" && kind == "say")
        );
        assert_eq!(
            read("PlayerJoin", &json!({"player": {"name": "Zed"}})),
            GameEvent::PlayerJoin {
                player: "Zed".into()
            }
        );
    }

    #[test]
    fn odd_bodies_give_empty_fields_never_a_panic() {
        assert_eq!(
            read("PlayerDied", &json!([1, 2])),
            GameEvent::PlayerDied {
                player: String::new(),
                cause: None
            }
        );
        let long = "x\u{202e}".repeat(1_000);
        let GameEvent::PlayerMessage { message, .. } =
            read("PlayerMessage", &json!({ "message": long }))
        else {
            panic!("a message");
        };
        assert!(message.chars().count() <= MAX_FIELD_CHARS + 1);
        assert!(!message.contains('\u{202e}'), "no bidi controls");
        assert_eq!(
            read("BlockPlaced", &json!({})),
            GameEvent::Other {
                name: "BlockPlaced".into()
            }
        );
    }
}
