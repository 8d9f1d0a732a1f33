//! Decoding a `ProtoMessageFetchResult` (a frame's payload, or the sign server's body) one message
//! at a time: the list of messages is never built, each is decoded from its slice of the payload
//! and dropped, and at most [`MAX_MESSAGES_PER_BATCH`] are decoded, so what a batch costs is
//! bounded by its own bytes, whatever it holds.

use std::collections::HashMap;

use super::DecodeError;
use super::decode::{Envelope, decode_message};
use super::fields::{FieldError, Fields, Value, lossy};
use crate::event::LiveEvent;

/// Messages of one batch past this many are not decoded, only counted as malformed: a real frame
/// holds tens, a hostile one millions of empty messages.
pub const MAX_MESSAGES_PER_BATCH: u32 = 4096;

/// The key byte of `ProtoMessageFetchResult.messages` (field 1, length-delimited).
const MESSAGES_KEY: u8 = 0x0a;

/// A decoded `ProtoMessageFetchResult`: the events it carried plus what the connection needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub events: Vec<LiveEvent>,
    /// Messages in the batch, decoded or not.
    pub messages: u32,
    /// Messages that could not be decoded (bad bytes, no user, no gift) or were past
    /// [`MAX_MESSAGES_PER_BATCH`].
    pub malformed: u32,
    pub cursor: String,
    pub internal_ext: String,
    pub need_ack: bool,
    pub push_server: String,
    pub route_params: HashMap<String, String>,
    pub is_first: bool,
    pub heartbeat_duration_millis: i64,
}

/// Reads one `BaseProtoMessage` in place.
fn read_envelope(bytes: &[u8]) -> Result<Envelope<'_>, FieldError> {
    let mut envelope = Envelope::default();
    let mut fields = Fields::new(bytes);
    while let Some(field) = fields.next_field()? {
        match field {
            (1, Value::Bytes(method)) => envelope.method = method,
            (2, Value::Bytes(payload)) => envelope.payload = payload,
            #[expect(
                clippy::cast_possible_wrap,
                reason = "int64 on the wire is a varint's bits"
            )]
            (3, Value::Varint(id)) => envelope.msg_id = id as i64,
            _ => {}
        }
    }
    Ok(envelope)
}

/// Decodes a `ProtoMessageFetchResult` (a frame's payload, or a sign server's body).
/// A bad inner message loses only itself: it is counted in `malformed` and skipped. Text fields
/// are read forgivingly (a bad byte becomes U+FFFD); only bytes that are not protobuf at all make
/// the batch an error.
pub fn decode_batch(payload: &[u8]) -> Result<Batch, DecodeError> {
    let bad = |err: FieldError| DecodeError::FetchResult {
        len: payload.len(),
        reason: err.to_string(),
    };
    let mut batch = Batch::default();
    let mut fields = Fields::new(payload);
    while let Some(field) = fields.next_field().map_err(bad)? {
        match field {
            (1, Value::Bytes(message)) => {
                batch.take_message(message);
                if batch.messages >= MAX_MESSAGES_PER_BATCH {
                    // Past the cap messages are only counted: skip a run of small ones at once.
                    let skipped = fields.skip_run(MESSAGES_KEY);
                    batch.messages = batch.messages.saturating_add(skipped);
                    batch.malformed = batch.malformed.saturating_add(skipped);
                }
            }
            (2, Value::Bytes(cursor)) => batch.cursor = lossy(cursor),
            (5, Value::Bytes(ext)) => batch.internal_ext = lossy(ext),
            (7, Value::Bytes(entry)) => {
                let (key, value) = map_entry(entry).map_err(bad)?;
                batch.route_params.insert(key, value);
            }
            #[expect(
                clippy::cast_possible_wrap,
                reason = "int64 on the wire is a varint's bits"
            )]
            (8, Value::Varint(millis)) => batch.heartbeat_duration_millis = millis as i64,
            (9, Value::Varint(ack)) => batch.need_ack = ack != 0,
            (10, Value::Bytes(server)) => batch.push_server = lossy(server),
            (11, Value::Varint(first)) => batch.is_first = first != 0,
            _ => {}
        }
    }
    Ok(batch)
}

/// A `map<string, string>` entry: key 1, value 2.
fn map_entry(entry: &[u8]) -> Result<(String, String), FieldError> {
    let (mut key, mut value): (&[u8], &[u8]) = (b"", b"");
    let mut fields = Fields::new(entry);
    while let Some(field) = fields.next_field()? {
        match field {
            (1, Value::Bytes(k)) => key = k,
            (2, Value::Bytes(v)) => value = v,
            _ => {}
        }
    }
    Ok((lossy(key), lossy(value)))
}

