//! Property tests of placeholder escaping: for every placeholder position in a corpus of real
//! command templates and any viewer text, the rendered command reads back (with
//! [`super::grammar`]) with the template's structure, the value in its own argument, and no
//! selector the template did not have.

use proptest::prelude::*;

use super::grammar::{self, Leaf, Parsed, Rule};
use super::placeholders::{self, RenderError, Spot, Values};

/// Tiktok2Mc's default `actions.mca` commands (with and without a viewer in them), our own default
/// mappings, and templates that put a placeholder in every argument kind we know.
const CORPUS: &[&str] = &[
    // Tiktok2Mc defaults/actions.mca, as they are…
    "give @a minecraft:golden_apple 7",
    "execute at @a run summon minecraft:creeper ~ ~ ~",
    "clear @a *",
    "kill @a",
    "tnt 2 0.1 2 Notch",
    "give @a minecraft:diamond",
    "execute at @a run summon minecraft:evoker ~ ~ ~",
    "tnt 600 0.1 2 Notch",
    "execute at @a run summon minecraft:wither ~ ~ ~",
    // …and with the viewer where a streamer would put them.
    "give {user} minecraft:golden_apple 7",
    "say {user} is now following you!",
    "execute at {user} run summon minecraft:creeper ~ ~ ~",
    "clear {user} *",
    "kill {user}",
    "tnt 2 0.1 2 {user}",
    // giftdeck's default mappings.
    "say {nickname} sent {count} Rose!",
    "execute at @a run summon minecraft:zombie ~ ~ ~",
    r#"title @a title {"text":"{nickname} sent a Lion!"}"#,
    "execute at @a run summon minecraft:tnt ~ ~5 ~",
    // Messages.
    "say {nickname}",
    r#"say "{nickname} sent {gift}""#,
    "me thanks {nickname} for the {gift}",
    "msg @p {nickname} sent a {gift}",
    "tell Steve {nickname}",
    "w @a[tag=mod] {nickname}: {gift}",
    "teammsg {nickname}",
    "tm gift from {user}",
    "kick Griefer {nickname} was here",
    "say hi @{nickname}",
    // Text components.
    r#"tellraw @a {"text":"{nickname} sent {count}× {gift}","color":"gold"}"#,
    r#"tellraw @a ["",{"text":"{nickname}","bold":true},{"text":" sent "},{"text":"{gift}"}]"#,
    r#"tellraw @a {"text":"click","clickEvent":{"action":"run_command","value":"/say {nickname}"}}"#,
    r#"tellraw @a {"text":"x","click_event":{"action":"suggest_command","command":"/msg {user} thanks {nickname}"},"hover_event":{"action":"show_text","value":"{nickname}"}}"#,
    r#"tellraw @a {"selector":"{user}"}"#,
    r#"tellraw @a {"score":{"name":"{user}","objective":"gifts"}}"#,
    r#"title @a subtitle {"text":"sent {gift}","color":"aqua"}"#,
    r#"title @a actionbar "{nickname}""#,
    r#"bossbar add gift {"text":"{nickname}"}"#,
    r#"bossbar set gift name "{nickname} sent {gift}""#,
    r#"scoreboard objectives add gifts dummy {"text":"{gift}"}"#,
    // Items, NBT, strings inside strings.
    "give {user} minecraft:diamond {count}",
    r#"give @p diamond_sword[custom_name='{"text":"{nickname}"}'] 1"#,
    "give @p stick[custom_name={nickname}]",
    r#"give @p written_book[written_book_content={title:"{gift}",author:"{nickname}",pages:['"{nickname}"']}]"#,
    "summon minecraft:zombie ~ ~ ~ {CustomName:'{nickname}'}",
    r#"summon zombie ~ ~ ~ {CustomName:'{"text":"{nickname}"}',CustomNameVisible:1b}"#,
    r#"summon zombie ~ ~ ~ {CustomName:{text:"{nickname}"},Tags:["gift","{gift}"]}"#,
    r#"summon command_block_minecart ~ ~ ~ {Command:"say {nickname}"}"#,
    r#"setblock ~ ~1 ~ command_block{Command:"tellraw @a {\"text\":\"{nickname}\"}"} replace"#,
    r#"setblock ~ ~ ~ oak_sign{front_text:{messages:['"{nickname}"','""','""','""']}}"#,
    r#"data merge entity @e[type=pig,limit=1] {CustomName:'"{nickname}"'}"#,
    r#"data modify storage giftdeck:last name set value "{nickname}""#,
    "data modify storage giftdeck:last gift set value {gift}",
    r#"item replace entity @p weapon.mainhand with diamond_sword[item_name='"{nickname}"']"#,
    // Entities, words, execute.
    "execute as @a at @s run summon tnt ~ ~5 ~",
    "execute as {user} at @s run say {nickname}",
    "execute if entity @a[name={user}] run say {nickname} is here",
    "execute store result score {user} gifts run say {gift}",
    "effect give @a minecraft:speed 10 {count}",
    "effect give {user} speed 10 1 true",
    "tp {user} ~ ~10 ~",
    "tp @r {user}",
    "kill @e[type=zombie,name={nickname}]",
    "playsound minecraft:entity.player.levelup master {user} ~ ~ ~ 1 1",
    "scoreboard players add {user} gifts {count}",
    "clear {user} minecraft:dirt {count}",
    "tag @a add gift_{gift}",
    // Chat triggers: the viewer's message and the words after the command.
    "say {nickname}: {message}",
    r#"tellraw @a {"text":"{nickname} asks: {args}"}"#,
    "execute as @a run title @s actionbar {\"text\":\"{args}\"}",
    // A plugin command we do not know.
    r#"someplugin "{nickname}" {gift} [x={user}]"#,
];

