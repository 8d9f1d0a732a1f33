//! Scripts for the fake: what each WebSocket connection sends and when, the faults the sign server
//! and the handshake inject, and the endless demo stream (`demo_scenario`).

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::testkit::frames::{EventSpec, EventSpecKind, GiftSpec, MessageSpec};
use crate::testkit::room_frames::{RoomSpec, Who};

/// One step of a connection's script.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// One `msg` frame carrying these messages (`need_ack`, fresh `log_id`/`internal_ext`, gzip
    /// with the `compress_type` header when the client asked for `compress=gzip`).
    Batch(Vec<MessageSpec>),
    /// Raw bytes as one binary message (malformed frames, hand-built frames).
    Raw(Vec<u8>),
    /// A server heartbeat frame (clients ignore it).
    ServerHeartbeat,
    /// An `im_enter_room_resp` frame carrying these messages.
    EnterRoomResponse(Vec<MessageSpec>),
    Sleep(Duration),
    /// Wait until this long after the connection opened (drift-free pacing).
    At(Duration),
    /// Wait until the client has sent `im_enter_room` on this connection.
    WaitForEnterRoom,
    /// Wait until the test calls [`super::FakeTikTok::release`].
    WaitForRelease,
    /// Drop the TCP connection without a close frame.
    DropTcp,
    /// A clean WebSocket close.
    Close {
        code: u16,
        reason: String,
    },
    /// Send nothing more, keep the socket open and keep reading.
    Silent,
    /// A `WebcastControlMessage` with action 3 (stream ended).
    EndStream,
    /// The endless demo stream (random viewers, streaks, big gifts, chats, likes, duplicates).
    Demo {
        seed: u64,
    },
    /// A gift storm: `gifts_per_second` single gifts (each its own streak end, fresh ids, many
    /// viewers), sent in batches every `STORM_TICK`, forever. For load and CPU benchmarks.
    Storm {
        gifts_per_second: u32,
    },
}

/// How often a storm sends its batch.
pub const STORM_TICK: Duration = Duration::from_millis(20);

/// What the fake streams.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scenario {
    /// Messages in every sign response (recent history; replayed on every reconnect).
    pub history: Vec<MessageSpec>,
    /// Connection `i` runs `connections[i]`.
    pub connections: Vec<Vec<Step>>,
    /// Script for connections beyond `connections` (empty: stay open and silent).
    pub after: Vec<Step>,
}

impl Scenario {
    pub fn script(&self, connection: usize) -> &[Step] {
        self.connections.get(connection).unwrap_or(&self.after)
    }
}

/// A sign-server fault, consumed one per sign request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignFault {
    /// No fault this time: sign normally (lets a later request fail).
    Pass,
    /// 429 with JSON `{message, limit_label}`.
    RateLimited { message: String },
    /// A 5xx with JSON `{message}`.
    ServerError { status: u16, message: String },
    /// 200 with an empty body.
    EmptyBody,
    /// 200 with a good body but no `X-Set-TT-Cookie`.
    NoCookie,
    /// Any status with this body.
    Status { status: u16, body: String },
    /// 429 with `Retry-After: secs`.
    RetryAfter { secs: u64 },
    /// 200 with the `ws-fallback` stub instead of a push server (the 2026-09 outages).
    FallbackStub,
}

/// A handshake fault, consumed one per WebSocket attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakeFault {
    /// No fault this time: accept the upgrade (lets a later attempt fail).
    Accept,
    /// Answer the upgrade with `status` (200 like TikTok) and `handshake-status`/`handshake-msg`.
    Blocked {
        status: u16,
        handshake_status: u16,
        message: String,
    },
}

impl HandshakeFault {
    /// TikTok's usual refusal.
    pub fn device_blocked() -> Self {
        Self::Blocked {
            status: 200,
            handshake_status: 415,
            message: "DEVICE_BLOCKED".into(),
        }
    }
}

/// A gift message with the usual defaults.
pub fn gift(
    msg_id: i64,
    user_id: i64,
    nickname: &str,
    kind: &DemoGift,
    count: i32,
    end: bool,
) -> MessageSpec {
    MessageSpec::Gift(GiftSpec {
        msg_id,
        user_id,
        unique_id: format!("user{user_id}"),
        nickname: nickname.to_owned(),
        ..kind.spec(count, end, 0)
    })
}

