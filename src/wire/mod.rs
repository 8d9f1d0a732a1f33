//! The TikTok wire format, split by direction: what TikTok sends (binary WebSocket messages:
//! `WebcastPushFrame` → `ProtoMessageFetchResult` → events) is read in layers, [`inflate`] (the
//! frame and its gzip), [`batch`] (the batch, one message at a time) and [`decode`] (each message
//! into our domain types); [`client`] encodes the frames a client sends (enter-room, ack, heartbeat). The frames a server sends
//! are encoded only by the fake TikTok, in `crate::testkit::frames`. The generated protobuf types live
//! in `pb`, which never leaves the crate.

pub mod batch;
pub mod client;
pub mod decode;
mod fields;
pub mod inflate;

use prost::Message;

pub use batch::{Batch, MAX_MESSAGES_PER_BATCH, decode_batch};
pub use client::{encode_ack, encode_enter_room, encode_heartbeat};
pub use inflate::{FrameRef, Inflater, PushFrame, decode_push_frame};

/// The protobuf types generated from `proto/` at build time; crate-private so that only `wire` and the
/// test machinery in `testkit` see TikTok's schema.
pub(crate) mod pb {
    #![allow(
        clippy::all,
        clippy::pedantic,
        missing_docs,
        unreachable_pub,
        reason = "prost's generated code: not ours to change, and which lints fire depends on the prost version"
    )]
    include!(concat!(env!("OUT_DIR"), "/webcast.rs"));
}

/// Inflated payloads larger than this (all gzip members together) are refused, so a gzip bomb
/// cannot exhaust memory.
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
    #[error("{method} message {msg_id} ({len} bytes) is malformed: {reason}")]
    Message {
        method: String,
        msg_id: i64,
        len: usize,
        reason: String,
    },
}

/// An uncompressed push frame around `payload`, as both directions frame it.
pub(crate) fn frame_bytes(log_id: i64, payload_type: &str, payload: Vec<u8>) -> Vec<u8> {
    pb::WebcastPushFrame {
        log_id,
        payload_encoding: "pb".into(),
        payload_type: payload_type.into(),
        payload,
        ..Default::default()
    }
    .encode_to_vec()
}

/// Wraps a raw `ProtoMessageFetchResult` (the sign server's initial batch) as an uncompressed `msg`
/// frame, the way a capture stores it, so `replay` reads it like any frame TikTok pushed.
pub fn encode_batch_as_msg_frame(batch: &[u8]) -> Vec<u8> {
    frame_bytes(0, "msg", batch.to_vec())
}
