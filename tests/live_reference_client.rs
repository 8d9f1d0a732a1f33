//! Proves the fake speaks the real protocol: the reference Python client (`tiktoklive==7.0.1`) runs
//! against it and must see the same gifts our client credits from the same scenario.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/python.rs"]
mod python;
#[path = "support/real.rs"]
mod real;

use std::sync::Arc;
use std::time::{Duration, Instant};

use giftdeck::engine::Output;
use giftdeck::live::{ConnStatus, LiveConfig, LiveMsg, spawn_session};
use giftdeck::mappings::MappingTable;
use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, Scenario, Step};
use giftdeck::testkit::frames::{ClientFrame, GiftSpec, MessageSpec};
use tokio::sync::{mpsc, watch};

const SCRIPT: &str = r#"
import asyncio, json, sys
from TikTokLive import TikTokLiveClient
from TikTokLive.events import GiftEvent

client = TikTokLiveClient(unique_id="@fake_streamer")

@client.on(GiftEvent)
async def on_gift(event: GiftEvent):
    # The documented way to count: skip messages of a streak still in progress.
    if event.streaking:
        return
    print(json.dumps({
        "user_id": event.user.id,
        "gift_id": event.gift.id,
        "gift_name": event.gift.name,
        "count": max(event.repeat_count, 1),
    }), flush=True)

async def main():
    task = await client.start(room_id=int(sys.argv[1]), fetch_live_check=False)
    await task

asyncio.run(main())
"#;

fn gift(
    msg_id: i64,
    user_id: i64,
    gift_id: i64,
    name: &str,
    gift_type: i32,
    count: i32,
    end: bool,
) -> MessageSpec {
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id,
        unique_id: format!("user{user_id}"),
        nickname: format!("User {user_id}"),
        gift_id,
        gift_name: name.into(),
        diamonds: 1,
        gift_type,
        repeat_count: count,
        repeat_end: end,
        group_id: 5,
        create_time_millis: 0,
    })
}

/// History, two users streaking at once, big single gifts, a chat, then the stream ends.
fn scenario() -> Scenario {
    Scenario {
        history: vec![gift(100, 333, 5996, "Galaxy", 2, 1, false)],
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![gift(1, 111, 5655, "Rose", 1, 1, false)]),
            Step::Batch(vec![
                gift(2, 111, 5655, "Rose", 1, 2, false),
                gift(3, 444, 5487, "Finger Heart", 1, 1, false),
            ]),
            Step::Batch(vec![gift(4, 222, 6369, "Lion", 2, 1, false)]),
            Step::Batch(vec![
                gift(5, 111, 5655, "Rose", 1, 3, true),
                MessageSpec::Chat {
                    msg_id: 6,
                    user_id: 222,
                    unique_id: "user222".into(),
                    nickname: "User 222".into(),
                    text: "gg".into(),
                },
            ]),
            Step::Batch(vec![gift(7, 444, 5487, "Finger Heart", 1, 4, true)]),
            Step::Batch(vec![gift(8, 555, 7312, "Universe", 2, 1, false)]),
            // Let the Python client's heartbeat loop run at least once.
            Step::Sleep(Duration::from_millis(1_500)),
            Step::EndStream,
        ]],
        after: Vec::new(),
    }
}

fn fake_config() -> FakeConfig {
    FakeConfig {
        ping_interval: Some(Duration::from_secs(1)),
        ..FakeConfig::with_scenario(scenario())
    }
}

type GiftKey = (i64, i64, String, u32);

async fn ours() -> Vec<GiftKey> {
    let fake = FakeTikTok::start(fake_config()).await.unwrap();
    let (_mappings, mappings_rx) = watch::channel(MappingTable::default());
    let (tx, mut rx) = mpsc::channel(64);
    let _handle = spawn_session(
        LiveConfig {
            room_id: Some(fake.room_id()),
            ..fake.live_config()
        },
        mappings_rx,
        tx,
        Arc::new(|| {}),
    );
    let mut credited = Vec::new();
    let mut last_status = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        match msg {
            LiveMsg::Output(Output::Credit(d)) => {
                let g = d.gift;
                credited.push((g.user_id, g.gift_id, g.gift_name, g.count));
            }
            LiveMsg::Status(s) => last_status = Some(s),
            _ => {}
        }
    }
    assert_eq!(last_status, Some(ConnStatus::Ended));
    credited
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_python_client_sees_the_same_gifts_as_ours() {
    let Some(python) = python::venv_python() else {
        return;
    };
    let fake = FakeTikTok::start(fake_config()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("reference_client.py");
    std::fs::write(&script, SCRIPT).unwrap();
    let mut cmd = std::process::Command::new(python);
    cmd.arg(&script)
        .arg(fake.room_id())
        .env("SIGN_API_URL", fake.sign_url())
        .env("SIGN_API_KEY", "fake-key-123")
        .env("SIGN_SERVER_MESSAGE_DISABLED", "1")
        .stdout(std::fs::File::create(dir.path().join("out.txt")).unwrap())
        .stderr(std::fs::File::create(dir.path().join("err.txt")).unwrap());
    let logs = dir.path().to_owned();
    let output =
        tokio::task::spawn_blocking(move || run_with_timeout(cmd, &logs, Duration::from_secs(60)))
            .await
            .unwrap();
    let (success, stdout, stderr) = output;
    assert!(
        success,
        "python client failed:\n{stderr}\nstdout:\n{stdout}"
    );
    let mut theirs: Vec<GiftKey> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                v["user_id"].as_i64().unwrap(),
                v["gift_id"].as_i64().unwrap(),
                v["gift_name"].as_str().unwrap().to_owned(),
                u32::try_from(v["count"].as_u64().unwrap()).unwrap(),
            )
        })
        .collect();

    // The fake saw a real client: enter room, heartbeats, one ack per frame, echo-protocol, cookie.
    let recorded = fake.recorded();
    let sign = recorded.sign_requests();
    assert_eq!(sign.len(), 1);
    assert_eq!(sign[0].header("x-api-key"), Some("fake-key-123"));
    let conn = &recorded.connections[0];
    assert!(conn.accepted);
    assert_eq!(conn.subprotocol.as_deref(), Some("echo-protocol"));
    let cookie = conn.request.header("cookie").unwrap_or_default();
    assert!(cookie.contains("ttwid="), "python cookie: {cookie:?}");
    assert!(matches!(
        conn.frames.first(),
        Some(ClientFrame::EnterRoom { live_id: 12, .. })
    ));
    assert!(!conn.heartbeats().is_empty(), "python sent heartbeats");
    assert_eq!(
        conn.acks(),
        conn.sent_needing_ack,
        "python acked every frame like we do"
    );

    let mut ours = ours().await;
    theirs.sort();
    ours.sort();
    assert_eq!(theirs.len(), 5, "python saw: {theirs:#?}\nstderr: {stderr}");
    assert_eq!(ours, theirs);
}

/// Runs a command whose output goes to `out.txt`/`err.txt` in `logs`, killing it after `timeout`.
/// Returns (success, stdout, stderr).
fn run_with_timeout(
    mut cmd: std::process::Command,
    logs: &std::path::Path,
    timeout: Duration,
) -> (bool, String, String) {
    let mut child = cmd.spawn().expect("python starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = std::fs::read_to_string(logs.join("out.txt")).unwrap_or_default();
    let mut stderr = std::fs::read_to_string(logs.join("err.txt")).unwrap_or_default();
    if status.is_none() {
        stderr.push_str("\n(killed after the timeout)");
    }
    (status.is_some_and(|s| s.success()), stdout, stderr)
}
