//! Fixture encoders: the frames a TikTok server sends (gifts, chat, likes, follows, control messages,
//! batches, push frames with or without gzip), and the decoder for what a client sends, as the fake
//! server sees it. Used by the fake TikTok, tests, benchmarks and the demo stream.

use std::collections::HashMap;
use std::io::Write;

use prost::Message;

use crate::wire::{DecodeError, decode_push_frame, pb};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientFrame {
    EnterRoom {
        room_id: i64,
        live_id: i64,
        identity: String,
    },
    Heartbeat {
        room_id: i64,
        seq: i64,
    },
    Ack {
        log_id: i64,
        internal_ext: String,
    },
    Other {
        payload_type: String,
    },
}

/// Decodes a frame sent by a client (the fake server's side of [`crate::wire::encode_enter_room`] and friends).
pub fn decode_client_frame(bytes: &[u8]) -> Result<ClientFrame, DecodeError> {
    let frame = decode_push_frame(bytes)?;
    let bad = |err: prost::DecodeError| DecodeError::FetchResult {
        len: frame.payload.len(),
        reason: err.to_string(),
    };
    Ok(match frame.payload_type.as_str() {
        "im_enter_room" => {
            let m = pb::WebcastImEnterRoomMessage::decode(frame.payload.as_slice()).map_err(bad)?;
            ClientFrame::EnterRoom {
                room_id: m.room_id,
                live_id: m.live_id,
                identity: m.identity,
            }
        }
        "hb" => {
            let m = pb::HeartBeatMessage::decode(frame.payload.as_slice()).map_err(bad)?;
            ClientFrame::Heartbeat {
                room_id: m.room_id,
                seq: m.send_packet_seq_id,
            }
        }
        "ack" => ClientFrame::Ack {
            log_id: frame.log_id,
            internal_ext: String::from_utf8_lossy(&frame.payload).into_owned(),
        },
        other => ClientFrame::Other {
            payload_type: other.to_owned(),
        },
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftSpec {
    pub msg_id: i64,
    pub user_id: i64,
    pub unique_id: String,
    pub nickname: String,
    pub gift_id: i64,
    pub gift_name: String,
    pub diamonds: i32,
    /// 1 = streakable; 2 (and others) = sent once.
    pub gift_type: i32,
    pub repeat_count: i32,
    pub repeat_end: bool,
    pub group_id: i64,
    pub create_time_millis: i64,
}

impl Default for GiftSpec {
    fn default() -> Self {
        Self {
            msg_id: 1,
            user_id: 111,
            unique_id: "alice".into(),
            nickname: "Alice".into(),
            gift_id: 5655,
            gift_name: "Rose".into(),
            diamonds: 1,
            gift_type: 1,
            repeat_count: 1,
            repeat_end: false,
            group_id: 9001,
            create_time_millis: 0,
        }
    }
}

/// One message inside a batch to encode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageSpec {
    Gift(GiftSpec),
    Chat {
        msg_id: i64,
        user_id: i64,
        unique_id: String,
        nickname: String,
        text: String,
    },
    Like {
        msg_id: i64,
        user_id: i64,
        unique_id: String,
        count: i32,
        total: i64,
    },
    Follow {
        msg_id: i64,
        user_id: i64,
        unique_id: String,
    },
    Control {
        msg_id: i64,
        action: i32,
    },
    /// Any non-gift event with every field a trigger reads (share, join, subscribe, identity…).
    Event(EventSpec),
    /// One of the 2026 kinds (subscriptions, viewers, Super Fans, chests, battles…).
    Room {
        msg_id: i64,
        create_time_millis: i64,
        spec: super::room_frames::RoomSpec,
    },
    /// Arbitrary bytes under a method name: lets tests send malformed inner messages.
    Raw {
        method: String,
        msg_id: i64,
        payload: Vec<u8>,
    },
}

/// What a non-gift [`EventSpec`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventSpecKind {
    Follow,
    Share,
    Join,
    Subscribe,
    Like { count: i32, total: i64 },
    Chat { text: String },
}

/// A non-gift message to encode (fixtures, the fake backend, the demo stream, benchmarks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSpec {
    pub msg_id: i64,
    pub user_id: i64,
    pub unique_id: String,
    pub nickname: String,
    pub create_time_millis: i64,
    pub kind: EventSpecKind,
    /// `user_identity` flags; TikTok sends them with chat (and gifts) only, so only chat encodes them.
    pub follower: bool,
    pub subscriber: bool,
    pub moderator: bool,
}

impl EventSpec {
    pub fn new(msg_id: i64, user_id: i64, unique_id: &str, kind: EventSpecKind) -> Self {
        Self {
            msg_id,
            user_id,
            unique_id: unique_id.to_owned(),
            nickname: unique_id.to_owned(),
            create_time_millis: 0,
            kind,
            follower: false,
            subscriber: false,
            moderator: false,
        }
    }
}

