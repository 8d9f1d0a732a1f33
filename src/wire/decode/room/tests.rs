//! Decoding each 2026 kind from encoded frames: the fields read, the classification rules, lossy
//! text, caps, and the messages that show nothing.

use super::*;
use crate::event::{BattlePhase, PollPhase, RoomEvent, RoomKind, SuperFanMoment};
use crate::testkit::frames::{BatchSpec, MessageSpec, encode_batch};
use crate::testkit::room_frames::{RoomSpec, Who};
use crate::wire::decode_batch;

fn decode_one(spec: RoomSpec) -> RoomEvent {
    let bytes = encode_batch(&BatchSpec {
        messages: vec![MessageSpec::Room {
            msg_id: 77,
            create_time_millis: 1_700_000_000_000,
            spec,
        }],
        ..BatchSpec::default()
    });
    let batch = decode_batch(&bytes).unwrap();
    assert_eq!(batch.malformed, 0);
    match batch.events.as_slice() {
        [LiveEvent::Room(room)] => (**room).clone(),
        other => panic!("expected one room event, got {other:?}"),
    }
}

fn amy() -> Who {
    Who {
        nickname: "Amy ✨".into(),
        fan_club_level: 3,
        ..Who::new(7, "amy")
    }
}

#[test]
fn a_sub_notify_is_a_subscription_with_its_months_and_viewer() {
    let room = decode_one(RoomSpec::SubNotify {
        who: amy(),
        months: 4,
    });
    assert_eq!(room.kind, RoomKind::Subscription { months: 4 });
    assert_eq!(
        (room.msg_id, room.create_time_millis),
        (77, 1_700_000_000_000)
    );
    assert_eq!(
        (
            room.user.user_id,
            room.user.unique_id.as_str(),
            room.user.nickname.as_str()
        ),
        (7, "amy", "Amy ✨")
    );
    assert_eq!(room.user.identity.fan_club_level, 3, "User field 24");
}

#[test]
fn the_viewer_count_is_total_with_the_top_viewers() {
    let room = decode_one(RoomSpec::Viewers {
        viewers: 1_234,
        total: 9_000,
        top: vec![(amy(), 500), (Who::new(8, "bob"), 20)],
    });
    let RoomKind::Viewers(count) = room.kind else {
        panic!("{room:?}")
    };
    assert_eq!((count.viewers, count.total_viewers), (1_234, 9_000));
    let top: Vec<(&str, u64, u32)> = count
        .top
        .iter()
        .map(|t| (t.user.unique_id.as_str(), t.coins, t.rank))
        .collect();
    assert_eq!(top, [("amy", 500, 1), ("bob", 20, 2)]);
}

#[test]
fn super_fan_notices_are_classified_by_their_display_keys() {
    let joined = decode_one(RoomSpec::SuperFan {
        who: amy(),
        joined: true,
    });
    assert_eq!(
        joined.kind,
        RoomKind::SuperFan {
            moment: SuperFanMoment::Join
        }
    );
    assert_eq!(joined.user.unique_id, "amy", "field 50");
    let new = decode_one(RoomSpec::SuperFan {
        who: amy(),
        joined: false,
    });
    assert_eq!(
        new.kind,
        RoomKind::SuperFan {
            moment: SuperFanMoment::New
        }
    );
    // The reference clients' substring rules, case-insensitive, joined checked first.
    let keys = |k: &[&str]| super_fan_moment(k.iter().map(|s| s.as_bytes()));
    assert_eq!(
        keys(&["pm_x", "TTLIVE_SUPERFAN_commentnotif_superfanjoined_v2"]),
        Some(SuperFanMoment::Join)
    );
    assert_eq!(
        keys(&["ttlive_superfan_anything"]),
        Some(SuperFanMoment::New)
    );
    assert_eq!(keys(&["pm_mt_guidance_share", ""]), None);
}

#[test]
fn a_barrage_without_a_super_fan_key_shows_nothing() {
    let payload = pb::WebcastBarrageMessage {
        content: Some(pb::DisplayText {
            key: b"ttlive_gift_gallery".to_vec(),
            default_pattern: vec![],
        }),
        ..Default::default()
    }
    .encode_to_vec();
    assert_eq!(decode_room(b"WebcastBarrageMessage", &payload, 5), Ok(None));
}

