//! The window as one subscriber of the dispatch ([`ToWindow`]): feed rows and warnings go into
//! the [`Inbox`] the UI thread drains each frame, status and counters into `watch` channels. It
//! never waits for the window: while the window is minimized (no frames) the inbox keeps the
//! newest rows and counts the older ones it lets go, so on return the streamer sees what just
//! happened, and a warning is never among those let go. Wakes the UI only for what it will draw.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

use super::bridge::{ConnStatus, LiveMsg};
use super::tasks::{UiMsg, Waker};
use crate::dispatch::{Source, Subscriber};
use crate::engine::{self, Output};
use crate::event::LiveEvent;
use crate::live::SessionWarning;

/// How many feed rows wait for a window that fell behind (a minimized one): as many as the feed
/// keeps, so the rows it shows on return are the newest.
pub const INBOX_ROWS: usize = super::feed::FEED_CAPACITY;
/// How many warnings wait; a session sends a handful at most, so more means a loop gone wrong.
pub const INBOX_WARNINGS: usize = 64;

#[derive(Default)]
struct Queues {
    rows: VecDeque<UiMsg>,
    warnings: VecDeque<SessionWarning>,
}

/// What the background hands the window to show once (feed rows, session warnings), bounded,
/// never blocking the sender. Shared by the window's subscribers and the UI thread.
#[derive(Default)]
pub struct Inbox {
    queues: Mutex<Queues>,
    waker: Arc<Waker>,
    /// Feed rows let go because the window was far behind (the status bar shows it).
    rows_let_go: AtomicU64,
    warnings_let_go: AtomicU64,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field("waiting", &self.len())
            .field("rows_let_go", &self.rows_let_go())
            .finish_non_exhaustive()
    }
}

