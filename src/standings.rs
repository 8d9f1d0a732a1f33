//! The viewers' points and levels as the ledger last committed them, in memory: what the
//! "level ≥ N" and "points ≥ N" audiences read while the engine decides a trigger, without
//! touching the database. The ledger's writer updates it after each commit (and fills it with the
//! best viewers when it opens); readers take a `watch` borrow for one map look-up, never waiting
//! for the disk. A leaf: imports nothing from the crate, so the engine can hold one.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::watch;

/// Most viewers kept. Past it the lowest totals are let go (they come back with their next
/// points); the writer fills it with the best viewers first.
pub const STANDINGS_CAPACITY: usize = 200_000;

/// The level a points total reaches: how many thresholds it is at or above (thresholds out of
/// order count as sorted). The one level rule: `ledger::Levels` uses it too.
pub fn level_for(thresholds: &[i64], points: i64) -> u32 {
    let reached = thresholds.iter().filter(|&&t| points >= t).count();
    u32::try_from(reached).unwrap_or(u32::MAX)
}

/// What the watch holds (read through [`Standings`]).
#[derive(Debug, Default)]
pub struct Book {
    /// All-time points per TikTok user id.
    points: HashMap<i64, i64>,
    /// The level thresholds in use (`ledger.levels`).
    thresholds: Vec<i64>,
    /// Bumped on every change, so a page can tell a new value from the last.
    version: u64,
}

/// A shared handle on the viewers' standings: cheap to clone, every clone sees the same book.
#[derive(Clone, Debug)]
pub struct Standings(Arc<watch::Sender<Book>>);

impl Default for Standings {
    /// An empty book: nobody has points (a pipeline without a ledger).
    fn default() -> Self {
        Self(Arc::new(watch::Sender::new(Book::default())))
    }
}

impl Standings {
    pub fn new(thresholds: Vec<i64>) -> Self {
        let standings = Self::default();
        standings.set_levels(thresholds);
        standings
    }

    /// The viewer's all-time points (0 for a viewer the ledger has not credited, or let go).
    pub fn points(&self, user_id: i64) -> i64 {
        self.0.borrow().points.get(&user_id).copied().unwrap_or(0)
    }

    /// The viewer's level under the current thresholds.
    pub fn level(&self, user_id: i64) -> u32 {
        let book = self.0.borrow();
        let points = book.points.get(&user_id).copied().unwrap_or(0);
        level_for(&book.thresholds, points)
    }

    /// Points and level at once (one borrow).
    pub fn standing(&self, user_id: i64) -> (i64, u32) {
        let book = self.0.borrow();
        let points = book.points.get(&user_id).copied().unwrap_or(0);
        (points, level_for(&book.thresholds, points))
    }

    /// New level thresholds (the streamer edited `ledger.levels`).
    pub fn set_levels(&self, thresholds: Vec<i64>) {
        self.0.send_modify(|book| {
            book.thresholds = thresholds;
            book.version += 1;
        });
    }

    /// Viewers' new all-time totals (the writer, after a commit).
    pub fn record(&self, totals: &[(i64, i64)]) {
        if totals.is_empty() {
            return;
        }
        self.0.send_modify(|book| {
            for &(user_id, points) in totals {
                book.points.insert(user_id, points);
            }
            if book.points.len() > STANDINGS_CAPACITY {
                let_lowest_go(&mut book.points);
            }
            book.version += 1;
        });
    }

    /// Viewers known.
    pub fn len(&self) -> usize {
        self.0.borrow().points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A change counter: wakes whoever shows standings (a `!points` card, a board).
    pub fn subscribe(&self) -> watch::Receiver<Book> {
        self.0.subscribe()
    }
}

/// Keeps the best nine tenths of the capacity (by points), so letting go is rare.
fn let_lowest_go(points: &mut HashMap<i64, i64>) {
    let keep = STANDINGS_CAPACITY / 10 * 9;
    let mut values: Vec<i64> = points.values().copied().collect();
    let cut_at = values.len().saturating_sub(keep);
    let (_, &mut cut, _) = values.select_nth_unstable(cut_at);
    points.retain(|_, p| *p > cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_thresholds_and_their_changes() {
        let standings = Standings::new(vec![100, 250]);
        assert_eq!(standings.standing(7), (0, 0));
        standings.record(&[(7, 250), (8, 99)]);
        assert_eq!(standings.standing(7), (250, 2));
        assert_eq!(standings.level(8), 0);
        standings.set_levels(vec![50]);
        assert_eq!(standings.level(8), 1);
        assert_eq!(
            level_for(&[300, 100], 150),
            1,
            "out of order counts as sorted"
        );
    }

    #[test]
    fn clones_share_one_book() {
        let standings = Standings::default();
        let reader = standings.clone();
        standings.record(&[(1, 5)]);
        assert_eq!(reader.points(1), 5);
    }

    #[test]
    fn past_capacity_the_lowest_totals_go() {
        let standings = Standings::default();
        let totals: Vec<(i64, i64)> = (0..=STANDINGS_CAPACITY as i64).map(|i| (i, i)).collect();
        standings.record(&totals);
        assert!(standings.len() <= STANDINGS_CAPACITY / 10 * 9);
        assert_eq!(
            standings.points(STANDINGS_CAPACITY as i64),
            STANDINGS_CAPACITY as i64
        );
        assert_eq!(standings.points(0), 0, "the lowest was let go");
    }
}
