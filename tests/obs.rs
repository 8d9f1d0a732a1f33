//! giftdeck's OBS WebSocket v5 client against a real OBS: Debian's `obs-studio` under Xvfb, its
//! WebSocket server enabled (with a password) from a config file in a temporary HOME. Skips LOUDLY
//! when `obs` or `Xvfb` is missing. By hand: `cargo test --test obs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use giftdeck::obs::{ObsClient, ObsConfig, ObsError, test_connection};
use serde_json::json;

fn installed(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Kills what it started, in reverse order.
struct Running(Vec<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        for child in self.0.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

const PASSWORD: &str = "giftdeck-test-pw";

/// Starts Xvfb and OBS; returns them and OBS's WebSocket port once it listens.
async fn start_obs(home: &std::path::Path) -> (Running, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config_dir = home.join(".config/obs-studio");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("global.ini"),
        format!(
            "[General]\nFirstRun=true\n\n[OBSWebSocket]\nFirstLoad=false\nServerEnabled=true\n\
             ServerPort={port}\nAuthRequired=true\nServerPassword={PASSWORD}\n"
        ),
    )
    .unwrap();
    // Tests in this file run in parallel: each takes its own display number.
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let offset = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let base = std::process::id() % 225 * 4 + offset;
    let display = (0..900)
        .map(|i| 100 + (base + i) % 900)
        .find(|n| !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists())
        .expect("a free X display");
    let xvfb = Command::new("Xvfb")
        .args([
            format!(":{display}"),
            "-screen".into(),
            "0".into(),
            "1280x720x24".into(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Xvfb");
    let mut running = Running(vec![xvfb]);
    let obs = Command::new("obs")
        // `--multi`: no "already running" dialog when another OBS runs.
        .args(["--disable-shutdown-check", "--minimize-to-tray", "--multi"])
        .env("HOME", home)
        .env("DISPLAY", format!(":{display}"))
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .current_dir(home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start obs");
    running.0.push(obs);
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "OBS did not open its WebSocket port within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (running, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switches_scenes_toggles_a_source_and_sets_text_in_a_real_obs() {
    if !installed("obs") || !installed("Xvfb") {
        eprintln!(
            "\n*** SKIPPED: `obs` or `Xvfb` is not installed \
             (apt-get install -y --no-install-recommends obs-studio xvfb); the OBS test did not run ***\n"
        );
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let (_obs, port) = start_obs(home.path()).await;
    let config = ObsConfig {
        host: "127.0.0.1".into(),
        port,
        password: PASSWORD.into(),
    };

    // The Test button's answer, and a wrong password's.
    let answer = test_connection(&config).await.unwrap();
    assert!(
        answer.starts_with("connected to OBS 29") || answer.starts_with("connected to OBS"),
        "{answer}"
    );
    let wrong = ObsConfig {
        password: "nope".into(),
        ..config.clone()
    };
    assert!(matches!(
        ObsClient::connect(&wrong).await,
        Err(ObsError::AuthFailed)
    ));
    let none = ObsConfig {
        password: String::new(),
        ..config.clone()
    };
    assert!(matches!(
        ObsClient::connect(&none).await,
        Err(ObsError::PasswordNeeded)
    ));

    let mut obs = ObsClient::connect(&config).await.unwrap();
    for scene in ["giftdeck A", "giftdeck B"] {
        obs.request("CreateScene", json!({"sceneName": scene}))
            .await
            .unwrap();
    }
    obs.request(
        "CreateInput",
        json!({"sceneName": "giftdeck A", "inputName": "giftdeck text",
               "inputKind": "text_ft2_source_v2", "inputSettings": {"text": "ready"},
               "sceneItemEnabled": false}),
    )
    .await
    .unwrap();

    // Switch scene, and read it back.
    obs.set_scene("giftdeck B").await.unwrap();
    assert_eq!(obs.current_scene().await.unwrap(), "giftdeck B");
    obs.set_scene("giftdeck A").await.unwrap();
    assert_eq!(obs.current_scene().await.unwrap(), "giftdeck A");

    // Show a source for 1 s: visible meanwhile (read on a second connection), hidden after.
    assert!(
        !obs.source_visible("giftdeck A", "giftdeck text")
            .await
            .unwrap()
    );
    let mut watcher = ObsClient::connect(&config).await.unwrap();
    let shown = tokio::spawn(async move {
        obs.show_source_for("giftdeck A", "giftdeck text", 1)
            .await
            .unwrap();
        obs
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while !watcher
        .source_visible("giftdeck A", "giftdeck text")
        .await
        .unwrap()
    {
        assert!(Instant::now() < deadline, "the source never showed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut obs = shown.await.unwrap();
    assert!(
        !obs.source_visible("giftdeck A", "giftdeck text")
            .await
            .unwrap()
    );

    // Set a text source's text (viewer text stays text), and read it back.
    let text = "Alice sent 5 × Rose <b>\"quoted\"</b>";
    obs.set_text("giftdeck text", text).await.unwrap();
    assert_eq!(obs.text("giftdeck text").await.unwrap(), text);

    // A missing scene is a clear, typed refusal.
    let err = obs.set_scene("no such scene").await.unwrap_err();
    assert!(matches!(err, ObsError::Request { .. }), "{err}");
    assert!(err.to_string().contains("SetCurrentProgramScene"), "{err}");
}

/// OBS actions go through the executor's queue, in order, with their placeholders, and a failing
/// one is reported like an RCON failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obs_actions_run_through_the_executor_queue() {
    use giftdeck::actions::{ExecutorConfig, spawn_executor};
    use giftdeck::engine::Decision;
    use giftdeck::event::{CreditedGift, EndedBy};
    use giftdeck::mappings::{Action, Mapping, MappingTable};
    use std::sync::Arc;
    use tokio::sync::{mpsc, watch};

    if !installed("obs") || !installed("Xvfb") {
        eprintln!(
            "\n*** SKIPPED: `obs` or `Xvfb` is not installed; the OBS executor test did not run ***\n"
        );
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let (_obs, port) = start_obs(home.path()).await;
    let config = ObsConfig {
        host: "127.0.0.1".into(),
        port,
        password: PASSWORD.into(),
    };
    let mut obs = ObsClient::connect(&config).await.unwrap();
    obs.request("CreateScene", json!({"sceneName": "Stage"}))
        .await
        .unwrap();
    obs.request("CreateScene", json!({"sceneName": "Lion time"}))
        .await
        .unwrap();
    obs.request(
        "CreateInput",
        json!({"sceneName": "Lion time", "inputName": "Thanks",
               "inputKind": "text_ft2_source_v2", "inputSettings": {"text": ""},
               "sceneItemEnabled": false}),
    )
    .await
    .unwrap();
    obs.set_scene("Stage").await.unwrap();

    let mapping = Mapping::new(
        "Lion",
        vec![
            Action::ObsScene {
                scene: "Lion time".into(),
            },
            Action::ObsText {
                source: "Thanks".into(),
                text: "{nickname} sent {count} × {gift}".into(),
            },
            Action::ObsSource {
                scene: "Lion time".into(),
                source: "Thanks".into(),
                seconds: 1,
            },
            Action::ObsScene {
                scene: "no such scene".into(),
            },
        ],
    );
    let (_tx, mappings) = watch::channel(MappingTable::new(vec![mapping.clone()]));
    let (exec_tx, _exec_rx) = mpsc::channel(64);
    let executor = spawn_executor(
        ExecutorConfig::default(),
        mappings,
        exec_tx,
        Arc::new(|| {}),
    );
    executor.set_obs(Some(config.clone()));
    let decision = Decision {
        gift: CreditedGift {
            msg_id: 1,
            user_id: 7,
            unique_id: "alice".into(),
            nickname: "Alice <b>".into(),
            gift_id: 6369,
            gift_name: "Lion".into(),
            diamonds: 29_999,
            count: 1,
            trigger: Some("Lion".into()),
            ended_by: EndedBy::Single,
            image_url: None,
            skipped: None,
        },
        mapping: Some(mapping),
    };
    assert_eq!(executor.enqueue(&decision), 4);
    executor.drained().await;
    let status = executor.status();
    assert_eq!((status.done, status.failed), (3, 1), "{status:?}");
    assert!(
        status
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("no such scene"),
        "{status:?}"
    );
    assert_eq!(obs.current_scene().await.unwrap(), "Lion time");
    assert_eq!(obs.text("Thanks").await.unwrap(), "Alice <b> sent 1 × Lion");
    assert!(obs.source_visible("Lion time", "Thanks").await.unwrap());
    let deadline = Instant::now() + Duration::from_secs(10);
    while obs.source_visible("Lion time", "Thanks").await.unwrap() {
        assert!(
            Instant::now() < deadline,
            "the source was never hidden again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Without OBS settings the action fails with the reason, instead of vanishing.
    executor.set_obs(None);
    executor.enqueue(&decision);
    executor.drained().await;
    assert!(
        executor
            .status()
            .last_error
            .unwrap()
            .contains("OBS is not set up")
    );
}