fn encode_event(e: &EventSpec) -> (&'static str, Vec<u8>) {
    let user = Some(spec_user(e.user_id, &e.unique_id, &e.nickname));
    let social = |key: &str, method: &'static str| {
        let mut common = spec_common(method, e.msg_id, e.create_time_millis);
        if let Some(c) = common.as_mut() {
            c.display_text = Some(pb::Text {
                key: key.into(),
                default_pattern: Vec::new(),
            });
        }
        common
    };
    match &e.kind {
        EventSpecKind::Follow | EventSpecKind::Share => {
            let follow = e.kind == EventSpecKind::Follow;
            let key = if follow {
                "pm_main_follow_message_viewer_2"
            } else {
                "pm_mt_guidance_share"
            };
            let m = pb::WebcastSocialMessage {
                common: social(key, "WebcastSocialMessage"),
                user,
                action: if follow { 1 } else { 3 },
                ..Default::default()
            };
            ("WebcastSocialMessage", m.encode_to_vec())
        }
        EventSpecKind::Join | EventSpecKind::Subscribe => {
            let m = pb::WebcastMemberMessage {
                common: spec_common("WebcastMemberMessage", e.msg_id, e.create_time_millis),
                user,
                member_count: 0,
                action: if e.kind == EventSpecKind::Join {
                    crate::event::MEMBER_JOINED
                } else {
                    crate::event::MEMBER_SUBSCRIBED
                },
            };
            ("WebcastMemberMessage", m.encode_to_vec())
        }
        EventSpecKind::Like { count, total } => {
            let m = pb::WebcastLikeMessage {
                common: spec_common("WebcastLikeMessage", e.msg_id, e.create_time_millis),
                count: *count,
                total: *total,
                user,
            };
            ("WebcastLikeMessage", m.encode_to_vec())
        }
        EventSpecKind::Chat { text } => {
            let identity = (e.follower || e.subscriber || e.moderator).then(|| pb::UserIdentity {
                is_follower_of_anchor: e.follower,
                is_subscriber_of_anchor: e.subscriber,
                is_moderator_of_anchor: e.moderator,
                ..Default::default()
            });
            let m = pb::WebcastChatMessage {
                common: spec_common("WebcastChatMessage", e.msg_id, e.create_time_millis),
                user,
                content: text.clone().into(),
                user_identity: identity,
            };
            ("WebcastChatMessage", m.encode_to_vec())
        }
    }
}

/// Batch-level fields to encode around the messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchSpec {
    pub messages: Vec<MessageSpec>,
    pub cursor: String,
    pub internal_ext: String,
    pub need_ack: bool,
    pub push_server: String,
    pub route_params: HashMap<String, String>,
    pub is_first: bool,
    pub heartbeat_duration_millis: i64,
}

pub(crate) fn spec_user(user_id: i64, unique_id: &str, nickname: &str) -> pb::User {
    pb::User {
        id: user_id,
        nickname: nickname.into(),
        display_id: unique_id.into(),
        ..Default::default()
    }
}

pub(crate) fn spec_common(
    method: &str,
    msg_id: i64,
    create_time: i64,
) -> Option<pb::CommonMessageData> {
    Some(pb::CommonMessageData {
        method: prost::bytes::Bytes::copy_from_slice(method.as_bytes()),
        msg_id,
        create_time,
        ..Default::default()
    })
}

