//! The live counters and the stream timer: one owner of the [`Counters`] and the [`StreamTimer`]
//! that counter and timer actions, the Minecraft world awareness (deaths, the player dead or
//! alive), the app's buttons and the goal overlays all go through, published as latest-value
//! state (a `watch`) for the overlay pages and the window, and saved to a file so every value
//! survives a restart ([`store`]). [`actions`] are the action JSON's `counter` and
//! `stream_timer` kinds.

pub mod actions;
pub mod store;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

use crate::counters::{CounterChange, CounterDef, CounterOp, Counters};
use crate::stream_timer::{StreamTimer, StreamTimerSettings, TimerOp};
pub use actions::{CounterAction, CounterActionError, StreamTimerAction, TimerControl};

/// The death counter's name (Tiktok2Mc's): a death adds 1.
pub const DEATHS: &str = "Deaths";
/// The win counter's name: a death takes 1, the stream timer reaching zero adds 1.
pub const WINS: &str = "Wins";

/// Everything the counters and the timer are, at one moment: what the pages and the window show,
/// and what is saved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CounterBoard {
    pub counters: Counters,
    pub timer: StreamTimer,
    pub timer_settings: StreamTimerSettings,
}

impl CounterBoard {
    /// The stream timer's time left at `now_millis`.
    pub fn remaining_millis(&self, now_millis: u64) -> u64 {
        self.timer.remaining(now_millis)
    }
}

/// A change made by hand (the app's buttons).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandChange {
    Counter {
        name: String,
        op: CounterOp,
    },
    Timer(TimerOp),
    /// Every counter to its start value, the timer stopped with a full round.
    ResetAll,
}

/// Why a counter change was not made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CounterError {
    #[error("there is no counter named {name:?} (counters: {known})")]
    NoSuchCounter { name: String, known: String },
}

/// The shared owner: cheap to clone, every method returns at once (a short lock, no I/O).
#[derive(Clone, Debug)]
pub struct CounterHub {
    board: Arc<watch::Sender<CounterBoard>>,
}

