//! Placeholder substitution for command templates, with the escaping rule that keeps a viewer-controlled
//! value from changing the structure of a command (see `docs/actions.md`, "Placeholders").
//!
//! A value is escaped for the argument it lands in, as [`super::grammar`] reads the template along
//! Minecraft's own command tree ([`super::grammar::tree`]):
//! - a **message** (every `message` argument: `say`, `me`, `msg`/`tell`/`w`, `teammsg`, `kick`
//!   and `ban` reasons; greedy strings too) keeps its spaces, and every `@` becomes `＠` (U+FF20),
//!   because Minecraft expands selectors anywhere in a message;
//! - the content of a quoted **string** (a JSON text, an NBT string) is escaped for every enclosing
//!   string (`\` and the string's quote), innermost first;
//! - a string that is itself a **command** (`run_command` click events, command blocks' `Command`)
//!   is read as a command, and the value is escaped for the argument it lands in there, then for
//!   the strings around it;
//! - an **entity** (a player name, score holder, `selector` of a text component) must be a valid
//!   Minecraft name (`[A-Za-z0-9_]{1,16}`), or the command is refused: viewer text is never a
//!   selector;
//! - anything else — a **word** (ids, tags, numbers) and every argument of a command the tree does
//!   not have (plugins) — becomes one ASCII word (`[A-Za-z0-9_.+-]`, spaces as `_`);
//! - an unquoted SNBT/JSON value that is only the placeholder becomes a quoted string.
//!
//! Every value first loses control and format characters and `§` ([`crate::text::for_command`]).
//! The rendered command must fit the RCON payload limit (1,446 UTF-8 bytes).

use std::fmt::Write as _;

use thiserror::Error;

mod pieces;

use super::grammar::{self, Rule};
use crate::event::CreditedGift;
use crate::text;
use pieces::{Marked, mark};
pub use pieces::{Piece, join};

/// The largest command payload vanilla Minecraft's RCON accepts, in UTF-8 bytes (one 1,460-byte read
/// minus 14 bytes of framing).
pub const MAX_COMMAND_BYTES: usize = 1446;

/// The placeholder names we substitute. Anything else in braces (JSON, NBT) is left alone.
pub const PLACEHOLDERS: &[&str] = &[
    "user",
    "nickname",
    "gift",
    "count",
    "diamonds",
    "total_diamonds",
    "likes",
    "total_likes",
    "message",
    "args",
    "months",
    "viewers",
];

/// Why a template could not become a command.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RenderError {
    #[error(
        "command is {bytes} bytes after placeholders; Minecraft RCON accepts at most {limit} (UTF-8): {preview}…"
    )]
    TooLong {
        bytes: usize,
        limit: usize,
        preview: String,
    },
    /// Bedrock's `/connect` takes shorter commands than RCON (see `actions::bedrock::escape`).
    #[error(
        "command is {bytes} bytes after placeholders; a Bedrock world over /connect accepts at most {limit} (UTF-8): {preview}…"
    )]
    TooLongForBedrock {
        bytes: usize,
        limit: usize,
        preview: String,
    },
    #[error("the command template contains a control character (U+{code:04X}): {template:?}")]
    ControlInTemplate { code: u32, template: String },
    #[error("the command template is empty")]
    Empty,
    #[error(
        "{{{placeholder}}} is {value:?} here, which is not a Minecraft player name (letters, digits, _; 1–16 characters); \
         viewer text never becomes a selector, so the command was not sent"
    )]
    NotAPlayerName { placeholder: String, value: String },
    #[error(
        "with the viewer's text in it, this command would read differently than the template (not sent): {template:?}"
    )]
    StructureChanged { template: String },
}

/// The values a template can use, taken from a credited gift.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    /// The @handle without `@`.
    pub user: String,
    pub nickname: String,
    pub gift: String,
    pub count: u32,
    /// Diamonds of one gift.
    pub diamonds: u32,
    /// `diamonds × count`.
    pub total_diamonds: u64,
    /// Like rules: likes counted since connecting.
    pub likes: u64,
    /// Like rules: the room total TikTok reported.
    pub total_likes: u64,
    /// Chat triggers: the whole message (viewer text, escaped like a nickname).
    pub message: String,
    /// Chat triggers: the text after the command word (viewer text, escaped like a nickname).
    pub args: String,
    /// Subscriptions: months subscribed (0 when TikTok did not say).
    pub months: u32,
    /// "viewers ≥ N": the viewer count that reached N.
    pub viewers: u64,
}

