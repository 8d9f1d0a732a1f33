//! Property tests of placeholder escaping: for every placeholder position in a corpus of real
//! command templates and any viewer text, the rendered command reads (with the independent
//! [`super::tree_oracle`], not the `grammar` that `render` uses) along the template's path
//! through the command tree, the value inside its own argument, and no selector the template
//! did not have.

use std::sync::LazyLock;

use proptest::prelude::*;

use super::grammar::{self, tree::TREE_TEXT};
use super::placeholders::{self, RenderError, Values};
use super::tree_oracle::Oracle;

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

/// The independent reader of the shipped command tree.
static ORACLE: LazyLock<Oracle> = LazyLock::new(|| Oracle::from_text(TREE_TEXT));

/// What stands for each text placeholder in the template as written: a valid name, word and text.
const NEUTRAL: &str = "Qx0";

/// The template as the streamer meant it: each text placeholder a neutral word, numbers digits.
fn neutral(template: &str) -> String {
    let mut out = template.to_owned();
    for name in TEXT_PLACEHOLDERS {
        out = out.replace(&format!("{{{name}}}"), NEUTRAL);
    }
    out.replace("{count}", "3")
}

/// Characters `rendered` has that `written` does not.
fn brought(written: &str, rendered: &str) -> Vec<char> {
    rendered.chars().filter(|&c| !written.contains(c)).collect()
}

