//! The trigger table's rules, apart from its drawing (`panels::triggers`,
//! `panels::actions_window`): inline problems per row, the editor's own state, a blank row, the
//! one-line summary of a row's actions, and the gift the Test button sends.

use super::catalog::Catalog;
use crate::event::{
    Battle, Chest, GiftMessage, LiveEvent, MEMBER_JOINED, MEMBER_SUBSCRIBED, RoomEvent, RoomKind,
    SocialKind, SuperFanMoment, User, ViewerCount,
};
use crate::i18n::tr;
use crate::mappings::{Action, Mapping, TriggerKey};
use crate::triggers::Condition;

/// Something is off with a row; shown inline, never blocks editing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    EmptyTrigger,
    /// Another enabled row (1-based number) has the same trigger and wins.
    Duplicate {
        first_row: usize,
    },
    /// Not in the catalog and not numeric: maybe a typo.
    UnknownGift,
    NoActions,
    /// Action number (1-based) has nothing to run.
    EmptyAction {
        action: usize,
    },
    /// The trigger's condition cannot fire (likes every 0, an empty chat command…).
    Condition(String),
    /// Action number (1-based) is a keys action that cannot run: a key name is wrong, and so on.
    Keys {
        action: usize,
        why: String,
    },
}

impl Problem {
    pub fn text(&self) -> String {
        match self {
            Self::EmptyTrigger => tr("problem-empty-trigger").into(),
            Self::Duplicate { first_row } => crate::trf!("problem-duplicate", row = *first_row),
            Self::UnknownGift => tr("problem-unknown-gift").into(),
            Self::NoActions => tr("problem-no-actions").into(),
            Self::EmptyAction { action } => crate::trf!("problem-empty-action", action = *action),
            Self::Condition(why) => why.clone(),
            Self::Keys { action, why } => {
                crate::trf!("problem-keys", action = *action, why = why.to_string())
            }
        }
    }

    /// Problems that make the row do nothing (red) versus warnings (amber).
    pub fn is_error(&self) -> bool {
        !matches!(self, Self::UnknownGift)
    }
}

/// Checks every row. Pure, so it is unit-tested and cheap to rerun on each edit.
pub fn find_problems(mappings: &[Mapping], catalog: &Catalog) -> Vec<Vec<Problem>> {
    let mut first_by_key: std::collections::HashMap<TriggerKey, usize> = Default::default();
    mappings
        .iter()
        .enumerate()
        .map(|(index, mapping)| {
            let mut problems = Vec::new();
            let trigger = mapping.trigger.trim();
            if mapping.on != Condition::Gift {
                // Other kinds are not matched by their label: no gift name to check.
                if let Some(why) = mapping.on.problem() {
                    problems.push(Problem::Condition(why));
                }
            } else if let Some(key) = TriggerKey::parse(trigger) {
                if mapping.enabled {
                    match first_by_key.get(&key) {
                        Some(&first) => problems.push(Problem::Duplicate {
                            first_row: first + 1,
                        }),
                        None => {
                            first_by_key.insert(key, index);
                        }
                    }
                }
                if !catalog.knows_trigger(trigger) {
                    problems.push(Problem::UnknownGift);
                }
            } else {
                problems.push(Problem::EmptyTrigger);
            }
            if mapping.actions.is_empty() {
                problems.push(Problem::NoActions);
            }
            for (i, action) in mapping.actions.iter().enumerate() {
                let empty = match action {
                    Action::Command { command, .. } => command.trim().is_empty(),
                    Action::Sound { path, .. } => path.as_os_str().is_empty(),
                    Action::Webhook { url, .. } => url.trim().is_empty(),
                    Action::Random => false,
                    Action::OverlayText {
                        title, subtitle, ..
                    } => title.trim().is_empty() && subtitle.trim().is_empty(),
                    Action::ObsScene { scene } => scene.trim().is_empty(),
                    Action::ObsShowSource { source, .. } | Action::ObsText { source, .. } => {
                        source.trim().is_empty()
                    }
                    Action::Keys(keys) => keys.steps.is_empty(),
                    Action::Speak(speak) => speak.text.trim().is_empty(),
                    Action::Counter(counter) => counter.op().is_err(),
                    Action::StreamTimer(timer) => timer.op().is_err(),
                    Action::Points { add, remove } => {
                        add.trim().is_empty() && remove.trim().is_empty()
                    }
                };
                if empty {
                    problems.push(Problem::EmptyAction { action: i + 1 });
                } else if let Action::Keys(keys) = action
                    && let Some(why) = keys_problem(keys)
                {
                    problems.push(Problem::Keys { action: i + 1, why });
                }
            }
            problems
        })
        .collect()
}

