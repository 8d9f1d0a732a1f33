//! The subathon timer as a pure model: it starts with some time on the clock, credited coins,
//! follows, subscriptions (and, if set, shares and likes) add time at set rates, the streamer can
//! pause, resume and add time by hand, and it ends when the clock reaches zero. Times are wall-clock
//! milliseconds passed in, so the state saved while running (its end time) still means the same
//! after a restart: a crash or a closed app does not stop a subathon, it keeps counting down.
//! The app saves [`Subathon`] (JSON) in the viewers' ledger database's `state` table under
//! [`STATE_NAME`] whenever it changes.

use serde::{Deserialize, Serialize};

use crate::engine::Output;
use crate::goals::Metric;

/// Where the app saves the [`Subathon`].
pub const STATE_NAME: &str = "subathon";

/// How much time what viewers do adds (settings `subathon`). 0 turns a source off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubathonRates {
    /// Time on the clock at the start.
    pub start_millis: u64,
    /// Per coin of a credited gift.
    pub coin_millis: u64,
    pub follow_millis: u64,
    pub subscription_millis: u64,
    pub share_millis: u64,
    /// Per like.
    pub like_millis: u64,
    /// The clock never shows more than this (0: no cap); time past it is not kept.
    pub max_remaining_millis: u64,
}

impl Default for SubathonRates {
    fn default() -> Self {
        Self {
            start_millis: 60 * 60 * 1000,
            coin_millis: 10_000,
            follow_millis: 30_000,
            subscription_millis: 5 * 60 * 1000,
            share_millis: 0,
            like_millis: 0,
            max_remaining_millis: 0,
        }
    }
}

impl SubathonRates {
    /// The time one engine output adds.
    pub fn time_for(&self, output: &Output) -> u64 {
        [
            (Metric::Coins, self.coin_millis),
            (Metric::Follows, self.follow_millis),
            (Metric::Subscriptions, self.subscription_millis),
            (Metric::Shares, self.share_millis),
            (Metric::Likes, self.like_millis),
        ]
        .into_iter()
        .filter(|(_, rate)| *rate > 0)
        .map(|(metric, rate)| metric.amount(output).saturating_mul(rate))
        .fold(0, u64::saturating_add)
    }
}

/// Where the timer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Clock {
    /// Not started yet.
    Idle,
    /// Counting down to `ends_at_millis` (wall clock).
    Running {
        ends_at_millis: u64,
    },
    Paused {
        remaining_millis: u64,
    },
    /// Reached zero at `at_millis`.
    Ended {
        at_millis: u64,
    },
}

/// The timer: the saved state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subathon {
    pub clock: Clock,
    /// All the time added since the start (by viewers and by hand).
    pub added_millis: u64,
    pub started_at_millis: u64,
}

impl Default for Subathon {
    fn default() -> Self {
        Self {
            clock: Clock::Idle,
            added_millis: 0,
            started_at_millis: 0,
        }
    }
}

impl Subathon {
    /// Starts (or starts over) with `start_millis` on the clock.
    pub fn start(&mut self, start_millis: u64, now_millis: u64) {
        *self = Self {
            clock: Clock::Running {
                ends_at_millis: now_millis.saturating_add(start_millis),
            },
            added_millis: 0,
            started_at_millis: now_millis,
        };
    }

    /// Time left at `now_millis`.
    pub fn remaining(&self, now_millis: u64) -> u64 {
        match self.clock {
            Clock::Idle | Clock::Ended { .. } => 0,
            Clock::Running { ends_at_millis } => ends_at_millis.saturating_sub(now_millis),
            Clock::Paused { remaining_millis } => remaining_millis,
        }
    }

    /// Moves a running clock that reached zero to `Ended`; true when this call ended it.
    pub fn tick(&mut self, now_millis: u64) -> bool {
        if let Clock::Running { ends_at_millis } = self.clock
            && now_millis >= ends_at_millis
        {
            self.clock = Clock::Ended {
                at_millis: ends_at_millis,
            };
            return true;
        }
        false
    }

    pub fn pause(&mut self, now_millis: u64) {
        self.tick(now_millis);
        if let Clock::Running { ends_at_millis } = self.clock {
            self.clock = Clock::Paused {
                remaining_millis: ends_at_millis.saturating_sub(now_millis),
            };
        }
    }

    pub fn resume(&mut self, now_millis: u64) {
        if let Clock::Paused { remaining_millis } = self.clock {
            self.clock = Clock::Running {
                ends_at_millis: now_millis.saturating_add(remaining_millis),
            };
        }
    }

