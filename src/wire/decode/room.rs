//! Decoding the rest of a 2026 stream (the messages of [`crate::event::RoomEvent`]): subscriptions,
//! the viewer count, Super Fans, treasure chests, battles, emotes, polls, goals, questions,
//! moderator deletions and pins. Text is read lossily (a bad byte costs that text, never the
//! event), and every list is capped, so a message costs what it is worth. How each kind is decided
//! is in docs/triggers.md, with the field numbers and the reference client that reads it so.

use std::collections::BTreeMap;

use prost::Message;

use super::{to_user, with_identity};
use crate::event::{
    Battle, BattlePhase, BattleSide, Chest, GoalProgress, LiveEvent, MAX_TOP_VIEWERS, Poll,
    PollOption, PollPhase, RoomEvent, RoomKind, SuperFanMoment, TopViewer, User, ViewerCount,
};
use crate::wire::fields::lossy;
use crate::wire::{DecodeError, pb};

/// Most emotes, poll options, battle sides and deleted ids kept from one message.
const MAX_ITEMS: usize = 64;
/// Most characters kept of one viewer text (a question, a poll option, a pinned chat).
const MAX_TEXT_CHARS: usize = 500;

/// `Envelope.business_type` of a Super Fan box (TikTokLive 7.0.1 `EnvelopeBusinessType.SUPER_FAN_BOX`).
pub const SUPER_FAN_BOX_BUSINESS_TYPE: i32 = 19;

/// `WebcastLinkMicBattle.action` values (TikTokLive 7.0.1 `LinkMicBattleBattleAction`).
const BATTLE_OPEN: i32 = 4;
const BATTLE_FINISH: i32 = 5;
const BATTLE_CUT_SHORT: i32 = 6;
/// `BattleSetting.status` values (`BattleSettingsBattleStatus`).
const BATTLE_STATUS_STARTED: i32 = 1;
const BATTLE_STATUS_FINISHED: i32 = 2;
/// `WebcastLinkMicArmies.trigger_reason` of the last scores (`LinkMicArmiesTriggerReason.BATTLE_END`).
const ARMIES_BATTLE_END: i32 = 2;
/// `BattleResult.result` values (`BattleResultResult`).
const RESULT_WIN: i32 = 0;
const RESULT_LOSE: i32 = 1;
/// `WebcastRoomPinMessage.action` of an unpin (`PinMessageActionType.PIN_CANCEL`).
const PIN_CANCEL: i32 = 2;

/// Decodes one of the methods above: `Ok(None)` for a method this module does not know (or a
/// message of it that shows nothing, like a battle invitation), `Err` for a known method whose
/// payload is bad.
pub(super) fn decode_room(
    method: &[u8],
    bytes: &[u8],
    envelope_id: i64,
) -> Result<Option<LiveEvent>, DecodeError> {
    let decode: fn(&[u8], i64) -> Decoded = match method {
        b"WebcastSubNotifyMessage" => sub_notify,
        b"WebcastRoomUserSeqMessage" => viewer_count,
        b"WebcastBarrageMessage" => barrage,
        b"WebcastEnvelopeMessage" => envelope,
        b"WebcastLinkMicBattle" => link_mic_battle,
        b"WebcastLinkMicArmies" => link_mic_armies,
        b"WebcastEmoteChatMessage" => emote_chat,
        b"WebcastPollMessage" => |bytes, id| {
            let m = pb::WebcastPollMessage::decode(bytes)?;
            Ok(Some(
                head(id, m.common.as_ref()).with(User::default(), RoomKind::Poll(poll(m))),
            ))
        },
        b"WebcastGoalUpdateMessage" => goal_update,
        b"WebcastQuestionNewMessage" => question,
        b"WebcastImDeleteMessage" => im_delete,
        b"WebcastRoomPinMessage" => room_pin,
        _ => return Ok(None),
    };
    match decode(bytes, envelope_id) {
        Ok(room) => Ok(room.map(|room| LiveEvent::Room(Box::new(room)))),
        Err(err) => Err(DecodeError::Message {
            method: String::from_utf8_lossy(method).into_owned(),
            msg_id: envelope_id,
            len: bytes.len(),
            reason: err.to_string(),
        }),
    }
}

/// One message's event (`None`: a message of a known method that shows nothing).
type Decoded = Result<Option<RoomEvent>, prost::DecodeError>;

fn sub_notify(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastSubNotifyMessage::decode(bytes)?;
    let months = u32::try_from(m.sub_month).unwrap_or(0);
    let kind = RoomKind::Subscription { months };
    Ok(Some(
        head(id, m.common.as_ref()).with(to_user(m.user), kind),
    ))
}