/// What is wrong with a keys action's key names (the limits on holds and lengths are the
/// streamer's settings; the actions window checks those).
fn keys_problem(keys: &crate::actions::keys::KeysAction) -> Option<String> {
    let names_only = crate::actions::keys::KeysLimits {
        max_hold_millis: u64::MAX,
        max_action_millis: u64::MAX,
        max_repeat: u32::MAX,
        ..Default::default()
    };
    crate::actions::keys::problems(keys, &names_only)
}

/// Editor state that is not part of the mappings.
#[derive(Debug, Default)]
pub struct TriggerEditor {
    /// Per row: how many gifts the Test button sends.
    pub test_counts: Vec<u32>,
    /// The row whose action list is open in the actions window.
    pub editing: Option<usize>,
    pub problems: Vec<Vec<Problem>>,
    /// The gift picker, when open for a row.
    pub picker: Option<GiftPicker>,
}

/// The gift picker open for one trigger row: what is searched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GiftPicker {
    pub row: usize,
    pub query: crate::catalog::PickerQuery,
}

/// The picker's coin ranges: its label, cheapest, dearest.
pub const COIN_RANGES: [(&str, u32, Option<u32>); 6] = [
    ("Any", 0, None),
    ("1–9", 1, Some(9)),
    ("10–99", 10, Some(99)),
    ("100–999", 100, Some(999)),
    ("1k–9.9k", 1_000, Some(9_999)),
    ("10k+", 10_000, None),
];

impl TriggerEditor {
    pub fn revalidate(&mut self, mappings: &[Mapping], catalog: &Catalog) {
        self.problems = find_problems(mappings, catalog);
        self.test_counts.resize(mappings.len(), 1);
        if self.editing.is_some_and(|row| row >= mappings.len()) {
            self.editing = None;
        }
        if self
            .picker
            .as_ref()
            .is_some_and(|p| p.row >= mappings.len())
        {
            self.picker = None;
        }
    }

    pub fn problem_count(&self) -> usize {
        self.problems.iter().map(Vec::len).sum()
    }
}

/// A new row: a trigger with one empty command for the streamer to fill in.
pub fn blank_mapping() -> Mapping {
    Mapping::new(
        "",
        vec![Action::Command {
            command: String::new(),
            repeat: 1,
        }],
    )
}

/// "say hi · ♪ boom.wav" — what a row's actions do, on one line.
pub fn actions_summary(actions: &[Action]) -> String {
    if actions.is_empty() {
        return "(nothing)".into();
    }
    actions
        .iter()
        .map(Action::summary)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The gift the Test button sends for a row whose trigger is `trigger` (a gift name or id):
/// named, priced and numbered from the catalog where it knows the gift, from a test viewer.
pub fn test_gift(trigger: &str, catalog: &Catalog, count: u32) -> GiftMessage {
    let (gift_name, gift_id, diamonds) = match trigger.parse::<i64>() {
        Ok(id) => match catalog.by_id(id) {
            Some(g) => (g.name.clone(), id, g.diamonds),
            None => (String::new(), id, 0),
        },
        Err(_) => match catalog.by_name(trigger) {
            Some(g) => (trigger.to_owned(), g.id.unwrap_or(0), g.diamonds),
            None => (trigger.to_owned(), 0, 0),
        },
    };
    let now_millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    GiftMessage {
        msg_id: 0,
        user: User {
            user_id: -1,
            unique_id: "giftdeck_test".into(),
            nickname: "Tester".into(),
            ..User::default()
        },
        gift_id,
        gift_name,
        diamonds,
        streakable: count > 1,
        repeat_count: count,
        repeat_end: true,
        group_id: 0,
        create_time_millis: now_millis,
        image_url: None,
    }
}

/// Who the made-up events of a Test (or an external call) come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestViewer {
    /// The first viewer's @handle; the next ones get 2, 3… after it.
    pub handle: String,
    pub nickname: String,
    /// The first viewer's id; the next ones count down from it (made-up ids are negative).
    pub first_id: i64,
}

