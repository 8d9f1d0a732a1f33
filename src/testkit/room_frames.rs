//! Fixture encoders for the 2026 kinds a TikTok server sends (subscriptions, the viewer count,
//! Super Fans, chests, battles, emotes, polls, goals, questions, deletions, pins): what the fake
//! TikTok, the demo stream and the tests put in a batch as [`super::frames::MessageSpec::Room`].

use prost::Message;

use super::frames::{spec_common, spec_user};
use crate::wire::pb;

/// A viewer in a fixture.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Who {
    pub user_id: i64,
    pub unique_id: String,
    pub nickname: String,
    /// Sent as `fans_club.data.level` (User field 24) when not 0.
    pub fan_club_level: i32,
}

impl Who {
    pub fn new(user_id: i64, unique_id: &str) -> Self {
        Self {
            user_id,
            unique_id: unique_id.to_owned(),
            nickname: unique_id.to_owned(),
            fan_club_level: 0,
        }
    }

    /// The viewer as TikTok's `User` message.
    pub(crate) fn encode(&self) -> Option<pb::User> {
        let mut user = spec_user(self.user_id, &self.unique_id, &self.nickname);
        if self.fan_club_level != 0 {
            user.fans_club = Some(pb::FansClubMember {
                data: Some(pb::FansClubData {
                    club_name: b"club".to_vec(),
                    level: self.fan_club_level,
                }),
            });
        }
        Some(user)
    }
}

/// One of the 2026 messages to encode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoomSpec {
    SubNotify {
        who: Who,
        months: i64,
    },
    Viewers {
        viewers: i64,
        total: i64,
        /// (viewer, coins)
        top: Vec<(Who, i64)>,
    },
    /// A barrage: a new Super Fan, or (`joined`) a Super Fan entering.
    SuperFan {
        who: Who,
        joined: bool,
    },
    Chest {
        who: Who,
        envelope_id: String,
        diamonds: i32,
        openers: i32,
        super_fan_box: bool,
    },
    /// `WebcastLinkMicBattle`: action 4 opens, 5 finishes; sides are (anchor id, name, score,
    /// result 0 win / 1 lose / 2 draw).
    Battle {
        battle_id: i64,
        action: i32,
        sides: Vec<(i64, String, i64, i32)>,
    },
    /// `WebcastLinkMicArmies`: the scores, (anchor id, score); `end` = the battle's last ones.
    Armies {
        battle_id: i64,
        end: bool,
        scores: Vec<(i64, i64)>,
    },
    Emote {
        who: Who,
        emote_ids: Vec<String>,
    },
    /// A `WebcastChatMessage` with empty text carrying emotes (field 13).
    EmoteChat {
        who: Who,
        emote_ids: Vec<String>,
    },
    /// phase 0 start, 1 update, 2 end.
    Poll {
        poll_id: i64,
        phase: u8,
        title: String,
        options: Vec<(String, i64)>,
    },
    Goal {
        goal_id: i64,
        description: String,
        progress: i64,
        target: i64,
        contributor: Who,
    },
    Question {
        who: Who,
        question_id: i64,
        text: String,
    },
    Delete {
        msg_ids: Vec<i64>,
        user_ids: Vec<i64>,
    },
    /// A pinned chat message (`pinned_msg_id` is the chat's id).
    Pin {
        who: Who,
        pinned_msg_id: i64,
        text: String,
    },
}

fn text(key: &str) -> Option<pb::DisplayText> {
    Some(pb::DisplayText {
        key: key.as_bytes().to_vec(),
        default_pattern: Vec::new(),
    })
}

fn common_text(method: &str, msg_id: i64, create_time: i64, key: &str) -> Option<pb::CommonText> {
    Some(pb::CommonText {
        method: method.as_bytes().to_vec(),
        msg_id,
        create_time,
        display_text: text(key),
    })
}

fn options(options: &[(String, i64)]) -> Vec<pb::PollOption> {
    options
        .iter()
        .zip(0..)
        .map(|((text, votes), idx)| pb::PollOption {
            votes: *votes,
            display_content: text.as_bytes().to_vec(),
            option_idx: idx,
        })
        .collect()
}

fn emotes(ids: &[String]) -> Vec<pb::EmoteModel> {
    ids.iter()
        .map(|id| pb::EmoteModel {
            emote_id: id.as_bytes().to_vec(),
            image: None,
        })
        .collect()
}

