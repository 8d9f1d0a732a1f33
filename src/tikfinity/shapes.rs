//! giftdeck's events in the shape TikFinity's local events API sends (`{"event": …, "data": …}`,
//! TikTok-Live-Connector style: camelCase, the viewer's fields flat in `data`, `userId` and `msgId`
//! strings, `giftId` a number, `repeatEnd` a boolean). Pure: one function per event kind, and
//! [`GIFTDECK_CREDIT`], giftdeck's exactly-once credit, offered besides under its own name.
//! docs/overlays.md lists every field and where its shape comes from.

use serde_json::{Map, Value, json};

use crate::engine::Decision;
use crate::event::{
    ControlAction, GiftMessage, LiveEvent, MEMBER_JOINED, MEMBER_SUBSCRIBED, RoomEvent, RoomKind,
    SocialKind, User,
};

/// The event name of giftdeck's own credit: one per counted gift or finished streak, never twice.
pub const GIFTDECK_CREDIT: &str = "giftdeckCredit";

/// The message sent right after a client connects.
pub fn config() -> Value {
    json!({"event": "config", "data": {"events": []}})
}

fn envelope(event: &str, data: Map<String, Value>) -> Value {
    json!({"event": event, "data": Value::Object(data)})
}

/// The viewer's fields every event carries. What giftdeck does not decode has its type's empty
/// value (`""`, `0`, `false`, `null` for the rank), so strict consumers still read every field.
pub fn user_fields(user: &User, msg_id: i64, create_time_millis: i64) -> Map<String, Value> {
    let identity = user.identity;
    let mut data = Map::new();
    data.insert("userId".into(), Value::String(user.user_id.to_string()));
    data.insert("secUid".into(), Value::String(String::new()));
    data.insert("uniqueId".into(), Value::String(user.unique_id.clone()));
    data.insert("nickname".into(), Value::String(user.nickname.clone()));
    data.insert("profilePictureUrl".into(), Value::String(String::new()));
    data.insert("followRole".into(), json!(u8::from(identity.follower)));
    data.insert("userBadges".into(), json!([]));
    data.insert("isModerator".into(), Value::Bool(identity.moderator));
    data.insert("isNewGifter".into(), Value::Bool(false));
    data.insert("isSubscriber".into(), Value::Bool(identity.subscriber));
    data.insert("topGifterRank".into(), Value::Null);
    data.insert("gifterLevel".into(), json!(0));
    // TikTok's fan club level is what TikTok-Live-Connector calls the team member level.
    data.insert("teamMemberLevel".into(), json!(identity.fan_club_level));
    data.insert("msgId".into(), Value::String(msg_id.to_string()));
    data.insert(
        "createTime".into(),
        Value::String(create_time_millis.to_string()),
    );
    data
}

/// One gift message as TikFinity passes it on: every streak update (`repeatEnd: false`) and the
/// streak's end (`repeatEnd: true`), so a consumer that skips `giftType == 1 && !repeatEnd` counts
/// each streak once.
pub fn gift(gift: &GiftMessage) -> Value {
    let mut data = user_fields(&gift.user, gift.msg_id, gift.create_time_millis);
    data.insert("giftId".into(), json!(gift.gift_id));
    data.insert("repeatCount".into(), json!(gift.repeat_count.max(1)));
    data.insert("groupId".into(), Value::String(gift.group_id.to_string()));
    data.insert("giftType".into(), json!(u8::from(gift.streakable)));
    // A gift that is not streakable ends with itself.
    data.insert(
        "repeatEnd".into(),
        Value::Bool(gift.repeat_end || !gift.streakable),
    );
    data.insert("giftName".into(), Value::String(gift.gift_name.clone()));
    data.insert(
        "describe".into(),
        Value::String(format!("Sent {}", gift.gift_name)),
    );
    data.insert("diamondCount".into(), json!(gift.diamonds));
    data.insert(
        "giftPictureUrl".into(),
        Value::String(gift.image_url.clone().unwrap_or_default()),
    );
    envelope("gift", data)
}

