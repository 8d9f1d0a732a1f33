//! A simulated TikTok LIVE stream on an accelerated clock, driven through the real engine
//! (`Pipeline`) and the real room store (files in a temp dir), exactly the way a live session
//! drives them: ingest a step, journal it, only then hand its credits on. Connection drops replay
//! TikTok's recent history (newest first); app restarts (clean, crash between steps, crash in the
//! middle of a journal write) continue from the files. The generator knows every gift's truth, so
//! lost and doubled credits are counted exactly. Used by `tests/soak.rs` (small, in CI) and
//! `benches/soak.rs` (the full 6-hour stream).

#![allow(
    dead_code,
    reason = "each test binary and benchmark that includes this file uses a different part"
)]

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use giftdeck::engine::memory::MemorySize;
use giftdeck::engine::{EngineConfig, Output, Pipeline};
use giftdeck::event::{GiftMessage, LiveEvent, User};
use giftdeck::mappings::MappingTable;
use giftdeck::room_store::{RoomJournal, RoomStore};
use giftdeck::wire::Batch;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ROOM: &str = "7000000000000000042";
/// Gift message ids are `unit * UNIT_IDS + n`; other messages' ids start at `OTHER_IDS`.
const UNIT_IDS: i64 = 64;
const OTHER_IDS: i64 = 1 << 40;
const TICK_MILLIS: u64 = 1_000;

/// The shape of the simulated stream.
#[derive(Clone, Debug)]
pub struct SoakConfig {
    pub seed: u64,
    pub stream_millis: u64,
    /// One WebSocket frame per step.
    pub step_millis: u64,
    /// Chat, like and join messages per frame.
    pub others_per_step: usize,
    /// Gifts (streaks and singles) over the whole stream.
    pub gifts: usize,
    pub reconnects: usize,
    /// Restarts of the app, cycling through clean, crash, crash mid-write.
    pub restarts: usize,
    /// Messages in TikTok's history batch after a (re)connect.
    pub history_len: usize,
    /// Memory figures are taken this many times over the stream.
    pub checkpoints: usize,
    pub engine: EngineConfig,
    pub compact_bytes: u64,
}

impl SoakConfig {
    /// The CI-sized stream: 40 minutes with reconnects, history replays and every kind of
    /// restart, on small memory bounds so they are reached.
    pub fn ci(seed: u64) -> Self {
        Self {
            seed,
            stream_millis: 40 * 60 * 1000,
            step_millis: 250,
            others_per_step: 8,
            gifts: 3_000,
            reconnects: 6,
            restarts: 3,
            history_len: 300,
            checkpoints: 8,
            engine: EngineConfig {
                dedupe_capacity: 4_096,
                gift_id_capacity: 4_096,
                gift_id_retention_millis: 5 * 60 * 1000,
                finished_retention_millis: 3 * 60 * 1000,
                ..EngineConfig::default()
            },
            compact_bytes: 256 * 1024,
        }
    }

    /// The full stream: 6 hours, ≥ 2 M messages, 50 k gifts, 20 reconnects, 3 restarts, the
    /// engine's and the store's real bounds.
    pub fn six_hours(seed: u64) -> Self {
        Self {
            seed,
            stream_millis: 6 * 60 * 60 * 1000,
            step_millis: 100,
            others_per_step: 9,
            gifts: 50_000,
            reconnects: 20,
            restarts: 3,
            history_len: 300,
            checkpoints: 12,
            engine: EngineConfig::default(),
            compact_bytes: giftdeck::room_store::COMPACT_BYTES,
        }
    }
}

/// One memory figure.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub stream_millis: u64,
    pub memory: MemorySize,
    pub rss_kib: u64,
    pub journal_bytes: u64,
    pub snapshot_bytes: u64,
}

