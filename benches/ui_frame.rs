//! One UI frame of the whole app, headless (egui_kittest, no GPU): layout + logic, and with
//! tessellation, with 100,000 gifts received (10,000 kept) and 500 mappings; then a 10,000-gift
//! burst through the real UI channel: frame times stay bounded and memory stays bounded.
//! Run: `cargo bench --bench ui_frame`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly when its setup fails"
)]

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use giftdeck::dispatch::{Dispatch, Source};
use giftdeck::engine::{Decision, Output, Stamped};
use giftdeck::event::{CreditedGift, EndedBy};
use giftdeck::live::LiveMsg;
use giftdeck::mappings::{Action, Mapping};
use giftdeck::ui::{AppOptions, GiftdeckApp};

const GIFT_NAMES: &[(&str, i64, u32)] = &[
    ("Rose", 5655, 1),
    ("TikTok", 5269, 1),
    ("Finger Heart", 5487, 5),
    ("Doughnut", 5879, 30),
    ("Lion", 6369, 29_999),
    ("Galaxy", 0, 1_000),
];

fn decision(i: u64) -> Decision {
    let (name, id, diamonds) = GIFT_NAMES[(i % GIFT_NAMES.len() as u64) as usize];
    let user = i % 1_000;
    Decision {
        gift: CreditedGift {
            msg_id: i as i64,
            user_id: user as i64,
            unique_id: format!("viewer{user}"),
            nickname: format!("Viewer {user} 🌹"),
            gift_id: id,
            gift_name: name.into(),
            diamonds,
            count: 1 + (i % 7) as u32,
            trigger: i.is_multiple_of(2).then(|| name.to_owned()),
            ended_by: if i.is_multiple_of(13) {
                EndedBy::Timeout
            } else {
                EndedBy::StreakEnd
            },
            image_url: None,
            skipped: None,
        },
        mapping: None,
    }
}

fn mappings(n: usize) -> Vec<Mapping> {
    (0..n)
        .map(|i| {
            let trigger = if i < GIFT_NAMES.len() {
                GIFT_NAMES[i].0.to_owned()
            } else {
                format!("{}", 100_000 + i)
            };
            Mapping::new(
                trigger,
                vec![Action::Command {
                    command: format!("say {{nickname}} sent {{count}} {{gift}} #{i}"),
                    repeat: 1,
                }],
            )
        })
        .collect()
}

/// (user + system) CPU time of this thread, from /proc (Linux), in clock ticks of 10 ms.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name}: frames {}  median {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-rt")
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut app = GiftdeckApp::new(AppOptions {
        settings_path: Some(dir.path().join("settings.json")),
        runtime: rt.handle().clone(),
        demo: false,
        secrets: giftdeck::settings::SecretsHome::SettingsFile,
    });
    app.set_mappings(mappings(500));
    let rss_start = rss_kib();
    let started = Instant::now();
    for i in 0..100_000 {
        app.apply_gift(&decision(i).gift);
    }
    println!(
        "ingest 100,000 gifts into the feed: {:.1} ms ({} rows kept)",
        started.elapsed().as_secs_f64() * 1e3,
        app.feed().len()
    );
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app);
    for _ in 0..30 {
        h.step();
    }

    // Steady state: one frame with the full feed and table, new gifts trickling in.
    let frames = 300;
    let mut layout = Vec::with_capacity(frames);
    let mut with_tess = Vec::with_capacity(frames);
    let cpu0 = cpu_ticks();
    let wall0 = Instant::now();
    for f in 0..frames as u64 {
        for k in 0..10 {
            h.state_mut()
                .apply_gift(&decision(100_000 + f * 10 + k).gift);
        }
        let t = Instant::now();
        h.step();
        layout.push(t.elapsed());
        let shapes = h.output().shapes.clone();
        let ppp = h.output().pixels_per_point;
        let _meshes = h.ctx.tessellate(shapes, ppp);
        with_tess.push(t.elapsed());
    }
    let wall = wall0.elapsed();
    report("frame (logic + layout), 10 new gifts per frame", layout);
    report("frame + tessellation", with_tess);
    if let (Some(a), Some(b)) = (cpu0, cpu_ticks()) {
        println!(
            "UI-thread CPU per frame (kittest step + accesskit tree + tessellation + 10 ingests): {:.3} ms over {} frames ({:.0} ms wall)",
            (b - a) as f64 * 10.0 / frames as f64,
            frames,
            wall.as_secs_f64() * 1e3
        );
    }

    // The same frame the way eframe runs it: a plain egui Context (kittest also builds and
    // checks an AccessKit tree every step, which the real window does not).
    let mut app = h.into_state();
    let ctx = egui::Context::default();
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..egui::RawInput::default()
    };
    for _ in 0..30 {
        let _ = ctx.run_ui(input(), |ui| app.frame_ui(ui));
    }
    let mut plain = Vec::with_capacity(frames);
    let cpu0 = cpu_ticks();
    for f in 0..frames as u64 {
        for k in 0..10 {
            app.apply_gift(&decision(200_000 + f * 10 + k).gift);
        }
        let t = Instant::now();
        let output = ctx.run_ui(input(), |ui| app.frame_ui(ui));
        let _meshes = ctx.tessellate(output.shapes, output.pixels_per_point);
        plain.push(t.elapsed());
    }
    report("plain egui frame + tessellation (as in the window)", plain);
    if let (Some(a), Some(b)) = (cpu0, cpu_ticks()) {
        println!(
            "UI-thread CPU per plain frame (incl. 10 ingests + tessellation): {:.3} ms",
            (b - a) as f64 * 10.0 / frames as f64
        );
    }
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app);
    for _ in 0..5 {
        h.step();
    }

    // The same with a filter that matches a sixth of the rows.
    h.state_mut().set_feed_filter("lion");
    for _ in 0..5 {
        h.step();
    }
    let mut filtered = Vec::new();
    for _ in 0..frames {
        let t = Instant::now();
        h.step();
        filtered.push(t.elapsed());
    }
    report("frame with feed filter active", filtered);
    h.state_mut().set_feed_filter("");
    println!(
        "RSS after 100,000 gifts: {:?} KiB (start {:?} KiB)",
        rss_kib(),
        rss_start
    );

    // A 10,000-gift burst through the window's subscriber (what a session's dispatch feeds),
    // drained with the per-frame budget while a producer keeps delivering.
    let window = h.state().window_subscriber();
    let producer = rt.spawn(async move {
        let mut dispatch = Dispatch::new(Source::STREAM);
        dispatch.subscribe(window);
        for i in 0..10_000u64 {
            let msg = LiveMsg::Output(Stamped {
                at_millis: 1_700_000_000_000 + i,
                output: Output::Credit(decision(1_000_000 + i)),
            });
            dispatch.deliver(&msg);
            if i % 100 == 0 {
                tokio::task::yield_now().await;
            }
        }
    });
    let received_before = h.state().feed().received;
    let mut burst = Vec::new();
    let burst_start = Instant::now();
    while h.state().feed().received < received_before + 10_000 {
        let t = Instant::now();
        h.step();
        burst.push(t.elapsed());
        assert!(
            burst_start.elapsed() < Duration::from_secs(60),
            "burst never drained"
        );
    }
    rt.block_on(producer).unwrap();
    println!(
        "10,000-gift burst drained in {} frames, {:.1} ms; feed rows kept {}",
        burst.len(),
        burst_start.elapsed().as_secs_f64() * 1e3,
        h.state().feed().len()
    );
    report("frame during the burst", burst);
    println!("RSS after the burst: {:?} KiB", rss_kib());
}