#[test]
fn chests_carry_diamonds_openers_and_the_sender_and_boxes_are_told_apart() {
    let chest = decode_one(RoomSpec::Chest {
        who: amy(),
        envelope_id: "env-1".into(),
        diamonds: 500,
        openers: 20,
        super_fan_box: false,
    });
    assert_eq!(
        chest.kind,
        RoomKind::Chest(Chest {
            envelope_id: "env-1".into(),
            diamonds: 500,
            openers: 20,
            super_fan_box: false,
        })
    );
    assert_eq!(
        (chest.user.user_id, chest.user.nickname.as_str()),
        (7, "Amy ✨")
    );
    assert_eq!(chest.super_fan(), None);
    let boxed = decode_one(RoomSpec::Chest {
        who: amy(),
        envelope_id: "env-2".into(),
        diamonds: 100,
        openers: 5,
        super_fan_box: true,
    });
    assert_eq!(
        boxed.super_fan(),
        Some(SuperFanMoment::Box),
        "business_type 19"
    );
    // The display key alone also makes a box.
    let payload = pb::WebcastEnvelopeMessage {
        common: Some(pb::CommonText {
            display_text: Some(pb::DisplayText {
                key: b"pm_mt_ttlive_superfanbox_join".to_vec(),
                default_pattern: vec![],
            }),
            ..Default::default()
        }),
        envelope_info: Some(pb::RedEnvelopeInfo::default()),
        display: 0,
    }
    .encode_to_vec();
    let Ok(Some(LiveEvent::Room(room))) = decode_room(b"WebcastEnvelopeMessage", &payload, 9)
    else {
        panic!()
    };
    assert_eq!(room.super_fan(), Some(SuperFanMoment::Box));
}

#[test]
fn battles_start_end_and_name_the_winner_from_the_results() {
    let sides = |a, ra, b, rb| {
        vec![
            (11, "Me".to_owned(), a, ra),
            (22, "Rival".to_owned(), b, rb),
        ]
    };
    let start = decode_one(RoomSpec::Battle {
        battle_id: 5,
        action: 4,
        sides: sides(0, 0, 0, 0),
    });
    let RoomKind::Battle(battle) = start.kind else {
        panic!()
    };
    assert_eq!(
        (battle.battle_id, battle.phase, battle.winner),
        (5, BattlePhase::Start, None)
    );
    assert_eq!(
        battle
            .sides
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["Me", "Rival"]
    );
    let end = decode_one(RoomSpec::Battle {
        battle_id: 5,
        action: 5,
        sides: sides(3, 1, 9, 0),
    });
    let RoomKind::Battle(battle) = end.kind else {
        panic!()
    };
    assert_eq!((battle.phase, battle.winner), (BattlePhase::End, Some(22)));
    assert_eq!(
        battle.sides.iter().map(|s| s.score).collect::<Vec<_>>(),
        [3, 9]
    );
    let draw = decode_one(RoomSpec::Battle {
        battle_id: 5,
        action: 5,
        sides: sides(4, 2, 4, 2),
    });
    let RoomKind::Battle(battle) = draw.kind else {
        panic!()
    };
    assert_eq!(battle.winner, None, "a draw");
    // An invitation is no battle yet.
    let invite = pb::WebcastLinkMicBattle {
        action: 1,
        ..Default::default()
    }
    .encode_to_vec();
    assert_eq!(decode_room(b"WebcastLinkMicBattle", &invite, 1), Ok(None));
    let scores = decode_one(RoomSpec::Armies {
        battle_id: 5,
        end: false,
        scores: vec![(22, 4), (11, 6)],
    });
    let RoomKind::Battle(battle) = scores.kind else {
        panic!()
    };
    assert_eq!(battle.phase, BattlePhase::Scores);
    assert_eq!(
        battle
            .sides
            .iter()
            .map(|s| (s.anchor_id, s.score))
            .collect::<Vec<_>>(),
        [(11, 6), (22, 4)]
    );
    let last = decode_one(RoomSpec::Armies {
        battle_id: 5,
        end: true,
        scores: vec![(22, 4), (11, 6)],
    });
    let RoomKind::Battle(battle) = last.kind else {
        panic!()
    };
    assert_eq!((battle.phase, battle.winner), (BattlePhase::End, Some(11)));
}

