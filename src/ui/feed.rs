//! The live feed: a bounded list of credited gifts, fired triggers and LIVE events (newest last;
//! likes and joins grouped per few seconds), its filter and per-kind toggles, and the session
//! totals. Every row shows the time the engine stamped (not when the window got to it), and the
//! likes are the engine's count ([`crate::engine::Likes`]), the same the overlay goal shows. The
//! top gifters are the overlays' model ([`TopGifters`]). Rows are formatted once on arrival so a
//! frame only lays out the handful of rows on screen (drawn by `panels::feed` and
//! `panels::totals`).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::engine::Likes;
use crate::event::{
    CreditedGift, EndedBy, LiveEvent, MEMBER_JOINED, MEMBER_SUBSCRIBED, SocialKind, User,
};
use crate::overlay::tallies::{Gifter, TopGifters};
use crate::triggers::{EventKind, EventLine, Skip};

/// Likes (and joins) arriving within this long of a group's first are added to it: one row
/// "+150 likes" instead of one per message.
pub const GROUP_MILLIS: u64 = 3_000;
/// Viewers remembered for the "Follows" total (a re-follow is not counted twice).
const FOLLOWER_CAPACITY: usize = 100_000;

/// Rows kept; older rows fall off the top.
pub const FEED_CAPACITY: usize = 10_000;
/// Entries on the top-gifters board.
pub const TOP_GIFTERS: usize = 5;

/// What a row is about, typed: the panel words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    /// A credited gift.
    Gift {
        name: String,
        id: i64,
        diamonds: u32,
    },
    /// Likes or joins grouped over a few seconds; the row's `count` says how many.
    Group(EventKind),
    /// A row whose words are fixed on arrival: a chat message, a follow, a fired trigger's event.
    Text { kind: EventKind, text: String },
}

/// One row, ready to draw.
#[derive(Clone, Debug)]
pub struct FeedRow {
    /// Increases by one per row ever pushed; lets the filter index survive rows falling off.
    pub seq: u64,
    /// The engine's stamp, as local time.
    pub time: String,
    pub nickname: String,
    pub handle: String,
    pub what: What,
    pub count: u32,
    pub trigger: Option<String>,
    pub ended_by: EndedBy,
    /// Sent with the Test button, not by a viewer.
    pub test: bool,
    /// The matched trigger was cooling down: nothing ran.
    pub skipped: Option<Skip>,
    /// When a grouped row (likes, joins) started, to know whether the next one joins it.
    started_millis: u64,
    /// Lowercase "nickname handle what" for the filter.
    search: String,
}

impl FeedRow {
    pub fn kind(&self) -> EventKind {
        match &self.what {
            What::Gift { .. } => EventKind::Gift,
            What::Group(kind) | What::Text { kind, .. } => *kind,
        }
    }

    /// What the row says in the "What" column.
    pub fn what_text(&self) -> Cow<'_, str> {
        match &self.what {
            What::Gift { name, .. } => Cow::Borrowed(name),
            What::Group(EventKind::Like) => Cow::Owned(format!("❤ +{} likes", self.count)),
            What::Group(EventKind::Join) => Cow::Owned(format!("👋 +{} joined", self.count)),
            What::Group(kind) => Cow::Borrowed(kind_text(*kind)),
            What::Text { text, .. } => Cow::Borrowed(text),
        }
    }
}

