//! The settings file: one versioned JSON file in the OS config dir, loaded forgivingly (a corrupt
//! file is backed up, never silently overwritten) and saved atomically (temp file, then rename).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::actions::rcon::RconConfig;
use crate::actions::webhook;
use crate::engine::EngineConfig;
use crate::live::{DEFAULT_SIGN_URL, DEFAULT_TIKTOK_URL, DEFAULT_WEBCAST_URL, LiveConfig};
use crate::mappings::{Action, Mapping};
pub use crate::mca::{McaImport, McaWarning, export_mca, import_mca};

/// The version this build writes. Files from newer builds are loaded as far as we understand them,
/// after a backup.
pub const SETTINGS_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path} is not valid settings JSON (line {line}, column {column}): {reason}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error(
        "{path} was written by a newer giftdeck (settings version {found}, this build knows {SETTINGS_VERSION})"
    )]
    NewerVersion { path: PathBuf, found: u32 },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot keep a backup of {path} at {backup}: {source}")]
    Backup {
        path: PathBuf,
        backup: PathBuf,
        source: io::Error,
    },
}

/// Where and how to reach TikTok. `Debug` never shows the sign API key.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionSettings {
    /// The last @username (or URL, or room id) the streamer connected to.
    pub last_target: String,
    pub sign_url: String,
    pub sign_api_key: Option<String>,
    pub tiktok_url: String,
    pub webcast_url: String,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self {
            last_target: String::new(),
            sign_url: DEFAULT_SIGN_URL.to_owned(),
            sign_api_key: None,
            tiktok_url: DEFAULT_TIKTOK_URL.to_owned(),
            webcast_url: DEFAULT_WEBCAST_URL.to_owned(),
        }
    }
}

impl std::fmt::Debug for ConnectionSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionSettings")
            .field("last_target", &self.last_target)
            .field("sign_url", &self.sign_url)
            .field("sign_api_key", &self.sign_api_key.as_deref().map(masked))
            .field("tiktok_url", &self.tiktok_url)
            .field("webcast_url", &self.webcast_url)
            .finish()
    }
}

/// How a secret appears in `Debug` output and logs: never itself, only whether it is set.
pub fn masked(secret: &str) -> &'static str {
    if secret.is_empty() { "" } else { "***" }
}

/// Pacing of the action queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecutorSettings {
    pub gap_millis: u64,
    /// Actions older than this are skipped instead of firing late (`None` = never skip).
    pub max_age_millis: Option<u64>,
}

impl Default for ExecutorSettings {
    fn default() -> Self {
        Self {
            gap_millis: 50,
            max_age_millis: None,
        }
    }
}

/// Gift engine tunables a streamer may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineSettings {
    pub streak_timeout_millis: u64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            streak_timeout_millis: EngineConfig::default().streak_timeout_millis,
        }
    }
}

impl EngineSettings {
    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            streak_timeout_millis: self.streak_timeout_millis,
            ..EngineConfig::default()
        }
    }
}

/// Everything giftdeck remembers between runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub version: u32,
    pub mappings: Vec<Mapping>,
    pub connection: ConnectionSettings,
    /// The Minecraft server's RCON endpoint (the same type the executor uses).
    pub rcon: RconConfig,
    pub executor: ExecutorSettings,
    pub engine: EngineSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: SETTINGS_VERSION,
            mappings: default_mappings(),
            connection: ConnectionSettings::default(),
            rcon: RconConfig::default(),
            executor: ExecutorSettings::default(),
            engine: EngineSettings::default(),
        }
    }
}

impl Settings {
    /// The session config for `target` from the saved connection and engine settings (a blank API
    /// key counts as none).
    pub fn live_config(&self, target: &str) -> LiveConfig {
        let c = &self.connection;
        LiveConfig {
            target: target.to_owned(),
            sign_url: c.sign_url.clone(),
            sign_api_key: c.sign_api_key.clone().filter(|k| !k.trim().is_empty()),
            tiktok_url: c.tiktok_url.clone(),
            webcast_url: c.webcast_url.clone(),
            engine: self.engine.engine_config(),
            ..LiveConfig::default()
        }
    }
}

