//! Issue 9 in the desktop app (driven headless with egui_kittest). "Nothing goes to the wrong
//! server": switching between the demo and a real RCON server (PyPI `rconx`, a server we did not
//! write) with actions still queued; every queued action belongs to the server it was queued for,
//! a switch holds the old queue, and the streamer clears it or keeps it for its own server.
//! "Nothing lost when the app stops": closing credits open streaks and drains the queue with a
//! countdown, or lists what did not run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/python.rs"]
mod python;
#[path = "support/rconx.rs"]
mod rconx;
#[path = "support/real.rs"]
mod real;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use giftdeck::actions::ServerId;
use giftdeck::mappings::{Action, Mapping};
use giftdeck::settings::{self, Settings};
use giftdeck::testkit::fake::{DEMO_GIFTS, FakeConfig, FakeTikTok, Scenario, Step, gift};
use giftdeck::testkit::rcon::FakeRcon;
use giftdeck::ui::{AppOptions, Command, GiftdeckApp};
use rconx::Rconx;

/// Generous: the machine running tests may be busy building.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Long enough that the demo fills the queue faster than it drains.
const GAP_MILLIS: u64 = 1_500;
/// The unique id of gifts sent with a row's Test button (never a demo viewer).
const TESTER: &str = "giftdeck_test";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("safety-test-rt")
        .enable_all()
        .build()
        .unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Settings with a slow queue, the streamer's real server (rconx) and one trigger per demo gift
/// whose command names the viewer, so every command says which stream it came from.
fn write_settings(path: &Path, rcon_port: u16, fake: &FakeTikTok) {
    let mut s = Settings::default();
    s.executor.gap_millis = GAP_MILLIS;
    s.rcon = settings::RconConfig {
        host: "127.0.0.1".into(),
        port: rcon_port,
        password: "real-pw".into(),
    };
    s.connection.last_target = format!("@{}", fake.unique_id());
    s.connection.sign_url = fake.sign_url();
    s.connection.tiktok_url = fake.tiktok_url();
    s.connection.webcast_url = fake.webcast_url();
    s.mappings = DEMO_GIFTS
        .iter()
        .filter(|g| !g.name.is_empty())
        .map(|g| {
            Mapping::new(
                g.name,
                vec![Action::Command {
                    command: "say {user} {gift}".into(),
                    repeat: 1,
                }],
            )
        })
        .collect();
    settings::save_atomic(path, &s).unwrap();
}

fn harness(rt: &tokio::runtime::Runtime, path: &Path) -> Harness<'static, GiftdeckApp> {
    let app = GiftdeckApp::new(AppOptions {
        settings_path: Some(path.to_owned()),
        runtime: rt.handle().clone(),
        demo: false,
        secrets: giftdeck::settings::SecretsHome::SettingsFile,
    });
    // The test reads English words: "auto" is English on any machine.
    giftdeck::i18n::assume_os_language(giftdeck::i18n::Lang::En);
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app)
}

