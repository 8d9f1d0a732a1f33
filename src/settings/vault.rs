//! The settings' secrets (the provider API keys, the RCON and OBS passwords, webhook URLs) in the
//! OS keyring: taken out before settings.json is written, put back after it is read. The
//! owner-only settings file keeps them only while there is no keyring, and says so; a file written
//! by an older version (secrets inside) still loads, and its secrets move to the keyring on the
//! next save.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::{MappingsFile, Settings, SettingsError, restore_redacted_urls, save_atomic};
use crate::actions::webhook;
use crate::keystore::{self, KeyringError};
use crate::mappings::{Action, Mapping};

/// Where the settings' secrets are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretsHome {
    /// The OS keyring when it answers; the settings file when it does not (the app).
    Keyring,
    /// The owner-only settings file, the keyring never asked (tests, and systems without one).
    SettingsFile,
}

/// What the keyring's `settings-secrets` entry holds: every secret of the settings, by place.
/// `Debug` shows none of them.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Kept {
    pub sign_api_key: Option<String>,
    pub euler_ws_api_key: Option<String>,
    pub custom_sign_api_key: Option<String>,
    pub rcon_password: String,
    pub obs_password: String,
    /// Every webhook URL with its trigger, in the order of the trigger table.
    pub webhooks: Vec<KeptWebhook>,
    /// The external trigger endpoint's token.
    pub external_token: String,
}

/// A webhook action's URL, and the trigger it belongs to (how it finds its way back).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeptWebhook {
    pub trigger: String,
    pub url: String,
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("webhooks", &self.webhooks.len())
            .finish_non_exhaustive()
    }
}

impl Kept {
    /// Takes every secret out of `settings`: keys `None`, passwords empty, webhook URLs their
    /// stand-in (scheme and host, as in an export).
    pub fn take(settings: &mut Settings) -> Kept {
        let c = &mut settings.connection;
        let mut kept = Kept {
            sign_api_key: c.sign_api_key.take(),
            euler_ws_api_key: c.euler_ws_api_key.take(),
            custom_sign_api_key: c.custom_sign_api_key.take(),
            rcon_password: std::mem::take(&mut settings.rcon.password),
            obs_password: std::mem::take(&mut settings.obs.password),
            webhooks: Vec::new(),
            external_token: std::mem::take(&mut settings.external.token),
        };
        for mapping in &mut settings.mappings {
            for action in &mut mapping.actions {
                if let Action::Webhook { url, .. } = action
                    && !webhook::is_redacted(url)
                {
                    let stand_in = webhook::redact_url(url);
                    kept.webhooks.push(KeptWebhook {
                        trigger: mapping.trigger.clone(),
                        url: std::mem::replace(url, stand_in),
                    });
                }
            }
        }
        kept
    }

    /// Puts the secrets back where `settings` (as read from the file) has none. A secret the
    /// file holds wins: the file is older than the keyring (written by an older version, or while
    /// there was no keyring), and its secret moves to the keyring on the next save. Returns the
    /// webhooks whose URL is still a stand-in, as (trigger, stand-in).
    pub fn put_back(self, settings: &mut Settings) -> Vec<(String, String)> {
        let c = &mut settings.connection;
        let blank = |key: &Option<String>| key.as_deref().is_none_or(|k| k.trim().is_empty());
        if blank(&c.sign_api_key) && self.sign_api_key.is_some() {
            c.sign_api_key = self.sign_api_key;
        }
        if blank(&c.euler_ws_api_key) && self.euler_ws_api_key.is_some() {
            c.euler_ws_api_key = self.euler_ws_api_key;
        }
        if blank(&c.custom_sign_api_key) && self.custom_sign_api_key.is_some() {
            c.custom_sign_api_key = self.custom_sign_api_key;
        }
        if settings.rcon.password.is_empty() {
            settings.rcon.password = self.rcon_password;
        }
        if settings.obs.password.is_empty() {
            settings.obs.password = self.obs_password;
        }
        if settings.external.token.is_empty() {
            settings.external.token = self.external_token;
        }
        let mut file = MappingsFile {
            mappings: std::mem::take(&mut settings.mappings),
            ..MappingsFile::default()
        };
        restore_redacted_urls(&mut file, &webhook_mappings(self.webhooks));
        settings.mappings = file.mappings;
        super::redacted_webhooks(&settings.mappings)
            .map(|(trigger, url)| (trigger.to_owned(), url.to_owned()))
            .collect()
    }