/// The method name and payload of one 2026 message.
pub(crate) fn encode_room(spec: &RoomSpec, msg_id: i64, at: i64) -> (&'static str, Vec<u8>) {
    let common = |method: &str| spec_common(method, msg_id, at);
    match spec {
        RoomSpec::SubNotify { who, months } => (
            "WebcastSubNotifyMessage",
            pb::WebcastSubNotifyMessage {
                common: common("WebcastSubNotifyMessage"),
                user: who.encode(),
                sub_month: *months,
            }
            .encode_to_vec(),
        ),
        RoomSpec::Viewers {
            viewers,
            total,
            top,
        } => (
            "WebcastRoomUserSeqMessage",
            viewers_message(common("WebcastRoomUserSeqMessage"), *viewers, *total, top),
        ),
        RoomSpec::SuperFan { who, joined } => (
            "WebcastBarrageMessage",
            super_fan_message(who, *joined, msg_id, at),
        ),
        RoomSpec::Chest { .. } => ("WebcastEnvelopeMessage", chest_message(spec, msg_id, at)),
        RoomSpec::Battle {
            battle_id,
            action,
            sides,
        } => (
            "WebcastLinkMicBattle",
            battle_message(common("WebcastLinkMicBattle"), *battle_id, *action, sides),
        ),
        RoomSpec::Armies {
            battle_id,
            end,
            scores,
        } => (
            "WebcastLinkMicArmies",
            armies_message(common("WebcastLinkMicArmies"), *battle_id, *end, scores),
        ),
        RoomSpec::Emote { who, emote_ids } => (
            "WebcastEmoteChatMessage",
            pb::WebcastEmoteChatMessage {
                common: common("WebcastEmoteChatMessage"),
                user: who.encode(),
                emote_list: emotes(emote_ids),
                user_identity: None,
            }
            .encode_to_vec(),
        ),
        RoomSpec::EmoteChat { who, emote_ids } => (
            "WebcastChatMessage",
            emote_chat_message(common("WebcastChatMessage"), who, emote_ids),
        ),
        RoomSpec::Poll {
            poll_id,
            phase,
            title,
            options: opts,
        } => (
            "WebcastPollMessage",
            poll_message(common("WebcastPollMessage"), *poll_id, *phase, title, opts),
        ),
        RoomSpec::Goal { .. } => (
            "WebcastGoalUpdateMessage",
            goal_message(common("WebcastGoalUpdateMessage"), spec),
        ),
        RoomSpec::Question {
            who,
            question_id,
            text,
        } => (
            "WebcastQuestionNewMessage",
            pb::WebcastQuestionNewMessage {
                common: common("WebcastQuestionNewMessage"),
                data: Some(pb::Question {
                    question_id: *question_id,
                    content: text.as_bytes().to_vec(),
                    user: who.encode(),
                }),
            }
            .encode_to_vec(),
        ),
        RoomSpec::Delete { msg_ids, user_ids } => (
            "WebcastImDeleteMessage",
            pb::WebcastImDeleteMessage {
                common: common("WebcastImDeleteMessage"),
                delete_msg_ids: msg_ids.clone(),
                delete_user_ids: user_ids.clone(),
            }
            .encode_to_vec(),
        ),
        RoomSpec::Pin {
            who,
            pinned_msg_id,
            text,
        } => (
            "WebcastRoomPinMessage",
            pin_message(
                common("WebcastRoomPinMessage"),
                who,
                *pinned_msg_id,
                text,
                at,
            ),
        ),
    }
}

fn viewers_message(
    common: Option<pb::CommonMessageData>,
    viewers: i64,
    total: i64,
    top: &[(Who, i64)],
) -> Vec<u8> {
    pb::WebcastRoomUserSeqMessage {
        common,
        ranks: top
            .iter()
            .zip(1..)
            .map(|((who, coins), rank)| pb::RoomContributor {
                score: *coins,
                user: who.encode(),
                rank,
            })
            .collect(),
        total: viewers,
        popularity: 0,
        total_user: total,
    }
    .encode_to_vec()
}

fn super_fan_message(who: &Who, joined: bool, msg_id: i64, at: i64) -> Vec<u8> {
    let key = if joined {
        "ttlive_superfan_commentnotif_superfanjoined"
    } else {
        "ttlive_superfan_commentnotif_becamesuperfan"
    };
    pb::WebcastBarrageMessage {
        common: common_text("WebcastBarrageMessage", msg_id, at, ""),
        content: text(key),
        common_barrage_content: None,
        user: who.encode(),
    }
    .encode_to_vec()
}

/// Opens (action 4, no results yet) or finishes (action 5, `battle_result` per side) a battle.
fn battle_message(
    common: Option<pb::CommonMessageData>,
    battle_id: i64,
    action: i32,
    sides: &[(i64, String, i64, i32)],
) -> Vec<u8> {
    let battle_result = if action == 5 {
        sides
            .iter()
            .map(|(id, _, score, result)| {
                let result = pb::BattleResult {
                    user_id: *id,
                    result: *result,
                    score: *score,
                };
                (*id, result)
            })
            .collect()
    } else {
        Default::default()
    };
    let anchors_info = sides
        .iter()
        .map(|(id, name, _, _)| pb::BattleUserInfoWrapper {
            key: *id,
            value: Some(pb::BattleUserInfo {
                user: Some(pb::BattleBaseUserInfo {
                    user_id: *id,
                    nick_name: name.as_bytes().to_vec(),
                    display_id: Vec::new(),
                }),
            }),
        })
        .collect();
    pb::WebcastLinkMicBattle {
        common,
        battle_id,
        battle_settings: None,
        action,
        battle_result,
        armies: Vec::new(),
        anchors_info,
    }
    .encode_to_vec()
}

