//! The game's WebSocket message formats (pure): the frames giftdeck sends (a command, an event
//! subscription, the encryption request) and the typed reading of what the game sends back (a
//! command's reply, an error such as "too many commands", an event, the encryption answer).
//! Never panics on what arrives: a frame that is not one of these is a typed error with a preview.

use serde_json::{Value, json};

/// The header version giftdeck writes (the game and its peers accept 1).
const HEADER_VERSION: u32 = 1;

/// The command-syntax version a command is read with: the newest the peers name
/// (`LocateStructureOutput`, 42), so `execute … run` and today's selectors parse as in the chat.
pub const COMMAND_VERSION: u32 = 42;

/// The game's status code for "over 100 commands pending".
pub const TOO_MANY_PENDING: i64 = -2_147_418_109;

/// A new request id: a random UUID (the game ignores ids that are not UUIDs).
pub fn request_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

fn header(request_id: &str, purpose: &str) -> Value {
    json!({
        "version": HEADER_VERSION,
        "requestId": request_id,
        "messageType": "commandRequest",
        "messagePurpose": purpose,
    })
}

/// A command, without its leading `/`.
pub fn command_request(request_id: &str, command_line: &str) -> String {
    json!({
        "header": header(request_id, "commandRequest"),
        "body": {
            "version": COMMAND_VERSION,
            "commandLine": command_line.strip_prefix('/').unwrap_or(command_line),
            "origin": { "type": "player" },
        },
    })
    .to_string()
}

/// Subscribes to one of the game's events (`PlayerMessage`, `PlayerDied`…).
pub fn subscribe(request_id: &str, event_name: &str) -> String {
    json!({
        "header": header(request_id, "subscribe"),
        "body": { "eventName": event_name },
    })
    .to_string()
}

/// The encryption request of newer games (`ws:encrypt`).
pub fn encrypt_request(request_id: &str, public_key: &str, salt: &str) -> String {
    json!({
        "header": header(request_id, "ws:encrypt"),
        "body": { "mode": super::crypto::MODE, "publicKey": public_key, "salt": salt },
    })
    .to_string()
}

/// The encryption request of older games: a command whose reply carries the game's key.
pub fn legacy_encrypt_command(public_key: &str, salt: &str) -> String {
    format!(
        "enableencryption {} {} {}",
        Value::from(public_key),
        Value::from(salt),
        super::crypto::MODE
    )
}

/// What the game sent.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// A command's reply: its status code (negative: failed) and message.
    CommandResponse {
        request_id: String,
        status_code: i64,
        status_message: String,
        body: Value,
    },
    /// A request the game refused before running it (`messagePurpose: "error"`).
    Error {
        request_id: String,
        status_code: i64,
        status_message: String,
    },
    /// The answer to `ws:encrypt`.
    EncryptResponse {
        request_id: String,
        public_key: String,
    },
    /// An event the server subscribed to.
    Event { name: String, body: Value },
    /// Anything else (agent actions, data replies): ignored.
    Other { purpose: String },
}

/// Why a frame could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("the game sent something that is not JSON: {preview:?}")]
    NotJson { preview: String },
    #[error("the game sent a message without a header: {preview:?}")]
    NoHeader { preview: String },
}

