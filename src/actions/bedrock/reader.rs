//! A reader of Bedrock Edition command lines (pure): for every piece of a command, the kind of
//! argument it is in Bedrock's grammar — a message (`say`, `me`, `tell`, `title`: selectors are
//! expanded anywhere in it), a target, a `{"rawtext":[…]}` text (`tellraw`, `titleraw`), a quoted
//! string, a word — and every selector the game would expand. Bedrock escaping uses it to pick the
//! rule for the argument a value lands in, and to check that a rendered command reads with the
//! template's shape. Not a validator: a command it does not know is read word by word, and every
//! value in it gets the strictest rule.

use std::collections::HashMap;
use std::sync::LazyLock;

mod json;

use json::{json_text, json_words};

/// How a value that lands in a leaf must be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// A greedy message: the game expands selectors anywhere in it.
    Message,
    /// The content of a JSON string that is shown as text (`"text"`, `"with"`).
    JsonText,
    /// An unquoted JSON value that is only the placeholder: written as a JSON string.
    JsonBare,
    /// A target (player name, score holder, anything inside a selector): a plain player name.
    Entity,
    /// The content of a quoted command string (a name tag, a tag): no quote or backslash.
    Quoted,
    /// One unquoted word: ids, numbers, and every argument of a command not known.
    Word,
}

/// One place in a command that holds free text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    pub rule: Rule,
    /// The text as written (placeholder markers included).
    pub text: String,
}

/// A command read into its structure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Literals, `_` per leaf, `M` a message, `<…>` a JSON text, `(…)` a command run by `execute`.
    pub skeleton: String,
    pub leaves: Vec<Leaf>,
    /// Every selector the game would expand, as `@kind[keys]`, in order.
    pub selectors: Vec<String>,
}

impl Parsed {
    fn leaf(&mut self, rule: Rule, text: &str) {
        self.skeleton.push('_');
        self.leaves.push(Leaf {
            rule,
            text: text.to_owned(),
        });
    }

    fn mark(&self) -> (usize, usize, usize) {
        (self.skeleton.len(), self.leaves.len(), self.selectors.len())
    }

    fn reset(&mut self, mark: (usize, usize, usize)) {
        self.skeleton.truncate(mark.0);
        self.leaves.truncate(mark.1);
        self.selectors.truncate(mark.2);
    }
}

/// The first marker: a placeholder's place while a template is read (plane 16, private use).
const MARKER_BASE: u32 = 0x10_0000;

/// True for the characters that stand for placeholders while a template is read.
pub fn is_marker(c: char) -> bool {
    (MARKER_BASE..=0x10_FFFD).contains(&u32::from(c))
}

/// The marker of the `index`-th text placeholder.
pub fn marker(index: usize) -> char {
    u32::try_from(index)
        .ok()
        .and_then(|i| char::from_u32(MARKER_BASE + i))
        .filter(|&c| is_marker(c))
        .unwrap_or('\u{10FFFD}')
}

/// Which placeholder a marker stands for.
pub fn marker_index(c: char) -> Option<usize> {
    is_marker(c).then(|| (u32::from(c) - MARKER_BASE) as usize)
}

/// Bedrock's selector kinds (longest first, so `@initiator` is not read as `@i…`).
pub const SELECTOR_KINDS: &[&str] = &["initiator", "p", "r", "a", "e", "s", "c", "v"];

/// The kind of selector at the start of `text` (just after an `@`), if any.
pub fn selector_kind(text: &str) -> Option<&'static str> {
    SELECTOR_KINDS.iter().copied().find(|kind| {
        text.get(..kind.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(kind))
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Bare,
    Quoted,
    Selector,
    Json,
}

/// One token: its kind and its byte range in the line.
#[derive(Clone, Copy, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

/// The end of a bracketed group starting at `start` (`{…}`, `[…]`), skipping quoted strings;
/// the line's end when it never closes.
fn group_end(line: &str, start: usize) -> usize {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line[start..].char_indices() {
        let at = start + i;
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at + 1;
                }
            }
            _ => {}
        }
    }
    line.len()
}

