//! Webhook actions through the real executor against a local HTTP server: the gift posted as
//! JSON, and each failure (an error status, no answer in time) reported with the URL redacted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/executor_run.rs"]
mod executor_run;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use giftdeck::actions::ExecutorConfig;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use executor_run::*;

#[derive(Clone, Debug, Default)]
struct Seen {
    content_type: String,
    body: String,
}

/// Serves one connection per request: answers `status` (or never answers when `status` is 0).
async fn http_server(status: u16) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head_end, length) = loop {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..pos]).to_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break (pos + 4, length);
                    }
                };
                while buf.len() < head_end + length {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
                let content_type = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-type:"))
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                record.lock().unwrap().push(Seen {
                    content_type,
                    body: String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned(),
                });
                if status == 0 {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                }
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 4\r\nconnection: close\r\n\r\noops"
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn webhooks_post_the_gift_as_json_and_report_failures() {
    let (ok_url, ok_seen) = http_server(200).await;
    let (err_url, _) = http_server(500).await;
    let (slow_url, _) = http_server(0).await;
    let mapping = Mapping::new(
        "Rose",
        vec![
            Action::Webhook {
                url: ok_url.clone(),
                timeout_millis: 5_000,
            },
            Action::Webhook {
                url: err_url,
                timeout_millis: 5_000,
            },
            Action::Webhook {
                url: slow_url,
                timeout_millis: 300,
            },
            Action::Webhook {
                url: "not a url".into(),
                timeout_millis: 300,
            },
        ],
    );
    let mut exec = start(
        ExecutorConfig {
            gap_millis: 0,
            ..ExecutorConfig::default()
        },
        MappingTable::new(vec![mapping.clone()]),
    );
    let started = Instant::now();
    exec.handle.enqueue(&decision(&mapping, 3, "Zoë \"Z\""));
    drained(&exec.handle).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    let seen = ok_seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "one POST per counted gift");
    assert_eq!(seen[0].content_type, "application/json");
    let body: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(body["nickname"], "Zoë \"Z\"");
    assert_eq!(body["unique_id"], "viewer_1");
    assert_eq!(body["gift_name"], "Rose");
    assert_eq!(body["gift_id"], 5655);
    assert_eq!(body["count"], 3);
    assert_eq!(body["diamonds"], 1);
    assert_eq!(body["trigger"], "Rose");
    let status = exec.handle.status();
    assert_eq!((status.done, status.failed), (3, 9));
    let logs = exec.logs();
    assert_eq!(logs[0].1, Ok("HTTP 200".into()));
    let e500 = logs[1].1.as_ref().unwrap_err();
    assert!(e500.contains("HTTP 500") && e500.contains("oops"), "{e500}");
    let timeout = logs[2].1.as_ref().unwrap_err();
    assert!(
        timeout.contains("did not answer within 300 ms"),
        "{timeout}"
    );
    let bad = logs[3].1.as_ref().unwrap_err();
    assert!(bad.contains("not a valid"), "{bad}");
}
