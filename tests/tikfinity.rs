//! The TikFinity-compatible events server for real: a capture replayed through giftdeck's
//! pipeline into the server, read by a WebSocket client on loopback. Every message has
//! TikFinity's envelope and types; a client on a foreign `Host` is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::time::Duration;

use futures_util::StreamExt as _;
use giftdeck::capture::CaptureReader;
use giftdeck::mappings::MappingTable;
use giftdeck::tikfinity::TikfinityServer;
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

async fn connect(
    port: u16,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    ws
}

async fn next_json<S>(ws: &mut S) -> Value
where
    S: futures_util::Stream<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
{
    let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .expect("no message within 10 s")
        .unwrap()
        .unwrap();
    serde_json::from_str(message.to_text().unwrap()).unwrap()
}

/// Replays a capture file into the server's feed.
fn replay_into(server: &TikfinityServer, capture: &str) {
    let reader =
        CaptureReader::open(std::path::Path::new(&format!("tests/data/{capture}"))).unwrap();
    let feed = server.feed();
    giftdeck::replay::replay_outputs(reader, MappingTable::default(), |output| {
        feed.deliver(&output.output, i64::try_from(output.at_millis).unwrap());
        Ok(())
    })
    .unwrap();
}

#[tokio::test]
async fn a_replayed_stream_arrives_in_tikfinitys_shape() {
    let server = TikfinityServer::start(0).await.unwrap();
    let mut ws = connect(server.port()).await;
    assert_eq!(next_json(&mut ws).await["event"], "config");
    // The client is registered once `config` arrived.
    assert_eq!(server.feed().clients(), 1);
    replay_into(&server, "every_kind.bin");
    replay_into(&server, "streak.bin");
    let mut seen = Vec::new();
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_millis(500), ws.next()).await
    {
        seen.push(serde_json::from_str::<Value>(message.to_text().unwrap()).unwrap());
    }
    let names: Vec<&str> = seen.iter().filter_map(|v| v["event"].as_str()).collect();
    for expected in [
        "chat",
        "like",
        "follow",
        "share",
        "member",
        "gift",
        "giftdeckCredit",
    ] {
        assert!(names.contains(&expected), "no {expected} in {names:?}");
    }
    for value in &seen {
        let data = &value["data"];
        assert!(value["event"].is_string() && data.is_object(), "{value}");
        if value["event"] == "streamEnd" {
            continue;
        }
        assert!(
            data["userId"].is_string(),
            "userId must be a string: {value}"
        );
        assert!(
            data["uniqueId"].is_string() && data["nickname"].is_string(),
            "{value}"
        );
        assert!(data["msgId"].is_string(), "{value}");
        if value["event"] == "gift" {
            assert!(data["giftId"].is_u64(), "giftId must be a number: {value}");
            assert!(
                data["repeatEnd"].is_boolean(),
                "repeatEnd must be a boolean: {value}"
            );
            assert!(
                data["giftType"].is_u64() && data["repeatCount"].is_u64(),
                "{value}"
            );
        }
    }
    // A consumer that skips `giftType == 1 && !repeatEnd` counts each credited gift once: the
    // gifts it keeps add up to giftdeck's own credits.
    let kept: u64 = seen
        .iter()
        .filter(|v| v["event"] == "gift")
        .filter(|v| !(v["data"]["giftType"] == 1 && v["data"]["repeatEnd"] == false))
        .map(|v| v["data"]["repeatCount"].as_u64().unwrap())
        .sum();
    let credited: u64 = seen
        .iter()
        .filter(|v| v["event"] == "giftdeckCredit")
        .map(|v| v["data"]["count"].as_u64().unwrap())
        .sum();
    assert!(credited > 0);
    assert_eq!(kept, credited);
    server.stop().await;
}

#[tokio::test]
async fn a_foreign_host_is_refused() {
    let server = TikfinityServer::start(0).await.unwrap();
    let mut request = format!("ws://127.0.0.1:{}/", server.port())
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("host", "evil.example:21213".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(request).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("expected a 403, got {:?}", other.map(|(_, r)| r.status())),
    }
    // localhost is fine.
    let mut request = format!("ws://127.0.0.1:{}/", server.port())
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "host",
        format!("localhost:{}", server.port()).parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(next_json(&mut ws).await["event"], "config");
}

/// A public TikFinity consumer run as it is: PearConnect-Song-Requests' TikFinity client
/// (`src/platforms/tikfinity-ws.js`, strict about types: it rejects a numeric `userId` or `msgId`)
/// turns `!sr …` chat into song requests. It is published on GitHub only, not on npm, so it cannot
/// be installed in CI: run it with `cargo test --test tikfinity -- --ignored` where
/// `GIFTDECK_TIKFINITY_CONSUMER` names a folder holding its `src/` (with `ws` installed) and a small
/// `drive.mjs` that starts `startTikfinitySocket` with a queue printing each request as a JSON line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PearConnect's client is on GitHub only, not npm: set GIFTDECK_TIKFINITY_CONSUMER, run with --ignored"]
async fn pearconnect_reads_song_requests_from_giftdeck() {
    use giftdeck::engine::Output;
    use giftdeck::event::{LiveEvent, User};
    let folder = std::env::var_os("GIFTDECK_TIKFINITY_CONSUMER")
        .expect("set GIFTDECK_TIKFINITY_CONSUMER to a folder with PearConnect's client");
    let server = TikfinityServer::start(0).await.unwrap();
    let node = std::process::Command::new("node")
        .arg("drive.mjs")
        .arg(format!("ws://127.0.0.1:{}/", server.port()))
        .arg("4000")
        .current_dir(&folder)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let feed = server.feed();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while feed.clients() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "PearConnect never connected"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let chat = |msg_id: i64, text: &str| {
        Output::Event(LiveEvent::Chat {
            msg_id,
            user: User {
                user_id: 6_506_646_277_295_882_242,
                unique_id: "gu12246".into(),
                nickname: "Shîñ".into(),
                ..User::default()
            },
            text: text.into(),
            create_time_millis: 1_700_000_000_000,
        })
    };
    // Give its `open` handler a moment of the event loop after the handshake.
    tokio::time::sleep(Duration::from_millis(200)).await;
    feed.deliver(&chat(1, "hello there"), 0);
    feed.deliver(&chat(2, "!sr Björk  \"Jóga\" 🦊"), 0);
    // The same message again (a reconnect replay): PearConnect drops it by msgId.
    feed.deliver(&chat(2, "!sr Björk  \"Jóga\" 🦊"), 0);
    replay_into(&server, "streak.bin");
    let output = tokio::task::spawn_blocking(move || node.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let requests: Vec<&Value> = lines.iter().filter_map(|l| l.get("request")).collect();
    assert_eq!(requests.len(), 1, "{lines:?}");
    assert_eq!(requests[0]["user"], "gu12246");
    assert_eq!(requests[0]["userId"], "6506646277295882242");
    assert_eq!(requests[0]["query"], "Björk  \"Jóga\" 🦊");
    let last = lines.iter().find_map(|l| l.get("final")).unwrap();
    assert_eq!(
        last["invalidEvents"], 0,
        "PearConnect rejected some of giftdeck's messages: {last}"
    );
    assert_eq!(last["state"], "chat_received");
}
