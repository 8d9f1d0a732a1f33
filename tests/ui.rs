//! The desktop app driven headless with egui_kittest (no GPU, no display): real settings files in a
//! temp dir, and real background work (fake TikTok, live client, executor, RCON) on a tokio
//! runtime over loopback.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use giftdeck::engine::{EngineConfig, Output, Pipeline};
use giftdeck::event::{GiftMessage, LiveEvent, User};
use giftdeck::mappings::{Action, Mapping};
use giftdeck::settings;
use giftdeck::testkit::rcon::{DEMO_RCON_PASSWORD, FakeRcon};
use giftdeck::ui::{AppOptions, GiftdeckApp};
use giftdeck::wire::Batch;

/// Generous: the machine running tests may be busy building.
const TIMEOUT: Duration = Duration::from_secs(60);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("ui-test-rt")
        .enable_all()
        .build()
        .unwrap()
}

fn app(rt: &tokio::runtime::Runtime, settings_path: &Path, demo: bool) -> GiftdeckApp {
    GiftdeckApp::new(AppOptions {
        settings_path: Some(settings_path.to_owned()),
        runtime: rt.handle().clone(),
        demo,
    })
}

fn harness(app: GiftdeckApp) -> Harness<'static, GiftdeckApp> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app)
}

/// Steps frames until `done` holds, failing with `what` after [`TIMEOUT`].
fn step_until(h: &mut Harness<'_, GiftdeckApp>, what: &str, done: impl Fn(&GiftdeckApp) -> bool) {
    let started = Instant::now();
    loop {
        h.step();
        if done(h.state()) {
            return;
        }
        assert!(started.elapsed() < TIMEOUT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The text field currently holding `value`.
fn text_field<'h>(h: &'h Harness<'_, GiftdeckApp>, value: &'h str) -> egui_kittest::Node<'h> {
    h.get_by(move |node| {
        node.role() == egui::accesskit::Role::TextInput && node.value().as_deref() == Some(value)
    })
}

fn gift(msg_id: i64, name: &str, gift_id: i64) -> GiftMessage {
    GiftMessage {
        msg_id,
        user: User {
            user_id: 42,
            unique_id: "viewer".into(),
            nickname: "Viewer".into(),
            ..User::default()
        },
        gift_id,
        gift_name: name.into(),
        diamonds: 1,
        streakable: false,
        repeat_count: 1,
        repeat_end: true,
        group_id: 0,
        create_time_millis: 0,
        image_url: None,
    }
}

/// What the trigger table, as the live session sees it, matches for this gift.
fn matched_trigger(app: &GiftdeckApp, gift_name: &str, gift_id: i64) -> Option<String> {
    let table = app.mappings_watch().borrow().clone();
    let mut pipeline = Pipeline::new(EngineConfig::default(), table);
    let mut out = Vec::new();
    let batch = Batch {
        events: vec![LiveEvent::Gift(gift(1, gift_name, gift_id))],
        ..Batch::default()
    };
    pipeline.ingest_batch(batch, 0, &mut out);
    match out.as_slice() {
        [Output::Credit(decision)] => decision.gift.trigger.clone(),
        other => panic!("expected one credit, got {other:?}"),
    }
}

#[test]
fn editing_a_trigger_saves_it_and_changes_what_the_next_gift_matches() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut h = harness(app(&rt, &path, false));
    h.step();
    assert_eq!(
        h.state().mappings()[0].trigger,
        "Rose",
        "first-run example table"
    );
    assert_eq!(
        matched_trigger(h.state(), "Rose", 5655).as_deref(),
        Some("Rose")
    );
    assert_eq!(matched_trigger(h.state(), "Doughnut", 5879), None);

    // Type a new trigger into the first row's field, as the streamer would.
    text_field(&h, "Rose").focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    text_field(&h, "Rose").type_text("Doughnut");
    h.step();
    step_until(&mut h, "the edit to apply", |app| {
        app.mappings()[0].trigger == "Doughnut"
    });

    assert_eq!(
        matched_trigger(h.state(), "Doughnut", 5879).as_deref(),
        Some("Doughnut")
    );
    assert_eq!(
        matched_trigger(h.state(), "Rose", 5655),
        None,
        "Rose no longer matches"
    );

    step_until(&mut h, "the settings file to be saved", |_| {
        std::fs::read_to_string(&path).is_ok_and(|t| t.contains("\"Doughnut\""))
    });
    let saved = settings::load(&path);
    assert!(saved.warning.is_none());
    assert_eq!(saved.settings.mappings[0].trigger, "Doughnut");
    assert_eq!(saved.settings.mappings.len(), 3);
}

#[test]
fn a_corrupt_settings_file_shows_a_banner_not_a_crash() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, "{ this is not json").unwrap();
    let mut h = harness(app(&rt, &path, false));
    h.step();
    h.step();
    assert!(
        h.query_by_label_contains("not valid settings JSON")
            .is_some(),
        "the warning banner is shown"
    );
    assert!(
        dir.path().join("settings.json.bak").exists(),
        "original kept"
    );
    assert_eq!(h.state().mappings().len(), 3, "defaults loaded");
}

