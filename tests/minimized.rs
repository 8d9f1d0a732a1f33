//! Issue 9, "a minimized window never stalls the connection": the desktop app connected to a
//! loopback fake TikTok streaming 1,000 gifts/s for 60 s (with one dropped connection and a
//! reconnect half way, so the status changes while nobody looks), while the UI never runs a frame
//! (a minimized window gets no repaints). The session must keep reading, acking and heartbeating,
//! every credited gift must reach the executor (and its command the RCON server), and once frames
//! run again the UI must catch up from latest-value state.
//!
//! Half way through, while the UI channel is long full, the room memory's next snapshot cannot be
//! written (its path has become a folder), so the session warns the streamer ("this session's
//! memory is no longer saved"). That warning must travel like every other message for the window:
//! it once waited for room in the UI channel, stalling the session and with it the acks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use giftdeck::mappings::{Action, Mapping};
use giftdeck::room_store::RoomStore;
use giftdeck::settings::{self, Settings};
use giftdeck::testkit::fake::{
    DEMO_GIFTS, DemoGift, FakeConfig, FakeTikTok, Recorded, Scenario, Step, gift,
};
use giftdeck::testkit::rcon::FakeRcon;
use giftdeck::ui::{AppOptions, Command, GiftdeckApp};

/// The stream: 10 batches of 100 gifts a second, 30 s per connection, two connections.
const BATCHES_PER_SECOND: u64 = 10;
const GIFTS_PER_BATCH: u64 = 100;
const SECONDS_PER_CONNECTION: u64 = 30;
const CONNECTIONS: u64 = 2;
const TOTAL_GIFTS: u64 =
    BATCHES_PER_SECOND * GIFTS_PER_BATCH * SECONDS_PER_CONNECTION * CONNECTIONS;
/// Every tenth gift is mapped to a command.
const MAPPED_EVERY: u64 = 10;
/// How often the test checks that acks and heartbeats keep coming while the UI sleeps.
const SAMPLE: Duration = Duration::from_secs(5);
/// Generous: the machine running tests may be busy building.
const CATCH_UP: Duration = Duration::from_secs(90);
/// When the room memory stops being writable: long after the UI channel filled (~8 s at
/// 1,000 gifts/s).
const BREAK_MEMORY_AFTER: Duration = Duration::from_secs(15);
/// The room journal is folded into its snapshot at this size: every few seconds in this stream
/// (~40 bytes a gift), so a snapshot is due soon after the memory broke.
const COMPACT_BYTES: u64 = 128 * 1024;

fn kind(name: &str) -> &'static DemoGift {
    DEMO_GIFTS.iter().find(|g| g.name == name).unwrap()
}

/// Gift `n` (1-based): a mapped Galaxy every tenth, an unmapped Universe otherwise; user ids
/// are unique so each command says which gift it came from.
fn nth_gift(n: u64) -> giftdeck::testkit::frames::MessageSpec {
    let name = if n.is_multiple_of(MAPPED_EVERY) {
        "Galaxy"
    } else {
        "Universe"
    };
    gift(n as i64, n as i64, "viewer", kind(name), 1, true)
}

fn connection_script(connection: u64) -> Vec<Step> {
    let mut steps = vec![Step::WaitForEnterRoom];
    let batches = BATCHES_PER_SECOND * SECONDS_PER_CONNECTION;
    for b in 0..batches {
        steps.push(Step::At(Duration::from_millis(
            b * 1000 / BATCHES_PER_SECOND + 200,
        )));
        let first = (connection * batches + b) * GIFTS_PER_BATCH + 1;
        steps.push(Step::Batch(
            (first..first + GIFTS_PER_BATCH).map(nth_gift).collect(),
        ));
    }
    if connection + 1 < CONNECTIONS {
        // Time for the last frame's ack, then the network blips.
        steps.push(Step::Sleep(Duration::from_millis(500)));
        steps.push(Step::DropTcp);
    } else {
        steps.push(Step::Silent);
    }
    steps
}

