//! The game task: owns the goals and the subathon timer, applies outputs and controls in order,
//! publishes the pages and the app's view after each burst, ends the timer on time, and saves the
//! state in the ledger at most once a second while it changes (at once after a control).

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::pages::{goals_state, points_state, subathon_state};
use super::{Control, GameConfig, GameView, Input, wall_millis};
use crate::goals::{self, Goals};
use crate::ledger::{Ledger, LedgerError, LedgerReader, queries};
use crate::overlay::{OverlayHub, Page};
use crate::standings::Standings;
use crate::subathon::{self, Clock, Subathon};
use crate::triggers::match_command;

/// Saves wait this long after a change, so a storm costs one save a second.
const SAVE_EVERY: Duration = Duration::from_secs(1);
/// Most inputs applied before the pages are republished.
const BATCH: usize = 256;

struct State {
    config: GameConfig,
    goals: Goals,
    subathon: Subathon,
    hub: Option<OverlayHub>,
    ledger: Option<Ledger>,
    /// A change not saved yet, and since when.
    unsaved_since: Option<Instant>,
    view: watch::Sender<GameView>,
    /// The ledger's viewers' points (`!points`), once attached.
    standings: Option<Standings>,
    /// The last `!points` card's id.
    points_cards: u64,
}

impl State {
    fn new(config: GameConfig, hub: Option<OverlayHub>, view: watch::Sender<GameView>) -> Self {
        Self {
            goals: Goals::new(&config.goals),
            subathon: Subathon::default(),
            config,
            hub,
            ledger: None,
            unsaved_since: None,
            view,
            standings: None,
            points_cards: 0,
        }
    }

    fn changed(&mut self) {
        self.unsaved_since.get_or_insert_with(Instant::now);
    }

    /// When a running timer reaches zero.
    fn ends_at(&self) -> Option<Instant> {
        let Clock::Running { ends_at_millis } = self.subathon.clock else {
            return None;
        };
        let left = ends_at_millis.saturating_sub(wall_millis());
        Some(Instant::now() + Duration::from_millis(left))
    }

    fn save_due(&self) -> Option<Instant> {
        self.unsaved_since.map(|since| since + SAVE_EVERY)
    }

    async fn apply(&mut self, input: Input) {
        let now = wall_millis();
        match input {
            Input::Output(stamped) => {
                self.points_card(&stamped.output, now);
                let reached = self.goals.on_output(&stamped.output);
                let added = self
                    .subathon
                    .on_output(&stamped.output, &self.config.subathon, now);
                if !reached.is_empty() || added > 0 || touches_goals(&self.goals, &stamped) {
                    self.changed();
                }
            }
            Input::Control(control) => {
                self.control(control, now);
                // What the streamer did by hand is saved at once.
                self.save();
            }
            Input::Config(config) => {
                self.goals.define(&config.goals);
                self.config = config;
                self.changed();
            }
            Input::Attach { ledger, reader } => {
                match restore(&reader).await {
                    Ok((goals, subathon)) => {
                        if let Some(mut goals) = goals {
                            goals.define(&self.config.goals);
                            self.goals = goals;
                        }
                        if let Some(subathon) = subathon {
                            self.subathon = subathon;
                        }
                    }
                    Err(err) => tracing::warn!("goals and the subathon start afresh: {err}"),
                }
                self.standings = Some(ledger.standings());
                self.ledger = Some(ledger);
            }
            Input::Sync(ack) => {
                self.save();
                if let Some(ledger) = &mut self.ledger
                    && let Err(err) = ledger.synced().await
                {
                    tracing::warn!("the goals could not be saved: {err}");
                }
                self.publish();
                let _ = ack.send(());
            }
        }
    }

