//! The points game's rules as pure functions: what one activity of a viewer earns (gifts per coin,
//! likes, a follow, shares, subscriptions, chat with a cooldown, watch time) and which level a
//! points total reaches. No I/O; the ledger's writer applies them to the stored tallies, so a
//! viewer's points are always these rules applied to the events credited to them.

use serde::{Deserialize, Serialize};

/// `points` for every `per` units (coins, likes, messages, minutes…); `points: 0` turns it off.
/// Units are counted per viewer and stream, and the points follow the whole multiples of `per`
/// reached: 1 point per 10 likes gives 1 point at the 10th like and nothing for the 9 before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rate {
    pub points: u32,
    pub per: u32,
}

impl Default for Rate {
    fn default() -> Self {
        Self::OFF
    }
}

impl Rate {
    pub const OFF: Rate = Rate { points: 0, per: 1 };

    pub const fn new(points: u32, per: u32) -> Self {
        Self { points, per }
    }

    /// Points earned by the units going from `before` to `after` (0 when `after ≤ before`).
    pub fn earned(self, before: u64, after: u64) -> i64 {
        let per = u64::from(self.per.max(1));
        let steps = (after / per).saturating_sub(before / per);
        i64::try_from(steps.saturating_mul(u64::from(self.points))).unwrap_or(i64::MAX)
    }
}

/// How viewers earn points: one [`Rate`] per kind of activity (settings `ledger.rates`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PointRules {
    /// Per coin (diamond) of a credited gift: count × the gift's value.
    pub coin: Rate,
    pub like: Rate,
    /// Once per viewer per stream (unfollow and follow again earns nothing more).
    pub follow: Rate,
    pub share: Rate,
    /// Subscriptions and Super Fan joins.
    pub subscribe: Rate,
    /// Chat messages, at most one rewarded per viewer per `chat_cooldown_millis`.
    pub chat: Rate,
    pub chat_cooldown_millis: u64,
    /// Per minute watched. TikTok tells no one who is watching, so a viewer counts as watching
    /// between two of their own events (joining, chatting, liking, gifting…) that are at most
    /// `watch_idle_millis` apart.
    pub watch_minute: Rate,
    pub watch_idle_millis: u64,
}

impl Default for PointRules {
    fn default() -> Self {
        Self {
            coin: Rate::new(1, 1),
            like: Rate::new(1, 10),
            follow: Rate::new(10, 1),
            share: Rate::new(5, 1),
            subscribe: Rate::new(50, 1),
            chat: Rate::new(1, 1),
            chat_cooldown_millis: 30_000,
            watch_minute: Rate::new(1, 1),
            watch_idle_millis: 10 * 60 * 1000,
        }
    }
}

/// What a viewer did, as far as points go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activity {
    /// A credited gift: `count` gifts worth `coins` in all.
    Gift {
        gift_id: i64,
        gift_name: String,
        count: u32,
        coins: u64,
    },
    Likes {
        count: u32,
    },
    Follow,
    Share,
    Subscribe,
    Chat,
    /// Entered the room: only starts watch time.
    Join,
}

/// One viewer's tallies in one stream: what the rules need to decide the next award, stored with
/// the stream's row of the viewer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub coins: u64,
    pub gifts: u64,
    pub likes: u64,
    pub followed: bool,
    pub shares: u64,
    pub subscriptions: u64,
    pub chats: u64,
    /// Chat messages that earned points (one per cooldown).
    pub rewarded_chats: u64,
    pub last_rewarded_chat_millis: u64,
    pub watch_millis: u64,
    /// The viewer's newest event in this stream (0: none yet).
    pub last_seen_millis: u64,
    pub points: i64,
}

impl PointRules {
    /// Every rate off, no chat cooldown: a base to set a few rates on.
    pub fn off() -> Self {
        Self {
            coin: Rate::OFF,
            like: Rate::OFF,
            follow: Rate::OFF,
            share: Rate::OFF,
            subscribe: Rate::OFF,
            chat: Rate::OFF,
            chat_cooldown_millis: 0,
            watch_minute: Rate::OFF,
            watch_idle_millis: PointRules::default().watch_idle_millis,
        }
    }

