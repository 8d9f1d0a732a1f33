//! Euler Stream's managed WebSocket (`wss://ws.eulerstream.com?uniqueId=…&apiKey=…`): Euler
//! connects to TikTok and relays the stream. With `features.rawMessages=true` its binary frames
//! are TikTok's own push frames (decoded by the same [`crate::engine::Pipeline`] entry point as the
//! push socket's); its text frames are JSON bundles (`workerInfo`, `roomInfo`, …). The client sends
//! nothing but WebSocket pings: no enter-room, heartbeat or ack frames. Close codes are typed
//! ([`EulerClose`]), from the provider's public SDK (`ClientCloseCode`).

use serde_json::Value;
use url::Url;

use super::socket::{ConnectError, SocketError};

/// Why the managed WebSocket could not carry the stream.
#[derive(Debug, thiserror::Error)]
pub enum EulerError {
    #[error("Euler's WebSocket needs the streamer's @username, not only a room id")]
    NeedsUsername,
    #[error("Euler's WebSocket needs an API key")]
    NoKey,
    #[error("Euler's WebSocket: {0}")]
    Connect(#[source] ConnectError),
    #[error("Euler's WebSocket closed: {} (code {}{})", close.words(), close.code(),
        if reason.is_empty() { String::new() } else { format!(", {reason:?}") })]
    Closed { close: EulerClose, reason: String },
    #[error("Euler's WebSocket: {0}")]
    Socket(#[source] SocketError),
}

/// A close code of the managed WebSocket (`ClientCloseCode` in `@eulerstream/euler-websocket-sdk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EulerClose {
    /// 1000.
    Normal,
    /// 1011: an error on Euler's side while setting up.
    InternalError,
    /// 4005: the TikTok stream ended.
    StreamEnded,
    /// 4006: no messages within the timeout; Euler assumed the socket dead.
    NoMessages,
    /// 4400: invalid options (such as a bad uniqueId).
    InvalidOptions,
    /// 4401: invalid auth (the API key).
    InvalidAuth,
    /// 4403: the key has no access to this creator.
    NoPermission,
    /// 4404: the streamer is not live.
    NotLive,
    /// 4429: the account has too many connections.
    TooManyConnections,
    /// 4500: TikTok closed Euler's connection unexpectedly.
    TikTokClosed,
    /// 4555: the socket reached its 8-hour lifetime.
    MaxLifetime,
    /// 4556: Euler's `/webcast/fetch` failed.
    WebcastFetchError,
    /// 4557: Euler's `/webcast/room_info` failed.
    RoomInfoFetchError,
    /// Any other code.
    Other(u16),
}

impl EulerClose {
    /// Every named code (for the table test against the SDK).
    pub const NAMED: [Self; 13] = [
        Self::Normal,
        Self::InternalError,
        Self::StreamEnded,
        Self::NoMessages,
        Self::InvalidOptions,
        Self::InvalidAuth,
        Self::NoPermission,
        Self::NotLive,
        Self::TooManyConnections,
        Self::TikTokClosed,
        Self::MaxLifetime,
        Self::WebcastFetchError,
        Self::RoomInfoFetchError,
    ];

    pub fn from_code(code: u16) -> Self {
        Self::NAMED
            .into_iter()
            .find(|c| c.code() == code)
            .unwrap_or(Self::Other(code))
    }

    pub fn code(self) -> u16 {
        match self {
            Self::Normal => 1000,
            Self::InternalError => 1011,
            Self::StreamEnded => 4005,
            Self::NoMessages => 4006,
            Self::InvalidOptions => 4400,
            Self::InvalidAuth => 4401,
            Self::NoPermission => 4403,
            Self::NotLive => 4404,
            Self::TooManyConnections => 4429,
            Self::TikTokClosed => 4500,
            Self::MaxLifetime => 4555,
            Self::WebcastFetchError => 4556,
            Self::RoomInfoFetchError => 4557,
            Self::Other(code) => code,
        }
    }

    /// The SDK's name for the code (`ClientCloseCode`).
    pub fn sdk_name(self) -> Option<&'static str> {
        Some(match self {
            Self::Normal => "NORMAL",
            Self::InternalError => "INTERNAL_SERVER_ERROR",
            Self::StreamEnded => "STREAM_END",
            Self::NoMessages => "NO_MESSAGES_TIMEOUT",
            Self::InvalidOptions => "INVALID_OPTIONS",
            Self::InvalidAuth => "INVALID_AUTH",
            Self::NoPermission => "NO_PERMISSION",
            Self::NotLive => "NOT_LIVE",
            Self::TooManyConnections => "TOO_MANY_CONNECTIONS",
            Self::TikTokClosed => "TIKTOK_CLOSED_CONNECTION",
            Self::MaxLifetime => "MAX_LIFETIME_EXCEEDED",
            Self::WebcastFetchError => "WEBCAST_FETCH_ERROR",
            Self::RoomInfoFetchError => "ROOM_INFO_FETCH_ERROR",
            Self::Other(_) => return None,
        })
    }

    /// A few words for logs and the error chain (the screen's words are in `ui::failure`).
    pub fn words(self) -> &'static str {
        match self {
            Self::Normal => "normal closure",
            Self::InternalError => "internal error on Euler's side",
            Self::StreamEnded => "the stream ended",
            Self::NoMessages => "no messages for too long",
            Self::InvalidOptions => "invalid options",
            Self::InvalidAuth => "the API key was refused",
            Self::NoPermission => "the API key has no access to this creator",
            Self::NotLive => "the streamer is not live",
            Self::TooManyConnections => "too many connections on this account",
            Self::TikTokClosed => "TikTok closed the connection",
            Self::MaxLifetime => "the 8-hour lifetime ran out",
            Self::WebcastFetchError => "Euler could not fetch the stream from TikTok",
            Self::RoomInfoFetchError => "Euler could not fetch the room info from TikTok",
            Self::Other(_) => "unknown close code",
        }
    }
}

