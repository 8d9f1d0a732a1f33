//! What a mapping reacts to: the trigger kinds, the audience filter and the cooldowns, as they are
//! written in settings files and exports (serde), plus their validation. Pure data. A kind this
//! version does not know (written by a newer giftdeck) is kept as written ([`UnknownCondition`]).

use serde::{Deserialize, Serialize};

pub use super::unknown::UnknownCondition;
pub use crate::event::SuperFanMoment;

/// The kind of LIVE event a mapping reacts to, and the condition on it.
///
/// Written as `"on": {"kind": "…", …}` in a mapping. A mapping without `"on"` is [`Condition::Gift`]:
/// every settings file and export written before trigger kinds existed keeps meaning what it meant.
///
/// A kind this version does not know is read as [`Condition::Unknown`] instead of failing the
/// whole file: such a mapping never fires here, the editor shows why, and it is written back
/// exactly as it was read (`super::unknown`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", remote = "Self")]
pub enum Condition {
    /// The gift whose name (or decimal id) is the mapping's `trigger` text.
    #[default]
    Gift,
    /// Every gift that no gift-name/id mapping took.
    AnyGift,
    /// Every credited gift worth at least `min_diamonds` (count × value of one gift) that no
    /// gift-name/id mapping took.
    GiftsWorth { min_diamonds: u64 },
    /// A viewer follows the streamer: once per viewer per stream.
    Follow,
    /// A viewer shares the stream.
    Share,
    /// A viewer subscribes (new or renewal).
    Subscribe,
    /// A viewer enters the room.
    Join,
    /// Every `every` room likes counted since giftdeck connected to the stream.
    Likes { every: u64 },
    /// A chat message whose first word is `command` (case-insensitive, e.g. `!jump`).
    ChatCommand { command: String },
    /// A chat message containing `keyword` (case-insensitive).
    ChatKeyword { keyword: String },
    /// The current viewer count first reaches `at_least`: once per stream.
    Viewers { at_least: u64 },
    /// A Super Fan moment: a viewer becomes one (`"moment": "new"`, the default), a Super Fan
    /// joins (`"join"`), or a Super Fan box is dropped (`"box"`).
    SuperFan {
        #[serde(default, skip_serializing_if = "is_new_super_fan")]
        moment: SuperFanMoment,
    },
    /// A treasure chest is dropped (not a Super Fan box: that is a `super_fan` moment).
    TreasureChest,
    /// A LIVE battle starts (`"phase": "start"`) or ends (`"end"`): once per battle.
    Battle { phase: crate::event::BattlePhase },
    /// A chat message of emotes only.
    Emote,
    /// A kind this version does not know, kept exactly as written.
    #[serde(skip)]
    Unknown(UnknownCondition),
}

fn is_new_super_fan(moment: &SuperFanMoment) -> bool {
    *moment == SuperFanMoment::New
}

/// The event kinds as named in `--events` output and in the app's pickers.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    #[default]
    Gift,
    Follow,
    Share,
    Subscribe,
    Join,
    Like,
    Chat,
    Viewers,
    SuperFan,
    TreasureChest,
    Battle,
    Emote,
    Poll,
    Goal,
    Question,
}

impl EventKind {
    pub const ALL: [EventKind; 15] = [
        Self::Gift,
        Self::Follow,
        Self::Share,
        Self::Subscribe,
        Self::Join,
        Self::Like,
        Self::Chat,
        Self::Viewers,
        Self::SuperFan,
        Self::TreasureChest,
        Self::Battle,
        Self::Emote,
        Self::Poll,
        Self::Goal,
        Self::Question,
    ];

    /// The JSON name (`"follow"`…), also used in the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gift => "gift",
            Self::Follow => "follow",
            Self::Share => "share",
            Self::Subscribe => "subscribe",
            Self::Join => "join",
            Self::Like => "like",
            Self::Chat => "chat",
            Self::Viewers => "viewers",
            Self::SuperFan => "super_fan",
            Self::TreasureChest => "treasure_chest",
            Self::Battle => "battle",
            Self::Emote => "emote",
            Self::Poll => "poll",
            Self::Goal => "goal",
            Self::Question => "question",
        }
    }
}

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Unknown(unknown) => unknown.serialize(serializer),
            known => Condition::serialize(known, serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = super::unknown::RawJson::deserialize(deserializer)?;
        if let Some(unknown) = UnknownCondition::of(&json, KNOWN_KINDS) {
            return Ok(Self::Unknown(unknown));
        }
        Condition::deserialize(super::unknown::RawDeserializer::<D::Error>::new(json))
    }
}

/// The `kind` names this version reads (every variant but `Unknown`).
pub const KNOWN_KINDS: &[&str] = &[
    "gift",
    "any_gift",
    "gifts_worth",
    "follow",
    "share",
    "subscribe",
    "join",
    "likes",
    "chat_command",
    "chat_keyword",
    "viewers",
    "super_fan",
    "treasure_chest",
    "battle",
    "emote",
];

impl Condition {
    /// The event kind this condition listens to.
    pub fn event_kind(&self) -> EventKind {
        match self {
            Self::Gift | Self::AnyGift | Self::GiftsWorth { .. } => EventKind::Gift,
            Self::Follow => EventKind::Follow,
            Self::Share => EventKind::Share,
            Self::Subscribe => EventKind::Subscribe,
            Self::Join => EventKind::Join,
            Self::Likes { .. } => EventKind::Like,
            Self::ChatCommand { .. } | Self::ChatKeyword { .. } => EventKind::Chat,
            Self::Viewers { .. } => EventKind::Viewers,
            Self::SuperFan { .. } => EventKind::SuperFan,
            Self::TreasureChest => EventKind::TreasureChest,
            Self::Battle { .. } => EventKind::Battle,
            Self::Emote => EventKind::Emote,
            // Never indexed (it has a problem); a gift kind keeps it out of every event list.
            Self::Unknown(_) => EventKind::Gift,
        }
    }

