//! Minecraft Java Edition's command tree, as `assets/minecraft/commands.tree` ships it (generated
//! from minecraft-data by `assets/minecraft/generate.py`): every vanilla command's literals and
//! arguments with their parser kind, which nodes may end a command, and where a node continues
//! (`tell` → `msg`, `execute as …` → `execute`, `execute run` → a whole command).

use std::collections::HashMap;
use std::sync::LazyLock;

use thiserror::Error;

/// The shipped tree's text.
pub const TREE_TEXT: &str = include_str!("../../../assets/minecraft/commands.tree");

/// How an argument reads, from its parser kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// `minecraft:message`: the rest of the line, selectors expanded anywhere in it.
    Message,
    /// `brigadier:string` greedy: the rest of the line, as written.
    Greedy,
    /// `minecraft:entity`, `game_profile`, `score_holder`: a selector or a name.
    Entity,
    /// `minecraft:component`, `minecraft:style`: a JSON or SNBT text component.
    Component,
    /// `minecraft:nbt_compound_tag`, `minecraft:nbt_tag`: an SNBT value.
    Nbt,
    /// `block_pos`, `vec3`: three coordinates.
    Position,
    /// `vec2`, `rotation`, `column_pos`: two coordinates.
    Pair,
    /// Anything else: one token (an id, number, word, quoted phrase, item or block with its
    /// `[…]{…}`, an NBT path).
    Token,
}

impl ArgKind {
    /// The reading for a parser kind as the tree file writes it.
    pub fn of(kind: &str) -> Self {
        let base = kind.split('/').next().unwrap_or(kind);
        match base {
            "message" => Self::Message,
            "string" if kind == "string/greedy" => Self::Greedy,
            "entity" | "game_profile" | "score_holder" => Self::Entity,
            "component" | "style" => Self::Component,
            "nbt_compound_tag" | "nbt_tag" => Self::Nbt,
            "block_pos" | "vec3" => Self::Position,
            "vec2" | "rotation" | "column_pos" => Self::Pair,
            _ => Self::Token,
        }
    }
}

/// A node's index in [`Tree::nodes`].
pub type NodeId = usize;

/// Where a node continues after it matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// A whole command follows (`execute run`).
    Root,
    /// The children of this top-level command (`tell` → `msg`).
    Command(NodeId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Literal(String),
    Argument { name: String, kind: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// A command may end here.
    pub executable: bool,
    pub redirect: Option<Redirect>,
    pub children: Vec<NodeId>,
}

impl Node {
    pub fn literal(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Literal(word) => Some(word),
            NodeKind::Argument { .. } => None,
        }
    }

    /// The argument's reading; `None` for a literal.
    pub fn arg_kind(&self) -> Option<ArgKind> {
        match &self.kind {
            NodeKind::Literal(_) => None,
            NodeKind::Argument { kind, .. } => Some(ArgKind::of(kind)),
        }
    }
}

/// The whole tree.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    /// The Minecraft version it was generated from.
    pub version: String,
    pub nodes: Vec<Node>,
    /// Top-level commands by name.
    pub commands: HashMap<String, NodeId>,
}

/// Why the tree text could not be read (the shipped one always can: a test reads it).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TreeError {
    #[error("line {line}: {problem}: {text:?}")]
    Line {
        line: usize,
        problem: &'static str,
        text: String,
    },
}

impl Tree {
    /// Reads the tree format `generate.py` writes.
    pub fn parse(text: &str) -> Result<Self, TreeError> {
        let mut tree = Self::default();
        // The open node at each depth, and redirects to resolve once every command is known.
        let mut open: Vec<NodeId> = Vec::new();
        let mut pending: Vec<(NodeId, usize, String)> = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let bad = |problem| TreeError::Line {
                line,
                problem,
                text: raw.to_owned(),
            };
            if let Some(version) = raw.strip_prefix("# minecraft ") {
                tree.version = version.trim().to_owned();
                continue;
            }
            if raw.starts_with('#') || raw.trim().is_empty() {
                continue;
            }
            let depth = raw.len() - raw.trim_start_matches(' ').len();
            if depth > open.len() {
                return Err(bad("indented more than one level below its parent"));
            }
            open.truncate(depth);
            let (body, redirect) = match raw.trim().split_once(" -> ") {
                Some((body, target)) => (body, Some(target.trim().to_owned())),
                None => (raw.trim(), None),
            };
            let (body, executable) = match body.strip_suffix(" !") {
                Some(body) => (body, true),
                None => (body, false),
            };
            // A literal is one word (`<` and `<=` are literals too); an argument two.
            let kind = match body.split_once(' ') {
                Some((name, kind)) => {
                    let name = name.strip_prefix('<').and_then(|n| n.strip_suffix('>'));
                    let name = name.ok_or_else(|| bad("an argument is `<name> kind`"))?;
                    NodeKind::Argument {
                        name: name.to_owned(),
                        kind: kind.trim().to_owned(),
                    }
                }
                None if body.is_empty() => return Err(bad("empty node")),
                None => NodeKind::Literal(body.to_owned()),
            };
            let id = tree.nodes.len();
            tree.nodes.push(Node {
                kind,
                executable,
                redirect: None,
                children: Vec::new(),
            });
            match open.last() {
                Some(&parent) => tree.nodes[parent].children.push(id),
                None => {
                    let Some(name) = tree.nodes[id].literal() else {
                        return Err(bad("a command starts with a literal"));
                    };
                    tree.commands.insert(name.to_owned(), id);
                }
            }
            if let Some(target) = redirect {
                pending.push((id, line, target));
            }
            open.push(id);
        }
        for (id, line, target) in pending {
            let redirect = if target == "/" {
                Redirect::Root
            } else {
                let command = tree.commands.get(&target).ok_or_else(|| TreeError::Line {
                    line,
                    problem: "redirect to a command the tree does not have",
                    text: target.clone(),
                })?;
                Redirect::Command(*command)
            };
            tree.nodes[id].redirect = Some(redirect);
        }
        Ok(tree)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The top-level command called `name` (without `minecraft:`).
    pub fn command(&self, name: &str) -> Option<NodeId> {
        self.commands.get(name).copied()
    }

