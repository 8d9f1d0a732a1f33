//! What keeps the secrets in the settings file secret: owner-only file modes for the file, its
//! backups and its folder (fixed and reported when found looser), and webhook URLs hidden in exports
//! with the way back on import.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::MappingsFile;
use crate::actions::webhook;
use crate::mappings::{Action, Mapping};
use crate::paths::{PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, is_our_config_dir};

/// A settings file, backup or folder that other users could read, made private.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path} could be read by other users (mode {was_mode:04o}); {outcome}", outcome = match error {
    None => format!("it is now {now_mode:04o} (owner only)"),
    Some(err) => format!("could not change it to {now_mode:04o}: {err}"),
})]
pub struct PermissionFix {
    pub path: PathBuf,
    pub was_mode: u32,
    pub now_mode: u32,
    /// Why the change failed, if it did.
    pub error: Option<String>,
}

/// One sentence for the user about fixed permissions (`None` when nothing was fixed).
pub fn permission_notice(fixes: &[PermissionFix]) -> Option<String> {
    if fixes.is_empty() {
        return None;
    }
    let list: Vec<String> = fixes.iter().map(ToString::to_string).collect();
    Some(format!(
        "Your settings hold passwords and keys: {}.",
        list.join("; ")
    ))
}

/// `warning` and the permission notice, joined (for the one settings line the app shows).
pub fn join_notice(warning: Option<String>, fixes: &[PermissionFix]) -> Option<String> {
    match (warning, permission_notice(fixes)) {
        (Some(w), Some(p)) => Some(format!("{w}. {p}")),
        (w, p) => w.or(p),
    }
}

/// Makes the settings file, its backups and our config folder private when others can read them.
pub(super) fn secure_existing(path: &Path) -> Vec<PermissionFix> {
    let mut fixes = Vec::new();
    if let Some(dir) = path.parent().filter(|d| is_our_config_dir(d)) {
        fixes.extend(tighten(dir, PRIVATE_DIR_MODE));
    }
    fixes.extend(tighten(path, PRIVATE_FILE_MODE));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if let (Some(dir), Some(name)) = (path.parent(), name) {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let backup_prefix = format!("{name}.bak");
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(&backup_prefix)
                {
                    fixes.extend(tighten(&entry.path(), PRIVATE_FILE_MODE));
                }
            }
        }
    }
    fixes
}

/// Restricts `path` to `mode` when it allows more; `None` when it already was private (or is
/// missing, or this is not Unix).
#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> Option<PermissionFix> {
    use std::os::unix::fs::PermissionsExt;

    use crate::paths::make_private;
    let was_mode = fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    if was_mode & !mode == 0 {
        return None;
    }
    let error = make_private(path, mode).err().map(|e| e.to_string());
    Some(PermissionFix {
        path: path.to_owned(),
        was_mode,
        now_mode: mode,
        error,
    })
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> Option<PermissionFix> {
    None
}

/// The webhook actions whose URL is an export's redacted stand-in, as (trigger, shown URL).
pub(super) fn redacted_webhooks(mappings: &[Mapping]) -> impl Iterator<Item = (&str, &str)> {
    mappings.iter().flat_map(|m| {
        m.actions.iter().filter_map(move |a| match a {
            Action::Webhook { url, .. } if webhook::is_redacted(url) => {
                Some((m.trigger.as_str(), url.as_str()))
            }
            _ => None,
        })
    })
}

/// What the user is told about a webhook whose URL an export hid.
pub fn redaction_warning(trigger: &str, shown_url: &str) -> String {
    format!(
        "{trigger:?}: the webhook URL {shown_url} was hidden in the export (it holds a token); \
         enter it again, until then that webhook fails"
    )
}

