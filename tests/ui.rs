//! The desktop app driven headless with egui_kittest (no GPU, no display): real settings files in a
//! temp dir, and real background work (fake TikTok, live client, executor, RCON) on a tokio
//! runtime over loopback. The Settings window's fields: `ui_settings.rs`; failures in plain
//! words: `ui_failures.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use giftdeck::actions::RconState;
use giftdeck::engine::{EngineConfig, Output, Pipeline};
use giftdeck::event::{GiftMessage, LiveEvent, User};
use giftdeck::live::ConnStatus;
use giftdeck::mappings::{Action, Mapping};
use giftdeck::settings;
use giftdeck::testkit::rcon::{DEMO_RCON_PASSWORD, FakeRcon};
use giftdeck::ui::GiftdeckApp;
use giftdeck::wire::Batch;
use ui_harness::*;

#[path = "support/ui_harness.rs"]
mod ui_harness;

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
    show_page(&mut h, "🎁 Triggers");
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
    assert_eq!(
        saved.settings.mappings.len(),
        settings::Settings::default().mappings.len()
    );
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
    assert_eq!(
        h.state().mappings(),
        settings::Settings::default().mappings.as_slice(),
        "defaults loaded"
    );
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
    show_page(&mut h, "🎁 Triggers");
    h.get_by_label("▶ Test").click();
    h.step();
    // The Test row is in the feed (through the dispatch, like a viewer's), matched, marked as a
    // test.
    step_until(&mut h, "the test row", |app| {
        app.feed().rows().next().is_some()
    });
    let row = h.state().feed().rows().last().expect("a test row").clone();
    assert_eq!(
        (row.what_text().as_ref(), row.count, row.test),
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
        matches!(app.status(), ConnStatus::Live { .. })
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
    // Hostile nicknames never reach a command's structure: no line breaks in any command, once a
    // gift from a viewer with a line break or a NUL in their nickname ("line one\nline two",
    // "nul\0byte") has reached one.
    step_until(&mut h, "a command naming a hostile viewer", |app| {
        app.demo_rcon().is_some_and(|server| {
            server
                .commands()
                .iter()
                .any(|c| c.contains("line one") || c.contains("byte"))
        })
    });
    let commands = h.state().demo_rcon().expect("demo server").commands();
    let hostile: Vec<&String> = commands
        .iter()
        .filter(|c| c.contains("line one") || c.contains("byte"))
        .collect();
    assert!(!hostile.is_empty());
    assert!(
        commands
            .iter()
            .all(|c| !c.contains('\n') && !c.contains('\0')),
        "{hostile:?}"
    );

    h.get_by_label("⏹ Disconnect").click();
    step_until(&mut h, "the demo to stop", |app| {
        matches!(app.status(), ConnStatus::Idle) && app.demo_rcon().is_none()
    });
}

/// The checklist's header line, e.g. "1 of 3 done".
fn checklist_progress(h: &Harness<'_, GiftdeckApp>) -> Option<String> {
    h.query_by_label_contains("of 3 done")
        .and_then(|n| n.accesskit_node().value())
}

#[test]
fn a_fresh_config_shows_the_setup_checklist_and_nothing_red() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(&rt, &dir.path().join("settings.json"), false));
    h.step();
    h.step();
    assert!(h.query_by_label("Set up giftdeck").is_some());
    assert_eq!(checklist_progress(&h).as_deref(), Some("0 of 3 done"));
    for step in ["1. TikTok user", "2. Minecraft server", "3. First trigger"] {
        assert!(h.query_by_label(step).is_some(), "{step}");
    }
    assert!(h.query_by_label("▶ Try the demo first").is_some());
    assert!(
        h.query_by_label_contains("Enter the RCON host, port and password")
            .is_some()
    );
    // Before RCON is set up, the queue says so neutrally: no "problem", no error.
    assert_eq!(h.state().queue().rcon, RconState::NotConfigured);
    assert!(h.query_by_label("not set up yet").is_some());
    for alarming in ["problem", "not reachable", "✖", "Last error"] {
        assert!(
            h.query_by_label_contains(alarming).is_none(),
            "{alarming:?} shown on a fresh config"
        );
    }
    // "Try the demo first" starts the demo.
    h.get_by_label("▶ Try the demo first").click();
    step_until(&mut h, "the demo to start", |app| {
        app.state().conn.is_demo()
    });
}

