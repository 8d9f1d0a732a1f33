//! TikFinity's local events API, served by giftdeck: tools written for TikFinity (game mods, TTS
//! apps, overlays) connect to `ws://127.0.0.1:21213/` and get giftdeck's events in TikFinity's
//! shape ([`shapes`], pure), from an optional loopback-only server ([`TikfinityServer`]), off by
//! default.

pub mod server;
pub mod shapes;

pub use server::{DEFAULT_PORT, TikfinityError, TikfinityFeed, TikfinityServer};

/// The server's settings (`settings.json`'s `tikfinity`): off by default, TikFinity's port.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TikfinitySettings {
    pub enabled: bool,
    /// On 127.0.0.1; TikFinity's own is 21213, which the tools written for it expect.
    pub port: u16,
}

impl Default for TikfinitySettings {
    fn default() -> Self {
        Self {
            enabled: false,
            port: DEFAULT_PORT,
        }
    }
}

impl TikfinitySettings {
    /// Only this part of a settings file (defaults when it is missing or unreadable), for the
    /// headless commands, which do not load the rest.
    pub fn peek(path: &std::path::Path) -> Self {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Part {
            tikfinity: TikfinitySettings,
        }
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Part>(&bytes).ok())
            .map(|part| part.tikfinity)
            .unwrap_or_default()
    }

    /// The port to serve on, `None` when off.
    pub fn port(&self) -> Option<u16> {
        (self.enabled && self.port != 0).then_some(self.port)
    }
}
