//! The goals on the Live page, read at a glance mid-stream: each goal's title over a compact
//! progress bar, and the subathon clock while one runs. Nothing to edit here: the goals are set up
//! (and moved by hand) in the *Subathon and goals* panel on the Overlays page.

use crate::i18n::tr;
use egui::RichText;

use crate::counter_hub::clock_text;
use crate::game::GameView;
use crate::goals::{Goal, Metric};
use crate::subathon::{Clock, Subathon};

/// Height of one goal's bar: a line of small text fits in it.
const BAR_HEIGHT: f32 = 16.0;

/// The section (in the Live page's side column); `now_millis` is the wall clock.
pub fn live_goals_ui(ui: &mut egui::Ui, view: &GameView, now_millis: u64) {
    ui.heading(tr("game-goals"));
    if let Some(words) = subathon_words(&view.subathon, now_millis) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(tr("game-subathon")).strong());
            ui.label(RichText::new(words).monospace());
        });
        if matches!(view.subathon.clock, Clock::Running { .. }) {
            // The clock shows whole seconds.
            let left = view.subathon.remaining(now_millis);
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(1_000 - left % 1_000));
        }
    }
    let mut any = false;
    for goal in view.goals.iter() {
        any = true;
        ui.label(RichText::new(goal_title(goal)).small());
        ui.add(
            egui::ProgressBar::new(goal.fraction() as f32)
                .desired_height(BAR_HEIGHT)
                .text(RichText::new(progress_text(goal)).small()),
        );
    }
    if !any {
        ui.label(
            RichText::new(tr("live-goals-no-goals-yet-set-them"))
                .weak()
                .small(),
        );
    }
}

/// The goal's title, or what it counts when it has none.
fn goal_title(goal: &Goal) -> String {
    let title = goal.def.title.trim();
    if title.is_empty() {
        crate::i18n::tr(match &goal.def.metric {
            Metric::Coins => "live-goal-coins",
            Metric::Likes => "live-goal-likes",
            Metric::Follows => "live-goal-follows",
            Metric::Shares => "live-goal-shares",
            Metric::Subscriptions => "live-goal-subscriptions",
            Metric::Counter(name) => {
                return crate::trf!("live-goal-counter", name = capitalized(name));
            }
        })
        .to_owned()
    } else {
        title.to_owned()
    }
}

/// "150 / 200 coins"
fn progress_text(goal: &Goal) -> String {
    format!(
        "{} / {} {}",
        goal.progress,
        goal.target,
        metric_unit(&goal.def.metric)
    )
}

fn metric_unit(metric: &Metric) -> &str {
    match metric {
        Metric::Coins => crate::i18n::tr("game-metric-coins"),
        Metric::Likes => crate::i18n::tr("game-metric-likes"),
        Metric::Follows => crate::i18n::tr("game-metric-follows"),
        Metric::Shares => crate::i18n::tr("game-metric-shares"),
        Metric::Subscriptions => crate::i18n::tr("game-metric-subscriptions"),
        Metric::Counter(name) => name,
    }
}

/// A counter's name as a title starts ("deaths" → "Deaths").
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The subathon clock in words, or `None` while none was started.
fn subathon_words(subathon: &Subathon, now_millis: u64) -> Option<String> {
    let left = clock_text(subathon.remaining(now_millis));
    match subathon.clock {
        Clock::Idle => None,
        Clock::Running { .. } => Some(left),
        Clock::Paused { .. } => Some(crate::trf!("game-paused", time = left)),
        Clock::Ended { .. } => Some(crate::i18n::tr("game-ended").to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goals::{GoalDef, GoalStep};

    fn goal(title: &str, metric: Metric, progress: u64, target: u64) -> Goal {
        Goal {
            progress,
            target,
            ..Goal::new(GoalDef {
                title: title.into(),
                metric,
                initial_target: target,
                step: GoalStep::Reset,
            })
        }
    }

    #[test]
    fn a_goal_reads_with_its_unit_and_a_title_even_without_one() {
        let coins = goal("Coins for the next challenge", Metric::Coins, 150, 200);
        assert_eq!(goal_title(&coins), "Coins for the next challenge");
        assert_eq!(progress_text(&coins), "150 / 200 coins");
        let untitled = goal("  ", Metric::Follows, 3, 10);
        assert_eq!(goal_title(&untitled), "Follows goal");
        let deaths = goal("", Metric::Counter("deaths".into()), 2, 5);
        assert_eq!(goal_title(&deaths), "Deaths goal");
        assert_eq!(progress_text(&deaths), "2 / 5 deaths");
    }

    #[test]
    fn the_subathon_shows_only_once_started() {
        let mut s = Subathon::default();
        assert_eq!(subathon_words(&s, 0), None);
        s.start(90_000, 1_000);
        assert_eq!(subathon_words(&s, 1_000).as_deref(), Some("1:30"));
        s.pause(31_000);
        assert_eq!(subathon_words(&s, 99_000).as_deref(), Some("1:00 (paused)"));
    }
}
