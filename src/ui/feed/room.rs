//! The feed's rows for the 2026 kinds (subscriptions, Super Fans, chests, battles, emotes, polls,
//! goals, questions, pins), the viewer count it keeps for the status line and totals, and a
//! moderator's deletion marking rows.

use super::{EventKind, Feed, What, clean};
use crate::event::{Battle, BattlePhase, Poll, PollPhase, RoomEvent, RoomKind, SuperFanMoment};
use crate::i18n::tr;

/// "⭐ subscribed · 3 months".
pub(super) fn with_months(words: &str, months: Option<u32>) -> String {
    match months {
        Some(n) if n > 0 => crate::trf!("feed-months", words = words, count = n),
        _ => words.to_owned(),
    }
}

impl Feed {
    /// A 2026 event the engine stamped `at_millis`: its row (if it has one), its totals, the
    /// viewer count, or the rows a moderator deleted.
    pub(super) fn push_room_at(&mut self, room: &RoomEvent, at_millis: u64) {
        let what = match &room.kind {
            RoomKind::Subscription { months } => {
                self.subscribers_total += 1;
                let words = super::kind_text(EventKind::Subscribe);
                text(
                    EventKind::Subscribe,
                    with_months(words, (*months > 0).then_some(*months)),
                )
            }
            RoomKind::Viewers(count) => {
                self.peak_viewers = self.peak_viewers.max(count.viewers);
                self.viewers = Some(count.clone());
                return;
            }
            RoomKind::SuperFan { moment } => {
                let words = match moment {
                    SuperFanMoment::New => {
                        self.super_fans_total += 1;
                        tr("feed-became-super-fan")
                    }
                    SuperFanMoment::Join => tr("feed-super-fan-joined"),
                    SuperFanMoment::Box => tr("feed-super-fan-box"),
                };
                text(EventKind::SuperFan, words.to_owned())
            }
            RoomKind::Chest(chest) => {
                self.chests_total += 1;
                let (kind, words) = if chest.super_fan_box {
                    (EventKind::SuperFan, tr("feed-super-fan-box"))
                } else {
                    (EventKind::TreasureChest, tr("feed-treasure-chest"))
                };
                let words = crate::trf!(
                    "feed-chest",
                    words = words,
                    diamonds = chest.diamonds,
                    people = chest.openers
                );
                text(kind, words)
            }
            RoomKind::Battle(battle) => match battle_words(battle) {
                Some(words) => text(EventKind::Battle, words),
                // Score updates come with every gift of a battle: the feed shows start and end.
                None => return,
            },
            RoomKind::Emote { emote_ids } => text(
                EventKind::Emote,
                crate::trf!("feed-emotes", count = emote_ids.len()),
            ),
            RoomKind::Poll(poll) => match poll_words(poll) {
                Some(words) => text(EventKind::Poll, words),
                None => return, // vote updates: the end shows the result
            },
            RoomKind::Goal(goal) => {
                let words = format!(
                    "🎯 {} {}/{}",
                    clean(&goal.description, 40),
                    goal.progress,
                    goal.target
                );
                text(EventKind::Goal, words)
            }
            RoomKind::Question { text: asked, .. } => {
                text(EventKind::Question, format!("❓ {}", clean(asked, 80)))
            }
            RoomKind::Pinned {
                text: pinned,
                unpinned,
                ..
            } => {
                let words = if *unpinned {
                    tr("feed-unpinned")
                } else {
                    tr("feed-pinned")
                };
                let line = crate::trf!("feed-pin", words = words, text = clean(pinned, 60));
                text(EventKind::Chat, line)
            }
            RoomKind::Deleted { msg_ids, user_ids } => {
                self.mark_deleted(msg_ids, user_ids);
                return;
            }
            RoomKind::Nothing => return,
        };
        self.received += 1;
        self.push_grouped(room.msg_id, &room.user, what, 1, at_millis);
    }

    /// Marks the rows of these messages (or of every message of these viewers) deleted.
    fn mark_deleted(&mut self, msg_ids: &[i64], user_ids: &[i64]) {
        for row in &mut self.rows {
            if (row.msg_id != 0 && msg_ids.contains(&row.msg_id))
                || (row.user_id != 0 && user_ids.contains(&row.user_id))
            {
                row.deleted = true;
            }
        }
    }
}

/// "⚔ battle started", "⚔ battle won by Me (12–8)"; `None` for a score update.
fn battle_words(battle: &Battle) -> Option<String> {
    Some(match battle.phase {
        BattlePhase::Start => tr("feed-battle-started").to_owned(),
        BattlePhase::Scores => return None,
        BattlePhase::End => {
            let scores: Vec<String> = battle.sides.iter().map(|s| s.score.to_string()).collect();
            let winner = battle
                .winner
                .and_then(|w| battle.sides.iter().find(|s| s.anchor_id == w))
                .map(|s| {
                    if s.name.trim().is_empty() {
                        format!("#{}", s.anchor_id)
                    } else {
                        clean(&s.name, 40)
                    }
                });
            match winner {
                Some(name) => {
                    crate::trf!("feed-battle-won", name = name, scores = scores.join("–"))
                }
                None => crate::trf!("feed-battle-ended", scores = scores.join("–")),
            }
        }
    })
}

/// "📊 poll: Next?", "📊 poll ended: TNT (7 votes)"; `None` for a vote update.
fn poll_words(poll: &Poll) -> Option<String> {
    Some(match poll.phase {
        PollPhase::Start => crate::trf!("feed-poll-title", title = clean(&poll.title, 60)),
        PollPhase::Update => return None,
        PollPhase::End => match poll.options.iter().max_by_key(|o| o.votes) {
            Some(o) => crate::trf!(
                "feed-poll-ended-with",
                option = clean(&o.text, 40),
                votes = o.votes
            ),
            None => tr("feed-poll-ended").to_owned(),
        },
    })
}

fn text(kind: EventKind, text: String) -> What {
    What::Text { kind, text }
}
