//! The ways into a stream ([`ProviderKind`]): a sign server (Euler Stream's or any compatible
//! one), Euler's managed WebSocket, and a custom sign URL the streamer adds. [`Provider`] is one of
//! them with its address and key; [`super::LiveConfig::chain`] lists the usable ones in order.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Euler Stream's managed WebSocket (the SDK's `BASE_URL`).
pub const DEFAULT_EULER_WS_URL: &str = "wss://ws.eulerstream.com";
/// The host of Euler's REST API: a sign API key for it is also the managed WebSocket's key.
const EULER_API_HOST: &str = "api.eulerstream.com";

/// One way into a TikTok LIVE stream. The names (`sign`, `euler-ws`, `custom`) are the
/// `--provider` values and the settings file's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// A sign server (`webcast/fetch`) hands us TikTok's push server; we connect to TikTok.
    Sign,
    /// Euler Stream's managed WebSocket relays the stream's messages itself.
    EulerWs,
    /// A second, self-hosted sign server with the same API as Euler's.
    Custom,
}

impl ProviderKind {
    /// Every kind, in the default order of the chain.
    pub const ALL: [Self; 3] = [Self::Sign, Self::EulerWs, Self::Custom];

    /// The name on the command line and in settings.json.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sign => "sign",
            Self::EulerWs => "euler-ws",
            Self::Custom => "custom",
        }
    }

    /// Reads a `--provider` value.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Whether the provider hands out a push server we then connect to ourselves (a sign
    /// server), rather than relaying the messages.
    pub fn signs(self) -> bool {
        matches!(self, Self::Sign | Self::Custom)
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A provider with its address and key. `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Provider {
    pub kind: ProviderKind,
    /// The sign server's base URL, or the managed WebSocket's URL.
    pub url: String,
    /// Sent only to this provider (`X-Api-Key`, or the WebSocket's `apiKey`).
    pub api_key: Option<String>,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Whether a sign server URL is Euler Stream's own (so its key is the managed WebSocket's too).
pub fn is_euler_sign_url(url: &str) -> bool {
    url::Url::parse(url.trim())
        .ok()
        .and_then(|u| u.host_str().map(|h| h.eq_ignore_ascii_case(EULER_API_HOST)))
        .unwrap_or(false)
}

/// A key that is set and not blank.
pub(super) fn key(value: Option<&String>) -> Option<String> {
    value
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_flags() {
        for kind in ProviderKind::ALL {
            assert_eq!(ProviderKind::parse(kind.name()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
        assert_eq!(
            ProviderKind::parse(" Euler-WS "),
            Some(ProviderKind::EulerWs)
        );
        assert_eq!(ProviderKind::parse("tiktok"), None);
    }

    #[test]
    fn only_euler_s_own_api_host_counts_as_euler() {
        assert!(is_euler_sign_url("https://api.eulerstream.com"));
        assert!(is_euler_sign_url("https://API.eulerstream.com/"));
        assert!(!is_euler_sign_url("http://127.0.0.1:5"));
        assert!(!is_euler_sign_url(
            "https://api.eulerstream.com.evil.example"
        ));
        assert!(!is_euler_sign_url("nonsense"));
    }

    #[test]
    fn debug_hides_the_key() {
        let provider = Provider {
            kind: ProviderKind::EulerWs,
            url: DEFAULT_EULER_WS_URL.into(),
            api_key: Some("euler_secret".into()),
        };
        assert!(!format!("{provider:?}").contains("euler_secret"));
    }
}