    /// Adds time (running or paused; an idle or ended timer takes none) within the cap; returns
    /// the time actually added.
    pub fn add(&mut self, millis: u64, max_remaining_millis: u64, now_millis: u64) -> u64 {
        self.tick(now_millis);
        let remaining = self.remaining(now_millis);
        let mut after = remaining.saturating_add(millis);
        if max_remaining_millis > 0 {
            after = after.min(max_remaining_millis.max(remaining));
        }
        let added = after - remaining;
        match &mut self.clock {
            Clock::Running { ends_at_millis } => {
                *ends_at_millis = ends_at_millis.saturating_add(added)
            }
            Clock::Paused { remaining_millis } => *remaining_millis = after,
            Clock::Idle | Clock::Ended { .. } => return 0,
        }
        self.added_millis = self.added_millis.saturating_add(added);
        added
    }

    /// Counts an engine output at the rates; returns the time it added.
    pub fn on_output(&mut self, output: &Output, rates: &SubathonRates, now_millis: u64) -> u64 {
        let millis = rates.time_for(output);
        if millis == 0 {
            return 0;
        }
        self.add(millis, rates.max_remaining_millis, now_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::MEMBER_SUBSCRIBED;
    use crate::testkit::outputs;

    const MIN: u64 = 60_000;

    fn coins(total: u32) -> Output {
        outputs::credit(1, &outputs::viewer(7, "anna"), total, 1)
    }

    fn sub() -> Output {
        outputs::member(3, &outputs::viewer(7, "anna"), MEMBER_SUBSCRIBED)
    }

    #[test]
    fn gifts_and_subs_add_time_at_their_rates() {
        let rates = SubathonRates {
            start_millis: 10 * MIN,
            coin_millis: 1_000,
            subscription_millis: 5 * MIN,
            ..SubathonRates::default()
        };
        let mut s = Subathon::default();
        assert_eq!(s.on_output(&coins(100), &rates, 0), 0, "idle takes no time");
        s.start(rates.start_millis, 1_000);
        assert_eq!(s.remaining(1_000 + MIN), 9 * MIN);
        assert_eq!(s.on_output(&coins(30), &rates, 1_000 + MIN), 30_000);
        assert_eq!(s.on_output(&sub(), &rates, 1_000 + MIN), 5 * MIN);
        assert_eq!(s.remaining(1_000 + MIN), 14 * MIN + 30_000);
        assert_eq!(s.added_millis, 5 * MIN + 30_000);
    }

    #[test]
    fn pause_stops_the_clock_and_resume_continues_it() {
        let mut s = Subathon::default();
        s.start(10 * MIN, 0);
        s.pause(4 * MIN);
        assert_eq!(s.remaining(100 * MIN), 6 * MIN, "paused: time stands still");
        assert_eq!(s.add(MIN, 0, 100 * MIN), MIN, "paused still takes time");
        s.resume(100 * MIN);
        assert_eq!(s.remaining(103 * MIN), 4 * MIN);
        assert!(!s.tick(106 * MIN) && s.tick(107 * MIN));
        assert_eq!(
            s.clock,
            Clock::Ended {
                at_millis: 107 * MIN
            }
        );
        assert_eq!(s.add(MIN, 0, 107 * MIN), 0, "an ended timer stays ended");
        s.resume(108 * MIN);
        assert_eq!(s.remaining(108 * MIN), 0);
    }

    #[test]
    fn the_cap_keeps_the_clock_below_its_maximum() {
        let mut s = Subathon::default();
        s.start(50 * MIN, 0);
        assert_eq!(s.add(20 * MIN, 60 * MIN, 0), 10 * MIN);
        assert_eq!(s.add(MIN, 60 * MIN, 0), 0);
        assert_eq!(s.add(MIN, 60 * MIN, MIN), MIN, "room again after a minute");
    }

    #[test]
    fn a_saved_running_timer_counts_down_while_the_app_is_closed() {
        let mut s = Subathon::default();
        s.start(60 * MIN, 0);
        s.add(5 * MIN, 0, 10 * MIN);
        let saved = serde_json::to_string(&s).unwrap();
        // The app is closed for 20 minutes, then starts again from the saved state.
        let restored: Subathon = serde_json::from_str(&saved).unwrap();
        assert_eq!(restored.remaining(30 * MIN), 35 * MIN);
        let mut paused = restored.clone();
        paused.pause(30 * MIN);
        let saved = serde_json::to_string(&paused).unwrap();
        let restored: Subathon = serde_json::from_str(&saved).unwrap();
        assert_eq!(
            restored.remaining(90 * MIN),
            35 * MIN,
            "a paused one does not"
        );
    }
}
