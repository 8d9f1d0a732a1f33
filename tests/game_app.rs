//! The app's Overlays page, driven as a streamer would (egui kittest): the ledger opens beside
//! the settings file, its leaderboard and a viewer's card show, the timer's buttons start, pause
//! and add time, a page's hygiene box changes the link Copy gives and is saved, a list size
//! reaches an open page at once, and quitting saves the goals' last second.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use giftdeck::ledger::{PointRules, open};
use giftdeck::overlay::{HubConfig, Overlays};
use giftdeck::subathon::Clock;
use giftdeck::testkit::outputs::{credit, viewer};
use giftdeck::ui::{AppOptions, GiftdeckApp};

fn options(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> AppOptions {
    AppOptions {
        settings_path: Some(dir.join("settings.json")),
        runtime: rt.handle().clone(),
        demo: false,
        secrets: giftdeck::settings::SecretsHome::SettingsFile,
    }
}

fn app(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> Harness<'static, GiftdeckApp> {
    tall(GiftdeckApp::new(options(rt, dir)))
}

fn tall(app: GiftdeckApp) -> Harness<'static, GiftdeckApp> {
    // The test reads English words: "auto" is English on any machine.
    giftdeck::i18n::assume_os_language(giftdeck::i18n::Lang::En);
    Harness::builder()
        .with_size([1280.0, 2400.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app)
}

/// Steps the app until `label` shows (the background answers on the runtime).
fn step_until(h: &mut Harness<'_, GiftdeckApp>, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.query_by_label_contains(label).is_none() {
        assert!(Instant::now() < deadline, "{label:?} never showed");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_viewers_panel_shows_the_board_and_finds_a_viewer() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let (mut ledger, _) = open(dir.path().join("ledger.sqlite"), PointRules::default())
            .await
            .unwrap();
        ledger.begin_stream("7001", 1_000);
        ledger.on_output(&credit(1, &viewer(7, "amy"), 500, 1), 2_000);
        ledger.on_output(&credit(2, &viewer(8, "bob"), 20, 1), 3_000);
        ledger.close().await.unwrap();
    });
    let mut h = app(&rt, dir.path());
    h.step();
    h.get_by_label("🖼 Overlays").click();
    step_until(&mut h, "All time");
    // The newest stream's board, best first.
    step_until(&mut h, "AMY");
    assert!(h.query_by_label("BOB").is_some());
    assert!(h.query_by_label("500").is_some());

    find_field(&h).focus();
    h.step();
    find_field(&h).type_text("am");
    h.step();
    step_until(&mut h, "500 points · level 3 · 500 coins");
    assert!(h.query_by_label("@amy").is_some());
    assert!(h.query_by_label_contains("last gift: 1 × Rose").is_some());
    assert!(h.query_by_label("Export viewers (CSV)…").is_some());
}

#[test]
fn the_subathon_buttons_start_pause_and_add_time() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&rt, dir.path());
    h.step();
    h.get_by_label("🖼 Overlays").click();
    step_until(&mut h, "not started");
    h.get_by_label("Start").click();
    let left = wait_clock(&mut h, |c| matches!(c, Clock::Running { .. }));
    assert!(left > 59 * 60_000 && left <= 60 * 60_000, "{left}");
    h.get_by_label("Pause").click();
    let before = wait_clock(&mut h, |c| matches!(c, Clock::Paused { .. }));
    step_until(&mut h, "(paused)");
    h.get_by_label("+5 min").click();
    let after = wait_clock(
        &mut h,
        |c| matches!(c, Clock::Paused { remaining_millis } if *remaining_millis != before),
    );
    assert_eq!(after, before + 5 * 60_000);
    h.get_by_label("Resume").click();
    wait_clock(&mut h, |c| matches!(c, Clock::Running { .. }));
}

