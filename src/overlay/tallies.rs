//! Session tallies the overlay pages show, as pure policies: the like goal (Tiktok2Mc's
//! behaviour when a goal is reached: reset, add a step, or multiply), the top gifters, and the
//! recent-events ticker. No I/O; the hub feeds them.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

// Keys are TikTok user ids, not viewer-chosen text: a fast seeded hasher is safe.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// What happens when the like goal is reached (Tiktok2Mc's `GoalMultiplier`: 0 reset, 1 step,
/// ≥ 2 multiply).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum GoalStep {
    /// Start again from 0 toward the same target (likes past the target carry over).
    Reset,
    /// The target grows by `step` likes.
    Add { step: u64 },
    /// The target is multiplied by `factor`.
    Multiply { factor: u32 },
}

impl GoalStep {
    /// Tiktok2Mc's `GoalMultiplier` number, with its initial goal as the step.
    pub fn from_tiktok2mc(multiplier: u32, initial_goal: u64) -> Self {
        match multiplier {
            0 => Self::Reset,
            1 => Self::Add { step: initial_goal },
            factor => Self::Multiply { factor },
        }
    }
}

/// Like-goal settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoalConfig {
    pub initial_target: u64,
    pub step: GoalStep,
}

impl Default for GoalConfig {
    fn default() -> Self {
        Self {
            initial_target: 1_000,
            step: GoalStep::Add { step: 1_000 },
        }
    }
}

/// The like goal's progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LikeGoal {
    /// Likes counted toward `target` (all session likes, except in `Reset` mode).
    pub likes: u64,
    pub target: u64,
    /// How many times the goal was reached this session.
    pub reached: u32,
    #[serde(skip)]
    step: GoalStep,
}

impl LikeGoal {
    pub fn new(config: GoalConfig) -> Self {
        Self {
            likes: 0,
            target: config.initial_target.max(1),
            reached: 0,
            step: config.step,
        }
    }

    /// Adds likes; returns how many goals this reached (a big batch can reach several). Closed
    /// forms for reset and step, so a huge like count costs no more than a small one.
    pub fn add_likes(&mut self, likes: u64) -> u32 {
        self.likes = self.likes.saturating_add(likes);
        if self.likes < self.target {
            return 0;
        }
        let reached: u64 = match self.step {
            GoalStep::Reset => {
                let reached = self.likes / self.target;
                self.likes %= self.target;
                reached
            }
            GoalStep::Add { step } => {
                let step = step.max(1);
                let reached = (self.likes - self.target) / step + 1;
                self.target = self.target.saturating_add(reached.saturating_mul(step));
                reached
            }
            GoalStep::Multiply { factor } => {
                let factor = u64::from(factor.max(2));
                let mut reached = 0;
                // At most 64 rounds: the target at least doubles each time.
                while self.likes >= self.target && self.target != u64::MAX {
                    self.target = self.target.saturating_mul(factor);
                    reached += 1;
                }
                reached
            }
        };
        let reached = u32::try_from(reached).unwrap_or(u32::MAX);
        self.reached = self.reached.saturating_add(reached);
        reached
    }
}

/// One viewer's gifting this session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gifter {
    pub user_id: i64,
    pub unique_id: String,
    pub nickname: String,
    pub diamonds: u64,
    pub gifts: u64,
}

/// Viewers whose session totals are remembered for a top-gifters board: a long stream can have
/// more distinct gifters than that, and the smallest of them never reach the board.
pub const GIFTER_CAPACITY: usize = 20_000;

/// Session totals per viewer (at most [`GIFTER_CAPACITY`]) and the top `size` of them, kept
/// sorted (most diamonds first; the earlier to get there first among equals).
#[derive(Debug)]
pub struct TopGifters {
    size: usize,
    capacity: usize,
    totals: HashMap<i64, Gifter>,
    top: Vec<Gifter>,
}

impl TopGifters {
    pub fn new(size: usize) -> Self {
        Self::with_capacity(size, GIFTER_CAPACITY)
    }

    /// A board of `size` that remembers at most `capacity` viewers' totals.
    pub fn with_capacity(size: usize, capacity: usize) -> Self {
        Self {
            size: size.max(1),
            capacity: capacity.max(size.max(1)),
            totals: HashMap::default(),
            top: Vec::new(),
        }
    }

    /// Viewers whose totals are remembered.
    pub fn tracked(&self) -> usize {
        self.totals.len()
    }

    pub fn top(&self) -> &[Gifter] {
        &self.top
    }

