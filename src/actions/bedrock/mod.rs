//! Minecraft Bedrock Edition over `/connect`: giftdeck listens on 127.0.0.1 and the game, told
//! `/connect 127.0.0.1:PORT` in a world with cheats on, connects as a WebSocket client. Commands
//! go out as `commandRequest` messages (at most [`MAX_IN_FLIGHT`] unanswered, well under the
//! game's 100), replies come back into the queue's log, the game's events (a death, chat) are
//! typed for world awareness. Here: the settings and errors; the message formats (`protocol`), the
//! encryption (`crypto`), the listener (`server`), the game's handle (`link`), one connection
//! (`session`),
//! the events (`events`), Bedrock's grammar (`reader`) and escaping (`escape`), and the queue's
//! use of a link (`queue_glue`).

pub mod crypto;
pub mod escape;
#[cfg(test)]
mod escape_props;
pub mod events;
mod link;
pub mod protocol;
pub(super) mod queue_glue;
pub mod reader;
mod server;
mod session;

use std::time::Duration;

pub use events::GameEvent;
pub use link::{BedrockLink, Done, GameState};
pub use server::BedrockServer;

/// giftdeck's default port for the game (`/connect 127.0.0.1:23880`).
pub const DEFAULT_PORT: u16 = 23_880;

/// Most commands giftdeck leaves unanswered at once: the game refuses the 101st ("too many
/// commands"), and other tools or giftdeck's own requests may use some of its room.
pub const MAX_IN_FLIGHT: usize = 64;

/// How long a command may go unanswered before it counts as failed.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// The Bedrock section of the settings (`bedrock.enabled`, `bedrock.port`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct BedrockSettings {
    /// The streamer's world is Bedrock Edition: commands go to the game over `/connect`
    /// instead of RCON.
    pub enabled: bool,
    /// The port giftdeck listens on (127.0.0.1 only).
    pub port: u16,
}

impl Default for BedrockSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            port: DEFAULT_PORT,
        }
    }
}

/// What the streamer types in the game's chat.
pub fn connect_command(port: u16) -> String {
    format!("/connect 127.0.0.1:{port}")
}

/// A command's reply, as the game sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// Negative: the command failed.
    pub status_code: i64,
    pub message: String,
}

/// Why something Bedrock did not work, in words for the streamer.
#[derive(Debug, thiserror::Error)]
pub enum BedrockError {
    #[error(
        "port {port} on 127.0.0.1 is already in use (another giftdeck, or another tool for \
         /connect). Close it, or pick another port for the Bedrock world in Settings \
         (bedrock.port) or with --bedrock-port PORT"
    )]
    PortInUse { port: u16 },
    #[error("cannot open port {port} on 127.0.0.1 for the Bedrock world: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the Bedrock world is not connected: type {} in the game's chat (cheats on)",
        connect_command(*.port)
    )]
    NotConnected { port: u16 },
    #[error("the game refused the command: {message} ({})", status_words(*.code))]
    Refused { code: i64, message: String },
    #[error("the game had too many commands waiting ({message}); giftdeck sends it again")]
    TooMany { message: String },
    #[error("the game did not answer within {} s", .after.as_secs())]
    NoAnswer { after: Duration },
    #[error(
        "the game disconnected before answering: the command may or may not have run ({reason})"
    )]
    Disconnected { reason: String },
    #[error("the Bedrock connection stopped")]
    Stopped,
}

/// The game's status codes in words (the peers' names for them).
pub fn status_words(code: i64) -> String {
    let words = match code {
        -2_147_483_648 => "syntax error",
        -2_147_483_647 => "unknown command",
        -2_147_483_646 => "not enough permission: turn cheats on in this world",
        -2_147_483_645 | -2_147_418_110 => "the game's command version differs",
        -2_147_483_641 => "commands are turned off in this world",
        -2_147_483_639 => "no target matched",
        -2_147_418_109 => "too many commands waiting",
        -2_147_418_107 => "the game requires an encrypted connection",
        -2_147_352_576 => "the command did not work",
        _ => return format!("status {code}"),
    };
    format!("{words}, status {code}")
}
