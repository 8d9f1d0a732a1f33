//! The gift engine: turns decoded events into credited gifts with TikTok's real streak semantics
//! (dedupe by message id, count streaks once at their end, finalize streaks whose end never comes,
//! match triggers), and keeps the memory that makes each gift count once per room. Pure: no I/O,
//! and time is always passed in as milliseconds. Submodules: [`streaks`] (the streak state
//! machine), `ids` (message-id memories), [`memory`] (the serializable memory and its journal).

mod ids;
pub mod memory;
pub mod streaks;

// Message ids and streak keys come from TikTok, not from viewers: a fast seeded hasher is safe here.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

use crate::event::{CreditedGift, EndedBy, GiftMessage, LiveEvent};
use crate::mappings::{Mapping, MappingTable};
use crate::triggers::{Fired, RoomTriggerMemory, TriggerState, viewer_key};
use crate::wire::{self, Batch, DecodeError};
use ids::{GiftIds, IdRing};
use memory::{
    EventChange, GiftIdRecord, JournalEntry, MEMORY_VERSION, MemorySize, RoomMemory, StreakChange,
};
pub use streaks::GiftEngine;

/// Tunables of the engine. `Default` gives what a streamer wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    /// An open streak with no update for this long is finalized as `timeout`.
    pub streak_timeout_millis: u64,
    /// How many message ids (of every event kind but gifts) are remembered for de-duplication.
    pub dedupe_capacity: usize,
    /// How many gift message ids are remembered, apart from the shared ring.
    pub gift_id_capacity: usize,
    /// How long a gift message id is remembered.
    pub gift_id_retention_millis: u64,
    /// How long a finished streak is remembered, so a repeated end under a new id credits nothing
    /// and a late message of it opens nothing.
    pub finished_retention_millis: u64,
    /// Hard cap on open streaks, and separately on finished ones, so memory stays bounded.
    pub max_streaks: usize,
    /// The engine's one clock runs on the messages' own `create_time` (replay of a header-less
    /// capture, which has no receive times) instead of the caller's milliseconds.
    pub clock_from_messages: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            streak_timeout_millis: 20_000,
            dedupe_capacity: 65_536,
            gift_id_capacity: 131_072,
            gift_id_retention_millis: 60 * 60 * 1000,
            finished_retention_millis: 30 * 60 * 1000,
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
    /// A like message moved the room's like count, right after its event (see [`Likes`]).
    Likes(Likes),
}

/// The engine's like count moved: the one count of likes everything shows (the feed's rows and
/// total, the overlay goal) and the "every N likes" rules fire on.
///
/// It comes from the room total that like messages carry (TikTok's own tally), not from adding
/// each message's own count: TikTok thins like messages out under load, a reconnect loses some
/// and totals arrive out of order, so the sum of the messages undercounts, while the total only
/// needs the highest one seen. The count is part of the room memory, so a reconnect or restart in
/// the same stream continues it instead of counting again from zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Likes {
    /// Likes this message added to the count.
    pub added: u64,
    /// Likes counted since giftdeck first connected to this stream.
    pub counted: u64,
}

/// An output with the time the engine decided it: its clock after the step that produced it (Unix
/// milliseconds in a live session, the messages' create time in a replay). Stamped once, here;
/// the feed, the overlays and every other consumer show this time, never the moment they happened
/// to receive it (a minimized window drains minutes later).
#[derive(Clone, Debug, PartialEq)]
pub struct Stamped {
    pub at_millis: u64,
    pub output: Output,
}

/// A frame that asked to be acknowledged: the `ack` frame to send carries these
/// (`wire::encode_ack`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckRequest {
    pub log_id: i64,
    pub internal_ext: String,
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
    /// Streaks credited as `timeout` before their end because too many were open at once.
    pub capped_streaks: u64,
}

/// The engine's one clock. Its source is decided once, by [`EngineConfig::clock_from_messages`]:
/// the caller's wall-clock milliseconds (live: comparable with a memory saved by an earlier run)
/// or the newest message `create_time` (replay). It never runs backwards, so a wall clock stepped
/// back cannot keep a streak open or a memory from expiring.
#[derive(Clone, Copy, Debug)]
struct Clock {
    from_messages: bool,
    now_millis: u64,
}