impl Batch {
    /// Decodes one message of the batch into an event (or counts it), then forgets its bytes.
    fn take_message(&mut self, bytes: &[u8]) {
        self.messages = self.messages.saturating_add(1);
        if self.messages > MAX_MESSAGES_PER_BATCH {
            self.malformed = self.malformed.saturating_add(1);
            return;
        }
        let decoded = read_envelope(bytes)
            .map_err(|err| DecodeError::Message {
                method: String::new(),
                msg_id: 0,
                len: bytes.len(),
                reason: err.to_string(),
            })
            .and_then(|envelope| decode_message(&envelope));
        match decoded {
            Ok(Some(event)) => self.events.push(event),
            Ok(None) => {}
            Err(err) => {
                // Counted, not fatal: one bad message must not lose the rest of the batch.
                tracing::debug!("skipped a malformed message: {err}");
                self.malformed += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::testkit::frames::{BatchSpec, GiftSpec, MessageSpec, encode_batch, encode_message};
    use crate::wire::pb;

    fn rose(msg_id: i64) -> MessageSpec {
        MessageSpec::Gift(GiftSpec {
            msg_id,
            repeat_end: true,
            ..GiftSpec::default()
        })
    }

    #[test]
    fn batch_fields_are_read() {
        let bytes = pb::ProtoMessageFetchResult {
            messages: vec![encode_message(&rose(1))],
            cursor: "c-1".into(),
            internal_ext: "ie-1".into(),
            route_params: vec![pb::RouteParam {
                key: "wrss".into(),
                value: "w".into(),
            }],
            heartbeat_duration: 10_000,
            need_ack: true,
            push_server: "wss://push.invalid/".into(),
            is_first: true,
            history_comment_cursor: "h".into(),
            ..Default::default()
        }
        .encode_to_vec();
        let batch = decode_batch(&bytes).unwrap();
        assert_eq!(batch.events.len(), 1);
        assert_eq!(
            (batch.cursor.as_str(), batch.internal_ext.as_str()),
            ("c-1", "ie-1")
        );
        assert_eq!(batch.route_params["wrss"], "w");
        assert_eq!(batch.heartbeat_duration_millis, 10_000);
        assert!(batch.need_ack && batch.is_first);
        assert_eq!(batch.push_server, "wss://push.invalid/");
    }

    /// Reproduced on the old decoder: a bad byte in `cursor` or an unread text field failed the
    /// whole batch, and its gift with it.
    #[test]
    fn bad_utf8_in_a_batch_field_costs_the_text_not_the_gifts() {
        let bytes = pb::ProtoMessageFetchResult {
            messages: vec![encode_message(&rose(1)), encode_message(&rose(2))],
            cursor: b"c-\xff".to_vec(),
            internal_ext: b"ie\xc3".to_vec(),
            route_params: vec![pb::RouteParam {
                key: b"k\xfe".to_vec(),
                value: b"v\xfe".to_vec(),
            }],
            push_server: b"wss://\xff/".to_vec(),
            history_comment_cursor: b"\xff\xff".to_vec(),
            ..Default::default()
        }
        .encode_to_vec();
        let batch = decode_batch(&bytes).unwrap();
        let ids: Vec<i64> = batch.events.iter().map(LiveEvent::msg_id).collect();
        assert_eq!(ids, [1, 2]);
        assert_eq!(batch.malformed, 0);
        assert_eq!(batch.cursor, "c-\u{fffd}");
        assert_eq!(batch.internal_ext, "ie\u{fffd}");
        assert_eq!(batch.route_params["k\u{fffd}"], "v\u{fffd}");
    }

    /// Reproduced on the old decoder: 100,000 empty messages were all kept as a list (and 8
    /// million cost 1.4 GB); now only the first 4096 are looked at, the rest counted.
    #[test]
    fn messages_past_the_cap_are_counted_as_malformed() {
        let mut payload = Vec::new();
        for i in 0..3 {
            payload.extend(
                pb::ProtoMessageFetchResult {
                    messages: vec![encode_message(&rose(i + 1))],
                    ..Default::default()
                }
                .encode_to_vec(),
            );
        }
        // 100,000 empty messages (`0a 00` each), then a gift past the cap.
        payload.extend(std::iter::repeat_n([0x0a, 0x00], 100_000).flatten());
        payload.extend(encode_batch(&BatchSpec {
            messages: vec![rose(99)],
            ..Default::default()
        }));
        let batch = decode_batch(&payload).unwrap();
        assert_eq!(batch.messages, 100_004);
        assert_eq!(batch.malformed, 100_004 - MAX_MESSAGES_PER_BATCH);
        let ids: Vec<i64> = batch.events.iter().map(LiveEvent::msg_id).collect();
        assert_eq!(ids, [1, 2, 3], "the gifts before the cap are decoded");
    }

    #[test]
    fn a_bad_envelope_loses_only_itself() {
        let mut payload = encode_batch(&BatchSpec {
            messages: vec![rose(1)],
            ..Default::default()
        });
        // A message whose bytes are a valid length but not a BaseProtoMessage.
        payload.extend_from_slice(&[0x0a, 0x02, 0x0a, 0x05]);
        payload.extend(encode_batch(&BatchSpec {
            messages: vec![rose(2)],
            ..Default::default()
        }));
        let batch = decode_batch(&payload).unwrap();
        assert_eq!(
            (batch.messages, batch.malformed, batch.events.len()),
            (3, 1, 2)
        );
        // Bytes that are not protobuf at all are an error naming the input's length.
        assert!(matches!(
            decode_batch(&[0x0a, 0x09]),
            Err(DecodeError::FetchResult { len: 2, .. })
        ));
    }
}