impl Values {
    pub fn from_gift(gift: &CreditedGift) -> Self {
        Self {
            user: gift.unique_id.clone(),
            nickname: gift.nickname.clone(),
            gift: gift.gift_name.clone(),
            count: gift.count,
            diamonds: gift.diamonds,
            total_diamonds: gift.total_diamonds(),
            ..Self::default()
        }
    }

    /// The values of a non-gift trigger: `{count}` is how many times it runs (blocks for likes).
    pub fn from_event(line: &crate::triggers::EventLine) -> Self {
        Self {
            user: line.unique_id.clone(),
            nickname: line.nickname.clone(),
            count: line.count,
            likes: line.likes.unwrap_or(0),
            total_likes: line
                .total_likes
                .map_or(0, |t| u64::try_from(t).unwrap_or(0)),
            message: line.message.clone().unwrap_or_default(),
            args: line.args.clone().unwrap_or_default(),
            months: line.room.months.unwrap_or(0),
            viewers: line.room.viewers.unwrap_or(0),
            // A treasure chest's or Super Fan box's diamonds.
            diamonds: line
                .room
                .diamonds
                .map_or(0, |d| u32::try_from(d).unwrap_or(u32::MAX)),
            total_diamonds: line.room.diamonds.unwrap_or(0),
            ..Self::default()
        }
    }

    /// The value of placeholder `name` (Bedrock escaping reads templates with it too).
    pub(crate) fn get(&self, name: &str) -> Option<Value<'_>> {
        Some(match name {
            "user" => Value::Text(&self.user),
            "nickname" => Value::Text(&self.nickname),
            "gift" => Value::Text(&self.gift),
            "count" => Value::Number(u64::from(self.count)),
            "diamonds" => Value::Number(u64::from(self.diamonds)),
            "total_diamonds" => Value::Number(self.total_diamonds),
            "likes" => Value::Number(self.likes),
            "total_likes" => Value::Number(self.total_likes),
            "message" => Value::Text(&self.message),
            "args" => Value::Text(&self.args),
            "months" => Value::Number(u64::from(self.months)),
            "viewers" => Value::Number(self.viewers),
            _ => return None,
        })
    }
}

pub(crate) enum Value<'a> {
    /// Untrusted text (viewer or TikTok controlled).
    Text(&'a str),
    /// A number we produced ourselves: digits only, safe anywhere.
    Number(u64),
}

/// The marker that stands for the `index`-th text placeholder while the template is read.
fn marker(index: usize) -> char {
    u32::try_from(index)
        .ok()
        .and_then(|i| char::from_u32(0xF0000 + i))
        .filter(|&c| grammar::is_marker(c))
        .unwrap_or('\u{FFFFD}')
}

fn marker_index(c: char) -> Option<usize> {
    grammar::is_marker(c).then(|| (u32::from(c) - 0xF0000) as usize)
}

/// Substitutes placeholders in `template` and checks the result against the RCON payload limit.
pub fn render(template: &str, values: &Values) -> Result<String, RenderError> {
    Ok(join(&render_pieces(template, values)?))
}

