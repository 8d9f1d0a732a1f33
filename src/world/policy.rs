//! The world awareness's decisions, as a pure state machine: from what one look at the world saw
//! (or that the look failed), whether the queue is held, how many deaths are new, and what to say
//! once. No I/O, no clock: the pollers (`java`, and any edition's event feed) drive it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::backoff::Backoff;

/// What the queue does while the streamer's player is dead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhileDead {
    /// Hold every action until the player respawns (Tiktok2Mc's behaviour: no TNT on the death
    /// screen).
    #[default]
    Pause,
    /// Go on as if nothing happened (deaths are still counted).
    KeepRunning,
}

/// The player as one look saw them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// On the server (dead or alive).
    pub online: bool,
    /// Online and not on the death screen.
    pub alive: bool,
    /// The `deathCount` score; `None` before the first death (Minecraft keeps no score then).
    pub deaths: Option<i64>,
}

/// The player's state as the policy knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Life {
    /// Nothing seen yet, or the last look failed.
    #[default]
    Unknown,
    /// Not on the server (a wrong name, or not joined yet).
    Offline,
    Alive,
    Dead,
}

/// Something to say once (the log, the window), not at every look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Died,
    Respawned,
    /// The player is not on the server: the name may be wrong.
    Offline,
    /// The world cannot be read (server down, RCON refused…); the queue follows its usual rules.
    Failing(String),
    /// Reading the world works again after a failure.
    Reading,
}

/// What to do after one look.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Step {
    /// Hold the queue.
    pub hold: bool,
    /// Deaths since the last look (a quick respawn between two looks still counts).
    pub new_deaths: u32,
    pub notice: Option<Notice>,
}

/// The state between looks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Watch {
    pub life: Life,
    /// The last `deathCount` seen (0 before the first death).
    deaths: Option<i64>,
    /// Failures in a row (for the pace of retries, and to say a failure once).
    failures: u32,
}

/// Looks at the world are at least this far apart.
pub const LOOK_EVERY: Duration = Duration::from_secs(1);

/// Retries after failed looks: never more than once a second, at most every 30 s.
pub const RETRY: Backoff = Backoff {
    first: Duration::from_secs(1),
    max: Duration::from_secs(30),
};

impl Watch {
    /// One successful look.
    pub fn seen(&mut self, seen: Seen, while_dead: WhileDead) -> Step {
        let recovered = self.failures > 0;
        self.failures = 0;
        let deaths = seen.deaths.unwrap_or(0);
        // The first look sets the baseline; a score that went down (reset by an operator) too.
        let new_deaths = match self.deaths {
            Some(before) if deaths > before => u32::try_from(deaths - before).unwrap_or(u32::MAX),
            _ => 0,
        };
        self.deaths = Some(deaths);
        let life = match (seen.online, seen.alive) {
            (false, _) => Life::Offline,
            (true, true) => Life::Alive,
            (true, false) => Life::Dead,
        };
        let before = std::mem::replace(&mut self.life, life);
        let notice = match (before, life) {
            (b, Life::Dead) if b != Life::Dead => Some(Notice::Died),
            (Life::Dead, Life::Alive) => Some(Notice::Respawned),
            (b, Life::Offline) if b != Life::Offline => Some(Notice::Offline),
            _ if new_deaths > 0 => Some(Notice::Died),
            _ if recovered => Some(Notice::Reading),
            _ => None,
        };
        Step {
            hold: life == Life::Dead && while_dead == WhileDead::Pause,
            new_deaths,
            notice,
        }
    }

    /// A look that failed: the queue is never held on a guess, and the failure is said once.
    pub fn failed(&mut self, reason: &str) -> Step {
        self.failures = self.failures.saturating_add(1);
        self.life = Life::Unknown;
        Step {
            hold: false,
            new_deaths: 0,
            notice: (self.failures == 1).then(|| Notice::Failing(reason.to_owned())),
        }
    }

