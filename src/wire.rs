//! The TikTok wire format: decodes binary WebSocket messages (`WebcastPushFrame` → `ProtoMessageFetchResult`
//! → events) into our domain types, and encodes the frames a client or a fake server sends.
//! The generated protobuf types live in the private `pb` module and never leave this file.

use std::collections::HashMap;
use std::io::Write;

use prost::Message;

use crate::event::{ControlAction, GiftMessage, Identity, LiveEvent, SocialKind, User};

#[allow(clippy::all, clippy::pedantic, missing_docs)]
mod pb {
    include!(concat!(env!("OUT_DIR"), "/webcast.rs"));
}

/// The gzip magic bytes; a payload that starts with them is gzip even without a `compress_type` header.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Inflated payloads larger than this are refused, so a gzip bomb cannot exhaust memory.
pub const MAX_INFLATED_BYTES: u64 = 16 * 1024 * 1024;

/// Why a frame or message could not be decoded. Each carries enough of the input to find it again.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("not a WebcastPushFrame ({len} bytes): {reason}")]
    Frame { len: usize, reason: String },
    #[error("gzip payload of frame log_id {log_id} is corrupt: {reason}")]
    Gzip { log_id: i64, reason: String },
    #[error("payload of frame log_id {log_id} inflates past {MAX_INFLATED_BYTES} bytes")]
    TooLarge { log_id: i64 },
    #[error("not a ProtoMessageFetchResult ({len} bytes): {reason}")]
    FetchResult { len: usize, reason: String },
}

/// One binary WebSocket message, with its payload already inflated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushFrame {
    pub seq_id: i64,
    pub log_id: i64,
    /// `msg`, `hb`, `ack`, `im_enter_room_resp`, `close`, …
    pub payload_type: String,
    pub payload: Vec<u8>,
}

impl PushFrame {
    /// Frames whose payload is a `ProtoMessageFetchResult` full of events.
    /// `im_enter_room_resp` may carry messages too; dedupe makes decoding it harmless.
    pub fn carries_messages(&self) -> bool {
        self.payload_type == "msg" || self.payload_type == "im_enter_room_resp"
    }
}

/// Decodes a `WebcastPushFrame`, inflating its payload when the `compress_type` header says gzip
/// or the payload starts with the gzip magic bytes. Busy callers keep an [`Inflater`] instead.
pub fn decode_push_frame(bytes: &[u8]) -> Result<PushFrame, DecodeError> {
    let mut inflater = Inflater::new();
    let frame = inflater.decode_frame(bytes)?;
    Ok(PushFrame {
        seq_id: frame.seq_id,
        log_id: frame.log_id,
        payload_type: frame.payload_type,
        payload: frame.payload.to_vec(),
    })
}

/// A push frame whose payload borrows the [`Inflater`]'s buffer.
#[derive(Debug, PartialEq, Eq)]
pub struct FrameRef<'a> {
    pub seq_id: i64,
    pub log_id: i64,
    pub payload_type: String,
    pub payload: &'a [u8],
}

impl FrameRef<'_> {
    /// Frames whose payload is a `ProtoMessageFetchResult` full of events.
    /// `im_enter_room_resp` may carry messages too; dedupe makes decoding it harmless.
    pub fn carries_messages(&self) -> bool {
        self.payload_type == "msg" || self.payload_type == "im_enter_room_resp"
    }
}

/// A reusable frame decoder for one connection or capture. Setting up inflate state and zeroing an
/// output buffer per frame dominated decoding; this keeps both across frames.
pub struct Inflater {
    decompress: flate2::Decompress,
    /// Inflate output; always initialized up to its length, grown on demand, shrunk after a
    /// very large frame.
    buf: Vec<u8>,
    /// An uncompressed payload, kept here so both kinds can be returned as a borrow.
    plain: Vec<u8>,
}

/// Buffers larger than this are released after use instead of kept for the next frame.
const KEEP_BUFFER_BYTES: usize = 1 << 20;

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflater").finish_non_exhaustive()
    }
}

impl Inflater {
    pub fn new() -> Self {
        Self {
            // Raw deflate: the gzip header and trailer are parsed here, see `gunzip`.
            decompress: flate2::Decompress::new(false),
            buf: Vec::new(),
            plain: Vec::new(),
        }
    }

