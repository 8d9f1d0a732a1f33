//! Tiktok2Mc's stream timer as a pure model: a countdown of a set length that the streamer starts,
//! pauses and resumes, that actions add time to or take time from, that stands still while the
//! streamer's Minecraft player is dead, and that gives a win when it reaches zero (then starts a
//! new round, or stops, as the settings say). Times are wall-clock milliseconds passed in, so the
//! saved state means the same after a restart (a running timer kept counting while the app was
//! closed, as the subathon timer does). It differs from [`crate::subathon`] in its two reasons to
//! stand still (the streamer's pause, the player's death), in taking time away, and in its rounds.

use serde::{Deserialize, Serialize};

/// The stream timer's settings (`stream_timer` in settings.json).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamTimerSettings {
    /// A round's length: the time on the clock at a start or restart.
    pub length_seconds: u64,
    /// At zero: a win, then a new round at once (true) or the timer stops at 0 (false).
    pub restart_at_zero: bool,
    /// Stand still while the streamer's player is dead (Tiktok2Mc does).
    pub pause_while_dead: bool,
}

impl Default for StreamTimerSettings {
    fn default() -> Self {
        Self {
            length_seconds: 10 * 60,
            restart_at_zero: true,
            pause_while_dead: true,
        }
    }
}

impl StreamTimerSettings {
    pub fn length_millis(&self) -> u64 {
        self.length_seconds.saturating_mul(1000)
    }
}

/// What a timer action or a button does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerOp {
    AddMillis(u64),
    RemoveMillis(u64),
    /// Starts a stopped timer (a paused one resumes).
    Start,
    Pause,
    Resume,
    /// A fresh round: the full length on the clock, running.
    Restart,
}

/// The timer: the saved state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamTimer {
    /// Time left when `counting_since_millis` was set (or now, when it is not counting).
    pub remaining_millis: u64,
    /// Wall-clock time it started counting down from `remaining_millis`; `None`: standing still.
    pub counting_since_millis: Option<u64>,
    /// Started (and not stopped at zero): it counts unless paused or held.
    pub started: bool,
    /// Paused by the streamer (a button or an action).
    pub paused: bool,
    /// Held while the streamer's player is dead.
    pub held_while_dead: bool,
    /// Rounds that reached zero.
    pub rounds_won: u64,
}

impl StreamTimer {
    /// A stopped timer with a round's length on the clock.
    pub fn new(settings: &StreamTimerSettings) -> Self {
        Self {
            remaining_millis: settings.length_millis(),
            ..Self::default()
        }
    }

    /// Counting down right now.
    pub fn counting(&self) -> bool {
        self.started && !self.paused && !self.held_while_dead
    }

    /// Time left at `now_millis`.
    pub fn remaining(&self, now_millis: u64) -> u64 {
        match self.counting_since_millis {
            Some(since) => self
                .remaining_millis
                .saturating_sub(now_millis.saturating_sub(since)),
            None => self.remaining_millis,
        }
    }

    /// Takes the time passed into `remaining_millis` and restarts the count from `now_millis`
    /// when counting: every change goes through here first.
    fn settle(&mut self, now_millis: u64) {
        self.remaining_millis = self.remaining(now_millis);
        self.counting_since_millis = self.counting().then_some(now_millis);
    }

    /// Reaching zero: the number of wins it gave (0 or 1; a timer left running while the app was
    /// closed for several rounds gives one, not a burst of wins for time nobody watched).
    pub fn tick(&mut self, settings: &StreamTimerSettings, now_millis: u64) -> u32 {
        if !self.counting() || self.remaining(now_millis) > 0 {
            return 0;
        }
        self.rounds_won = self.rounds_won.saturating_add(1);
        if settings.restart_at_zero && settings.length_millis() > 0 {
            self.remaining_millis = settings.length_millis();
        } else {
            self.remaining_millis = 0;
            self.started = false;
            self.paused = false;
        }
        self.counting_since_millis = self.counting().then_some(now_millis);
        1
    }

    /// Applies `op`; returns the wins it gave (taking the last time away reaches zero).
    pub fn apply(&mut self, op: TimerOp, settings: &StreamTimerSettings, now_millis: u64) -> u32 {
        let wins = self.tick(settings, now_millis);
        self.settle(now_millis);
        match op {
            TimerOp::AddMillis(ms) => {
                self.remaining_millis = self.remaining_millis.saturating_add(ms);
            }
            TimerOp::RemoveMillis(ms) => {
                self.remaining_millis = self.remaining_millis.saturating_sub(ms);
            }
            TimerOp::Start | TimerOp::Resume => {
                if !self.started && self.remaining_millis == 0 {
                    self.remaining_millis = settings.length_millis();
                }
                self.started = true;
                self.paused = false;
            }
            TimerOp::Pause => self.paused = self.started,
            TimerOp::Restart => {
                self.remaining_millis = settings.length_millis();
                self.started = true;
                self.paused = false;
            }
        }
        self.counting_since_millis = self.counting().then_some(now_millis);
        wins + self.tick(settings, now_millis)
    }

