//! The viewers' game, live: the goals and the subathon timer, fed the streamer's stream (never a
//! Test or the demo), controlled from the app, shown on the overlay pages `/goals` and
//! `/subathon`, and saved in the viewers' ledger (`state` table) so a restart continues them.
//!
//! One task owns the state (`task`); [`Game`] is its non-blocking handle (a bounded channel:
//! what does not fit is counted, never waited for), and [`GameView`] the latest state for the app
//! (a `watch`). [`pages`] is the pages' JSON (pure).

pub mod boards;
pub mod pages;
mod task;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot, watch};

use crate::engine::Stamped;
use crate::goals::{GoalDef, Goals};
use crate::ledger::{Ledger, LedgerReader};
use crate::overlay::OverlayHub;
use crate::subathon::{Subathon, SubathonRates};

/// Inputs waiting for the game task; more are dropped and counted.
const INPUT_CAPACITY: usize = 8_192;

/// What the game is set up with (settings `goals` and `subathon`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GameConfig {
    pub goals: Vec<GoalDef>,
    pub subathon: SubathonRates,
    /// The chat command that shows the viewer's points (`ledger.points_command`; empty: off).
    pub points_command: String,
}

impl GameConfig {
    /// The `goals` and `subathon` parts of a settings file (headless `watch`); the defaults
    /// when it is missing or unreadable.
    pub fn peek(path: &std::path::Path) -> Self {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Part {
            goals: Vec<GoalDef>,
            subathon: SubathonRates,
            ledger: crate::ledger::LedgerSettings,
        }
        let part: Part = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Self {
            goals: part.goals,
            subathon: part.subathon,
            points_command: part.ledger.points_command,
        }
    }
}

/// What the streamer does from the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Control {
    /// Starts (or starts over) the subathon with `subathon.start_millis` on the clock.
    SubathonStart,
    SubathonPause,
    SubathonResume,
    /// Adds time by hand (running or paused).
    SubathonAdd {
        millis: u64,
    },
    /// Stops it (back to not started).
    SubathonStop,
    /// Back to no progress and the first target.
    GoalReset {
        index: usize,
    },
    /// Adds to a goal's progress by hand (an offline donation); reaching the target steps it.
    GoalAdd {
        index: usize,
        amount: u64,
    },
}

/// The latest state, for the app's panel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GameView {
    pub goals: Goals,
    pub subathon: Subathon,
    /// Whether the state is saved (a ledger is attached) and restored.
    pub saved: bool,
}

#[derive(Debug)]
enum Input {
    Output(Box<Stamped>),
    Control(Control),
    Config(GameConfig),
    /// The ledger opened: restore the saved state, and save from now on.
    Attach {
        ledger: Ledger,
        reader: LedgerReader,
    },
    /// Answered once everything before it is applied and its state committed in the ledger.
    Sync(oneshot::Sender<()>),
    /// The counters' values now (goals that track a counter move by the change).
    Counters(Vec<(String, i64)>),
}

/// The handle: cheap to clone, never blocks. The task ends when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct Game {
    input: mpsc::Sender<Input>,
    view: watch::Receiver<GameView>,
    dropped: Arc<AtomicU64>,
}

impl Game {
    /// Starts the game task on the current runtime; `hub`: the overlay pages to publish to.
    pub fn start(config: GameConfig, hub: Option<OverlayHub>) -> Self {
        let (input, rx) = mpsc::channel(INPUT_CAPACITY);
        let (view_tx, view) = watch::channel(GameView::default());
        tokio::spawn(task::run(config, hub, rx, view_tx));
        Self {
            input,
            view,
            dropped: Arc::new(AtomicU64::new(0)),
        }
    }

    fn send(&self, input: Input) {
        if self.input.try_send(input).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A viewer's output on the streamer's stream (the caller leaves out Tests and the demo).
    pub fn on_output(&self, stamped: &Stamped) {
        self.send(Input::Output(Box::new(stamped.clone())));
    }

    pub fn control(&self, control: Control) {
        self.send(Input::Control(control));
    }

    /// New goal definitions or subathon rates (a goal whose definition is unchanged keeps its
    /// progress).
    pub fn set_config(&self, config: GameConfig) {
        self.send(Input::Config(config));
    }

    /// Goals that track a counter follow `board`'s counters from now on: each change moves them
    /// by its difference (values before this call are the baseline). Never blocks the counters.
    pub fn follow_counters(&self, mut board: watch::Receiver<crate::counter_hub::CounterBoard>) {
        let game = self.clone();
        tokio::spawn(async move {
            loop {
                let values = board
                    .borrow_and_update()
                    .counters
                    .iter()
                    .map(|c| (c.def.name.clone(), c.value))
                    .collect();
                game.send(Input::Counters(values));
                if board.changed().await.is_err() || game.input.is_closed() {
                    return;
                }
            }
        });
    }

    /// Restores the saved state from the ledger and saves there from now on.
    pub fn attach(&self, ledger: Ledger, reader: LedgerReader) {
        self.send(Input::Attach { ledger, reader });
    }

    /// Waits until everything sent before is applied, saved and committed (the end of `watch`,
    /// tests). Returns at once when the task is gone.
    pub async fn synced(&self) {
        let (ack, done) = oneshot::channel();
        if self.input.send(Input::Sync(ack)).await.is_ok() {
            let _ = done.await;
        }
    }

    /// The latest state (the app reads it each frame it draws the panel).
    pub fn view(&self) -> watch::Receiver<GameView> {
        self.view.clone()
    }

    /// Inputs lost because the task fell far behind (should stay 0).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests;

fn wall_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
