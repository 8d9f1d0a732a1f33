//! The OS keyring (Secret Service on Linux, Windows Credential Manager, macOS Keychain): the
//! streamer's TikTok session and the settings' secrets (`settings::vault`) are stored, read and
//! deleted here and nowhere else, so they never reach settings.json, a log line, an export or the
//! screen. Every call runs on a named thread with a deadline: a missing keyring (no session bus) or
//! a locked one with no prompt is a typed error in plain words, never a hang, and the app goes on
//! without what the keyring holds.

use std::fmt;
use std::time::Duration;

/// The keyring entries: service and user name, as a second client (`secret-tool lookup service
/// giftdeck username tiktok-session`) finds them.
pub const SERVICE: &str = "giftdeck";
pub const TIKTOK_SESSION: &str = "tiktok-session";
/// The settings' passwords, API keys and webhook URLs, as one JSON object (`settings::vault`).
pub const SETTINGS_SECRETS: &str = "settings-secrets";

/// Libraries whose debug and trace logs show secrets: what goes over D-Bus to the keyring, and a
/// WebSocket request's URL and headers (an API key, the session cookie). The app's log filter keeps
/// them at warnings whatever `GIFTDECK_LOG` asks for.
const QUIET_TARGETS: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "zbus",
    "secret_service",
    "zbus_secret_service_keyring_store",
    "keyring",
    "keyring_core",
];

/// `filter` with the libraries whose traces show secrets (the keyring's D-Bus, WebSocket
/// requests) held at warnings.
pub fn quiet_log_filter(
    mut filter: tracing_subscriber::EnvFilter,
) -> tracing_subscriber::EnvFilter {
    for target in QUIET_TARGETS {
        if let Ok(directive) = format!("{target}=warn").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// How long a keyring call may take before giftdeck stops waiting for it.
pub const DEADLINE: Duration = Duration::from_secs(5);

/// The streamer's TikTok session: the cookies the reference clients send for rooms that need a
/// login. `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct TikTokSession {
    pub sessionid: String,
    pub sessionid_ss: Option<String>,
    /// TikTok's data centre for the account (`useast1a`, `useast5`, …).
    pub tt_target_idc: Option<String>,
}

impl fmt::Debug for TikTokSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TikTokSession")
            .field("sessionid", &"<redacted>")
            .field(
                "sessionid_ss",
                &self.sessionid_ss.as_ref().map(|_| "<redacted>"),
            )
            .field("tt_target_idc", &self.tt_target_idc)
            .finish()
    }
}

/// Why what was pasted is not a session.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("paste the value of the sessionid cookie, or the whole cookie line that contains it")]
    NoSessionId,
    #[error("the {name} cookie holds characters a cookie cannot")]
    BadValue { name: &'static str },
}

impl TikTokSession {
    /// Reads what the streamer pasted: the `sessionid` value alone, or a cookie line (`sessionid=…;
    /// sessionid_ss=…; tt-target-idc=…`, as a browser's developer tools copy it).
    pub fn parse(pasted: &str) -> Result<Self, SessionError> {
        let pasted = pasted.trim();
        let mut session = Self {
            sessionid: String::new(),
            sessionid_ss: None,
            tt_target_idc: None,
        };
        if !pasted.contains('=') {
            session.sessionid = checked(pasted, "sessionid")?;
        } else {
            for pair in pasted.split(';') {
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match name.trim() {
                    "sessionid" => session.sessionid = checked(value, "sessionid")?,
                    "sessionid_ss" => session.sessionid_ss = Some(checked(value, "sessionid_ss")?),
                    "tt-target-idc" => {
                        session.tt_target_idc = Some(checked(value, "tt-target-idc")?);
                    }
                    _ => {}
                }
            }
        }
        if session.sessionid.is_empty() {
            return Err(SessionError::NoSessionId);
        }
        Ok(session)
    }

    /// The `Cookie` header value for TikTok (`sessionid_ss` defaults to `sessionid`, as the
    /// browser sets both to one value).
    pub fn cookie_header(&self) -> String {
        let ss = self.sessionid_ss.as_deref().unwrap_or(&self.sessionid);
        let mut cookie = format!("sessionid={}; sessionid_ss={ss}", self.sessionid);
        if let Some(idc) = &self.tt_target_idc {
            cookie.push_str("; tt-target-idc=");
            cookie.push_str(idc);
        }
        cookie
    }

    /// What the keyring holds: the cookie line, which [`TikTokSession::parse`] reads back.
    fn secret(&self) -> String {
        self.cookie_header()
    }
}

/// A cookie value: visible ASCII without separators (so it cannot break a header).
fn checked(value: &str, name: &'static str) -> Result<String, SessionError> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b",;\\\"".contains(&b));
    if ok {
        Ok(value.to_owned())
    } else if value.is_empty() {
        Err(SessionError::NoSessionId)
    } else {
        Err(SessionError::BadValue { name })
    }
}

