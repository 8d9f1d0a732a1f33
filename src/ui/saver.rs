//! The settings file for the window: loaded at start with its secrets (from the keyring, or the
//! file when there is none) and its problems in words for the banner; then one background loop
//! that writes the newest settings whenever they change, one save at a time, off the UI thread,
//! and tells the window how it went.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::errors::SaveError;
use super::failure;
use super::state::SaveState;
use super::tasks::{UiMsg, Waker};
use crate::settings::{self, SecretsHome, Settings, SharedVault, Vault};

/// Loads the settings file and its secrets (`home`), turning their problems into words for the
/// banner. The keyring is read here, before the first frame, within its deadline.
pub fn load_settings(
    path: Option<PathBuf>,
    home: SecretsHome,
) -> (Settings, SaveState, SharedVault) {
    let Some(path) = path else {
        let save = SaveState {
            warning: Some(crate::i18n::tr("saver-no-folder").to_owned()),
            ..SaveState::default()
        };
        return (Settings::default(), save, Vault::settings_file().shared());
    };
    let loaded = settings::load(&path);
    let mut settings = loaded.settings;
    let (vault, secrets) = Vault::open(home, &mut settings);
    let mut words: Vec<String> = Vec::new();
    if let Some(w) = loaded.warning {
        let mut text = w.to_string();
        if let Some(backup) = &loaded.backup {
            text.push_str(&format!(
                ". The original was kept as {}; starting from defaults.",
                backup.display()
            ));
        }
        if !loaded.save_allowed {
            text.push_str(". Changes will not be saved, to protect that file.");
        }
        words.push(text);
    }
    for warning in &secrets {
        tracing::warn!("{warning}");
        words.push(failure::secrets_warning(warning));
    }
    let warning = (!words.is_empty()).then(|| words.join(" "));
    let warning = settings::join_notice(warning, &loaded.permissions_fixed);
    let save = SaveState {
        path: Some(path),
        allowed: loaded.save_allowed,
        last: None,
        warning,
    };
    (settings, save, vault.shared())
}

/// Saves the newest settings whenever they change, their secrets through `vault`.
pub async fn save_settings(
    path: PathBuf,
    mut rx: watch::Receiver<Option<Settings>>,
    vault: SharedVault,
    ui_tx: mpsc::Sender<UiMsg>,
    waker: Arc<Waker>,
) {
    while rx.changed().await.is_ok() {
        let Some(settings) = rx.borrow_and_update().clone() else {
            continue;
        };
        let target = path.clone();
        let vault = vault.clone();
        let result =
            tokio::task::spawn_blocking(move || settings::save_shared(&vault, &target, &settings))
                .await
                .map_err(SaveError::Task)
                .and_then(|r| r.map_err(SaveError::Write));
        let (result, warning) = match result {
            Ok(warning) => (Ok(path.clone()), warning),
            Err(err) => (Err(err), None),
        };
        if let Some(warning) = warning
            && ui_tx.send(UiMsg::SecretsWarning(warning)).await.is_err()
        {
            return;
        }
        if ui_tx.send(UiMsg::Saved(result)).await.is_err() {
            return;
        }
        waker.wake();
    }
}
