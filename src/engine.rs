//! The gift engine: turns decoded events into credited gifts with TikTok's real streak semantics
//! (dedupe by message id, count streaks once at their end, finalize streaks whose end never comes,
//! match triggers). Pure: no I/O, and time is always passed in as milliseconds.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::event::{CreditedGift, EndedBy, GiftMessage, LiveEvent};
use crate::mappings::{Mapping, MappingTable};
use crate::wire::{self, Batch, DecodeError};

/// Tunables of the engine. `Default` gives what a streamer wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    /// An open streak with no update for this long is finalized as `timeout`.
    pub streak_timeout_millis: u64,
    /// How many message ids are remembered for de-duplication.
    pub dedupe_capacity: usize,
    /// How long a finished streak is remembered, so a repeated end under a new id credits nothing.
    pub finished_retention_millis: u64,
    /// Hard cap on remembered streaks (open and finished), so memory stays bounded.
    pub max_streaks: usize,
    /// Use the messages' own `create_time` as the clock (replay of a capture, which has no timestamps).
    pub clock_from_messages: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            streak_timeout_millis: 20_000,
            dedupe_capacity: 65_536,
            finished_retention_millis: 600_000,
            max_streaks: 100_000,
            clock_from_messages: false,
        }
    }
}

/// A gift the engine decided to count, before trigger matching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    /// The message that completed the credit (the streak end, or the streak's latest update on timeout).
    pub gift: GiftMessage,
    pub count: u32,
    pub ended_by: EndedBy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct StreakKey {
    user_id: i64,
    gift_id: i64,
    group_id: i64,
}

#[derive(Clone, Debug)]
struct Streak {
    latest: GiftMessage,
    /// Highest `repeat_count` seen in this streak.
    seen_count: u32,
    /// How many of this streak's gifts have been credited so far.
    credited: u32,
    open: bool,
    last_update_millis: u64,
}

/// Remembers recent message ids in a fixed-size ring.
#[derive(Debug)]
struct Dedupe {
    seen: HashSet<i64>,
    order: VecDeque<i64>,
    capacity: usize,
}

impl Dedupe {
    fn new(capacity: usize) -> Self {
        Self {
            seen: HashSet::with_capacity(capacity.min(1 << 16)),
            order: VecDeque::with_capacity(capacity.min(1 << 16)),
            capacity: capacity.max(1),
        }
    }

    /// True when `msg_id` is new. Id 0 means "unknown" and is never treated as a duplicate.
    fn first_time(&mut self, msg_id: i64) -> bool {
        if msg_id == 0 {
            return true;
        }
        if !self.seen.insert(msg_id) {
            return false;
        }
        if self.order.len() == self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.seen.remove(&oldest);
        }
        self.order.push_back(msg_id);
        true
    }
}

/// The streak state machine. Feed it gift messages that passed de-duplication.
#[derive(Debug)]
pub struct GiftEngine {
    config: EngineConfig,
    streaks: HashMap<StreakKey, Streak>,
    open_streaks: usize,
}

