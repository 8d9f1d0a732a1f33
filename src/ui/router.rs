//! The background loops that feed the window: a session's router (credits to the executor first,
//! then feed rows to the UI; status and counters into `watch` channels; events the UI never shows
//! stay here), the executor's forwarder (queue status into a `watch`, log lines to the UI) and the
//! settings saver. Each wakes the UI only for what it will draw.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, watch};

use super::bridge::{ConnStatus, ExecMsg, ExecutorHandle, LiveMsg, LogLine};
use super::tasks::{UiMsg, Waker};
use crate::actions::Origin;
use crate::engine::{self, Output};
use crate::overlay::OverlayHub;
use crate::settings::{self, Settings};

/// Where a router's and forwarder's drops are counted (the status bar shows them).
#[derive(Debug, Default)]
pub struct DropCounters {
    pub feed_rows: AtomicU64,
    pub log_lines: AtomicU64,
}

/// The UI side of a session's latest values.
pub struct SessionSenders {
    pub status: watch::Sender<ConnStatus>,
    pub stats: watch::Sender<engine::Stats>,
    /// The provider carrying the stream and the outages ahead of it.
    pub route: watch::Sender<Option<crate::live::Route>>,
    /// The overlays get every output too (`None`: overlays are off).
    pub overlay: Option<OverlayHub>,
    /// Which server the session's credits are bound to (the demo's or the streamer's).
    pub origin: Origin,
}

/// How many messages wait in a router for a UI that fell behind (a minimized window): as many
/// as the feed keeps, so the rows it shows on return are the newest.
pub const BACKLOG_CAPACITY: usize = super::feed::FEED_CAPACITY;

/// Hands messages to the UI without ever waiting. While the channel is full (the UI is far
/// behind) they wait in a bounded backlog that keeps the newest and counts the older ones it
/// lets go: on return the streamer sees what just happened, not the first minutes of the gap.
struct Outbox {
    ui_tx: mpsc::Sender<UiMsg>,
    waker: Arc<Waker>,
    drops: Arc<DropCounters>,
    /// Which of `drops` counts this outbox's losses.
    counter: fn(&DropCounters) -> &AtomicU64,
    backlog: VecDeque<UiMsg>,
    capacity: usize,
}

impl Outbox {
    fn new(
        ui_tx: mpsc::Sender<UiMsg>,
        waker: Arc<Waker>,
        drops: Arc<DropCounters>,
        counter: fn(&DropCounters) -> &AtomicU64,
    ) -> Self {
        Self {
            ui_tx,
            waker,
            drops,
            counter,
            backlog: VecDeque::new(),
            capacity: BACKLOG_CAPACITY,
        }
    }

    /// Sends `msg` now if it can, after anything already waiting (order is kept). Returns false
    /// once the UI is gone.
    fn offer(&mut self, msg: UiMsg) -> bool {
        if self.backlog.is_empty() {
            match self.ui_tx.try_send(msg) {
                Ok(()) => {
                    self.waker.wake();
                    return true;
                }
                Err(mpsc::error::TrySendError::Full(msg)) => self.backlog.push_back(msg),
                Err(mpsc::error::TrySendError::Closed(_)) => return false,
            }
        } else {
            self.backlog.push_back(msg);
        }
        let excess = self.backlog.len().saturating_sub(self.capacity);
        if excess > 0 {
            self.backlog.drain(..excess);
            (self.counter)(&self.drops).fetch_add(excess as u64, Ordering::Relaxed);
        }
        true
    }

    fn has_backlog(&self) -> bool {
        !self.backlog.is_empty()
    }

    /// Waits for room in the channel and moves the oldest waiting message into it. Cancel-safe
    /// (nothing leaves the backlog before there is room). Returns false once the UI is gone.
    async fn flush_one(&mut self) -> bool {
        let Ok(permit) = self.ui_tx.reserve().await else {
            return false;
        };
        if let Some(msg) = self.backlog.pop_front() {
            permit.send(msg);
            self.waker.wake();
        }
        true
    }

    /// The next message from `rx`, moving the backlog toward the UI while it waits. `None` when
    /// the loop should end: the UI is gone, or `rx` ended and everything waiting was handed over.
    async fn next<T>(&mut self, rx: &mut mpsc::Receiver<T>) -> Option<T> {
        loop {
            let msg = tokio::select! {
                msg = rx.recv() => msg,
                open = self.flush_one(), if self.has_backlog() => {
                    if !open {
                        return None;
                    }
                    continue;
                }
            };
            if msg.is_none() {
                // The sender ended: what waits still reaches the UI once it makes room.
                self.flush_all().await;
            }
            return msg;
        }
    }

    /// Hands over everything still waiting, as the UI makes room. Returns false once it is gone.
    async fn flush_all(&mut self) -> bool {
        while self.has_backlog() {
            if !self.flush_one().await {
                return false;
            }
        }
        true
    }
}

