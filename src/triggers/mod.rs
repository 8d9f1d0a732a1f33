//! Every LIVE event as a trigger: decides which mappings a follow, share, subscription, join, like or
//! chat message fires (and which gift mapping a credited gift fires), applying the audience filter,
//! the blocklist, cooldowns, follow-once-per-viewer and like blocks. Pure: no I/O, time passed in.

mod chat;
mod cooldown;
mod likes;
mod room;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// Kept at their old path while callers move to [`crate::mappings`] and [`crate::event`].
pub use crate::event::Skip;
pub use crate::mappings::{Audience, Condition, EventKind, normalize_handle};
pub use chat::{match_command, match_keyword};
pub use cooldown::Cooldowns;
pub use likes::{LikeCounter, LikeStep};
pub use room::{RoomLine, ScoreLine};

use crate::event::{Identity, LiveEvent, MEMBER_JOINED, MEMBER_SUBSCRIBED, SocialKind, User};
use crate::mappings::{Mapping, MappingTable};
use crate::standings::Standings;

/// What of a stream's trigger state must survive a reconnect to the same room: who already fired a
/// follow trigger, and the like count (so blocks already crossed do not fire again).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomTriggerMemory {
    /// Viewer keys (see [`viewer_key`]) that followed during this stream.
    pub followed: HashSet<String>,
    pub likes: LikeCounter,
    /// Viewer keys that subscribed during this stream (a member message with action 3 and a
    /// `WebcastSubNotifyMessage` for the same subscription count once).
    #[serde(default)]
    pub subscribed: HashSet<String>,
    /// The highest viewer count of this stream so far: a "viewers ≥ N" trigger fires when it
    /// first passes N.
    #[serde(default)]
    pub peak_viewers: u64,
}

/// Most viewers whose identity flags are remembered; the map is cleared past it (flags come back
/// with the viewer's next gift or chat).
const MAX_IDENTITIES: usize = 200_000;
/// Most followers (and, apart, subscribers) remembered per stream, so a flood cannot grow memory
/// without bound.
const MAX_FOLLOWED: usize = 1_000_000;

/// One non-gift trigger that fired (or was skipped): what `--events` prints and the feed shows.
/// Events without a viewer (the viewer count, a battle) carry user id 0 and empty names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventLine {
    pub kind: EventKind,
    pub msg_id: i64,
    pub user_id: i64,
    pub unique_id: String,
    pub nickname: String,
    /// The mapping's trigger text.
    pub trigger: String,
    /// How many times the actions run: blocks crossed for a like rule, 1 otherwise.
    pub count: u32,
    /// Like rules: likes counted since connecting, after this message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likes: Option<u64>,
    /// Like rules: the room total TikTok reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_likes: Option<i64>,
    /// Chat triggers: the whole message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Chat triggers: the text after the command word (or keyword).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<String>,
    /// Set when the trigger was cooling down: nothing ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Skip>,
    /// The numbers the 2026 kinds carry (months, viewers, diamonds, battle…); absent otherwise.
    #[serde(flatten)]
    pub room: RoomLine,
}

/// A non-gift trigger decision: the line, and the mapping to run (`None` when skipped).
#[derive(Clone, Debug, PartialEq)]
pub struct Fired {
    pub line: EventLine,
    /// Copied at decision time, so later edits do not change queued work.
    pub mapping: Option<Mapping>,
}

/// The gift mapping chosen for a credited gift.
#[derive(Clone, Debug, PartialEq)]
pub struct GiftChoice {
    /// The matched mapping's trigger text (also when skipped).
    pub trigger: Option<String>,
    /// The mapping to run; `None` when nothing matched or it was skipped.
    pub mapping: Option<Mapping>,
    pub skipped: Option<Skip>,
}

/// Identifies a viewer for follow-once and per-viewer cooldowns: the numeric id, or the @handle
/// when a message had no id.
pub fn viewer_key(user: &User) -> String {
    if user.user_id != 0 {
        user.user_id.to_string()
    } else {
        format!("@{}", normalize_handle(&user.unique_id))
    }
}

/// Per-stream trigger state: room memory, cooldowns and what is known of viewers.
#[derive(Debug, Default)]
pub struct TriggerState {
    memory: RoomTriggerMemory,
    cooldowns: Cooldowns,
    /// Identity flags learned from earlier messages (a chat says "subscriber"; their later like
    /// message does not carry it).
    identities: HashMap<String, Identity>,
    /// Diamonds credited per viewer this session, and who leads (the top-gifter audience).
    gifted: room::Gifted,
    /// Battles whose start or end already fired (one battle ends with two messages).
    battles: room::BattlesSeen,
    /// The viewers' points and levels as the ledger last committed them (the level and points
    /// audiences); empty without a ledger.
    standings: Standings,
}

impl TriggerState {
    pub fn new() -> Self {
        Self::default()
    }

    /// The state to remember for a reconnect to the same room.
    pub fn memory(&self) -> &RoomTriggerMemory {
        &self.memory
    }