impl GiftEngine {
    pub fn new(config: EngineConfig) -> Self {
        Self {
            config,
            streaks: HashMap::new(),
            open_streaks: 0,
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Streaks still waiting for their end.
    pub fn open_streaks(&self) -> usize {
        self.open_streaks
    }

    /// Processes one gift message; returns a credit when this message completes one.
    pub fn on_gift(&mut self, gift: &GiftMessage, now_millis: u64) -> Option<Credit> {
        if !gift.streakable {
            return Some(Credit {
                gift: gift.clone(),
                count: 1,
                ended_by: EndedBy::Single,
            });
        }
        let key = StreakKey {
            user_id: gift.user.user_id,
            gift_id: gift.gift_id,
            group_id: gift.group_id,
        };
        let count = gift.repeat_count.max(1);
        if !self.streaks.contains_key(&key) && self.streaks.len() >= self.config.max_streaks {
            self.evict_oldest_finished();
        }
        let streak = self.streaks.entry(key).or_insert_with(|| Streak {
            latest: gift.clone(),
            seen_count: 0,
            credited: 0,
            open: false,
            last_update_millis: now_millis,
        });
        // A finished streak whose key comes back with a lower count is a new streak that reuses
        // the group id, not a repeat of the old one.
        if !streak.open && count < streak.credited {
            streak.credited = 0;
            streak.seen_count = 0;
        }
        streak.latest = gift.clone();
        streak.seen_count = streak.seen_count.max(count);
        streak.last_update_millis = now_millis;
        if gift.repeat_end {
            if streak.open {
                self.open_streaks -= 1;
            }
            streak.open = false;
            // Credit only what this streak has not been credited yet: a repeated end under a new
            // message id, or the real end after a timeout, adds just the difference.
            let delta = streak.seen_count.saturating_sub(streak.credited);
            streak.credited = streak.seen_count;
            (delta > 0).then(|| Credit {
                gift: gift.clone(),
                count: delta,
                ended_by: EndedBy::StreakEnd,
            })
        } else {
            if !streak.open {
                self.open_streaks += 1;
            }
            streak.open = true;
            None
        }
    }

    /// Finalizes open streaks that have had no update for the streak timeout, and forgets finished
    /// streaks past their retention. Cheap when nothing is open.
    pub fn expire(&mut self, now_millis: u64, out: &mut Vec<Credit>) {
        let timeout = self.config.streak_timeout_millis;
        let retention = self.config.finished_retention_millis;
        let start = out.len();
        let mut closed = 0;
        self.streaks.retain(|_, streak| {
            let idle = now_millis.saturating_sub(streak.last_update_millis);
            if streak.open {
                if idle >= timeout {
                    closed += 1;
                    finalize(streak, out);
                }
                true
            } else {
                idle < retention
            }
        });
        self.open_streaks -= closed;
        sort_credits(&mut out[start..]);
    }

    /// Finalizes every open streak (the session or capture ended) as `timeout`.
    pub fn finish(&mut self, out: &mut Vec<Credit>) {
        let start = out.len();
        for streak in self.streaks.values_mut().filter(|s| s.open) {
            finalize(streak, out);
        }
        self.open_streaks = 0;
        sort_credits(&mut out[start..]);
    }

    fn evict_oldest_finished(&mut self) {
        let oldest = self
            .streaks
            .iter()
            .filter(|(_, s)| !s.open)
            .min_by_key(|(_, s)| s.last_update_millis)
            .map(|(k, _)| *k);
        if let Some(key) = oldest {
            self.streaks.remove(&key);
        }
    }
}

fn finalize(streak: &mut Streak, out: &mut Vec<Credit>) {
    streak.open = false;
    let delta = streak.seen_count.saturating_sub(streak.credited);
    streak.credited = streak.seen_count;
    if delta > 0 {
        out.push(Credit {
            gift: streak.latest.clone(),
            count: delta,
            ended_by: EndedBy::Timeout,
        });
    }
}

/// HashMap order is random; credits finalized together come out oldest first, so output is stable.
fn sort_credits(credits: &mut [Credit]) {
    credits.sort_by_key(|c| (c.gift.create_time_millis, c.gift.msg_id));
}

/// A credited gift with its matched mapping (if any): what the executor and the feed consume.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub gift: CreditedGift,
    /// The matched mapping, copied at decision time, so later edits do not change queued work.
    pub mapping: Option<Mapping>,
}

/// What one step of the pipeline produced, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    Credit(Decision),
    /// Any other de-duplicated event (chat, like, follow, join, control) for the feed.
    Event(LiveEvent),
}

/// Counters for summaries and the status bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// WebSocket messages (push frames) seen.
    pub frames: u64,
    /// Messages inside batches.
    pub messages: u64,
    /// Gift messages decoded (before streak logic).
    pub gifts: u64,
    /// Gifts credited.
    pub credited: u64,
    /// Messages dropped because their id was already seen.
    pub duplicates: u64,
    /// Frames and inner messages that could not be decoded and were skipped.
    pub malformed: u64,
}

