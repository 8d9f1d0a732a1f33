//! Decoding one message of a batch (its method and payload) into our [`LiveEvent`]: the innermost
//! layer of what TikTok sends (the frame is read in `inflate`, the batch in `batch`). Never panics
//! on network bytes: a bad message is a [`DecodeError`] that loses only itself. The 2026 kinds
//! (subscriptions, viewers, Super Fans, chests, battles, emotes…) are decoded in `room`.

use prost::Message;

mod room;

pub use room::{SUPER_FAN_BOX_BUSINESS_TYPE, super_fan_moment};

use super::DecodeError;
use super::fields::lossy_vec;
use super::pb;
use crate::event::{ControlAction, GiftMessage, Identity, LiveEvent, SocialKind, User};

/// One `BaseProtoMessage` of a batch, borrowed from the batch's bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Envelope<'a> {
    pub method: &'a [u8],
    pub payload: &'a [u8],
    pub msg_id: i64,
}

/// `Ok(None)` for methods we do not use; `Err` for a known method whose payload is bad.
pub(crate) fn decode_message(message: &Envelope<'_>) -> Result<Option<LiveEvent>, DecodeError> {
    let bytes = message.payload;
    let envelope_id = message.msg_id;
    let bad = |reason: String| DecodeError::Message {
        method: String::from_utf8_lossy(message.method).into_owned(),
        msg_id: envelope_id,
        len: bytes.len(),
        reason,
    };
    let undecodable = |err: prost::DecodeError| bad(err.to_string());
    let msg_id = |common: &Option<pb::CommonMessageData>| {
        if envelope_id != 0 {
            envelope_id
        } else {
            common.as_ref().map_or(0, |c| c.msg_id)
        }
    };
    let event = match message.method {
        b"WebcastGiftMessage" => {
            let m = pb::WebcastGiftMessage::decode(bytes).map_err(undecodable)?;
            // A gift message without a user or a gift struct cannot be credited or matched safely.
            let (Some(user), Some(gift)) = (m.user, m.gift) else {
                return Err(bad("a gift message without a user or a gift".to_owned()));
            };
            let gift_id = if m.gift_id != 0 { m.gift_id } else { gift.id };
            LiveEvent::Gift(GiftMessage {
                msg_id: msg_id(&m.common),
                user: with_identity(to_user(Some(user)), m.user_identity),
                gift_id,
                gift_name: trimmed(lossy_vec(gift.name)),
                diamonds: u32::try_from(gift.diamond_count).unwrap_or(0),
                streakable: gift.r#type == 1,
                repeat_count: u32::try_from(m.repeat_count).unwrap_or(0),
                repeat_end: m.repeat_end != 0,
                group_id: m.group_id,
                create_time_millis: m.common.as_ref().map_or(0, |c| c.create_time),
                image_url: gift
                    .image
                    .and_then(|i| i.url_list.into_iter().next().map(lossy_vec)),
            })
        }
        b"WebcastChatMessage" => {
            let m = pb::WebcastChatMessage::decode(bytes).map_err(undecodable)?;
            if String::from_utf8_lossy(&m.content).trim().is_empty() {
                let user = with_identity(to_user(m.user.clone()), m.user_identity);
                let (id, at) = (msg_id(&m.common), create_time(&m.common));
                if let Some(emotes) = room::chat_emotes(bytes, id, at, &user) {
                    return Ok(Some(emotes));
                }
            }
            LiveEvent::Chat {
                msg_id: msg_id(&m.common),
                create_time_millis: create_time(&m.common),
                user: with_identity(to_user(m.user), m.user_identity),
                text: lossy_vec(m.content),
            }
        }
        b"WebcastLikeMessage" => {
            let m = pb::WebcastLikeMessage::decode(bytes).map_err(undecodable)?;
            LiveEvent::Like {
                msg_id: msg_id(&m.common),
                create_time_millis: create_time(&m.common),
                user: to_user(m.user),
                count: u32::try_from(m.count).unwrap_or(0),
                total: m.total,
            }
        }
        b"WebcastSocialMessage" => {
            let m = pb::WebcastSocialMessage::decode(bytes).map_err(undecodable)?;
            let key = m
                .common
                .as_ref()
                .and_then(|c| c.display_text.as_ref())
                .map_or(&b""[..], |t| &t.key[..]);
            LiveEvent::Social {
                kind: social_kind(&String::from_utf8_lossy(key)),
                create_time_millis: create_time(&m.common),
                msg_id: msg_id(&m.common),
                user: to_user(m.user),
            }
        }
        b"WebcastMemberMessage" => {
            let m = pb::WebcastMemberMessage::decode(bytes).map_err(undecodable)?;
            LiveEvent::Member {
                msg_id: msg_id(&m.common),
                create_time_millis: create_time(&m.common),
                user: to_user(m.user),
                action: m.action,
            }
        }
        b"WebcastControlMessage" => {
            let m = pb::WebcastControlMessage::decode(bytes).map_err(undecodable)?;
            LiveEvent::Control {
                msg_id: msg_id(&m.common),
                action: ControlAction::from_wire(m.action),
            }
        }
        other => return room::decode_room(other, bytes, envelope_id),
    };
    Ok(Some(event))
}

