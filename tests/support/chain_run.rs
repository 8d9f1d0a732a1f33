//! A live session against the loopback fake, for the provider-chain tests: short timings, the
//! chain as given, and everything the session sent kept in order.

#![allow(
    dead_code,
    reason = "each test binary that includes this file uses a different part"
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use giftdeck::backoff::Backoff;
use giftdeck::engine::{Output, Stamped, Stats};
use giftdeck::event::CreditedGift;
use giftdeck::live::{
    ChainPolicy, ConnStatus, FailureKind, LiveConfig, LiveHandle, LiveMsg, ProviderKind, Route,
    spawn_session,
};
use giftdeck::mappings::MappingTable;
use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, Scenario, Step};
use giftdeck::testkit::frames::{GiftSpec, MessageSpec};
use tokio::sync::{mpsc, watch};

pub const WAIT: Duration = Duration::from_secs(15);
pub const EULER_KEY: &str = "euler-test-key";

pub fn gift(msg_id: i64, name: &str, gift_type: i32, count: i32, end: bool) -> MessageSpec {
    let (gift_id, diamonds) = match name {
        "Rose" => (5655, 1),
        "Lion" => (6369, 29_999),
        _ => (5996, 1_000),
    };
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id: 111,
        unique_id: "user111".into(),
        nickname: "User 111".into(),
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

pub fn single(msg_id: i64) -> MessageSpec {
    gift(msg_id, "Galaxy", 2, 1, false)
}

pub fn rose(msg_id: i64, count: i32, end: bool) -> MessageSpec {
    gift(msg_id, "Rose", 1, count, end)
}

/// Short timings; the chain as given, Euler's WebSocket keyed.
pub fn fast(fake: &FakeTikTok, providers: &[ProviderKind]) -> LiveConfig {
    LiveConfig {
        providers: providers.to_vec(),
        euler_ws_api_key: Some(EULER_KEY.into()),
        backoff: Backoff {
            first: Duration::from_millis(50),
            max: Duration::from_millis(200),
        },
        chain_policy: ChainPolicy {
            failures_before_switch: 3,
            probe: Backoff {
                first: Duration::from_millis(300),
                max: Duration::from_secs(2),
            },
        },
        watchdog: Duration::from_secs(5),
        request_timeout: Duration::from_secs(3),
        blocked_retry: Duration::from_secs(3),
        ..fake.live_config()
    }
}

pub async fn start_fake(config: FakeConfig) -> FakeTikTok {
    FakeTikTok::start(config)
        .await
        .expect("fake binds loopback")
}

pub fn scenario(history: Vec<MessageSpec>, connections: Vec<Vec<Step>>) -> Scenario {
    Scenario {
        history,
        connections,
        after: vec![Step::Silent],
    }
}

/// A running session and everything it sent so far.
pub struct Run {
    pub handle: LiveHandle,
    pub rx: mpsc::Receiver<LiveMsg>,
    _mappings: watch::Sender<MappingTable>,
    pub log: Vec<LiveMsg>,
    closed: bool,
}

impl Run {
    pub fn start(config: LiveConfig) -> Self {
        let (mappings, mappings_rx) = watch::channel(MappingTable::default());
        let (tx, rx) = mpsc::channel(64);
        let handle = spawn_session(config, mappings_rx, tx, Arc::new(|| {}));
        Self {
            handle,
            rx,
            _mappings: mappings,
            log: Vec::new(),
            closed: false,
        }
    }

    /// Reads messages until `done` holds for the log, the channel closes, or the time is up.
    pub async fn until(&mut self, done: impl Fn(&[LiveMsg]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + WAIT;
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

    pub async fn until_status(&mut self, want: impl Fn(&ConnStatus) -> bool) -> ConnStatus {
        let ok = self.until(|log| statuses(log).iter().any(&want)).await;
        assert!(ok, "status never came, log: {:#?}", self.log);
        statuses(&self.log).into_iter().find(|s| want(s)).unwrap()
    }

    /// Waits for the session to end; returns its final status.
    pub async fn until_closed(&mut self) -> ConnStatus {
        let ok = self.until(|_| false).await || self.closed;
        assert!(ok && self.closed, "session did not end: {:#?}", self.log);
        statuses(&self.log).last().cloned().expect("a status")
    }

    pub fn credits(&self) -> Vec<CreditedGift> {
        self.log
            .iter()
            .filter_map(|m| match m {
                LiveMsg::Output(Stamped {
                    output: Output::Credit(d),
                    ..
                }) => Some(d.gift.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn routes(&self) -> Vec<Route> {
        self.log
            .iter()
            .filter_map(|m| match m {
                LiveMsg::Route(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn stats(&self) -> Stats {
        last_stats(&self.log)
    }
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

pub fn statuses(log: &[LiveMsg]) -> Vec<ConnStatus> {
    log.iter()
        .filter_map(|m| match m {
            LiveMsg::Status(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

pub fn is_live(s: &ConnStatus) -> bool {
    matches!(s, ConnStatus::Live { .. })
}

pub fn reconnecting_kinds(run: &Run) -> Vec<FailureKind> {
    statuses(&run.log)
        .into_iter()
        .filter_map(|s| match s {
            ConnStatus::Reconnecting { kind, .. } => Some(kind),
            _ => None,
        })
        .collect()
}

/// Credits by message id: how often each was credited (the truth for "lost" and "doubled").
pub fn credit_counts(credits: &[CreditedGift]) -> BTreeMap<i64, usize> {
    let mut counts = BTreeMap::new();
    for credit in credits {
        *counts.entry(credit.msg_id).or_default() += 1;
    }
    counts
}

pub fn credits_of(log: &[LiveMsg]) -> Vec<CreditedGift> {
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
