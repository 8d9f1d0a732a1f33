//! Keys and speak actions as a streamer runs them: `giftdeck replay CAPTURE --execute` (the
//! binary, no `--rcon`) with a keys mapping under Xvfb, recorded by a real X client window —
//! exactly the mapped events, in order, hold times within tolerance, nothing for an unmapped gift
//! and commands reported as not run; and with speak actions and chat read aloud, into Debian's
//! speech-dispatcher with espeak-ng, PulseAudio's null sink recorded with parec, the word filter
//! checked on the text handed to the service. Also `--tikfinity-port`: a WebSocket client gets the
//! replayed capture in TikFinity's shape; and `watch --execute --tikfinity-port` against the fake
//! TikTok: keys into the X window, events to a TikFinity client.
#![cfg(target_os = "linux")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/real.rs"]
mod real;
#[path = "support/speech.rs"]
#[expect(
    dead_code,
    reason = "the shared speech rig has helpers this file does not need"
)]
mod speech;
#[path = "support/xrecorder.rs"]
mod xrecorder;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use giftdeck::actions::keys::{KeysAction, KeysRunner, x11_backend};
use giftdeck::actions::{ExecutorConfig, spawn_executor};
use giftdeck::capture::encode_records;
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::fake::{self as tiktok, DEMO_GIFTS, FakeConfig, FakeTikTok, Scenario, Step};
use giftdeck::testkit::frames::{
    BatchSpec, Compression, EventSpec, EventSpecKind, GiftSpec, MessageSpec, encode_msg_frame,
};
use speech::SpeechRig;
use xrecorder::{Recorder, Seen, XServer};

const XK_CONTROL_L: u32 = 0xffe3;
const XK_SHIFT_L: u32 = 0xffe1;
const XK_F5: u32 = 0xffc2;

/// A gift as TikTok sends its last message: `count` at once, streak ended.
fn gift(msg_id: i64, user: (&str, &str), name: &str, gift_id: i64, count: i32) -> MessageSpec {
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id: 100 + msg_id,
        unique_id: user.0.into(),
        nickname: user.1.into(),
        gift_id,
        gift_name: name.into(),
        repeat_count: count,
        repeat_end: true,
        group_id: 9000 + msg_id,
        create_time_millis: 1_700_000_000_000 + msg_id * 1_000,
        ..GiftSpec::default()
    })
}

fn chat(msg_id: i64, handle: &str, text: &str) -> MessageSpec {
    let mut spec = EventSpec::new(
        msg_id,
        200 + msg_id,
        handle,
        EventSpecKind::Chat { text: text.into() },
    );
    spec.nickname = "Bob".into();
    spec.create_time_millis = 1_700_000_000_000 + msg_id * 1_000;
    MessageSpec::Event(spec)
}

fn write_capture(dir: &Path, messages: Vec<MessageSpec>) -> PathBuf {
    let batch = BatchSpec {
        messages,
        ..BatchSpec::default()
    };
    let frame = encode_msg_frame(1, 1, &batch, Compression::GzipWithHeader);
    let path = dir.join("stream.capture");
    std::fs::write(&path, encode_records([frame.as_slice()])).unwrap();
    path
}

fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `giftdeck replay CAPTURE --mappings FILE --execute` with nothing of the user's (no settings
/// file, no keyring) and no `--rcon`.
fn replay(capture: &Path, mappings: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_giftdeck"));
    cmd.arg("replay")
        .arg(capture)
        .arg("--mappings")
        .arg(mappings)
        .arg("--execute")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("GIFTDECK_RCON_PASSWORD")
        .env("RUST_LOG", "off")
        .stdin(Stdio::null());
    cmd
}

fn run(mut cmd: Command) -> (Output, String) {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stderr)
}

const KEYS_MAPPINGS: &str = r#"{"mappings":[
  {"trigger":"Rose","actions":[{"type":"keys","steps":[{"press":"ctrl+shift+k"},
    {"hold":"w","millis":400},{"click":"left"},{"type_text":"{count}"}],"window":"Minecraft"}]},
  {"trigger":"GG","actions":[{"type":"keys","steps":[{"press":"f5"}]},
    {"type":"command","command":"say gg from {nickname}"}]}
]}"#;

