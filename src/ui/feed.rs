//! The live feed: a bounded list of credited gifts, fired triggers and LIVE events (newest last;
//! likes and joins grouped per few seconds), its filter and per-kind toggles, and the session
//! totals. Rows are formatted once on arrival so a frame only lays out the handful of rows on
//! screen (drawn by `panels::feed` and `panels::totals`).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::event::{
    CreditedGift, EndedBy, LiveEvent, MEMBER_JOINED, MEMBER_SUBSCRIBED, SocialKind,
};
use crate::overlay::tallies::{GIFTER_CAPACITY, forget_smallest};
use crate::triggers::{EventKind, EventLine, LikeCounter, Skip};

/// Likes (and joins) arriving within this long of a group's first are added to it: one row
/// "+150 likes" instead of one per message.
pub const GROUP_MILLIS: u64 = 3_000;
/// Viewers remembered for the "Follows" total (a re-follow is not counted twice).
const FOLLOWER_CAPACITY: usize = 100_000;

/// Rows kept; older rows fall off the top.
pub const FEED_CAPACITY: usize = 10_000;
/// Entries on the top-gifters board.
pub const TOP_GIFTERS: usize = 5;

/// One credited gift, ready to draw.
#[derive(Clone, Debug)]
pub struct FeedRow {
    /// Increases by one per row ever pushed; lets the filter index survive rows falling off.
    pub seq: u64,
    pub time: String,
    pub nickname: String,
    pub handle: String,
    pub gift_name: String,
    pub gift_id: i64,
    pub diamonds: u32,
    pub count: u32,
    pub trigger: Option<String>,
    pub ended_by: EndedBy,
    /// Sent with the Test button, not by a viewer.
    pub test: bool,
    pub kind: EventKind,
    /// The matched trigger was cooling down: nothing ran.
    pub skipped: Option<Skip>,
    /// When a grouped row (likes, joins) started, to know whether the next one joins it.
    started_millis: u64,
    /// Lowercase "nickname handle gift" for the filter.
    search: String,
}

/// A viewer's running total for the board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gifter {
    pub user_id: i64,
    pub name: String,
    pub diamonds: u64,
}

/// The feed and the session totals.
#[derive(Debug)]
pub struct Feed {
    rows: VecDeque<FeedRow>,
    next_seq: u64,
    /// Every credit received this session, kept or not.
    pub received: u64,
    /// Gifts (sum of counts) and diamonds from viewers this session (tests excluded).
    pub gifts_total: u64,
    pub diamonds_total: u64,
    gifters: HashMap<i64, Gifter>,
    top: Vec<Gifter>,
    /// The filter as typed, and the seqs of matching rows (oldest first) when it is non-empty.
    pub filter: String,
    applied_filter: String,
    filtered: VecDeque<u64>,
    /// Per-kind toggles (indexed like [`EventKind::ALL`]), and the state the index was built for.
    pub shown: [bool; 7],
    applied_shown: [bool; 7],
    /// Likes counted since connecting, from the room total (like the like rules count).
    likes: LikeCounter,
    pub follows_total: u64,
    pub shares_total: u64,
    pub subscribers_total: u64,
    followers: std::collections::HashSet<i64>,
}

/// Gifts, follows, shares and subscriptions are shown by default; likes, joins and chat are noisy.
pub const DEFAULT_SHOWN: [bool; 7] = [true, true, true, true, false, false, false];

fn kind_slot(kind: EventKind) -> usize {
    EventKind::ALL.iter().position(|&k| k == kind).unwrap_or(0)
}

impl Default for Feed {
    fn default() -> Self {
        Self {
            rows: VecDeque::new(),
            next_seq: 0,
            received: 0,
            gifts_total: 0,
            diamonds_total: 0,
            gifters: HashMap::new(),
            top: Vec::new(),
            filter: String::new(),
            applied_filter: String::new(),
            filtered: VecDeque::new(),
            shown: DEFAULT_SHOWN,
            applied_shown: DEFAULT_SHOWN,
            likes: LikeCounter::default(),
            follows_total: 0,
            shares_total: 0,
            subscribers_total: 0,
            followers: Default::default(),
        }
    }
}

impl Feed {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn rows(&self) -> impl DoubleEndedIterator<Item = &FeedRow> {
        self.rows.iter()
    }

    pub fn top_gifters(&self) -> &[Gifter] {
        &self.top
    }

