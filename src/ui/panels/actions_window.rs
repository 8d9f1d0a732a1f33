//! The editor of one trigger's action list, under the trigger table: kind, fields, order, add
//! and remove.

use crate::i18n::tr;
use std::path::PathBuf;

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::triggers::TriggerEditor;
use super::triggers::MAX_REPEAT;
use crate::actions::keys::{KeyStep, KeysAction, KeysLimits};
use crate::actions::speak::SpeakAction;
use crate::mappings::{Action, Mapping};

/// The editor of one row's action list, under the trigger table (a panel of the Triggers page,
/// so it never covers the table or the connect bar). Draws nothing while no row is edited.
pub fn actions_editor_ui(
    ui: &mut egui::Ui,
    mappings: &mut [Mapping],
    editor: &mut TriggerEditor,
    keys_limits: &KeysLimits,
    cmds: &mut Commands,
) {
    let Some(row) = editor.editing else {
        return;
    };
    let Some(mapping) = mappings.get_mut(row) else {
        editor.editing = None;
        return;
    };
    let title = if mapping.trigger.trim().is_empty() {
        crate::trf!("actions-title-row", row = row + 1)
    } else {
        crate::trf!("actions-title-trigger", trigger = mapping.trigger.trim())
    };
    let mut changed = false;
    let mut close = false;
    let height = (ui.available_height() * 0.5).clamp(200.0, 600.0);
    egui::Panel::bottom("actions_editor")
        .resizable(false)
        .exact_size(height)
        .frame(super::side_frame(ui))
        .show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.heading(title);
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    close = ui
                        .button(tr("actions-window-close"))
                        .on_hover_text(tr("actions-window-close-the-actions-editor"))
                        .clicked();
                });
            });
            // The Add buttons stay in view under a long list, which scrolls.
            egui::Panel::bottom("actions_add")
                .frame(super::side_frame(ui))
                .show_separator_line(true)
                .show(ui, |ui| {
                    ui.add_space(2.0);
                    changed |= add_action_ui(ui, &mut mapping.actions);
                });
            egui::CentralPanel::no_frame().show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("actions_editor_scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        ui.label(RichText::new(tr("actions-explained")).weak());
                        changed |= super::conditions::audience_cooldown_ui(ui, mapping);
                        ui.separator();
                        changed |= action_list_ui(ui, &mut mapping.actions, row, keys_limits, cmds);
                    });
            });
        });
    if close {
        editor.editing = None;
    }
    if changed {
        cmds.push(Command::MappingsChanged);
    }
}

/// Each action with its kind, fields, Remove and Move up. Returns true when one changed.
fn action_list_ui(
    ui: &mut egui::Ui,
    actions: &mut Vec<Action>,
    row: usize,
    keys_limits: &KeysLimits,
    cmds: &mut Commands,
) -> bool {
    let mut changed = false;
    let mut remove = None;
    let mut move_up = None;
    for (i, action) in actions.iter_mut().enumerate() {
        ui.push_id(i, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!("{}.", i + 1));
                changed |= action_kind_ui(ui, action);
                changed |= action_fields_ui(ui, action, cmds, row, i);
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .small_button("🗑")
                        .on_hover_text(tr("read-chat-remove"))
                        .clicked()
                    {
                        remove = Some(i);
                    }
                    if i > 0
                        && ui
                            .small_button("⬆")
                            .on_hover_text(tr("actions-window-move-up"))
                            .clicked()
                    {
                        move_up = Some(i);
                    }
                });
            });
            changed |= device_fields_ui(ui, action, keys_limits);
        });
    }
    if let Some(i) = remove {
        actions.remove(i);
        changed = true;
    }
    if let Some(i) = move_up {
        actions.swap(i - 1, i);
        changed = true;
    }
    changed
}