#[test]
fn replay_execute_sends_exactly_the_mapped_keys_to_the_focused_game() {
    let Some(x) = XServer::start() else { return };
    let recorder = Recorder::open(&x.display, "Minecraft 1.21.4 - Singleplayer");
    let dir = tempfile::tempdir().unwrap();
    let capture = write_capture(
        dir.path(),
        vec![
            gift(1, ("alice", "Alice"), "Rose", 5655, 1),
            // Not in the table: nothing may reach the game for it.
            gift(2, ("bob", "Bob"), "Lion", 6369, 1),
            gift(3, ("cat", "Cat"), "GG", 6064, 1),
            gift(4, ("dan", "Dan"), "Rose", 5655, 2),
        ],
    );
    let mappings = write_file(dir.path(), "mappings.json", KEYS_MAPPINGS);
    let mut cmd = replay(&capture, &mappings, dir.path());
    cmd.env("DISPLAY", &x.display);
    let (output, stderr) = run(cmd);

    // The command needs a Minecraft server that was not given: not run, so exit code 3.
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("not run: /say gg from Cat (needs --rcon HOST:PORT)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("actions: 4 done, 0 failed, 0 dropped, 0 skipped (stale), 1 not run"),
        "{stderr}"
    );

    let k = |down, keysym| ('k', down, keysym);
    let rose = |count: u8| {
        vec![
            k(true, XK_CONTROL_L),
            k(true, XK_SHIFT_L),
            k(true, u32::from(b'k')),
            k(false, u32::from(b'k')),
            k(false, XK_SHIFT_L),
            k(false, XK_CONTROL_L),
            k(true, u32::from(b'w')),
            k(false, u32::from(b'w')),
            ('b', true, 1),
            ('b', false, 1),
            k(true, u32::from(count)),
            k(false, u32::from(count)),
        ]
    };
    let mut expected = rose(b'1');
    expected.extend([k(true, XK_F5), k(false, XK_F5)]);
    // Two roses at once: the action list runs twice.
    expected.extend(rose(b'2'));
    expected.extend(rose(b'2'));
    let seen = recorder.wait_for(expected.len(), Duration::from_secs(10));
    let got: Vec<_> = seen.iter().map(Seen::untimed).collect();
    assert_eq!(got, expected);
    // Every hold of w, by the X server's clock (the event timestamps, not when this test read
    // them): never shorter than mapped, which the game would see as less; longer only by what a
    // machine busy with other tests adds.
    for start in [6, 20, 32] {
        let held = seen[start + 1].time().wrapping_sub(seen[start].time());
        assert!(held >= 400, "w was held only {held} ms of 400");
        assert!(held <= 1_400, "w was held {held} ms for 400");
    }
    // The keys pace (150 ms) separates two keys actions even with the queue's gap at 50 ms.
    let between = seen[12].time().wrapping_sub(seen[11].time());
    assert!(between >= 150, "F5 came {between} ms after the first rose");
    // The process is gone: nothing else can arrive.
    assert_eq!(recorder.seen().len(), expected.len());
}

