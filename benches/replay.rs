//! Replay throughput (gunzip + decode + dedupe + engine + matching) on a generated capture of
//! 200,000 messages, single-threaded, and the peak memory of `giftdeck replay` as captures grow.
//! Run: `cargo bench --bench replay`. Target: ≥ 1,000,000 messages/s; flat memory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly when its setup fails"
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use giftdeck::capture::{CaptureReader, encode_records};
use giftdeck::engine::{EngineConfig, Output, Pipeline};
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::frames::{
    BatchSpec, Compression, EventSpec, EventSpecKind, GiftSpec, MessageSpec, encode_msg_frame,
};
use giftdeck::triggers::{Audience, Condition};

const MESSAGES_PER_FRAME: usize = 20;

/// A busy stream: 1,000 viewers streaking roses (an end every 5th update), big gifts, chats, likes.
fn generate_capture(messages: usize) -> Vec<u8> {
    let mut frames = Vec::with_capacity(messages / MESSAGES_PER_FRAME + 1);
    let mut batch = Vec::with_capacity(MESSAGES_PER_FRAME);
    for i in 0..messages {
        let msg_id = 1_000_000 + i as i64;
        let user_id = (i % 1_000) as i64;
        let round = (i / 1_000) as i32;
        let message = match i % 10 {
            0..=5 => MessageSpec::Gift(GiftSpec {
                msg_id,
                user_id,
                unique_id: format!("viewer{user_id}"),
                nickname: format!("Viewer {user_id} 🌹"),
                repeat_count: round % 5 + 1,
                repeat_end: round % 5 == 4,
                group_id: i64::from(round / 5),
                create_time_millis: 1_700_000_000_000 + i as i64,
                ..GiftSpec::default()
            }),
            6 => MessageSpec::Gift(GiftSpec {
                msg_id,
                user_id,
                gift_id: 6369,
                gift_name: "Lion".into(),
                diamonds: 29_999,
                gift_type: 2,
                create_time_millis: 1_700_000_000_000 + i as i64,
                ..GiftSpec::default()
            }),
            7 | 8 => MessageSpec::Chat {
                msg_id,
                user_id,
                unique_id: format!("viewer{user_id}"),
                nickname: format!("Viewer {user_id}"),
                text: "love this stream!".into(),
            },
            _ => MessageSpec::Like {
                msg_id,
                user_id,
                unique_id: format!("viewer{user_id}"),
                count: 15,
                total: i as i64,
            },
        };
        batch.push(message);
        if batch.len() == MESSAGES_PER_FRAME {
            let spec = BatchSpec {
                messages: std::mem::take(&mut batch),
                need_ack: true,
                internal_ext: "ie".into(),
                ..BatchSpec::default()
            };
            let n = frames.len() as i64;
            frames.push(encode_msg_frame(n, n, &spec, Compression::GzipWithHeader));
        }
    }
    encode_records(frames.iter().map(Vec::as_slice))
}

/// A stream where half the messages are likes, chat and joins (plus some follows and shares), the
/// other half gift streaks: what a busy stream with event triggers looks like.
fn generate_events_capture(messages: usize) -> Vec<u8> {
    let mut frames = Vec::with_capacity(messages / MESSAGES_PER_FRAME + 1);
    let mut batch = Vec::with_capacity(MESSAGES_PER_FRAME);
    let mut total_likes = 10_000i64;
    for i in 0..messages {
        let msg_id = 1_000_000 + i as i64;
        let user_id = (i % 1_000) as i64;
        let handle = format!("viewer{user_id}");
        let at = 1_700_000_000_000 + i as i64;
        let round = (i / 1_000) as i32;
        let event = |kind| {
            let mut e = EventSpec::new(msg_id, user_id, &handle, kind);
            e.create_time_millis = at;
            e.follower = user_id % 3 == 0;
            MessageSpec::Event(e)
        };
        let message = match i % 20 {
            0..=9 => MessageSpec::Gift(GiftSpec {
                msg_id,
                user_id,
                unique_id: handle.clone(),
                nickname: format!("Viewer {user_id} 🌹"),
                repeat_count: round % 5 + 1,
                repeat_end: round % 5 == 4,
                group_id: i64::from(round / 5),
                create_time_millis: at,
                ..GiftSpec::default()
            }),
            10..=13 => {
                total_likes += 15;
                event(EventSpecKind::Like {
                    count: 15,
                    total: total_likes,
                })
            }
            14 => event(EventSpecKind::Chat {
                text: "!jump high please".into(),
            }),
            15 | 16 => event(EventSpecKind::Chat {
                text: "love this stream, spawn a creeper!".into(),
            }),
            17 => event(EventSpecKind::Join),
            18 => event(EventSpecKind::Follow),
            _ => event(EventSpecKind::Share),
        };
        batch.push(message);
        if batch.len() == MESSAGES_PER_FRAME {
            let spec = BatchSpec {
                messages: std::mem::take(&mut batch),
                need_ack: true,
                internal_ext: "ie".into(),
                ..BatchSpec::default()
            };
            let n = frames.len() as i64;
            frames.push(encode_msg_frame(n, n, &spec, Compression::GzipWithHeader));
        }
    }
    encode_records(frames.iter().map(Vec::as_slice))
}

