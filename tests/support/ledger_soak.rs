//! The viewers' ledger fed by the soak's simulated stream (`soak::run_with`), the way the app
//! feeds it: every output the session hands on, in order, stamped with the engine clock. At each
//! app restart the ledger is closed and opened again from its file, and the last outputs it was
//! given are delivered a second time (as a hand-off that may repeat itself would: a session that
//! records before it journals, a room memory set aside): each must count as a duplicate. The
//! expected points are summed here from the outputs with the rates written out by hand, not with
//! the ledger's rules, so the comparison is between two independent calculations.

#![allow(
    dead_code,
    reason = "each test binary and benchmark that includes this file uses a different part"
)]

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use giftdeck::engine::Output;
use giftdeck::event::LiveEvent;
use giftdeck::ledger::{self, Ledger, LedgerStatus, PointRules, Rate};

use crate::soak::Observer;

const ROOM: &str = "7000000000000000042";
/// Outputs delivered again after each restart.
const REDELIVER: usize = 500;

/// 1 point per coin, 1 per like, 2 per chat message (no cooldown), nothing for joins.
pub fn rules() -> PointRules {
    PointRules {
        coin: Rate::new(1, 1),
        like: Rate::new(1, 1),
        chat: Rate::new(2, 1),
        ..PointRules::off()
    }
}

/// The points an output earns, by hand.
fn points(output: &Output) -> Option<(i64, i64)> {
    match output {
        Output::Credit(d) => Some((d.gift.user_id, i64::try_from(d.gift.total_diamonds()).ok()?)),
        Output::Event(LiveEvent::Like { user, count, .. }) => {
            Some((user.user_id, i64::from(*count)))
        }
        Output::Event(LiveEvent::Chat { user, .. }) => Some((user.user_id, 2)),
        _ => None,
    }
}

pub struct LedgerWatch {
    runtime: tokio::runtime::Runtime,
    path: PathBuf,
    ledger: Option<Ledger>,
    expected: HashMap<i64, i64>,
    expected_coins: i64,
    recent: VecDeque<(Output, u64)>,
    redelivered: u64,
    restarts: u64,
    /// Status summed over every run of the writer.
    totals: LedgerStatus,
    waited: u64,
}

/// What the ledger made of the stream.
#[derive(Debug)]
pub struct LedgerFigures {
    pub expected_points: i64,
    pub points: i64,
    pub expected_coins: i64,
    pub coins: i64,
    /// Viewers whose points differ from the hand-summed figure.
    pub wrong_viewers: usize,
    pub viewers: i64,
    pub redelivered: u64,
    pub restarts: u64,
    pub status: LedgerStatus,
    /// Times the soak waited because the ledger's channel was full.
    pub waited: u64,
    pub unrecorded: u64,
}

impl LedgerWatch {
    pub fn new(dir: &Path) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let path = dir.join("ledger.sqlite");
        let mut watch = Self {
            runtime,
            path,
            ledger: None,
            expected: HashMap::new(),
            expected_coins: 0,
            recent: VecDeque::new(),
            redelivered: 0,
            restarts: 0,
            totals: LedgerStatus::default(),
            waited: 0,
        };
        watch.start(0);
        watch
    }

    fn start(&mut self, at_millis: u64) {
        let (mut ledger, _reader) = self
            .runtime
            .block_on(ledger::open(self.path.clone(), rules()))
            .expect("the ledger opens");
        ledger.begin_stream(ROOM, at_millis);
        self.ledger = Some(ledger);
    }

    fn stop(&mut self) -> u64 {
        let ledger = self.ledger.take().expect("running");
        let unrecorded = ledger.unrecorded();
        let status = self.runtime.block_on(ledger.close()).expect("closes");
        let t = &mut self.totals;
        t.events += status.events;
        t.duplicates += status.duplicates;
        t.commits += status.commits;
        t.largest_batch = t.largest_batch.max(status.largest_batch);
        t.busy += status.busy;
        unrecorded
    }

    /// Ends the stream and compares the file with the hand-summed figures.
    pub fn finish(mut self, end_millis: u64) -> LedgerFigures {
        self.ledger.as_mut().unwrap().end_stream(end_millis);
        let unrecorded = self.stop();
        let conn = ledger::connect(&self.path).unwrap();
        let mut stmt = conn.prepare("SELECT id, points FROM viewers").unwrap();
        let stored: HashMap<i64, i64> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let wrong_viewers = self
            .expected
            .iter()
            .filter(|(id, p)| stored.get(id).copied().unwrap_or(0) != **p)
            .count()
            + stored
                .iter()
                .filter(|(id, p)| **p != 0 && !self.expected.contains_key(id))
                .count();
        let sum = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        LedgerFigures {
            expected_points: self.expected.values().sum(),
            points: sum("SELECT coalesce(sum(points), 0) FROM viewers"),
            expected_coins: self.expected_coins,
            coins: sum("SELECT coins FROM streams WHERE room_id = '7000000000000000042'"),
            wrong_viewers,
            viewers: sum("SELECT count(*) FROM viewers"),
            redelivered: self.redelivered,
            restarts: self.restarts,
            status: self.totals.clone(),
            waited: self.waited,
            unrecorded,
        }
    }
}

impl Observer for LedgerWatch {
    fn outputs(&mut self, outputs: &[Output], clock_millis: u64) {
        let ledger = self.ledger.as_mut().expect("running");
        for output in outputs {
            if let Some((user, points)) = points(output) {
                *self.expected.entry(user).or_default() += points;
                if let Output::Credit(d) = output {
                    self.expected_coins += i64::try_from(d.gift.total_diamonds()).unwrap();
                }
            }
            ledger.on_output(output, clock_millis);
            // The restart sends again what the ledger recorded (the room's like count and fired
            // triggers are not a viewer's).
            if ledger::LedgerEvent::from_output(output, clock_millis).is_none() {
                continue;
            }
            if self.recent.len() == REDELIVER {
                self.recent.pop_front();
            }
            self.recent.push_back((output.clone(), clock_millis));
        }
        // The simulation runs far faster than a stream: when the channel is full, wait for the
        // writer instead of letting its queue grow (a stream's clock would have waited anyway).
        if ledger.waiting() > 0 {
            self.waited += 1;
            self.runtime.block_on(ledger.synced()).unwrap();
        }
    }

    fn restarted(&mut self) {
        self.restarts += 1;
        let at = self.recent.back().map_or(0, |(_, at)| *at);
        self.stop();
        self.start(at);
        let ledger = self.ledger.as_mut().unwrap();
        for (output, at) in &self.recent {
            // Only outputs that name a viewer are recorded (and so can be duplicates).
            if ledger::LedgerEvent::from_output(output, *at).is_some() {
                self.redelivered += 1;
            }
            ledger.on_output(output, *at);
        }
    }
}