/// Steps frames until `done` holds, failing with `what` after [`TIMEOUT`].
fn step_until(
    h: &mut Harness<'_, GiftdeckApp>,
    what: &str,
    mut done: impl FnMut(&GiftdeckApp) -> bool,
) {
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

fn from_tester(command: &str) -> bool {
    command.starts_with(&format!("say {TESTER} "))
}

/// The demo's queued `say …` commands never reach the streamer's server after Disconnect and
/// Connect; a Test pressed after reconnecting does, and nothing else.
#[test]
fn demo_actions_never_reach_the_real_server() {
    let Some(python) = python::venv_python() else {
        return;
    };
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let real = Rconx::start(&python, free_port(), "real-pw", dir.path());
    // The streamer's stream: a fake that stays open and silent.
    let stream = rt
        .block_on(FakeTikTok::start(FakeConfig::default()))
        .unwrap();
    let path = dir.path().join("settings.json");
    write_settings(&path, real.port, &stream);
    let mut h = harness(&rt, &path);
    h.step();

    h.state_mut().command(Command::StartDemo);
    step_until(&mut h, "the demo to queue actions", |app| {
        app.demo_rcon().is_some_and(|r| !r.commands().is_empty()) && app.queue().depth >= 3
    });
    let queued_in_demo = h.state().queue().depth;

    h.state_mut().command(Command::Disconnect);
    h.step();
    h.state_mut().command(Command::Connect);
    // A positive control: the queue does run on the real server.
    h.state_mut().command(Command::Test { row: 0, count: 1 });
    step_until(&mut h, "the Test action to reach rconx", |_| {
        real.commands().iter().any(|c| from_tester(c))
    });
    let got = real.commands();
    assert!(
        got.iter().all(|c| from_tester(c)),
        "{queued_in_demo} demo actions were queued; the real server received: {got:?}"
    );
    assert_eq!(got.len(), 1, "{got:?}");

    // The demo's queue is held and shown, and the streamer can clear it.
    let held = h.state().queue().held.clone();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].server, ServerId::Demo);
    assert!(held[0].count >= queued_in_demo, "{held:?}");
    assert!(
        h.query_by_label_contains(
            "queued for the demo server are held: they will not run on 127.0.0.1:"
        )
        .is_some(),
        "the queue panel says the demo's actions are held"
    );
    h.get_by_label("🗑 Clear held").click();
    step_until(&mut h, "the held queue to be cleared", |app| {
        app.queue().held.is_empty()
    });
    assert!(h.state().queue().cleared >= queued_in_demo as u64);
    assert_eq!(real.commands().len(), 1, "clearing never runs anything");
}

/// Actions still queued from the real stream never run on the demo's server.
#[test]
fn real_stream_actions_never_reach_the_demo_server() {
    let Some(python) = python::venv_python() else {
        return;
    };
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let real = Rconx::start(&python, free_port(), "real-pw", dir.path());
    let stream = rt
        .block_on(FakeTikTok::start(FakeConfig::default()))
        .unwrap();
    let path = dir.path().join("settings.json");
    write_settings(&path, real.port, &stream);
    let mut h = harness(&rt, &path);
    h.step();
    h.state_mut().command(Command::Connect);
    step_until(&mut h, "RCON to the real server", |app| {
        app.queue().rcon == giftdeck::actions::RconState::Connected
    });
    for _ in 0..5 {
        h.state_mut().command(Command::Test { row: 0, count: 1 });
    }
    step_until(&mut h, "the first Test action to run", |_| {
        !real.commands().is_empty()
    });
    h.step();
    assert!(h.state().queue().depth >= 3, "{:?}", h.state().queue());

    h.state_mut().command(Command::StartDemo);
    step_until(&mut h, "the demo server to run two demo actions", |app| {
        app.demo_rcon().is_some_and(|r| r.commands().len() >= 2)
    });
    let demo = h.state().demo_rcon().unwrap().commands();
    assert!(
        !demo.iter().any(|c| from_tester(c)),
        "the real stream's actions ran on the demo server: {demo:?}"
    );
    assert_eq!(real.commands().len(), 1, "{:?}", real.commands());

    // The streamer keeps them for their own server: they run there once the demo stops, and
    // nothing from the demo follows them.
    let real_id = ServerId::rcon("127.0.0.1", real.port);
    let held = h.state().queue().held.clone();
    assert!(
        held.iter()
            .any(|q| q.server == real_id && q.count >= 3 && !q.kept),
        "{held:?}"
    );
    h.get_by_label(&format!("Keep for {real_id}")).click();
    step_until(&mut h, "the held queue to be kept", |app| {
        app.queue()
            .held
            .iter()
            .any(|q| q.server == real_id && q.kept)
    });
    assert_eq!(real.commands().len(), 1, "kept, not run on the demo's turn");
    h.state_mut().command(Command::Disconnect);
    step_until(&mut h, "the kept actions to run on the real server", |_| {
        real.commands().len() == 5
    });
    let got = real.commands();
    assert!(got.iter().all(|c| from_tester(c)), "{got:?}");
}

