//! The action queue panel: the Minecraft connection, waiting/running/done counts, the player's
//! life (the queue waits while they are dead), Pause, Resume and Clear, and the latest replies.

use crate::i18n::tr;
use std::collections::VecDeque;

use egui::RichText;

use super::super::bridge::{LogLine, QueueStatus, RconState, WorldStatus};
use super::super::commands::{Command, Commands};
use super::super::failure;
use super::super::state::RconTest;
use super::plain::plain_failure_ui;
use super::settings_page::rcon_test_ui;
use super::{AMBER, BLUE, GREEN, GREY, RED};
use crate::actions::FailedAction;

pub fn queue_ui(
    ui: &mut egui::Ui,
    q: &QueueStatus,
    world: &WorldStatus,
    log: &VecDeque<LogLine>,
    rcon_test: &RconTest,
    demo: bool,
    cmds: &mut Commands,
) {
    ui.heading(tr("queue-action-queue"));
    rcon_line_ui(ui, &q.rcon, &q.server, rcon_test, cmds);
    super::held::held_queues_ui(ui, q, cmds);
    if demo {
        ui.label(
            RichText::new(tr("queue-demo-commands-go-to-a"))
                .color(BLUE)
                .small(),
        );
    }
    egui::Grid::new("queue_grid")
        .num_columns(2)
        .spacing([16.0, 3.0])
        .show(ui, |ui| {
            ui.label(tr("queue-waiting"));
            ui.strong(q.depth.to_string());
            ui.end_row();
            ui.label(tr("queue-running-now"));
            ui.label(q.running.as_deref().unwrap_or("—"));
            ui.end_row();
            ui.label(tr("queue-done"));
            ui.label(RichText::new(q.done.to_string()).color(GREEN));
            ui.end_row();
            ui.label(tr("queue-failed"));
            let failed_color = if q.failed > 0 { RED } else { GREY };
            ui.label(RichText::new(q.failed.to_string()).color(failed_color));
            ui.end_row();
            ui.label(tr("queue-dropped-queue-full"));
            ui.label(q.dropped.to_string());
            ui.end_row();
            ui.label(tr("queue-too-old-not-run"));
            ui.label(q.too_old.to_string());
            ui.end_row();
        });
    super::world::world_line_ui(ui, world);
    super::datapack::batch_route_line_ui(ui, &q.batches);
    if let Some(pause) = &q.world_pause {
        // Apart from the streamer's Pause: nothing to press, the respawn resumes it.
        ui.label(
            RichText::new(crate::trf!("queue-world-pause", reason = pause.to_string()))
                .color(AMBER)
                .strong(),
        );
    }
    ui.horizontal(|ui| {
        if q.paused {
            ui.label(RichText::new(tr("queue-paused")).color(AMBER).strong());
            if ui.button(tr("queue-resume")).clicked() {
                cmds.push(Command::ResumeQueue);
            }
        } else if ui
            .button(tr("queue-pause"))
            .on_hover_text(tr("queue-hold-actions-in-the-queue"))
            .clicked()
        {
            cmds.push(Command::PauseQueue);
        }
        if ui
            .button(tr("queue-clear"))
            .on_hover_text(tr("queue-throw-away-every-waiting-action"))
            .clicked()
        {
            cmds.push(Command::ClearQueue);
        }
    });
    match (&q.last_error, &q.rcon) {
        // A server that is down already says so above, its error behind "Details".
        (None, _) | (Some(_), RconState::Down(_)) => {}
        // Commands fail while no server is set up: a step not taken yet, not an alarm.
        (Some(last), RconState::NotConfigured) => last_error_ui(ui, last, GREY),
        (Some(last), _) => last_error_ui(ui, last, RED),
    }
    ui.add_space(4.0);
    log_ui(ui, log);
}

/// The Minecraft (RCON) connection in a word. Not set up yet is neutral, never an error; a
/// server that is down says so in plain words, with the executor's reason behind "Details".
fn rcon_line_ui(
    ui: &mut egui::Ui,
    rcon: &RconState,
    server: &crate::actions::ServerId,
    rcon_test: &RconTest,
    cmds: &mut Commands,
) {
    let (color, word) = match rcon {
        RconState::NotConfigured => (GREY, tr("queue-rcon-not-set-up")),
        RconState::Connecting => (GREY, tr("queue-rcon-connecting")),
        RconState::Connected => (GREEN, tr("queue-rcon-connected")),
        RconState::Down(_) => (RED, tr("queue-rcon-down")),
        RconState::WaitingForGame { .. } => (GREY, tr("queue-rcon-waiting-for-game")),
    };
    ui.horizontal(|ui| {
        ui.label(if matches!(server, crate::actions::ServerId::Bedrock(_)) {
            tr("queue-minecraft-bedrock")
        } else {
            tr("queue-minecraft-rcon")
        });
        ui.label(RichText::new(word).color(color).strong());
    });
    match rcon {
        RconState::NotConfigured => {
            ui.label(RichText::new(tr("queue-add-your-server-in-settings")).weak());
        }
        RconState::Down(down) => {
            // The Test button's words for the same failure, and when the next try is.
            plain_failure_ui(ui, "queue_rcon_details", &failure::rcon_down(down), RED);
            ui.label(RichText::new(tr("queue-commands-wait-while-giftdeck-keeps")).weak());
            rcon_test_ui(ui, "queue_rcon_test", rcon_test, cmds);
        }
        RconState::WaitingForGame { port } => {
            ui.label(
                RichText::new(crate::trf!(
                    "queue-type-connect",
                    command = crate::actions::bedrock::connect_command(*port)
                ))
                .weak(),
            );
        }
        RconState::Connecting | RconState::Connected => {}
    }
}

/// The last failed action, in the words `failure` gives its error.
fn last_error_ui(ui: &mut egui::Ui, last: &FailedAction, color: egui::Color32) {
    let plain = failure::action_failure(&last.error);
    ui.label(
        RichText::new(crate::trf!(
            "queue-last-error",
            action = last.action.to_string(),
            headline = plain.headline.as_str()
        ))
        .color(color),
    );
    if !plain.advice.is_empty() {
        ui.label(RichText::new(plain.advice).weak());
    }
}

/// The executor's latest replies, newest at the bottom.
fn log_ui(ui: &mut egui::Ui, log: &VecDeque<LogLine>) {
    ui.label(RichText::new(tr("queue-recent-replies")).strong());
    if log.is_empty() {
        ui.label(RichText::new(tr("queue-nothing-has-run-yet")).weak());
    }
    egui::ScrollArea::vertical()
        .id_salt("exec_log")
        .max_height(220.0)
        .stick_to_bottom(true)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for line in log {
                let color = if line.is_error {
                    RED
                } else {
                    ui.visuals().text_color()
                };
                ui.label(
                    RichText::new(&line.text)
                        .monospace()
                        .size(11.0)
                        .color(color),
                );
            }
        });
}
