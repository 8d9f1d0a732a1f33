//! The external trigger endpoint's token: 32 random bytes (base64url), made on first start and
//! kept in an owner-only file next to the settings, so it survives restarts and is shown in
//! Settings. Its `Debug` never shows it.

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use rand::RngCore as _;

/// The token's file name in giftdeck's configuration folder.
pub const TOKEN_FILE: &str = "external-trigger-token";

/// Where the token is kept: next to `settings.json`.
pub fn default_path() -> Option<PathBuf> {
    crate::paths::settings_path().map(|p| p.with_file_name(TOKEN_FILE))
}

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

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot read the external trigger token {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the external trigger token {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Reads the token in `path`, or makes one and writes it there (owner-only) when there is none
/// or it is blank.
pub fn load_or_create(path: &Path) -> Result<Token, TokenError> {
    match fs::read_to_string(path) {
        Ok(text) if !text.trim().is_empty() => return Ok(Token(text.trim().to_owned())),
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(TokenError::Read {
                path: path.to_owned(),
                source,
            });
        }
    }
    let token = Token::generate();
    crate::paths::write_private_atomic(path, token.reveal().as_bytes()).map_err(|source| {
        TokenError::Write {
            path: path.to_owned(),
            source,
        }
    })?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(TOKEN_FILE);
        let first = load_or_create(&path).unwrap();
        assert_eq!(first.reveal().len(), 43);
        assert!(
            first
                .reveal()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(load_or_create(&path).unwrap(), first);
        assert_ne!(Token::generate(), first);
        assert_eq!(format!("{first:?}"), "Token(…)");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        fs::write(&path, "  \n").unwrap();
        assert_ne!(
            load_or_create(&path).unwrap(),
            first,
            "a blank file gets a new token"
        );
    }
}
