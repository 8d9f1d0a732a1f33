//! The JSON the overlay server sends: one latest-state message per page (over SSE) and the
//! `/events` stream (documented in `docs/overlays.md`; its keys are a contract for custom tools).
//! Viewer text is cleaned of control and bidi characters here; the pages still only ever put it
//! into the DOM as text.

use serde::Serialize;
use serde_json::{Value, json};

use super::alerts::{Alert, AlertKind, Showing};
use super::tallies::{Gifter, LikeGoal};
use crate::engine::Decision;
use crate::event::{
    CreditedGift, LiveEvent, MEMBER_SUBSCRIBED, RoomEvent, RoomKind, SocialKind, SuperFanMoment,
    User,
};
use crate::triggers::Fired;

/// Longest nickname an overlay shows, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// A viewer's name for the screen: the cleaned nickname, else the handle, else "Someone".
pub fn display_name(nickname: &str, unique_id: &str) -> String {
    let name = crate::text::one_line(nickname, MAX_NAME_CHARS);
    if !name.is_empty() {
        return name;
    }
    let handle = crate::text::one_line(unique_id, MAX_NAME_CHARS);
    if handle.is_empty() {
        "Someone".to_owned()
    } else {
        handle
    }
}

/// Only plain `http(s)` URLs reach a page's `<img src>` (never `javascript:` or `data:`).
pub fn safe_image_url(url: Option<&str>) -> Option<String> {
    let url = url?;
    let parsed = url::Url::parse(url).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

/// A credited gift as an alert.
pub fn gift_alert(gift: &CreditedGift) -> Alert {
    Alert {
        id: 0,
        kind: AlertKind::Gift,
        user_id: gift.user_id,
        unique_id: crate::text::one_line(&gift.unique_id, MAX_NAME_CHARS),
        nickname: display_name(&gift.nickname, &gift.unique_id),
        gift_id: gift.gift_id,
        gift_name: crate::text::one_line(&gift.gift_name, MAX_NAME_CHARS),
        count: gift.count,
        diamonds: gift.diamonds,
        image_url: safe_image_url(gift.image_url.as_deref()),
        msg_ids: vec![gift.msg_id],
    }
}

/// A follow, share, subscription or another viewer's event as an alert.
pub fn social_alert(kind: AlertKind, user: &User, msg_id: i64) -> Alert {
    Alert {
        id: 0,
        kind,
        user_id: user.user_id,
        unique_id: crate::text::one_line(&user.unique_id, MAX_NAME_CHARS),
        nickname: display_name(&user.nickname, &user.unique_id),
        gift_id: 0,
        gift_name: String::new(),
        count: 1,
        diamonds: 0,
        image_url: None,
        msg_ids: vec![msg_id],
    }
}

/// The alert a 2026 event shows, if it shows one: a subscription, a new Super Fan, a treasure
/// chest or a Super Fan box (worth its diamonds in a full queue).
pub fn room_alert(room: &RoomEvent) -> Option<Alert> {
    let (kind, diamonds) = match &room.kind {
        RoomKind::Subscription { .. } => (AlertKind::Subscribe, 0),
        RoomKind::SuperFan {
            moment: SuperFanMoment::New,
        } => (AlertKind::SuperFan, 0),
        RoomKind::Chest(chest) if chest.super_fan_box => (AlertKind::SuperFanBox, chest.diamonds),
        RoomKind::Chest(chest) => (AlertKind::TreasureChest, chest.diamonds),
        _ => return None,
    };
    let mut alert = social_alert(kind, &room.user, room.msg_id);
    alert.diamonds = diamonds;
    Some(alert)
}

/// Which alert kind a social event is, if it is one the alert page shows.
pub fn social_kind(kind: SocialKind) -> Option<AlertKind> {
    match kind {
        SocialKind::Follow => Some(AlertKind::Follow),
        SocialKind::Share => Some(AlertKind::Share),
        SocialKind::Other => None,
    }
}

/// `/alerts`: what shows now (`alert: null` when nothing does).
pub fn alert_state(showing: Option<&Showing>, now_millis: u64, waiting: usize) -> String {
    let value = match showing {
        Some(s) => json!({
            "type": "alert",
            "alert": s.alert,
            "remaining_millis": s.until_millis.saturating_sub(now_millis),
            "duration_millis": s.until_millis.saturating_sub(s.since_millis),
            "waiting": waiting,
        }),
        None => json!({"type": "alert", "alert": null, "waiting": waiting}),
    };
    value.to_string()
}

/// `/goal`.
pub fn goal_state(goal: &LikeGoal) -> String {
    json!({"type": "goal", "likes": goal.likes, "target": goal.target, "reached": goal.reached})
        .to_string()
}

/// `/top`.
pub fn top_state(top: &[Gifter]) -> String {
    json!({"type": "top", "gifters": top}).to_string()
}

/// One line of the recent-events ticker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecentItem {
    pub kind: AlertKind,
    pub nickname: String,
    pub gift_name: String,
    pub count: u32,
    pub image_url: Option<String>,
    /// What a moderator's deletion is matched against (not sent to the page).
    #[serde(skip)]
    pub msg_id: i64,
    #[serde(skip)]
    pub user_id: i64,
}

