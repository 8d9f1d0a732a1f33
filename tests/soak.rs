//! The soak, scaled down to run in CI in a few seconds: a simulated 40-minute stream with
//! reconnects, history replays and every kind of restart, on small memory bounds so they are
//! reached. The full 6-hour run is `cargo bench --bench soak`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/soak.rs"]
mod soak;

use soak::SoakConfig;

#[test]
fn a_simulated_stream_credits_every_gift_exactly_once_with_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let config = SoakConfig::ci(9);
    let report = soak::run(&config, dir.path());
    eprintln!("{report}");
    assert!(
        report.messages >= 75_000 && report.gift_messages >= 8_000,
        "{report}"
    );
    assert_eq!((report.reconnects, report.restarts), (6, 3));
    assert!(report.late_lower_counts > 0 && report.repeated_ends > 0);
    assert!(report.streaks_without_end > 0);
    assert!(report.expected_gifts > 10_000, "{report}");
    assert_eq!((report.lost, report.doubled), (0, 0), "{report}");
    assert!(report.duplicates > 0, "history replays were deduplicated");
    // Flat: past the warm-up, no part of the memory outgrows its bound.
    for c in &report.checkpoints[2..] {
        assert!(
            c.memory.message_ids <= 4_096 && c.memory.gift_ids <= 4_096,
            "{report}"
        );
        assert!(c.memory.finished_streaks < 1_000, "{report}");
        assert!(c.journal_bytes < 256 * 1024 + 64 * 1024, "{report}");
        assert!(c.snapshot_bytes < 1024 * 1024, "{report}");
    }
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "the stream ended: its memory was deleted"
    );
}