const TEXT_PLACEHOLDERS: [&str; 5] = ["nickname", "user", "gift", "message", "args"];

/// The template with numbers filled in and each text placeholder as the marker `render` uses,
/// so it reads as the shape the value lands in.
fn marked(template: &str) -> (String, Vec<&'static str>) {
    let mut out = String::new();
    let mut names = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(name) = TEXT_PLACEHOLDERS
            .iter()
            .find(|n| rest.starts_with(&format!("{{{n}}}")))
        {
            out.push(char::from_u32(0xF0000 + names.len() as u32).unwrap());
            names.push(*name);
            rest = &rest[name.len() + 2..];
        } else if let Some(after) = rest.strip_prefix("{count}") {
            out.push('3');
            rest = after;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    (out, names)
}

/// What a marked leaf must read as after rendering.
fn expected_leaf(leaf: &Leaf, names: &[&str], values: &Values) -> Option<String> {
    let mut out = String::new();
    for (at, c) in leaf.text.char_indices() {
        let Some(index) = grammar::is_marker(c).then(|| (u32::from(c) - 0xF0000) as usize) else {
            out.push(c);
            continue;
        };
        let value = match names[index] {
            "nickname" => &values.nickname,
            "user" => &values.user,
            "message" => &values.message,
            "args" => &values.args,
            _ => &values.gift,
        };
        let spot = Spot {
            rule: leaf.rule,
            quotes: Vec::new(),
            whole: leaf.text.len() == c.len_utf8(),
            after_at: leaf.text[..at].ends_with('@'),
            at_start: leaf.text[..at].trim().is_empty(),
        };
        let placed = placeholders::place_unquoted(value, &spot)?;
        // A bare value that is the whole leaf is written as a quoted string: it reads back as
        // the string's content.
        if spot.whole && matches!(leaf.rule, Rule::Bare | Rule::ComponentBare) {
            let (content, _) = grammar::read_string(&placed, 0, '"')?;
            out.push_str(&content);
        } else {
            out.push_str(&placed);
        }
    }
    Some(out)
}

fn check(template: &str, values: &Values) -> Result<(), TestCaseError> {
    // `render` trims the template (an editor's trailing newline).
    let template = template.trim();
    let (marked, names) = marked(template);
    let shape: Parsed = grammar::parse_command(&marked);
    let rendered = match placeholders::render(template, values) {
        Ok(rendered) => rendered,
        Err(RenderError::NotAPlayerName { placeholder, .. }) => {
            // Only where the value is an entity and is not a player name.
            let entity_leaf = shape
                .leaves
                .iter()
                .any(|l| l.rule == Rule::Entity && expected_leaf(l, &names, values).is_none());
            prop_assert!(
                entity_leaf,
                "{template}: refused {placeholder} without cause"
            );
            return Ok(());
        }
        Err(err) => return Err(TestCaseError::fail(format!("{template}: {err}"))),
    };
    prop_assert!(
        !rendered.chars().any(crate::text::is_hidden),
        "hidden character in {rendered:?}"
    );
    let back = grammar::parse_command(&rendered);
    prop_assert_eq!(
        &back.skeleton,
        &shape.skeleton,
        "{} → {}",
        template,
        rendered
    );
    prop_assert_eq!(
        &back.selectors,
        &shape.selectors,
        "{} → {}",
        template,
        rendered
    );
    prop_assert_eq!(back.leaves.len(), shape.leaves.len(), "{}", rendered);
    for (want, got) in shape.leaves.iter().zip(&back.leaves) {
        let expected = expected_leaf(want, &names, values).unwrap_or_default();
        prop_assert_eq!(&got.text, &expected, "{} → {}", template, rendered);
        // Checked on their own, not through `place`: what the value brought into a name is name
        // characters, into a word word characters.
        let own = |c: char| want.text.contains(c);
        match want.rule {
            Rule::Entity => prop_assert!(
                got.text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || own(c)),
                "{:?}",
                got.text
            ),
            Rule::Word => prop_assert!(
                got.text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.+-".contains(c) || own(c)),
                "{:?}",
                got.text
            ),
            _ => {}
        }
    }
    Ok(())
}

