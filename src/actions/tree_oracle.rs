//! The escaping tests' oracle: a small Brigadier-style reader of Minecraft Java commands, written for
//! the tests apart from `grammar` (it shares no code with it). It reads the shipped command tree
//! file itself and follows a command through it the way the game's dispatcher does, so a mistake
//! in `grammar` or in the escaping rules shows as a command that reads differently here.

use std::collections::HashMap;

/// One node of the tree as this reader keeps it.
struct Node {
    /// `Some(word)` for a literal; arguments have `None` and a parser.
    literal: Option<String>,
    name: String,
    parser: String,
    ends: bool,
    /// `Some("")` continues with a whole command, `Some(cmd)` with that command's children.
    jump: Option<String>,
    kids: Vec<usize>,
}

pub struct Oracle {
    nodes: Vec<Node>,
    top: HashMap<String, usize>,
}

/// What a command reads as.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// The nodes followed (literal words, `<name>` of arguments, `/` where a command follows).
    pub path: Vec<String>,
    /// Each argument: its parser, its text, and its structure (strings and scalars as `_`,
    /// strings that are commands or JSON as the reading of what they hold).
    pub args: Vec<Arg>,
    /// Every selector Minecraft resolves (`@a`, `@e`, a score holder's `*`), nested ones too.
    pub selectors: Vec<String>,
    /// Texts that sit where a name or selector is read (entity arguments, `selector`,
    /// `score.name`), nested ones too.
    pub names: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub parser: String,
    pub text: String,
    pub shape: String,
}