impl From<&Alert> for RecentItem {
    fn from(a: &Alert) -> Self {
        Self {
            kind: a.kind,
            nickname: a.nickname.clone(),
            gift_name: a.gift_name.clone(),
            count: a.count,
            image_url: a.image_url.clone(),
            msg_id: a.msg_ids.first().copied().unwrap_or(0),
            user_id: a.user_id,
        }
    }
}

impl RecentItem {
    /// True when a moderator deleting these messages (or these viewers') takes it back.
    pub fn deleted_by(&self, msg_ids: &[i64], user_ids: &[i64]) -> bool {
        (self.msg_id != 0 && msg_ids.contains(&self.msg_id))
            || (self.user_id != 0 && user_ids.contains(&self.user_id))
    }
}

/// `/recent`: newest first.
pub fn recent_state<'a>(items: impl Iterator<Item = &'a RecentItem>) -> String {
    let items: Vec<&RecentItem> = items.collect();
    json!({"type": "recent", "items": items}).to_string()
}

/// The overlay-text action's content, placeholders already filled in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextOverlay {
    pub title: String,
    pub subtitle: String,
    pub seconds: u32,
}

/// `/text` (`text: null` when nothing shows).
pub fn text_state(text: Option<(u64, &TextOverlay)>, remaining_millis: u64) -> String {
    match text {
        Some((id, t)) => json!({
            "type": "text",
            "text": {"id": id, "title": t.title, "subtitle": t.subtitle},
            "remaining_millis": remaining_millis,
        }),
        None => json!({"type": "text", "text": null}),
    }
    .to_string()
}

fn user_json(user_id: i64, unique_id: &str, nickname: &str) -> Value {
    json!({"user_id": user_id, "unique_id": unique_id, "nickname": nickname})
}

/// `/events`: a credited gift, then (when it matched one) the fired trigger.
pub fn credit_events(decision: &Decision, seq: &mut u64, time_millis: u64) -> Vec<String> {
    let g = &decision.gift;
    let mut out = Vec::with_capacity(2);
    *seq += 1;
    out.push(
        json!({
            "seq": *seq,
            "time_millis": time_millis,
            "type": "gift",
            "msg_id": g.msg_id,
            "user": user_json(g.user_id, &g.unique_id, &g.nickname),
            "gift_id": g.gift_id,
            "gift_name": g.gift_name,
            "diamonds": g.diamonds,
            "count": g.count,
            "ended_by": g.ended_by,
            "image_url": g.image_url,
        })
        .to_string(),
    );
    if let Some(mapping) = &decision.mapping {
        *seq += 1;
        out.push(
            json!({
                "seq": *seq,
                "time_millis": time_millis,
                "type": "trigger",
                "trigger": mapping.trigger,
                "msg_id": g.msg_id,
                "user": user_json(g.user_id, &g.unique_id, &g.nickname),
                "gift_name": g.gift_name,
                "count": g.count,
                "actions": mapping.actions.iter().map(|a| a.summary()).collect::<Vec<_>>(),
            })
            .to_string(),
        );
    }
    out
}