    /// The player died (`true`) or respawned: the timer stands still in between, when the
    /// settings say so. Returns the wins reached before the hold.
    pub fn set_dead(&mut self, dead: bool, settings: &StreamTimerSettings, now_millis: u64) -> u32 {
        let wins = self.tick(settings, now_millis);
        self.settle(now_millis);
        self.held_while_dead = dead && settings.pause_while_dead;
        self.counting_since_millis = self.counting().then_some(now_millis);
        wins
    }

    /// Back to a stopped timer with a full round on the clock (the win count stays).
    pub fn reset(&mut self, settings: &StreamTimerSettings) {
        *self = Self {
            rounds_won: self.rounds_won,
            held_while_dead: self.held_while_dead,
            ..Self::new(settings)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    fn ten_minutes() -> StreamTimerSettings {
        StreamTimerSettings {
            length_seconds: 600,
            ..StreamTimerSettings::default()
        }
    }

    #[test]
    fn counts_down_pauses_and_resumes() {
        let s = ten_minutes();
        let mut t = StreamTimer::new(&s);
        assert_eq!(t.remaining(5 * MIN), 10 * MIN, "stopped until started");
        assert_eq!(t.apply(TimerOp::Start, &s, 0), 0);
        assert_eq!(t.remaining(3 * MIN), 7 * MIN);
        t.apply(TimerOp::Pause, &s, 3 * MIN);
        assert_eq!(t.remaining(50 * MIN), 7 * MIN);
        t.apply(TimerOp::Resume, &s, 50 * MIN);
        assert_eq!(t.remaining(51 * MIN), 6 * MIN);
        t.apply(TimerOp::AddMillis(2 * MIN), &s, 51 * MIN);
        t.apply(TimerOp::RemoveMillis(MIN), &s, 51 * MIN);
        assert_eq!(t.remaining(51 * MIN), 7 * MIN);
    }

    #[test]
    fn a_death_holds_the_clock_until_the_respawn_and_the_streamers_pause_is_kept() {
        let s = ten_minutes();
        let mut t = StreamTimer::new(&s);
        t.apply(TimerOp::Start, &s, 0);
        t.set_dead(true, &s, MIN);
        assert!(!t.counting());
        assert_eq!(t.remaining(5 * MIN), 9 * MIN);
        // Paused by hand while dead: the respawn does not start it again.
        t.apply(TimerOp::Pause, &s, 5 * MIN);
        t.set_dead(false, &s, 6 * MIN);
        assert_eq!(t.remaining(8 * MIN), 9 * MIN);
        t.apply(TimerOp::Resume, &s, 8 * MIN);
        assert_eq!(t.remaining(9 * MIN), 8 * MIN);
        let keep = StreamTimerSettings {
            pause_while_dead: false,
            ..s
        };
        t.set_dead(true, &keep, 9 * MIN);
        assert!(t.counting(), "set not to pause while dead");
    }

    #[test]
    fn zero_gives_one_win_and_a_new_round_or_stops() {
        let s = ten_minutes();
        let mut t = StreamTimer::new(&s);
        t.apply(TimerOp::Start, &s, 0);
        assert_eq!(t.tick(&s, 10 * MIN - 1), 0);
        assert_eq!(t.tick(&s, 10 * MIN), 1);
        assert_eq!(t.tick(&s, 10 * MIN), 0, "once");
        assert_eq!(t.remaining(11 * MIN), 9 * MIN, "a new round from zero");
        // Closed for an hour: one win, not six.
        assert_eq!(t.tick(&s, 70 * MIN), 1);
        assert_eq!(t.rounds_won, 2);
        // Taking the last time away is a win too.
        assert_eq!(t.apply(TimerOp::RemoveMillis(u64::MAX), &s, 70 * MIN), 1);
        let once = StreamTimerSettings {
            restart_at_zero: false,
            ..s
        };
        let mut t = StreamTimer::new(&once);
        t.apply(TimerOp::Start, &once, 0);
        assert_eq!(t.tick(&once, 11 * MIN), 1);
        assert!(!t.started && !t.counting());
        assert_eq!(t.remaining(20 * MIN), 0);
        assert_eq!(t.tick(&once, 30 * MIN), 0);
        t.apply(TimerOp::Start, &once, 30 * MIN);
        assert_eq!(
            t.remaining(30 * MIN),
            10 * MIN,
            "a start after zero is a new round"
        );
    }

    #[test]
    fn a_dead_player_never_reaches_zero_and_the_state_round_trips() {
        let s = ten_minutes();
        let mut t = StreamTimer::new(&s);
        t.apply(TimerOp::Start, &s, 0);
        t.set_dead(true, &s, 9 * MIN);
        assert_eq!(t.tick(&s, 60 * MIN), 0);
        let saved = serde_json::to_string(&t).unwrap();
        let mut back: StreamTimer = serde_json::from_str(&saved).unwrap();
        assert_eq!(back, t);
        back.set_dead(false, &s, 60 * MIN);
        assert_eq!(back.remaining(60 * MIN + 30_000), 30_000);
        back.apply(TimerOp::Restart, &s, 61 * MIN);
        assert_eq!(back.remaining(61 * MIN), 10 * MIN);
        back.reset(&s);
        assert!(!back.started);
        assert_eq!(back.remaining(99 * MIN), 10 * MIN);
        let old: StreamTimer = serde_json::from_str("{}").unwrap();
        assert_eq!(old, StreamTimer::default());
    }
}
