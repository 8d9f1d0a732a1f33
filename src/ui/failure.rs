//! Errors a streamer meets, in plain words: what happened (one short sentence) and what to do,
//! chosen by matching the failure's kind ([`FailureKind`] for TikTok, [`RconProblem`] for the
//! Minecraft server), never by searching its text. The technical detail stays one click away.
//! Errors stay typed until here and are worded here, once: the same RCON failure reads the same
//! whether the Test button, the queue's connection line or a failed command met it.

use std::sync::Arc;

use super::errors::{DemoError, FileError, ObsTestError, SaveError};
use crate::actions::{ActionError, RconDown, RconError, RconProblem};
use crate::live::{FailureKind, SessionWarning};

/// A failure as the window says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plain {
    /// What happened, in one short sentence a streamer understands.
    pub headline: String,
    /// What to do about it.
    pub advice: String,
    /// The technical detail (error chain), shown only on request.
    pub detail: String,
}

/// A failed RCON test, as the settings window and the checklist keep it.
#[derive(Clone, Debug)]
pub struct RconFailure {
    /// `host:port`.
    pub address: String,
    pub error: Arc<RconError>,
}

impl PartialEq for RconFailure {
    /// The same failure: the same error (a new test is a new one).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.error, &other.error)
    }
}

impl RconFailure {
    pub fn problem(&self) -> RconProblem {
        self.error.problem()
    }

    pub fn plain(&self) -> Plain {
        rcon_error(&self.address, &self.error)
    }
}

/// A Minecraft server error at `address` (`host:port`), in the words of its kind.
pub fn rcon_error(address: &str, error: &RconError) -> Plain {
    rcon_failure(error.problem(), address, &error.to_string())
}

/// The queue's connection to the Minecraft server is down: the same words as the Test button's
/// for the same failure, and when the next try is in the detail.
pub fn rcon_down(down: &RconDown) -> Plain {
    Plain {
        detail: down.to_string(),
        ..rcon_error(&down.address, &down.error)
    }
}

/// A failed action: Minecraft failures in the words of their kind (the Test button's); any other
/// says what it is (its message is already written for the streamer).
pub fn action_failure(error: &ActionError) -> Plain {
    match error {
        ActionError::Rcon { address, error } => rcon_error(address, error),
        other => Plain {
            headline: other.to_string(),
            advice: String::new(),
            detail: String::new(),
        },
    }
}

/// An import or export that did not happen, for a notice (its message already names the file).
pub fn file_failure(error: &FileError) -> String {
    error.to_string()
}

/// Settings that could not be saved: the notice, and the status bar's short line.
pub fn save_failure(error: &SaveError) -> String {
    format!("Could not save settings: {error}")
}

/// The status bar's line for a failed save.
pub fn save_failure_short(error: &SaveError) -> String {
    format!("save failed: {error}")
}

/// The demo could not start: nothing of TikTok's failed, the notice says what did.
pub fn demo_failure(error: &DemoError) -> String {
    format!("Demo could not start: {error}")
}

/// OBS's Test connection failed.
pub fn obs_test_failure(error: &ObsTestError) -> String {
    format!("✖ {error}")
}

/// A session's warning, for a notice.
pub fn session_warning(warning: &SessionWarning) -> String {
    warning.to_string()
}

/// A TikTok connection failure. `who` is the @user (or "the demo").
pub fn tiktok_failure(kind: FailureKind, who: &str, detail: &str) -> Plain {
    let (headline, advice) = match kind {
        FailureKind::NoInternet => (
            "No internet connection.".to_owned(),
            "Check that this computer is online (Wi-Fi or cable), then press Connect again.",
        ),
        FailureKind::TiktokUnreachable => (
            "TikTok cannot be reached right now.".to_owned(),
            "TikTok or the sign server did not answer. Try again in a minute.",
        ),
        FailureKind::UserNotFound => (
            format!("There is no TikTok user {who}."),
            "Check the spelling of the @username.",
        ),
        FailureKind::NotLive => (
            format!("{who} is not live right now."),
            "Start your LIVE in TikTok first, then press Connect (or press Demo to practise).",
        ),
        FailureKind::SignRefused => (
            "The sign server refused the API key.".to_owned(),
            "Check the API key in ⚙ Settings, or remove it to use the free sign server.",
        ),
        FailureKind::RateLimited => (
            "Too many attempts: the sign server is rate-limiting.".to_owned(),
            "Wait a minute before connecting again, or set your own API key in ⚙ Settings.",
        ),
        FailureKind::Blocked => (
            "TikTok blocked this connection.".to_owned(),
            "Wait a few minutes, or try another network.",
        ),
        FailureKind::Protocol => (
            "TikTok answered something giftdeck did not expect.".to_owned(),
            "Try again; if it keeps happening, the log file has the details.",
        ),
    };
    Plain {
        headline,
        advice: advice.to_owned(),
        detail: detail.to_owned(),
    }
}