/// A gift of the demo catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoGift {
    pub id: i64,
    pub name: &'static str,
    pub diamonds: i32,
    pub streakable: bool,
}

impl DemoGift {
    /// This gift in a message, with the default sender (callers set theirs).
    pub fn spec(&self, count: i32, end: bool, group_id: i64) -> GiftSpec {
        GiftSpec {
            gift_id: self.id,
            gift_name: self.name.to_owned(),
            diamonds: self.diamonds,
            gift_type: if self.streakable { 1 } else { 2 },
            repeat_count: count,
            repeat_end: end,
            group_id,
            create_time_millis: 0,
            ..GiftSpec::default()
        }
    }
}

/// The demo's gifts: cheap streakable ones, big single ones, and one with no name.
pub const DEMO_GIFTS: &[DemoGift] = &[
    DemoGift {
        id: 5655,
        name: "Rose",
        diamonds: 1,
        streakable: true,
    },
    DemoGift {
        id: 5269,
        name: "TikTok",
        diamonds: 1,
        streakable: true,
    },
    DemoGift {
        id: 5487,
        name: "Finger Heart",
        diamonds: 5,
        streakable: true,
    },
    DemoGift {
        id: 5879,
        name: "Doughnut",
        diamonds: 30,
        streakable: true,
    },
    DemoGift {
        id: 6369,
        name: "Lion",
        diamonds: 29_999,
        streakable: false,
    },
    DemoGift {
        id: 7312,
        name: "Universe",
        diamonds: 44_999,
        streakable: false,
    },
    DemoGift {
        id: 5996,
        name: "Galaxy",
        diamonds: 1_000,
        streakable: false,
    },
    DemoGift {
        id: 99_999,
        name: "",
        diamonds: 10,
        streakable: false,
    },
];

/// Viewers of the demo, hostile nicknames included: a command injection attempt, placeholders,
/// bidi overrides, newlines, NUL, Minecraft colour codes, JSON, a very long name.
pub const DEMO_VIEWERS: &[(&str, &str)] = &[
    ("alice", "Alice 🌹"),
    ("bob_builds", "Bob\"; /op @a"),
    ("mallory", "\u{202e}yrollam\u{202c} evil"),
    ("two.lines", "line one\nline two"),
    ("nul_byte", "nul\0byte"),
    ("red_name", "§cRed§r Name"),
    ("placeholders", "{user}{gift}{count}"),
    ("json_fan", "{\"trigger\":\"Lion\"}"),
    (
        "long_name",
        "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
    ),
    ("emoji", "🔥✨ fan ✨🔥"),
];

/// An open streak of the demo.
#[derive(Clone, Debug)]
struct OpenStreak {
    viewer: usize,
    gift: usize,
    count: i32,
    group_id: i64,
}

/// Generates the demo stream, batch by batch, forever.
#[derive(Debug)]
pub struct DemoGenerator {
    rng: StdRng,
    next_msg_id: i64,
    next_group_id: i64,
    streaks: Vec<OpenStreak>,
    last: Option<MessageSpec>,
    likes_total: i64,
    /// Which 2026 kind comes next (they take turns, so a newcomer soon sees each).
    room_step: usize,
    /// The newest chat message id: what the demo's moderator deletes and the streamer pins.
    last_chat: i64,
    viewers: i64,
}

/// How many 2026 kinds the demo takes turns with ([`DemoGenerator::room_spec`]).
const ROOM_STEPS: usize = 17;