/// The end of a quoted string starting at `start` (a `"`), after its closing quote.
fn quoted_end(line: &str, start: usize) -> usize {
    let mut escaped = false;
    for (i, c) in line[start + 1..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return start + 1 + i + 1,
            _ => {}
        }
    }
    line.len()
}

fn lex(line: &str, from: usize) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut at = from;
    while at < line.len() {
        let Some(c) = line[at..].chars().next() else {
            break;
        };
        if c == ' ' {
            at += 1;
            continue;
        }
        let (tok, end) = match c {
            '"' => (Tok::Quoted, quoted_end(line, at)),
            '{' | '[' => (Tok::Json, group_end(line, at)),
            '@' if selector_kind(&line[at + 1..]).is_some() => {
                let kind = selector_kind(&line[at + 1..]).map_or(0, str::len);
                let after = at + 1 + kind;
                if line[after..].starts_with('[') {
                    (Tok::Selector, group_end(line, after))
                } else {
                    (Tok::Selector, after)
                }
            }
            _ => (
                Tok::Bare,
                line[at..].find(' ').map_or(line.len(), |i| at + i),
            ),
        };
        // A selector glued to more text (`@abc`) is one bare word.
        let (tok, end) =
            if tok == Tok::Selector && !line[end..].is_empty() && !line[end..].starts_with(' ') {
                (
                    Tok::Bare,
                    line[at..].find(' ').map_or(line.len(), |i| at + i),
                )
            } else {
                (tok, end)
            };
        tokens.push(Token {
            tok,
            start: at,
            end,
        });
        at = end.max(at + c.len_utf8());
    }
    tokens
}

/// Records a selector token (`@a[name=…,tag=…]`): its kind and keys in the skeleton and the
/// selector list, each value a target leaf.
fn selector(text: &str, out: &mut Parsed) {
    let kind = selector_kind(&text[1..]).unwrap_or("?");
    let mut normal = format!("@{}", kind.to_ascii_lowercase());
    let rest = &text[1 + kind.len()..];
    if let Some(inner) = rest.strip_prefix('[') {
        let inner = inner.strip_suffix(']').unwrap_or(inner);
        let mut keys = Vec::new();
        for part in split_top(inner, ',') {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            keys.push(key.trim().to_ascii_lowercase());
            out.leaves.push(Leaf {
                rule: Rule::Entity,
                text: value.to_owned(),
            });
        }
        normal = format!("{normal}[{}]", keys.join(","));
    }
    out.skeleton.push_str(&normal);
    out.selectors.push(normal);
}

/// Splits at `sep` outside brackets and quotes.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut start) = (0usize, false, false, 0);
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            _ if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if start < text.len() || !parts.is_empty() {
        parts.push(&text[start..]);
    }
    parts
}

