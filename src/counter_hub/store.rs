//! The counters' and the stream timer's values on disk, so they survive a restart: one small JSON
//! file in the OS data dir (`counters.json`, beside the viewers' ledger), written atomically by a
//! task whenever the values change (never on the UI thread), read once at start. A file that
//! cannot be read is reported and left in place; the app starts from the settings' values.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{CounterBoard, CounterHub};
use crate::counters::Counters;
use crate::stream_timer::StreamTimer;

/// How often a running timer is checked for reaching zero.
pub const TICK_EVERY: Duration = Duration::from_millis(250);

/// What is saved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Saved {
    pub counters: Counters,
    pub stream_timer: StreamTimer,
}

impl Saved {
    pub fn of(board: &CounterBoard) -> Self {
        Self {
            counters: board.counters.clone(),
            stream_timer: board.timer.clone(),
        }
    }
}

/// Why the saved values could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read the saved counters at {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the saved counters at {path} are not readable JSON: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write the counters for {path} as JSON: {source}")]
    Encode {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot save the counters to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The saved values; `None` when nothing was saved yet.
pub fn load(path: &Path) -> Result<Option<Saved>, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| StoreError::Parse {
            path: path.to_owned(),
            source,
        })
}

/// Writes `saved` atomically (blocking: call off the UI thread, or on exit).
pub fn save(path: &Path, saved: &Saved) -> Result<(), StoreError> {
    let json = serde_json::to_vec_pretty(saved).map_err(|source| StoreError::Encode {
        path: path.to_owned(),
        source,
    })?;
    crate::paths::write_atomic(path, &json).map_err(|source| StoreError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Loads `path` into `hub` (an unreadable file is logged and returned; nothing is lost: the file
/// stays until the next change overwrites it).
pub fn restore(hub: &CounterHub, path: &Path) -> Result<(), StoreError> {
    match load(path) {
        Ok(Some(saved)) => {
            hub.restore(saved);
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(err) => {
            tracing::warn!(%err, "starting the counters from their settings");
            Err(err)
        }
    }
}

/// Saves `hub`'s values to `path` at start and after every change, until the hub is gone.
/// Changes that come while a write is under way are saved together by the next write.
pub async fn run_saver(hub: CounterHub, path: PathBuf) {
    let mut rx = hub.subscribe();
    drop(hub);
    // What the task starts with is saved too: a change made before it ran is not lost.
    rx.mark_changed();
    let mut last = None;
    while rx.changed().await.is_ok() {
        let saved = Saved::of(&rx.borrow_and_update());
        if last.as_ref() == Some(&saved) {
            continue;
        }
        let (at, next) = (path.clone(), saved.clone());
        match tokio::task::spawn_blocking(move || save(&at, &next)).await {
            Ok(Ok(())) => last = Some(saved),
            Ok(Err(err)) => tracing::warn!(%err, "counters not saved"),
            Err(err) => tracing::warn!(%err, "the counters' save task failed"),
        }
    }
}

/// Checks the stream timer for reaching zero every [`TICK_EVERY`] while it counts (a win is
/// counted then), and otherwise sleeps until the board changes, so a window with the timer
/// stopped is not woken four times a second. Ends when the hub's other clones are gone.
pub async fn run_ticker(hub: CounterHub) {
    let mut changes = hub.subscribe();
    // A weak handle: the task must not keep the hub alive, and the receiver's `changed` ends
    // with an error once the last clone is dropped.
    let board = std::sync::Arc::downgrade(&hub.board);
    drop(hub);
    let mut every = tokio::time::interval(TICK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let counting = changes.borrow_and_update().timer.counting();
        if counting {
            every.tick().await;
            let Some(board) = board.upgrade() else {
                return;
            };
            CounterHub { board }.tick_at(super::wall_millis());
        } else if changes.changed().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::{CounterOp, tiktok2mc_counters};
    use crate::stream_timer::{StreamTimerSettings, TimerOp};

    #[test]
    fn saved_values_come_back_and_a_broken_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("counters.json");
        assert!(load(&path).unwrap().is_none());
        let hub = CounterHub::new(&tiktok2mc_counters(), &StreamTimerSettings::default());
        hub.apply("deaths", CounterOp::Set(3)).unwrap();
        hub.timer(TimerOp::Start);
        save(&path, &Saved::of(&hub.board())).unwrap();
        let next = CounterHub::new(&tiktok2mc_counters(), &StreamTimerSettings::default());
        restore(&next, &path).unwrap();
        assert_eq!(next.board().counters.value("Deaths"), Some(3));
        assert!(next.board().timer.started);

        std::fs::write(&path, b"{not json").unwrap();
        let err = restore(&next, &path).unwrap_err();
        assert!(err.to_string().contains("not readable JSON"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"{not json");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_saver_writes_every_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("counters.json");
        let hub = CounterHub::new(&tiktok2mc_counters(), &StreamTimerSettings::default());
        let task = tokio::spawn(run_saver(hub.clone(), path.clone()));
        hub.apply("wins", CounterOp::Add(5)).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let saved = load(&path).ok().flatten();
            if saved.is_some_and(|s| s.counters.value("wins") == Some(5)) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "never saved");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        task.abort();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_ticker_counts_a_win_only_while_the_timer_counts_and_ends_with_the_hub() {
        let one_second = StreamTimerSettings {
            length_seconds: 1,
            ..StreamTimerSettings::default()
        };
        let hub = CounterHub::new(&tiktok2mc_counters(), &one_second);
        let ticker = tokio::spawn(run_ticker(hub.clone()));
        let wins = |hub: &CounterHub| hub.board().counters.value(super::super::WINS);
        let before = wins(&hub);
        // Stopped, the ticker waits for a change; a start is one.
        hub.timer(crate::stream_timer::TimerOp::Start);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while wins(&hub) == before {
            assert!(std::time::Instant::now() < deadline, "no win at zero");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        hub.timer(crate::stream_timer::TimerOp::Pause);
        assert!(
            !ticker.is_finished(),
            "the ticker ended while the hub lives"
        );
        drop(hub);
        tokio::time::timeout(Duration::from_secs(10), ticker)
            .await
            .expect("the ticker outlived the hub")
            .unwrap();
    }
}