fn write_settings(path: &Path, rcon_port: u16, fake: &FakeTikTok) {
    let mut s = Settings::default();
    s.executor.gap_millis = 0;
    s.rcon = settings::RconConfig {
        host: "127.0.0.1".into(),
        port: rcon_port,
        password: "pw".into(),
    };
    s.connection.last_target = format!("@{}", fake.unique_id());
    s.connection.sign_url = fake.sign_url();
    s.connection.tiktok_url = fake.tiktok_url();
    s.connection.webcast_url = fake.webcast_url();
    s.mappings = vec![Mapping::new(
        "Galaxy",
        vec![Action::Command {
            command: "say {user}".into(),
            repeat: 1,
        }],
    )];
    settings::save_atomic(path, &s).unwrap();
}

fn acks(r: &Recorded) -> usize {
    r.connections.iter().map(|c| c.acks().len()).sum()
}

fn heartbeats(r: &Recorded) -> usize {
    r.connections.iter().map(|c| c.heartbeats().len()).sum()
}

fn frames_sent(r: &Recorded) -> usize {
    r.connections.iter().map(|c| c.sent_needing_ack.len()).sum()
}

/// Turns the room's snapshot path into a folder: the journal keeps appending, but the next
/// compaction cannot replace the snapshot, and the session warns that memory is no longer saved.
fn break_room_memory(rooms: &Path, room_id: &str) {
    assert!(
        rooms.join(format!("{room_id}.journal")).is_file(),
        "the room memory is open"
    );
    let snapshot = rooms.join(format!("{room_id}.json"));
    if snapshot.is_file() {
        std::fs::remove_file(&snapshot).unwrap();
    }
    std::fs::create_dir_all(snapshot.join("not-a-snapshot")).unwrap();
}