/// The user id of the viewer an external call names: the feed shows such rows as "external".
pub const EXTERNAL_USER_ID: i64 = -4_242_000;

impl TestViewer {
    /// The Test button's viewer.
    pub fn test() -> Self {
        Self {
            handle: "giftdeck_test".into(),
            nickname: "Tester".into(),
            first_id: -1,
        }
    }

    /// The viewer an external call names (`external` when it names none).
    pub fn external(viewer: &str) -> Self {
        let name = if viewer.trim().is_empty() {
            "external"
        } else {
            viewer.trim()
        };
        Self {
            handle: name.to_owned(),
            nickname: name.to_owned(),
            first_id: EXTERNAL_USER_ID,
        }
    }

    fn user(&self, i: u32) -> User {
        User {
            user_id: self.first_id - i64::from(i),
            unique_id: if i == 0 {
                self.handle.clone()
            } else {
                format!("{}{}", self.handle, i + 1)
            },
            nickname: self.nickname.clone(),
            ..User::default()
        }
    }
}

/// What the Test button sends for a row, as decoded events for the real pipeline: `count` gifts, or
/// `count` viewers following (sharing, subscribing, joining), `count` blocks of likes, or `count`
/// chat messages that use the command (`!jump test`) or contain the keyword.
pub fn test_events(mapping: &Mapping, catalog: &Catalog, count: u32) -> Vec<LiveEvent> {
    events_from(mapping, catalog, count, &TestViewer::test())
}

/// [`test_events`] from `from` (an external call's viewer).
pub fn events_from(
    mapping: &Mapping,
    catalog: &Catalog,
    count: u32,
    from: &TestViewer,
) -> Vec<LiveEvent> {
    let count = count.max(1);
    let now_millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    // Distinct made-up ids, so dedupe and follow-once see distinct messages and viewers.
    let viewer = |i: u32| from.user(i);
    let from_viewer = |mut gift: GiftMessage| {
        gift.user = viewer(0);
        LiveEvent::Gift(gift)
    };
    let msg_id = |i: u32| -1_000 - i64::from(i);
    let each = |make: &dyn Fn(u32) -> LiveEvent| (0..count).map(make).collect();
    match &mapping.on {
        Condition::Gift => vec![from_viewer(test_gift(
            mapping.trigger.trim(),
            catalog,
            count,
        ))],
        Condition::AnyGift => vec![from_viewer(test_gift("Rose", catalog, count))],
        Condition::GiftsWorth { min_diamonds } => {
            let mut gift = test_gift("", catalog, count);
            gift.gift_name = "Test gift".into();
            let per_gift = min_diamonds.div_ceil(u64::from(count));
            gift.diamonds = u32::try_from(per_gift).unwrap_or(u32::MAX);
            vec![from_viewer(gift)]
        }
        Condition::Follow | Condition::Share => each(&|i| LiveEvent::Social {
            msg_id: msg_id(i),
            user: viewer(i),
            kind: if mapping.on == Condition::Follow {
                SocialKind::Follow
            } else {
                SocialKind::Share
            },
            create_time_millis: now_millis,
        }),
        Condition::Subscribe | Condition::Join => each(&|i| LiveEvent::Member {
            msg_id: msg_id(i),
            user: viewer(i),
            action: if mapping.on == Condition::Join {
                MEMBER_JOINED
            } else {
                MEMBER_SUBSCRIBED
            },
            create_time_millis: now_millis,
        }),
        Condition::Likes { every } => {
            let likes = every.saturating_mul(u64::from(count));
            vec![LiveEvent::Like {
                msg_id: msg_id(0),
                user: viewer(0),
                count: u32::try_from(likes).unwrap_or(u32::MAX),
                total: i64::try_from(likes).unwrap_or(i64::MAX),
                create_time_millis: now_millis,
            }]
        }
        Condition::ChatCommand { command } => each(&|i| LiveEvent::Chat {
            msg_id: msg_id(i),
            user: viewer(i),
            text: format!("{} test", command.trim()),
            create_time_millis: now_millis,
        }),
        Condition::ChatKeyword { keyword } => each(&|i| LiveEvent::Chat {
            msg_id: msg_id(i),
            user: viewer(i),
            text: format!("test {}", keyword.trim()),
            create_time_millis: now_millis,
        }),
        // A kind from a newer giftdeck: nothing this version could send.
        other => match test_room_kind(other) {
            Some(kind) => each(&|i| {
                let viewerless = matches!(kind, RoomKind::Viewers(_) | RoomKind::Battle(_));
                LiveEvent::Room(Box::new(RoomEvent {
                    msg_id: msg_id(i),
                    create_time_millis: now_millis,
                    user: if viewerless {
                        User::default()
                    } else {
                        viewer(i)
                    },
                    kind: kind.clone(),
                }))
            }),
            None => Vec::new(),
        },
    }
}