/// What the soak saw.
#[derive(Clone, Debug, Default)]
pub struct SoakReport {
    pub messages: u64,
    pub gift_messages: u64,
    pub streaks: u64,
    pub singles: u64,
    pub streaks_without_end: u64,
    pub repeated_ends: u64,
    pub late_lower_counts: u64,
    pub reconnects: u64,
    pub restarts: u64,
    pub history_messages: u64,
    pub missed_messages: u64,
    pub credits: u64,
    pub credited_gifts: u64,
    pub expected_gifts: u64,
    pub lost: u64,
    pub doubled: u64,
    pub duplicates: u64,
    pub capped_streaks: u64,
    /// `(unit, received, credited)` of the first gifts that came out wrong (for `SOAK_TRACE`).
    pub wrong_units: Vec<(usize, u32, u32)>,
    pub checkpoints: Vec<Checkpoint>,
    pub elapsed: Duration,
    pub peak_rss_kib: u64,
}

#[derive(Clone, Copy, Default)]
struct Truth {
    /// Highest count among the unit's messages the engine received (0: none).
    delivered: u32,
    credited: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    Up,
    /// Down until this stream time; then TikTok's history batch.
    Down {
        until: u64,
    },
    /// The app is closed until this stream time; then it starts from the files.
    Restarting {
        until: u64,
    },
}

#[derive(Clone, Copy)]
enum RestartKind {
    Clean,
    Crash,
    CrashMidWrite,
}

/// The app's side: one pipeline and its open room journal.
struct App {
    pipeline: Pipeline,
    journal: RoomJournal,
}

struct Soak<'a> {
    config: &'a SoakConfig,
    store: RoomStore,
    runtime: tokio::runtime::Runtime,
    epoch_millis: u64,
    rng: StdRng,
    truth: Vec<Truth>,
    /// `(deliver_at, order, message)`.
    scheduled: BinaryHeap<Reverse<(u64, u64, Msg)>>,
    order: u64,
    history: VecDeque<LiveEvent>,
    next_other_id: i64,
    out: Vec<Output>,
    observer: &'a mut dyn Observer,
    report: SoakReport,
    /// Units to trace on stderr (`SOAK_TRACE=12,345`).
    trace: Option<Vec<u32>>,
}

/// A scheduled gift message (kept small: the heap holds a few hundred).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Msg {
    unit: u32,
    n: u8,
    user_id: i64,
    count: u32,
    end: bool,
    streakable: bool,
    create_millis: u64,
}

/// Sees what the app hands on, in the session's order: each step's outputs once its journal entry
/// is written (with the engine clock, wall-clock ms), and the app's restarts.
pub trait Observer {
    fn outputs(&mut self, outputs: &[Output], clock_millis: u64);
    /// The app stopped and starts again (any kind of restart).
    fn restarted(&mut self) {}
}

impl Observer for () {
    fn outputs(&mut self, _: &[Output], _: u64) {}
}

pub fn run(config: &SoakConfig, dir: &Path) -> SoakReport {
    run_with(config, dir, &mut ())
}

/// [`run`], with `observer` shown what the app hands on.
pub fn run_with(config: &SoakConfig, dir: &Path, observer: &mut dyn Observer) -> SoakReport {
    let started = Instant::now();
    let epoch_millis = u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let mut soak = Soak {
        config,
        store: RoomStore::new(dir).with_compact_bytes(config.compact_bytes),
        runtime: tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
        epoch_millis,
        rng: StdRng::seed_from_u64(config.seed),
        truth: Vec::with_capacity(config.gifts + 16),
        scheduled: BinaryHeap::new(),
        order: 0,
        history: VecDeque::with_capacity(config.history_len + 1),
        next_other_id: OTHER_IDS,
        out: Vec::new(),
        observer,
        report: SoakReport::default(),
        trace: std::env::var("SOAK_TRACE")
            .ok()
            .map(|v| v.split(',').filter_map(|u| u.trim().parse().ok()).collect()),
    };
    soak.run();
    soak.report.elapsed = started.elapsed();
    soak.report.peak_rss_kib = proc_status_kib("VmHWM:");
    soak.report
}

