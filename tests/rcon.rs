//! Our RCON client against a real RCON server we did not write (PyPI `rconx` 0.3.0) and against the
//! strict in-repo server that enforces vanilla Minecraft's framing rules.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/python.rs"]
mod python;
#[path = "support/rconx.rs"]
mod rconx;
#[path = "support/real.rs"]
mod real;

use std::sync::Arc;
use std::time::{Duration, Instant};

use giftdeck::actions::rcon::{MAX_COMMAND_BYTES, encode_packet};
use giftdeck::actions::{RconClient, RconConfig, RconError, RconTimeouts, test_rcon_connection};
use giftdeck::testkit::rcon::FakeRcon;
use rconx::Rconx;
use tokio::io::AsyncWriteExt;

fn config(port: u16, password: &str) -> RconConfig {
    RconConfig {
        host: "127.0.0.1".into(),
        port,
        password: password.into(),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn rconx_runs_our_commands_and_returns_replies() {
    let Some(python) = python::venv_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = Rconx::start(&python, free_port(), "s3cret", dir.path());
    let mut client = RconClient::connect(&config(server.port, "s3cret"), RconTimeouts::default())
        .await
        .unwrap();
    assert_eq!(
        client.command("say hello").await.unwrap(),
        "echo: say hello"
    );
    assert_eq!(
        client
            .command("tellraw @a {\"text\":\"é ✓\"}")
            .await
            .unwrap(),
        "echo: tellraw @a {\"text\":\"é ✓\"}"
    );
    // rconx splits long replies into 4,086-byte packets; the probe collects them all.
    assert_eq!(client.command("big").await.unwrap(), "x".repeat(10_000));
    assert_eq!(
        client.command("unknown thing").await.unwrap(),
        "Unknown or incomplete command, see below for error"
    );
    // The reply after a multi-packet one is not mixed up with leftovers from the probe.
    assert_eq!(
        client.command("say after").await.unwrap(),
        "echo: say after"
    );
    let too_long = format!("say {}", "a".repeat(MAX_COMMAND_BYTES));
    let err = client.command(&too_long).await.unwrap_err();
    assert!(matches!(err, RconError::TooLong { .. }), "{err}");
    assert_eq!(
        server.commands(),
        [
            "say hello",
            "tellraw @a {\"text\":\"é ✓\"}",
            "big",
            "unknown thing",
            "say after"
        ]
    );
    assert_eq!(
        test_rcon_connection(&config(server.port, "s3cret"))
            .await
            .unwrap(),
        "echo: list"
    );
}

#[tokio::test]
async fn rconx_refuses_a_wrong_password_with_a_clear_error() {
    let Some(python) = python::venv_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = Rconx::start(&python, free_port(), "right", dir.path());
    let err = RconClient::connect(
        &config(server.port, "hunter2-typo"),
        RconTimeouts::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, RconError::WrongPassword { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("refused the password"), "{text}");
    assert!(
        !text.contains("hunter2"),
        "the password never appears: {text}"
    );
    assert!(server.commands().is_empty());
}

#[tokio::test]
async fn a_server_that_is_down_is_a_connect_error() {
    let port = free_port();
    let started = Instant::now();
    let err = RconClient::connect(&config(port, "pw"), RconTimeouts::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RconError::Connect { .. }), "{err:?}");
    assert!(err.not_sent());
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")));
    assert!(started.elapsed() < Duration::from_secs(4));
    let err = RconClient::connect(&config(port, ""), RconTimeouts::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RconError::EmptyPassword), "{err:?}");
}

#[tokio::test]
async fn the_strict_server_sees_one_packet_per_read_and_multi_packet_replies_join() {
    let server = FakeRcon::start_on(
        "127.0.0.1:0".parse().unwrap(),
        "pw",
        Arc::new(|c: &str| {
            if c == "big" {
                // 10,000 two-byte chars: vanilla splits at 4,096 chars (not bytes).
                "é".repeat(10_000)
            } else {
                format!("ran {c}")
            }
        }),
    )
    .await
    .unwrap();
    let mut client = RconClient::connect(&config(server.port(), "pw"), RconTimeouts::default())
        .await
        .unwrap();
    for i in 0..50 {
        assert_eq!(
            client.command(&format!("say {i}")).await.unwrap(),
            format!("ran say {i}")
        );
    }
    assert_eq!(client.command("big").await.unwrap(), "é".repeat(10_000));
    let largest = format!("say {}", "a".repeat(MAX_COMMAND_BYTES - 4));
    assert_eq!(
        client.command(&largest).await.unwrap(),
        format!("ran {largest}")
    );
    assert_eq!(client.command("say end").await.unwrap(), "ran say end");
    assert!(server.violations().is_empty(), "{:?}", server.violations());
    assert_eq!(server.connections(), 1);
    assert_eq!(server.commands().len(), 53);
    let err = RconClient::connect(&config(server.port(), "nope"), RconTimeouts::default())
        .await
        .unwrap_err();
    assert!(matches!(err, RconError::WrongPassword { .. }), "{err:?}");
    assert_eq!(server.logins(), (1, 1));
}

/// Waits until the server has seen `n` rule breaks; fails after 5 s.
async fn violations_until(server: &FakeRcon, n: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let violations = server.violations();
        if violations.len() >= n {
            return violations;
        }
        assert!(std::time::Instant::now() < deadline, "{violations:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The strict server must catch the mistakes it exists for, or the tests above prove nothing.
#[tokio::test]
async fn the_strict_server_closes_on_pipelined_or_split_packets() {
    let server = FakeRcon::start("pw").await.unwrap();
    // Two packets in one write.
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut both = encode_packet(1, 3, b"pw");
    both.extend(encode_packet(2, 2, b"say pipelined"));
    stream.write_all(&both).await.unwrap();
    violations_until(&server, 1).await;
    // One packet in two writes.
    let mut stream2 = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream2.set_nodelay(true).unwrap();
    let packet = encode_packet(1, 3, b"pw");
    stream2.write_all(&packet[..6]).await.unwrap();
    stream2.flush().await.unwrap();
    // A pause between the halves, so the server's one read gets only the first (this shapes the
    // input; it asserts nothing).
    tokio::time::sleep(Duration::from_millis(100)).await;
    stream2.write_all(&packet[6..]).await.unwrap();
    let violations = violations_until(&server, 2).await;
    assert_eq!(violations.len(), 2, "{violations:?}");
    assert!(server.commands().is_empty());
}

#[tokio::test]
async fn a_command_before_login_gets_id_minus_one() {
    let server = FakeRcon::start("pw").await.unwrap();
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(&encode_packet(5, 2, b"say sneaky"))
        .await
        .unwrap();
    let mut reply = [0u8; 14];
    tokio::io::AsyncReadExt::read_exact(&mut stream, &mut reply)
        .await
        .unwrap();
    assert_eq!(i32::from_le_bytes(reply[4..8].try_into().unwrap()), -1);
    assert!(server.commands().is_empty());
}
