//! The window that edits one trigger's action list: kind, fields, order, add and remove.

use std::path::PathBuf;

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::triggers::TriggerEditor;
use super::triggers::MAX_REPEAT;
use crate::mappings::{Action, Mapping};

/// The window that edits one row's action list.
pub fn actions_window_ui(
    ctx: &egui::Context,
    mappings: &mut [Mapping],
    editor: &mut TriggerEditor,
    cmds: &mut Commands,
) {
    let Some(row) = editor.editing else {
        return;
    };
    let Some(mapping) = mappings.get_mut(row) else {
        editor.editing = None;
        return;
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
                    "Runs top to bottom each time the trigger fires. Commands may use {user} {nickname} {count}; gifts {gift} {diamonds}; like rules {likes} {total_likes}; chat {message} {args}.",
                )
                .weak(),
            );
            changed |= super::conditions::audience_cooldown_ui(ui, mapping);
            ui.separator();
            let mut remove = None;
            let mut move_up = None;
            for (i, action) in mapping.actions.iter_mut().enumerate() {
                ui.push_id(i, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(format!("{}.", i + 1));
                        changed |= action_kind_ui(ui, action);
                        changed |= action_fields_ui(ui, action, cmds, row, i);
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
                ui.menu_button("OBS", |ui| {
                    for (label, action) in [
                        ("Switch scene", new_obs_scene()),
                        ("Show a source for a while", new_obs_show()),
                        ("Set a text source's text", new_obs_text()),
                    ] {
                        if ui.button(label).clicked() {
                            mapping.actions.push(action);
                            changed = true;
                        }
                    }
                })
                .response
                .on_hover_text("Needs OBS's WebSocket server (Settings > OBS)");
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
        cmds.push(Command::MappingsChanged);
    }
}

fn kind_name(action: &Action) -> &'static str {
    match action {
        Action::Command { .. } => "Command",
        Action::Sound { .. } => "Sound",
        Action::Webhook { .. } => "Webhook",
        Action::Random => "Random",
        Action::OverlayText { .. } => "Overlay text",
        Action::ObsScene { .. } => "OBS scene",
        Action::ObsShowSource { .. } => "OBS show source",
        Action::ObsText { .. } => "OBS text",
        Action::Keys(_) => "Keys",
        Action::Speak(_) => "Speak",
    }
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
    cmds: &mut Commands,
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
                cmds.push(Command::PickSound { row, action: index });
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
        Action::OverlayText {
            title,
            subtitle,
            seconds,
        } => {
            let a = ui
                .add(
                    egui::TextEdit::singleline(title)
                        .hint_text("title, e.g. Thanks {nickname}!")
                        .desired_width(180.0),
                )
                .changed();
            let b = ui
                .add(
                    egui::TextEdit::singleline(subtitle)
                        .hint_text("subtitle")
                        .desired_width(150.0),
                )
                .changed();
            let c = ui
                .add(egui::DragValue::new(seconds).range(1..=120).suffix(" s"))
                .on_hover_text("How long the text shows on the /text overlay")
                .changed();
            a || b || c
        }
        Action::ObsScene { scene } => ui
            .add(
                egui::TextEdit::singleline(scene)
                    .hint_text("scene name, as in OBS")
                    .desired_width(300.0),
            )
            .changed(),
        Action::ObsShowSource {
            scene,
            source,
            seconds,
        } => {
            let a = ui
                .add(
                    egui::TextEdit::singleline(source)
                        .hint_text("source name")
                        .desired_width(150.0),
                )
                .changed();
            let b = ui
                .add(
                    egui::TextEdit::singleline(scene)
                        .hint_text("in scene (blank: the live one)")
                        .desired_width(150.0),
                )
                .changed();
            let c = ui
                .add(
                    egui::DragValue::new(seconds)
                        .range(0..=crate::actions::obs::link::MAX_SHOW_SECONDS)
                        .suffix(" s"),
                )
                .on_hover_text("Hidden again after this long (0: stays shown)")
                .changed();
            a || b || c
        }
        Action::ObsText { source, text } => {
            let a = ui
                .add(
                    egui::TextEdit::singleline(source)
                        .hint_text("text source name")
                        .desired_width(130.0),
                )
                .changed();
            let b = ui
                .add(
                    egui::TextEdit::singleline(text)
                        .hint_text("e.g. Thanks {nickname}!")
                        .desired_width(200.0),
                )
                .on_hover_text("Placeholders work; viewer text is shown as plain text")
                .changed();
            a || b
        }
        // Edited in the mappings file for now; shown here as written.
        Action::Keys(_) | Action::Speak(_) => {
            ui.label(action.summary());
            false
        }
    }
}
