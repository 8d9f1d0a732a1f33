//! A small reader of the Minecraft command shapes giftdeck knows: for every piece of a command, which
//! kind of argument it is (a greedy message, a word, an entity, a text component, NBT) and which
//! quoted strings it sits in, down into strings that hold JSON text or whole commands (click events,
//! command blocks). Placeholder escaping uses it to pick the rule for the argument a value lands in;
//! tests use it to check that a rendered command keeps the template's structure.
//!
//! It follows Minecraft's own reading rules where they matter for structure (a message takes the
//! rest of the line and expands `@p/@a/@r/@s/@e/@n` anywhere in it; an entity is a selector or an
//! unquoted name; SNBT/JSON strings end at their own unescaped quote) and is not a validator: a
//! command it cannot match is read as an unknown command, where every value gets the strictest rule.

use std::collections::HashMap;
use std::sync::LazyLock;

mod snbt;

pub use snbt::read_string;
use snbt::{Keys, Mode, compound, list, value};

/// How a value that lands in a leaf must be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// A greedy message (`say`, `me`, `msg`, `teammsg`, `kick` reasons): Minecraft expands
    /// selectors anywhere in it, quotes or not.
    Message,
    /// The content of a quoted string that is plain text (a JSON text, an NBT string).
    Text,
    /// A player name, entity or score holder: a valid Minecraft name, never a selector.
    Entity,
    /// One unquoted word (ids, tags, objectives, numbers, anything in an unknown command).
    Word,
    /// An unquoted SNBT/JSON value: when the value is the whole of it, it is written as a quoted
    /// string; when it is only part of it, as a word.
    Bare,
    /// The plain-text content of a string under a text-component key (`CustomName:"…"`,
    /// `Lore:['…']`): text since 1.21.5, but read as JSON by older servers, so a value must not
    /// make the string start like JSON.
    ComponentText,
    /// [`Rule::Bare`] under a text-component key; quoted with the [`Rule::ComponentText`] guard.
    ComponentBare,
}

/// One place in a command that holds free text: a word, a name, a message, a string's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    pub rule: Rule,
    /// The quoted strings this leaf sits in, outermost first (`'` or `"`).
    pub quotes: Vec<char>,
    /// The text as Minecraft reads it (escapes of the enclosing strings removed).
    pub text: String,
}

/// A command read into its structure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The shape: command and keyword literals, `@x` selectors, brackets, separators and `_` for
    /// each leaf, `M` for a message; `<…>` wraps a string read as a text component and `(…)` a
    /// string read as a command.
    pub skeleton: String,
    /// Every leaf, in order.
    pub leaves: Vec<Leaf>,
    /// Every selector Minecraft would expand (`@a`, `@e`…), in order, including those inside
    /// messages and inside strings that are commands.
    pub selectors: Vec<String>,
}

impl Parsed {
    fn mark(&self) -> (usize, usize, usize) {
        (self.skeleton.len(), self.leaves.len(), self.selectors.len())
    }

    fn reset(&mut self, mark: (usize, usize, usize)) {
        self.skeleton.truncate(mark.0);
        self.leaves.truncate(mark.1);
        self.selectors.truncate(mark.2);
    }

    fn leaf(&mut self, rule: Rule, quotes: &[char], text: &str) {
        self.skeleton.push('_');
        self.leaves.push(Leaf {
            rule,
            quotes: quotes.to_vec(),
            text: text.to_owned(),
        });
    }
}

/// The selector kinds vanilla knows (`@n` since 1.21).
pub const SELECTOR_KINDS: &str = "parsen";

/// Reads a command (a leading `/` is allowed). Never fails: what it cannot match is read as an
/// unknown command.
pub fn parse_command(command: &str) -> Parsed {
    let mut out = Parsed::default();
    command_into(command, &[], &mut out);
    out
}

/// "Does not match"; callers try the next shape or fall back.
#[derive(Debug)]
struct NoMatch;

type Step = Result<(), NoMatch>;