#[test]
fn emotes_polls_goals_questions_deletions_and_pins_decode() {
    let emote = decode_one(RoomSpec::EmoteChat {
        who: amy(),
        emote_ids: vec!["e1".into()],
    });
    assert_eq!(
        emote.kind,
        RoomKind::Emote {
            emote_ids: vec!["e1".into()]
        }
    );
    assert_eq!(emote.user.unique_id, "amy");
    let poll = decode_one(RoomSpec::Poll {
        poll_id: 3,
        phase: 0,
        title: "Next game?".into(),
        options: vec![("Minecraft".into(), 0), ("Roblox".into(), 0)],
    });
    let RoomKind::Poll(p) = poll.kind else {
        panic!()
    };
    assert_eq!(
        (p.phase, p.title.as_str(), p.options.len()),
        (PollPhase::Start, "Next game?", 2)
    );
    let end = decode_one(RoomSpec::Poll {
        poll_id: 3,
        phase: 2,
        title: String::new(),
        options: vec![("Minecraft".into(), 12), ("Roblox".into(), 3)],
    });
    let RoomKind::Poll(p) = end.kind else {
        panic!()
    };
    assert_eq!((p.phase, p.options[0].votes), (PollPhase::End, 12));
    let goal = decode_one(RoomSpec::Goal {
        goal_id: 4,
        description: "New camera".into(),
        progress: 40,
        target: 100,
        contributor: Who::new(8, "@bob"),
    });
    assert_eq!(
        goal.kind,
        RoomKind::Goal(GoalProgress {
            goal_id: 4,
            description: "New camera".into(),
            progress: 40,
            target: 100
        })
    );
    assert_eq!(
        (goal.user.user_id, goal.user.unique_id.as_str()),
        (8, "bob")
    );
    let question = decode_one(RoomSpec::Question {
        who: amy(),
        question_id: 6,
        text: "When is the next stream?".into(),
    });
    assert_eq!(
        question.kind,
        RoomKind::Question {
            question_id: 6,
            text: "When is the next stream?".into()
        }
    );
    let deleted = decode_one(RoomSpec::Delete {
        msg_ids: vec![1, 2],
        user_ids: vec![9],
    });
    assert_eq!(
        deleted.kind,
        RoomKind::Deleted {
            msg_ids: vec![1, 2],
            user_ids: vec![9]
        }
    );
    let pin = decode_one(RoomSpec::Pin {
        who: amy(),
        pinned_msg_id: 55,
        text: "hello".into(),
    });
    assert_eq!(
        pin.kind,
        RoomKind::Pinned {
            pinned_msg_id: 55,
            text: "hello".into(),
            unpinned: false
        }
    );
}

#[test]
fn bad_bytes_cost_the_text_not_the_event_and_lists_are_capped() {
    let payload = pb::WebcastQuestionNewMessage {
        common: None,
        data: Some(pb::Question {
            question_id: 1,
            content: b"why \xff?".to_vec(),
            user: None,
        }),
    }
    .encode_to_vec();
    let Ok(Some(LiveEvent::Room(room))) = decode_room(b"WebcastQuestionNewMessage", &payload, 3)
    else {
        panic!()
    };
    assert_eq!(
        room.kind,
        RoomKind::Question {
            question_id: 1,
            text: "why \u{fffd}?".into()
        }
    );
    let many = pb::WebcastImDeleteMessage {
        common: None,
        delete_msg_ids: (0..10_000).collect(),
        delete_user_ids: vec![],
    }
    .encode_to_vec();
    let Ok(Some(LiveEvent::Room(room))) = decode_room(b"WebcastImDeleteMessage", &many, 3) else {
        panic!()
    };
    let RoomKind::Deleted { msg_ids, .. } = room.kind else {
        panic!()
    };
    assert_eq!(msg_ids.len(), MAX_ITEMS);
    assert!(
        decode_room(b"WebcastSubNotifyMessage", &[0xff, 0xff], 1).is_err(),
        "a bad payload is malformed"
    );
}
