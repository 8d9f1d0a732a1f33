//! The background loops that feed the window: a session's router (credits to the executor first,
//! then feed rows to the UI; status and counters into `watch` channels; events the UI never shows
//! stay here), the executor's forwarder (queue status into a `watch`, log lines to the UI) and the
//! settings saver. Each wakes the UI only for what it will draw.

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
    /// The overlays get every output too (`None`: overlays are off).
    pub overlay: Option<OverlayHub>,
    /// Which server the session's credits are bound to (the demo's or the streamer's).
    pub origin: Origin,
}

/// Hands a message to the UI without ever waiting: a full channel (the UI is far behind) loses
/// the row and counts it. Returns false once the UI is gone.
fn offer(ui_tx: &mpsc::Sender<UiMsg>, msg: UiMsg, waker: &Waker, dropped: &AtomicU64) -> bool {
    match ui_tx.try_send(msg) {
        Ok(()) => {
            waker.wake();
            true
        }
        Err(mpsc::error::TrySendError::Full(_)) => {
            dropped.fetch_add(1, Ordering::Relaxed);
            true
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
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
    while let Some(msg) = rx.recv().await {
        if let (LiveMsg::Output(output), Some(hub)) = (&msg, &senders.overlay) {
            hub.send_output(output);
        }
        match msg {
            LiveMsg::Output(Output::Credit(decision)) => {
                executor.enqueue_from(&decision, senders.origin);
                let gift = decision.gift;
                if !offer(
                    &ui_tx,
                    UiMsg::Gift { session, gift },
                    &waker,
                    &drops.feed_rows,
                ) {
                    return;
                }
            }
            // A follow, like rule, chat command…: its actions run whatever the window shows.
            LiveMsg::Output(Output::Fired(fired)) => {
                executor.enqueue_fired_from(&fired, senders.origin);
                let line = fired.line;
                if !offer(
                    &ui_tx,
                    UiMsg::Fired { session, line },
                    &waker,
                    &drops.feed_rows,
                ) {
                    return;
                }
            }
            // Room control messages only matter to the session.
            LiveMsg::Output(Output::Event(crate::event::LiveEvent::Control { .. })) => {}
            LiveMsg::Output(Output::Event(event)) => {
                if !offer(
                    &ui_tx,
                    UiMsg::Event { session, event },
                    &waker,
                    &drops.feed_rows,
                ) {
                    return;
                }
            }
            LiveMsg::Status(status) => {
                senders.status.send_replace(status);
                waker.wake();
            }
            LiveMsg::Stats(stats) => {
                senders.stats.send_replace(stats);
            }
            LiveMsg::Warning(text) => {
                if ui_tx.send(UiMsg::LiveWarning(text)).await.is_err() {
                    return;
                }
                waker.wake();
            }
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
    while let Some(msg) = rx.recv().await {
        match msg {
            ExecMsg::Log(line) => {
                let msg = UiMsg::Log(LogLine::from(line));
                if !offer(&ui_tx, msg, &waker, &drops.log_lines) {
                    return;
                }
            }
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