    fn is_empty(&self) -> bool {
        *self == Kept::default()
    }
}

/// The kept webhooks as a trigger table (what [`restore_redacted_urls`] restores from).
fn webhook_mappings(webhooks: Vec<KeptWebhook>) -> Vec<Mapping> {
    webhooks
        .into_iter()
        .map(|w| {
            Mapping::new(
                w.trigger,
                vec![Action::Webhook {
                    url: w.url,
                    timeout_millis: 0,
                }],
            )
        })
        .collect()
}

/// Something about the settings' secrets the streamer should know. No secrets in the words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretsWarning {
    /// The keyring cannot be used this run: the secrets stay in (or go to) the settings file.
    #[error(
        "{0}: passwords, API keys and webhook URLs are kept in settings.json (only your user can read it) until the keyring works"
    )]
    NoKeyring(KeyringError),
    /// The keyring's entry could not be read: it is replaced on the next save.
    #[error(
        "the keyring's copy of giftdeck's passwords and keys cannot be read; enter them again in Settings"
    )]
    Damaged,
    /// Webhook actions whose full URL neither the file nor the keyring gave.
    #[error(
        "the full URL of the webhook of {} is missing (hidden in an export, or kept in a keyring that did not give it); enter it again",
        triggers.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
    )]
    WebhooksLost { triggers: Vec<String> },
}

/// Where the settings' secrets go on each save, and what the keyring was last told (so a save
/// that changed no secret does not write the keyring again).
#[derive(Debug)]
pub struct Vault {
    home: SecretsHome,
    /// What the keyring holds, as far as this run knows (`None`: not known, written next save).
    stored: Option<Kept>,
}

/// A vault shared by the background saver and the last save on exit.
pub type SharedVault = Arc<Mutex<Vault>>;

impl Vault {
    /// A vault that keeps everything in the settings file.
    pub fn settings_file() -> Self {
        Self {
            home: SecretsHome::SettingsFile,
            stored: None,
        }
    }

    /// Opens the vault for `settings` just read from the file: with [`SecretsHome::Keyring`],
    /// reads the keyring (at most [`keystore::DEADLINE`]) and puts its secrets back. A keyring
    /// that cannot be read makes this run keep the secrets in the file, and says so.
    pub fn open(home: SecretsHome, settings: &mut Settings) -> (Self, Vec<SecretsWarning>) {
        let mut warnings = Vec::new();
        let mut vault = Self::settings_file();
        if home == SecretsHome::Keyring {
            match read_kept() {
                Ok(found) => {
                    vault.home = SecretsHome::Keyring;
                    match found.map(|json| serde_json::from_str::<Kept>(&json)) {
                        Some(Ok(kept)) => vault.stored = Some(kept),
                        // Unknown: the next save replaces it.
                        Some(Err(_)) => warnings.push(SecretsWarning::Damaged),
                        None => vault.stored = Some(Kept::default()),
                    }
                }
                Err(err) => warnings.push(SecretsWarning::NoKeyring(err)),
            }
        }
        let lost = vault.stored.clone().unwrap_or_default().put_back(settings);
        if !lost.is_empty() {
            warnings.push(SecretsWarning::WebhooksLost {
                triggers: lost.into_iter().map(|(trigger, _)| trigger).collect(),
            });
        }
        (vault, warnings)
    }

    /// Where the secrets go this run.
    pub fn home(&self) -> SecretsHome {
        self.home
    }