/// A first-run trigger table that shows what mappings look like.
fn default_mappings() -> Vec<Mapping> {
    let cmd = |command: &str, repeat| Action::Command {
        command: command.to_owned(),
        repeat,
    };
    vec![
        Mapping::new("Rose", vec![cmd("say {nickname} sent {count} Rose!", 1)]),
        Mapping::new(
            "GG",
            vec![cmd("execute at @a run summon minecraft:zombie ~ ~ ~", 1)],
        ),
        Mapping::new(
            "Lion",
            vec![
                cmd("title @a title {\"text\":\"{nickname} sent a Lion!\"}", 1),
                cmd("execute at @a run summon minecraft:tnt ~ ~5 ~", 5),
            ],
        ),
    ]
}

/// `settings.json` in the OS config dir (e.g. `~/.config/giftdeck/settings.json`).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "giftdeck").map(|d| d.config_dir().join("settings.json"))
}

/// What [`load`] found.
#[derive(Debug)]
pub struct Loaded {
    pub settings: Settings,
    /// Set when the file could not be used as is; show it to the user.
    pub warning: Option<SettingsError>,
    /// Where the unusable original was copied to.
    pub backup: Option<PathBuf>,
    /// False when the unusable original could not be backed up: saving would destroy it, so don't.
    pub save_allowed: bool,
    /// Settings files or their folder that other users could read, and what we did about it; show
    /// [`permission_notice`] to the user.
    pub permissions_fixed: Vec<PermissionFix>,
}

/// Loads settings. A missing file gives defaults. A file that cannot be read or parsed, or that
/// comes from a newer version, is copied to a backup next to it and the app carries on (with
/// defaults, or with what could be understood); the warning says what happened. On Unix, a settings
/// file, backup or giftdeck folder that other users can read is made private (0600/0700) and
/// reported in `permissions_fixed`.
pub fn load(path: &Path) -> Loaded {
    let mut loaded = load_contents(path);
    loaded.permissions_fixed = secure_existing(path);
    for fix in &loaded.permissions_fixed {
        tracing::warn!("{fix}");
    }
    loaded
}

fn load_contents(path: &Path) -> Loaded {
    let fresh = |warning, backup, save_allowed| Loaded {
        settings: Settings::default(),
        warning,
        backup,
        save_allowed,
        permissions_fixed: Vec::new(),
    };
    let text = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return fresh(None, None, true),
        Err(source) => {
            // Unreadable (permissions, a directory…): we cannot back it up either, so never save over it.
            return fresh(
                Some(SettingsError::Read {
                    path: path.to_owned(),
                    source,
                }),
                None,
                false,
            );
        }
    };
    let parsed: Result<Settings, _> = serde_json::from_slice(&text);
    match parsed {
        Ok(settings) if settings.version <= SETTINGS_VERSION => Loaded {
            settings,
            warning: None,
            backup: None,
            save_allowed: true,
            permissions_fixed: Vec::new(),
        },
        Ok(settings) => {
            let warning = SettingsError::NewerVersion {
                path: path.to_owned(),
                found: settings.version,
            };
            match backup(path) {
                Ok(backup) => Loaded {
                    settings: Settings {
                        version: SETTINGS_VERSION,
                        ..settings
                    },
                    warning: Some(warning),
                    backup: Some(backup),
                    save_allowed: true,
                    permissions_fixed: Vec::new(),
                },
                Err(err) => Loaded {
                    settings,
                    warning: Some(err),
                    backup: None,
                    save_allowed: false,
                    permissions_fixed: Vec::new(),
                },
            }
        }
        Err(err) => {
            let warning = SettingsError::Parse {
                path: path.to_owned(),
                line: err.line(),
                column: err.column(),
                reason: err.to_string(),
            };
            match backup(path) {
                Ok(backup) => fresh(Some(warning), Some(backup), true),
                Err(backup_err) => fresh(Some(backup_err), None, false),
            }
        }
    }
}

