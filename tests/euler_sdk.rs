//! Our fake managed WebSocket is Euler Stream's real format, not our reading of it: Euler's own
//! SDK (`@eulerstream/euler-websocket-sdk`, run under Node) builds the URL, connects, decodes the
//! binary frames with its `deserializeWebSocketMessage` and names the close codes with its
//! `ClientCloseCode`. Our URL builder and our close-code table are checked against the same SDK.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/node.rs"]
mod node;
#[path = "support/real.rs"]
mod real;

use std::process::Command;
use std::time::Duration;

use giftdeck::live::euler_ws::{self, EulerClose};
use giftdeck::testkit::fake::{EulerFake, FakeConfig, FakeTikTok, Scenario, Step};
use giftdeck::testkit::frames::{GiftSpec, MessageSpec};
use serde_json::Value;

const KEY: &str = "sdk-test-key";

/// Connects with the SDK's URL builder, prints every frame decoded by the SDK and the close.
const SCRIPT: &str = r#"
const sdk = require('@eulerstream/euler-websocket-sdk');
const [uniqueId, apiKey] = process.argv.slice(2);
const out = (o) => console.log(JSON.stringify(o));
const codes = {};
for (const [name, code] of Object.entries(sdk.ClientCloseCode)) {
  if (typeof code === 'number') codes[name] = code;
}
out({ codes });
const url = sdk.createWebSocketUrl({ uniqueId, apiKey, features: { rawMessages: true } });
out({ url });
const ws = new WebSocket(url);
ws.binaryType = 'arraybuffer';
ws.onmessage = (event) => {
  if (typeof event.data === 'string') {
    out({ text: JSON.parse(event.data).messages.map((m) => m.type) });
    return;
  }
  const frame = sdk.deserializeWebSocketMessage(new Uint8Array(event.data), sdk.SchemaVersion.v2);
  for (const m of frame.protoMessageFetchResult.messages) {
    const d = m.decodedData ? m.decodedData.data : {};
    out({ type: m.type, msgId: String(m.msgId), giftId: d.giftId, repeatCount: d.repeatCount,
          nickname: d.user ? d.user.nickname : null });
  }
};
ws.onclose = (event) => {
  out({ close: event.code, name: sdk.ClientCloseCode[event.code], reason: event.reason });
  process.exit(0);
};
ws.onerror = () => {};
setTimeout(() => { out({ timeout: true }); process.exit(3); }, 15000);
"#;

fn gift(msg_id: i64, count: i32) -> MessageSpec {
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id: 111,
        unique_id: "alice".into(),
        nickname: "Alice".into(),
        gift_id: 5655,
        gift_name: "Rose".into(),
        diamonds: 1,
        gift_type: 1,
        repeat_count: count,
        repeat_end: true,
        group_id: 7,
        create_time_millis: 0,
    })
}

/// Runs the SDK script against the fake; returns its JSON lines.
async fn run_sdk(fake: &FakeTikTok, user: &str, key: &str) -> Vec<Value> {
    let (node, dir) = node::euler_sdk().expect("checked by the caller");
    let script = dir.join("giftdeck-euler-check.js");
    std::fs::write(&script, SCRIPT).unwrap();
    let mut cmd = Command::new(node);
    cmd.arg("--experimental-websocket")
        .arg("--no-warnings")
        .arg(&script)
        .args([user, key])
        .env("EULER_WS_URL", fake.euler_ws_url())
        .env("NODE_PATH", dir.join("node_modules"));
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "node failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

fn close_of(lines: &[Value]) -> (u64, String) {
    let close = lines.iter().find(|l| l.get("close").is_some()).unwrap();
    (
        close["close"].as_u64().unwrap(),
        close["name"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn euler_s_own_sdk_reads_our_fake_managed_websocket() {
    if node::euler_sdk().is_none() {
        return;
    }
    let fake = FakeTikTok::start(FakeConfig {
        euler: EulerFake {
            api_key: Some(KEY.into()),
            connections: vec![vec![
                Step::Batch(vec![gift(2001, 5)]),
                Step::Sleep(Duration::from_millis(50)),
                Step::Close {
                    code: 4005,
                    reason: "TikTok stream ended".into(),
                },
            ]],
            after: vec![],
        },
        ..FakeConfig::with_scenario(Scenario {
            history: vec![gift(1001, 1)],
            ..Scenario::default()
        })
    })
    .await
    .unwrap();
    let user = fake.unique_id();
    let lines = run_sdk(&fake, &user, KEY).await;

    // The URL: the SDK's builder and ours agree.
    let sdk_url = lines.iter().find_map(|l| l["url"].as_str()).unwrap();
    let ours = euler_ws::ws_url(&fake.euler_ws_url(), &user, KEY).unwrap();
    assert_eq!(sdk_url, ours.as_str());
    // The default base: the SDK writes no slash before the query; the URL is the same.
    let sdk_default =
        url::Url::parse(&sdk_url.replace(&fake.euler_ws_url(), "wss://ws.eulerstream.com"))
            .unwrap();
    let our_default = euler_ws::ws_url("wss://ws.eulerstream.com", &user, KEY).unwrap();
    assert_eq!(sdk_default, our_default);

    // The info bundle, then the history and the scripted gift, decoded by the SDK's own schema.
    let texts: Vec<&Value> = lines.iter().filter(|l| l.get("text").is_some()).collect();
    assert_eq!(texts.len(), 1);
    assert_eq!(
        texts[0]["text"],
        serde_json::json!(["workerInfo", "roomInfo"])
    );
    let gifts: Vec<(String, String, u64, u64, String)> = lines
        .iter()
        .filter(|l| l.get("type").is_some())
        .map(|l| {
            (
                l["type"].as_str().unwrap().to_owned(),
                l["msgId"].as_str().unwrap().to_owned(),
                l["giftId"].as_u64().unwrap(),
                l["repeatCount"].as_u64().unwrap(),
                l["nickname"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        gifts,
        [
            (
                "WebcastGiftMessage".into(),
                "1001".into(),
                5655,
                1,
                "Alice".into()
            ),
            (
                "WebcastGiftMessage".into(),
                "2001".into(),
                5655,
                5,
                "Alice".into()
            ),
        ]
    );
    assert_eq!(close_of(&lines), (4005, "STREAM_END".into()));

    // The close-code table: ours is the SDK's, name for name.
    let codes = lines.iter().find_map(|l| l["codes"].as_object()).unwrap();
    assert_eq!(codes.len(), EulerClose::NAMED.len(), "{codes:?}");
    for close in EulerClose::NAMED {
        let name = close.sdk_name().unwrap();
        assert_eq!(
            codes[name].as_u64(),
            Some(u64::from(close.code())),
            "{name}"
        );
    }

    // Its refusals: a wrong key, a streamer who is not live.
    let wrong = run_sdk(&fake, &user, "not-the-key").await;
    assert_eq!(close_of(&wrong), (4401, "INVALID_AUTH".into()));
    let offline = run_sdk(&fake, "someone_offline", KEY).await;
    assert_eq!(close_of(&offline), (4404, "NOT_LIVE".into()));
}
