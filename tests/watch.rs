//! `giftdeck watch` as a process against the loopback fake TikTok: its JSON lines, the capture it
//! records, its exit codes and words for each failure, and Ctrl-C finalizing open streaks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/live_run.rs"]
mod live_run;

use giftdeck::capture::{CaptureFormat, CaptureReader};
use giftdeck::engine::{EngineConfig, Output, Pipeline};
use giftdeck::mappings::MappingTable;
use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, PageMode, Scenario, Step};
use giftdeck::wire;
use live_run::*;

/// `memory`: the room memory folder (a temp dir, so runs never share the fake's fixed ids).
fn watch_command(fake: &FakeTikTok, memory: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_giftdeck"));
    cmd.arg("watch")
        .arg("--memory-dir")
        .arg(memory)
        .arg("@fake_streamer")
        .args(["--tiktok-url", &fake.tiktok_url()])
        .args(["--webcast-url", &fake.webcast_url()])
        .args(["--sign-url", &fake.sign_url()])
        .env_remove("GIFTDECK_SIGN_API_KEY")
        .env("RUST_LOG", "off");
    cmd
}

fn unix_millis() -> u64 {
    giftdeck::room_store::millis_since_epoch(std::time::SystemTime::now())
}

fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_json_lines_records_a_capture_and_exits_when_the_stream_ends() {
    let fake = start_fake(FakeConfig::with_scenario(Scenario {
        history: vec![single(100, "Lion")],
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![rose(1, 1, false)]),
            Step::Batch(vec![rose(2, 3, true)]),
            Step::Raw(vec![1, 2, 3]),
            Step::EndStream,
        ]],
        after: Vec::new(),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("live.capture");
    let mappings = dir.path().join("mappings.json");
    std::fs::write(
        &mappings,
        r#"{"mappings":[{"trigger":"Lion","actions":[{"type":"command","command":"say lion"}]}]}"#,
    )
    .unwrap();
    let mut cmd = watch_command(&fake, &dir.path().join("rooms"));
    cmd.arg("--record")
        .arg(&capture)
        .arg("--mappings")
        .arg(&mappings)
        .env("GIFTDECK_SIGN_API_KEY", "secret-key-xyz");
    let started_millis = unix_millis();
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let ended_millis = unix_millis();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "stderr: {stderr}");
    assert!(stderr.contains(&format!("live (room {ROOM})")), "{stderr}");
    assert!(stderr.contains("stream ended"), "{stderr}");
    assert!(
        !stderr.contains("secret-key-xyz"),
        "the key is never printed"
    );
    assert_eq!(
        fake.recorded().sign_requests()[0].header("x-api-key"),
        Some("secret-key-xyz"),
        "the key from GIFTDECK_SIGN_API_KEY reaches the sign server"
    );
    let lines = json_lines(&output.stdout);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[0]["gift_name"], "Lion");
    assert_eq!(lines[0]["trigger"], "Lion");
    assert_eq!(lines[0]["ended_by"], "single");
    assert_eq!(lines[1]["gift_name"], "Rose");
    assert_eq!(lines[1]["count"], 3);
    assert_eq!(lines[1]["trigger"], serde_json::Value::Null);

    // The capture replays to the same credits: sign batch first, then every WebSocket message,
    // each with the time it was received (a version-2 capture).
    let mut reader = CaptureReader::open(&capture).unwrap();
    assert_eq!(reader.format().unwrap(), CaptureFormat::V2);
    let mut pipeline = Pipeline::new(EngineConfig::default(), MappingTable::default());
    let mut out = Vec::new();
    let mut records = 0;
    let mut last_received = started_millis;
    while let Some(record) = reader.next_timed().unwrap() {
        if records == 0 {
            let frame = wire::decode_push_frame(record.message).unwrap();
            assert_eq!(frame.payload_type, "msg");
            assert!(wire::decode_batch(&frame.payload).unwrap().is_first);
        }
        let received = record.received_millis.unwrap();
        assert!(
            (last_received..=ended_millis).contains(&received),
            "{received} not in {last_received}..={ended_millis}"
        );
        last_received = received;
        records += 1;
        let _ = pipeline.ingest_ws_message(record.message, received, &mut out);
    }
    pipeline.finish(&mut out);
    assert_eq!(records, 5, "sign batch + 4 WebSocket messages");
    let replayed: Vec<(String, u32)> = out
        .iter()
        .filter_map(|o| match o {
            Output::Credit(d) => Some((d.gift.gift_name.clone(), d.gift.count)),
            _ => None,
        })
        .collect();
    assert_eq!(replayed, [("Lion".to_owned(), 1), ("Rose".to_owned(), 3)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_says_what_kind_of_failure_ended_it_and_exits_one() {
    let fake = start_fake(FakeConfig {
        page: PageMode::Offline,
        ..FakeConfig::default()
    })
    .await;
    let memory = tempfile::tempdir().unwrap();
    let mut cmd = watch_command(&fake, memory.path());
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("failed: @fake_streamer is not live right now"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the user is not live right now: run again once the stream starts"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_finalizes_open_streaks_on_ctrl_c_and_exits_zero() {
    let fake = start_fake(FakeConfig::with_scenario(scenario(vec![vec![
        Step::WaitForEnterRoom,
        Step::Batch(vec![rose(1, 7, false)]),
    ]])))
    .await;
    let memory = tempfile::tempdir().unwrap();
    let mut child = watch_command(&fake, memory.path())
        .arg("--execute")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (_, acked) = fake
        .wait_for(WAIT, |r| {
            r.connections.first().is_some_and(|c| !c.acks().is_empty())
        })
        .await;
    // The session feeds a batch to the engine right after sending its ack, with no await in
    // between: once the fake has the ack, the streak is open in the engine.
    assert!(acked);
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || {
        let _ = &mut child;
        child.wait_with_output()
    })
    .await
    .unwrap()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // `--execute` without `--rcon` and without mappings: the executor runs and has nothing to do.
    assert!(stderr.contains("giftdeck: actions: 0 done"), "{stderr}");
    let lines = json_lines(&output.stdout);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["count"], 7);
    assert_eq!(lines[0]["ended_by"], "timeout");
}

/// One `watch` run of a Lion (user 222) and 3 Roses (user 111) into the ledger at `ledger`, with
/// a fresh room memory (`rooms`), so only the ledger's credit keys stand between a rerun and
/// double points.
async fn watch_into_ledger(dir: &std::path::Path, rooms: &str) -> String {
    let fake = start_fake(FakeConfig::with_scenario(Scenario {
        history: vec![single(100, "Lion")],
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![rose(2, 3, true)]),
            Step::EndStream,
        ]],
        after: Vec::new(),
    }))
    .await;
    let mappings = dir.join("mappings.json");
    std::fs::write(
        &mappings,
        r#"{"mappings":[{"trigger":"Lion","actions":[{"type":"points","add":"1000*{count}"}]}]}"#,
    )
    .unwrap();
    let mut cmd = watch_command(&fake, &dir.join(rooms));
    cmd.arg("--mappings")
        .arg(&mappings)
        .arg("--ledger")
        .arg(dir.join("ledger.sqlite"));
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "stderr: {stderr}");
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_records_points_in_the_ledger_once_however_often_the_stream_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let first = watch_into_ledger(dir.path(), "rooms-1").await;
    assert!(
        first.contains(
            "viewers' ledger: 2 events and 1 points actions recorded (0 already counted)"
        ),
        "{first}"
    );
    // A second run with no room memory credits both gifts again: the ledger counts neither.
    let second = watch_into_ledger(dir.path(), "rooms-2").await;
    assert!(
        second.contains(
            "viewers' ledger: 0 events and 0 points actions recorded (3 already counted)"
        ),
        "{second}"
    );
    let conn = giftdeck::ledger::connect(&dir.path().join("ledger.sqlite")).unwrap();
    let levels = giftdeck::ledger::Levels::default();
    let lion = giftdeck::ledger::queries::viewer(&conn, 222, &levels)
        .unwrap()
        .unwrap();
    // 1 point per coin (29,999) and the action's 1,000 × 1.
    assert_eq!((lion.coins, lion.points), (29_999, 30_999));
    let rose = giftdeck::ledger::queries::viewer(&conn, 111, &levels)
        .unwrap()
        .unwrap();
    assert_eq!((rose.coins, rose.points, rose.gifts), (3, 3, 3));
}
