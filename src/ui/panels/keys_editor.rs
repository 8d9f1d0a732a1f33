//! The editor of one `keys` action in the actions window: its steps (press a combination, hold,
//! wait, click, move the pointer, scroll, type text) with add, remove and reorder, the optional
//! focused-window guard and game mode, and what is wrong with it in plain words.

use crate::i18n::tr;
use egui::RichText;

use super::{GREY, RED};
use crate::actions::keys::{KeyStep, KeysAction, KeysLimits, KeysPace, plan};

/// The kinds of step, in the order the editor offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Press,
    Hold,
    Wait,
    Click,
    TypeText,
    MoveTo,
    MoveBy,
    Scroll,
}

impl StepKind {
    pub const ALL: [Self; 8] = [
        Self::Press,
        Self::Hold,
        Self::Wait,
        Self::Click,
        Self::TypeText,
        Self::MoveTo,
        Self::MoveBy,
        Self::Scroll,
    ];

    pub fn of(step: &KeyStep) -> Self {
        match step {
            KeyStep::Press(_) => Self::Press,
            KeyStep::Hold { .. } => Self::Hold,
            KeyStep::Wait { .. } => Self::Wait,
            KeyStep::Click { .. } => Self::Click,
            KeyStep::TypeText(_) => Self::TypeText,
            KeyStep::MoveTo { .. } => Self::MoveTo,
            KeyStep::MoveBy { .. } => Self::MoveBy,
            KeyStep::Scroll(_) => Self::Scroll,
        }
    }

    /// The name in the step's kind picker and on the "Add step" menu.
    pub fn label(self) -> &'static str {
        match self {
            Self::Press => tr("keys-editor-press-keys"),
            Self::Hold => tr("keys-editor-hold-keys"),
            Self::Wait => tr("keys-editor-wait"),
            Self::Click => tr("keys-editor-click"),
            Self::TypeText => tr("keys-editor-type-text"),
            Self::MoveTo => tr("keys-editor-move-mouse-to"),
            Self::MoveBy => tr("keys-editor-move-mouse-by"),
            Self::Scroll => tr("keys-editor-scroll"),
        }
    }

    /// A new step of this kind, keeping the keys of `from` between a press and a hold.
    pub fn make(self, from: Option<&KeyStep>) -> KeyStep {
        let keys = match from {
            Some(KeyStep::Press(keys) | KeyStep::Hold { keys, .. }) => keys.clone(),
            _ => String::new(),
        };
        match self {
            Self::Press => KeyStep::Press(keys),
            Self::Hold => KeyStep::Hold { keys, millis: 500 },
            Self::Wait => KeyStep::Wait { millis: 100 },
            Self::Click => KeyStep::Click {
                button: "left".into(),
                count: 1,
            },
            Self::TypeText => KeyStep::TypeText(String::new()),
            Self::MoveTo => KeyStep::MoveTo { x: 0, y: 0 },
            Self::MoveBy => KeyStep::MoveBy { x: 0, y: 0 },
            Self::Scroll => KeyStep::Scroll(1),
        }
    }
}

/// What one frame asked of the step list.
enum StepEdit {
    Remove(usize),
    Up(usize),
    Down(usize),
}