/// A credited gift as TikFinity's final gift message (`repeatEnd: true`, `repeatCount` the
/// counted total): what is sent as `gift` while the individual streak updates are not available.
pub fn gift_from_credit(decision: &Decision) -> Value {
    let credited = &decision.gift;
    let message = GiftMessage {
        msg_id: credited.msg_id,
        user: User {
            user_id: credited.user_id,
            unique_id: credited.unique_id.clone(),
            nickname: credited.nickname.clone(),
            ..User::default()
        },
        gift_id: credited.gift_id,
        gift_name: credited.gift_name.clone(),
        diamonds: credited.diamonds,
        streakable: credited.ended_by != crate::event::EndedBy::Single,
        repeat_count: credited.count,
        repeat_end: true,
        group_id: 0,
        create_time_millis: 0,
        image_url: credited.image_url.clone(),
    };
    gift(&message)
}

/// giftdeck's credit: the gift line `replay` prints, with the viewer's fields, counted once.
pub fn credit(decision: &Decision, at_millis: i64) -> Value {
    let credited = &decision.gift;
    let user = User {
        user_id: credited.user_id,
        unique_id: credited.unique_id.clone(),
        nickname: credited.nickname.clone(),
        ..User::default()
    };
    let mut data = user_fields(&user, credited.msg_id, at_millis);
    data.insert("giftId".into(), json!(credited.gift_id));
    data.insert("giftName".into(), Value::String(credited.gift_name.clone()));
    data.insert("diamondCount".into(), json!(credited.diamonds));
    data.insert("count".into(), json!(credited.count));
    data.insert("totalDiamonds".into(), json!(credited.total_diamonds()));
    data.insert(
        "endedBy".into(),
        serde_json::to_value(credited.ended_by).unwrap_or(Value::Null),
    );
    data.insert(
        "trigger".into(),
        credited.trigger.clone().map_or(Value::Null, Value::String),
    );
    data.insert(
        "giftPictureUrl".into(),
        Value::String(credited.image_url.clone().unwrap_or_default()),
    );
    envelope(GIFTDECK_CREDIT, data)
}

/// Every other event TikFinity sends, or `None` for what it has no event for.
pub fn event(event: &LiveEvent) -> Option<Value> {
    Some(match event {
        LiveEvent::Gift(message) => gift(message),
        LiveEvent::Chat {
            msg_id,
            user,
            text,
            create_time_millis,
        } => {
            let mut data = user_fields(user, *msg_id, *create_time_millis);
            data.insert("comment".into(), Value::String(text.clone()));
            data.insert("emotes".into(), json!([]));
            envelope("chat", data)
        }
        LiveEvent::Like {
            msg_id,
            user,
            count,
            total,
            create_time_millis,
        } => {
            let mut data = user_fields(user, *msg_id, *create_time_millis);
            data.insert("likeCount".into(), json!(count));
            data.insert("totalLikeCount".into(), json!(total));
            envelope("like", data)
        }
        LiveEvent::Social {
            msg_id,
            user,
            kind,
            create_time_millis,
        } => {
            let name = match kind {
                SocialKind::Follow => "follow",
                SocialKind::Share => "share",
                SocialKind::Other => return None,
            };
            envelope(name, user_fields(user, *msg_id, *create_time_millis))
        }
        LiveEvent::Member {
            msg_id,
            user,
            action,
            create_time_millis,
        } => {
            let mut data = user_fields(user, *msg_id, *create_time_millis);
            match *action {
                MEMBER_SUBSCRIBED => envelope("subscribe", data),
                MEMBER_JOINED => {
                    data.insert("actionId".into(), json!(action));
                    envelope("member", data)
                }
                _ => return None,
            }
        }
        LiveEvent::Room(room) => return room_event(room),
        LiveEvent::Control { action, .. } => match action {
            ControlAction::Ended | ControlAction::Suspended => {
                let code = match action {
                    ControlAction::Ended => 3,
                    _ => 4,
                };
                json!({"event": "streamEnd", "data": {"action": code}})
            }
            _ => return None,
        },
    })
}