fn hostile() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "\"",
        "'",
        "\\",
        ";",
        "\n",
        "\r",
        "\0",
        "\u{202E}",
        "\u{200B}",
        "§a",
        "@a",
        "@e[",
        "@p",
        "]",
        "[",
        "{",
        "}",
        "\"}]",
        "{\"text\":\"x\"}",
        "🔥",
        " ",
        "  ",
        "x",
        "é",
        ":",
        "=",
        ",",
        "~",
        "#",
        "/",
        "\t",
        "\u{2028}",
        "run",
        "say",
        "Steve",
        "a",
        "_",
    ]);
    prop_oneof![
        prop::collection::vec(atoms, 0..16).prop_map(|v| v.concat()),
        "[A-Za-z0-9_]{1,16}",
        ".{0,24}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_position_keeps_the_structure(text in hostile()) {
        for template in CORPUS {
            for name in TEXT_PLACEHOLDERS {
                let mut values = Values {
                    user: "Steve".into(),
                    nickname: "Steve".into(),
                    gift: "Steve".into(),
                    message: "Steve".into(),
                    args: "Steve".into(),
                    count: 3,
                    ..Values::default()
                };
                match name {
                    "nickname" => values.nickname = text.clone(),
                    "user" => values.user = text.clone(),
                    "message" => values.message = text.clone(),
                    "args" => values.args = text.clone(),
                    _ => values.gift = text.clone(),
                }
                check(template, &values)?;
            }
        }
    }
}

/// Templates nobody would write, from pieces of real ones: escaping must hold for those too.
fn odd_template() -> impl Strategy<Value = String> {
    let heads = prop::sample::select(vec![
        "say ",
        "tellraw @a ",
        "give ",
        "summon zombie ~ ~ ~ ",
        "execute as @a run ",
        "data merge entity @s ",
        "title @a title ",
        "msg ",
        "kill ",
        "tag @a add ",
        "plugin ",
        "setblock ~ ~ ~ command_block",
    ]);
    let atoms = prop::sample::select(vec![
        "{nickname}",
        "{user}",
        "{gift}",
        "{count}",
        "{",
        "}",
        "[",
        "]",
        "\"",
        "'",
        "\\",
        ":",
        "=",
        ",",
        " ",
        "@a",
        "@",
        "x",
        "text",
        "\"text\":",
        "Command:",
        "CustomName:",
        "selector",
        "run ",
        "say ",
        "clickEvent",
        "value",
        ";",
        "~",
    ]);
    (heads, prop::collection::vec(atoms, 0..14)).prop_map(|(h, v)| format!("{h}{}", v.concat()))
}

#[test]
fn the_corpus_reads_as_known_commands() {
    // Every template except the plugin ones is read with its real shape, not as "unknown".
    for template in CORPUS {
        let (marked, _) = marked(template);
        let parsed = grammar::parse_command(&marked);
        let plugin = template.starts_with("tnt") || template.starts_with("someplugin");
        assert_eq!(
            parsed.skeleton.starts_with('?'),
            plugin,
            "{template}: {}",
            parsed.skeleton
        );
        assert!(
            !parsed.skeleton.contains('?') || plugin,
            "{template}: {}",
            parsed.skeleton
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn odd_templates_keep_their_structure_too(template in odd_template(), text in hostile()) {
        let values = Values {
            user: text.clone(),
            nickname: text.clone(),
            gift: text.clone(),
            message: text.clone(),
            args: text,
            count: 3,
            ..Values::default()
        };
        check(&template, &values)?;
    }
}