impl Inbox {
    pub fn new(waker: Arc<Waker>) -> Self {
        Self {
            waker,
            ..Self::default()
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queues> {
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a feed row, letting the oldest waiting row go beyond [`INBOX_ROWS`].
    pub fn push_row(&self, row: UiMsg) {
        let let_go = {
            let mut queues = self.lock();
            queues.rows.push_back(row);
            let excess = queues.rows.len().saturating_sub(INBOX_ROWS);
            queues.rows.drain(..excess);
            excess
        };
        if let_go > 0 {
            self.rows_let_go.fetch_add(let_go as u64, Ordering::Relaxed);
        }
        self.waker.wake();
    }

    /// Adds a warning for a notice. Rows never push one out.
    pub fn push_warning(&self, warning: SessionWarning) {
        let let_go = {
            let mut queues = self.lock();
            queues.warnings.push_back(warning);
            let excess = queues.warnings.len().saturating_sub(INBOX_WARNINGS);
            queues.warnings.drain(..excess);
            excess
        };
        if let_go > 0 {
            self.warnings_let_go
                .fetch_add(let_go as u64, Ordering::Relaxed);
        }
        self.waker.wake();
    }

    /// Moves up to `max` waiting messages into `into`: warnings first, then rows, oldest first.
    pub fn take(&self, max: usize, into: &mut Vec<UiMsg>) {
        let mut queues = self.lock();
        let warnings = queues.warnings.len().min(max);
        into.extend(queues.warnings.drain(..warnings).map(UiMsg::LiveWarning));
        let rows = queues.rows.len().min(max - warnings);
        into.extend(queues.rows.drain(..rows));
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        let queues = self.lock();
        queues.rows.len() + queues.warnings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn rows_let_go(&self) -> u64 {
        self.rows_let_go.load(Ordering::Relaxed)
    }

    pub fn warnings_let_go(&self) -> u64 {
        self.warnings_let_go.load(Ordering::Relaxed)
    }
}

/// A session's latest values, as the window reads them.
pub struct SessionSenders {
    pub status: watch::Sender<ConnStatus>,
    pub stats: watch::Sender<engine::Stats>,
    /// The provider carrying the stream and the outages ahead of it.
    pub route: watch::Sender<Option<crate::live::Route>>,
}

/// The window's subscriber for one session (or one Test): rows and warnings into the inbox,
/// status and counters replace the previous value. Only a status change wakes the UI (counters
/// are drawn with the next repaint).
pub struct ToWindow {
    session: u64,
    inbox: Arc<Inbox>,
    /// `None` for a Test, which has no status of its own.
    senders: Option<SessionSenders>,
}

impl ToWindow {
    /// The subscriber of session `session`, whose status and counters go to `senders`.
    pub fn session(session: u64, inbox: Arc<Inbox>, senders: SessionSenders) -> Self {
        Self {
            session,
            inbox,
            senders: Some(senders),
        }
    }

    /// Rows only, shown as session `session`'s (the Test button, benchmarks).
    pub fn rows(session: u64, inbox: Arc<Inbox>) -> Self {
        Self {
            session,
            inbox,
            senders: None,
        }
    }
}

impl Subscriber for ToWindow {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        let session = self.session;
        let test = source.test;
        match msg {
            LiveMsg::Output(stamped) => {
                let at_millis = stamped.at_millis;
                let row = match &stamped.output {
                    Output::Credit(decision) => UiMsg::Gift {
                        session,
                        gift: decision.gift.clone(),
                        at_millis,
                        test,
                    },
                    Output::Fired(fired) => UiMsg::Fired {
                        session,
                        line: fired.line.clone(),
                        at_millis,
                        test,
                    },
                    // Room control messages only matter to the session; a Test's follow or
                    // likes are no viewer's (its fired row shows what it did) and stay out of
                    // the feed and its totals.
                    Output::Event(LiveEvent::Control { .. }) => return,
                    Output::Event(_) | Output::Likes(_) if test => return,
                    Output::Likes(likes) => UiMsg::Likes {
                        session,
                        likes: *likes,
                        at_millis,
                    },
                    Output::Event(event) => UiMsg::Event {
                        session,
                        event: event.clone(),
                        at_millis,
                    },
                };
                self.inbox.push_row(row);
            }
            LiveMsg::Status(status) => {
                if let Some(senders) = &self.senders {
                    senders.status.send_replace(status.clone());
                    self.inbox.waker.wake();
                }
            }
            LiveMsg::Stats(stats) => {
                if let Some(senders) = &self.senders {
                    senders.stats.send_replace(*stats);
                }
            }
            LiveMsg::Warning(warning) => self.inbox.push_warning(warning.clone()),
            LiveMsg::Route(route) => {
                if let Some(senders) = &self.senders {
                    // Shown on the status line; the log keeps it for after the stream.
                    if let Some(words) =
                        super::failure::route_words(route, &super::failure::local_clock)
                    {
                        tracing::warn!("{words}");
                    }
                    senders.route.send_replace(Some(route.clone()));
                    self.inbox.waker.wake();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room_store::RoomStoreError;

    fn row(i: i64) -> UiMsg {
        UiMsg::Event {
            session: 1,
            event: LiveEvent::Chat {
                msg_id: i,
                user: crate::event::User::default(),
                text: i.to_string(),
                create_time_millis: 0,
            },
            at_millis: 0,
        }
    }

    fn id(msg: &UiMsg) -> Option<i64> {
        match msg {
            UiMsg::Event { event, .. } => Some(event.msg_id()),
            _ => None,
        }
    }

    fn warning(n: usize) -> SessionWarning {
        SessionWarning::Memory(Arc::new(RoomStoreError::BadRoomId {
            room_id: n.to_string(),
        }))
    }

    #[test]
    fn a_window_far_behind_gets_the_newest_rows_the_gap_counted_and_every_warning() {
        let inbox = Inbox::default();
        let total = INBOX_ROWS as i64 + 500;
        for i in 0..total {
            inbox.push_row(row(i));
            if i == 10 {
                inbox.push_warning(warning(1));
            }
        }
        assert_eq!(inbox.rows_let_go(), 500);
        assert_eq!(inbox.len(), INBOX_ROWS + 1);
        let mut got = Vec::new();
        inbox.take(3, &mut got);
        assert!(matches!(got[0], UiMsg::LiveWarning(_)), "the warning first");
        assert_eq!(
            got[1..].iter().map(id).collect::<Vec<_>>(),
            [Some(500), Some(501)]
        );
        got.clear();
        while !inbox.is_empty() {
            inbox.take(64, &mut got);
        }
        assert_eq!(got.len(), INBOX_ROWS - 2);
        assert_eq!(
            got.last().and_then(id),
            Some(total - 1),
            "ends with the newest"
        );
        assert_eq!(inbox.warnings_let_go(), 0);
    }

    /// Like messages as TikTok sends them under load: one lost (the total jumps), one late (a
    /// lower total). The feed and the overlay goal both show the engine's count.
    #[tokio::test]
    async fn the_feed_and_the_like_goal_show_the_same_count() {
        use crate::dispatch::{Dispatch, ToOverlays};
        use crate::overlay::{HubConfig, OverlayHub, Page};
        let like = |msg_id: i64, count: u32, total: i64| LiveEvent::Like {
            msg_id,
            user: crate::event::User::default(),
            count,
            total,
            create_time_millis: 0,
        };
        let hub = OverlayHub::start(HubConfig::default());
        let inbox = Arc::new(Inbox::default());
        let mut pipeline = engine::Pipeline::new(
            engine::EngineConfig::default(),
            crate::mappings::MappingTable::default(),
        );
        let mut out = Vec::new();
        let batch = crate::wire::Batch {
            messages: 3,
            events: vec![like(1, 10, 1_010), like(2, 5, 1_100), like(3, 20, 1_050)],
            ..crate::wire::Batch::default()
        };
        pipeline.ingest_batch(batch, 1_000, &mut out);
        let mut dispatch = Dispatch::new(Source::STREAM);
        dispatch
            .subscribe(ToOverlays(hub.clone()))
            .subscribe(ToWindow::rows(1, inbox.clone()));
        for output in out {
            dispatch.deliver(&LiveMsg::Output(pipeline.stamp(output)));
        }
        let mut feed = super::super::feed::Feed::default();
        let mut msgs = Vec::new();
        inbox.take(usize::MAX, &mut msgs);
        for msg in msgs {
            match msg {
                UiMsg::Event {
                    event, at_millis, ..
                } => feed.push_event_at(&event, at_millis),
                UiMsg::Likes {
                    likes, at_millis, ..
                } => feed.push_likes_at(&likes, at_millis),
                _ => {}
            }
        }
        assert_eq!(
            feed.likes_total(),
            100,
            "1,000 before the first, 1,100 last"
        );
        assert_eq!(feed.likes_total(), pipeline.likes_counted());
        let mut goal = hub.subscribe_page(Page::Goal);
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let value: serde_json::Value = serde_json::from_str(&goal.borrow_and_update()).unwrap();
            if value["likes"] == feed.likes_total() {
                break;
            }
            tokio::time::timeout_at(deadline, goal.changed())
                .await
                .expect("the goal shows the feed's count")
                .unwrap();
        }
    }

    #[test]
    fn warnings_are_bounded_apart_from_rows() {
        let inbox = Inbox::default();
        for n in 0..INBOX_WARNINGS + 3 {
            inbox.push_warning(warning(n));
        }
        assert_eq!(inbox.warnings_let_go(), 3);
        assert_eq!(inbox.rows_let_go(), 0);
        let mut got = Vec::new();
        inbox.take(usize::MAX, &mut got);
        assert_eq!(got.len(), INBOX_WARNINGS);
    }
}