#[test]
fn each_checklist_step_ticks_off_and_the_checklist_stays_gone() {
    use giftdeck::testkit::fake::{FakeConfig, FakeTikTok};
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let fake = rt
        .block_on(FakeTikTok::start(FakeConfig::default()))
        .unwrap();
    let server = rt.block_on(FakeRcon::start_demo()).unwrap();
    let mut first = app(&rt, &path, false);
    first.set_connection(settings::ConnectionSettings {
        last_target: String::new(),
        sign_url: fake.sign_url(),
        sign_api_key: None,
        tiktok_url: fake.tiktok_url(),
        webcast_url: fake.webcast_url(),
        ..settings::ConnectionSettings::default()
    });
    let mut h = harness(first);
    h.step();
    assert_eq!(checklist_progress(&h).as_deref(), Some("0 of 3 done"));

    // 1. TikTok user: type it in the connect bar and connect.
    labelled_field(&h, "TikTok user:").focus();
    h.step();
    labelled_field(&h, "TikTok user:").type_text(&format!("@{}", fake.unique_id()));
    h.step();
    h.get_by_label("🔌 Connect").click();
    step_until(&mut h, "the first step to tick", |app| {
        matches!(app.status(), ConnStatus::Live { .. })
    });
    h.step();
    assert_eq!(checklist_progress(&h).as_deref(), Some("1 of 3 done"));

    // 2. Minecraft server: port and password in the checklist, then Test.
    let port_field = |h: &Harness<'_, GiftdeckApp>| {
        h.get_by(|n| {
            n.label().as_deref() == Some("Port") && n.role() != egui::accesskit::Role::Label
        })
        .value()
        .unwrap_or_default()
    };
    assert_eq!(port_field(&h), "25575");
    let mut rcon = h.state().settings().rcon.clone();
    rcon.port = server.port();
    h.state_mut().set_rcon(rcon);
    h.step();
    labelled_field(&h, "Password").focus();
    h.step();
    labelled_field(&h, "Password").type_text(DEMO_RCON_PASSWORD);
    h.step();
    h.get_all_by_label("Test connection")
        .next()
        .unwrap()
        .click();
    step_until(&mut h, "the RCON test to pass", |app| {
        app.settings().setup.minecraft_ok
    });
    h.step();
    assert_eq!(checklist_progress(&h).as_deref(), Some("2 of 3 done"));
    assert_eq!(h.state().settings().rcon.password, DEMO_RCON_PASSWORD);

    // 3. First trigger: its Test button (on the Triggers page) runs it.
    show_page(&mut h, "🎁 Triggers");
    h.get_all_by_label("▶ Test").next().unwrap().click();
    h.step();
    h.step();
    show_page(&mut h, "📺 Live");
    assert!(h.query_by_label("Set up giftdeck").is_none(), "done: gone");
    step_until(&mut h, "the command to reach the server", |_| {
        !server.commands().is_empty()
    });

    // Saved: the next start shows no checklist.
    step_until(&mut h, "the progress to be saved", |_| {
        settings::load(&path).settings.setup.trigger_tried
    });
    drop(h);
    let mut again = harness(app(&rt, &path, false));
    again.step();
    again.step();
    assert!(again.query_by_label("Set up giftdeck").is_none());
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
    show_page(&mut h, "🎁 Triggers");
    h.get_by_label("➕ Add trigger").click();
    h.step();
    h.step();
    assert_eq!(h.state().mappings().len(), 6);
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
    assert_eq!(h.state().mappings()[5].trigger, "Finger Heart");

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
    assert_eq!(h.state().mappings()[5].trigger, "Rose");
    assert!(h.query_by_label_contains("duplicate: row 1 wins").is_some());
}

/// The trigger-kind combo box currently showing `kind`.
fn kind_picker<'h>(h: &'h Harness<'_, GiftdeckApp>, kind: &'h str) -> egui_kittest::Node<'h> {
    h.get_by(move |node| {
        node.role() == egui::accesskit::Role::ComboBox
            && (node.value().as_deref() == Some(kind) || node.label().as_deref() == Some(kind))
    })
}