    /// Restores what an earlier connection to the same room remembered.
    pub fn restore(&mut self, memory: RoomTriggerMemory) {
        self.memory = memory;
    }

    /// Reads the level and points audiences from `standings` from now on.
    pub fn set_standings(&mut self, standings: Standings) {
        self.standings = standings;
    }

    /// Likes counted since connecting.
    pub fn likes_counted(&self) -> u64 {
        self.memory.likes.counted()
    }

    fn learn(&mut self, user: &User, extra: Identity) {
        let identity = user.identity.union(extra);
        if identity == Identity::default() {
            return;
        }
        if self.identities.len() >= MAX_IDENTITIES {
            self.identities.clear();
        }
        let entry = self.identities.entry(viewer_key(user)).or_default();
        *entry = entry.union(identity);
    }

    fn admits(&self, audience: &Audience, user: &User) -> bool {
        let known = || {
            let key = viewer_key(user);
            let learned = self.identities.get(&key).copied().unwrap_or_default();
            let followed = self.memory.followed.contains(&key);
            (user.identity.union(learned), followed)
        };
        match audience {
            Audience::Anyone => true,
            Audience::Followers => {
                let (identity, followed) = known();
                identity.follower || followed
            }
            Audience::Subscribers => known().0.subscriber,
            Audience::Moderators => known().0.moderator,
            Audience::TopGifter => self.gifted.is_top(&viewer_key(user)),
            Audience::FanClubLevel(min) => known().0.fan_club_level >= (*min).max(1),
            Audience::Level(min) => user.user_id != 0 && self.standings.level(user.user_id) >= *min,
            Audience::Points(min) => {
                user.user_id != 0 && self.standings.points(user.user_id) >= *min
            }
            Audience::Handles(handles) => {
                let handle = normalize_handle(&user.unique_id);
                !handle.is_empty() && handles.iter().any(|h| normalize_handle(h) == handle)
            }
        }
    }

    /// Picks the mapping a credited gift fires: the first gift candidate (name, id, worth ≥ N, any
    /// gift) whose audience admits the viewer, unless the viewer is blocked; then its cooldowns.
    pub fn choose_gift(
        &mut self,
        table: &MappingTable,
        user: &User,
        gift_name: &str,
        gift_id: i64,
        total_diamonds: u64,
        now_millis: u64,
    ) -> GiftChoice {
        self.learn(user, Identity::default());
        self.gifted.add(viewer_key(user), total_diamonds);
        let none = GiftChoice {
            trigger: None,
            mapping: None,
            skipped: None,
        };
        if table.is_blocked(&user.unique_id) {
            return none;
        }
        let Some(mapping) = table
            .gift_candidates(gift_name, gift_id, total_diamonds)
            .find(|m| self.admits(&m.audience, user))
        else {
            return none;
        };
        let skipped = self.cooldown(mapping, user, now_millis).err();
        GiftChoice {
            trigger: Some(mapping.trigger.clone()),
            mapping: skipped.is_none().then(|| mapping.clone()),
            skipped,
        }
    }

    fn cooldown(&mut self, mapping: &Mapping, user: &User, now_millis: u64) -> Result<(), Skip> {
        if mapping.cooldown_seconds == 0 && mapping.viewer_cooldown_seconds == 0 {
            return Ok(());
        }
        self.cooldowns.check(
            &mapping.cooldown_key(),
            &viewer_key(user),
            mapping.cooldown_seconds,
            mapping.viewer_cooldown_seconds,
            now_millis,
        )
    }

    /// Processes one de-duplicated non-gift event: updates room memory (followers, likes) and
    /// appends every trigger it fires or skips to `out`.
    pub fn on_event(
        &mut self,
        table: &MappingTable,
        event: &LiveEvent,
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        match event {
            LiveEvent::Social {
                msg_id, user, kind, ..
            } => match kind {
                SocialKind::Follow => {
                    let key = viewer_key(user);
                    if self.memory.followed.contains(&key) {
                        return; // a re-follow, or TikTok repeating itself: fires nothing
                    }
                    if self.memory.followed.len() < MAX_FOLLOWED {
                        self.memory.followed.insert(key);
                    }
                    self.fire_all(table, EventKind::Follow, *msg_id, user, now_millis, out);
                }
                SocialKind::Share => {
                    self.fire_all(table, EventKind::Share, *msg_id, user, now_millis, out);
                }
                SocialKind::Other => {}
            },
            LiveEvent::Member {
                msg_id,
                user,
                action,
                ..
            } => match *action {
                MEMBER_JOINED => {
                    self.learn(user, Identity::default());
                    self.fire_all(table, EventKind::Join, *msg_id, user, now_millis, out);
                }
                MEMBER_SUBSCRIBED => {
                    self.subscribe(table, *msg_id, user, None, now_millis, out);
                }
                _ => {}
            },
            LiveEvent::Like {
                msg_id,
                user,
                count,
                total,
                ..
            } => self.on_like(table, (*msg_id, user), (*count, *total), now_millis, out),
            LiveEvent::Chat {
                msg_id, user, text, ..
            } => {
                self.learn(user, Identity::default());
                if !table.listens_to(EventKind::Chat) || table.is_blocked(&user.unique_id) {
                    return;
                }
                for mapping in table.for_kind(EventKind::Chat) {
                    let args = match &mapping.on {
                        Condition::ChatCommand { command } => match_command(text, command),
                        Condition::ChatKeyword { keyword } => match_keyword(text, keyword),
                        _ => None,
                    };
                    let Some(args) = args else { continue };
                    if !self.admits(&mapping.audience, user) {
                        continue;
                    }
                    let mut line = self.line(EventKind::Chat, *msg_id, user, mapping);
                    line.message = Some(text.clone());
                    line.args = Some(args.to_owned());
                    self.push(mapping, user, line, now_millis, out);
                }
            }
            LiveEvent::Room(room) => self.on_room(table, room, now_millis, out),
            LiveEvent::Gift(_) | LiveEvent::Control { .. } => {}
        }
    }

