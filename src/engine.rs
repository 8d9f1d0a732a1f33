//! The gift engine: turns decoded events into credited gifts with TikTok's real streak semantics
//! (dedupe by message id, count streaks once at their end, finalize streaks whose end never comes,
//! match triggers). Pure: no I/O, and time is always passed in as milliseconds.

use std::collections::VecDeque;

// Message ids and streak keys come from TikTok, not from viewers: a fast seeded hasher is safe here.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

use crate::event::{CreditedGift, EndedBy, GiftMessage, LiveEvent};
use crate::mappings::{Mapping, MappingTable};
use crate::triggers::{Fired, RoomTriggerMemory, TriggerState};
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
    /// How many of this streak's gifts had been credited before it (re)opened.
    credited: u32,
    last_update_millis: u64,
}

/// What is remembered of a streak after it was credited, so a repeated end credits nothing more.
#[derive(Clone, Copy, Debug)]
struct Finished {
    credited: u32,
    finished_millis: u64,
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
            seen: HashSet::with_capacity_and_hasher(capacity.min(1 << 16), Default::default()),
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
///
/// Open streaks and finished ones are kept apart: the timeout scan only walks open streaks, and
/// finished ones are forgotten in the order they finished (a queue), so neither grows a hot path.
#[derive(Debug)]
pub struct GiftEngine {
    config: EngineConfig,
    open: HashMap<StreakKey, Streak>,
    finished: HashMap<StreakKey, Finished>,
    finished_order: VecDeque<(u64, StreakKey)>,
}

impl GiftEngine {
    pub fn new(config: EngineConfig) -> Self {
        Self {
            config,
            open: HashMap::default(),
            finished: HashMap::default(),
            finished_order: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Streaks still waiting for their end.
    pub fn open_streaks(&self) -> usize {
        self.open.len()
    }

    /// Streaks remembered in all (open and finished): bounded by `max_streaks` each.
    pub fn remembered_streaks(&self) -> usize {
        self.open.len() + self.finished.len()
    }

    /// Processes one gift message; returns a credit when this message completes one.
    pub fn on_gift(&mut self, gift: GiftMessage, now_millis: u64) -> Option<Credit> {
        if !gift.streakable {
            return Some(Credit {
                gift,
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
        if let Some(streak) = self.open.get_mut(&key) {
            streak.seen_count = streak.seen_count.max(count);
            streak.last_update_millis = now_millis;
            if !gift.repeat_end {
                streak.latest = gift;
                return None;
            }
            let (seen, credited) = (streak.seen_count, streak.credited);
            self.open.remove(&key);
            self.record_finished(key, seen, now_millis);
            return credit_delta(gift, seen, credited, EndedBy::StreakEnd);
        }
        // Credit only what this streak key has not been credited yet: a repeated end under a new
        // message id, or the real end after a timeout, adds just the difference. A lower count than
        // already credited means a new streak reusing the group id, not a repeat of the old one.
        let credited = match self.finished.get(&key) {
            Some(f) if count >= f.credited => f.credited,
            _ => 0,
        };
        if gift.repeat_end {
            let seen = count.max(credited);
            self.record_finished(key, seen, now_millis);
            return credit_delta(gift, count, credited, EndedBy::StreakEnd);
        }
        if self.open.len() >= self.config.max_streaks {
            self.finalize_oldest_open();
        }
        self.open.insert(
            key,
            Streak {
                latest: gift,
                seen_count: count,
                credited,
                last_update_millis: now_millis,
            },
        );
        None
    }

    fn record_finished(&mut self, key: StreakKey, credited: u32, now_millis: u64) {
        let previous = self.finished.insert(
            key,
            Finished {
                credited,
                finished_millis: now_millis,
            },
        );
        if previous.is_none_or(|p| p.finished_millis != now_millis) {
            self.finished_order.push_back((now_millis, key));
        }
        // Keys that finish again leave stale entries in the queue; drop them once they are half of
        // it, so the queue stays proportional to what is remembered (amortized O(1)).
        if self.finished_order.len() > 2 * self.finished.len() + 64 {
            let finished = &self.finished;
            self.finished_order
                .retain(|(at, key)| finished.get(key).is_some_and(|f| f.finished_millis == *at));
        }
        while self.finished.len() > self.config.max_streaks {
            let Some((_, oldest)) = self.finished_order.pop_front() else {
                break;
            };
            self.finished.remove(&oldest);
        }
    }

    /// Finalizes open streaks that have had no update for the streak timeout, and forgets finished
    /// streaks past their retention.
    pub fn expire(&mut self, now_millis: u64, out: &mut Vec<Credit>) {
        let timeout = self.config.streak_timeout_millis;
        let stale: Vec<StreakKey> = self
            .open
            .iter()
            .filter(|(_, s)| now_millis.saturating_sub(s.last_update_millis) >= timeout)
            .map(|(k, _)| *k)
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
            // The key may have finished again later; only its latest finish counts.
            if self
                .finished
                .get(&key)
                .is_some_and(|f| f.finished_millis == at)
            {
                self.finished.remove(&key);
            }
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
        if let Some(streak) = self.open.remove(&key) {
            self.record_finished(key, streak.seen_count, now_millis);
            out.extend(credit_delta(
                streak.latest,
                streak.seen_count,
                streak.credited,
                EndedBy::Timeout,
            ));
        }
    }

    /// Keeps memory bounded when an absurd number of streaks is open at once.
    fn finalize_oldest_open(&mut self) {
        let oldest = self
            .open
            .iter()
            .min_by_key(|(_, s)| s.last_update_millis)
            .map(|(k, s)| (*k, s.last_update_millis));
        if let Some((key, at)) = oldest {
            // The credit is dropped here: this only happens past `max_streaks` open streaks.
            self.finalize(key, at, &mut Vec::new());
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
    /// A non-gift trigger that fired (or was skipped while cooling down), right after its event.
    Fired(Box<Fired>),
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
    /// Non-gift triggers fired (skipped ones not counted).
    pub fired: u64,
    /// Triggers (gift or not) skipped because they were cooling down.
    pub skipped: u64,
}

/// Decoder + dedupe + engine + trigger matching, the whole pure core in one place.
#[derive(Debug)]
pub struct Pipeline {
    engine: GiftEngine,
    table: MappingTable,
    dedupe: Dedupe,
    inflater: wire::Inflater,
    stats: Stats,
    /// Latest message `create_time` seen (used when `clock_from_messages`).
    message_clock_millis: u64,
    /// Streak expiry scans every streak, so it runs at most once per [`TICK_GRANULARITY_MILLIS`].
    next_expiry_millis: u64,
    credits: Vec<Credit>,
    triggers: TriggerState,
    fired: Vec<Fired>,
    /// The latest clock value seen, for credits finalized by `finish`.
    last_now_millis: u64,
}

/// How often (in clock time) open streaks are checked for their timeout.
pub const TICK_GRANULARITY_MILLIS: u64 = 250;

impl Pipeline {
    pub fn new(config: EngineConfig, table: MappingTable) -> Self {
        Self {
            dedupe: Dedupe::new(config.dedupe_capacity),
            inflater: wire::Inflater::new(),
            engine: GiftEngine::new(config),
            table,
            stats: Stats::default(),
            message_clock_millis: 0,
            next_expiry_millis: 0,
            credits: Vec::new(),
            triggers: TriggerState::new(),
            fired: Vec::new(),
            last_now_millis: 0,
        }
    }

    /// The per-room trigger memory (followers, like count) to keep for a reconnect to the same room.
    pub fn trigger_memory(&self) -> &RoomTriggerMemory {
        self.triggers.memory()
    }

    /// Restores trigger memory remembered by an earlier connection to the same room.
    pub fn restore_trigger_memory(&mut self, memory: RoomTriggerMemory) {
        self.triggers.restore(memory);
    }

    /// Likes counted since connecting to the stream.
    pub fn likes_counted(&self) -> u64 {
        self.triggers.likes_counted()
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
    fn clock(&mut self, now_millis: u64) -> u64 {
        let now = if self.engine.config().clock_from_messages {
            self.message_clock_millis
        } else {
            now_millis
        };
        self.last_now_millis = self.last_now_millis.max(now);
        now
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
        let decoded = self.inflater.decode_message_batch(bytes);
        match decoded {
            Ok(Some((_log_id, batch))) => {
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
            if let Ok(t) = u64::try_from(event.create_time_millis()) {
                self.message_clock_millis = self.message_clock_millis.max(t);
            }
            match event {
                LiveEvent::Gift(gift) => {
                    self.stats.gifts += 1;
                    let now = self.clock(now_millis);
                    // Close stale streaks before this gift, so output keeps time order.
                    self.tick(now, out);
                    if let Some(credit) = self.engine.on_gift(gift, now) {
                        self.push_credit(credit, now, out);
                    }
                }
                other => {
                    let now = self.clock(now_millis);
                    let mut fired = std::mem::take(&mut self.fired);
                    self.triggers.on_event(&self.table, &other, now, &mut fired);
                    out.push(Output::Event(other));
                    for f in fired.drain(..) {
                        if f.line.skipped.is_some() {
                            self.stats.skipped += 1;
                        } else {
                            self.stats.fired += 1;
                        }
                        out.push(Output::Fired(Box::new(f)));
                    }
                    self.fired = fired;
                }
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
            self.push_credit(credit, now_millis, out);
        }
        self.credits = credits;
    }

    /// Ends the session: every open streak is finalized as `timeout`.
    pub fn finish(&mut self, out: &mut Vec<Output>) {
        let mut credits = std::mem::take(&mut self.credits);
        self.engine.finish(&mut credits);
        let now = self.last_now_millis;
        for credit in credits.drain(..) {
            self.push_credit(credit, now, out);
        }
        self.credits = credits;
    }

    /// Matches a credit to a trigger (audience, blocklist and cooldowns included) and emits it.
    fn push_credit(&mut self, credit: Credit, now: u64, out: &mut Vec<Output>) {
        self.stats.credited += 1;
        let decision = decide_with(&mut self.triggers, &self.table, credit, now);
        if decision.gift.skipped.is_some() {
            self.stats.skipped += 1;
        }
        out.push(Output::Credit(decision));
    }
}

/// Step 4 of the gift rule: match a credit to a trigger (name, id, worth ≥ N, any gift), without
/// cooldown memory (the app's Test button, one-off checks).
pub fn decide(table: &MappingTable, credit: Credit) -> Decision {
    decide_with(&mut TriggerState::new(), table, credit, 0)
}

/// Matches a credit to a trigger with a stream's trigger state (cooldowns, learned identities).
pub fn decide_with(
    triggers: &mut TriggerState,
    table: &MappingTable,
    credit: Credit,
    now_millis: u64,
) -> Decision {
    let Credit {
        gift,
        count,
        ended_by,
    } = credit;
    let total = u64::from(gift.diamonds) * u64::from(count);
    let choice = triggers.choose_gift(
        table,
        &gift.user,
        &gift.gift_name,
        gift.gift_id,
        total,
        now_millis,
    );
    let mapping = choice.mapping;
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
            trigger: choice.trigger,
            ended_by,
            skipped: choice.skipped,
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
                ..User::default()
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
        assert!(e.on_gift(gift(1, 1, false), 0).is_none());
        assert!(e.on_gift(gift(2, 2, false), 10).is_none());
        assert_eq!(e.open_streaks(), 1);
        let c = e.on_gift(gift(3, 3, true), 20).unwrap();
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
        let c = e.on_gift(g, 0).unwrap();
        assert_eq!((c.count, c.ended_by), (1, EndedBy::Single));
    }

    #[test]
    fn single_streak_end_with_zero_count_counts_one() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert_eq!(e.on_gift(gift(1, 0, true), 0).unwrap().count, 1);
    }

    #[test]
    fn repeated_end_under_new_id_credits_nothing_more() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert_eq!(e.on_gift(gift(1, 5, true), 0).unwrap().count, 5);
        assert!(e.on_gift(gift(2, 5, true), 100).is_none());
        // A later end with a higher count credits only the difference.
        assert_eq!(e.on_gift(gift(3, 7, true), 200).unwrap().count, 2);
    }

    #[test]
    fn streak_without_end_times_out_then_late_end_credits_difference() {
        let mut e = GiftEngine::new(EngineConfig::default());
        e.on_gift(gift(1, 1, false), 0);
        e.on_gift(gift(2, 3, false), 1_000);
        let mut out = vec![];
        e.expire(20_999, &mut out);
        assert!(out.is_empty(), "not yet idle for 20 s");
        e.expire(21_000, &mut out);
        assert_eq!(counts(&out), [(3, EndedBy::Timeout)]);
        assert_eq!(e.open_streaks(), 0);
        let late = e.on_gift(gift(3, 5, true), 30_000).unwrap();
        assert_eq!((late.count, late.ended_by), (2, EndedBy::StreakEnd));
        assert!(e.on_gift(gift(4, 5, true), 31_000).is_none());
    }

    #[test]
    fn finish_finalizes_open_streaks_as_timeout() {
        let mut e = GiftEngine::new(EngineConfig::default());
        e.on_gift(gift(1, 4, false), 0);
        let mut other = gift(2, 2, false);
        other.user.user_id = 222;
        e.on_gift(other, 0);
        let mut out = vec![];
        e.finish(&mut out);
        let mut got = counts(&out);
        got.sort_by_key(|c| c.0);
        assert_eq!(got, [(2, EndedBy::Timeout), (4, EndedBy::Timeout)]);
    }

    #[test]
    fn new_streak_reusing_a_group_id_counts_in_full() {
        let mut e = GiftEngine::new(EngineConfig::default());
        assert_eq!(e.on_gift(gift(1, 5, true), 0).unwrap().count, 5);
        assert!(e.on_gift(gift(2, 1, false), 100).is_none());
        assert_eq!(e.on_gift(gift(3, 2, true), 200).unwrap().count, 2);
    }

    #[test]
    fn finished_streaks_are_forgotten_after_retention() {
        let config = EngineConfig {
            finished_retention_millis: 1_000,
            ..EngineConfig::default()
        };
        let mut e = GiftEngine::new(config);
        e.on_gift(gift(1, 5, true), 0);
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
            let mut g = gift(i, 1, true);
            g.group_id = i;
            e.on_gift(g, i as u64);
        }
        assert!(e.remembered_streaks() <= 20);
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