impl Oracle {
    pub fn from_text(text: &str) -> Self {
        let mut nodes: Vec<Node> = Vec::new();
        let mut top = HashMap::new();
        let mut stack: Vec<(usize, usize)> = Vec::new(); // (depth, node)
        for line in text.lines() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let depth = line.chars().take_while(|c| *c == ' ').count();
            let mut rest = line.trim();
            let mut jump = None;
            if let Some(i) = rest.find(" -> ") {
                let target = rest[i + 4..].trim();
                jump = Some(if target == "/" {
                    String::new()
                } else {
                    target.to_owned()
                });
                rest = &rest[..i];
            }
            let ends = rest.ends_with(" !");
            let rest = rest.trim_end_matches(" !");
            let (literal, name, parser) = match rest.split_once(' ') {
                Some((name, parser)) => (
                    None,
                    name.trim_matches(['<', '>']).to_owned(),
                    parser.to_owned(),
                ),
                None => (Some(rest.to_owned()), rest.to_owned(), String::new()),
            };
            let id = nodes.len();
            nodes.push(Node {
                literal,
                name,
                parser,
                ends,
                jump,
                kids: Vec::new(),
            });
            while stack.last().is_some_and(|&(d, _)| d >= depth) {
                stack.pop();
            }
            match stack.last() {
                Some(&(_, parent)) => nodes[parent].kids.push(id),
                None => {
                    top.insert(nodes[id].name.clone(), id);
                }
            }
            stack.push((depth, id));
        }
        Self { nodes, top }
    }

    /// Every way through the tree to a node a command may end at, without following redirects:
    /// each step a literal word (`Ok`) or an argument's parser (`Err`). A node that continues
    /// with a whole command (`execute … run`) ends its way with `Err("/")`.
    pub fn ways(&self) -> Vec<Vec<Result<String, String>>> {
        let mut out = Vec::new();
        let mut tops: Vec<(&String, &usize)> = self.top.iter().collect();
        tops.sort();
        for (name, &id) in tops {
            self.ways_from(id, vec![Ok(name.clone())], &mut out);
        }
        out
    }

    fn ways_from(
        &self,
        id: usize,
        way: Vec<Result<String, String>>,
        out: &mut Vec<Vec<Result<String, String>>>,
    ) {
        let node = &self.nodes[id];
        if node.ends {
            out.push(way.clone());
        }
        if node.jump.as_deref() == Some("") {
            let mut way = way;
            way.push(Err("/".into()));
            out.push(way);
            return;
        }
        if node.jump.is_some() {
            return;
        }
        for &k in &node.kids {
            let kid = &self.nodes[k];
            let mut next = way.clone();
            next.push(match &kid.literal {
                Some(word) => Ok(word.clone()),
                None => Err(kid.parser.clone()),
            });
            self.ways_from(k, next, out);
        }
    }

    /// The command's reading, `None` when it is not a vanilla command that follows the tree.
    pub fn read(&self, command: &str) -> Option<Reading> {
        let s = command.strip_prefix('/').unwrap_or(command);
        let head = s.split(' ').next().unwrap_or("");
        let name = head.strip_prefix("minecraft:").unwrap_or(head);
        let &start = self.top.get(name)?;
        let mut reading = Reading {
            path: vec![name.to_owned()],
            ..Reading::default()
        };
        self.walk(start, s, head.len(), &mut reading)
            .then_some(reading)
    }

    /// Whether the first word is a vanilla command at all.
    pub fn knows(&self, command: &str) -> bool {
        let s = command.strip_prefix('/').unwrap_or(command);
        let head = s.split(' ').next().unwrap_or("");
        self.top
            .contains_key(head.strip_prefix("minecraft:").unwrap_or(head))
    }

    fn walk(&self, at: usize, s: &str, i: usize, reading: &mut Reading) -> bool {
        if i == s.len() {
            return self.nodes[at].ends;
        }
        // Not the game's reading, but harmless: the game refuses a message left empty by a value
        // that was all hidden characters (`say `) as incomplete, and runs nothing.
        if let Some(&k) = self
            .kids(at)
            .iter()
            .find(|&&k| matches!(self.nodes[k].parser.as_str(), "message" | "string/greedy"))
            && &s[i..] == " "
        {
            reading.path.push(format!("<{}>", self.nodes[k].name));
            reading.args.push(Arg {
                parser: "message".into(),
                text: String::new(),
                shape: "_".into(),
            });
            return true;
        }
        // Brigadier: one space between arguments.
        if !s[i..].starts_with(' ') {
            return false;
        }
        let i = i + 1;
        let kids = match self.nodes[at].jump.as_deref() {
            Some("") => {
                let Some(inner) = self.read(&s[i..]) else {
                    return false;
                };
                reading.path.push("/".into());
                reading.path.extend(inner.path);
                reading.args.extend(inner.args);
                reading.selectors.extend(inner.selectors);
                reading.names.extend(inner.names);
                return true;
            }
            Some(target) => &self.nodes[self.top[target]].kids,
            None => &self.nodes[at].kids,
        };
        let word = s[i..].split(' ').next().unwrap_or("");
        if let Some(&lit) = kids
            .iter()
            .find(|&&k| self.nodes[k].literal.as_deref() == Some(word))
        {
            reading.path.push(word.to_owned());
            return self.walk(lit, s, i + word.len(), reading);
        }
        for &k in kids {
            let node = &self.nodes[k];
            if node.literal.is_some() {
                continue;
            }
            let mut attempt = reading.clone();
            let Some(end) = self.argument(&node.parser, s, i, &mut attempt) else {
                continue;
            };
            attempt.path.push(format!("<{}>", node.name));
            attempt.args.last_mut().expect("argument pushed").parser = node.parser.clone();
            if self.walk(k, s, end, &mut attempt) {
                *reading = attempt;
                return true;
            }
        }
        false
    }

    /// The nodes that may follow `at` (none where a whole command follows).
    fn kids(&self, at: usize) -> &[usize] {
        match self.nodes[at].jump.as_deref() {
            Some("") => &[],
            Some(target) => &self.nodes[self.top[target]].kids,
            None => &self.nodes[at].kids,
        }
    }

    /// Reads one argument at `i`; returns where it ends.
    fn argument(&self, parser: &str, s: &str, i: usize, reading: &mut Reading) -> Option<usize> {
        let base = parser.split('/').next().unwrap_or(parser);
        let rest = &s[i..];
        let (end, shape) = match base {
            // The game refuses `say ` (nothing after the space) as incomplete: it runs nothing.
            "message" => {
                for (at, _) in rest.match_indices('@') {
                    if let Some(k) = rest[at + 1..]
                        .chars()
                        .next()
                        .filter(|k| "parsen".contains(*k))
                    {
                        reading.selectors.push(format!("@{k}"));
                    }
                }
                (s.len(), "_".to_owned())
            }
            "string" if parser == "string/greedy" => (s.len(), "_".to_owned()),
            "string" if parser == "string/phrase" && rest.starts_with(['"', '\'']) => {
                let (value, n) = Value::read(rest)?;
                (i + n, value.shape(&mut Ctx::new(self, reading)))
            }
            "entity" | "game_profile" | "score_holder" => {
                let (n, shape) = self.entity(base, rest, reading)?;
                (i + n, shape)
            }
            "component" | "style" | "nbt_compound_tag" | "nbt_tag" => {
                let (value, n) = Value::read(rest)?;
                (i + n, value.shape(&mut Ctx::new(self, reading)))
            }
            "block_pos" | "vec3" | "vec2" | "rotation" | "column_pos" => {
                let count = if matches!(base, "block_pos" | "vec3") {
                    3
                } else {
                    2
                };
                let mut n = 0;
                for k in 0..count {
                    if k > 0 {
                        n += usize::from(rest[n..].starts_with(' '));
                    }
                    let w = rest[n..].split(' ').next().unwrap_or("");
                    let num = w.trim_start_matches(['~', '^']);
                    let num = num.strip_prefix('-').unwrap_or(num);
                    let ok = num.chars().all(|c| c.is_ascii_digit() || c == '.')
                        && (!num.is_empty() || w.starts_with(['~', '^']));
                    if w.is_empty() || !ok {
                        return None;
                    }
                    n += w.len();
                }
                (i + n, "_".to_owned())
            }
            _ => {
                // An id, a number, a word, an item or block with `[…]` and `{…}`: up to a space
                // outside brackets and strings.
                let n = token_len(rest)?;
                let text = &rest[..n];
                let mut shape = String::new();
                let mut j = text.find(['[', '{']).unwrap_or(n);
                shape.push('_');
                while j < n {
                    let (value, m) = Value::read(&text[j..])?;
                    shape.push_str(&value.shape(&mut Ctx::new(self, reading)));
                    j += m;
                }
                (i + n, shape)
            }
        };
        reading.args.push(Arg {
            parser: String::new(),
            text: s[i..end].to_owned(),
            shape,
        });
        Some(end)
    }

    /// An entity argument: a selector with its arguments, `*` (score holders), or a name.
    fn entity(&self, base: &str, rest: &str, reading: &mut Reading) -> Option<(usize, String)> {
        if let Some(after) = rest.strip_prefix('@') {
            let kind = after.chars().next().filter(|k| "parsen".contains(*k))?;
            reading.selectors.push(format!("@{kind}"));
            let mut shape = format!("@{kind}");
            let mut n = 2;
            if rest[n..].starts_with('[') {
                let (value, m) = Value::read(&rest[n..])?;
                shape.push_str(&value.shape(&mut Ctx::new(self, reading)));
                n += m;
            }
            return (n == rest.len() || rest[n..].starts_with(' ')).then_some((n, shape));
        }
        let word = rest.split(' ').next().unwrap_or("");
        if word.is_empty() {
            return None;
        }
        if base == "score_holder" && word == "*" {
            reading.selectors.push("*".into());
        }
        reading.names.push(word.to_owned());
        Some((word.len(), "_".to_owned()))
    }
}

