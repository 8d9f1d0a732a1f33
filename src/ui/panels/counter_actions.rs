//! The action editor's fields for `counter` and `stream_timer` actions: which counter, add /
//! remove / set and how much; add or remove time, or start / pause / resume / restart.

use crate::counter_hub::{CounterAction, StreamTimerAction, TimerControl};
use crate::i18n::tr;
use crate::mappings::Action;

/// What a new counter action does: one more win.
pub fn new_counter() -> Action {
    Action::Counter(CounterAction::add(crate::counter_hub::WINS, 1))
}

/// What a new timer action does: a minute more.
pub fn new_timer() -> Action {
    Action::StreamTimer(StreamTimerAction {
        add_seconds: Some(60),
        ..StreamTimerAction::default()
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CounterVerb {
    Add,
    Remove,
    Set,
}

/// Counter name, verb and amount. Returns true when one changed.
pub fn counter_fields_ui(ui: &mut egui::Ui, counter: &mut CounterAction) -> bool {
    let mut changed = ui
        .add(
            egui::TextEdit::singleline(&mut counter.name)
                .hint_text(tr("counter-actions-counter-e-g-wins"))
                .desired_width(120.0),
        )
        .changed();
    let (mut verb, mut amount) = match (counter.add, counter.remove, counter.set) {
        (_, Some(n), _) => (CounterVerb::Remove, n),
        (_, _, Some(n)) => (CounterVerb::Set, n),
        (n, ..) => (CounterVerb::Add, n.unwrap_or(1)),
    };
    egui::ComboBox::from_id_salt("counter_verb")
        .width(70.0)
        .selected_text(match verb {
            CounterVerb::Add => tr("counter-actions-add"),
            CounterVerb::Remove => tr("counter-actions-remove"),
            CounterVerb::Set => tr("counter-actions-set-to"),
        })
        .show_ui(ui, |ui| {
            changed |= ui
                .selectable_value(&mut verb, CounterVerb::Add, tr("counter-actions-add"))
                .changed();
            changed |= ui
                .selectable_value(&mut verb, CounterVerb::Remove, tr("counter-actions-remove"))
                .changed();
            changed |= ui
                .selectable_value(&mut verb, CounterVerb::Set, tr("counter-actions-set-to"))
                .changed();
        });
    changed |= ui.add(egui::DragValue::new(&mut amount)).changed();
    if changed {
        counter.add = (verb == CounterVerb::Add).then_some(amount);
        counter.remove = (verb == CounterVerb::Remove).then_some(amount);
        counter.set = (verb == CounterVerb::Set).then_some(amount);
    }
    changed
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TimerVerb {
    Add,
    Remove,
    Control(TimerControl),
}

fn timer_verb_name(verb: TimerVerb) -> &'static str {
    match verb {
        TimerVerb::Add => tr("counter-actions-add-time"),
        TimerVerb::Remove => tr("counter-actions-remove-time"),
        TimerVerb::Control(TimerControl::Start) => tr("counter-actions-start"),
        TimerVerb::Control(TimerControl::Pause) => tr("counter-actions-pause"),
        TimerVerb::Control(TimerControl::Resume) => tr("counter-actions-resume"),
        TimerVerb::Control(TimerControl::Restart) => tr("counter-actions-restart"),
    }
}

/// Add or remove seconds, or a control. Returns true when one changed.
pub fn timer_fields_ui(ui: &mut egui::Ui, timer: &mut StreamTimerAction) -> bool {
    let (mut verb, mut seconds) = match (timer.add_seconds, timer.remove_seconds, timer.control) {
        (_, Some(s), _) => (TimerVerb::Remove, s),
        (_, _, Some(c)) => (TimerVerb::Control(c), 60),
        (s, ..) => (TimerVerb::Add, s.unwrap_or(60)),
    };
    let mut changed = false;
    egui::ComboBox::from_id_salt("timer_verb")
        .width(100.0)
        .selected_text(timer_verb_name(verb))
        .show_ui(ui, |ui| {
            let verbs = [
                TimerVerb::Add,
                TimerVerb::Remove,
                TimerVerb::Control(TimerControl::Start),
                TimerVerb::Control(TimerControl::Pause),
                TimerVerb::Control(TimerControl::Resume),
                TimerVerb::Control(TimerControl::Restart),
            ];
            for option in verbs {
                changed |= ui
                    .selectable_value(&mut verb, option, timer_verb_name(option))
                    .changed();
            }
        });
    if matches!(verb, TimerVerb::Add | TimerVerb::Remove) {
        changed |= ui
            .add(
                egui::DragValue::new(&mut seconds)
                    .range(1..=86_400)
                    .suffix(" s"),
            )
            .changed();
    }
    if changed {
        *timer = StreamTimerAction {
            add_seconds: (verb == TimerVerb::Add).then_some(seconds),
            remove_seconds: (verb == TimerVerb::Remove).then_some(seconds),
            control: match verb {
                TimerVerb::Control(c) => Some(c),
                _ => None,
            },
        };
    }
    changed
}
