//! Room like counting for "every N likes" rules: from the room total that like messages carry, with
//! the first message's own likes counted (baseline = its total − its count), lower totals ignored,
//! and the number of N-blocks a jump crosses. Pure.

use serde::{Deserialize, Serialize};

/// Likes counted since giftdeck connected to a stream. Serializable so it survives a reconnect to the
/// same room (a reconnect must not re-fire blocks already crossed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikeCounter {
    /// Room total before the first like message we saw (`None` until one arrives).
    baseline: Option<i64>,
    /// Highest room total seen.
    highest: i64,
}

/// What one like message moved: counted likes before and after it, and the room total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LikeStep {
    pub counted_before: u64,
    pub counted_after: u64,
    pub room_total: i64,
}

impl LikeStep {
    /// How many blocks of `every` likes this step crossed (0 when `every` is 0).
    pub fn blocks_crossed(&self, every: u64) -> u64 {
        if every == 0 {
            return 0;
        }
        self.counted_after / every - self.counted_before / every
    }
}

impl LikeCounter {
    /// Feeds one like message (`count` likes in it, `total` = the room total it carries). Returns
    /// `None` when the message moves nothing: no total (0), or a total not above the highest seen
    /// (TikTok's totals arrive out of order now and then).
    pub fn on_like(&mut self, count: u32, total: i64) -> Option<LikeStep> {
        if total <= 0 {
            return None;
        }
        let baseline = match self.baseline {
            Some(baseline) => baseline,
            None => {
                // The first message's own likes count: they were sent after we connected.
                let baseline = total.saturating_sub(i64::from(count)).max(0);
                self.baseline = Some(baseline);
                self.highest = baseline;
                baseline
            }
        };
        if total <= self.highest {
            return None;
        }
        let before = self.highest;
        self.highest = total;
        Some(LikeStep {
            counted_before: u64::try_from(before - baseline).unwrap_or(0),
            counted_after: u64::try_from(total - baseline).unwrap_or(0),
            room_total: total,
        })
    }

    /// Likes counted so far.
    pub fn counted(&self) -> u64 {
        self.baseline
            .map_or(0, |b| u64::try_from(self.highest - b).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_message_sets_the_baseline_and_counts_its_own_likes() {
        let mut c = LikeCounter::default();
        let step = c.on_like(15, 1_000).unwrap();
        assert_eq!((step.counted_before, step.counted_after), (0, 15));
        assert_eq!(c.counted(), 15);
    }

    #[test]
    fn lower_and_equal_totals_are_ignored() {
        let mut c = LikeCounter::default();
        c.on_like(10, 500);
        assert!(c.on_like(5, 480).is_none());
        assert!(c.on_like(5, 500).is_none());
        let step = c.on_like(5, 520).unwrap();
        assert_eq!((step.counted_before, step.counted_after), (10, 30));
        assert!(c.on_like(1, 0).is_none(), "a message without a total");
    }

    #[test]
    fn one_jump_crosses_several_blocks() {
        let mut c = LikeCounter::default();
        let first = c.on_like(50, 50).unwrap();
        assert_eq!(first.blocks_crossed(100), 0);
        let jump = c.on_like(15, 370).unwrap();
        assert_eq!(
            jump.blocks_crossed(100),
            3,
            "50 → 370 crosses 100, 200, 300"
        );
        assert_eq!(jump.blocks_crossed(1_000), 0);
        assert_eq!(jump.blocks_crossed(0), 0);
        let exact = c.on_like(30, 400).unwrap();
        assert_eq!(
            exact.blocks_crossed(100),
            1,
            "reaching 400 exactly crosses it"
        );
    }
}
