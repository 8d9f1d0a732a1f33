//! Reading a `WebcastPushFrame` (a binary WebSocket message) in place and inflating its payload: every gzip member of it, each
//! checked against its CRC and length, all of them together under [`MAX_INFLATED_BYTES`]. The
//! [`Inflater`] keeps its inflate state and output buffer across the frames of one connection.

use super::batch::{Batch, decode_batch};
use super::fields::{Fields, Value, lossy};
use super::{DecodeError, MAX_INFLATED_BYTES};

/// The gzip magic bytes; a payload that starts with them is gzip even without a `compress_type` header.
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

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

/// A push frame whose payload borrows the frame's bytes or the [`Inflater`]'s buffer.
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

/// A reusable frame decoder for one connection or capture. Setting up inflate state and an output
/// buffer per frame dominated decoding; this keeps both across frames.
pub struct Inflater {
    decompress: flate2::Decompress,
    /// Inflate output of the current frame; its capacity is kept for the next frame, unless it
    /// grew past [`KEEP_BUFFER_BYTES`].
    buf: Vec<u8>,
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

/// The fields of a push frame giftdeck reads, as slices of the frame.
#[derive(Default)]
struct RawFrame<'a> {
    seq_id: i64,
    log_id: i64,
    payload_type: &'a [u8],
    payload: &'a [u8],
    gzip_header: bool,
}

/// Reads a `WebcastPushFrame` without copying its payload. Text is compared as bytes, so a bad
/// byte in a header or `payload_encoding` costs nothing.
fn read_frame(bytes: &[u8]) -> Result<RawFrame<'_>, DecodeError> {
    let bad = |err: super::fields::FieldError| DecodeError::Frame {
        len: bytes.len(),
        reason: err.to_string(),
    };
    let mut frame = RawFrame::default();
    let mut fields = Fields::new(bytes);
    while let Some(field) = fields.next_field().map_err(bad)? {
        match field {
            #[expect(
                clippy::cast_possible_wrap,
                reason = "int64 on the wire is a varint's bits"
            )]
            (1, Value::Varint(v)) => frame.seq_id = v as i64,
            #[expect(
                clippy::cast_possible_wrap,
                reason = "int64 on the wire is a varint's bits"
            )]
            (2, Value::Varint(v)) => frame.log_id = v as i64,
            (5, Value::Bytes(header)) => frame.gzip_header |= says_gzip(header).map_err(bad)?,
            (7, Value::Bytes(kind)) => frame.payload_type = kind,
            (8, Value::Bytes(payload)) => frame.payload = payload,
            _ => {}
        }
    }
    Ok(frame)
}

/// Whether a `PushHeader` is `compress_type: gzip`.
fn says_gzip(header: &[u8]) -> Result<bool, super::fields::FieldError> {
    let (mut key, mut value): (&[u8], &[u8]) = (b"", b"");
    let mut fields = Fields::new(header);
    while let Some(field) = fields.next_field()? {
        match field {
            (1, Value::Bytes(k)) => key = k,
            (2, Value::Bytes(v)) => value = v,
            _ => {}
        }
    }
    Ok(key == b"compress_type" && value.eq_ignore_ascii_case(b"gzip"))
}

impl Inflater {
    pub fn new() -> Self {
        Self {
            // Raw deflate: the gzip header and trailer are parsed here, see `gunzip`.
            decompress: flate2::Decompress::new(false),
            buf: Vec::new(),
        }
    }

