//! The trigger table editor: one row per mapping (enabled, trigger, actions, repeat, Test), the
//! action-list window, completion from the gift catalog, and inline problems. It edits a
//! `Vec<Mapping>` in place and reports what happened as [`TriggerEvent`]s; the app applies them.

use std::path::PathBuf;

use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};

use super::catalog::Catalog;
use crate::mappings::{Action, Mapping, TriggerKey};

const ROW_HEIGHT: f32 = 26.0;
const MAX_TEST_COUNT: u32 = 999;
const MAX_REPEAT: u32 = 100;

/// Something is off with a row; shown inline, never blocks editing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    EmptyTrigger,
    /// Another enabled row (1-based number) has the same trigger and wins.
    Duplicate {
        first_row: usize,
    },
    /// Not in the catalog and not numeric: maybe a typo.
    UnknownGift,
    NoActions,
    /// Action number (1-based) has nothing to run.
    EmptyAction {
        action: usize,
    },
}

impl Problem {
    pub fn text(&self) -> String {
        match self {
            Self::EmptyTrigger => "type a gift name or id".into(),
            Self::Duplicate { first_row } => format!("duplicate: row {first_row} wins"),
            Self::UnknownGift => "unknown gift name (typo?)".into(),
            Self::NoActions => "no actions".into(),
            Self::EmptyAction { action } => format!("action {action} is empty"),
        }
    }

    /// Problems that make the row do nothing (red) versus warnings (amber).
    pub fn is_error(&self) -> bool {
        !matches!(self, Self::UnknownGift)
    }
}

/// Checks every row. Pure, so it is unit-tested and cheap to rerun on each edit.
pub fn find_problems(mappings: &[Mapping], catalog: &Catalog) -> Vec<Vec<Problem>> {
    let mut first_by_key: std::collections::HashMap<TriggerKey, usize> = Default::default();
    mappings
        .iter()
        .enumerate()
        .map(|(index, mapping)| {
            let mut problems = Vec::new();
            let trigger = mapping.trigger.trim();
            if let Some(key) = TriggerKey::parse(trigger) {
                if mapping.enabled {
                    match first_by_key.get(&key) {
                        Some(&first) => problems.push(Problem::Duplicate {
                            first_row: first + 1,
                        }),
                        None => {
                            first_by_key.insert(key, index);
                        }
                    }
                }
                if !catalog.knows_trigger(trigger) {
                    problems.push(Problem::UnknownGift);
                }
            } else {
                problems.push(Problem::EmptyTrigger);
            }
            if mapping.actions.is_empty() {
                problems.push(Problem::NoActions);
            }
            for (i, action) in mapping.actions.iter().enumerate() {
                let empty = match action {
                    Action::Command { command, .. } => command.trim().is_empty(),
                    Action::Sound { path, .. } => path.as_os_str().is_empty(),
                    Action::Webhook { url, .. } => url.trim().is_empty(),
                    Action::Random => false,
                };
                if empty {
                    problems.push(Problem::EmptyAction { action: i + 1 });
                }
            }
            problems
        })
        .collect()
}

/// What the table asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum TriggerEvent {
    /// The mappings changed: apply at once and save.
    Changed,
    /// Run row `row`'s trigger through the engine and queue as if a viewer sent `count`.
    Test { row: usize, count: u32 },
    /// Open a file dialog for the sound file of `row`'s action `action`.
    PickSound { row: usize, action: usize },
}

/// Editor state that is not part of the mappings.
#[derive(Debug, Default)]
pub struct TriggerEditor {
    /// Per row: how many gifts the Test button sends.
    pub test_counts: Vec<u32>,
    /// The row whose action list is open in the actions window.
    pub editing: Option<usize>,
    pub problems: Vec<Vec<Problem>>,
}

impl TriggerEditor {
    pub fn revalidate(&mut self, mappings: &[Mapping], catalog: &Catalog) {
        self.problems = find_problems(mappings, catalog);
        self.test_counts.resize(mappings.len(), 1);
        if self.editing.is_some_and(|row| row >= mappings.len()) {
            self.editing = None;
        }
    }

    pub fn problem_count(&self) -> usize {
        self.problems.iter().map(Vec::len).sum()
    }
}

/// A new row: a trigger with one empty command for the streamer to fill in.
pub fn blank_mapping() -> Mapping {
    Mapping::new(
        "",
        vec![Action::Command {
            command: String::new(),
            repeat: 1,
        }],
    )
}

