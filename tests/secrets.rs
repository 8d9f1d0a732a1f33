//! Secrets (the RCON and OBS passwords, the sign API key, webhook URLs) never reach `Debug` output,
//! logs, the queue's log lines, exports or the command line's `Debug`, and reach settings.json only
//! where [`IN_SETTINGS_FILE`] says so.
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
use giftdeck::event::{CreditedGift, EndedBy};
use giftdeck::mappings::MappingTable;
use giftdeck::settings::{self, Settings};
use giftdeck::testkit::rcon::FakeRcon;
use sentinel::{Filled, Places, found_in};
use serde::{Deserialize, Serialize};

/// Places of `Settings` that hold no secret: they may be shown, logged and exported.
const PUBLIC: &[&str] = &[
    "blocklist[]",
    "connection.last_target",
    "connection.sign_url",
    "connection.euler_ws_url",
    "connection.custom_sign_url",
    "connection.tiktok_url",
    "connection.webcast_url",
    "mappings[].trigger",
    "mappings[].audience<handles>[]",
    "mappings[].on<chat_command>.command",
    "mappings[].on<chat_keyword>.keyword",
    "mappings[].actions[]<command>.command",
    "mappings[].actions[]<sound>.path",
    "mappings[].actions[]<overlay_text>.title",
    "mappings[].actions[]<overlay_text>.subtitle",
    "mappings[].actions[]<obs_scene>.scene",
    "mappings[].actions[]<obs_show_source>.scene",
    "mappings[].actions[]<obs_show_source>.source",
    "mappings[].actions[]<obs_source>.source",
    "mappings[].actions[]<obs_text>.source",
    "mappings[].actions[]<obs_text>.text",
    "mappings[].actions[]<speak>.text",
    "counters[].name",
    // Reading chat aloud: the streamer's own words, voices and viewers' handles.
    "read_chat.command",
    "read_chat.template",
    "read_chat.audience<handles>[]",
    "read_chat.word_filter[]",
    "read_chat.voice",
    "read_chat.viewer_voices[].handle",
    "read_chat.viewer_voices[].voice",
    "rcon.host",
    "obs.host",
];

/// Secrets settings.json may hold (the file is the owner's only, mode 0600), until the OS keyring
/// holds them.
const IN_SETTINGS_FILE: &[&str] = &[
    "connection.sign_api_key",
    "connection.euler_ws_api_key",
    "connection.custom_sign_api_key",
    "rcon.password",
    "obs.password",
    "mappings[].actions[]<webhook>.url",
];

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
    "watch --rcon",
    "watch --obs",
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
                    msg_id: 1,
                    user_id: 2,
                    unique_id: "viewer".into(),
                    nickname: "Viewer".into(),
                    gift_id: 5655,
                    gift_name: "Rose".into(),
                    diamonds: 1,
                    count: 1,
                    trigger: Some(mapping.trigger.clone()),
                    ended_by: EndedBy::StreakEnd,
                    image_url: None,
                    skipped: None,
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
    let in_file = owned(IN_SETTINGS_FILE);
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
         holds no secret, or in IN_SETTINGS_FILE if the file must keep it):\n{}",
        found.into_iter().collect::<Vec<_>>().join("\n")
    );
    // The lists name places that exist (a renamed field does not leave a stale entry behind that
    // would let its new name through unnoticed), and no public place is named like a secret.
    for place in PUBLIC.iter().chain(IN_SETTINGS_FILE) {
        assert!(
            seen.contains(*place),
            "{place} is listed but no such place: {seen:#?}"
        );
    }
    for place in PUBLIC {
        assert!(!looks_secret(place), "{place} is named like a secret");
    }
    for place in IN_SETTINGS_FILE {
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
    let in_file = prefixed(IN_SETTINGS_FILE);
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