#[test]
fn test_button_enqueues_the_mappings_actions() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let server = rt.block_on(FakeRcon::start_demo()).unwrap();
    let mut app = app(&rt, &path, false);
    app.set_rcon(settings::RconConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        password: DEMO_RCON_PASSWORD.into(),
    });
    app.set_mappings(vec![Mapping::new(
        "Finger Heart",
        vec![
            Action::Command {
                command: "say {nickname} sent {count} {gift}".into(),
                repeat: 1,
            },
            Action::Command {
                command: "summon minecraft:bee ~ ~ ~".into(),
                repeat: 2,
            },
        ],
    )]);
    let mut h = harness(app);
    h.step();
    h.get_by_label("▶ Test").click();
    h.step();
    // The Test row is in the feed, matched, marked as a test.
    let row = h.state().feed().rows().last().expect("a test row").clone();
    assert_eq!(
        (row.gift_name.as_str(), row.count, row.test),
        ("Finger Heart", 1, true)
    );
    assert_eq!(row.trigger.as_deref(), Some("Finger Heart"));
    step_until(&mut h, "the commands to reach the RCON server", |_| {
        server.commands().len() >= 3
    });
    let commands = server.commands();
    assert_eq!(commands.len(), 3, "{commands:?}");
    // Placeholders are filled by the real executor (which escapes viewer text its own way).
    assert!(
        commands[0].starts_with("say Tester sent 1 Finger"),
        "{commands:?}"
    );
    assert_eq!(commands[1..], ["summon minecraft:bee ~ ~ ~"; 2]);
    step_until(&mut h, "the queue to report them done", |app| {
        app.queue().done >= 3
    });
    assert_eq!(
        h.state().feed().gifts_total,
        0,
        "tests do not count as viewer gifts"
    );
}

#[test]
fn demo_connect_fills_the_feed_and_moves_the_queue() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(&rt, &dir.path().join("settings.json"), true));
    step_until(&mut h, "the demo to go live", |app| {
        matches!(app.status(), giftdeck::live::ConnStatus::Live { .. })
    });
    assert!(
        h.query_by_label_contains("LIVE").is_some(),
        "status light says live"
    );
    step_until(&mut h, "gifts in the feed and actions done", |app| {
        app.feed().len() >= 3 && app.queue().done >= 1
    });
    // Rows really came from the fake's viewers through the real client.
    let feed = h.state().feed();
    assert!(
        feed.rows().any(|r| r.trigger.as_deref() == Some("Rose")),
        "a Rose matched"
    );
    assert!(feed.rows().all(|r| !r.test));
    assert!(feed.gifts_total >= 3 && feed.diamonds_total > 0);
    // The demo's Minecraft server received rendered commands, and the panel shows replies.
    let commands = h.state().demo_rcon().expect("demo server").commands();
    assert!(
        commands.iter().any(|c| c.starts_with("say ")),
        "{commands:?}"
    );
    assert!(h.state().exec_log().next().is_some());
    // Hostile nicknames never reach a command's structure: no line breaks in any command.
    assert!(
        commands
            .iter()
            .all(|c| !c.contains('\n') && !c.contains('\0'))
    );

    h.get_by_label("⏹ Disconnect").click();
    step_until(&mut h, "the demo to stop", |app| {
        matches!(app.status(), giftdeck::live::ConnStatus::Idle) && app.demo_rcon().is_none()
    });
}

#[test]
fn a_failing_sign_server_shows_its_error_in_the_status_area() {
    use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, SignFault};
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let fault = SignFault::ServerError {
        status: 500,
        message: "sign backend exploded".into(),
    };
    let fake = rt
        .block_on(FakeTikTok::start(FakeConfig {
            sign_faults: vec![fault; 50],
            ..FakeConfig::default()
        }))
        .unwrap();
    let mut app = app(&rt, &dir.path().join("settings.json"), false);
    app.set_connection(settings::ConnectionSettings {
        last_target: format!("@{}", fake.unique_id()),
        sign_url: fake.sign_url(),
        sign_api_key: None,
        tiktok_url: fake.tiktok_url(),
        webcast_url: fake.webcast_url(),
    });
    let mut h = harness(app);
    h.step();
    h.get_by_label("🔌 Connect").click();
    step_until(&mut h, "the sign error to show", |app| {
        let status = giftdeck::ui::panels::status_words(&app.state().conn);
        format!("{} {}", status.words, status.hint.unwrap_or_default()).contains("500")
    });
    h.step();
    assert!(
        h.query_by_label_contains("500").is_some(),
        "the status area names the HTTP status"
    );
    assert!(h.state().feed().is_empty());
}

#[test]
fn the_trigger_field_completes_from_the_gift_catalog_and_flags_problems() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&rt, &dir.path().join("settings.json"), false);
    // Only the new row's trigger field should be empty, so the test can find it by value.
    app.set_connection(settings::ConnectionSettings {
        last_target: "@someone".into(),
        ..settings::ConnectionSettings::default()
    });
    app.set_feed_filter("zz");
    let mut h = harness(app);
    h.step();
    h.get_by_label("➕ Add trigger").click();
    h.step();
    h.step();
    assert_eq!(h.state().mappings().len(), 4);
    // A new row has an empty trigger and an empty command: both are flagged inline.
    assert!(
        h.query_by_label_contains("type a gift name or id")
            .is_some()
    );

    text_field(&h, "").focus();
    h.step();
    text_field(&h, "").type_text("fing");
    h.step();
    h.step();
    let suggestion = h.get_by_label_contains("Finger Heart");
    suggestion.click();
    h.step();
    h.step();
    assert_eq!(h.state().mappings()[3].trigger, "Finger Heart");

    // A typo is flagged, and so is a duplicate of an enabled row.
    text_field(&h, "Finger Heart").focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    text_field(&h, "Finger Heart").type_text("Rosee");
    h.step();
    h.step();
    assert!(h.query_by_label_contains("unknown gift name").is_some());
    h.key_press(egui::Key::Backspace);
    h.step();
    h.step();
    assert_eq!(h.state().mappings()[3].trigger, "Rose");
    assert!(h.query_by_label_contains("duplicate: row 1 wins").is_some());
}