    /// How long to wait before the next look (`unit` in `[0, 1)` for jitter).
    pub fn next_look_in(&self, unit: f64) -> Duration {
        match self.failures {
            0 => LOOK_EVERY,
            n => RETRY.delay(n - 1, unit).max(LOOK_EVERY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(online: bool, alive: bool, deaths: Option<i64>) -> Seen {
        Seen {
            online,
            alive,
            deaths,
        }
    }

    #[test]
    fn death_holds_the_queue_and_respawn_releases_it() {
        let mut w = Watch::default();
        let first = w.seen(seen(true, true, None), WhileDead::Pause);
        assert_eq!(first, Step::default(), "the first look is the baseline");
        let died = w.seen(seen(true, false, Some(1)), WhileDead::Pause);
        assert_eq!(
            died,
            Step {
                hold: true,
                new_deaths: 1,
                notice: Some(Notice::Died)
            }
        );
        // Still dead: still held, nothing new to say.
        let still = w.seen(seen(true, false, Some(1)), WhileDead::Pause);
        assert_eq!(
            (still.hold, still.new_deaths, still.notice),
            (true, 0, None)
        );
        let back = w.seen(seen(true, true, Some(1)), WhileDead::Pause);
        assert_eq!((back.hold, back.notice), (false, Some(Notice::Respawned)));
    }

    #[test]
    fn keep_running_counts_deaths_without_holding() {
        let mut w = Watch::default();
        w.seen(seen(true, true, Some(4)), WhileDead::KeepRunning);
        let died = w.seen(seen(true, false, Some(5)), WhileDead::KeepRunning);
        assert_eq!((died.hold, died.new_deaths), (false, 1));
    }

    #[test]
    fn a_quick_respawn_between_looks_still_counts_and_a_reset_score_is_a_new_baseline() {
        let mut w = Watch::default();
        w.seen(seen(true, true, Some(2)), WhileDead::Pause);
        let quick = w.seen(seen(true, true, Some(4)), WhileDead::Pause);
        assert_eq!(
            quick,
            Step {
                hold: false,
                new_deaths: 2,
                notice: Some(Notice::Died)
            }
        );
        let reset = w.seen(seen(true, true, Some(0)), WhileDead::Pause);
        assert_eq!(reset.new_deaths, 0);
        assert_eq!(
            w.seen(seen(true, true, Some(1)), WhileDead::Pause)
                .new_deaths,
            1
        );
    }

    #[test]
    fn an_offline_player_is_said_once_and_never_holds() {
        let mut w = Watch::default();
        let off = w.seen(seen(false, false, None), WhileDead::Pause);
        assert_eq!((off.hold, off.notice), (false, Some(Notice::Offline)));
        assert_eq!(
            w.seen(seen(false, false, None), WhileDead::Pause).notice,
            None
        );
    }

    #[test]
    fn a_failing_look_releases_the_queue_says_so_once_and_backs_off() {
        let mut w = Watch::default();
        w.seen(seen(true, false, Some(1)), WhileDead::Pause);
        assert_eq!(w.next_look_in(0.5), LOOK_EVERY);
        let first = w.failed("connection refused");
        assert_eq!(
            first,
            Step {
                hold: false,
                new_deaths: 0,
                notice: Some(Notice::Failing("connection refused".into()))
            }
        );
        assert_eq!(w.failed("connection refused").notice, None);
        assert_eq!(w.failed("connection refused").notice, None);
        assert!(w.next_look_in(0.5) > LOOK_EVERY, "retries slow down");
        for _ in 0..20 {
            w.failed("x");
        }
        assert_eq!(w.next_look_in(1.0), RETRY.max);
        // Back: the dead player holds the queue again, and the recovery is said.
        let back = w.seen(seen(true, false, Some(1)), WhileDead::Pause);
        assert_eq!((back.hold, back.new_deaths), (true, 0));
        assert_eq!(back.notice, Some(Notice::Died));
        let alive = w.seen(seen(true, true, Some(1)), WhileDead::Pause);
        assert_eq!(alive.notice, Some(Notice::Respawned));
        w.failed("x");
        let reading = w.seen(seen(true, true, Some(1)), WhileDead::Pause);
        assert_eq!(reading.notice, Some(Notice::Reading));
    }
}
