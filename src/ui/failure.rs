//! Errors a streamer meets, in plain words: what happened (one short sentence) and what to do,
//! chosen by matching the failure's kind ([`FailureKind`] for TikTok, [`RconProblem`] for the
//! Minecraft server), never by searching its text. The technical detail stays one click away.
//! Errors stay typed until here and are worded here, once: the same RCON failure reads the same
//! whether the Test button, the queue's connection line or a failed command met it.

use std::sync::Arc;
use std::time::SystemTime;

use super::errors::{DemoError, FileError, ObsTestError, SaveError, SessionKeepError};
use crate::actions::{ActionError, RconDown, RconError, RconProblem};
use crate::i18n::tr;
use crate::live::{FailureKind, Outage, ProviderKind, Route, SessionWarning};
use crate::settings::SecretsWarning;

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
        ActionError::Bedrock { port, error } => bedrock_failure(*port, error),
        other => Plain {
            headline: other.to_string(),
            advice: String::new(),
            detail: String::new(),
        },
    }
}

/// A command the Bedrock world did not run: the error's own words, and what to do.
pub fn bedrock_failure(port: u16, error: &crate::actions::BedrockError) -> Plain {
    use crate::actions::BedrockError;
    let again = crate::trf!(
        "bedrock-type-again",
        command = crate::actions::bedrock::connect_command(port)
    );
    let advice = match error {
        BedrockError::NotConnected { .. } | BedrockError::Disconnected { .. } => again,
        BedrockError::Refused { code, .. } if *code == -2_147_483_646 => {
            tr("bedrock-cheats-off").to_owned()
        }
        BedrockError::Refused { .. } => tr("bedrock-refused").to_owned(),
        BedrockError::NoAnswer { .. } => tr("bedrock-no-answer").to_owned(),
        _ => String::new(),
    };
    Plain {
        headline: error.to_string(),
        advice,
        detail: String::new(),
    }
}

/// An import or export that did not happen, for a notice (its message already names the file).
pub fn file_failure(error: &FileError) -> String {
    match error {
        FileError::Task { what, source } => {
            crate::trf!("file-task-failed", what = *what, error = source.to_string())
        }
        FileError::Import(err) => crate::trf!("file-import-failed", error = err.to_string()),
        FileError::ImportT2m(err) => crate::trf!("file-import-failed", error = err.to_string()),
        FileError::Export(err) => crate::trf!("file-export-failed", error = err.to_string()),
    }
}

/// Settings that could not be saved: the notice, and the status bar's short line.
pub fn save_failure(error: &SaveError) -> String {
    crate::trf!("save-failed", error = error.to_string())
}

/// The status bar's line for a failed save.
pub fn save_failure_short(error: &SaveError) -> String {
    crate::trf!("save-failed-short", error = error.to_string())
}

/// The demo could not start: nothing of TikTok's failed, the notice says what did.
pub fn demo_failure(error: &DemoError) -> String {
    let why = match error {
        DemoError::Minecraft(err) => crate::trf!("demo-minecraft-failed", error = err.to_string()),
        DemoError::Tiktok(err) => crate::trf!("demo-tiktok-failed", error = err.to_string()),
    };
    crate::trf!("demo-failed", error = why)
}

/// OBS's Test connection failed.
pub fn obs_test_failure(error: &ObsTestError) -> String {
    let why = match error {
        ObsTestError::NotSetUp => tr("obs-not-set-up").to_owned(),
        ObsTestError::Failed(err) => err.to_string(),
    };
    crate::trf!("obs-test-failed", error = why)
}

/// What one press of the panic button did, in the window's words (the log keeps the report's
/// own English).
pub fn panic_words(report: &crate::actions::PanicReport) -> String {
    use crate::actions::ServerId;
    let mut words = crate::trf!("panic-cleared", count = report.cleared_total());
    if report.cleared_held > 0 {
        words += &crate::trf!("panic-held", count = report.cleared_held);
    }
    if report.released.keys {
        words += tr("panic-keys");
    }
    if report.released.speech {
        words += tr("panic-speech");
    }
    words += &match (report.cleanup, &report.server) {
        (0, ServerId::NotSet) => tr("panic-no-server").to_owned(),
        (0, _) => tr("panic-no-cleanup").to_owned(),
        (n, server) => crate::trf!("panic-sent", count = n, server = server.to_string()),
    };
    words
}

