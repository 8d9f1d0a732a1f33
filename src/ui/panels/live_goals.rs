//! The goals on the Live page, read at a glance mid-stream: a strip above the feed with the
//! subathon clock while one runs and each goal's title over a compact progress bar, side by side
//! (wrapping when there are many). Nothing to edit here, and nothing drawn without goals or a
//! clock: they are set up (and moved by hand) in the *Subathon and goals* panel on the Overlays
//! page.

use crate::i18n::tr;
use egui::RichText;

use crate::counter_hub::clock_text;
use crate::game::GameView;
use crate::goals::{Goal, Metric};
use crate::subathon::{Clock, Subathon};

/// Height of one goal's bar: a line of small text fits in it.
const BAR_HEIGHT: f32 = 16.0;
/// Narrowest a cell (the clock, one goal) is drawn: more cells than fit wrap to the next row.
const CELL_MIN_WIDTH: f32 = 170.0;

/// One cell of the strip.
enum Cell<'a> {
    Clock(String),
    Goal(&'a Goal),
}

/// The strip (on the Live page, above the feed); `now_millis` is the wall clock.
pub fn live_goals_ui(ui: &mut egui::Ui, view: &GameView, now_millis: u64) {
    let clock = subathon_words(&view.subathon, now_millis);
    if matches!(view.subathon.clock, Clock::Running { .. }) {
        // The clock shows whole seconds.
        let left = view.subathon.remaining(now_millis);
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(1_000 - left % 1_000));
    }
    let cells: Vec<Cell<'_>> = clock
        .map(Cell::Clock)
        .into_iter()
        .chain(view.goals.iter().map(Cell::Goal))
        .collect();
    if cells.is_empty() {
        return;
    }
    let per_row = per_row(ui.available_width(), cells.len());
    for row in cells.chunks(per_row) {
        // Every row has `per_row` columns, so the cells line up (the last row's rest stays empty).
        ui.columns(per_row, |columns| {
            for (column, cell) in columns.iter_mut().zip(row) {
                column.spacing_mut().item_spacing.y = 2.0;
                cell_ui(column, cell);
            }
        });
    }
    ui.separator();
}

/// Cells in one row: all of them when they fit at [`CELL_MIN_WIDTH`], else as many as fit.
fn per_row(width: f32, cells: usize) -> usize {
    let fit = (width / CELL_MIN_WIDTH).floor().max(1.0) as usize;
    cells.clamp(1, fit)
}

fn cell_ui(ui: &mut egui::Ui, cell: &Cell<'_>) {
    match cell {
        Cell::Clock(words) => {
            ui.label(RichText::new(tr("game-subathon")).small());
            ui.label(RichText::new(words).monospace().strong());
        }
        Cell::Goal(goal) => {
            ui.add(egui::Label::new(RichText::new(goal_title(goal)).small()).truncate());
            ui.add(
                egui::ProgressBar::new(goal.fraction() as f32)
                    .desired_height(BAR_HEIGHT)
                    .text(RichText::new(progress_text(goal)).small()),
            );
        }
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
    fn cells_share_a_row_until_they_would_be_too_narrow() {
        assert_eq!(per_row(930.0, 4), 4);
        assert_eq!(per_row(930.0, 9), 5);
        assert_eq!(per_row(100.0, 3), 1);
        assert_eq!(per_row(1_500.0, 1), 1);
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
