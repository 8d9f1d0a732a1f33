//! One call instead of five hundred, against the strict in-repo RCON server on loopback: a ×500
//! gift of `summon tnt ~ ~ ~` (plus a tellraw naming the viewer) sent command by command, then as
//! one datapack `function` call, with a zero gap and with the default 50 ms gap. The fake server
//! answers at once, so this measures giftdeck's side and the pacing only: what a real server
//! spends running 1,000 commands (and what it saves by not parsing 1,000 RCON packets) is not
//! measured here (no Minecraft server can run on this machine).
//!
//! Run: `cargo bench --bench datapack` (`--profile dev` reuses the debug build).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly when its setup fails"
)]

use std::sync::Arc;
use std::time::Instant;

use giftdeck::actions::datapack::level::level_dat;
use giftdeck::actions::{BatchRoute, ExecutorConfig, RconConfig, spawn_executor};
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::rcon::FakeRcon;
use tokio::sync::{mpsc, watch};

const COUNT: u32 = 500;

fn rose() -> Mapping {
    Mapping::new(
        "Rose",
        vec![
            Action::Command {
                command: "summon tnt ~ ~ ~".into(),
                repeat: 1,
            },
            Action::Command {
                command: r#"tellraw @a {"text":"{nickname} sent a rose"}"#.into(),
                repeat: 1,
            },
        ],
    )
}

fn decision() -> Decision {
    Decision {
        gift: CreditedGift {
            user_id: 1,
            unique_id: "viewer".into(),
            nickname: "Viewer".into(),
            count: COUNT,
            trigger: Some("Rose".into()),
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: Some(rose()),
    }
}

/// Sends the ×500 gift; returns (RCON lines for the gift, seconds from enqueue to drained).
async fn run(gap_millis: u64, one_call: bool) -> (usize, f64) {
    let world = tempfile::tempdir().unwrap();
    std::fs::write(world.path().join("level.dat"), level_dat(4189, "1.21.4")).unwrap();
    let server = FakeRcon::start("pw").await.unwrap();
    let (_tx, rx) = watch::channel(MappingTable::new(vec![rose()]));
    let (events_tx, mut events) = mpsc::channel(1024);
    tokio::spawn(async move { while events.recv().await.is_some() {} });
    let handle = spawn_executor(
        ExecutorConfig {
            gap_millis,
            rcon: Some(RconConfig {
                host: "127.0.0.1".into(),
                port: server.port(),
                password: "pw".into(),
            }),
            world_folder: one_call.then(|| world.path().to_owned()),
            ..ExecutorConfig::default()
        },
        rx,
        events_tx,
        Arc::new(|| {}),
    );
    // Ready first (version probe, pack written, /reload): that happens once per connection.
    loop {
        let route = handle.status().batches;
        let ready = if one_call {
            matches!(route, BatchRoute::OneCall { .. })
        } else {
            handle.status().rcon == giftdeck::actions::RconState::Connected
        };
        if ready {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before = server.commands().len();
    let started = Instant::now();
    handle.enqueue(&decision());
    handle.drained().await;
    let secs = started.elapsed().as_secs_f64();
    assert!(server.violations().is_empty());
    (server.commands().len() - before, secs)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        for gap_millis in [0, 50] {
            let (lines, secs) = run(gap_millis, false).await;
            println!(
                "×{COUNT} gift (2 commands each), gap {gap_millis} ms, command by command: {lines} RCON lines, {:.3} s until the queue is empty",
                secs
            );
            let (lines, secs) = run(gap_millis, true).await;
            println!(
                "×{COUNT} gift (2 commands each), gap {gap_millis} ms, one datapack call: {lines} RCON line(s), {:.4} s until the queue is empty",
                secs
            );
        }
    });
}
