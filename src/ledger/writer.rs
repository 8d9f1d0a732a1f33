//! The ledger's entry point and its writer. [`Ledger`] is what the session side holds: every call
//! returns at once (a `try_send` into a bounded channel). One writer on a blocking task takes
//! whatever has queued — one message when the stream is calm, up to [`MAX_BATCH`] in a storm — and
//! commits it as one transaction ("group commit"), letting messages gather for [`COMMIT_EVERY`]
//! first, so a storm costs at most 50 transactions a second.
//!
//! # When the channel is full
//!
//! Points must not be lost quietly, and the caller (the dispatch, the UI) must never wait. So a
//! message that does not fit waits in the handle's own queue, in order (every later message goes
//! behind it), and moves into the channel on the next call or [`Ledger::flush`]. The writer
//! commits many thousands of events a second, so that queue only grows while the disk is stuck
//! (full, or the file locked); it holds [`SPILL_CAPACITY`] messages, minutes of a 1,000 gifts/s
//! storm. Past that, a message is counted in [`Ledger::unrecorded`] and the status says so — never
//! silently. Dropping the handle hands its queue to a task that sends it on.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{mpsc, oneshot, watch};

use super::store::{Msg, Store, open_connection};
use super::{Adjustment, LedgerError, LedgerEvent, PointRules};
use crate::engine::Output;
use crate::standings::{STANDINGS_CAPACITY, Standings};

/// Messages the channel holds.
pub const CHANNEL_CAPACITY: usize = 16_384;
/// Messages the handle keeps in order when the channel is full.
pub const SPILL_CAPACITY: usize = 262_144;
/// The most messages one transaction takes.
pub const MAX_BATCH: usize = 4_096;
/// How long the writer lets messages gather after the first before it commits: the most a
/// calm stream's event waits, and the most a crash can take back.
pub const COMMIT_EVERY: Duration = Duration::from_millis(20);
/// How long the writer waits before trying a failed batch again.
const RETRY_AFTER: Duration = Duration::from_millis(500);
/// How many times a batch is tried whole.
const ATTEMPTS: u32 = 5;

/// What the writer has done, for the status bar and the benchmarks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LedgerStatus {
    /// Events recorded (each counted once).
    pub events: u64,
    /// Events and adjustments whose credit key was already taken: not counted again.
    pub duplicates: u64,
    pub adjustments: u64,
    /// Transactions committed.
    pub commits: u64,
    pub largest_batch: usize,
    /// Time spent applying and committing batches.
    pub busy: Duration,
    /// The last write error (the batch is kept and tried again), cleared by the next commit.
    pub error: Option<String>,
    /// Messages SQLite refused even on their own (each logged): shown when not 0.
    pub failed: u64,
}

/// The session side's handle: non-blocking, owned by one subscriber (`&mut self`).
#[derive(Debug)]
pub struct Ledger {
    tx: mpsc::Sender<Msg>,
    spill: VecDeque<Msg>,
    unrecorded: u64,
    /// Outputs without a viewer id (nothing to credit them to).
    anonymous: u64,
    status: watch::Receiver<LedgerStatus>,
    standings: Standings,
}

/// Opens (creating and migrating) the ledger at `path` and starts its writer. Call inside a tokio
/// runtime; the file work runs on a blocking task.
pub async fn open(path: PathBuf, rules: PointRules) -> Result<(Ledger, LedgerReader), LedgerError> {
    let opened = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || open_connection(&path))
            .await
            .map_err(|_| LedgerError::Stopped)??
    };
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let (status_tx, status) = watch::channel(LedgerStatus::default());
    let store = Store::new(opened, rules);
    let standings = Standings::new(super::Levels::default().0);
    let filled = standings.clone();
    tokio::task::spawn_blocking(move || {
        match store.best_totals(STANDINGS_CAPACITY / 2) {
            Ok(best) => filled.record(&best),
            Err(err) => tracing::warn!("viewers' ledger: cannot read the best viewers: {err}"),
        }
        write_loop(store, rx, &status_tx, &filled);
    });
    Ok((Ledger::new(tx, status, standings), LedgerReader::new(path)))
}

impl Ledger {
    fn new(
        tx: mpsc::Sender<Msg>,
        status: watch::Receiver<LedgerStatus>,
        standings: Standings,
    ) -> Self {
        Self {
            tx,
            spill: VecDeque::new(),
            unrecorded: 0,
            anonymous: 0,
            status,
            standings,
        }
    }

    /// The viewers' points as last committed, for audience checks (set its levels from
    /// `ledger.levels`). Filled with the best viewers when the ledger opens.
    pub fn standings(&self) -> Standings {
        self.standings.clone()
    }

