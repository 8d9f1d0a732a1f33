//! Property tests of Bedrock escaping: for every placeholder in a corpus of Bedrock command
//! templates and any viewer text, the rendered command reads back with the template's structure
//! and selectors, a `{"rawtext":[…]}` argument is the same JSON (checked with serde_json, not our
//! reader) with the viewer text as its value, and the viewer never adds an `@`.

use proptest::prelude::*;
use serde_json::Value;

use super::escape::{MAX_BEDROCK_COMMAND_BYTES, render};
use super::reader::{self, Rule};
use crate::actions::placeholders::{RenderError, Values};

/// Bedrock commands streamers use (TikTok-to-Bedrock tools' defaults), with the viewer where a
/// streamer would put them, and a command giftdeck does not know.
const CORPUS: &[&str] = &[
    "say {nickname} sent {count} {gift}!",
    "say thanks @{user}",
    "me gift from {nickname}",
    "tell @a {nickname}: {message}",
    "msg @p[r=5] {nickname}",
    "w {user} thanks!",
    "title @a title {nickname}",
    "title @a actionbar {nickname} sent {gift}",
    r#"tellraw @a {"rawtext":[{"text":"§6{nickname} §fsent {count}x {gift}"}]}"#,
    r#"tellraw @a {"rawtext":[{"text":"{nickname}"},{"text":" says "},{"text":"{args}"}]}"#,
    r#"tellraw @a {"rawtext":[{"translate":"chat.type.text","with":["{nickname}","{message}"]}]}"#,
    r#"tellraw @a {"rawtext":[{"selector":"@p"},{"text":" thanks {nickname}"}]}"#,
    r#"titleraw @a title {"rawtext":[{"text":"{nickname}"}]}"#,
    r#"titleraw @a subtitle {"rawtext":[{"text":{nickname}}]}"#,
    r#"tellraw @a {"rawtext":[{"score":{"name":"{user}","objective":"gifts"}}]}"#,
    r#"summon zombie "{nickname}" ~ ~ ~"#,
    r#"summon tnt ~ ~5 ~ 0 0 minecraft:become_charged "{gift}""#,
    "summon creeper ~ ~ ~",
    "execute as @a at @s run summon tnt ~ ~5 ~",
    "execute as @a run say {nickname}",
    "execute as {user} at @s run summon lightning_bolt",
    "execute @a ~ ~ ~ say {nickname}",
    "give @p diamond {count}",
    "give {user} {gift} 1",
    "effect @a speed 10 {count}",
    "scoreboard players add {user} gifts {count}",
    "kill @e[type=zombie,name={nickname}]",
    "tp {user} ~ ~10 ~",
    "playsound random.levelup @a",
    r#"tag @a add "{gift}""#,
    r#"someplugin "{nickname}" {gift} [x={user}]"#,
];

const TEXT: [&str; 5] = ["nickname", "user", "gift", "message", "args"];

fn values_with(name: &str, text: &str) -> Values {
    let mut values = Values {
        user: "Steve".into(),
        nickname: "Steve".into(),
        gift: "Steve".into(),
        message: "Steve".into(),
        args: "Steve".into(),
        count: 3,
        ..Values::default()
    };
    let slot = match name {
        "nickname" => &mut values.nickname,
        "user" => &mut values.user,
        "message" => &mut values.message,
        "args" => &mut values.args,
        _ => &mut values.gift,
    };
    *slot = text.to_owned();
    values
}

/// The rawtext JSON of a `tellraw`/`titleraw` command, parsed independently of our reader.
fn rawtext(command: &str) -> Option<Value> {
    let head = command.split(' ').next()?;
    if head != "tellraw" && head != "titleraw" {
        return None;
    }
    serde_json::from_str(&command[command.find('{')?..]).ok()
}

/// The JSON's shape: keys and nesting, strings as `_`.
fn json_shape(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}:{}", json_shape(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(json_shape).collect();
            format!("[{}]", parts.join(","))
        }
        Value::String(_) => "_".to_owned(),
        other => other.to_string(),
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

fn check(template: &str, name: &str, text: &str) -> Result<(), TestCaseError> {
    let values = values_with(name, text);
    let steady = values_with(name, "Steve");
    let baseline =
        render(template, &steady).map_err(|e| TestCaseError::fail(format!("{template}: {e}")))?;
    let rendered = match render(template, &values) {
        Ok(rendered) => rendered,
        Err(RenderError::NotAPlayerName { .. }) => {
            // Only where a target gets something that is not a player name.
            let marked = template.replace(&format!("{{{name}}}"), "\u{100000}");
            let targeted = reader::read(&marked)
                .leaves
                .iter()
                .any(|l| l.rule == Rule::Entity && l.text.contains('\u{100000}'));
            prop_assert!(targeted, "{template}: refused {text:?} without cause");
            return Ok(());
        }
        Err(RenderError::TooLongForBedrock { bytes, .. }) => {
            prop_assert!(bytes > MAX_BEDROCK_COMMAND_BYTES);
            return Ok(());
        }
        Err(err) => return Err(TestCaseError::fail(format!("{template}: {err}"))),
    };
    prop_assert!(
        !rendered.chars().any(crate::text::is_hidden),
        "{rendered:?}"
    );
    let (want, got) = (reader::read(&baseline), reader::read(&rendered));
    prop_assert_eq!(&got.skeleton, &want.skeleton, "{} → {}", template, rendered);
    prop_assert_eq!(
        &got.selectors,
        &want.selectors,
        "{} → {}",
        template,
        rendered
    );
    // The viewer never brings an `@` (nor a backslash or quote outside a JSON string).
    prop_assert_eq!(
        rendered.matches('@').count(),
        baseline.matches('@').count(),
        "{}",
        rendered
    );
    if let Some(base_json) = rawtext(&baseline) {
        let json = rawtext(&rendered);
        prop_assert!(json.is_some(), "not JSON any more: {rendered}");
        let json = json.unwrap_or_default();
        prop_assert_eq!(json_shape(&json), json_shape(&base_json), "{}", rendered);
        if template.contains(&format!("\"text\":\"{{{name}}}\"")) {
            // The viewer's text is that string's value, as the game decodes it.
            let clean: String = crate::text::for_command(text)
                .chars()
                .filter(|&c| !super::reader::is_marker(c))
                .map(|c| if c == '@' { '＠' } else { c })
                .collect();
            prop_assert!(
                strings(&json).contains(&clean),
                "{:?} in {}",
                clean,
                rendered
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
        "\0",
        "\u{202E}",
        "§a",
        "@a",
        "@e[",
        "@initiator",
        "@s",
        "]",
        "[",
        "{",
        "}",
        "\"}]}",
        "{\"rawtext\":[]}",
        "🔥",
        " ",
        "x",
        "é",
        ":",
        "=",
        ",",
        "~",
        "run",
        "say",
        "Steve",
        "a",
        "_",
        "\u{100001}",
        "％s",
        "%s",
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
            for name in TEXT {
                if template.contains(&format!("{{{name}}}")) {
                    check(template, name, &text)?;
                }
            }
        }
    }
}

#[test]
fn the_corpus_renders_with_plain_names() {
    let failed: Vec<String> = CORPUS
        .iter()
        .filter_map(|t| {
            let out = render(t, &values_with("nickname", "Steve"));
            out.is_err()
                .then(|| format!("{t}: {out:?} {:?}", reader::read(t)))
        })
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}
