//! The live gift feed: a bounded list of credited gifts (newest last), its filter and the session
//! totals. Rows are formatted once on arrival so a frame only lays out the handful of rows on
//! screen (drawn by `panels::feed` and `panels::totals`).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::event::{CreditedGift, EndedBy};

/// Rows kept; older rows fall off the top.
pub const FEED_CAPACITY: usize = 10_000;
/// Viewers remembered for the top-gifters board (bounded: the smallest are forgotten first).
const GIFTER_CAPACITY: usize = 20_000;
/// Entries on the top-gifters board.
pub const TOP_GIFTERS: usize = 5;

/// One credited gift, ready to draw.
#[derive(Clone, Debug)]
pub struct FeedRow {
    /// Increases by one per row ever pushed; lets the filter index survive rows falling off.
    pub seq: u64,
    pub time: String,
    pub nickname: String,
    pub handle: String,
    pub gift_name: String,
    pub gift_id: i64,
    pub diamonds: u32,
    pub count: u32,
    pub trigger: Option<String>,
    pub ended_by: EndedBy,
    /// Sent with the Test button, not by a viewer.
    pub test: bool,
    /// Lowercase "nickname handle gift" for the filter.
    search: String,
}

/// A viewer's running total for the board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gifter {
    pub user_id: i64,
    pub name: String,
    pub diamonds: u64,
}

/// The feed and the session totals.
#[derive(Debug, Default)]
pub struct Feed {
    rows: VecDeque<FeedRow>,
    next_seq: u64,
    /// Every credit received this session, kept or not.
    pub received: u64,
    /// Gifts (sum of counts) and diamonds from viewers this session (tests excluded).
    pub gifts_total: u64,
    pub diamonds_total: u64,
    gifters: HashMap<i64, Gifter>,
    top: Vec<Gifter>,
    /// The filter as typed, and the seqs of matching rows (oldest first) when it is non-empty.
    pub filter: String,
    applied_filter: String,
    filtered: VecDeque<u64>,
}

impl Feed {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn rows(&self) -> impl DoubleEndedIterator<Item = &FeedRow> {
        self.rows.iter()
    }

    pub fn top_gifters(&self) -> &[Gifter] {
        &self.top
    }

    /// Clears rows and totals (a new session starts).
    pub fn reset(&mut self) {
        let filter = std::mem::take(&mut self.filter);
        *self = Self {
            filter,
            next_seq: self.next_seq,
            ..Self::default()
        };
    }

    /// Adds a credited gift at the bottom, dropping the oldest row beyond [`FEED_CAPACITY`].
    pub fn push(&mut self, gift: &CreditedGift, test: bool) {
        self.push_at(gift, test, unix_millis());
    }

