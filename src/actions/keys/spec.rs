//! The `keys` action as the streamer writes it in the trigger table (JSON):
//! `{"type":"keys","steps":[{"press":"ctrl+shift+k"},{"hold":"w","millis":500},{"wait_millis":100},
//! {"click":"left"},{"type_text":"gg"}],"window":"Minecraft"}`. Pure data; key names are read by
//! [`super::plan()`], so a typo shows in the editor and the queue instead of losing the file.

use serde::{Deserialize, Serialize};

/// A `keys` action: steps run in order, optionally only while a window whose title contains
/// `window` has the keyboard focus.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysAction {
    pub steps: Vec<KeyStep>,
    /// Only when the focused window's title contains this text (any case); empty = any window.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub window: String,
    /// Windows: send hardware scancodes (`KEYEVENTF_SCANCODE`), which DirectInput and raw-input
    /// games read, instead of virtual keys. No effect on Linux (XTest sends key codes).
    #[serde(default, skip_serializing_if = "is_false")]
    pub game_mode: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One step. Written as an object with one of `press`, `hold` (+ `millis`), `wait_millis`,
/// `click` (+ optional `count`), `type_text`, `move_to`/`move_by` (`{"x":…,"y":…}`) or `scroll`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawStep", into = "RawStep")]
pub enum KeyStep {
    /// Press and release a chord (`ctrl+shift+k`).
    Press(String),
    /// Hold a chord down for `millis`, then release it.
    Hold { keys: String, millis: u64 },
    /// Do nothing for this long.
    Wait { millis: u64 },
    /// Click a mouse button `count` times.
    Click { button: String, count: u32 },
    /// Type text (placeholders allowed: viewer values are typed as text, never as keys).
    TypeText(String),
    /// Move the pointer to a screen position.
    MoveTo { x: i32, y: i32 },
    /// Move the pointer by an offset.
    MoveBy { x: i32, y: i32 },
    /// Turn the wheel: positive scrolls down (towards you), negative up, in notches.
    Scroll(i32),
}

/// A pointer position or offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    #[serde(default)]
    pub x: i32,
    #[serde(default)]
    pub y: i32,
}

/// The JSON form of a step: every field optional, exactly one kind present.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    press: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hold: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    millis: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wait_millis: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    click: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    type_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    move_to: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    move_by: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scroll: Option<i32>,
}

/// What a step object lacked or mixed up.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(
        "a keys step needs one of press, hold, wait_millis, click, type_text, move_to, move_by or \
         scroll"
    )]
    Nothing,
    #[error("a keys step has {0} and {1}: write one per step")]
    Two(&'static str, &'static str),
    #[error("a hold step needs \"millis\" (how long to hold, in milliseconds)")]
    HoldWithoutMillis,
    #[error("\"{0}\" belongs to a {1} step")]
    Stray(&'static str, &'static str),
}

impl TryFrom<RawStep> for KeyStep {
    type Error = StepError;

