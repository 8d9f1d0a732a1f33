//! The expander's unit tests: runs, repeats, Random, the queue's room, and batches as calls.

use super::*;
use crate::event::CreditedGift;

fn gift(count: u32, nickname: &str) -> CreditedGift {
    CreditedGift {
        user_id: 2,
        unique_id: "viewer".into(),
        nickname: nickname.into(),
        count,
        trigger: Some("Rose".into()),
        ..crate::testkit::outputs::rose()
    }
}

fn commands(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| match &i.work {
            Work::Command(c) => c.to_string(),
            other => format!("{other:?}"),
        })
        .collect()
}

static LIMITS: std::sync::LazyLock<KeysLimits> = std::sync::LazyLock::new(KeysLimits::default);

fn filler(room: usize) -> Filler<'static> {
    Filler {
        room,
        items: Vec::new(),
        dropped: 0,
        capped: 0,
        now: Instant::now(),
        keys_limits: &LIMITS,
        devices: None,
        dialect: Dialect::Java,
        pack: None,
    }
}

#[test]
fn count_times_mapping_repeat_times_command_repeat() {
    let mut mapping = Mapping::new(
        "Rose",
        vec![
            Action::Command {
                command: "say a {count}".into(),
                repeat: 2,
            },
            Action::Command {
                command: "say b".into(),
                repeat: 1,
            },
        ],
    );
    mapping.repeat = 2;
    let decision = Decision {
        gift: gift(3, "x"),
        mapping: Some(mapping.clone()),
    };
    let mut f = filler(100);
    expand(
        &Source::of(&decision),
        &mapping,
        &MappingTable::default(),
        &mut f,
    );
    let run = ["say a 3", "say a 3", "say b"];
    let want: Vec<String> = std::iter::repeat_n(run, 6)
        .flatten()
        .map(String::from)
        .collect();
    assert_eq!(commands(&f.items), want);
    assert_eq!(f.dropped, 0);
}

#[test]
fn a_full_queue_drops_and_counts_without_building_everything() {
    let mapping = Mapping::new(
        "Rose",
        vec![Action::Command {
            command: "say x".into(),
            repeat: 1000,
        }],
    );
    let decision = Decision {
        gift: gift(u32::MAX, "x"),
        mapping: Some(mapping.clone()),
    };
    let mut f = filler(10);
    expand(
        &Source::of(&decision),
        &mapping,
        &MappingTable::default(),
        &mut f,
    );
    assert_eq!(f.items.len(), 10);
    assert_eq!(f.dropped, u64::from(u32::MAX) * 1000 - 10);
}

#[test]
fn random_picks_another_enabled_mapping() {
    let other = Mapping::new(
        "Lion",
        vec![Action::Command {
            command: "say lion {user}".into(),
            repeat: 1,
        }],
    );
    let rose = Mapping::new("Rose", vec![Action::Random]);
    let table = MappingTable::new(vec![rose.clone(), other]);
    let decision = Decision {
        gift: gift(2, "x"),
        mapping: Some(rose.clone()),
    };
    let mut f = filler(100);
    expand(&Source::of(&decision), &rose, &table, &mut f);
    assert_eq!(commands(&f.items), ["say lion viewer", "say lion viewer"]);

    let mut f = filler(100);
    expand(
        &Source::of(&decision),
        &rose,
        &MappingTable::new(vec![rose.clone()]),
        &mut f,
    );
    assert!(matches!(
        &f.items[0].work,
        Work::Invalid(ActionError::NothingToPick)
    ));
}