/// A session's warning, for a notice.
pub fn session_warning(warning: &SessionWarning) -> String {
    warning.to_string()
}

/// The TikTok session was not saved (or not forgotten), under the paste field.
pub fn session_keep_failure(error: &SessionKeepError) -> String {
    let not_done = |saving: bool| {
        if saving {
            tr("session-not-saved")
        } else {
            tr("session-not-forgotten")
        }
    };
    match error {
        SessionKeepError::NotASession(err) => {
            crate::trf!("session-not-a-session", error = err.to_string())
        }
        SessionKeepError::Keyring { saving, error } => crate::trf!(
            "session-keyring-failed",
            what = not_done(*saving),
            error = error.to_string()
        ),
        SessionKeepError::TaskStopped { saving } => {
            crate::trf!("session-task-stopped", what = not_done(*saving))
        }
    }
}

/// Where the settings' secrets are (or are not), for a notice or the settings banner.
pub fn secrets_warning(warning: &SecretsWarning) -> String {
    let mut words = warning.to_string();
    if let Some(first) = words.get(..1) {
        words.replace_range(..1, &first.to_uppercase());
    }
    words.push('.');
    words
}

/// A TikTok connection failure. `who` is the @user (or "the demo").
pub fn tiktok_failure(kind: FailureKind, who: &str, detail: &str) -> Plain {
    let (headline, advice) = match kind {
        FailureKind::NoInternet => (
            tr("tiktok-no-internet").to_owned(),
            tr("tiktok-no-internet-advice"),
        ),
        FailureKind::TiktokUnreachable => (
            tr("tiktok-tiktok-unreachable").to_owned(),
            tr("tiktok-tiktok-unreachable-advice"),
        ),
        FailureKind::UserNotFound => (
            crate::trf!("tiktok-user-not-found", who = who),
            tr("tiktok-user-not-found-advice"),
        ),
        FailureKind::NotLive => (
            crate::trf!("tiktok-not-live", who = who),
            tr("tiktok-not-live-advice"),
        ),
        FailureKind::SignRefused => (
            tr("tiktok-sign-refused").to_owned(),
            tr("tiktok-sign-refused-advice"),
        ),
        FailureKind::RateLimited => (
            tr("tiktok-rate-limited").to_owned(),
            tr("tiktok-rate-limited-advice"),
        ),
        FailureKind::Blocked => (tr("tiktok-blocked").to_owned(), tr("tiktok-blocked-advice")),
        FailureKind::ProviderDown => (
            tr("tiktok-provider-down").to_owned(),
            tr("tiktok-provider-down-advice"),
        ),
        FailureKind::TooManyConnections => (
            tr("tiktok-too-many-connections").to_owned(),
            tr("tiktok-too-many-connections-advice"),
        ),
        FailureKind::AgeRestricted => (
            tr("tiktok-age-restricted").to_owned(),
            tr("tiktok-age-restricted-advice"),
        ),
        FailureKind::Protocol => (
            tr("tiktok-protocol").to_owned(),
            tr("tiktok-protocol-advice"),
        ),
    };
    Plain {
        headline,
        advice: advice.to_owned(),
        detail: detail.to_owned(),
    }
}

