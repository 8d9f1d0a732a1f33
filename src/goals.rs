//! Goals for any metric — coins, likes, follows, shares, subscriptions and Super Fans, or a
//! counter — with the like goal's behaviours when one is reached (reset, add a step, multiply;
//! `overlay::tallies::GoalStep`), several at once. Pure: fed what the engine credited (each output
//! once), no I/O. The definitions are settings; the progress is live state the app saves (the
//! viewers' ledger database's `state` table, [`STATE_NAME`]) so a restart continues it.

use serde::{Deserialize, Serialize};

use crate::counters::{CounterChange, counter_key};
use crate::engine::Output;
use crate::event::{LiveEvent, RoomKind, SocialKind, SuperFanMoment};
pub use crate::overlay::tallies::GoalStep;
use crate::overlay::tallies::{GoalConfig, LikeGoal};

/// Where the app saves [`Goals`].
pub const STATE_NAME: &str = "goals";

/// What a goal counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "metric", content = "name", rename_all = "snake_case")]
pub enum Metric {
    /// Coins (diamonds) of credited gifts.
    Coins,
    Likes,
    /// New followers (a follow message; TikTok sends one per follow).
    Follows,
    Shares,
    /// Subscriptions and Super Fan joins.
    Subscriptions,
    /// A counter's value ([`crate::counters`]), by name.
    Counter(String),
}

impl Metric {
    /// How much one engine output adds to this metric (0 for a counter: counters change through
    /// [`Goals::on_counter`]).
    pub fn amount(&self, output: &Output) -> u64 {
        match (self, output) {
            (Metric::Coins, Output::Credit(d)) => d.gift.total_diamonds(),
            // The engine's like count (from the room totals), never the sum of like messages,
            // which TikTok thins out under load (see `engine::Likes`).
            (Metric::Likes, Output::Likes(likes)) => likes.added,
            (Metric::Follows, Output::Event(LiveEvent::Social { kind, .. })) => {
                u64::from(*kind == SocialKind::Follow)
            }
            (Metric::Shares, Output::Event(LiveEvent::Social { kind, .. })) => {
                u64::from(*kind == SocialKind::Share)
            }
            (Metric::Subscriptions, Output::Event(event)) => u64::from(
                event.subscriber().is_some()
                    || matches!(event, LiveEvent::Room(r) if r.kind == RoomKind::SuperFan { moment: SuperFanMoment::New }),
            ),
            _ => 0,
        }
    }
}

/// One goal's definition (settings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoalDef {
    /// What the overlay shows above the bar ("Coins for the next challenge").
    pub title: String,
    #[serde(flatten)]
    pub metric: Metric,
    pub initial_target: u64,
    pub step: GoalStep,
}

impl Default for GoalDef {
    fn default() -> Self {
        Self {
            title: String::new(),
            metric: Metric::Coins,
            initial_target: 1_000,
            step: GoalStep::Add { step: 1_000 },
        }
    }
}

/// A goal's progress: the saved state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub def: GoalDef,
    /// Counted toward `target` (everything since the start, except in `Reset` mode).
    pub progress: u64,
    pub target: u64,
    /// How many times the goal was reached.
    pub reached: u32,
}

/// A goal reached (for an alert or a trigger).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reached {
    /// The goal's place in the list.
    pub index: usize,
    /// How many times at once (a big gift can pass several targets).
    pub times: u32,
}

impl Goal {
    pub fn new(def: GoalDef) -> Self {
        Self {
            progress: 0,
            target: def.initial_target.max(1),
            reached: 0,
            def,
        }
    }

    /// Adds to the progress; returns how many targets this reached.
    pub fn add(&mut self, amount: u64) -> u32 {
        // The like goal's rule (closed forms for reset and step, so a huge amount costs no more
        // than a small one), one implementation for every metric.
        let mut rule = LikeGoal::new(GoalConfig {
            initial_target: self.target,
            step: self.def.step,
        });
        rule.likes = self.progress;
        let reached = rule.add_likes(amount);
        self.progress = rule.likes;
        self.target = rule.target;
        self.reached = self.reached.saturating_add(reached);
        reached
    }

    /// Takes from the progress (a counter went down); targets already reached stay reached.
    pub fn take(&mut self, amount: u64) {
        self.progress = self.progress.saturating_sub(amount);
    }

    /// Back to the start: no progress, the initial target.
    pub fn reset(&mut self) {
        *self = Self::new(self.def.clone());
    }

    /// Progress toward the target, 0.0 to 1.0 (for the bar).
    pub fn fraction(&self) -> f64 {
        (self.progress as f64 / self.target.max(1) as f64).min(1.0)
    }
}

