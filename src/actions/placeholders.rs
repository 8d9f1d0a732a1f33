//! Placeholder substitution for command templates, with the escaping rule that keeps a viewer-controlled
//! value from changing the structure of a command (see `docs/actions.md`, "Placeholders").
//!
//! The rule, in short:
//! - Every value loses control and format characters (NUL, newlines, bidi overrides, zero-width
//!   characters…) and `§` (legacy formatting codes).
//! - Where the placeholder sits inside a quoted string of the template (`"…"` or `'…'`, also nested,
//!   e.g. a JSON text component inside an SNBT string), the value is escaped for each enclosing
//!   string from the innermost out: `\` → `\\` and the string's own quote → `\"` / `\'`.
//! - Outside quotes the value becomes one safe token: Unicode letters and digits, `_`, `-` and `.`
//!   are kept, whitespace becomes `_`, everything else (`@ [ ] { } " ' ; : = ~ ^ # /` …) is removed,
//!   and an empty result becomes `_`. It cannot start a selector, NBT, JSON, a tag, a coordinate or a
//!   new argument.
//! - The rendered command must fit the RCON payload limit (1,446 UTF-8 bytes).

use std::fmt::Write as _;

use thiserror::Error;

use crate::event::CreditedGift;

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
    #[error("the command template contains a control character (U+{code:04X}): {template:?}")]
    ControlInTemplate { code: u32, template: String },
    #[error("the command template is empty")]
    Empty,
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
            ..Self::default()
        }
    }

    fn get(&self, name: &str) -> Option<Value<'_>> {
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
            _ => return None,
        })
    }
}

enum Value<'a> {
    /// Untrusted text (viewer or TikTok controlled).
    Text(&'a str),
    /// A number we produced ourselves: digits only, safe anywhere.
    Number(u64),
}