/// Follow or share, from `common.display_text.key`, as the Python and Node reference clients decide
/// it: a key containing `follow` is a follow (`pm_main_follow_message_viewer_2`), one containing
/// `share` a share (`pm_mt_guidance_share`, `pm_mt_guidance_viewer_N_share`); anything else is
/// neither. Follow is checked first, as they do. See docs/triggers.md.
pub fn social_kind(display_text_key: &str) -> SocialKind {
    if display_text_key.contains("follow") {
        SocialKind::Follow
    } else if display_text_key.contains("share") {
        SocialKind::Share
    } else {
        SocialKind::Other
    }
}

fn create_time(common: &Option<pb::CommonMessageData>) -> i64 {
    common.as_ref().map_or(0, |c| c.create_time)
}

fn with_identity(mut user: User, identity: Option<pb::UserIdentity>) -> User {
    if let Some(i) = identity {
        user.identity = Identity {
            follower: i.is_follower_of_anchor || i.is_mutual_following_with_anchor,
            subscriber: i.is_subscriber_of_anchor,
            moderator: i.is_moderator_of_anchor || i.is_anchor,
            fan_club_level: user.identity.fan_club_level,
        };
    }
    user
}

fn to_user(user: Option<pb::User>) -> User {
    match user {
        Some(u) => User {
            identity: Identity {
                fan_club_level: room::fan_club_level(&u),
                ..Identity::default()
            },
            user_id: u.id,
            unique_id: without_at(lossy_vec(u.display_id)),
            nickname: lossy_vec(u.nickname),
        },
        None => User::default(),
    }
}

/// `@alice` → `alice`: the handle without the at sign some messages carry.
fn without_at(display_id: String) -> String {
    match display_id.strip_prefix('@') {
        Some(rest) => rest.to_owned(),
        None => display_id,
    }
}