    /// Clears rows and totals (a new session starts).
    pub fn reset(&mut self) {
        let filter = std::mem::take(&mut self.filter);
        *self = Self {
            filter,
            shown: self.shown,
            next_seq: self.next_seq,
            ..Self::default()
        };
    }

    /// Likes counted this session (from the room total).
    pub fn likes_total(&self) -> u64 {
        self.likes.counted()
    }

    /// Adds a credited gift at the bottom, dropping the oldest row beyond [`FEED_CAPACITY`].
    pub fn push(&mut self, gift: &CreditedGift, test: bool) {
        self.push_at(gift, test, unix_millis());
    }

    pub fn push_at(&mut self, gift: &CreditedGift, test: bool, now_millis: u64) {
        self.received += 1;
        if !test {
            self.gifts_total += u64::from(gift.count);
            self.diamonds_total += gift.total_diamonds();
            self.credit_gifter(gift);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let handle = clean(&gift.unique_id, 40);
        let nickname = clean(&gift.nickname, 40);
        let gift_name = if gift.gift_name.trim().is_empty() {
            format!("gift #{}", gift.gift_id)
        } else {
            clean(&gift.gift_name, 40)
        };
        let search = format!("{nickname} {handle} {gift_name}").to_lowercase();
        let row = FeedRow {
            seq,
            time: super::clock::local_hms(UNIX_EPOCH + Duration::from_millis(now_millis)),
            nickname,
            handle,
            gift_name,
            gift_id: gift.gift_id,
            diamonds: gift.diamonds,
            count: gift.count,
            trigger: gift.trigger.clone(),
            ended_by: gift.ended_by,
            test,
            kind: EventKind::Gift,
            skipped: gift.skipped,
            started_millis: now_millis,
            search,
        };
        self.push_row(row);
    }

    /// Adds a fired (or skipped) non-gift trigger: "▶ jump" under the event that fired it.
    pub fn push_fired(&mut self, line: &EventLine, test: bool) {
        self.push_fired_at(line, test, unix_millis());
    }

    pub fn push_fired_at(&mut self, line: &EventLine, test: bool, now_millis: u64) {
        self.received += 1;
        let what = match line.kind {
            EventKind::Like => format!("❤ {} likes", line.likes.unwrap_or(0)),
            EventKind::Chat => format!("💬 {}", clean(line.message.as_deref().unwrap_or(""), 60)),
            other => kind_text(other).to_owned(),
        };
        let row = self.event_row(
            line.kind,
            &line.unique_id,
            &line.nickname,
            what,
            line.count,
            Some(line.trigger.clone()),
            test,
            now_millis,
        );
        let row = FeedRow {
            skipped: line.skipped,
            ..row
        };
        self.push_row(row);
    }

    /// Adds a de-duplicated LIVE event (follow, like, chat…) and counts it in the session totals.
    /// Likes and joins are grouped: within [`GROUP_MILLIS`] they add to the previous row.
    pub fn push_event(&mut self, event: &LiveEvent) {
        self.push_event_at(event, unix_millis());
    }

    pub fn push_event_at(&mut self, event: &LiveEvent, now_millis: u64) {
        let (kind, user, what, count) = match event {
            LiveEvent::Like {
                user, count, total, ..
            } => {
                let before = self.likes.counted();
                self.likes.on_like(*count, *total);
                let added = self.likes.counted() - before;
                if added == 0 {
                    return;
                }
                (EventKind::Like, user, String::new(), added)
            }
            LiveEvent::Member { user, action, .. } if *action == MEMBER_JOINED => {
                (EventKind::Join, user, String::new(), 1)
            }
            LiveEvent::Member { user, action, .. } if *action == MEMBER_SUBSCRIBED => {
                self.subscribers_total += 1;
                (
                    EventKind::Subscribe,
                    user,
                    kind_text(EventKind::Subscribe).into(),
                    1,
                )
            }
            LiveEvent::Social { user, kind, .. } => match kind {
                SocialKind::Follow => {
                    if self.followers.len() < FOLLOWER_CAPACITY
                        && !self.followers.insert(user.user_id)
                    {
                        return; // a re-follow: counted once
                    }
                    self.follows_total += 1;
                    (
                        EventKind::Follow,
                        user,
                        kind_text(EventKind::Follow).into(),
                        1,
                    )
                }
                SocialKind::Share => {
                    self.shares_total += 1;
                    (
                        EventKind::Share,
                        user,
                        kind_text(EventKind::Share).into(),
                        1,
                    )
                }
                SocialKind::Other => return,
            },
            LiveEvent::Chat { user, text, .. } => {
                (EventKind::Chat, user, format!("💬 {}", clean(text, 80)), 1)
            }
            _ => return,
        };
        self.received += 1;
        if matches!(kind, EventKind::Like | EventKind::Join) {
            // Grouped: add to the newest row of this kind when it is young enough.
            if let Some(last) = self.rows.back_mut()
                && last.kind == kind
                && last.trigger.is_none()
                && now_millis.saturating_sub(last.started_millis) < GROUP_MILLIS
            {
                last.count = last
                    .count
                    .saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
                last.gift_name = group_text(kind, last.count);
                return;
            }
        }
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        let what = if what.is_empty() {
            group_text(kind, count)
        } else {
            what
        };
        let row = self.event_row(
            kind,
            &user.unique_id,
            &user.nickname,
            what,
            count,
            None,
            false,
            now_millis,
        );
        self.push_row(row);
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a row's columns, given as plain values"
    )]
    fn event_row(
        &mut self,
        kind: EventKind,
        unique_id: &str,
        nickname: &str,
        what: String,
        count: u32,
        trigger: Option<String>,
        test: bool,
        now_millis: u64,
    ) -> FeedRow {
        let seq = self.next_seq;
        self.next_seq += 1;
        let handle = clean(unique_id, 40);
        let nickname = clean(nickname, 40);
        let search = format!("{nickname} {handle} {what}").to_lowercase();
        FeedRow {
            seq,
            time: super::clock::local_hms(UNIX_EPOCH + Duration::from_millis(now_millis)),
            nickname,
            handle,
            gift_name: what,
            gift_id: 0,
            diamonds: 0,
            count,
            trigger,
            ended_by: EndedBy::Single,
            test,
            kind,
            skipped: None,
            started_millis: now_millis,
            search,
        }
    }