impl DemoGenerator {
    /// `first_msg_id` keeps ids of different connections apart.
    pub fn new(seed: u64, first_msg_id: i64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            next_msg_id: first_msg_id,
            next_group_id: first_msg_id,
            streaks: Vec::new(),
            last: None,
            likes_total: 0,
            room_step: 0,
            last_chat: 0,
            viewers: 40,
        }
    }

    /// The next 2026 message: subscriptions, Super Fans, chests, a battle from start to end,
    /// emotes, a poll, a goal, a question, a moderator's deletion and a pin, in turn.
    fn room_spec(&mut self, viewer: usize) -> RoomSpec {
        let (user_id, unique_id, nickname) = self.viewer(viewer);
        let who = Who {
            nickname: nickname.to_owned(),
            fan_club_level: i32::try_from(viewer % 12).unwrap_or(0),
            ..Who::new(user_id, unique_id)
        };
        let step = self.room_step % ROOM_STEPS;
        let battle_id = 7_000 + i64::try_from(self.room_step / ROOM_STEPS).unwrap_or(0);
        self.room_step += 1;
        let sides = |a: i64, b: i64, won: bool| {
            vec![
                (1, "giftdeck_demo".to_owned(), a, i32::from(!won)),
                (2, "rival_streamer".to_owned(), b, i32::from(won)),
            ]
        };
        let chest = |super_fan_box: bool| RoomSpec::Chest {
            who: who.clone(),
            envelope_id: format!("demo-{battle_id}-{step}"),
            diamonds: if super_fan_box { 100 } else { 500 },
            openers: 20,
            super_fan_box,
        };
        match step {
            0 => RoomSpec::SubNotify {
                who,
                months: 1 + i64::from(self.rng.random_range(0..12)),
            },
            1 => RoomSpec::SuperFan { who, joined: false },
            2 => chest(false),
            3 => RoomSpec::Battle {
                battle_id,
                action: 4,
                sides: sides(0, 0, true),
            },
            4 => RoomSpec::Armies {
                battle_id,
                end: false,
                scores: vec![(1, 120), (2, 80)],
            },
            5 => RoomSpec::Emote {
                who,
                emote_ids: vec!["demo-heart".into()],
            },
            6 => RoomSpec::EmoteChat {
                who,
                emote_ids: vec!["demo-wave".into(), "demo-wave".into()],
            },
            7 => RoomSpec::Poll {
                poll_id: battle_id,
                phase: 0,
                title: "Next challenge?".into(),
                options: vec![("TNT rain".into(), 0), ("Creeper party".into(), 0)],
            },
            8 => RoomSpec::Battle {
                battle_id,
                action: 5,
                sides: sides(340, 210, true),
            },
            9 => RoomSpec::Poll {
                poll_id: battle_id,
                phase: 2,
                title: String::new(),
                options: vec![("TNT rain".into(), 14), ("Creeper party".into(), 9)],
            },
            10 => RoomSpec::Goal {
                goal_id: 1,
                description: "New skin".into(),
                progress: i64::try_from(self.room_step).unwrap_or(0) * 10 % 1_000,
                target: 1_000,
                contributor: who,
            },
            11 => RoomSpec::Question {
                who,
                question_id: battle_id,
                text: "How do you build so fast?".into(),
            },
            12 => RoomSpec::SuperFan { who, joined: true },
            13 => chest(true),
            14 => RoomSpec::Pin {
                who,
                pinned_msg_id: self.last_chat,
                text: "gg".into(),
            },
            15 => RoomSpec::Delete {
                msg_ids: vec![self.last_chat],
                user_ids: vec![],
            },
            _ => self.viewer_count(),
        }
    }

    /// The viewer count, drifting up and down.
    fn viewer_count(&mut self) -> RoomSpec {
        self.viewers = (self.viewers + self.rng.random_range(-8..12)).clamp(5, 5_000);
        let top = (0..3)
            .map(|i| {
                let (user_id, unique_id, _) = self.viewer(i);
                (
                    Who::new(user_id, unique_id),
                    900 - 300 * i64::try_from(i).unwrap_or(0),
                )
            })
            .collect();
        RoomSpec::Viewers {
            viewers: self.viewers,
            total: self.viewers * 3,
            top,
        }
    }

    fn msg_id(&mut self) -> i64 {
        self.next_msg_id += 1;
        self.next_msg_id
    }

    fn viewer(&self, index: usize) -> (i64, &'static str, &'static str) {
        let (unique_id, nickname) = DEMO_VIEWERS[index % DEMO_VIEWERS.len()];
        (1000 + index as i64, unique_id, nickname)
    }

    fn gift_spec(
        &mut self,
        viewer: usize,
        gift: usize,
        count: i32,
        end: bool,
        group_id: i64,
    ) -> MessageSpec {
        let (user_id, unique_id, nickname) = self.viewer(viewer);
        MessageSpec::Gift(GiftSpec {
            msg_id: self.msg_id(),
            user_id,
            unique_id: unique_id.to_owned(),
            nickname: nickname.to_owned(),
            ..DEMO_GIFTS[gift].spec(count, end, group_id)
        })
    }

    /// Advances (or ends) an open streak, starting one first now and then.
    fn streak_step(&mut self, viewer: usize) -> MessageSpec {
        if self.streaks.is_empty() || (self.streaks.len() < 3 && self.rng.random_bool(0.3)) {
            let gift = self.rng.random_range(0..4);
            self.next_group_id += 1;
            self.streaks.push(OpenStreak {
                viewer,
                gift,
                count: 0,
                group_id: self.next_group_id,
            });
        }
        let index = self.rng.random_range(0..self.streaks.len());
        let step = self.rng.random_range(1..4);
        let ends = self.rng.random_bool(0.25);
        let mut streak = self.streaks[index].clone();
        streak.count += step;
        let spec = self.gift_spec(
            streak.viewer,
            streak.gift,
            streak.count,
            ends,
            streak.group_id,
        );
        if ends {
            self.streaks.swap_remove(index);
        } else {
            self.streaks[index] = streak;
        }
        spec
    }

    /// A chat line from `viewer`, hostile ones included.
    fn chat_line(&mut self, viewer: usize) -> MessageSpec {
        let (user_id, unique_id, nickname) = self.viewer(viewer);
        let lines = [
            "hi!",
            "gg",
            "send a lion 🦁",
            "/op me pls",
            "§kglitch",
            "how do I get the sword?",
            "!jump high",
        ];
        let text = lines[self.rng.random_range(0..lines.len())].to_owned();
        let msg_id = self.msg_id();
        self.last_chat = msg_id;
        MessageSpec::Chat {
            msg_id,
            user_id,
            unique_id: unique_id.to_owned(),
            nickname: nickname.to_owned(),
            text,
        }
    }

    /// The pause before the next batch and the batch itself (a few events per second).
    pub fn next_batch(&mut self) -> (Duration, Vec<MessageSpec>) {
        let pause = Duration::from_millis(self.rng.random_range(150..650));
        let roll = self.rng.random_range(0..100);
        let viewer = self.rng.random_range(0..DEMO_VIEWERS.len());
        let mut batch = Vec::new();
        match roll {
            // Advance (or end) an open streak, or start one.
            0..=39 => batch.push(self.streak_step(viewer)),
            40..=49 => {
                let gift = self.rng.random_range(4..DEMO_GIFTS.len());
                batch.push(self.gift_spec(viewer, gift, 1, false, 0));
            }
            50..=69 => batch.push(self.chat_line(viewer)),
            70..=84 => {
                let (user_id, unique_id, _) = self.viewer(viewer);
                let count = self.rng.random_range(1..15);
                self.likes_total += i64::from(count);
                batch.push(MessageSpec::Like {
                    msg_id: self.msg_id(),
                    user_id,
                    unique_id: unique_id.to_owned(),
                    count,
                    total: self.likes_total,
                });
            }
            85..=87 => {
                let (user_id, unique_id, _) = self.viewer(viewer);
                batch.push(MessageSpec::Follow {
                    msg_id: self.msg_id(),
                    user_id,
                    unique_id: unique_id.to_owned(),
                });
            }
            // Shares, subscriptions and joins: every kind a trigger can react to.
            88..=91 => {
                let (user_id, unique_id, nickname) = self.viewer(viewer);
                let kind = match roll {
                    88 => EventSpecKind::Share,
                    89 => EventSpecKind::Subscribe,
                    _ => EventSpecKind::Join,
                };
                let mut event = EventSpec::new(self.msg_id(), user_id, unique_id, kind);
                event.nickname = nickname.to_owned();
                batch.push(MessageSpec::Event(event));
            }
            // The 2026 kinds in turn, and the viewer count every few seconds.
            92..=97 => {
                let spec = if roll >= 96 {
                    self.viewer_count()
                } else {
                    self.room_spec(viewer)
                };
                batch.push(MessageSpec::Room {
                    msg_id: self.msg_id(),
                    create_time_millis: 0,
                    spec,
                });
            }
            // TikTok repeats messages now and then: send the last one again, same id.
            _ => {
                if let Some(last) = self.last.clone() {
                    batch.push(last);
                }
            }
        }
        if let Some(last) = batch.last() {
            self.last = Some(last.clone());
        }
        (pause, batch)
    }
}