/// Draws the trigger table. Returns what the app must do.
pub fn triggers_ui(
    ui: &mut egui::Ui,
    mappings: &mut Vec<Mapping>,
    editor: &mut TriggerEditor,
    catalog: &Catalog,
) -> Vec<TriggerEvent> {
    let mut events = Vec::new();
    editor.test_counts.resize(mappings.len(), 1);
    ui.horizontal(|ui| {
        ui.heading("Triggers");
        ui.label(
            RichText::new("When a viewer sends this gift, run these actions. Edits apply at once and are saved.")
                .weak(),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("➕ Add trigger").clicked() {
                mappings.push(blank_mapping());
                editor.test_counts.push(1);
                events.push(TriggerEvent::Changed);
            }
            let problems = editor.problem_count();
            if problems > 0 {
                ui.label(
                    RichText::new(format!("⚠ {problems} problem(s) below"))
                        .color(Color32::from_rgb(230, 120, 60)),
                );
            }
        });
    });
    if mappings.is_empty() {
        ui.label(
            RichText::new("No triggers yet. Press “Add trigger”, or import a mappings file.")
                .weak(),
        );
        return events;
    }

    let mut delete: Option<usize> = None;
    let mut duplicate: Option<usize> = None;
    let mut changed = false;
    TableBuilder::new(ui)
        .id_salt("triggers_table")
        .striped(true)
        .auto_shrink([false, false])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(28.0))
        .column(Column::initial(150.0).at_least(110.0))
        .column(Column::remainder().at_least(160.0).clip(true))
        .column(Column::exact(60.0))
        .column(Column::exact(116.0))
        .column(Column::exact(170.0).clip(true))
        .column(Column::exact(124.0))
        .header(20.0, |mut header| {
            for title in [
                "On",
                "Trigger (gift)",
                "Actions",
                "Repeat",
                "Test",
                "Check",
                "",
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, mappings.len(), |mut row| {
                let index = row.index();
                let mapping = &mut mappings[index];
                row.col(|ui| {
                    changed |= ui
                        .checkbox(&mut mapping.enabled, "")
                        .on_hover_text("Enabled")
                        .changed();
                });
                row.col(|ui| {
                    changed |= trigger_field_ui(ui, index, &mut mapping.trigger, catalog);
                });
                row.col(|ui| {
                    if ui.small_button("✏ Edit").clicked() {
                        editor.editing = Some(index);
                    }
                    let summary = actions_summary(&mapping.actions);
                    ui.label(summary.clone()).on_hover_text(summary);
                });
                row.col(|ui| {
                    changed |= ui
                        .add(
                            egui::DragValue::new(&mut mapping.repeat)
                                .range(1..=MAX_REPEAT)
                                .prefix("×"),
                        )
                        .on_hover_text("Runs the whole action list this many times per gift")
                        .changed();
                });
                row.col(|ui| {
                    let count = &mut editor.test_counts[index];
                    ui.add(
                        egui::DragValue::new(count)
                            .range(1..=MAX_TEST_COUNT)
                            .prefix("×"),
                    )
                    .on_hover_text("How many gifts the test sends");
                    if ui
                        .button("▶ Test")
                        .on_hover_text(
                            "Send this gift through the engine and queue, as if a viewer sent it",
                        )
                        .clicked()
                    {
                        events.push(TriggerEvent::Test {
                            row: index,
                            count: *count,
                        });
                    }
                });
                row.col(|ui| {
                    let problems = editor.problems.get(index).map_or(&[][..], Vec::as_slice);
                    match problems.first() {
                        None => {
                            ui.label(RichText::new("✔ ok").color(Color32::from_rgb(90, 190, 90)));
                        }
                        Some(first) => {
                            let color = if problems.iter().any(Problem::is_error) {
                                Color32::from_rgb(235, 90, 80)
                            } else {
                                Color32::from_rgb(230, 160, 40)
                            };
                            let all: Vec<String> = problems.iter().map(Problem::text).collect();
                            ui.label(RichText::new(format!("⚠ {}", first.text())).color(color))
                                .on_hover_text(all.join("\n"));
                        }
                    }
                });
                row.col(|ui| {
                    if ui
                        .small_button("Copy")
                        .on_hover_text("Duplicate this row")
                        .clicked()
                    {
                        duplicate = Some(index);
                    }
                    if ui
                        .small_button("Delete")
                        .on_hover_text("Delete this row")
                        .clicked()
                    {
                        delete = Some(index);
                    }
                });
            });
        });
    if let Some(index) = duplicate {
        let copy = mappings[index].clone();
        mappings.insert(index + 1, copy);
        let count = editor.test_counts.get(index).copied().unwrap_or(1);
        editor.test_counts.insert(index + 1, count);
        changed = true;
    }
    if let Some(index) = delete {
        mappings.remove(index);
        if index < editor.test_counts.len() {
            editor.test_counts.remove(index);
        }
        editor.editing = match editor.editing {
            Some(e) if e == index => None,
            Some(e) if e > index => Some(e - 1),
            other => other,
        };
        changed = true;
    }
    if changed {
        events.push(TriggerEvent::Changed);
    }
    events
}