/// Every goal, in the order the streamer set them up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Goals {
    goals: Vec<Goal>,
}

impl Goals {
    pub fn new(defs: &[GoalDef]) -> Self {
        Self {
            goals: defs.iter().cloned().map(Goal::new).collect(),
        }
    }

    /// Brings the list in line with `defs` (after a settings change, or over a restored state): a
    /// goal that counts the same way (metric, first target, step; a new title is fine) keeps its
    /// progress, others start over.
    pub fn define(&mut self, defs: &[GoalDef]) {
        let counts_alike = |a: &GoalDef, b: &GoalDef| {
            a.metric == b.metric && a.initial_target == b.initial_target && a.step == b.step
        };
        let mut old = std::mem::take(&mut self.goals);
        self.goals = defs
            .iter()
            .map(|def| {
                let found = (old.iter().position(|g| &g.def == def))
                    .or_else(|| old.iter().position(|g| counts_alike(&g.def, def)));
                match found {
                    Some(i) => Goal {
                        def: def.clone(),
                        ..old.swap_remove(i)
                    },
                    None => Goal::new(def.clone()),
                }
            })
            .collect();
    }

    /// Counts one engine output toward every goal of its metric; returns the goals it reached.
    pub fn on_output(&mut self, output: &Output) -> Vec<Reached> {
        let mut reached = Vec::new();
        for (index, goal) in self.goals.iter_mut().enumerate() {
            let amount = goal.def.metric.amount(output);
            if amount > 0 {
                let times = goal.add(amount);
                if times > 0 {
                    reached.push(Reached { index, times });
                }
            }
        }
        reached
    }

    /// A counter changed: goals tracking it move by the difference.
    pub fn on_counter(&mut self, name: &str, change: CounterChange) -> Vec<Reached> {
        let key = counter_key(name);
        let mut reached = Vec::new();
        for (index, goal) in self.goals.iter_mut().enumerate() {
            if !matches!(&goal.def.metric, Metric::Counter(n) if counter_key(n) == key) {
                continue;
            }
            let delta = change.delta();
            if delta < 0 {
                goal.take(delta.unsigned_abs());
            } else {
                let times = goal.add(delta.unsigned_abs());
                if times > 0 {
                    reached.push(Reached { index, times });
                }
            }
        }
        reached
    }

    /// Resets one goal (the app's button); false when there is no such goal.
    pub fn reset(&mut self, index: usize) -> bool {
        self.goals.get_mut(index).map(Goal::reset).is_some()
    }

