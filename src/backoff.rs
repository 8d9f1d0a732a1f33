//! Retry policy: exponential backoff with jitter, as pure functions (the caller supplies randomness).

use std::time::Duration;

/// A backoff policy: the first retry waits about `first`, each next one twice as long, never more
/// than `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The TikTok connection: first retry within a few seconds, capped at about a minute.
    pub const LIVE: Self = Self {
        first: Duration::from_secs(2),
        max: Duration::from_secs(60),
    };
    /// The RCON connection: quick first retry, capped at 30 s.
    pub const RCON: Self = Self {
        first: Duration::from_millis(500),
        max: Duration::from_secs(30),
    };

    /// The delay before retry number `attempt` (0 = the first retry), without jitter.
    pub fn base_delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }

    /// The delay with jitter: `unit` in `[0, 1)` spreads it over 75 %..125 % of the base delay,
    /// still never above `max`, so many clients do not retry in lockstep.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let scale = 0.75 + unit * 0.5;
        self.base_delay(attempt).mul_f64(scale).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_first_and_caps_at_max() {
        let b = Backoff::LIVE;
        let secs: Vec<u64> = (0..8).map(|a| b.base_delay(a).as_secs()).collect();
        assert_eq!(secs, [2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(b.base_delay(u32::MAX), b.max);
    }

    #[test]
    fn jitter_stays_within_a_quarter_and_below_max() {
        let b = Backoff::LIVE;
        assert_eq!(b.delay(0, 0.0), Duration::from_millis(1500));
        assert_eq!(b.delay(0, 1.0), Duration::from_millis(2500));
        assert_eq!(b.delay(10, 1.0), b.max);
        assert_eq!(b.delay(0, f64::NAN), Duration::from_secs(2));
        assert!(
            b.delay(0, 0.99) < Duration::from_secs(3),
            "first retry within a few seconds"
        );
    }
}
