//! Failures in the desktop app, driven headless with egui_kittest, said in plain words: a
//! failing sign server or no internet (the technical detail behind Details), a Minecraft server
//! that cannot be reached, and the queue panel giving the Test button's advice for the same
//! failure or saying it waits while the streamer's player is dead.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use giftdeck::actions::{RconProblem, RconState};
use giftdeck::live::{ConnStatus, FailureKind};
use giftdeck::settings;
use giftdeck::testkit::rcon::FakeRcon;
use giftdeck::ui::GiftdeckApp;
use giftdeck::ui::state::RconTest;
use ui_harness::*;

#[path = "support/ui_harness.rs"]
mod ui_harness;

/// A loopback port where nothing listens (bound, then closed again).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// Clicks the first "Details" header and steps until `detail` is on screen.
fn open_details(h: &mut Harness<'_, GiftdeckApp>, detail: &str) {
    assert!(
        h.query_by_label_contains(detail).is_none(),
        "the detail {detail:?} is hidden until Details is clicked"
    );
    h.get_all_by_label("Details").next().unwrap().click();
    h.step();
    h.step();
    assert!(
        h.query_by_label_contains(detail).is_some(),
        "Details shows {detail:?}"
    );
}

#[test]
fn a_failing_sign_server_is_said_in_plain_words_with_the_status_behind_details() {
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
        ..settings::ConnectionSettings::default()
    });
    let mut h = harness(app);
    h.step();
    h.get_by_label("🔌 Connect").click();
    // A sign server answering 5xx is the provider failing on its side (the chain would move on;
    // here it is the only provider, so it is retried).
    step_until(&mut h, "the sign error to show", |app| {
        matches!(
            app.status(),
            ConnStatus::Reconnecting {
                kind: FailureKind::ProviderDown,
                ..
            }
        )
    });
    h.step();
    assert!(
        h.query_by_label_contains("The connection provider is failing right now.")
            .is_some(),
        "plain words first"
    );
    assert!(
        h.query_by_label_contains("tries the next provider")
            .is_some()
    );
    open_details(&mut h, "500");
    assert!(h.state().feed().is_empty());
}

#[test]
fn no_internet_is_said_in_plain_words_not_as_a_request_url() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&rt, &dir.path().join("settings.json"), false);
    // Nothing listens there: the connection is refused, as with no network at all.
    let nowhere = format!("http://127.0.0.1:{}", closed_port());
    app.set_connection(settings::ConnectionSettings {
        last_target: "@somebody".into(),
        sign_url: nowhere.clone(),
        sign_api_key: None,
        tiktok_url: nowhere.clone(),
        webcast_url: format!("{nowhere}/webcast"),
        ..settings::ConnectionSettings::default()
    });
    let mut h = harness(app);
    h.step();
    h.get_by_label("🔌 Connect").click();
    step_until(&mut h, "the failure to show", |app| {
        matches!(
            app.status(),
            ConnStatus::Reconnecting {
                kind: FailureKind::NoInternet,
                ..
            } | ConnStatus::Failed {
                kind: FailureKind::NoInternet,
                ..
            }
        )
    });
    h.step();
    let headline = h.get_by_label_contains("No internet connection.");
    let text = headline.accesskit_node().value().unwrap_or_default();
    assert!(text.starts_with("No internet connection."), "{text}");
    assert!(!text.contains("http"), "no URL in the plain words: {text}");
    assert!(
        h.query_by_label_contains("Check that this computer is online")
            .is_some()
    );
    open_details(&mut h, "127.0.0.1");
}

#[test]
fn an_unreachable_minecraft_server_is_said_in_plain_words() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&rt, &dir.path().join("settings.json"), false);
    let port = closed_port();
    app.set_rcon(settings::RconConfig {
        host: "127.0.0.1".into(),
        port,
        password: "secret-pw".into(),
    });
    let mut h = harness(app);
    h.step();
    // The checklist's Test (the queue panel may offer one too once the executor gave up).
    h.get_all_by_label("Test connection")
        .next()
        .unwrap()
        .click();
    step_until(&mut h, "the test to fail", |app| {
        matches!(app.state().rcon_test, RconTest::Done(Err(_)))
    });
    h.step();
    let RconTest::Done(Err(failure)) = &h.state().state().rcon_test else {
        unreachable!()
    };
    assert_eq!(failure.problem(), RconProblem::ServerDown);
    let headline = format!("The Minecraft server at 127.0.0.1:{port} is not answering.");
    assert!(
        h.query_all_by_label(&headline).next().is_some(),
        "{headline}"
    );
    assert!(
        h.query_all_by_label_contains("enable-rcon=true")
            .next()
            .is_some()
    );
    open_details(&mut h, "cannot connect to RCON");
    assert!(
        h.query_by_label_contains("secret-pw").is_none(),
        "the password never shows"
    );
    assert!(!h.state().settings().setup.minecraft_ok);
}

