//! The Counters panel: each counter's value with buttons to change it by hand (−1, +1, back to
//! its start) and its overlay URL, and the stream timer's time left with start / pause / resume,
//! a minute more or less, and a new round. Changes go out as commands; the values come back from
//! the counter hub.

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::{AMBER, GREEN, GREY, RED};
use crate::counter_hub::{CounterBoard, HandChange, clock_text};
use crate::counters::CounterOp;
use crate::stream_timer::{StreamTimerSettings, TimerOp};

/// A counter's overlay URL on the overlay server at `base` (`http://127.0.0.1:PORT`).
pub fn counter_url(base: &str, name: &str) -> String {
    let name: String = url_escape(name.trim());
    format!("{base}/counter?name={name}")
}

/// The stream timer's overlay URL.
pub fn timer_url(base: &str) -> String {
    format!("{base}/timer")
}

fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The panel. `overlay_base`: the overlay server (`None`: overlays are off, no URLs).
pub fn counters_ui(
    ui: &mut egui::Ui,
    board: &CounterBoard,
    now_millis: u64,
    overlay_base: Option<&str>,
    cmds: &mut Commands,
) {
    ui.heading("Counters");
    for counter in board.counters.iter() {
        let name = counter.def.name.clone();
        ui.horizontal(|ui| {
            ui.label(RichText::new(&name).strong());
            ui.label(RichText::new(counter.value.to_string()).size(18.0).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let change = |op| {
                    Command::Counters(HandChange::Counter {
                        name: name.clone(),
                        op,
                    })
                };
                if let Some(base) = overlay_base
                    && ui
                        .small_button("Copy URL")
                        .on_hover_text("The counter's overlay")
                        .clicked()
                {
                    ui.ctx().copy_text(counter_url(base, &name));
                }
                if ui
                    .small_button("Reset")
                    .on_hover_text("Back to its start value")
                    .clicked()
                {
                    cmds.push(change(CounterOp::Set(counter.def.start)));
                }
                if ui.small_button("+1").clicked() {
                    cmds.push(change(CounterOp::Add(1)));
                }
                if ui.small_button("−1").clicked() {
                    cmds.push(change(CounterOp::Subtract(1)));
                }
            });
        });
    }
    if board.counters.iter().next().is_none() {
        ui.label(RichText::new("No counters (Settings › counters).").weak());
    }
    ui.add_space(4.0);
    stream_timer_ui(ui, board, now_millis, overlay_base, cmds);
}

fn stream_timer_ui(
    ui: &mut egui::Ui,
    board: &CounterBoard,
    now_millis: u64,
    overlay_base: Option<&str>,
    cmds: &mut Commands,
) {
    let timer = &board.timer;
    let (color, state) = if timer.held_while_dead && timer.started {
        (RED, "waiting while you are dead")
    } else if timer.paused {
        (AMBER, "paused")
    } else if timer.started {
        (GREEN, "running")
    } else {
        (GREY, "stopped")
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new("Stream timer").strong());
        ui.label(
            RichText::new(clock_text(board.remaining_millis(now_millis)))
                .size(18.0)
                .monospace()
                .strong(),
        );
        ui.label(RichText::new(state).color(color));
    });
    ui.horizontal_wrapped(|ui| {
        let mut push = |op| cmds.push(Command::Counters(HandChange::Timer(op)));
        if !timer.started {
            if ui.button("Start").clicked() {
                push(TimerOp::Start);
            }
        } else if timer.paused {
            if ui.button("Resume").clicked() {
                push(TimerOp::Resume);
            }
        } else if ui.button("Pause").clicked() {
            push(TimerOp::Pause);
        }
        if ui.button("−1 min").clicked() {
            push(TimerOp::RemoveMillis(60_000));
        }
        if ui.button("+1 min").clicked() {
            push(TimerOp::AddMillis(60_000));
        }
        if ui
            .button("New round")
            .on_hover_text("The full length on the clock, running")
            .clicked()
        {
            push(TimerOp::Restart);
        }
        if let Some(base) = overlay_base
            && ui
                .small_button("Copy URL")
                .on_hover_text("The timer's overlay")
                .clicked()
        {
            ui.ctx().copy_text(timer_url(base));
        }
    });
    if timer.counting() {
        // The clock on screen moves once a second, and only while it runs.
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(
                1000 - board.remaining_millis(now_millis) % 1000 + 5,
            ));
    }
}

/// The stream timer's settings: a round's length, what happens at zero, waiting out deaths.
/// Returns true when one changed.
pub fn stream_timer_fields_ui(ui: &mut egui::Ui, timer: &mut StreamTimerSettings) -> bool {
    let mut changed = false;
    egui::Grid::new("stream_timer_grid")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("Stream timer");
            let mut minutes = timer.length_seconds.div_ceil(60).max(1);
            let drag = ui
                .add(
                    egui::DragValue::new(&mut minutes)
                        .range(1..=24 * 60)
                        .suffix(" min"),
                )
                .on_hover_text("A round's length: the time on the clock at a start or a new round");
            if drag.changed() {
                timer.length_seconds = minutes * 60;
                changed = true;
            }
            ui.end_row();
            ui.label("At zero");
            changed |= ui
                .checkbox(&mut timer.restart_at_zero, "a win, then a new round")
                .on_hover_text("Off: a win, then the timer stops at 0:00")
                .changed();
            ui.end_row();
            ui.label("While you are dead");
            changed |= ui
                .checkbox(&mut timer.pause_while_dead, "the timer stands still")
                .changed();
            ui.end_row();
        });
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_counter_name_safely() {
        assert_eq!(
            counter_url("http://127.0.0.1:23870", "Deaths"),
            "http://127.0.0.1:23870/counter?name=Deaths"
        );
        assert_eq!(
            counter_url("http://x", "Boss kills&x=<b>"),
            "http://x/counter?name=Boss%20kills%26x%3D%3Cb%3E"
        );
        assert_eq!(timer_url("http://x"), "http://x/timer");
    }
}
