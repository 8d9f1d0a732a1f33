//! The Game panel: the subathon timer (start, pause, resume, add time, stop) and every goal (its
//! progress, Reset, add by hand, and its definition: title, metric, first target, what happens
//! when it is reached). Controls become [`Command::Game`]; edits change the settings.

use egui::RichText;

use super::super::commands::{Command, Commands};
use crate::game::{Control, GameView};
use crate::goals::{GoalDef, GoalStep, Metric};
use crate::subathon::{Clock, SubathonRates};

/// Minutes the "+ time" buttons add.
const ADD_MINUTES: [u64; 3] = [1, 5, 15];

/// The panel (in the side column): the timer, then the goals.
pub fn game_ui(
    ui: &mut egui::Ui,
    view: &GameView,
    goals: &mut Vec<GoalDef>,
    rates: &mut SubathonRates,
    cmds: &mut Commands,
) {
    ui.heading("Subathon and goals");
    if !view.saved {
        ui.label(
            RichText::new("Not saved: the viewers' ledger is off or not open yet.")
                .weak()
                .small(),
        );
    }
    subathon_ui(ui, view, rates, cmds);
    ui.separator();
    goals_ui(ui, view, goals, cmds);
}

/// `1:05:09` / `5:09`.
pub fn clock_text(millis: u64) -> String {
    let total = millis.div_ceil(1000);
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn wall_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn subathon_ui(ui: &mut egui::Ui, view: &GameView, rates: &mut SubathonRates, cmds: &mut Commands) {
    let s = &view.subathon;
    let left = s.remaining(wall_millis());
    let (words, running) = match s.clock {
        Clock::Idle => ("not started".to_owned(), false),
        Clock::Running { .. } => (clock_text(left), true),
        Clock::Paused { .. } => (format!("{} (paused)", clock_text(left)), false),
        Clock::Ended { .. } => ("ended".to_owned(), false),
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new("Subathon").strong());
        ui.label(RichText::new(words).monospace());
    });
    if running {
        // The countdown shows whole seconds.
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(1_000 - left % 1_000));
    }
    ui.horizontal_wrapped(|ui| {
        let mut send = |control| cmds.push(Command::Game(control));
        match s.clock {
            Clock::Idle | Clock::Ended { .. } => {
                if ui.button("Start").clicked() {
                    send(Control::SubathonStart);
                }
            }
            Clock::Running { .. } => {
                if ui.button("Pause").clicked() {
                    send(Control::SubathonPause);
                }
            }
            Clock::Paused { .. } => {
                if ui.button("Resume").clicked() {
                    send(Control::SubathonResume);
                }
            }
        }
        if matches!(s.clock, Clock::Running { .. } | Clock::Paused { .. }) {
            for minutes in ADD_MINUTES {
                if ui.small_button(format!("+{minutes} min")).clicked() {
                    send(Control::SubathonAdd {
                        millis: minutes * 60_000,
                    });
                }
            }
            if ui.small_button("Stop").clicked() {
                send(Control::SubathonStop);
            }
        }
    });
    egui::CollapsingHeader::new("Time viewers add")
        .id_salt("subathon_rates")
        .show(ui, |ui| {
            let mut changed = false;
            changed |= seconds_ui(ui, "Start with (min)", &mut rates.start_millis, 60_000);
            changed |= seconds_ui(ui, "Per coin (s)", &mut rates.coin_millis, 1_000);
            changed |= seconds_ui(ui, "Per follow (s)", &mut rates.follow_millis, 1_000);
            changed |= seconds_ui(ui, "Per sub (s)", &mut rates.subscription_millis, 1_000);
            changed |= seconds_ui(ui, "Per share (s)", &mut rates.share_millis, 1_000);
            changed |= seconds_ui(ui, "Per like (s)", &mut rates.like_millis, 1_000);
            changed |= seconds_ui(
                ui,
                "At most (min, 0 none)",
                &mut rates.max_remaining_millis,
                60_000,
            );
            if changed {
                cmds.push(Command::SettingsChanged);
            }
        });
}

/// A millisecond setting edited in `unit_millis` (seconds, minutes).
fn seconds_ui(ui: &mut egui::Ui, label: &str, millis: &mut u64, unit_millis: u64) -> bool {
    let mut units = *millis / unit_millis;
    let changed = ui
        .horizontal(|ui| {
            ui.label(label);
            ui.add(egui::DragValue::new(&mut units).range(0..=100_000))
                .changed()
        })
        .inner;
    if changed {
        *millis = units * unit_millis;
    }
    changed
}

