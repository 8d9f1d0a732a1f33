//! From a [`KeysAction`] to the exact input events to send ([`Plan`]), and the policies that keep a
//! gift storm from turning into minutes of held keys: limits on one action ([`KeysLimits`]), a
//! per-trigger cap on waiting keystroke actions and their own pace ([`KeysGate`]). Pure.

use std::collections::HashMap;

use super::names::{Chord, Key, KeyNameError, MouseButton};
use super::spec::{KeyStep, KeysAction};

/// One input event, in the order it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Key {
        key: Key,
        down: bool,
    },
    Button {
        button: MouseButton,
        down: bool,
    },
    MoveTo {
        x: i32,
        y: i32,
    },
    MoveBy {
        x: i32,
        y: i32,
    },
    /// Wheel notches: positive down, negative up.
    Scroll(i32),
    /// One typed character (as text: the platform picks how to produce it).
    Char(char),
    Sleep {
        millis: u64,
    },
}

/// What one keys action may do at most, and how long a plain press lasts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct KeysLimits {
    /// How long a `press` holds its keys down: games read input once a frame, so a press shorter
    /// than a frame or two is missed.
    pub press_millis: u64,
    /// Pause after every step, so a game sees separate steps.
    pub step_gap_millis: u64,
    /// Pause between typed characters.
    pub char_gap_millis: u64,
    /// Longest one `hold` may be.
    pub max_hold_millis: u64,
    /// Longest one whole action may take (holds, waits and pauses added up).
    pub max_action_millis: u64,
    /// Most characters one `type_text` types (the rest is cut).
    pub max_text_chars: usize,
    /// Most clicks, or wheel notches, in one step.
    pub max_repeat: u32,
}

impl Default for KeysLimits {
    fn default() -> Self {
        Self {
            press_millis: 40,
            step_gap_millis: 20,
            char_gap_millis: 8,
            max_hold_millis: 10_000,
            max_action_millis: 30_000,
            max_text_chars: 200,
            max_repeat: 20,
        }
    }
}

/// Why a keys action cannot run. Each carries what was written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("step {step}: {source}")]
    Name {
        step: usize,
        #[source]
        source: KeyNameError,
    },
    #[error("step {step}: holding for {millis} ms is longer than the {max} ms a hold may last")]
    HoldTooLong { step: usize, millis: u64, max: u64 },
    #[error("step {step}: {count} is more than the {max} clicks or notches one step may send")]
    TooManyRepeats { step: usize, count: u32, max: u32 },
    #[error(
        "this keys action would take {millis} ms, longer than the {max} ms one action may take"
    )]
    TooLong { millis: u64, max: u64 },
    #[error("this keys action has no steps")]
    NoSteps,
}

impl PlanError {
    /// The step (1-based) the problem is in; `None` for the action as a whole.
    pub fn step(&self) -> Option<usize> {
        match self {
            Self::Name { step, .. }
            | Self::HoldTooLong { step, .. }
            | Self::TooManyRepeats { step, .. } => Some(*step),
            Self::TooLong { .. } | Self::NoSteps => None,
        }
    }
}

/// The events of one action, ready to send, and how long they take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub inputs: Vec<Input>,
    /// Sleeps added up.
    pub total_millis: u64,
    /// The focus guard (trimmed; empty = any window).
    pub window: String,
    pub game_mode: bool,
}

