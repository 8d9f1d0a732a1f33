//! The TikTok session and the settings' secrets in a real Secret Service: Debian's
//! `gnome-keyring-daemon` on a private session bus (`dbus-run-session`), with its own home folder.
//! The session is stored, read back by a second client (`secret-tool`), used for an 18+ room, and
//! deleted; it never reaches settings.json or a log line. The settings' passwords, keys and
//! webhook URLs move from an older settings.json into the keyring on the next save, settings.json
//! then holds none of them (every string the settings can hold, walked), and they come back on the
//! next start, in the app too. Without a session bus, or with a locked keyring, the words are
//! plain, the secrets stay in the owner-only file, and nothing hangs.
//!
//! Each case runs this test binary again inside its own bus (`keyring_child`, ignored on its own).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::io::Write;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use giftdeck::engine::{Output, Stamped};
use giftdeck::keystore::{self, KeyringError, TikTokSession};
use giftdeck::live::{ConnStatus, FailureKind, LiveMsg, ProviderKind, SessionSource};
use giftdeck::mappings::{Action, MappingTable};
use giftdeck::settings::{self, SecretsHome, SecretsWarning, Settings, Vault};
use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, PageMode, Scenario, Step};
use giftdeck::testkit::frames::{GiftSpec, MessageSpec};

const MODE: &str = "GIFTDECK_KEYRING_MODE";
const SECRET: &str =
    "sessionid=keyring-secret-4f1c; sessionid_ss=keyring-secret-ss; tt-target-idc=useast5";

#[path = "support/real.rs"]
mod real;
#[path = "support/secret_places.rs"]
mod secret_places;
#[path = "support/sentinel.rs"]
mod sentinel;

fn tools_present() -> bool {
    ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"]
        .iter()
        .all(|tool| {
            real::program(tool, "apt-get install gnome-keyring libsecret-tools dbus").is_some()
        })
}

/// Runs `keyring_child` in `mode` inside `wrapper` (a shell line ending in `exec "$0" …`).
fn child(mode: &str, wrapper: &str) -> (bool, String) {
    let home = tempfile::tempdir().unwrap();
    let runtime = home.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let output = Command::new("sh")
        .args(["-c", wrapper])
        .arg(&exe)
        .env(MODE, mode)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{mode} took {:?}",
        started.elapsed()
    );
    (output.status.success() && text.contains("1 passed"), text)
}

const CHILD: &str = "--exact keyring_child --ignored --nocapture --test-threads 1";

/// A private bus with an unlocked keyring daemon.
fn unlocked() -> String {
    format!(
        "exec dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec \"$0\" {CHILD}' \"$0\""
    )
}

#[test]
fn the_session_lives_in_a_real_secret_service_and_nowhere_else() {
    if !tools_present() {
        return;
    }
    let (ok, text) = child("unlocked", &unlocked());
    assert!(ok, "{text}");
}

#[test]
fn the_settings_secrets_move_from_an_old_file_to_a_real_secret_service_and_come_back() {
    if !tools_present() {
        return;
    }
    let (ok, text) = child("settings", &unlocked());
    assert!(ok, "{text}");
}

#[test]
fn no_session_bus_is_a_plain_message_and_no_hang() {
    if !tools_present() {
        return;
    }
    let wrapper =
        format!("DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/giftdeck-bus exec \"$0\" {CHILD}");
    let (ok, text) = child("no-bus", &wrapper);
    assert!(ok, "{text}");
}

#[test]
fn a_locked_keyring_is_a_plain_message_and_no_hang() {
    if !tools_present() {
        return;
    }
    // A daemon with no unlocked collection and no prompter to ask for a password.
    let wrapper = format!(
        "exec dbus-run-session -- sh -c 'gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1 </dev/null; exec \"$0\" {CHILD}' \"$0\""
    );
    let (ok, text) = child("locked", &wrapper);
    assert!(ok, "{text}");
}