/// The wall clock in Unix milliseconds (the timer's clock).
pub fn wall_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A countdown as a clock shows it: `9:59`, `1:00:00` (seconds rounded up, so it shows 0:00 only
/// at zero).
pub fn clock_text(millis: u64) -> String {
    let seconds = millis.div_ceil(1000);
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

impl CounterHub {
    /// The counters `defs` and the timer, starting from `saved` values where there are some.
    pub fn new(defs: &[CounterDef], timer_settings: &StreamTimerSettings) -> Self {
        let board = CounterBoard {
            counters: Counters::new(defs),
            timer: StreamTimer::new(timer_settings),
            timer_settings: timer_settings.clone(),
        };
        Self {
            board: Arc::new(watch::Sender::new(board)),
        }
    }

    /// Takes saved values (a restart): counters keep their definitions from the settings.
    pub fn restore(&self, saved: store::Saved) {
        self.board.send_modify(|board| {
            let defs: Vec<CounterDef> = board.counters.iter().map(|c| c.def.clone()).collect();
            board.counters = saved.counters;
            board.counters.define(&defs);
            board.timer = saved.stream_timer;
            // Whether the player is dead is seen again by the world watch, not remembered.
            let settings = board.timer_settings.clone();
            board.timer.set_dead(false, &settings, wall_millis());
        });
    }

    /// New settings: counters added or removed (values kept), the timer's new rules.
    pub fn define(&self, defs: &[CounterDef], timer_settings: &StreamTimerSettings) {
        self.board.send_if_modified(|board| {
            let before = board.clone();
            board.counters.define(defs);
            board.timer_settings = timer_settings.clone();
            *board != before
        });
    }

    /// Changes counter `name`.
    pub fn apply(&self, name: &str, op: CounterOp) -> Result<CounterChange, CounterError> {
        // Overwritten by the closure, which always runs.
        let mut result = Err(CounterError::NoSuchCounter {
            name: name.trim().to_owned(),
            known: String::new(),
        });
        self.board.send_if_modified(|board| {
            result = board
                .counters
                .apply(name, op)
                .ok_or_else(|| CounterError::NoSuchCounter {
                    name: name.trim().to_owned(),
                    known: known_names(&board.counters),
                });
            matches!(result, Ok(change) if change.delta() != 0)
        });
        result
    }

    /// Changes the stream timer at `now_millis`; returns the wins it gave (added to [`WINS`]).
    pub fn timer_at(&self, op: TimerOp, now_millis: u64) -> u32 {
        self.change_timer(|timer, settings| timer.apply(op, settings, now_millis))
    }

    /// Changes the stream timer now.
    pub fn timer(&self, op: TimerOp) -> u32 {
        self.timer_at(op, wall_millis())
    }

    /// The timer reached zero? Called about every second; a win is counted once.
    pub fn tick_at(&self, now_millis: u64) -> u32 {
        let mut wins = 0;
        self.board.send_if_modified(|board| {
            wins = board.timer.tick(&board.timer_settings, now_millis);
            give_wins(board, wins);
            wins > 0
        });
        wins
    }

    /// `deaths` new deaths of the streamer's player: each adds 1 to [`DEATHS`] and takes 1 from
    /// [`WINS`] (counters that were removed from the settings are left out).
    pub fn deaths(&self, deaths: u32) {
        if deaths == 0 {
            return;
        }
        self.board.send_modify(|board| {
            board
                .counters
                .apply(DEATHS, CounterOp::Add(i64::from(deaths)));
            board
                .counters
                .apply(WINS, CounterOp::Subtract(i64::from(deaths)));
        });
    }

    /// The player is dead (`true`) or alive again: the timer stands still in between.
    pub fn set_dead_at(&self, dead: bool, now_millis: u64) {
        self.change_timer(|timer, settings| timer.set_dead(dead, settings, now_millis));
    }

    /// A change from the app's buttons.
    pub fn hand(&self, change: HandChange) -> Result<(), CounterError> {
        match change {
            HandChange::Counter { name, op } => self.apply(&name, op).map(|_| ()),
            HandChange::Timer(op) => {
                self.timer(op);
                Ok(())
            }
            HandChange::ResetAll => {
                self.reset_all();
                Ok(())
            }
        }
    }

    /// Every counter to its start value, the timer stopped with a full round.
    pub fn reset_all(&self) {
        self.board.send_modify(|board| {
            board.counters.reset_all();
            let settings = board.timer_settings.clone();
            board.timer.reset(&settings);
        });
    }

    fn change_timer(
        &self,
        change: impl FnOnce(&mut StreamTimer, &StreamTimerSettings) -> u32,
    ) -> u32 {
        let mut wins = 0;
        self.board.send_if_modified(|board| {
            let before = board.timer.clone();
            let settings = board.timer_settings.clone();
            wins = change(&mut board.timer, &settings);
            give_wins(board, wins);
            wins > 0 || board.timer != before
        });
        wins
    }

    /// The counters and the timer now.
    pub fn board(&self) -> CounterBoard {
        self.board.borrow().clone()
    }

    /// Every change from now on (the current value counts as seen).
    pub fn subscribe(&self) -> watch::Receiver<CounterBoard> {
        self.board.subscribe()
    }
}

fn give_wins(board: &mut CounterBoard, wins: u32) {
    if wins > 0 {
        board.counters.apply(WINS, CounterOp::Add(i64::from(wins)));
    }
}

fn known_names(counters: &Counters) -> String {
    let names: Vec<&str> = counters.iter().map(|c| c.def.name.as_str()).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::tiktok2mc_counters;

    const MIN: u64 = 60_000;

    fn hub() -> CounterHub {
        CounterHub::new(&tiktok2mc_counters(), &StreamTimerSettings::default())
    }

    #[test]
    fn a_death_adds_a_death_and_takes_a_win_and_zero_gives_one() {
        let hub = hub();
        let mut rx = hub.subscribe();
        hub.apply("wins", CounterOp::Add(2)).unwrap();
        assert!(rx.has_changed().unwrap());
        rx.mark_unchanged();
        hub.deaths(1);
        let board = rx.borrow_and_update().clone();
        assert_eq!(board.counters.value(DEATHS), Some(1));
        assert_eq!(board.counters.value(WINS), Some(1));
        hub.deaths(3);
        assert_eq!(hub.board().counters.value(WINS), Some(0), "never below 0");
        assert_eq!(hub.board().counters.value(DEATHS), Some(4));

        hub.timer_at(TimerOp::Start, 0);
        assert_eq!(hub.tick_at(5 * MIN), 0);
        assert_eq!(hub.tick_at(10 * MIN), 1);
        assert_eq!(hub.board().counters.value(WINS), Some(1));
    }

    #[test]
    fn the_timer_stands_still_while_dead_and_an_unknown_counter_is_named() {
        let hub = hub();
        hub.timer_at(TimerOp::Start, 0);
        hub.set_dead_at(true, MIN);
        assert_eq!(hub.tick_at(60 * MIN), 0);
        assert_eq!(hub.board().remaining_millis(60 * MIN), 9 * MIN);
        hub.set_dead_at(false, 60 * MIN);
        assert_eq!(hub.board().remaining_millis(61 * MIN), 8 * MIN);
        let err = hub.apply("Boss", CounterOp::Add(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "there is no counter named \"Boss\" (counters: Deaths, Wins)"
        );
        hub.reset_all();
        assert_eq!(hub.board().counters.value(DEATHS), Some(0));
        assert!(!hub.board().timer.started);
    }

    #[test]
    fn the_clock_reads_as_a_countdown() {
        assert_eq!(clock_text(0), "0:00");
        assert_eq!(clock_text(1), "0:01");
        assert_eq!(clock_text(600_000), "10:00");
        assert_eq!(clock_text(599_001), "10:00");
        assert_eq!(clock_text(3_600_000 + 61_000), "1:01:01");
    }

    #[test]
    fn restored_values_keep_the_settings_definitions() {
        let hub = hub();
        hub.apply("deaths", CounterOp::Set(7)).unwrap();
        hub.timer_at(TimerOp::Start, 0);
        hub.set_dead_at(true, 0);
        let saved = store::Saved::of(&hub.board());
        let next = CounterHub::new(
            &[CounterDef::named("Deaths"), CounterDef::named("Boss")],
            &StreamTimerSettings::default(),
        );
        next.restore(saved);
        let board = next.board();
        assert_eq!(board.counters.value("deaths"), Some(7));
        assert_eq!(board.counters.value("boss"), Some(0));
        assert_eq!(board.counters.value("wins"), None, "not in the settings");
        assert!(
            board.timer.started && board.timer.counting(),
            "not held until seen dead"
        );
    }
}
