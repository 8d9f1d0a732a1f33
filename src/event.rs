//! Domain types for what happens in a TikTok LIVE room: the decoder produces them, everything else reads them.
//! Generated protobuf types never appear here.

use serde::{Deserialize, Serialize};

mod room;

pub use room::{
    Battle, BattlePhase, BattleSide, Chest, GoalProgress, MAX_TOP_VIEWERS, Poll, PollOption,
    PollPhase, RoomEvent, RoomKind, SuperFanMoment, TopViewer, ViewerCount,
};

/// A viewer, as far as a message tells us. Missing fields fall back to safe defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    /// TikTok's numeric user id (0 when the message had no user).
    pub user_id: i64,
    /// The @handle (`display_id` on the wire), without the `@`.
    pub unique_id: String,
    /// The free-form display name. Viewer-controlled: may hold quotes, newlines, RTL overrides, NUL.
    pub nickname: String,
    /// What TikTok says about the viewer's relation to the streamer (only some messages carry it).
    /// Saved with an open streak in the room memory, so a restart does not forget that a
    /// subscriber began it (files without it read as "unknown").
    pub identity: Identity,
}

/// The viewer's relation to the streamer, from the message's `user_identity` (gift field 32, chat
/// field 18). Messages without it leave every flag false: "unknown", not "no".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Identity {
    pub follower: bool,
    pub subscriber: bool,
    /// A moderator of the room, or the streamer themself.
    pub moderator: bool,
    /// The viewer's fan club level in this room (User field 24 or 66); 0 when not a member or
    /// not sent.
    pub fan_club_level: u32,
}

impl Identity {
    /// Both sources together: a flag seen once stays set.
    pub fn union(self, other: Identity) -> Identity {
        Identity {
            follower: self.follower || other.follower,
            subscriber: self.subscriber || other.subscriber,
            moderator: self.moderator || other.moderator,
            fan_club_level: self.fan_club_level.max(other.fan_club_level),
        }
    }
}

/// `WebcastMemberMessage.action` values we act on.
pub const MEMBER_JOINED: i32 = 1;
/// A member message with this action is a subscription (new or renewal).
pub const MEMBER_SUBSCRIBED: i32 = 3;

/// One `WebcastGiftMessage`, before streak logic. Serializable because an open streak's newest
/// message is part of the saved room memory (`#[serde(default)]`: an added field keeps old files
/// readable).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GiftMessage {
    pub msg_id: i64,
    pub user: User,
    pub gift_id: i64,
    /// May be empty: TikTok sometimes sends gifts without a name.
    pub gift_name: String,
    /// Diamond value of one gift.
    pub diamonds: u32,
    /// `gift.type == 1`: the gift arrives as a streak that ends with `repeat_end == 1`.
    pub streakable: bool,
    pub repeat_count: u32,
    pub repeat_end: bool,
    pub group_id: i64,
    /// `common.create_time` in milliseconds since the epoch (0 when missing).
    pub create_time_millis: i64,
    pub image_url: Option<String>,
}

/// Follow or share, told apart by the message's display text key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SocialKind {
    Follow,
    Share,
    Other,
}

/// What a `WebcastControlMessage` says about the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlAction {
    Paused,
    Unpaused,
    Ended,
    Suspended,
    Other(i32),
}

impl ControlAction {
    pub fn from_wire(action: i32) -> Self {
        match action {
            1 => Self::Paused,
            2 => Self::Unpaused,
            3 => Self::Ended,
            4 => Self::Suspended,
            other => Self::Other(other),
        }
    }

    /// Actions 3 and 4 end the session: reconnecting would only find an offline room.
    pub fn ends_stream(self) -> bool {
        matches!(self, Self::Ended | Self::Suspended)
    }
}

/// Everything the decoder understands, as our own types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveEvent {
    Gift(GiftMessage),
    Chat {
        msg_id: i64,
        user: User,
        text: String,
        create_time_millis: i64,
    },
    Like {
        msg_id: i64,
        user: User,
        count: u32,
        total: i64,
        create_time_millis: i64,
    },
    Social {
        msg_id: i64,
        user: User,
        kind: SocialKind,
        create_time_millis: i64,
    },
    Member {
        msg_id: i64,
        user: User,
        action: i32,
        create_time_millis: i64,
    },
    Control {
        msg_id: i64,
        action: ControlAction,
    },
    /// Everything else a 2026 stream carries (subscriptions, viewers, Super Fans, chests…).
    /// Boxed: most messages are gifts, chat and likes, and this keeps every event small.
    Room(Box<RoomEvent>),
}

impl LiveEvent {
    /// The id used for de-duplication (0 = unknown, never deduplicated).
    pub fn msg_id(&self) -> i64 {
        match self {
            Self::Gift(g) => g.msg_id,
            Self::Chat { msg_id, .. }
            | Self::Like { msg_id, .. }
            | Self::Social { msg_id, .. }
            | Self::Member { msg_id, .. }
            | Self::Control { msg_id, .. } => *msg_id,
            Self::Room(room) => room.msg_id,
        }
    }

    /// The viewer who subscribed, when this is a subscription: a member message with action 3,
    /// or a `WebcastSubNotifyMessage`.
    pub fn subscriber(&self) -> Option<&User> {
        match self {
            Self::Member { user, action, .. } if *action == MEMBER_SUBSCRIBED => Some(user),
            Self::Room(room) if matches!(room.kind, RoomKind::Subscription { .. }) => {
                Some(&room.user)
            }
            _ => None,
        }
    }

    /// `common.create_time` in milliseconds (0 when missing or for control messages).
    pub fn create_time_millis(&self) -> i64 {
        match self {
            Self::Gift(g) => g.create_time_millis,
            Self::Chat {
                create_time_millis, ..
            }
            | Self::Like {
                create_time_millis, ..
            }
            | Self::Social {
                create_time_millis, ..
            }
            | Self::Member {
                create_time_millis, ..
            } => *create_time_millis,
            Self::Room(room) => room.create_time_millis,
            Self::Control { .. } => 0,
        }
    }
}

/// How a credited gift's count was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The streak's final message (`repeat_end == 1`) arrived.
    StreakEnd,
    /// A non-streakable gift: it counts once.
    Single,
    /// No end arrived within the streak timeout, or the session ended first.
    Timeout,
}

/// One credited gift: what `replay` and `watch` print as a JSON line, and what the feed shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreditedGift {
    pub msg_id: i64,
    pub user_id: i64,
    pub unique_id: String,
    pub nickname: String,
    pub gift_id: i64,
    pub gift_name: String,
    pub diamonds: u32,
    pub count: u32,
    /// The trigger text exactly as written in the mappings, or `null`.
    pub trigger: Option<String>,
    pub ended_by: EndedBy,
    /// The gift's picture as TikTok sent it (first of `gift.image.url_list`); omitted when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Set when the matched trigger was cooling down: nothing ran. Absent from JSON otherwise, so
    /// lines without cooldowns are exactly what they always were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Skip>,
}

impl CreditedGift {
    /// Total diamonds of this credit (`diamonds × count`), saturating.
    pub fn total_diamonds(&self) -> u64 {
        u64::from(self.diamonds) * u64::from(self.count)
    }
}

/// Why a matched trigger (a gift's or any other event's) ran nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    /// The mapping fired less than its global cooldown ago.
    Cooldown,
    /// This viewer fired the mapping less than its per-viewer cooldown ago.
    ViewerCooldown,
}

impl Skip {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Cooldown => "cooling down",
            Self::ViewerCooldown => "cooling down for this viewer",
        }
    }
}