#[test]
fn a_follow_trigger_and_a_like_rule_added_in_the_table_queue_their_actions_on_test() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let server = rt.block_on(FakeRcon::start_demo()).unwrap();
    let mut app = app(&rt, &dir.path().join("settings.json"), false);
    app.set_rcon(settings::RconConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        password: DEMO_RCON_PASSWORD.into(),
    });
    app.set_mappings(vec![]);
    // Only the command fields we type into should be empty, so the test can find them by value.
    app.set_connection(settings::ConnectionSettings {
        last_target: "@someone".into(),
        ..settings::ConnectionSettings::default()
    });
    app.set_feed_filter("zz");
    let mut h = harness(app);
    h.step();
    show_page(&mut h, "🎁 Triggers");

    // Row 1: a follow trigger.
    h.get_by_label("➕ Add trigger").click();
    h.step();
    kind_picker(&h, "🎁 Gift").click_accesskit();
    h.step();
    h.step();
    h.get_by_label("➕ Follow").click();
    h.step();
    h.get_by_label("✏ Edit").click();
    h.step();
    h.step();
    text_field(&h, "").focus();
    h.step();
    text_field(&h, "").type_text("give {user} golden_apple");
    h.step();

    // Row 2: a like rule (every 100 likes by default).
    h.get_by_label("➕ Add trigger").click();
    h.step();
    kind_picker(&h, "🎁 Gift").click_accesskit();
    h.step();
    h.step();
    h.get_by_label("❤ Likes every").click();
    h.step();
    h.get_all_by_label("✏ Edit").nth(1).unwrap().click();
    h.step();
    h.step();
    text_field(&h, "").focus();
    h.step();
    text_field(&h, "").type_text("summon creeper ~ ~ ~");
    h.step();
    h.step();
    {
        let mappings = h.state().mappings();
        assert_eq!(mappings.len(), 2);
        assert_eq!(mappings[0].on, giftdeck::triggers::Condition::Follow);
        assert_eq!(
            mappings[1].on,
            giftdeck::triggers::Condition::Likes { every: 100 }
        );
    }
    assert!(h.query_by_label_contains("once per viewer").is_some());

    // Test both: a follow by the test viewer, and 100 likes.
    h.get_all_by_label("▶ Test").next().unwrap().click();
    h.step();
    h.get_all_by_label("▶ Test").nth(1).unwrap().click();
    h.step();
    step_until(&mut h, "both triggers' commands to reach RCON", |_| {
        server.commands().len() >= 2
    });
    assert_eq!(
        server.commands(),
        ["give giftdeck_test golden_apple", "summon creeper ~ ~ ~"]
    );
    // The feed shows them as test rows with their triggers.
    let rows: Vec<_> = h
        .state()
        .feed()
        .rows()
        .map(|r| (r.trigger.clone(), r.test))
        .collect();
    assert_eq!(
        rows,
        [
            (Some("follow".to_owned()), true),
            (Some("every 100 likes".to_owned()), true)
        ]
    );
}

#[test]
fn importing_a_tiktok2mc_folder_takes_its_triggers_rcon_and_user_and_shows_the_report() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&rt, &dir.path().join("settings.json"), false);
    app.set_connection(settings::ConnectionSettings {
        last_target: "@someone".into(),
        ..settings::ConnectionSettings::default()
    });
    app.set_feed_filter("zz");
    let mut h = harness(app);
    h.step();
    show_page(&mut h, "🎁 Triggers");
    h.get_by_label("📁 Triggers file").click();
    h.step();
    h.step();
    h.get_by_label("Type a file path…").click();
    h.step();
    h.step();
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/t2m");
    text_field(&h, "").focus();
    h.step();
    text_field(&h, "").type_text(folder.to_str().unwrap());
    h.step();
    h.get_by_label("Import").click();
    step_until(&mut h, "the folder to be imported", |app| {
        app.mappings().len() == 11
    });
    let app = h.state();
    assert_eq!(app.mappings()[0].on, giftdeck::triggers::Condition::Follow);
    assert_eq!(app.settings().rcon.port, 25575);
    assert_eq!(app.settings().rcon.password, "ABC1234");
    assert_eq!(app.settings().connection.last_target, "@streamer_amy");
    h.step();
    assert!(h.query_by_label("Tiktok2Mc import report").is_some());
    assert!(
        h.query_by_label_contains("data/http_actions.txt line 5: NOT imported")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("ABC1234").is_none(),
        "the password is never shown"
    );
}