/// The argument kinds of a shape: `E` target, `M` message, `J` rawtext JSON, `S` string (a
/// quoted one keeps its text), `T` token, `P` position (three coordinates), `X` a command (rest
/// of the line), `=a|b` a literal; a trailing `?` makes the rest optional.
static SHAPES: LazyLock<HashMap<&'static str, Vec<&'static str>>> = LazyLock::new(|| {
    let mut m: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
    for name in ["say", "me"] {
        m.insert(name, vec!["M"]);
    }
    for name in ["tell", "msg", "w"] {
        m.insert(name, vec!["E M"]);
    }
    m.insert("tellraw", vec!["E J"]);
    m.insert(
        "titleraw",
        vec![
            "E =title|subtitle|actionbar J",
            "E =clear|reset",
            "E =times T T T",
        ],
    );
    m.insert(
        "title",
        vec![
            "E =title|subtitle|actionbar M",
            "E =clear|reset",
            "E =times T T T",
        ],
    );
    m.insert(
        "summon",
        vec![
            "T P? T? T? T? S?",
            "T S P?",
            "T P =facing E T? S?",
            "T P =facing P T? S?",
        ],
    );
    m.insert("give", vec!["E T T? T? T?"]);
    m.insert("clear", vec!["E? T? T? T?"]);
    m.insert("effect", vec!["E =clear T?", "E T T? T? T?"]);
    for name in ["tp", "teleport"] {
        m.insert(
            name,
            vec![
                "E",
                "P",
                "E E T?",
                "E P T? T? T?",
                "P T? T? T?",
                "E P =facing E T?",
                "E P =facing P T?",
            ],
        );
    }
    m.insert("kill", vec!["E?"]);
    m.insert("playsound", vec!["T E? P? T? T? T?"]);
    m.insert("gamemode", vec!["T E?"]);
    m.insert("xp", vec!["T E?"]);
    m.insert("enchant", vec!["E T T?"]);
    m.insert("damage", vec!["E T T? =entity E", "E T T?"]);
    m.insert("spawnpoint", vec!["E? P?"]);
    m.insert("camerashake", vec!["=add E T? T? T?", "=stop E?"]);
    m.insert("tag", vec!["E =add|remove S", "E =list"]);
    m.insert(
        "scoreboard",
        vec![
            "=players =add|remove|set E T T",
            "=players =reset E T?",
            "=players =list E?",
            "=players =random E T T T",
            "=players =test E T T T?",
            "=players =operation E T T E T",
            "=objectives =add T T S?",
            "=objectives =remove T",
            "=objectives =setdisplay T T? T?",
            "=objectives =list",
        ],
    );
    m
});

/// Whether a token is a coordinate (`~`, `^`, numbers, `~-2`).
fn is_coordinate(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '~' | '^' | '-' | '+' | '.'))
}

/// `execute`'s subcommand names and their keywords: structure, not arguments.
const SUBCOMMANDS: &[&str] = &[
    "as",
    "at",
    "positioned",
    "align",
    "anchored",
    "facing",
    "rotated",
    "in",
    "if",
    "unless",
    "entity",
    "block",
    "blocks",
    "score",
    "matches",
    "detect",
];

#[derive(Debug)]
struct NoMatch;

struct Reader<'a> {
    line: &'a str,
    tokens: Vec<Token>,
    depth: usize,
}