/// Steps the app until its subathon clock satisfies `done`; the time left then.
fn wait_clock(h: &mut Harness<'_, GiftdeckApp>, done: impl Fn(&Clock) -> bool) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        h.step();
        let subathon = h.state().state().game.subathon.clone();
        if done(&subathon.clock) {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as u64;
            return subathon.remaining(now);
        }
        assert!(
            Instant::now() < deadline,
            "the clock stayed {:?}",
            subathon.clock
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The lookup box.
fn find_field<'h>(h: &'h Harness<'_, GiftdeckApp>) -> egui_kittest::Node<'h> {
    h.get_by(|node| {
        node.role() == egui::accesskit::Role::TextInput
            && node.label().as_deref() == Some("Find a viewer")
    })
}

/// What the last frame put on the clipboard.
fn copied(h: &Harness<'_, GiftdeckApp>) -> Vec<String> {
    (h.output().platform_output.commands.iter())
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Clicks the Copy button of the `index`th overlay page (`Page::ALL` order) and returns what it
/// copied.
fn copy_link(h: &mut Harness<'_, GiftdeckApp>, index: usize) -> Vec<String> {
    h.get_all_by_label("Copy").nth(index).unwrap().click();
    h.step();
    copied(h)
}

#[test]
fn a_pages_hygiene_box_adds_the_parameter_to_its_link_and_is_saved() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let chat = giftdeck::overlay::Page::Chat.index();
    let start = |rt: &tokio::runtime::Runtime| {
        let overlays = rt
            .block_on(Overlays::start(0, HubConfig::default()))
            .unwrap();
        let port = overlays.server.port();
        let mut h = tall(GiftdeckApp::with_overlays(
            options(rt, dir.path()),
            Some(Ok(overlays)),
        ));
        h.step();
        h.get_by_label("🖼 Overlays").click();
        h.run_steps(2);
        (h, format!("http://127.0.0.1:{port}/chat"))
    };
    let (mut h, url) = start(&rt);
    let boxes =
        |h: &Harness<'_, GiftdeckApp>| h.get_all_by_label("Hide gift pictures and words").count();
    assert_eq!(
        boxes(&h),
        giftdeck::overlay::Page::ALL.len(),
        "one per page"
    );
    assert_eq!(copy_link(&mut h, chat), vec![url.clone()]);

    h.get_all_by_label("Hide gift pictures and words")
        .nth(chat)
        .unwrap()
        .click();
    h.run_steps(2);
    let clean = format!("{url}?hygiene=1");
    assert_eq!(copy_link(&mut h, chat), vec![clean.clone()]);
    assert!(h.query_by_label(&clean).is_some(), "the link on screen too");
    // The other pages keep theirs.
    let alerts = copy_link(&mut h, 0);
    assert!(alerts[0].ends_with("/alerts"), "{alerts:?}");

    // Saved, and read back by the next start.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        h.step();
        let saved: Option<serde_json::Value> = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        if saved.is_some_and(|s| s["overlays"]["hygiene"] == serde_json::json!(["chat"])) {
            break;
        }
        assert!(Instant::now() < deadline, "the hygiene box was never saved");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(h);
    let (mut h, url) = start(&rt);
    assert!(
        h.state()
            .settings()
            .overlays
            .hygienic(giftdeck::overlay::Page::Chat)
    );
    assert_eq!(copy_link(&mut h, chat), [format!("{url}?hygiene=1")]);
}

#[test]
fn quitting_saves_the_goals_progress_of_the_last_second() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.json"),
        r#"{"version": 1, "goals": [{"title": "Coins", "metric": "coins", "initial_target": 1000}]}"#,
    )
    .unwrap();
    let mut h = app(&rt, dir.path());
    let deadline = Instant::now() + Duration::from_secs(20);
    while !h.state().state().game.saved {
        assert!(
            Instant::now() < deadline,
            "the game never reached the ledger"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.state().game().on_output(&giftdeck::engine::Stamped {
        at_millis: 0,
        output: credit(1, &viewer(7, "amy"), 50, 3),
    });
    let progress = |h: &Harness<'_, GiftdeckApp>| {
        h.state()
            .state()
            .game
            .goals
            .iter()
            .next()
            .map(|g| g.progress)
    };
    while progress(&h) != Some(150) {
        assert!(
            Instant::now() < deadline,
            "the goal never moved: {:?}",
            progress(&h)
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    // The Live page shows it at a glance (the app opens on Live).
    step_until(&mut h, "150 / 1000 coins");
    assert!(h.query_by_label("Coins").is_some(), "the goal's title");
    // Well within the second the game waits before it saves a viewer's change by itself.
    h.state_mut().shutdown();
    let conn = giftdeck::ledger::connect(&dir.path().join("ledger.sqlite")).unwrap();
    let saved = giftdeck::ledger::queries::load_state(&conn, giftdeck::goals::STATE_NAME)
        .unwrap()
        .expect("the goals were saved on quit");
    let goals: giftdeck::goals::Goals = serde_json::from_str(&saved).unwrap();
    assert_eq!(
        goals.iter().next().map(|g| g.progress),
        Some(150),
        "{saved}"
    );
}

#[test]
fn a_smaller_chat_size_reaches_the_open_chat_page_at_once() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let overlays = rt
        .block_on(Overlays::start(0, HubConfig::default()))
        .unwrap();
    let hub = overlays.hub.clone();
    let mut page = hub.subscribe_page(giftdeck::overlay::Page::Chat);
    let mut h = tall(GiftdeckApp::with_overlays(
        options(&rt, dir.path()),
        Some(Ok(overlays)),
    ));
    h.step();
    for id in 1..=8 {
        hub.send_output(&giftdeck::testkit::outputs::chat(
            id,
            &viewer(7, "amy"),
            &format!("line {id}"),
        ));
    }
    let lines = |page: &mut tokio::sync::watch::Receiver<std::sync::Arc<str>>| {
        let state: serde_json::Value = serde_json::from_str(&page.borrow_and_update()).unwrap();
        state["lines"].as_array().unwrap().len()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut wait_lines = |h: &mut Harness<'_, GiftdeckApp>, want: usize| {
        while lines(&mut page) != want {
            assert!(
                Instant::now() < deadline,
                "the chat page never had {want} lines"
            );
            h.step();
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_lines(&mut h, 8);
    h.get_by_label("🖼 Overlays").click();
    h.run_steps(2);
    h.get_by_label("List sizes").click();
    h.run_steps(2);
    h.get_by_label("Chat lines kept").set_value_accesskit(3.0);
    h.run_steps(2);
    assert_eq!(h.state().settings().overlays.pages.chat_size, 3);
    wait_lines(&mut h, 3);
}