/// Copies `path` to `path.bak` (or `.bak.2`, `.bak.3`… so an older backup is never replaced).
fn backup(path: &Path) -> Result<PathBuf, SettingsError> {
    let name = path.file_name().map_or_else(
        || "settings.json".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut candidate = path.with_file_name(format!("{name}.bak"));
    let mut n = 2;
    while candidate.exists() {
        candidate = path.with_file_name(format!("{name}.bak.{n}"));
        n += 1;
    }
    // `fs::copy` copies the original's mode; a backup holds the same secrets, so it is private.
    fs::copy(path, &candidate)
        .and_then(|_| make_private(&candidate, PRIVATE_FILE_MODE))
        .map_err(|source| SettingsError::Backup {
            path: path.to_owned(),
            backup: candidate.clone(),
            source,
        })?;
    Ok(candidate)
}

/// Saves atomically: writes `settings.json.tmp` beside the target, syncs it, then renames it over
/// the target, so a crash mid-save leaves the old file or the new one, never half of each. On Unix
/// the file is created 0600 and a folder we create (or the `giftdeck` config folder) is 0700: the
/// file holds the RCON password, the sign API key and webhook URLs.
pub fn save_atomic(path: &Path, settings: &Settings) -> Result<(), SettingsError> {
    let json = serde_json::to_vec_pretty(settings).map_err(|err| SettingsError::Write {
        path: path.to_owned(),
        source: io::Error::other(err),
    })?;
    write_file(path, &json, true)
}

/// Writes bytes atomically (temp file in the same directory, fsync, rename), with the usual
/// permissions (exports the user shares).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SettingsError> {
    write_file(path, bytes, false)
}