/// The trigger text field with catalog completion below it. Returns true when the text changed.
fn trigger_field_ui(
    ui: &mut egui::Ui,
    row: usize,
    trigger: &mut String,
    catalog: &Catalog,
) -> bool {
    let response = ui.add(
        egui::TextEdit::singleline(trigger)
            .id_salt(("trigger", row))
            .hint_text("gift name or id")
            .desired_width(f32::INFINITY),
    );
    let mut changed = response.changed();
    let popup_id = egui::Id::unique(("trigger_suggest", row));
    let suggestions = if response.has_focus() || egui::Popup::is_id_open(ui.ctx(), popup_id) {
        catalog.suggestions(trigger)
    } else {
        Vec::new()
    };
    if response.has_focus() && response.changed() && !suggestions.is_empty() {
        egui::Popup::open_id(ui.ctx(), popup_id);
    }
    if suggestions.is_empty() {
        return changed;
    }
    let mut chosen = None;
    egui::Popup::from_response(&response)
        .id(popup_id)
        .open_memory(None)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .width(response.rect.width().max(200.0))
        .show(|ui| {
            for gift in &suggestions {
                let id = gift.id.map_or(String::new(), |id| format!("  #{id}"));
                let text = format!("{}  ({} diamonds){id}", gift.name, gift.diamonds);
                if ui.selectable_label(false, text).clicked() {
                    chosen = Some(gift.name.clone());
                }
            }
        });
    if let Some(name) = chosen {
        *trigger = name;
        changed = true;
        egui::Popup::close_id(ui.ctx(), popup_id);
    }
    changed
}

/// "say hi · ♪ boom.wav" — what a row's actions do, on one line.
pub fn actions_summary(actions: &[Action]) -> String {
    if actions.is_empty() {
        return "(nothing)".into();
    }
    actions
        .iter()
        .map(Action::summary)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The window that edits one row's action list. Returns what the app must do.
pub fn actions_window_ui(
    ctx: &egui::Context,
    mappings: &mut [Mapping],
    editor: &mut TriggerEditor,
) -> Vec<TriggerEvent> {
    let mut events = Vec::new();
    let Some(row) = editor.editing else {
        return events;
    };
    let Some(mapping) = mappings.get_mut(row) else {
        editor.editing = None;
        return events;
    };
    let mut open = true;
    let title = if mapping.trigger.trim().is_empty() {
        format!("Actions of row {}", row + 1)
    } else {
        format!("Actions for “{}”", mapping.trigger.trim())
    };
    let mut changed = false;
    egui::Window::new(title)
        .id(egui::Id::unique("actions_window"))
        .open(&mut open)
        .default_size([560.0, 320.0])
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(
                RichText::new(
                    "Runs top to bottom for every counted gift. Commands may use {user} {nickname} {gift} {count} {diamonds}.",
                )
                .weak(),
            );
            ui.separator();
            let mut remove = None;
            let mut move_up = None;
            for (i, action) in mapping.actions.iter_mut().enumerate() {
                ui.push_id(i, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(format!("{}.", i + 1));
                        changed |= action_kind_ui(ui, action);
                        changed |= action_fields_ui(ui, action, &mut events, row, i);
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            if ui.small_button("🗑").on_hover_text("Remove").clicked() {
                                remove = Some(i);
                            }
                            if i > 0 && ui.small_button("⬆").on_hover_text("Move up").clicked() {
                                move_up = Some(i);
                            }
                        });
                    });
                });
            }
            if let Some(i) = remove {
                mapping.actions.remove(i);
                changed = true;
            }
            if let Some(i) = move_up {
                mapping.actions.swap(i - 1, i);
                changed = true;
            }
            ui.separator();
            ui.horizontal(|ui| {
                ui.label("Add:");
                if ui.button("Minecraft command").clicked() {
                    mapping.actions.push(Action::Command {
                        command: String::new(),
                        repeat: 1,
                    });
                    changed = true;
                }
                if ui.button("Sound").clicked() {
                    mapping.actions.push(Action::Sound {
                        path: PathBuf::new(),
                        volume: 1.0,
                    });
                    changed = true;
                }
                if ui.button("Webhook").clicked() {
                    mapping.actions.push(Action::Webhook {
                        url: String::new(),
                        timeout_millis: 5_000,
                    });
                    changed = true;
                }
                if ui
                    .button("Random trigger")
                    .on_hover_text("Runs the actions of a random other enabled trigger")
                    .clicked()
                {
                    mapping.actions.push(Action::Random);
                    changed = true;
                }
            });
        });
    if !open {
        editor.editing = None;
    }
    if changed {
        events.push(TriggerEvent::Changed);
    }
    events
}