    /// Decodes one binary WebSocket message into a frame whose payload is inflated.
    pub fn decode_frame(&mut self, bytes: &[u8]) -> Result<FrameRef<'_>, DecodeError> {
        let frame = pb::WebcastPushFrame::decode(bytes).map_err(|err| DecodeError::Frame {
            len: bytes.len(),
            reason: err.to_string(),
        })?;
        let header_says_gzip = frame
            .headers
            .iter()
            .any(|h| h.key == "compress_type" && h.value.eq_ignore_ascii_case("gzip"));
        let payload: &[u8] = if header_says_gzip || frame.payload.starts_with(&GZIP_MAGIC) {
            let len = self
                .gunzip(&frame.payload)
                .map_err(|reason| DecodeError::Gzip {
                    log_id: frame.log_id,
                    reason,
                })?
                .ok_or(DecodeError::TooLarge {
                    log_id: frame.log_id,
                })?;
            &self.buf[..len]
        } else {
            self.plain = frame.payload;
            &self.plain
        };
        Ok(FrameRef {
            seq_id: frame.seq_id,
            log_id: frame.log_id,
            payload_type: frame.payload_type,
            payload,
        })
    }

    /// Decodes a WebSocket message down to its batch: `Ok(None)` for frames without events
    /// (heartbeats, acks…). Returns the frame's `log_id` for the ack.
    pub fn decode_message_batch(
        &mut self,
        bytes: &[u8],
    ) -> Result<Option<(i64, Batch)>, DecodeError> {
        let frame = self.decode_frame(bytes)?;
        if !frame.carries_messages() {
            return Ok(None);
        }
        let log_id = frame.log_id;
        decode_batch(frame.payload).map(|batch| Some((log_id, batch)))
    }

    /// Inflates one gzip member into `self.buf`, checking its CRC and length; returns the length.
    /// `Ok(None)` = larger than [`MAX_INFLATED_BYTES`].
    fn gunzip(&mut self, data: &[u8]) -> Result<Option<usize>, String> {
        let body = gzip_body(data)?;
        if self.buf.len() > KEEP_BUFFER_BYTES {
            self.buf = Vec::new();
        }
        self.decompress.reset(false);
        let mut written = 0usize;
        loop {
            if written == self.buf.len() {
                let grown = (self.buf.len() * 2)
                    .max(body.len().saturating_mul(4))
                    .clamp(4096, MAX_INFLATED_BYTES as usize + 1);
                if grown <= self.buf.len() {
                    return Ok(None);
                }
                // Zero-fills only the new part, once: the buffer is kept for later frames.
                self.buf.resize(grown, 0);
            }
            let consumed = usize::try_from(self.decompress.total_in()).unwrap_or(usize::MAX);
            let before = (self.decompress.total_in(), self.decompress.total_out());
            let status = self
                .decompress
                .decompress(
                    body.get(consumed..).unwrap_or_default(),
                    &mut self.buf[written..],
                    flate2::FlushDecompress::None,
                )
                .map_err(|err| err.to_string())?;
            written = usize::try_from(self.decompress.total_out()).unwrap_or(usize::MAX);
            if written as u64 > MAX_INFLATED_BYTES {
                return Ok(None);
            }
            if status == flate2::Status::StreamEnd {
                break;
            }
            let progressed = before != (self.decompress.total_in(), self.decompress.total_out());
            if !progressed && written < self.buf.len() {
                return Err("gzip stream is truncated".to_owned());
            }
        }
        let consumed = usize::try_from(self.decompress.total_in()).unwrap_or(usize::MAX);
        let trailer = body
            .get(consumed..consumed.saturating_add(8))
            .filter(|t| t.len() == 8)
            .ok_or("gzip trailer is missing")?;
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        let mut actual = flate2::Crc::new();
        actual.update(&self.buf[..written]);
        if actual.sum() != crc || size != written as u32 {
            return Err("gzip checksum mismatch".to_owned());
        }
        Ok(Some(written))
    }
}

/// Skips a gzip member header (RFC 1952 §2.3) and returns the deflate data after it.
fn gzip_body(data: &[u8]) -> Result<&[u8], String> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    let truncated = || "gzip header is truncated".to_owned();
    if data.len() < 10 || data[..2] != GZIP_MAGIC {
        return Err("not gzip (bad magic bytes)".to_owned());
    }
    if data[2] != 8 {
        return Err(format!("unknown gzip compression method {}", data[2]));
    }
    let flags = data[3];
    let mut pos = 10usize;
    if flags & FEXTRA != 0 {
        let len = data.get(pos..pos + 2).ok_or_else(truncated)?;
        pos += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = data.get(pos..).ok_or_else(truncated)?;
            pos += rest.iter().position(|&b| b == 0).ok_or_else(truncated)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        pos += 2;
    }
    data.get(pos..).ok_or_else(truncated)
}

