//! The plumbing between the tokio runtime and the UI thread: [`UiMsg`] (the events the background
//! hands the UI), the [`Waker`] that repaints the window at most once per [`WAKE_COALESCE`], and
//! [`Tasks`], the one helper for "spawn on the runtime, send the reply, wake the UI".

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::mpsc;

use super::bridge::LogLine;
use super::failure::RconFailure;
use super::state::DemoBackends;
use crate::event::CreditedGift;
use crate::settings;

/// Capacity of the one background → UI channel (events only; latest values go through `watch`).
pub const UI_CHANNEL_CAPACITY: usize = 8_192;
/// A burst of background events is gathered this long before the window repaints: at most ~10
/// repaints a second while gifts pour in, and none at all while nothing happens.
pub const WAKE_COALESCE: Duration = Duration::from_millis(100);

/// A callback the background calls after it handed the UI something to show.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// Events the background hands the UI, each shown once. (Status, queue and counters are latest
/// values and travel through `watch` channels instead.)
pub enum UiMsg {
    /// A credited gift for the feed, from session `session`.
    Gift {
        session: u64,
        gift: CreditedGift,
    },
    /// A LIVE event (follow, like, chat…) for the feed and the session totals.
    Event {
        session: u64,
        event: crate::event::LiveEvent,
    },
    /// A non-gift trigger that fired or was skipped, for the feed.
    Fired {
        session: u64,
        line: crate::triggers::EventLine,
    },
    /// A finished action for the queue panel's log.
    Log(LogLine),
    Saved(Result<PathBuf, String>),
    DemoReady {
        session: u64,
        result: Result<DemoBackends, String>,
    },
    Imported(Result<(PathBuf, settings::MappingsFile), String>),
    /// A Tiktok2Mc folder was imported (mappings, RCON, user, and the report).
    ImportedT2m(Result<(PathBuf, Box<crate::t2m::T2mImport>), String>),
    Exported(Result<PathBuf, String>),
    /// A file dialog closed without a file; `fast` when it likely never appeared.
    DialogEmpty {
        fast: bool,
    },
    SoundPicked {
        row: usize,
        action: usize,
        path: PathBuf,
    },
    RconTested(Result<String, RconFailure>),
    ObsTested(Result<String, String>),
    /// A session's warning for the streamer (e.g. the room's saved memory was damaged).
    LiveWarning(String),
}

/// Asks the window for a repaint, coalescing bursts: the first event after a frame schedules a
/// repaint [`WAKE_COALESCE`] later; the events that follow before that frame add nothing.
#[derive(Default)]
pub struct Waker {
    ctx: OnceLock<egui::Context>,
    /// A repaint is scheduled and its frame has not started yet.
    pending: AtomicBool,
}

impl Waker {
    pub fn wake(&self) {
        if self.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint_after(WAKE_COALESCE);
        }
        // Before the first frame there is nothing to wake: that frame drains everything anyway.
    }

    /// The UI calls this at the start of each frame's logic, before draining: an event that
    /// arrives from now on schedules the next repaint.
    pub fn frame_started(&self, ctx: &egui::Context) {
        if self.ctx.get().is_none() {
            let _ = self.ctx.set(ctx.clone());
        }
        self.pending.store(false, Ordering::Release);
    }
}

/// Spawns background work whose result the UI shows.
#[derive(Clone)]
pub struct Tasks {
    runtime: Handle,
    tx: mpsc::Sender<UiMsg>,
    waker: Arc<Waker>,
}

impl Tasks {
    pub fn new(runtime: Handle, tx: mpsc::Sender<UiMsg>, waker: Arc<Waker>) -> Self {
        Self { runtime, tx, waker }
    }

    /// Runs `work` on the runtime, hands its reply to the UI and wakes it. A reply for a window
    /// that has closed is dropped.
    pub fn spawn<F>(&self, work: F)
    where
        F: Future<Output = UiMsg> + Send + 'static,
    {
        let tx = self.tx.clone();
        let waker = self.waker.clone();
        self.runtime.spawn(async move {
            let reply = work.await;
            if tx.send(reply).await.is_ok() {
                waker.wake();
            }
        });
    }

    /// Starts a long-running background loop (it does its own sending and waking).
    pub fn spawn_loop<F>(&self, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.runtime.spawn(work);
    }

    pub fn runtime(&self) -> &Handle {
        &self.runtime
    }

    pub fn sender(&self) -> mpsc::Sender<UiMsg> {
        self.tx.clone()
    }

    pub fn waker(&self) -> Arc<Waker> {
        self.waker.clone()
    }
}

/// A wake callback that does nothing: for producers whose consumer is a router that wakes the
/// UI itself, only for what the UI shows.
pub fn no_wake() -> Wake {
    Arc::new(|| {})
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One egui pass, as a frame would run it.
    fn pass(ctx: &egui::Context) {
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
    }

    #[test]
    fn a_burst_schedules_one_repaint_until_the_next_frame() {
        let ctx = egui::Context::default();
        let repaints = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = repaints.clone();
        ctx.set_request_repaint_callback(move |info| {
            if info.delay == WAKE_COALESCE {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let waker = Waker::default();
        waker.wake();
        assert_eq!(repaints.load(Ordering::SeqCst), 0, "no context yet");
        // egui repaints its first frames by itself; let it settle.
        for _ in 0..5 {
            pass(&ctx);
        }
        waker.frame_started(&ctx);
        for _ in 0..1_000 {
            waker.wake();
        }
        assert_eq!(repaints.load(Ordering::SeqCst), 1, "one repaint per burst");
        pass(&ctx);
        waker.wake();
        assert_eq!(
            repaints.load(Ordering::SeqCst),
            1,
            "not re-armed until logic ran"
        );
        waker.frame_started(&ctx);
        waker.wake();
        assert_eq!(
            repaints.load(Ordering::SeqCst),
            2,
            "the next frame re-arms it"
        );
    }
}