fn viewer_count(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastRoomUserSeqMessage::decode(bytes)?;
    let top = m
        .ranks
        .into_iter()
        .take(MAX_TOP_VIEWERS)
        .map(|r| TopViewer {
            user: to_user(r.user),
            coins: u64::try_from(r.score).unwrap_or(0),
            rank: u32::try_from(r.rank).unwrap_or(0),
        })
        .collect();
    let count = ViewerCount {
        viewers: u64::try_from(m.total).unwrap_or(0),
        total_viewers: u64::try_from(m.total_user).unwrap_or(0),
        top,
    };
    Ok(Some(
        head(id, m.common.as_ref()).with(User::default(), RoomKind::Viewers(count)),
    ))
}

fn barrage(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastBarrageMessage::decode(bytes)?;
    let keys = [
        m.content.as_ref(),
        m.common_barrage_content.as_ref(),
        m.common.as_ref().and_then(|c| c.display_text.as_ref()),
    ];
    // A barrage that is no Super Fan notice shows nothing.
    let Some(moment) = super_fan_moment(keys.into_iter().flatten().map(|t| &t.key[..])) else {
        return Ok(None);
    };
    let kind = RoomKind::SuperFan { moment };
    Ok(Some(
        text_head(id, m.common.as_ref()).with(to_user(m.user), kind),
    ))
}

fn envelope(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastEnvelopeMessage::decode(bytes)?;
    let info = m.envelope_info.unwrap_or_default();
    let key = m
        .common
        .as_ref()
        .and_then(|c| c.display_text.as_ref())
        .map_or(&[][..], |t| &t.key[..]);
    let super_fan_box = info.business_type == SUPER_FAN_BOX_BUSINESS_TYPE
        || contains_ignoring_case(key, b"ttlive_superfanbox");
    let sender = User {
        user_id: lossy(&info.send_user_id).trim().parse().unwrap_or(0),
        nickname: lossy(&info.send_user_name),
        ..User::default()
    };
    let chest = Chest {
        envelope_id: lossy(&info.envelope_id),
        diamonds: u32::try_from(info.diamond_count).unwrap_or(0),
        openers: u32::try_from(info.people_count).unwrap_or(0),
        super_fan_box,
    };
    Ok(Some(
        text_head(id, m.common.as_ref()).with(sender, RoomKind::Chest(chest)),
    ))
}

fn link_mic_battle(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastLinkMicBattle::decode(bytes)?;
    // An invitation, a refusal…: no battle yet.
    let Some(battle) = battle(&m) else {
        return Ok(None);
    };
    Ok(Some(
        head(id, m.common.as_ref()).with(User::default(), RoomKind::Battle(battle)),
    ))
}

fn link_mic_armies(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastLinkMicArmies::decode(bytes)?;
    let sides: Vec<BattleSide> = sorted_take(m.armies)
        .map(|(anchor_id, army)| BattleSide {
            anchor_id,
            name: String::new(),
            score: army.hostscore,
        })
        .collect();
    let end = m.trigger_reason == ARMIES_BATTLE_END;
    let battle = Battle {
        battle_id: m.battle_id,
        phase: if end {
            BattlePhase::End
        } else {
            BattlePhase::Scores
        },
        winner: if end { leader(&sides) } else { None },
        sides,
    };
    Ok(Some(
        head(id, m.common.as_ref()).with(User::default(), RoomKind::Battle(battle)),
    ))
}

fn emote_chat(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastEmoteChatMessage::decode(bytes)?;
    let emote_ids = m
        .emote_list
        .iter()
        .take(MAX_ITEMS)
        .map(|e| lossy(&e.emote_id))
        .collect();
    let user = with_identity(to_user(m.user), m.user_identity);
    Ok(Some(
        head(id, m.common.as_ref()).with(user, RoomKind::Emote { emote_ids }),
    ))
}

fn goal_update(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastGoalUpdateMessage::decode(bytes)?;
    let goal = m.goal.unwrap_or_default();
    let step = m
        .contribute_subgoal
        .or_else(|| goal.sub_goals.into_iter().next())
        .unwrap_or_default();
    let contributor = User {
        user_id: m.contributor_id,
        unique_id: handle(lossy(&m.contributor_display_id)),
        ..User::default()
    };
    let progress = GoalProgress {
        goal_id: goal.id,
        description: text(&goal.description),
        progress: step.progress,
        target: step.target,
    };
    Ok(Some(
        head(id, m.common.as_ref()).with(contributor, RoomKind::Goal(progress)),
    ))
}

fn question(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastQuestionNewMessage::decode(bytes)?;
    let question = m.data.unwrap_or_default();
    let kind = RoomKind::Question {
        question_id: question.question_id,
        text: text(&question.content),
    };
    Ok(Some(
        head(id, m.common.as_ref()).with(to_user(question.user), kind),
    ))
}

