//! The settings file: one versioned JSON file in the OS config dir, loaded forgivingly (a corrupt
//! file is backed up, never silently overwritten) and saved atomically (temp file, then rename).
//! Its secrets live in the OS keyring when there is one ([`Vault`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::actions::obs::ObsConfig;
pub use crate::actions::rcon::RconConfig;
use crate::actions::webhook;

mod local_servers;
mod secrets;
mod sections;
mod vault;

use crate::live::{DEFAULT_SIGN_URL, DEFAULT_TIKTOK_URL, DEFAULT_WEBCAST_URL, LiveConfig};
use crate::mappings::{Action, Mapping};
pub use crate::mca::{McaImport, McaWarning, export_mca, import_mca};
use crate::paths::create_file;
pub use crate::paths::{PRIVATE_DIR_MODE, PRIVATE_FILE_MODE};
pub use local_servers::ExternalSettings;
pub use secrets::{
    PermissionFix, join_notice, permission_notice, redaction_warning, restore_redacted_urls,
};
use secrets::{redacted_webhooks, secure_existing};
pub use sections::{
    EngineSettings, ExecutorSettings, KeysSettings, PictureSettings, ThemeChoice, UiSettings,
};
pub use vault::{
    Kept, KeptWebhook, SecretsHome, SecretsWarning, SharedVault, Vault,
    restore_webhooks_from_keyring, save_shared,
};

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
    /// The provider chain in order (`sign`, `euler-ws`, `custom`); empty: the default chain.
    pub providers: Vec<crate::live::ProviderKind>,
    pub euler_ws_url: String,
    /// Euler's WebSocket key (unset: the sign API key when the sign server is Euler's).
    pub euler_ws_api_key: Option<String>,
    /// A self-hosted sign server (the `custom` provider).
    pub custom_sign_url: Option<String>,
    pub custom_sign_api_key: Option<String>,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self {
            last_target: String::new(),
            sign_url: DEFAULT_SIGN_URL.to_owned(),
            sign_api_key: None,
            tiktok_url: DEFAULT_TIKTOK_URL.to_owned(),
            webcast_url: DEFAULT_WEBCAST_URL.to_owned(),
            providers: Vec::new(),
            euler_ws_url: crate::live::DEFAULT_EULER_WS_URL.to_owned(),
            euler_ws_api_key: None,
            custom_sign_url: None,
            custom_sign_api_key: None,
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
            .field("providers", &self.providers)
            .field("euler_ws_url", &self.euler_ws_url)
            .field(
                "euler_ws_api_key",
                &self.euler_ws_api_key.as_deref().map(masked),
            )
            .field("custom_sign_url", &self.custom_sign_url)
            .field(
                "custom_sign_api_key",
                &self.custom_sign_api_key.as_deref().map(masked),
            )
            .finish()
    }
}

pub use crate::text::masked;

/// Reads `null` as the default value.
fn null_is_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Everything giftdeck remembers between runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub version: u32,
    pub mappings: Vec<Mapping>,
    /// @handles that never trigger anything (any kind).
    pub blocklist: Vec<String>,
    pub connection: ConnectionSettings,
    /// The Minecraft server's RCON endpoint (the same type the executor uses).
    pub rcon: RconConfig,
    pub executor: ExecutorSettings,
    pub engine: EngineSettings,
    /// Overlay port and what the pages show (`docs/overlays.md`).
    pub overlays: crate::overlay::OverlaySettings,
    /// OBS's WebSocket server, for OBS actions (`obs.host`, `obs.port`, `obs.password`). `null`
    /// (written by builds where it was optional) reads as the defaults.
    #[serde(deserialize_with = "null_is_default")]
    pub obs: ObsConfig,
    /// How far the app's first-run checklist got.
    pub setup: SetupProgress,
    /// The viewers' points game: rates and levels (`docs/ledger.md`).
    pub ledger: crate::ledger::LedgerSettings,
    /// Goals for any metric, several at once.
    pub goals: Vec<crate::goals::GoalDef>,
    /// The subathon timer's start time and the time viewers add.
    pub subathon: crate::subathon::SubathonRates,
    /// Counters actions change (Tiktok2Mc's deaths and wins are two).
    pub counters: Vec<crate::counters::CounterDef>,
    /// Tiktok2Mc's stream timer: its length, what it does at zero, whether it waits out deaths.
    pub stream_timer: crate::stream_timer::StreamTimerSettings,
    /// The streamer's Minecraft player, and whether the queue waits while they are dead
    /// (`docs/actions.md`, "A queue that knows the world").
    pub minecraft_world: crate::world::WorldSettings,
    /// A Bedrock world over `/connect` instead of RCON (`bedrock.enabled`, `bedrock.port`).
    /// Absent in files written before it: off, on the default port.
    #[serde(deserialize_with = "null_is_default")]
    pub bedrock: crate::actions::bedrock::BedrockSettings,
    /// Keys actions' pace, cap and limits.
    pub keys: KeysSettings,
    /// Reading chat aloud and its filters (also the word filter of `speak` actions).
    pub read_chat: crate::actions::speak::ReadChat,
    /// The TikFinity-compatible events server.
    pub tikfinity: crate::tikfinity::TikfinitySettings,
    /// The external trigger endpoint (its token in the keyring).
    pub external: ExternalSettings,
    /// The window's scale and theme (`ui.scale`, `ui.theme`).
    pub ui: UiSettings,
    /// The gift pictures' disk cache bound (`pictures.cache_limit_mb`, 50 by default).
    pub pictures: PictureSettings,
}