/// `/events`: any other event.
pub fn live_event(event: &LiveEvent, seq: &mut u64, time_millis: u64) -> String {
    *seq += 1;
    let mut value = match event {
        LiveEvent::Gift(g) => json!({
            "type": "gift_message",
            "msg_id": g.msg_id,
            "user": user_json(g.user.user_id, &g.user.unique_id, &g.user.nickname),
            "gift_id": g.gift_id,
            "gift_name": g.gift_name,
            "repeat_count": g.repeat_count,
            "repeat_end": g.repeat_end,
        }),
        LiveEvent::Chat {
            msg_id, user, text, ..
        } => json!({
            "type": "chat",
            "msg_id": msg_id,
            "user": user_json(user.user_id, &user.unique_id, &user.nickname),
            "text": text,
        }),
        LiveEvent::Like {
            msg_id,
            user,
            count,
            total,
            ..
        } => json!({
            "type": "like",
            "msg_id": msg_id,
            "user": user_json(user.user_id, &user.unique_id, &user.nickname),
            "count": count,
            "total": total,
        }),
        LiveEvent::Social {
            msg_id, user, kind, ..
        } => json!({
            "type": match kind {
                SocialKind::Follow => "follow",
                SocialKind::Share => "share",
                SocialKind::Other => "social",
            },
            "msg_id": msg_id,
            "user": user_json(user.user_id, &user.unique_id, &user.nickname),
        }),
        LiveEvent::Member {
            msg_id,
            user,
            action,
            ..
        } => json!({
            "type": if *action == MEMBER_SUBSCRIBED { "subscribe" } else { "join" },
            "msg_id": msg_id,
            "user": user_json(user.user_id, &user.unique_id, &user.nickname),
            "action": action,
        }),
        LiveEvent::Control { msg_id, action, .. } => json!({
            "type": "control",
            "msg_id": msg_id,
            "action": action,
        }),
        LiveEvent::Room(room) => room_json(room),
    };
    value["seq"] = json!(*seq);
    value["time_millis"] = json!(time_millis);
    value.to_string()
}

/// `/events`: a 2026 event (documented in docs/overlays.md).
fn room_json(room: &RoomEvent) -> Value {
    let user = || user_json(room.user.user_id, &room.user.unique_id, &room.user.nickname);
    let mut value = match &room.kind {
        RoomKind::Subscription { months } => {
            json!({"type": "subscribe", "user": user(), "months": months})
        }
        RoomKind::Viewers(count) => {
            let top: Vec<Value> = count
                .top
                .iter()
                .map(|t| {
                    json!({
                        "user": user_json(t.user.user_id, &t.user.unique_id, &t.user.nickname),
                        "coins": t.coins,
                        "rank": t.rank,
                    })
                })
                .collect();
            json!({
                "type": "viewers",
                "viewers": count.viewers,
                "total_viewers": count.total_viewers,
                "top": top,
            })
        }
        RoomKind::SuperFan { moment } => {
            json!({"type": "super_fan", "moment": moment, "user": user()})
        }
        RoomKind::Chest(chest) => {
            let mut value = json!({
                "type": "treasure_chest",
                "user": user(),
                "envelope_id": chest.envelope_id,
                "diamonds": chest.diamonds,
                "openers": chest.openers,
            });
            if chest.super_fan_box {
                value["type"] = json!("super_fan");
                value["moment"] = json!(SuperFanMoment::Box);
            }
            value
        }
        RoomKind::Battle(battle) => {
            let sides: Vec<Value> = battle
                .sides
                .iter()
                .map(|s| json!({"user_id": s.anchor_id, "name": s.name, "score": s.score}))
                .collect();
            json!({
                "type": "battle",
                "phase": battle.phase,
                "battle_id": battle.battle_id,
                "sides": sides,
                "winner": battle.winner,
            })
        }
        RoomKind::Emote { emote_ids } => {
            json!({"type": "emote", "user": user(), "emotes": emote_ids})
        }
        RoomKind::Poll(poll) => json!({
            "type": "poll",
            "phase": poll.phase,
            "poll_id": poll.poll_id,
            "title": poll.title,
            "options": poll.options,
        }),
        RoomKind::Goal(goal) => json!({
            "type": "goal",
            "goal_id": goal.goal_id,
            "description": goal.description,
            "progress": goal.progress,
            "target": goal.target,
            "user": user(),
        }),
        RoomKind::Question { question_id, text } => json!({
            "type": "question",
            "question_id": question_id,
            "text": text,
            "user": user(),
        }),
        RoomKind::Deleted { msg_ids, user_ids } => json!({
            "type": "delete",
            "msg_ids": msg_ids,
            "user_ids": user_ids,
        }),
        RoomKind::Pinned {
            pinned_msg_id,
            text,
            unpinned,
        } => json!({
            "type": if *unpinned { "unpin" } else { "pin" },
            "pinned_msg_id": pinned_msg_id,
            "text": text,
            "user": user(),
        }),
        RoomKind::Nothing => json!({"type": "other"}),
    };
    value["msg_id"] = json!(room.msg_id);
    value
}