/// The gift picker's rows (a name, maybe `  #id`), top to bottom.
fn picker_rows(h: &Harness<'_, GiftdeckApp>, catalog: &giftdeck::catalog::Catalog) -> Vec<String> {
    let mut rows: Vec<(f64, String)> = catalog
        .gifts()
        .iter()
        .map(|g| match g.id {
            Some(id) => format!("{}  #{id}", g.name),
            None => g.name.clone(),
        })
        .filter_map(|label| {
            let node = h.query_by_label(&label)?;
            Some((node.rect().min.y as f64, label))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|(_, label)| label).collect()
}

#[test]
fn the_gift_picker_searches_by_name_and_id_filters_coins_and_fills_the_row() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&rt, &dir.path().join("settings.json"), false);
    // The picker's search field is then the only empty one.
    app.set_connection(settings::ConnectionSettings {
        last_target: "@someone".into(),
        ..settings::ConnectionSettings::default()
    });
    let catalog = app.state().catalog.clone();
    let mut h = harness(app);
    h.step();
    show_page(&mut h, "🎁 Triggers");
    assert_eq!(h.state().mappings()[2].trigger, "Lion");
    // The third row's 🔎 (rows 1–3 are gift triggers).
    h.get_all_by_label("🔎").nth(2).unwrap().click();
    h.step();
    h.step();
    assert!(h.query_by_label("Pick a gift").is_some());

    // Everything, cheapest first.
    let all = picker_rows(&h, &catalog);
    assert!(all.len() >= 8, "{all:?}");
    let coins = |label: &String| {
        let name = label.split("  #").next().unwrap();
        catalog.by_name(name).unwrap().diamonds
    };
    assert!(
        all.windows(2).all(|w| coins(&w[0]) <= coins(&w[1])),
        "{all:?}"
    );

    // By id.
    text_field(&h, "").type_text("5655");
    h.step();
    h.step();
    assert_eq!(picker_rows(&h, &catalog), ["Rose  #5655"]);

    // By name, any case, then narrowed to a coin range.
    text_field(&h, "5655").focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    text_field(&h, "5655").type_text("HEART");
    h.step();
    h.step();
    let hearts = picker_rows(&h, &catalog);
    assert!(
        hearts.contains(&"Finger Heart  #5487".to_owned()),
        "{hearts:?}"
    );
    assert!(hearts.iter().any(|r| coins(r) == 1) && hearts.iter().any(|r| coins(r) >= 100));
    h.get_by_label("100–999").click();
    h.step();
    h.step();
    let dear = picker_rows(&h, &catalog);
    assert!(!dear.is_empty() && dear.len() < hearts.len(), "{dear:?}");
    assert!(
        dear.iter().all(|r| (100..=999).contains(&coins(r))),
        "{dear:?}"
    );
    assert!(dear.windows(2).all(|w| coins(&w[0]) <= coins(&w[1])));

    // Choosing one fills the row and closes the picker.
    let chosen = dear[0].split("  #").next().unwrap().to_owned();
    h.get_by_label(&dear[0]).click();
    h.step();
    h.step();
    assert_eq!(h.state().mappings()[2].trigger, chosen);
    assert!(h.query_by_label("Pick a gift").is_none());
    assert_eq!(
        matched_trigger(h.state(), &chosen, 0).as_deref(),
        Some(chosen.as_str()),
        "the live table took it"
    );

    // Typing a name in the row's field still works.
    text_field(&h, &chosen).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    text_field(&h, &chosen).type_text("Doughnut");
    h.step();
    h.step();
    assert_eq!(h.state().mappings()[2].trigger, "Doughnut");
}

#[test]
fn the_demo_s_gift_pictures_reach_the_window_as_textures() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(&rt, &dir.path().join("settings.json"), true));
    // The demo's gift list names the pictures its fake draws; the feed's rows ask for them.
    step_until(&mut h, "a gift picture uploaded", |app| {
        app.state().pictures.texture_count() > 0
    });
    let rose = h.state().state().catalog.by_id(5655).unwrap().clone();
    let url = rose
        .picture_url
        .expect("the room's list gave the Rose a picture");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // Kept beside the test's settings, not in the streamer's cache.
    let cached = dir.path().join("pictures");
    step_until(&mut h, "a picture on disk", |_| {
        std::fs::read_dir(&cached).is_ok_and(|mut d| d.next().is_some())
    });
}