impl Clock {
    /// The caller's time (ignored when the clock runs on messages); returns the engine time.
    fn at_caller(&mut self, now_millis: u64) -> u64 {
        if !self.from_messages {
            self.now_millis = self.now_millis.max(now_millis);
        }
        self.now_millis
    }

    /// A message's create time (ignored unless the clock runs on messages).
    fn at_message(&mut self, create_time_millis: i64) {
        if self.from_messages
            && let Ok(t) = u64::try_from(create_time_millis)
        {
            self.now_millis = self.now_millis.max(t);
        }
    }
}

/// Decoder + dedupe + engine + trigger matching, the whole pure core in one place, with its
/// memory of one room (see [`memory`]): restore it with [`Pipeline::restore`], journal it with
/// [`Pipeline::start_journal`] / [`Pipeline::take_journal`].
#[derive(Debug)]
pub struct Pipeline {
    engine: GiftEngine,
    table: MappingTable,
    /// Ids of every event kind but gifts.
    ids: IdRing,
    /// Ids of gift messages: a separate, longer memory that chat/likes/joins cannot push out.
    gift_ids: GiftIds,
    /// Non-gift triggers: cooldowns, and the room's follow and like memory.
    triggers: TriggerState,
    fired: Vec<Fired>,
    inflater: wire::Inflater,
    stats: Stats,
    clock: Clock,
    /// Expiry (gift ids, finished and open streaks) runs at most once per
    /// [`TICK_GRANULARITY_MILLIS`].
    next_expiry_millis: u64,
    credits: Vec<Credit>,
    /// Changes since the last [`Pipeline::take_journal`] (ids and events; streaks are in the engine).
    journal: Option<JournalEntry>,
}

/// How often (in clock time) open streaks are checked for their timeout.
pub const TICK_GRANULARITY_MILLIS: u64 = 250;

impl Pipeline {
    pub fn new(config: EngineConfig, table: MappingTable) -> Self {
        Self {
            ids: IdRing::new(config.dedupe_capacity),
            gift_ids: GiftIds::new(config.gift_id_capacity, config.gift_id_retention_millis),
            triggers: TriggerState::new(),
            fired: Vec::new(),
            inflater: wire::Inflater::new(),
            clock: Clock {
                from_messages: config.clock_from_messages,
                now_millis: 0,
            },
            engine: GiftEngine::new(config),
            table,
            stats: Stats::default(),
            next_expiry_millis: 0,
            credits: Vec::new(),
            journal: None,
        }
    }

    /// The viewers' points and levels the level and points audiences read (the ledger's).
    pub fn set_standings(&mut self, standings: crate::standings::Standings) {
        self.triggers.set_standings(standings);
    }

    /// Swaps the trigger table; takes effect for the next credited gift.
    pub fn set_mappings(&mut self, table: MappingTable) {
        self.table = table;
    }

    pub fn mappings(&self) -> &MappingTable {
        &self.table
    }

    pub fn stats(&self) -> Stats {
        Stats {
            capped_streaks: self.engine.capped_streaks(),
            ..self.stats
        }
    }

    pub fn open_streaks(&self) -> usize {
        self.engine.open_streaks()
    }

    /// The engine clock (milliseconds): the newest time it was given.
    pub fn clock_millis(&self) -> u64 {
        self.clock.now_millis
    }

    /// Stamps an output of the step that just ran with the engine clock (see [`Stamped`]).
    pub fn stamp(&self, output: Output) -> Stamped {
        Stamped {
            at_millis: self.clock.now_millis,
            output,
        }
    }

    /// How much the memory holds, by part.
    pub fn memory_size(&self) -> MemorySize {
        MemorySize {
            message_ids: self.ids.len(),
            gift_ids: self.gift_ids.len(),
            open_streaks: self.engine.open_streaks(),
            finished_streaks: self.engine.finished_streaks(),
            followers: self.triggers.memory().followed.len(),
            subscribers: self.triggers.memory().subscribed.len(),
        }
    }