/// How far the first-run checklist got, so it stays gone once done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SetupProgress {
    /// A connection test (or the queue) reached the streamer's own Minecraft server.
    pub minecraft_ok: bool,
    /// A trigger ran: its Test button, or a viewer's gift matched it.
    pub trigger_tried: bool,
    /// The streamer hid the checklist.
    pub hidden: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: SETTINGS_VERSION,
            mappings: default_mappings(),
            blocklist: Vec::new(),
            connection: ConnectionSettings::default(),
            rcon: RconConfig::default(),
            executor: ExecutorSettings::default(),
            engine: EngineSettings::default(),
            overlays: crate::overlay::OverlaySettings::default(),
            obs: ObsConfig::default(),
            setup: SetupProgress::default(),
            ledger: crate::ledger::LedgerSettings::default(),
            goals: Vec::new(),
            subathon: crate::subathon::SubathonRates::default(),
            counters: crate::counters::tiktok2mc_counters(),
            stream_timer: crate::stream_timer::StreamTimerSettings::default(),
            minecraft_world: crate::world::WorldSettings::default(),
            bedrock: crate::actions::bedrock::BedrockSettings::default(),
            keys: KeysSettings::default(),
            read_chat: crate::actions::speak::ReadChat::default(),
            tikfinity: crate::tikfinity::TikfinitySettings::default(),
            external: ExternalSettings::default(),
            ui: UiSettings::default(),
            pictures: PictureSettings::default(),
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
            providers: c.providers.clone(),
            euler_ws_url: c.euler_ws_url.clone(),
            euler_ws_api_key: c.euler_ws_api_key.clone(),
            custom_sign_url: c.custom_sign_url.clone().filter(|u| !u.trim().is_empty()),
            custom_sign_api_key: c.custom_sign_api_key.clone(),
            tiktok_session: crate::live::SessionSource::Keyring,
            gift_cache_dir: crate::live::gifts::default_cache_dir(),
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
        Mapping::new("follow", vec![cmd("give @a minecraft:golden_apple 1", 1)])
            .on(crate::mappings::Condition::Follow),
        Mapping::new(
            "every 100 likes",
            vec![cmd("execute at @a run summon minecraft:creeper ~ ~ ~", 1)],
        )
        .on(crate::mappings::Condition::Likes { every: 100 }),
    ]
}

pub use crate::paths::settings_path as default_path;

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
    // A backup holds the same secrets: private from its first byte (`fs::copy` would copy the
    // original's mode, however loose).
    let copy = || -> io::Result<()> {
        let mut from = fs::File::open(path)?;
        let mut to = create_file(&candidate, true)?;
        io::copy(&mut from, &mut to)?;
        to.sync_all()
    };
    copy().map_err(|source| SettingsError::Backup {
        path: path.to_owned(),
        backup: candidate.clone(),
        source,
    })?;
    Ok(candidate)
}

