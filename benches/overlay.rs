//! Overlay latency: credited gifts go into the overlay hub at 1,000 gifts/s for 10 s (paced on
//! their own thread, as the session router would hand them over); real clients on loopback read
//! what leaves the server. Measured per gift, from `send_output` to the client having the bytes:
//!
//! - `/sse/alerts`, a burst from one viewer (every gift merges into the showing alert, so every
//!   gift is an alert update): until an alert message with at least that count arrives;
//! - `/sse/alerts`, every gift from a new viewer with a display time of 0 (every gift is its own
//!   alert at once): until an alert message with at least that alert id arrives;
//! - `/events` (every gift is its own message): until that gift's line arrives.
//!
//! Target: p99 < 5 ms. `cargo bench --bench overlay` (env `OVERLAY_BENCH_SECONDS`,
//! `OVERLAY_BENCH_RATE`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use giftdeck::engine::{Decision, Output};
use giftdeck::event::CreditedGift;
use giftdeck::overlay::alerts::AlertConfig;
use giftdeck::overlay::{HubConfig, OverlayHub, Overlays};
use serde_json::Value;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn credit(i: u64, same_viewer: bool) -> Output {
    let user = if same_viewer { 1 } else { i as i64 + 1 };
    Output::Credit(Decision {
        gift: CreditedGift {
            msg_id: i as i64 + 1,
            user_id: user,
            unique_id: format!("viewer{user}"),
            nickname: format!("Viewer \"{user}\" 🌹"),
            image_url: Some("https://p16-webcast.tiktokcdn.com/img/rose.png".into()),
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: None,
    })
}

#[derive(Clone, Copy)]
enum Scenario {
    MergedBurst,
    NewViewers,
    Events,
}

/// Sends `total` credits at `rate`/s from a dedicated thread; returns each send time.
fn pace(hub: OverlayHub, total: u64, rate: u64, scenario: Scenario) -> Vec<Instant> {
    let period = Duration::from_nanos(1_000_000_000 / rate.max(1));
    let start = Instant::now();
    let mut sent = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + period * i as u32;
        while Instant::now() < due {
            let left = due - Instant::now();
            if left > Duration::from_micros(300) {
                std::thread::sleep(left - Duration::from_micros(200));
            } else {
                std::hint::spin_loop();
            }
        }
        let output = credit(i, matches!(scenario, Scenario::MergedBurst));
        sent.push(Instant::now());
        hub.send_output(&output);
    }
    sent
}

/// Reads SSE messages from `/sse/alerts`, recording (arrival, value) until `done`.
async fn read_sse(
    url: String,
    out: Arc<Mutex<Vec<(Instant, Value)>>>,
    done: impl Fn(&Value) -> bool,
) {
    let mut response = reqwest::get(url).await.unwrap();
    let mut buffer = String::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        let now = Instant::now();
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            for line in event.lines() {
                if let Some(data) = line.strip_prefix("data: ") {
                    let value: Value = serde_json::from_str(data).unwrap();
                    let finished = done(&value);
                    out.lock().unwrap().push((now, value));
                    if finished {
                        return;
                    }
                }
            }
        }
    }
}

async fn run(scenario: Scenario, seconds: u64, rate: u64) -> (Vec<Duration>, u64) {
    let total = seconds * rate;
    let alerts = match scenario {
        Scenario::NewViewers => AlertConfig {
            duration_millis: 0,
            max_lag_millis: 0,
        },
        _ => AlertConfig {
            duration_millis: 3_600_000,
            max_lag_millis: 3_600_000,
        },
    };
    let overlays = Overlays::start(
        0,
        HubConfig {
            alerts,
            ..HubConfig::default()
        },
    )
    .await
    .unwrap();
    let port = overlays.server.port();
    let seen: Arc<Mutex<Vec<(Instant, Value)>>> = Arc::default();
    let reader = match scenario {
        Scenario::MergedBurst => tokio::spawn(read_sse(
            format!("http://127.0.0.1:{port}/sse/alerts"),
            seen.clone(),
            move |v| v["alert"]["count"].as_u64() == Some(total),
        )),
        Scenario::NewViewers => tokio::spawn(read_sse(
            format!("http://127.0.0.1:{port}/sse/alerts"),
            seen.clone(),
            move |v| v["alert"]["id"].as_u64() == Some(total),
        )),
        Scenario::Events => {
            let (mut ws, _) =
                tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/events"))
                    .await
                    .unwrap();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut got = 0;
                while got < total {
                    let Some(Ok(message)) = ws.next().await else {
                        return;
                    };
                    let now = Instant::now();
                    if let Ok(text) = message.to_text() {
                        let value: Value = serde_json::from_str(text).unwrap();
                        got += 1;
                        seen.lock().unwrap().push((now, value));
                    }
                }
            })
        }
    };
    // Let the client's subscription register before the first gift.
    let deadline = Instant::now() + Duration::from_secs(5);
    while overlays.hub.event_clients() + overlays.hub.connections(giftdeck::overlay::Page::Alerts)
        == 0
    {
        assert!(Instant::now() < deadline, "client did not connect");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let hub = overlays.hub.clone();
    let sent = std::thread::Builder::new()
        .name("bench-pacer".into())
        .spawn(move || pace(hub, total, rate, scenario))
        .unwrap()
        .join()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(30), reader)
        .await
        .expect("every gift reached the client")
        .unwrap();
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    // For gift k (1-based): the first arrival whose value covers it.
    let covers = |value: &Value| -> u64 {
        match scenario {
            Scenario::MergedBurst => value["alert"]["count"].as_u64().unwrap_or(0),
            Scenario::NewViewers => value["alert"]["id"].as_u64().unwrap_or(0),
            Scenario::Events => value["msg_id"].as_u64().unwrap_or(0),
        }
    };
    let mut latencies = Vec::with_capacity(sent.len());
    let mut cursor = 0;
    let mut missing = 0;
    for (k, at) in sent.iter().enumerate() {
        let k = k as u64 + 1;
        while cursor < seen.len() && covers(&seen[cursor].1) < k {
            cursor += 1;
        }
        match seen.get(cursor) {
            Some((arrived, _)) => latencies.push(arrived.saturating_duration_since(*at)),
            None => missing += 1,
        }
    }
    overlays.stop().await;
    latencies.sort();
    (latencies, missing)
}

fn main() {
    let seconds = env_u64("OVERLAY_BENCH_SECONDS", 10);
    let rate = env_u64("OVERLAY_BENCH_RATE", 1_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-rt")
        .enable_all()
        .build()
        .unwrap();
    println!(
        "overlay latency: {rate} gifts/s for {seconds} s, credit -> bytes at a loopback client"
    );
    for (name, scenario) in [
        (
            "/sse/alerts, one viewer's burst (merged)",
            Scenario::MergedBurst,
        ),
        ("/sse/alerts, a new viewer per gift", Scenario::NewViewers),
        ("/events, every gift", Scenario::Events),
    ] {
        let (latencies, missing) = runtime.block_on(run(scenario, seconds, rate));
        let p99 = percentile(&latencies, 99.0);
        println!(
            "  {name}: p50 {:?}  p99 {:?}  max {:?}  ({} gifts, {missing} never covered) -> target p99 < 5 ms: {}",
            percentile(&latencies, 50.0),
            p99,
            latencies.last().copied().unwrap_or_default(),
            latencies.len(),
            if p99 < Duration::from_millis(5) && missing == 0 {
                "met"
            } else {
                "MISSED"
            }
        );
    }
}