    /// Another handle on the same writer (its own queue when the channel is full): the app's
    /// buttons and each session's subscriber hold one each.
    pub fn handle(&self) -> Self {
        Self::new(self.tx.clone(), self.status.clone(), self.standings.clone())
    }

    /// Records what an engine output means for the viewers (see [`LedgerEvent::from_output`]).
    /// Never blocks.
    pub fn on_output(&mut self, output: &Output, at_millis: u64) {
        match LedgerEvent::of_output(output, at_millis) {
            Some(event) if event.viewer.user_id == 0 => self.anonymous += 1,
            Some(event) => self.send(Msg::Event(event)),
            None => {}
        }
    }

    /// The session is live in `room_id`: events from now on belong to its stream (the same room
    /// after a reconnect or restart is the same stream).
    pub fn begin_stream(&mut self, room_id: &str, at_millis: u64) {
        self.send(Msg::Begin {
            room_id: room_id.to_owned(),
            at_millis,
        });
    }

    /// The stream ended (TikTok said so, or the streamer disconnected).
    pub fn end_stream(&mut self, at_millis: u64) {
        self.send(Msg::End { at_millis });
    }

    /// Gives or takes points (an action, or the streamer by hand).
    pub fn adjust(&mut self, adjustment: Adjustment) {
        self.send(Msg::Adjust(adjustment));
    }

    /// New rates take effect for the events after this call.
    pub fn set_rules(&mut self, rules: PointRules) {
        self.send(Msg::Rules(rules));
    }

    /// Saves a goal's, timer's or counter's state under `name` (the newest save wins).
    pub fn save_state(&mut self, name: &str, json: String, at_millis: u64) {
        self.send(Msg::SaveState {
            name: name.to_owned(),
            json,
            at_millis,
        });
    }

    /// Moves waiting messages into the channel as far as they fit. Never blocks.
    pub fn flush(&mut self) {
        while let Some(msg) = self.spill.pop_front() {
            match self.tx.try_send(msg) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(msg)) => {
                    self.spill.push_front(msg);
                    return;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    self.unrecorded += 1 + self.spill.len() as u64;
                    self.spill.clear();
                    return;
                }
            }
        }
    }

    /// Messages waiting in the handle because the channel was full.
    pub fn waiting(&self) -> usize {
        self.spill.len()
    }

    /// Messages that could not be kept (the writer stopped, or it was stuck for so long that
    /// [`SPILL_CAPACITY`] filled up). Shown to the streamer when not 0.
    pub fn unrecorded(&self) -> u64 {
        self.unrecorded
    }

    /// Outputs that had no viewer id to credit.
    pub fn anonymous(&self) -> u64 {
        self.anonymous
    }

    /// The writer's status (latest value).
    pub fn status(&self) -> watch::Receiver<LedgerStatus> {
        self.status.clone()
    }

    /// Waits until everything sent so far is committed.
    pub async fn synced(&mut self) -> Result<(), LedgerError> {
        while let Some(msg) = self.spill.pop_front() {
            self.tx.send(msg).await.map_err(|_| LedgerError::Stopped)?;
        }
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Msg::Sync(ack))
            .await
            .map_err(|_| LedgerError::Stopped)?;
        done.await.map_err(|_| LedgerError::Stopped)
    }

    /// Commits everything and stops the writer.
    pub async fn close(mut self) -> Result<LedgerStatus, LedgerError> {
        self.synced().await?;
        Ok(self.status.borrow().clone())
    }

    /// A handle on a channel of `capacity` with no writer behind it (tests of the full channel).
    #[cfg(test)]
    pub(crate) fn unattached(capacity: usize) -> (Self, mpsc::Receiver<Msg>) {
        let (tx, rx) = mpsc::channel(capacity);
        let (_, status) = watch::channel(LedgerStatus::default());
        (Ledger::new(tx, status, Standings::default()), rx)
    }

    fn send(&mut self, msg: Msg) {
        self.flush();
        let msg = if self.spill.is_empty() {
            match self.tx.try_send(msg) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Full(msg)) => msg,
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    self.unrecorded += 1;
                    return;
                }
            }
        } else {
            msg
        };
        if self.spill.len() < SPILL_CAPACITY {
            self.spill.push_back(msg);
        } else {
            if self.unrecorded == 0 {
                tracing::warn!(
                    "the viewers' ledger is not keeping up: events are no longer recorded"
                );
            }
            self.unrecorded += 1;
        }
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        if self.spill.is_empty() {
            return;
        }
        let spill = std::mem::take(&mut self.spill);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let tx = self.tx.clone();
                runtime.spawn(async move {
                    for msg in spill {
                        if tx.send(msg).await.is_err() {
                            break;
                        }
                    }
                });
            }
            Err(_) => tracing::warn!(
                "{} events for the viewers' ledger were not recorded (closed outside the runtime)",
                spill.len()
            ),
        }
    }
}