    /// True when this viewer's subscription was already counted this stream: a second message
    /// for it (TikTok sends a member message and a `WebcastSubNotifyMessage`) counts nothing.
    pub fn already_subscribed(&self, user: &User) -> bool {
        self.memory.subscribed.contains(&viewer_key(user))
    }

    /// A subscription (member action 3 or SubNotify): remembered, the viewer learned as a
    /// subscriber, and the subscribe triggers fired with `{months}` when known.
    fn subscribe(
        &mut self,
        table: &MappingTable,
        msg_id: i64,
        user: &User,
        months: Option<u32>,
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        let key = viewer_key(user);
        if self.memory.subscribed.contains(&key) {
            return;
        }
        if self.memory.subscribed.len() < MAX_FOLLOWED {
            self.memory.subscribed.insert(key);
        }
        self.learn(
            user,
            Identity {
                subscriber: true,
                ..Identity::default()
            },
        );
        let room = RoomLine {
            months,
            ..RoomLine::default()
        };
        self.fire_with(
            table,
            EventKind::Subscribe,
            msg_id,
            user,
            &room,
            now_millis,
            out,
        );
    }

    /// A like message: counted (even without like rules, so a rule added mid-stream starts from
    /// the truth), then every "every N likes" rule whose N it crossed fires.
    fn on_like(
        &mut self,
        table: &MappingTable,
        (msg_id, user): (i64, &User),
        (count, total): (u32, i64),
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        let Some(step) = self.memory.likes.on_like(count, total) else {
            return;
        };
        if !table.listens_to(EventKind::Like) || table.is_blocked(&user.unique_id) {
            return;
        }
        for mapping in table.for_kind(EventKind::Like) {
            let Condition::Likes { every } = mapping.on else {
                continue;
            };
            let blocks = step.blocks_crossed(every);
            if blocks == 0 || !self.admits(&mapping.audience, user) {
                continue;
            }
            let mut line = self.line(EventKind::Like, msg_id, user, mapping);
            line.count = u32::try_from(blocks).unwrap_or(u32::MAX);
            line.likes = Some(step.counted_after);
            line.total_likes = Some(step.room_total);
            self.push(mapping, user, line, now_millis, out);
        }
    }

    fn fire_all(
        &mut self,
        table: &MappingTable,
        kind: EventKind,
        msg_id: i64,
        user: &User,
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        self.fire_with(
            table,
            kind,
            msg_id,
            user,
            &RoomLine::default(),
            now_millis,
            out,
        );
    }

    /// Fires every mapping of `kind` whose audience admits the viewer, each line carrying `room`.
    #[expect(
        clippy::too_many_arguments,
        reason = "the event's parts, passed through as they are"
    )]
    fn fire_with(
        &mut self,
        table: &MappingTable,
        kind: EventKind,
        msg_id: i64,
        user: &User,
        room: &RoomLine,
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        if !table.listens_to(kind) || table.is_blocked(&user.unique_id) {
            return;
        }
        for mapping in table.for_kind(kind) {
            if self.admits(&mapping.audience, user) {
                let mut line = self.line(kind, msg_id, user, mapping);
                line.room = room.clone();
                self.push(mapping, user, line, now_millis, out);
            }
        }
    }

    fn line(&self, kind: EventKind, msg_id: i64, user: &User, mapping: &Mapping) -> EventLine {
        EventLine {
            kind,
            msg_id,
            user_id: user.user_id,
            unique_id: user.unique_id.clone(),
            nickname: user.nickname.clone(),
            trigger: mapping.trigger.clone(),
            count: 1,
            likes: None,
            total_likes: None,
            message: None,
            args: None,
            skipped: None,
            room: RoomLine::default(),
        }
    }

    fn push(
        &mut self,
        mapping: &Mapping,
        user: &User,
        mut line: EventLine,
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        let skipped = self.cooldown(mapping, user, now_millis).err();
        line.skipped = skipped;
        out.push(Fired {
            line,
            mapping: skipped.is_none().then(|| mapping.clone()),
        });
    }
}

#[cfg(test)]
mod room_tests;
#[cfg(test)]
mod tests;