/// Everything the process logs, at every level.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() -> Logs {
    let logs = Logs::default();
    let writer = logs.clone();
    // Everything, as `GIFTDECK_LOG=trace` would ask the app for, through the app's own filter.
    let filter = keystore::quiet_log_filter(tracing_subscriber::EnvFilter::new("trace"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();
    logs
}

/// What a second client finds under the entry `user`.
fn secret_tool_lookup(user: &str) -> (bool, String) {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", keystore::SERVICE, "username", user])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn gift(msg_id: i64) -> MessageSpec {
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id: 1,
        unique_id: "u".into(),
        nickname: "U".into(),
        gift_id: 5996,
        gift_name: "Galaxy".into(),
        diamonds: 1_000,
        gift_type: 2,
        repeat_count: 1,
        repeat_end: false,
        group_id: 1,
        create_time_millis: 0,
    })
}

/// An 18+ room, the session taken from the keyring: what the session sent to its consumer.
async fn adult_room(steps: Vec<Step>) -> (FakeTikTok, Vec<LiveMsg>) {
    let fake = FakeTikTok::start(FakeConfig {
        page: PageMode::AgeRestricted,
        ..FakeConfig::with_scenario(Scenario {
            connections: vec![steps],
            after: vec![Step::Silent],
            ..Scenario::default()
        })
    })
    .await
    .unwrap();
    let config = giftdeck::live::LiveConfig {
        providers: vec![ProviderKind::Sign],
        tiktok_session: SessionSource::Keyring,
        ..fake.live_config()
    };
    let (_mappings, mappings_rx) = tokio::sync::watch::channel(MappingTable::default());
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let handle = giftdeck::live::spawn_session(config, mappings_rx, tx, Arc::new(|| {}));
    let mut log = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        let done = matches!(
            &msg,
            LiveMsg::Output(Stamped {
                output: Output::Credit(_),
                ..
            })
        ) || matches!(&msg, LiveMsg::Status(s) if s.is_final());
        log.push(msg);
        if done {
            break;
        }
    }
    handle.stop();
    (fake, log)
}

#[test]
#[ignore = "runs inside its own session bus, started by the tests above"]
fn keyring_child() {
    let mode = std::env::var(MODE).expect("started by a parent test");
    let logs = capture_logs();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    match mode.as_str() {
        "unlocked" => session_in_the_keyring(&logs, &runtime),
        "settings" => settings_in_the_keyring(&logs),
        "no-bus" | "locked" => {
            settings_without_a_keyring(&mode);
            let started = Instant::now();
            let err = match mode.as_str() {
                "no-bus" => keystore::load().unwrap_err(),
                _ => keystore::store(&TikTokSession::parse(SECRET).unwrap()).unwrap_err(),
            };
            assert!(
                started.elapsed() <= keystore::DEADLINE + Duration::from_secs(1),
                "no hang: {:?}",
                started.elapsed()
            );
            match mode.as_str() {
                "no-bus" => assert!(matches!(err, KeyringError::Unavailable { .. }), "{err:?}"),
                _ => assert!(
                    matches!(
                        err,
                        KeyringError::Locked { .. }
                            | KeyringError::NoAnswer
                            | KeyringError::Unavailable { .. }
                    ),
                    "{err:?}"
                ),
            }
            let words = err.to_string();
            assert!(words.contains("keyring"), "{words}");
            assert!(!words.contains("keyring-secret"), "{words}");
            // The app goes on: an 18+ room says what is missing, plainly.
            let (_fake, log) = runtime.block_on(adult_room(Vec::new()));
            let warned = log
                .iter()
                .any(|m| matches!(m, LiveMsg::Warning(w) if w.to_string().contains("keyring")));
            let failed = log.iter().any(|m| {
                matches!(
                    m,
                    LiveMsg::Status(ConnStatus::Failed {
                        kind: FailureKind::AgeRestricted,
                        ..
                    })
                )
            });
            // Without a bus the streamer is told why; a locked keyring with nothing saved in it
            // simply has no session.
            assert!(failed && (warned || mode == "locked"), "{log:#?}");
        }
        other => panic!("unknown mode {other}"),
    }
}