    /// Applies one activity at `at_millis` to the viewer's tally and returns the points it earned
    /// (also added to `tally.points`). Pure: the same events give the same points, in any run.
    pub fn apply(&self, tally: &mut Tally, activity: &Activity, at_millis: u64) -> i64 {
        let before = *tally;
        let mut earned = self.watch(tally, at_millis);
        earned += match activity {
            Activity::Gift { count, coins, .. } => {
                tally.gifts = tally.gifts.saturating_add(u64::from(*count));
                tally.coins = tally.coins.saturating_add(*coins);
                self.coin.earned(before.coins, tally.coins)
            }
            Activity::Likes { count } => {
                tally.likes = tally.likes.saturating_add(u64::from(*count));
                self.like.earned(before.likes, tally.likes)
            }
            Activity::Follow if !tally.followed => {
                tally.followed = true;
                self.follow.earned(0, 1)
            }
            Activity::Follow | Activity::Join => 0,
            Activity::Share => {
                tally.shares = tally.shares.saturating_add(1);
                self.share.earned(before.shares, tally.shares)
            }
            Activity::Subscribe => {
                tally.subscriptions = tally.subscriptions.saturating_add(1);
                self.subscribe
                    .earned(before.subscriptions, tally.subscriptions)
            }
            Activity::Chat => {
                tally.chats = tally.chats.saturating_add(1);
                let cooled = tally.rewarded_chats == 0
                    || at_millis.saturating_sub(tally.last_rewarded_chat_millis)
                        >= self.chat_cooldown_millis;
                if cooled {
                    tally.rewarded_chats += 1;
                    tally.last_rewarded_chat_millis = at_millis;
                }
                self.chat
                    .earned(before.rewarded_chats, tally.rewarded_chats)
            }
        };
        tally.points = tally.points.saturating_add(earned);
        earned
    }

    /// Watch time since the viewer's previous event, when it is recent enough to mean they stayed.
    fn watch(&self, tally: &mut Tally, at_millis: u64) -> i64 {
        let last = tally.last_seen_millis;
        tally.last_seen_millis = last.max(at_millis);
        if last == 0 || at_millis <= last || at_millis - last > self.watch_idle_millis {
            return 0;
        }
        let before = tally.watch_millis;
        tally.watch_millis = before.saturating_add(at_millis - last);
        self.watch_minute
            .earned(before / 60_000, tally.watch_millis / 60_000)
    }
}

/// Levels from points: level N is reached at the Nth threshold (settings `ledger.levels`,
/// ascending; level 0 below the first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Levels(pub Vec<i64>);

impl Default for Levels {
    fn default() -> Self {
        Self(vec![
            100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000,
        ])
    }
}

impl Levels {
    /// The level a points total reaches. Thresholds out of order count as sorted.
    pub fn level(&self, points: i64) -> u32 {
        crate::standings::level_for(&self.0, points)
    }