    /// Decodes one binary WebSocket message into a frame whose payload is inflated.
    pub fn decode_frame<'a>(&'a mut self, bytes: &'a [u8]) -> Result<FrameRef<'a>, DecodeError> {
        let frame = read_frame(bytes)?;
        let payload: &[u8] = if frame.gzip_header || frame.payload.starts_with(&GZIP_MAGIC) {
            let len = self
                .gunzip(frame.payload)
                .map_err(|reason| DecodeError::Gzip {
                    log_id: frame.log_id,
                    reason,
                })?
                .ok_or(DecodeError::TooLarge {
                    log_id: frame.log_id,
                })?;
            &self.buf[..len]
        } else {
            frame.payload
        };
        Ok(FrameRef {
            seq_id: frame.seq_id,
            log_id: frame.log_id,
            payload_type: lossy(frame.payload_type),
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

    /// Inflates every gzip member of `data` (RFC 1952 §2.2: members may be concatenated), one after
    /// the other into `self.buf`, checking each one's CRC and length; returns the total length.
    /// `Ok(None)` = larger than [`MAX_INFLATED_BYTES`] in all. Zero padding after a member is
    /// skipped, as Python's `gzip.decompress` does; other trailing bytes are not gzip and ignored.
    pub(crate) fn gunzip(&mut self, data: &[u8]) -> Result<Option<usize>, String> {
        if self.buf.capacity() > KEEP_BUFFER_BYTES {
            self.buf = Vec::new();
        }
        self.buf.clear();
        let mut rest = data;
        let mut hint = size_hint(data);
        loop {
            let body = gzip_body(rest)?;
            let Some(consumed) = self.inflate_member(body, hint)? else {
                return Ok(None);
            };
            hint = 0;
            let after = body.get(consumed..).unwrap_or_default();
            let next = after.iter().position(|&b| b != 0).unwrap_or(after.len());
            rest = &after[next..];
            if !rest.starts_with(&GZIP_MAGIC) {
                return Ok(Some(self.buf.len()));
            }
        }
    }

    /// Inflates one member's deflate data after what `self.buf` holds, and checks its trailer.
    /// Returns how many bytes of `body` it used (trailer included). The buffer is grown without
    /// zero-filling, to `hint` at once when that is plausible, and never past the cap: once it
    /// is full, one more byte of output means the payload is too large.
    fn inflate_member(&mut self, body: &[u8], hint: usize) -> Result<Option<usize>, String> {
        const MAX: usize = MAX_INFLATED_BYTES as usize;
        self.decompress.reset(false);
        let start = self.buf.len();
        loop {
            let consumed = usize::try_from(self.decompress.total_in()).unwrap_or(usize::MAX);
            let input = body.get(consumed..).unwrap_or_default();
            let before = (self.decompress.total_in(), self.decompress.total_out());
            let full = self.buf.len() >= MAX;
            let status = if !full {
                if self.buf.len() == self.buf.capacity() {
                    let grown = (self.buf.capacity() * 2).max(hint).clamp(4096, MAX);
                    self.buf.reserve_exact(grown - self.buf.len());
                }
                self.decompress
                    .decompress_vec(input, &mut self.buf, flate2::FlushDecompress::None)
            } else {
                let mut probe = [0u8; 64];
                self.decompress
                    .decompress(input, &mut probe, flate2::FlushDecompress::None)
            }
            .map_err(|err| err.to_string())?;
            let out = self.decompress.total_out();
            if self.buf.len() > MAX || (full && out > before.1) {
                return Ok(None);
            }
            if status == flate2::Status::StreamEnd {
                break;
            }
            if before == (self.decompress.total_in(), out) {
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
        actual.update(&self.buf[start..]);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "ISIZE is the length modulo 2^32"
        )]
        if actual.sum() != crc || size != (self.buf.len() - start) as u32 {
            return Err("gzip checksum mismatch".to_owned());
        }
        Ok(Some(consumed + 8))
    }
}

/// How much to reserve for inflating `data` at once: the length its last member's trailer
/// claims (`ISIZE`), believed only as far as deflate can expand (at most 1032:1) and the cap,
/// so a lying trailer costs no more than the real data could.
fn size_hint(data: &[u8]) -> usize {
    let claimed = data
        .len()
        .checked_sub(4)
        .and_then(|at| data.get(at..))
        .map_or(0, |t| u32::from_le_bytes([t[0], t[1], t[2], t[3]]));
    usize::try_from(claimed)
        .unwrap_or(usize::MAX)
        .min(data.len().saturating_mul(1032))
        .min(MAX_INFLATED_BYTES as usize)
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use prost::Message;

    use super::*;
    use crate::event::LiveEvent;
    use crate::testkit::frames::{
        BatchSpec, Compression, GiftSpec, MessageSpec, encode_batch, encode_server_frame,
    };
    use crate::wire::pb;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    fn msg_frame(payload: Vec<u8>) -> Vec<u8> {
        pb::WebcastPushFrame {
            log_id: 9,
            payload_type: "msg".into(),
            payload,
            ..Default::default()
        }
        .encode_to_vec()
    }

    fn rose(msg_id: i64) -> MessageSpec {
        MessageSpec::Gift(GiftSpec {
            msg_id,
            repeat_end: true,
            ..GiftSpec::default()
        })
    }

    #[test]
    fn gzip_with_header_fields_and_a_reused_inflater() {
        let payload = encode_batch(&BatchSpec {
            messages: vec![rose(5)],
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
            let frame = msg_frame(gz.clone());
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

    /// Reproduced on the old decoder: only the first member's gift was decoded, nothing counted.
    #[test]
    fn every_gzip_member_of_a_payload_is_read() {
        let first = encode_batch(&BatchSpec {
            messages: vec![rose(1)],
            ..Default::default()
        });
        let second = encode_batch(&BatchSpec {
            messages: vec![rose(2), rose(3)],
            ..Default::default()
        });
        // Concatenated batches are one batch on the wire (protobuf repeated fields concatenate).
        let mut payload = gzip(&first);
        payload.extend_from_slice(&gzip(&second));
        payload.extend_from_slice(&[0, 0, 0]); // zero padding after the last member
        let (_, batch) = Inflater::new()
            .decode_message_batch(&msg_frame(payload))
            .unwrap()
            .unwrap();
        let ids: Vec<i64> = batch.events.iter().map(LiveEvent::msg_id).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!((batch.messages, batch.malformed), (3, 0));
    }

    #[test]
    fn the_inflate_cap_counts_every_member_together() {
        let half = vec![0u8; (MAX_INFLATED_BYTES / 2 + 16) as usize];
        let member = gzip(&half);
        let mut payload = member.clone();
        payload.extend_from_slice(&member);
        assert!(payload.len() < 1_000_000);
        assert_eq!(
            Inflater::new()
                .decode_frame(&msg_frame(payload))
                .map(|_| ()),
            Err(DecodeError::TooLarge { log_id: 9 })
        );
        // A corrupt second member is an error, not a silently shorter payload.
        let mut bad = gzip(b"one");
        let mut second = gzip(b"two");
        let at = second.len() - 6;
        second[at] ^= 0x01;
        bad.extend_from_slice(&second);
        assert!(Inflater::new().gunzip(&bad).is_err());
    }

    #[test]
    fn a_payload_of_exactly_the_cap_inflates_one_byte_more_does_not() {
        let mut inflater = Inflater::new();
        let exact = vec![0u8; MAX_INFLATED_BYTES as usize];
        assert_eq!(inflater.gunzip(&gzip(&exact)), Ok(Some(exact.len())));
        let mut over = exact;
        over.push(0);
        assert_eq!(inflater.gunzip(&gzip(&over)), Ok(None));
        // A trailer lying about the size changes nothing but how much is reserved first.
        let mut lying = gzip(b"small");
        let at = lying.len() - 4;
        lying[at..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            inflater.gunzip(&lying),
            Err("gzip checksum mismatch".to_owned())
        );
        assert_eq!(size_hint(&lying), lying.len() * 1032);
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

    /// Reproduced on the old decoder: a bad byte in a header's or `payload_type`'s text lost the
    /// whole frame.
    #[test]
    fn bad_utf8_in_frame_text_loses_nothing() {
        let batch = encode_batch(&BatchSpec {
            messages: vec![rose(4)],
            ..Default::default()
        });
        let frame = pb::WebcastPushFrame {
            log_id: 6,
            payload_encoding: b"p\xffb".to_vec(),
            payload_type: "msg".into(),
            headers: vec![pb::PushHeader {
                key: b"im-\xfe".to_vec(),
                value: "x".into(),
            }],
            payload: batch,
            ..Default::default()
        }
        .encode_to_vec();
        let (log_id, batch) = Inflater::new()
            .decode_message_batch(&frame)
            .unwrap()
            .unwrap();
        assert_eq!((log_id, batch.events.len()), (6, 1));
    }
}
