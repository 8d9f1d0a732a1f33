//! Live latency: the fake sends 1,000 gifts/s for 10 s over loopback; we measure from the moment each
//! frame is handed to the fake's socket to the moment its credited gift reaches the consumer channel.
//! Prints p50/p99/max and how many gifts were lost or doubled. Target: p99 < 5 ms, none lost/doubled.
//!
//! `cargo bench --bench live_latency` (env `LIVE_BENCH_SECONDS` and `LIVE_BENCH_RATE` to vary).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly when its setup fails"
)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use giftdeck::engine::{Output, Stamped};
use giftdeck::live::{ConnStatus, LiveConfig, LiveMsg, spawn_session};
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, Scenario, Step};
use giftdeck::testkit::frames::{GiftSpec, MessageSpec};
use tokio::sync::{mpsc, watch};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Gift `i`: even ones are big single gifts, odd ones are streak ends (each its own streak), so each
/// credits exactly once, through both engine paths.
fn gift(i: i64) -> MessageSpec {
    let streak_end = i % 2 == 1;
    MessageSpec::Gift(GiftSpec {
        msg_id: i,
        user_id: 1_000 + i % 97,
        unique_id: format!("viewer{}", i % 97),
        nickname: format!("Viewer \"{}\"", i % 97),
        gift_id: if streak_end { 5655 } else { 6369 },
        gift_name: if streak_end { "Rose" } else { "Lion" }.into(),
        diamonds: if streak_end { 1 } else { 29_999 },
        gift_type: if streak_end { 1 } else { 2 },
        repeat_count: if streak_end { 3 } else { 1 },
        repeat_end: streak_end,
        group_id: i,
        create_time_millis: 0,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn main() {
    let seconds = env_u64("LIVE_BENCH_SECONDS", 10);
    let rate = env_u64("LIVE_BENCH_RATE", 1_000).max(1);
    let total = i64::try_from(seconds * rate).unwrap_or(i64::MAX);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("live-bench")
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let gap = Duration::from_nanos(1_000_000_000 / rate);
        let lead = Duration::from_millis(200);
        let mut steps = vec![Step::WaitForEnterRoom];
        for i in 1..=total {
            steps.push(Step::At(
                lead + gap * u32::try_from(i - 1).unwrap_or(u32::MAX),
            ));
            steps.push(Step::Batch(vec![gift(i)]));
        }
        steps.push(Step::Sleep(Duration::from_millis(500)));
        steps.push(Step::EndStream);
        let fake = FakeTikTok::start(FakeConfig {
            record_send_times: true,
            ..FakeConfig::with_scenario(Scenario {
                connections: vec![steps],
                ..Scenario::default()
            })
        })
        .await
        .expect("fake binds loopback");

        let table = MappingTable::new(vec![Mapping::new(
            "Lion",
            vec![Action::Command {
                command: "summon lightning_bolt ~ ~ ~".into(),
                repeat: 1,
            }],
        )]);
        let (_mappings, mappings_rx) = watch::channel(table);
        let (tx, mut rx) = mpsc::channel(1_024);
        let config = LiveConfig {
            room_id: Some(fake.room_id()),
            ..fake.live_config()
        };
        let _handle = spawn_session(config, mappings_rx, tx, Arc::new(|| {}));

        let started = Instant::now();
        let mut received: Vec<(i64, Instant)> = Vec::with_capacity(total as usize);
        let mut final_status = None;
        while let Some(msg) = rx.recv().await {
            match msg {
                LiveMsg::Output(Stamped {
                    output: Output::Credit(decision),
                    ..
                }) => {
                    received.push((decision.gift.msg_id, Instant::now()));
                }
                LiveMsg::Status(status) if status.is_final() => final_status = Some(status),
                _ => {}
            }
        }
        let elapsed = started.elapsed();

        let sent: HashMap<i64, Instant> = fake.send_times().into_iter().collect();
        let mut counts: HashMap<i64, u32> = HashMap::new();
        let mut latencies = Vec::with_capacity(received.len());
        for (msg_id, at) in &received {
            *counts.entry(*msg_id).or_default() += 1;
            if let Some(sent_at) = sent.get(msg_id) {
                latencies.push(at.saturating_duration_since(*sent_at));
            }
        }
        let lost = (1..=total).filter(|i| !counts.contains_key(i)).count();
        let doubled: u32 = counts.values().map(|c| c.saturating_sub(1)).sum();
        latencies.sort_unstable();
        println!("live_latency: {total} gifts at {rate}/s over loopback ({elapsed:.1?} wall)");
        println!(
            "  frame sent -> credit received: p50 {:?}  p99 {:?}  max {:?}",
            percentile(&latencies, 50.0),
            percentile(&latencies, 99.0),
            latencies.last().copied().unwrap_or_default()
        );
        println!(
            "  credited {}  lost {lost}  doubled {doubled}",
            received.len()
        );
        println!(
            "  final status: {:?}",
            final_status.unwrap_or(ConnStatus::Idle)
        );
        let p99 = percentile(&latencies, 99.0);
        println!(
            "  target p99 < 5 ms, none lost or doubled: {}",
            if p99 < Duration::from_millis(5) && lost == 0 && doubled == 0 {
                "MET"
            } else {
                "NOT MET"
            }
        );
    });
}