    fn matches(&self, row: &FeedRow) -> bool {
        self.applied_shown[kind_slot(row.kind)]
            && (self.applied_filter.is_empty() || row.search.contains(&self.applied_filter))
    }

    fn filtering(&self) -> bool {
        !self.applied_filter.is_empty() || self.applied_shown != [true; 7]
    }

    fn push_row(&mut self, row: FeedRow) {
        let seq = row.seq;
        if self.filtering() && self.matches(&row) {
            self.filtered.push_back(seq);
        }
        self.rows.push_back(row);
        while self.rows.len() > FEED_CAPACITY {
            self.rows.pop_front();
        }
        let first = self.rows.front().map_or(seq, |r| r.seq);
        while self.filtered.front().is_some_and(|&s| s < first) {
            self.filtered.pop_front();
        }
    }

    fn credit_gifter(&mut self, gift: &CreditedGift) {
        if !self.gifters.contains_key(&gift.user_id) && self.gifters.len() >= GIFTER_CAPACITY {
            // Forget the smallest gifter, unless they are on the board.
            let top = &self.top;
            forget_smallest(
                &mut self.gifters,
                |id| top.iter().any(|t| t.user_id == id),
                |g| g.diamonds,
            );
        }
        let name = if gift.unique_id.is_empty() {
            clean(&gift.nickname, 40)
        } else {
            format!("@{}", clean(&gift.unique_id, 40))
        };
        let entry = self.gifters.entry(gift.user_id).or_insert(Gifter {
            user_id: gift.user_id,
            name,
            diamonds: 0,
        });
        entry.diamonds += gift.total_diamonds();
        let updated = entry.clone();
        // Totals only grow, so the board is kept by inserting or updating one entry.
        if let Some(slot) = self.top.iter_mut().find(|t| t.user_id == updated.user_id) {
            *slot = updated;
        } else {
            self.top.push(updated);
        }
        self.top.sort_by_key(|g| std::cmp::Reverse(g.diamonds));
        self.top.truncate(TOP_GIFTERS);
    }

    /// Re-indexes the filter when its text changed. O(rows) only on a change.
    pub fn apply_filter(&mut self) {
        let wanted = self.filter.trim().to_lowercase();
        if wanted == self.applied_filter && self.shown == self.applied_shown {
            return;
        }
        self.applied_filter = wanted;
        self.applied_shown = self.shown;
        self.filtered.clear();
        if self.filtering() {
            let seqs: Vec<u64> = self
                .rows
                .iter()
                .filter(|r| self.matches(r))
                .map(|r| r.seq)
                .collect();
            self.filtered.extend(seqs);
        }
    }

