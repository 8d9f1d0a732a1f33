//! Secrets (the RCON and OBS passwords, the provider API keys, webhook URLs) never reach `Debug`
//! output, logs, the queue's log lines, exports or the command line's `Debug`, and reach
//! settings.json only where [`KEYRING`] says so, and only when there is no keyring (here: the
//! settings-file vault; `keyring.rs` runs the same walk against a real Secret Service). Keys given
//! on the command line work and are never written to disk.
//!
//! No list of structs: every string the settings can hold is set to a marker naming its place
//! (`support/sentinel.rs` walks the types through serde), and every place is a secret unless
//! [`PUBLIC`] lists it. So a field added tomorrow is a secret until someone says otherwise, and
//! fails here as soon as it shows anywhere (`a_new_secret_field_is_caught` proves it on a
//! test-only type).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/secret_places.rs"]
mod secret_places;
#[path = "support/sentinel.rs"]
mod sentinel;

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{CommandFactory as _, Parser as _};
use giftdeck::actions::{ExecMsg, ExecutorConfig, spawn_executor};
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::MappingTable;
use giftdeck::settings::{self, Settings};
use giftdeck::testkit::rcon::FakeRcon;
use secret_places::{KEYRING, PUBLIC};
use sentinel::{Filled, Places, found_in};
use serde::{Deserialize, Serialize};

/// Command-line values that hold no secret (`<subcommand> <flag or argument>`).
const CLI_PUBLIC: &[&str] = &[
    "replay capture",
    "replay --mappings",
    "replay --rcon",
    "replay --obs",
    "watch user",
    "watch --room-id",
    "watch --sign-url",
    "watch --euler-ws-url",
    "watch --custom-sign-url",
    "watch --tiktok-url",
    "watch --webcast-url",
    "watch --mappings",
    "watch --record",
    "watch --memory-dir",
    "watch --ledger",
    "watch --rcon",
    "watch --obs",
    // The streamer's in-game name, public on every server they play.
    "watch --player",
];

/// A place whose own name says "secret" can never be listed public.
fn looks_secret(place: &str) -> bool {
    let last = place
        .rsplit(['.', '>', ' '])
        .next()
        .unwrap_or(place)
        .to_ascii_lowercase();
    last.split(['_', '-']).any(|word| {
        [
            "password",
            "passwd",
            "pass",
            "secret",
            "token",
            "key",
            "apikey",
            "cookie",
            "session",
            "sessionid",
            "auth",
            "credential",
            "credentials",
        ]
        .contains(&word)
    })
}

/// The places of `places` found in `text` that `allowed` does not list, as "`place` in `what`".
fn leaks(text: &str, places: &Places, allowed: &[String], what: &str) -> BTreeSet<String> {
    found_in(text, places)
        .into_iter()
        .filter(|place| !allowed.contains(place))
        .map(|place| format!("{place} in {what}"))
        .collect()
}

fn owned(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// What any settings-like type must keep: its `Debug` shows only `public` places, its JSON (the
/// file) only those and `in_file`.
fn debug_and_file_leaks<T: Debug + Serialize>(
    filled: &Filled<T>,
    public: &[String],
    in_file: &[String],
) -> BTreeSet<String> {
    let value = &filled.value;
    let mut found = leaks(
        &format!("{value:?}\n{value:#?}"),
        &filled.places,
        public,
        "Debug",
    );
    let file_allowed: Vec<String> = public.iter().chain(in_file).cloned().collect();
    found.extend(leaks(
        &serde_json::to_string_pretty(value).unwrap(),
        &filled.places,
        &file_allowed,
        "the settings file",
    ));
    found
}

/// Everything written through `tracing` while `f` runs.
fn logs_of<R>(f: impl FnOnce() -> R) -> (R, String) {
    #[derive(Clone)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer(Arc::default());
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let result = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    (result, text)
}

/// Runs every action of `settings` through the real executor (RCON: a fake server that wants the
/// settings' password; OBS and webhooks: their marker addresses, which fail) and returns the queue's
/// log lines, as the queue panel shows them.
fn run_actions(settings: &Settings) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = FakeRcon::start(&settings.rcon.password).await.unwrap();
        let mut rcon = settings.rcon.clone();
        rcon.host = "127.0.0.1".into();
        rcon.port = server.port();
        let mut obs = settings.obs.clone();
        // A closed port on this machine: OBS actions fail at once.
        obs.host = "127.0.0.1".into();
        obs.port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (_table_tx, table) = tokio::sync::watch::channel(MappingTable::default());
        let (events_tx, mut events) = tokio::sync::mpsc::channel(4096);
        let handle = spawn_executor(
            ExecutorConfig {
                gap_millis: 0,
                rcon: Some(rcon),
                obs: Some(obs),
                ..ExecutorConfig::default()
            },
            table,
            events_tx,
            Arc::new(|| {}),
        );
        for mapping in &settings.mappings {
            handle.enqueue(&Decision {
                gift: CreditedGift {
                    user_id: 2,
                    unique_id: "viewer".into(),
                    nickname: "Viewer".into(),
                    trigger: Some(mapping.trigger.clone()),
                    ..giftdeck::testkit::outputs::rose()
                },
                mapping: Some(mapping.clone()),
            });
        }
        tokio::time::timeout(Duration::from_secs(60), handle.drained())
            .await
            .expect("every action ran or failed within a minute");
        assert!(
            !server.commands().is_empty(),
            "the commands ran, logged in with the password"
        );
        let mut lines = Vec::new();
        while let Ok(ExecMsg::Log(line)) = events.try_recv() {
            lines.push(format!("{line:?}"));
        }
        lines
    })
}