fn write_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), SettingsError> {
    let err = |source| SettingsError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let existed = dir.is_dir();
        fs::create_dir_all(dir).map_err(err)?;
        if private && (!existed || is_our_config_dir(dir)) {
            make_private(dir, PRIVATE_DIR_MODE).map_err(err)?;
        }
    }
    let name = path
        .file_name()
        .map_or_else(|| "settings".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let result = (|| {
        let mut file = create_file(&tmp, private)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // Best effort: a stray temp file is harmless, the error below is what matters.
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Mode of files that hold secrets: read/write for the owner only.
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Mode of the folder that holds them.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

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

/// True for the OS config folder named after us: safe to make private (a folder the user chose
/// for something else, like their home, is left alone).
fn is_our_config_dir(dir: &Path) -> bool {
    dir.file_name().is_some_and(|n| n == "giftdeck")
}

/// Makes the settings file, its backups and our config folder private when others can read them.
fn secure_existing(path: &Path) -> Vec<PermissionFix> {
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

#[cfg(unix)]
fn make_private(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn make_private(_path: &Path, _mode: u32) -> io::Result<()> {
    // Windows: files in the user's profile are private to the user by default ACLs.
    Ok(())
}

/// Creates (truncates) a file; a private one is 0600 from its first byte on Unix.
fn create_file(path: &Path, private: bool) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE_FILE_MODE);
    }
    #[cfg(not(unix))]
    let _ = private;
    let file = options.open(path)?;
    // A stale temp file keeps its old mode when opened: set it.
    if private {
        make_private(path, PRIVATE_FILE_MODE)?;
    }
    Ok(file)
}

/// Mappings read from a `--mappings` file, with anything the user should know.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MappingsFile {
    pub mappings: Vec<Mapping>,
    pub warnings: Vec<String>,
}

/// Reads mappings from our JSON (a full settings file, `{"mappings": […]}`, or a bare array of
/// mappings) or from a Tiktok2Mc `actions.mca` (by extension, or when the text is not JSON).
pub fn load_mappings_file(path: &Path) -> Result<MappingsFile, SettingsError> {
    let bytes = fs::read(path).map_err(|source| SettingsError::Read {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let is_mca = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mca"));
    let trimmed = text.trim_start();
    if is_mca || !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        let import = import_mca(&text);
        return Ok(MappingsFile {
            mappings: import.mappings,
            warnings: import
                .warnings
                .iter()
                .map(|w| format!("{}: {w}", path.display()))
                .collect(),
        });
    }
    let parse_err = |err: serde_json::Error| SettingsError::Parse {
        path: path.to_owned(),
        line: err.line(),
        column: err.column(),
        reason: err.to_string(),
    };
    let mappings = if trimmed.starts_with('[') {
        serde_json::from_str::<Vec<Mapping>>(&text).map_err(parse_err)?
    } else {
        // Only the mappings matter here; a settings file without them means "no mappings".
        #[derive(Deserialize)]
        struct OnlyMappings {
            #[serde(default)]
            mappings: Vec<Mapping>,
        }
        serde_json::from_str::<OnlyMappings>(&text)
            .map_err(parse_err)?
            .mappings
    };
    let warnings = redacted_webhooks(&mappings)
        .map(|(trigger, url)| format!("{}: {}", path.display(), redaction_warning(trigger, url)))
        .collect();
    Ok(MappingsFile { mappings, warnings })
}

/// The webhook actions whose URL is an export's redacted stand-in, as (trigger, shown URL).
fn redacted_webhooks(mappings: &[Mapping]) -> impl Iterator<Item = (&str, &str)> {
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
/// (same trigger, same scheme and host, in order), and drops the warnings of those put back.
/// Returns how many were restored.
pub fn restore_redacted_urls(file: &mut MappingsFile, current: &[Mapping]) -> usize {
    let mut restored = 0;
    for mapping in &mut file.mappings {
        let mut candidates: Vec<&str> = current
            .iter()
            .filter(|m| m.trigger == mapping.trigger)
            .flat_map(|m| &m.actions)
            .filter_map(|a| match a {
                Action::Webhook { url, .. } if !webhook::is_redacted(url) => Some(url.as_str()),
                _ => None,
            })
            .collect();
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

/// Our JSON export of a trigger table: a settings file holding only mappings, so it loads anywhere
/// a settings file or `--mappings` file is accepted. Webhook URLs keep only scheme and host (an
/// export gets shared); importing it back warns about them, and the app restores them from its own
/// table where the trigger and host match ([`restore_redacted_urls`]).
pub fn export_mappings_json(mappings: &[Mapping]) -> String {
    let mut mappings = mappings.to_vec();
    for action in mappings.iter_mut().flat_map(|m| &mut m.actions) {
        if let Action::Webhook { url, .. } = action {
            *url = webhook::redact_url(url);
        }
    }
    let mappings = mappings.as_slice();
    #[derive(Serialize)]
    struct Export<'a> {
        version: u32,
        mappings: &'a [Mapping],
    }
    serde_json::to_string_pretty(&Export {
        version: SETTINGS_VERSION,
        mappings,
    })
    .unwrap_or_else(|_| "{}".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_without_warning() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(&dir.path().join("settings.json"));
        assert!(loaded.warning.is_none() && loaded.save_allowed);
        assert_eq!(loaded.settings, Settings::default());
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("settings.json");
        let mut settings = Settings::default();
        settings.connection.last_target = "@streamer".into();
        settings.rcon.password = "hunter2".into();
        settings.executor.max_age_millis = Some(30_000);
        save_atomic(&path, &settings).unwrap();
        let loaded = load(&path);
        assert!(loaded.warning.is_none());
        assert_eq!(loaded.settings, settings);
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["settings.json"], "no temp file left behind");
    }

    #[test]
    fn corrupt_file_is_backed_up_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, b"{\"version\": 1, \"mappings\": [oops").unwrap();
        let loaded = load(&path);
        let Some(SettingsError::Parse { line: 1, .. }) = &loaded.warning else {
            panic!("expected a parse warning, got {:?}", loaded.warning);
        };
        assert!(
            loaded
                .warning
                .as_ref()
                .unwrap()
                .to_string()
                .contains("settings.json")
        );
        assert_eq!(loaded.settings, Settings::default());
        let backup = loaded.backup.unwrap();
        assert_eq!(
            fs::read(&backup).unwrap(),
            b"{\"version\": 1, \"mappings\": [oops"
        );
        assert!(loaded.save_allowed);
        // A second corrupt load keeps the first backup intact.
        let again = load(&path);
        assert_ne!(again.backup.unwrap(), backup);
        assert!(backup.exists());
    }

    #[test]
    fn newer_version_is_backed_up_and_read_as_far_as_known() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(
            &path,
            r#"{"version": 99, "mappings": [{"trigger": "Rose"}], "future": true}"#,
        )
        .unwrap();
        let loaded = load(&path);
        assert!(matches!(
            loaded.warning,
            Some(SettingsError::NewerVersion { found: 99, .. })
        ));
        assert_eq!(loaded.settings.mappings[0].trigger, "Rose");
        assert!(loaded.backup.unwrap().exists());
    }

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
                }
            ),
            format!(
                "{:?}",
                crate::cli::WatchArgs {
                    user: "@x".into(),
                    room_id: None,
                    sign_url: None,
                    sign_api_key: Some("euler_KEY_secret".into()),
                    tiktok_url: None,
                    webcast_url: None,
                    mappings: None,
                    record: None,
                    execute: crate::cli::ExecuteArgs {
                        execute: true,
                        rcon: Some("127.0.0.1:25575".into()),
                        rcon_password: Some("hunter2".into()),
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

    #[test]
    fn the_session_config_comes_from_the_saved_connection_and_engine() {
        let mut settings = Settings::default();
        settings.connection.sign_url = "http://127.0.0.1:9/sign".into();
        settings.connection.sign_api_key = Some("  ".into());
        settings.engine.streak_timeout_millis = 1234;
        let config = settings.live_config("@alice");
        assert_eq!(config.target, "@alice");
        assert_eq!(config.sign_url, "http://127.0.0.1:9/sign");
        assert_eq!(config.sign_api_key, None, "a blank key counts as none");
        assert_eq!(config.tiktok_url, crate::live::DEFAULT_TIKTOK_URL);
        assert_eq!(config.engine.streak_timeout_millis, 1234);
        settings.connection.sign_api_key = Some("k".into());
        assert_eq!(settings.live_config("x").sign_api_key.as_deref(), Some("k"));
    }

    #[test]
    fn an_rcon_section_from_an_older_file_keeps_its_keys_and_fills_defaults() {
        let rcon: RconConfig = serde_json::from_str(r#"{"password":"pw"}"#).unwrap();
        assert_eq!(
            (rcon.host.as_str(), rcon.port, rcon.password.as_str()),
            ("127.0.0.1", 25575, "pw")
        );
        let saved = serde_json::to_value(&rcon).unwrap();
        assert_eq!(
            saved,
            serde_json::json!({"host":"127.0.0.1","port":25575,"password":"pw"})
        );
    }

    #[test]
    fn rcon_password_is_masked_in_debug() {
        let rcon = RconConfig {
            password: "hunter2".into(),
            ..RconConfig::default()
        };
        assert!(!format!("{rcon:?}").contains("hunter2"));
    }

    #[test]
    fn mappings_file_accepts_settings_bare_array_and_mca() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("m.json");
        fs::write(&json, export_mappings_json(&[Mapping::new("Rose", vec![])])).unwrap();
        assert_eq!(
            load_mappings_file(&json).unwrap().mappings[0].trigger,
            "Rose"
        );
        let array = dir.path().join("a.json");
        fs::write(
            &array,
            r#"[{"trigger":"5655","actions":[{"type":"random"}]}]"#,
        )
        .unwrap();
        assert_eq!(
            load_mappings_file(&array).unwrap().mappings[0].actions,
            [Action::Random]
        );
        let mca = dir.path().join("actions.mca");
        fs::write(&mca, "rose:/say hi\ngg:$hook\n").unwrap();
        let loaded = load_mappings_file(&mca).unwrap();
        assert_eq!(loaded.mappings.len(), 1);
        assert_eq!(loaded.warnings.len(), 2);
        assert!(loaded.warnings[0].contains("line 2"));
        let bad = dir.path().join("bad.json");
        fs::write(&bad, "{\"mappings\": 3}").unwrap();
        assert!(matches!(
            load_mappings_file(&bad),
            Err(SettingsError::Parse { .. })
        ));
        assert!(matches!(
            load_mappings_file(&dir.path().join("none.json")),
            Err(SettingsError::Read { .. })
        ));
    }
}