    /// Keeps the top `size` from now on (`overlays.top_size` edited): a smaller board drops its
    /// last places, a bigger one fills up from the remembered totals (those already on the board
    /// keep their order among equals). True when the list changed.
    pub fn set_size(&mut self, size: usize) -> bool {
        let size = size.max(1);
        let before = self.top.len();
        self.size = size;
        self.capacity = self.capacity.max(size);
        if size <= before {
            self.top.truncate(size);
            return self.top.len() != before;
        }
        let mut others: Vec<Gifter> = (self.totals.values())
            .filter(|g| !self.top.iter().any(|t| t.user_id == g.user_id))
            .cloned()
            .collect();
        others.sort_by_key(|g| (std::cmp::Reverse(g.diamonds), g.user_id));
        self.top.extend(others);
        // Stable: the board's own come first among equal totals.
        self.top.sort_by_key(|g| std::cmp::Reverse(g.diamonds));
        self.top.truncate(size);
        self.top.len() != before
    }

    /// Counts a credited gift. Returns true when the top list changed.
    pub fn add(
        &mut self,
        user_id: i64,
        unique_id: &str,
        nickname: &str,
        diamonds: u64,
        gifts: u64,
    ) -> bool {
        if !self.totals.contains_key(&user_id) && self.totals.len() >= self.capacity {
            let top = &self.top;
            forget_smallest(
                &mut self.totals,
                |id| top.iter().any(|g| g.user_id == id),
                |g| g.diamonds,
            );
        }
        let entry = self.totals.entry(user_id).or_insert_with(|| Gifter {
            user_id,
            unique_id: String::new(),
            nickname: String::new(),
            diamonds: 0,
            gifts: 0,
        });
        entry.unique_id = unique_id.to_owned();
        entry.nickname = nickname.to_owned();
        entry.diamonds = entry.diamonds.saturating_add(diamonds);
        entry.gifts = entry.gifts.saturating_add(gifts);
        let updated = entry.clone();
        // Totals only grow, so a viewer enters the list only by passing its last place.
        if let Some(pos) = self.top.iter().position(|g| g.user_id == user_id) {
            self.top[pos] = updated;
        } else if self.top.len() < self.size
            || self
                .top
                .last()
                .is_some_and(|last| updated.diamonds > last.diamonds)
        {
            self.top.push(updated);
        } else {
            return false;
        }
        // Stable sort: among equal totals, whoever got there first stays ahead.
        self.top.sort_by_key(|g| std::cmp::Reverse(g.diamonds));
        self.top.truncate(self.size);
        true
    }
}

/// Forgets the viewer with the smallest total (by `total`) that is not `kept` (on a board): how a
/// per-viewer tally stays within its capacity. O(viewers), and only when a new viewer arrives at
/// a full tally.
pub(crate) fn forget_smallest<V, S: std::hash::BuildHasher>(
    totals: &mut std::collections::HashMap<i64, V, S>,
    kept: impl Fn(i64) -> bool,
    total: impl Fn(&V) -> u64,
) {
    let smallest = totals
        .iter()
        .filter(|(id, _)| !kept(**id))
        .min_by_key(|(_, v)| total(v))
        .map(|(id, _)| *id);
    if let Some(id) = smallest {
        totals.remove(&id);
    }
}

/// The last `size` items, newest first.
#[derive(Debug)]
pub struct Recent<T> {
    size: usize,
    items: VecDeque<T>,
}

impl<T> Recent<T> {
    pub fn new(size: usize) -> Self {
        Self {
            size: size.max(1),
            items: VecDeque::new(),
        }
    }

    pub fn push(&mut self, item: T) {
        if self.items.len() == self.size {
            self.items.pop_back();
        }
        self.items.push_front(item);
    }

    pub fn items(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }

    /// Keeps the last `size` from now on (the oldest beyond it go at once). True when any went.
    pub fn set_size(&mut self, size: usize) -> bool {
        self.size = size.max(1);
        let before = self.items.len();
        self.items.truncate(self.size);
        self.items.len() != before
    }

    /// Keeps the items `keep` accepts; true when any went.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) -> bool {
        let before = self.items.len();
        self.items.retain(keep);
        self.items.len() != before
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal(initial: u64, step: GoalStep) -> LikeGoal {
        LikeGoal::new(GoalConfig {
            initial_target: initial,
            step,
        })
    }

    #[test]
    fn the_top_resized_drops_its_last_places_and_fills_up_again_from_the_totals() {
        let mut top = TopGifters::new(3);
        for (id, diamonds) in [(1, 50), (2, 500), (3, 50), (4, 5), (5, 900)] {
            top.add(id, &format!("v{id}"), "", diamonds, 1);
        }
        let ids = |t: &TopGifters| t.top().iter().map(|g| g.user_id).collect::<Vec<_>>();
        assert_eq!(ids(&top), [5, 2, 1]);
        assert!(top.set_size(2));
        assert_eq!(ids(&top), [5, 2]);
        // 1 and 3 tie: 1 got there first (it was on the board), so it stays ahead.
        assert!(top.set_size(10));
        assert_eq!(ids(&top), [5, 2, 1, 3, 4]);
        assert!(!top.set_size(10));
        top.add(6, "v6", "", 60, 1);
        assert_eq!(ids(&top), [5, 2, 6, 1, 3, 4]);
    }