fn im_delete(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastImDeleteMessage::decode(bytes)?;
    let mut msg_ids = m.delete_msg_ids;
    let mut user_ids = m.delete_user_ids;
    msg_ids.truncate(MAX_ITEMS);
    user_ids.truncate(MAX_ITEMS);
    let kind = RoomKind::Deleted { msg_ids, user_ids };
    Ok(Some(
        head(id, m.common.as_ref()).with(User::default(), kind),
    ))
}

fn room_pin(bytes: &[u8], id: i64) -> Decoded {
    let m = pb::WebcastRoomPinMessage::decode(bytes)?;
    let (inner_id, user, text) = match (m.chat_message, m.gift_message) {
        (Some(chat), _) => (
            chat.common.map_or(0, |c| c.msg_id),
            chat.user,
            text(&chat.content),
        ),
        (None, Some(gift)) => (
            gift.common.map_or(0, |c| c.msg_id),
            gift.user,
            String::new(),
        ),
        (None, None) => (0, None, String::new()),
    };
    let kind = RoomKind::Pinned {
        pinned_msg_id: if m.pin_msg_id != 0 {
            m.pin_msg_id
        } else {
            inner_id
        },
        text,
        unpinned: m.action == PIN_CANCEL,
    };
    Ok(Some(head(id, m.common.as_ref()).with(to_user(user), kind)))
}

/// A chat message whose text is empty because it carries only emotes (field 13), as an emote
/// event; `None` for any other chat. Reads the same bytes the chat was decoded from.
pub(super) fn chat_emotes(
    bytes: &[u8],
    msg_id: i64,
    create_time_millis: i64,
    user: &User,
) -> Option<LiveEvent> {
    let m = pb::ChatEmotes::decode(bytes).ok()?;
    if !lossy(&m.content).trim().is_empty() || m.emotes.is_empty() {
        return None;
    }
    let emote_ids = m
        .emotes
        .iter()
        .take(MAX_ITEMS)
        .filter_map(|e| e.emote.as_ref())
        .map(|e| lossy(&e.emote_id))
        .collect();
    Some(LiveEvent::Room(Box::new(RoomEvent {
        msg_id,
        create_time_millis,
        user: user.clone(),
        kind: RoomKind::Emote { emote_ids },
    })))
}

/// The fan club level a user carries: `fans_club.data.level` (field 24), else
/// `fans_club_info.fans_level` (field 66); 0 when neither is sent.
pub(super) fn fan_club_level(user: &pb::User) -> u32 {
    let level = user
        .fans_club
        .as_ref()
        .and_then(|c| c.data.as_ref())
        .map_or(0, |d| i64::from(d.level));
    let level = if level > 0 {
        level
    } else {
        user.fans_club_info.as_ref().map_or(0, |i| i.fans_level)
    };
    u32::try_from(level).unwrap_or(0)
}

/// The message id and time every event carries.
struct Head {
    msg_id: i64,
    create_time_millis: i64,
}

impl Head {
    fn with(self, user: User, kind: RoomKind) -> RoomEvent {
        RoomEvent {
            msg_id: self.msg_id,
            create_time_millis: self.create_time_millis,
            user,
            kind,
        }
    }
}

fn head(envelope_id: i64, common: Option<&pb::CommonMessageData>) -> Head {
    Head {
        msg_id: pick_id(envelope_id, common.map_or(0, |c| c.msg_id)),
        create_time_millis: common.map_or(0, |c| c.create_time),
    }
}

fn text_head(envelope_id: i64, common: Option<&pb::CommonText>) -> Head {
    Head {
        msg_id: pick_id(envelope_id, common.map_or(0, |c| c.msg_id)),
        create_time_millis: common.map_or(0, |c| c.create_time),
    }
}

/// The envelope's id, else the one in `common`.
fn pick_id(envelope_id: i64, common_id: i64) -> i64 {
    if envelope_id != 0 {
        envelope_id
    } else {
        common_id
    }
}

/// A Super Fan notice from its display-text keys, as TikTokLive 7.0.1 and tiktok-live-connector
/// 2.5.0 decide it: a key containing `ttlive_superfan_commentnotif_superfanjoined` is a Super Fan
/// joining, any other key containing `ttlive_superfan` a new Super Fan (case-insensitive).
pub fn super_fan_moment<'a>(
    keys: impl Iterator<Item = &'a [u8]> + Clone,
) -> Option<SuperFanMoment> {
    if keys
        .clone()
        .any(|k| contains_ignoring_case(k, b"ttlive_superfan_commentnotif_superfanjoined"))
    {
        Some(SuperFanMoment::Join)
    } else if keys
        .into_iter()
        .any(|k| contains_ignoring_case(k, b"ttlive_superfan"))
    {
        Some(SuperFanMoment::New)
    } else {
        None
    }
}