/// The built-in demo: a little history, then an endless lively stream on every connection.
pub fn demo_scenario() -> Scenario {
    let rose = DEMO_GIFTS[0];
    Scenario {
        history: vec![
            MessageSpec::Chat {
                msg_id: 1,
                user_id: 1000,
                unique_id: "alice".into(),
                nickname: "Alice 🌹".into(),
                text: "first!".into(),
            },
            gift(2, 1000, "Alice 🌹", &rose, 3, true),
        ],
        connections: Vec::new(),
        after: vec![Step::Demo { seed: 7 }],
    }
}

/// The gifts of one storm batch: `count` single gifts from rotating viewers and gift kinds, ids
/// from `first_msg_id` on.
pub fn storm_batch(first_msg_id: i64, count: usize) -> Vec<MessageSpec> {
    (0..count)
        .map(|i| {
            let msg_id = first_msg_id + i as i64;
            let n = usize::try_from(msg_id.unsigned_abs() % 1_000_000).unwrap_or(0);
            let (unique_id, nickname) = DEMO_VIEWERS[n % DEMO_VIEWERS.len()];
            let kind = DEMO_GIFTS[n % DEMO_GIFTS.len()];
            MessageSpec::Gift(GiftSpec {
                msg_id,
                user_id: 1000 + (n % 5_000) as i64,
                unique_id: format!("{unique_id}{}", n % 5_000),
                nickname: nickname.to_owned(),
                gift_id: kind.id,
                gift_name: kind.name.to_owned(),
                diamonds: kind.diamonds,
                gift_type: if kind.streakable { 1 } else { 2 },
                repeat_count: 1,
                repeat_end: true,
                group_id: 0,
                create_time_millis: 0,
            })
        })
        .collect()
}

