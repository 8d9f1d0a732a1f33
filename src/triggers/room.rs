//! The 2026 kinds as triggers: subscriptions from `WebcastSubNotifyMessage`, "viewers ≥ N" (once per
//! stream), Super Fan moments, treasure chests, battle start and end (once per battle) and emotes;
//! plus the session's diamonds per viewer behind the top-gifter audience. Pure, like the rest of
//! `triggers`.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use super::{Condition, EventKind, Fired, TriggerState};
use crate::event::{Battle, BattlePhase, Chest, RoomEvent, RoomKind, SuperFanMoment};
use crate::mappings::MappingTable;

/// What a 2026 kind's `--events` line carries besides the viewer (flattened into the line; each
/// key only where the event has it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RoomLine {
    /// Subscriptions: months subscribed (when TikTok said).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// "viewers ≥ N": the viewer count that reached N.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewers: Option<u64>,
    /// Treasure chests and Super Fan boxes: diamonds in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diamonds: Option<u64>,
    /// Treasure chests and Super Fan boxes: how many viewers can open it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openers: Option<u32>,
    /// Super Fan triggers: `new`, `join` or `box`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moment: Option<SuperFanMoment>,
    /// Battle triggers: `start` or `end`, the battle, the scores, and (at the end) the winner's
    /// user id (absent for a draw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<BattlePhase>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub battle_id: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<ScoreLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub winner: Option<i64>,
    /// Emote triggers: the emote ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emotes: Vec<String>,
}

/// One streamer's score in a battle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScoreLine {
    pub user_id: i64,
    pub score: i64,
}

/// Most viewers whose session diamonds are kept; past it the smallest half is let go (the leader
/// always stays).
const MAX_GIFTERS: usize = 100_000;
/// Battles remembered for "fires once per battle".
const MAX_BATTLES: usize = 64;

/// Diamonds each viewer sent this session and who sent the most.
#[derive(Debug, Default)]
pub(super) struct Gifted {
    by_viewer: HashMap<String, u64>,
    top: Option<(String, u64)>,
}

impl Gifted {
    /// Counts a credited gift worth `diamonds` from `viewer`.
    pub(super) fn add(&mut self, viewer: String, diamonds: u64) {
        if diamonds == 0 {
            return;
        }
        if self.by_viewer.len() >= MAX_GIFTERS && !self.by_viewer.contains_key(&viewer) {
            self.let_go_smallest();
        }
        let total = self.by_viewer.entry(viewer.clone()).or_default();
        *total = total.saturating_add(diamonds);
        let total = *total;
        // Ties keep the one who got there first.
        if self.top.as_ref().is_none_or(|(_, best)| total > *best) {
            self.top = Some((viewer, total));
        }
    }

    /// True when `viewer` sent the most diamonds this session (nobody is before any gift).
    pub(super) fn is_top(&self, viewer: &str) -> bool {
        self.top.as_ref().is_some_and(|(top, _)| top == viewer)
    }

    fn let_go_smallest(&mut self) {
        let mut totals: Vec<u64> = self.by_viewer.values().copied().collect();
        let middle = totals.len() / 2;
        let (_, cut, _) = totals.select_nth_unstable(middle);
        let cut = *cut;
        let top = self.top.as_ref().map(|(v, _)| v.clone());
        self.by_viewer
            .retain(|viewer, total| *total > cut || Some(viewer) == top.as_ref());
    }
}

/// A chest's (or Super Fan box's) numbers for its line.
fn chest_line(chest: &Chest) -> RoomLine {
    RoomLine {
        diamonds: Some(u64::from(chest.diamonds)),
        openers: Some(chest.openers),
        ..RoomLine::default()
    }
}

/// The (battle, phase) pairs that fired, newest last.
#[derive(Debug, Default)]
pub(super) struct BattlesSeen(VecDeque<(i64, BattlePhase)>);

impl BattlesSeen {
    /// True the first time this battle reaches this phase.
    fn first(&mut self, battle_id: i64, phase: BattlePhase) -> bool {
        if self.0.contains(&(battle_id, phase)) {
            return false;
        }
        if self.0.len() >= MAX_BATTLES {
            self.0.pop_front();
        }
        self.0.push_back((battle_id, phase));
        true
    }
}

