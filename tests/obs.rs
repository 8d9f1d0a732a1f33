//! Our OBS WebSocket v5 client and the OBS actions against a real OBS Studio (Debian's
//! `obs-studio` under Xvfb, see `support/obs.rs`): log in, create scenes and sources, switch the
//! scene, show a source for a while, set a text source's text — and read OBS's state back. Also a
//! wrong password and OBS not running, as typed errors. Run just these with `cargo test --test obs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/obs.rs"]
mod obs;
#[path = "support/real.rs"]
mod real;
#[path = "support/ui_harness.rs"]
mod ui_harness;

use std::time::{Duration, Instant};

use std::sync::Arc;

use giftdeck::actions::obs::{ObsClient, ObsError, ObsFailure, ObsTimeouts};
use giftdeck::actions::{
    ExecLogLine, ExecutorConfig, ExecutorHandle, ObsConfig, RconConfig, spawn_executor,
    test_obs_connection,
};
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::rcon::FakeRcon;
use obs::RealObs;
use tokio::sync::{mpsc, watch};

const PASSWORD: &str = "giftdeck-obs-test-pw";

fn config(port: u16, password: &str) -> ObsConfig {
    ObsConfig {
        host: "127.0.0.1".into(),
        port,
        password: password.into(),
    }
}