/// Decoder + dedupe + engine + trigger matching, the whole pure core in one place.
#[derive(Debug)]
pub struct Pipeline {
    engine: GiftEngine,
    table: MappingTable,
    dedupe: Dedupe,
    stats: Stats,
    /// Latest message `create_time` seen (used when `clock_from_messages`).
    message_clock_millis: u64,
    /// Streak expiry scans every streak, so it runs at most once per [`TICK_GRANULARITY_MILLIS`].
    next_expiry_millis: u64,
    credits: Vec<Credit>,
}

/// How often (in clock time) open streaks are checked for their timeout.
pub const TICK_GRANULARITY_MILLIS: u64 = 250;

impl Pipeline {
    pub fn new(config: EngineConfig, table: MappingTable) -> Self {
        Self {
            dedupe: Dedupe::new(config.dedupe_capacity),
            engine: GiftEngine::new(config),
            table,
            stats: Stats::default(),
            message_clock_millis: 0,
            next_expiry_millis: 0,
            credits: Vec::new(),
        }
    }

    /// Swaps the trigger table; takes effect for the next credited gift.
    pub fn set_mappings(&mut self, table: MappingTable) {
        self.table = table;
    }

    pub fn mappings(&self) -> &MappingTable {
        &self.table
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn open_streaks(&self) -> usize {
        self.engine.open_streaks()
    }

    /// The clock used for streak timeouts: the caller's, or the newest message time when replaying.
    fn clock(&self, now_millis: u64) -> u64 {
        if self.engine.config().clock_from_messages {
            self.message_clock_millis
        } else {
            now_millis
        }
    }

    /// Decodes and processes one binary WebSocket message. A frame that cannot be decoded is
    /// counted as malformed and returned as the error; it loses only itself.
    pub fn ingest_ws_message(
        &mut self,
        bytes: &[u8],
        now_millis: u64,
        out: &mut Vec<Output>,
    ) -> Result<(), DecodeError> {
        self.stats.frames += 1;
        let decoded = wire::decode_push_frame(bytes).and_then(|frame| {
            if frame.carries_messages() {
                wire::decode_batch(&frame.payload).map(Some)
            } else {
                Ok(None)
            }
        });
        match decoded {
            Ok(Some(batch)) => {
                self.ingest_batch(batch, now_millis, out);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(err) => {
                self.stats.malformed += 1;
                Err(err)
            }
        }
    }

    /// Processes a decoded batch (a frame's, or the sign server's initial history).
    pub fn ingest_batch(&mut self, batch: Batch, now_millis: u64, out: &mut Vec<Output>) {
        self.stats.messages += u64::from(batch.messages);
        self.stats.malformed += u64::from(batch.malformed);
        for event in batch.events {
            if !self.dedupe.first_time(event.msg_id()) {
                self.stats.duplicates += 1;
                continue;
            }
            match event {
                LiveEvent::Gift(gift) => {
                    self.stats.gifts += 1;
                    if let Ok(t) = u64::try_from(gift.create_time_millis) {
                        self.message_clock_millis = self.message_clock_millis.max(t);
                    }
                    let now = self.clock(now_millis);
                    // Close stale streaks before this gift, so output keeps time order.
                    self.tick(now, out);
                    if let Some(credit) = self.engine.on_gift(&gift, now) {
                        self.push_credit(credit, out);
                    }
                }
                other => out.push(Output::Event(other)),
            }
        }
    }

    /// Finalizes streaks whose timeout has passed. Call it periodically (e.g. once a second).
    pub fn tick(&mut self, now_millis: u64, out: &mut Vec<Output>) {
        if self.engine.open_streaks() == 0 || now_millis < self.next_expiry_millis {
            return;
        }
        self.next_expiry_millis = now_millis.saturating_add(TICK_GRANULARITY_MILLIS);
        let mut credits = std::mem::take(&mut self.credits);
        self.engine.expire(now_millis, &mut credits);
        for credit in credits.drain(..) {
            self.push_credit(credit, out);
        }
        self.credits = credits;
    }

    /// Ends the session: every open streak is finalized as `timeout`.
    pub fn finish(&mut self, out: &mut Vec<Output>) {
        let mut credits = std::mem::take(&mut self.credits);
        self.engine.finish(&mut credits);
        for credit in credits.drain(..) {
            self.push_credit(credit, out);
        }
        self.credits = credits;
    }

    /// Matches a credit to a trigger and emits it.
    fn push_credit(&mut self, credit: Credit, out: &mut Vec<Output>) {
        self.stats.credited += 1;
        out.push(Output::Credit(decide(&self.table, credit)));
    }
}

/// Step 4 of the gift rule: match a credit to a trigger (name first, then id).
pub fn decide(table: &MappingTable, credit: Credit) -> Decision {
    let Credit {
        gift,
        count,
        ended_by,
    } = credit;
    let mapping = table.find(&gift.gift_name, gift.gift_id).cloned();
    Decision {
        gift: CreditedGift {
            msg_id: gift.msg_id,
            user_id: gift.user.user_id,
            unique_id: gift.user.unique_id,
            nickname: gift.user.nickname,
            gift_id: gift.gift_id,
            gift_name: gift.gift_name,
            diamonds: gift.diamonds,
            count,
            trigger: mapping.as_ref().map(|m| m.trigger.clone()),
            ended_by,
        },
        mapping,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::User;
    use crate::mappings::Action;

    fn gift(msg_id: i64, rc: u32, end: bool) -> GiftMessage {
        GiftMessage {
            msg_id,
            user: User {
                user_id: 111,
                unique_id: "alice".into(),
                nickname: "Alice".into(),
            },
            gift_id: 5655,
            gift_name: "Rose".into(),
            diamonds: 1,
            streakable: true,
            repeat_count: rc,
            repeat_end: end,
            group_id: 9001,
            create_time_millis: 0,
            image_url: None,
        }
    }

    fn counts(credits: &[Credit]) -> Vec<(u32, EndedBy)> {
        credits.iter().map(|c| (c.count, c.ended_by)).collect()
    }

    #[test]
    fn streak_counts_once_at_its_end() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert!(e.on_gift(&gift(1, 1, false), 0).is_none());
        assert!(e.on_gift(&gift(2, 2, false), 10).is_none());
        assert_eq!(e.open_streaks(), 1);
        let c = e.on_gift(&gift(3, 3, true), 20).unwrap();
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
        let c = e.on_gift(&g, 0).unwrap();
        assert_eq!((c.count, c.ended_by), (1, EndedBy::Single));
    }

    #[test]
    fn single_streak_end_with_zero_count_counts_one() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert_eq!(e.on_gift(&gift(1, 0, true), 0).unwrap().count, 1);
    }

    #[test]
    fn repeated_end_under_new_id_credits_nothing_more() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert_eq!(e.on_gift(&gift(1, 5, true), 0).unwrap().count, 5);
        assert!(e.on_gift(&gift(2, 5, true), 100).is_none());
        // A later end with a higher count credits only the difference.
        assert_eq!(e.on_gift(&gift(3, 7, true), 200).unwrap().count, 2);
    }