/// After an import, puts back the full URL of each hidden webhook from the current trigger table
/// (same trigger, same scheme and host, in order: the second hidden webhook of a trigger gets the
/// second matching URL), and drops the warnings of those put back. Returns how many were restored.
pub fn restore_redacted_urls(file: &mut MappingsFile, current: &[Mapping]) -> usize {
    let mut candidates: HashMap<&str, Vec<&str>> = HashMap::new();
    for mapping in current {
        for action in &mapping.actions {
            if let Action::Webhook { url, .. } = action
                && !webhook::is_redacted(url)
            {
                candidates
                    .entry(mapping.trigger.as_str())
                    .or_default()
                    .push(url.as_str());
            }
        }
    }
    let mut restored = 0;
    for mapping in &mut file.mappings {
        let Some(candidates) = candidates.get_mut(mapping.trigger.as_str()) else {
            continue;
        };
        for action in &mut mapping.actions {
            let Action::Webhook { url, .. } = action else {
                continue;
            };
            if !webhook::is_redacted(url) {
                continue;
            }
            let Some(at) = candidates
                .iter()
                .position(|full| webhook::redact_url(full) == *url)
            else {
                continue;
            };
            let warning = redaction_warning(&mapping.trigger, url);
            file.warnings.retain(|w| !w.ends_with(&warning));
            *url = candidates.remove(at).to_owned();
            restored += 1;
        }
    }
    restored
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    const HOOK: &str = "https://discord.com/api/webhooks/1/tOkEn";

    fn with_secrets() -> Settings {
        let mut settings = Settings::default();
        settings.rcon.password = "hunter2".into();
        settings.connection.sign_api_key = Some("euler_KEY_secret".into());
        settings.mappings.push(Mapping::new(
            "Lion",
            vec![Action::Webhook {
                url: HOOK.into(),
                timeout_millis: 5_000,
            }],
        ));
        settings
    }

    #[test]
    fn debug_of_settings_never_shows_a_secret() {
        let settings = with_secrets();
        let shown = format!("{settings:?} {:#?}", settings.mappings);
        for secret in ["hunter2", "euler_KEY_secret", "tOkEn", "/api/webhooks"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("https://discord.com/…"), "{shown}");
        assert_eq!(
            settings.mappings.last().unwrap().actions[0].summary(),
            "POST https://discord.com/…"
        );
    }

    #[test]
    fn every_struct_holding_a_secret_redacts_it_in_debug() {
        let rcon = crate::actions::RconConfig {
            host: "127.0.0.1".into(),
            port: 25575,
            password: "hunter2".into(),
        };
        let shown = [
            format!("{rcon:?}"),
            format!(
                "{:?}",
                crate::actions::ExecutorConfig {
                    rcon: Some(rcon.clone()),
                    ..crate::actions::ExecutorConfig::default()
                }
            ),
            format!(
                "{:?}",
                crate::live::LiveConfig {
                    sign_api_key: Some("euler_KEY_secret".into()),
                    ..crate::live::LiveConfig::new("@x")
                }
            ),
            format!(
                "{:?}",
                crate::live::sign::SignRequest {
                    sign_url: "https://sign",
                    api_key: Some("euler_KEY_secret"),
                    client_name: "c",
                    room_id: "1",
                    user_agent: "ua",
                    session_id: Some("euler_KEY_secret"),
                    tt_target_idc: None,
                }
            ),
            format!(
                "{:?}",
                crate::cli::WatchArgs {
                    user: Some("@x".into()),
                    room_id: None,
                    sign_url: None,
                    sign_api_key: Some("euler_KEY_secret".into()),
                    chain: Box::new(crate::cli::ProviderArgs {
                        euler_ws_api_key: Some("euler_KEY_secret".into()),
                        custom_sign_api_key: Some("euler_KEY_secret".into()),
                        ..Default::default()
                    }),
                    tiktok_url: None,
                    webcast_url: None,
                    mappings: None,
                    record: None,
                    overlay_port: None,
                    events: false,
                    tikfinity_port: None,
                    memory_dir: None,
                    world: Box::default(),
                    ledger: Box::default(),
                    execute: crate::cli::ExecuteArgs {
                        execute: true,
                        rcon: Some("127.0.0.1:25575".into()),
                        rcon_password: Some("hunter2".into()),
                        drain_timeout: None,
                        ..Default::default()
                    },
                }
            ),
            format!(
                "{:?}",
                Action::Webhook {
                    url: HOOK.into(),
                    timeout_millis: 1
                }
            ),
        ];
        for text in shown {
            for secret in ["hunter2", "euler_KEY_secret", "tOkEn"] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
    }

    #[test]
    fn an_export_hides_webhook_tokens_and_an_import_puts_them_back() {
        let settings = with_secrets();
        let exported = export_mappings_json(&settings.mappings);
        assert!(!exported.contains("tOkEn"), "{exported}");
        assert!(!exported.contains("hunter2") && !exported.contains("euler_KEY"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("triggers.json");
        fs::write(&path, &exported).unwrap();
        // Loaded elsewhere (headless, another PC): the hidden URL is kept, and said.
        let mut file = load_mappings_file(&path).unwrap();
        assert_eq!(file.warnings.len(), 1, "{:?}", file.warnings);
        assert!(
            file.warnings[0].contains("\"Lion\"") && file.warnings[0].contains("enter it again")
        );
        let lion = |file: &MappingsFile| file.mappings.last().unwrap().actions[0].clone();
        assert!(
            matches!(lion(&file), Action::Webhook { url, .. } if url == "https://discord.com/…")
        );
        // Imported into a table that has the full URL: restored, and the warning goes.
        assert_eq!(restore_redacted_urls(&mut file, &settings.mappings), 1);
        assert!(file.warnings.is_empty(), "{:?}", file.warnings);
        assert!(matches!(lion(&file), Action::Webhook { url, .. } if url == HOOK));
        // Another host is never taken for it.
        let mut other = load_mappings_file(&path).unwrap();
        let mut elsewhere = settings.mappings.clone();
        if let Some(Action::Webhook { url, .. }) = elsewhere.last_mut().unwrap().actions.first_mut()
        {
            *url = "https://example.com/api/webhooks/1/tOkEn".into();
        }
        assert_eq!(restore_redacted_urls(&mut other, &elsewhere), 0);
        assert_eq!(other.warnings.len(), 1);
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn settings_are_saved_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("giftdeck").join("settings.json");
        save_atomic(&path, &with_secrets()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        // Saving again over a file someone loosened keeps it private.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        save_atomic(&path, &with_secrets()).unwrap();
        assert_eq!(mode(&path), 0o600);
        // Exports keep the usual permissions (they are meant to be shared).
        let export = dir.path().join("export.json");
        write_atomic(&export, b"{}").unwrap();
        assert_ne!(
            mode(&export) & 0o044,
            0,
            "export readable as the umask allows"
        );
    }

    #[cfg(unix)]
    #[test]
    fn loose_settings_files_are_fixed_and_reported() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("giftdeck");
        fs::create_dir(&folder).unwrap();
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o755)).unwrap();
        let path = folder.join("settings.json");
        fs::write(&path, serde_json::to_vec(&with_secrets()).unwrap()).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let old_backup = folder.join("settings.json.bak");
        fs::write(&old_backup, b"{}").unwrap();
        fs::set_permissions(&old_backup, fs::Permissions::from_mode(0o664)).unwrap();
        let loaded = load(&path);
        assert!(loaded.warning.is_none());
        let mut fixed: Vec<(PathBuf, u32)> = loaded
            .permissions_fixed
            .iter()
            .map(|f| (f.path.clone(), f.was_mode))
            .collect();
        fixed.sort();
        let mut want = vec![
            (folder.clone(), 0o755),
            (path.clone(), 0o644),
            (old_backup.clone(), 0o664),
        ];
        want.sort();
        assert_eq!(fixed, want);
        assert_eq!(
            (mode(&folder), mode(&path), mode(&old_backup)),
            (0o700, 0o600, 0o600)
        );
        let notice = join_notice(None, &loaded.permissions_fixed).unwrap();
        assert!(
            notice.contains("could be read by other users (mode 0644)"),
            "{notice}"
        );
        assert!(notice.contains("now 0600"), "{notice}");
        // Fixed once: the next start is quiet.
        assert!(load(&path).permissions_fixed.is_empty());
        // A backup of a corrupt (and world-readable) file is private too.
        fs::write(&path, b"{oops").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let loaded = load(&path);
        assert_eq!(mode(&loaded.backup.unwrap()), 0o600);
    }
}