    #[test]
    fn recent_resized_keeps_the_newest_and_grows_again() {
        let mut recent = Recent::new(3);
        for i in 1..=3 {
            recent.push(i);
        }
        assert!(recent.set_size(2), "the oldest went");
        assert_eq!(recent.items().copied().collect::<Vec<_>>(), [3, 2]);
        assert!(!recent.set_size(4), "growing drops nothing");
        for i in 4..=6 {
            recent.push(i);
        }
        assert_eq!(recent.items().copied().collect::<Vec<_>>(), [6, 5, 4, 3]);
        assert!(recent.set_size(0));
        assert_eq!(
            recent.items().copied().collect::<Vec<_>>(),
            [6],
            "at least one is kept"
        );
    }

    #[test]
    fn reset_starts_over_and_carries_the_rest() {
        let mut g = goal(100, GoalStep::Reset);
        assert_eq!(g.add_likes(60), 0);
        assert_eq!(g.add_likes(60), 1);
        assert_eq!((g.likes, g.target, g.reached), (20, 100, 1));
        assert_eq!(g.add_likes(250), 2);
        assert_eq!((g.likes, g.target, g.reached), (70, 100, 3));
    }

    #[test]
    fn add_steps_the_target_up() {
        let mut g = goal(100, GoalStep::from_tiktok2mc(1, 100));
        assert_eq!(g.add_likes(100), 1);
        assert_eq!((g.likes, g.target), (100, 200));
        assert_eq!(g.add_likes(250), 2);
        assert_eq!((g.likes, g.target, g.reached), (350, 400, 3));
    }

    #[test]
    fn multiply_grows_the_target() {
        let mut g = goal(100, GoalStep::from_tiktok2mc(3, 100));
        assert_eq!(g.add_likes(99), 0);
        assert_eq!(g.add_likes(1), 1);
        assert_eq!(g.target, 300);
        assert_eq!(g.add_likes(1_000), 2);
        assert_eq!(g.target, 2_700);
    }

    #[test]
    fn a_huge_like_count_cannot_hang_the_goal() {
        let mut g = goal(1, GoalStep::Add { step: 1 });
        assert_eq!(g.add_likes(u64::MAX), u32::MAX);
        assert_eq!(g.target, u64::MAX);
        let mut r = goal(1, GoalStep::Reset);
        assert_eq!(r.add_likes(5), 5);
        assert_eq!(r.add_likes(u64::MAX), u32::MAX);
        let mut m = goal(1, GoalStep::Multiply { factor: 2 });
        m.add_likes(u64::MAX);
        assert_eq!(m.target, u64::MAX);
    }

    #[test]
    fn top_gifters_sorted_and_bounded() {
        let mut t = TopGifters::new(3);
        assert!(t.add(1, "a", "A", 10, 1));
        assert!(t.add(2, "b", "B", 5, 1));
        assert!(t.add(3, "c", "C", 5, 1));
        // D has less than the last place: the list does not change.
        assert!(!t.add(4, "d", "D", 1, 1));
        // D passes B and C with repeated gifts.
        assert!(t.add(4, "d", "D", 9, 1));
        let names: Vec<&str> = t.top().iter().map(|g| g.nickname.as_str()).collect();
        assert_eq!(names, ["A", "D", "B"]);
        assert_eq!(t.top()[1].diamonds, 10);
        assert_eq!(t.top()[1].gifts, 2);
        // A nickname change shows.
        assert!(t.add(1, "a", "A2", 1, 1));
        assert_eq!(t.top()[0].nickname, "A2");
    }

    #[test]
    fn top_gifters_remember_at_most_their_capacity_and_keep_the_board() {
        let mut t = TopGifters::with_capacity(2, 10);
        assert!(t.add(1, "big", "Big", 1_000, 1));
        assert!(t.add(2, "second", "Second", 500, 1));
        for id in 100..1_100 {
            t.add(id, "small", "Small", 1, 1);
            assert!(t.tracked() <= 10, "{} viewers remembered", t.tracked());
        }
        assert_eq!(t.tracked(), 10);
        let board: Vec<i64> = t.top().iter().map(|g| g.user_id).collect();
        assert_eq!(board, [1, 2], "the board survives the churn");
        // A forgotten viewer starts again from zero; a remembered one keeps counting.
        assert!(t.add(1, "big", "Big", 1, 1));
        assert_eq!(t.top()[0].diamonds, 1_001);
        assert_eq!(GIFTER_CAPACITY, TopGifters::new(5).capacity);
    }

    #[test]
    fn recent_keeps_the_newest() {
        let mut r = Recent::new(3);
        for i in 0..5 {
            r.push(i);
        }
        assert_eq!(r.items().copied().collect::<Vec<_>>(), [4, 3, 2]);
        assert_eq!(r.len(), 3);
    }
}
