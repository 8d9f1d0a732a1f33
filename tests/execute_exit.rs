//! Headless `--execute` as a process (the real binary): exit code 3 and a count when an action
//! failed or did not run, the list of what did not run, and Ctrl-C during `watch` finalizing open
//! streaks and draining (or, on a second Ctrl-C, listing) the queue. Real RCON servers on
//! loopback: PyPI `rconx` and our strict fake, which the tests stop to make the server go down.

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

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use giftdeck::testkit::fake::{DEMO_GIFTS, FakeConfig, FakeTikTok, Scenario, Step, gift};
use giftdeck::testkit::rcon::FakeRcon;
use rconx::Rconx;

/// Generous: the machine running tests may be busy building.
const WAIT: Duration = Duration::from_secs(60);
/// The exit code for "an action failed or did not run" (README, docs/actions.md).
const ACTIONS_NOT_ALL_RUN: i32 = 3;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn rose() -> &'static giftdeck::testkit::fake::DemoGift {
    &DEMO_GIFTS[0]
}

fn lion() -> &'static giftdeck::testkit::fake::DemoGift {
    DEMO_GIFTS.iter().find(|g| g.name == "Lion").unwrap()
}

fn write_mappings(dir: &Path, json: &str) -> PathBuf {
    let path = dir.join("mappings.json");
    std::fs::write(&path, json).unwrap();
    path
}

fn watch_command(fake: &FakeTikTok, mappings: &Path, rcon_port: u16, password: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_giftdeck"));
    cmd.arg("watch")
        .arg(format!("@{}", fake.unique_id()))
        // Room memory beside the test's mappings: never the user's data dir, never shared
        // between runs of the fake's fixed room and ids.
        .arg("--memory-dir")
        .arg(mappings.parent().unwrap_or(Path::new(".")).join("rooms"))
        .args(["--tiktok-url", &fake.tiktok_url()])
        .args(["--webcast-url", &fake.webcast_url()])
        .args(["--sign-url", &fake.sign_url()])
        .arg("--mappings")
        .arg(mappings)
        .args(["--execute", "--rcon", &format!("127.0.0.1:{rcon_port}")])
        .env("GIFTDECK_RCON_PASSWORD", password)
        .env_remove("GIFTDECK_SIGN_API_KEY")
        .env("RUST_LOG", "off");
    cmd
}

/// A running child whose stderr lines arrive on a channel (so the test can wait for one).
struct Child {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Child {
    fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        // Bounded, but far above what a test's child prints, so the reader never stalls the child.
        let (tx, lines) = mpsc::sync_channel(1 << 16);
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
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a stderr line containing `text`.
    fn wait_for_line(&mut self, text: &str) {
        if self.seen.iter().any(|l| l.contains(text)) {
            return;
        }
        loop {
            match self.lines.recv_timeout(WAIT) {
                Ok(line) => {
                    let found = line.contains(text);
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("no stderr line with {text:?}; saw {:#?}", self.seen),
            }
        }
    }

    fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit; returns the output with all of stderr.
    fn finish(mut self) -> (Output, String) {
        let output = self.child.wait_with_output().unwrap();
        self.seen.extend(self.lines.iter());
        (output, self.seen.join("\n"))
    }
}

/// `replay --execute` against rconx: 0 when every action ran, 3 (with the count) when one failed.
#[test]
fn replay_execute_exits_3_when_an_action_failed() {
    let Some(python) = python::venv_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = Rconx::start(&python, free_port(), "pw", dir.path());
    let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/streak.bin");
    let replay = |mappings: &Path| {
        Command::new(env!("CARGO_BIN_EXE_giftdeck"))
            .arg("replay")
            .arg(&capture)
            .arg("--mappings")
            .arg(mappings)
            .args(["--execute", "--rcon", &format!("127.0.0.1:{}", server.port)])
            .env("GIFTDECK_RCON_PASSWORD", "pw")
            .output()
            .unwrap()
    };
    let good = write_mappings(
        dir.path(),
        r#"{"mappings":[{"trigger":"Rose","actions":[{"type":"command","command":"say rose {count}"}]}]}"#,
    );
    let ok = replay(&good);
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert_eq!(ok.status.code(), Some(0), "{stderr}");
    let ran = server.commands().len();
    assert!(ran > 0, "{stderr}");
    assert!(stderr.contains(", 0 not run"), "{stderr}");

    // A command longer than RCON allows fails in its turn; the others still run.
    let too_long = "x".repeat(2_000);
    let bad = write_mappings(
        dir.path(),
        &format!(
            r#"{{"mappings":[{{"trigger":"Rose","actions":[{{"type":"command","command":"say rose {{count}}"}},{{"type":"command","command":"say {too_long}"}}]}}]}}"#
        ),
    );
    let failed = replay(&bad);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(ACTIONS_NOT_ALL_RUN), "{stderr}");
    assert_eq!(server.commands().len(), 2 * ran, "the good ones still ran");
    assert!(
        stderr.contains(&format!("{ran} action(s) failed or did not run")),
        "{stderr}"
    );
}

/// The server goes down after the start-up login: the queued actions cannot run, the queue stalls
/// (`--drain-timeout 1`), they are listed as not run, and the exit code is 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_execute_with_the_server_down_lists_what_did_not_run_and_exits_3() {
    let server = FakeRcon::start("pw").await.unwrap();
    let port = server.port();
    let fake = FakeTikTok::start(FakeConfig::with_scenario(Scenario {
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::WaitForRelease,
            Step::Batch(vec![gift(1, 100, "Leo", lion(), 1, true)]),
            Step::EndStream,
        ]],
        ..Scenario::default()
    }))
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mappings = write_mappings(
        dir.path(),
        r#"{"mappings":[{"trigger":"Lion","actions":[{"type":"command","command":"summon tnt","repeat":3}]}]}"#,
    );
    let mut cmd = watch_command(&fake, &mappings, port, "pw");
    cmd.args(["--drain-timeout", "1"]);
    let child = Child::spawn(cmd);
    // The binary logged in once at start, then joined the room: now the server goes down.
    let (_, joined) = fake
        .wait_for(WAIT, |r| {
            r.connections.first().is_some_and(|c| !c.frames.is_empty())
        })
        .await;
    assert!(joined);
    // The start-up check, and the executor's own connection (made before the first gift).
    assert!(server.logins().0 >= 1, "{:?}", server.logins());
    server.stop().await;
    fake.release();
    let (output, stderr) = tokio::task::spawn_blocking(move || child.finish())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(ACTIONS_NOT_ALL_RUN), "{stderr}");
    assert!(
        stderr.contains(&format!("not run: 3 × /summon tnt (for 127.0.0.1:{port})")),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 action(s) failed or did not run"),
        "{stderr}"
    );
}

