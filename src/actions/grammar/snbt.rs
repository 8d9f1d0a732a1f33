//! SNBT and JSON values inside commands (text components, NBT, item components, selector
//! arguments): their structure, and what the strings in them are — text, a name, a whole command, or
//! a text component inside a string.

use super::{NoMatch, Parsed, Rule, Step, command_into, peek, selector_head, skip_ws};

/// How strings and bare values are read inside a structured argument.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// A JSON/SNBT text component: strings are text.
    Component,
    /// SNBT data: strings under text-holding keys (`CustomName`, `Lore`…) are text components.
    Nbt,
    /// Selector arguments `[name=…,tag=…]`.
    Selector,
}

/// SNBT keys whose string value is itself a text component (JSON in a string before 1.21.5).
const TEXT_KEYS: &[&str] = &[
    "CustomName",
    "Name",
    "Lore",
    "Text1",
    "Text2",
    "Text3",
    "Text4",
    "messages",
    "filtered_messages",
    "pages",
    "custom_name",
    "item_name",
    "lore",
];

/// The key a value sits under and the key of the compound around it (for `clickEvent.value`,
/// `score.name`).
#[derive(Clone, Copy)]
pub(super) struct Keys<'k> {
    key: Option<&'k str>,
    parent: Option<&'k str>,
}

impl Keys<'_> {
    pub(super) const NONE: Keys<'static> = Keys {
        key: None,
        parent: None,
    };
}

/// What a string or bare value under these keys is, whatever it contains.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyRole {
    /// A command (`Command` of command blocks, `run_command`/`suggest_command` click events).
    Command,
    /// A selector or name (`selector`, `entity`, `score.name`).
    Entity,
    /// Interpreted data we never put free text in (`nbt`, `block`, `storage`, `url`).
    Word,
    /// A text component inside SNBT (`CustomName`, `Lore`…).
    TextComponent,
    Plain,
}

fn key_role(keys: Keys<'_>, mode: Mode) -> KeyRole {
    let Some(key) = keys.key else {
        return KeyRole::Plain;
    };
    let parent = keys.parent.unwrap_or("");
    let click = parent.eq_ignore_ascii_case("clickEvent") || parent == "click_event";
    if key.eq_ignore_ascii_case("command") || (click && key == "value") {
        KeyRole::Command
    } else if key == "selector" || key == "entity" || (key == "name" && parent == "score") {
        KeyRole::Entity
    } else if matches!(key, "nbt" | "block" | "storage" | "url") {
        KeyRole::Word
    } else if mode == Mode::Nbt && TEXT_KEYS.contains(&key) {
        KeyRole::TextComponent
    } else {
        KeyRole::Plain
    }
}

pub(super) fn value(
    text: &str,
    pos: &mut usize,
    quotes: &[char],
    mode: Mode,
    keys: Keys<'_>,
    out: &mut Parsed,
) -> Step {
    *pos = skip_ws(text, *pos);
    match peek(text, *pos).ok_or(NoMatch)? {
        '{' => compound(text, pos, quotes, mode, keys, out),
        '[' => list(text, pos, quotes, mode, keys, out),
        q @ ('"' | '\'') => string(text, pos, q, quotes, mode, keys, out),
        _ => bare(text, pos, quotes, mode, keys, out),
    }
}

/// The mode for values inside a container under `keys`.
fn inner_mode(mode: Mode, keys: Keys<'_>) -> Mode {
    if key_role(keys, mode) == KeyRole::TextComponent {
        Mode::Component
    } else {
        mode
    }
}

pub(super) fn compound(
    text: &str,
    pos: &mut usize,
    quotes: &[char],
    mode: Mode,
    keys: Keys<'_>,
    out: &mut Parsed,
) -> Step {
    let mode = inner_mode(mode, keys);
    out.skeleton.push('{');
    *pos = skip_ws(text, *pos + 1);
    if text[*pos..].starts_with('}') {
        *pos += 1;
        out.skeleton.push('}');
        return Ok(());
    }
    loop {
        *pos = skip_ws(text, *pos);
        let key = match peek(text, *pos).ok_or(NoMatch)? {
            q @ ('"' | '\'') => {
                let (decoded, end) = read_string(text, *pos, q).ok_or(NoMatch)?;
                let mut inner = quotes.to_vec();
                inner.push(q);
                out.leaf(Rule::Text, &inner, &decoded);
                *pos = end;
                decoded
            }
            _ => {
                let end = text[*pos..]
                    .find(|c: char| c.is_whitespace() || ":=,{}[]\"'".contains(c))
                    .map_or(text.len(), |i| *pos + i);
                if end == *pos {
                    return Err(NoMatch);
                }
                let key = text[*pos..end].to_owned();
                out.leaf(Rule::Word, quotes, &key);
                *pos = end;
                key
            }
        };
        *pos = skip_ws(text, *pos);
        let sep = peek(text, *pos).filter(|c| *c == ':' || *c == '=');
        out.skeleton.push(sep.ok_or(NoMatch)?);
        *pos += 1;
        let inner_keys = Keys {
            key: Some(&key),
            parent: keys.key,
        };
        value(text, pos, quotes, mode, inner_keys, out)?;
        if next_or_close(text, pos, '}', out)? {
            return Ok(());
        }
    }
}

/// After an element: `,` (another follows: `false`) or the container's `close` (`true`).
fn next_or_close(
    text: &str,
    pos: &mut usize,
    close: char,
    out: &mut Parsed,
) -> Result<bool, NoMatch> {
    *pos = skip_ws(text, *pos);
    let c = peek(text, *pos).filter(|&c| c == ',' || c == close);
    out.skeleton.push(c.ok_or(NoMatch)?);
    *pos += 1;
    Ok(c == Some(close))
}

