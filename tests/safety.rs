//! Issue 9, "nothing goes to the wrong server": the desktop app (driven headless with
//! egui_kittest) switching between the demo and a real RCON server (PyPI `rconx`, a server we did
//! not write) with actions still queued. Every queued action belongs to the server it was queued
//! for; a switch holds the old queue instead of carrying it across.

#[path = "support/python.rs"]
mod python;
#[path = "support/rconx.rs"]
mod rconx;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use giftdeck::mappings::{Action, Mapping};
use giftdeck::settings::{self, Settings};
use giftdeck::testkit::fake::{DEMO_GIFTS, FakeConfig, FakeTikTok};
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

fn python_or_skip() -> Option<PathBuf> {
    let python = python::venv_python();
    if python.is_none() {
        eprintln!("!!!!! SKIPPED: the wrong-server tests need python3 for rconx !!!!!");
    }
    python
}

/// Settings with a slow queue, the streamer's real server (rconx) and one trigger per demo gift
/// whose command names the viewer, so every command says which stream it came from.
fn write_settings(path: &Path, rcon_port: u16, fake: &FakeTikTok) {
    let mut s = Settings::default();
    s.executor.gap_millis = GAP_MILLIS;
    s.rcon = settings::RconSettings {
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
    });
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
    let Some(python) = python_or_skip() else {
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
}

/// Actions still queued from the real stream never run on the demo's server.
#[test]
fn real_stream_actions_never_reach_the_demo_server() {
    let Some(python) = python_or_skip() else {
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
}