/// The per-command shapes, tried in order; the first that reads the whole command wins.
/// `E` entity, `M` message (rest of line), `T` token (word/id/number/item with `[…]{…}`),
/// `P` position (3 tokens), `R` rotation (2 tokens), `C` text component, `N` SNBT value,
/// `X` a command (rest of line), `=a|b` literal keywords; `?` marks optional trailing arguments.
static SHAPES: LazyLock<HashMap<&'static str, Vec<String>>> = LazyLock::new(|| {
    let s = |list: &[&str]| list.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
    let mut m = HashMap::new();
    for name in ["say", "me", "teammsg", "tm"] {
        m.insert(name, s(&["M"]));
    }
    for name in ["msg", "tell", "w"] {
        m.insert(name, s(&["E M"]));
    }
    m.insert("kick", s(&["E M", "E"]));
    m.insert("tellraw", s(&["E C"]));
    m.insert(
        "title",
        s(&[
            "E =title|subtitle|actionbar C",
            "E =clear|reset",
            "E =times T T T",
        ]),
    );
    m.insert("give", s(&["E T T?"]));
    m.insert("summon", s(&["T P? N?"]));
    m.insert("effect", s(&["=give E T T? T? T?", "=clear E? T?"]));
    for name in ["tp", "teleport"] {
        m.insert(
            name,
            s(&[
                "E",
                "P",
                "E E",
                "E P R?",
                "E P =facing =entity E T?",
                "E P =facing P",
                "P R?",
            ]),
        );
    }
    m.insert("kill", s(&["E?"]));
    m.insert("playsound", s(&["T T E P? T? T? T?"]));
    m.insert(
        "scoreboard",
        s(&[
            "=players =add|remove|set E T T",
            "=players =reset E T?",
            "=players =get|enable E T",
            "=players =operation E T T E T",
            "=players =list E?",
            "=players =display =name E T C?",
            "=objectives =add T T C?",
            "=objectives =remove T",
            "=objectives =setdisplay T T?",
            "=objectives =modify T =displayname C",
            "=objectives =modify T T T?",
            "=objectives =list",
        ]),
    );
    m.insert(
        "bossbar",
        s(&[
            "=add T C",
            "=set T =name C",
            "=set T =players E?",
            "=set T T T?",
            "=remove T",
            "=get T T",
            "=list",
        ]),
    );
    let mut data = Vec::new();
    for target in ["=entity E", "=block P", "=storage T"] {
        data.push(format!("=merge {target} N"));
        data.push(format!("=get {target} T? T?"));
        data.push(format!("=remove {target} T"));
        data.push(format!(
            "=modify {target} T =set|merge|append|prepend =value N"
        ));
        data.push(format!("=modify {target} T =insert T =value N"));
        for source in ["=entity E", "=block P", "=storage T"] {
            data.push(format!(
                "=modify {target} T =set|merge|append|prepend =from {source} T?"
            ));
            data.push(format!(
                "=modify {target} T =set|merge|append|prepend =string {source} T? T? T?"
            ));
        }
    }
    m.insert("data", data);
    let mut item = Vec::new();
    for target in ["=entity E", "=block P"] {
        item.push(format!("=replace {target} T =with T T?"));
        item.push(format!("=modify {target} T T"));
        for source in ["=entity E", "=block P"] {
            item.push(format!("=replace {target} T =from {source} T T?"));
        }
    }
    m.insert("item", item);
    m.insert("clear", s(&["E? T? T?"]));
    m.insert("setblock", s(&["P T T?"]));
    m.insert("fill", s(&["P P T =replace T?", "P P T T?"]));
    m.insert("tag", s(&["E =add|remove T", "E =list"]));
    m.insert(
        "team",
        s(&[
            "=add T C?",
            "=join T E?",
            "=leave E",
            "=remove|empty T",
            "=list T?",
            "=modify T =displayName|prefix|suffix C",
            "=modify T T T",
        ]),
    );
    m.insert(
        "function",
        s(&[
            "T =with =entity E T?",
            "T =with =block P T?",
            "T =with =storage T T?",
            "T N?",
        ]),
    );
    m.insert("gamemode", s(&["T E?"]));
    for name in ["xp", "experience"] {
        m.insert(name, s(&["=add|set E T T?", "=query E T"]));
    }
    m.insert("weather", s(&["T T?"]));
    m.insert("time", s(&["=add|set|query T"]));
    m.insert("particle", s(&["T P? P? T? T? T? E?"]));
    m.insert("spawnpoint", s(&["E? P? T?"]));
    m.insert("enchant", s(&["E T T?"]));
    m
});