    #[test]
    fn streak_without_end_times_out_then_late_end_credits_difference() {
        let mut e = GiftEngine::new(EngineConfig::default());
        e.on_gift(&gift(1, 1, false), 0);
        e.on_gift(&gift(2, 3, false), 1_000);
        let mut out = vec![];
        e.expire(20_999, &mut out);
        assert!(out.is_empty(), "not yet idle for 20 s");
        e.expire(21_000, &mut out);
        assert_eq!(counts(&out), [(3, EndedBy::Timeout)]);
        assert_eq!(e.open_streaks(), 0);
        let late = e.on_gift(&gift(3, 5, true), 30_000).unwrap();
        assert_eq!((late.count, late.ended_by), (2, EndedBy::StreakEnd));
        assert!(e.on_gift(&gift(4, 5, true), 31_000).is_none());
    }

    #[test]
    fn finish_finalizes_open_streaks_as_timeout() {
        let mut e = GiftEngine::new(EngineConfig::default());
        e.on_gift(&gift(1, 4, false), 0);
        let mut other = gift(2, 2, false);
        other.user.user_id = 222;
        e.on_gift(&other, 0);
        let mut out = vec![];
        e.finish(&mut out);
        let mut got = counts(&out);
        got.sort_by_key(|c| c.0);
        assert_eq!(got, [(2, EndedBy::Timeout), (4, EndedBy::Timeout)]);
    }