fn kind_name(action: &Action) -> &'static str {
    match action {
        Action::Command { .. } => "Command",
        Action::Sound { .. } => "Sound",
        Action::Webhook { .. } => "Webhook",
        Action::Random => "Random",
    }
}

fn action_kind_ui(ui: &mut egui::Ui, action: &mut Action) -> bool {
    let mut changed = false;
    egui::ComboBox::from_id_salt("kind")
        .width(96.0)
        .selected_text(kind_name(action))
        .show_ui(ui, |ui| {
            let options = [
                Action::Command {
                    command: String::new(),
                    repeat: 1,
                },
                Action::Sound {
                    path: PathBuf::new(),
                    volume: 1.0,
                },
                Action::Webhook {
                    url: String::new(),
                    timeout_millis: 5_000,
                },
                Action::Random,
            ];
            for option in options {
                let selected = kind_name(&option) == kind_name(action);
                if ui.selectable_label(selected, kind_name(&option)).clicked() && !selected {
                    *action = option;
                    changed = true;
                }
            }
        });
    changed
}

fn action_fields_ui(
    ui: &mut egui::Ui,
    action: &mut Action,
    events: &mut Vec<TriggerEvent>,
    row: usize,
    index: usize,
) -> bool {
    match action {
        Action::Command { command, repeat } => {
            let a = ui
                .add(
                    egui::TextEdit::singleline(command)
                        .hint_text("e.g. summon zombie ~ ~ ~")
                        .desired_width(300.0),
                )
                .changed();
            let b = ui
                .add(
                    egui::DragValue::new(repeat)
                        .range(1..=MAX_REPEAT)
                        .prefix("×"),
                )
                .on_hover_text("Send this command this many times")
                .changed();
            a || b
        }
        Action::Sound { path, volume } => {
            let mut text = path.display().to_string();
            let a = ui
                .add(
                    egui::TextEdit::singleline(&mut text)
                        .hint_text("sound file (wav, ogg, mp3)")
                        .desired_width(220.0),
                )
                .changed();
            if a {
                *path = PathBuf::from(text);
            }
            if ui.small_button("Browse…").clicked() {
                events.push(TriggerEvent::PickSound { row, action: index });
            }
            let mut percent = (*volume * 100.0).round();
            let b = ui
                .add(
                    egui::DragValue::new(&mut percent)
                        .range(0.0..=200.0)
                        .suffix(" %"),
                )
                .on_hover_text("Volume")
                .changed();
            if b {
                *volume = percent / 100.0;
            }
            a || b
        }
        Action::Webhook { url, .. } => ui
            .add(
                egui::TextEdit::singleline(url)
                    .hint_text("http://127.0.0.1:8080/hook")
                    .desired_width(340.0),
            )
            .changed(),
        Action::Random => {
            ui.label(RichText::new("runs a random other enabled trigger").weak());
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(c: &str) -> Action {
        Action::command(c)
    }

    #[test]
    fn problems_flag_duplicates_unknown_names_and_empty_actions() {
        let catalog = Catalog::built_in();
        let mut disabled = Mapping::new("Rose", vec![cmd("x")]);
        disabled.enabled = false;
        let rows = vec![
            Mapping::new("Rose", vec![cmd("say rose")]),
            Mapping::new(" rose ", vec![cmd("say again")]),
            Mapping::new("Rosee", vec![cmd("say typo")]),
            Mapping::new("123456", vec![cmd("   ")]),
            Mapping::new("", vec![]),
            disabled,
        ];
        let p = find_problems(&rows, &catalog);
        assert!(p[0].is_empty());
        assert_eq!(p[1], [Problem::Duplicate { first_row: 1 }]);
        assert_eq!(p[2], [Problem::UnknownGift]);
        assert_eq!(p[3], [Problem::EmptyAction { action: 1 }]);
        assert_eq!(p[4], [Problem::EmptyTrigger, Problem::NoActions]);
        assert!(p[5].is_empty(), "a disabled copy shadows nothing");
    }

    #[test]
    fn summary_lists_every_action() {
        assert_eq!(actions_summary(&[]), "(nothing)");
        assert_eq!(
            actions_summary(&[cmd("say a"), Action::Random]),
            "/say a · random mapping"
        );
    }
}