    /// Adds to one goal by hand (the app's button); how many targets it reached.
    pub fn add_to(&mut self, index: usize, amount: u64) -> u32 {
        self.goals.get_mut(index).map_or(0, |g| g.add(amount))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Goal> {
        self.goals.iter()
    }

    pub fn get(&self, index: usize) -> Option<&Goal> {
        self.goals.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::outputs;

    fn gift(coins: u32, count: u32) -> Output {
        outputs::credit(1, &outputs::viewer(7, "anna"), coins, count)
    }

    fn social(kind: SocialKind) -> Output {
        outputs::social(2, &outputs::viewer(8, "ben"), kind)
    }

    fn def(metric: Metric, target: u64, step: GoalStep) -> GoalDef {
        GoalDef {
            title: String::new(),
            metric,
            initial_target: target,
            step,
        }
    }

    #[test]
    fn subscriptions_count_sub_notify_member_subscribe_and_new_super_fans() {
        use crate::event::{MEMBER_SUBSCRIBED, RoomEvent, RoomKind};
        let room = |kind| {
            Output::Event(LiveEvent::Room(Box::new(RoomEvent {
                msg_id: 1,
                create_time_millis: 0,
                user: outputs::viewer(8, "ben"),
                kind,
            })))
        };
        let metric = Metric::Subscriptions;
        assert_eq!(
            metric.amount(&room(RoomKind::Subscription { months: 2 })),
            1
        );
        assert_eq!(
            metric.amount(&outputs::member(
                2,
                &outputs::viewer(8, "ben"),
                MEMBER_SUBSCRIBED
            )),
            1
        );
        assert_eq!(
            metric.amount(&room(RoomKind::SuperFan {
                moment: SuperFanMoment::New
            })),
            1
        );
        assert_eq!(
            metric.amount(&room(RoomKind::SuperFan {
                moment: SuperFanMoment::Join
            })),
            0
        );
    }

    #[test]
    fn each_goal_counts_its_own_metric() {
        let mut goals = Goals::new(&[
            def(Metric::Coins, 100, GoalStep::Add { step: 100 }),
            def(Metric::Follows, 2, GoalStep::Reset),
            def(Metric::Shares, 10, GoalStep::Reset),
        ]);
        assert!(goals.on_output(&gift(1, 99)).is_empty());
        // 204 coins: the targets 100 and 200 are both passed.
        assert_eq!(
            goals.on_output(&gift(5, 21)),
            [Reached { index: 0, times: 2 }]
        );
        let coins = goals.get(0).unwrap();
        assert_eq!((coins.progress, coins.target, coins.reached), (204, 300, 2));
        goals.on_output(&social(SocialKind::Follow));
        let reached = goals.on_output(&social(SocialKind::Follow));
        assert_eq!(reached, [Reached { index: 1, times: 1 }]);
        assert_eq!(goals.get(1).unwrap().progress, 0, "reset mode starts over");
        goals.on_output(&social(SocialKind::Share));
        assert_eq!(goals.get(2).unwrap().progress, 1);
    }

    #[test]
    fn the_like_goal_behaviours_hold_for_any_metric() {
        let mut reset = Goal::new(def(Metric::Coins, 100, GoalStep::Reset));
        assert_eq!(reset.add(250), 2);
        assert_eq!((reset.progress, reset.target), (50, 100));
        let mut step = Goal::new(def(Metric::Coins, 100, GoalStep::Add { step: 50 }));
        assert_eq!(step.add(260), 4, "100, 150, 200 and 250");
        assert_eq!(step.target, 300);
        let mut multiply = Goal::new(def(Metric::Likes, 100, GoalStep::Multiply { factor: 3 }));
        assert_eq!(multiply.add(1_000), 3, "100, 300, 900");
        assert_eq!(multiply.target, 2_700);
        assert!((multiply.fraction() - 1_000.0 / 2_700.0).abs() < 1e-9);
        multiply.reset();
        assert_eq!(
            (multiply.progress, multiply.target, multiply.reached),
            (0, 100, 0)
        );
        let mut huge = Goal::new(def(Metric::Coins, 1, GoalStep::Add { step: 1 }));
        assert_eq!(huge.add(u64::MAX), u32::MAX, "saturates, in constant time");
    }

    #[test]
    fn a_goal_can_track_a_counter() {
        use crate::counters::{CounterDef, CounterOp, Counters};
        let mut counters = Counters::new(&[CounterDef::named("Deaths")]);
        let mut goals = Goals::new(&[def(
            Metric::Counter("deaths".into()),
            3,
            GoalStep::Add { step: 3 },
        )]);
        let mut reached = Vec::new();
        for op in [CounterOp::Add(1), CounterOp::Add(1), CounterOp::Subtract(1)] {
            let change = counters.apply("Deaths", op).unwrap();
            reached.extend(goals.on_counter("Deaths", change));
        }
        assert_eq!(goals.get(0).unwrap().progress, 1);
        let change = counters.apply("Deaths", CounterOp::Set(4)).unwrap();
        reached.extend(goals.on_counter("deaths", change));
        assert_eq!(reached, [Reached { index: 0, times: 1 }]);
        assert_eq!(goals.get(0).unwrap().progress, 4);
        assert_eq!(goals.get(0).unwrap().target, 6);
    }

    #[test]
    fn redefining_keeps_unchanged_goals_and_the_state_round_trips() {
        let coins = def(Metric::Coins, 100, GoalStep::Reset);
        let subs = def(Metric::Subscriptions, 5, GoalStep::Reset);
        let mut goals = Goals::new(&[coins.clone(), subs.clone()]);
        goals.on_output(&gift(10, 3));
        let saved = serde_json::to_string(&goals).unwrap();
        let mut restored: Goals = serde_json::from_str(&saved).unwrap();
        assert_eq!(restored, goals);
        let likes = def(Metric::Likes, 50, GoalStep::Reset);
        restored.define(&[likes, coins]);
        assert_eq!(restored.get(0).unwrap().progress, 0, "new");
        assert_eq!(restored.get(1).unwrap().progress, 30, "kept");
        assert!(restored.get(2).is_none());
        let parsed: GoalDef = serde_json::from_str(
            r#"{"title": "Boss", "metric": "counter", "name": "boss", "initial_target": 3,
                "step": {"mode": "multiply", "factor": 2}}"#,
        )
        .unwrap();
        assert_eq!(parsed.metric, Metric::Counter("boss".into()));
        assert_eq!(parsed.step, GoalStep::Multiply { factor: 2 });
        assert!(goals.reset(0) && !goals.reset(9));
    }
}