/// Reads every step's key names and builds the events. `render_text` fills a `type_text`
/// template (placeholders): whatever it returns is typed as characters only, with control and
/// hidden characters dropped, so viewer text can never press Enter, a shortcut or a modifier.
pub fn plan(
    action: &KeysAction,
    render_text: &dyn Fn(&str) -> String,
    limits: &KeysLimits,
) -> Result<Plan, PlanError> {
    if action.steps.is_empty() {
        return Err(PlanError::NoSteps);
    }
    let mut inputs = Vec::new();
    for (index, step) in action.steps.iter().enumerate() {
        let number = index + 1;
        let name = |source| PlanError::Name {
            step: number,
            source,
        };
        match step {
            KeyStep::Press(keys) => {
                let chord = Chord::parse(keys).map_err(name)?;
                push_chord(&mut inputs, &chord, limits.press_millis);
            }
            KeyStep::Hold { keys, millis } => {
                let chord = Chord::parse(keys).map_err(name)?;
                if *millis > limits.max_hold_millis {
                    return Err(PlanError::HoldTooLong {
                        step: number,
                        millis: *millis,
                        max: limits.max_hold_millis,
                    });
                }
                push_chord(&mut inputs, &chord, *millis);
            }
            KeyStep::Wait { millis } => inputs.push(Input::Sleep { millis: *millis }),
            KeyStep::Click { button, count } => {
                let button = MouseButton::parse(button).map_err(name)?;
                check_repeat(number, (*count).max(1), limits)?;
                for i in 0..(*count).max(1) {
                    if i > 0 {
                        inputs.push(Input::Sleep {
                            millis: limits.press_millis,
                        });
                    }
                    inputs.push(Input::Button { button, down: true });
                    inputs.push(Input::Sleep {
                        millis: limits.press_millis,
                    });
                    inputs.push(Input::Button {
                        button,
                        down: false,
                    });
                }
            }
            KeyStep::TypeText(template) => {
                let text = typed_text(&render_text(template), limits.max_text_chars);
                for (i, c) in text.chars().enumerate() {
                    if i > 0 && limits.char_gap_millis > 0 {
                        inputs.push(Input::Sleep {
                            millis: limits.char_gap_millis,
                        });
                    }
                    inputs.push(Input::Char(c));
                }
            }
            KeyStep::MoveTo { x, y } => inputs.push(Input::MoveTo { x: *x, y: *y }),
            KeyStep::MoveBy { x, y } => inputs.push(Input::MoveBy { x: *x, y: *y }),
            KeyStep::Scroll(notches) => {
                check_repeat(number, notches.unsigned_abs(), limits)?;
                inputs.push(Input::Scroll(*notches));
            }
        }
        if index + 1 < action.steps.len() && limits.step_gap_millis > 0 {
            inputs.push(Input::Sleep {
                millis: limits.step_gap_millis,
            });
        }
    }
    let total_millis = inputs
        .iter()
        .map(|i| match i {
            Input::Sleep { millis } => *millis,
            _ => 0,
        })
        .fold(0u64, u64::saturating_add);
    if total_millis > limits.max_action_millis {
        return Err(PlanError::TooLong {
            millis: total_millis,
            max: limits.max_action_millis,
        });
    }
    Ok(Plan {
        inputs,
        total_millis,
        window: action.window.trim().to_owned(),
        game_mode: action.game_mode,
    })
}

fn check_repeat(step: usize, count: u32, limits: &KeysLimits) -> Result<(), PlanError> {
    if count > limits.max_repeat {
        return Err(PlanError::TooManyRepeats {
            step,
            count,
            max: limits.max_repeat,
        });
    }
    Ok(())
}

fn push_chord(inputs: &mut Vec<Input>, chord: &Chord, hold_millis: u64) {
    for &key in &chord.0 {
        inputs.push(Input::Key { key, down: true });
    }
    inputs.push(Input::Sleep {
        millis: hold_millis,
    });
    for &key in chord.0.iter().rev() {
        inputs.push(Input::Key { key, down: false });
    }
}

/// The characters a `type_text` step types: line breaks and tabs become spaces, control and
/// hidden characters (bidi, zero-width) are dropped, cut to `max_chars`.
pub fn typed_text(text: &str, max_chars: usize) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if crate::text::is_hidden(c) {
                None
            } else {
                Some(c)
            }
        })
        .take(max_chars)
        .collect()
}

/// Reads every key name of an action without building anything: what the editor shows.
pub fn problems(action: &KeysAction, limits: &KeysLimits) -> Option<String> {
    plan(action, &|t| t.to_owned(), limits)
        .err()
        .map(|e| e.to_string())
}

/// The keystroke queue's own rules: how many keys actions of one trigger may wait at once, and the
/// least time between the end of one keys action and the start of the next.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct KeysPace {
    /// Most keys actions of one trigger waiting or running; more are dropped and counted.
    pub max_per_trigger: u32,
    /// Least time between two keys actions.
    pub gap_millis: u64,
}