#[test]
fn no_secret_of_the_settings_shows_anywhere_it_must_not() {
    let public = owned(PUBLIC);
    let in_file = owned(KEYRING);
    let rounds = sentinel::fill::<Settings>();
    let mut seen = BTreeSet::new();
    let mut found = BTreeSet::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("giftdeck").join("settings.json");
    for (round, filled) in rounds.iter().enumerate() {
        seen.extend(filled.places.values().cloned());
        let settings = &filled.value;
        found.extend(debug_and_file_leaks(filled, &public, &in_file));
        // The file as the app writes it, loaded again, and the session config made from it, with
        // the logs all of that wrote.
        let ((), logs) = logs_of(|| {
            settings::save_atomic(&path, settings).unwrap();
            let file = std::fs::read_to_string(&path).unwrap();
            let file_allowed: Vec<String> = public.iter().chain(&in_file).cloned().collect();
            found.extend(leaks(&file, &filled.places, &file_allowed, "settings.json"));
            let loaded = settings::load(&path);
            assert!(loaded.warning.is_none(), "{:?}", loaded.warning);
            assert_eq!(&loaded.settings, settings, "saved and loaded alike");
            let live = settings.live_config("@streamer");
            found.extend(leaks(
                &format!("{live:?}"),
                &filled.places,
                &public,
                "the session config's Debug",
            ));
            let exported = settings::export_mappings_json(&settings.mappings);
            found.extend(leaks(&exported, &filled.places, &public, "an export"));
            let (mca, warnings) = settings::export_mca(&settings.mappings);
            let warnings: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
            found.extend(leaks(
                &format!("{mca}\n{}", warnings.join("\n")),
                &filled.places,
                &public,
                "an .mca export",
            ));
        });
        found.extend(leaks(&logs, &filled.places, &public, "the log"));
        // The actions themselves: the round where every kind of action is in the table.
        if round == 0 {
            let (lines, logs) = logs_of(|| run_actions(settings));
            found.extend(leaks(&logs, &filled.places, &public, "the executor's log"));
            found.extend(leaks(
                &lines.join("\n"),
                &filled.places,
                &public,
                "the queue's log lines",
            ));
        }
    }
    assert!(
        found.is_empty(),
        "secrets shown where they must not be (redact them, or list the place in PUBLIC if it \
         holds no secret, or in KEYRING if the file must keep it):\n{}",
        found.into_iter().collect::<Vec<_>>().join("\n")
    );
    // The lists name places that exist (a renamed field does not leave a stale entry behind that
    // would let its new name through unnoticed), and no public place is named like a secret.
    for place in PUBLIC.iter().chain(KEYRING) {
        assert!(
            seen.contains(*place),
            "{place} is listed but no such place: {seen:#?}"
        );
    }
    for place in PUBLIC {
        assert!(!looks_secret(place), "{place} is named like a secret");
    }
    for place in KEYRING {
        assert!(!PUBLIC.contains(place), "{place} is listed twice");
    }
}

