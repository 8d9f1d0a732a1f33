//! The alert queue policy: which alert the `/alerts` page shows now, what waits, what merges and
//! what is dropped. Pure: time is passed in as milliseconds, nothing here does I/O.
//!
//! - One alert shows at a time, for `duration_millis`.
//! - A new alert with the same key (viewer, kind, gift) as the one showing or one waiting is merged
//!   into it (counts add up): a burst of five Roses from Alice is one "Alice sent 5 × Rose".
//! - The waiting line holds at most `max_lag_millis / duration_millis` alerts, so the last alert in
//!   line never shows more than `max_lag_millis` late. When it is full, the least valuable alert
//!   (fewest diamonds; the oldest among equals) is dropped, so a gift storm keeps the big gifts.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// What happened, as the page words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    Gift,
    Follow,
    Share,
    Subscribe,
    /// A viewer became a Super Fan.
    SuperFan,
    /// A viewer dropped a treasure chest (`diamonds` in it).
    TreasureChest,
    /// A viewer dropped a Super Fan box.
    SuperFanBox,
}

/// One alert, before or after merging.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// Stable while the alert shows: a merge keeps the id, so the page updates instead of restarting.
    pub id: u64,
    pub kind: AlertKind,
    pub user_id: i64,
    /// The @handle, without `@`.
    pub unique_id: String,
    /// Cleaned display name (control and bidi characters removed); falls back to the handle.
    pub nickname: String,
    pub gift_id: i64,
    pub gift_name: String,
    pub count: u32,
    /// Diamonds of one gift (0 for follows, shares, subscriptions).
    pub diamonds: u32,
    /// An `http(s)` image URL for the gift, when known.
    pub image_url: Option<String>,
    /// The messages this alert shows (merged ones too, at most [`MAX_ALERT_MESSAGES`]): a
    /// moderator deleting one takes the alert back. Not sent to the page.
    #[serde(skip)]
    pub msg_ids: Vec<i64>,
}

/// Most message ids an alert remembers for take-backs.
pub const MAX_ALERT_MESSAGES: usize = 32;

impl Alert {
    fn key(&self) -> (AlertKind, i64, i64, &str) {
        (self.kind, self.user_id, self.gift_id, &self.unique_id)
    }

    /// Diamonds of the whole alert: what decides which alert a full queue drops.
    pub fn value(&self) -> u64 {
        u64::from(self.diamonds) * u64::from(self.count)
    }

    /// True when a moderator deleting these messages (or every message of these viewers)
    /// takes this alert back.
    pub fn deleted_by(&self, msg_ids: &[i64], user_ids: &[i64]) -> bool {
        self.msg_ids
            .iter()
            .any(|id| *id != 0 && msg_ids.contains(id))
            || (self.user_id != 0 && user_ids.contains(&self.user_id))
    }
}

/// Tunables of the queue (`overlays.alerts` in settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertConfig {
    /// How long one alert shows.
    pub duration_millis: u64,
    /// The most an alert may wait behind others; bounds the waiting line.
    pub max_lag_millis: u64,
}

impl Default for AlertConfig {
    fn default() -> Self {
        Self {
            duration_millis: 5_000,
            max_lag_millis: 30_000,
        }
    }
}

impl AlertConfig {
    /// How many alerts may wait (at least one, so a second alert is never lost at once).
    pub fn max_waiting(&self) -> usize {
        let per = self.duration_millis.max(1);
        usize::try_from(self.max_lag_millis / per)
            .unwrap_or(usize::MAX)
            .max(1)
    }
}

/// The alert on screen and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Showing {
    pub alert: Alert,
    pub since_millis: u64,
    pub until_millis: u64,
}

/// What [`AlertQueue::push`] did with an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    /// Shows now (nothing was showing).
    Shown,
    /// Merged into the alert that shows now (the page must update its count).
    MergedShowing,
    /// Merged into a waiting alert.
    MergedWaiting,
    /// Waits its turn.
    Queued,
    /// The queue was full and this alert was the least valuable: dropped. (When a waiting alert is
    /// less valuable, that one is dropped instead and this one is `Queued`.)
    Dropped,
}