    /// Decodes and processes one binary WebSocket message: the one entry point for every path
    /// (the live push socket, the managed WebSocket, `replay`, the fuzz tests). A frame that cannot
    /// be decoded is counted as malformed and returned as the error; it loses only itself. When the
    /// frame asks for an acknowledgement, what to send back is returned (the caller owns the socket).
    pub fn ingest_ws_message(
        &mut self,
        bytes: &[u8],
        now_millis: u64,
        out: &mut Vec<Output>,
    ) -> Result<Option<AckRequest>, DecodeError> {
        self.stats.frames += 1;
        let decoded = self.inflater.decode_message_batch(bytes);
        match decoded {
            Ok(Some((log_id, mut batch))) => {
                let ack = batch.need_ack.then(|| AckRequest {
                    log_id,
                    internal_ext: std::mem::take(&mut batch.internal_ext),
                });
                self.ingest_batch(batch, now_millis, out);
                Ok(ack)
            }
            Ok(None) => Ok(None),
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
        self.clock.at_caller(now_millis);
        for event in batch.events {
            match event {
                LiveEvent::Gift(gift) => {
                    // The clock first: an id remembered at a stale time would expire at once.
                    self.clock.at_message(gift.create_time_millis);
                    let now = self.clock.now_millis;
                    if !self.gift_ids.first_time(gift.msg_id, now) {
                        self.stats.duplicates += 1;
                        continue;
                    }
                    if let Some(journal) = &mut self.journal
                        && gift.msg_id != 0
                    {
                        journal.gift_ids.push(GiftIdRecord {
                            id: gift.msg_id,
                            seen_millis: now,
                        });
                    }
                    self.stats.gifts += 1;
                    // Close stale streaks before this gift, so output keeps time order.
                    self.expire(now, out);
                    let mut credits = std::mem::take(&mut self.credits);
                    self.engine.on_gift(gift, now, &mut credits);
                    for credit in credits.drain(..) {
                        self.push_credit(credit, now, out);
                    }
                    self.credits = credits;
                }
                other => {
                    let id = other.msg_id();
                    if !self.ids.first_time(id) {
                        self.stats.duplicates += 1;
                        continue;
                    }
                    if let Some(journal) = &mut self.journal
                        && id != 0
                    {
                        journal.message_ids.push(id);
                    }
                    self.clock.at_message(other.create_time_millis());
                    self.on_event(other, out);
                }
            }
        }
    }

    /// Runs the non-gift triggers on a new event and journals what they now remember.
    fn on_event(&mut self, event: LiveEvent, out: &mut Vec<Output>) {
        let now = self.clock.now_millis;
        // One subscription arrives twice (a member message, a SubNotify): the second is a
        // duplicate for every consumer, not only for the triggers.
        if let Some(user) = event.subscriber()
            && self.triggers.already_subscribed(user)
        {
            self.stats.duplicates += 1;
            return;
        }
        let before = self.triggers.memory();
        let (followers, likes) = (before.followed.len(), before.likes);
        let (subscribers, peak) = (before.subscribed.len(), before.peak_viewers);
        let mut fired = std::mem::take(&mut self.fired);
        self.triggers.on_event(&self.table, &event, now, &mut fired);
        let counted = self.triggers.memory().likes.counted();
        let added = counted.saturating_sub(likes.counted());
        if let Some(journal) = &mut self.journal {
            let after = self.triggers.memory();
            if after.followed.len() > followers
                && let LiveEvent::Social { user, .. } = &event
            {
                let viewer = viewer_key(user);
                journal.events.push(EventChange::Followed { viewer });
            }
            if after.likes != likes {
                journal.events.push(EventChange::Likes(after.likes));
            }
            if after.subscribed.len() > subscribers
                && let Some(user) = event.subscriber()
            {
                let viewer = viewer_key(user);
                journal.events.push(EventChange::Subscribed { viewer });
            }
            if after.peak_viewers != peak {
                journal
                    .events
                    .push(EventChange::PeakViewers(after.peak_viewers));
            }
        }
        out.push(Output::Event(event));
        if added > 0 {
            out.push(Output::Likes(Likes { added, counted }));
        }
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

    /// Finalizes streaks whose timeout has passed and forgets what is past its retention. Call it
    /// periodically (e.g. once a second).
    pub fn tick(&mut self, now_millis: u64, out: &mut Vec<Output>) {
        let now = self.clock.at_caller(now_millis);
        self.expire(now, out);
    }

    fn expire(&mut self, now_millis: u64, out: &mut Vec<Output>) {
        if now_millis < self.next_expiry_millis {
            return;
        }
        self.next_expiry_millis = now_millis.saturating_add(TICK_GRANULARITY_MILLIS);
        self.gift_ids.expire(now_millis);
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
        let now = self.clock.now_millis;
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

    /// The per-room trigger memory (followers, like count).
    pub fn trigger_memory(&self) -> &RoomTriggerMemory {
        self.triggers.memory()
    }

    /// Restores trigger memory remembered by an earlier connection to the same room (the room
    /// store does this through [`Pipeline::restore`]).
    pub fn restore_trigger_memory(&mut self, memory: RoomTriggerMemory) {
        self.triggers.restore(memory);
    }

    /// Likes counted since connecting to the stream.
    pub fn likes_counted(&self) -> u64 {
        self.triggers.likes_counted()
    }

    /// From now on, every change to the memory is recorded for [`Pipeline::take_journal`].
    pub fn start_journal(&mut self) {
        self.journal = Some(JournalEntry::default());
        self.engine.set_journaling(true);
    }

    /// The changes since the last call (`None` when nothing changed or journaling is off). Write
    /// them to disk before sending this step's outputs on: then no crash can credit them twice.
    pub fn take_journal(&mut self) -> Option<JournalEntry> {
        let journal = self.journal.as_mut()?;
        self.engine.take_changes(&mut journal.streaks);
        if journal.is_empty() {
            return None;
        }
        let mut entry = std::mem::take(journal);
        entry.clock_millis = self.clock.now_millis;
        Some(entry)
    }

    /// The whole memory, for a snapshot file.
    pub fn snapshot(&self, room_id: &str) -> RoomMemory {
        let (open_streaks, finished_streaks) = self.engine.snapshot();
        RoomMemory {
            version: MEMORY_VERSION,
            room_id: room_id.to_owned(),
            updated_millis: self.clock.now_millis,
            seq: 0,
            message_ids: self.ids.iter().collect(),
            gift_ids: self
                .gift_ids
                .iter()
                .map(|(id, seen_millis)| GiftIdRecord { id, seen_millis })
                .collect(),
            open_streaks,
            finished_streaks,
            triggers: self.triggers.memory().clone(),
        }
    }

    /// Loads a saved memory, then the journal entries written after it (`seq` above the
    /// snapshot's), through the same code that made the changes. Nothing is journaled or credited
    /// here: open streaks stay open and time out (or end) as they would have.
    pub fn restore(&mut self, memory: RoomMemory, journal: impl IntoIterator<Item = JournalEntry>) {
        let RoomMemory {
            seq,
            message_ids,
            gift_ids,
            open_streaks,
            finished_streaks,
            triggers,
            ..
        } = memory;
        let mut triggers = triggers;
        let journal = journal.into_iter().filter(|entry| entry.seq > seq);
        let snapshot = JournalEntry {
            message_ids,
            gift_ids,
            streaks: finished_streaks
                .into_iter()
                .map(StreakChange::Finished)
                .chain(open_streaks.into_iter().map(StreakChange::Open))
                .collect(),
            ..JournalEntry::default()
        };
        for entry in std::iter::once(snapshot).chain(journal) {
            for id in entry.message_ids {
                self.ids.first_time(id);
            }
            for record in entry.gift_ids {
                self.gift_ids.insert(record.id, record.seen_millis);
            }
            for change in entry.streaks {
                self.engine.apply(change);
            }
            for change in entry.events {
                change.apply(&mut triggers);
            }
        }
        self.triggers.restore(triggers);
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
            image_url: gift.image_url,
            skipped: choice.skipped,
        },
        mapping,
    }
}

#[cfg(test)]
mod tests;

/// Helpers the engine's and the room store's tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use super::Output;
    use crate::event::EndedBy;

    /// The credits among `out`, as (message id, count, how the streak ended).
    pub(crate) fn credits(out: &[Output]) -> Vec<(i64, u32, EndedBy)> {
        out.iter()
            .filter_map(|o| match o {
                Output::Credit(d) => Some((d.gift.msg_id, d.gift.count, d.gift.ended_by)),
                Output::Event(_) | Output::Fired(_) | Output::Likes(_) => None,
            })
            .collect()
    }
}