    /// The nodes that may follow `id`: its children, or those of where it redirects (`None` for a
    /// redirect to the root: a whole command follows).
    pub fn next(&self, id: NodeId) -> Option<&[NodeId]> {
        let node = self.node(id);
        match node.redirect {
            Some(Redirect::Root) => None,
            Some(Redirect::Command(target)) => Some(&self.node(target).children),
            None => Some(&node.children),
        }
    }
}

/// The shipped tree. Should it ever fail to read, every command is unknown (the strictest rule
/// for every value) rather than a panic; the tests read it.
pub static TREE: LazyLock<Tree> = LazyLock::new(|| {
    Tree::parse(TREE_TEXT).unwrap_or_else(|err| {
        tracing::error!(%err, "the shipped Minecraft command tree does not read; every command is escaped as unknown");
        Tree::default()
    })
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_tree_reads_and_has_every_vanilla_command() {
        let tree = Tree::parse(TREE_TEXT).unwrap();
        assert_eq!(tree.version, "26.1");
        assert!(tree.commands.len() >= 90, "{}", tree.commands.len());
        for name in [
            "say",
            "me",
            "msg",
            "tell",
            "w",
            "teammsg",
            "tm",
            "kick",
            "tellraw",
            "title",
            "give",
            "summon",
            "execute",
            "tp",
            "teleport",
            "data",
            "item",
            "scoreboard",
            "function",
        ] {
            assert!(tree.command(name).is_some(), "{name}");
        }
        let say = tree.command("say").unwrap();
        let message = tree.node(say).children[0];
        assert_eq!(tree.node(message).arg_kind(), Some(ArgKind::Message));
        assert!(tree.node(message).executable);
        // `tell` continues as `msg`; `execute run` with a whole command.
        let tell = tree.command("tell").unwrap();
        assert_eq!(
            tree.next(tell),
            Some(&tree.node(tree.command("msg").unwrap()).children[..])
        );
        let execute = tree.command("execute").unwrap();
        let run = tree.node(execute).children.iter().copied();
        let run = run
            .into_iter()
            .find(|&c| tree.node(c).literal() == Some("run"));
        assert_eq!(tree.node(run.unwrap()).redirect, Some(Redirect::Root));
    }

    #[test]
    fn a_broken_tree_is_an_error_with_its_line() {
        assert_eq!(
            Tree::parse("say\n   <message> message !").unwrap_err(),
            TreeError::Line {
                line: 2,
                problem: "indented more than one level below its parent",
                text: "   <message> message !".into()
            }
        );
        assert!(Tree::parse("tell -> nothing").is_err());
        assert!(Tree::parse("<x> word").is_err());
    }

    #[test]
    fn parser_kinds_read_as_their_argument_kind() {
        assert_eq!(ArgKind::of("string/greedy"), ArgKind::Greedy);
        assert_eq!(ArgKind::of("string/word"), ArgKind::Token);
        assert_eq!(ArgKind::of("entity/players/multiple"), ArgKind::Entity);
        assert_eq!(ArgKind::of("score_holder/single"), ArgKind::Entity);
        assert_eq!(ArgKind::of("vec3"), ArgKind::Position);
        assert_eq!(ArgKind::of("rotation"), ArgKind::Pair);
        assert_eq!(ArgKind::of("nbt_compound_tag"), ArgKind::Nbt);
        assert_eq!(ArgKind::of("style"), ArgKind::Component);
        assert_eq!(ArgKind::of("item_stack"), ArgKind::Token);
    }
}