impl Soak<'_> {
    fn run(&mut self) {
        let c = self.config.clone();
        let steps = c.stream_millis / c.step_millis;
        // Drops and restarts at distinct random steps, away from the very start and end.
        let mut events: Vec<(u64, bool)> = Vec::new();
        while events.len() < c.reconnects + c.restarts {
            let step = self.rng.random_range(steps / 20..steps - steps / 20);
            if events.iter().all(|(s, _)| s.abs_diff(step) > 200) {
                events.push((step, false));
            }
        }
        for e in events.iter_mut().take(c.restarts) {
            e.1 = true;
        }
        events.sort_unstable();
        let mut restarts = 0;
        let mut app = Some(self.open_app());
        let mut link = Link::Up;
        self.reconnect(app.as_mut().unwrap(), 0);
        let checkpoint_every = (steps / c.checkpoints.max(1) as u64).max(1);
        for step in 1..=steps {
            let now = step * c.step_millis;
            // Exactly `gifts` gifts, spread over the stream.
            let due = usize::try_from(step * c.gifts as u64 / steps).unwrap();
            while self.truth.len() < due {
                self.start_gift(now);
            }
            let frame = self.frame(now);
            if let Some(&(at, restart)) = events.first()
                && at == step
            {
                events.remove(0);
                // Half the drops are short enough for the history batch to overlap what was
                // already received (the duplicates that must not count), half are long.
                let gap = if restart {
                    self.rng.random_range(2_000..20_000)
                } else if self.rng.random_bool(0.5) {
                    self.rng.random_range(300..2_000)
                } else {
                    self.rng.random_range(2_000..30_000)
                };
                if self.trace.is_some() {
                    eprintln!(
                        "t={now} {} for {gap} ms",
                        if restart { "restart" } else { "drop" }
                    );
                }
                if restart {
                    let kind = [
                        RestartKind::Clean,
                        RestartKind::Crash,
                        RestartKind::CrashMidWrite,
                    ][restarts % 3];
                    restarts += 1;
                    self.stop_app(app.take().unwrap(), kind, &frame, now);
                    self.observer.restarted();
                    self.report.restarts += 1;
                    link = Link::Restarting { until: now + gap };
                } else {
                    self.report.reconnects += 1;
                    link = Link::Down { until: now + gap };
                }
                self.report.missed_messages += frame.len() as u64;
                continue;
            }
            match link {
                Link::Up => {
                    let app = app.as_mut().unwrap();
                    self.deliver(app, frame, now);
                }
                Link::Down { until } | Link::Restarting { until } => {
                    self.report.missed_messages += frame.len() as u64;
                    if now >= until {
                        if matches!(link, Link::Restarting { .. }) {
                            app = Some(self.open_app());
                        }
                        self.reconnect(app.as_mut().unwrap(), now);
                        link = Link::Up;
                    }
                }
            }
            if now.is_multiple_of(TICK_MILLIS)
                && let Some(app) = app.as_mut()
            {
                app.pipeline.tick(self.wall(now), &mut self.out);
                self.commit_and_account(app);
            }
            if step % checkpoint_every == 0
                && let Some(app) = app.as_ref()
            {
                self.checkpoint(app, now);
            }
        }
        // The stream ends: open streaks are credited, and the room's memory is deleted.
        let mut app = app.expect("the app runs at the end");
        app.pipeline.finish(&mut self.out);
        self.commit_and_account(&mut app);
        self.add_stats(&app);
        app.journal.forget().unwrap();
        for (unit, truth) in self.truth.iter().enumerate() {
            if truth.delivered != truth.credited && self.report.wrong_units.len() < 10 {
                self.report
                    .wrong_units
                    .push((unit, truth.delivered, truth.credited));
            }
            self.report.expected_gifts += u64::from(truth.delivered);
            self.report.credited_gifts += u64::from(truth.credited);
            self.report.lost += u64::from(truth.delivered.saturating_sub(truth.credited));
            self.report.doubled += u64::from(truth.credited.saturating_sub(truth.delivered));
        }
    }

    fn add_stats(&mut self, app: &App) {
        let stats = app.pipeline.stats();
        self.report.duplicates += stats.duplicates;
        self.report.capped_streaks += stats.capped_streaks;
    }

    fn wall(&self, stream_millis: u64) -> u64 {
        self.epoch_millis + stream_millis
    }

    fn open_app(&mut self) -> App {
        let mut pipeline = Pipeline::new(self.config.engine.clone(), MappingTable::default());
        let lease = self.runtime.block_on(self.store.lease(ROOM));
        let mut warnings = Vec::new();
        let now = UNIX_EPOCH + Duration::from_millis(self.epoch_millis);
        let journal = self
            .store
            .open(ROOM, lease, &mut pipeline, now, &mut warnings)
            .expect("the room opens");
        assert!(warnings.is_empty(), "{warnings:?}");
        App { pipeline, journal }
    }

    fn stop_app(&mut self, mut app: App, kind: RestartKind, frame: &[LiveEvent], now: u64) {
        self.add_stats(&app);
        match kind {
            RestartKind::Clean => {
                // Disconnect / window closed: open streaks are credited, the journal folded.
                app.pipeline.finish(&mut self.out);
                self.commit_and_account(&mut app);
                app.journal.close(&mut app.pipeline).unwrap();
            }
            RestartKind::Crash => drop(app),
            RestartKind::CrashMidWrite => {
                // The process dies while this frame's step is written: the step's outputs never
                // left, and its line is torn in half.
                let mut pipeline = app.pipeline;
                let batch = batch(frame.to_vec());
                pipeline.ingest_batch(batch, self.wall(now), &mut Vec::new());
                let entry = pipeline
                    .take_journal()
                    .expect("the frame changed something");
                let line = serde_json::to_vec(&entry).unwrap();
                drop(app.journal);
                let mut file = OpenOptions::new()
                    .append(true)
                    .open(self.store.journal_path(ROOM))
                    .unwrap();
                file.write_all(&line[..line.len() / 2]).unwrap();
            }
        }
    }

    /// TikTok's recent history, newest first, as every (re)connect starts with.
    fn reconnect(&mut self, app: &mut App, now: u64) {
        let history: Vec<LiveEvent> = self.history.iter().rev().cloned().collect();
        self.report.history_messages += history.len() as u64;
        self.deliver(app, history, now);
    }

    /// Ingest, journal, and only then count the credits as handed on (the session's order).
    fn deliver(&mut self, app: &mut App, events: Vec<LiveEvent>, now: u64) {
        let gifts: Vec<(u32, u32)> = events
            .iter()
            .filter_map(|e| match e {
                LiveEvent::Gift(g) => Some((unit_of(g.msg_id)?, g.repeat_count.max(1))),
                _ => None,
            })
            .collect();
        if let Some(trace) = &self.trace {
            for e in &events {
                if let LiveEvent::Gift(g) = e
                    && unit_of(g.msg_id).is_some_and(|u| trace.contains(&u))
                {
                    eprintln!(
                        "t={now} deliver id={} count={} end={} created={}",
                        g.msg_id,
                        g.repeat_count,
                        g.repeat_end,
                        g.create_time_millis - i64::try_from(self.epoch_millis).unwrap()
                    );
                }
            }
        }
        app.pipeline
            .ingest_batch(batch(events), self.wall(now), &mut self.out);
        self.commit_and_account(app);
        for (unit, count) in gifts {
            let truth = &mut self.truth[unit as usize];
            truth.delivered = truth.delivered.max(count);
        }
    }

    fn commit_and_account(&mut self, app: &mut App) {
        app.journal
            .commit(&mut app.pipeline)
            .expect("journal write");
        self.observer
            .outputs(&self.out, app.pipeline.clock_millis());
        for output in self.out.drain(..) {
            if let Output::Credit(d) = output {
                self.report.credits += 1;
                let unit = unit_of(d.gift.msg_id).expect("credits are gifts");
                if self.trace.as_ref().is_some_and(|t| t.contains(&unit)) {
                    eprintln!(
                        "credit id={} count={} {:?}",
                        d.gift.msg_id, d.gift.count, d.gift.ended_by
                    );
                }
                self.truth[unit as usize].credited += d.gift.count;
            }
        }
    }

    /// The messages TikTok sends in this step: due gift messages and chat, likes, joins.
    fn frame(&mut self, now: u64) -> Vec<LiveEvent> {
        let mut frame = Vec::with_capacity(self.config.others_per_step + 4);
        while let Some(Reverse((at, _, msg))) = self.scheduled.peek().copied() {
            if at > now {
                break;
            }
            self.scheduled.pop();
            frame.push(LiveEvent::Gift(self.gift_message(msg)));
            self.report.gift_messages += 1;
        }
        for _ in 0..self.config.others_per_step {
            let msg_id = self.next_other_id;
            self.next_other_id += 1;
            let user = User {
                user_id: self.rng.random_range(1..20_000),
                ..User::default()
            };
            let create_time_millis = i64::try_from(self.wall(now)).unwrap();
            frame.push(match msg_id % 3 {
                0 => LiveEvent::Chat {
                    msg_id,
                    user,
                    text: String::new(),
                    create_time_millis,
                },
                1 => LiveEvent::Like {
                    msg_id,
                    user,
                    count: 1,
                    total: msg_id,
                    create_time_millis,
                },
                _ => LiveEvent::Member {
                    msg_id,
                    user,
                    action: 1,
                    create_time_millis,
                },
            });
        }
        self.report.messages += frame.len() as u64;
        for event in &frame {
            if self.history.len() == self.config.history_len {
                self.history.pop_front();
            }
            self.history.push_back(event.clone());
        }
        frame
    }

    fn gift_message(&self, msg: Msg) -> GiftMessage {
        GiftMessage {
            msg_id: i64::from(msg.unit) * UNIT_IDS + i64::from(msg.n),
            user: User {
                user_id: msg.user_id,
                ..User::default()
            },
            gift_id: if msg.streakable { 5655 } else { 6369 },
            gift_name: if msg.streakable { "Rose" } else { "Lion" }.into(),
            diamonds: 1,
            streakable: msg.streakable,
            repeat_count: msg.count,
            repeat_end: msg.end,
            group_id: i64::from(msg.unit) + 1,
            create_time_millis: i64::try_from(self.wall(msg.create_millis)).unwrap(),
            image_url: None,
        }
    }

    fn schedule(&mut self, deliver_at: u64, msg: Msg) {
        self.order += 1;
        self.scheduled.push(Reverse((deliver_at, self.order, msg)));
    }

    /// A viewer starts a gift now: a streak (its updates, usually an end, sometimes a repeated
    /// end or a late lower count) or a single gift.
    fn start_gift(&mut self, now: u64) {
        let unit = u32::try_from(self.truth.len()).unwrap();
        self.truth.push(Truth::default());
        let user_id = self.rng.random_range(1..5_000);
        let mut msg = Msg {
            unit,
            n: 0,
            user_id,
            count: 1,
            end: false,
            streakable: false,
            create_millis: now,
        };
        if self.rng.random_bool(0.3) {
            self.report.singles += 1;
            self.schedule(now, msg);
            return;
        }
        self.report.streaks += 1;
        msg.streakable = true;
        let total: u32 = if self.rng.random_bool(0.2) {
            self.rng.random_range(10..=40)
        } else {
            self.rng.random_range(1..=9)
        };
        let mut t = now;
        // When the streak reached each count: a late copy of an update keeps its create time.
        let mut reached = Vec::with_capacity(total as usize);
        for count in 1..=total {
            reached.push(t);
            if self.rng.random_bool(0.7) {
                msg.n += 1;
                self.schedule(
                    t,
                    Msg {
                        count,
                        create_millis: t,
                        ..msg
                    },
                );
            }
            t += self.rng.random_range(150..1_200);
        }
        if self.rng.random_bool(0.04) {
            self.report.streaks_without_end += 1;
            return;
        }
        msg.n += 1;
        let end = Msg {
            count: total,
            end: true,
            create_millis: t,
            ..msg
        };
        self.schedule(t, end);
        if self.rng.random_bool(0.03) {
            self.report.repeated_ends += 1;
            msg.n += 1;
            let again = self.rng.random_range(500..3_000);
            self.schedule(
                t + again,
                Msg {
                    create_millis: t + 50,
                    n: msg.n,
                    ..end
                },
            );
        }
        if total >= 2 && self.rng.random_bool(0.03) {
            // An update delivered again, late, under a new id (created when its count was reached).
            self.report.late_lower_counts += 1;
            msg.n += 1;
            let count = self.rng.random_range(1..total);
            let late = Msg {
                count,
                end: false,
                create_millis: reached[count as usize - 1],
                ..msg
            };
            let delay = self.rng.random_range(1_000..10_000);
            self.schedule(t + delay, late);
        }
    }

    fn checkpoint(&mut self, app: &App, now: u64) {
        let size = |p: std::path::PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
        self.report.checkpoints.push(Checkpoint {
            stream_millis: now,
            memory: app.pipeline.memory_size(),
            rss_kib: proc_status_kib("VmRSS:"),
            journal_bytes: size(self.store.journal_path(ROOM)),
            snapshot_bytes: size(self.store.snapshot_path(ROOM)),
        });
    }
}

