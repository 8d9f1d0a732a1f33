//! Counters that actions change: named whole numbers moved by `+N`, `−N` or set to a value, with
//! optional bounds. Tiktok2Mc's death counter and win counter are two of them (a death adds 1 to
//! one and takes 1 from the other); the Minecraft world awareness (deaths it detects), the
//! "counter" actions, the goal overlays (a goal can track a counter) and the counter overlay all
//! share this one model. Pure: no I/O, no clock.
//!
//! # Using it
//!
//! - Definitions (name, start value, bounds) are settings; the values are live state, saved by
//!   whoever owns the [`Counters`] (the app saves them in the viewers' ledger database's `state`
//!   table under [`STATE_NAME`], as the JSON of [`Counters`]).
//! - Change a counter with [`Counters::apply`] and a [`CounterOp`]; the returned [`CounterChange`]
//!   says what it was and what it is (a goal tracking it takes the difference).
//! - Names are matched case-blind and trimmed ([`counter_key`]): "Deaths" and "deaths " are one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where the app saves [`Counters`] (the ledger's `state` table).
pub const STATE_NAME: &str = "counters";

/// How an action changes a counter, as written in settings (`{"op": "add", "amount": 1}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", content = "amount", rename_all = "snake_case")]
pub enum CounterOp {
    Add(i64),
    Subtract(i64),
    Set(i64),
}

/// A counter's definition (settings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CounterDef {
    /// What the overlay shows ("Deaths"); also the name actions use.
    pub name: String,
    pub start: i64,
    /// The value never goes below `min` or above `max` (e.g. a win counter that stops at 0).
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl CounterDef {
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    fn clamp(&self, value: i64) -> i64 {
        let value = self.min.map_or(value, |min| value.max(min));
        self.max.map_or(value, |max| value.min(max))
    }
}

/// One counter: its definition and value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    pub def: CounterDef,
    pub value: i64,
}

/// What one operation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterChange {
    pub before: i64,
    pub after: i64,
}

impl CounterChange {
    pub fn delta(self) -> i64 {
        self.after.saturating_sub(self.before)
    }
}

/// The key a counter is found by: trimmed and lower-cased.
pub fn counter_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Every counter, by [`counter_key`]. Serializable: the saved state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Counters {
    counters: BTreeMap<String, Counter>,
}

impl Counters {
    /// Counters at their start values.
    pub fn new(defs: &[CounterDef]) -> Self {
        let mut counters = Self::default();
        counters.define(defs);
        counters
    }

    /// Brings the set in line with `defs` (after a settings change or a restore): new counters
    /// start at their start value, existing ones keep theirs (within their new bounds), counters
    /// no longer defined are removed.
    pub fn define(&mut self, defs: &[CounterDef]) {
        let mut next = BTreeMap::new();
        for def in defs {
            let key = counter_key(&def.name);
            if key.is_empty() {
                continue;
            }
            let value = self.counters.get(&key).map_or(def.start, |c| c.value);
            next.insert(
                key,
                Counter {
                    value: def.clamp(value),
                    def: def.clone(),
                },
            );
        }
        self.counters = next;
    }

    /// Applies `op` to the counter `name`; `None` when there is no such counter.
    pub fn apply(&mut self, name: &str, op: CounterOp) -> Option<CounterChange> {
        let counter = self.counters.get_mut(&counter_key(name))?;
        let before = counter.value;
        let raw = match op {
            CounterOp::Add(n) => before.saturating_add(n),
            CounterOp::Subtract(n) => before.saturating_sub(n),
            CounterOp::Set(n) => n,
        };
        counter.value = counter.def.clamp(raw);
        Some(CounterChange {
            before,
            after: counter.value,
        })
    }

    /// Every counter back to its start value.
    pub fn reset_all(&mut self) {
        for counter in self.counters.values_mut() {
            counter.value = counter.def.clamp(counter.def.start);
        }
    }

    pub fn get(&self, name: &str) -> Option<&Counter> {
        self.counters.get(&counter_key(name))
    }

    pub fn value(&self, name: &str) -> Option<i64> {
        self.get(name).map(|c| c.value)
    }

    /// In name order.
    pub fn iter(&self) -> impl Iterator<Item = &Counter> {
        self.counters.values()
    }
}

/// Tiktok2Mc's two counters: deaths (+1 on each death) and wins (−1 on a death, +1 when its
/// timer runs out, never below 0).
pub fn tiktok2mc_counters() -> Vec<CounterDef> {
    vec![
        CounterDef::named("Deaths"),
        CounterDef {
            min: Some(0),
            ..CounterDef::named("Wins")
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_subtract_and_set_within_bounds() {
        let mut c = Counters::new(&tiktok2mc_counters());
        assert_eq!(
            c.apply("deaths", CounterOp::Add(1)),
            Some(CounterChange {
                before: 0,
                after: 1
            })
        );
        assert_eq!(c.apply(" Deaths ", CounterOp::Add(2)).unwrap().after, 3);
        assert_eq!(c.apply("Wins", CounterOp::Add(2)).unwrap().after, 2);
        let change = c.apply("wins", CounterOp::Subtract(5)).unwrap();
        assert_eq!((change.after, change.delta()), (0, -2), "never below 0");
        assert_eq!(c.apply("deaths", CounterOp::Set(-7)).unwrap().after, -7);
        assert_eq!(c.apply("nope", CounterOp::Add(1)), None);
        assert_eq!(
            c.apply("deaths", CounterOp::Add(i64::MAX)).unwrap().after,
            i64::MAX - 7
        );
    }

    #[test]
    fn a_death_moves_both_tiktok2mc_counters() {
        let mut c = Counters::new(&tiktok2mc_counters());
        c.apply("wins", CounterOp::Add(3));
        // What the world awareness does on a death.
        c.apply("deaths", CounterOp::Add(1));
        c.apply("wins", CounterOp::Subtract(1));
        assert_eq!((c.value("deaths"), c.value("wins")), (Some(1), Some(2)));
        c.reset_all();
        assert_eq!((c.value("deaths"), c.value("wins")), (Some(0), Some(0)));
    }

    #[test]
    fn redefining_keeps_values_and_the_state_round_trips() {
        let mut c = Counters::new(&[CounterDef::named("Deaths"), CounterDef::named("Boss")]);
        c.apply("deaths", CounterOp::Set(12));
        c.apply("boss", CounterOp::Set(4));
        let saved = serde_json::to_string(&c).unwrap();
        let mut restored: Counters = serde_json::from_str(&saved).unwrap();
        assert_eq!(restored, c);
        restored.define(&[
            CounterDef {
                max: Some(10),
                ..CounterDef::named("deaths")
            },
            CounterDef {
                start: 5,
                ..CounterDef::named("Wins")
            },
        ]);
        assert_eq!(
            restored.value("deaths"),
            Some(10),
            "kept, within the new max"
        );
        assert_eq!(restored.value("wins"), Some(5), "new: its start value");
        assert_eq!(restored.value("boss"), None, "no longer defined");
        let op: CounterOp = serde_json::from_str(r#"{"op": "subtract", "amount": 2}"#).unwrap();
        assert_eq!(op, CounterOp::Subtract(2));
    }
}