/// [`render`], with every placeholder's place kept apart: the literal parts come from the template
/// alone (the same for any values), so a datapack function can hold them with a macro argument
/// where each value goes (`actions::datapack`). Joined, the pieces are exactly [`render`]'s command.
pub fn render_pieces(template: &str, values: &Values) -> Result<Vec<Piece>, RenderError> {
    let template = template.trim();
    if template.is_empty() {
        return Err(RenderError::Empty);
    }
    if let Some(c) = template
        .chars()
        .find(|&c| text::is_hidden(c) || grammar::is_marker(c))
    {
        return Err(RenderError::ControlInTemplate {
            code: u32::from(c),
            template: template.to_owned(),
        });
    }
    let Marked {
        marked,
        texts,
        numbers,
    } = mark(template, values);
    // Only text values need the template read (numbers are safe anywhere).
    let shape = (!texts.is_empty()).then(|| grammar::parse_command(&marked));
    let mut spots: Vec<Option<Spot>> = vec![None; texts.len()];
    for leaf in shape.iter().flat_map(|s| &s.leaves) {
        for (at, c) in leaf.text.char_indices() {
            if let Some(index) = marker_index(c)
                && let Some(spot) = spots.get_mut(index)
            {
                *spot = Some(Spot {
                    rule: leaf.rule,
                    quotes: leaf.quotes.clone(),
                    whole: leaf.text.len() == c.len_utf8(),
                    after_at: leaf.text[..at].ends_with('@'),
                    at_start: leaf.text[..at].trim().is_empty(),
                });
            }
        }
    }
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut numbers = numbers.into_iter().peekable();
    let mut chars = marked.char_indices();
    while let Some((at, c)) = chars.next() {
        if let Some(&(start, end, name)) = numbers.peek()
            && start == at
        {
            numbers.next();
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            pieces.push(Piece::Value {
                name: name.to_owned(),
                text: marked[start..end].to_owned(),
            });
            // The number's other digits.
            for _ in 1..end - start {
                chars.next();
            }
            continue;
        }
        match marker_index(c) {
            Some(index) => {
                let (name, value) = texts[index];
                // A marker the reader did not place (cannot happen) gets the strictest rule.
                let spot = spots[index].take().unwrap_or_default();
                let text = place(value, &spot).ok_or_else(|| RenderError::NotAPlayerName {
                    placeholder: name.to_owned(),
                    value: text::one_line(value, 40),
                })?;
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                pieces.push(Piece::Value {
                    name: name.to_owned(),
                    text,
                });
            }
            None => literal.push(c),
        }
    }
    pieces.push(Piece::Literal(literal));
    pieces.retain(|p| !matches!(p, Piece::Literal(l) if l.is_empty()));
    let out = join(&pieces);
    if let Some(shape) = &shape {
        // Defence in depth: the command must read back with the template's shape and selectors
        // (the property tests check this for every argument kind; here it guards templates nobody
        // tested).
        let back = grammar::parse_command(&out);
        if back.skeleton != shape.skeleton || back.selectors != shape.selectors {
            return Err(RenderError::StructureChanged {
                template: template.to_owned(),
            });
        }
    }
    check_length(&out)?;
    Ok(pieces)
}

/// The longest a viewer value may be in text shown as text (a chat message fits).
const MAX_TEXT_VALUE_CHARS: usize = 300;