/// A row before it gets its number.
struct NewRow<'a> {
    unique_id: &'a str,
    nickname: &'a str,
    what: What,
    count: u32,
    trigger: Option<String>,
    ended_by: EndedBy,
    test: bool,
    skipped: Option<Skip>,
    at_millis: u64,
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
    top: TopGifters,
    /// The filter as typed, and the seqs of matching rows (oldest first) when it is non-empty.
    pub filter: String,
    applied_filter: String,
    filtered: VecDeque<u64>,
    /// Per-kind toggles (indexed like [`EventKind::ALL`]), and the state the index was built for.
    pub shown: [bool; 7],
    applied_shown: [bool; 7],
    /// Likes the engine counted this session.
    likes_total: u64,
    /// Who sent the like message the next [`Likes`] belongs to (the engine sends the count
    /// right after its message).
    last_liker: Option<User>,
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
            top: TopGifters::new(TOP_GIFTERS),
            filter: String::new(),
            applied_filter: String::new(),
            filtered: VecDeque::new(),
            shown: DEFAULT_SHOWN,
            applied_shown: DEFAULT_SHOWN,
            likes_total: 0,
            last_liker: None,
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

    /// The session's top gifters (viewers only), most diamonds first.
    pub fn top_gifters(&self) -> &[Gifter] {
        self.top.top()
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

    /// Likes counted this session (the engine's count, from the room total).
    pub fn likes_total(&self) -> u64 {
        self.likes_total
    }

    /// Adds a credited gift received now (benchmarks, tools without an engine stamp).
    pub fn push(&mut self, gift: &CreditedGift, test: bool) {
        self.push_at(gift, test, unix_millis());
    }

    /// Adds a credited gift the engine decided at `at_millis`, dropping the oldest row beyond
    /// [`FEED_CAPACITY`].
    pub fn push_at(&mut self, gift: &CreditedGift, test: bool, at_millis: u64) {
        self.received += 1;
        if !test {
            self.gifts_total += u64::from(gift.count);
            self.diamonds_total += gift.total_diamonds();
            self.top.add(
                gift.user_id,
                &gift.unique_id,
                &gift.nickname,
                gift.total_diamonds(),
                u64::from(gift.count),
            );
        }
        let name = if gift.gift_name.trim().is_empty() {
            format!("gift #{}", gift.gift_id)
        } else {
            clean(&gift.gift_name, 40)
        };
        self.push_new(NewRow {
            unique_id: &gift.unique_id,
            nickname: &gift.nickname,
            what: What::Gift {
                name,
                id: gift.gift_id,
                diamonds: gift.diamonds,
            },
            count: gift.count,
            trigger: gift.trigger.clone(),
            ended_by: gift.ended_by,
            test,
            skipped: gift.skipped,
            at_millis,
        });
    }

    /// Adds a fired (or skipped) non-gift trigger received now.
    pub fn push_fired(&mut self, line: &EventLine, test: bool) {
        self.push_fired_at(line, test, unix_millis());
    }

    /// Adds a fired (or skipped) non-gift trigger: "▶ jump" under the event that fired it.
    pub fn push_fired_at(&mut self, line: &EventLine, test: bool, at_millis: u64) {
        self.received += 1;
        let text = match line.kind {
            EventKind::Like => format!("❤ {} likes", line.likes.unwrap_or(0)),
            EventKind::Chat => format!("💬 {}", clean(line.message.as_deref().unwrap_or(""), 60)),
            other => kind_text(other).to_owned(),
        };
        self.push_new(NewRow {
            unique_id: &line.unique_id,
            nickname: &line.nickname,
            what: What::Text {
                kind: line.kind,
                text,
            },
            count: line.count,
            trigger: Some(line.trigger.clone()),
            ended_by: EndedBy::Single,
            test,
            skipped: line.skipped,
            at_millis,
        });
    }

    /// Adds a de-duplicated LIVE event received now.
    pub fn push_event(&mut self, event: &LiveEvent) {
        self.push_event_at(event, unix_millis());
    }

    /// Adds a de-duplicated LIVE event (follow, chat, join…) the engine stamped `at_millis` and
    /// counts it in the session totals. Joins are grouped: within [`GROUP_MILLIS`] they add to
    /// the previous row. A like message only says who liked: its row comes with the engine's
    /// count ([`Feed::push_likes_at`]).
    pub fn push_event_at(&mut self, event: &LiveEvent, at_millis: u64) {
        let (user, what) = match event {
            LiveEvent::Like { user, .. } => {
                self.last_liker = Some(user.clone());
                return;
            }
            LiveEvent::Member { user, action, .. } if *action == MEMBER_JOINED => {
                (user, What::Group(EventKind::Join))
            }
            LiveEvent::Member { user, action, .. } if *action == MEMBER_SUBSCRIBED => {
                self.subscribers_total += 1;
                (user, fixed(EventKind::Subscribe))
            }
            LiveEvent::Social { user, kind, .. } => match kind {
                SocialKind::Follow => {
                    if self.followers.len() < FOLLOWER_CAPACITY
                        && !self.followers.insert(user.user_id)
                    {
                        return; // a re-follow: counted once
                    }
                    self.follows_total += 1;
                    (user, fixed(EventKind::Follow))
                }
                SocialKind::Share => {
                    self.shares_total += 1;
                    (user, fixed(EventKind::Share))
                }
                SocialKind::Other => return,
            },
            LiveEvent::Chat { user, text, .. } => (
                user,
                What::Text {
                    kind: EventKind::Chat,
                    text: format!("💬 {}", clean(text, 80)),
                },
            ),
            _ => return,
        };
        self.received += 1;
        self.push_grouped(user, what, 1, at_millis);
    }

    /// The engine counted `likes.added` more likes (stamped `at_millis`), from the like message
    /// just pushed: grouped like joins, under that message's viewer.
    pub fn push_likes_at(&mut self, likes: &Likes, at_millis: u64) {
        self.likes_total = self.likes_total.saturating_add(likes.added);
        self.received += 1;
        let user = self.last_liker.take().unwrap_or_default();
        let added = u32::try_from(likes.added).unwrap_or(u32::MAX);
        self.push_grouped(&user, What::Group(EventKind::Like), added, at_millis);
    }

    /// Adds a row, or for likes and joins adds `count` to the newest row of the kind when it
    /// started less than [`GROUP_MILLIS`] before (in the engine's time).
    fn push_grouped(&mut self, user: &User, what: What, count: u32, at_millis: u64) {
        if let What::Group(kind) = what
            && let Some(last) = self.rows.back_mut()
            && last.what == What::Group(kind)
            && last.trigger.is_none()
            && at_millis.saturating_sub(last.started_millis) < GROUP_MILLIS
        {
            last.count = last.count.saturating_add(count);
            return;
        }
        self.push_new(NewRow {
            unique_id: &user.unique_id,
            nickname: &user.nickname,
            what,
            count,
            trigger: None,
            ended_by: EndedBy::Single,
            test: false,
            skipped: None,
            at_millis,
        });
    }

    fn push_new(&mut self, new: NewRow<'_>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let handle = clean(new.unique_id, 40);
        let nickname = clean(new.nickname, 40);
        let words = match &new.what {
            What::Gift { name, .. } => name.as_str(),
            What::Group(kind) => kind_text(*kind),
            What::Text { text, .. } => text.as_str(),
        };
        let search = format!("{nickname} {handle} {words}").to_lowercase();
        let row = FeedRow {
            seq,
            time: super::clock::local_hms(UNIX_EPOCH + Duration::from_millis(new.at_millis)),
            nickname,
            handle,
            what: new.what,
            count: new.count,
            trigger: new.trigger,
            ended_by: new.ended_by,
            test: new.test,
            skipped: new.skipped,
            started_millis: new.at_millis,
            search,
        };
        self.push_row(row);
    }

    fn matches(&self, row: &FeedRow) -> bool {
        self.applied_shown[kind_slot(row.kind())]
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

/// A row of one kind whose words are the kind's.
fn fixed(kind: EventKind) -> What {
    What::Text {
        kind,
        text: kind_text(kind).to_owned(),
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

/// How a top gifter reads on the board: `@handle`, or the nickname without one (made safe).
pub fn gifter_name(gifter: &Gifter) -> String {
    if gifter.unique_id.is_empty() {
        clean(&gifter.nickname, 40)
    } else {
        format!("@{}", clean(&gifter.unique_id, 40))
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
    fn likes_and_joins_are_grouped_per_few_seconds_of_the_engines_time() {
        // Each like message goes through the real engine; the feed shows what it counted.
        let mut pipeline = crate::engine::Pipeline::new(
            Default::default(),
            crate::mappings::MappingTable::default(),
        );
        let mut feed = Feed::default();
        let mut push = |feed: &mut Feed, event: LiveEvent, at_millis: u64| {
            let mut out = Vec::new();
            let batch = crate::wire::Batch {
                messages: 1,
                events: vec![event],
                ..crate::wire::Batch::default()
            };
            pipeline.ingest_batch(batch, at_millis, &mut out);
            for output in out {
                match output {
                    crate::engine::Output::Event(event) => feed.push_event_at(&event, at_millis),
                    crate::engine::Output::Likes(likes) => feed.push_likes_at(&likes, at_millis),
                    _ => {}
                }
            }
        };
        push(&mut feed, like(1, 15, 1_015), 0);
        push(&mut feed, like(2, 100, 1_115), 1_000);
        push(&mut feed, like(3, 35, 1_150), 2_999);
        push(&mut feed, like(4, 5, 1_100), 2_999); // lower total: nothing
        push(&mut feed, like(5, 10, 1_160), 3_000); // a new group
        let likes: Vec<_> = feed
            .rows()
            .map(|r| (r.count, r.what_text().into_owned(), r.handle.clone()))
            .collect();
        assert_eq!(
            likes,
            [
                (150, "❤ +150 likes".to_owned(), "v1".to_owned()),
                (10, "❤ +10 likes".to_owned(), "v5".to_owned())
            ]
        );
        assert_eq!(feed.likes_total(), 160);
        assert_eq!(
            feed.likes_total(),
            pipeline.likes_counted(),
            "the engine's count"
        );
        let join = |id| LiveEvent::Member {
            msg_id: id,
            user: viewer(id),
            action: MEMBER_JOINED,
            create_time_millis: 0,
        };
        feed.push_event_at(&join(6), 3_100);
        feed.push_event_at(&join(7), 3_200);
        assert_eq!(feed.rows().last().unwrap().what_text(), "👋 +2 joined");
        // A row shows the time it was stamped, however late it is pushed.
        let stamped = feed.rows().last().unwrap().time.clone();
        assert_eq!(
            stamped,
            super::super::clock::local_hms(UNIX_EPOCH + Duration::from_millis(3_100))
        );
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
        feed.push_likes_at(
            &Likes {
                added: 20,
                counted: 20,
            },
            0,
        );
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
            .map(|i| feed.visible_row(i).unwrap().kind())
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
        assert_eq!(row.what_text(), "💬 !jump high");
    }
}
