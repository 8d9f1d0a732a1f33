//! A live session against the loopback fake TikTok, for the live client's tests: short timings,
//! small message builders, and everything the session sent kept in order.

#![allow(
    dead_code,
    reason = "each test binary that includes this file uses a different part"
)]

use std::sync::Arc;
use std::time::Duration;

use giftdeck::backoff::Backoff;
use giftdeck::engine::{Output, Stamped, Stats};
use giftdeck::event::{CreditedGift, EndedBy};
use giftdeck::live::{ConnStatus, LiveConfig, LiveHandle, LiveMsg, spawn_session};
use giftdeck::mappings::MappingTable;
use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, Scenario, Step};
use giftdeck::testkit::frames::{GiftSpec, MessageSpec};
use tokio::sync::{mpsc, watch};

pub const ROOM: &str = "7000000000000000001";
pub const WAIT: Duration = Duration::from_secs(10);

pub fn gift(
    msg_id: i64,
    user_id: i64,
    name: &str,
    gift_type: i32,
    count: i32,
    end: bool,
) -> MessageSpec {
    let (gift_id, diamonds) = match name {
        "Rose" => (5655, 1),
        "Lion" => (6369, 29_999),
        "Galaxy" => (5996, 1_000),
        "Universe" => (7312, 44_999),
        _ => (1, 1),
    };
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id,
        unique_id: format!("user{user_id}"),
        nickname: format!("User {user_id}"),
        gift_id,
        gift_name: name.into(),
        diamonds,
        gift_type,
        repeat_count: count,
        repeat_end: end,
        group_id: 77,
        create_time_millis: 0,
    })
}

pub fn rose(msg_id: i64, count: i32, end: bool) -> MessageSpec {
    gift(msg_id, 111, "Rose", 1, count, end)
}

pub fn single(msg_id: i64, name: &str) -> MessageSpec {
    gift(msg_id, 222, name, 2, 1, false)
}

/// Short timings so every fault plays out in well under a second or two.
pub fn fast(config: LiveConfig) -> LiveConfig {
    LiveConfig {
        backoff: Backoff {
            first: Duration::from_millis(50),
            max: Duration::from_millis(200),
        },
        watchdog: Duration::from_secs(5),
        request_timeout: Duration::from_secs(3),
        blocked_retry: Duration::from_secs(3),
        ..config
    }
}

pub async fn start_fake(config: FakeConfig) -> FakeTikTok {
    FakeTikTok::start(config)
        .await
        .expect("fake binds loopback")
}

/// A running session and everything it sent so far.
pub struct Run {
    pub handle: LiveHandle,
    pub rx: mpsc::Receiver<LiveMsg>,
    pub mappings: watch::Sender<MappingTable>,
    pub log: Vec<LiveMsg>,
    pub closed: bool,
}

impl Run {
    pub fn start(config: LiveConfig) -> Self {
        Self::start_with(config, MappingTable::default())
    }

    /// Starts with `table` already in place, so not even the first message misses it.
    pub fn start_with(config: LiveConfig, table: MappingTable) -> Self {
        let (mappings, mappings_rx) = watch::channel(table);
        let (tx, rx) = mpsc::channel(64);
        let handle = spawn_session(config, mappings_rx, tx, Arc::new(|| {}));
        Self {
            handle,
            rx,
            mappings,
            log: Vec::new(),
            closed: false,
        }
    }

    /// Reads messages until `done` holds for the log, the channel closes, or the time is up.
    pub async fn until(&mut self, timeout: Duration, done: impl Fn(&[LiveMsg]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.log) {
            if self.closed {
                return false;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(msg)) => self.log.push(msg),
                Ok(None) => self.closed = true,
                Err(_) => return false,
            }
        }
        true
    }

    pub async fn until_credits(&mut self, n: usize) {
        let ok = self.until(WAIT, |log| credits(log).len() >= n).await;
        assert!(ok, "wanted {n} credits, log: {:#?}", self.log);
    }

    pub async fn until_status(&mut self, want: impl Fn(&ConnStatus) -> bool) -> ConnStatus {
        let ok = self
            .until(WAIT, |log| statuses(log).iter().any(&want))
            .await;
        assert!(ok, "status never came, log: {:#?}", self.log);
        statuses(&self.log).into_iter().find(|s| want(s)).unwrap()
    }

    /// Waits for the channel to close and returns the final status.
    pub async fn until_closed(&mut self) -> ConnStatus {
        let ok = self.until(WAIT, |_| false).await || self.closed;
        assert!(
            ok && self.closed,
            "session did not end, log: {:#?}",
            self.log
        );
        statuses(&self.log).last().cloned().expect("a status")
    }

    pub fn credits(&self) -> Vec<CreditedGift> {
        credits(&self.log)
    }

    pub fn statuses(&self) -> Vec<ConnStatus> {
        statuses(&self.log)
    }
}

/// The task returns right after it drops its sender; give the runtime a moment to notice.
pub async fn assert_finishes(handle: &LiveHandle) {
    for _ in 0..100 {
        if handle.is_finished() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the session task did not finish");
}

pub fn credits(log: &[LiveMsg]) -> Vec<CreditedGift> {
    log.iter()
        .filter_map(|m| match m {
            LiveMsg::Output(Stamped {
                output: Output::Credit(d),
                ..
            }) => Some(d.gift.clone()),
            _ => None,
        })
        .collect()
}

pub fn statuses(log: &[LiveMsg]) -> Vec<ConnStatus> {
    log.iter()
        .filter_map(|m| match m {
            LiveMsg::Status(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

pub fn last_stats(log: &[LiveMsg]) -> Stats {
    log.iter()
        .rev()
        .find_map(|m| match m {
            LiveMsg::Stats(s) => Some(*s),
            _ => None,
        })
        .unwrap_or_default()
}

pub fn summary(credits: &[CreditedGift]) -> Vec<(String, u32, EndedBy)> {
    credits
        .iter()
        .map(|c| (c.gift_name.clone(), c.count, c.ended_by))
        .collect()
}

pub fn is_live(s: &ConnStatus) -> bool {
    matches!(s, ConnStatus::Live { .. })
}

pub fn scenario(connections: Vec<Vec<Step>>) -> Scenario {
    Scenario {
        connections,
        ..Scenario::default()
    }
}