    #[test]
    fn new_streak_reusing_a_group_id_counts_in_full() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert_eq!(e.on_gift(&gift(1, 5, true), 0).unwrap().count, 5);
        assert!(e.on_gift(&gift(2, 1, false), 100).is_none());
        assert_eq!(e.on_gift(&gift(3, 2, true), 200).unwrap().count, 2);
    }

    #[test]
    fn finished_streaks_are_forgotten_after_retention() {
        let config = EngineConfig {
            finished_retention_millis: 1_000,
            ..EngineConfig::default()
        };
        let mut e = GiftEngine::new(config);
        e.on_gift(&gift(1, 5, true), 0);
        e.expire(2_000, &mut vec![]);
        assert!(e.streaks.is_empty());
    }

    #[test]
    fn memory_is_bounded_by_max_streaks() {
        let config = EngineConfig {
            max_streaks: 10,
            ..EngineConfig::default()
        };
        let mut e = GiftEngine::new(config);
        for i in 0..100 {
            let mut g = gift(i, 1, true);
            g.group_id = i;
            e.on_gift(&g, i as u64);
        }
        assert!(e.streaks.len() <= 10);
    }

    #[test]
    fn dedupe_forgets_oldest_beyond_capacity() {
        let mut d = Dedupe::new(2);
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
    fn pipeline_dedupes_matches_and_counts() {
        let table = MappingTable::new(vec![Mapping::new(
            "rose",
            vec![Action::Command {
                command: "say hi".into(),
                repeat: 1,
            }],
        )]);
        let mut p = Pipeline::new(EngineConfig::default(), table);
        let batch = Batch {
            events: vec![
                LiveEvent::Gift(gift(1, 1, false)),
                LiveEvent::Gift(gift(1, 1, false)),
                LiveEvent::Gift(gift(2, 2, true)),
            ],
            messages: 3,
            ..Batch::default()
        };
        let mut out = vec![];
        p.ingest_batch(batch, 0, &mut out);
        assert_eq!(out.len(), 1);
        let Output::Credit(d) = &out[0] else {
            panic!("expected a credit")
        };
        assert_eq!(d.gift.count, 2);
        assert_eq!(d.gift.trigger.as_deref(), Some("rose"));
        assert!(d.mapping.is_some());
        assert_eq!(p.stats().duplicates, 1);
        assert_eq!(p.stats().gifts, 2);
    }

    #[test]
    fn pipeline_uses_message_clock_when_replaying() {
        let config = EngineConfig {
            clock_from_messages: true,
            ..EngineConfig::default()
        };
        let mut p = Pipeline::new(config, MappingTable::default());
        let mut a = gift(1, 2, false);
        a.create_time_millis = 1_000;
        let mut b = gift(2, 1, false);
        b.user.user_id = 999;
        b.create_time_millis = 30_000;
        let mut out = vec![];
        let batch = Batch {
            events: vec![LiveEvent::Gift(a), LiveEvent::Gift(b)],
            ..Batch::default()
        };
        p.ingest_batch(batch, 0, &mut out);
        assert_eq!(out.len(), 1, "a timed out when b arrived 29 s later");
        let Output::Credit(d) = &out[0] else { panic!() };
        assert_eq!((d.gift.count, d.gift.ended_by), (2, EndedBy::Timeout));
        assert!(d.gift.trigger.is_none());
    }
}