/// The session stored, read back by a second client, used for an 18+ room, and deleted; never in
/// settings.json or the log.
fn session_in_the_keyring(logs: &Logs, runtime: &tokio::runtime::Runtime) {
    let session = TikTokSession::parse(SECRET).unwrap();
    keystore::store(&session).unwrap();
    let (found, printed) = secret_tool_lookup(keystore::TIKTOK_SESSION);
    assert!(found, "a second client sees it");
    assert_eq!(printed.trim(), session.cookie_header());
    assert_eq!(keystore::load().unwrap(), Some(session));

    let (fake, log) = runtime.block_on(adult_room(vec![
        Step::WaitForEnterRoom,
        Step::Batch(vec![gift(1)]),
    ]));
    assert!(
        log.iter().any(|m| matches!(
            m,
            LiveMsg::Output(Stamped {
                output: Output::Credit(_),
                ..
            })
        )),
        "the 18+ room connected with the keyring's session: {log:#?}"
    );
    let sign = fake.recorded().sign_requests()[0].clone();
    assert_eq!(sign.query("session_id"), Some("keyring-secret-4f1c"));

    // Saved settings and the whole log never hold it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    giftdeck::settings::save_atomic(&path, &giftdeck::settings::Settings::default()).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logged.contains("18+"), "the log was captured: {logged}");
    for secret in ["keyring-secret-4f1c", "keyring-secret-ss"] {
        assert!(!saved.contains(secret), "settings.json: {saved}");
        assert!(!logged.contains(secret), "log: {logged}");
        assert!(!format!("{log:?}").contains(secret));
    }

    keystore::delete().unwrap();
    assert_eq!(keystore::load().unwrap(), None);
    assert!(
        !secret_tool_lookup(keystore::TIKTOK_SESSION).0,
        "gone for the second client too"
    );
    keystore::delete().unwrap();
}

// ---- the settings' secrets ----

/// The secrets of [`old_settings_file`], as an older giftdeck wrote them into settings.json.
const OLD_SECRETS: [&str; 6] = [
    "old-sign-KEY",
    "old-ws-KEY",
    "old-custom-KEY",
    "old-rcon-PW",
    "old-obs-PW",
    "old-hook-TOKEN",
];
const OLD_HOOK: &str = "https://discord.com/api/webhooks/1/old-hook-TOKEN";

fn old_settings_file(path: &std::path::Path) {
    let old = serde_json::json!({
        "version": 1,
        "connection": {
            "sign_api_key": "old-sign-KEY",
            "euler_ws_api_key": "old-ws-KEY",
            "custom_sign_url": "http://127.0.0.1:9/sign",
            "custom_sign_api_key": "old-custom-KEY"
        },
        "rcon": {"host": "127.0.0.1", "port": 25575, "password": "old-rcon-PW"},
        "obs": {"password": "old-obs-PW"},
        "mappings": [{"trigger": "Lion", "actions": [{"type": "webhook", "url": OLD_HOOK}]}]
    });
    std::fs::write(path, old.to_string()).unwrap();
}

/// The six secrets `settings` holds, in the order of [`OLD_SECRETS`].
fn secrets_of(settings: &Settings) -> Vec<String> {
    let c = &settings.connection;
    let hook = match settings.mappings.first().and_then(|m| m.actions.first()) {
        Some(Action::Webhook { url, .. }) => url.clone(),
        other => panic!("no webhook: {other:?}"),
    };
    vec![
        c.sign_api_key.clone().unwrap_or_default(),
        c.euler_ws_api_key.clone().unwrap_or_default(),
        c.custom_sign_api_key.clone().unwrap_or_default(),
        settings.rcon.password.clone(),
        settings.obs.password.clone(),
        hook,
    ]
}

fn old_values() -> Vec<String> {
    let mut values: Vec<String> = OLD_SECRETS[..5].iter().map(|s| (*s).to_owned()).collect();
    values.push(OLD_HOOK.to_owned());
    values
}