    /// True for the back-compatible default (a gift by name or id): not written to files.
    pub fn is_gift_by_trigger(&self) -> bool {
        *self == Self::Gift
    }

    /// What is wrong with this condition, in words for the editor; `None` when it can fire.
    pub fn problem(&self) -> Option<String> {
        match self {
            Self::GiftsWorth { min_diamonds: 0 } => {
                Some("a diamond threshold of 0 matches every gift; use “any gift”".to_owned())
            }
            Self::Likes { every: 0 } => Some("“every N likes” needs N of at least 1".to_owned()),
            Self::ChatCommand { command } if command.trim().is_empty() => {
                Some("the chat command is empty".to_owned())
            }
            Self::ChatCommand { command } if command.trim().contains(char::is_whitespace) => {
                Some(format!("the chat command {command:?} must be one word"))
            }
            Self::ChatKeyword { keyword } if keyword.trim().is_empty() => {
                Some("the chat keyword is empty".to_owned())
            }
            Self::Viewers { at_least: 0 } => {
                Some("“viewers at least N” needs N of at least 1".to_owned())
            }
            Self::Battle {
                phase: crate::event::BattlePhase::Scores,
            } => Some("a battle trigger fires at the start or the end".to_owned()),
            Self::Unknown(unknown) => Some(unknown.reason()),
            _ => None,
        }
    }

    /// A short description for tables and reports.
    pub fn describe(&self) -> String {
        match self {
            Self::Gift => "gift".to_owned(),
            Self::AnyGift => "any gift".to_owned(),
            Self::GiftsWorth { min_diamonds } => format!("gifts worth ≥ {min_diamonds} 💎"),
            Self::Follow => "follow".to_owned(),
            Self::Share => "share".to_owned(),
            Self::Subscribe => "subscribe".to_owned(),
            Self::Join => "join".to_owned(),
            Self::Likes { every } => format!("every {every} likes"),
            Self::ChatCommand { command } => format!("chat command {}", command.trim()),
            Self::ChatKeyword { keyword } => format!("chat containing “{}”", keyword.trim()),
            Self::Viewers { at_least } => format!("viewers ≥ {at_least}"),
            Self::SuperFan { moment } => match moment {
                SuperFanMoment::New => "new Super Fan".to_owned(),
                SuperFanMoment::Join => "Super Fan joins".to_owned(),
                SuperFanMoment::Box => "Super Fan box".to_owned(),
            },
            Self::TreasureChest => "treasure chest".to_owned(),
            Self::Battle { phase } => format!("battle {}", phase.as_str()),
            Self::Emote => "emote".to_owned(),
            Self::Unknown(unknown) => format!("{} (newer giftdeck)", unknown.kind()),
        }
    }
}

/// Who may fire a mapping. Written as `"audience": "followers"` or `{"handles": ["a", "b"]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    #[default]
    Anyone,
    Followers,
    Subscribers,
    Moderators,
    /// Only these @handles (with or without `@`, any case).
    Handles(Vec<String>),
    /// Only the viewer who sent the most diamonds this session so far (the gift being credited
    /// included).
    TopGifter,
    /// Only viewers whose fan club level in this room is at least this (TikTok sends the level
    /// with a viewer's gifts, chat, likes and joins; a viewer it never sent one for is not let in).
    FanClubLevel(u32),
    /// Only viewers whose level in the viewers' ledger (`ledger.levels`, from their all-time
    /// points before this event) is at least this: `{"level": 3}`.
    Level(u32),
    /// Only viewers with at least this many points in the viewers' ledger (before this event):
    /// `{"points": 1000}`.
    Points(i64),
}

impl Audience {
    pub fn is_anyone(&self) -> bool {
        *self == Self::Anyone
    }
}

/// Normalizes a @handle for comparison: trimmed, without a leading `@`, lowercase.
pub fn normalize_handle(handle: &str) -> String {
    let handle = handle.trim();
    handle
        .strip_prefix('@')
        .unwrap_or(handle)
        .trim()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_serialize_with_a_kind_tag() {
        let json = serde_json::to_string(&Condition::Likes { every: 100 }).unwrap();
        assert_eq!(json, r#"{"kind":"likes","every":100}"#);
        let back: Condition =
            serde_json::from_str(r#"{"kind":"chat_command","command":"!jump"}"#).unwrap();
        assert_eq!(
            back,
            Condition::ChatCommand {
                command: "!jump".into()
            }
        );
        let follow: Condition = serde_json::from_str(r#"{"kind":"follow"}"#).unwrap();
        assert_eq!(follow.event_kind(), EventKind::Follow);
    }

    #[test]
    fn audience_forms() {
        assert_eq!(
            serde_json::to_string(&Audience::Followers).unwrap(),
            r#""followers""#
        );
        let handles: Audience = serde_json::from_str(r#"{"handles":["@Bob","amy"]}"#).unwrap();
        assert_eq!(
            handles,
            Audience::Handles(vec!["@Bob".into(), "amy".into()])
        );
        assert_eq!(normalize_handle(" @Bob "), "bob");
    }

    #[test]
    fn problems_are_reported_in_words() {
        assert!(Condition::Likes { every: 0 }.problem().is_some());
        assert!(Condition::Likes { every: 5 }.problem().is_none());
        assert!(
            Condition::ChatCommand {
                command: "!a b".into()
            }
            .problem()
            .is_some()
        );
        assert!(Condition::Follow.problem().is_none());
    }
}
