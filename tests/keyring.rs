//! The TikTok session in a real Secret Service: Debian's `gnome-keyring-daemon` on a private
//! session bus (`dbus-run-session`), with its own home folder. The session is stored, read back by
//! a second client (`secret-tool`), used for an 18+ room, and deleted; it never reaches
//! settings.json or a log line. Without a session bus, or with a locked keyring, the words are
//! plain and nothing hangs.
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
use giftdeck::mappings::MappingTable;
use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, PageMode, Scenario, Step};
use giftdeck::testkit::frames::{GiftSpec, MessageSpec};

const MODE: &str = "GIFTDECK_KEYRING_MODE";
const SECRET: &str =
    "sessionid=keyring-secret-4f1c; sessionid_ss=keyring-secret-ss; tt-target-idc=useast5";

#[path = "support/real.rs"]
mod real;

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

#[test]
fn the_session_lives_in_a_real_secret_service_and_nowhere_else() {
    if !tools_present() {
        return;
    }
    let wrapper = format!(
        "exec dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec \"$0\" {CHILD}' \"$0\""
    );
    let (ok, text) = child("unlocked", &wrapper);
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

fn secret_tool_lookup() -> (bool, String) {
    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            keystore::SERVICE,
            "username",
            keystore::TIKTOK_SESSION,
        ])
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
        "unlocked" => {
            let session = TikTokSession::parse(SECRET).unwrap();
            keystore::store(&session).unwrap();
            let (found, printed) = secret_tool_lookup();
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
            giftdeck::settings::save_atomic(&path, &giftdeck::settings::Settings::default())
                .unwrap();
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
            assert!(!secret_tool_lookup().0, "gone for the second client too");
            keystore::delete().unwrap();
        }
        "no-bus" | "locked" => {
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