#[test]
fn a_ui_that_never_drains_for_60_s_stalls_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("minimized-rt")
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(FakeRcon::start("pw")).unwrap();
    let fake = rt
        .block_on(FakeTikTok::start(FakeConfig {
            // A heartbeat a second, so a stall shows within one sample.
            ping_interval: Some(Duration::from_secs(1)),
            ..FakeConfig::with_scenario(Scenario {
                connections: (0..CONNECTIONS).map(connection_script).collect(),
                ..Scenario::default()
            })
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    write_settings(&path, server.port(), &fake);
    let mut app = GiftdeckApp::new(AppOptions {
        settings_path: Some(path),
        runtime: rt.handle().clone(),
        demo: false,
        secrets: giftdeck::settings::SecretsHome::SettingsFile,
    });
    app.set_room_store(RoomStore::new(dir.path().join("rooms")).with_compact_bytes(COMPACT_BYTES));
    // The test reads English words: "auto" is English on any machine.
    giftdeck::i18n::assume_os_language(giftdeck::i18n::Lang::En);
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app);
    h.step();
    h.state_mut().command(Command::Connect);
    h.step();

    // From here on no frame runs: the window is minimized.
    let started = Instant::now();
    let (mut seen_acks, mut seen_beats) = (0, 0);
    let mut quiet_samples = 0;
    let mut memory_broken = false;
    loop {
        if !memory_broken && started.elapsed() >= BREAK_MEMORY_AFTER {
            break_room_memory(&dir.path().join("rooms"), &fake.room_id());
            memory_broken = true;
        }
        let sample = if memory_broken {
            SAMPLE
        } else {
            SAMPLE.min(
                BREAK_MEMORY_AFTER.saturating_sub(started.elapsed()) + Duration::from_millis(1),
            )
        };
        let (r, progressed) = rt.block_on(fake.wait_for(sample, |r| {
            acks(r) > seen_acks && heartbeats(r) > seen_beats
        }));
        let done = r.connections.len() as u64 == CONNECTIONS
            && frames_sent(&r) as u64 == CONNECTIONS * BATCHES_PER_SECOND * SECONDS_PER_CONNECTION;
        if done && acks(&r) == frames_sent(&r) {
            break;
        }
        // Between the drop and the reconnect (a 2 s backoff) no frame is acked, so one quiet
        // sample is allowed there; anything more is a stall.
        if !progressed && sample == SAMPLE {
            quiet_samples += 1;
        }
        assert!(
            quiet_samples <= 1,
            "no acks or heartbeats for {SAMPLE:?} at {:?} while the UI slept: {} acks, {} heartbeats, {} connections",
            started.elapsed(),
            acks(&r),
            heartbeats(&r),
            r.connections.len()
        );
        seen_acks = acks(&r);
        seen_beats = heartbeats(&r);
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the stream did not finish: {} of {} frames sent, {} acked",
            frames_sent(&r),
            CONNECTIONS * BATCHES_PER_SECOND * SECONDS_PER_CONNECTION,
            acks(&r)
        );
    }
    let slept = started.elapsed();
    assert!(slept >= Duration::from_secs(60), "{slept:?}");
    let r = fake.recorded();
    for (i, c) in r.connections.iter().enumerate() {
        assert_eq!(
            c.acks().len(),
            c.sent_needing_ack.len(),
            "connection {i}: every frame acked"
        );
        assert!(
            c.heartbeats().len() as u64 >= SECONDS_PER_CONNECTION - 3,
            "connection {i}: {} heartbeats in ~{SECONDS_PER_CONNECTION} s",
            c.heartbeats().len()
        );
    }

    // The executor got every credited gift while the UI slept: every mapped gift's command
    // reaches the server, in order, once.
    let want: Vec<String> = (1..=TOTAL_GIFTS)
        .filter(|n| n.is_multiple_of(MAPPED_EVERY))
        .map(|n| format!("say user{n}"))
        .collect();
    let deadline = Instant::now() + CATCH_UP;
    while server.commands().len() < want.len() {
        assert!(
            Instant::now() < deadline,
            "{} of {} commands ran",
            server.commands().len(),
            want.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.commands(), want);

    // Frames run again: the UI catches up.
    let deadline = Instant::now() + CATCH_UP;
    loop {
        h.step();
        let state = h.state().state();
        if state.conn.stats.credited == TOTAL_GIFTS
            && state.queue.done == want.len() as u64
            && state.backlog == 0
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the UI did not catch up: {} credited, {} done, backlog {}",
            state.conn.stats.credited,
            state.queue.done,
            state.backlog
        );
    }
    let state = h.state().state();
    assert_eq!(state.queue.dropped, 0);
    assert_eq!(state.queue.failed, 0);
    assert!(
        matches!(state.conn.status, giftdeck::live::ConnStatus::Live { .. }),
        "{:?}",
        state.conn.status
    );
    // The feed ends with the newest gift (the rows waiting in the router follow the channel's);
    // the older ones that did not fit are counted, not silently lost.
    let newest = format!("user{TOTAL_GIFTS}");
    let deadline = Instant::now() + CATCH_UP;
    loop {
        h.step();
        let feed = &h.state().state().feed;
        if feed
            .rows()
            .next_back()
            .is_some_and(|row| row.handle == newest)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the feed does not end with {newest}: {:?}",
            feed.rows().next_back().map(|row| &row.handle)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let state = h.state().state();
    let shown = state.feed.len() as u64;
    assert!(shown > 0);
    assert!(state.not_shown.feed_rows > 0, "the gap is counted");
    // The warning from the middle of the storm reached the streamer, though thousands of feed
    // rows were let go around it.
    assert!(memory_broken);
    let notices: Vec<&str> = h.state().notices().map(|n| n.text.as_str()).collect();
    assert!(
        notices.iter().any(|text| text.contains("no longer saved")),
        "the session's warning is shown: {notices:?}"
    );
    eprintln!(
        "minimized for {slept:?}: {TOTAL_GIFTS} gifts credited, {} commands run, feed rows skipped {}",
        want.len(),
        state.not_shown.feed_rows
    );
}
