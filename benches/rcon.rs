//! RCON throughput and pacing, against the strict in-repo server on loopback:
//! 1. commands/s with a zero gap (the raw client, then the whole executor);
//! 2. the configured gap under a 10,000-action backlog (min/avg/max between commands at the server).
//!
//! Run: `cargo bench --bench rcon`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly when its setup fails"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use giftdeck::actions::{ExecutorConfig, RconClient, RconConfig, RconTimeouts, spawn_executor};
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::rcon::FakeRcon;
use tokio::sync::{mpsc, watch};

fn rcon(port: u16) -> RconConfig {
    RconConfig {
        host: "127.0.0.1".into(),
        port,
        password: "pw".into(),
    }
}

fn decision(count: u32) -> (Decision, MappingTable) {
    let mapping = Mapping::new(
        "Rose",
        vec![Action::Command {
            command: "say {nickname} sent {gift}".into(),
            repeat: 1,
        }],
    );
    let gift = CreditedGift {
        user_id: 1,
        unique_id: "viewer".into(),
        nickname: "Viewer".into(),
        count,
        trigger: Some("Rose".into()),
        ..giftdeck::testkit::outputs::rose()
    };
    (
        Decision {
            gift,
            mapping: Some(mapping.clone()),
        },
        MappingTable::new(vec![mapping]),
    )
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        raw_client().await;
        executor_zero_gap().await;
        gap_under_backlog().await;
    });
}

async fn raw_client() {
    let server = FakeRcon::start("pw").await.expect("server");
    let mut client = RconClient::connect(&rcon(server.port()), RconTimeouts::default())
        .await
        .expect("login");
    let n = 5_000;
    let started = Instant::now();
    for i in 0..n {
        client.command(&format!("say {i}")).await.expect("command");
    }
    let secs = started.elapsed().as_secs_f64();
    assert!(server.violations().is_empty());
    println!(
        "rcon raw client, zero gap: {n} commands in {secs:.3} s = {:.0} commands/s ({:.1} µs each, command + end probe)",
        f64::from(n) / secs,
        secs * 1e6 / f64::from(n)
    );
}

async fn executor_zero_gap() {
    let server = FakeRcon::start("pw").await.expect("server");
    let n = 5_000u32;
    let (decision, table) = decision(n);
    let (_tx, rx) = watch::channel(table);
    let (events_tx, mut events) = mpsc::channel(1024);
    tokio::spawn(async move { while events.recv().await.is_some() {} });
    let handle = spawn_executor(
        ExecutorConfig {
            gap_millis: 0,
            rcon: Some(rcon(server.port())),
            ..ExecutorConfig::default()
        },
        rx,
        events_tx,
        Arc::new(|| {}),
    );
    let started = Instant::now();
    assert_eq!(handle.enqueue(&decision), n as usize);
    handle.drained().await;
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(server.commands().len(), n as usize);
    assert!(server.violations().is_empty());
    println!(
        "executor, zero gap: {n} commands in {secs:.3} s = {:.0} commands/s",
        f64::from(n) / secs
    );
}

async fn gap_under_backlog() {
    let server = FakeRcon::start("pw").await.expect("server");
    let gap_millis = 5;
    let backlog = 10_000u32;
    let measured = 400;
    let (decision, table) = decision(backlog);
    let (_tx, rx) = watch::channel(table);
    let (events_tx, mut events) = mpsc::channel(1024);
    tokio::spawn(async move { while events.recv().await.is_some() {} });
    let handle = spawn_executor(
        ExecutorConfig {
            gap_millis,
            rcon: Some(rcon(server.port())),
            ..ExecutorConfig::default()
        },
        rx,
        events_tx,
        Arc::new(|| {}),
    );
    assert_eq!(handle.enqueue(&decision), backlog as usize);
    while server.commands().len() < measured + 1 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let depth_left = handle.status().depth;
    handle.clear();
    let received = server.received();
    let gaps: Vec<Duration> = received
        .windows(2)
        .take(measured)
        .map(|w| w[1].at.duration_since(w[0].at))
        .collect();
    let min = gaps.iter().min().copied().unwrap_or_default();
    let max = gaps.iter().max().copied().unwrap_or_default();
    let avg = gaps.iter().sum::<Duration>() / gaps.len().max(1) as u32;
    let holds = min >= Duration::from_millis(gap_millis);
    println!(
        "gap {gap_millis} ms under a {backlog}-action backlog ({} still queued while measuring): over {} commands min {:.3} ms, avg {:.3} ms, max {:.3} ms → {}",
        depth_left,
        gaps.len(),
        min.as_secs_f64() * 1e3,
        avg.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        if holds { "gap holds" } else { "GAP VIOLATED" }
    );
    assert!(holds, "the gap shrank under backlog");
}
