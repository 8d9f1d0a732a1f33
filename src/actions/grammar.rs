//! A reader of Minecraft Java commands along the real command tree ([`tree`], generated from the
//! game's own Brigadier tree): for every piece of a command, which kind of argument it is (a greedy
//! message, a word, an entity, a text component, NBT) and which quoted strings it sits in, down into
//! strings that hold JSON text or whole commands (click events, command blocks). Placeholder
//! escaping uses it to pick the rule for the argument a value lands in, and to check the rendered
//! command still reads the same way.
//!
//! It follows Minecraft's own reading rules where they matter for structure (a message takes the
//! rest of the line and expands `@p/@a/@r/@s/@e/@n` anywhere in it; an entity is a selector or an
//! unquoted name; SNBT/JSON strings end at their own unescaped quote) and is not a validator: a
//! command the tree does not have (a plugin's), or one that does not follow it, is read as
//! unknown, where every value gets the strictest rule.

mod snbt;
pub mod tree;

pub use snbt::read_string;
use snbt::{Keys, Mode, compound, list, value};
use tree::{ArgKind, NodeId, NodeKind, TREE};

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
    /// The way through the command tree: command and literal words, `<name>` for each argument,
    /// `/` where a whole command follows (`execute … run`), `?` for a command read as unknown.
    pub path: Vec<String>,
}

impl Parsed {
    fn mark(&self) -> [usize; 4] {
        [
            self.skeleton.len(),
            self.leaves.len(),
            self.selectors.len(),
            self.path.len(),
        ]
    }

    fn reset(&mut self, mark: [usize; 4]) {
        self.skeleton.truncate(mark[0]);
        self.leaves.truncate(mark[1]);
        self.selectors.truncate(mark[2]);
        self.path.truncate(mark[3]);
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

/// "Does not match"; callers try the next node or fall back.
#[derive(Debug)]
struct NoMatch;

type Step = Result<(), NoMatch>;

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
    if let Some(command) = TREE.command(key) {
        out.skeleton.push_str(name);
        out.path.push(key.to_owned());
        if follow(command, text, end, quotes, out).is_ok() {
            return;
        }
        out.reset(mark);
    }
    unknown(text, pos, quotes, out);
}

/// A command we do not know (a plugin's, or a shape the tree does not have): every
/// whitespace-separated word is a leaf with the strictest rule.
fn unknown(text: &str, mut pos: usize, quotes: &[char], out: &mut Parsed) {
    out.skeleton.push('?');
    out.path.push("?".to_owned());
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

/// After `node` matched up to `pos`: the rest of the command reads through one of the nodes that
/// may follow it, or the command ends here where the tree allows. Like Brigadier, a literal that
/// matches the next word is the only way on; otherwise each argument is tried in the tree's order
/// and the first that reads the whole rest wins.
fn follow(node: NodeId, text: &str, pos: usize, quotes: &[char], out: &mut Parsed) -> Step {
    let rest = &text[pos..];
    let executable = TREE.node(node).executable;
    if rest.trim().is_empty() {
        // Only spaces left: a message that a value left empty (all hidden characters) takes
        // them, as it would take any text; otherwise the command ends here, if it may.
        let greedy = TREE.next(node).into_iter().flatten().copied().find(|&id| {
            matches!(
                TREE.node(id).arg_kind(),
                Some(ArgKind::Message | ArgKind::Greedy)
            )
        });
        if let Some(id) = greedy.filter(|_| rest.starts_with(' ')) {
            out.skeleton.push(' ');
            if let NodeKind::Argument { name, .. } = &TREE.node(id).kind {
                out.path.push(format!("<{name}>"));
            }
            let mut p = pos;
            return message(text, &mut p, quotes, out);
        }
        return if executable { Ok(()) } else { Err(NoMatch) };
    }
    // Arguments are separated by one space. A second one can only start a message.
    if !rest.starts_with(' ') {
        return Err(NoMatch);
    }
    let start = pos + 1;
    let spaced = peek(text, start).is_none_or(char::is_whitespace);
    let Some(next) = TREE.next(node) else {
        if spaced {
            return Err(NoMatch);
        }
        out.skeleton.push(' ');
        out.path.push("/".to_owned());
        command_into(&text[start..], quotes, out);
        return Ok(());
    };
    let word = &text[start..word_end(text, start)];
    if let Some(&literal) = next
        .iter()
        .find(|&&id| !spaced && TREE.node(id).literal() == Some(word))
    {
        out.skeleton.push(' ');
        out.skeleton.push_str(word);
        out.path.push(word.to_owned());
        return follow(literal, text, start + word.len(), quotes, out);
    }
    let mark = out.mark();
    for &id in next {
        let Some(kind) = TREE.node(id).arg_kind() else {
            continue;
        };
        let greedy = matches!(kind, ArgKind::Message | ArgKind::Greedy);
        if spaced && !greedy {
            continue;
        }
        let mut p = pos;
        out.skeleton.push(' ');
        if let NodeKind::Argument { name, .. } = &TREE.node(id).kind {
            out.path.push(format!("<{name}>"));
        }
        if argument(kind, text, &mut p, quotes, out).is_ok()
            && follow(id, text, p, quotes, out).is_ok()
        {
            return Ok(());
        }
        out.reset(mark);
    }
    Err(NoMatch)
}

/// Reads one argument of `kind` starting after the space at `pos`.
fn argument(kind: ArgKind, text: &str, pos: &mut usize, quotes: &[char], out: &mut Parsed) -> Step {
    let start = skip_ws(text, *pos);
    match kind {
        ArgKind::Message | ArgKind::Greedy => message(text, pos, quotes, out),
        ArgKind::Entity => entity(text, pos, quotes, out),
        ArgKind::Token => token(text, pos, quotes, out),
        ArgKind::Position | ArgKind::Pair => {
            let n = if kind == ArgKind::Position { 3 } else { 2 };
            for i in 0..n {
                if i > 0 {
                    if !at_arg_end(text, *pos) {
                        return Err(NoMatch);
                    }
                    out.skeleton.push(' ');
                }
                coordinate(text, pos, quotes, out)?;
            }
            Ok(())
        }
        ArgKind::Component | ArgKind::Nbt => {
            let mode = if kind == ArgKind::Component {
                Mode::Component
            } else {
                Mode::Nbt
            };
            *pos = start;
            value(text, pos, quotes, mode, Keys::NONE, out)?;
            if at_arg_end(text, *pos) {
                Ok(())
            } else {
                Err(NoMatch)
            }
        }
    }
}

/// One coordinate: `~`, `^`, a number, or either sign with a number (`~-1.5`). Never free text:
/// a value that is not a coordinate would move the rest of the command.
fn coordinate(text: &str, pos: &mut usize, quotes: &[char], out: &mut Parsed) -> Step {
    let start = skip_ws(text, *pos);
    let end = word_end(text, start);
    let word = &text[start..end];
    let number = word.strip_prefix(['~', '^']).unwrap_or(word);
    let number = number.strip_prefix('-').unwrap_or(number);
    let digits = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.');
    let relative = word.starts_with(['~', '^']);
    if word.is_empty() || !(digits || (relative && number.is_empty())) {
        return Err(NoMatch);
    }
    out.leaf(Rule::Word, quotes, word);
    *pos = end;
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