/// The length of a token that may hold `[…]`, `{…}` and quoted strings with spaces in them.
fn token_len(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' => depth = depth.checked_sub(1)?,
            ' ' if depth == 0 => return (i > 0).then_some(i),
            _ => {}
        }
    }
    (quote.is_none() && depth == 0 && !s.is_empty()).then_some(s.len())
}

/// A JSON or SNBT value, as far as structure goes.
#[derive(Debug)]
enum Value {
    Map(Vec<(String, Value)>),
    List(Vec<Value>),
    /// A string or a bare scalar (`1b`, `true`, `minecraft:stone`).
    Scalar(String),
}

impl Value {
    /// Reads one value at the start of `s`; returns it and its length.
    fn read(s: &str) -> Option<(Self, usize)> {
        let mut r = Chars { s, i: 0 };
        let value = r.value()?;
        Some((value, r.i))
    }

    fn shape(&self, ctx: &mut Ctx<'_, '_>) -> String {
        self.shape_in(ctx, None, None)
    }

    fn shape_in(&self, ctx: &mut Ctx<'_, '_>, key: Option<&str>, parent: Option<&str>) -> String {
        match self {
            Self::Map(pairs) => {
                let clicks = pairs.iter().any(|(k, v)| {
                    k == "action"
                        && matches!(v, Self::Scalar(a) if a == "run_command" || a == "suggest_command")
                });
                let inner: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| {
                        let command_key =
                            k.eq_ignore_ascii_case("command") || (clicks && k == "value");
                        if command_key && let Self::Scalar(text) = v {
                            return format!("{k}:{}", ctx.command(text));
                        }
                        format!("{k}:{}", v.shape_in(ctx, Some(k), key))
                    })
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
            Self::List(items) => {
                let inner: Vec<String> =
                    items.iter().map(|v| v.shape_in(ctx, key, parent)).collect();
                format!("[{}]", inner.join(","))
            }
            Self::Scalar(text) => {
                let key = key.unwrap_or("");
                if key == "selector"
                    || key == "entity"
                    || (key == "name" && parent == Some("score"))
                {
                    if text.starts_with('@') {
                        ctx.reading.selectors.push(text.chars().take(2).collect());
                    }
                    ctx.reading.names.push(text.clone());
                    return "_".into();
                }
                const TEXT_KEYS: [&str; 13] = [
                    "CustomName",
                    "Name",
                    "Lore",
                    "lore",
                    "Text1",
                    "Text2",
                    "Text3",
                    "Text4",
                    "messages",
                    "filtered_messages",
                    "pages",
                    "custom_name",
                    "item_name",
                ];
                let looks_json = text.trim_start().starts_with(['{', '[', '"']);
                if TEXT_KEYS.contains(&key) && looks_json {
                    return match Value::read(text.trim()) {
                        Some((inner, n)) if n == text.trim().len() => {
                            format!("json({})", inner.shape_in(ctx, None, None))
                        }
                        _ => "json?".into(),
                    };
                }
                "_".into()
            }
        }
    }
}