/// The managed WebSocket's URL, as the SDK's `createWebSocketUrl` builds it:
/// `{base}?uniqueId=…&apiKey=…&features.rawMessages=true`.
pub fn ws_url(base: &str, unique_id: &str, api_key: &str) -> Result<Url, ConnectError> {
    let bad = |reason: String| ConnectError::BadUrl {
        url: base.to_owned(),
        reason,
    };
    let mut url = Url::parse(base.trim()).map_err(|err| bad(err.to_string()))?;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(bad(format!("scheme {} is not ws or wss", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host".into()));
    }
    url.query_pairs_mut()
        .append_pair("uniqueId", unique_id)
        .append_pair("apiKey", api_key)
        .append_pair("features.rawMessages", "true");
    Ok(url)
}

/// What a text frame said that the session cares about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInfo {
    /// Message types in the bundle, in order (`workerInfo`, `roomInfo`, …), for the log.
    pub types: Vec<String>,
    /// The room id from a `roomInfo` message, when it names one.
    pub room_id: Option<String>,
}

/// Text frames larger than this are not parsed (a room info is a few kilobytes).
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// Reads a text frame `{"timestamp":…,"messages":[{"type":…,"data":…},…]}`. Anything else is
/// `None`: text frames are information only and never stop the stream.
pub fn parse_text(text: &str) -> Option<TextInfo> {
    if text.len() > MAX_TEXT_BYTES {
        return None;
    }
    let json: Value = serde_json::from_str(text).ok()?;
    let messages = json.get("messages")?.as_array()?;
    let mut info = TextInfo::default();
    for message in messages.iter().take(64) {
        let kind = message.get("type").and_then(Value::as_str).unwrap_or("?");
        info.types.push(super::sanitize(kind, 40));
        if kind == "roomInfo" && info.room_id.is_none() {
            info.room_id = room_id_of(message);
        }
    }
    Some(info)
}

/// The room id in a `roomInfo` message: `data.data.raw` is TikTok's `api-live` answer
/// (TikTokLiveJava reads it so), which names it at `data.user.roomId`.
fn room_id_of(message: &Value) -> Option<String> {
    let raw = &message["data"]["data"]["raw"];
    let raw = match raw {
        Value::String(text) => serde_json::from_str::<Value>(text).ok()?,
        other => other.clone(),
    };
    [
        &raw["data"]["user"]["roomId"],
        &raw["data"]["liveRoom"]["id"],
    ]
    .into_iter()
    .find_map(|v| match v {
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Some(s.clone())
        }
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_round_trip() {
        for close in EulerClose::NAMED {
            assert_eq!(EulerClose::from_code(close.code()), close);
            assert!(close.sdk_name().is_some());
        }
        assert_eq!(EulerClose::from_code(4999), EulerClose::Other(4999));
        assert_eq!(EulerClose::from_code(4555), EulerClose::MaxLifetime);
    }

    #[test]
    fn url_has_the_sdk_parameters() {
        let url = ws_url("wss://ws.eulerstream.com", "some user", "k&y").unwrap();
        assert_eq!(
            url.as_str(),
            "wss://ws.eulerstream.com/?uniqueId=some+user&apiKey=k%26y&features.rawMessages=true"
        );
        for bad in ["https://ws.eulerstream.com", "", "ws://"] {
            assert!(ws_url(bad, "u", "k").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn text_frames_give_their_types_and_the_room() {
        let bundle = r#"{"timestamp":1,"messages":[
            {"type":"workerInfo","data":{"agentId":"a1"}},
            {"type":"roomInfo","data":{"data":{"raw":{"data":{"user":{"roomId":"7000000000000000001"}}}}}}]}"#;
        let info = parse_text(bundle).unwrap();
        assert_eq!(info.types, ["workerInfo", "roomInfo"]);
        assert_eq!(info.room_id.as_deref(), Some("7000000000000000001"));
        let raw_as_text = r#"{"messages":[{"type":"roomInfo","data":{"data":{"raw":"{\"data\":{\"user\":{\"roomId\":\"42\"}}}"}}}]}"#;
        assert_eq!(
            parse_text(raw_as_text).unwrap().room_id.as_deref(),
            Some("42")
        );
        assert_eq!(parse_text("not json"), None);
        assert_eq!(parse_text("{\"messages\":3}"), None);
        let hostile = r#"{"messages":[{"type":"roomInfo","data":{"data":{"raw":{"data":{"user":{"roomId":"1; DROP"}}}}}}]}"#;
        assert_eq!(parse_text(hostile).unwrap().room_id, None);
    }
}