/// Trims surrounding whitespace, allocating only when there is some.
fn trimmed(text: String) -> String {
    if text.trim().len() == text.len() {
        text
    } else {
        text.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::frames::{
        BatchSpec, Compression, GiftSpec, MessageSpec, encode_batch, encode_message,
        encode_msg_frame,
    };
    use crate::wire::{decode_batch, decode_push_frame};

    fn rose(msg_id: i64, rc: i32, end: bool) -> MessageSpec {
        MessageSpec::Gift(GiftSpec {
            msg_id,
            repeat_count: rc,
            repeat_end: end,
            ..GiftSpec::default()
        })
    }

    #[test]
    fn gift_frame_decodes_with_and_without_gzip_header() {
        let batch = BatchSpec {
            messages: vec![rose(1001, 3, true)],
            need_ack: true,
            internal_ext: "ie-1".into(),
            ..Default::default()
        };
        for compression in [
            Compression::None,
            Compression::GzipWithHeader,
            Compression::GzipMagicOnly,
        ] {
            let frame = decode_push_frame(&encode_msg_frame(1, 42, &batch, compression)).unwrap();
            assert_eq!(frame.log_id, 42);
            assert!(frame.carries_messages());
            let decoded = decode_batch(&frame.payload).unwrap();
            assert!(decoded.need_ack);
            assert_eq!(decoded.internal_ext, "ie-1");
            let LiveEvent::Gift(g) = &decoded.events[0] else {
                panic!("expected a gift, got {:?}", decoded.events)
            };
            assert_eq!(g.msg_id, 1001);
            assert_eq!(g.gift_name, "Rose");
            assert_eq!(g.repeat_count, 3);
            assert!(g.repeat_end && g.streakable);
            assert_eq!(g.user.unique_id, "alice");
        }
    }

    #[test]
    fn a_bad_inner_message_loses_only_itself() {
        let batch = BatchSpec {
            messages: vec![
                MessageSpec::Raw {
                    method: "WebcastGiftMessage".into(),
                    msg_id: 1,
                    payload: vec![0xff, 0xff, 0xff],
                },
                rose(2, 1, false),
                MessageSpec::Raw {
                    method: "WebcastGiftMessage".into(),
                    msg_id: 3,
                    payload: vec![], // decodes, but has no user and no gift
                },
                MessageSpec::Raw {
                    method: "WebcastSomethingNew".into(),
                    msg_id: 4,
                    payload: vec![1, 2, 3],
                },
            ],
            ..Default::default()
        };
        let decoded = decode_batch(&encode_batch(&batch)).unwrap();
        assert_eq!(decoded.messages, 4);
        assert_eq!(decoded.malformed, 2);
        assert_eq!(decoded.events.len(), 1);
        assert_eq!(decoded.events[0].msg_id(), 2);
    }

    #[test]
    fn a_malformed_message_is_a_typed_error_naming_it() {
        let bad = Envelope {
            method: b"WebcastChatMessage",
            payload: &[0xff, 0xff, 0xff],
            msg_id: 41,
        };
        assert!(matches!(
            decode_message(&bad),
            Err(DecodeError::Message { method, msg_id: 41, len: 3, .. }) if method == "WebcastChatMessage"
        ));
        let giftless = Envelope {
            method: b"WebcastGiftMessage",
            msg_id: 42,
            ..Envelope::default()
        };
        let err = decode_message(&giftless).unwrap_err();
        assert!(
            err.to_string().contains("without a user or a gift"),
            "{err}"
        );
        let unknown = Envelope {
            method: b"WebcastSomethingNew",
            payload: &[0xff],
            ..Envelope::default()
        };
        assert_eq!(decode_message(&unknown), Ok(None));
    }

    /// Reproduced on the old decoder: a bad byte in a nickname (a `string` field) lost the gift.
    #[test]
    fn bad_utf8_in_a_nickname_costs_the_text_not_the_credit() {
        let mut gift =
            pb::WebcastGiftMessage::decode(&encode_message(&rose(7, 2, true)).payload[..]).unwrap();
        let user = gift.user.as_mut().unwrap();
        user.nickname = b"Ali\xffce".to_vec();
        user.display_id = b"@al\xfe".to_vec();
        gift.gift.as_mut().unwrap().name = b"Ros\xc3".to_vec();
        let bytes = gift.encode_to_vec();
        let envelope = Envelope {
            method: b"WebcastGiftMessage",
            payload: &bytes,
            msg_id: 7,
        };
        let Ok(Some(LiveEvent::Gift(g))) = decode_message(&envelope) else {
            panic!("the gift was lost")
        };
        assert_eq!(g.user.nickname, "Ali\u{fffd}ce");
        assert_eq!(g.user.unique_id, "al\u{fffd}");
        assert_eq!(g.gift_name, "Ros\u{fffd}");
        assert_eq!((g.repeat_count, g.diamonds), (2, 1));
    }

    #[test]
    fn msg_id_falls_back_to_common() {
        let mut message = encode_message(&rose(77, 1, false));
        message.msg_id = 0;
        let bytes = pb::ProtoMessageFetchResult {
            messages: vec![message],
            ..Default::default()
        }
        .encode_to_vec();
        assert_eq!(decode_batch(&bytes).unwrap().events[0].msg_id(), 77);
    }

    #[test]
    fn control_end_is_decoded() {
        let batch = BatchSpec {
            messages: vec![MessageSpec::Control {
                msg_id: 9,
                action: 3,
            }],
            ..Default::default()
        };
        let decoded = decode_batch(&encode_batch(&batch)).unwrap();
        assert_eq!(
            decoded.events,
            vec![LiveEvent::Control {
                msg_id: 9,
                action: ControlAction::Ended
            }]
        );
    }
}