    pub fn push_at(&mut self, gift: &CreditedGift, test: bool, now_millis: u64) {
        self.received += 1;
        if !test {
            self.gifts_total += u64::from(gift.count);
            self.diamonds_total += gift.total_diamonds();
            self.credit_gifter(gift);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let handle = clean(&gift.unique_id, 40);
        let nickname = clean(&gift.nickname, 40);
        let gift_name = if gift.gift_name.trim().is_empty() {
            format!("gift #{}", gift.gift_id)
        } else {
            clean(&gift.gift_name, 40)
        };
        let search = format!("{nickname} {handle} {gift_name}").to_lowercase();
        let row = FeedRow {
            seq,
            time: super::clock::local_hms(UNIX_EPOCH + Duration::from_millis(now_millis)),
            nickname,
            handle,
            gift_name,
            gift_id: gift.gift_id,
            diamonds: gift.diamonds,
            count: gift.count,
            trigger: gift.trigger.clone(),
            ended_by: gift.ended_by,
            test,
            search,
        };
        if !self.applied_filter.is_empty() && row.search.contains(&self.applied_filter) {
            self.filtered.push_back(seq);
        }
        self.rows.push_back(row);
        while self.rows.len() > FEED_CAPACITY {
            self.rows.pop_front();
        }
        let first = self.rows.front().map_or(seq, |r| r.seq);
        while self.filtered.front().is_some_and(|&s| s < first) {
            self.filtered.pop_front();
        }
    }

    fn credit_gifter(&mut self, gift: &CreditedGift) {
        if !self.gifters.contains_key(&gift.user_id) && self.gifters.len() >= GIFTER_CAPACITY {
            // Forget the smallest gifter, unless they are on the board.
            if let Some(smallest) = self
                .gifters
                .values()
                .filter(|g| !self.top.iter().any(|t| t.user_id == g.user_id))
                .min_by_key(|g| g.diamonds)
                .map(|g| g.user_id)
            {
                self.gifters.remove(&smallest);
            }
        }
        let name = if gift.unique_id.is_empty() {
            clean(&gift.nickname, 40)
        } else {
            format!("@{}", clean(&gift.unique_id, 40))
        };
        let entry = self.gifters.entry(gift.user_id).or_insert(Gifter {
            user_id: gift.user_id,
            name,
            diamonds: 0,
        });
        entry.diamonds += gift.total_diamonds();
        let updated = entry.clone();
        // Totals only grow, so the board is kept by inserting or updating one entry.
        if let Some(slot) = self.top.iter_mut().find(|t| t.user_id == updated.user_id) {
            *slot = updated;
        } else {
            self.top.push(updated);
        }
        self.top.sort_by_key(|g| std::cmp::Reverse(g.diamonds));
        self.top.truncate(TOP_GIFTERS);
    }

    /// Re-indexes the filter when its text changed. O(rows) only on a change.
    pub fn apply_filter(&mut self) {
        let wanted = self.filter.trim().to_lowercase();
        if wanted == self.applied_filter {
            return;
        }
        self.applied_filter = wanted;
        self.filtered.clear();
        if !self.applied_filter.is_empty() {
            let needle = &self.applied_filter;
            self.filtered.extend(
                self.rows
                    .iter()
                    .filter(|r| r.search.contains(needle))
                    .map(|r| r.seq),
            );
        }
    }

    /// How many rows the view shows (all, or the filter's matches).
    pub fn visible_len(&self) -> usize {
        if self.applied_filter.is_empty() {
            self.rows.len()
        } else {
            self.filtered.len()
        }
    }

    /// The `index`th visible row.
    pub fn visible_row(&self, index: usize) -> Option<&FeedRow> {
        if self.applied_filter.is_empty() {
            return self.rows.get(index);
        }
        let seq = *self.filtered.get(index)?;
        let first = self.rows.front()?.seq;
        self.rows.get(usize::try_from(seq - first).ok()?)
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Viewer-controlled text made safe to draw on one line (see [`crate::text::one_line`]).
pub use crate::text::one_line as clean;

#[cfg(test)]
mod tests {
    use super::*;

    fn credit(user_id: i64, name: &str, gift: &str, diamonds: u32, count: u32) -> CreditedGift {
        CreditedGift {
            msg_id: 0,
            user_id,
            unique_id: name.to_lowercase(),
            nickname: name.into(),
            gift_id: 1,
            gift_name: gift.into(),
            diamonds,
            count,
            trigger: None,
            ended_by: EndedBy::StreakEnd,
            skipped: None,
        }
    }

    #[test]
    fn feed_is_bounded_and_totals_count_everything() {
        let mut feed = Feed::default();
        for i in 0..(FEED_CAPACITY as i64 + 500) {
            feed.push_at(&credit(i % 7, "v", "Rose", 1, 2), false, 0);
        }
        assert_eq!(feed.len(), FEED_CAPACITY);
        assert_eq!(feed.received, FEED_CAPACITY as u64 + 500);
        assert_eq!(feed.gifts_total, 2 * (FEED_CAPACITY as u64 + 500));
        assert_eq!(feed.rows().next().unwrap().seq, 500, "oldest rows dropped");
    }

    #[test]
    fn filter_matches_viewer_or_gift_and_survives_rows_falling_off() {
        let mut feed = Feed::default();
        feed.push_at(&credit(1, "Alice", "Rose", 1, 1), false, 0);
        feed.push_at(&credit(2, "Bob", "Lion", 29_999, 1), false, 0);
        feed.filter = "lion".into();
        feed.apply_filter();
        assert_eq!(feed.visible_len(), 1);
        assert_eq!(feed.visible_row(0).unwrap().nickname, "Bob");
        feed.push_at(&credit(3, "Lionel", "Rose", 1, 1), false, 0);
        assert_eq!(feed.visible_len(), 2, "new rows are matched on arrival");
        for _ in 0..FEED_CAPACITY {
            feed.push_at(&credit(4, "Carol", "Rose", 1, 1), false, 0);
        }
        assert_eq!(feed.visible_len(), 0, "matches that fell off are forgotten");
        assert!(feed.visible_row(0).is_none());
    }

    #[test]
    fn top_gifters_rank_by_diamonds_and_tests_do_not_count() {
        let mut feed = Feed::default();
        feed.push_at(&credit(1, "Alice", "Rose", 1, 10), false, 0);
        feed.push_at(&credit(2, "Bob", "Lion", 29_999, 1), false, 0);
        feed.push_at(&credit(1, "Alice", "Rose", 1, 5), false, 0);
        feed.push_at(&credit(3, "Tester", "Universe", 34_999, 1), true, 0);
        let top: Vec<_> = feed.top_gifters().iter().map(|g| g.diamonds).collect();
        assert_eq!(top, [29_999, 15]);
        assert_eq!(feed.diamonds_total, 29_999 + 15);
    }

    #[test]
    fn hostile_names_are_one_safe_line() {
        assert_eq!(clean("a\nb\u{202E}c\0", 10), "a bc");
        assert_eq!(clean("abcdef", 3), "abc…");
    }
}
