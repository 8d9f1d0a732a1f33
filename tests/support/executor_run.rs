//! The real executor on a runtime, for the action tests: gifts and decisions built small, the
//! executor started with its log channel, and waits for its queue with a deadline.

#![allow(
    dead_code,
    reason = "each test binary that includes this file uses a different part"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use giftdeck::actions::{
    ExecMsg, ExecutorConfig, ExecutorHandle, QueueStatus, RconConfig, spawn_executor,
};
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use tokio::sync::{mpsc, watch};

pub fn gift(name: &str, count: u32, nickname: &str) -> CreditedGift {
    CreditedGift {
        msg_id: 7,
        user_id: 42,
        unique_id: "viewer_1".into(),
        nickname: nickname.into(),
        gift_name: name.into(),
        count,
        trigger: Some(name.into()),
        ..giftdeck::testkit::outputs::rose()
    }
}

pub fn cmd(command: &str, repeat: u32) -> Action {
    Action::Command {
        command: command.into(),
        repeat,
    }
}

pub fn decision(mapping: &Mapping, count: u32, nickname: &str) -> Decision {
    Decision {
        gift: gift(&mapping.trigger, count, nickname),
        mapping: Some(mapping.clone()),
    }
}

pub fn rcon(port: u16, password: &str) -> Option<RconConfig> {
    Some(RconConfig {
        host: "127.0.0.1".into(),
        port,
        password: password.into(),
    })
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Exec {
    pub handle: ExecutorHandle,
    pub events: mpsc::Receiver<ExecMsg>,
    pub _mappings: watch::Sender<MappingTable>,
}

pub fn start(config: ExecutorConfig, table: MappingTable) -> Exec {
    let (tx, rx) = watch::channel(table);
    let (events_tx, events) = mpsc::channel(4096);
    let handle = spawn_executor(config, rx, events_tx, Arc::new(|| {}));
    Exec {
        handle,
        events,
        _mappings: tx,
    }
}

impl Exec {
    pub fn logs(&mut self) -> Vec<(String, Result<String, String>)> {
        let mut out = Vec::new();
        while let Ok(msg) = self.events.try_recv() {
            if let ExecMsg::Log(line) = msg {
                out.push((line.action, line.outcome.map_err(|e| e.to_string())));
            }
        }
        out
    }
}

pub async fn drained(handle: &ExecutorHandle) {
    tokio::time::timeout(Duration::from_secs(20), handle.drained())
        .await
        .expect("queue drained in time");
}

/// Waits until the executor's status satisfies `done`; fails after 10 s showing the last status.
pub async fn status_until(
    handle: &ExecutorHandle,
    done: impl Fn(&QueueStatus) -> bool,
) -> QueueStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = handle.status();
        if done(&status) {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "timed out; last status {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
