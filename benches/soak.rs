//! The soak: a simulated 6-hour stream on an accelerated clock through the real engine and the
//! real room store (files in a temp dir): ≥ 2 M messages, 50 k gifts, 20 reconnects with history
//! replays (newest first), 3 app restarts from the persisted state (clean, crash, crash in the
//! middle of a journal write). Checks 0 lost and 0 doubled credits and prints the memory each
//! simulated hour. Run: `cargo bench --bench soak`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "../tests/support/soak.rs"]
mod soak;

use std::process::ExitCode;

use soak::SoakConfig;

fn main() -> ExitCode {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = SoakConfig::six_hours(2026);
    let report = soak::run(&config, dir.path());
    println!("soak, simulated 6 h stream:\n{report}");
    let first_hour = report.checkpoints.get(1).map_or(0, |c| c.rss_kib);
    let last = report.checkpoints.last().map_or(0, |c| c.rss_kib);
    println!("rss after 1 h: {first_hour} KiB, at the end: {last} KiB");
    let ok = report.lost == 0
        && report.doubled == 0
        && report.messages >= 2_000_000
        && report.streaks + report.singles >= 50_000;
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("soak FAILED");
        ExitCode::FAILURE
    }
}