fn text_of(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A status code as the game writes it (a number; some peers write it as a string).
fn status_code(body: &Value) -> i64 {
    match body.get("statusCode") {
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

/// Reads one decrypted frame.
pub fn parse(text: &str) -> Result<Incoming, ProtocolError> {
    let value: Value = serde_json::from_str(text).map_err(|_| ProtocolError::NotJson {
        preview: crate::text::one_line(text, 60),
    })?;
    let Some(header) = value.get("header").filter(|h| h.is_object()) else {
        return Err(ProtocolError::NoHeader {
            preview: crate::text::one_line(text, 60),
        });
    };
    let body = value.get("body").cloned().unwrap_or(Value::Null);
    let purpose = text_of(header, "messagePurpose");
    let request_id = text_of(header, "requestId");
    Ok(match purpose.as_str() {
        "commandResponse" => {
            // Older games answer the legacy encryption command with the key in a reply.
            Incoming::CommandResponse {
                request_id,
                status_code: status_code(&body),
                status_message: text_of(&body, "statusMessage"),
                body,
            }
        }
        "error" => Incoming::Error {
            request_id,
            status_code: status_code(&body),
            status_message: text_of(&body, "statusMessage"),
        },
        "ws:encrypt" => Incoming::EncryptResponse {
            request_id,
            public_key: text_of(&body, "publicKey"),
        },
        "event" | "chat" => {
            // New games name the event in the header, old ones in the body.
            let mut name = text_of(header, "eventName");
            if name.is_empty() {
                name = text_of(&body, "eventName");
            }
            Incoming::Event { name, body }
        }
        _ => Incoming::Other { purpose },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_have_the_documented_shape() {
        let id = request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
        let command: Value = serde_json::from_str(&command_request(&id, "/say hi")).unwrap();
        assert_eq!(command["header"]["messagePurpose"], "commandRequest");
        assert_eq!(command["header"]["requestId"], id.as_str());
        assert_eq!(command["body"]["commandLine"], "say hi", "no leading slash");
        assert_eq!(command["body"]["origin"]["type"], "player");
        let sub: Value = serde_json::from_str(&subscribe(&id, "PlayerDied")).unwrap();
        assert_eq!(sub["header"]["messagePurpose"], "subscribe");
        assert_eq!(sub["body"]["eventName"], "PlayerDied");
        let enc: Value = serde_json::from_str(&encrypt_request(&id, "K", "S")).unwrap();
        assert_eq!(enc["header"]["messagePurpose"], "ws:encrypt");
        assert_eq!(
            enc["body"],
            json!({"mode": "cfb8", "publicKey": "K", "salt": "S"})
        );
        assert_eq!(
            legacy_encrypt_command("K+/=", "S"),
            r#"enableencryption "K+/=" "S" cfb8"#
        );
    }

    #[test]
    fn replies_errors_and_events_are_read_in_both_formats() {
        let reply = r#"{"header":{"version":1,"requestId":"a","messagePurpose":"commandResponse"},
            "body":{"statusCode":-2147483648,"statusMessage":"Syntax error"}}"#;
        assert!(matches!(parse(reply).unwrap(), Incoming::CommandResponse {
            status_code: -2_147_483_648, ref status_message, ..
        } if status_message == "Syntax error"));
        let busy = r#"{"header":{"requestId":"b","messagePurpose":"error"},
            "body":{"statusCode":-2147418109,"statusMessage":"Too many commands have been requested, wait for one to be done"}}"#;
        assert!(matches!(
            parse(busy).unwrap(),
            Incoming::Error {
                status_code: TOO_MANY_PENDING,
                ..
            }
        ));
        let new = r#"{"header":{"eventName":"PlayerMessage","messagePurpose":"event","version":17039360},
            "body":{"message":"hi","sender":"Steve","receiver":"","type":"chat"}}"#;
        assert!(
            matches!(parse(new).unwrap(), Incoming::Event { ref name, .. } if name == "PlayerMessage")
        );
        let old = r#"{"header":{"messagePurpose":"event"},"body":{"eventName":"PlayerDied","properties":{}}}"#;
        assert!(
            matches!(parse(old).unwrap(), Incoming::Event { ref name, .. } if name == "PlayerDied")
        );
        let enc = r#"{"header":{"requestId":"c","messagePurpose":"ws:encrypt"},"body":{"publicKey":"KEY"}}"#;
        assert_eq!(
            parse(enc).unwrap(),
            Incoming::EncryptResponse {
                request_id: "c".into(),
                public_key: "KEY".into()
            }
        );
    }

    #[test]
    fn junk_is_a_typed_error() {
        assert!(matches!(
            parse("\u{1}\u{2}"),
            Err(ProtocolError::NotJson { .. })
        ));
        assert!(matches!(
            parse("[1,2]"),
            Err(ProtocolError::NoHeader { .. })
        ));
        assert!(matches!(
            parse(r#"{"header":7}"#),
            Err(ProtocolError::NoHeader { .. })
        ));
        // Odd types inside a header are read as text, never a panic.
        let odd = r#"{"header":{"messagePurpose":"commandResponse","requestId":5},"body":{"statusCode":"x"}}"#;
        assert!(
            matches!(parse(odd).unwrap(), Incoming::CommandResponse { status_code: 0, ref request_id, .. } if request_id == "5")
        );
    }
}
