//! The streak state machine: counts a streak once at its end, finalizes streaks whose end never
//! comes, credits only what a streak key was not credited yet, and keeps late messages of a
//! finished streak from opening a new one. Pure: time is passed in as milliseconds.

use std::collections::{BTreeSet, VecDeque};

use super::memory::{FinishedStreak, OpenStreak, StreakChange, StreakKey};
use super::{Credit, EngineConfig, HashMap};
use crate::event::{EndedBy, GiftMessage};

/// How a message relates to a finished streak of the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    /// Created no later than the streak's newest message (or undecidable and not higher): part of
    /// the past. It never opens a streak.
    Late,
    /// Created after the streak's newest message with at least its credited total: the same streak
    /// carrying on (a repeated end, the real end after a timeout).
    Continues,
    /// Created after the streak's end with a lower total: a new streak reusing the key.
    NewStreak,
}

/// The rule documented in README "How gifts are counted".
fn relation(finished: &FinishedStreak, count: u32, created_millis: i64) -> Relation {
    let times_known = created_millis > 0 && finished.newest_create_millis > 0;
    if times_known && created_millis <= finished.newest_create_millis {
        Relation::Late
    } else if count >= finished.credited {
        Relation::Continues
    } else if times_known {
        Relation::NewStreak
    } else {
        // No times to tell a new streak from a late message: not crediting twice is the safe side.
        Relation::Late
    }
}

/// Open and finished streaks. Feed it gift messages that passed de-duplication.
///
/// Open streaks and finished ones are kept apart. Open streaks are indexed by their last update,
/// so the timeout scan and the open-streak cap reach the oldest in O(log n) instead of walking
/// them all; finished ones are forgotten in the order they finished (a queue), so neither grows a
/// hot path.
/// Every change goes through `GiftEngine::apply`, which is also how a saved memory is restored.
#[derive(Debug)]
pub struct GiftEngine {
    config: EngineConfig,
    /// Boxed: the table holds a pointer per streak, so growing it to 100,000 streaks moves
    /// megabytes, not the tens of megabytes the streaks themselves take.
    open: HashMap<StreakKey, Box<OpenStreak>>,
    /// `(last_update_millis, key)` of every open streak, oldest first: kept equal to `open`.
    open_by_age: BTreeSet<(u64, StreakKey)>,
    finished: HashMap<StreakKey, FinishedStreak>,
    /// `(finished_millis, key)` in finish order; entries whose key finished again later are stale.
    finished_order: VecDeque<(u64, StreakKey)>,
    /// Changes since the last `take_changes`, when journaling.
    journal: Option<Vec<StreakChange>>,
    /// Streaks credited early because `max_streaks` were open at once.
    capped: u64,
}