/// The gift table plus a rule of every event kind (cooldowns and audience filters included).
fn events_table() -> MappingTable {
    let say = |text: &str| vec![Action::command(text)];
    let mut mappings = table().mappings().to_vec();
    mappings.push(Mapping::new("apple", say("give {user} golden_apple")).on(Condition::Follow));
    mappings.push(Mapping::new("shared", say("say {user} shared")).on(Condition::Share));
    let mut join = Mapping::new("hello", say("say hi {user}")).on(Condition::Join);
    join.audience = Audience::Followers;
    mappings.push(join);
    mappings.push(Mapping::new("c100", say("summon creeper")).on(Condition::Likes { every: 100 }));
    mappings.push(Mapping::new("c1k", say("say {likes}")).on(Condition::Likes { every: 1_000 }));
    let mut jump = Mapping::new("jump", say("effect give {user} jump_boost 5 {args}")).on(
        Condition::ChatCommand {
            command: "!jump".into(),
        },
    );
    jump.viewer_cooldown_seconds = 10;
    mappings.push(jump);
    let mut creeper = Mapping::new("kw", say("summon creeper")).on(Condition::ChatKeyword {
        keyword: "creeper".into(),
    });
    creeper.cooldown_seconds = 5;
    mappings.push(creeper);
    MappingTable::new(mappings).with_blocklist(&["@viewer7"])
}

fn table() -> MappingTable {
    let mut mappings: Vec<Mapping> = (0..200)
        .map(|i| Mapping::new(format!("gift {i}"), vec![]))
        .collect();
    mappings.push(Mapping::new(
        "Rose",
        vec![Action::Command {
            command: "say {nickname} x{count}".into(),
            repeat: 1,
        }],
    ));
    MappingTable::new(mappings)
}

/// CPU time this thread has run (from /proc/thread-self/schedstat, in ns): the machine may be busy,
/// and "messages per second on one core" is about CPU time, not wall time.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn run_once(capture: &[u8], table: &MappingTable) -> (Duration, Option<Duration>, u64, u64) {
    let start = Instant::now();
    let cpu_start = thread_cpu();
    let mut reader = CaptureReader::new(capture, Path::new("bench"));
    let mut pipeline = Pipeline::new(
        EngineConfig {
            clock_from_messages: true,
            ..EngineConfig::default()
        },
        table.clone(),
    );
    let mut out = Vec::with_capacity(64);
    let mut credited = 0u64;
    while let Some(record) = reader.next_record().expect("in-memory capture") {
        pipeline
            .ingest_ws_message(record, 0, &mut out)
            .expect("valid frame");
        credited += out
            .iter()
            .filter(|o| matches!(o, Output::Credit(_) | Output::Fired(_)))
            .count() as u64;
        out.clear();
    }
    pipeline.finish(&mut out);
    credited += out.len() as u64;
    let cpu = thread_cpu().zip(cpu_start).map(|(end, start)| end - start);
    (start.elapsed(), cpu, pipeline.stats().messages, credited)
}

/// Peak resident memory (VmHWM, KiB) of `giftdeck replay` on a capture file, sampled from /proc.
fn replay_peak_kib(path: &Path) -> Option<u64> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = None;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            peak = line.split_whitespace().nth(1).and_then(|v| v.parse().ok());
        }
        if child.try_wait().ok()?.is_some() {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn main() {
    // `cargo test --benches` runs bench binaries with no args; keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let messages = if quick { 20_000 } else { 200_000 };
    let capture = generate_capture(messages);
    println!(
        "replay bench: {messages} messages in {} frames, {:.1} MiB capture",
        messages / MESSAGES_PER_FRAME,
        capture.len() as f64 / (1024.0 * 1024.0)
    );
    // For profiling `giftdeck replay` itself (e.g. under callgrind): keep the generated capture.
    if let Some(path) = std::env::var_os("GIFTDECK_BENCH_CAPTURE_OUT") {
        std::fs::write(&path, &capture).expect("write capture copy");
    }
    let events_capture = generate_events_capture(messages);
    let runs = [
        ("gift-heavy capture, gift table", &capture, table()),
        (
            "half likes/chat/joins/follows, every trigger kind",
            &events_capture,
            events_table(),
        ),
    ];
    for (name, capture, table) in runs {
        let mut best_wall = Duration::MAX;
        let mut best_cpu = Duration::MAX;
        for _ in 0..if quick { 1 } else { 5 } {
            let (wall, cpu, decoded, outputs) = run_once(capture, &table);
            assert_eq!(decoded, messages as u64);
            assert!(outputs > 0);
            best_wall = best_wall.min(wall);
            best_cpu = best_cpu.min(cpu.unwrap_or(wall));
        }
        let per_sec = |d: Duration| messages as f64 / d.as_secs_f64();
        println!(
            "throughput ({name}): {:.0} messages/s of CPU time on one core ({:.0}/s wall clock; best of runs; target ≥ 1,000,000)",
            per_sec(best_cpu),
            per_sec(best_wall)
        );
    }
    if quick {
        return;
    }
    let dir = std::env::temp_dir().join(format!("giftdeck-replay-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for scale in [1usize, 4, 16] {
        let path = dir.join(format!("capture-{scale}.bin"));
        let mut file = std::fs::File::create(&path).expect("capture file");
        // Repeating a capture with fresh ids would be better, but repeating it as is exercises the
        // same memory paths (dedupe ring, streak table) and keeps the bench fast.
        let part = generate_capture(messages);
        for _ in 0..scale {
            file.write_all(&part).expect("write capture");
        }
        drop(file);
        let peak = replay_peak_kib(&path);
        println!(
            "giftdeck replay of {} messages: peak RSS {} KiB",
            messages * scale,
            peak.map_or_else(|| "?".to_owned(), |p| p.to_string())
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
