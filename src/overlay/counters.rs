//! The counter and stream timer pages' state: the counters (names the streamer typed, shown as
//! text) and the timer's time left at a wall-clock moment, which the page counts down from by
//! itself (one message per change, not one a second). Fed from the counter hub's `watch` by
//! [`feed`].

use std::sync::Arc;

use serde_json::json;

use super::OverlayHub;
use crate::counter_hub::{CounterBoard, CounterHub, wall_millis};

/// The JSON both pages read (`/sse/counter`, `/sse/timer`).
pub fn board_state(board: &CounterBoard, now_millis: u64) -> String {
    let counters: Vec<_> = board
        .counters
        .iter()
        .map(|c| json!({"name": c.def.name, "value": c.value}))
        .collect();
    let timer = &board.timer;
    json!({
        "counters": counters,
        "timer": {
            "remaining_millis": timer.remaining(now_millis),
            "at_millis": now_millis,
            "counting": timer.counting(),
            "started": timer.started,
            "paused": timer.paused,
            "held_while_dead": timer.held_while_dead && timer.started,
            "length_millis": board.timer_settings.length_millis(),
        },
    })
    .to_string()
}

/// What the pages show before the first board arrives.
pub fn empty_state() -> String {
    json!({"counters": [], "timer": null}).to_string()
}

impl OverlayHub {
    /// Shows `board` on the counter and timer pages (replacing what they showed).
    pub fn show_counters(&self, board: &CounterBoard) {
        let state: Arc<str> = board_state(board, wall_millis()).into();
        for page in [super::Page::Counter, super::Page::Timer] {
            self.channels.page(page).send_replace(state.clone());
        }
    }
}

/// Shows every change of `hub` on the pages, until the hub is gone.
pub async fn feed(hub: CounterHub, overlays: OverlayHub) {
    let mut rx = hub.subscribe();
    drop(hub);
    loop {
        let board = rx.borrow_and_update().clone();
        overlays.show_counters(&board);
        if rx.changed().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::{CounterOp, tiktok2mc_counters};
    use crate::stream_timer::{StreamTimerSettings, TimerOp};

    #[test]
    fn the_state_has_each_counter_and_the_time_left_at_a_moment() {
        let hub = CounterHub::new(&tiktok2mc_counters(), &StreamTimerSettings::default());
        hub.apply("deaths", CounterOp::Add(2)).unwrap();
        hub.timer_at(TimerOp::Start, 1_000);
        let state: serde_json::Value =
            serde_json::from_str(&board_state(&hub.board(), 61_000)).unwrap();
        assert_eq!(state["counters"][0], json!({"name": "Deaths", "value": 2}));
        assert_eq!(state["counters"][1], json!({"name": "Wins", "value": 0}));
        assert_eq!(state["timer"]["remaining_millis"], 540_000);
        assert_eq!(state["timer"]["at_millis"], 61_000);
        assert_eq!(state["timer"]["counting"], true);
    }
}
