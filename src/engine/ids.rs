//! Message-id memories for de-duplication: the shared ring every event kind passes through, and the
//! separate, longer memory of gift message ids (so chat, likes and joins can never push a gift out).

use std::collections::VecDeque;

use super::{HashMap, HashSet};

/// Remembers the most recent `capacity` message ids, oldest forgotten first.
#[derive(Debug)]
pub(crate) struct IdRing {
    seen: HashSet<i64>,
    order: VecDeque<i64>,
    capacity: usize,
}

impl IdRing {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            seen: HashSet::with_capacity_and_hasher(capacity.min(1 << 16), Default::default()),
            order: VecDeque::with_capacity(capacity.min(1 << 16)),
            capacity: capacity.max(1),
        }
    }

    /// True when `msg_id` is new (and remembers it). Id 0 means "unknown" and is never a duplicate.
    pub(crate) fn first_time(&mut self, msg_id: i64) -> bool {
        if msg_id == 0 || !self.seen.insert(msg_id) {
            return msg_id == 0;
        }
        if self.order.len() == self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            // An id is queued once (a second insert returns above), so the oldest entry is the
            // only record of its id: removing it never deletes anything newer.
            self.seen.remove(&oldest);
        }
        self.order.push_back(msg_id);
        true
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// Oldest first, the order [`IdRing::first_time`] needs to rebuild the same ring.
    pub(crate) fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        self.order.iter().copied()
    }
}

/// Remembers gift message ids with the time they were seen, for `retention_millis` and at most
/// `capacity` of them. Gifts are rare next to chat and likes, so this can remember far longer
/// than the shared ring at a fraction of its size.
#[derive(Debug)]
pub(crate) struct GiftIds {
    seen: HashMap<i64, u64>,
    /// `(seen_millis, id)` in insertion order.
    order: VecDeque<(u64, i64)>,
    capacity: usize,
    retention_millis: u64,
}

impl GiftIds {
    pub(crate) fn new(capacity: usize, retention_millis: u64) -> Self {
        Self {
            seen: HashMap::default(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            retention_millis,
        }
    }

    /// True when `msg_id` is new (and remembers it at `now_millis`). Id 0 is never a duplicate.
    pub(crate) fn first_time(&mut self, msg_id: i64, now_millis: u64) -> bool {
        if msg_id == 0 {
            return true;
        }
        if self.seen.contains_key(&msg_id) {
            return false;
        }
        self.insert(msg_id, now_millis);
        true
    }

    /// Remembers `msg_id` as seen at `seen_millis` (also used to restore a saved memory).
    pub(crate) fn insert(&mut self, msg_id: i64, seen_millis: u64) {
        if msg_id == 0 {
            return;
        }
        let newer = self
            .seen
            .get(&msg_id)
            .is_none_or(|&known| seen_millis > known);
        if newer {
            self.seen.insert(msg_id, seen_millis);
            self.order.push_back((seen_millis, msg_id));
        }
        while self.seen.len() > self.capacity {
            self.pop_oldest();
        }
        // Re-inserted ids leave stale queue entries; compact before they dominate.
        if self.order.len() > 2 * self.seen.len() + 64 {
            let seen = &self.seen;
            self.order.retain(|(at, id)| seen.get(id) == Some(at));
        }
    }

    /// Forgets ids older than the retention.
    pub(crate) fn expire(&mut self, now_millis: u64) {
        while let Some(&(at, _)) = self.order.front() {
            if now_millis.saturating_sub(at) < self.retention_millis {
                break;
            }
            self.pop_oldest();
        }
    }

    /// Drops the oldest queue entry, and its id only when the entry is the id's latest record:
    /// an id remembered again later keeps its newer record.
    fn pop_oldest(&mut self) {
        if let Some((at, id)) = self.order.pop_front()
            && self.seen.get(&id) == Some(&at)
        {
            self.seen.remove(&id);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }

    /// `(id, seen_millis)` oldest first, skipping stale queue entries.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.order
            .iter()
            .filter(|(at, id)| self.seen.get(id) == Some(at))
            .map(|&(at, id)| (id, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_forgets_oldest_beyond_capacity() {
        let mut d = IdRing::new(2);
        assert!(d.first_time(1));
        assert!(!d.first_time(1));
        assert!(d.first_time(2));
        assert!(d.first_time(3));
        assert!(d.first_time(1), "1 was evicted");
        assert!(
            d.first_time(0) && d.first_time(0),
            "id 0 is never a duplicate"
        );
    }

    #[test]
    fn gift_ids_expire_by_age_and_capacity() {
        let mut g = GiftIds::new(3, 1_000);
        assert!(g.first_time(1, 0));
        assert!(!g.first_time(1, 10));
        g.first_time(2, 100);
        g.first_time(3, 200);
        g.first_time(4, 300);
        assert_eq!(g.len(), 3, "capacity");
        assert!(g.first_time(1, 400), "1 was the oldest");
        g.expire(1_150);
        assert_eq!(g.iter().map(|(id, _)| id).collect::<Vec<_>>(), [3, 4, 1]);
        g.expire(1_250);
        assert_eq!(g.iter().map(|(id, _)| id).collect::<Vec<_>>(), [4, 1]);
    }

    #[test]
    fn gift_id_eviction_keeps_a_newer_record_of_the_same_id() {
        let mut g = GiftIds::new(10, 1_000);
        g.insert(7, 0);
        g.insert(7, 900); // restored again later (e.g. a journal replayed over a snapshot)
        g.insert(8, 950);
        g.expire(1_000); // the entry at 0 is stale; 7's record at 900 must survive
        assert!(!g.first_time(7, 1_000));
        assert_eq!(g.len(), 2);
    }
}