    fn try_from(raw: RawStep) -> Result<Self, StepError> {
        let kinds: Vec<&'static str> = [
            ("press", raw.press.is_some()),
            ("hold", raw.hold.is_some()),
            ("wait_millis", raw.wait_millis.is_some()),
            ("click", raw.click.is_some()),
            ("type_text", raw.type_text.is_some()),
            ("move_to", raw.move_to.is_some()),
            ("move_by", raw.move_by.is_some()),
            ("scroll", raw.scroll.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect();
        match kinds.as_slice() {
            [] => return Err(StepError::Nothing),
            [_] => {}
            [a, b, ..] => return Err(StepError::Two(a, b)),
        }
        if raw.millis.is_some() && raw.hold.is_none() {
            return Err(StepError::Stray("millis", "hold"));
        }
        if raw.count.is_some() && raw.click.is_none() {
            return Err(StepError::Stray("count", "click"));
        }
        Ok(if let Some(keys) = raw.press {
            Self::Press(keys)
        } else if let Some(keys) = raw.hold {
            Self::Hold {
                keys,
                millis: raw.millis.ok_or(StepError::HoldWithoutMillis)?,
            }
        } else if let Some(millis) = raw.wait_millis {
            Self::Wait { millis }
        } else if let Some(button) = raw.click {
            Self::Click {
                button,
                count: raw.count.unwrap_or(1),
            }
        } else if let Some(text) = raw.type_text {
            Self::TypeText(text)
        } else if let Some(Point { x, y }) = raw.move_to {
            Self::MoveTo { x, y }
        } else if let Some(Point { x, y }) = raw.move_by {
            Self::MoveBy { x, y }
        } else {
            Self::Scroll(raw.scroll.unwrap_or(0))
        })
    }
}

impl From<KeyStep> for RawStep {
    fn from(step: KeyStep) -> Self {
        let mut raw = Self::default();
        match step {
            KeyStep::Press(keys) => raw.press = Some(keys),
            KeyStep::Hold { keys, millis } => {
                raw.hold = Some(keys);
                raw.millis = Some(millis);
            }
            KeyStep::Wait { millis } => raw.wait_millis = Some(millis),
            KeyStep::Click { button, count } => {
                raw.click = Some(button);
                raw.count = (count != 1).then_some(count);
            }
            KeyStep::TypeText(text) => raw.type_text = Some(text),
            KeyStep::MoveTo { x, y } => raw.move_to = Some(Point { x, y }),
            KeyStep::MoveBy { x, y } => raw.move_by = Some(Point { x, y }),
            KeyStep::Scroll(n) => raw.scroll = Some(n),
        }
        raw
    }
}

impl KeyStep {
    /// A short text for tables and logs, e.g. `ctrl+shift+k`, `hold w 500 ms`.
    pub fn summary(&self) -> String {
        match self {
            Self::Press(keys) => keys.trim().to_owned(),
            Self::Hold { keys, millis } => format!("hold {} {millis} ms", keys.trim()),
            Self::Wait { millis } => format!("wait {millis} ms"),
            Self::Click { button, count } if *count == 1 => format!("{} click", button.trim()),
            Self::Click { button, count } => format!("{} click ×{count}", button.trim()),
            Self::TypeText(text) => format!("type “{text}”"),
            Self::MoveTo { x, y } => format!("pointer to {x},{y}"),
            Self::MoveBy { x, y } => format!("pointer by {x},{y}"),
            Self::Scroll(n) => format!("scroll {n}"),
        }
    }
}

impl KeysAction {
    /// A one-line summary: `⌨ ctrl+shift+k, hold w 500 ms (in “Minecraft”)`.
    pub fn summary(&self) -> String {
        let steps: Vec<String> = self.steps.iter().map(KeyStep::summary).collect();
        let mut out = format!("⌨ {}", steps.join(", "));
        if !self.window.trim().is_empty() {
            out.push_str(&format!(" (in “{}”)", self.window.trim()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUE_JSON: &str = r#"{"steps":[{"press":"ctrl+shift+k"},{"hold":"w","millis":500},{"wait_millis":100},{"click":"left"},{"type_text":"gg"}],"window":"Minecraft"}"#;

    #[test]
    fn the_issue_example_reads_and_writes_back_unchanged() {
        let action: KeysAction = serde_json::from_str(ISSUE_JSON).unwrap();
        assert_eq!(
            action.steps,
            [
                KeyStep::Press("ctrl+shift+k".into()),
                KeyStep::Hold {
                    keys: "w".into(),
                    millis: 500
                },
                KeyStep::Wait { millis: 100 },
                KeyStep::Click {
                    button: "left".into(),
                    count: 1
                },
                KeyStep::TypeText("gg".into()),
            ]
        );
        assert_eq!(action.window, "Minecraft");
        assert!(!action.game_mode);
        assert_eq!(serde_json::to_string(&action).unwrap(), ISSUE_JSON);
    }

    #[test]
    fn extensions_round_trip() {
        let json = r#"{"steps":[{"click":"right","count":2},{"move_to":{"x":10,"y":20}},{"move_by":{"x":-5,"y":0}},{"scroll":-3}],"game_mode":true}"#;
        let action: KeysAction = serde_json::from_str(json).unwrap();
        assert_eq!(action.steps[3], KeyStep::Scroll(-3));
        assert!(action.game_mode);
        assert_eq!(serde_json::to_string(&action).unwrap(), json);
    }

    #[test]
    fn a_bad_step_says_why() {
        let err = |json: &str| {
            serde_json::from_str::<KeysAction>(json)
                .unwrap_err()
                .to_string()
        };
        assert!(err(r#"{"steps":[{}]}"#).contains("needs one of"));
        assert!(err(r#"{"steps":[{"press":"a","click":"left"}]}"#).contains("press and click"));
        assert!(err(r#"{"steps":[{"hold":"w"}]}"#).contains("millis"));
        assert!(err(r#"{"steps":[{"press":"w","millis":5}]}"#).contains("hold"));
        assert!(err(r#"{"steps":[{"pres":"w"}]}"#).contains("pres"));
    }

    #[test]
    fn summary_names_every_step() {
        let action: KeysAction = serde_json::from_str(ISSUE_JSON).unwrap();
        assert_eq!(
            action.summary(),
            "⌨ ctrl+shift+k, hold w 500 ms, wait 100 ms, left click, type “gg” (in “Minecraft”)"
        );
    }
}
