//! The executor end to end: real RCON servers on loopback (the strict in-repo one and PyPI `rconx`),
//! and the headless `--execute` glue (webhooks: tests/webhooks.rs, sounds: tests/sound.rs).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/executor_run.rs"]
mod executor_run;
#[path = "support/python.rs"]
mod python;
#[path = "support/rconx.rs"]
mod rconx;
#[path = "support/real.rs"]
mod real;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use executor_run::*;
use giftdeck::actions::{ExecutorConfig, RconError, RconState};
use giftdeck::cli::headless::{BlockingHeadless, HeadlessError};
use giftdeck::engine::Decision;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::rcon::FakeRcon;
use rconx::Rconx;

/// Tiktok2Mc shortened the gap once more than 20, 50 and 100 actions waited; ours never shrinks.
#[tokio::test]
async fn the_gap_holds_under_a_backlog_past_tiktok2mcs_thresholds() {
    let server = FakeRcon::start("pw").await.unwrap();
    let mapping = Mapping::new("Rose", vec![cmd("say {count}", 1)]);
    let gap_millis = 4;
    let exec = start(
        ExecutorConfig {
            gap_millis,
            rcon: rcon(server.port(), "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![mapping.clone()]),
    );
    exec.handle.pause();
    assert_eq!(exec.handle.enqueue(&decision(&mapping, 150, "x")), 150);
    exec.handle.resume();
    drained(&exec.handle).await;
    let received = server.received();
    assert_eq!(received.len(), 150);
    let shortest = received
        .windows(2)
        .map(|pair| pair[1].at.duration_since(pair[0].at))
        .min()
        .unwrap();
    assert!(
        shortest >= Duration::from_millis(gap_millis),
        "shortest gap {shortest:?} < {gap_millis} ms"
    );
}

#[tokio::test]
async fn commands_run_in_order_with_repeats_and_a_gap_that_holds() {
    let server = FakeRcon::start("pw").await.unwrap();
    let mut rose = Mapping::new(
        "Rose",
        vec![
            cmd("say rose {count} {nickname}", 2),
            cmd("give {user} diamond", 1),
        ],
    );
    rose.repeat = 2;
    let lion = Mapping::new("Lion", vec![cmd("summon lion", 1)]);
    let gap_millis = 25;
    let mut exec = start(
        ExecutorConfig {
            gap_millis,
            rcon: rcon(server.port(), "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![rose.clone(), lion.clone()]),
    );
    assert_eq!(exec.handle.enqueue(&decision(&rose, 2, "Bob")), 12);
    assert_eq!(exec.handle.enqueue(&decision(&lion, 1, "Ann")), 1);
    drained(&exec.handle).await;
    let run = ["say rose 2 Bob", "say rose 2 Bob", "give viewer_1 diamond"];
    let mut want: Vec<String> = std::iter::repeat_n(run, 4)
        .flatten()
        .map(String::from)
        .collect();
    want.push("summon lion".into());
    assert_eq!(server.commands(), want);
    let received = server.received();
    for pair in received.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(
            gap >= Duration::from_millis(gap_millis),
            "gap {gap:?} < {gap_millis} ms"
        );
    }
    assert!(server.violations().is_empty(), "{:?}", server.violations());
    assert_eq!(server.connections(), 1);
    let status = exec.handle.status();
    assert_eq!(
        (status.done, status.failed, status.dropped, status.depth),
        (13, 0, 0, 0)
    );
    assert_eq!(status.rcon, RconState::Connected);
    assert_eq!(status.running, None);
    let logs = exec.logs();
    assert_eq!(logs.len(), 13);
    assert_eq!(
        logs[0],
        ("/say rose 2 Bob".into(), Ok("ran say rose 2 Bob".into()))
    );
}

#[tokio::test]
async fn hostile_nicknames_reach_the_server_neutralized() {
    let server = FakeRcon::start("pw").await.unwrap();
    let mapping = Mapping::new(
        "Rose",
        vec![
            cmd("say {nickname}", 1),
            cmd("tag @a add {nickname}", 1),
            cmd(r#"tellraw @a {"text":"{nickname}"}"#, 1),
            cmd("give {nickname} diamond", 1),
        ],
    );
    let exec = start(
        ExecutorConfig {
            gap_millis: 0,
            rcon: rcon(server.port(), "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![mapping.clone()]),
    );
    let nick = "a\"}]; op @a[x]\n/stop\0\u{202E}§k\\";
    exec.handle.enqueue(&decision(&mapping, 1, nick));
    drained(&exec.handle).await;
    // A message keeps the text but no selector; a word keeps only word characters; a player
    // position refuses what is not a player name (the action fails, nothing is sent).
    assert_eq!(
        server.commands(),
        [
            "say a\"}]; op ＠a[x] /stopk\\".to_owned(),
            "tag @a add a_op_ax_stopk".to_owned(),
            r#"tellraw @a {"text":"a\"}]; op @a[x] /stopk\\"}"#.to_owned(),
        ]
    );
    assert_eq!(exec.handle.status().failed, 1);
}

#[tokio::test]
async fn a_failing_action_is_reported_and_the_queue_moves_on() {
    let server = FakeRcon::start_on(
        "127.0.0.1:0".parse().unwrap(),
        "pw",
        Arc::new(|c: &str| {
            if c.starts_with("bogus") {
                "Unknown or incomplete command, see below for error".to_owned()
            } else {
                format!("ran {c}")
            }
        }),
    )
    .await
    .unwrap();
    let mapping = Mapping::new(
        "Rose",
        vec![
            cmd("bogus command", 1),
            cmd(&format!("say {} {{nickname}}", "a".repeat(1400)), 1),
            Action::Sound {
                path: "/nonexistent/ding.wav".into(),
                volume: 1.0,
            },
            cmd("say after", 1),
        ],
    );
    let mut exec = start(
        ExecutorConfig {
            gap_millis: 0,
            rcon: rcon(server.port(), "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![mapping.clone()]),
    );
    exec.handle.enqueue(&decision(&mapping, 1, &"é".repeat(40)));
    drained(&exec.handle).await;
    assert_eq!(server.commands(), ["bogus command", "say after"]);
    let status = exec.handle.status();
    assert_eq!((status.done, status.failed), (2, 2));
    let logs = exec.logs();
    // The server's own complaint is shown as its reply.
    assert_eq!(
        logs[0].1,
        Ok("Unknown or incomplete command, see below for error".into())
    );
    let too_long = logs[1].1.as_ref().unwrap_err();
    assert!(too_long.contains("at most 1446"), "{too_long}");
    let no_file = logs[2].1.as_ref().unwrap_err();
    assert!(no_file.contains("/nonexistent/ding.wav"), "{no_file}");
    assert!(status.last_error.unwrap().to_string().contains("ding.wav"));
}

/// On tokio's paused clock: the minute below passes only once every task (the executor, the
/// fake server) has nothing left to do, so "nothing ran" means it had every chance to.
#[tokio::test(start_paused = true)]
async fn pause_resume_clear_and_a_full_queue() {
    let server = FakeRcon::start("pw").await.unwrap();
    let mapping = Mapping::new("Rose", vec![cmd("say {count}", 1)]);
    let exec = start(
        ExecutorConfig {
            gap_millis: 0,
            capacity: 5,
            rcon: rcon(server.port(), "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![mapping.clone()]),
    );
    exec.handle.pause();
    assert_eq!(exec.handle.enqueue(&decision(&mapping, 3, "x")), 3);
    assert_eq!(exec.handle.enqueue(&decision(&mapping, 4, "x")), 2);
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(server.logins(), (1, 0), "connected while paused");
    let status = exec.handle.status();
    assert!(status.paused);
    assert_eq!((status.depth, status.dropped, status.done), (5, 2, 0));
    assert!(server.commands().is_empty(), "nothing runs while paused");
    assert_eq!(exec.handle.clear(), 5);
    assert_eq!(exec.handle.status().depth, 0);
    exec.handle.enqueue(&decision(&mapping, 2, "x"));
    exec.handle.resume();
    drained(&exec.handle).await;
    assert_eq!(server.commands(), ["say 2", "say 2"]);
    assert!(!exec.handle.status().paused);
}

#[tokio::test]
async fn stale_actions_are_skipped_and_counted() {
    let server = FakeRcon::start("pw").await.unwrap();
    let mapping = Mapping::new("Rose", vec![cmd("say {count}", 1)]);
    let max_age_millis = 200;
    let exec = start(
        ExecutorConfig {
            gap_millis: 0,
            max_age_millis: Some(max_age_millis),
            rcon: rcon(server.port(), "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![mapping.clone()]),
    );
    status_until(&exec.handle, |s| s.rcon == RconState::Connected).await;
    exec.handle.pause();
    exec.handle.enqueue(&decision(&mapping, 10, "x"));
    // Ten actions wait past their max age (this shapes the input; the assertions follow the
    // drain), then two fresh ones join them.
    tokio::time::sleep(Duration::from_millis(2 * max_age_millis)).await;
    exec.handle.enqueue(&decision(&mapping, 2, "x"));
    exec.handle.resume();
    drained(&exec.handle).await;
    let status = exec.handle.status();
    assert_eq!(
        server.commands(),
        ["say 2", "say 2"],
        "only the fresh ones ran"
    );
    assert_eq!((status.done, status.too_old), (2, 10));
}

#[tokio::test]
async fn while_rcon_is_down_commands_wait_then_run_in_order() {
    let port = free_port();
    let mapping = Mapping::new("Rose", vec![cmd("say {count}", 1)]);
    let exec = start(
        ExecutorConfig {
            gap_millis: 0,
            rcon: rcon(port, "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![mapping.clone()]),
    );
    exec.handle.enqueue(&decision(&mapping, 1, "x"));
    exec.handle.enqueue(&decision(&mapping, 2, "x"));
    let status = status_until(
        &exec.handle,
        |s| matches!(&s.rcon, RconState::Down(r) if r.to_string().contains("retrying")),
    )
    .await;
    assert_eq!((status.depth, status.done, status.failed), (3, 0, 0));
    assert!(status.running.unwrap().starts_with("waiting for RCON"));
    let server = FakeRcon::start_on(
        format!("127.0.0.1:{port}").parse().unwrap(),
        "pw",
        Arc::new(|c: &str| format!("ran {c}")),
    )
    .await
    .unwrap();
    drained(&exec.handle).await;
    assert_eq!(server.commands(), ["say 1", "say 2", "say 2"]);
    assert_eq!(exec.handle.status().rcon, RconState::Connected);
}

/// On worker threads, as in the app: the old server's sessions may end on another thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restart_between_commands_costs_no_command() {
    let first = FakeRcon::start("pw").await.unwrap();
    let addr = first.addr;
    let mapping = Mapping::new("Rose", vec![cmd("say {count}", 1)]);
    let exec = start(
        ExecutorConfig {
            gap_millis: 0,
            rcon: rcon(addr.port(), "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![mapping.clone()]),
    );
    exec.handle.enqueue(&decision(&mapping, 1, "x"));
    drained(&exec.handle).await;
    assert_eq!(first.commands(), ["say 1"]);
    // `stop` returns once the old connection is closed: the executor must notice before sending.
    first.stop().await;
    let second = FakeRcon::start_on(addr, "pw", Arc::new(|c: &str| format!("ran {c}")))
        .await
        .unwrap();
    exec.handle.enqueue(&decision(&mapping, 2, "x"));
    drained(&exec.handle).await;
    assert_eq!(second.commands(), ["say 2", "say 2"]);
    assert_eq!(exec.handle.status().failed, 0);
}

#[tokio::test]
async fn a_wrong_password_is_shown_and_new_settings_fix_it() {
    let server = FakeRcon::start("pw").await.unwrap();
    let mapping = Mapping::new("Rose", vec![cmd("say hi", 1)]);
    let mut config = ExecutorConfig {
        gap_millis: 0,
        rcon: rcon(server.port(), "typo"),
        ..ExecutorConfig::default()
    };
    let exec = start(config.clone(), MappingTable::new(vec![mapping.clone()]));
    exec.handle.enqueue(&decision(&mapping, 1, "x"));
    let status = status_until(
        &exec.handle,
        |s| matches!(&s.rcon, RconState::Down(r) if r.to_string().contains("refused the password")),
    )
    .await;
    assert_eq!(status.depth, 1);
    config.rcon = rcon(server.port(), "pw");
    exec.handle.set_config(config);
    drained(&exec.handle).await;
    assert_eq!(server.commands(), ["say hi"]);
}

#[tokio::test]
async fn without_rcon_settings_commands_fail_clearly() {
    let mapping = Mapping::new("Rose", vec![cmd("say hi", 2)]);
    let mut exec = start(
        ExecutorConfig {
            gap_millis: 0,
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![mapping.clone()]),
    );
    assert_eq!(exec.handle.status().rcon, RconState::NotConfigured);
    exec.handle.enqueue(&decision(&mapping, 1, "x"));
    drained(&exec.handle).await;
    assert_eq!(exec.handle.status().failed, 2);
    let logs = exec.logs();
    assert!(
        logs[0]
            .1
            .as_ref()
            .unwrap_err()
            .contains("RCON is not configured")
    );
}

// ---------------------------------------------------------------------------------------------
// rconx: a real RCON server we did not write.

#[tokio::test]
async fn rconx_receives_exact_commands_repeats_and_order_even_after_being_down() {
    let Some(python) = python::venv_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut creeper = Mapping::new(
        "Creeper",
        vec![
            cmd("summon creeper ~ ~ ~", 3),
            cmd(
                r#"tellraw @a {"text":"{nickname} sent {count}x {gift}"}"#,
                1,
            ),
        ],
    );
    creeper.repeat = 1;
    let rose = Mapping::new("Rose", vec![cmd("give {user} rose", 1)]);
    let exec = start(
        ExecutorConfig {
            gap_millis: 10,
            rcon: rcon(port, "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![creeper.clone(), rose.clone()]),
    );
    // The server is down: the actions wait.
    exec.handle.enqueue(&decision(&creeper, 2, "Zoë \"Z\""));
    exec.handle.enqueue(&decision(&rose, 1, "x"));
    let status = status_until(
        &exec.handle,
        |s| matches!(&s.rcon, RconState::Down(r) if !r.retry_in.is_zero()),
    )
    .await;
    assert_eq!((status.done, status.failed, status.depth), (0, 0, 9));
    // It comes up: everything runs, in order.
    let server = Rconx::start(&python, port, "pw", dir.path());
    drained(&exec.handle).await;
    let tell = r#"tellraw @a {"text":"Zoë \"Z\" sent 2x Creeper"}"#;
    let summon = "summon creeper ~ ~ ~";
    assert_eq!(
        server.commands(),
        [
            summon,
            summon,
            summon,
            tell,
            summon,
            summon,
            summon,
            tell,
            "give viewer_1 rose"
        ]
    );
    let status = exec.handle.status();
    assert_eq!((status.done, status.failed), (9, 0));
}

// ---------------------------------------------------------------------------------------------
// Headless `--execute`.

#[test]
fn headless_runs_submitted_gifts_and_sums_up() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(FakeRcon::start("pw")).unwrap();
    let mapping = Mapping::new("Rose", vec![cmd("say {nickname} {count}", 1)]);
    let table = MappingTable::new(vec![mapping.clone()]);
    let args = giftdeck::cli::ExecuteArgs {
        execute: true,
        rcon: Some(format!("127.0.0.1:{}", server.port())),
        rcon_password: Some("pw".into()),
        ..Default::default()
    };
    let mut headless = BlockingHeadless::start(&args, table.clone())
        .unwrap()
        .unwrap();
    assert_eq!(headless.submit(&decision(&mapping, 2, "Ann")), 2);
    assert_eq!(headless.submit(&decision(&mapping, 1, "Bob")), 1);
    let no_mapping = Decision {
        gift: gift("Tulip", 1, "x"),
        mapping: None,
    };
    assert_eq!(headless.submit(&no_mapping), 0);
    let summary = headless.finish();
    assert_eq!((summary.done, summary.failed, summary.dropped), (3, 0, 0));
    assert!(summary.all_ok());
    assert_eq!(server.commands(), ["say Ann 2", "say Ann 2", "say Bob 1"]);

    // A wrong password fails at start, before anything is queued.
    let args = giftdeck::cli::ExecuteArgs {
        rcon_password: Some("typo".into()),
        ..args
    };
    let err = BlockingHeadless::start(&args, table.clone()).unwrap_err();
    assert!(
        matches!(err, HeadlessError::Rcon(RconError::WrongPassword { .. })),
        "{err:?}"
    );
    // Without --execute nothing starts.
    let args = giftdeck::cli::ExecuteArgs {
        execute: false,
        ..args
    };
    assert!(BlockingHeadless::start(&args, table).unwrap().is_none());
    drop(runtime);
}

/// `giftdeck replay … --execute` end to end: the binary, a fixture capture with hostile nicknames,
/// our mappings file, and the strict server.
#[test]
fn replay_execute_sends_the_captured_gifts_commands() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let capture = data.join("hostile_nicknames.bin");
    let plain = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(&capture)
        .output()
        .unwrap();
    assert!(plain.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(plain.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 3);
    let mut ids: Vec<i64> = lines
        .iter()
        .map(|l| l["gift_id"].as_i64().unwrap())
        .collect();
    ids.dedup();
    let templates = [
        "say {nickname}",
        r#"tellraw @a {"text":"{nickname} x{count}"}"#,
    ];
    let mappings: Vec<Mapping> = ids
        .iter()
        .map(|id| {
            Mapping::new(
                id.to_string(),
                templates.iter().map(|t| cmd(t, 1)).collect(),
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mappings_path = dir.path().join("mappings.json");
    std::fs::write(
        &mappings_path,
        serde_json::json!({ "version": 1, "mappings": mappings }).to_string(),
    )
    .unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(FakeRcon::start("pw")).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(&capture)
        .arg("--mappings")
        .arg(&mappings_path)
        .args([
            "--execute",
            "--rcon",
            &format!("127.0.0.1:{}", server.port()),
        ])
        .env("GIFTDECK_RCON_PASSWORD", "pw")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let mut want = Vec::new();
    for line in &lines {
        let values = giftdeck::actions::Values {
            user: line["unique_id"].as_str().unwrap().into(),
            nickname: line["nickname"].as_str().unwrap().into(),
            gift: line["gift_name"].as_str().unwrap().into(),
            count: line["count"].as_u64().unwrap() as u32,
            diamonds: line["diamonds"].as_u64().unwrap() as u32,
            total_diamonds: 0,
            ..Default::default()
        };
        for _ in 0..values.count {
            for t in templates {
                want.push(giftdeck::actions::render(t, &values).unwrap());
            }
        }
    }
    let got = server.commands();
    assert_eq!(got, want);
    for command in &got {
        assert!(!command.chars().any(char::is_control), "{command:?}");
        let first_word = command.split(' ').next().unwrap();
        assert!(["say", "tellraw"].contains(&first_word));
        // A message never carries the viewer's selector (JSON text shows it as text).
        assert!(first_word != "say" || !command.contains("@e"), "{command}");
    }
    assert!(
        stderr.contains(&format!(
            "actions: {} done, 0 failed, 0 dropped",
            want.len()
        )),
        "{stderr}"
    );
    assert!(server.violations().is_empty());
    drop(runtime);
}

/// The RCON state is true before the first gift, and a server that goes away while idle shows.
#[tokio::test]
async fn rcon_status_is_live_before_any_gift() {
    let server = FakeRcon::start("pw").await.unwrap();
    let exec = start(
        ExecutorConfig {
            rcon: rcon(server.port(), "pw"),
            ..ExecutorConfig::default()
        },
        MappingTable::default(),
    );
    let deadline = Instant::now() + Duration::from_secs(3);
    while exec.handle.status().rcon != RconState::Connected {
        assert!(Instant::now() < deadline, "{:?}", exec.handle.status().rcon);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.logins(), (1, 0));
    server.stop().await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while exec.handle.status().rcon == RconState::Connected {
        assert!(Instant::now() < deadline, "closed connection not noticed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while !matches!(exec.handle.status().rcon, RconState::Down(_)) {
        assert!(Instant::now() < deadline, "{:?}", exec.handle.status().rcon);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