    /// Points needed for `level` (0 for level 0; `None` past the last threshold).
    pub fn threshold(&self, level: u32) -> Option<i64> {
        if level == 0 {
            return Some(0);
        }
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        sorted.get(usize::try_from(level).ok()? - 1).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gift(count: u32, coins: u64) -> Activity {
        Activity::Gift {
            gift_id: 5655,
            gift_name: "Rose".into(),
            count,
            coins,
        }
    }

    fn only(rate: Rate, set: impl FnOnce(&mut PointRules, Rate)) -> PointRules {
        let mut rules = PointRules::off();
        set(&mut rules, rate);
        rules
    }

    #[test]
    fn rates_count_whole_multiples_and_zero_turns_a_rate_off() {
        assert_eq!(Rate::new(1, 10).earned(0, 9), 0);
        assert_eq!(Rate::new(1, 10).earned(9, 10), 1);
        assert_eq!(Rate::new(3, 10).earned(5, 35), 9, "10, 20 and 30 reached");
        assert_eq!(Rate::new(2, 0).earned(0, 4), 8, "per 0 reads as per 1");
        assert_eq!(Rate::OFF.earned(0, 1_000_000), 0);
        assert_eq!(Rate::new(5, 1).earned(10, 3), 0, "never negative");
    }

    #[test]
    fn gifts_earn_per_coin_of_the_credited_count() {
        let rules = only(Rate::new(2, 1), |r, rate| r.coin = rate);
        let mut t = Tally::default();
        assert_eq!(rules.apply(&mut t, &gift(5, 5), 1_000), 10);
        assert_eq!(rules.apply(&mut t, &gift(1, 500), 2_000), 1_000);
        assert_eq!((t.gifts, t.coins, t.points), (6, 505, 1_010));
    }

    #[test]
    fn likes_carry_over_between_messages() {
        let rules = only(Rate::new(1, 10), |r, rate| r.like = rate);
        let mut t = Tally::default();
        let earned: i64 = [7, 7, 7, 9]
            .into_iter()
            .map(|count| rules.apply(&mut t, &Activity::Likes { count }, 1))
            .sum();
        assert_eq!((t.likes, earned), (30, 3));
    }

    #[test]
    fn a_follow_earns_once_per_stream_and_shares_and_subs_every_time() {
        let mut rules = only(Rate::new(10, 1), |r, rate| r.follow = rate);
        rules.share = Rate::new(3, 1);
        rules.subscribe = Rate::new(50, 1);
        let mut t = Tally::default();
        assert_eq!(rules.apply(&mut t, &Activity::Follow, 1), 10);
        assert_eq!(rules.apply(&mut t, &Activity::Follow, 2), 0, "refollow");
        assert_eq!(rules.apply(&mut t, &Activity::Share, 3), 3);
        assert_eq!(rules.apply(&mut t, &Activity::Share, 4), 3);
        assert_eq!(rules.apply(&mut t, &Activity::Subscribe, 5), 50);
        assert_eq!(rules.apply(&mut t, &Activity::Join, 6), 0);
        assert_eq!(t.points, 66);
    }

    #[test]
    fn chat_earns_at_most_once_per_cooldown() {
        let mut rules = only(Rate::new(1, 1), |r, rate| r.chat = rate);
        rules.chat_cooldown_millis = 30_000;
        let mut t = Tally::default();
        let at = [1_000, 5_000, 30_999, 31_000, 60_000, 61_000];
        let earned: Vec<i64> = at
            .into_iter()
            .map(|ms| rules.apply(&mut t, &Activity::Chat, ms))
            .collect();
        assert_eq!(earned, [1, 0, 0, 1, 0, 1]);
        assert_eq!((t.chats, t.rewarded_chats), (6, 3));
    }

    #[test]
    fn watch_time_counts_between_close_events_per_minute() {
        let mut rules = only(Rate::new(2, 1), |r, rate| r.watch_minute = rate);
        rules.watch_idle_millis = 10 * 60_000;
        let mut t = Tally::default();
        let min = 60_000;
        assert_eq!(rules.apply(&mut t, &Activity::Join, 1_000), 0, "starts");
        assert_eq!(rules.apply(&mut t, &Activity::Chat, 1_000 + 3 * min), 6);
        // Away for 11 minutes: that gap is not watch time, but it starts again.
        assert_eq!(
            rules.apply(&mut t, &Activity::Chat, 1_000 + 14 * min + 30_000),
            0
        );
        assert_eq!(
            rules.apply(
                &mut t,
                &Activity::Likes { count: 1 },
                1_000 + 15 * min + 30_000
            ),
            2,
            "4 minutes in all: the 4th completed"
        );
        assert_eq!(t.watch_millis, 4 * min);
        // An event older than the last (out of order) adds nothing and does not move it back.
        assert_eq!(rules.apply(&mut t, &Activity::Chat, 1_000), 0);
        assert_eq!(t.last_seen_millis, 1_000 + 15 * min + 30_000);
    }

    #[test]
    fn levels_follow_thresholds() {
        let levels = Levels(vec![100, 500, 50]);
        assert_eq!(levels.level(0), 0);
        assert_eq!(levels.level(49), 0);
        assert_eq!(levels.level(50), 1);
        assert_eq!(levels.level(100), 2);
        assert_eq!(levels.level(10_000), 3);
        assert_eq!(levels.threshold(0), Some(0));
        assert_eq!(levels.threshold(2), Some(100));
        assert_eq!(levels.threshold(4), None);
        assert_eq!(Levels::default().level(1_000), 4);
    }

    #[test]
    fn rules_read_from_partial_settings() {
        let rules: PointRules =
            serde_json::from_str(r#"{"like": {"points": 2}, "chat_cooldown_millis": 0}"#).unwrap();
        assert_eq!(rules.like, Rate::new(2, 1));
        assert_eq!(rules.coin, PointRules::default().coin);
        assert_eq!(rules.chat_cooldown_millis, 0);
        let levels: Levels = serde_json::from_str("[10, 20]").unwrap();
        assert_eq!(levels.level(15), 1);
    }
}