/// Substitutes placeholders for text shown as text, never run (an OBS text source): each viewer
/// value becomes one clean line ([`text::one_line`]: no control, bidi or zero-width characters),
/// nothing else is escaped. Unknown `{…}` stay as written.
pub fn render_text(template: &str, values: &Values) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let found = rest
            .find('}')
            .and_then(|end| Some((end, values.get(&rest[1..end])?)));
        match found {
            Some((end, Value::Number(n))) => {
                let _ = write!(out, "{n}");
                rest = &rest[end + 1..];
            }
            Some((end, Value::Text(value))) => {
                out.push_str(&text::one_line(value, MAX_TEXT_VALUE_CHARS));
                rest = &rest[end + 1..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Refuses a command longer than the RCON payload limit.
pub fn check_length(command: &str) -> Result<(), RenderError> {
    if command.len() > MAX_COMMAND_BYTES {
        let mut cut = 60.min(command.len());
        while !command.is_char_boundary(cut) {
            cut -= 1;
        }
        return Err(RenderError::TooLong {
            bytes: command.len(),
            limit: MAX_COMMAND_BYTES,
            preview: command[..cut].to_owned(),
        });
    }
    Ok(())
}

/// Where a value lands, as the grammar read the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spot {
    pub rule: Rule,
    /// Enclosing quoted strings, outermost first.
    pub quotes: Vec<char>,
    /// The placeholder is the whole leaf (decides quoting of bare SNBT values).
    pub whole: bool,
    /// The template has an `@` right before the placeholder.
    pub after_at: bool,
    /// Nothing but spaces comes before the placeholder in its leaf.
    pub at_start: bool,
}

impl Default for Spot {
    fn default() -> Self {
        Self {
            rule: Rule::Word,
            quotes: Vec::new(),
            whole: false,
            after_at: false,
            at_start: false,
        }
    }
}

/// What replaces `@` in messages: it looks the same and never starts a selector.
pub const NEUTRAL_AT: char = '＠';

/// A value in a message: spaces kept, `@` neutralized.
pub fn message_text(value: &str) -> String {
    text::for_command(value).replace('@', "＠")
}

/// A value as one ASCII word Minecraft reads unquoted: `[A-Za-z0-9_.+-]`, runs of spaces as `_`,
/// everything else removed, `_` when nothing is left.
pub fn word(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut in_space = false;
    for c in text::for_command(value).chars() {
        if c.is_whitespace() {
            if !in_space && !out.is_empty() {
                out.push('_');
            }
            in_space = true;
            continue;
        }
        // A removed character does not end a run of spaces (`a ~ b` → `a_b`).
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+') {
            in_space = false;
            out.push(c);
        }
    }
    while out.len() > 1 && out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// A value as a Minecraft player name, if it is one: `[A-Za-z0-9_]{1,16}` (hidden characters
/// removed first).
pub fn player_name(value: &str) -> Option<String> {
    let name = text::for_command(value);
    let valid = (1..=16).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some(name)
}

/// Escapes `text` for a string quoted with `quote`: `\` and the quote get a backslash.
pub fn escape_quoted(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\\' || c == quote {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Plain text in a string that servers before 1.21.5 read as JSON: when the value starts the
/// string and would start it like JSON (`{`, `[`, `"`, `'`), it gets a leading `_`, so it stays
/// text.
pub fn component_text(value: &str, at_start: bool) -> String {
    let mut body = text::for_command(value);
    if at_start && body.trim_start().starts_with(['{', '[', '"', '\'']) {
        body.insert(0, '_');
    }
    body
}

/// Escapes for each enclosing string, innermost first.
fn escape_nested(text: String, quotes: &[char]) -> String {
    quotes
        .iter()
        .rev()
        .fold(text, |text, &quote| escape_quoted(&text, quote))
}

/// The value as it lands at `spot`; `None` when an entity position gets something that is not a
/// player name.
pub fn place(value: &str, spot: &Spot) -> Option<String> {
    Some(escape_nested(place_unquoted(value, spot)?, &spot.quotes))
}

/// [`place`] before the escapes of the enclosing strings: the text Minecraft reads there.
pub fn place_unquoted(value: &str, spot: &Spot) -> Option<String> {
    let mut body = match spot.rule {
        Rule::Message => message_text(value),
        Rule::Text => text::for_command(value),
        Rule::Entity => player_name(value)?,
        Rule::Word => word(value),
        Rule::Bare if spot.whole => {
            format!("\"{}\"", escape_quoted(&text::for_command(value), '"'))
        }
        Rule::ComponentBare if spot.whole => {
            format!("\"{}\"", escape_quoted(&component_text(value, true), '"'))
        }
        Rule::Bare | Rule::ComponentBare => word(value),
        Rule::ComponentText => component_text(value, spot.at_start),
    };
    // `@{user}` in a template must not turn into `@a`.
    if spot.after_at
        && body
            .chars()
            .next()
            .is_some_and(|c| grammar::SELECTOR_KINDS.contains(c))
    {
        body.insert(0, '_');
    }
    Some(body)
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
            diamonds: 1,
            total_diamonds: 3,
            ..Values::default()
        }
    }

    fn say(template: &str, nickname: &str) -> String {
        render(template, &vals(nickname)).unwrap()
    }

    #[test]
    fn substitutes_every_placeholder_and_leaves_other_braces() {
        let out = say(
            "say {user} {nickname} {gift} {count} {diamonds} {total_diamonds} {other} {}",
            "Bob",
        );
        assert_eq!(out, "say some_viewer1 Bob Rose 3 1 3 {other} {}");
    }

    #[test]
    fn a_message_keeps_the_name_as_written() {
        assert_eq!(
            say("say {nickname}", "Bob the Builder"),
            "say Bob the Builder"
        );
        assert_eq!(
            say("/me thanks {nickname}!", "José 🔥"),
            "/me thanks José 🔥!"
        );
        assert_eq!(
            say("msg Steve {nickname} sent {gift}", "a \"b\" {c}"),
            "msg Steve a \"b\" {c} sent Rose"
        );
    }

    #[test]
    fn a_message_never_gets_a_selector_even_between_quotes() {
        for template in [
            "say {nickname}",
            r#"say "{nickname} sent {gift}""#,
            "tell @p {nickname}",
            "teammsg {nickname}",
            "kick Griefer {nickname}",
            "execute as @a run say {nickname}",
        ] {
            let out = say(template, "@e[type=!player] @a@p");
            assert_eq!(
                grammar::selectors_in_message(&out).len(),
                grammar::selectors_in_message(template).len(),
                "{template} → {out}"
            );
            assert!(out.contains("＠e[type=!player] ＠a＠p"), "{out}");
        }
        // `@` of the template right before a value.
        assert_eq!(say("say hi @{nickname}", "a"), "say hi @_a");
    }

    #[test]
    fn control_format_and_colour_codes_are_removed_everywhere() {
        assert_eq!(say("say {nickname}", "a\nb\u{202E}c§4\0d"), "say a bc4d");
        assert_eq!(
            say(r#"tellraw @a {"text":"{nickname}"}"#, "x\u{200B}§ky\r"),
            r#"tellraw @a {"text":"xky "}"#
        );
    }

    #[test]
    fn inside_json_quotes_quotes_and_backslashes_are_escaped() {
        let t = r#"tellraw @a {"text":"{nickname} sent {gift}"}"#;
        let out = say(t, r#"a"},{"text":"x\"#);
        assert_eq!(
            out,
            r#"tellraw @a {"text":"a\"},{\"text\":\"x\\ sent Rose"}"#
        );
        // Text components do not expand selectors: `@a` stays readable.
        assert_eq!(say(t, "@a"), r#"tellraw @a {"text":"@a sent Rose"}"#);
    }

    #[test]
    fn a_selector_key_only_takes_a_player_name() {
        let t = r#"tellraw @a {"selector":"{nickname}"}"#;
        assert_eq!(say(t, "Steve"), r#"tellraw @a {"selector":"Steve"}"#);
        assert!(matches!(
            render(t, &vals("@e")),
            Err(RenderError::NotAPlayerName { ref placeholder, .. }) if placeholder == "nickname"
        ));
    }

    #[test]
    fn click_events_and_command_blocks_escape_for_the_inner_command() {
        let t = r#"tellraw @a {"text":"thanks","clickEvent":{"action":"run_command","value":"/say {nickname}"}}"#;
        let out = say(t, r#"@e "x"#);
        assert_eq!(
            out,
            r#"tellraw @a {"text":"thanks","clickEvent":{"action":"run_command","value":"/say ＠e \"x"}}"#
        );
        let t = r#"setblock ~ ~ ~ command_block{Command:"give {nickname} diamond"}"#;
        assert!(
            render(t, &vals("@a")).is_err(),
            "an entity inside a command block"
        );
        let t = r#"summon command_block_minecart ~ ~ ~ {Command:"tellraw @a {\"text\":\"{nickname}\"}"}"#;
        let out = say(t, r#"q"\"#);
        // JSON escape (q\"\\), then the SNBT string's escape of each backslash and quote.
        assert_eq!(
            out,
            r#"summon command_block_minecart ~ ~ ~ {Command:"tellraw @a {\"text\":\"q\\\"\\\\\"}"}"#
        );
    }

    #[test]
    fn player_positions_take_only_player_names() {
        assert_eq!(
            say("give {nickname} diamond 1", "Steve_1"),
            "give Steve_1 diamond 1"
        );
        for bad in [
            "@a",
            "Bob the Builder",
            "José",
            "x".repeat(17).as_str(),
            "",
            "a.b",
        ] {
            let err = render("give {nickname} diamond", &vals(bad)).unwrap_err();
            assert!(
                matches!(err, RenderError::NotAPlayerName { .. }),
                "{bad:?}: {err:?}"
            );
        }
        assert!(render("scoreboard players add {nickname} gifts 1", &vals("*")).is_err());
        assert!(render("tp {nickname} ~ ~10 ~", &vals("@r")).is_err());
    }

    #[test]
    fn words_are_plain_ascii_words() {
        let cases = [
            ("@a[tag=x]", "atagx"),
            ("x stone 64", "x_stone_64"),
            ("a;b\nop me", "ab_op_me"),
            ("\"}]", "_"),
            ("§4Red", "4Red"),
            ("José", "Jos"),
            ("~ ~1 ^", "1"),
            ("#minecraft:logs", "minecraftlogs"),
        ];
        for (nick, want) in cases {
            assert_eq!(
                say("tag @a add {nickname}", nick),
                format!("tag @a add {want}"),
                "{nick:?}"
            );
        }
        // Commands we do not know (plugins) get the strictest rule everywhere, quotes or not.
        assert_eq!(
            say(r#"tnt 2 0.1 2 "{nickname}""#, "a b\" @p"),
            r#"tnt 2 0.1 2 "a_b_p""#
        );
    }

    #[test]
    fn single_quoted_strings_escape_the_single_quote() {
        let out = say("data merge entity @s {Tags:['{nickname}']}", "O'Neil \\");
        assert_eq!(out, r"data merge entity @s {Tags:['O\'Neil \\']}");
    }

    #[test]
    fn json_inside_snbt_is_escaped_twice() {
        let t = r#"summon zombie ~ ~ ~ {CustomName:'{"text":"{nickname}"}'}"#;
        let out = say(t, r#"a"b'c\d"#);
        assert_eq!(
            out,
            r#"summon zombie ~ ~ ~ {CustomName:'{"text":"a\\"b\'c\\\\d"}'}"#
        );
        // A text-component string with only text stays text on every version.
        assert_eq!(
            say(
                "summon zombie ~ ~ ~ {CustomName:'{nickname}'}",
                "Bob the Builder"
            ),
            "summon zombie ~ ~ ~ {CustomName:'Bob the Builder'}"
        );
        assert_eq!(
            say(
                "summon zombie ~ ~ ~ {CustomName:'{nickname}'}",
                r#"{"text":"x"}"#
            ),
            r#"summon zombie ~ ~ ~ {CustomName:'_{"text":"x"}'}"#
        );
        assert_eq!(
            say("give @p stick[custom_name={nickname}]", "Bob the Builder"),
            "give @p stick[custom_name=\"Bob the Builder\"]"
        );
        // Servers before 1.21.5 read these strings as JSON: a value cannot make them JSON.
        assert_eq!(
            say("give @p stick[custom_name={nickname}]", r#"{"text":"x"}"#),
            r#"give @p stick[custom_name="_{\"text\":\"x\"}"]"#
        );
    }

    #[test]
    fn numbers_are_inserted_as_digits_anywhere() {
        assert_eq!(say("give @p diamond {count}", "x"), "give @p diamond 3");
    }

    #[test]
    fn too_long_after_substitution_is_refused_with_a_clear_error() {
        let template = format!("say {} {{nickname}}", "a".repeat(1400));
        assert!(render(&template, &vals("short")).is_ok());
        let err = render(&template, &vals(&"é".repeat(40))).unwrap_err();
        let RenderError::TooLong { bytes, limit, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*bytes, *limit), (1405 + 80, 1446));
        assert!(err.to_string().contains("at most 1446"), "{err}");
    }

    #[test]
    fn a_template_with_a_newline_or_nothing_is_refused() {
        assert!(matches!(
            render("say a\nop bob", &vals("x")),
            Err(RenderError::ControlInTemplate { code: 10, .. })
        ));
        assert_eq!(render("  ", &vals("x")), Err(RenderError::Empty));
        // Surrounding whitespace (a trailing newline from an editor) is trimmed.
        assert_eq!(render("say hi\n", &vals("x")).unwrap(), "say hi");
    }

    #[test]
    fn text_for_obs_keeps_viewer_text_as_one_clean_line() {
        let nickname = "<b>Al\u{202e}ice</b>\n/op me\u{200b}";
        assert_eq!(
            render_text(
                "Thanks {nickname}!\n{count} × {gift} {unknown} {",
                &vals(nickname)
            ),
            "Thanks <b>Alice</b> /op me!\n3 × Rose {unknown} {"
        );
        let long = "x".repeat(1000);
        let shown = render_text("{nickname}", &vals(&long));
        assert_eq!(
            shown.chars().count(),
            MAX_TEXT_VALUE_CHARS + 1,
            "cut with …"
        );
    }
}

#[cfg(test)]
mod overlay_text_tests {
    use super::*;

    #[test]
    fn overlay_text_keeps_viewer_text_as_text() {
        let values = Values {
            user: "alice".into(),
            nickname: "<img src=x onerror=alert(1)>\u{202e}\n".into(),
            gift: "Rose".into(),
            count: 5,
            diamonds: 1,
            total_diamonds: 5,
            ..Values::default()
        };
        assert_eq!(
            render_text("Thanks {nickname}! {count} × {gift} {unknown} {", &values),
            "Thanks <img src=x onerror=alert(1)>! 5 × Rose {unknown} {"
        );
        assert_eq!(render_text("@{user}", &values), "@alice");
    }
}