/// A decoded `ProtoMessageFetchResult`: the events it carried plus what the connection needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub events: Vec<LiveEvent>,
    /// Messages in the batch, decoded or not.
    pub messages: u32,
    /// Messages of a known method that failed to decode (bad bytes, no user, no gift).
    pub malformed: u32,
    pub cursor: String,
    pub internal_ext: String,
    pub need_ack: bool,
    pub push_server: String,
    pub route_params: HashMap<String, String>,
    pub is_first: bool,
    pub heartbeat_duration_millis: i64,
}

/// Decodes a `ProtoMessageFetchResult` (a frame's payload, or a sign server's body).
/// A bad inner message loses only itself: it is counted in `malformed` and skipped.
pub fn decode_batch(payload: &[u8]) -> Result<Batch, DecodeError> {
    // One copy of the whole payload; every message's bytes are then slices of it (no allocation).
    let buffer = prost::bytes::Bytes::copy_from_slice(payload);
    let result =
        pb::ProtoMessageFetchResult::decode(buffer).map_err(|err| DecodeError::FetchResult {
            len: payload.len(),
            reason: err.to_string(),
        })?;
    let mut batch = Batch {
        events: Vec::with_capacity(result.messages.len()),
        messages: u32::try_from(result.messages.len()).unwrap_or(u32::MAX),
        malformed: 0,
        cursor: result.cursor,
        internal_ext: result.internal_ext,
        need_ack: result.need_ack,
        push_server: result.push_server,
        route_params: result.route_params,
        is_first: result.is_first,
        heartbeat_duration_millis: result.heartbeat_duration,
    };
    for message in &result.messages {
        match decode_message(message) {
            Ok(Some(event)) => batch.events.push(event),
            Ok(None) => {}
            Err(()) => batch.malformed += 1,
        }
    }
    Ok(batch)
}

/// `Ok(None)` for methods we do not use; `Err` for a known method whose payload is bad.
fn decode_message(message: &pb::BaseProtoMessage) -> Result<Option<LiveEvent>, ()> {
    let bytes = &message.payload[..];
    let envelope_id = message.msg_id;
    let msg_id = |common: &Option<pb::CommonMessageData>| {
        if envelope_id != 0 {
            envelope_id
        } else {
            common.as_ref().map_or(0, |c| c.msg_id)
        }
    };
    let event = match &message.method[..] {
        b"WebcastGiftMessage" => {
            let m = pb::WebcastGiftMessage::decode(bytes).map_err(drop)?;
            // A gift message without a user or a gift struct cannot be credited or matched safely.
            let (Some(user), Some(gift)) = (m.user, m.gift) else {
                return Err(());
            };
            let gift_id = if m.gift_id != 0 { m.gift_id } else { gift.id };
            LiveEvent::Gift(GiftMessage {
                msg_id: msg_id(&m.common),
                user: with_identity(to_user(Some(user)), m.user_identity),
                gift_id,
                gift_name: trimmed(gift.name),
                diamonds: u32::try_from(gift.diamond_count).unwrap_or(0),
                streakable: gift.r#type == 1,
                repeat_count: u32::try_from(m.repeat_count).unwrap_or(0),
                repeat_end: m.repeat_end != 0,
                group_id: m.group_id,
                create_time_millis: m.common.as_ref().map_or(0, |c| c.create_time),
                image_url: gift.image.and_then(|i| i.url_list.into_iter().next()),
            })
        }
        b"WebcastChatMessage" => {
            let m = pb::WebcastChatMessage::decode(bytes).map_err(drop)?;
            LiveEvent::Chat {
                msg_id: msg_id(&m.common),
                create_time_millis: create_time(&m.common),
                user: with_identity(to_user(m.user), m.user_identity),
                text: m.content,
            }
        }
        b"WebcastLikeMessage" => {
            let m = pb::WebcastLikeMessage::decode(bytes).map_err(drop)?;
            LiveEvent::Like {
                msg_id: msg_id(&m.common),
                create_time_millis: create_time(&m.common),
                user: to_user(m.user),
                count: u32::try_from(m.count).unwrap_or(0),
                total: m.total,
            }
        }
        b"WebcastSocialMessage" => {
            let m = pb::WebcastSocialMessage::decode(bytes).map_err(drop)?;
            let key = m
                .common
                .as_ref()
                .and_then(|c| c.display_text.as_ref())
                .map_or("", |t| t.key.as_str());
            LiveEvent::Social {
                kind: social_kind(key),
                create_time_millis: create_time(&m.common),
                msg_id: msg_id(&m.common),
                user: to_user(m.user),
            }
        }
        b"WebcastMemberMessage" => {
            let m = pb::WebcastMemberMessage::decode(bytes).map_err(drop)?;
            LiveEvent::Member {
                msg_id: msg_id(&m.common),
                create_time_millis: create_time(&m.common),
                user: to_user(m.user),
                action: m.action,
            }
        }
        b"WebcastControlMessage" => {
            let m = pb::WebcastControlMessage::decode(bytes).map_err(drop)?;
            LiveEvent::Control {
                msg_id: msg_id(&m.common),
                action: ControlAction::from_wire(m.action),
            }
        }
        _ => return Ok(None),
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
        };
    }
    user
}