/// A storm of `gifts_per_second` gifts on every connection (after the demo's history).
pub fn storm_scenario(gifts_per_second: u32) -> Scenario {
    Scenario {
        after: vec![Step::Storm { gifts_per_second }],
        ..demo_scenario()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storm_batches_are_distinct_single_gifts() {
        let batch = storm_batch(10, 50);
        assert_eq!(batch.len(), 50);
        let ids: std::collections::HashSet<i64> = batch
            .iter()
            .map(|m| match m {
                MessageSpec::Gift(g) => {
                    assert!(g.repeat_end && g.repeat_count == 1);
                    g.msg_id
                }
                other => panic!("not a gift: {other:?}"),
            })
            .collect();
        assert_eq!(ids.len(), 50, "every gift has its own id");
    }

    #[test]
    fn demo_is_lively_varied_and_has_duplicates() {
        let mut generator = DemoGenerator::new(1, 1_000_000);
        let mut total = Duration::ZERO;
        let mut ids = Vec::new();
        let mut names = std::collections::HashSet::new();
        let mut ends = 0;
        for _ in 0..2_000 {
            let (pause, batch) = generator.next_batch();
            total += pause;
            for message in batch {
                if let MessageSpec::Gift(g) = &message {
                    names.insert(g.gift_name.clone());
                    ends += usize::from(g.repeat_end);
                    ids.push(g.msg_id);
                }
            }
        }
        let per_second = 2_000.0 / total.as_secs_f64();
        assert!((1.0..10.0).contains(&per_second), "{per_second} batches/s");
        assert!(names.contains("Lion") && names.contains("Rose") && names.contains(""));
        assert!(ends > 10, "streaks end");
        // Every kind a trigger reacts to shows up, so a newcomer sees them work.
        let mut generator = DemoGenerator::new(2, 1);
        let mut kinds = std::collections::HashSet::new();
        for _ in 0..2_000 {
            for message in generator.next_batch().1 {
                kinds.insert(match message {
                    MessageSpec::Gift(_) => "gift".to_owned(),
                    MessageSpec::Chat { text, .. } if text.starts_with("!jump") => "command".into(),
                    MessageSpec::Chat { .. } => "chat".into(),
                    MessageSpec::Like { .. } => "like".into(),
                    MessageSpec::Follow { .. } => "follow".into(),
                    MessageSpec::Event(e) => format!("{:?}", e.kind),
                    MessageSpec::Room { spec, .. } => format!("{spec:?}")
                        .split([' ', '{'])
                        .next()
                        .unwrap_or("")
                        .to_owned(),
                    other => format!("{other:?}"),
                });
            }
        }
        for kind in [
            "gift",
            "command",
            "chat",
            "like",
            "follow",
            "Share",
            "Subscribe",
            "Join",
            "SubNotify",
            "Viewers",
            "SuperFan",
            "Chest",
            "Battle",
            "Armies",
            "Emote",
            "EmoteChat",
            "Poll",
            "Goal",
            "Question",
            "Delete",
            "Pin",
        ] {
            assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
        }
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert!(unique.len() < ids.len(), "some duplicates");
    }
}