/// Why the keyring could not be used. The words say what happened; the caller says what it means
/// for the streamer (the session is not used, the settings' secrets stay in the file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("this computer has no keyring giftdeck can use ({detail})")]
    Unavailable { detail: String },
    #[error("the keyring is locked ({detail}); unlock it (log in again)")]
    Locked { detail: String },
    #[error("the keyring did not answer within {} s", DEADLINE.as_secs())]
    NoAnswer,
    #[error("the keyring holds something for giftdeck that it cannot read")]
    Damaged,
    #[error("the keyring failed: {detail}")]
    Failed { detail: String },
}

impl KeyringError {
    fn from_keyring(err: keyring::Error) -> Self {
        // The crate's messages may name the entry, never the secret.
        let detail = crate::text::one_line(&err.to_string(), 160);
        match err {
            keyring::Error::NoDefaultStore | keyring::Error::NotSupportedByStore(_) => {
                Self::Unavailable { detail }
            }
            keyring::Error::NoStorageAccess(_) => Self::Locked { detail },
            keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(_, _) => Self::Damaged,
            _ => Self::Failed { detail },
        }
    }
}

/// Saves the session in the keyring (replacing one saved before).
pub fn store(session: &TikTokSession) -> Result<(), KeyringError> {
    store_secret(TIKTOK_SESSION, session.secret())
}

/// The saved session, if there is one.
pub fn load() -> Result<Option<TikTokSession>, KeyringError> {
    match load_secret(TIKTOK_SESSION)? {
        Some(secret) => TikTokSession::parse(&secret)
            .map(Some)
            .map_err(|_| KeyringError::Damaged),
        None => Ok(None),
    }
}

/// Removes the saved session (nothing saved is not an error).
pub fn delete() -> Result<(), KeyringError> {
    delete_secret(TIKTOK_SESSION)
}

/// Saves `secret` under the entry `user` (replacing what was there).
pub fn store_secret(user: &str, secret: String) -> Result<(), KeyringError> {
    with_entry(user, move |entry| entry.set_password(&secret)).map(|_| ())
}

/// What the entry `user` holds, if anything.
pub fn load_secret(user: &str) -> Result<Option<String>, KeyringError> {
    with_entry(user, |entry| entry.get_password())
}

/// Removes the entry `user` (no such entry is not an error).
pub fn delete_secret(user: &str) -> Result<(), KeyringError> {
    with_entry(user, |entry| entry.delete_credential()).map(|_| ())
}

/// Runs one keyring call on the entry `user` on a named thread and waits at most [`DEADLINE`]
/// for it. `None` when there is no such entry.
fn with_entry<T: Send + 'static>(
    user: &str,
    call: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
) -> Result<Option<T>, KeyringError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let user = user.to_owned();
    let spawned = std::thread::Builder::new()
        .name("giftdeck-keyring".into())
        .spawn(move || {
            let result = keyring::Entry::new(SERVICE, &user).and_then(|e| call(&e));
            let _ = tx.send(result);
        });
    if let Err(err) = spawned {
        return Err(KeyringError::Failed {
            detail: err.to_string(),
        });
    }
    match rx.recv_timeout(DEADLINE) {
        Ok(Ok(value)) => Ok(Some(value)),
        Ok(Err(keyring::Error::NoEntry)) => Ok(None),
        Ok(Err(err)) => Err(KeyringError::from_keyring(err)),
        // The thread is left to finish (or hang) on its own; nobody waits for it.
        Err(_) => Err(KeyringError::NoAnswer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_session_is_read_from_a_value_or_a_cookie_line() {
        let bare = TikTokSession::parse("  abc123  ").unwrap();
        assert_eq!(bare.sessionid, "abc123");
        assert_eq!(
            bare.cookie_header(),
            "sessionid=abc123; sessionid_ss=abc123"
        );
        let line = TikTokSession::parse(
            "ttwid=x; sessionid=abc; sessionid_ss=def; tt-target-idc=useast5; other=1",
        )
        .unwrap();
        assert_eq!(line.sessionid_ss.as_deref(), Some("def"));
        assert_eq!(line.tt_target_idc.as_deref(), Some("useast5"));
        assert_eq!(
            line.cookie_header(),
            "sessionid=abc; sessionid_ss=def; tt-target-idc=useast5"
        );
        assert_eq!(TikTokSession::parse(&line.secret()).unwrap(), line);
        assert_eq!(TikTokSession::parse(""), Err(SessionError::NoSessionId));
        assert_eq!(
            TikTokSession::parse("ttwid=1"),
            Err(SessionError::NoSessionId)
        );
        assert_eq!(
            TikTokSession::parse("sessionid=a\r\nX-Evil: 1"),
            Err(SessionError::BadValue { name: "sessionid" })
        );
    }

    #[test]
    fn debug_never_shows_the_session() {
        let session =
            TikTokSession::parse("sessionid=very-secret; sessionid_ss=also-secret").unwrap();
        let shown = format!("{session:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