    /// Saves `settings` to `path`: the secrets to the keyring (when they changed) and the rest to
    /// the file, or everything to the owner-only file when the keyring is not used or fails (then
    /// the warning says so, and the rest of this run keeps them in the file).
    pub fn save(
        &mut self,
        path: &Path,
        settings: &Settings,
    ) -> Result<Option<SecretsWarning>, SettingsError> {
        if self.home == SecretsHome::SettingsFile {
            return save_atomic(path, settings).map(|()| None);
        }
        let mut public = settings.clone();
        let kept = Kept::take(&mut public);
        if self.stored.as_ref() != Some(&kept) {
            let stored = if kept.is_empty() {
                delete_kept()
            } else {
                // Serializing plain strings cannot fail.
                write_kept(&serde_json::to_string(&kept).unwrap_or_default())
            };
            if let Err(err) = stored {
                self.home = SecretsHome::SettingsFile;
                return save_atomic(path, settings).map(|()| Some(SecretsWarning::NoKeyring(err)));
            }
            self.stored = Some(kept);
        }
        save_atomic(path, &public).map(|()| None)
    }

    /// This vault, to share.
    pub fn shared(self) -> SharedVault {
        Arc::new(Mutex::new(self))
    }
}

/// Saves through a shared vault (a panicked saver leaves it usable).
pub fn save_shared(
    vault: &SharedVault,
    path: &Path,
    settings: &Settings,
) -> Result<Option<SecretsWarning>, SettingsError> {
    vault
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .save(path, settings)
}

/// Puts back the webhook URLs a `--mappings` file shows as stand-ins (the app's own settings
/// file, with its URLs in the keyring). The keyring is asked only when there is one to restore;
/// a keyring that cannot be read leaves the file's warnings as they are. Returns how many came
/// back.
pub fn restore_webhooks_from_keyring(file: &mut MappingsFile) -> Result<usize, KeyringError> {
    if super::redacted_webhooks(&file.mappings).next().is_none() {
        return Ok(0);
    }
    let Some(json) = read_kept()? else {
        return Ok(0);
    };
    let kept: Kept = serde_json::from_str(&json).map_err(|_| KeyringError::Damaged)?;
    Ok(restore_redacted_urls(
        file,
        &webhook_mappings(kept.webhooks),
    ))
}

/// The most one keyring entry is given, in UTF-16 units: Windows' Credential Manager keeps at
/// most 2,560 bytes of UTF-16 per entry, and a table with many webhooks needs more.
const PIECE_UTF16: usize = 1_200;

/// The entry holding piece `index` of the kept secrets: `settings-secrets`, then
/// `settings-secrets.2`, `.3`…
fn piece_name(index: usize) -> String {
    match index {
        0 => keystore::SETTINGS_SECRETS.to_owned(),
        n => format!("{}.{}", keystore::SETTINGS_SECRETS, n + 1),
    }
}

/// `json` in pieces of at most [`PIECE_UTF16`] UTF-16 units (one piece for most tables).
fn pieces(json: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut units) = (0, 0);
    for (at, c) in json.char_indices() {
        if units + c.len_utf16() > PIECE_UTF16 {
            out.push(&json[start..at]);
            (start, units) = (at, 0);
        }
        units += c.len_utf16();
    }
    out.push(&json[start..]);
    out
}

/// The kept secrets' JSON, put together from its pieces (the first missing piece ends it).
fn read_kept() -> Result<Option<String>, KeyringError> {
    let Some(mut json) = keystore::load_secret(&piece_name(0))? else {
        return Ok(None);
    };
    for index in 1.. {
        match keystore::load_secret(&piece_name(index))? {
            Some(piece) => json.push_str(&piece),
            None => break,
        }
    }
    Ok(Some(json))
}

/// Writes `json` in its pieces, then removes the piece after the last, so a reader stops there
/// (older pieces beyond it are never read).
fn write_kept(json: &str) -> Result<(), KeyringError> {
    let pieces = pieces(json);
    for (index, piece) in pieces.iter().enumerate() {
        keystore::store_secret(&piece_name(index), (*piece).to_owned())?;
    }
    keystore::delete_secret(&piece_name(pieces.len()))
}