/// Polls `check` until it is true or `deadline` passes.
async fn eventually<F, Fut>(deadline: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = Instant::now() + deadline;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_drives_a_real_obs_and_reads_the_state_back() {
    let Some(obs) = RealObs::start(PASSWORD) else {
        return;
    };
    let cfg = config(obs.port, PASSWORD);

    let version = test_obs_connection(&cfg)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", obs.log_tail()));
    assert!(
        !version.obs.is_empty() && version.websocket.starts_with('5'),
        "{version}"
    );
    eprintln!("real OBS: {version}");

    let mut client = ObsClient::connect(&cfg, ObsTimeouts::default())
        .await
        .unwrap();
    client.create_scene("giftdeck A").await.unwrap();
    client.create_scene("giftdeck B").await.unwrap();
    let color = client
        .create_input(
            "giftdeck A",
            "giftdeck color",
            "color_source_v3",
            serde_json::json!({"color": 4278190335u32, "width": 200, "height": 100}),
        )
        .await
        .unwrap();
    client
        .create_input(
            "giftdeck A",
            "giftdeck text",
            "text_ft2_source_v2",
            serde_json::json!({"text": "before"}),
        )
        .await
        .unwrap();

    client.set_program_scene("giftdeck B").await.unwrap();
    assert_eq!(client.program_scene().await.unwrap(), "giftdeck B");
    client.set_program_scene("giftdeck A").await.unwrap();
    assert_eq!(client.program_scene().await.unwrap(), "giftdeck A");

    let id = client
        .scene_item_id("giftdeck A", "giftdeck color")
        .await
        .unwrap();
    assert_eq!(id, color);
    client
        .set_item_enabled("giftdeck A", id, false)
        .await
        .unwrap();
    assert!(!client.item_enabled("giftdeck A", id).await.unwrap());
    client
        .set_item_enabled("giftdeck A", id, true)
        .await
        .unwrap();
    assert!(client.item_enabled("giftdeck A", id).await.unwrap());

    client
        .set_input_text("giftdeck text", "Alice sent 5 × Rose")
        .await
        .unwrap();
    let settings = client.input_settings("giftdeck text").await.unwrap();
    assert_eq!(settings["text"], "Alice sent 5 × Rose");

    // OBS's refusal is typed and names what was asked for.
    let err = client.set_program_scene("no such scene").await.unwrap_err();
    match &err {
        ObsError::Request {
            request,
            target,
            code,
            ..
        } => {
            assert_eq!(request, "SetCurrentProgramScene");
            assert!(target.contains("no such scene"), "{target}");
            assert_eq!(*code, 600, "ResourceNotFound: {err}");
        }
        other => panic!("expected a request error, got {other:?}"),
    }
    // The connection survives a refusal.
    assert_eq!(client.program_scene().await.unwrap(), "giftdeck A");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_a_closed_obs_are_typed_errors() {
    let Some(mut obs) = RealObs::start(PASSWORD) else {
        return;
    };
    let err = test_obs_connection(&config(obs.port, "not the password"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ObsError::AuthFailed { ref addr } if addr.ends_with(&obs.port.to_string())),
        "{err:?}"
    );
    assert_eq!(err.kind(), ObsFailure::WrongPassword);
    assert!(!err.to_string().contains("not the password"), "{err}");

    let err = test_obs_connection(&config(obs.port, ""))
        .await
        .unwrap_err();
    assert!(matches!(err, ObsError::PasswordRequired { .. }), "{err:?}");

    let port = obs.port;
    obs.kill_obs();
    let err = test_obs_connection(&config(port, PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, ObsError::Connect { .. }), "{err:?}");
    assert_eq!(err.kind(), ObsFailure::NotRunning);
    assert!(
        err.to_string().contains("WebSocket Server Settings"),
        "{err}"
    );
}

fn gift(nickname: &str, count: u32, mapping: &Mapping) -> Decision {
    Decision {
        gift: CreditedGift {
            user_id: 2,
            unique_id: "viewer".into(),
            nickname: nickname.into(),
            count,
            trigger: Some("Rose".into()),
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: Some(mapping.clone()),
    }
}

fn executor(config: ExecutorConfig, mapping: &Mapping) -> ExecutorHandle {
    let (_tx, rx) = watch::channel(MappingTable::new(vec![mapping.clone()]));
    let (events_tx, _events) = mpsc::channel(1024);
    spawn_executor(config, rx, events_tx, Arc::new(|| {}))
}

fn log_lines(exec: &ExecutorHandle) -> Vec<(String, Result<String, String>)> {
    exec.recent_log()
        .into_iter()
        .map(
            |ExecLogLine {
                 action, outcome, ..
             }| (action, outcome.map_err(|e| e.to_string())),
        )
        .collect()
}

fn rcon(server: &FakeRcon) -> Option<RconConfig> {
    Some(RconConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        password: "pw".into(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obs_actions_run_in_the_queue_in_order_with_rcon_and_the_hide_comes_later() {
    let Some(obs) = RealObs::start(PASSWORD) else {
        return;
    };
    let cfg = config(obs.port, PASSWORD);
    let mut reader = ObsClient::connect(&cfg, ObsTimeouts::default())
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", obs.log_tail()));
    reader.create_scene("giftdeck A").await.unwrap();
    reader.create_scene("giftdeck B").await.unwrap();
    let item = reader
        .create_input(
            "giftdeck A",
            "giftdeck alert",
            "color_source_v3",
            serde_json::json!({"color": 4278255360u32}),
        )
        .await
        .unwrap();
    reader
        .set_item_enabled("giftdeck A", item, false)
        .await
        .unwrap();
    reader
        .create_input(
            "giftdeck A",
            "giftdeck text",
            "text_ft2_source_v2",
            serde_json::json!({"text": "before"}),
        )
        .await
        .unwrap();
    reader.set_program_scene("giftdeck A").await.unwrap();

    let minecraft = FakeRcon::start("pw").await.unwrap();
    let show_seconds = 3;
    let mapping = Mapping::new(
        "Rose",
        vec![
            Action::command("say first"),
            Action::ObsScene {
                scene: "giftdeck B".into(),
            },
            Action::ObsShowSource {
                scene: "giftdeck A".into(),
                source: "giftdeck alert".into(),
                seconds: show_seconds,
            },
            Action::ObsText {
                source: "giftdeck text".into(),
                text: "{nickname} sent {count} × {gift}".into(),
            },
            Action::ObsScene {
                scene: "no such scene".into(),
            },
            Action::command("say last"),
        ],
    );
    let exec = executor(
        ExecutorConfig {
            rcon: rcon(&minecraft),
            obs: Some(cfg.clone()),
            ..ExecutorConfig::default()
        },
        &mapping,
    );
    let started = Instant::now();
    // A hostile nickname: a line break, a bidi override and markup.
    assert_eq!(
        exec.enqueue(&gift("<b>Al\u{202e}ice</b>\n", 1, &mapping)),
        6
    );
    tokio::time::timeout(Duration::from_secs(20), exec.drained())
        .await
        .unwrap();
    let drained_after = started.elapsed();

    // The state OBS reports, read back through a second connection.
    assert_eq!(reader.program_scene().await.unwrap(), "giftdeck B");
    assert!(
        reader.item_enabled("giftdeck A", item).await.unwrap(),
        "shown right after the queue ran"
    );
    let settings = reader.input_settings("giftdeck text").await.unwrap();
    assert_eq!(settings["text"], "<b>Alice</b> sent 1 × Rose");
    assert!(
        drained_after < Duration::from_secs(u64::from(show_seconds)),
        "the queue did not wait for the hide: drained after {drained_after:?}"
    );

    // Same queue, same order, same error reporting as RCON.
    let lines = log_lines(&exec);
    let actions: Vec<&str> = lines.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions[..6],
        [
            "/say first",
            "OBS scene: giftdeck B",
            "OBS show giftdeck alert for 3 s (in giftdeck A)",
            "OBS text giftdeck text: <b>Alice</b> sent 1 × Rose",
            "OBS scene: no such scene",
            "/say last",
        ],
        "{lines:?}"
    );
    let failed = &lines[4].1;
    assert!(
        failed
            .as_ref()
            .is_err_and(|e| e.contains("no such scene") && e.contains("600")),
        "{failed:?}"
    );
    let status = exec.status();
    assert_eq!((status.done, status.failed), (5, 1), "{status:?}");
    assert!(
        status
            .last_error
            .as_ref()
            .is_some_and(|e| e.to_string().contains("no such scene")),
        "{status:?}"
    );
    assert_eq!(
        minecraft.commands(),
        ["say first", "say last"].map(str::to_owned)
    );

    // The hide comes on its own, N seconds after the show, and is logged.
    let hidden = eventually(Duration::from_secs(15), || {
        let lines = log_lines(&exec);
        async move {
            lines
                .iter()
                .any(|(a, o)| a.starts_with("OBS hide") && o.is_ok())
        }
    })
    .await;
    assert!(hidden, "{:?}", log_lines(&exec));
    let hidden_after = started.elapsed();
    assert!(
        hidden_after >= Duration::from_secs(u64::from(show_seconds)) - Duration::from_millis(200),
        "hidden too early: {hidden_after:?}"
    );
    assert!(!reader.item_enabled("giftdeck A", item).await.unwrap());
    eprintln!("queue drained after {drained_after:?}, source hidden after {hidden_after:?}");

    // Stopping the executor hides what is still shown instead of leaving it on stream.
    let long_show = Mapping::new(
        "Rose",
        vec![Action::ObsShowSource {
            scene: String::new(),
            source: "giftdeck alert".into(),
            seconds: 600,
        }],
    );
    reader.set_program_scene("giftdeck A").await.unwrap();
    exec.enqueue(&gift("bob", 1, &long_show));
    tokio::time::timeout(Duration::from_secs(20), exec.drained())
        .await
        .unwrap();
    assert!(reader.item_enabled("giftdeck A", item).await.unwrap());
    let report = exec.stop(Duration::from_secs(10)).await;
    assert!(report.clean, "{report:?}");
    assert!(!reader.item_enabled("giftdeck A", item).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obs_closed_fails_its_action_in_turn_and_the_queue_goes_on() {
    // No OBS at all: a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let minecraft = FakeRcon::start("pw").await.unwrap();
    let mapping = Mapping::new(
        "Rose",
        vec![
            Action::ObsScene {
                scene: "Gameplay".into(),
            },
            Action::command("say after obs"),
            Action::ObsText {
                source: "Title".into(),
                text: "{nickname}".into(),
            },
        ],
    );
    let exec = executor(
        ExecutorConfig {
            rcon: rcon(&minecraft),
            obs: Some(config(port, "secret-obs-pw")),
            ..ExecutorConfig::default()
        },
        &mapping,
    );
    exec.enqueue(&gift("bob", 1, &mapping));
    tokio::time::timeout(Duration::from_secs(20), exec.drained())
        .await
        .unwrap();
    let lines = log_lines(&exec);
    assert_eq!(lines.len(), 3, "{lines:?}");
    let err = lines[0].1.as_ref().unwrap_err();
    assert!(
        err.contains("not reachable") && err.contains(&port.to_string()),
        "{err}"
    );
    assert!(lines[1].1.is_ok(), "{lines:?}");
    // The next OBS action right after does not wait for another connect attempt.
    assert!(
        lines[2]
            .1
            .as_ref()
            .is_err_and(|e| e.contains("not retried yet")),
        "{lines:?}"
    );
    assert_eq!(minecraft.commands(), ["say after obs".to_owned()]);
    for (_, outcome) in &lines {
        let shown = format!("{outcome:?}");
        assert!(!shown.contains("secret-obs-pw"), "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_obs_restarts_the_next_action_reconnects_by_itself() {
    let Some(mut obs) = RealObs::start(PASSWORD) else {
        return;
    };
    let cfg = config(obs.port, PASSWORD);
    let mapping = Mapping::new(
        "Rose",
        vec![Action::ObsText {
            source: "giftdeck title".into(),
            text: "{nickname}".into(),
        }],
    );
    let exec = executor(
        ExecutorConfig {
            obs: Some(cfg.clone()),
            ..ExecutorConfig::default()
        },
        &mapping,
    );
    let setup = |cfg: ObsConfig| async move {
        let mut client = ObsClient::connect(&cfg, ObsTimeouts::default())
            .await
            .unwrap();
        // A fresh OBS (HOME is kept, but scenes are saved only on exit, so maybe not): make sure
        // the text source exists.
        let _ = client
            .create_input(
                "Scene",
                "giftdeck title",
                "text_ft2_source_v2",
                serde_json::json!({"text": ""}),
            )
            .await;
        client
    };
    let mut reader = setup(cfg.clone()).await;
    exec.enqueue(&gift("first", 1, &mapping));
    exec.drained().await;
    let text = reader.input_settings("giftdeck title").await.unwrap();
    assert_eq!(text["text"], "first", "{:?}", log_lines(&exec));

    // OBS restarts; the executor's connection is now dead. The next action must just work.
    obs.restart_obs();
    let mut reader = setup(cfg.clone()).await;
    exec.enqueue(&gift("second", 1, &mapping));
    tokio::time::timeout(Duration::from_secs(20), exec.drained())
        .await
        .unwrap();
    let lines = log_lines(&exec);
    assert!(lines.iter().all(|(_, o)| o.is_ok()), "{lines:?}");
    let text = reader.input_settings("giftdeck title").await.unwrap();
    assert_eq!(text["text"], "second");
}

/// The settings window's OBS section, driven like a streamer would (egui_kittest, no display of
/// ours), against the real OBS: Test connection shows the versions, or the wrong password.
#[test]
fn the_settings_window_tests_the_obs_connection() {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;
    use giftdeck::ui::state::ObsTest;
    use giftdeck::ui::{AppOptions, GiftdeckApp};

    let Some(obs) = RealObs::start(PASSWORD) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("obs-ui-test-rt")
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for password in [PASSWORD, "wrong password"] {
        let path = dir.path().join("settings.json");
        std::fs::write(
            &path,
            serde_json::json!({
                "version": 1,
                "obs": {"host": "127.0.0.1", "port": obs.port, "password": password},
            })
            .to_string(),
        )
        .unwrap();
        let app = GiftdeckApp::new(AppOptions {
            settings_path: Some(path),
            runtime: rt.handle().clone(),
            demo: false,
            secrets: giftdeck::settings::SecretsHome::SettingsFile,
        });
        // A 720p window: the Settings page scrolls to OBS's section.
        // The test reads English words: "auto" is English on any machine.
        giftdeck::i18n::assume_os_language(giftdeck::i18n::Lang::En);
        let mut h = Harness::builder()
            .with_size([1280.0, 720.0])
            .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app);
        h.step();
        h.get_by_label("⚙ Settings").click();
        h.step();
        h.step();
        assert!(h.query_by_label("OBS (WebSocket server)").is_some());
        // OBS's Test connection is the last one (the Minecraft server's come first); the result
        // landing in `obs_test` proves it was OBS's.
        ui_harness::scroll_into_window(&mut h, |h| {
            h.get_all_by_label("Test connection").last().unwrap()
        });
        h.get_all_by_label("Test connection")
            .last()
            .unwrap()
            .click();
        let deadline = Instant::now() + Duration::from_secs(30);
        let result = loop {
            h.step();
            if let ObsTest::Done(result) = &h.state().state().obs_test {
                break result.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no Test connection result: {:?}; rects {:?}",
                h.state().state().obs_test,
                h.get_all_by_label("Test connection")
                    .map(|n| ui_harness::widget_rects(&h, &n))
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        h.step();
        let shown = match &result {
            Ok(text) => format!("✔ {text}"),
            Err(err) => format!("✖ {err}"),
        };
        assert!(h.query_by_label(&shown).is_some(), "{shown} is on screen");
        results.push(result);
    }
    let ok = results[0].as_ref().unwrap();
    assert!(
        ok.starts_with("connected to OBS ") && ok.contains("obs-websocket 5."),
        "{ok}"
    );
    let err = results[1].as_ref().unwrap_err().to_string();
    assert!(err.contains("refused the password"), "{err}");
    assert!(!err.contains("wrong password"), "{err}");
}

/// The action editor offers the three OBS kinds, and each one added through it lands in the
/// trigger table with its fields (drawn without missing glyphs).
#[test]
fn the_action_editor_adds_obs_actions() {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;
    use giftdeck::ui::{AppOptions, GiftdeckApp};

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("obs-ui-test-rt")
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = GiftdeckApp::new(AppOptions {
        settings_path: Some(dir.path().join("settings.json")),
        runtime: rt.handle().clone(),
        demo: false,
        secrets: giftdeck::settings::SecretsHome::SettingsFile,
    });
    // The test reads English words: "auto" is English on any machine.
    giftdeck::i18n::assume_os_language(giftdeck::i18n::Lang::En);
    let mut h = Harness::builder()
        .with_size([1280.0, 720.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app);
    h.step();
    h.get_by_label("🎁 Triggers").click();
    h.step();
    h.get_all_by_label("✏ Edit").next().unwrap().click();
    h.step();
    h.step();
    assert!(
        h.query_by_label("Minecraft command").is_some(),
        "the actions editor is open"
    );
    for item in [
        "Switch scene",
        "Show a source for a while",
        "Set a text source's text",
    ] {
        ui_harness::scroll_into_window(&mut h, |h| h.get_by_label("OBS"));
        h.get_by_label("OBS").click();
        h.step();
        h.step();
        h.get_by_label(item).click();
        h.step();
        h.step();
    }
    let actions = &h.state().mappings()[0].actions;
    let obs: Vec<&Action> = actions
        .iter()
        .filter(|a| {
            matches!(
                a,
                Action::ObsScene { .. } | Action::ObsShowSource { .. } | Action::ObsText { .. }
            )
        })
        .collect();
    assert_eq!(obs.len(), 3, "{actions:?}");
    assert!(matches!(obs[1], Action::ObsShowSource { seconds: 5, .. }));
}