impl GiftEngine {
    pub fn new(config: EngineConfig) -> Self {
        Self {
            config,
            open: HashMap::default(),
            open_by_age: BTreeSet::new(),
            finished: HashMap::default(),
            finished_order: VecDeque::new(),
            journal: None,
            capped: 0,
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Streaks still waiting for their end.
    pub fn open_streaks(&self) -> usize {
        self.open.len()
    }

    /// Finished streaks remembered.
    pub fn finished_streaks(&self) -> usize {
        self.finished.len()
    }

    /// Streaks remembered in all (open and finished): bounded by `max_streaks` each.
    pub fn remembered_streaks(&self) -> usize {
        self.open.len() + self.finished.len()
    }

    /// Streaks credited as `timeout` before their end because `max_streaks` were open at once.
    pub fn capped_streaks(&self) -> u64 {
        self.capped
    }

    /// Processes one gift message; a credit it completes goes to `out` (reaching the open-streak
    /// cap may add a second one: the oldest open streak, credited as `timeout`).
    pub fn on_gift(&mut self, gift: GiftMessage, now_millis: u64, out: &mut Vec<Credit>) {
        if !gift.streakable {
            out.push(Credit {
                gift,
                count: 1,
                ended_by: EndedBy::Single,
            });
            return;
        }
        let key = StreakKey::of(&gift);
        let count = gift.repeat_count.max(1);
        let created = gift.create_time_millis;
        let finished = self.finished.get(&key).copied();
        if let Some(open) = self.open.get(&key) {
            // A message older than the open streak's first one, and late for the finished streak
            // before it, belongs to that finished streak: it must not raise the open one.
            let older_than_open = created > 0 && created < open.first_create_millis;
            let late_for_finished =
                finished.is_some_and(|f| relation(&f, count, created) == Relation::Late);
            if !(older_than_open && late_for_finished) {
                let open = OpenStreak::clone(open);
                self.update_open(open, gift, count, now_millis, out);
                return;
            }
        }
        let relation = finished.map(|f| (f, relation(&f, count, created)));
        let (credited, newest_create) = match relation {
            None | Some((_, Relation::NewStreak)) => (0, created),
            Some((f, Relation::Late)) => {
                // Never opens a streak. A higher total than credited can only follow a streak that
                // was finalized early (timeout or cap): credit the difference, once.
                if count > f.credited {
                    let ended_by = if gift.repeat_end {
                        EndedBy::StreakEnd
                    } else {
                        EndedBy::Timeout
                    };
                    self.finish_streak(key, count, now_millis, f.newest_create_millis.max(created));
                    out.extend(credit_delta(gift, count, f.credited, ended_by));
                }
                return;
            }
            Some((f, Relation::Continues)) => (f.credited, f.newest_create_millis.max(created)),
        };
        if gift.repeat_end {
            self.finish_streak(key, count.max(credited), now_millis, newest_create);
            out.extend(credit_delta(gift, count, credited, EndedBy::StreakEnd));
            return;
        }
        if self.open.len() >= self.config.max_streaks.max(1) {
            self.finalize_oldest_open(out);
        }
        self.change(StreakChange::Open(OpenStreak {
            key,
            latest: gift,
            seen_count: count,
            credited,
            last_update_millis: now_millis,
            first_create_millis: created,
            newest_create_millis: newest_create,
        }));
    }

    fn update_open(
        &mut self,
        mut streak: OpenStreak,
        gift: GiftMessage,
        count: u32,
        now_millis: u64,
        out: &mut Vec<Credit>,
    ) {
        let created = gift.create_time_millis;
        streak.seen_count = streak.seen_count.max(count);
        streak.last_update_millis = now_millis;
        if created > 0 && (streak.first_create_millis == 0 || created < streak.first_create_millis)
        {
            streak.first_create_millis = created;
        }
        let newest = created >= streak.newest_create_millis;
        streak.newest_create_millis = streak.newest_create_millis.max(created);
        if !gift.repeat_end {
            if newest {
                streak.latest = gift;
            }
            self.change(StreakChange::Open(streak));
            return;
        }
        let total = streak.seen_count.max(streak.credited);
        self.finish_streak(streak.key, total, now_millis, streak.newest_create_millis);
        out.extend(credit_delta(
            gift,
            streak.seen_count,
            streak.credited,
            EndedBy::StreakEnd,
        ));
    }

    fn finish_streak(&mut self, key: StreakKey, credited: u32, now_millis: u64, newest: i64) {
        self.change(StreakChange::Finished(FinishedStreak {
            key,
            credited,
            finished_millis: now_millis,
            newest_create_millis: newest,
        }));
    }

    /// Records a change (when journaling) and applies it.
    fn change(&mut self, change: StreakChange) {
        if let Some(journal) = &mut self.journal {
            journal.push(change.clone());
        }
        self.apply(change);
    }

    /// Applies one change without journaling it: the live path (through `change`) and restoring a
    /// saved memory run this same code.
    pub(crate) fn apply(&mut self, change: StreakChange) {
        match change {
            StreakChange::Open(streak) => {
                let (key, at) = (streak.key, streak.last_update_millis);
                if let Some(previous) = self.open.insert(key, Box::new(streak)) {
                    self.open_by_age.remove(&(previous.last_update_millis, key));
                }
                self.open_by_age.insert((at, key));
            }
            StreakChange::Finished(done) => {
                if let Some(previous) = self.open.remove(&done.key) {
                    self.open_by_age
                        .remove(&(previous.last_update_millis, done.key));
                }
                let previous = self.finished.insert(done.key, done);
                if previous.is_none_or(|p| p.finished_millis != done.finished_millis) {
                    self.finished_order
                        .push_back((done.finished_millis, done.key));
                }
                self.bound_finished();
            }
        }
    }

    fn bound_finished(&mut self) {
        // Keys that finish again leave stale entries in the queue; drop them once they are half of
        // it, so the queue stays proportional to what is remembered (amortized O(1)).
        if self.finished_order.len() > 2 * self.finished.len() + 64 {
            let finished = &self.finished;
            self.finished_order
                .retain(|(at, key)| finished.get(key).is_some_and(|f| f.finished_millis == *at));
        }
        while self.finished.len() > self.config.max_streaks.max(1) {
            let Some((at, oldest)) = self.finished_order.pop_front() else {
                break;
            };
            self.forget_if_latest(oldest, at);
        }
    }

    /// Forgets a finished streak only when `at` is its latest finish: a queue entry left by an
    /// earlier finish of the same key must never delete the newer record.
    fn forget_if_latest(&mut self, key: StreakKey, at: u64) {
        if self
            .finished
            .get(&key)
            .is_some_and(|f| f.finished_millis == at)
        {
            self.finished.remove(&key);
        }
    }

    /// Starts (or stops) recording changes for `take_changes`.
    pub(crate) fn set_journaling(&mut self, on: bool) {
        self.journal = on.then(Vec::new);
    }

    /// Moves the recorded changes into `into`.
    pub(crate) fn take_changes(&mut self, into: &mut Vec<StreakChange>) {
        if let Some(journal) = &mut self.journal {
            into.append(journal);
        }
    }

    /// Open streaks (any order) and finished ones (oldest finish first), for a snapshot.
    pub(crate) fn snapshot(&self) -> (Vec<OpenStreak>, Vec<FinishedStreak>) {
        let mut open: Vec<OpenStreak> = self.open.values().map(|s| OpenStreak::clone(s)).collect();
        open.sort_by_key(|s| (s.last_update_millis, s.key.user_id, s.key.group_id));
        let finished = self
            .finished_order
            .iter()
            .filter_map(|(at, key)| self.finished.get(key).filter(|f| f.finished_millis == *at))
            .copied()
            .collect();
        (open, finished)
    }

    /// Finalizes open streaks that have had no update for the streak timeout, and forgets finished
    /// streaks past their retention.
    pub fn expire(&mut self, now_millis: u64, out: &mut Vec<Credit>) {
        let timeout = self.config.streak_timeout_millis;
        let stale: Vec<StreakKey> = self
            .open_by_age
            .iter()
            .take_while(|(at, _)| now_millis.saturating_sub(*at) >= timeout)
            .map(|(_, key)| *key)
            .collect();
        let start = out.len();
        for key in stale {
            self.finalize(key, now_millis, out);
        }
        sort_credits(&mut out[start..]);
        let retention = self.config.finished_retention_millis;
        while let Some(&(at, key)) = self.finished_order.front() {
            if now_millis.saturating_sub(at) < retention {
                break;
            }
            self.finished_order.pop_front();
            self.forget_if_latest(key, at);
        }
    }

    /// Finalizes every open streak (the session or capture ended) as `timeout`.
    pub fn finish(&mut self, out: &mut Vec<Credit>) {
        let start = out.len();
        let keys: Vec<StreakKey> = self.open.keys().copied().collect();
        for key in keys {
            let now = self.open[&key].last_update_millis;
            self.finalize(key, now, out);
        }
        sort_credits(&mut out[start..]);
    }

    fn finalize(&mut self, key: StreakKey, now_millis: u64, out: &mut Vec<Credit>) {
        if let Some(streak) = self.open.get(&key).map(|s| OpenStreak::clone(s)) {
            let total = streak.seen_count.max(streak.credited);
            self.finish_streak(key, total, now_millis, streak.newest_create_millis);
            out.extend(credit_delta(
                streak.latest,
                streak.seen_count,
                streak.credited,
                EndedBy::Timeout,
            ));
        }
    }

    /// Keeps memory bounded when an absurd number of streaks is open at once: the oldest is
    /// credited now, as `timeout`, and counted.
    fn finalize_oldest_open(&mut self, out: &mut Vec<Credit>) {
        if let Some(&(at, key)) = self.open_by_age.first() {
            self.capped += 1;
            self.finalize(key, at, out);
        }
    }
}

fn credit_delta(gift: GiftMessage, seen: u32, credited: u32, ended_by: EndedBy) -> Option<Credit> {
    let count = seen.saturating_sub(credited);
    (count > 0).then_some(Credit {
        gift,
        count,
        ended_by,
    })
}

/// HashMap order is random; credits finalized together come out oldest first, so output is stable.
fn sort_credits(credits: &mut [Credit]) {
    credits.sort_by_key(|c| (c.gift.create_time_millis, c.gift.msg_id));
}

#[cfg(test)]
mod tests {
    use super::*;

    // One builder for the engine's tests: a Rose streak message of user 111, group 9001.
    use super::super::tests::gift;

    fn at(mut g: GiftMessage, create_time_millis: i64) -> GiftMessage {
        g.create_time_millis = create_time_millis;
        g
    }

    fn one(e: &mut GiftEngine, g: GiftMessage, now: u64) -> Option<Credit> {
        let mut out = Vec::new();
        e.on_gift(g, now, &mut out);
        assert!(out.len() <= 1, "{out:?}");
        out.pop()
    }

    fn counts(credits: &[Credit]) -> Vec<(u32, EndedBy)> {
        credits.iter().map(|c| (c.count, c.ended_by)).collect()
    }

    fn total(credits: &[Credit]) -> u32 {
        credits.iter().map(|c| c.count).sum()
    }

    #[test]
    fn streak_counts_once_at_its_end() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert!(one(&mut e, gift(1, 1, false), 0).is_none());
        assert!(one(&mut e, gift(2, 2, false), 10).is_none());
        assert_eq!(e.open_streaks(), 1);
        let c = one(&mut e, gift(3, 3, true), 20).unwrap();
        assert_eq!(
            (c.count, c.ended_by, c.gift.msg_id),
            (3, EndedBy::StreakEnd, 3)
        );
        assert_eq!(e.open_streaks(), 0);
    }

    #[test]
    fn non_streakable_counts_one_immediately() {
        let mut e = GiftEngine::new(EngineConfig::default());
        let mut g = gift(1, 1, false);
        g.streakable = false;
        g.repeat_count = 0;
        let c = one(&mut e, g, 0).unwrap();
        assert_eq!((c.count, c.ended_by), (1, EndedBy::Single));
    }

    #[test]
    fn single_streak_end_with_zero_count_counts_one() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert_eq!(one(&mut e, gift(1, 0, true), 0).unwrap().count, 1);
    }