/// The whole editor of one keys action. Returns true when it changed.
pub fn keys_action_ui(ui: &mut egui::Ui, keys: &mut KeysAction, limits: &KeysLimits) -> bool {
    let problem = plan(keys, &|t| t.to_owned(), limits).err();
    let bad_step = problem.as_ref().and_then(|p| p.step());
    let mut changed = false;
    let mut edit = None;
    let count = keys.steps.len();
    for (i, step) in keys.steps.iter_mut().enumerate() {
        ui.push_id(("step", i), |ui| {
            ui.horizontal(|ui| {
                let mark = if bad_step == Some(i + 1) { "⚠" } else { " " };
                let color = if bad_step == Some(i + 1) { RED } else { GREY };
                let label = egui::Label::new(
                    RichText::new(crate::trf!("keys-editor-step", mark = mark, number = i + 1))
                        .color(color),
                );
                ui.add_sized([58.0, ui.spacing().interact_size.y], label);
                // Always in the same place, so the buttons line up from step to step.
                if ui
                    .add_enabled(i > 0, egui::Button::new("⬆").small())
                    .on_hover_text(tr("keys-editor-move-step-up"))
                    .clicked()
                {
                    edit = Some(StepEdit::Up(i));
                }
                if ui
                    .add_enabled(i + 1 < count, egui::Button::new("⬇").small())
                    .on_hover_text(tr("keys-editor-move-step-down"))
                    .clicked()
                {
                    edit = Some(StepEdit::Down(i));
                }
                if ui
                    .small_button("🗑")
                    .on_hover_text(tr("keys-editor-remove-step"))
                    .clicked()
                {
                    edit = Some(StepEdit::Remove(i));
                }
                changed |= step_kind_ui(ui, step);
                changed |= step_fields_ui(ui, step);
            });
        });
    }
    match edit {
        Some(StepEdit::Remove(i)) => {
            keys.steps.remove(i);
            changed = true;
        }
        Some(StepEdit::Up(i)) => {
            keys.steps.swap(i - 1, i);
            changed = true;
        }
        Some(StepEdit::Down(i)) => {
            keys.steps.swap(i, i + 1);
            changed = true;
        }
        None => {}
    }
    changed |= add_step_ui(ui, &mut keys.steps);
    changed |= guard_ui(ui, keys);
    if let Some(problem) = problem {
        ui.label(
            RichText::new(crate::trf!(
                "keys-editor-problem",
                problem = problem.to_string()
            ))
            .color(RED),
        );
    }
    changed
}

/// The keystroke queue's own pace and per-trigger cap (Settings). Returns true when one changed.
pub fn keys_pace_ui(ui: &mut egui::Ui, pace: &mut KeysPace) -> bool {
    let mut changed = false;
    egui::Grid::new("keys_pace_grid")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label(tr("keys-editor-between-two-keys-actions"));
            changed |= ui
                .add(
                    egui::DragValue::new(&mut pace.gap_millis)
                        .range(0..=10_000)
                        .speed(10)
                        .suffix(" ms"),
                )
                .labelled_by(label.id)
                .changed();
            ui.end_row();
            let label = ui.label(tr("keys-editor-waiting-per-trigger-at-most"));
            changed |= ui
                .add(egui::DragValue::new(&mut pace.max_per_trigger).range(1..=100))
                .labelled_by(label.id)
                .on_hover_text(
                    "More keys actions of one trigger are dropped and counted, so a gift storm \
                     cannot turn into minutes of held keys",
                )
                .changed();
            ui.end_row();
        });
    changed
}

/// The "Add step" menu. Returns true when a step was added.
fn add_step_ui(ui: &mut egui::Ui, steps: &mut Vec<KeyStep>) -> bool {
    let mut added = None;
    ui.horizontal(|ui| {
        ui.menu_button(tr("keys-editor-add-step"), |ui| {
            for kind in StepKind::ALL {
                if ui.button(kind.label()).clicked() {
                    added = Some(kind.make(None));
                }
            }
        });
        ui.label(RichText::new(tr("keys-editor-placeholders")).weak());
    });
    let Some(step) = added else {
        return false;
    };
    steps.push(step);
    true
}

/// Only-in-this-window and game mode. Returns true when one changed.
fn guard_ui(ui: &mut egui::Ui, keys: &mut KeysAction) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        let label = ui.label(tr("keys-editor-only-when-the-focused-window"));
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut keys.window)
                    .hint_text(tr("keys-editor-any-window"))
                    .desired_width(160.0),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "Any case. Keeps a gift from typing into your chat or OBS; the action is skipped \
                 (and says so in the queue) when another window is focused",
            )
            .changed();
    });
    changed |= ui
        .checkbox(
            &mut keys.game_mode,
            tr("keys-editor-game-mode-hardware-scancodes"),
        )
        .on_hover_text(
            "Windows: sends scancodes, which games reading DirectInput or raw input accept. \
             No effect on Linux, where keys are sent through XTest",
        )
        .changed();
    changed
}

/// The step's kind picker; switching keeps what fits. Returns true when the kind changed.
fn step_kind_ui(ui: &mut egui::Ui, step: &mut KeyStep) -> bool {
    let current = StepKind::of(step);
    let mut chosen = current;
    let picker = egui::ComboBox::from_id_salt("step_kind")
        .width(112.0)
        .selected_text(current.label())
        .show_ui(ui, |ui| {
            for kind in StepKind::ALL {
                ui.selectable_value(&mut chosen, kind, kind.label());
            }
        });
    super::conditions::name_combo(
        &picker.response,
        tr("keys-editor-step-kind"),
        current.label(),
    );
    if chosen == current {
        return false;
    }
    *step = chosen.make(Some(step));
    true
}