/// The `execute` sub-commands (each read as a prefix, in a loop, until `run`).
static EXECUTE_STEPS: &[&str] = &[
    "=as|at E",
    "=positioned =as E",
    "=positioned =over T",
    "=positioned P",
    "=rotated =as E",
    "=rotated R",
    "=facing =entity E T",
    "=facing P",
    "=align|anchored|in|on|summon T",
    "=if|unless =block P T",
    "=if|unless =blocks P P P T",
    "=if|unless =entity E",
    "=if|unless =score E T =matches T",
    "=if|unless =score E T T E T",
    "=if|unless =data =block P T",
    "=if|unless =data =entity E T",
    "=if|unless =data =storage T T",
    "=if|unless =predicate|function|dimension T",
    "=if|unless =biome P T",
    "=if|unless =loaded P",
    "=if|unless =items =block P T T",
    "=if|unless =items =entity E T T",
    "=store =result|success =block P T T T",
    "=store =result|success =bossbar T T",
    "=store =result|success =entity E T T T",
    "=store =result|success =score E T",
    "=store =result|success =storage T T T T",
];

fn skip_ws(text: &str, mut pos: usize) -> usize {
    while let Some(c) = text[pos..].chars().next() {
        if !c.is_whitespace() {
            break;
        }
        pos += c.len_utf8();
    }
    pos
}

fn peek(text: &str, pos: usize) -> Option<char> {
    text[pos..].chars().next()
}

/// The end of a run of non-whitespace starting at `pos`.
fn word_end(text: &str, pos: usize) -> usize {
    text[pos..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| pos + i)
}

fn at_arg_end(text: &str, pos: usize) -> bool {
    peek(text, pos).is_none_or(char::is_whitespace)
}

fn command_into(text: &str, quotes: &[char], out: &mut Parsed) {
    let mut pos = skip_ws(text, 0);
    if text[pos..].starts_with('/') {
        pos += 1;
    }
    let end = word_end(text, pos);
    let name = &text[pos..end];
    let key = name.strip_prefix("minecraft:").unwrap_or(name);
    let mark = out.mark();
    if key == "execute" {
        out.skeleton.push_str(name);
        let mut p = end;
        if execute(text, &mut p, quotes, out).is_ok() {
            return;
        }
        out.reset(mark);
    } else if let Some(shapes) = SHAPES.get(key) {
        for shape in shapes {
            out.skeleton.push_str(name);
            let mut p = end;
            if run_shape(shape, text, &mut p, quotes, out).is_ok() && skip_ws(text, p) == text.len()
            {
                return;
            }
            out.reset(mark);
        }
    }
    unknown(text, pos, quotes, out);
}

/// A command we do not know (a plugin's, or a shape we cannot match): every whitespace-separated
/// word is a leaf with the strictest rule.
fn unknown(text: &str, mut pos: usize, quotes: &[char], out: &mut Parsed) {
    out.skeleton.push('?');
    loop {
        pos = skip_ws(text, pos);
        if pos >= text.len() {
            return;
        }
        let end = word_end(text, pos);
        out.skeleton.push(' ');
        out.leaf(Rule::Word, quotes, &text[pos..end]);
        pos = end;
    }
}

fn execute(text: &str, pos: &mut usize, quotes: &[char], out: &mut Parsed) -> Step {
    loop {
        let p = skip_ws(text, *pos);
        if p >= text.len() {
            return Ok(());
        }
        if &text[p..word_end(text, p)] == "run" {
            out.skeleton.push_str(" run ");
            command_into(&text[p + 3..], quotes, out);
            *pos = text.len();
            return Ok(());
        }
        let mark = out.mark();
        let mut matched = false;
        for step in EXECUTE_STEPS {
            let mut q = *pos;
            if run_shape(step, text, &mut q, quotes, out).is_ok() {
                *pos = q;
                matched = true;
                break;
            }
            out.reset(mark);
        }
        if !matched {
            return Err(NoMatch);
        }
    }
}