const METRICS: [(&str, Metric); 5] = [
    ("coins", Metric::Coins),
    ("likes", Metric::Likes),
    ("follows", Metric::Follows),
    ("shares", Metric::Shares),
    ("subscriptions", Metric::Subscriptions),
];

fn goals_ui(ui: &mut egui::Ui, view: &GameView, goals: &mut Vec<GoalDef>, cmds: &mut Commands) {
    ui.label(RichText::new("Goals").strong());
    let mut changed = false;
    let mut remove = None;
    for (index, def) in goals.iter_mut().enumerate() {
        ui.push_id(("goal", index), |ui| {
            let live = view.goals.get(index).filter(|g| &g.def == def);
            if let Some(goal) = live {
                ui.add(
                    egui::ProgressBar::new(goal.fraction() as f32)
                        .text(format!("{} / {}", goal.progress, goal.target)),
                );
            }
            ui.horizontal_wrapped(|ui| {
                changed |= ui
                    .add(
                        egui::TextEdit::singleline(&mut def.title)
                            .hint_text("title on the overlay")
                            .desired_width(140.0),
                    )
                    .changed();
                changed |= metric_ui(ui, &mut def.metric);
            });
            ui.horizontal_wrapped(|ui| {
                ui.label("Target");
                changed |= ui
                    .add(egui::DragValue::new(&mut def.initial_target).range(1..=u64::MAX))
                    .changed();
                changed |= step_ui(ui, &mut def.step);
            });
            ui.horizontal_wrapped(|ui| {
                if ui.small_button("Reset").clicked() {
                    cmds.push(Command::Game(Control::GoalReset { index }));
                }
                for amount in [1, 10, 100] {
                    if ui.small_button(format!("+{amount}")).clicked() {
                        cmds.push(Command::Game(Control::GoalAdd { index, amount }));
                    }
                }
                if ui.small_button("Remove").clicked() {
                    remove = Some(index);
                }
            });
            ui.separator();
        });
    }
    if let Some(index) = remove {
        goals.remove(index);
        changed = true;
    }
    if ui.button("Add a goal").clicked() {
        goals.push(GoalDef::default());
        changed = true;
    }
    if changed {
        cmds.push(Command::SettingsChanged);
    }
}

fn metric_ui(ui: &mut egui::Ui, metric: &mut Metric) -> bool {
    let mut changed = false;
    let shown = match &*metric {
        Metric::Counter(_) => "counter",
        other => METRICS
            .iter()
            .find(|(_, m)| m == other)
            .map_or("coins", |(w, _)| *w),
    };
    egui::ComboBox::from_id_salt("metric")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for (word, m) in METRICS {
                if ui.selectable_label(*metric == m, word).clicked() {
                    *metric = m;
                    changed = true;
                }
            }
            if ui
                .selectable_label(matches!(metric, Metric::Counter(_)), "counter")
                .clicked()
                && !matches!(metric, Metric::Counter(_))
            {
                *metric = Metric::Counter(String::new());
                changed = true;
            }
        });
    if let Metric::Counter(name) = metric {
        changed |= ui
            .add(
                egui::TextEdit::singleline(name)
                    .hint_text("counter name")
                    .desired_width(80.0),
            )
            .changed();
    }
    changed
}

fn step_ui(ui: &mut egui::Ui, step: &mut GoalStep) -> bool {
    let mut changed = false;
    let shown = match step {
        GoalStep::Reset => "then start over",
        GoalStep::Add { .. } => "then add",
        GoalStep::Multiply { .. } => "then multiply by",
    };
    egui::ComboBox::from_id_salt("step")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            let options = [
                ("then start over", GoalStep::Reset),
                ("then add", GoalStep::Add { step: 1_000 }),
                ("then multiply by", GoalStep::Multiply { factor: 2 }),
            ];
            for (word, option) in options {
                let same = std::mem::discriminant(step) == std::mem::discriminant(&option);
                if ui.selectable_label(same, word).clicked() && !same {
                    *step = option;
                    changed = true;
                }
            }
        });
    match step {
        GoalStep::Reset => {}
        GoalStep::Add { step } => {
            changed |= ui
                .add(egui::DragValue::new(step).range(1..=u64::MAX))
                .changed();
        }
        GoalStep::Multiply { factor } => {
            changed |= ui
                .add(egui::DragValue::new(factor).range(2..=100))
                .changed();
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_reads_like_a_timer() {
        assert_eq!(clock_text(0), "0:00");
        assert_eq!(clock_text(5_001), "0:06", "a started second still shows");
        assert_eq!(clock_text(65_000), "1:05");
        assert_eq!(clock_text(3_909_000), "1:05:09");
    }
}
