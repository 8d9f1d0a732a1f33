//! What running an action came to, typed up to the words on screen: [`ActionError`] (why an
//! action failed, carrying the typed error of the part that failed), [`RconDown`] (why the
//! Minecraft connection is down and when the next try is) and [`FailedAction`] (the last
//! failure, for the queue panel). The app's `ui/failure.rs` turns them into plain words with
//! advice, the same advice its RCON Test button gives; `--execute` prints their `Display`.
//!
//! The errors inside are shared (`Arc`): a log line is kept by the executor, copied to the
//! window and to a printer. Two values compare equal when they hold the same error (the same
//! `Arc`), which is what "the status changed" means.

use std::sync::Arc;
use std::time::Duration;

use super::bedrock::BedrockError;
use super::keys::{KeysError, PlanError};
use super::obs::ObsError;
use super::placeholders::RenderError;
use super::rcon::RconError;
use super::sound::SoundError;
use super::speak::{SpeechError, SpeechFull};
use super::webhook::WebhookError;

/// Why an action failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ActionError {
    #[error("RCON is not configured (set host, port and password)")]
    RconNotConfigured,
    /// The Minecraft server at `address` (`host:port`) failed the command.
    #[error("{error}")]
    Rcon {
        address: String,
        error: Arc<RconError>,
    },
    /// The Bedrock world on `port` failed the command (or never answered).
    #[error("{error}")]
    Bedrock { port: u16, error: Arc<BedrockError> },
    #[error("{0}")]
    Webhook(Arc<WebhookError>),
    #[error("OBS is not set up (Settings > OBS: host, port and password)")]
    ObsNotConfigured,
    #[error("{0}")]
    Obs(Arc<ObsError>),
    #[error("cannot start the sound thread: {0}")]
    SoundThread(Arc<std::io::Error>),
    #[error("{0}")]
    Sound(SoundError),
    /// The command's placeholders could not be filled in safely: nothing was sent.
    #[error("{0}")]
    Render(RenderError),
    #[error("random: no other enabled mapping with actions to pick")]
    NothingToPick,
    /// A keys action that cannot be planned (a misspelt key name, a hold past the limit).
    #[error("{0}")]
    KeysPlan(PlanError),
    /// The keystroke thread could not send (no X display, the focus guard, release all…).
    #[error("{0}")]
    Keys(KeysError),
    /// A `speak` action whose text the word filter emptied.
    #[error("nothing left to say after the word filter")]
    NothingToSay,
    #[error("{0}")]
    SpeechFull(SpeechFull),
    /// The speech service failed (not installed, not running…).
    #[error("{0}")]
    Speech(SpeechError),
    /// A counter or stream timer action written without its one change.
    #[error("{0}")]
    CounterAction(crate::counter_hub::CounterActionError),
    /// A counter action names a counter that is not defined.
    #[error("{0}")]
    Counter(crate::counter_hub::CounterError),
    #[error("counters are off here (no counters set up)")]
    CountersOff,
}

impl ActionError {
    pub fn rcon(address: String, error: RconError) -> Self {
        Self::Rcon {
            address,
            error: Arc::new(error),
        }
    }

    pub fn bedrock(port: u16, error: BedrockError) -> Self {
        Self::Bedrock {
            port,
            error: Arc::new(error),
        }
    }
}

impl PartialEq for ActionError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::RconNotConfigured, Self::RconNotConfigured)
            | (Self::ObsNotConfigured, Self::ObsNotConfigured)
            | (Self::NothingToPick, Self::NothingToPick)
            | (Self::NothingToSay, Self::NothingToSay) => true,
            (Self::KeysPlan(a), Self::KeysPlan(b)) => a == b,
            (Self::Keys(a), Self::Keys(b)) => a == b,
            (Self::SpeechFull(a), Self::SpeechFull(b)) => a == b,
            (Self::Speech(a), Self::Speech(b)) => a == b,
            (Self::Rcon { error: a, .. }, Self::Rcon { error: b, .. }) => Arc::ptr_eq(a, b),
            (Self::Bedrock { error: a, .. }, Self::Bedrock { error: b, .. }) => Arc::ptr_eq(a, b),
            (Self::Webhook(a), Self::Webhook(b)) => Arc::ptr_eq(a, b),
            (Self::Obs(a), Self::Obs(b)) => Arc::ptr_eq(a, b),
            (Self::SoundThread(a), Self::SoundThread(b)) => Arc::ptr_eq(a, b),
            (Self::Sound(a), Self::Sound(b)) => a == b,
            (Self::Render(a), Self::Render(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for ActionError {}

/// The Minecraft server cannot be reached: why, and when the runner tries again.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{} (retrying in {:.1} s)", .error, .retry_in.as_secs_f64())]
pub struct RconDown {
    /// `host:port`.
    pub address: String,
    pub error: Arc<RconError>,
    pub retry_in: Duration,
}

impl PartialEq for RconDown {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.error, &other.error) && self.retry_in == other.retry_in
    }
}

impl Eq for RconDown {}

/// The last action that failed, as the queue panel shows it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{action}: {error}")]
pub struct FailedAction {
    /// What ran, e.g. `/say hi`.
    pub action: String,
    pub error: ActionError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_are_the_errors_own_and_equality_is_identity() {
        let refused = || RconError::Connect {
            addr: "127.0.0.1:25575".into(),
            source: std::io::ErrorKind::ConnectionRefused.into(),
        };
        let down = RconDown {
            address: "127.0.0.1:25575".into(),
            error: Arc::new(refused()),
            retry_in: Duration::from_millis(1_500),
        };
        assert_eq!(
            down.to_string(),
            format!("{} (retrying in 1.5 s)", refused())
        );
        assert_eq!(down, down.clone(), "the same error");
        let again = RconDown {
            error: Arc::new(refused()),
            ..down.clone()
        };
        assert_ne!(down, again, "a new attempt failing is a change");
        let failed = FailedAction {
            action: "/say hi".into(),
            error: ActionError::rcon("127.0.0.1:25575".into(), refused()),
        };
        assert_eq!(failed.to_string(), format!("/say hi: {}", refused()));
        assert_eq!(
            ActionError::RconNotConfigured.to_string(),
            "RCON is not configured (set host, port and password)"
        );
    }
}
