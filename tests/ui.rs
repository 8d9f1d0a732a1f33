//! The desktop app driven headless with egui_kittest (no GPU, no display): real settings files in a
//! temp dir, and real background work (fake TikTok, live client, executor, RCON) on a tokio
//! runtime over loopback.

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use giftdeck::engine::{EngineConfig, Output, Pipeline};
use giftdeck::event::{GiftMessage, LiveEvent, User};
use giftdeck::mappings::{Action, Mapping};
use giftdeck::settings;
use giftdeck::ui::demo::{DEMO_RCON_PASSWORD, DemoRcon};
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
    assert_eq!(h.state().mappings()[0].trigger, "Rose", "first-run example table");
    assert_eq!(matched_trigger(h.state(), "Rose", 5655).as_deref(), Some("Rose"));
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

    assert_eq!(matched_trigger(h.state(), "Doughnut", 5879).as_deref(), Some("Doughnut"));
    assert_eq!(matched_trigger(h.state(), "Rose", 5655), None, "Rose no longer matches");

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
        h.query_by_label_contains("not valid settings JSON").is_some(),
        "the warning banner is shown"
    );
    assert!(dir.path().join("settings.json.bak").exists(), "original kept");
    assert_eq!(h.state().mappings().len(), 3, "defaults loaded");
}

#[test]
fn test_button_enqueues_the_mappings_actions() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let server = rt.block_on(DemoRcon::start()).unwrap();
    let mut app = app(&rt, &path, false);
    app.set_rcon(settings::RconSettings {
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
    assert_eq!((row.gift_name.as_str(), row.count, row.test), ("Finger Heart", 1, true));
    assert_eq!(row.trigger.as_deref(), Some("Finger Heart"));
    step_until(&mut h, "the commands to reach the RCON server", |_| {
        server.commands().len() >= 3
    });
    assert_eq!(
        server.commands(),
        [
            "say Test (you) sent 1 Finger Heart",
            "summon minecraft:bee ~ ~ ~",
            "summon minecraft:bee ~ ~ ~"
        ]
    );
    step_until(&mut h, "the queue to report them done", |app| app.queue().done >= 3);
    assert_eq!(h.state().feed().gifts_total, 0, "tests do not count as viewer gifts");
}