/// The line `giftdeck watch` prints after `failed: …`: what went wrong and what to do, with the
/// command line's flags instead of the window's settings.
pub fn watch_advice(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::NoInternet => {
            "no internet connection: check the network (DNS failed or no host could be reached)"
        }
        FailureKind::TiktokUnreachable => {
            "TikTok or the sign server cannot be reached right now (timeout, TLS or 5xx): try again later"
        }
        FailureKind::UserNotFound => "no such TikTok user: check the spelling of the @username",
        FailureKind::NotLive => "the user is not live right now: run again once the stream starts",
        FailureKind::SignRefused => {
            "the provider refused the API key: check --sign-api-key or GIFTDECK_SIGN_API_KEY (and --euler-ws-api-key)"
        }
        FailureKind::RateLimited => {
            "rate limited: wait as the provider asked, or use your own sign server API key"
        }
        FailureKind::Blocked => {
            "TikTok blocked this connection: wait a few minutes, change network, pass --room-id, or add --provider euler-ws"
        }
        FailureKind::ProviderDown => {
            "every provider of the chain is failing: add another with --provider (euler-ws, custom) or try again later"
        }
        FailureKind::TooManyConnections => {
            "too many connections on the provider account: stop the other clients that use the same key"
        }
        FailureKind::AgeRestricted => {
            "this room is 18+: add your TikTok session in Settings (the window), then run again"
        }
        FailureKind::Protocol => {
            "TikTok or the sign server sent something unexpected: see the detail above (and the log)"
        }
    }
}

/// What a provider is called on screen.
pub fn provider_name(kind: ProviderKind, sign_is_euler: bool) -> &'static str {
    match kind {
        ProviderKind::Sign if sign_is_euler => tr("provider-euler-sign"),
        ProviderKind::Sign => tr("provider-sign"),
        ProviderKind::EulerWs => tr("provider-euler-ws"),
        ProviderKind::Custom => tr("provider-custom"),
    }
}

/// One failing provider in words: "Euler's sign server is failing right now (HTTP 500 since
/// 14:02)". `clock` turns the outage's start into the time of day shown.
pub fn outage_words(
    outage: &Outage,
    sign_is_euler: bool,
    clock: &dyn Fn(SystemTime) -> String,
) -> String {
    let name = provider_name(outage.provider, sign_is_euler);
    let since = clock(outage.since);
    let code = match (outage.kind, outage.code) {
        (FailureKind::ProviderDown, Some(code)) if code < 1000 => format!("HTTP {code} "),
        (_, Some(code)) if code >= 1000 => crate::trf!("outage-code", code = code.to_string()),
        _ => String::new(),
    };
    let what = match outage.kind {
        FailureKind::ProviderDown => crate::trf!("outage-is-failing-right", name = name),
        FailureKind::RateLimited => crate::trf!("outage-is-rate-limiting", name = name),
        FailureKind::SignRefused => crate::trf!("outage-refused-the-api", name = name),
        FailureKind::Blocked => crate::trf!("outage-is-blocked-by", name = name),
        FailureKind::TooManyConnections => crate::trf!("outage-has-too-many", name = name),
        FailureKind::NoInternet | FailureKind::TiktokUnreachable => {
            crate::trf!("outage-cannot-be-reached", name = name)
        }
        FailureKind::UserNotFound => crate::trf!("outage-does-not-know", name = name),
        FailureKind::NotLive => crate::trf!("outage-says-the-stream", name = name),
        FailureKind::AgeRestricted => crate::trf!("outage-cannot-open-an", name = name),
        FailureKind::Protocol => crate::trf!("outage-sends-answers-giftdeck", name = name),
    };
    crate::trf!("outage-line", what = what, code = code, since = since)
}

/// The route in words when it is not the usual one: the outages ahead of the provider carrying
/// the stream, then which one that is. `None` when nothing is failing.
pub fn route_words(route: &Route, clock: &dyn Fn(SystemTime) -> String) -> Option<String> {
    if route.outages.is_empty() {
        return None;
    }
    let outages: Vec<String> = route
        .outages
        .iter()
        .map(|o| outage_words(o, route.sign_is_euler, clock))
        .collect();
    Some(crate::trf!(
        "route-instead",
        outages = outages.join("; "),
        via = provider_name(route.via, route.sign_is_euler)
    ))
}

/// The local time of day, `14:02`, for outage words.
pub fn local_clock(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Local>::from(time)
        .format("%H:%M")
        .to_string()
}