/// The queue panel and the Test button word the same Minecraft failure the same way: the queue's
/// connection line (the executor could not connect) gives the headline and advice the Test gives.
#[test]
fn the_queue_panel_gives_the_test_buttons_advice_for_the_same_rcon_failure() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&rt, &dir.path().join("settings.json"), false);
    let port = closed_port();
    app.set_rcon(settings::RconConfig {
        host: "127.0.0.1".into(),
        port,
        password: "secret-pw".into(),
    });
    let mut h = harness(app);
    step_until(&mut h, "the queue to find the server down", |app| {
        matches!(app.queue().rcon, RconState::Down(_))
    });
    h.step();
    let RconState::Down(down) = h.state().queue().rcon.clone() else {
        unreachable!()
    };
    let queue_words = giftdeck::ui::failure::rcon_down(&down);
    let headline = format!("The Minecraft server at 127.0.0.1:{port} is not answering.");
    assert_eq!(queue_words.headline, headline);
    assert_eq!(
        h.query_all_by_label(&headline).count(),
        1,
        "the queue panel says it before any test"
    );
    assert!(
        h.query_all_by_label(&queue_words.advice).next().is_some(),
        "with the advice: {}",
        queue_words.advice
    );

    h.get_all_by_label("Test connection")
        .next()
        .unwrap()
        .click();
    step_until(&mut h, "the test to fail", |app| {
        matches!(app.state().rcon_test, RconTest::Done(Err(_)))
    });
    h.step();
    let RconTest::Done(Err(failure)) = &h.state().state().rcon_test else {
        unreachable!()
    };
    let test_words = failure.plain();
    assert_eq!(
        (&test_words.headline, &test_words.advice),
        (&queue_words.headline, &queue_words.advice)
    );
    assert!(
        h.query_all_by_label(&headline).count() >= 2,
        "both say it on screen"
    );
}

#[test]
fn the_queue_panel_says_it_waits_while_the_streamers_player_is_dead() {
    use giftdeck::testkit::world::FakeWorld;
    use giftdeck::world::{Life, WorldStatus};

    let rt = runtime();
    let world = FakeWorld::new();
    world.join("Steve");
    let server = rt
        .block_on(FakeRcon::start_on(
            ([127, 0, 0, 1], 0).into(),
            "pw",
            world.replies(),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(
        &path,
        r#"{"version": 1, "minecraft_world": {"player": "Steve", "while_dead": "pause"}}"#,
    )
    .unwrap();
    let mut app = app(&rt, &path, false);
    app.set_rcon(settings::RconConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        password: "pw".into(),
    });
    let mut h = harness(app);
    step_until(&mut h, "Steve seen alive", |app| {
        matches!(
            app.state().world,
            WorldStatus::Watching {
                life: Life::Alive,
                ..
            }
        )
    });
    h.step();
    assert!(h.query_by_label_contains("Steve: alive").is_some());

    world.kill("Steve");
    step_until(&mut h, "the queue held", |app| {
        app.state().queue.world_pause.is_some()
    });
    h.step();
    assert!(
        h.query_by_label_contains("paused while Steve is dead; resumes when they respawn")
            .is_some()
    );
    assert!(h.query_by_label_contains("Steve: dead").is_some());

    world.respawn("Steve");
    step_until(&mut h, "the queue released", |app| {
        app.state().queue.world_pause.is_none()
    });
    h.step();
    assert!(h.query_by_label_contains("paused while Steve").is_none());
    assert!(h.query_by_label_contains("1 death this session").is_some());

    // The server goes away: said once as a notice, the queue never held on a guess.
    rt.block_on(server.stop());
    step_until(&mut h, "the problem said", |app| {
        app.notices()
            .any(|n| n.text.contains("Cannot see your Minecraft player"))
    });
    assert!(h.state().state().queue.world_pause.is_none());
}