    #[test]
    fn repeated_end_under_new_id_credits_nothing_more() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert_eq!(one(&mut e, gift(1, 5, true), 0).unwrap().count, 5);
        assert!(one(&mut e, gift(2, 5, true), 100).is_none());
        // A later end with a higher count credits only the difference.
        assert_eq!(one(&mut e, gift(3, 7, true), 200).unwrap().count, 2);
    }

    #[test]
    fn streak_without_end_times_out_then_late_end_credits_difference() {
        let mut e = GiftEngine::new(EngineConfig::default());
        one(&mut e, gift(1, 1, false), 0);
        one(&mut e, gift(2, 3, false), 1_000);
        let mut out = vec![];
        e.expire(20_999, &mut out);
        assert!(out.is_empty(), "not yet idle for 20 s");
        e.expire(21_000, &mut out);
        assert_eq!(counts(&out), [(3, EndedBy::Timeout)]);
        assert_eq!(e.open_streaks(), 0);
        let late = one(&mut e, gift(3, 5, true), 30_000).unwrap();
        assert_eq!((late.count, late.ended_by), (2, EndedBy::StreakEnd));
        assert!(one(&mut e, gift(4, 5, true), 31_000).is_none());
    }

    #[test]
    fn finish_finalizes_open_streaks_as_timeout() {
        let mut e = GiftEngine::new(EngineConfig::default());
        one(&mut e, gift(1, 4, false), 0);
        let mut other = gift(2, 2, false);
        other.user.user_id = 222;
        one(&mut e, other, 0);
        let mut out = vec![];
        e.finish(&mut out);
        let mut got = counts(&out);
        got.sort_by_key(|c| c.0);
        assert_eq!(got, [(2, EndedBy::Timeout), (4, EndedBy::Timeout)]);
    }

    #[test]
    fn new_streak_reusing_a_group_id_after_the_end_counts_in_full() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert_eq!(
            one(&mut e, at(gift(1, 5, true), 1_000), 0).unwrap().count,
            5
        );
        // Created after the end, with a lower count: a new streak.
        assert!(one(&mut e, at(gift(2, 1, false), 2_000), 100).is_none());
        assert_eq!(
            one(&mut e, at(gift(3, 2, true), 2_100), 200).unwrap().count,
            2
        );
    }

    /// The sequence (reproduced on the old engine: it credited 10).
    #[test]
    fn a_late_lower_count_after_the_end_opens_no_new_streak() {
        let mut e = GiftEngine::new(EngineConfig::default());
        let mut out = Vec::new();
        e.on_gift(at(gift(1, 5, true), 5_000), 5_000, &mut out);
        assert_eq!(counts(&out), [(5, EndedBy::StreakEnd)]);
        // Delayed ×3, created before the end.
        e.on_gift(at(gift(2, 3, false), 3_000), 6_000, &mut out);
        assert_eq!(e.open_streaks(), 0, "a late message opens nothing");
        e.expire(60_000, &mut out);
        // The end repeated under a new id.
        e.on_gift(at(gift(3, 5, true), 5_000), 61_000, &mut out);
        assert_eq!(total(&out), 5, "{out:?}");
    }

    #[test]
    fn history_newest_first_credits_the_streak_once() {
        let mut e = GiftEngine::new(EngineConfig::default());
        let mut out = Vec::new();
        for (id, rc, end) in [(5, 5, true), (4, 4, false), (3, 3, false), (2, 2, false)] {
            e.on_gift(at(gift(id, rc, end), id * 100), 0, &mut out);
        }
        e.expire(100_000, &mut out);
        e.finish(&mut out);
        assert_eq!(counts(&out), [(5, EndedBy::StreakEnd)]);
    }

    #[test]
    fn without_create_times_a_lower_count_after_the_end_is_late() {
        let mut e = GiftEngine::new(EngineConfig::default());
        let mut out = Vec::new();
        e.on_gift(gift(1, 5, true), 0, &mut out);
        e.on_gift(gift(2, 3, false), 10, &mut out);
        e.finish(&mut out);
        assert_eq!(total(&out), 5);
    }

    #[test]
    fn a_late_message_older_than_a_reopened_key_does_not_raise_it() {
        let mut e = GiftEngine::new(EngineConfig::default());
        let mut out = Vec::new();
        e.on_gift(at(gift(1, 5, true), 1_000), 0, &mut out);
        e.on_gift(at(gift(2, 1, false), 2_000), 10, &mut out); // new streak on the same key
        e.on_gift(at(gift(3, 4, false), 900), 20, &mut out); // late, from the first streak
        e.on_gift(at(gift(4, 2, true), 2_100), 30, &mut out);
        assert_eq!(
            counts(&out),
            [(5, EndedBy::StreakEnd), (2, EndedBy::StreakEnd)]
        );
    }

    #[test]
    fn a_late_higher_total_after_a_timeout_credits_only_the_difference() {
        let mut e = GiftEngine::new(EngineConfig::default());
        let mut out = Vec::new();
        e.on_gift(at(gift(1, 3, false), 3_000), 0, &mut out);
        e.expire(30_000, &mut out);
        // Created before the streak's newest message, yet higher: credit what is missing, once.
        e.on_gift(at(gift(2, 4, false), 2_000), 31_000, &mut out);
        e.on_gift(at(gift(3, 4, false), 2_500), 31_001, &mut out);
        e.finish(&mut out);
        assert_eq!(counts(&out), [(3, EndedBy::Timeout), (1, EndedBy::Timeout)]);
    }

    #[test]
    fn finished_streaks_are_forgotten_after_retention() {
        let config = EngineConfig {
            finished_retention_millis: 1_000,
            ..EngineConfig::default()
        };
        let mut e = GiftEngine::new(config);
        one(&mut e, gift(1, 5, true), 0);
        e.expire(2_000, &mut vec![]);
        assert_eq!(e.remembered_streaks(), 0);
    }

    #[test]
    fn memory_is_bounded_by_max_streaks() {
        let config = EngineConfig {
            max_streaks: 10,
            ..EngineConfig::default()
        };
        let mut e = GiftEngine::new(config);
        for i in 0..100 {
            let mut g = gift(i, 1, i % 2 == 0);
            g.group_id = i;
            e.on_gift(g, i as u64, &mut Vec::new());
        }
        assert!(e.remembered_streaks() <= 20);
    }

    /// Reproduced on the old engine: the stale queue entry of key 1 deleted its newer record.
    #[test]
    fn eviction_never_deletes_a_newer_record_of_a_key() {
        let config = EngineConfig {
            max_streaks: 2,
            ..EngineConfig::default()
        };
        let mut e = GiftEngine::new(config);
        let keyed = |id, group, rc| {
            let mut g = gift(id, rc, true);
            g.group_id = group;
            g
        };
        assert_eq!(one(&mut e, keyed(1, 1, 5), 1).unwrap().count, 5);
        one(&mut e, keyed(2, 2, 1), 2);
        assert_eq!(
            one(&mut e, keyed(3, 1, 6), 3).unwrap().count,
            1,
            "key 1 again"
        );
        one(&mut e, keyed(4, 3, 1), 4); // evicts the oldest queue entry: key 1's stale one
        assert!(
            one(&mut e, keyed(5, 1, 6), 5).is_none(),
            "key 1's newer record survived: its repeated end credits nothing"
        );
        assert!(e.finished_streaks() <= 2);
    }

    /// Reproduced on the old engine: the oldest streak's 4 gifts were dropped without a word.
    #[test]
    fn the_open_streak_cap_credits_the_oldest_as_timeout_and_counts_it() {
        let config = EngineConfig {
            max_streaks: 1,
            ..EngineConfig::default()
        };
        let mut e = GiftEngine::new(config);
        let mut out = Vec::new();
        let mut a = gift(1, 4, false);
        a.group_id = 1;
        e.on_gift(a, 1, &mut out);
        let mut b = gift(2, 1, false);
        b.group_id = 2;
        e.on_gift(b, 2, &mut out);
        assert_eq!(counts(&out), [(4, EndedBy::Timeout)]);
        assert_eq!(e.capped_streaks(), 1);
        assert_eq!(e.open_streaks(), 1);
        e.finish(&mut out);
        assert_eq!(total(&out), 5);
    }

    fn keyed(id: i64, group: i64, rc: u32, end: bool) -> GiftMessage {
        let mut g = gift(id, rc, end);
        g.group_id = group;
        g
    }

    /// The index the cap and the timeout read holds exactly the open streaks, at their last update.
    fn assert_index_matches(e: &GiftEngine) {
        let mut from_open: Vec<(u64, StreakKey)> = e
            .open
            .values()
            .map(|s| (s.last_update_millis, s.key))
            .collect();
        from_open.sort_unstable();
        let index: Vec<(u64, StreakKey)> = e.open_by_age.iter().copied().collect();
        assert_eq!(index, from_open);
    }

    #[test]
    fn the_cap_credits_the_least_recently_updated_streak() {
        let config = EngineConfig {
            max_streaks: 2,
            ..EngineConfig::default()
        };
        let mut e = GiftEngine::new(config);
        let mut out = Vec::new();
        e.on_gift(keyed(1, 1, 1, false), 10, &mut out);
        e.on_gift(keyed(2, 2, 1, false), 20, &mut out);
        e.on_gift(keyed(3, 1, 2, false), 30, &mut out); // group 1 updated: group 2 is now oldest
        assert_index_matches(&e);
        e.on_gift(keyed(4, 3, 1, false), 40, &mut out);
        assert_eq!(
            out.iter()
                .map(|c| (c.gift.group_id, c.count, c.ended_by))
                .collect::<Vec<_>>(),
            [(2, 1, EndedBy::Timeout)]
        );
        assert_index_matches(&e);
        e.on_gift(keyed(5, 1, 3, true), 50, &mut out);
        e.expire(40 + 20_000, &mut out);
        assert_eq!(e.open_streaks(), 0);
        assert_index_matches(&e);
        assert_eq!(total(&out), 1 + 3 + 1);
        assert_eq!(e.capped_streaks(), 1);
    }

    #[test]
    fn the_age_index_survives_a_restore_over_a_live_state() {
        let mut live = GiftEngine::new(EngineConfig::default());
        live.set_journaling(true);
        let mut out = Vec::new();
        for i in 0..50 {
            live.on_gift(
                keyed(i, i % 7, 1 + (i / 7) as u32, i % 5 == 0),
                i as u64,
                &mut out,
            );
        }
        let mut changes = Vec::new();
        live.take_changes(&mut changes);
        let mut copy = GiftEngine::new(EngineConfig::default());
        for change in changes.iter().chain(&changes) {
            copy.apply(change.clone());
        }
        assert_index_matches(&live);
        assert_index_matches(&copy);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        live.expire(30_000, &mut a);
        copy.expire(30_000, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn replaying_the_journal_rebuilds_the_same_state() {
        let mut live = GiftEngine::new(EngineConfig::default());
        live.set_journaling(true);
        let mut out = Vec::new();
        live.on_gift(at(gift(1, 2, false), 100), 0, &mut out);
        live.on_gift(at(gift(2, 5, true), 200), 10, &mut out);
        let mut other = at(gift(3, 3, false), 300);
        other.user.user_id = 222;
        live.on_gift(other, 20, &mut out);
        let mut changes = Vec::new();
        live.take_changes(&mut changes);
        let mut copy = GiftEngine::new(EngineConfig::default());
        // Twice: a journal applied over a snapshot that already holds it changes nothing.
        for change in changes.iter().chain(&changes) {
            copy.apply(change.clone());
        }
        assert_eq!(copy.snapshot(), live.snapshot());
    }
}