/// The 2026 kinds TikFinity has an event for: `subscribe` (with `subMonth`), `roomUser`
/// (`viewerCount`, `topViewers`) and `emote`.
fn room_event(room: &RoomEvent) -> Option<Value> {
    let data = || user_fields(&room.user, room.msg_id, room.create_time_millis);
    Some(match &room.kind {
        RoomKind::Subscription { months } => {
            let mut data = data();
            data.insert("subMonth".into(), json!(months));
            envelope("subscribe", data)
        }
        RoomKind::Viewers(count) => {
            let top: Vec<Value> = count
                .top
                .iter()
                .map(|t| {
                    json!({
                        "coinCount": t.coins,
                        "user": Value::Object(user_fields(&t.user, 0, 0)),
                    })
                })
                .collect();
            json!({"event": "roomUser", "data": {"viewerCount": count.viewers, "topViewers": top}})
        }
        RoomKind::Emote { emote_ids } => {
            let mut data = data();
            let emotes: Vec<Value> = emote_ids
                .iter()
                .map(|id| json!({"emoteId": id, "emoteImageUrl": ""}))
                .collect();
            data.insert("emotes".into(), Value::Array(emotes));
            envelope("emote", data)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{CreditedGift, EndedBy, Identity};

    fn user() -> User {
        User {
            user_id: 6_506_646_277_295_882_242,
            unique_id: "gu12246".into(),
            nickname: "Shîñ \"x\"".into(),
            identity: Identity {
                fan_club_level: 0,
                follower: true,
                subscriber: false,
                moderator: true,
            },
        }
    }

    /// The user fields with their JSON types, exactly.
    fn assert_user_fields(data: &Value) {
        let strings = [
            "userId",
            "secUid",
            "uniqueId",
            "nickname",
            "profilePictureUrl",
            "msgId",
            "createTime",
        ];
        for key in strings {
            assert!(data[key].is_string(), "{key} must be a string: {data}");
        }
        for key in ["followRole", "gifterLevel", "teamMemberLevel"] {
            assert!(data[key].is_u64(), "{key} must be a number: {data}");
        }
        for key in ["isModerator", "isNewGifter", "isSubscriber"] {
            assert!(data[key].is_boolean(), "{key} must be a boolean: {data}");
        }
        assert!(data["topGifterRank"].is_null());
        assert!(data["userBadges"].is_array());
        assert_eq!(data["userId"], "6506646277295882242");
        assert_eq!(data["uniqueId"], "gu12246");
        assert_eq!(data["nickname"], "Shîñ \"x\"");
        assert_eq!(data["followRole"], 1);
        assert_eq!(data["isModerator"], true);
    }

    fn keys(value: &Value) -> Vec<String> {
        let mut keys: Vec<String> = value["data"].as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    const USER_KEYS: [&str; 15] = [
        "createTime",
        "followRole",
        "gifterLevel",
        "isModerator",
        "isNewGifter",
        "isSubscriber",
        "msgId",
        "nickname",
        "profilePictureUrl",
        "secUid",
        "teamMemberLevel",
        "topGifterRank",
        "uniqueId",
        "userBadges",
        "userId",
    ];

    fn with_user_keys(extra: &[&str]) -> Vec<String> {
        let mut all: Vec<String> = USER_KEYS
            .iter()
            .chain(extra)
            .map(|s| (*s).to_owned())
            .collect();
        all.sort();
        all
    }

    fn gift_message(streakable: bool, repeat_count: u32, repeat_end: bool) -> GiftMessage {
        GiftMessage {
            msg_id: 7_200_000_000_000_000_001,
            user: user(),
            gift_id: 5655,
            gift_name: "Rose".into(),
            diamonds: 1,
            streakable,
            repeat_count,
            repeat_end,
            group_id: 1_690_225_616_161,
            create_time_millis: 1_700_000_000_123,
            image_url: Some("https://p16.example/rose.png".into()),
        }
    }

    #[test]
    fn chat() {
        let value = event(&LiveEvent::Chat {
            msg_id: 42,
            user: user(),
            text: "!sr Björk 🦊".into(),
            create_time_millis: 1_700_000_000_000,
        })
        .unwrap();
        assert_eq!(value["event"], "chat");
        assert_user_fields(&value["data"]);
        assert_eq!(keys(&value), with_user_keys(&["comment", "emotes"]));
        assert_eq!(value["data"]["comment"], "!sr Björk 🦊");
        assert_eq!(value["data"]["msgId"], "42");
        assert_eq!(value["data"]["createTime"], "1700000000000");
    }

    #[test]
    fn gift_streak_updates_and_end() {
        let update = gift(&gift_message(true, 3, false));
        assert_eq!(update["event"], "gift");
        assert_user_fields(&update["data"]);
        assert_eq!(
            keys(&update),
            with_user_keys(&[
                "describe",
                "diamondCount",
                "giftId",
                "giftName",
                "giftPictureUrl",
                "giftType",
                "groupId",
                "repeatCount",
                "repeatEnd",
            ])
        );
        let data = &update["data"];
        assert!(data["giftId"].is_u64(), "giftId is a number");
        assert_eq!(data["giftId"], 5655);
        assert_eq!(data["giftType"], 1);
        assert_eq!(data["repeatEnd"], false);
        assert_eq!(data["repeatCount"], 3);
        assert_eq!(data["groupId"], "1690225616161");
        assert_eq!(data["diamondCount"], 1);
        assert_eq!(data["describe"], "Sent Rose");
        assert_eq!(data["giftPictureUrl"], "https://p16.example/rose.png");
        assert_eq!(data["msgId"], "7200000000000000001");
        let end = gift(&gift_message(true, 5, true));
        assert_eq!(end["data"]["repeatEnd"], true);
        // A gift that cannot streak ends with itself.
        let single = gift(&gift_message(false, 1, false));
        assert_eq!(single["data"]["giftType"], 0);
        assert_eq!(single["data"]["repeatEnd"], true);
    }

    fn decision(ended_by: EndedBy, count: u32) -> Decision {
        Decision {
            gift: CreditedGift {
                msg_id: 9,
                user_id: 6_506_646_277_295_882_242,
                unique_id: "gu12246".into(),
                nickname: "Shîñ".into(),
                count,
                trigger: Some("Rose".into()),
                ended_by,
                ..crate::testkit::outputs::rose()
            },
            mapping: None,
        }
    }

    #[test]
    fn a_credit_is_a_final_gift_and_giftdecks_own_credit() {
        let as_gift = gift_from_credit(&decision(EndedBy::StreakEnd, 5));
        assert_eq!(as_gift["event"], "gift");
        assert_eq!(as_gift["data"]["giftType"], 1);
        assert_eq!(as_gift["data"]["repeatEnd"], true);
        assert_eq!(as_gift["data"]["repeatCount"], 5);
        assert_eq!(
            gift_from_credit(&decision(EndedBy::Single, 1))["data"]["giftType"],
            0
        );
        let own = credit(&decision(EndedBy::Timeout, 5), 1_700_000_000_999);
        assert_eq!(own["event"], GIFTDECK_CREDIT);
        assert_user_fields_loose(&own["data"]);
        let data = &own["data"];
        assert_eq!(data["count"], 5);
        assert_eq!(data["totalDiamonds"], 5);
        assert_eq!(data["endedBy"], "timeout");
        assert_eq!(data["trigger"], "Rose");
        assert_eq!(data["giftId"], 5655);
        assert_eq!(data["createTime"], "1700000000999");
    }

    fn assert_user_fields_loose(data: &Value) {
        assert!(
            data["userId"].is_string() && data["uniqueId"].is_string() && data["msgId"].is_string()
        );
    }

    #[test]
    fn like_follow_share_member_subscribe_stream_end() {
        let like = event(&LiveEvent::Like {
            msg_id: 1,
            user: user(),
            count: 15,
            total: 12_345,
            create_time_millis: 0,
        })
        .unwrap();
        assert_eq!(like["event"], "like");
        assert_user_fields(&like["data"]);
        assert_eq!(
            keys(&like),
            with_user_keys(&["likeCount", "totalLikeCount"])
        );
        assert_eq!(
            (
                like["data"]["likeCount"].as_u64(),
                like["data"]["totalLikeCount"].as_u64()
            ),
            (Some(15), Some(12_345))
        );
        for (kind, name) in [(SocialKind::Follow, "follow"), (SocialKind::Share, "share")] {
            let value = event(&LiveEvent::Social {
                msg_id: 2,
                user: user(),
                kind,
                create_time_millis: 0,
            })
            .unwrap();
            assert_eq!(value["event"], name);
            assert_user_fields(&value["data"]);
            assert_eq!(keys(&value), with_user_keys(&[]));
        }
        assert_eq!(
            event(&LiveEvent::Social {
                msg_id: 2,
                user: user(),
                kind: SocialKind::Other,
                create_time_millis: 0
            }),
            None
        );
        let member = event(&LiveEvent::Member {
            msg_id: 3,
            user: user(),
            action: MEMBER_JOINED,
            create_time_millis: 0,
        })
        .unwrap();
        assert_eq!(member["event"], "member");
        assert_eq!(keys(&member), with_user_keys(&["actionId"]));
        assert_eq!(member["data"]["actionId"], 1);
        let sub = event(&LiveEvent::Member {
            msg_id: 4,
            user: user(),
            action: MEMBER_SUBSCRIBED,
            create_time_millis: 0,
        })
        .unwrap();
        assert_eq!(sub["event"], "subscribe");
        assert_user_fields(&sub["data"]);
        assert_eq!(
            event(&LiveEvent::Member {
                msg_id: 5,
                user: user(),
                action: 99,
                create_time_millis: 0
            }),
            None
        );
        let end = event(&LiveEvent::Control {
            msg_id: 6,
            action: ControlAction::Ended,
        })
        .unwrap();
        assert_eq!(end, json!({"event": "streamEnd", "data": {"action": 3}}));
        assert_eq!(
            event(&LiveEvent::Control {
                msg_id: 7,
                action: ControlAction::Paused
            }),
            None
        );
        assert_eq!(config(), json!({"event": "config", "data": {"events": []}}));
    }

    #[test]
    fn sub_notify_viewers_and_emotes_have_tikfinity_events() {
        use crate::event::{RoomEvent, RoomKind, TopViewer, ViewerCount};
        let room = |kind| {
            LiveEvent::Room(Box::new(RoomEvent {
                msg_id: 5,
                create_time_millis: 9,
                user: user(),
                kind,
            }))
        };
        let sub = event(&room(RoomKind::Subscription { months: 3 })).unwrap();
        assert_eq!(
            (sub["event"].clone(), sub["data"]["subMonth"].clone()),
            ("subscribe".into(), 3.into())
        );
        assert_eq!(sub["data"]["uniqueId"], "gu12246");
        let count = ViewerCount {
            viewers: 42,
            total_viewers: 100,
            top: vec![TopViewer {
                user: user(),
                coins: 7,
                rank: 1,
            }],
        };
        let seq = event(&room(RoomKind::Viewers(count))).unwrap();
        assert_eq!(seq["event"], "roomUser");
        assert_eq!(seq["data"]["viewerCount"], 42);
        assert_eq!(seq["data"]["topViewers"][0]["coinCount"], 7);
        assert_eq!(seq["data"]["topViewers"][0]["user"]["uniqueId"], "gu12246");
        let emote = event(&room(RoomKind::Emote {
            emote_ids: vec!["e1".into()],
        }))
        .unwrap();
        assert_eq!(emote["data"]["emotes"][0]["emoteId"], "e1");
        assert!(
            event(&room(RoomKind::Question {
                question_id: 1,
                text: "?".into()
            }))
            .is_none()
        );
    }
}