impl Reader<'_> {
    fn text(&self, token: Token) -> &str {
        &self.line[token.start..token.end]
    }

    /// Reads `tokens[at..]` against one shape.
    fn shape(&self, specs: &[&str], mut at: usize, out: &mut Parsed) -> Result<(), NoMatch> {
        let mut optional = false;
        for spec in specs {
            let (spec, opt) = spec.strip_suffix('?').map_or((*spec, false), |s| (s, true));
            optional |= opt;
            if at >= self.tokens.len() {
                if spec == "M" {
                    // An empty message (a viewer with no name) is still a message.
                    out.skeleton.push(' ');
                    message("", out);
                    return Ok(());
                }
                return if optional { Ok(()) } else { Err(NoMatch) };
            }
            let token = self.tokens[at];
            out.skeleton.push(' ');
            match spec {
                "M" | "J" | "X" => {
                    let rest = &self.line[token.start..];
                    match spec {
                        "M" => message(rest, out),
                        "J" => json_text(rest, out),
                        _ => self.command(rest, out),
                    }
                    return Ok(());
                }
                "E" => self.target(token, out)?,
                "P" => {
                    for i in 0..3 {
                        let t = self.tokens.get(at + i).ok_or(NoMatch)?;
                        if t.tok != Tok::Bare || !is_coordinate(self.text(*t)) {
                            return Err(NoMatch);
                        }
                        out.skeleton.push_str("p ");
                    }
                    at += 2;
                }
                "S" if token.tok == Tok::Quoted => {
                    out.skeleton.push('"');
                    out.leaf(Rule::Quoted, self.text(token));
                }
                "S" | "T" => self.word(token, out),
                literal => {
                    let words = literal.strip_prefix('=').unwrap_or(literal);
                    let text = self.text(token);
                    let hit = words.split('|').find(|w| w.eq_ignore_ascii_case(text));
                    match (token.tok, hit) {
                        (Tok::Bare, Some(word)) => out.skeleton.push_str(word),
                        _ => return Err(NoMatch),
                    }
                }
            }
            at += 1;
        }
        if at == self.tokens.len() {
            Ok(())
        } else {
            Err(NoMatch)
        }
    }

    fn target(&self, token: Token, out: &mut Parsed) -> Result<(), NoMatch> {
        match token.tok {
            Tok::Selector => selector(self.text(token), out),
            Tok::Bare | Tok::Quoted => out.leaf(Rule::Entity, self.text(token)),
            Tok::Json => return Err(NoMatch),
        }
        Ok(())
    }

    /// A token read as a word (any argument of a command not known).
    fn word(&self, token: Token, out: &mut Parsed) {
        let text = self.text(token);
        match token.tok {
            Tok::Selector => selector(text, out),
            Tok::Json => json_words(text, out),
            Tok::Quoted => {
                out.skeleton.push('"');
                out.leaf(Rule::Word, text);
            }
            Tok::Bare => out.leaf(Rule::Word, text),
        }
    }

    fn command(&self, rest: &str, out: &mut Parsed) {
        out.skeleton.push('(');
        if self.depth < 8 {
            command_into(rest, self.depth + 1, out);
        } else {
            out.leaf(Rule::Word, rest);
        }
        out.skeleton.push(')');
    }

    /// Token `i` is `as`, `at` or `entity`: the next one is a target.
    fn is_target_keyword(&self, i: usize) -> bool {
        let token = self.tokens[i];
        i > 0 && token.tok == Tok::Bare && matches!(self.text(token), "as" | "at" | "entity")
    }

    /// `execute …`: Bedrock's `… run <command>`, or the old `execute <target> <x y z> <command>`.
    fn execute(&self, out: &mut Parsed) {
        // The old syntax starts with a target, the new one with a subcommand.
        let first = self.tokens.get(1).map(|t| (t.tok, self.text(*t)));
        let starts_new = matches!(first, Some((Tok::Bare, w)) if SUBCOMMANDS.contains(&w));
        let old = !starts_new
            && self.tokens.len() > 5
            && (2..5).all(|i| is_coordinate(self.text(self.tokens[i])));
        // The `run` that ends the subcommands (not a target named "run" after `as`).
        let run = (1..self.tokens.len()).find(|&i| {
            !old && self.tokens[i].tok == Tok::Bare
                && self.text(self.tokens[i]) == "run"
                && !self.is_target_keyword(i - 1)
        });
        let (args_end, command_at) = match (run, old) {
            (Some(i), _) => (i, i + 1),
            (None, true) => (5, 5),
            (None, false) => (self.tokens.len(), self.tokens.len()),
        };
        for (i, &token) in self.tokens[1..args_end].iter().enumerate() {
            out.skeleton.push(' ');
            let is_target = (i == 0 && old) || self.is_target_keyword(i);
            if is_target {
                let _ = self.target(token, out);
            } else if token.tok == Tok::Bare && !is_coordinate(self.text(token)) {
                // Subcommand names are structure; anything else is a word.
                match self.text(token) {
                    w if SUBCOMMANDS.contains(&w) => out.skeleton.push_str(w),
                    _ => self.word(token, out),
                }
            } else {
                self.word(token, out);
            }
        }
        if let Some(&token) = self.tokens.get(command_at) {
            out.skeleton
                .push_str(if run.is_some() { " run " } else { " " });
            self.command(&self.line[token.start..], out);
        } else if run.is_some() {
            out.skeleton.push_str(" run");
        }
    }
}

/// Reads a command (a leading `/` is allowed). Never fails.
pub fn read(line: &str) -> Parsed {
    let mut out = Parsed::default();
    command_into(line, 0, &mut out);
    out
}