fn contains_ignoring_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A battle message as a start or an end; `None` for the rest (invite, reject, cancel, accept).
fn battle(m: &pb::WebcastLinkMicBattle) -> Option<Battle> {
    let status = m.battle_settings.as_ref().map_or(0, |s| s.status);
    let phase = match m.action {
        BATTLE_FINISH | BATTLE_CUT_SHORT => BattlePhase::End,
        BATTLE_OPEN => BattlePhase::Start,
        0 if status == BATTLE_STATUS_FINISHED => BattlePhase::End,
        0 if status == BATTLE_STATUS_STARTED => BattlePhase::Start,
        _ => return None,
    };
    let mut sides: BTreeMap<i64, BattleSide> = BTreeMap::new();
    for info in m.anchors_info.iter().take(MAX_ITEMS) {
        let user = info.value.as_ref().and_then(|v| v.user.as_ref());
        let name = user.map_or_else(String::new, |u| {
            let nick = lossy(&u.nick_name);
            if nick.trim().is_empty() {
                handle(lossy(&u.display_id))
            } else {
                nick
            }
        });
        side(&mut sides, info.key).name = name;
    }
    for army in m.armies.iter().take(MAX_ITEMS) {
        side(&mut sides, army.key).score = army.value.as_ref().map_or(0, |a| a.hostscore);
    }
    for (&anchor_id, result) in m.battle_result.iter().take(MAX_ITEMS) {
        side(&mut sides, anchor_id).score = result.score;
    }
    let sides: Vec<BattleSide> = sides.into_values().take(MAX_ITEMS).collect();
    let winner = match phase {
        BattlePhase::End => winner(&m.battle_result).or_else(|| {
            // No results: the highest score wins, unless it is a tie.
            m.battle_result.is_empty().then(|| leader(&sides)).flatten()
        }),
        _ => None,
    };
    Some(Battle {
        battle_id: if m.battle_id != 0 {
            m.battle_id
        } else {
            m.battle_settings.as_ref().map_or(0, |s| s.battle_id)
        },
        phase,
        sides,
        winner,
    })
}

fn side(sides: &mut BTreeMap<i64, BattleSide>, anchor_id: i64) -> &mut BattleSide {
    sides.entry(anchor_id).or_insert_with(|| BattleSide {
        anchor_id,
        ..BattleSide::default()
    })
}

/// The anchor whose result is a win while every other side lost (`None` for a draw).
fn winner(results: &std::collections::HashMap<i64, pb::BattleResult>) -> Option<i64> {
    let mut winners = results.iter().filter(|(_, r)| r.result == RESULT_WIN);
    let (&winner, _) = winners.next()?;
    let others_lost = results
        .iter()
        .all(|(&id, r)| id == winner || r.result == RESULT_LOSE);
    (winners.next().is_none() && others_lost).then_some(winner)
}

/// The side with the highest score, if no other side has as much.
fn leader(sides: &[BattleSide]) -> Option<i64> {
    let best = sides.iter().max_by_key(|s| s.score)?;
    let ties = sides.iter().filter(|s| s.score == best.score).count();
    (ties == 1).then_some(best.anchor_id)
}

/// A map's entries in key order (prost maps are hash maps), at most [`MAX_ITEMS`].
fn sorted_take<V>(map: std::collections::HashMap<i64, V>) -> impl Iterator<Item = (i64, V)> {
    let mut entries: Vec<(i64, V)> = map.into_iter().collect();
    entries.sort_by_key(|(k, _)| *k);
    entries.into_iter().take(MAX_ITEMS)
}

fn poll(m: pb::WebcastPollMessage) -> Poll {
    let basic_title = m
        .poll_basic_info
        .map(|b| text(&b.title))
        .unwrap_or_default();
    let (phase, title, options) = if let Some(end) = m.end_content {
        (PollPhase::End, String::new(), end.option_list)
    } else if let Some(start) = m.start_content {
        (PollPhase::Start, text(&start.title), start.option_list)
    } else {
        let options = m
            .update_votes_content
            .map(|u| u.option_list)
            .unwrap_or_default();
        (PollPhase::Update, String::new(), options)
    };
    let mut options = options;
    options.sort_by_key(|o| o.option_idx);
    Poll {
        poll_id: m.poll_id,
        phase,
        title: if title.is_empty() { basic_title } else { title },
        options: options
            .iter()
            .take(MAX_ITEMS)
            .map(|o| PollOption {
                text: text(&o.display_content),
                votes: u64::try_from(o.votes).unwrap_or(0),
            })
            .collect(),
    }
}

/// Viewer text, lossy and cut to [`MAX_TEXT_CHARS`] (the screen and overlays clean it further).
fn text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((cut, _)) => text[..cut].to_owned(),
        None => text.into_owned(),
    }
}

/// A @handle without its `@`.
fn handle(text: String) -> String {
    match text.strip_prefix('@') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests;