fn app_on(path: &std::path::Path, rt: &tokio::runtime::Runtime) -> giftdeck::ui::GiftdeckApp {
    giftdeck::ui::GiftdeckApp::new(giftdeck::ui::AppOptions {
        settings_path: Some(path.to_owned()),
        runtime: rt.handle().clone(),
        demo: false,
        secrets: SecretsHome::Keyring,
    })
}

fn settings_in_the_keyring(logs: &Logs) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    old_settings_file(&path);
    // The older file loads with every secret in it.
    let mut settings = settings::load(&path).settings;
    let (mut vault, warnings) = Vault::open(SecretsHome::Keyring, &mut settings);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(vault.home(), SecretsHome::Keyring);
    assert_eq!(secrets_of(&settings), old_values());
    // The next save moves them to the keyring and out of the file.
    assert_eq!(vault.save(&path, &settings).unwrap(), None);
    let file = std::fs::read_to_string(&path).unwrap();
    for secret in OLD_SECRETS {
        assert!(
            !file.contains(secret),
            "{secret} still in settings.json: {file}"
        );
    }
    assert!(file.contains("https://discord.com/…"), "{file}");
    let (found, entry) = secret_tool_lookup(keystore::SETTINGS_SECRETS);
    assert!(found, "a second client sees the entry");
    for secret in OLD_SECRETS {
        assert!(entry.contains(secret), "{secret} not in the keyring");
    }
    // The next start has them all back.
    let mut again = settings::load(&path).settings;
    let (_vault, warnings) = Vault::open(SecretsHome::Keyring, &mut again);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(again, settings);
    // `--mappings settings.json` (replay, watch) gets the webhook's full URL from the keyring.
    let table = giftdeck::cli::load_mappings_arg(Some(&path)).unwrap();
    assert!(
        matches!(&table.mappings()[0].actions[0], Action::Webhook { url, .. } if url == OLD_HOOK),
        "{:?}",
        table.mappings()
    );

    // The app: loads them, and a password typed in the window goes to the keyring.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut app = app_on(&path, &rt);
    assert_eq!(secrets_of(app.settings()), old_values());
    assert_eq!(app.state().save.warning, None);
    let mut rcon = app.settings().rcon.clone();
    rcon.password = "new-rcon-PW".into();
    app.set_rcon(rcon);
    app.flush_save();
    drop(app);
    let file = std::fs::read_to_string(&path).unwrap();
    assert!(
        !file.contains("new-rcon-PW") && !file.contains("old-rcon-PW"),
        "{file}"
    );
    assert!(
        secret_tool_lookup(keystore::SETTINGS_SECRETS)
            .1
            .contains("new-rcon-PW")
    );

    every_secret_place_goes_to_the_keyring(dir.path());
    many_webhooks_are_kept_in_pieces(dir.path());

    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    for secret in OLD_SECRETS.iter().chain(&["new-rcon-PW", "S3CR3T-"]) {
        assert!(!logged.contains(secret), "{secret} in the log: {logged}");
    }
    keystore::delete_secret(keystore::SETTINGS_SECRETS).unwrap();
    assert!(!secret_tool_lookup(keystore::SETTINGS_SECRETS).0);
}

/// Every string the settings can hold, set to a marker naming its place: with a keyring,
/// settings.json shows only public places, the keyring gets every secret place, and the next
/// start reads back the very same settings.
fn every_secret_place_goes_to_the_keyring(dir: &std::path::Path) {
    let path = dir.join("walked.json");
    let mut in_keyring = std::collections::BTreeSet::new();
    for filled in sentinel::fill::<Settings>() {
        let (mut vault, _) = Vault::open(SecretsHome::Keyring, &mut Settings::default());
        assert_eq!(vault.save(&path, &filled.value).unwrap(), None);
        let file = std::fs::read_to_string(&path).unwrap();
        let shown: Vec<String> = sentinel::found_in(&file, &filled.places)
            .into_iter()
            .filter(|place| !secret_places::PUBLIC.contains(&place.as_str()))
            .collect();
        assert!(
            shown.is_empty(),
            "in settings.json despite the keyring: {shown:?}"
        );
        let (_, entry) = secret_tool_lookup(keystore::SETTINGS_SECRETS);
        in_keyring.extend(sentinel::found_in(&entry, &filled.places));
        let mut back = settings::load(&path).settings;
        let (_vault, warnings) = Vault::open(SecretsHome::Keyring, &mut back);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(back, filled.value, "saved and loaded alike");
    }
    for place in secret_places::KEYRING {
        assert!(
            in_keyring.contains(*place),
            "{place} never reached the keyring"
        );
    }
}