fn run_shape(shape: &str, text: &str, pos: &mut usize, quotes: &[char], out: &mut Parsed) -> Step {
    for spec in shape.split(' ') {
        let (spec, optional) = match spec.strip_suffix('?') {
            Some(spec) => (spec, true),
            None => (spec, false),
        };
        let start = skip_ws(text, *pos);
        if optional && start >= text.len() {
            return Ok(());
        }
        if start == *pos && *pos > 0 && spec != "M" {
            // Arguments are separated by a space.
            return Err(NoMatch);
        }
        out.skeleton.push(' ');
        match spec {
            "M" => message(text, pos, quotes, out)?,
            "E" => entity(text, pos, quotes, out)?,
            "T" => token(text, pos, quotes, out)?,
            "P" | "R" => {
                let n = if spec == "P" { 3 } else { 2 };
                for i in 0..n {
                    if i > 0 {
                        if !at_arg_end(text, *pos) {
                            return Err(NoMatch);
                        }
                        out.skeleton.push(' ');
                    }
                    token(text, pos, quotes, out)?;
                }
            }
            "C" | "N" => {
                let mode = if spec == "C" {
                    Mode::Component
                } else {
                    Mode::Nbt
                };
                *pos = start;
                value(text, pos, quotes, mode, Keys::NONE, out)?;
                if !at_arg_end(text, *pos) {
                    return Err(NoMatch);
                }
            }
            "X" => {
                command_into(&text[start..], quotes, out);
                *pos = text.len();
            }
            literal => {
                let literal = literal.strip_prefix('=').ok_or(NoMatch)?;
                let end = word_end(text, start);
                let word = &text[start..end];
                if !literal.split('|').any(|l| l == word) {
                    return Err(NoMatch);
                }
                out.skeleton.push_str(word);
                *pos = end;
            }
        }
    }
    Ok(())
}

/// A greedy message: exactly one space, then the rest of the line.
fn message(text: &str, pos: &mut usize, quotes: &[char], out: &mut Parsed) -> Step {
    let rest = text[*pos..].strip_prefix(' ').ok_or(NoMatch)?;
    out.skeleton.push('M');
    out.leaves.push(Leaf {
        rule: Rule::Message,
        quotes: quotes.to_vec(),
        text: rest.to_owned(),
    });
    out.selectors.extend(selectors_in_message(rest));
    *pos = text.len();
    Ok(())
}

/// The selectors Minecraft expands inside a message: `@` followed by a selector kind.
pub fn selectors_in_message(message: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '@'
            && let Some(&kind) = chars.peek()
            && SELECTOR_KINDS.contains(kind)
        {
            found.push(format!("@{kind}"));
        }
    }
    found
}

/// `@x` when `text` starts with a selector.
fn selector_head(text: &str) -> Option<String> {
    let kind = text.trim_start().strip_prefix('@')?.chars().next()?;
    SELECTOR_KINDS.contains(kind).then(|| format!("@{kind}"))
}

/// A selector (`@a[…]`), `*`, or an unquoted name or UUID.
fn entity(text: &str, pos: &mut usize, quotes: &[char], out: &mut Parsed) -> Step {
    let mut p = skip_ws(text, *pos);
    if text[p..].starts_with('@') {
        let kind = peek(text, p + 1).filter(|k| SELECTOR_KINDS.contains(*k));
        let kind = kind.ok_or(NoMatch)?;
        out.skeleton.push('@');
        out.skeleton.push(kind);
        out.selectors.push(format!("@{kind}"));
        p += 2;
        if text[p..].starts_with('[') {
            list(text, &mut p, quotes, Mode::Selector, Keys::NONE, out)?;
        }
    } else {
        let end = word_end(text, p);
        let name = &text[p..end];
        let name_char = |c: char| c.is_ascii_alphanumeric() || "_-.+*".contains(c) || is_marker(c);
        if name.is_empty() || !name.chars().all(name_char) {
            return Err(NoMatch);
        }
        out.leaf(Rule::Entity, quotes, name);
        p = end;
    }
    if !at_arg_end(text, p) {
        return Err(NoMatch);
    }
    *pos = p;
    Ok(())
}

/// Placeholder markers (see `placeholders`) count as name characters so a template's own shape is
/// read the same with and without a value in it.
pub fn is_marker(c: char) -> bool {
    ('\u{F0000}'..='\u{FFFFD}').contains(&c)
}

