//! The rest of what a 2026 stream carries, as our own types: subscriptions (`WebcastSubNotifyMessage`),
//! the viewer count, Super Fans, treasure chests, battles, emotes, polls, goals, questions,
//! moderator deletions and pins. [`RoomEvent`] is one of them; `wire::room` decodes them (see
//! docs/triggers.md for how each is read from the wire).

use serde::{Deserialize, Serialize};

use super::User;

/// One event of the kinds below, with the viewer it is about (the subscriber, the chest's sender,
/// the one who asked…; [`User::default`] when there is none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomEvent {
    pub msg_id: i64,
    /// `common.create_time` in milliseconds (0 when missing).
    pub create_time_millis: i64,
    pub user: User,
    pub kind: RoomKind,
}

/// What a [`RoomEvent`] is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RoomKind {
    /// A subscription (new or renewal), `months` months long so far (0: not said).
    Subscription {
        months: u32,
    },
    /// The viewer count TikTok reports every few seconds.
    Viewers(ViewerCount),
    /// A viewer became a Super Fan, or a Super Fan joined (boxes are [`Chest`]s).
    SuperFan {
        moment: SuperFanMoment,
    },
    /// A treasure chest (or a Super Fan box) someone dropped into the room.
    Chest(Chest),
    Battle(Battle),
    /// A chat message of emotes only (`WebcastEmoteChatMessage`, or a chat whose text is empty).
    Emote {
        emote_ids: Vec<String>,
    },
    Poll(Poll),
    Goal(GoalProgress),
    /// A viewer asked a question (Q&A).
    Question {
        question_id: i64,
        text: String,
    },
    /// A moderator deleted these messages, or every message of these viewers.
    Deleted {
        msg_ids: Vec<i64>,
        user_ids: Vec<i64>,
    },
    /// The streamer pinned (or unpinned) a message already sent; `user` is its sender.
    Pinned {
        pinned_msg_id: i64,
        text: String,
        unpinned: bool,
    },
    /// Nothing we show (the default of a message with no content).
    #[default]
    Nothing,
}

/// Which Super Fan moment a trigger or row is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuperFanMoment {
    /// A viewer became a Super Fan.
    #[default]
    New,
    /// A Super Fan entered the room.
    Join,
    /// A Super Fan box (a chest only Super Fans can open) was dropped.
    Box,
}

impl SuperFanMoment {
    pub const ALL: [SuperFanMoment; 3] = [Self::New, Self::Join, Self::Box];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Join => "join",
            Self::Box => "box",
        }
    }
}

/// `WebcastRoomUserSeqMessage`: how many watch now, and the top viewers by coins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewerCount {
    /// Viewers watching now (`total`, field 3).
    pub viewers: u64,
    /// Every viewer the stream had so far (`total_user`, field 7; 0 when not sent).
    pub total_viewers: u64,
    /// The top viewers TikTok lists (at most [`MAX_TOP_VIEWERS`]).
    pub top: Vec<TopViewer>,
}

/// Most top viewers kept from one message.
pub const MAX_TOP_VIEWERS: usize = 20;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopViewer {
    pub user: User,
    /// Coins this viewer sent (`score`).
    pub coins: u64,
    pub rank: u32,
}

/// A treasure chest (`WebcastEnvelopeMessage`): the sender is the event's user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chest {
    pub envelope_id: String,
    /// Diamonds in the chest.
    pub diamonds: u32,
    /// How many viewers can open it.
    pub openers: u32,
    /// A Super Fan box (only Super Fans can open it), not an ordinary chest.
    pub super_fan_box: bool,
}

/// Where a battle is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BattlePhase {
    #[default]
    Start,
    /// The scores moved (`WebcastLinkMicArmies`).
    Scores,
    End,
}

impl BattlePhase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Scores => "scores",
            Self::End => "end",
        }
    }
}

/// A LIVE battle between streamers (`WebcastLinkMicBattle`, `WebcastLinkMicArmies`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Battle {
    pub battle_id: i64,
    pub phase: BattlePhase,
    /// Each streamer's side, by their user id.
    pub sides: Vec<BattleSide>,
    /// At the end: the winner's user id (`None` for a draw or when TikTok did not say).
    pub winner: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BattleSide {
    pub anchor_id: i64,
    /// The streamer's name when TikTok sent it.
    pub name: String,
    pub score: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PollPhase {
    #[default]
    Start,
    Update,
    End,
}

/// A poll (`WebcastPollMessage`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Poll {
    pub poll_id: i64,
    pub phase: PollPhase,
    pub title: String,
    pub options: Vec<PollOption>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PollOption {
    pub text: String,
    pub votes: u64,
}

/// A stream goal moved (`WebcastGoalUpdateMessage`); the event's user is who moved it, if anyone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoalProgress {
    pub goal_id: i64,
    pub description: String,
    pub progress: i64,
    pub target: i64,
}

impl RoomEvent {
    /// The Super Fan moment this event is, if it is one (a Super Fan box is a chest).
    pub fn super_fan(&self) -> Option<SuperFanMoment> {
        match &self.kind {
            RoomKind::SuperFan { moment } => Some(*moment),
            RoomKind::Chest(chest) if chest.super_fan_box => Some(SuperFanMoment::Box),
            _ => None,
        }
    }
}