/// Removes the kept secrets (the first two pieces: nothing after a missing one is read).
fn delete_kept() -> Result<(), KeyringError> {
    keystore::delete_secret(&piece_name(0))?;
    keystore::delete_secret(&piece_name(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOOK: &str = "https://discord.com/api/webhooks/1/tOkEn";

    fn with_secrets() -> Settings {
        let mut settings = Settings::default();
        settings.connection.sign_api_key = Some("sign-key".into());
        settings.connection.euler_ws_api_key = Some("ws-key".into());
        settings.connection.custom_sign_api_key = Some("custom-key".into());
        settings.rcon.password = "hunter2".into();
        settings.obs.password = "obs-pw".into();
        settings.external.token = "ext-token".into();
        for trigger in ["Lion", "Rose", "Lion"] {
            settings.mappings.push(Mapping::new(
                trigger,
                vec![Action::Webhook {
                    url: format!("{HOOK}/{trigger}{}", settings.mappings.len()),
                    timeout_millis: 5_000,
                }],
            ));
        }
        settings
    }

    #[test]
    fn taking_the_secrets_leaves_none_and_putting_them_back_restores_every_one() {
        let full = with_secrets();
        let mut public = full.clone();
        let kept = Kept::take(&mut public);
        let json = serde_json::to_string(&public).unwrap();
        for secret in [
            "sign-key",
            "ws-key",
            "custom-key",
            "hunter2",
            "obs-pw",
            "ext-token",
            "tOkEn",
        ] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
        assert!(json.contains("https://discord.com/…"), "{json}");
        assert_eq!(kept.webhooks.len(), 3);
        assert!(!format!("{kept:?}").contains("tOkEn"));
        let mut back = public.clone();
        assert!(kept.clone().put_back(&mut back).is_empty());
        assert_eq!(back, full, "the same URL back on each of two Lion webhooks");
        // A secret the file holds (older file, or no keyring back then) wins over the keyring's.
        let mut newer = public.clone();
        newer.rcon.password = "typed-later".into();
        newer.connection.sign_api_key = Some("key-later".into());
        kept.clone().put_back(&mut newer);
        assert_eq!(newer.rcon.password, "typed-later");
        assert_eq!(newer.connection.sign_api_key.as_deref(), Some("key-later"));
        assert_eq!(newer.obs.password, "obs-pw");
        // A webhook the keyring does not know stays a stand-in, and is named.
        let mut lost = public.clone();
        let lost_hooks = Kept {
            webhooks: Vec::new(),
            ..kept
        }
        .put_back(&mut lost);
        assert_eq!(
            lost_hooks
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>(),
            ["Lion", "Rose", "Lion"]
        );
    }

    #[test]
    fn a_settings_file_vault_writes_the_file_as_it_is_and_never_asks_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let mut settings = with_secrets();
        let (mut vault, warnings) = Vault::open(SecretsHome::SettingsFile, &mut settings);
        assert!(warnings.is_empty());
        assert_eq!(settings, with_secrets());
        assert_eq!(vault.save(&path, &settings).unwrap(), None);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("hunter2") && text.contains("tOkEn"));
        assert_eq!(vault.home(), SecretsHome::SettingsFile);
    }

    #[test]
    fn long_secrets_are_kept_in_pieces_an_entry_of_any_keyring_can_hold() {
        let short = r#"{"rcon_password":"pw"}"#;
        assert_eq!(pieces(short), [short]);
        let long: String = (0..500).map(|i| format!("é{i}💡")).collect();
        let cut = pieces(&long);
        assert!(cut.len() > 1);
        assert!(cut.iter().all(|p| p.encode_utf16().count() <= PIECE_UTF16));
        assert_eq!(cut.concat(), long, "nothing lost or cut inside a character");
        assert_eq!(
            (piece_name(0).as_str(), piece_name(1).as_str()),
            ("settings-secrets", "settings-secrets.2")
        );
    }

    #[test]
    fn warnings_name_no_secret() {
        let warning = SecretsWarning::WebhooksLost {
            triggers: vec!["Lion".into()],
        };
        assert!(warning.to_string().contains("\"Lion\""), "{warning}");
        let none = SecretsWarning::NoKeyring(KeyringError::NoAnswer);
        assert!(none.to_string().contains("settings.json"), "{none}");
    }
}