/// Encodes one gift message's payload (without the envelope).
pub fn encode_gift_message(g: &GiftSpec) -> Vec<u8> {
    pb::WebcastGiftMessage {
        common: spec_common("WebcastGiftMessage", g.msg_id, g.create_time_millis),
        gift_id: g.gift_id,
        repeat_count: g.repeat_count,
        combo_count: g.repeat_count,
        user: Some(spec_user(g.user_id, &g.unique_id, &g.nickname)),
        repeat_end: i32::from(g.repeat_end),
        group_id: g.group_id,
        gift: Some(pb::Gift {
            id: g.gift_id,
            name: g.gift_name.clone().into(),
            diamond_count: g.diamonds,
            r#type: g.gift_type,
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

pub(crate) fn encode_message(spec: &MessageSpec) -> pb::BaseProtoMessage {
    let (method, msg_id, payload) = match spec {
        MessageSpec::Gift(g) => ("WebcastGiftMessage", g.msg_id, encode_gift_message(g)),
        MessageSpec::Chat {
            msg_id,
            user_id,
            unique_id,
            nickname,
            text,
        } => (
            "WebcastChatMessage",
            *msg_id,
            pb::WebcastChatMessage {
                common: spec_common("WebcastChatMessage", *msg_id, 0),
                user: Some(spec_user(*user_id, unique_id, nickname)),
                content: text.clone().into(),
                user_identity: None,
            }
            .encode_to_vec(),
        ),
        MessageSpec::Like {
            msg_id,
            user_id,
            unique_id,
            count,
            total,
        } => (
            "WebcastLikeMessage",
            *msg_id,
            pb::WebcastLikeMessage {
                common: spec_common("WebcastLikeMessage", *msg_id, 0),
                count: *count,
                total: *total,
                user: Some(spec_user(*user_id, unique_id, unique_id)),
            }
            .encode_to_vec(),
        ),
        MessageSpec::Follow {
            msg_id,
            user_id,
            unique_id,
        } => {
            let mut common = spec_common("WebcastSocialMessage", *msg_id, 0);
            if let Some(c) = common.as_mut() {
                c.display_text = Some(pb::Text {
                    key: "pm_main_follow_message_viewer_2".into(),
                    default_pattern: Vec::new(),
                });
            }
            (
                "WebcastSocialMessage",
                *msg_id,
                pb::WebcastSocialMessage {
                    common,
                    user: Some(spec_user(*user_id, unique_id, unique_id)),
                    action: 1,
                    ..Default::default()
                }
                .encode_to_vec(),
            )
        }
        MessageSpec::Control { msg_id, action } => (
            "WebcastControlMessage",
            *msg_id,
            pb::WebcastControlMessage {
                common: spec_common("WebcastControlMessage", *msg_id, 0),
                action: *action,
                tips: Vec::new(),
            }
            .encode_to_vec(),
        ),
        MessageSpec::Event(e) => {
            let (method, payload) = encode_event(e);
            (method, e.msg_id, payload)
        }
        MessageSpec::Room {
            msg_id,
            create_time_millis,
            spec,
        } => {
            let (method, payload) =
                super::room_frames::encode_room(spec, *msg_id, *create_time_millis);
            (method, *msg_id, payload)
        }
        MessageSpec::Raw {
            method,
            msg_id,
            payload,
        } => (method.as_str(), *msg_id, payload.clone()),
    };
    pb::BaseProtoMessage {
        method: prost::bytes::Bytes::copy_from_slice(method.as_bytes()),
        payload: payload.into(),
        msg_id,
        ..Default::default()
    }
}

/// Encodes a `ProtoMessageFetchResult` (a frame payload, or a sign server body).
pub fn encode_batch(spec: &BatchSpec) -> Vec<u8> {
    pb::ProtoMessageFetchResult {
        messages: spec.messages.iter().map(encode_message).collect(),
        cursor: spec.cursor.clone().into(),
        internal_ext: spec.internal_ext.clone().into(),
        need_ack: spec.need_ack,
        push_server: spec.push_server.clone().into(),
        route_params: spec
            .route_params
            .iter()
            .map(|(key, value)| pb::RouteParam {
                key: key.clone().into(),
                value: value.clone().into(),
            })
            .collect(),
        is_first: spec.is_first,
        heartbeat_duration: spec.heartbeat_duration_millis,
        ..Default::default()
    }
    .encode_to_vec()
}

/// How a server frame's payload is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    /// gzip with the `compress_type: gzip` header, as TikTok sends it.
    GzipWithHeader,
    /// gzip without the header: only the magic bytes tell.
    GzipMagicOnly,
}

/// Wraps a payload in a server `WebcastPushFrame`.
pub fn encode_server_frame(
    seq_id: i64,
    log_id: i64,
    payload_type: &str,
    payload: &[u8],
    compression: Compression,
) -> Vec<u8> {
    let (payload, headers) = match compression {
        Compression::None => (payload.to_vec(), vec![]),
        Compression::GzipWithHeader => (
            gzip(payload),
            vec![pb::PushHeader {
                key: "compress_type".into(),
                value: "gzip".into(),
            }],
        ),
        Compression::GzipMagicOnly => (gzip(payload), vec![]),
    };
    pb::WebcastPushFrame {
        seq_id,
        log_id,
        headers,
        payload_encoding: "pb".into(),
        payload_type: payload_type.into(),
        payload,
        ..Default::default()
    }
    .encode_to_vec()
}

/// A `msg` frame carrying a batch.
pub fn encode_msg_frame(
    seq_id: i64,
    log_id: i64,
    batch: &BatchSpec,
    compression: Compression,
) -> Vec<u8> {
    encode_server_frame(seq_id, log_id, "msg", &encode_batch(batch), compression)
}

#[expect(clippy::expect_used, reason = "writing into a Vec cannot fail")]
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip into Vec");
    enc.finish().expect("gzip into Vec")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::encode_heartbeat;

    #[test]
    fn heartbeat_round_trips() {
        let bytes = encode_heartbeat(42, 7);
        assert_eq!(
            decode_client_frame(&bytes).unwrap(),
            ClientFrame::Heartbeat {
                room_id: 42,
                seq: 7
            }
        );
    }
}