/// Saves atomically: writes `settings.json.tmp` beside the target, syncs it, then renames it over
/// the target, so a crash mid-save leaves the old file or the new one, never half of each. On Unix
/// the file is created 0600 and a folder we create (or the `giftdeck` config folder) is 0700: the
/// file holds the passwords, API keys and webhook URLs when there is no keyring ([`Vault::save`]
/// takes them out first when there is one).
pub fn save_atomic(path: &Path, settings: &Settings) -> Result<(), SettingsError> {
    let json = serde_json::to_vec_pretty(settings).map_err(|err| SettingsError::Write {
        path: path.to_owned(),
        source: io::Error::other(err),
    })?;
    crate::paths::write_private_atomic(path, &json).map_err(|source| SettingsError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Writes bytes atomically (temp file in the same directory, fsync, rename), with the usual
/// permissions (exports the user shares).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SettingsError> {
    crate::paths::write_atomic(path, bytes).map_err(|source| SettingsError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Mappings read from a `--mappings` file, with anything the user should know.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MappingsFile {
    pub mappings: Vec<Mapping>,
    /// The file's `blocklist` of @handles (our JSON settings files only).
    pub blocklist: Vec<String>,
    pub warnings: Vec<String>,
}

/// What `--execute` takes from a `--mappings` settings file besides the mappings: the keys pace and
/// limits and reading chat aloud. Defaults when the file is not our JSON or leaves them out.
pub fn peek_action_settings(path: &Path) -> (KeysSettings, crate::actions::speak::ReadChat) {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Part {
        keys: KeysSettings,
        read_chat: crate::actions::speak::ReadChat,
    }
    let part = fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Part>(&bytes).ok())
        .unwrap_or_default();
    (part.keys, part.read_chat)
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
            blocklist: Vec::new(),
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
    let (mappings, blocklist) = if trimmed.starts_with('[') {
        (
            serde_json::from_str::<Vec<Mapping>>(&text).map_err(parse_err)?,
            Vec::new(),
        )
    } else {
        // Only the mappings (and the blocklist) matter here; a settings file without them means
        // "no mappings".
        #[derive(Deserialize)]
        struct OnlyMappings {
            #[serde(default)]
            mappings: Vec<Mapping>,
            #[serde(default)]
            blocklist: Vec<String>,
        }
        let only = serde_json::from_str::<OnlyMappings>(&text).map_err(parse_err)?;
        (only.mappings, only.blocklist)
    };
    let warnings = redacted_webhooks(&mappings)
        .map(|(trigger, url)| format!("{}: {}", path.display(), redaction_warning(trigger, url)))
        .collect();
    Ok(MappingsFile {
        mappings,
        blocklist,
        warnings,
    })
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
    fn the_obs_connection_is_saved_and_its_password_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let mut settings = Settings::default();
        assert_eq!(settings.obs.port, 4455);
        settings.obs.password = "obs-secret-pw".into();
        save_atomic(&path, &settings).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""obs": {"#) && text.contains("obs-secret-pw"));
        assert_eq!(load(&path).settings.obs, settings.obs);
        // Older files have no `obs` section, or `null`: defaults.
        fs::write(&path, r#"{"version":1}"#).unwrap();
        assert_eq!(load(&path).settings.obs, ObsConfig::default());
        fs::write(&path, r#"{"version":1,"obs":null}"#).unwrap();
        let loaded = load(&path);
        assert!(loaded.warning.is_none());
        assert_eq!(loaded.settings.obs, ObsConfig::default());
        // Never in Debug (logs) nor in an export of the trigger table.
        assert!(!format!("{settings:?}").contains("obs-secret-pw"));
        assert!(!export_mappings_json(&settings.mappings).contains("obs-secret-pw"));
    }

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
        // The chain keys are additive: a file without them loads, one with them round-trips.
        let old: Settings =
            serde_json::from_str(r#"{"version":1,"connection":{"sign_url":"http://s"}}"#).unwrap();
        assert!(old.connection.providers.is_empty());
        assert_eq!(
            old.connection.euler_ws_url,
            crate::live::DEFAULT_EULER_WS_URL
        );
        settings.connection.providers = vec![
            crate::live::ProviderKind::EulerWs,
            crate::live::ProviderKind::Sign,
        ];
        settings.connection.custom_sign_url = Some(" ".into());
        let json = serde_json::to_string(&settings).unwrap();
        assert!(
            json.contains(r#""providers":["euler-ws","sign"]"#),
            "{json}"
        );
        let back: Settings = serde_json::from_str(&json).unwrap();
        assert_eq!(back.connection.providers, settings.connection.providers);
        assert_eq!(
            back.live_config("x").custom_sign_url,
            None,
            "a blank URL is none"
        );
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
    fn a_file_from_before_bedrock_loads_with_bedrock_off() {
        let old: Settings = serde_json::from_str(r#"{"rcon":{"password":"pw"}}"#).unwrap();
        assert_eq!(
            old.bedrock,
            crate::actions::bedrock::BedrockSettings::default()
        );
        assert!(!old.bedrock.enabled);
        let null: Settings = serde_json::from_str(r#"{"bedrock":null}"#).unwrap();
        assert_eq!(null.bedrock.port, crate::actions::bedrock::DEFAULT_PORT);
        let on: Settings = serde_json::from_str(r#"{"bedrock":{"enabled":true}}"#).unwrap();
        assert_eq!((on.bedrock.enabled, on.bedrock.port), (true, 23_880));
        let saved = serde_json::to_value(&on).unwrap();
        assert_eq!(
            saved["bedrock"],
            serde_json::json!({"enabled": true, "port": 23880})
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