/// One argument token: a structured value, or a word/id/number optionally followed by `[…]`
/// (components, block states) and `{…}` (NBT).
fn token(text: &str, pos: &mut usize, quotes: &[char], out: &mut Parsed) -> Step {
    let mut p = skip_ws(text, *pos);
    match peek(text, p) {
        None => return Err(NoMatch),
        Some('{' | '[' | '"' | '\'') => value(text, &mut p, quotes, Mode::Nbt, Keys::NONE, out)?,
        Some(_) => {
            let end = text[p..]
                .find(|c: char| c.is_whitespace() || c == '[' || c == '{')
                .map_or(text.len(), |i| p + i);
            if end > p {
                out.leaf(Rule::Word, quotes, &text[p..end]);
            }
            p = end;
            if text[p..].starts_with('[') {
                list(text, &mut p, quotes, Mode::Nbt, Keys::NONE, out)?;
            }
            if text[p..].starts_with('{') {
                compound(text, &mut p, quotes, Mode::Nbt, Keys::NONE, out)?;
            }
        }
    }
    if !at_arg_end(text, p) {
        return Err(NoMatch);
    }
    *pos = p;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(command: &str) -> Vec<(Rule, String)> {
        parse_command(command)
            .leaves
            .into_iter()
            .map(|l| (l.rule, l.text))
            .collect()
    }

    #[test]
    fn messages_take_the_rest_of_the_line_and_expand_selectors() {
        let p = parse_command(r#"say "hi @e" and @a[tag=x]"#);
        assert_eq!(p.skeleton, "say M");
        assert_eq!(p.leaves[0].text, r#""hi @e" and @a[tag=x]"#);
        assert_eq!(p.selectors, ["@e", "@a"]);
        let p = parse_command("msg Steve hello there");
        assert_eq!(p.skeleton, "msg _ M");
        assert_eq!(
            rules("kick @a[name=x] bye").last(),
            Some(&(Rule::Message, "bye".into()))
        );
    }

    #[test]
    fn execute_recurses_into_run() {
        let p = parse_command("execute as @a at @s if entity @e[type=pig] run say hi @p");
        assert_eq!(p.selectors, ["@a", "@s", "@e", "@p"]);
        assert!(p.skeleton.ends_with("run say M"), "{}", p.skeleton);
        let p = parse_command("execute at @a run summon minecraft:creeper ~ ~ ~");
        assert!(p.skeleton.contains("run summon _ _ _ _"), "{}", p.skeleton);
    }

    #[test]
    fn text_components_and_nbt_strings() {
        let p = parse_command(
            r#"tellraw @a {"text":"hi","clickEvent":{"action":"run_command","value":"/say @s x"}}"#,
        );
        assert_eq!(p.selectors, ["@a", "@s"]);
        assert!(p.skeleton.contains("(say M)"), "{}", p.skeleton);
        let p = parse_command(r#"summon zombie ~ ~ ~ {CustomName:'{"text":"Bob"}'}"#);
        let last = p.leaves.last().unwrap();
        assert_eq!((last.rule, last.text.as_str()), (Rule::Text, "Bob"));
        assert_eq!(last.quotes, ['\'', '"']);
        let p = parse_command(
            r#"setblock ~ ~ ~ command_block{Command:"tellraw @a {\"selector\":\"@e\"}"}"#,
        );
        assert_eq!(p.selectors, ["@a", "@e"]);
        let sel = p.leaves.iter().find(|l| l.rule == Rule::Entity).unwrap();
        assert_eq!(
            (sel.text.as_str(), sel.quotes.as_slice()),
            ("@e", &['"', '"'][..])
        );
    }

    #[test]
    fn entities_words_and_unknown_commands() {
        assert_eq!(
            rules("give Steve diamond_sword[custom_name='x'] 1"),
            [
                (Rule::Entity, "Steve".into()),
                (Rule::Word, "diamond_sword".into()),
                (Rule::Word, "custom_name".into()),
                (Rule::ComponentText, "x".into()),
                (Rule::Word, "1".into()),
            ]
        );
        let p = parse_command("tnt 2 0.1 2 \"Notch x\"");
        assert!(p.skeleton.starts_with('?'));
        assert!(p.leaves.iter().all(|l| l.rule == Rule::Word));
        // A known command with an unknown shape is read as unknown too.
        assert!(parse_command("give").skeleton.starts_with('?'));
    }
}
