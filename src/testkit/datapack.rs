//! Minecraft's side of a datapack, for tests: loads a pack folder as the game does at `/reload`
//! (`pack.mcmeta`'s format decides `function/` or `functions/`) and runs a `function` call with
//! its macro arguments, written from the game's documented rules rather than from giftdeck's
//! compiler: a strict SNBT compound (quoted strings with `\\` and `\"` only), `$` lines with
//! `$(name)` replaced by the argument's text (a string without quotes, a number in digits), a
//! missing argument an error, `data modify storage … set value {…}`, `function … with storage`,
//! the scoreboard and `execute if score … matches 1.. run …` the loop needs, and the
//! 65,536-command chain limit. Every other command is "run": returned in order.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Commands one call may run before the game stops it (`maxCommandChainLength`).
pub const MAX_COMMAND_CHAIN: usize = 65_536;

/// An SNBT value as the game reads it (the kinds giftdeck sends).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tag {
    Int(i64),
    Text(String),
}

impl Tag {
    /// The text a macro puts in place of `$(name)`.
    fn macro_text(&self) -> String {
        match self {
            Self::Int(n) => n.to_string(),
            Self::Text(s) => s.clone(),
        }
    }
}

/// A loaded pack: function id (`giftdeck:rose_…`) → its lines.
#[derive(Debug, Default)]
pub struct Pack {
    pub functions: HashMap<String, Vec<String>>,
}

impl Pack {
    /// Loads `<datapacks>/<pack>` as `/reload` would. `Err` when the pack has no usable
    /// pack.mcmeta.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let meta = std::fs::read_to_string(dir.join("pack.mcmeta")).map_err(|e| e.to_string())?;
        let meta: serde_json::Value = serde_json::from_str(&meta).map_err(|e| e.to_string())?;
        let pack = &meta["pack"];
        let format = pack["pack_format"]
            .as_u64()
            .or_else(|| pack["min_format"][0].as_u64())
            .or_else(|| pack["min_format"].as_u64())
            .ok_or("pack.mcmeta has no format")?;
        let folder = if format >= 45 {
            "function"
        } else {
            "functions"
        };
        let mut functions = HashMap::new();
        let data = dir.join("data");
        for ns in std::fs::read_dir(&data).map_err(|e| e.to_string())? {
            let ns = ns.map_err(|e| e.to_string())?;
            let namespace = ns.file_name().to_string_lossy().into_owned();
            let root = ns.path().join(folder);
            let mut files = BTreeMap::new();
            collect(&root, &root, &mut files);
            for (path, text) in files {
                let id = format!("{namespace}:{}", path.trim_end_matches(".mcfunction"));
                functions.insert(id, text.lines().map(str::to_owned).collect());
            }
        }
        Ok(Self { functions })
    }

    /// A pack from function files given as `(path under the function folder, text)`.
    pub fn from_files(namespace: &str, files: &[(String, String)]) -> Self {
        let functions = files
            .iter()
            .map(|(path, text)| {
                let id = format!("{namespace}:{}", path.trim_end_matches(".mcfunction"));
                (id, text.lines().map(str::to_owned).collect())
            })
            .collect();
        Self { functions }
    }

    /// Runs one command as the server does for RCON; returns the commands it ran that are not
    /// the loop's own (the summons, the says), in order. Functions run from a stack, as the
    /// game's (1.20.3+) execution does, so deep loops need no deep recursion here.
    pub fn run(&self, command: &str) -> Result<Vec<String>, String> {
        let mut state = State::default();
        let mut stack: Vec<std::vec::IntoIter<String>> = vec![vec![command.to_owned()].into_iter()];
        while let Some(top) = stack.last_mut() {
            let Some(command) = top.next() else {
                stack.pop();
                continue;
            };
            state.count += 1;
            if state.count > MAX_COMMAND_CHAIN {
                return Err("command chain limit reached".into());
            }
            if let Some(lines) = self.step(&command, &mut state)? {
                stack.push(lines.into_iter());
            }
        }
        Ok(state.ran)
    }

    /// Runs one command; a function call returns the function's lines (macros filled in).
    fn step(&self, command: &str, state: &mut State) -> Result<Option<Vec<String>>, String> {
        let words: Vec<&str> = command.splitn(2, ' ').collect();
        match words.as_slice() {
            ["function", rest] => self.function(rest, state).map(Some),
            ["scoreboard", rest] if scoreboard(rest, state)? => Ok(None),
            ["data", rest] => {
                // data modify storage <id> <key> set value <compound>
                let parts: Vec<&str> = rest.splitn(6, ' ').collect();
                match parts.as_slice() {
                    ["modify", "storage", id, key, "set", value] if *id == "giftdeck:batch" => {
                        let value = value
                            .strip_prefix("value ")
                            .ok_or("data modify: no value")?;
                        let compound = read_compound(value)?;
                        state.storage.insert(format!("{id} {key}"), compound);
                        Ok(None)
                    }
                    _ => {
                        state.ran.push(command.to_owned());
                        Ok(None)
                    }
                }
            }
            ["execute", rest] => {
                // execute if score <holder> <objective> matches 1.. run <command>
                let parts: Vec<&str> = rest.splitn(7, ' ').collect();
                match parts.as_slice() {
                    [
                        "if",
                        "score",
                        holder,
                        objective @ "giftdeck",
                        "matches",
                        "1..",
                        run,
                    ] => {
                        let run = run.strip_prefix("run ").ok_or("execute: no run")?;
                        let score = state.scores.get(&format!("{holder} {objective}")).copied();
                        if score.is_some_and(|s| s >= 1) {
                            return self.step(run, state);
                        }
                        Ok(None)
                    }
                    _ => {
                        state.ran.push(command.to_owned());
                        Ok(None)
                    }
                }
            }
            _ => {
                state.ran.push(command.to_owned());
                Ok(None)
            }
        }
    }

    fn function(&self, rest: &str, state: &mut State) -> Result<Vec<String>, String> {
        let (id, args) = match rest.split_once(' ') {
            Some((id, args)) => (id, Some(args)),
            None => (rest, None),
        };
        let lines = self
            .functions
            .get(id)
            .ok_or_else(|| format!("Unknown function {id}"))?;
        let args = match args {
            None => None,
            Some(args) => match args.strip_prefix("with storage ") {
                Some(source) => Some(
                    state
                        .storage
                        .get(source)
                        .cloned()
                        .ok_or_else(|| format!("no storage {source}"))?,
                ),
                None => Some(read_compound(args)?),
            },
        };
        let mut out = Vec::new();
        for line in lines {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            out.push(match line.strip_prefix('$') {
                Some(body) => {
                    let args = args
                        .as_ref()
                        .ok_or_else(|| format!("{id}: a macro line without arguments"))?;
                    substitute(body, args)?
                }
                None => line.clone(),
            });
        }
        Ok(out)
    }
}

