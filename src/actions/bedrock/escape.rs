//! Placeholders in commands for a Bedrock world, escaped for the argument each lands in by
//! Bedrock's rules (as [`super::reader`] reads the template), so viewer text never changes a
//! command's structure or reaches a selector:
//! - a **message** (`say`, `me`, `tell`, `title`): spaces kept, every `@` becomes `＠`, because
//!   Bedrock expands selectors anywhere in a message;
//! - a string in a **`{"rawtext":[…]}`** text (`tellraw`, `titleraw`, under `"text"`/`"with"`):
//!   JSON-escaped (`\` and `"`); a value that is a whole bare JSON value becomes a JSON string;
//!   an `@` becomes `＠` there too (and in quoted strings), so no viewer text ever holds one;
//! - a **target** (a player name, a score holder, a `"selector"`, any value inside `@e[…]`): a
//!   plain player name (`[A-Za-z0-9_]{1,16}`) or the command is refused;
//! - a **quoted string** (a name tag): no `"` or `\` (they become `＂`, `＼`);
//! - everything else, and every argument of a command not known: one ASCII word.
//!
//! Every value first loses control and format characters and `§`. The result must read back with
//! the template's skeleton and selectors, and fit what the game takes over `/connect`.

use std::fmt::Write as _;

use super::reader::{self, Rule, is_marker, marker, marker_index};
use crate::actions::placeholders::{
    NEUTRAL_AT, RenderError, Value, Values, message_text, player_name, word,
};
use crate::text;

/// The longest `commandLine` the game was measured to accept over `/connect` (mcbe-ws-sdk), in
/// UTF-8 bytes.
pub const MAX_BEDROCK_COMMAND_BYTES: usize = 461;

/// Where a value lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spot {
    pub rule: Rule,
    /// The template has an `@` right before the placeholder.
    pub after_at: bool,
}

impl Default for Spot {
    /// A marker the reader did not place gets the strictest rule.
    fn default() -> Self {
        Self {
            rule: Rule::Word,
            after_at: false,
        }
    }
}

/// Viewer text in a JSON string: `\` and `"` escaped.
fn json_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in text::for_command(value).chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            // Strict: no `@` from a viewer anywhere, even where the game would not expand it.
            '@' => out.push(NEUTRAL_AT),
            _ => out.push(c),
        }
    }
    out
}

/// The value as it lands at `spot`; `None` when a target gets something that is not a name.
pub fn place(value: &str, spot: Spot) -> Option<String> {
    let value: String = value.chars().filter(|&c| !is_marker(c)).collect();
    let body = match spot.rule {
        Rule::Message => message_text(&value),
        Rule::JsonText => return Some(json_text(&value)),
        Rule::JsonBare => return Some(format!("\"{}\"", json_text(&value))),
        Rule::Entity => player_name(&value)?,
        Rule::Quoted => {
            return Some(
                text::for_command(&value)
                    .replace('"', "＂")
                    .replace('\\', "＼")
                    .replace('@', "＠"),
            );
        }
        Rule::Word => word(&value),
    };
    // `@{user}` in a template must not turn into `@a` (Bedrock's kinds are all letters).
    if spot.after_at && body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some(format!("_{body}"));
    }
    Some(body)
}

/// Substitutes placeholders in `template` for a Bedrock world; see the module's rules.
pub fn render(template: &str, values: &Values) -> Result<String, RenderError> {
    let template = template.trim();
    if template.is_empty() {
        return Err(RenderError::Empty);
    }
    if let Some(c) = template
        .chars()
        .find(|&c| text::is_hidden(c) || is_marker(c))
    {
        return Err(RenderError::ControlInTemplate {
            code: u32::from(c),
            template: template.to_owned(),
        });
    }
    let mut marked = String::with_capacity(template.len() + 16);
    let mut texts: Vec<(&str, &str)> = Vec::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '{'
            && let Some(end) = rest.find('}')
            && let Some(value) = values.get(&rest[1..end])
        {
            match value {
                Value::Number(n) => {
                    let _ = write!(marked, "{n}");
                }
                Value::Text(text) => {
                    marked.push(marker(texts.len()));
                    texts.push((&rest[1..end], text));
                }
            }
            rest = &rest[end + 1..];
            continue;
        }
        marked.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if texts.is_empty() {
        check_length(&marked)?;
        return Ok(marked);
    }
    let shape = reader::read(&marked);
    let mut spots: Vec<Option<Spot>> = vec![None; texts.len()];
    for leaf in &shape.leaves {
        for (at, c) in leaf.text.char_indices() {
            if let Some(spot) = marker_index(c).and_then(|i| spots.get_mut(i)) {
                *spot = Some(Spot {
                    rule: leaf.rule,
                    after_at: leaf.text[..at].ends_with(['@', NEUTRAL_AT]),
                });
            }
        }
    }
    let mut out = String::with_capacity(marked.len() + 64);
    for c in marked.chars() {
        match marker_index(c) {
            Some(index) => {
                let (name, value) = texts[index];
                let spot = spots[index].unwrap_or_default();
                let placed = place(value, spot).ok_or_else(|| RenderError::NotAPlayerName {
                    placeholder: name.to_owned(),
                    value: text::one_line(value, 40),
                })?;
                out.push_str(&placed);
            }
            None => out.push(c),
        }
    }
    // Defence in depth: the command must read back with the template's shape and selectors.
    let back = reader::read(&out);
    if back.skeleton != shape.skeleton || back.selectors != shape.selectors {
        return Err(RenderError::StructureChanged {
            template: template.to_owned(),
        });
    }
    check_length(&out)?;
    Ok(out)
}