/// `[a,b]`, typed arrays `[I;1,2]`, and `key=value` lists (item components, block states,
/// selector arguments).
pub(super) fn list(
    text: &str,
    pos: &mut usize,
    quotes: &[char],
    mode: Mode,
    keys: Keys<'_>,
    out: &mut Parsed,
) -> Step {
    // Each element of a list under a text key (`Lore:['…','…']`, `pages`, `messages`) is a text
    // component itself: the elements keep the key and the mode, and each decides for itself.
    out.skeleton.push('[');
    *pos = skip_ws(text, *pos + 1);
    let rest = &text[*pos..];
    if let Some(kind) = rest.chars().next().filter(|c| "BIL".contains(*c))
        && rest[1..].trim_start().starts_with(';')
    {
        out.skeleton.push(kind);
        out.skeleton.push(';');
        *pos = skip_ws(text, *pos + 1) + 1;
    }
    *pos = skip_ws(text, *pos);
    if text[*pos..].starts_with(']') {
        *pos += 1;
        out.skeleton.push(']');
        return Ok(());
    }
    loop {
        // An element, or the key of a `key=value` pair (read as an element first).
        let start = skip_ws(text, *pos);
        let is_pair_key = {
            let probe_end = text[start..]
                .find(|c: char| c.is_whitespace() || "=,[]{}".contains(c))
                .map_or(text.len(), |i| start + i);
            !matches!(peek(text, start), Some('"' | '\'' | '{' | '['))
                && text[skip_ws(text, probe_end)..].starts_with('=')
        };
        if is_pair_key {
            let end = text[start..]
                .find(|c: char| c.is_whitespace() || "=,[]{}".contains(c))
                .map_or(text.len(), |i| start + i);
            let key = text[start..end].to_owned();
            out.leaf(Rule::Word, quotes, &key);
            *pos = skip_ws(text, end) + 1;
            out.skeleton.push('=');
            let inner_keys = Keys {
                key: Some(&key),
                parent: keys.key,
            };
            value(text, pos, quotes, mode, inner_keys, out)?;
        } else {
            value(text, pos, quotes, mode, keys, out)?;
        }
        if next_or_close(text, pos, ']', out)? {
            return Ok(());
        }
    }
}

/// Reads a quoted string starting at `start` (the quote); returns its content with escapes
/// removed and the position after the closing quote.
pub fn read_string(text: &str, start: usize, quote: char) -> Option<(String, usize)> {
    let mut decoded = String::new();
    let mut chars = text[start + quote.len_utf8()..].char_indices();
    let base = start + quote.len_utf8();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            let (_, next) = chars.next()?;
            decoded.push(next);
        } else if c == quote {
            return Some((decoded, base + i + 1));
        } else {
            decoded.push(c);
        }
    }
    None
}

fn string(
    text: &str,
    pos: &mut usize,
    quote: char,
    quotes: &[char],
    mode: Mode,
    keys: Keys<'_>,
    out: &mut Parsed,
) -> Step {
    let (decoded, end) = read_string(text, *pos, quote).ok_or(NoMatch)?;
    *pos = end;
    let mut inner = quotes.to_vec();
    inner.push(quote);
    match key_role(keys, mode) {
        KeyRole::Command => {
            out.skeleton.push('(');
            command_into(&decoded, &inner, out);
            out.skeleton.push(')');
        }
        KeyRole::Entity => {
            // `"selector":"@e"`: a selector the component resolves.
            out.selectors.extend(selector_head(&decoded));
            out.leaf(Rule::Entity, &inner, &decoded);
        }
        KeyRole::Word => out.leaf(Rule::Word, &inner, &decoded),
        KeyRole::TextComponent => {
            // The string holds a text component (JSON before 1.21.5). Read it as one when it is
            // one; otherwise it is plain text that a value must not turn into JSON.
            // Only a string that starts like JSON is read as JSON (a value cannot make one
            // start like that: see `placeholders::component_text`).
            if !decoded.trim_start().starts_with(['{', '[', '"', '\'']) {
                out.leaf(Rule::ComponentText, &inner, &decoded);
                return Ok(());
            }
            let mark = out.mark();
            out.skeleton.push('<');
            let mut p = 0;
            let keys = Keys {
                key: None,
                parent: None,
            };
            if value(&decoded, &mut p, &inner, Mode::Component, keys, out).is_ok()
                && skip_ws(&decoded, p) == decoded.len()
            {
                out.skeleton.push('>');
            } else {
                // Starts like JSON but is not: free text in it stays plain words, or a value
                // could complete the JSON.
                out.reset(mark);
                out.leaf(Rule::Word, &inner, &decoded);
            }
        }
        KeyRole::Plain => out.leaf(Rule::Text, &inner, &decoded),
    }
    Ok(())
}

fn bare(
    text: &str,
    pos: &mut usize,
    quotes: &[char],
    mode: Mode,
    keys: Keys<'_>,
    out: &mut Parsed,
) -> Step {
    let end = text[*pos..]
        .find(|c: char| c.is_whitespace() || ",=]}[{\"'".contains(c))
        .map_or(text.len(), |i| *pos + i);
    if end == *pos {
        return Err(NoMatch);
    }
    let rule = match key_role(keys, mode) {
        KeyRole::Entity => {
            out.selectors.extend(selector_head(&text[*pos..end]));
            Rule::Entity
        }
        KeyRole::Command | KeyRole::Word => Rule::Word,
        KeyRole::TextComponent => Rule::ComponentBare,
        KeyRole::Plain if mode == Mode::Selector && keys.key != Some("name") => Rule::Word,
        KeyRole::Plain => Rule::Bare,
    };
    out.leaf(rule, quotes, &text[*pos..end]);
    *pos = end;
    Ok(())
}