#[derive(Default)]
struct State {
    storage: HashMap<String, BTreeMap<String, Tag>>,
    scores: HashMap<String, i64>,
    ran: Vec<String>,
    count: usize,
}

/// The loop's own scoreboard commands (objective `giftdeck`); `false` for any other.
fn scoreboard(rest: &str, state: &mut State) -> Result<bool, String> {
    let parts: Vec<&str> = rest.split(' ').collect();
    match parts.as_slice() {
        ["objectives", "add", "giftdeck", "dummy"] => Ok(true),
        ["players", op @ ("set" | "remove"), holder, "giftdeck", n] => {
            let n: i64 = n.parse().map_err(|_| format!("not a number: {n}"))?;
            let score = state
                .scores
                .entry(format!("{holder} giftdeck"))
                .or_default();
            if *op == "set" {
                *score = n;
            } else {
                *score -= n;
            }
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// A macro line with its variables replaced.
fn substitute(body: &str, args: &BTreeMap<String, Tag>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("$(") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(')').ok_or("unclosed $(")? + at;
        let name = &rest[at + 2..end];
        let value = args
            .get(name)
            .ok_or_else(|| format!("missing macro argument {name}"))?;
        out.push_str(&value.macro_text());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A strict SNBT compound that must fill `text` entirely.
pub fn read_compound(text: &str) -> Result<BTreeMap<String, Tag>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let expect = |at: &mut usize, c: char| -> Result<(), String> {
        if chars.get(*at) == Some(&c) {
            *at += 1;
            Ok(())
        } else {
            Err(format!("expected {c:?} at {at} in {text}"))
        }
    };
    expect(&mut at, '{')?;
    let mut out = BTreeMap::new();
    if chars.get(at) == Some(&'}') {
        at += 1;
    } else {
        loop {
            let start = at;
            while chars
                .get(at)
                .is_some_and(|c| c.is_ascii_alphanumeric() || "_+.-".contains(*c))
            {
                at += 1;
            }
            if at == start {
                return Err(format!("expected a key at {at} in {text}"));
            }
            let key: String = chars[start..at].iter().collect();
            expect(&mut at, ':')?;
            let value = if chars.get(at) == Some(&'"') {
                at += 1;
                let mut s = String::new();
                loop {
                    match chars.get(at) {
                        None => return Err(format!("unclosed string in {text}")),
                        Some('"') => break,
                        Some('\\') => {
                            match chars.get(at + 1) {
                                Some(c @ ('\\' | '"')) => s.push(*c),
                                other => return Err(format!("bad escape {other:?} in {text}")),
                            }
                            at += 2;
                            continue;
                        }
                        Some(c) => s.push(*c),
                    }
                    at += 1;
                }
                at += 1;
                Tag::Text(s)
            } else {
                let start = at;
                while chars
                    .get(at)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '-')
                {
                    at += 1;
                }
                let digits: String = chars[start..at].iter().collect();
                Tag::Int(digits.parse().map_err(|_| format!("bad value in {text}"))?)
            };
            if out.insert(key.clone(), value).is_some() {
                return Err(format!("duplicate key {key}"));
            }
            match chars.get(at) {
                Some(',') => at += 1,
                Some('}') => {
                    at += 1;
                    break;
                }
                _ => return Err(format!("expected , or }} at {at} in {text}")),
            }
        }
    }
    if at != chars.len() {
        return Err(format!("text after the compound in {text}"));
    }
    Ok(out)
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if let (Ok(rel), Ok(text)) =
            (path.strip_prefix(root), std::fs::read_to_string(&path))
        {
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.insert(rel.join("/"), text);
        }
    }
}
