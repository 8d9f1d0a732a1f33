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

use std::time::{Duration, Instant};

use giftdeck::actions::obs::{ObsClient, ObsError, ObsFailure, ObsTimeouts};
use giftdeck::actions::{ObsConfig, test_obs_connection};
use obs::RealObs;

const PASSWORD: &str = "giftdeck-obs-test-pw";

fn config(port: u16, password: &str) -> ObsConfig {
    ObsConfig {
        host: "127.0.0.1".into(),
        port,
        password: password.into(),
    }
}

/// Polls `check` until it is true or `deadline` passes.
#[allow(dead_code)]
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