/// A Minecraft server (RCON) failure; `address` is `host:port`.
pub fn rcon_failure(problem: RconProblem, address: &str, detail: &str) -> Plain {
    let (headline, advice) = match problem {
        RconProblem::ServerDown => (
            format!("The Minecraft server at {address} is not answering."),
            "Start the server, and check enable-rcon=true and rcon.port in server.properties.",
        ),
        RconProblem::Unreachable => (
            format!("{address} cannot be reached."),
            "Check the host: the server's address, or 127.0.0.1 when it runs on this computer.",
        ),
        RconProblem::NoAnswer => (
            format!("The Minecraft server at {address} did not answer in time."),
            "Check the port: it is rcon.port (often 25575), not the game port 25565.",
        ),
        RconProblem::WrongPassword => (
            "The Minecraft server refused the password.".to_owned(),
            "Type the rcon.password from server.properties exactly.",
        ),
        RconProblem::NoPassword => (
            "No RCON password yet.".to_owned(),
            "Type the rcon.password from server.properties.",
        ),
        RconProblem::ConnectionLost => (
            format!("The connection to {address} broke off."),
            "Check that the port is the RCON port, then test again.",
        ),
        RconProblem::BadCommand => (
            "A command could not be sent.".to_owned(),
            "Shorten the command or remove odd characters from it.",
        ),
    };
    Plain {
        headline,
        advice: advice.to_owned(),
        detail: detail.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tiktok_failure_has_its_own_plain_words_without_the_detail() {
        let detail = "error sending request for url (https://www.tiktok.com/@bob/live): dns error";
        let mut headlines = std::collections::HashSet::new();
        for kind in FailureKind::ALL {
            let plain = tiktok_failure(kind, "@bob", detail);
            assert!(
                !plain.headline.contains("http"),
                "{kind:?}: {}",
                plain.headline
            );
            assert!(
                plain.headline.len() < 60,
                "{kind:?} is short: {}",
                plain.headline
            );
            assert!(!plain.advice.is_empty());
            assert_eq!(
                plain.detail, detail,
                "the detail is kept for the Details button"
            );
            headlines.insert(plain.headline);
        }
        assert_eq!(
            headlines.len(),
            FailureKind::ALL.len(),
            "one headline per kind"
        );
        assert_eq!(
            tiktok_failure(FailureKind::NoInternet, "@bob", detail).headline,
            "No internet connection."
        );
        assert!(
            tiktok_failure(FailureKind::NotLive, "@bob", "")
                .headline
                .contains("@bob is not live")
        );
    }

    #[test]
    fn the_same_rcon_failure_reads_the_same_from_the_test_the_queue_and_a_command() {
        let refused = || RconError::Connect {
            addr: "127.0.0.1:25575".into(),
            source: std::io::ErrorKind::ConnectionRefused.into(),
        };
        let address = "127.0.0.1:25575".to_owned();
        let test = RconFailure {
            address: address.clone(),
            error: Arc::new(refused()),
        }
        .plain();
        let queue = rcon_down(&RconDown {
            address: address.clone(),
            error: Arc::new(refused()),
            retry_in: std::time::Duration::from_secs(2),
        });
        let command = action_failure(&ActionError::rcon(address, refused()));
        for other in [&queue, &command] {
            assert_eq!(
                (&other.headline, &other.advice),
                (&test.headline, &test.advice)
            );
        }
        assert!(test.advice.contains("enable-rcon"), "{}", test.advice);
        assert!(
            queue.detail.contains("retrying in 2.0 s"),
            "{}",
            queue.detail
        );
    }

    #[test]
    fn minecraft_down_and_wrong_password_say_so() {
        let down = rcon_failure(RconProblem::ServerDown, "127.0.0.1:25575", "refused");
        assert!(down.headline.contains("not answering"), "{}", down.headline);
        assert!(down.advice.contains("enable-rcon"));
        let wrong = rcon_failure(RconProblem::WrongPassword, "127.0.0.1:25575", "");
        assert!(wrong.headline.contains("password"), "{}", wrong.headline);
    }
}
