//! Domain types for what happens in a TikTok LIVE room: the decoder produces them, everything else reads them.
//! Generated protobuf types never appear here.

use serde::{Deserialize, Serialize};

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
}

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
    },
    Like {
        msg_id: i64,
        user: User,
        count: u32,
        total: i64,
    },
    Social {
        msg_id: i64,
        user: User,
        kind: SocialKind,
    },
    Member {
        msg_id: i64,
        user: User,
        action: i32,
    },
    Control {
        msg_id: i64,
        action: ControlAction,
    },
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
}

impl CreditedGift {
    /// Total diamonds of this credit (`diamonds × count`), saturating.
    pub fn total_diamonds(&self) -> u64 {
        u64::from(self.diamonds) * u64::from(self.count)
    }
}
