//! The fake managed WebSocket, in Euler Stream's format: `?uniqueId=…&apiKey=…&features.…`,
//! a JSON bundle (`workerInfo`, then `roomInfo`) as text, then with `features.rawMessages=true`
//! TikTok's own push frames as binary (the room's history first, as Euler relays its first
//! `webcast/fetch`), and the provider's close codes: 4401 for a wrong key, 4404 for a streamer
//! who is not live, and whatever the script closes with (4005, 4555, 4556…). Checked against
//! Euler's own SDK in `tests/euler_sdk.rs`.

use std::sync::Arc;

use futures_util::SinkExt;
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

use super::http::HttpRequest;
use super::scenario::Step;
use super::ws::{run, upgrade};
use super::{PageMode, Shared, Slot, WsConnection};
use crate::testkit::frames::{self, BatchSpec, Compression};

/// Where the fake serves the managed WebSocket.
pub const EULER_WS_PATH: &str = "/euler-ws";

/// How the fake managed WebSocket behaves.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EulerFake {
    /// The only `apiKey` it accepts (others get 4401). `None`: any key, but one is needed.
    pub api_key: Option<String>,
    /// Connection `i` plays `connections[i]` after the info bundle and the history frame.
    pub connections: Vec<Vec<Step>>,
    /// Script for connections beyond `connections` (empty: stay open and silent).
    pub after: Vec<Step>,
}

pub(super) async fn serve(
    stream: TcpStream,
    request: HttpRequest,
    leftover: Vec<u8>,
    shared: Arc<Shared>,
) {
    let (slot, script, verdict, room_id, history) = shared.record(|s| {
        let script_index = s.recorded.euler.iter().filter(|c| c.accepted).count();
        s.recorded.euler.push(WsConnection {
            request: request.clone(),
            ..WsConnection::default()
        });
        let c = &s.config;
        let user = request
            .query("uniqueId")
            .unwrap_or_default()
            .trim()
            .trim_start_matches('@');
        let key = request.query("apiKey").unwrap_or_default();
        let key_ok = !key.is_empty() && c.euler.api_key.as_deref().is_none_or(|k| k == key);
        let live = user == c.unique_id && c.alive && c.page != PageMode::Offline;
        let verdict = if !key_ok {
            Some((4401, "Invalid auth"))
        } else if !live {
            Some((4404, "Streamer is not live"))
        } else {
            None
        };
        let script = c
            .euler
            .connections
            .get(script_index)
            .unwrap_or(&c.euler.after)
            .clone();
        let raw = request.query("features.rawMessages") == Some("true");
        let history = raw.then(|| c.scenario.history.clone());
        let slot = Slot {
            euler: true,
            index: s.recorded.euler.len() - 1,
        };
        (slot, script, verdict, c.room_id.clone(), history)
    });
    let Some((stream, subprotocol)) = upgrade(stream, &request, Vec::new()).await else {
        shared.record(|s| s.recorded.slot_mut(slot).ended = true);
        return;
    };
    shared.record(|s| {
        let connection = s.recorded.slot_mut(slot);
        connection.accepted = true;
        connection.subprotocol = subprotocol;
    });
    let mut ws = WebSocketStream::from_partially_read(stream, leftover, Role::Server, None).await;
    // Euler accepts the upgrade, then closes with its code.
    if let Some((code, reason)) = verdict {
        let frame = CloseFrame {
            code: code.into(),
            reason: reason.into(),
        };
        let _ = ws.send(Message::Close(Some(frame))).await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), ws.close(None)).await;
        shared.record(|s| s.recorded.slot_mut(slot).ended = true);
        return;
    }
    if ws
        .send(Message::Text(info_bundle(&room_id).into()))
        .await
        .is_err()
    {
        shared.record(|s| s.recorded.slot_mut(slot).ended = true);
        return;
    }
    if let Some(history) = history.filter(|h| !h.is_empty()) {
        let payload = frames::encode_batch(&BatchSpec {
            messages: history,
            cursor: "c-euler-first".into(),
            internal_ext: "ie-euler-first".into(),
            ..BatchSpec::default()
        });
        let frame = frames::encode_server_frame(1, 1, "msg", &payload, Compression::None);
        if ws.send(Message::Binary(frame.into())).await.is_err() {
            shared.record(|s| s.recorded.slot_mut(slot).ended = true);
            return;
        }
    }
    // Raw frames are relayed as TikTok sent them, not gzipped (the SDK's deserializer takes both).
    run(ws, script, &shared, slot, Compression::None).await;
}

/// The first text frame: the worker that serves us, then the room (TikTok's `api-live` answer
/// at `data.data.raw`, as TikTokLiveJava reads it).
fn info_bundle(room_id: &str) -> String {
    json!({
        "timestamp": 1_800_000_000_000u64,
        "messages": [
            {"type": "workerInfo", "data": {"agentId": "fake-agent-1", "region": "fake"}},
            {"type": "roomInfo", "data": {"data": {"raw": {
                "statusCode": 0,
                "data": {"user": {"roomId": room_id, "status": 2}, "liveRoom": {"status": 2}}
            }}}}
        ]
    })
    .to_string()
}