/// The queue. See the module docs for the rules.
#[derive(Debug)]
pub struct AlertQueue {
    config: AlertConfig,
    showing: Option<Showing>,
    waiting: VecDeque<Alert>,
    next_id: u64,
    dropped: u64,
}

impl AlertQueue {
    pub fn new(config: AlertConfig) -> Self {
        Self {
            config,
            showing: None,
            waiting: VecDeque::new(),
            next_id: 1,
            dropped: 0,
        }
    }

    pub fn set_config(&mut self, config: AlertConfig) {
        self.config = config;
        let max = config.max_waiting();
        while self.waiting.len() > max {
            self.drop_least_valuable();
        }
    }

    pub fn showing(&self) -> Option<&Showing> {
        self.showing.as_ref()
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Alerts dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// When [`AlertQueue::tick`] next has something to do.
    pub fn next_deadline_millis(&self) -> Option<u64> {
        self.showing.as_ref().map(|s| s.until_millis)
    }

    /// Adds an alert (its `id` is assigned here). Call [`AlertQueue::tick`] first so an expired
    /// alert does not absorb a merge.
    pub fn push(&mut self, mut alert: Alert, now_millis: u64) -> Pushed {
        self.tick(now_millis);
        if let Some(showing) = &mut self.showing
            && showing.alert.key() == alert.key()
        {
            merge(&mut showing.alert, &alert);
            return Pushed::MergedShowing;
        }
        if let Some(waiting) = self.waiting.iter_mut().find(|w| w.key() == alert.key()) {
            merge(waiting, &alert);
            return Pushed::MergedWaiting;
        }
        alert.id = self.next_id;
        self.next_id += 1;
        if self.showing.is_none() {
            self.show(alert, now_millis);
            return Pushed::Shown;
        }
        if self.waiting.len() >= self.config.max_waiting() {
            let least = self.least_valuable();
            match least {
                Some(i) if self.waiting[i].value() < alert.value() => {
                    self.waiting.remove(i);
                }
                _ => {
                    self.dropped += 1;
                    return Pushed::Dropped;
                }
            }
            self.dropped += 1;
            self.waiting.push_back(alert);
            return Pushed::Queued;
        }
        self.waiting.push_back(alert);
        Pushed::Queued
    }

    /// A moderator deleted these messages (or every message of these viewers): the alerts
    /// showing them leave the queue, and one on screen ends now (the next one shows). Returns
    /// true when what shows or waits changed.
    pub fn take_back(&mut self, msg_ids: &[i64], user_ids: &[i64], now_millis: u64) -> bool {
        let waiting = self.waiting.len();
        self.waiting.retain(|a| !a.deleted_by(msg_ids, user_ids));
        let mut changed = self.waiting.len() != waiting;
        if self
            .showing
            .as_ref()
            .is_some_and(|s| s.alert.deleted_by(msg_ids, user_ids))
        {
            self.showing = None;
            if let Some(next) = self.waiting.pop_front() {
                self.show(next, now_millis);
            }
            changed = true;
        }
        changed
    }

    /// Ends the showing alert when its time is up and shows the next one. Returns true when what
    /// shows changed.
    pub fn tick(&mut self, now_millis: u64) -> bool {
        match &self.showing {
            Some(s) if now_millis >= s.until_millis => {
                self.showing = None;
                if let Some(next) = self.waiting.pop_front() {
                    self.show(next, now_millis);
                }
                true
            }
            _ => false,
        }
    }

    fn show(&mut self, alert: Alert, now_millis: u64) {
        self.showing = Some(Showing {
            alert,
            since_millis: now_millis,
            until_millis: now_millis.saturating_add(self.config.duration_millis),
        });
    }

    /// Index of the waiting alert with the lowest value (the oldest among equals).
    fn least_valuable(&self) -> Option<usize> {
        self.waiting
            .iter()
            .enumerate()
            .min_by_key(|(i, a)| (a.value(), *i))
            .map(|(i, _)| i)
    }

    fn drop_least_valuable(&mut self) {
        if let Some(i) = self.least_valuable() {
            self.waiting.remove(i);
            self.dropped += 1;
        }
    }
}

fn merge(into: &mut Alert, from: &Alert) {
    into.count = into.count.saturating_add(from.count);
    for id in &from.msg_ids {
        if into.msg_ids.len() < MAX_ALERT_MESSAGES {
            into.msg_ids.push(*id);
        }
    }
    if into.image_url.is_none() {
        into.image_url.clone_from(&from.image_url);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gift(user: &str, gift: &str, count: u32, diamonds: u32) -> Alert {
        Alert {
            id: 0,
            kind: AlertKind::Gift,
            user_id: user.len() as i64,
            unique_id: user.to_lowercase(),
            nickname: user.to_owned(),
            gift_id: gift.len() as i64,
            gift_name: gift.to_owned(),
            count,
            diamonds,
            image_url: None,
            msg_ids: vec![],
        }
    }

    fn config(duration: u64, lag: u64) -> AlertConfig {
        AlertConfig {
            duration_millis: duration,
            max_lag_millis: lag,
        }
    }

    #[test]
    fn a_burst_from_one_viewer_merges_into_one_alert() {
        let mut q = AlertQueue::new(config(5_000, 30_000));
        assert_eq!(q.push(gift("Alice", "Rose", 1, 1), 0), Pushed::Shown);
        for t in 1..5 {
            assert_eq!(
                q.push(gift("Alice", "Rose", 1, 1), t * 10),
                Pushed::MergedShowing
            );
        }
        let showing = q.showing().unwrap();
        assert_eq!(showing.alert.count, 5);
        assert_eq!(showing.alert.id, 1);
        assert_eq!(q.waiting(), 0);
    }

    #[test]
    fn merging_waits_for_the_key_not_for_the_position() {
        let mut q = AlertQueue::new(config(5_000, 30_000));
        q.push(gift("Bob", "Lion", 1, 29_999), 0);
        assert_eq!(q.push(gift("Alice", "Rose", 2, 1), 1), Pushed::Queued);
        assert_eq!(q.push(gift("Carol", "Rose", 1, 1), 2), Pushed::Queued);
        assert_eq!(
            q.push(gift("Alice", "Rose", 3, 1), 3),
            Pushed::MergedWaiting
        );
        // A different gift from the same viewer is its own alert.
        assert_eq!(q.push(gift("Alice", "GG", 1, 1), 4), Pushed::Queued);
        assert!(q.tick(5_000));
        let showing = q.showing().unwrap();
        assert_eq!(
            (showing.alert.nickname.as_str(), showing.alert.count),
            ("Alice", 5)
        );
    }

    #[test]
    fn alerts_show_in_order_each_for_the_duration() {
        let mut q = AlertQueue::new(config(1_000, 10_000));
        q.push(gift("A", "Rose", 1, 1), 0);
        q.push(gift("BB", "Rose", 1, 1), 10);
        assert!(!q.tick(999));
        assert_eq!(q.next_deadline_millis(), Some(1_000));
        assert!(q.tick(1_000));
        assert_eq!(q.showing().unwrap().alert.nickname, "BB");
        assert_eq!(q.showing().unwrap().until_millis, 2_000);
        assert!(q.tick(2_000));
        assert!(q.showing().is_none());
        assert_eq!(q.next_deadline_millis(), None);
        // After the showing one expired, the same key starts a new alert (a new id).
        assert_eq!(q.push(gift("BB", "Rose", 1, 1), 2_500), Pushed::Shown);
        assert_eq!(q.showing().unwrap().alert.id, 3);
    }

    #[test]
    fn a_storm_is_bounded_and_keeps_the_big_gifts() {
        let mut q = AlertQueue::new(config(5_000, 30_000));
        assert_eq!(q.config.max_waiting(), 6);
        q.push(gift("first", "Rose", 1, 1), 0);
        let mut queued = 0;
        for i in 0..1_000u32 {
            let name = format!("viewer{i}");
            let mut alert = gift(&name, "Rose", 1, 1);
            alert.user_id = i64::from(i) + 1_000;
            if i == 500 {
                alert.gift_name = "Universe".into();
                alert.gift_id = 7312;
                alert.diamonds = 44_999;
            }
            if q.push(alert, u64::from(i)) == Pushed::Queued {
                queued += 1;
            }
        }
        // Six fill the line, then the Universe pushes out a Rose.
        assert_eq!(queued, 7);
        assert_eq!(q.waiting(), 6);
        assert_eq!(q.dropped(), 1_000 - 6);
        // The Universe survived the storm; the last alert in line shows at most max_lag late.
        assert!(q.waiting.iter().any(|a| a.gift_name == "Universe"));
        let mut now = 5_000;
        while q.tick(now) {
            now += 5_000;
        }
        assert!(now <= 5_000 + 30_000 + 5_000);
    }

    #[test]
    fn a_less_valuable_alert_does_not_push_out_bigger_ones() {
        let mut q = AlertQueue::new(config(10_000, 10_000));
        q.push(gift("A", "Lion", 1, 29_999), 0);
        assert_eq!(q.push(gift("BB", "Galaxy", 1, 1_000), 1), Pushed::Queued);
        assert_eq!(q.push(gift("CCC", "Rose", 1, 1), 2), Pushed::Dropped);
        assert_eq!(q.waiting.front().unwrap().gift_name, "Galaxy");
        assert_eq!(
            q.push(gift("DDDD", "Universe", 1, 44_999), 3),
            Pushed::Queued
        );
        assert_eq!(q.waiting.front().unwrap().gift_name, "Universe");
        assert_eq!(q.dropped(), 2);
    }

    #[test]
    fn follows_and_shares_are_alerts_too() {
        let mut q = AlertQueue::new(AlertConfig::default());
        let mut follow = gift("Alice", "", 1, 0);
        follow.kind = AlertKind::Follow;
        follow.gift_id = 0;
        let mut share = follow.clone();
        share.kind = AlertKind::Share;
        assert_eq!(q.push(follow, 0), Pushed::Shown);
        assert_eq!(q.push(share, 1), Pushed::Queued);
    }

    #[test]
    fn shrinking_the_lag_drops_the_excess() {
        let mut q = AlertQueue::new(config(1_000, 10_000));
        q.push(gift("A", "Rose", 1, 1), 0);
        for i in 0..5u32 {
            let mut a = gift("B", "Rose", 1, i + 1);
            a.user_id = 100 + i64::from(i);
            q.push(a, 1);
        }
        q.set_config(config(1_000, 2_000));
        assert_eq!(q.waiting(), 2);
        let values: Vec<u64> = q.waiting.iter().map(Alert::value).collect();
        assert_eq!(values, vec![4, 5]);
    }

    #[test]
    fn a_moderators_deletion_takes_back_the_alert_showing_or_waiting() {
        let mut q = AlertQueue::new(AlertConfig::default());
        let with_id = |mut a: Alert, id: i64| {
            a.msg_ids = vec![id];
            a
        };
        q.push(with_id(gift("Alice", "Rose", 1, 1), 10), 0);
        q.push(with_id(gift("Bob", "Lion", 1, 100), 20), 0);
        q.push(with_id(gift("Cy", "Rose", 1, 1), 30), 0);
        // A merge remembers both messages: deleting the second takes the merged alert back.
        q.push(with_id(gift("Cy", "Rose", 1, 1), 31), 0);
        assert!(!q.take_back(&[99], &[], 100), "nothing of it here");
        assert!(q.take_back(&[31], &[], 100));
        assert_eq!(q.waiting(), 1);
        assert!(q.take_back(&[10], &[], 200), "the one on screen goes");
        assert_eq!(
            q.showing().unwrap().alert.nickname,
            "Bob",
            "and the next one shows"
        );
        // Every message of a viewer (a ban): user id 3 is Bob's.
        assert!(q.take_back(&[], &[3], 300));
        assert!(q.showing().is_none());
    }
}
