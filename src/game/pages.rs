//! The JSON the `/goals` and `/subathon` overlay pages receive (pure). Titles are the streamer's
//! words and counter names; the pages set them as text, never as markup.

use serde_json::json;

use crate::goals::{Goals, Metric};
use crate::subathon::{Clock, Subathon};

/// The word a page shows (and styles by) for a metric.
pub fn metric_word(metric: &Metric) -> &'static str {
    match metric {
        Metric::Coins => "coins",
        Metric::Likes => "likes",
        Metric::Follows => "follows",
        Metric::Shares => "shares",
        Metric::Subscriptions => "subscriptions",
        Metric::Counter(_) => "counter",
    }
}

/// `/goals`: every goal, in the streamer's order (a page shows all, or `?goal=N`).
pub fn goals_state(goals: &Goals) -> String {
    let list: Vec<serde_json::Value> = goals
        .iter()
        .map(|g| {
            let name = match &g.def.metric {
                Metric::Counter(name) => name.as_str(),
                _ => "",
            };
            json!({
                "title": g.def.title,
                "metric": metric_word(&g.def.metric),
                "name": name,
                "progress": g.progress,
                "target": g.target,
                "reached": g.reached,
            })
        })
        .collect();
    json!({"type": "goals", "goals": list}).to_string()
}

/// How long the `!points` card shows.
pub const POINTS_CARD_MILLIS: u64 = 8_000;

/// `/points`: the card of the viewer who asked (`id` tells a new card from the last; the page
/// hides it [`POINTS_CARD_MILLIS`] after `shown_at_millis`, so a page opened late shows nothing).
pub fn points_state(
    id: u64,
    viewer: &crate::event::User,
    (points, level): (i64, u32),
    shown_at_millis: u64,
) -> String {
    json!({
        "type": "points",
        "card": {
            "id": id,
            "nickname": crate::overlay::messages::display_name(&viewer.nickname, &viewer.unique_id),
            "points": points,
            "level": level,
        },
        "shown_at_millis": shown_at_millis,
        "hide_after_millis": POINTS_CARD_MILLIS,
    })
    .to_string()
}

/// `/subathon` at `now_millis`: a running clock carries the wall-clock time it ends at
/// (`ends_at_millis`), which the page counts down to by itself (the page and giftdeck run on
/// the same machine: one clock), so a page that opens late still shows the right time.
pub fn subathon_state(subathon: &Subathon, now_millis: u64) -> String {
    let (state, ends_at) = match subathon.clock {
        Clock::Idle => ("idle", None),
        Clock::Running { ends_at_millis } => ("running", Some(ends_at_millis)),
        Clock::Paused { .. } => ("paused", None),
        Clock::Ended { .. } => ("ended", None),
    };
    json!({
        "type": "subathon",
        "state": state,
        "remaining_millis": subathon.remaining(now_millis),
        "ends_at_millis": ends_at,
        "added_millis": subathon.added_millis,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goals::{GoalDef, GoalStep};

    #[test]
    fn goals_carry_title_metric_and_progress() {
        let mut goals = Goals::new(&[
            GoalDef {
                title: "<b>Coins</b>".into(),
                ..GoalDef::default()
            },
            GoalDef {
                title: "Deaths".into(),
                metric: Metric::Counter("deaths".into()),
                initial_target: 10,
                step: GoalStep::Reset,
            },
        ]);
        goals.on_output(&crate::testkit::outputs::credit(
            1,
            &crate::testkit::outputs::viewer(1, "a"),
            250,
            2,
        ));
        let v: serde_json::Value = serde_json::from_str(&goals_state(&goals)).unwrap();
        assert_eq!(
            v["goals"][0]["title"], "<b>Coins</b>",
            "as text, escaped by JSON"
        );
        assert_eq!(v["goals"][0]["progress"], 500);
        assert_eq!(v["goals"][0]["target"], 1_000);
        assert_eq!(v["goals"][1]["metric"], "counter");
        assert_eq!(v["goals"][1]["name"], "deaths");
    }

    #[test]
    fn the_subathon_says_its_state_and_time_left() {
        let mut s = Subathon::default();
        let idle: serde_json::Value = serde_json::from_str(&subathon_state(&s, 0)).unwrap();
        assert_eq!(idle["state"], "idle");
        s.start(60_000, 1_000);
        s.add(5_000, 0, 2_000);
        let v: serde_json::Value = serde_json::from_str(&subathon_state(&s, 11_000)).unwrap();
        assert_eq!(v["state"], "running");
        assert_eq!(v["remaining_millis"], 55_000);
        assert_eq!(v["added_millis"], 5_000);
        assert_eq!(v["ends_at_millis"], 66_000);
    }
}
