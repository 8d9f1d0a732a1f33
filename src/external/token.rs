//! The external trigger endpoint's token: 32 random bytes (base64url). The app makes it on first
//! start and keeps it with the settings' secrets (`external.token`, in the OS keyring when there
//! is one), so it survives restarts and is shown in Settings. Its `Debug` never shows it.

use base64::Engine as _;
use rand::RngCore as _;

#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// A new random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token kept elsewhere (the app keeps it in its settings' secrets, in the keyring).
    pub fn from_secret(secret: String) -> Self {
        Self(secret)
    }

    /// The token as it goes in the `Authorization: Bearer` header (for Settings and curl lines).
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_url_safe_and_never_debug_printed() {
        let first = Token::generate();
        assert_eq!(first.reveal().len(), 43);
        assert!(
            first
                .reveal()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(Token::generate(), first);
        assert_eq!(format!("{first:?}"), "Token(…)");
        assert_eq!(Token::from_secret(first.reveal().to_owned()), first);
    }
}