/// Refuses a command longer than the game takes over `/connect`.
pub fn check_length(command: &str) -> Result<(), RenderError> {
    if command.len() <= MAX_BEDROCK_COMMAND_BYTES {
        return Ok(());
    }
    let mut cut = 60.min(command.len());
    while !command.is_char_boundary(cut) {
        cut -= 1;
    }
    Err(RenderError::TooLongForBedrock {
        bytes: command.len(),
        limit: MAX_BEDROCK_COMMAND_BYTES,
        preview: command[..cut].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(nickname: &str) -> Values {
        Values {
            user: "some_viewer1".into(),
            nickname: nickname.into(),
            gift: "Rose".into(),
            count: 3,
            ..Values::default()
        }
    }

    fn bedrock(template: &str, nickname: &str) -> Result<String, RenderError> {
        render(template, &vals(nickname))
    }

    #[test]
    fn messages_keep_text_and_lose_selectors() {
        assert_eq!(
            bedrock("say thanks {nickname} for {count} {gift}", "Bob @a \"x\"").unwrap(),
            "say thanks Bob ＠a \"x\" for 3 Rose"
        );
        assert_eq!(
            bedrock("tell @a {nickname}", "@e[type=!player]").unwrap(),
            "tell @a ＠e[type=!player]"
        );
        assert_eq!(bedrock("say @{user}", "x").unwrap(), "say @_some_viewer1");
        assert_eq!(
            bedrock("execute as @a run say {nickname}", "@s").unwrap(),
            "execute as @a run say ＠s"
        );
    }

    #[test]
    fn rawtext_strings_are_json_escaped() {
        let out = bedrock(
            r#"tellraw @a {"rawtext":[{"text":"Thanks {nickname}!"}]}"#,
            r#"a"},{"selector":"@e"}]}\"#,
        )
        .unwrap();
        assert_eq!(
            out,
            r#"tellraw @a {"rawtext":[{"text":"Thanks a\"},{\"selector\":\"＠e\"}]}\\!"}]}"#
        );
        let parsed: serde_json::Value =
            serde_json::from_str(out.trim_start_matches("tellraw @a ")).unwrap();
        assert_eq!(parsed["rawtext"].as_array().unwrap().len(), 1);
        assert_eq!(
            bedrock(
                r#"titleraw @a title {"rawtext":[{"text":{nickname}}]}"#,
                "Bo\"b"
            )
            .unwrap(),
            r#"titleraw @a title {"rawtext":[{"text":"Bo\"b"}]}"#
        );
    }

    #[test]
    fn targets_must_be_player_names() {
        assert_eq!(
            bedrock("tell {nickname} hi", "Steve_1").unwrap(),
            "tell Steve_1 hi"
        );
        assert!(matches!(
            bedrock("tell {nickname} hi", "@a"),
            Err(RenderError::NotAPlayerName { .. })
        ));
        assert!(matches!(
            bedrock("kill @e[name={nickname}]", "x,type=player"),
            Err(RenderError::NotAPlayerName { .. })
        ));
        assert!(matches!(
            bedrock(
                r#"tellraw @a {"rawtext":[{"selector":"{nickname}"}]}"#,
                "@a"
            ),
            Err(RenderError::NotAPlayerName { .. })
        ));
    }

    #[test]
    fn name_tags_words_and_unknown_commands() {
        assert_eq!(
            bedrock(
                r#"summon zombie "{nickname}" ~ ~ ~"#,
                r#"Bob "the" \ Builder"#
            )
            .unwrap(),
            r#"summon zombie "Bob ＂the＂ ＼ Builder" ~ ~ ~"#
        );
        assert_eq!(
            bedrock("give @p {nickname} 1", "diamond sword; kill @a").unwrap(),
            "give @p diamond_sword_kill_a 1"
        );
        assert_eq!(
            bedrock(r#"myplugin "{nickname}" x"#, "a\" b").unwrap(),
            r#"myplugin "a_b" x"#
        );
    }

    #[test]
    fn limits_and_bad_templates() {
        let long = "x".repeat(400);
        assert!(matches!(
            bedrock("say {nickname}", &long)
                .and_then(|_| bedrock(&format!("say {long}{long}"), "")),
            Err(RenderError::TooLongForBedrock { limit: 461, .. })
        ));
        assert_eq!(bedrock("  ", "x"), Err(RenderError::Empty));
        assert!(matches!(
            bedrock("say \u{100000}", "x"),
            Err(RenderError::ControlInTemplate {
                code: 0x10_0000,
                ..
            })
        ));
        assert_eq!(
            bedrock("say \u{1}{nickname}", "x").map(|_| ()),
            Err(RenderError::ControlInTemplate {
                code: 1,
                template: "say \u{1}{nickname}".into()
            })
        );
    }
}