#[test]
fn keys_run_per_gift_and_speech_once_per_credit() {
    let keys: crate::actions::keys::KeysAction =
        serde_json::from_str(r#"{"steps":[{"type_text":"{nickname}\n!"}]}"#).unwrap();
    let mapping = Mapping::new(
        "Rose",
        vec![
            Action::Keys(keys),
            Action::Speak(SpeakAction {
                text: "{nickname} sent {count} {gift}".into(),
                ..SpeakAction::default()
            }),
        ],
    );
    let decision = Decision {
        gift: gift(3, "Bob"),
        mapping: Some(mapping.clone()),
    };
    let mut f = filler(100);
    expand(
        &Source::of(&decision),
        &mapping,
        &MappingTable::default(),
        &mut f,
    );
    let kinds: Vec<String> = f.items.iter().map(|i| format!("{:?}", i.work)).collect();
    assert_eq!(
        kinds,
        [
            "Keys(9 events, uncapped)",
            "Speak(\"Bob sent 3 Rose\")",
            "Keys(9 events, uncapped)",
            "Keys(9 events, uncapped)",
        ]
    );
    // The summary shows what is typed: viewer text as characters, the line break a space.
    assert_eq!(&*f.items[0].summary, "⌨ type “Bob !”");
    let mut full = filler(1);
    expand(
        &Source::of(&decision),
        &mapping,
        &MappingTable::default(),
        &mut full,
    );
    assert_eq!((full.items.len(), full.dropped), (1, 3));
}

#[test]
fn a_hostile_nickname_is_neutralized_when_queued() {
    let mapping = Mapping::new(
        "Rose",
        vec![Action::Command {
            command: "say {nickname}".into(),
            repeat: 1,
        }],
    );
    let decision = Decision {
        gift: gift(1, "@a[x] stone\n/op me"),
        mapping: Some(mapping.clone()),
    };
    let mut f = filler(10);
    expand(
        &Source::of(&decision),
        &mapping,
        &MappingTable::default(),
        &mut f,
    );
    assert_eq!(commands(&f.items), ["say ＠a[x] stone /op me"]);
}

#[test]
fn a_batch_with_a_function_in_the_pack_is_one_call_and_counts_what_does_not_fit() {
    let mapping = Mapping::new(
        "Rose",
        vec![Action::Command {
            command: "summon tnt ~ ~ ~".into(),
            repeat: 2,
        }],
    );
    let name = compile::functions_of(&mapping).unwrap().name;
    let pack = Arc::new(ReadyPack {
        server: ServerId::rcon("127.0.0.1", 25575),
        names: [name.clone()].into_iter().collect(),
    });
    let decision = Decision {
        gift: gift(500, "x"),
        mapping: Some(mapping.clone()),
    };
    let mut f = filler(10);
    f.pack = Some(pack.clone());
    expand(
        &Source::of(&decision),
        &mapping,
        &MappingTable::default(),
        &mut f,
    );
    assert_eq!(f.items.len(), 1);
    let Work::Function(call) = &f.items[0].work else {
        panic!("{:?}", f.items[0].work);
    };
    assert_eq!(&*call.line, format!("function giftdeck:{name} {{n:500}}"));
    assert_eq!((call.runs, call.run.len()), (500, 2));
    assert_eq!(
        &*f.items[0].summary,
        "500 × Rose as one call (1000 command(s): /summon tnt ~ ~ ~…)"
    );
    // No room: nothing built, every command counted.
    let mut full = filler(0);
    full.pack = Some(pack.clone());
    expand(
        &Source::of(&decision),
        &mapping,
        &MappingTable::default(),
        &mut full,
    );
    assert_eq!((full.items.len(), full.dropped), (0, 1000));
    // A trigger the pack does not have (changed since it was written), or a single command:
    // line by line.
    let other = Mapping::new(
        "Lion",
        vec![Action::Command {
            command: "say hi".into(),
            repeat: 1,
        }],
    );
    let mut f = filler(10);
    f.pack = Some(pack.clone());
    expand(
        &Source::of(&decision),
        &other,
        &MappingTable::default(),
        &mut f,
    );
    assert_eq!(f.items.len(), 10);
    let one = Decision {
        gift: gift(1, "x"),
        mapping: Some(mapping.clone()),
    };
    let single = Mapping::new(
        "Rose",
        vec![Action::Command {
            command: "summon tnt ~ ~ ~".into(),
            repeat: 1,
        }],
    );
    let mut f = filler(10);
    let mut names = pack.names.clone();
    names.insert(compile::functions_of(&single).unwrap().name);
    f.pack = Some(Arc::new(ReadyPack {
        names,
        ..ReadyPack::clone(&pack)
    }));
    expand(&Source::of(&one), &single, &MappingTable::default(), &mut f);
    assert!(matches!(f.items[0].work, Work::Command(_)));
}