impl TriggerState {
    /// A 2026 event: updates what the stream remembers and fires its triggers.
    pub(super) fn on_room(
        &mut self,
        table: &MappingTable,
        room: &RoomEvent,
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        if let Some(moment) = room.super_fan() {
            self.on_super_fan(table, room, moment, now_millis, out);
            return;
        }
        let (msg_id, user) = (room.msg_id, &room.user);
        match &room.kind {
            RoomKind::Subscription { months } => {
                let months = (*months > 0).then_some(*months);
                self.subscribe(table, msg_id, user, months, now_millis, out);
            }
            RoomKind::Viewers(count) => {
                self.on_viewers(table, msg_id, count.viewers, now_millis, out);
            }
            RoomKind::Chest(chest) => {
                let line = chest_line(chest);
                let kind = EventKind::TreasureChest;
                self.fire_with(table, kind, msg_id, user, &line, now_millis, out);
            }
            RoomKind::Battle(battle) => self.on_battle(table, room, battle, now_millis, out),
            RoomKind::Emote { emote_ids } => {
                self.learn(user, crate::event::Identity::default());
                let line = RoomLine {
                    emotes: emote_ids.clone(),
                    ..RoomLine::default()
                };
                self.fire_with(
                    table,
                    EventKind::Emote,
                    msg_id,
                    user,
                    &line,
                    now_millis,
                    out,
                );
            }
            RoomKind::SuperFan { .. }
            | RoomKind::Poll(_)
            | RoomKind::Goal(_)
            | RoomKind::Question { .. }
            | RoomKind::Deleted { .. }
            | RoomKind::Pinned { .. }
            | RoomKind::Nothing => {}
        }
    }

    /// A new Super Fan, a Super Fan joining or a Super Fan box: the rules of that moment fire.
    fn on_super_fan(
        &mut self,
        table: &MappingTable,
        room: &RoomEvent,
        moment: SuperFanMoment,
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        self.learn(&room.user, crate::event::Identity::default());
        let mut line = match &room.kind {
            RoomKind::Chest(chest) => chest_line(chest),
            _ => RoomLine::default(),
        };
        line.moment = Some(moment);
        let wanted =
            |on: &Condition| matches!(on, Condition::SuperFan { moment: m } if *m == moment);
        self.fire_matching(
            table,
            EventKind::SuperFan,
            room,
            &line,
            now_millis,
            out,
            wanted,
        );
    }

    /// A battle's start or end (once per battle each; score updates fire nothing).
    fn on_battle(
        &mut self,
        table: &MappingTable,
        room: &RoomEvent,
        battle: &Battle,
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        let phase = battle.phase;
        if phase == BattlePhase::Scores || !self.battles.first(battle.battle_id, phase) {
            return;
        }
        let line = RoomLine {
            phase: Some(phase),
            battle_id: Some(battle.battle_id),
            scores: battle
                .sides
                .iter()
                .map(|s| ScoreLine {
                    user_id: s.anchor_id,
                    score: s.score,
                })
                .collect(),
            winner: battle.winner,
            ..RoomLine::default()
        };
        let wanted = |on: &Condition| matches!(on, Condition::Battle { phase: p } if *p == phase);
        self.fire_matching(
            table,
            EventKind::Battle,
            room,
            &line,
            now_millis,
            out,
            wanted,
        );
    }

    /// The viewer count moved: every "viewers ≥ N" whose N lies above the stream's peak so far
    /// and at or below this count fires, once per stream (the peak is room memory).
    fn on_viewers(
        &mut self,
        table: &MappingTable,
        msg_id: i64,
        viewers: u64,
        now_millis: u64,
        out: &mut Vec<Fired>,
    ) {
        let peak = self.memory.peak_viewers;
        if viewers <= peak {
            return;
        }
        self.memory.peak_viewers = viewers;
        if !table.listens_to(EventKind::Viewers) {
            return;
        }
        let nobody = crate::event::User::default();
        for mapping in table.for_kind(EventKind::Viewers) {
            let Condition::Viewers { at_least } = mapping.on else {
                continue;
            };
            if at_least <= peak || at_least > viewers || !self.admits(&mapping.audience, &nobody) {
                continue;
            }
            let mut line = self.line(EventKind::Viewers, msg_id, &nobody, mapping);
            line.room.viewers = Some(viewers);
            self.push(mapping, &nobody, line, now_millis, out);
        }
    }

    /// Fires the mappings of `kind` whose condition `wanted` accepts, each line carrying `room_line`.
    #[expect(
        clippy::too_many_arguments,
        reason = "the event's parts and the condition test, passed through as they are"
    )]
    fn fire_matching(
        &mut self,
        table: &MappingTable,
        kind: EventKind,
        room: &RoomEvent,
        room_line: &RoomLine,
        now_millis: u64,
        out: &mut Vec<Fired>,
        wanted: impl Fn(&Condition) -> bool,
    ) {
        let user = &room.user;
        if !table.listens_to(kind) || table.is_blocked(&user.unique_id) {
            return;
        }
        for mapping in table.for_kind(kind) {
            if wanted(&mapping.on) && self.admits(&mapping.audience, user) {
                let mut line = self.line(kind, room.msg_id, user, mapping);
                line.room = room_line.clone();
                self.push(mapping, user, line, now_millis, out);
            }
        }
    }
}