/// A Minecraft server (RCON) failure; `address` is `host:port`.
pub fn rcon_failure(problem: RconProblem, address: &str, detail: &str) -> Plain {
    let (headline, advice) = match problem {
        RconProblem::ServerDown => (
            crate::trf!("rcon-server-down", address = address),
            tr("rcon-server-down-advice"),
        ),
        RconProblem::Unreachable => (
            crate::trf!("rcon-unreachable", address = address),
            tr("rcon-unreachable-advice"),
        ),
        RconProblem::NoAnswer => (
            crate::trf!("rcon-no-answer", address = address),
            tr("rcon-no-answer-advice"),
        ),
        RconProblem::WrongPassword => (
            tr("rcon-wrong-password").to_owned(),
            tr("rcon-wrong-password-advice"),
        ),
        RconProblem::NoPassword => (
            tr("rcon-no-password").to_owned(),
            tr("rcon-no-password-advice"),
        ),
        RconProblem::ConnectionLost => (
            crate::trf!("rcon-connection-lost", address = address),
            tr("rcon-connection-lost-advice"),
        ),
        RconProblem::BadCommand => (
            tr("rcon-bad-command").to_owned(),
            tr("rcon-bad-command-advice"),
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
    fn an_outage_names_the_provider_what_it_did_and_since_when() {
        let clock = |_: SystemTime| "14:02".to_owned();
        let route = Route {
            via: ProviderKind::EulerWs,
            outages: vec![Outage {
                provider: ProviderKind::Sign,
                kind: FailureKind::ProviderDown,
                code: Some(500),
                since: SystemTime::UNIX_EPOCH,
            }],
            sign_is_euler: true,
        };
        assert_eq!(
            route_words(&route, &clock).as_deref(),
            Some(
                "Euler's sign server is failing right now (HTTP 500 since 14:02); connected through Euler's WebSocket instead"
            )
        );
        let calm = Route {
            outages: Vec::new(),
            ..route.clone()
        };
        assert_eq!(route_words(&calm, &clock), None);
        // Every kind has its own words for an outage, and codes show as HTTP or close codes.
        let mut seen = std::collections::HashSet::new();
        for kind in FailureKind::ALL {
            let outage = Outage {
                provider: ProviderKind::Custom,
                kind,
                code: None,
                since: SystemTime::UNIX_EPOCH,
            };
            let words = outage_words(&outage, false, &clock);
            assert!(words.starts_with("your own sign server "), "{words}");
            seen.insert(words);
        }
        let closed = Outage {
            provider: ProviderKind::EulerWs,
            kind: FailureKind::ProviderDown,
            code: Some(4556),
            since: SystemTime::UNIX_EPOCH,
        };
        assert!(outage_words(&closed, false, &clock).contains("(code 4556 since 14:02)"));
        assert_eq!(provider_name(ProviderKind::Sign, false), "the sign server");
        assert!(local_clock(SystemTime::now()).len() == 5);
    }

    #[test]
    fn every_kind_has_its_own_watch_advice() {
        let lines: std::collections::HashSet<_> =
            FailureKind::ALL.iter().map(|k| watch_advice(*k)).collect();
        assert_eq!(lines.len(), FailureKind::ALL.len());
        assert!(
            tiktok_failure(FailureKind::AgeRestricted, "@bob", "")
                .headline
                .contains("This room is 18+: add your TikTok session in Settings")
        );
    }

    #[test]
    fn keyring_and_session_failures_are_worded_here_from_their_types() {
        use crate::keystore::{KeyringError, SessionError};
        let not_a_session =
            session_keep_failure(&SessionKeepError::NotASession(SessionError::NoSessionId));
        assert!(
            not_a_session.starts_with("That is not a TikTok session: paste the value"),
            "{not_a_session}"
        );
        let error = KeyringError::Unavailable {
            detail: "no session bus".into(),
        };
        let saving = session_keep_failure(&SessionKeepError::Keyring {
            saving: true,
            error: error.clone(),
        });
        assert_eq!(
            saving,
            "The session was not saved: this computer has no keyring giftdeck can use (no session bus)."
        );
        let forgetting = session_keep_failure(&SessionKeepError::TaskStopped { saving: false });
        assert!(forgetting.starts_with("The saved session was not forgotten"));
        let banner = secrets_warning(&SecretsWarning::NoKeyring(error));
        assert!(
            banner.starts_with("This computer has no keyring") && banner.ends_with("works."),
            "{banner}"
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