#[test]
fn replay_execute_without_a_display_says_why_keys_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let capture = write_capture(
        dir.path(),
        vec![gift(1, ("alice", "Alice"), "Rose", 5655, 1)],
    );
    let mappings = write_file(dir.path(), "mappings.json", KEYS_MAPPINGS);
    let mut cmd = replay(&capture, &mappings, dir.path());
    cmd.env_remove("DISPLAY")
        .env("WAYLAND_DISPLAY", "wayland-0");
    let (output, stderr) = run(cmd);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("FAIL ⌨ ctrl+shift+k"), "{stderr}");
    assert!(
        stderr.contains("Wayland session without an X display"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_execute_speaks_gifts_and_chat_with_the_word_filter() {
    let Some(rig) = SpeechRig::start() else {
        return;
    };
    let (proxy, sent) = rig.proxy().await;
    let recording = rig.record("replay.wav");
    let dir = tempfile::tempdir().unwrap();
    let capture = write_capture(
        dir.path(),
        vec![
            gift(1, ("alice", "Alice"), "Rose", 5655, 3),
            chat(2, "bob", "!tts what a darn good stream"),
            chat(3, "eve", "not a command, never read"),
            gift(4, ("dan", "Dan"), "Lion", 6369, 1),
        ],
    );
    let settings = write_file(
        dir.path(),
        "settings.json",
        r#"{"mappings":[{"trigger":"Rose","actions":[
             {"type":"speak","text":"{nickname} sent {count} {gift}, darn","rate":1.2}]}],
           "read_chat":{"enabled":true,"word_filter":["Darn"]}}"#,
    );
    let mut cmd = replay(&capture, &settings, dir.path());
    cmd.env(
        "SPEECHD_ADDRESS",
        format!("unix_socket:{}", proxy.display()),
    );
    let (output, stderr) = tokio::task::spawn_blocking(move || run(cmd)).await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("ok   🔊 “Alice sent 3 Rose,” → said"),
        "{stderr}"
    );
    assert!(stderr.contains("actions: 1 done, 0 failed"), "{stderr}");
    let audio = recording.stop();
    // Two short sentences at espeak-ng's rate: a few seconds of speech, not silence.
    assert!(
        (1.0..12.0).contains(&audio.voiced_seconds),
        "implausible speech length: {audio:?}"
    );
    assert!(audio.peak > 0.05, "silence was recorded: {audio:?}");
    let sent = String::from_utf8_lossy(&sent.lock().unwrap()).into_owned();
    for said in ["Alice sent 3 Rose,", "Bob says what a good stream"] {
        assert!(
            sent.contains(&format!("SPEAK\r\n{said}\r\n.\r\n")),
            "{sent}"
        );
    }
    assert!(
        !sent.to_lowercase().contains("darn"),
        "the filtered word was spoken: {sent}"
    );
    assert!(!sent.contains("never read"), "{sent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_feeds_a_tikfinity_client() {
    use futures_util::StreamExt as _;
    let dir = tempfile::tempdir().unwrap();
    let capture = write_capture(
        dir.path(),
        vec![
            gift(1, ("alice", "Alice"), "Rose", 5655, 3),
            chat(2, "bob", "hello"),
        ],
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(&capture)
        .args(["--tikfinity-port", &port.to_string()])
        .env("RUST_LOG", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The replay waits for a client once it says where it listens.
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::sync_channel(1 << 12);
    std::thread::Builder::new()
        .name("replay-stderr".into())
        .spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = lines_tx.send(line);
            }
        })
        .unwrap();
    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|l: &String| l.contains("waiting for a TikFinity client"))
    {
        seen.push(
            lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no waiting line: {seen:#?}")),
        );
    }
    assert!(
        seen.iter()
            .any(|l| l.contains(&format!("ws://127.0.0.1:{port}/"))),
        "{seen:#?}"
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(20), ws.next()).await
    {
        if message.is_close() {
            break;
        }
        let value: serde_json::Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        events.push(value);
    }
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(
        names,
        ["config", "gift", "giftdeckCredit", "chat"],
        "{events:#?}"
    );
    let gift = &events[1]["data"];
    assert_eq!(gift["giftId"], 5655);
    assert_eq!(gift["repeatCount"], 3);
    assert_eq!(gift["repeatEnd"], true);
    assert_eq!(gift["uniqueId"], "alice");
    assert!(gift["userId"].is_string(), "{gift}");
    assert_eq!(events[3]["data"]["comment"], "hello");
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
}

