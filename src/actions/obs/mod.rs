//! OBS Studio over obs-websocket v5 (built into OBS 28+, RPC version 1): where OBS is
//! ([`ObsConfig`]), what can go wrong ([`ObsError`]), the authentication string, our client
//! ([`client`]) and the link the executor drives OBS actions through ([`link`]).
//!
//! Our own client rather than `obws`: obws 0.15 refuses OBS older than 30.2, and Debian 12 ships
//! OBS 29 (obs-websocket 5.1). The protocol we need is small: Hello → Identify → Identified, then
//! one Request / RequestResponse at a time.

pub mod client;
pub mod link;

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use thiserror::Error;

pub use client::{ObsClient, ObsVersion};
pub use link::{ObsLink, ObsWork};

/// obs-websocket's default port (OBS → Tools → WebSocket Server Settings).
pub const DEFAULT_OBS_PORT: u16 = 4455;

/// Where OBS's WebSocket server is and its password. Saved in `settings.json` as `obs.host`,
/// `obs.port`, `obs.password`; `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ObsConfig {
    pub host: String,
    pub port: u16,
    /// Empty when OBS's "Enable Authentication" is off.
    pub password: String,
}

impl Default for ObsConfig {
    /// OBS on this computer with its default port, no password yet.
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: DEFAULT_OBS_PORT,
            password: String::new(),
        }
    }
}

impl fmt::Debug for ObsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObsConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("password", &crate::text::masked(&self.password))
            .finish()
    }
}

impl ObsConfig {
    /// This endpoint with the host trimmed, if a host is set (a password is optional: OBS may run
    /// without authentication).
    pub fn if_set_up(&self) -> Option<Self> {
        let host = self.host.trim();
        (!host.is_empty() && self.port != 0).then(|| Self {
            host: host.to_owned(),
            port: self.port,
            password: self.password.clone(),
        })
    }

    /// `host:port` for messages (IPv6 hosts in brackets).
    pub fn address(&self) -> String {
        crate::actions::host_port(&self.host, self.port)
    }
}

/// How long each step may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObsTimeouts {
    /// TCP connect plus the WebSocket upgrade plus Hello/Identify.
    pub connect: Duration,
    /// One request's answer. OBS answers from its UI thread, so a busy OBS counts here.
    pub request: Duration,
}

impl Default for ObsTimeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            request: Duration::from_secs(5),
        }
    }
}

/// What went wrong talking to OBS. Each variant names the address and, for requests, what was
/// asked for; the messages are meant for the streamer.
#[derive(Debug, Error)]
pub enum ObsError {
    #[error(
        "OBS is not reachable at {addr} ({source}): is OBS running, with Tools > WebSocket Server Settings > “Enable WebSocket server” on and this port?"
    )]
    Connect {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "OBS at {addr} refused the password (check Tools > WebSocket Server Settings > Show Connect Info)"
    )]
    AuthFailed { addr: String },
    #[error(
        "OBS at {addr} asks for a password and none is set in giftdeck (copy it from Tools > WebSocket Server Settings > Show Connect Info)"
    )]
    PasswordRequired { addr: String },
    #[error("OBS at {addr} did not answer within {millis} ms ({during})")]
    Timeout {
        addr: String,
        millis: u64,
        during: String,
    },
    #[error("OBS refused {request} for {target}: {comment} (obs-websocket error {code})")]
    Request {
        request: String,
        /// What the request was about, e.g. `scene "Gameplay"`.
        target: String,
        code: u16,
        comment: String,
    },
    #[error("the connection to OBS at {addr} was lost ({during}): {detail}")]
    Closed {
        addr: String,
        during: String,
        detail: String,
    },
    #[error("OBS at {addr} answered something unexpected: {detail}")]
    Protocol { addr: String, detail: String },
    #[error("OBS at {addr} could not be reached {ago_millis} ms ago; not retried yet: {last}")]
    RecentlyDown {
        addr: String,
        ago_millis: u64,
        last: String,
    },
}

/// How an [`ObsError`] should be read, for the UI and for the retry rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObsFailure {
    /// Nothing listens there (OBS closed, or its WebSocket server is off).
    NotRunning,
    /// Wrong or missing password.
    WrongPassword,
    /// OBS answered, but said no (a missing scene or source, a wrong kind of source…).
    Refused,
    /// The connection broke or OBS was too slow: the request may be tried again.
    Connection,
}

impl ObsError {
    pub fn kind(&self) -> ObsFailure {
        match self {
            Self::Connect { .. } | Self::RecentlyDown { .. } => ObsFailure::NotRunning,
            Self::AuthFailed { .. } | Self::PasswordRequired { .. } => ObsFailure::WrongPassword,
            Self::Request { .. } => ObsFailure::Refused,
            Self::Timeout { .. } | Self::Closed { .. } | Self::Protocol { .. } => {
                ObsFailure::Connection
            }
        }
    }

    /// The connection this came from cannot be used any more.
    pub fn breaks_connection(&self) -> bool {
        self.kind() != ObsFailure::Refused
    }
}

/// obs-websocket's authentication string: `base64(sha256(base64(sha256(password + salt)) +
/// challenge))`.
pub fn auth_string(password: &str, salt: &str, challenge: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let secret = b64.encode(Sha256::digest(format!("{password}{salt}").as_bytes()));
    b64.encode(Sha256::digest(format!("{secret}{challenge}").as_bytes()))
}

/// The settings window's Test connection: connects, logs in and asks for the versions.
pub async fn test_obs_connection(config: &ObsConfig) -> Result<ObsVersion, ObsError> {
    let mut client = ObsClient::connect(config, ObsTimeouts::default()).await?;
    let version = client.version().await;
    client.close().await;
    version
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_string_matches_the_protocol_documents_example() {
        // The salt and challenge of obs-websocket's protocol.md ("Creating an authentication
        // string"), password "supersecretpassword"; the expected value is what obs-websocket-js,
        // simpleobsws and Python's hashlib compute for them.
        assert_eq!(
            auth_string(
                "supersecretpassword",
                "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=",
                "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY="
            ),
            "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4="
        );
        // Order matters: salt and challenge are not interchangeable.
        assert_ne!(
            auth_string(
                "supersecretpassword",
                "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=",
                "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI="
            ),
            "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4="
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let config = ObsConfig {
            password: "hunter2-obs".into(),
            ..ObsConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***") && shown.contains("4455"), "{shown}");
    }

    #[test]
    fn a_host_is_enough_to_be_set_up() {
        assert!(ObsConfig::default().if_set_up().is_some());
        let blank = ObsConfig {
            host: "  ".into(),
            ..ObsConfig::default()
        };
        assert!(blank.if_set_up().is_none());
        let v6 = ObsConfig {
            host: " ::1 ".into(),
            ..ObsConfig::default()
        };
        assert_eq!(v6.if_set_up().unwrap().address(), "[::1]:4455");
    }

    #[test]
    fn refusals_keep_the_connection_everything_else_breaks_it() {
        let refused = ObsError::Request {
            request: "SetCurrentProgramScene".into(),
            target: "scene \"Nope\"".into(),
            code: 600,
            comment: "No source was found".into(),
        };
        assert!(!refused.breaks_connection());
        assert!(refused.to_string().contains("scene \"Nope\""));
        let auth = ObsError::AuthFailed {
            addr: "127.0.0.1:4455".into(),
        };
        assert_eq!(auth.kind(), ObsFailure::WrongPassword);
        assert!(auth.breaks_connection());
    }
}