    /// How many rows the view shows (all, or the filter's matches).
    pub fn visible_len(&self) -> usize {
        if self.filtering() {
            self.filtered.len()
        } else {
            self.rows.len()
        }
    }

    /// The `index`th visible row.
    pub fn visible_row(&self, index: usize) -> Option<&FeedRow> {
        if !self.filtering() {
            return self.rows.get(index);
        }
        let seq = *self.filtered.get(index)?;
        let first = self.rows.front()?.seq;
        self.rows.get(usize::try_from(seq - first).ok()?)
    }
}

/// How a kind reads in the feed.
pub fn kind_text(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Gift => "🎁 gift",
        EventKind::Follow => "➕ followed",
        EventKind::Share => "↗ shared the stream",
        EventKind::Subscribe => "⭐ subscribed",
        EventKind::Join => "👋 joined",
        EventKind::Like => "❤ likes",
        EventKind::Chat => "💬 chat",
    }
}

fn group_text(kind: EventKind, count: u32) -> String {
    match kind {
        EventKind::Like => format!("❤ +{count} likes"),
        EventKind::Join => format!("👋 +{count} joined"),
        other => kind_text(other).to_owned(),
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Viewer-controlled text made safe to draw on one line (see [`crate::text::one_line`]).
pub use crate::text::one_line as clean;

#[cfg(test)]
mod tests {
    use super::*;

    fn credit(user_id: i64, name: &str, gift: &str, diamonds: u32, count: u32) -> CreditedGift {
        CreditedGift {
            msg_id: 0,
            user_id,
            unique_id: name.to_lowercase(),
            nickname: name.into(),
            gift_id: 1,
            gift_name: gift.into(),
            diamonds,
            count,
            trigger: None,
            ended_by: EndedBy::StreakEnd,
            image_url: None,
            skipped: None,
        }
    }

    #[test]
    fn feed_is_bounded_and_totals_count_everything() {
        let mut feed = Feed::default();
        for i in 0..(FEED_CAPACITY as i64 + 500) {
            feed.push_at(&credit(i % 7, "v", "Rose", 1, 2), false, 0);
        }
        assert_eq!(feed.len(), FEED_CAPACITY);
        assert_eq!(feed.received, FEED_CAPACITY as u64 + 500);
        assert_eq!(feed.gifts_total, 2 * (FEED_CAPACITY as u64 + 500));
        assert_eq!(feed.rows().next().unwrap().seq, 500, "oldest rows dropped");
    }

    #[test]
    fn filter_matches_viewer_or_gift_and_survives_rows_falling_off() {
        let mut feed = Feed::default();
        feed.push_at(&credit(1, "Alice", "Rose", 1, 1), false, 0);
        feed.push_at(&credit(2, "Bob", "Lion", 29_999, 1), false, 0);
        feed.filter = "lion".into();
        feed.apply_filter();
        assert_eq!(feed.visible_len(), 1);
        assert_eq!(feed.visible_row(0).unwrap().nickname, "Bob");
        feed.push_at(&credit(3, "Lionel", "Rose", 1, 1), false, 0);
        assert_eq!(feed.visible_len(), 2, "new rows are matched on arrival");
        for _ in 0..FEED_CAPACITY {
            feed.push_at(&credit(4, "Carol", "Rose", 1, 1), false, 0);
        }
        assert_eq!(feed.visible_len(), 0, "matches that fell off are forgotten");
        assert!(feed.visible_row(0).is_none());
    }

    #[test]
    fn top_gifters_rank_by_diamonds_and_tests_do_not_count() {
        let mut feed = Feed::default();
        feed.push_at(&credit(1, "Alice", "Rose", 1, 10), false, 0);
        feed.push_at(&credit(2, "Bob", "Lion", 29_999, 1), false, 0);
        feed.push_at(&credit(1, "Alice", "Rose", 1, 5), false, 0);
        feed.push_at(&credit(3, "Tester", "Universe", 34_999, 1), true, 0);
        let top: Vec<_> = feed.top_gifters().iter().map(|g| g.diamonds).collect();
        assert_eq!(top, [29_999, 15]);
        assert_eq!(feed.diamonds_total, 29_999 + 15);
    }

    #[test]
    fn hostile_names_are_one_safe_line() {
        assert_eq!(clean("a\nb\u{202E}c\0", 10), "a bc");
        assert_eq!(clean("abcdef", 3), "abc…");
    }

    fn viewer(id: i64) -> crate::event::User {
        crate::event::User {
            user_id: id,
            unique_id: format!("v{id}"),
            nickname: format!("V{id}"),
            ..crate::event::User::default()
        }
    }

    fn like(msg_id: i64, count: u32, total: i64) -> LiveEvent {
        LiveEvent::Like {
            msg_id,
            user: viewer(msg_id),
            count,
            total,
            create_time_millis: 0,
        }
    }

    #[test]
    fn likes_and_joins_are_grouped_per_few_seconds() {
        let mut feed = Feed::default();
        feed.push_event_at(&like(1, 15, 1_015), 0);
        feed.push_event_at(&like(2, 100, 1_115), 1_000);
        feed.push_event_at(&like(3, 35, 1_150), 2_999);
        feed.push_event_at(&like(4, 5, 1_100), 2_999); // lower total: nothing
        feed.push_event_at(&like(5, 10, 1_160), 3_000); // a new group
        let likes: Vec<_> = feed
            .rows()
            .map(|r| (r.count, r.gift_name.clone()))
            .collect();
        assert_eq!(
            likes,
            [
                (150, "❤ +150 likes".to_owned()),
                (10, "❤ +10 likes".to_owned())
            ]
        );
        assert_eq!(feed.likes_total(), 160);
        let join = |id| LiveEvent::Member {
            msg_id: id,
            user: viewer(id),
            action: MEMBER_JOINED,
            create_time_millis: 0,
        };
        feed.push_event_at(&join(6), 3_100);
        feed.push_event_at(&join(7), 3_200);
        assert_eq!(feed.rows().last().unwrap().gift_name, "👋 +2 joined");
    }

    #[test]
    fn kind_toggles_filter_rows_and_totals_count_every_kind() {
        let mut feed = Feed::default();
        feed.push_at(&credit(1, "Amy", "Rose", 1, 2), false, 0);
        let follow = |id| LiveEvent::Social {
            msg_id: id,
            user: viewer(1),
            kind: SocialKind::Follow,
            create_time_millis: 0,
        };
        feed.push_event_at(&follow(10), 0);
        feed.push_event_at(&follow(11), 0); // the same viewer again: counted once
        feed.push_event_at(&like(12, 20, 120), 0);
        feed.push_event_at(
            &LiveEvent::Chat {
                msg_id: 13,
                user: viewer(2),
                text: "hi".into(),
                create_time_millis: 0,
            },
            0,
        );
        assert_eq!(feed.follows_total, 1);
        assert_eq!(feed.len(), 4);
        feed.apply_filter();
        // Defaults: gifts and follows shown, likes and chat hidden.
        let kinds: Vec<_> = (0..feed.visible_len())
            .map(|i| feed.visible_row(i).unwrap().kind)
            .collect();
        assert_eq!(kinds, [EventKind::Gift, EventKind::Follow]);
        feed.shown = [true; 7];
        feed.apply_filter();
        assert_eq!(feed.visible_len(), 4);
        feed.shown[kind_slot(EventKind::Gift)] = false;
        feed.apply_filter();
        feed.push_at(&credit(1, "Amy", "Rose", 1, 1), false, 0);
        assert_eq!(
            feed.visible_len(),
            3,
            "a hidden kind stays hidden as rows arrive"
        );
    }

    #[test]
    fn fired_triggers_show_their_trigger_and_skips() {
        let mut feed = Feed::default();
        let line = EventLine {
            kind: EventKind::Chat,
            msg_id: 1,
            user_id: 2,
            unique_id: "amy".into(),
            nickname: "Amy".into(),
            trigger: "!jump".into(),
            count: 1,
            likes: None,
            total_likes: None,
            message: Some("!jump high".into()),
            args: Some("high".into()),
            skipped: Some(Skip::Cooldown),
        };
        feed.push_fired_at(&line, false, 0);
        let row = feed.rows().last().unwrap();
        assert_eq!(row.trigger.as_deref(), Some("!jump"));
        assert_eq!(row.skipped, Some(Skip::Cooldown));
        assert_eq!(row.gift_name, "💬 !jump high");
    }
}
