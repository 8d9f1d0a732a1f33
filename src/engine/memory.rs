//! The engine's memory of one room as plain, versioned, serializable data: what a session needs to
//! remember so the same stream never credits a gift twice across reconnects, Disconnect/Connect,
//! app restarts and crashes. [`RoomMemory`] is the full picture (a snapshot); [`JournalEntry`] is
//! one step's changes, appended before that step's credits leave the engine. Both are applied
//! through the same engine code (`Pipeline::restore`), so a saved memory means exactly what the
//! live one meant. No I/O here: `crate::room_store` reads and writes the files.
//!
//! # Adding a field
//!
//! Non-gift memories live in [`RoomTriggerMemory`] (owned by `triggers`: the follower set and the
//! like counter), changes to them in [`EventChange`]:
//! 1. add the field with `#[serde(default)]`, so files written before it still load (no version
//!    bump needed for an added field), and bound it (size; age goes with the room);
//! 2. add a variant to [`EventChange`] that sets state (e.g. `Subscribed { viewer }`), never one
//!    that adds to it: a journal may be applied twice over a snapshot that already holds it;
//! 3. handle the variant in [`EventChange::apply`];
//! 4. in `Pipeline::ingest_batch`, journal the variant when the trigger state changed it (see how
//!    `Followed` and `Likes` are found there), and count it in [`MemorySize`] if it can grow.
//!
//! Bump [`MEMORY_VERSION`] only when an old file can no longer be read with the right meaning; a
//! file with another version is set aside and the room starts with an empty memory.

use serde::{Deserialize, Serialize};

use crate::event::GiftMessage;
use crate::triggers::{LikeCounter, RoomTriggerMemory};

/// Version of the [`RoomMemory`] file format.
pub const MEMORY_VERSION: u32 = 1;

/// Identifies a streak: one viewer sending one gift type in one combo group. Ordered only so open
/// streaks can be indexed by age.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StreakKey {
    pub user_id: i64,
    pub gift_id: i64,
    pub group_id: i64,
}

impl StreakKey {
    pub fn of(gift: &GiftMessage) -> Self {
        Self {
            user_id: gift.user.user_id,
            gift_id: gift.gift_id,
            group_id: gift.group_id,
        }
    }
}

/// A streak still waiting for its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenStreak {
    pub key: StreakKey,
    /// The streak's newest message (by create time): what a timeout credits.
    pub latest: GiftMessage,
    /// Highest `repeat_count` seen in this streak.
    pub seen_count: u32,
    /// How many of this streak's gifts had been credited before it (re)opened.
    pub credited: u32,
    /// Engine clock of the last update; the streak times out relative to it.
    pub last_update_millis: u64,
    /// Oldest and newest `create_time` of the streak's messages (0 = unknown).
    pub first_create_millis: i64,
    pub newest_create_millis: i64,
}

/// What is remembered of a streak after it was credited, so a repeated end credits nothing more
/// and a late message of it opens nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishedStreak {
    pub key: StreakKey,
    /// The streak's total credited so far.
    pub credited: u32,
    /// Engine clock when it finished (retention counts from here).
    pub finished_millis: u64,
    /// Newest `create_time` among the streak's messages (0 = unknown).
    pub newest_create_millis: i64,
}

/// One change to the streak memory. Each sets the state of its key (applying twice is harmless).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreakChange {
    /// The streak is open with this state.
    Open(OpenStreak),
    /// The streak is finished (and no longer open).
    Finished(FinishedStreak),
}

/// A gift message id and when the engine saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftIdRecord {
    pub id: i64,
    pub seen_millis: u64,
}

/// One change to the trigger memory ([`RoomTriggerMemory`]: who already followed, the like
/// count). Variants set state; they never add to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventChange {
    /// This viewer (a [`crate::triggers::viewer_key`]) followed: a follow trigger fired for them.
    Followed { viewer: String },
    /// The like counter after a like message.
    Likes(LikeCounter),
    /// This viewer subscribed: a subscribe trigger fired for them (once per stream).
    Subscribed { viewer: String },
    /// The stream's highest viewer count so far ("viewers ≥ N" fires once).
    PeakViewers(u64),
}

impl EventChange {
    /// Applies the change (restoring a saved memory runs this for every journaled change).
    pub fn apply(self, memory: &mut RoomTriggerMemory) {
        match self {
            Self::Followed { viewer } => {
                memory.followed.insert(viewer);
            }
            Self::Likes(likes) => memory.likes = likes,
            Self::Subscribed { viewer } => {
                memory.subscribed.insert(viewer);
            }
            Self::PeakViewers(peak) => memory.peak_viewers = memory.peak_viewers.max(peak),
        }
    }
}

/// Everything the engine remembers about one room: the snapshot file's content.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomMemory {
    /// [`MEMORY_VERSION`] when written.
    pub version: u32,
    pub room_id: String,
    /// Engine clock (wall-clock milliseconds) of the newest change included.
    pub updated_millis: u64,
    /// The last journal sequence number included; older journal entries are already in here.
    pub seq: u64,
    /// The shared message-id ring (every event kind but gifts), oldest first.
    pub message_ids: Vec<i64>,
    /// The long gift-id memory, oldest first.
    pub gift_ids: Vec<GiftIdRecord>,
    pub open_streaks: Vec<OpenStreak>,
    /// Oldest finish first.
    pub finished_streaks: Vec<FinishedStreak>,
    /// Follow and like memory of the room's triggers.
    #[serde(default)]
    pub triggers: RoomTriggerMemory,
}

/// The changes of one pipeline step, written as one journal line before its credits are sent on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JournalEntry {
    /// Assigned by the store; increases by one per line.
    pub seq: u64,
    /// Engine clock after the step.
    pub clock_millis: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub message_ids: Vec<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gift_ids: Vec<GiftIdRecord>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub streaks: Vec<StreakChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventChange>,
}

impl JournalEntry {
    /// Nothing changed in this step.
    pub fn is_empty(&self) -> bool {
        self.message_ids.is_empty()
            && self.gift_ids.is_empty()
            && self.streaks.is_empty()
            && self.events.is_empty()
    }
}

/// How much a memory holds, by part (what the soak watches stay flat).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MemorySize {
    pub message_ids: usize,
    pub gift_ids: usize,
    pub open_streaks: usize,
    pub finished_streaks: usize,
    /// Viewers remembered as having followed.
    pub followers: usize,
    /// Viewers remembered as having subscribed.
    pub subscribers: usize,
}