/// `/events`: a non-gift trigger (follow, share, subscribe, join, likes, chat) fired, or was
/// skipped while cooling down (`skipped` says why).
pub fn fired_event(fired: &Fired, seq: &mut u64, time_millis: u64) -> String {
    *seq += 1;
    let l = &fired.line;
    let mut value = json!({
        "seq": *seq,
        "time_millis": time_millis,
        "type": "trigger",
        "kind": l.kind,
        "trigger": l.trigger,
        "msg_id": l.msg_id,
        "user": user_json(l.user_id, &l.unique_id, &l.nickname),
        "count": l.count,
        "skipped": l.skipped,
        "actions": fired
            .mapping
            .iter()
            .flat_map(|m| m.actions.iter().map(|a| a.summary()))
            .collect::<Vec<_>>(),
    });
    // The numbers a 2026 kind carries (months, viewers, diamonds, battle…), as `--events` has them.
    if let (Value::Object(into), Ok(Value::Object(room))) =
        (&mut value, serde_json::to_value(&l.room))
    {
        into.extend(room);
    }
    value.to_string()
}

/// `/events`: an overlay-text action ran.
pub fn text_event(text: &TextOverlay, seq: &mut u64, time_millis: u64) -> String {
    *seq += 1;
    json!({
        "seq": *seq,
        "time_millis": time_millis,
        "type": "overlay_text",
        "title": text.title,
        "subtitle": text.subtitle,
        "seconds": text.seconds,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_but_stay_text() {
        assert_eq!(
            display_name("<img src=x onerror=alert(1)>", "h"),
            "<img src=x onerror=alert(1)>"
        );
        assert_eq!(display_name("\u{202e}evil\u{202c}\n", "h"), "evil");
        assert_eq!(display_name("  ", "handle"), "handle");
        assert_eq!(display_name("", ""), "Someone");
        assert_eq!(
            display_name(&"W".repeat(100), "").chars().count(),
            MAX_NAME_CHARS + 1
        );
    }

    #[test]
    fn only_web_image_urls_pass() {
        assert_eq!(
            safe_image_url(Some("https://p16.tiktokcdn.com/rose.png")).as_deref(),
            Some("https://p16.tiktokcdn.com/rose.png")
        );
        assert_eq!(safe_image_url(Some("javascript:alert(1)")), None);
        assert_eq!(safe_image_url(Some("data:image/png;base64,AAAA")), None);
        assert_eq!(safe_image_url(Some("not a url")), None);
        assert_eq!(safe_image_url(None), None);
    }

    #[test]
    fn events_carry_sequence_numbers_and_types() {
        let mut seq = 0;
        let chat = LiveEvent::Chat {
            msg_id: 7,
            create_time_millis: 0,
            user: User {
                user_id: 1,
                unique_id: "a".into(),
                nickname: "\"quoted\"".into(),
                ..User::default()
            },
            text: "hi</script>".into(),
        };
        let line = live_event(&chat, &mut seq, 99);
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["type"], "chat");
        assert_eq!(v["seq"], 1);
        assert_eq!(v["text"], "hi</script>");
        assert_eq!(v["user"]["nickname"], "\"quoted\"");
    }
}
