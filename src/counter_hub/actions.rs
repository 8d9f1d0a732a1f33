//! The action JSON's counter and timer kinds: `{"type":"counter","name":"Wins","add":1}` (or
//! `"remove": N`, `"set": N`) and `{"type":"stream_timer","add_seconds":60}` (or
//! `"remove_seconds": N`, `"control": "start" | "pause" | "resume" | "restart"`). Exactly one
//! change per action; anything else fails in its turn in the queue with the reason, and loses
//! nothing else.

use serde::{Deserialize, Serialize};

use crate::counters::CounterOp;
use crate::stream_timer::TimerOp;

/// Changes the counter `name` (`add`, `remove` or `set`: exactly one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterAction {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<i64>,
}

/// What a `stream_timer` action does besides adding or removing time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerControl {
    Start,
    Pause,
    Resume,
    Restart,
}

/// Changes the stream timer (`add_seconds`, `remove_seconds` or `control`: exactly one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamTimerAction {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<TimerControl>,
}

/// Why a counter or timer action cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CounterActionError {
    #[error("a counter action needs the counter's name")]
    NoName,
    #[error(
        "a counter action needs exactly one of \"add\", \"remove\" or \"set\" (it has {found})"
    )]
    CounterChange { found: usize },
    #[error(
        "a stream_timer action needs exactly one of \"add_seconds\", \"remove_seconds\" or \"control\" (it has {found})"
    )]
    TimerChange { found: usize },
}

impl CounterAction {
    pub fn add(name: &str, amount: i64) -> Self {
        Self {
            name: name.to_owned(),
            add: Some(amount),
            ..Self::default()
        }
    }

    /// The change it makes.
    pub fn op(&self) -> Result<CounterOp, CounterActionError> {
        if self.name.trim().is_empty() {
            return Err(CounterActionError::NoName);
        }
        let ops: Vec<CounterOp> = [
            self.add.map(CounterOp::Add),
            self.remove.map(CounterOp::Subtract),
            self.set.map(CounterOp::Set),
        ]
        .into_iter()
        .flatten()
        .collect();
        match ops[..] {
            [op] => Ok(op),
            _ => Err(CounterActionError::CounterChange { found: ops.len() }),
        }
    }

    /// `Wins +1`, `Deaths −2`, `Wins = 0`.
    pub fn summary(&self) -> String {
        let name = self.name.trim();
        match self.op() {
            Ok(CounterOp::Add(n)) => format!("counter {name} +{n}"),
            Ok(CounterOp::Subtract(n)) => format!("counter {name} −{n}"),
            Ok(CounterOp::Set(n)) => format!("counter {name} = {n}"),
            Err(_) => format!("counter {name} (no change set)"),
        }
    }
}

impl StreamTimerAction {
    /// The change it makes.
    pub fn op(&self) -> Result<TimerOp, CounterActionError> {
        let ops: Vec<TimerOp> = [
            self.add_seconds
                .map(|s| TimerOp::AddMillis(s.saturating_mul(1000))),
            self.remove_seconds
                .map(|s| TimerOp::RemoveMillis(s.saturating_mul(1000))),
            self.control.map(|c| match c {
                TimerControl::Start => TimerOp::Start,
                TimerControl::Pause => TimerOp::Pause,
                TimerControl::Resume => TimerOp::Resume,
                TimerControl::Restart => TimerOp::Restart,
            }),
        ]
        .into_iter()
        .flatten()
        .collect();
        match ops[..] {
            [op] => Ok(op),
            _ => Err(CounterActionError::TimerChange { found: ops.len() }),
        }
    }

    pub fn summary(&self) -> String {
        match self.op() {
            Ok(TimerOp::AddMillis(ms)) => format!("stream timer +{} s", ms / 1000),
            Ok(TimerOp::RemoveMillis(ms)) => format!("stream timer −{} s", ms / 1000),
            Ok(TimerOp::Start) => "stream timer: start".to_owned(),
            Ok(TimerOp::Pause) => "stream timer: pause".to_owned(),
            Ok(TimerOp::Resume) => "stream timer: resume".to_owned(),
            Ok(TimerOp::Restart) => "stream timer: restart".to_owned(),
            Err(_) => "stream timer (no change set)".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_keys_read_as_documented() {
        let add: CounterAction = serde_json::from_str(r#"{"name":"wins","add":1}"#).unwrap();
        assert_eq!(add.op(), Ok(CounterOp::Add(1)));
        assert_eq!(add.summary(), "counter wins +1");
        let remove: CounterAction =
            serde_json::from_str(r#"{"name":"Deaths","remove":2}"#).unwrap();
        assert_eq!(remove.op(), Ok(CounterOp::Subtract(2)));
        let set: CounterAction = serde_json::from_str(r#"{"name":"Deaths","set":0}"#).unwrap();
        assert_eq!(set.op(), Ok(CounterOp::Set(0)));
        assert_eq!(
            serde_json::to_value(CounterAction::add("Wins", 1)).unwrap(),
            serde_json::json!({"name": "Wins", "add": 1})
        );

        let timer: StreamTimerAction = serde_json::from_str(r#"{"add_seconds":60}"#).unwrap();
        assert_eq!(timer.op(), Ok(TimerOp::AddMillis(60_000)));
        let pause: StreamTimerAction = serde_json::from_str(r#"{"control":"pause"}"#).unwrap();
        assert_eq!(pause.op(), Ok(TimerOp::Pause));
        assert_eq!(pause.summary(), "stream timer: pause");
        let less: StreamTimerAction = serde_json::from_str(r#"{"remove_seconds":30}"#).unwrap();
        assert_eq!(less.op(), Ok(TimerOp::RemoveMillis(30_000)));
    }

    #[test]
    fn none_or_two_changes_are_a_clear_error() {
        let both: CounterAction =
            serde_json::from_str(r#"{"name":"wins","add":1,"set":3}"#).unwrap();
        assert_eq!(
            both.op().unwrap_err().to_string(),
            "a counter action needs exactly one of \"add\", \"remove\" or \"set\" (it has 2)"
        );
        let nameless: CounterAction = serde_json::from_str(r#"{"name":" ","add":1}"#).unwrap();
        assert_eq!(nameless.op(), Err(CounterActionError::NoName));
        let empty: StreamTimerAction = serde_json::from_str("{}").unwrap();
        assert_eq!(
            empty.op(),
            Err(CounterActionError::TimerChange { found: 0 })
        );
    }
}