/// Where nested readings (selectors, names) go.
struct Ctx<'o, 'r> {
    oracle: &'o Oracle,
    reading: &'r mut Reading,
}

impl<'o, 'r> Ctx<'o, 'r> {
    fn new(oracle: &'o Oracle, reading: &'r mut Reading) -> Self {
        Self { oracle, reading }
    }

    /// A string that holds a command: its reading, or its words when it is not vanilla.
    fn command(&mut self, text: &str) -> String {
        match self.oracle.read(text) {
            Some(inner) => {
                self.reading.selectors.extend(inner.selectors);
                self.reading.names.extend(inner.names);
                let shapes: Vec<String> = inner.args.iter().map(|a| a.shape.clone()).collect();
                format!("cmd({} | {})", inner.path.join(" "), shapes.join(" "))
            }
            None => format!("cmd?({})", text.split_whitespace().count()),
        }
    }
}

/// A cursor over JSON/SNBT text.
struct Chars<'a> {
    s: &'a str,
    i: usize,
}

impl Chars<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }

    fn spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.spaces();
        let yes = self.peek() == Some(c);
        if yes {
            self.i += c.len_utf8();
        }
        yes
    }

    fn value(&mut self) -> Option<Value> {
        self.spaces();
        match self.peek()? {
            '{' => self.map('{', '}', ':'),
            '[' => {
                // A `[k=v,…]` list (components, block states, selector arguments) or a list.
                let save = self.i;
                if let Some(map) = self.map('[', ']', '=') {
                    return Some(map);
                }
                self.i = save + 1;
                let rest = &self.s[self.i..];
                if rest.len() > 1 && rest[1..].starts_with(';') && "BIL".contains(&rest[..1]) {
                    self.i += 2;
                }
                let mut items = Vec::new();
                if self.eat(']') {
                    return Some(Value::List(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(']') {
                        return Some(Value::List(items));
                    }
                    if !self.eat(',') {
                        return None;
                    }
                }
            }
            q @ ('"' | '\'') => self.quoted(q).map(Value::Scalar),
            _ => self.bare(false).map(Value::Scalar),
        }
    }

    /// `{k:v,…}` (SNBT also takes `=` in selector `scores={…}`) or `[k=v,…]`.
    fn map(&mut self, open: char, close: char, sep: char) -> Option<Value> {
        self.eat(open);
        let mut pairs = Vec::new();
        if self.eat(close) {
            return (open == '{').then_some(Value::Map(pairs));
        }
        loop {
            self.spaces();
            let key = match self.peek()? {
                q @ ('"' | '\'') => self.quoted(q)?,
                _ => self.bare(sep == ':')?,
            };
            if !(self.eat(sep) || (open == '{' && self.eat('='))) {
                return None;
            }
            let value = self.value()?;
            pairs.push((key, value));
            if self.eat(close) {
                return Some(Value::Map(pairs));
            }
            if !self.eat(',') {
                return None;
            }
        }
    }

    fn quoted(&mut self, q: char) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        let mut chars = self.s[self.i..].char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '\\' => out.push(chars.next()?.1),
                c if c == q => {
                    self.i += at + 1;
                    return Some(out);
                }
                c => out.push(c),
            }
        }
        None
    }

    /// A bare word; `ids` (`minecraft:stone`) may hold `:` except where `:` ends a key.
    fn bare(&mut self, colon_ends: bool) -> Option<String> {
        let rest = &self.s[self.i..];
        let n = rest
            .find(|c: char| {
                c.is_whitespace() || ",=[]{}\"'".contains(c) || (colon_ends && c == ':')
            })
            .unwrap_or(rest.len());
        self.i += n;
        (n > 0).then(|| rest[..n].to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::grammar::tree::TREE_TEXT;

    fn oracle() -> Oracle {
        Oracle::from_text(TREE_TEXT)
    }

    #[test]
    fn reads_commands_the_way_the_game_does() {
        let o = oracle();
        let r = o.read("say hi @a and \"@e\"").unwrap();
        assert_eq!(r.path, ["say", "<message>"]);
        assert_eq!(r.selectors, ["@a", "@e"]);
        let r = o.read("tell Steve hello there").unwrap();
        assert_eq!(r.path, ["tell", "<targets>", "<message>"]);
        assert_eq!(r.names, ["Steve"]);
        let r = o
            .read("execute as @a at @s run summon minecraft:zombie ~ ~1 ~")
            .unwrap();
        assert_eq!(r.path.last().map(String::as_str), Some("<pos>"));
        assert!(r.path.contains(&"/".to_owned()));
        assert_eq!(r.selectors, ["@a", "@s"]);
        let r = o
            .read(r#"tellraw @a {"text":"x","clickEvent":{"action":"run_command","value":"/kill @e"}}"#)
            .unwrap();
        assert_eq!(r.selectors, ["@a", "@e"]);
        let r = o.read(r#"tellraw @a {"selector":"@p"}"#).unwrap();
        assert_eq!(r.selectors, ["@a", "@p"]);
        let r = o.read("scoreboard players add * gifts 1").unwrap();
        assert_eq!(r.selectors, ["*"]);
        let r = o
            .read(r#"summon zombie ~ ~ ~ {CustomName:'{"text":"a"}'}"#)
            .unwrap();
        assert_eq!(r.args[2].shape, "{CustomName:json({text:_})}");
        // Not vanilla, or not following the tree.
        assert!(o.read("tnt 2 0.1 2 Notch").is_none());
        assert!(o.read("give").is_none());
        assert!(o.read("say").is_none());
        assert!(o.read("tp Steve x y z").is_none());
        assert!(o.read("tag @a add two words").is_none());
    }
}