/// The "Add:" buttons. Returns true when an action was added.
fn add_action_ui(ui: &mut egui::Ui, actions: &mut Vec<Action>) -> bool {
    let mut added = None;
    ui.horizontal(|ui| {
        ui.label(tr("actions-window-add"));
        if ui.button(tr("actions-window-minecraft-command")).clicked() {
            added = Some(Action::Command {
                command: String::new(),
                repeat: 1,
            });
        }
        if ui.button(tr("actions-window-sound")).clicked() {
            added = Some(Action::Sound {
                path: PathBuf::new(),
                volume: 1.0,
            });
        }
        if ui.button(tr("actions-window-webhook")).clicked() {
            added = Some(Action::Webhook {
                url: String::new(),
                timeout_millis: 5_000,
            });
        }
        ui.menu_button(tr("actions-obs-menu"), |ui| {
            for (label, action) in [
                (tr("actions-switch-scene"), new_obs_scene()),
                (tr("actions-show-a-source-for-a"), new_obs_show()),
                (tr("actions-set-a-text-source-s"), new_obs_text()),
            ] {
                if ui.button(label).clicked() {
                    added = Some(action);
                }
            }
        })
        .response
        .on_hover_text(tr("actions-window-needs-obs-s-websocket-server"));
        if ui
            .button(tr("actions-window-keys"))
            .on_hover_text(tr("actions-window-key-combinations-holds-mouse-clicks"))
            .clicked()
        {
            added = Some(new_keys());
        }
        if ui
            .button(tr("actions-window-speak"))
            .on_hover_text(tr("actions-window-say-a-text-with-the"))
            .clicked()
        {
            added = Some(new_speak());
        }
        if ui
            .button(tr("actions-window-random-trigger"))
            .on_hover_text(tr("actions-window-runs-the-actions-of-a"))
            .clicked()
        {
            added = Some(Action::Random);
        }
    });
    let Some(action) = added else {
        return false;
    };
    actions.push(action);
    true
}

fn kind_name(action: &Action) -> &'static str {
    match action {
        Action::Command { .. } => tr("actions-command"),
        Action::Sound { .. } => tr("actions-window-sound"),
        Action::Webhook { .. } => tr("actions-window-webhook"),
        Action::Random => tr("actions-random"),
        Action::OverlayText { .. } => tr("actions-overlay-text"),
        Action::ObsScene { .. } => tr("actions-obs-scene"),
        Action::ObsShowSource { .. } => tr("actions-obs-show-source"),
        Action::ObsText { .. } => tr("actions-obs-text"),
        Action::Keys(_) => tr("actions-keys"),
        Action::Speak(_) => tr("actions-speak"),
        Action::Counter(_) => tr("actions-counter"),
        Action::StreamTimer(_) => tr("counters-stream-timer"),
        Action::Points { .. } => tr("actions-points"),
    }
}

fn new_keys() -> Action {
    Action::Keys(KeysAction {
        steps: vec![KeyStep::Press(String::new())],
        ..KeysAction::default()
    })
}

fn new_speak() -> Action {
    Action::Speak(SpeakAction {
        text: "{nickname} sent {count} {gift}".to_owned(),
        ..SpeakAction::default()
    })
}

fn new_obs_scene() -> Action {
    Action::ObsScene {
        scene: String::new(),
    }
}

fn new_obs_show() -> Action {
    Action::ObsShowSource {
        scene: String::new(),
        source: String::new(),
        seconds: 5,
    }
}