/// What the Test button sends for a 2026 kind (`None` for a kind from a newer giftdeck).
fn test_room_kind(condition: &Condition) -> Option<RoomKind> {
    Some(match condition {
        Condition::Viewers { at_least } => RoomKind::Viewers(ViewerCount {
            viewers: *at_least,
            ..ViewerCount::default()
        }),
        Condition::SuperFan {
            moment: SuperFanMoment::Box,
        } => RoomKind::Chest(Chest {
            envelope_id: "giftdeck-test".into(),
            diamonds: 100,
            openers: 10,
            super_fan_box: true,
        }),
        Condition::SuperFan { moment } => RoomKind::SuperFan { moment: *moment },
        Condition::TreasureChest => RoomKind::Chest(Chest {
            envelope_id: "giftdeck-test".into(),
            diamonds: 100,
            openers: 10,
            super_fan_box: false,
        }),
        Condition::Battle { phase } => RoomKind::Battle(Battle {
            battle_id: -1,
            phase: *phase,
            ..Battle::default()
        }),
        Condition::Emote => RoomKind::Emote {
            emote_ids: vec!["giftdeck-test".into()],
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(c: &str) -> Action {
        Action::command(c)
    }

    #[test]
    fn problems_flag_duplicates_unknown_names_and_empty_actions() {
        let catalog = Catalog::built_in();
        let mut disabled = Mapping::new("Rose", vec![cmd("x")]);
        disabled.enabled = false;
        let rows = vec![
            Mapping::new("Rose", vec![cmd("say rose")]),
            Mapping::new(" rose ", vec![cmd("say again")]),
            Mapping::new("Rosee", vec![cmd("say typo")]),
            Mapping::new("123456", vec![cmd("   ")]),
            Mapping::new("", vec![]),
            disabled,
        ];
        let p = find_problems(&rows, &catalog);
        assert!(p[0].is_empty());
        assert_eq!(p[1], [Problem::Duplicate { first_row: 1 }]);
        assert_eq!(p[2], [Problem::UnknownGift]);
        assert_eq!(p[3], [Problem::EmptyAction { action: 1 }]);
        assert_eq!(p[4], [Problem::EmptyTrigger, Problem::NoActions]);
        assert!(p[5].is_empty(), "a disabled copy shadows nothing");
    }

    #[test]
    fn a_wrong_key_name_is_a_problem_of_its_row() {
        let keys: crate::actions::keys::KeysAction =
            serde_json::from_str(r#"{"steps":[{"press":"w"},{"hold":"ctlr+k","millis":99999}]}"#)
                .unwrap();
        let rows = vec![Mapping::new(
            "Rose",
            vec![cmd("say hi"), Action::Keys(keys)],
        )];
        let p = find_problems(&rows, &Catalog::built_in());
        assert_eq!(p[0].len(), 1, "{:?}", p[0]);
        let text = p[0][0].text();
        assert!(text.starts_with("action 2: step 2: "), "{text}");
        assert!(text.contains("\"ctlr\""), "{text}");
    }

    #[test]
    fn summary_lists_every_action() {
        assert_eq!(actions_summary(&[]), "(nothing)");
        assert_eq!(
            actions_summary(&[cmd("say a"), Action::Random]),
            "/say a · random mapping"
        );
    }
}