/// Checks `render` against the oracle: the rendered command follows the same path through the
/// tree as the template, each argument without a placeholder unchanged and each with one of the
/// same structure (the viewer's text inside it), no selector the template did not have, and
/// names that stay names. Commands that are not vanilla get one strict word per placeholder.
fn check(template: &str, values: &Values) -> Result<(), TestCaseError> {
    // `render` trims the template (an editor's trailing newline).
    let template = template.trim();
    let base = neutral(template);
    let want = ORACLE.read(&base);
    let rendered = match placeholders::render(template, values) {
        Ok(rendered) => rendered,
        Err(RenderError::NotAPlayerName { placeholder, .. }) => {
            // Only where the game reads a name or selector at a placeholder (or where it refuses
            // the command as written anyway).
            let at_name = match &want {
                Some(w) => w.names.iter().any(|n| n.contains(NEUTRAL)),
                None => ORACLE.knows(&base),
            };
            prop_assert!(at_name, "{template}: refused {placeholder} without cause");
            return Ok(());
        }
        Err(err) => return Err(TestCaseError::fail(format!("{template}: {err}"))),
    };
    prop_assert!(
        !rendered.chars().any(crate::text::is_hidden),
        "hidden character in {rendered:?}"
    );
    let Some(want) = want else {
        if ORACLE.knows(&base) {
            // A vanilla command that does not follow the tree as written: the game refuses it,
            // and viewer text must not complete it into one it runs.
            prop_assert!(
                ORACLE.read(&rendered).is_none(),
                "{template}: viewer text made a command of it: {rendered}"
            );
            return Ok(());
        }
        // A plugin's command: every placeholder is one plain word.
        let written: Vec<&str> = base.split_whitespace().collect();
        let got: Vec<&str> = rendered.split_whitespace().collect();
        prop_assert_eq!(got.len(), written.len(), "{} → {}", template, rendered);
        for (w, g) in written.iter().zip(&got) {
            if w.contains(NEUTRAL) {
                let extra = brought(w, g);
                prop_assert!(
                    extra
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || "_.+-".contains(*c)),
                    "{template} → {rendered}: {extra:?}"
                );
            } else {
                prop_assert_eq!(w, g, "{} → {}", template, rendered);
            }
        }
        return Ok(());
    };
    let got = ORACLE.read(&rendered);
    prop_assert!(
        got.is_some(),
        "{template} no longer reads as vanilla: {rendered}"
    );
    let got = got.unwrap_or_default();
    prop_assert_eq!(&got.path, &want.path, "{} → {}", template, rendered);
    prop_assert_eq!(
        &got.selectors,
        &want.selectors,
        "{} → {}",
        template,
        rendered
    );
    prop_assert_eq!(got.args.len(), want.args.len(), "{}", rendered);
    for (w, g) in want.args.iter().zip(&got.args) {
        if w.text.contains(NEUTRAL) {
            prop_assert_eq!(&g.shape, &w.shape, "{} → {}", template, rendered);
        } else {
            prop_assert_eq!(&g.text, &w.text, "{} → {}", template, rendered);
        }
    }
    prop_assert_eq!(got.names.len(), want.names.len(), "{}", rendered);
    for (w, g) in want.names.iter().zip(&got.names) {
        if w.contains(NEUTRAL) {
            let extra = brought(w, g);
            // What a value brings into a name is word characters at most (a player name, or
            // the strictest rule where `grammar` did not see a name).
            prop_assert!(
                !g.is_empty()
                    && extra
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || "_.+-".contains(*c)),
                "{template} → {rendered}: name {g:?}"
            );
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A batch sent as one datapack call runs exactly the commands `render` makes (which the
    /// property above checks against the tree): the macro arguments never change a function's
    /// structure or the call's.
    #[test]
    fn a_datapack_call_runs_the_rendered_commands(text in hostile()) {
        use super::datapack::compile;
        use crate::mappings::{Action, Mapping};
        use crate::testkit::datapack::Pack;
        let mut compiled = 0;
        for template in CORPUS {
            let mapping = Mapping::new("t", vec![Action::Command { command: (*template).into(), repeat: 2 }]);
            let values = Values {
                user: text.clone(),
                nickname: text.clone(),
                gift: text.clone(),
                message: text.clone(),
                args: text.clone(),
                count: 3,
                ..Values::default()
            };
            let Ok(batch) = compile::batch(&mapping, &values, 2, 1) else { continue };
            compiled += 1;
            let Ok(functions) = compile::functions_of(&mapping) else { continue };
            prop_assert_eq!(&functions, &batch.functions);
            let pack = Pack::from_files(compile::NAMESPACE, &compile::files(&functions));
            let ran = pack.run(&batch.calls[0].line);
            prop_assert!(ran.is_ok(), "{}: {:?}", template, ran);
            let want = placeholders::render(template, &values).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let want = want.trim_start_matches('/').to_owned();
            prop_assert_eq!(ran.unwrap_or_default(), vec![want; 4], "{}", template);
        }
        // Messages and text components take any text: those always go as one call.
        prop_assert!(compiled >= 15, "only {} templates compiled", compiled);
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
    // Every template except the plugin ones follows the tree, for the oracle and for `grammar`.
    for template in CORPUS {
        let plugin = template.starts_with("tnt") || template.starts_with("someplugin");
        let base = neutral(template);
        assert_eq!(ORACLE.read(&base).is_none(), plugin, "{template}");
        let parsed = grammar::parse_command(&base);
        assert_eq!(
            parsed.skeleton.contains('?'),
            plugin,
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

/// A plain value an argument of this parser takes (the ways through the tree are filled with
/// these, then one argument at a time is a placeholder).
fn sample(parser: &str) -> &'static str {
    if parser == "/" {
        return "say hi";
    }
    match parser.split('/').next().unwrap_or(parser) {
        "entity" | "game_profile" | "score_holder" => "Steve",
        "message" | "string" => "hi",
        "component" => r#"{"text":"x"}"#,
        "style" => r#"{"color":"red"}"#,
        "nbt_compound_tag" => "{a:1}",
        "nbt_tag" => "1",
        "nbt_path" => "a.b",
        "block_pos" | "vec3" => "~ ~1 ~",
        "vec2" | "rotation" | "column_pos" => "~ ~",
        "integer" | "float" | "double" | "time" => "1",
        "bool" => "true",
        "int_range" | "float_range" => "1..2",
        "color" => "red",
        "hex_color" => "FF0000",
        "swizzle" => "xz",
        "entity_anchor" => "eyes",
        "gamemode" => "creative",
        "heightmap" => "world_surface",
        "operation" => "+=",
        "scoreboard_slot" => "sidebar",
        "objective_criteria" => "dummy",
        "item_slot" => "weapon.mainhand",
        "item_slots" => "container.*",
        "template_mirror" => "none",
        "template_rotation" => "none",
        "uuid" => "dd12be42-52a9-4a91-a8a1-11c01849e498",
        "objective" | "team" => "gifts",
        "dimension" => "minecraft:overworld",
        "particle" => "minecraft:flame",
        _ => "minecraft:stone",
    }
}

/// Every way through the command tree, each argument in turn holding hostile viewer text: the
/// oracle reads the result along the same way (every vanilla command, every argument kind).
#[test]
fn every_argument_of_every_vanilla_command_keeps_its_structure() {
    let hostile = [
        "Bob the Builder",
        "@e[type=!player]",
        r#"a"},{"text":"x"#,
        r"q'\\",
        "x run kill @e",
        r#"{"text":"x","clickEvent":{"action":"run_command","value":"/op me"}}"#,
        "~ ~ ~",
        "*",
        "",
    ];
    let ways = ORACLE.ways();
    assert!(ways.len() > 1000, "{}", ways.len());
    let (mut templates, mut unread) = (0, Vec::new());
    for way in &ways {
        let words: Vec<&str> = way
            .iter()
            .map(|step| match step {
                Ok(word) => word.as_str(),
                Err(parser) => sample(parser),
            })
            .collect();
        let base = words.join(" ");
        if ORACLE.read(&base).is_none() {
            unread.push(base.clone());
            continue;
        }
        for (i, step) in way.iter().enumerate() {
            if step.is_ok() || step.as_ref().is_err_and(|p| p == "/") {
                continue;
            }
            let mut parts = words.clone();
            parts[i] = "{nickname}";
            let template = parts.join(" ");
            templates += 1;
            for text in hostile {
                let values = Values {
                    nickname: text.into(),
                    ..Values::default()
                };
                if let Err(err) = check(&template, &values) {
                    panic!("{template} with {text:?}: {err}");
                }
            }
        }
    }
    // The samples read as vanilla for nearly every way (a few need values these samples are not).
    assert!(
        unread.len() * 50 < ways.len(),
        "{} unread: {:?}",
        unread.len(),
        &unread[..unread.len().min(20)]
    );
    assert!(templates > 2000, "{templates}");
}
