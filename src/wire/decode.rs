//! Decoding what TikTok sends: a binary WebSocket message (`WebcastPushFrame`, payload possibly gzip)
//! → its `ProtoMessageFetchResult` → our [`LiveEvent`]s. Never panics on network bytes: a bad frame is
//! a [`DecodeError`], a bad inner message loses only itself. The 2026 kinds (subscriptions, viewers,
//! Super Fans, chests, battles, emotes…) are decoded in `room`.

use std::collections::HashMap;

use prost::Message;

mod room;

pub use room::{SUPER_FAN_BOX_BUSINESS_TYPE, super_fan_moment};

use super::{DecodeError, MAX_INFLATED_BYTES, pb};
use crate::event::{ControlAction, GiftMessage, Identity, LiveEvent, SocialKind, User};

/// The gzip magic bytes; a payload that starts with them is gzip even without a `compress_type` header.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

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
            Err(err) => {
                // Counted, not fatal: one bad message must not lose the rest of the batch.
                tracing::debug!("skipped a malformed message: {err}");
                batch.malformed += 1;
            }
        }
    }
    Ok(batch)
}

/// `Ok(None)` for methods we do not use; `Err` for a known method whose payload is bad.
fn decode_message(message: &pb::BaseProtoMessage) -> Result<Option<LiveEvent>, DecodeError> {
    let bytes = &message.payload[..];
    let envelope_id = message.msg_id;
    let bad = |reason: String| DecodeError::Message {
        method: String::from_utf8_lossy(&message.method).into_owned(),
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
    let event = match &message.method[..] {
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
            let m = pb::WebcastChatMessage::decode(bytes).map_err(undecodable)?;
            if m.content.trim().is_empty() {
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
                text: m.content,
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
                .map_or("", |t| t.key.as_str());
            LiveEvent::Social {
                kind: social_kind(key),
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
            unique_id: match u.display_id.strip_prefix('@') {
                Some(rest) => rest.to_owned(),
                None => u.display_id,
            },
            nickname: u.nickname,
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::testkit::frames::{
        BatchSpec, Compression, GiftSpec, MessageSpec, encode_batch, encode_message,
        encode_msg_frame, encode_server_frame,
    };

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
    fn a_malformed_message_is_a_typed_error_naming_it() {
        let bad = pb::BaseProtoMessage {
            method: prost::bytes::Bytes::from_static(b"WebcastChatMessage"),
            payload: vec![0xff, 0xff, 0xff].into(),
            msg_id: 41,
            ..Default::default()
        };
        assert!(matches!(
            decode_message(&bad),
            Err(DecodeError::Message { method, msg_id: 41, len: 3, .. }) if method == "WebcastChatMessage"
        ));
        let giftless = pb::BaseProtoMessage {
            method: prost::bytes::Bytes::from_static(b"WebcastGiftMessage"),
            msg_id: 42,
            ..Default::default()
        };
        let err = decode_message(&giftless).unwrap_err();
        assert!(
            err.to_string().contains("without a user or a gift"),
            "{err}"
        );
        let unknown = pb::BaseProtoMessage {
            method: prost::bytes::Bytes::from_static(b"WebcastSomethingNew"),
            payload: vec![0xff].into(),
            ..Default::default()
        };
        assert_eq!(decode_message(&unknown), Ok(None));
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