impl Default for KeysPace {
    fn default() -> Self {
        Self {
            max_per_trigger: 3,
            gap_millis: 150,
        }
    }
}

/// Counts waiting keys actions per trigger and remembers when the last one ended.
#[derive(Debug, Default)]
pub struct KeysGate {
    pace: KeysPace,
    waiting: HashMap<String, u32>,
    last_end_millis: Option<u64>,
    /// Dropped by the per-trigger cap since start.
    pub capped: u64,
}

impl KeysGate {
    pub fn new(pace: KeysPace) -> Self {
        Self {
            pace,
            ..Self::default()
        }
    }

    /// A keys action of `trigger` wants a place in the queue: true when it may take one (and it
    /// is counted until [`KeysGate::finished`]); false when the trigger's cap is reached.
    pub fn admit(&mut self, trigger: &str) -> bool {
        let waiting = self.waiting.entry(trigger.to_owned()).or_insert(0);
        if *waiting >= self.pace.max_per_trigger {
            self.capped = self.capped.saturating_add(1);
            return false;
        }
        *waiting += 1;
        true
    }

    /// A keys action of `trigger` ran at `now_millis`: its place is free, the pace counts from now.
    pub fn finished(&mut self, trigger: &str, now_millis: u64) {
        self.leave(trigger);
        self.ran(now_millis);
    }

    /// A keys action of `trigger` left the queue (ran, cleared, too old, released): its place is
    /// free.
    pub fn leave(&mut self, trigger: &str) {
        if let Some(waiting) = self.waiting.get_mut(trigger) {
            *waiting = waiting.saturating_sub(1);
            if *waiting == 0 {
                self.waiting.remove(trigger);
            }
        }
    }

    /// A keys action ended at `now_millis`: the next one starts the pace's gap later.
    pub fn ran(&mut self, now_millis: u64) {
        self.last_end_millis = Some(now_millis);
    }

    /// New pace settings; what waits keeps its place.
    pub fn set_pace(&mut self, pace: KeysPace) {
        self.pace = pace;
    }

    /// Keys actions of `trigger` waiting or running now.
    pub fn waiting(&self, trigger: &str) -> u32 {
        self.waiting.get(trigger).copied().unwrap_or(0)
    }

    /// When the next keys action may start.
    pub fn next_start_millis(&self, now_millis: u64) -> u64 {
        self.last_end_millis
            .map_or(now_millis, |end| end.saturating_add(self.pace.gap_millis))
            .max(now_millis)
    }