/// A chat message with empty text whose emotes (field 13) follow its own fields: one message on
/// the wire, as TikTok sends it.
fn emote_chat_message(
    common: Option<pb::CommonMessageData>,
    who: &Who,
    emote_ids: &[String],
) -> Vec<u8> {
    let mut bytes = pb::WebcastChatMessage {
        common,
        user: who.encode(),
        content: Vec::new(),
        user_identity: None,
    }
    .encode_to_vec();
    pb::ChatEmotes {
        content: Vec::new(),
        emotes: emotes(emote_ids)
            .into_iter()
            .zip(0..)
            .map(|(emote, index)| pb::EmoteWithIndex {
                index,
                emote: Some(emote),
            })
            .collect(),
    }
    .encode(&mut bytes)
    .ok();
    bytes
}

/// phase 0 starts the poll, 1 updates its votes, 2 ends it.
fn poll_message(
    common: Option<pb::CommonMessageData>,
    poll_id: i64,
    phase: u8,
    title: &str,
    opts: &[(String, i64)],
) -> Vec<u8> {
    let mut m = pb::WebcastPollMessage {
        common,
        poll_id,
        ..Default::default()
    };
    match phase {
        0 => {
            m.start_content = Some(pb::PollStartContent {
                title: title.as_bytes().to_vec(),
                option_list: options(opts),
                ..Default::default()
            });
        }
        1 => {
            m.update_votes_content = Some(pb::PollUpdateVotesContent {
                option_list: options(opts),
            });
        }
        _ => {
            m.end_content = Some(pb::PollEndContent {
                end_type: 0,
                option_list: options(opts),
            });
        }
    }
    m.encode_to_vec()
}

fn chest_message(spec: &RoomSpec, msg_id: i64, at: i64) -> Vec<u8> {
    let RoomSpec::Chest {
        who,
        envelope_id,
        diamonds,
        openers,
        super_fan_box,
    } = spec
    else {
        return Vec::new();
    };
    pb::WebcastEnvelopeMessage {
        common: common_text("WebcastEnvelopeMessage", msg_id, at, ""),
        envelope_info: Some(pb::RedEnvelopeInfo {
            envelope_id: envelope_id.as_bytes().to_vec(),
            business_type: if *super_fan_box { 19 } else { 1 },
            send_user_name: who.nickname.as_bytes().to_vec(),
            diamond_count: *diamonds,
            people_count: *openers,
            unpack_at: 0,
            send_user_id: who.user_id.to_string().into_bytes(),
        }),
        display: 0,
    }
    .encode_to_vec()
}

fn armies_message(
    common: Option<pb::CommonMessageData>,
    battle_id: i64,
    end: bool,
    scores: &[(i64, i64)],
) -> Vec<u8> {
    pb::WebcastLinkMicArmies {
        common,
        battle_id,
        armies: scores
            .iter()
            .map(|(id, score)| (*id, pb::BattleUserArmies { hostscore: *score }))
            .collect(),
        trigger_reason: if end { 2 } else { 1 },
    }
    .encode_to_vec()
}

fn goal_message(common: Option<pb::CommonMessageData>, spec: &RoomSpec) -> Vec<u8> {
    let RoomSpec::Goal {
        goal_id,
        description,
        progress,
        target,
        contributor,
    } = spec
    else {
        return Vec::new();
    };
    pb::WebcastGoalUpdateMessage {
        common,
        goal: Some(pb::LiveStreamGoal {
            id: *goal_id,
            sub_goals: vec![pb::GoalSubGoal {
                r#type: 1,
                id: 1,
                progress: *progress,
                target: *target,
            }],
            description: description.as_bytes().to_vec(),
        }),
        contributor_id: contributor.user_id,
        contributor_display_id: contributor.unique_id.as_bytes().to_vec(),
        contribute_subgoal: None,
        contribute_count: 1,
    }
    .encode_to_vec()
}

/// A pin of the chat message `pinned_msg_id` (a copy of it rides inside).
fn pin_message(
    common: Option<pb::CommonMessageData>,
    who: &Who,
    pinned_msg_id: i64,
    text: &str,
    at: i64,
) -> Vec<u8> {
    pb::WebcastRoomPinMessage {
        common,
        chat_message: Some(pb::PinnedMessage {
            common: spec_common("WebcastChatMessage", pinned_msg_id, at),
            user: who.encode(),
            content: text.as_bytes().to_vec(),
        }),
        gift_message: None,
        action: 1,
        pin_msg_id: pinned_msg_id,
    }
    .encode_to_vec()
}
