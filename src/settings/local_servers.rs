//! The settings of the local servers other programs connect to that are not overlays: the
//! external trigger endpoint (`external`: on/off, port, and its token, a secret kept in the OS
//! keyring like the passwords). TikFinity's events API has its own ([`crate::tikfinity`]).

use serde::{Deserialize, Serialize};

/// The external trigger endpoint (`settings.json`'s `external`): off by default. `Debug` never
/// shows the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalSettings {
    pub enabled: bool,
    /// On 127.0.0.1.
    pub port: u16,
    /// What every call sends as `Authorization: Bearer TOKEN`; made on the app's first start
    /// (blank until then). Kept in the keyring when there is one, never shown in full on screen.
    pub token: String,
}

impl Default for ExternalSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            port: crate::external::DEFAULT_PORT,
            token: String::new(),
        }
    }
}

impl std::fmt::Debug for ExternalSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalSettings")
            .field("enabled", &self.enabled)
            .field("port", &self.port)
            .field("token", &super::masked(&self.token))
            .finish()
    }
}

impl ExternalSettings {
    /// Makes the token when there is none yet; true when it did (the settings need saving).
    pub fn ensure_token(&mut self) -> bool {
        if !self.token.trim().is_empty() {
            return false;
        }
        self.token = crate::external::Token::generate().reveal().to_owned();
        true
    }

    /// The port to serve on, `None` when off (or no token yet).
    pub fn port(&self) -> Option<u16> {
        (self.enabled && self.port != 0 && !self.token.trim().is_empty()).then_some(self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_files_load_off_and_the_token_is_made_once_and_never_debug_printed() {
        let old: ExternalSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(old, ExternalSettings::default());
        assert_eq!(old.port, 23_871);
        assert_eq!(old.port(), None);
        let mut on = ExternalSettings {
            enabled: true,
            ..old
        };
        assert_eq!(on.port(), None, "no token, no server");
        assert!(on.ensure_token());
        let token = on.token.clone();
        assert_eq!(token.len(), 43);
        assert!(!on.ensure_token());
        assert_eq!(on.token, token);
        assert_eq!(on.port(), Some(23_871));
        assert!(!format!("{on:?}").contains(&token));
    }
}