    /// A viewer typed the points command: their card on `/points`.
    fn points_card(&mut self, output: &crate::engine::Output, now: u64) {
        let (Some(standings), Some(hub)) = (&self.standings, &self.hub) else {
            return;
        };
        let crate::engine::Output::Event(crate::event::LiveEvent::Chat { user, text, .. }) = output
        else {
            return;
        };
        if user.user_id == 0 || match_command(text, &self.config.points_command).is_none() {
            return;
        }
        self.points_cards += 1;
        let standing = standings.standing(user.user_id);
        hub.publish(
            Page::Points,
            points_state(self.points_cards, user, standing, now),
        );
    }

    fn control(&mut self, control: Control, now: u64) {
        let s = &mut self.subathon;
        match control {
            Control::SubathonStart => s.start(self.config.subathon.start_millis, now),
            Control::SubathonPause => s.pause(now),
            Control::SubathonResume => s.resume(now),
            Control::SubathonAdd { millis } => {
                s.add(millis, self.config.subathon.max_remaining_millis, now);
            }
            Control::SubathonStop => *s = Subathon::default(),
            Control::GoalReset { index } => {
                self.goals.reset(index);
            }
            Control::GoalAdd { index, amount } => {
                self.goals.add_to(index, amount);
            }
        }
    }

    fn save(&mut self) {
        self.unsaved_since = None;
        let Some(ledger) = &mut self.ledger else {
            return;
        };
        let now = wall_millis();
        match (
            serde_json::to_string(&self.goals),
            serde_json::to_string(&self.subathon),
        ) {
            (Ok(goals), Ok(subathon)) => {
                ledger.save_state(goals::STATE_NAME, goals, now);
                ledger.save_state(subathon::STATE_NAME, subathon, now);
            }
            (Err(err), _) | (_, Err(err)) => tracing::warn!("cannot save the goals: {err}"),
        }
    }

    fn publish(&self) {
        let now = wall_millis();
        if let Some(hub) = &self.hub {
            hub.publish(Page::Goals, goals_state(&self.goals));
            hub.publish(Page::Subathon, subathon_state(&self.subathon, now));
        }
        self.view.send_if_modified(|shown| {
            let next = GameView {
                goals: self.goals.clone(),
                subathon: self.subathon.clone(),
                saved: self.ledger.is_some(),
            };
            let modified = *shown != next;
            *shown = next;
            modified
        });
    }
}

/// A goal of this output's metric moved (progress changed without reaching a target).
fn touches_goals(goals: &Goals, stamped: &crate::engine::Stamped) -> bool {
    goals
        .iter()
        .any(|g| g.def.metric.amount(&stamped.output) > 0)
}

/// The saved goals and timer (each `None` when never saved or unreadable).
async fn restore(reader: &LedgerReader) -> Result<(Option<Goals>, Option<Subathon>), LedgerError> {
    let (goals, subathon) = reader
        .read(|conn| {
            Ok((
                queries::load_state(conn, goals::STATE_NAME)?,
                queries::load_state(conn, subathon::STATE_NAME)?,
            ))
        })
        .await?;
    Ok((parse("goals", goals), parse("subathon", subathon)))
}

/// A saved state, or `None` (never saved; unreadable, which is logged: it starts afresh).
fn parse<T: serde::de::DeserializeOwned>(name: &str, json: Option<String>) -> Option<T> {
    match serde_json::from_str(&json?) {
        Ok(value) => Some(value),
        Err(err) => {
            tracing::warn!("the saved {name} could not be read ({err}); starting afresh");
            None
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

pub(super) async fn run(
    config: GameConfig,
    hub: Option<OverlayHub>,
    mut rx: mpsc::Receiver<Input>,
    view: watch::Sender<GameView>,
) {
    let mut state = State::new(config, hub, view);
    state.publish();
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            received = rx.recv_many(&mut batch, BATCH) => {
                if received == 0 {
                    break;
                }
                for input in batch.drain(..) {
                    state.apply(input).await;
                }
            }
            () = sleep_until(state.ends_at()) => {
                if state.subathon.tick(wall_millis()) {
                    state.save();
                }
            }
            () = sleep_until(state.save_due()) => state.save(),
        }
        state.publish();
    }
    if state.unsaved_since.is_some() {
        state.save();
    }
}