fn to_user(user: Option<pb::User>) -> User {
    match user {
        Some(u) => User {
            user_id: u.id,
            unique_id: match u.display_id.strip_prefix('@') {
                Some(rest) => rest.to_owned(),
                None => u.display_id,
            },
            nickname: u.nickname,
            identity: Identity::default(),
        },
        None => User::default(),
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

// ---------------------------------------------------------------------------------------------
// Encoding: frames a client sends, and frames our fake server, fixtures and benchmarks send.
// ---------------------------------------------------------------------------------------------

fn frame_bytes(log_id: i64, payload_type: &str, payload: Vec<u8>) -> Vec<u8> {
    pb::WebcastPushFrame {
        log_id,
        payload_encoding: "pb".into(),
        payload_type: payload_type.into(),
        payload,
        ..Default::default()
    }
    .encode_to_vec()
}

/// The `im_enter_room` frame a client sends right after the WebSocket opens.
pub fn encode_enter_room(room_id: i64, enter_unique_id: i64) -> Vec<u8> {
    let enter = pb::WebcastImEnterRoomMessage {
        room_id,
        live_id: 12,
        identity: "audience".into(),
        enter_unique_id,
        filter_welcome_msg: "0".into(),
        ..Default::default()
    };
    frame_bytes(0, "im_enter_room", enter.encode_to_vec())
}

/// A heartbeat (`hb`) frame; `seq` counts up from 1 per connection.
pub fn encode_heartbeat(room_id: i64, seq: i64) -> Vec<u8> {
    let hb = pb::HeartBeatMessage {
        room_id,
        send_packet_seq_id: seq,
    };
    frame_bytes(0, "hb", hb.encode_to_vec())
}

/// The `ack` for a frame whose batch had `need_ack`: echoes its `log_id` and `internal_ext`
/// (`"-"` when empty, as the Python reference client does).
pub fn encode_ack(log_id: i64, internal_ext: &str) -> Vec<u8> {
    let ext = if internal_ext.is_empty() {
        "-"
    } else {
        internal_ext
    };
    frame_bytes(log_id, "ack", ext.as_bytes().to_vec())
}

/// What a client frame was, as a fake server or a test sees it.
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

/// Decodes a frame sent by a client (the fake server's side of [`encode_enter_room`] and friends).
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

/// A gift message to encode (fixtures, the fake backend, the demo stream, benchmarks).
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
                key: key.to_owned(),
                default_pattern: String::new(),
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
                content: text.clone(),
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

fn spec_user(user_id: i64, unique_id: &str, nickname: &str) -> pb::User {
    pb::User {
        id: user_id,
        nickname: nickname.to_owned(),
        display_id: unique_id.to_owned(),
    }
}

fn spec_common(method: &str, msg_id: i64, create_time: i64) -> Option<pb::CommonMessageData> {
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
            name: g.gift_name.clone(),
            diamond_count: g.diamonds,
            r#type: g.gift_type,
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn encode_message(spec: &MessageSpec) -> pb::BaseProtoMessage {
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
                content: text.clone(),
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
                    default_pattern: String::new(),
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
                tips: String::new(),
            }
            .encode_to_vec(),
        ),
        MessageSpec::Event(e) => {
            let (method, payload) = encode_event(e);
            (method, e.msg_id, payload)
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
        cursor: spec.cursor.clone(),
        internal_ext: spec.internal_ext.clone(),
        need_ack: spec.need_ack,
        push_server: spec.push_server.clone(),
        route_params: spec.route_params.clone(),
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

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    enc.write_all(data).expect("gzip into Vec");
    enc.finish().expect("gzip into Vec")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rose(msg_id: i64, rc: i32, end: bool) -> MessageSpec {
        MessageSpec::Gift(GiftSpec {
            msg_id,
            repeat_count: rc,
            repeat_end: end,
            ..GiftSpec::default()
        })
    }

    #[test]
    fn enter_room_bytes_match_the_python_reference_client() {
        // Bytes observed from TikTokLive 7.0.1 for room 7000000000000000001 (protocol.md §1.5).
        let expected: Vec<u8> = [
            0x32, 0x02, 0x70, 0x62, 0x3a, 0x0d, 0x69, 0x6d, 0x5f, 0x65, 0x6e, 0x74, 0x65, 0x72,
            0x5f, 0x72, 0x6f, 0x6f, 0x6d, 0x42, 0x19, 0x08, 0x81, 0x80, 0xf0, 0x9d, 0x99, 0xdd,
            0xbf, 0x92, 0x61, 0x20, 0x0c, 0x2a, 0x08, 0x61, 0x75, 0x64, 0x69, 0x65, 0x6e, 0x63,
            0x65, 0x4a, 0x01, 0x30,
        ]
        .to_vec();
        assert_eq!(encode_enter_room(7_000_000_000_000_000_001, 0), expected);
    }

    #[test]
    fn ack_bytes_match_the_reference_clients() {
        let expected = [
            0x10, 0xa8, 0x46, 0x32, 0x02, 0x70, 0x62, 0x3a, 0x03, 0x61, 0x63, 0x6b, 0x42, 0x04,
            0x69, 0x65, 0x2d, 0x30,
        ];
        assert_eq!(encode_ack(9000, "ie-0"), expected);
    }

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
    fn gzip_with_header_fields_and_a_reused_inflater() {
        let payload = encode_batch(&BatchSpec {
            messages: vec![rose(5, 1, true)],
            ..Default::default()
        });
        let mut builder = flate2::GzBuilder::new()
            .filename("frame.bin")
            .comment("hi")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), flate2::Compression::best());
        builder.write_all(&payload).unwrap();
        let gz = builder.finish().unwrap();
        let mut inflater = Inflater::new();
        for _ in 0..3 {
            let frame = pb::WebcastPushFrame {
                payload_type: "msg".into(),
                payload: gz.clone(),
                ..Default::default()
            }
            .encode_to_vec();
            let decoded = inflater.decode_frame(&frame).unwrap();
            assert_eq!(decoded.payload, payload);
        }
        // A flipped bit in the deflate data or trailer is caught by the checksum or the inflater.
        let mut bad = gz.clone();
        let last = bad.len() - 5;
        bad[last] ^= 0x40;
        assert!(inflater.gunzip(&bad).is_err());
        assert!(inflater.gunzip(&gz[..gz.len() - 3]).is_err());
        assert!(inflater.gunzip(&gz[..12]).is_err());
    }

    #[test]
    fn gzip_bomb_is_refused() {
        let zeros = vec![0u8; (MAX_INFLATED_BYTES + 1024) as usize];
        let frame = encode_server_frame(1, 77, "msg", &zeros, Compression::GzipWithHeader);
        assert!(frame.len() < 1_000_000, "the bomb is small on the wire");
        assert_eq!(
            decode_push_frame(&frame),
            Err(DecodeError::TooLarge { log_id: 77 })
        );
    }

    #[test]
    fn header_says_gzip_but_payload_is_not_is_an_error() {
        let mut bytes = pb::WebcastPushFrame {
            log_id: 5,
            payload_type: "msg".into(),
            headers: vec![pb::PushHeader {
                key: "compress_type".into(),
                value: "gzip".into(),
            }],
            payload: b"plain".to_vec(),
            ..Default::default()
        }
        .encode_to_vec();
        assert!(matches!(
            decode_push_frame(&bytes),
            Err(DecodeError::Gzip { log_id: 5, .. })
        ));
        bytes.truncate(3);
        assert!(decode_push_frame(&bytes).is_err());
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