/// The panic button's part through the executor, on a real X server: a long hold is let go at
/// once, and the keys action waiting behind it never reaches the game.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_all_lets_go_of_a_held_key_in_the_game_at_once() {
    let Some(x) = XServer::start() else { return };
    let recorder = Recorder::open(&x.display, "Minecraft");
    let (_mappings, rx) = tokio::sync::watch::channel(MappingTable::default());
    let exec = spawn_executor(
        ExecutorConfig::default(),
        rx,
        None,
        std::sync::Arc::new(|| {}),
    );
    let display = x.display.clone();
    exec.set_keys(KeysRunner::spawn(Box::new(move || x11_backend(Some(&display)))).unwrap());
    let keys = |json: &str| Action::Keys(serde_json::from_str::<KeysAction>(json).unwrap());
    let mapping = Mapping::new(
        "Rose",
        vec![
            keys(r#"{"steps":[{"hold":"shift+w","millis":9000}]}"#),
            keys(r#"{"steps":[{"press":"e"}]}"#),
        ],
    );
    let decision = Decision {
        gift: CreditedGift {
            user_id: 2,
            trigger: Some("Rose".into()),
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: Some(mapping.clone()),
    };
    assert_eq!(exec.enqueue(&decision), 2);
    let down = tokio::task::spawn_blocking(move || {
        let down = recorder.wait_for(2, Duration::from_secs(10));
        (recorder, down)
    });
    let (recorder, down) = down.await.unwrap();
    assert_eq!(down.len(), 2, "the hold never started: {down:?}");
    let pressed = std::time::Instant::now();
    let released = exec.release_all();
    assert!(released.keys && released.dropped == 1, "{released:?}");
    let seen = tokio::task::spawn_blocking(move || {
        let seen = recorder.wait_for(4, Duration::from_secs(5));
        // Nothing after the release: the waiting press of e was dropped.
        std::thread::sleep(Duration::from_millis(300));
        (seen, recorder.seen())
    });
    let (seen, all) = seen.await.unwrap();
    assert!(
        pressed.elapsed() < Duration::from_secs(3),
        "{:?}",
        pressed.elapsed()
    );
    let got: Vec<_> = seen.iter().map(Seen::untimed).collect();
    assert_eq!(
        got,
        [
            ('k', true, XK_SHIFT_L),
            ('k', true, u32::from(b'w')),
            ('k', false, u32::from(b'w')),
            ('k', false, XK_SHIFT_L),
        ]
    );
    let held = seen[2].time().wrapping_sub(seen[1].time());
    assert!(held < 3_000, "let go after {held} ms of a 9 s hold");
    assert_eq!(all.len(), 4, "{all:?}");
    tokio::time::timeout(Duration::from_secs(10), exec.drained())
        .await
        .unwrap();
    assert_eq!(exec.status().cleared, 1);
}

/// Reads a child's stderr lines on a thread; `wait_for` waits for one containing a text.
struct Lines {
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn of(child: &mut std::process::Child) -> Self {
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::sync_channel(1 << 12);
        std::thread::Builder::new()
            .name("child-stderr".into())
            .spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        return;
                    }
                }
            })
            .unwrap();
        Self {
            lines,
            seen: Vec::new(),
        }
    }

    fn wait_for(&mut self, text: &str) -> String {
        loop {
            if let Some(line) = self.seen.iter().find(|l| l.contains(text)) {
                return line.clone();
            }
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no line with {text:?}: {:#?}", self.seen));
            self.seen.push(line);
        }
    }

    fn rest(mut self) -> String {
        self.seen.extend(self.lines.iter());
        self.seen.join("\n")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_execute_presses_keys_without_rcon_and_serves_tikfinity() {
    use futures_util::StreamExt as _;
    let Some(x) = XServer::start() else { return };
    let recorder = Recorder::open(&x.display, "Minecraft");
    let rose = &DEMO_GIFTS[0];
    let fake = FakeTikTok::start(FakeConfig::with_scenario(Scenario {
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::WaitForRelease,
            Step::Batch(vec![tiktok::gift(1, 100, "Ann", rose, 1, true)]),
            Step::EndStream,
        ]],
        ..Scenario::default()
    }))
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mappings = write_file(
        dir.path(),
        "mappings.json",
        &format!(
            r#"{{"mappings":[{{"trigger":"{}","actions":[{{"type":"keys","steps":[{{"press":"j"}}],"window":"minecraft"}}]}}]}}"#,
            rose.name
        ),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("watch")
        .arg(format!("@{}", fake.unique_id()))
        .arg("--memory-dir")
        .arg(dir.path().join("rooms"))
        .args(["--tiktok-url", &fake.tiktok_url()])
        .args(["--webcast-url", &fake.webcast_url()])
        .args(["--sign-url", &fake.sign_url()])
        .arg("--mappings")
        .arg(&mappings)
        .args(["--overlay-port", "0", "--tikfinity-port", &port.to_string()])
        .arg("--execute")
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("GIFTDECK_SIGN_API_KEY")
        .env_remove("GIFTDECK_RCON_PASSWORD")
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("RUST_LOG", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Lines::of(&mut child);
    let listening = tokio::task::block_in_place(|| lines.wait_for("TikFinity events API on"));
    assert!(
        listening.contains(&format!("ws://127.0.0.1:{port}/")),
        "{listening}"
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let (_, joined) = fake
        .wait_for(Duration::from_secs(60), |r| {
            r.connections.first().is_some_and(|c| !c.frames.is_empty())
        })
        .await;
    assert!(joined, "the binary never joined the room");
    fake.release();
    let mut names = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(30), ws.next()).await
    {
        if message.is_close() {
            break;
        }
        let value: serde_json::Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        names.push(value["event"].as_str().unwrap_or_default().to_owned());
    }
    assert!(
        names.starts_with(&["config".to_owned()]) && names.contains(&"gift".to_owned()),
        "{names:?}"
    );
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    let stderr = lines.rest();
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("actions: 1 done, 0 failed"), "{stderr}");
    let seen = recorder.wait_for(2, Duration::from_secs(10));
    let got: Vec<_> = seen.iter().map(Seen::untimed).collect();
    assert_eq!(
        got,
        [('k', true, u32::from(b'j')), ('k', false, u32::from(b'j'))]
    );
}