/// Routes one session: credits go to the executor first (actions never wait for the UI), then
/// to the feed. Status and counters replace the previous value; only a status change wakes the
/// UI (counters are drawn with the next repaint).
pub async fn route_session(
    session: u64,
    mut rx: mpsc::Receiver<LiveMsg>,
    executor: Arc<ExecutorHandle>,
    senders: SessionSenders,
    ui_tx: mpsc::Sender<UiMsg>,
    waker: Arc<Waker>,
    drops: Arc<DropCounters>,
) {
    let mut outbox = Outbox::new(ui_tx.clone(), waker.clone(), drops, |d| &d.feed_rows);
    while let Some(msg) = outbox.next(&mut rx).await {
        if let (LiveMsg::Output(output), Some(hub)) = (&msg, &senders.overlay) {
            hub.send_output(output);
        }
        let shown = match msg {
            LiveMsg::Output(Output::Credit(decision)) => {
                executor.enqueue_from(&decision, senders.origin);
                let gift = decision.gift;
                outbox.offer(UiMsg::Gift { session, gift })
            }
            // A follow, like rule, chat command…: its actions run whatever the window shows.
            LiveMsg::Output(Output::Fired(fired)) => {
                executor.enqueue_fired_from(&fired, senders.origin);
                let line = fired.line;
                outbox.offer(UiMsg::Fired { session, line })
            }
            // Room control messages only matter to the session.
            LiveMsg::Output(Output::Event(crate::event::LiveEvent::Control { .. })) => true,
            LiveMsg::Output(Output::Event(event)) => outbox.offer(UiMsg::Event { session, event }),
            LiveMsg::Status(status) => {
                senders.status.send_replace(status);
                waker.wake();
                true
            }
            LiveMsg::Stats(stats) => {
                senders.stats.send_replace(stats);
                true
            }
            LiveMsg::Route(route) => {
                if let Some(words) =
                    super::failure::route_words(&route, &super::failure::local_clock)
                {
                    tracing::warn!("{words}");
                }
                true
            }
            LiveMsg::Warning(text) => {
                let sent = ui_tx.send(UiMsg::LiveWarning(text)).await.is_ok();
                waker.wake();
                sent
            }
        };
        if !shown {
            return;
        }
    }
}

/// Forwards the executor's log lines (formatted here, off the UI thread) into the UI channel.
/// (Its status is latest-value state the app reads from the executor's own `watch`.)
pub async fn forward_executor(
    mut rx: mpsc::Receiver<ExecMsg>,
    ui_tx: mpsc::Sender<UiMsg>,
    waker: Arc<Waker>,
    drops: Arc<DropCounters>,
) {
    let mut outbox = Outbox::new(ui_tx, waker, drops, |d| &d.log_lines);
    while let Some(ExecMsg::Log(line)) = outbox.next(&mut rx).await {
        if !outbox.offer(UiMsg::Log(LogLine::from(line))) {
            return;
        }
    }
}

/// Saves the newest settings whenever they change, one save at a time, off the UI thread.
pub async fn save_settings(
    path: PathBuf,
    mut rx: watch::Receiver<Option<Settings>>,
    ui_tx: mpsc::Sender<UiMsg>,
    waker: Arc<Waker>,
) {
    while rx.changed().await.is_ok() {
        let Some(settings) = rx.borrow_and_update().clone() else {
            continue;
        };
        let target = path.clone();
        let result = tokio::task::spawn_blocking(move || settings::save_atomic(&target, &settings))
            .await
            .map_err(|e| format!("the save task failed: {e}"))
            .and_then(|r| r.map_err(|e| e.to_string()))
            .map(|()| path.clone());
        if ui_tx.send(UiMsg::Saved(result)).await.is_err() {
            return;
        }
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(msg: UiMsg) -> String {
        match msg {
            UiMsg::LiveWarning(text) => text,
            _ => panic!("not a warning"),
        }
    }

    #[tokio::test]
    async fn a_ui_far_behind_gets_the_oldest_it_had_then_the_newest_and_the_gap_is_counted() {
        let (tx, mut rx) = mpsc::channel(4);
        let drops = Arc::new(DropCounters::default());
        let mut outbox = Outbox::new(tx, Arc::default(), drops.clone(), |d| &d.feed_rows);
        outbox.capacity = 3;
        // Nobody reads: 4 fit the channel, the backlog keeps the newest 3 of the other 6.
        for i in 0..10 {
            assert!(outbox.offer(UiMsg::LiveWarning(i.to_string())));
        }
        assert_eq!(drops.feed_rows.load(Ordering::Relaxed), 3);
        assert_eq!(drops.log_lines.load(Ordering::Relaxed), 0);
        // The UI catches up; the backlog follows in order as room appears.
        let mut seen = Vec::new();
        while seen.len() < 7 {
            if outbox.has_backlog() {
                tokio::select! {
                    msg = rx.recv() => seen.push(warning(msg.unwrap())),
                    open = outbox.flush_one() => assert!(open),
                }
            } else {
                seen.push(warning(rx.recv().await.unwrap()));
            }
        }
        assert_eq!(seen, ["0", "1", "2", "3", "7", "8", "9"]);
        assert!(!outbox.has_backlog());
        // Caught up: the next one goes straight through.
        assert!(outbox.offer(UiMsg::LiveWarning("10".into())));
        assert_eq!(warning(rx.try_recv().unwrap()), "10");
        assert_eq!(drops.feed_rows.load(Ordering::Relaxed), 3);
        // The UI is gone: the outbox says so.
        drop(rx);
        assert!(!outbox.offer(UiMsg::LiveWarning("11".into())));
    }
}
