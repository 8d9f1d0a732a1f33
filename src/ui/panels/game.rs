//! The Game panel: the subathon timer (start, pause, resume, add time, stop) and every goal (its
//! progress, Reset, add by hand, and its definition: title, metric, first target, what happens
//! when it is reached). Controls become [`Command::Game`]; edits change the settings.

use crate::i18n::tr;
use egui::RichText;

use super::super::commands::{Command, Commands};
use crate::counter_hub::clock_text;
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
    ui.heading(tr("game-subathon-and-goals"));
    if !view.saved {
        ui.label(
            RichText::new(tr("game-not-saved-the-viewers-ledger"))
                .weak()
                .small(),
        );
    }
    subathon_ui(ui, view, rates, cmds);
    ui.separator();
    goals_ui(ui, view, goals, cmds);
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
        Clock::Idle => (tr("game-not-started").to_owned(), false),
        Clock::Running { .. } => (clock_text(left), true),
        Clock::Paused { .. } => (crate::trf!("game-paused", time = clock_text(left)), false),
        Clock::Ended { .. } => (tr("game-ended").to_owned(), false),
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr("game-subathon")).strong());
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
                if ui.button(tr("counters-start")).clicked() {
                    send(Control::SubathonStart);
                }
            }
            Clock::Running { .. } => {
                if ui.button(tr("counters-pause")).clicked() {
                    send(Control::SubathonPause);
                }
            }
            Clock::Paused { .. } => {
                if ui.button(tr("counters-resume")).clicked() {
                    send(Control::SubathonResume);
                }
            }
        }
        if matches!(s.clock, Clock::Running { .. } | Clock::Paused { .. }) {
            for minutes in ADD_MINUTES {
                if ui
                    .small_button(crate::trf!("game-add-minutes", minutes = minutes))
                    .clicked()
                {
                    send(Control::SubathonAdd {
                        millis: minutes * 60_000,
                    });
                }
            }
            if ui.small_button(tr("game-stop")).clicked() {
                send(Control::SubathonStop);
            }
        }
    });
    egui::CollapsingHeader::new(tr("game-time-viewers-add"))
        .id_salt("subathon_rates")
        .show(ui, |ui| {
            let mut changed = false;
            changed |= seconds_ui(
                ui,
                tr("game-start-with-min"),
                &mut rates.start_millis,
                60_000,
            );
            changed |= seconds_ui(ui, tr("game-per-coin-s"), &mut rates.coin_millis, 1_000);
            changed |= seconds_ui(ui, tr("game-per-follow-s"), &mut rates.follow_millis, 1_000);
            changed |= seconds_ui(
                ui,
                tr("game-per-sub-s"),
                &mut rates.subscription_millis,
                1_000,
            );
            changed |= seconds_ui(ui, tr("game-per-share-s"), &mut rates.share_millis, 1_000);
            changed |= seconds_ui(ui, tr("game-per-like-s"), &mut rates.like_millis, 1_000);
            changed |= seconds_ui(
                ui,
                tr("game-at-most-min-0-none"),
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
    ("game-metric-coins", Metric::Coins),
    ("game-metric-likes", Metric::Likes),
    ("game-metric-follows", Metric::Follows),
    ("game-metric-shares", Metric::Shares),
    ("game-metric-subscriptions", Metric::Subscriptions),
];

fn goals_ui(ui: &mut egui::Ui, view: &GameView, goals: &mut Vec<GoalDef>, cmds: &mut Commands) {
    ui.label(RichText::new(tr("game-goals")).strong());
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
                            .hint_text(tr("game-title-on-the-overlay"))
                            .desired_width(140.0),
                    )
                    .changed();
                changed |= metric_ui(ui, &mut def.metric);
            });
            ui.horizontal_wrapped(|ui| {
                ui.label(tr("game-target"));
                changed |= ui
                    .add(egui::DragValue::new(&mut def.initial_target).range(1..=u64::MAX))
                    .changed();
                changed |= step_ui(ui, &mut def.step);
            });
            ui.horizontal_wrapped(|ui| {
                if ui.small_button(tr("counters-reset")).clicked() {
                    cmds.push(Command::Game(Control::GoalReset { index }));
                }
                for amount in [1, 10, 100] {
                    if ui.small_button(format!("+{amount}")).clicked() {
                        cmds.push(Command::Game(Control::GoalAdd { index, amount }));
                    }
                }
                if ui.small_button(tr("read-chat-remove")).clicked() {
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
    if ui.button(tr("game-add-a-goal")).clicked() {
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
        Metric::Counter(_) => tr("game-metric-counter"),
        other => tr(METRICS
            .iter()
            .find(|(_, m)| m == other)
            .map_or("game-metric-coins", |(w, _)| *w)),
    };
    egui::ComboBox::from_id_salt("metric")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for (word, m) in METRICS {
                if ui.selectable_label(*metric == m, tr(word)).clicked() {
                    *metric = m;
                    changed = true;
                }
            }
            if ui
                .selectable_label(
                    matches!(metric, Metric::Counter(_)),
                    tr("game-metric-counter"),
                )
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
                    .hint_text(tr("game-counter-name"))
                    .desired_width(80.0),
            )
            .changed();
    }
    changed
}

fn step_ui(ui: &mut egui::Ui, step: &mut GoalStep) -> bool {
    let mut changed = false;
    let shown = match step {
        GoalStep::Reset => tr("game-step-reset"),
        GoalStep::Add { .. } => tr("game-step-add"),
        GoalStep::Multiply { .. } => tr("game-step-multiply"),
    };
    egui::ComboBox::from_id_salt("step")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            let options = [
                (tr("game-step-reset"), GoalStep::Reset),
                (tr("game-step-add"), GoalStep::Add { step: 1_000 }),
                (tr("game-step-multiply"), GoalStep::Multiply { factor: 2 }),
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
