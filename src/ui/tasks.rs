//! The plumbing between the tokio runtime and the UI thread: [`UiMsg`] (the events the background
//! hands the UI), the [`Waker`] that repaints the window at most once per [`WAKE_COALESCE`] (or
//! [`BUSY_COALESCE`] while a stream is in full swing), and
//! [`Tasks`], the one helper for "spawn on the runtime, send the reply, wake the UI".

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::mpsc;

use super::errors::{DemoError, FileError, ObsTestError, SaveError, SessionKeepError};
use super::failure::RconFailure;
use super::link::DemoBackends;
use crate::event::CreditedGift;
use crate::settings;

/// Capacity of the one background → UI channel (events only; latest values go through `watch`).
pub const UI_CHANNEL_CAPACITY: usize = 8_192;
/// A burst of background events is gathered this long before the window repaints when events are
/// rare (see [`BUSY_COALESCE`] for a busy stream); nothing happening means no repaint at all.
pub const WAKE_COALESCE: Duration = Duration::from_millis(100);
/// The gathering time while events keep coming (the last event-driven frame was less than
/// [`BUSY_WINDOW`] ago): ~2.5 repaints a second. On a machine without a GPU driver a frame costs
/// ~30 ms of CPU, and the streamer's game and OBS need it more than a feed nobody can read at
/// 1,000 gifts/s. Input (a click, typing) still repaints at once.
pub const BUSY_COALESCE: Duration = Duration::from_millis(400);
/// How recent the last event-driven frame must be for the window to count as busy.
pub const BUSY_WINDOW: Duration = Duration::from_secs(1);

/// How long to gather events before repainting, given how long ago the last frame that showed
/// events was (`None`: there was none yet).
pub fn coalesce_for(since_last_event_frame: Option<Duration>) -> Duration {
    match since_last_event_frame {
        Some(since) if since < BUSY_WINDOW => BUSY_COALESCE,
        _ => WAKE_COALESCE,
    }
}

/// A callback the background calls after it handed the UI something to show.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// Events the background hands the UI, each shown once. (Status, queue and counters are latest
/// values and travel through `watch` channels instead.) Feed rows and warnings come through the
/// window's inbox (`outbox::Inbox`), replies to spawned work through the channel of [`Tasks`].
pub enum UiMsg {
    /// A credited gift for the feed, from session `session`, decided at `at_millis` (Unix ms).
    Gift {
        session: u64,
        gift: CreditedGift,
        at_millis: u64,
        /// Sent with the Test button.
        test: bool,
    },
    /// A LIVE event (follow, like, chat…) for the feed and the session totals.
    Event {
        session: u64,
        event: crate::event::LiveEvent,
        at_millis: u64,
    },
    /// The engine's like count moved (right after the like message's `Event`).
    Likes {
        session: u64,
        likes: crate::engine::Likes,
        at_millis: u64,
    },
    /// A non-gift trigger that fired or was skipped, for the feed.
    Fired {
        session: u64,
        line: crate::triggers::EventLine,
        at_millis: u64,
        test: bool,
    },
    Saved(Result<PathBuf, SaveError>),
    DemoReady {
        session: u64,
        result: Result<DemoBackends, DemoError>,
    },
    Imported(Result<(PathBuf, settings::MappingsFile), FileError>),
    /// A Tiktok2Mc folder was imported (mappings, RCON, user, and the report).
    ImportedT2m(Result<(PathBuf, Box<crate::t2m::T2mImport>), FileError>),
    Exported(Result<PathBuf, FileError>),
    /// A file dialog closed without a file; `fast` when it likely never appeared.
    DialogEmpty {
        fast: bool,
    },
    SoundPicked {
        row: usize,
        action: usize,
        path: PathBuf,
    },
    /// The Minecraft world folder chosen for the datapack.
    WorldFolderPicked(PathBuf),
    RconTested(Result<String, RconFailure>),
    ObsTested(Result<String, ObsTestError>),
    /// The keyring stored (`true`) or forgot (`false`) the TikTok session, or why not.
    SessionKept(Result<bool, SessionKeepError>),
    /// Where the settings' secrets went on a save, when the streamer should know (no keyring).
    SecretsWarning(settings::SecretsWarning),
    /// A session's warning for the streamer (e.g. the room's saved memory was damaged).
    LiveWarning(crate::live::SessionWarning),
    /// The viewers' ledger opened, or why not.
    LedgerOpened(LedgerOpened),
    /// Viewers found for the lookup `query` (or the error's words).
    ViewersFound {
        query: String,
        found: Result<Vec<crate::ledger::ViewerCard>, String>,
    },
    /// A CSV export wrote this many rows to the file, or why not.
    CsvExported(Result<(std::path::PathBuf, u64), String>),
    /// A program fired a trigger through the external trigger endpoint.
    External(crate::external::ExternalCall),
}