/// A table with many webhooks is more than one entry of Windows' size can hold: it is kept in
/// pieces, comes back whole, and a smaller table later reads back without the old pieces.
fn many_webhooks_are_kept_in_pieces(dir: &std::path::Path) {
    let path = dir.join("many.json");
    let hook = |i: usize| Action::Webhook {
        url: format!("https://discord.com/api/webhooks/{i}/many-hook-TOKEN-{i:02}"),
        timeout_millis: 5_000,
    };
    let mut many = Settings {
        mappings: (0..40)
            .map(|i| giftdeck::mappings::Mapping::new(format!("Gift {i}"), vec![hook(i)]))
            .collect(),
        ..Settings::default()
    };
    for count in [40, 1] {
        many.mappings.truncate(count);
        let (mut vault, _) = Vault::open(SecretsHome::Keyring, &mut Settings::default());
        assert_eq!(vault.save(&path, &many).unwrap(), None);
        let file = std::fs::read_to_string(&path).unwrap();
        assert!(!file.contains("many-hook-TOKEN"), "{file}");
        let in_pieces = secret_tool_lookup(&format!("{}.2", keystore::SETTINGS_SECRETS)).0;
        assert_eq!(in_pieces, count == 40, "{count} webhooks");
        let mut back = settings::load(&path).settings;
        let (_vault, warnings) = Vault::open(SecretsHome::Keyring, &mut back);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(back, many, "{count} webhooks back whole");
    }
}

/// No bus, or a locked keyring: the secrets stay in the owner-only file, nothing is lost, the
/// words are plain and nothing hangs.
fn settings_without_a_keyring(mode: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    old_settings_file(&path);
    let started = Instant::now();
    let mut settings = settings::load(&path).settings;
    let (mut vault, warnings) = Vault::open(SecretsHome::Keyring, &mut settings);
    let saved = vault.save(&path, &settings).unwrap();
    assert!(
        started.elapsed() <= keystore::DEADLINE * 2 + Duration::from_secs(1),
        "no hang: {:?}",
        started.elapsed()
    );
    // No bus: opening says so. A locked keyring may hold nothing to read; saving then says so.
    let said: Vec<SecretsWarning> = warnings.into_iter().chain(saved).collect();
    assert!(
        said.iter()
            .any(|w| matches!(w, SecretsWarning::NoKeyring(_))),
        "{said:?}"
    );
    let words = said[0].to_string();
    assert!(
        words.contains("keyring") && words.contains("settings.json"),
        "{words}"
    );
    assert_eq!(vault.home(), SecretsHome::SettingsFile);
    assert_eq!(secrets_of(&settings), old_values(), "nothing lost");
    let file = std::fs::read_to_string(&path).unwrap();
    for secret in OLD_SECRETS {
        assert!(file.contains(secret), "{secret} lost: {file}");
        assert!(!words.contains(secret));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "owner-only");
    }
    if mode == "no-bus" {
        // The app's settings banner says it in plain words, and the app has every secret.
        let rt = tokio::runtime::Runtime::new().unwrap();
        let app = app_on(&path, &rt);
        let banner = app.state().save.warning.clone().unwrap_or_default();
        assert!(
            banner.contains("no keyring") && banner.contains("settings.json"),
            "{banner}"
        );
        assert_eq!(secrets_of(app.settings()), old_values());
    }
}