fn command_into(line: &str, depth: usize, out: &mut Parsed) {
    let line = line.trim_start_matches(' ');
    let line = line.strip_prefix('/').unwrap_or(line);
    let reader = Reader {
        line,
        tokens: lex(line, 0),
        depth,
    };
    let Some(&first) = reader.tokens.first() else {
        return;
    };
    let name = reader.text(first).to_ascii_lowercase();
    if first.tok != Tok::Bare || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        // A placeholder (or anything else) as the command itself: words only.
        for &token in &reader.tokens {
            out.skeleton.push(' ');
            reader.word(token, out);
        }
        return;
    }
    out.skeleton.push_str(&name);
    if name == "execute" {
        reader.execute(out);
        return;
    }
    if let Some(shapes) = SHAPES.get(name.as_str()) {
        for shape in shapes {
            let mark = out.mark();
            let specs: Vec<&str> = shape.split(' ').collect();
            if reader.shape(&specs, 1, out).is_ok() {
                return;
            }
            out.reset(mark);
        }
    }
    // Not known (or no shape fits): every argument is a word.
    for &token in &reader.tokens[1..] {
        out.skeleton.push(' ');
        reader.word(token, out);
    }
}

/// A message: the rest of the line, every `@kind` in it a selector.
fn message(rest: &str, out: &mut Parsed) {
    out.skeleton.push('M');
    out.leaves.push(Leaf {
        rule: Rule::Message,
        text: rest.to_owned(),
    });
    for (i, _) in rest.match_indices('@') {
        if let Some(kind) = selector_kind(&rest[i + 1..]) {
            out.selectors
                .push(format!("@{}", kind.to_ascii_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(line: &str) -> Vec<Rule> {
        read(line).leaves.iter().map(|l| l.rule).collect()
    }

    #[test]
    fn messages_targets_and_rawtext_are_told_apart() {
        assert_eq!(rules("say hi @a there"), [Rule::Message]);
        assert_eq!(read("say hi @a there").selectors, ["@a"]);
        assert_eq!(rules("tell Steve hello"), [Rule::Entity, Rule::Message]);
        let raw = read(r#"tellraw @a {"rawtext":[{"text":"hi "},{"selector":"@p"}]}"#);
        assert_eq!(raw.selectors, ["@a", "@p"]);
        assert_eq!(
            raw.leaves.iter().map(|l| l.rule).collect::<Vec<_>>(),
            [Rule::JsonText]
        );
        assert_eq!(
            raw.skeleton,
            r#"tellraw @a <{"rawtext":[{"text":_},{"selector":@p}]}>"#
        );
        assert_eq!(
            rules(r#"titleraw @s actionbar {"rawtext":[{"text":"x"}]}"#),
            [Rule::JsonText]
        );
        assert_eq!(rules("title @a title Big news"), [Rule::Message]);
    }

    #[test]
    fn selectors_keep_their_keys_and_values_are_targets() {
        let p = read("kill @e[type=zombie,r=10]");
        assert_eq!(p.selectors, ["@e[type,r]"]);
        assert_eq!(
            rules("kill @e[type=zombie,r=10]"),
            [Rule::Entity, Rule::Entity]
        );
        assert_eq!(read("say @initiator").selectors, ["@initiator"]);
        assert_eq!(read("tell @abc hi").skeleton, read("tell Bob hi").skeleton);
    }

    #[test]
    fn summon_name_tags_and_execute_run() {
        assert_eq!(
            rules(r#"summon zombie "Bob the Builder" ~ ~1 ~"#),
            [Rule::Word, Rule::Quoted]
        );
        assert_eq!(rules("summon tnt ~ ~ ~"), [Rule::Word]);
        let ex = read("execute as @a at @s run say hi");
        assert_eq!(ex.skeleton, "execute as @a at @s run (say M)");
        assert_eq!(ex.selectors, ["@a", "@s"]);
        assert_eq!(
            read("execute as run at @s run say hi").skeleton,
            read("execute as Steve at @s run say hi").skeleton,
            "a target named run is not the run keyword"
        );
        let old = read("execute @a ~ ~ ~ summon tnt");
        assert_eq!(old.skeleton, "execute @a _ _ _ (summon _)");
    }

    #[test]
    fn unknown_commands_are_words_only() {
        assert_eq!(
            rules(r#"mycommand give "some text" {"a":"b"} x"#),
            [Rule::Word, Rule::Word, Rule::Word, Rule::Word]
        );
        assert_eq!(read("").skeleton, "");
    }
}