/// A FakeRcon as the streamer's server, a stream with one open Rose streak (no end yet) and a
/// slow queue.
fn streak_setup(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    gap_millis: u64,
) -> (FakeRcon, FakeTikTok, PathBuf) {
    let server = rt.block_on(FakeRcon::start("pw")).unwrap();
    let fake = rt
        .block_on(FakeTikTok::start(FakeConfig::with_scenario(Scenario {
            connections: vec![vec![
                Step::WaitForEnterRoom,
                Step::Batch(vec![gift(1, 100, "Ann", &DEMO_GIFTS[0], 5, false)]),
            ]],
            ..Scenario::default()
        })))
        .unwrap();
    let path = dir.join("settings.json");
    let mut s = Settings::default();
    s.executor.gap_millis = gap_millis;
    s.rcon = settings::RconConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        password: "pw".into(),
    };
    s.connection.last_target = format!("@{}", fake.unique_id());
    s.connection.sign_url = fake.sign_url();
    s.connection.tiktok_url = fake.tiktok_url();
    s.connection.webcast_url = fake.webcast_url();
    s.mappings = vec![Mapping::new(
        "Rose",
        vec![Action::Command {
            command: "say rose {count}".into(),
            repeat: 1,
        }],
    )];
    settings::save_atomic(&path, &s).unwrap();
    (server, fake, path)
}

/// The viewport commands the app sent in the last frame.
fn root_commands(h: &Harness<'_, GiftdeckApp>) -> Vec<egui::ViewportCommand> {
    h.output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|v| v.commands.clone())
        .unwrap_or_default()
}

/// Closing the window with an open streak: the close is held back, the streak is credited, its
/// actions drain (the countdown shows meanwhile), then the window closes by itself, and the
/// executor stops with nothing left.
#[test]
fn closing_credits_open_streaks_and_drains_the_queue_first() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (server, fake, path) = streak_setup(&rt, dir.path(), 100);
    let mut h = harness(&rt, &path);
    h.step();
    h.state_mut().command(Command::Connect);
    h.step();
    let (_, acked) = rt.block_on(fake.wait_for(TIMEOUT, |r| {
        r.connections.first().is_some_and(|c| !c.acks().is_empty())
    }));
    assert!(acked);
    assert!(server.commands().is_empty(), "the streak is still open");

    // The window's close button, as the OS sends it.
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.step();
    assert!(
        root_commands(&h).contains(&egui::ViewportCommand::CancelClose),
        "the close is held back while a session runs"
    );
    let mut countdown_seen = false;
    for _ in 0..3 {
        h.step();
        countdown_seen |= h.query_by_label_contains("Quitting in").is_some();
    }
    assert!(
        countdown_seen || h.state().quit_ready(),
        "the countdown shows while finishing"
    );
    step_until(&mut h, "finishing before quitting", GiftdeckApp::quit_ready);
    assert!(
        root_commands(&h).contains(&egui::ViewportCommand::Close),
        "then the window closes by itself"
    );
    assert_eq!(server.commands(), vec!["say rose 5"; 5]);
    let report = h.state_mut().shutdown();
    assert_eq!(report.not_run_count(), 0, "{report:?}");
    assert_eq!(report.done, 5);
    assert!(report.clean);
}

/// "Quit now" during the countdown: the executor stops with its handshake and lists every
/// action that did not run (the log and stderr get the same lines).
#[test]
fn quit_now_lists_the_actions_that_did_not_run() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (server, fake, path) = streak_setup(&rt, dir.path(), 60_000);
    let mut h = harness(&rt, &path);
    h.step();
    h.state_mut().command(Command::Connect);
    h.step();
    let (_, acked) = rt.block_on(fake.wait_for(TIMEOUT, |r| {
        r.connections.first().is_some_and(|c| !c.acks().is_empty())
    }));
    assert!(acked);
    h.state_mut().command(Command::Quit);
    step_until(&mut h, "the streak's actions to be queued", |app| {
        app.queue().depth >= 4
    });
    assert!(!h.state().quit_ready(), "the queue is still draining");
    // A new egui window needs a sizing frame before it shows.
    h.step();
    h.step();
    h.get_by_label("Quit now").click();
    step_until(&mut h, "quit now", GiftdeckApp::quit_ready);
    let report = h.state_mut().shutdown();
    assert_eq!(
        server.commands(),
        ["say rose 5"],
        "the first ran, the gap holds the rest"
    );
    assert_eq!(report.not_run_count(), 4, "{report:?}");
    assert_eq!(
        report.not_run_lines(),
        [format!("4 × /say rose 5 (for 127.0.0.1:{})", server.port())]
    );
}