/// What opening the viewers' ledger gave.
pub type LedgerOpened =
    Result<(crate::ledger::Ledger, crate::ledger::LedgerReader), Arc<crate::ledger::LedgerError>>;

/// Asks the window for a repaint, coalescing bursts: the first event after a frame schedules a
/// repaint [`coalesce_for`] later; the events that follow before that frame add nothing.
pub struct Waker {
    ctx: OnceLock<egui::Context>,
    /// A repaint is scheduled and its frame has not started yet.
    pending: AtomicBool,
    born: Instant,
    /// When the last frame that a wake asked for started, in milliseconds after `born` plus one
    /// (0: none yet).
    last_event_frame: AtomicU64,
}

impl Default for Waker {
    fn default() -> Self {
        Self {
            ctx: OnceLock::new(),
            pending: AtomicBool::new(false),
            born: Instant::now(),
            last_event_frame: AtomicU64::new(0),
        }
    }
}

impl Waker {
    pub fn wake(&self) {
        if self.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint_after(coalesce_for(self.since_last_event_frame()));
        }
        // Before the first frame there is nothing to wake: that frame drains everything anyway.
    }

    /// The UI calls this at the start of each frame's logic, before draining: an event that
    /// arrives from now on schedules the next repaint.
    pub fn frame_started(&self, ctx: &egui::Context) {
        if self.ctx.get().is_none() {
            let _ = self.ctx.set(ctx.clone());
        }
        if self.pending.swap(false, Ordering::AcqRel) {
            let now = u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
            self.last_event_frame.store(now + 1, Ordering::Release);
        }
    }

    fn since_last_event_frame(&self) -> Option<Duration> {
        let at = self
            .last_event_frame
            .load(Ordering::Acquire)
            .checked_sub(1)?;
        Some(
            self.born
                .elapsed()
                .saturating_sub(Duration::from_millis(at)),
        )
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
            if info.delay >= WAKE_COALESCE {
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

    #[test]
    fn a_busy_stream_repaints_less_often_than_a_quiet_one() {
        assert_eq!(coalesce_for(None), WAKE_COALESCE);
        assert_eq!(coalesce_for(Some(Duration::from_secs(5))), WAKE_COALESCE);
        assert_eq!(coalesce_for(Some(BUSY_WINDOW)), WAKE_COALESCE);
        let busy = coalesce_for(Some(Duration::from_millis(120)));
        assert_eq!(busy, BUSY_COALESCE);
        // The promise in the name, said of the policy rather than of its two constants.
        assert!(busy > coalesce_for(None), "a busy stream gathers longer");
        assert!(
            busy > coalesce_for(Some(BUSY_WINDOW)),
            "and turns quiet again"
        );
    }

    #[test]
    fn the_waker_turns_busy_after_a_frame_that_showed_events() {
        let ctx = egui::Context::default();
        let delays = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = delays.clone();
        ctx.set_request_repaint_callback(move |info| {
            if info.delay >= WAKE_COALESCE {
                seen.lock().unwrap().push(info.delay);
            }
        });
        for _ in 0..5 {
            pass(&ctx);
        }
        let waker = Waker::default();
        // A frame from input (nothing pending): the next event is gathered briefly.
        waker.frame_started(&ctx);
        waker.wake();
        // That event's frame: events right after it are gathered longer.
        pass(&ctx);
        waker.frame_started(&ctx);
        waker.wake();
        assert_eq!(*delays.lock().unwrap(), [WAKE_COALESCE, BUSY_COALESCE]);
    }
}