fn batch(events: Vec<LiveEvent>) -> Batch {
    Batch {
        messages: u32::try_from(events.len()).unwrap(),
        events,
        ..Batch::default()
    }
}

fn unit_of(msg_id: i64) -> Option<u32> {
    (0..OTHER_IDS)
        .contains(&msg_id)
        .then(|| u32::try_from(msg_id / UNIT_IDS).ok())
        .flatten()
}

/// A figure from `/proc/self/status` in KiB (0 where there is none).
fn proc_status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

impl std::fmt::Display for SoakReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} messages ({} gift messages: {} streaks, {} singles; {} streaks without end, {} repeated ends, {} late lower counts)",
            self.messages,
            self.gift_messages,
            self.streaks,
            self.singles,
            self.streaks_without_end,
            self.repeated_ends,
            self.late_lower_counts
        )?;
        writeln!(
            f,
            "{} reconnects, {} restarts, {} history messages replayed, {} messages missed while down",
            self.reconnects, self.restarts, self.history_messages, self.missed_messages
        )?;
        writeln!(
            f,
            "{} credits = {} gifts credited of {} received; lost {}, doubled {}; {} duplicates dropped, {} capped",
            self.credits,
            self.credited_gifts,
            self.expected_gifts,
            self.lost,
            self.doubled,
            self.duplicates,
            self.capped_streaks
        )?;
        for c in &self.checkpoints {
            writeln!(
                f,
                "  at {:>5.2} h: rss {:>6} KiB; ids {:>6}, gift ids {:>6}, open {:>4}, finished {:>6}; journal {:>8} B, snapshot {:>8} B",
                c.stream_millis as f64 / 3_600_000.0,
                c.rss_kib,
                c.memory.message_ids,
                c.memory.gift_ids,
                c.memory.open_streaks,
                c.memory.finished_streaks,
                c.journal_bytes,
                c.snapshot_bytes
            )?;
        }
        if !self.wrong_units.is_empty() {
            writeln!(
                f,
                "wrong (unit, received, credited): {:?}",
                self.wrong_units
            )?;
        }
        write!(
            f,
            "took {:.1} s, peak RSS {} KiB",
            self.elapsed.as_secs_f64(),
            self.peak_rss_kib
        )
    }
}