    /// Forgets every waiting action (Clear, release all).
    pub fn clear(&mut self) {
        self.waiting.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(json: &str) -> KeysAction {
        serde_json::from_str(json).unwrap()
    }

    fn no_gaps() -> KeysLimits {
        KeysLimits {
            step_gap_millis: 0,
            char_gap_millis: 0,
            ..KeysLimits::default()
        }
    }

    fn k(c: u8, down: bool) -> Input {
        Input::Key {
            key: Key::Letter(c),
            down,
        }
    }

    #[test]
    fn the_issue_example_becomes_these_events() {
        let a = action(
            r#"{"steps":[{"press":"ctrl+shift+k"},{"hold":"w","millis":500},{"wait_millis":100},{"click":"left"},{"type_text":"gg"}],"window":" Minecraft "}"#,
        );
        let plan = plan(&a, &|t| t.to_owned(), &no_gaps()).unwrap();
        let down = |key| Input::Key { key, down: true };
        let up = |key| Input::Key { key, down: false };
        assert_eq!(
            plan.inputs,
            [
                down(Key::ControlLeft),
                down(Key::ShiftLeft),
                k(b'k', true),
                Input::Sleep { millis: 40 },
                k(b'k', false),
                up(Key::ShiftLeft),
                up(Key::ControlLeft),
                k(b'w', true),
                Input::Sleep { millis: 500 },
                k(b'w', false),
                Input::Sleep { millis: 100 },
                Input::Button {
                    button: MouseButton::Left,
                    down: true
                },
                Input::Sleep { millis: 40 },
                Input::Button {
                    button: MouseButton::Left,
                    down: false
                },
                Input::Char('g'),
                Input::Char('g'),
            ]
        );
        assert_eq!(plan.total_millis, 680);
        assert_eq!(plan.window, "Minecraft");
    }

    #[test]
    fn viewer_text_is_typed_as_characters_only() {
        let a = action(r#"{"steps":[{"type_text":"hi {nickname}"}]}"#);
        // A nickname that tries a line break (Enter) and hidden characters.
        let render = |t: &str| t.replace("{nickname}", "bob\n/op me\u{202e}\u{0}");
        let plan = plan(&a, &render, &no_gaps()).unwrap();
        let typed: String = plan
            .inputs
            .iter()
            .map(|i| match i {
                Input::Char(c) => *c,
                other => panic!("only characters, got {other:?}"),
            })
            .collect();
        assert_eq!(typed, "hi bob /op me");
    }

    #[test]
    fn text_is_cut_and_gaps_are_added() {
        let limits = KeysLimits {
            max_text_chars: 3,
            ..KeysLimits::default()
        };
        let plan = plan(
            &action(r#"{"steps":[{"type_text":"abcdef"},{"press":"a"}]}"#),
            &|t| t.to_owned(),
            &limits,
        )
        .unwrap();
        let chars = plan
            .inputs
            .iter()
            .filter(|i| matches!(i, Input::Char(_)))
            .count();
        assert_eq!(chars, 3);
        // 2 char gaps + 1 step gap + the press.
        assert_eq!(plan.total_millis, 2 * 8 + 20 + 40);
    }

    #[test]
    fn limits_refuse_storm_sized_actions() {
        let limits = KeysLimits::default();
        let long_hold = action(r#"{"steps":[{"hold":"w","millis":60000}]}"#);
        assert!(matches!(
            plan(&long_hold, &|t| t.to_owned(), &limits),
            Err(PlanError::HoldTooLong { step: 1, .. })
        ));
        let many = action(
            r#"{"steps":[{"hold":"w","millis":10000},{"hold":"a","millis":10000},{"hold":"s","millis":10000},{"hold":"d","millis":10000}]}"#,
        );
        assert!(matches!(
            plan(&many, &|t| t.to_owned(), &limits),
            Err(PlanError::TooLong { .. })
        ));
        let clicks = action(r#"{"steps":[{"click":"left","count":500}]}"#);
        assert!(matches!(
            plan(&clicks, &|t| t.to_owned(), &limits),
            Err(PlanError::TooManyRepeats { count: 500, .. })
        ));
        let empty = action(r#"{"steps":[]}"#);
        assert_eq!(
            plan(&empty, &|t| t.to_owned(), &limits),
            Err(PlanError::NoSteps)
        );
    }

    #[test]
    fn a_typo_names_its_step() {
        let a = action(r#"{"steps":[{"press":"a"},{"press":"ctrl+banana"}]}"#);
        let message = problems(&a, &KeysLimits::default()).unwrap();
        assert!(message.starts_with("step 2: "), "{message}");
        assert!(message.contains("banana"), "{message}");
        assert_eq!(
            problems(
                &action(r#"{"steps":[{"press":"a"}]}"#),
                &KeysLimits::default()
            ),
            None
        );
    }

    #[test]
    fn the_gate_caps_each_trigger_and_paces_actions() {
        let mut gate = KeysGate::new(KeysPace {
            max_per_trigger: 2,
            gap_millis: 150,
        });
        assert!(gate.admit("Rose"));
        assert!(gate.admit("Rose"));
        assert!(!gate.admit("Rose"), "third Rose waits over the cap");
        assert!(gate.admit("Lion"), "another trigger has its own cap");
        assert_eq!(gate.capped, 1);
        assert_eq!(gate.next_start_millis(1_000), 1_000);
        gate.finished("Rose", 1_000);
        assert_eq!(gate.next_start_millis(1_010), 1_150);
        assert_eq!(gate.next_start_millis(2_000), 2_000);
        assert!(gate.admit("Rose"), "a place freed");
        gate.clear();
        assert!(gate.admit("Rose") && gate.admit("Rose"));
    }
}
