//! The trigger table: what a streamer maps gifts to (a [`Mapping`] per trigger, each with [`Action`]s),
//! and the matching rule (gift name first, then gift id). Pure data; no I/O.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

fn default_volume() -> f32 {
    1.0
}

fn default_webhook_timeout_millis() -> u64 {
    5_000
}

/// One thing a credited gift does. Tagged by `"type"` in JSON so new kinds can be added freely.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// A Minecraft command sent over RCON (no leading `/` needed), repeated `repeat` times.
    /// May hold placeholders: `{user}`, `{nickname}`, `{gift}`, `{count}`, `{diamonds}`.
    Command {
        command: String,
        #[serde(default = "one")]
        repeat: u32,
    },
    /// Play a sound file (wav/ogg/mp3) at `volume` (1.0 = as recorded).
    Sound {
        path: PathBuf,
        #[serde(default = "default_volume")]
        volume: f32,
    },
    /// POST the gift as JSON to `url`.
    Webhook {
        url: String,
        #[serde(default = "default_webhook_timeout_millis")]
        timeout_millis: u64,
    },
    /// Run the actions of a random other enabled mapping (Tiktok2Mc's `$random`).
    Random,
    /// Show a title and subtitle on the `/text` overlay page for `seconds` (Tiktok2Mc's `>>`).
    /// Both may hold placeholders; viewer values are shown as plain text.
    OverlayText {
        title: String,
        #[serde(default)]
        subtitle: String,
        #[serde(default = "default_overlay_seconds")]
        seconds: u32,
    },
}

fn default_overlay_seconds() -> u32 {
    3
}

impl Action {
    /// A Minecraft command that runs once.
    pub fn command(command: impl Into<String>) -> Self {
        Self::Command {
            command: command.into(),
            repeat: 1,
        }
    }

    /// A one-line summary for tables and logs.
    pub fn summary(&self) -> String {
        match self {
            Self::Command { command, repeat } if *repeat > 1 => format!("/{command} ×{repeat}"),
            Self::Command { command, .. } => format!("/{command}"),
            Self::Sound { path, volume } => {
                format!("♪ {} ({:.0}%)", path.display(), volume * 100.0)
            }
            Self::Webhook { url, .. } => format!("POST {url}"),
            Self::Random => "random mapping".to_owned(),
            Self::OverlayText {
                title,
                subtitle,
                seconds,
            } if subtitle.is_empty() => format!(">> {title} ({seconds} s)"),
            Self::OverlayText {
                title,
                subtitle,
                seconds,
            } => format!(">> {title} | {subtitle} ({seconds} s)"),
        }
    }
}

/// A trigger (gift name or decimal gift id) and what it does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub trigger: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// How many times the whole action list runs per counted gift.
    #[serde(default = "one")]
    pub repeat: u32,
}

impl Mapping {
    pub fn new(trigger: impl Into<String>, actions: Vec<Action>) -> Self {
        Self {
            trigger: trigger.into(),
            enabled: true,
            actions,
            repeat: 1,
        }
    }
}

/// Normalizes a gift name or trigger for matching: trims, ignores case, treats `_` as a space and
/// collapses runs of whitespace, so `heart_me` matches "Heart Me" as in Tiktok2Mc files.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name
        .split(|c: char| c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The enabled mappings, indexed for matching. Cheap to clone (shared), rebuilt on every edit.
#[derive(Clone, Debug, Default)]
pub struct MappingTable {
    mappings: Arc<Vec<Mapping>>,
    by_name: HashMap<String, usize>,
    by_id: HashMap<i64, usize>,
}

impl MappingTable {
    /// Indexes the enabled mappings. When two enabled rows share a trigger, the first one wins
    /// (the editor flags the duplicate).
    pub fn new(mappings: Vec<Mapping>) -> Self {
        let mut by_name = HashMap::new();
        let mut by_id = HashMap::new();
        for (index, mapping) in mappings.iter().enumerate() {
            if !mapping.enabled {
                continue;
            }
            let trigger = mapping.trigger.trim();
            if let Ok(id) = trigger.parse::<i64>() {
                by_id.entry(id).or_insert(index);
            } else {
                let key = normalize_name(trigger);
                if !key.is_empty() {
                    by_name.entry(key).or_insert(index);
                }
            }
        }
        Self {
            mappings: Arc::new(mappings),
            by_name,
            by_id,
        }
    }

    /// All rows, enabled or not, in the order written.
    pub fn mappings(&self) -> &[Mapping] {
        &self.mappings
    }

    /// Finds the mapping for a gift: by name first, then by decimal id. Disabled rows never match.
    pub fn find(&self, gift_name: &str, gift_id: i64) -> Option<&Mapping> {
        let by_name = if gift_name.trim().is_empty() {
            None
        } else {
            self.by_name.get(&normalize_name(gift_name))
        };
        by_name
            .or_else(|| self.by_id.get(&gift_id))
            .map(|&index| &self.mappings[index])
    }

    /// Enabled mappings that a `Random` action may pick: every enabled mapping other than
    /// `exclude_trigger` that has at least one action and no `Random` action itself (no chains).
    pub fn random_candidates(&self, exclude_trigger: &str) -> Vec<&Mapping> {
        self.mappings
            .iter()
            .filter(|m| m.enabled && m.trigger != exclude_trigger && !m.actions.is_empty())
            .filter(|m| !m.actions.iter().any(|a| matches!(a, Action::Random)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(c: &str) -> Action {
        Action::command(c)
    }

    #[test]
    fn names_match_ignoring_case_spaces_and_underscores() {
        assert_eq!(normalize_name("  Heart   Me "), "heart me");
        assert_eq!(normalize_name("heart_me"), "heart me");
        let table = MappingTable::new(vec![Mapping::new("heart_me", vec![cmd("say hi")])]);
        assert_eq!(table.find("Heart Me", 7934).unwrap().trigger, "heart_me");
        assert!(table.find("Heart", 7934).is_none());
    }

    #[test]
    fn name_wins_over_id() {
        let table = MappingTable::new(vec![
            Mapping::new("5655", vec![cmd("by id")]),
            Mapping::new("Rose", vec![cmd("by name")]),
        ]);
        assert_eq!(table.find("rose", 5655).unwrap().trigger, "Rose");
        assert_eq!(table.find("", 5655).unwrap().trigger, "5655");
        assert_eq!(table.find("Tulip", 5655).unwrap().trigger, "5655");
    }

    #[test]
    fn disabled_rows_never_match() {
        let mut rose = Mapping::new("Rose", vec![cmd("x")]);
        rose.enabled = false;
        let table = MappingTable::new(vec![rose]);
        assert!(table.find("Rose", 1).is_none());
    }

    #[test]
    fn actions_serialize_with_a_type_tag() {
        let json = serde_json::to_string(&cmd("say hi")).unwrap();
        assert_eq!(json, r#"{"type":"command","command":"say hi","repeat":1}"#);
        let back: Action = serde_json::from_str(r#"{"type":"command","command":"x"}"#).unwrap();
        assert_eq!(back, cmd("x"));
    }

    #[test]
    fn random_candidates_skip_self_disabled_and_random() {
        let table = MappingTable::new(vec![
            Mapping::new("a", vec![cmd("a")]),
            Mapping::new("b", vec![Action::Random]),
            Mapping::new("c", vec![]),
            Mapping::new("d", vec![cmd("d")]),
        ]);
        let names: Vec<_> = table
            .random_candidates("a")
            .iter()
            .map(|m| m.trigger.as_str())
            .collect();
        assert_eq!(names, ["d"]);
    }
}