/// A key combination field.
fn chord_field_ui(ui: &mut egui::Ui, keys: &mut String) -> bool {
    ui.add(
        egui::TextEdit::singleline(keys)
            .hint_text(tr("keys-editor-e-g-ctrl-shift-k"))
            .desired_width(130.0),
    )
    .on_hover_text(
        "Key names joined by +: letters, digits, f1–f24, enter, esc, tab, space, \
         up/down/left/right, ctrl, shift, alt, super, numpad0–numpad9…",
    )
    .changed()
}

fn millis_ui(ui: &mut egui::Ui, millis: &mut u64, hover: &str) -> bool {
    ui.add(
        egui::DragValue::new(millis)
            .range(0..=60_000)
            .speed(10)
            .suffix(" ms"),
    )
    .on_hover_text(hover)
    .changed()
}

fn point_ui(ui: &mut egui::Ui, x: &mut i32, y: &mut i32) -> bool {
    let a = ui.add(egui::DragValue::new(x).prefix("x ")).changed();
    let b = ui.add(egui::DragValue::new(y).prefix("y ")).changed();
    a || b
}

/// The fields of one step, by kind. Returns true when one changed.
fn step_fields_ui(ui: &mut egui::Ui, step: &mut KeyStep) -> bool {
    match step {
        KeyStep::Press(keys) => chord_field_ui(ui, keys),
        KeyStep::Hold { keys, millis } => {
            let a = chord_field_ui(ui, keys);
            ui.label(tr("keys-editor-for"));
            let b = millis_ui(ui, millis, tr("keys-editor-how-long-the-keys-stay"));
            a || b
        }
        KeyStep::Wait { millis } => {
            millis_ui(ui, millis, tr("keys-editor-nothing-is-sent-for-this"))
        }
        KeyStep::Click { button, count } => {
            let mut changed = false;
            let current = button.trim().to_ascii_lowercase();
            let picker = egui::ComboBox::from_id_salt("button")
                .width(72.0)
                .selected_text(button.as_str())
                .show_ui(ui, |ui| {
                    for name in ["left", "right", "middle"] {
                        if ui.selectable_label(current == name, name).clicked() {
                            *button = name.to_owned();
                            changed = true;
                        }
                    }
                });
            super::conditions::name_combo(&picker.response, tr("keys-editor-mouse-button"), button);
            changed |= ui
                .add(egui::DragValue::new(count).range(1..=100).prefix("×"))
                .on_hover_text(tr("keys-editor-clicks"))
                .changed();
            changed
        }
        KeyStep::TypeText(text) => ui
            .add(
                egui::TextEdit::singleline(text)
                    .hint_text(tr("keys-editor-type-hint"))
                    .desired_width(200.0),
            )
            .on_hover_text(
                "Typed as text. Viewer values are typed as characters only: a line break \
                 becomes a space, and nothing here can press Enter or a shortcut",
            )
            .changed(),
        KeyStep::MoveTo { x, y } => point_ui(ui, x, y),
        KeyStep::MoveBy { x, y } => point_ui(ui, x, y),
        KeyStep::Scroll(notches) => ui
            .add(
                egui::DragValue::new(notches)
                    .range(-100..=100)
                    .suffix(tr("unit-notches")),
            )
            .on_hover_text(tr("keys-editor-positive-scrolls-down-negative-up"))
            .changed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_makes_a_step_of_its_kind() {
        for kind in StepKind::ALL {
            assert_eq!(StepKind::of(&kind.make(None)), kind);
        }
    }

    #[test]
    fn switching_between_press_and_hold_keeps_the_keys() {
        let press = KeyStep::Press("ctrl+k".into());
        assert_eq!(
            StepKind::Hold.make(Some(&press)),
            KeyStep::Hold {
                keys: "ctrl+k".into(),
                millis: 500
            }
        );
        let hold = StepKind::Hold.make(Some(&press));
        assert_eq!(
            StepKind::Press.make(Some(&hold)),
            KeyStep::Press("ctrl+k".into())
        );
        assert_eq!(
            StepKind::Press.make(Some(&KeyStep::TypeText("gg".into()))),
            KeyStep::Press(String::new())
        );
    }
}
