//! The live feed: a bounded list of credited gifts, fired triggers and LIVE events (newest last;
//! likes and joins grouped per few seconds), its filter and per-kind toggles, and the session
//! totals. Every row shows the time the engine stamped (not when the window got to it), and the
//! likes are the engine's count ([`crate::engine::Likes`]), the same the overlay goal shows. The
//! top gifters are the overlays' model ([`TopGifters`]). Rows are formatted once on arrival so a
//! frame only lays out the handful of rows on screen (drawn by `panels::feed` and
//! `panels::totals`).

use crate::i18n::tr;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::engine::Likes;
use crate::event::{
    CreditedGift, EndedBy, LiveEvent, MEMBER_JOINED, MEMBER_SUBSCRIBED, SocialKind, User,
};
use crate::overlay::tallies::{Gifter, TopGifters};
use crate::triggers::{EventKind, EventLine, Skip};

mod room;

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
    /// The TikTok message and viewer the row is about (0 when unknown): what a moderator's
    /// deletion is matched against.
    pub msg_id: i64,
    pub user_id: i64,
    /// A moderator deleted the message: the row stays, marked (nothing queued for it changes).
    pub deleted: bool,
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
            What::Group(EventKind::Like) => {
                Cow::Owned(crate::trf!("feed-likes-group", count = self.count))
            }
            What::Group(EventKind::Join) => {
                Cow::Owned(crate::trf!("feed-joined-group", count = self.count))
            }
            What::Group(kind) => Cow::Borrowed(kind_text(*kind)),
            What::Text { text, .. } => Cow::Borrowed(text),
        }
    }
}

/// A row before it gets its number.
struct NewRow<'a> {
    msg_id: i64,
    user_id: i64,
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
    pub shown: [bool; KINDS],
    applied_shown: [bool; KINDS],
    /// Likes the engine counted this session.
    likes_total: u64,
    /// Who sent the like message the next [`Likes`] belongs to (the engine sends the count
    /// right after its message).
    last_liker: Option<User>,
    pub follows_total: u64,
    pub shares_total: u64,
    pub subscribers_total: u64,
    /// Viewers who became Super Fans this session.
    pub super_fans_total: u64,
    /// Treasure chests (and Super Fan boxes) dropped this session.
    pub chests_total: u64,
    followers: std::collections::HashSet<i64>,
    /// The latest viewer count TikTok reported, and the highest this session.
    viewers: Option<crate::event::ViewerCount>,
    peak_viewers: u64,
}

/// How many row kinds the toggles cover ([`EventKind::ALL`]).
pub const KINDS: usize = EventKind::ALL.len();

/// Gifts, follows, shares, subscriptions, Super Fans, chests, battles, polls, goals and questions
/// are shown by default; likes, joins, chat and emotes are noisy (viewer-count rows are fired
/// triggers only: the count itself is on the status line).
pub const DEFAULT_SHOWN: [bool; KINDS] = [
    true, true, true, true, false, false, false, true, true, true, true, false, true, true, true,
];

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
            super_fans_total: 0,
            chests_total: 0,
            followers: Default::default(),
            viewers: None,
            peak_viewers: 0,
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

    /// The latest viewer count TikTok reported this session (`None` before the first).
    pub fn viewers(&self) -> Option<&crate::event::ViewerCount> {
        self.viewers.as_ref()
    }

    /// The highest viewer count this session.
    pub fn peak_viewers(&self) -> u64 {
        self.peak_viewers
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
            crate::trf!("feed-gift-number", id = gift.gift_id.to_string())
        } else {
            clean(&gift.gift_name, 40)
        };
        self.push_new(NewRow {
            msg_id: gift.msg_id,
            user_id: gift.user_id,
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
            EventKind::Like => crate::trf!("feed-likes-count", count = line.likes.unwrap_or(0)),
            EventKind::Chat => format!("💬 {}", clean(line.message.as_deref().unwrap_or(""), 60)),
            EventKind::Subscribe => {
                room::with_months(kind_text(EventKind::Subscribe), line.room.months)
            }
            EventKind::Viewers => {
                crate::trf!("feed-watching", count = line.room.viewers.unwrap_or(0))
            }
            other => kind_text(other).to_owned(),
        };
        self.push_new(NewRow {
            msg_id: line.msg_id,
            user_id: line.user_id,
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
        if let LiveEvent::Room(room) = event {
            self.push_room_at(room, at_millis);
            return;
        }
        let msg_id = event.msg_id();
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
        self.push_grouped(msg_id, user, what, 1, at_millis);
    }

    /// The engine counted `likes.added` more likes (stamped `at_millis`), from the like message
    /// just pushed: grouped like joins, under that message's viewer.
    pub fn push_likes_at(&mut self, likes: &Likes, at_millis: u64) {
        self.likes_total = self.likes_total.saturating_add(likes.added);
        self.received += 1;
        let user = self.last_liker.take().unwrap_or_default();
        let added = u32::try_from(likes.added).unwrap_or(u32::MAX);
        self.push_grouped(0, &user, What::Group(EventKind::Like), added, at_millis);
    }

    /// Adds a row, or for likes and joins adds `count` to the newest row of the kind when it
    /// started less than [`GROUP_MILLIS`] before (in the engine's time).
    fn push_grouped(&mut self, msg_id: i64, user: &User, what: What, count: u32, at_millis: u64) {
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
            msg_id,
            user_id: user.user_id,
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
            msg_id: new.msg_id,
            user_id: new.user_id,
            deleted: false,
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
        !self.applied_filter.is_empty() || self.applied_shown != [true; KINDS]
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
        EventKind::Gift => tr("feed-gift"),
        EventKind::Follow => tr("feed-followed"),
        EventKind::Share => tr("feed-shared-the-stream"),
        EventKind::Subscribe => tr("feed-subscribed"),
        EventKind::Join => tr("feed-joined"),
        EventKind::Like => tr("feed-likes"),
        EventKind::Chat => tr("feed-chat"),
        EventKind::Viewers => tr("feed-viewers"),
        EventKind::SuperFan => tr("conditions-super-fan"),
        EventKind::TreasureChest => tr("feed-treasure-chest"),
        EventKind::Battle => tr("feed-battle"),
        EventKind::Emote => tr("feed-emote"),
        EventKind::Poll => tr("feed-poll"),
        EventKind::Goal => tr("feed-goal"),
        EventKind::Question => tr("feed-question"),
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
mod tests;