#[test]
fn the_executor_config_never_shows_a_secret() {
    // The executor's own config type, walked like the settings (its RCON and OBS parts hold
    // passwords; every other string is the same host as in the settings, or reading chat aloud's
    // settings, public in the settings too).
    let mut public = owned(&["rcon.host", "obs.host"]);
    public.extend(
        PUBLIC
            .iter()
            .filter(|place| place.starts_with("read_chat."))
            .map(|place| (*place).to_owned()),
    );
    let mut found = BTreeSet::new();
    for filled in sentinel::fill::<ExecutorConfig>() {
        let value = &filled.value;
        found.extend(leaks(
            &format!("{value:?}\n{value:#?}"),
            &filled.places,
            &public,
            "Debug",
        ));
        let demo = ExecutorConfig {
            demo_rcon: value.rcon.clone(),
            ..value.clone()
        };
        found.extend(leaks(
            &format!("{demo:?}"),
            &filled.places,
            &public,
            "Debug (as the demo's server)",
        ));
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// Every value a subcommand's flags and arguments take, set to a marker naming it; `Debug` of the
/// parsed command line shows only [`CLI_PUBLIC`] ones. A flag added tomorrow is covered.
#[test]
fn no_secret_given_on_the_command_line_shows_in_its_debug() {
    let command = giftdeck::cli::Cli::command();
    let mut found = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for sub in command.get_subcommands() {
        let name = sub.get_name().to_owned();
        let mut places = Places::new();
        let mut argv = vec!["giftdeck".to_owned(), name.clone()];
        for (n, arg) in sub.get_arguments().enumerate() {
            if !arg.get_action().takes_values() {
                continue;
            }
            let place = match arg.get_long() {
                Some(long) => format!("{name} --{long}"),
                None => format!("{name} {}", arg.get_id()),
            };
            let token = format!("S3CR3T-{n}-X");
            let value = format!("https://sentinel.example/{token}");
            let mut with = argv.clone();
            match arg.get_long() {
                Some(long) => with.extend([format!("--{long}"), value]),
                None => with.push(value),
            }
            // Values of another kind (a port, seconds) cannot hold text.
            if parses(&with) {
                argv = with;
                places.insert(token, place.clone());
                seen.insert(place);
            }
        }
        let cli =
            giftdeck::cli::Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        found.extend(leaks(
            &format!("{cli:?}\n{cli:#?}"),
            &places,
            &owned(CLI_PUBLIC),
            "Debug",
        ));
    }
    assert!(
        found.is_empty(),
        "secrets in the command line's Debug (redact them, or list them in CLI_PUBLIC): {found:#?}"
    );
    for place in CLI_PUBLIC {
        assert!(
            seen.contains(*place),
            "{place} is listed but no such flag: {seen:#?}"
        );
        assert!(!looks_secret(place), "{place} is named like a secret");
    }
}

/// `argv` is a valid command line.
fn parses(argv: &[String]) -> bool {
    giftdeck::cli::Cli::try_parse_from(argv).is_ok()
}

// ---------------------------------------------------------------------------------------------
// The walk finds what nobody listed: a test-only settings type with two new secrets, one in an
// optional field left out of the file while unset, one in a new kind of an internally tagged enum.

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct NextSettings {
    settings: Settings,
    #[serde(skip_serializing_if = "Option::is_none")]
    tiktok_session: Option<String>,
    hooks: Vec<Hook>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Hook {
    Plain {
        url: String,
    },
    Keyed {
        url: String,
        api_key: String,
        #[serde(default)]
        retries: u32,
    },
}

#[test]
fn a_new_secret_field_is_caught() {
    let prefixed =
        |list: &[&str]| -> Vec<String> { list.iter().map(|p| format!("settings.{p}")).collect() };
    let mut public = prefixed(PUBLIC);
    public.extend(owned(&["hooks[]<plain>.url", "hooks[]<keyed>.url"]));
    let in_file = prefixed(KEYRING);
    let mut found = BTreeSet::new();
    for filled in sentinel::fill::<NextSettings>() {
        found.extend(debug_and_file_leaks(&filled, &public, &in_file));
    }
    let want: BTreeSet<String> = [
        "hooks[]<keyed>.api_key in Debug",
        "hooks[]<keyed>.api_key in the settings file",
        "tiktok_session in Debug",
        "tiktok_session in the settings file",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(found, want);
    // The names alone would have given them away too.
    assert!(looks_secret("tiktok_session") && looks_secret("hooks[]<keyed>.api_key"));
    assert!(!looks_secret("mappings[].on<chat_keyword>.keyword"));
}

// ---------------------------------------------------------------------------------------------
// Keys given to `giftdeck watch` (flags or their environment variables) reach the provider that
// needs them and nothing on disk: not settings.json, the room's memory, the gift list's cache,
// log files or the capture.

const SIGN_KEY: &str = "flag-sign-KEY-5b1e";
const WS_KEY: &str = "flag-ws-KEY-77c0";
const CUSTOM_KEY: &str = "flag-custom-KEY-0d9a";

/// Every file under `dir`, with what it holds.
fn files_under(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
}

/// One `watch` run through `provider` with every key on the command line, its home in a temp
/// folder; returns the fake (what it was sent), the run's output and every file it wrote.
async fn watch_with_keys(
    provider: &str,
    fake: giftdeck::testkit::fake::FakeTikTok,
) -> (
    giftdeck::testkit::fake::FakeTikTok,
    String,
    Vec<(std::path::PathBuf, Vec<u8>)>,
) {
    let home = tempfile::tempdir().unwrap();
    let record = home.path().join("stream.capture");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_giftdeck"));
    cmd.args(["watch", "@fake_streamer", "--provider", provider])
        .args(["--tiktok-url", &fake.tiktok_url()])
        .args(["--webcast-url", &fake.webcast_url()])
        .args(["--sign-url", &fake.sign_url()])
        .args(["--euler-ws-url", &fake.euler_ws_url()])
        .args(["--custom-sign-url", &fake.sign_url()])
        .args(["--sign-api-key", SIGN_KEY, "--euler-ws-api-key", WS_KEY])
        .arg("--record")
        .arg(&record)
        .env("GIFTDECK_CUSTOM_SIGN_API_KEY", CUSTOM_KEY)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("GIFTDECK_LOG", "trace")
        .env("RUST_LOG", "trace")
        .env_remove("GIFTDECK_SIGN_API_KEY")
        .env_remove("GIFTDECK_EULER_WS_API_KEY")
        .env_remove("GIFTDECK_MEMORY_DIR");
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{provider}: {printed}");
    assert!(printed.contains("\"msg_id\":42"), "{provider}: {printed}");
    let mut files = Vec::new();
    files_under(home.path(), &mut files);
    (fake, printed, files)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_on_the_command_line_work_and_never_reach_the_disk() {
    use giftdeck::testkit::fake::{EulerFake, FakeConfig, FakeTikTok, Scenario, Step};
    use giftdeck::testkit::frames::{GiftSpec, MessageSpec};
    let gift = || {
        MessageSpec::Gift(GiftSpec {
            msg_id: 42,
            user_id: 1,
            unique_id: "viewer".into(),
            nickname: "Viewer".into(),
            gift_id: 5996,
            gift_name: "Galaxy".into(),
            diamonds: 1_000,
            gift_type: 2,
            repeat_count: 1,
            repeat_end: false,
            group_id: 1,
            create_time_millis: 0,
        })
    };
    let push = |key: &str| FakeConfig {
        sign_api_key: Some(key.into()),
        ..FakeConfig::with_scenario(Scenario {
            connections: vec![vec![
                Step::WaitForEnterRoom,
                Step::Batch(vec![gift()]),
                Step::EndStream,
            ]],
            ..Scenario::default()
        })
    };
    let euler = FakeConfig {
        euler: EulerFake {
            api_key: Some(WS_KEY.into()),
            connections: vec![vec![
                Step::Batch(vec![gift()]),
                Step::Close {
                    code: 4005,
                    reason: "TikTok stream ended".into(),
                },
            ]],
            after: vec![],
        },
        ..FakeConfig::default()
    };
    let mut written = Vec::new();
    for (provider, config) in [
        ("sign", push(SIGN_KEY)),
        ("euler-ws", euler),
        ("custom", push(CUSTOM_KEY)),
    ] {
        let fake = FakeTikTok::start(config).await.unwrap();
        let (fake, printed, files) = watch_with_keys(provider, fake).await;
        // The key went where it belongs (the fake refuses any other).
        let recorded = fake.recorded();
        match provider {
            "euler-ws" => assert_eq!(recorded.euler[0].request.query("apiKey"), Some(WS_KEY)),
            _ => {
                let key = if provider == "sign" {
                    SIGN_KEY
                } else {
                    CUSTOM_KEY
                };
                assert_eq!(recorded.sign_requests()[0].header("x-api-key"), Some(key));
            }
        }
        for key in [SIGN_KEY, WS_KEY, CUSTOM_KEY] {
            assert!(
                !printed.contains(key),
                "{provider}: {key} printed: {printed}"
            );
        }
        written.extend(files);
    }
    // The runs wrote files (the capture, the gift list's cache), and none of them holds a key.
    let names: Vec<_> = written.iter().map(|(path, _)| path.clone()).collect();
    for wrote in ["stream.capture", "gifts"] {
        assert!(
            written.iter().any(|(path, bytes)| {
                !bytes.is_empty() && path.iter().any(|part| part == wrote)
            }),
            "no {wrote}: {names:?}"
        );
    }
    for (path, bytes) in &written {
        let text = String::from_utf8_lossy(bytes);
        for key in [SIGN_KEY, WS_KEY, CUSTOM_KEY] {
            assert!(!text.contains(key), "{key} written to {}", path.display());
        }
    }
}