fn new_obs_text() -> Action {
    Action::ObsText {
        source: String::new(),
        text: "{nickname} sent {count} × {gift}".to_owned(),
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
                Action::OverlayText {
                    title: "Thanks {nickname}!".to_owned(),
                    subtitle: "{count} × {gift}".to_owned(),
                    seconds: 3,
                },
                new_obs_scene(),
                new_obs_show(),
                new_obs_text(),
                new_keys(),
                new_speak(),
                Action::Points {
                    add: "{count}".to_owned(),
                    remove: String::new(),
                },
                super::counter_actions::new_counter(),
                super::counter_actions::new_timer(),
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

/// A one-line text field. Returns true when it changed.
fn text_ui(ui: &mut egui::Ui, text: &mut String, hint: &str, width: f32) -> bool {
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(width),
    )
    .changed()
}

/// The fields of one action, by kind. Returns true when one changed.
fn action_fields_ui(
    ui: &mut egui::Ui,
    action: &mut Action,
    cmds: &mut Commands,
    row: usize,
    index: usize,
) -> bool {
    match action {
        Action::Command { command, repeat } => {
            let a = text_ui(ui, command, tr("actions-e-g-summon-zombie"), 300.0);
            let b = ui
                .add(
                    egui::DragValue::new(repeat)
                        .range(1..=MAX_REPEAT)
                        .prefix("×"),
                )
                .on_hover_text(tr("actions-window-send-this-command-this-many"))
                .changed();
            a || b
        }
        Action::Sound { path, volume } => sound_fields_ui(ui, path, volume, || {
            cmds.push(Command::PickSound { row, action: index });
        }),
        Action::Webhook { url, .. } => text_ui(ui, url, "http://127.0.0.1:8080/hook", 340.0),
        Action::Random => {
            ui.label(RichText::new(tr("actions-window-runs-a-random-other-enabled")).weak());
            false
        }
        Action::OverlayText {
            title,
            subtitle,
            seconds,
        } => {
            let a = text_ui(ui, title, tr("actions-title-hint"), 180.0);
            let b = text_ui(ui, subtitle, tr("actions-subtitle"), 150.0);
            let c = ui
                .add(egui::DragValue::new(seconds).range(1..=120).suffix(" s"))
                .on_hover_text(tr("actions-window-how-long-the-text-shows"))
                .changed();
            a || b || c
        }
        Action::ObsScene { scene } => text_ui(ui, scene, tr("actions-scene-name-as-in-obs"), 300.0),
        Action::ObsShowSource {
            scene,
            source,
            seconds,
        } => {
            let a = text_ui(ui, source, tr("actions-source-name"), 150.0);
            let b = text_ui(ui, scene, tr("actions-in-scene-blank-the-live"), 150.0);
            let c = ui
                .add(
                    egui::DragValue::new(seconds)
                        .range(0..=crate::actions::obs::link::MAX_SHOW_SECONDS)
                        .suffix(" s"),
                )
                .on_hover_text(tr("actions-window-hidden-again-after-this-long"))
                .changed();
            a || b || c
        }
        Action::ObsText { source, text } => {
            let a = text_ui(ui, source, tr("actions-text-source-name"), 130.0);
            let b = ui
                .add(
                    egui::TextEdit::singleline(text)
                        .hint_text(tr("actions-text-hint"))
                        .desired_width(200.0),
                )
                .on_hover_text(tr("actions-window-placeholders-work-viewer-text-is"))
                .changed();
            a || b
        }
        Action::Counter(counter) => super::counter_actions::counter_fields_ui(ui, counter),
        Action::StreamTimer(timer) => super::counter_actions::timer_fields_ui(ui, timer),
        Action::Points { add, remove } => {
            let how = tr("actions-points-how");
            let a = text_ui(ui, add, tr("actions-add-hint"), 120.0);
            let b = text_ui(ui, remove, tr("counter-actions-remove"), 80.0);
            ui.label(tr("actions-window-points")).on_hover_text(how);

            a || b
        }
        // Their fields take lines of their own, below the row (`device_fields_ui`).
        Action::Keys(_) | Action::Speak(_) => false,
    }
}

/// A keys or speak action's editor, indented under its row. Returns true when it changed.
fn device_fields_ui(ui: &mut egui::Ui, action: &mut Action, keys_limits: &KeysLimits) -> bool {
    if !matches!(action, Action::Keys(_) | Action::Speak(_)) {
        return false;
    }
    let mut changed = false;
    ui.indent("device_fields", |ui| match action {
        Action::Keys(keys) => changed = super::keys_editor::keys_action_ui(ui, keys, keys_limits),
        Action::Speak(speak) => changed = super::speak_editor::speak_action_ui(ui, speak),
        _ => {}
    });
    changed
}

/// A sound's file (typed, or chosen with Browse…) and volume. Returns true when one changed.
fn sound_fields_ui(
    ui: &mut egui::Ui,
    path: &mut PathBuf,
    volume: &mut f32,
    browse: impl FnOnce(),
) -> bool {
    let mut text = path.display().to_string();
    let a = text_ui(ui, &mut text, tr("actions-sound-file-wav-ogg-mp3"), 220.0);
    if a {
        *path = PathBuf::from(text);
    }
    if ui.small_button(tr("actions-window-browse")).clicked() {
        browse();
    }
    let mut percent = (*volume * 100.0).round();
    let b = ui
        .add(
            egui::DragValue::new(&mut percent)
                .range(0.0..=200.0)
                .suffix(" %"),
        )
        .on_hover_text(tr("speak-editor-volume"))
        .changed();
    if b {
        *volume = percent / 100.0;
    }
    a || b
}
