//! Tiktok2Mc's counters and stream timer against real parts: the streamer's death seen by the
//! world watch (the strict fake RCON server with a world behind it, and the fake Bedrock game
//! over `/connect`) adds a death, takes a win, stands the timer still and holds the queue;
//! `counter` and `stream_timer` actions run through the queue; the counter and timer pages read
//! in a real headless Chromium after a change; the values survive a restart of the app.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/chromium.rs"]
mod chromium;
#[path = "support/real.rs"]
mod real;

use std::sync::Arc;
use std::time::{Duration, Instant};

use giftdeck::actions::bedrock::BedrockServer;
use giftdeck::actions::{ExecutorConfig, ExecutorHandle, RconConfig, spawn_executor};
use giftdeck::counter_hub::{CounterAction, CounterHub, StreamTimerAction, TimerControl};
use giftdeck::counters::{CounterOp, tiktok2mc_counters};
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::overlay::{HubConfig, Overlays};
use giftdeck::stream_timer::{StreamTimerSettings, TimerOp};
use giftdeck::testkit::bedrock::{FakeGame, FakeGameConfig};
use giftdeck::testkit::rcon::FakeRcon;
use giftdeck::testkit::world::FakeWorld;
use giftdeck::world::{WhileDead, WorldConfig, WorldHandle, WorldSource, feed_counters};
use tokio::sync::watch;

/// Generous: the machine running tests may be busy building.
const WAIT: Duration = Duration::from_secs(30);

async fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn gift_running(actions: Vec<Action>) -> Decision {
    Decision {
        gift: CreditedGift {
            user_id: 2,
            unique_id: "viewer".into(),
            nickname: "Viewer".into(),
            trigger: Some("Rose".into()),
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: Some(Mapping::new("Rose", actions)),
    }
}

fn executor(
    config: ExecutorConfig,
    hub: &CounterHub,
) -> (ExecutorHandle, watch::Sender<MappingTable>) {
    let (tx, mappings) = watch::channel(MappingTable::new(Vec::new()));
    let handle = spawn_executor(config, mappings, None, Arc::new(|| {}));
    handle.set_counters(Some(hub.clone()));
    (handle, tx)
}

fn hub() -> CounterHub {
    CounterHub::new(&tiktok2mc_counters(), &StreamTimerSettings::default())
}

fn value(hub: &CounterHub, name: &str) -> i64 {
    hub.board().counters.value(name).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_java_death_adds_a_death_takes_a_win_stops_the_timer_and_holds_the_queue() {
    let world = FakeWorld::new();
    world.join("Steve");
    let server = FakeRcon::start_on(([127, 0, 0, 1], 0).into(), "pw", world.replies())
        .await
        .unwrap();
    let rcon = RconConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        password: "pw".into(),
    };
    let hub = hub();
    hub.apply("Wins", CounterOp::Set(3)).unwrap();
    hub.timer(TimerOp::Start);
    let (executor, _mappings) = executor(
        ExecutorConfig {
            gap_millis: 0,
            rcon: Some(rcon.clone()),
            ..ExecutorConfig::default()
        },
        &hub,
    );
    let watch = WorldHandle::spawn(executor.world_gate());
    tokio::spawn(feed_counters(watch.status_watch(), hub.clone()));
    watch.set_config(Some(WorldConfig {
        source: WorldSource::Java(rcon),
        player: "Steve".into(),
        while_dead: WhileDead::Pause,
    }));
    // A counter action runs through the queue like any other.
    executor.enqueue(&gift_running(vec![Action::Counter(CounterAction::add(
        "wins", 2,
    ))]));
    until("the counter action ran", || {
        (value(&hub, "Wins") == 5).then_some(())
    })
    .await;
    until("Steve seen alive", || (world.looks() >= 2).then_some(())).await;

    world.kill("Steve");
    until("the death counted", || {
        (value(&hub, "Deaths") == 1).then_some(())
    })
    .await;
    assert_eq!(value(&hub, "Wins"), 4, "a death takes a win");
    until("the timer held", || {
        hub.board().timer.held_while_dead.then_some(())
    })
    .await;
    let left = hub
        .board()
        .remaining_millis(giftdeck::counter_hub::wall_millis());
    until("the queue held", || {
        executor.status().world_pause.is_some().then_some(())
    })
    .await;
    // Held with the rest of the queue: a counter action waits out the death screen too.
    executor.enqueue(&gift_running(vec![
        Action::command("summon tnt ~ ~ ~"),
        Action::Counter(CounterAction::add("Wins", 1)),
    ]));
    let looks = world.looks();
    until("two more looks", || {
        (world.looks() >= looks + 2).then_some(())
    })
    .await;
    assert_eq!(value(&hub, "Wins"), 4);
    assert!(!server.commands().contains(&"summon tnt ~ ~ ~".to_owned()));
    let now = giftdeck::counter_hub::wall_millis();
    assert_eq!(
        hub.board().remaining_millis(now),
        left,
        "stood still while dead"
    );

    world.respawn("Steve");
    until("the queue ran after the respawn", || {
        (value(&hub, "Wins") == 5).then_some(())
    })
    .await;
    assert!(server.commands().contains(&"summon tnt ~ ~ ~".to_owned()));
    until("the timer counting again", || {
        hub.board().timer.counting().then_some(())
    })
    .await;
    assert_eq!(value(&hub, "Deaths"), 1, "one death, counted once");

    // A server that goes away: the timer and the queue are released, nothing more counted.
    world.kill("Steve");
    until("the second death", || {
        (value(&hub, "Deaths") == 2).then_some(())
    })
    .await;
    server.stop().await;
    until("released", || {
        (hub.board().timer.counting() && executor.status().world_pause.is_none()).then_some(())
    })
    .await;
    assert_eq!(value(&hub, "Deaths"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bedrock_death_event_counts_and_holds_until_the_respawn() {
    let server = BedrockServer::start(0).await.unwrap();
    let hub = hub();
    hub.timer(TimerOp::Start);
    let (executor, _mappings) = executor(
        ExecutorConfig {
            gap_millis: 0,
            bedrock: Some(server.link()),
            ..ExecutorConfig::default()
        },
        &hub,
    );
    let watch = WorldHandle::spawn(executor.world_gate());
    tokio::spawn(feed_counters(watch.status_watch(), hub.clone()));
    // No name in the settings: the player whose game connected.
    let settings = giftdeck::world::WorldSettings::default();
    watch.set_config(WorldConfig::bedrock(&settings, Some(server.link())));
    let game = FakeGame::connect(server.port(), FakeGameConfig::default())
        .await
        .unwrap();
    game.wait_until(WAIT, |r| r.subscribed.iter().any(|e| e == "PlayerDied"))
        .await
        .expect("subscribed to PlayerDied");
    game.wait_until(WAIT, |r| {
        r.ran
            .iter()
            .any(|c| c == "testfor @e[type=player,name=\"Steve\"]")
    })
    .await
    .expect("looked at the player");

    game.kill_player().await;
    until("the death counted", || {
        (value(&hub, "Deaths") == 1).then_some(())
    })
    .await;
    until("the queue held", || {
        executor.status().world_pause.is_some().then_some(())
    })
    .await;
    assert!(hub.board().timer.held_while_dead);
    executor.enqueue(&gift_running(vec![
        Action::command("summon tnt ~ ~ ~"),
        Action::StreamTimer(StreamTimerAction {
            control: Some(TimerControl::Pause),
            ..StreamTimerAction::default()
        }),
    ]));
    let asked = game.record().ran.len();
    game.wait_until(WAIT, |r| r.ran.len() >= asked + 2)
        .await
        .expect("asked again while dead");
    assert!(!game.record().ran.iter().any(|c| c == "summon tnt ~ ~ ~"));

    game.respawn_player();
    game.wait_until(WAIT, |r| r.ran.iter().any(|c| c == "summon tnt ~ ~ ~"))
        .await
        .expect("the command ran after the respawn");
    until("the timer action ran", || {
        hub.board().timer.paused.then_some(())
    })
    .await;
    assert!(executor.status().world_pause.is_none());
    assert!(!hub.board().timer.held_while_dead);
    assert_eq!(value(&hub, "Deaths"), 1);
    assert_eq!(value(&hub, "Wins"), 0, "never below 0");
}

const COUNTER_TEXT: &str = "document.getElementById('overlay').textContent";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_and_timer_pages_show_each_change_in_chromium() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let port = overlays.server.port();
    let hub = hub();
    tokio::spawn(giftdeck::overlay::counters::feed(
        hub.clone(),
        overlays.hub.clone(),
    ));
    // A counter the streamer named with markup: shown as text.
    hub.define(
        &[
            giftdeck::counters::CounterDef::named("Deaths"),
            giftdeck::counters::CounterDef::named("<b>Boss</b>"),
        ],
        &StreamTimerSettings::default(),
    );

    let url = format!("http://127.0.0.1:{port}/counter?name=Deaths&animate=0");
    let mut page = chromium::Browser::open(&binary, &url, 400, 240).await;
    page.wait_for(COUNTER_TEXT, WAIT, |v| v == "Deaths0").await;
    hub.deaths(2);
    page.wait_for(COUNTER_TEXT, WAIT, |v| v == "Deaths2").await;
    drop(page);
    let url = format!("http://127.0.0.1:{port}/counter?name=%3Cb%3EBoss%3C%2Fb%3E&animate=0");
    let mut page = chromium::Browser::open(&binary, &url, 400, 240).await;
    hub.apply("<b>boss</b>", CounterOp::Set(12)).unwrap();
    page.wait_for(COUNTER_TEXT, WAIT, |v| v == "<b>Boss</b>12")
        .await;
    assert_eq!(
        page.eval("document.querySelectorAll('#overlay b').length")
            .await,
        0
    );
    drop(page);

    let url = format!("http://127.0.0.1:{port}/timer?animate=0");
    let mut page = chromium::Browser::open(&binary, &url, 400, 240).await;
    page.wait_for(COUNTER_TEXT, WAIT, |v| v == "10:00").await;
    hub.timer(TimerOp::AddMillis(5 * 60_000));
    hub.timer(TimerOp::Start);
    // It counts down by itself: 14:59, then 14:58.
    page.wait_for(COUNTER_TEXT, WAIT, |v| v == "14:58").await;
    hub.set_dead_at(true, giftdeck::counter_hub::wall_millis());
    page.wait_for(COUNTER_TEXT, WAIT, |v| {
        v.as_str()
            .is_some_and(|t| t.ends_with("waiting for the respawn"))
    })
    .await;
    assert_eq!(
        page.eval("document.getElementById('overlay').dataset.state")
            .await,
        "held"
    );
    drop(page);

    screenshots(&binary, port, &hub).await;
    overlays.stop().await;
}

/// The pages as the docs show them (into docs/img with `GIFTDECK_SCREENSHOTS=1`).
async fn screenshots(binary: &std::path::Path, port: u16, hub: &CounterHub) {
    hub.set_dead_at(false, giftdeck::counter_hub::wall_millis());
    hub.timer(TimerOp::Pause);
    let out = if std::env::var_os("GIFTDECK_SCREENSHOTS").is_some() {
        None
    } else {
        Some(tempfile::tempdir().unwrap())
    };
    let dir = out.as_ref().map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img"),
        |d| d.path().to_owned(),
    );
    for (name, query) in [
        ("counter-deaths", "counter?name=Deaths&animate=0"),
        ("stream-timer", "timer?title=Survive&animate=0"),
    ] {
        let url = format!("http://127.0.0.1:{port}/{query}");
        let shot = dir.join(format!("overlay-{name}.png"));
        let (binary, path) = (binary.to_owned(), shot.clone());
        tokio::task::spawn_blocking(move || {
            chromium::screenshot(&binary, &url, 420, 220, 2_500, &path)
        })
        .await
        .unwrap();
        assert!(std::fs::metadata(&shot).unwrap().len() > 1_000);
    }
}

#[path = "support/ui_harness.rs"]
mod ui_harness;

const SETTINGS_PAGE: &str = "⚙ Settings";
const LIVE_PAGE: &str = "📺 Live";

#[test]
fn the_panels_buttons_change_the_values_and_a_restart_keeps_them() {
    use egui_kittest::kittest::Queryable as _;
    let rt = ui_harness::runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut h = egui_kittest::Harness::builder()
        .with_size([1280.0, 1600.0])
        .build_ui_state(
            |ui, app: &mut giftdeck::ui::GiftdeckApp| app.frame_ui(ui),
            ui_harness::app(&rt, &path, false),
        );
    h.step();
    // Deaths comes first (by name), then Wins.
    h.get_all_by_label("+1").next().unwrap().click();
    h.step();
    h.get_by_label("Start").click();
    ui_harness::step_until(&mut h, "the changes to apply", |app| {
        let board = app.counter_board();
        board.counters.value("Deaths") == Some(1) && board.timer.started
    });
    let saved = dir.path().join("counters.json");
    ui_harness::step_until(&mut h, "the values to be saved", |_| {
        giftdeck::counter_hub::store::load(&saved)
            .ok()
            .flatten()
            .is_some_and(|s| s.counters.value("Deaths") == Some(1) && s.stream_timer.started)
    });
    h.get_all_by_label("+1").nth(1).unwrap().click();
    h.step();
    // A counter of one's own, added on the Settings page, its value kept like the others.
    ui_harness::show_page(&mut h, SETTINGS_PAGE);
    ui_harness::type_slowly(&mut h, "New counter", "Boss kills");
    h.get_by_label("➕ Add").click();
    ui_harness::step_until(&mut h, "the new counter", |app| {
        app.counter_board().counters.value("boss kills") == Some(0)
    });
    ui_harness::show_page(&mut h, LIVE_PAGE);
    h.get_all_by_label("+1").next().unwrap().click();
    ui_harness::step_until(&mut h, "Boss kills +1", |app| {
        app.counter_board().counters.value("boss kills") == Some(1)
    });
    // Closing the window saves the last change even if the saver has not got to it.
    let _ = h.state_mut().shutdown();
    drop(h);

    let h = egui_kittest::Harness::builder()
        .with_size([1280.0, 1600.0])
        .build_ui_state(
            |ui, app: &mut giftdeck::ui::GiftdeckApp| app.frame_ui(ui),
            ui_harness::app(&rt, &path, false),
        );
    let board = h.state().counter_board();
    assert_eq!(board.counters.value("Deaths"), Some(1));
    assert_eq!(board.counters.value("Wins"), Some(1));
    assert!(
        board.timer.started && board.timer.counting(),
        "still running"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_watch_waits_out_a_death_with_rcon_and_a_player() {
    use giftdeck::cli::headless::Headless;
    use giftdeck::cli::world::WorldPart;
    let world = FakeWorld::new();
    world.join("Steve");
    let server = FakeRcon::start_on(([127, 0, 0, 1], 0).into(), "pw", world.replies())
        .await
        .unwrap();
    let config = ExecutorConfig {
        gap_millis: 0,
        rcon: Some(RconConfig {
            host: "127.0.0.1".into(),
            port: server.port(),
            password: "pw".into(),
        }),
        ..ExecutorConfig::default()
    };
    let mut headless = Headless::start_with(config, MappingTable::new(Vec::new()))
        .await
        .unwrap();
    assert!(
        !headless.watch_world(&WorldPart::default()),
        "no player: no watch"
    );
    let mut part = WorldPart::default();
    part.minecraft_world.player = "Steve".into();
    assert!(headless.watch_world(&part));
    until("Steve seen", || (world.looks() >= 1).then_some(())).await;
    world.kill("Steve");
    until("the queue held", || {
        headless
            .handle()
            .status()
            .world_pause
            .is_some()
            .then_some(())
    })
    .await;
    headless.submit(&gift_running(vec![
        Action::command("summon tnt ~ ~ ~"),
        Action::Counter(CounterAction::add("Deaths", 10)),
    ]));
    let looks = world.looks();
    until("two more looks", || {
        (world.looks() >= looks + 2).then_some(())
    })
    .await;
    assert!(!server.commands().contains(&"summon tnt ~ ~ ~".to_owned()));
    world.respawn("Steve");
    let summary = headless.finish().await;
    assert!(summary.all_ok(), "{summary}");
    assert_eq!(summary.done, 2);
    assert!(server.commands().contains(&"summon tnt ~ ~ ~".to_owned()));
}