/// Takes what is queued, commits it as one transaction, repeats; ends when every handle is gone.
fn write_loop(
    mut store: Store,
    mut rx: mpsc::Receiver<Msg>,
    status: &watch::Sender<LedgerStatus>,
    standings: &Standings,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        // What else arrives meanwhile joins this transaction: in a storm, one commit per
        // COMMIT_EVERY instead of one per handful of events.
        std::thread::sleep(COMMIT_EVERY);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(msg) => batch.push(msg),
                Err(_) => break,
            }
        }
        commit(&mut store, &batch, status, standings);
        for msg in batch.drain(..) {
            if let Msg::Sync(ack) = msg {
                let _ = ack.send(());
            }
        }
    }
}

/// The disk or another process is in the way (full, locked, an I/O error): waiting can help.
fn transient(err: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{
        CannotOpen, DatabaseBusy, DatabaseLocked, DiskFull, OutOfMemory, SystemIoFailure,
    };
    matches!(err, rusqlite::Error::SqliteFailure(e, _)
        if matches!(e.code, DatabaseBusy | DatabaseLocked | DiskFull | SystemIoFailure | CannotOpen | OutOfMemory))
}

/// Commits `batch`. While the disk refuses it (full, locked) it is kept and tried again, for as
/// long as that lasts: meanwhile new messages wait in the channel and the handle's queue. A batch
/// that fails for another reason [`ATTEMPTS`] times is written one message per transaction, so
/// one message SQLite will never take cannot hold up the rest; each such message is counted in
/// `failed`.
fn commit(
    store: &mut Store,
    batch: &[Msg],
    status: &watch::Sender<LedgerStatus>,
    standings: &Standings,
) {
    let mut attempt = 0;
    loop {
        let started = Instant::now();
        match store.apply(batch) {
            Ok(applied) => {
                standings.record(&store.take_totals());
                record(status, applied, batch.len(), started.elapsed());
                return;
            }
            Err(err) => {
                if !transient(&err) {
                    attempt += 1;
                }
                tracing::warn!("viewers' ledger: a write failed, trying again: {err}");
                status.send_modify(|s| s.error = Some(err.to_string()));
                if attempt >= ATTEMPTS {
                    break;
                }
                std::thread::sleep(RETRY_AFTER);
            }
        }
    }
    for msg in batch {
        let started = Instant::now();
        match store.apply(std::slice::from_ref(msg)) {
            Ok(applied) => {
                standings.record(&store.take_totals());
                record(status, applied, 1, started.elapsed());
            }
            Err(err) => {
                tracing::warn!("viewers' ledger: a message was not recorded: {err}");
                status.send_modify(|s| {
                    s.failed += 1;
                    s.error = Some(err.to_string());
                });
            }
        }
    }
}

fn record(
    status: &watch::Sender<LedgerStatus>,
    applied: super::store::Applied,
    size: usize,
    busy: Duration,
) {
    status.send_modify(|s| {
        s.events += applied.events;
        s.duplicates += applied.duplicates;
        s.adjustments += applied.adjustments;
        s.commits += 1;
        s.largest_batch = s.largest_batch.max(size);
        s.busy += busy;
        s.error = None;
    });
}

/// Reads the ledger on its own connection (WAL: never waits for the writer), on a blocking task.
#[derive(Clone, Debug)]
pub struct LedgerReader {
    path: PathBuf,
    conn: Arc<Mutex<Option<Connection>>>,
}

impl LedgerReader {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            conn: Arc::new(Mutex::new(None)),
        }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Runs `query` on the reader's connection (opened on first use) off the caller's thread.
    pub async fn read<T, F>(&self, query: F) -> Result<T, LedgerError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, LedgerError> + Send + 'static,
    {
        let path = self.path.clone();
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if guard.is_none() {
                let opened = Connection::open_with_flags(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|source| LedgerError::Open {
                    path: path.clone(),
                    source,
                })?;
                opened.busy_timeout(Duration::from_secs(5))?;
                *guard = Some(opened);
            }
            match guard.as_ref() {
                Some(conn) => query(conn),
                None => Err(LedgerError::Stopped),
            }
        })
        .await
        .map_err(|_| LedgerError::Stopped)?
    }
}