/// Substitutes placeholders in `template` and checks the result against the RCON payload limit.
pub fn render(template: &str, values: &Values) -> Result<String, RenderError> {
    let template = template.trim();
    if template.is_empty() {
        return Err(RenderError::Empty);
    }
    if let Some(c) = template.chars().find(|&c| is_stripped(c) && c != '§') {
        return Err(RenderError::ControlInTemplate {
            code: u32::from(c),
            template: template.to_owned(),
        });
    }
    let mut out = String::with_capacity(template.len() + 32);
    let mut quotes = QuoteTracker::default();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '{'
            && let Some(end) = rest.find('}')
            && let Some(value) = values.get(&rest[1..end])
        {
            match value {
                Value::Number(n) => {
                    let _ = write!(out, "{n}");
                }
                Value::Text(text) => out.push_str(&escape_for(text, quotes.stack())),
            }
            rest = &rest[end + 1..];
            // A placeholder is a word: an apostrophe right after it (`{user}'s`) is not a quote.
            quotes.prev = Some('a');
            continue;
        }
        quotes.feed(c);
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    check_length(&out)?;
    Ok(out)
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

/// Follows which quoted strings the template is inside of, as a stack of quote characters.
/// A quote opens a string only where an argument or value can start (after whitespace, `[ { ( , : =`
/// or at the start of the command), so an apostrophe inside a word (`it's`) is plain text, as it is
/// for Minecraft's parser. Over-escaping is always safe: only the outermost level decides whether a
/// value can break out, and that level follows Minecraft's own rule.
#[derive(Default)]
struct QuoteTracker {
    stack: Vec<char>,
    prev: Option<char>,
    escaped: bool,
}

impl QuoteTracker {
    fn stack(&self) -> &[char] {
        &self.stack
    }

    fn feed(&mut self, c: char) {
        let prev = self.prev.replace(c);
        if self.escaped {
            self.escaped = false;
            return;
        }
        if !self.stack.is_empty() && c == '\\' {
            self.escaped = true;
            return;
        }
        if c != '"' && c != '\'' {
            return;
        }
        // A quote closes the innermost open string it matches (and any nested string left open
        // inside it: `"a,'b"` ends at the `"`).
        if let Some(level) = self.stack.iter().rposition(|&q| q == c) {
            let at_value_start = prev.is_none_or(|p| p.is_whitespace() || "[{(,:=".contains(p));
            // Inside a string, the other quote opens a nested string only at a value start
            // (`'{"text":"…"}'`); the same quote always closes.
            if level + 1 == self.stack.len() || !at_value_start {
                self.stack.truncate(level);
                return;
            }
        }
        let at_value_start = prev.is_none_or(|p| p.is_whitespace() || "[{(,:=".contains(p));
        if at_value_start {
            self.stack.push(c);
        }
    }
}

/// True for characters a value never keeps: controls, format characters (bidi overrides, zero-width
/// joiners, BOM), line/paragraph separators, and `§` formatting codes.
fn is_stripped(c: char) -> bool {
    c.is_control()
        || c == '§'
        || matches!(c,
            '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}')
}

/// The value as it lands in the command, given the quoted strings around the placeholder
/// (outermost first).
pub(crate) fn escape_for(value: &str, quotes: &[char]) -> String {
    let clean: String = value.chars().filter(|&c| !is_stripped(c)).collect();
    if quotes.is_empty() {
        return safe_token(&clean);
    }
    // Escape for the innermost string first, then for each enclosing one.
    let mut text = clean;
    for &quote in quotes.iter().rev() {
        let mut escaped = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if c == '\\' || c == quote {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        text = escaped;
    }
    text
}

/// Outside quotes: one token that can only be read as a plain word.
fn safe_token(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut in_space = false;
    for c in value.chars() {
        if c.is_whitespace() {
            if !in_space && !out.is_empty() {
                out.push('_');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
            out.push(c);
        }
    }
    while out.ends_with('_') && out.len() > 1 {
        out.pop();
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(nickname: &str) -> Values {
        Values {
            user: "some.viewer_1".into(),
            nickname: nickname.into(),
            gift: "Rose".into(),
            count: 3,
            diamonds: 1,
            total_diamonds: 3,
            ..Values::default()
        }
    }

    #[test]
    fn substitutes_every_placeholder_and_leaves_other_braces() {
        let out = render(
            "say {user} {nickname} {gift} {count} {diamonds} {total_diamonds} {other} {}",
            &vals("Bob"),
        )
        .unwrap();
        assert_eq!(out, "say some.viewer_1 Bob Rose 3 1 3 {other} {}");
    }

    #[test]
    fn outside_quotes_a_value_is_one_plain_token() {
        let cases = [
            ("@a[tag=x]", "atagx"),
            ("x stone 64", "x_stone_64"),
            ("a;b\nop me", "abop_me"),
            ("\"}]", "_"),
            ("§4Red", "4Red"),
            ("\u{202E}evil", "evil"),
            ("NUL\0here", "NULhere"),
            ("🔥🔥", "_"),
            ("José", "José"),
            ("~ ~1 ^", "1"),
            ("#minecraft:logs", "minecraftlogs"),
            ("", "_"),
        ];
        for (nick, want) in cases {
            let out = render("give {nickname} diamond", &vals(nick)).unwrap();
            assert_eq!(out, format!("give {want} diamond"), "nickname {nick:?}");
        }
    }

    #[test]
    fn inside_json_quotes_quotes_and_backslashes_are_escaped() {
        let t = r#"tellraw @a {"text":"{nickname} sent {gift}"}"#;
        let out = render(t, &vals(r#"a"},{"text":"x\"#)).unwrap();
        assert_eq!(
            out,
            r#"tellraw @a {"text":"a\"},{\"text\":\"x\\ sent Rose"}"#
        );
        let out = render(t, &vals("line\nbreak\u{202E}§k")).unwrap();
        assert_eq!(out, r#"tellraw @a {"text":"linebreakk sent Rose"}"#);
    }

    #[test]
    fn single_quoted_strings_escape_the_single_quote() {
        let out = render(
            "data merge entity @s {CustomName:'{nickname}'}",
            &vals("O'Neil \\"),
        )
        .unwrap();
        assert_eq!(out, r"data merge entity @s {CustomName:'O\'Neil \\'}");
    }

    #[test]
    fn json_inside_snbt_is_escaped_twice() {
        let t = r#"summon zombie ~ ~ ~ {CustomName:'{"text":"{nickname}"}'}"#;
        let out = render(t, &vals(r#"a"b'c\d"#)).unwrap();
        // Inner JSON escape: a\"b'c\\d ; then the SNBT single-quote escape doubles backslashes and
        // escapes the apostrophe.
        assert_eq!(
            out,
            r#"summon zombie ~ ~ ~ {CustomName:'{"text":"a\\"b\'c\\\\d"}'}"#
        );
    }

    #[test]
    fn apostrophes_inside_words_do_not_open_strings() {
        let out = render("say it's {nickname}'s turn", &vals("x y@a")).unwrap();
        assert_eq!(out, "say it's x_ya's turn");
    }

    #[test]
    fn numbers_are_inserted_as_digits_anywhere() {
        let out = render(r#"give @p diamond {count}"#, &vals("x")).unwrap();
        assert_eq!(out, "give @p diamond 3");
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
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Splits a command the way that matters for structure: counts unescaped quotes of each kind and
    /// checks nothing structural leaked. We check the invariant directly: after removing the value,
    /// the template's own characters are all still there in order, and the value's region contains no
    /// unescaped delimiter of any enclosing string and no control characters.
    fn hostile() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "\"", "'", "\\", ";", "\n", "\r", "\0", "\u{202E}", "\u{200B}", "§a", "@a[", "]", "{",
            "}", "\"}]", "🔥", " ", "x", "é", ":", "~", "#", "/", "\t", "\u{2028}",
        ]);
        prop::collection::vec(atoms, 0..24).prop_map(|v| v.concat())
    }

    /// Reads a Minecraft/JSON quoted string starting at `s[0] == quote`; returns its decoded content
    /// and the rest after the closing quote.
    fn read_quoted(s: &str, quote: char) -> Option<(String, &str)> {
        let mut chars = s.char_indices().skip(1);
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            if c == '\\' {
                let (_, n) = chars.next()?;
                out.push(n);
            } else if c == quote {
                return Some((out, &s[i + 1..]));
            } else {
                out.push(c);
            }
        }
        None
    }

    proptest! {
        #[test]
        fn outside_quotes_the_value_is_a_single_plain_token(nick in hostile()) {
            let out = render("give {nickname} diamond 1", &Values { nickname: nick, ..Values::default() }).unwrap();
            let words: Vec<&str> = out.split(' ').collect();
            prop_assert_eq!(words.len(), 4, "{:?}", out);
            prop_assert_eq!(words[0], "give");
            prop_assert_eq!(words[2], "diamond");
            let token = words[1];
            prop_assert!(!token.is_empty());
            prop_assert!(token.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)), "{:?}", token);
        }

        #[test]
        fn inside_a_json_string_the_value_decodes_back_and_cannot_escape(nick in hostile()) {
            let out = render(r#"tellraw @a {"text":"<{nickname}>"}"#, &Values { nickname: nick.clone(), ..Values::default() }).unwrap();
            let rest = out.strip_prefix(r#"tellraw @a {"text":"#).unwrap();
            let (text, after) = read_quoted(rest, '"').unwrap();
            prop_assert_eq!(after, "}");
            let want: String = nick.chars().filter(|&c| !is_stripped(c)).collect();
            prop_assert_eq!(text, format!("<{want}>"));
            prop_assert!(!out.chars().any(|c| c.is_control()));
        }

        #[test]
        fn json_in_snbt_decodes_back_through_both_levels(nick in hostile()) {
            let out = render(r#"summon pig ~ ~ ~ {CustomName:'{"text":"{nickname}"}'}"#, &Values { nickname: nick.clone(), ..Values::default() }).unwrap();
            let rest = out.strip_prefix("summon pig ~ ~ ~ {CustomName:").unwrap();
            let (snbt, after) = read_quoted(rest, '\'').unwrap();
            prop_assert_eq!(after, "}");
            let json_rest = snbt.strip_prefix(r#"{"text":"#).unwrap();
            let (text, after) = read_quoted(json_rest, '"').unwrap();
            prop_assert_eq!(after, "}");
            let want: String = nick.chars().filter(|&c| !is_stripped(c)).collect();
            prop_assert_eq!(text, want);
        }
    }
}
