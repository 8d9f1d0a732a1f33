//! The external trigger endpoint for real, on loopback: the documented curl line fires a trigger;
//! no token, a wrong one, a web page's headers, a foreign Host, a non-JSON body and a storm of calls
//! are all refused, and nothing reaches the queue for them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/real.rs"]
mod real;

use std::process::Command;
use std::time::Duration;

use giftdeck::external::{ExternalServer, Token};
use giftdeck::mappings::Condition;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use tokio::sync::watch;

fn table() -> MappingTable {
    let mut off = Mapping::new("Disabled one", vec![Action::command("say x")]);
    off.enabled = false;
    MappingTable::new(vec![
        Mapping::new("Rose", vec![Action::command("say rose")]),
        Mapping::new("Boss fight", vec![Action::command("say boss")]).on(Condition::Follow),
        off,
    ])
}

struct Running {
    server: ExternalServer,
    calls: tokio::sync::mpsc::Receiver<giftdeck::external::ExternalCall>,
    token: Token,
    /// The mapping table the app would keep up to date.
    _mappings: watch::Sender<MappingTable>,
}

async fn start() -> Running {
    let token = Token::generate();
    let (mappings_tx, mappings) = watch::channel(table());
    let (server, calls) = ExternalServer::start(0, token.clone(), mappings)
        .await
        .unwrap();
    Running {
        server,
        calls,
        token,
        _mappings: mappings_tx,
    }
}

fn post(port: u16) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/trigger"))
        .header("content-type", "application/json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_curl_line_fires_a_trigger() {
    let Running {
        server,
        mut calls,
        token,
        _mappings,
    } = start().await;
    let port = server.port();
    let token_text = token.reveal().to_owned();
    // The line from docs/actions.md, with the port and token filled in.
    let output = tokio::task::spawn_blocking(move || {
        Command::new("curl")
            .args([
                "-sS",
                "-X",
                "POST",
                &format!("http://127.0.0.1:{port}/trigger"),
                "-H",
                &format!("Authorization: Bearer {token_text}"),
                "-H",
                "Content-Type: application/json",
                "-d",
                r#"{"trigger":"boss fight","viewer":"Alice","count":3}"#,
            ])
            .output()
    })
    .await
    .unwrap();
    let Some(output) = real::require(output.ok(), "the `curl` program", "apt-get install curl")
    else {
        return;
    };
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["queued"], true, "{answer}");
    let call = tokio::time::timeout(Duration::from_secs(5), calls.recv())
        .await
        .unwrap()
        .unwrap();
    // The row's own text, whatever case the caller used.
    assert_eq!(call.trigger, "Boss fight");
    assert_eq!(call.viewer, "Alice");
    assert_eq!(call.count, 3);
    assert!(call.at_millis > 1_700_000_000_000);
}

/// 30 calls at once: how many were accepted, once checked that the rest were refused with 429
/// and `Retry-After: 1`, and that no more passed than the bucket held.
async fn storm(port: u16, bearer: &str, body: &'static str) -> u64 {
    let started = std::time::Instant::now();
    let storm = (0..30).map(|_| post(port).header("authorization", bearer).body(body).send());
    let answers = futures_util::future::join_all(storm).await;
    let elapsed = started.elapsed();
    let mut accepted = 0u64;
    let mut limited = Vec::new();
    for answer in answers {
        let answer = answer.unwrap();
        match answer.status().as_u16() {
            202 => accepted += 1,
            429 => limited.push(
                answer
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned()),
            ),
            other => panic!("unexpected {other}"),
        }
    }
    // 8 left in the bucket, plus one refilled per 200 ms the storm took.
    let refilled = u64::try_from(elapsed.as_millis() / 200).unwrap() + 1;
    assert!(
        accepted >= 1 && accepted <= 8 + refilled,
        "{accepted} accepted in {elapsed:?}"
    );
    assert!(!limited.is_empty(), "no call was limited");
    assert!(
        limited.iter().all(|r| r.as_deref() == Some("1")),
        "{limited:?}"
    );
    accepted
}

#[tokio::test]
async fn every_unsafe_call_is_refused_and_queues_nothing() {
    let Running {
        server,
        mut calls,
        token,
        _mappings,
    } = start().await;
    let port = server.port();
    let body = r#"{"trigger":"Rose","viewer":"bob"}"#;
    let bearer = format!("Bearer {}", token.reveal());
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        status(post(port).body(body).send().await.unwrap()),
        401,
        "no token"
    );
    assert_eq!(
        status(
            post(port)
                .header("authorization", "Bearer nope")
                .body(body)
                .send()
                .await
                .unwrap()
        ),
        401
    );
    assert_eq!(
        status(
            post(port)
                .header("authorization", &bearer)
                .header("origin", "https://evil.example")
                .body(body)
                .send()
                .await
                .unwrap()
        ),
        403,
        "a web page"
    );
    assert_eq!(
        status(
            post(port)
                .header("authorization", &bearer)
                .header("host", "evil.example")
                .body(body)
                .send()
                .await
                .unwrap()
        ),
        403,
        "DNS rebinding"
    );
    assert_eq!(
        status(
            reqwest::Client::new()
                .post(format!("http://127.0.0.1:{port}/trigger"))
                .header("authorization", &bearer)
                .header("content-type", "text/plain")
                .body(body)
                .send()
                .await
                .unwrap()
        ),
        415,
        "a form post"
    );
    let unknown = post(port)
        .header("authorization", &bearer)
        .body(r#"{"trigger":"Disabled one"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    assert!(unknown.text().await.unwrap().contains("no enabled trigger"));
    let bad = post(port)
        .header("authorization", &bearer)
        .body(r#"{"trigger":"Rose","count":1000}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert!(
        calls.try_recv().is_err(),
        "a refused call reached the queue"
    );
    // A storm of 30 calls at once: the burst passes (two calls above used some of it), the rest
    // is refused with 429 and Retry-After.
    let accepted = storm(port, &bearer, body).await;
    let mut queued = 0;
    while calls.try_recv().is_ok() {
        queued += 1;
    }
    assert_eq!(queued, accepted);
}