/// Ctrl-C during `watch --execute`: the open streak is finalized and credited, and its actions
/// drain to the real server before the exit (0).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_ctrl_c_credits_open_streaks_and_drains_their_actions() {
    let Some(python) = python::venv_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = Rconx::start(&python, free_port(), "pw", dir.path());
    let fake = FakeTikTok::start(FakeConfig::with_scenario(Scenario {
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![gift(1, 100, "Ann", rose(), 7, false)]),
        ]],
        ..Scenario::default()
    }))
    .await
    .unwrap();
    let mappings = write_mappings(
        dir.path(),
        r#"{"mappings":[{"trigger":"Rose","actions":[{"type":"command","command":"say rose {count}"}]}]}"#,
    );
    let mut child = Child::spawn(watch_command(&fake, &mappings, server.port, "pw"));
    // The ack goes out before the batch is processed in the same step, so once it is seen the
    // open streak exists.
    let (_, acked) = fake
        .wait_for(WAIT, |r| {
            r.connections.first().is_some_and(|c| !c.acks().is_empty())
        })
        .await;
    assert!(acked);
    child.interrupt();
    let (output, stderr) = tokio::task::spawn_blocking(move || {
        child.wait_for_line("giftdeck watch: stopping");
        child.finish()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(r#""ended_by":"timeout""#), "{stdout}");
    assert_eq!(server.commands(), vec!["say rose 7"; 7]);
    assert!(stderr.contains("actions: 7 done, 0 failed"), "{stderr}");
}

/// A second Ctrl-C while the queue waits for a server that went down: the executor stops at once
/// with its handshake, lists the actions that did not run, and the exit code is 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_second_ctrl_c_lists_the_queued_actions_as_not_run() {
    let server = FakeRcon::start("pw").await.unwrap();
    let port = server.port();
    let fake = FakeTikTok::start(FakeConfig::with_scenario(Scenario {
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![gift(1, 100, "Ann", rose(), 4, false)]),
        ]],
        ..Scenario::default()
    }))
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mappings = write_mappings(
        dir.path(),
        r#"{"mappings":[{"trigger":"Rose","actions":[{"type":"command","command":"say rose {count}"}]}]}"#,
    );
    let mut child = Child::spawn(watch_command(&fake, &mappings, port, "pw"));
    let (_, acked) = fake
        .wait_for(WAIT, |r| {
            r.connections.first().is_some_and(|c| !c.acks().is_empty())
        })
        .await;
    assert!(acked);
    server.stop().await;
    child.interrupt();
    let (output, stderr) = tokio::task::spawn_blocking(move || {
        child.wait_for_line("waiting for queued actions");
        child.interrupt();
        child.finish()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(ACTIONS_NOT_ALL_RUN), "{stderr}");
    assert!(
        stderr.contains(&format!("not run: 4 × /say rose 4 (for 127.0.0.1:{port})")),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(r#""count":4"#),
        "the streak was credited: {stdout}"
    );
}
