//! The Counters panel: each counter's value with buttons to change it by hand (−1, +1, back to
//! its start) and its overlay URL, and the stream timer's time left with start / pause / resume,
//! a minute more or less, and a new round. Changes go out as commands; the values come back from
//! the counter hub.

use crate::i18n::tr;
use egui::RichText;

use super::super::commands::{Command, Commands};
use super::{AMBER, GREEN, GREY, RED};
use crate::counter_hub::{CounterBoard, DEATHS, HandChange, WINS, clock_text};
use crate::counters::{CounterDef, CounterOp, counter_key};
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
    ui.heading(tr("counters-counters"));
    for counter in board.counters.iter() {
        let name = counter.def.name.clone();
        // Wrapped, not right-aligned: a long word (German "Zurücksetzen") moves the buttons to
        // the next line instead of past the side column's edge.
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&name).strong());
            ui.label(RichText::new(counter.value.to_string()).size(18.0).strong());
            let change = |op| {
                Command::Counters(HandChange::Counter {
                    name: name.clone(),
                    op,
                })
            };
            if ui.small_button("−1").clicked() {
                cmds.push(change(CounterOp::Subtract(1)));
            }
            if ui.small_button("+1").clicked() {
                cmds.push(change(CounterOp::Add(1)));
            }
            if ui
                .small_button(tr("counters-reset"))
                .on_hover_text(tr("counters-back-to-its-start-value"))
                .clicked()
            {
                cmds.push(change(CounterOp::Set(counter.def.start)));
            }
            if let Some(base) = overlay_base
                && ui
                    .small_button(tr("counters-copy-url"))
                    .on_hover_text(tr("counters-the-counter-s-overlay"))
                    .clicked()
            {
                ui.ctx().copy_text(counter_url(base, &name));
            }
        });
    }
    if board.counters.iter().next().is_none() {
        ui.label(RichText::new(tr("counters-no-counters-settings-counters")).weak());
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
        (RED, tr("counters-waiting-while-you-are-dead"))
    } else if timer.paused {
        (AMBER, tr("counters-paused"))
    } else if timer.started {
        (GREEN, tr("counters-running"))
    } else {
        (GREY, tr("counters-stopped"))
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr("counters-stream-timer")).strong());
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
            if ui.button(tr("counters-start")).clicked() {
                push(TimerOp::Start);
            }
        } else if timer.paused {
            if ui.button(tr("counters-resume")).clicked() {
                push(TimerOp::Resume);
            }
        } else if ui.button(tr("counters-pause")).clicked() {
            push(TimerOp::Pause);
        }
        if ui.button(tr("counters-1-min")).clicked() {
            push(TimerOp::RemoveMillis(60_000));
        }
        if ui.button(tr("counters-1-min-2")).clicked() {
            push(TimerOp::AddMillis(60_000));
        }
        if ui
            .button(tr("counters-new-round"))
            .on_hover_text(tr("counters-the-full-length-on-the"))
            .clicked()
        {
            push(TimerOp::Restart);
        }
        if let Some(base) = overlay_base
            && ui
                .small_button(tr("counters-copy-url"))
                .on_hover_text(tr("counters-the-timer-s-overlay"))
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

/// Adding a counter of one's own (a name, then Add) and removing one (✖ on hover, for every
/// counter but Tiktok2Mc's two, which the world watch feeds). Returns true when the settings
/// changed.
pub fn counter_defs_ui(ui: &mut egui::Ui, defs: &mut Vec<CounterDef>, draft: &mut String) -> bool {
    let mut changed = false;
    let own: Vec<String> = defs
        .iter()
        .map(|d| d.name.clone())
        .filter(|n| {
            ![DEATHS, WINS]
                .iter()
                .any(|t| counter_key(t) == counter_key(n))
        })
        .collect();
    if !own.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(tr("counters-remove")).weak());
            for name in own {
                if ui
                    .small_button(crate::trf!("counters-remove-named", name = name.as_str()))
                    .on_hover_text(tr("counters-remove-this-counter-its-overlay"))
                    .clicked()
                {
                    defs.retain(|d| counter_key(&d.name) != counter_key(&name));
                    changed = true;
                }
            }
        });
    }
    ui.horizontal(|ui| {
        let label = ui.label(tr("counters-new-counter"));
        ui.add(
            egui::TextEdit::singleline(draft)
                .hint_text(tr("counters-e-g-boss-kills"))
                .desired_width(130.0),
        )
        .labelled_by(label.id);
        let name = draft.trim().to_owned();
        let taken = defs
            .iter()
            .any(|d| counter_key(&d.name) == counter_key(&name));
        if ui
            .add_enabled(
                !name.is_empty() && !taken,
                egui::Button::new(tr("counters-add")),
            )
            .clicked()
        {
            defs.push(CounterDef::named(&name));
            draft.clear();
            changed = true;
        }
    });
    changed
}

/// The stream timer's settings: a round's length, what happens at zero, waiting out deaths.
/// Returns true when one changed.
pub fn stream_timer_fields_ui(ui: &mut egui::Ui, timer: &mut StreamTimerSettings) -> bool {
    let mut changed = false;
    egui::Grid::new("stream_timer_grid")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(tr("counters-stream-timer"));
            let mut minutes = timer.length_seconds.div_ceil(60).max(1);
            let drag = ui
                .add(
                    egui::DragValue::new(&mut minutes)
                        .range(1..=24 * 60)
                        .suffix(" min"),
                )
                .on_hover_text(tr("counters-a-round-s-length-the"));
            if drag.changed() {
                timer.length_seconds = minutes * 60;
                changed = true;
            }
            ui.end_row();
            ui.label(tr("counters-at-zero"));
            changed |= ui
                .checkbox(&mut timer.restart_at_zero, tr("counters-a-win-then-a-new"))
                .on_hover_text(tr("counters-off-a-win-then-the"))
                .changed();
            ui.end_row();
            ui.label(tr("world-while-you-are-dead"));
            changed |= ui
                .checkbox(
                    &mut timer.pause_while_dead,
                    tr("counters-the-timer-stands-still"),
                )
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
