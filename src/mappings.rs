//! The trigger table: what a streamer maps LIVE events to (a [`Mapping`] per trigger, each with
//! [`Action`]s), and the gift matching rule (gift name first, then gift id, then "worth ≥ N", then
//! "any gift"). Pure data; no I/O.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

mod condition;
mod unknown;

pub use condition::{
    Audience, Condition, EventKind, KNOWN_KINDS, SuperFanMoment, UnknownCondition, normalize_handle,
};

fn is_zero(n: &u32) -> bool {
    *n == 0
}

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
/// `Debug` and [`Action::summary`] hide a webhook URL's token.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
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
    /// OBS: switch the program (live) scene to `scene`.
    ObsScene { scene: String },
    /// OBS: show `source` in `scene` (blank: the scene on program), then hide it after `seconds`
    /// (0: leave it shown). The queue moves on once it is shown; the hide is scheduled.
    #[serde(alias = "obs_source")]
    ObsShowSource {
        #[serde(default)]
        scene: String,
        source: String,
        #[serde(default = "default_show_seconds")]
        seconds: u32,
    },
    /// OBS: set the text of the text source `source`. `text` may hold placeholders; viewer values
    /// are plain text with control and invisible characters removed.
    ObsText { source: String, text: String },
    /// Keystrokes and mouse input for a game: chords, holds, waits, clicks, typed text
    /// (`{"type":"keys","steps":[…],"window":"Minecraft"}`). Placeholders only in `type_text`,
    /// typed as text.
    Keys(crate::actions::keys::KeysAction),
    /// Say a text with the system's offline voices (`{"type":"speak","text":"…"}`).
    Speak(crate::actions::speak::SpeakAction),
    /// Change a named counter (`{"type":"counter","name":"Wins","add":1}`, or `remove`, `set`).
    Counter(crate::counter_hub::CounterAction),
    /// Change the stream timer (`{"type":"stream_timer","add_seconds":60}`, or
    /// `remove_seconds`, `control`: start, pause, resume, restart).
    StreamTimer(crate::counter_hub::StreamTimerAction),
    /// Give or take the viewer's points in the viewers' ledger (`{"type":"points","add":"{count}"}`,
    /// `{"type":"points","remove":"50"}`): each a whole number, a placeholder, or a product of
    /// them (`"10*{count}"`). Applied once per credit or fired trigger, by the ledger, never for a
    /// Test or the demo; nothing waits in the queue for it.
    Points {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        add: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        remove: String,
    },
}

fn default_show_seconds() -> u32 {
    5
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
            Self::Webhook { url, .. } => {
                format!("POST {}", crate::actions::webhook::redact_url(url))
            }
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
            Self::ObsScene { scene } => format!("OBS scene: {scene}"),
            Self::ObsShowSource {
                scene,
                source,
                seconds,
            } => {
                let scene = if scene.trim().is_empty() {
                    "the live scene"
                } else {
                    scene.as_str()
                };
                if *seconds == 0 {
                    format!("OBS show {source} (in {scene})")
                } else {
                    format!("OBS show {source} for {seconds} s (in {scene})")
                }
            }
            Self::ObsText { source, text } => format!("OBS text {source}: {text}"),
            Self::Keys(keys) => keys.summary(),
            Self::Speak(speak) => speak.summary(),
            Self::Counter(counter) => counter.summary(),
            Self::StreamTimer(timer) => timer.summary(),
            Self::Points { add, remove } => match (add.trim(), remove.trim()) {
                (add, "") => format!("+{add} points"),
                ("", remove) => format!("−{remove} points"),
                (add, remove) => format!("+{add} −{remove} points"),
            },
        }
    }
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Command { command, repeat } => f
                .debug_struct("Command")
                .field("command", command)
                .field("repeat", repeat)
                .finish(),
            Self::Sound { path, volume } => f
                .debug_struct("Sound")
                .field("path", path)
                .field("volume", volume)
                .finish(),
            // The URL's path and query carry the token.
            Self::Webhook {
                url,
                timeout_millis,
            } => f
                .debug_struct("Webhook")
                .field("url", &crate::actions::webhook::redact_url(url))
                .field("timeout_millis", timeout_millis)
                .finish(),
            Self::Random => f.write_str("Random"),
            Self::OverlayText {
                title,
                subtitle,
                seconds,
            } => f
                .debug_struct("OverlayText")
                .field("title", title)
                .field("subtitle", subtitle)
                .field("seconds", seconds)
                .finish(),
            Self::ObsScene { scene } => f.debug_struct("ObsScene").field("scene", scene).finish(),
            Self::ObsShowSource {
                scene,
                source,
                seconds,
            } => f
                .debug_struct("ObsShowSource")
                .field("scene", scene)
                .field("source", source)
                .field("seconds", seconds)
                .finish(),
            Self::ObsText { source, text } => f
                .debug_struct("ObsText")
                .field("source", source)
                .field("text", text)
                .finish(),
            Self::Keys(keys) => f.debug_tuple("Keys").field(keys).finish(),
            Self::Speak(speak) => f.debug_tuple("Speak").field(speak).finish(),
            Self::Counter(counter) => f.debug_tuple("Counter").field(counter).finish(),
            Self::StreamTimer(timer) => f.debug_tuple("StreamTimer").field(timer).finish(),
            Self::Points { add, remove } => f
                .debug_struct("Points")
                .field("add", add)
                .field("remove", remove)
                .finish(),
        }
    }
}

/// A trigger and what it does. `trigger` is the gift name or decimal gift id for gift mappings
/// (the default kind), and the mapping's label for every other kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub trigger: String,
    /// What fires it. Absent = a gift by the `trigger` text, as in files written before kinds existed.
    #[serde(default, skip_serializing_if = "Condition::is_gift_by_trigger")]
    pub on: Condition,
    /// Who may fire it.
    #[serde(default, skip_serializing_if = "Audience::is_anyone")]
    pub audience: Audience,
    /// Fires at most once per this many seconds (0 = no cooldown).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cooldown_seconds: u32,
    /// Fires at most once per this many seconds for the same viewer (0 = no cooldown).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub viewer_cooldown_seconds: u32,
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
            on: Condition::Gift,
            audience: Audience::Anyone,
            cooldown_seconds: 0,
            viewer_cooldown_seconds: 0,
            enabled: true,
            actions,
            repeat: 1,
        }
    }

    /// A mapping with another trigger kind.
    pub fn on(mut self, condition: Condition) -> Self {
        self.on = condition;
        self
    }

    /// Identifies the mapping for cooldowns: its kind and trigger text.
    pub fn cooldown_key(&self) -> String {
        format!("{:?}|{}", self.on, self.trigger.trim())
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

/// What a trigger names: a gift by its decimal id, or a gift name in matching form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TriggerKey {
    GiftId(i64),
    /// [`normalize_name`] of the trigger; never empty.
    Name(String),
}

impl TriggerKey {
    /// Reads a trigger as written in the table: digits are a gift id, anything else a name.
    /// `None` for a blank trigger (it can never match).
    pub fn parse(trigger: &str) -> Option<Self> {
        let trigger = trigger.trim();
        if let Ok(id) = trigger.parse::<i64>() {
            return Some(Self::GiftId(id));
        }
        let name = normalize_name(trigger);
        (!name.is_empty()).then_some(Self::Name(name))
    }
}

/// The enabled mappings, indexed for matching. Cheap to clone (shared), rebuilt on every edit.
#[derive(Clone, Debug, Default)]
pub struct MappingTable {
    mappings: Arc<Vec<Mapping>>,
    by_name: HashMap<String, usize>,
    by_id: HashMap<i64, usize>,
    /// "Gifts worth ≥ N" rows, highest threshold first.
    by_worth: Vec<(u64, usize)>,
    any_gift: Vec<usize>,
    /// Non-gift rows by event kind, in the order written.
    by_kind: HashMap<EventKind, Vec<usize>>,
    /// @handles (normalized) that never trigger anything.
    blocklist: Arc<std::collections::HashSet<String>>,
}

impl MappingTable {
    /// Indexes the enabled mappings. When two enabled rows share a trigger, the first one wins
    /// (the editor flags the duplicate).
    pub fn new(mappings: Vec<Mapping>) -> Self {
        let mut by_name = HashMap::new();
        let mut by_id = HashMap::new();
        let mut by_worth = Vec::new();
        let mut any_gift = Vec::new();
        let mut by_kind: HashMap<EventKind, Vec<usize>> = HashMap::new();
        for (index, mapping) in mappings.iter().enumerate() {
            // Disabled rows and rows whose condition cannot fire (the editor shows why) never match.
            if !mapping.enabled || mapping.on.problem().is_some() {
                continue;
            }
            match &mapping.on {
                Condition::Gift => {}
                Condition::AnyGift => {
                    any_gift.push(index);
                    continue;
                }
                Condition::GiftsWorth { min_diamonds } => {
                    by_worth.push((*min_diamonds, index));
                    continue;
                }
                other => {
                    by_kind.entry(other.event_kind()).or_default().push(index);
                    continue;
                }
            }
            match TriggerKey::parse(&mapping.trigger) {
                Some(TriggerKey::GiftId(id)) => {
                    by_id.entry(id).or_insert(index);
                }
                Some(TriggerKey::Name(name)) => {
                    by_name.entry(name).or_insert(index);
                }
                None => {}
            }
        }
        // Highest threshold first; equal thresholds keep their written order.
        by_worth.sort_by_key(|&(min, index)| (std::cmp::Reverse(min), index));
        Self {
            mappings: Arc::new(mappings),
            by_name,
            by_id,
            by_worth,
            any_gift,
            by_kind,
            blocklist: Arc::default(),
        }
    }

    /// Sets the global blocklist of @handles (with or without `@`, any case).
    pub fn with_blocklist<S: AsRef<str>>(mut self, handles: &[S]) -> Self {
        self.blocklist = Arc::new(
            handles
                .iter()
                .map(|h| normalize_handle(h.as_ref()))
                .filter(|h| !h.is_empty())
                .collect(),
        );
        self
    }

    /// True when this @handle is on the blocklist.
    pub fn is_blocked(&self, unique_id: &str) -> bool {
        !self.blocklist.is_empty() && self.blocklist.contains(&normalize_handle(unique_id))
    }

    /// The blocklist, normalized, sorted.
    pub fn blocklist(&self) -> Vec<String> {
        let mut list: Vec<String> = self.blocklist.iter().cloned().collect();
        list.sort();
        list
    }

    /// Gift mappings that could take a credited gift, best first: by name, by id, the highest
    /// "worth ≥ N" that `total_diamonds` reaches, then "any gift". The caller picks the first whose
    /// audience admits the viewer.
    pub fn gift_candidates(
        &self,
        gift_name: &str,
        gift_id: i64,
        total_diamonds: u64,
    ) -> impl Iterator<Item = &Mapping> {
        let by_name = if gift_name.trim().is_empty() {
            None
        } else {
            self.by_name.get(&normalize_name(gift_name)).copied()
        };
        let by_id = self.by_id.get(&gift_id).copied();
        let worth = self
            .by_worth
            .iter()
            .filter(move |&&(min, _)| total_diamonds >= min)
            .map(|&(_, index)| index);
        by_name
            .into_iter()
            .chain(by_id.filter(|id| Some(*id) != by_name))
            .chain(worth)
            .chain(self.any_gift.iter().copied())
            .map(|index| &self.mappings[index])
    }

    /// Enabled non-gift mappings listening to `kind`, in the order written.
    pub fn for_kind(&self, kind: EventKind) -> impl Iterator<Item = &Mapping> {
        self.by_kind
            .get(&kind)
            .into_iter()
            .flatten()
            .map(|&index| &self.mappings[index])
    }

    /// True when any enabled mapping listens to `kind` (lets the hot path skip work).
    pub fn listens_to(&self, kind: EventKind) -> bool {
        self.by_kind.get(&kind).is_some_and(|v| !v.is_empty())
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
            // Like Tiktok2Mc's `$random`, only gift rows: a follow or like rule is not a "gift action".
            .filter(|m| m.on.event_kind() == EventKind::Gift)
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
    fn trigger_keys_are_ids_names_or_nothing() {
        assert_eq!(TriggerKey::parse(" 5655 "), Some(TriggerKey::GiftId(5655)));
        assert_eq!(
            TriggerKey::parse("Heart_Me"),
            Some(TriggerKey::Name("heart me".into()))
        );
        assert_eq!(
            TriggerKey::parse("12ab"),
            Some(TriggerKey::Name("12ab".into()))
        );
        assert_eq!(TriggerKey::parse(" _ "), None);
        assert_eq!(TriggerKey::parse(""), None);
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
    fn obs_actions_have_their_own_json_kinds() {
        let scene = Action::ObsScene {
            scene: "Gameplay".into(),
        };
        assert_eq!(
            serde_json::to_string(&scene).unwrap(),
            r#"{"type":"obs_scene","scene":"Gameplay"}"#
        );
        let show: Action =
            serde_json::from_str(r#"{"type":"obs_show_source","source":"Confetti"}"#).unwrap();
        assert_eq!(
            show,
            Action::ObsShowSource {
                scene: String::new(),
                source: "Confetti".into(),
                seconds: 5
            }
        );
        assert_eq!(
            show.summary(),
            "OBS show Confetti for 5 s (in the live scene)"
        );
        let text = Action::ObsText {
            source: "Title".into(),
            text: "Thanks {nickname}".into(),
        };
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(
            json,
            r#"{"type":"obs_text","source":"Title","text":"Thanks {nickname}"}"#
        );
        assert_eq!(serde_json::from_str::<Action>(&json).unwrap(), text);
    }

    #[test]
    fn keys_and_speak_actions_have_their_own_json_kinds() {
        let json = r#"{"type":"keys","steps":[{"press":"ctrl+shift+k"},{"hold":"w","millis":500},{"wait_millis":100},{"click":"left"},{"type_text":"gg"}],"window":"Minecraft"}"#;
        let keys: Action = serde_json::from_str(json).unwrap();
        assert!(matches!(&keys, Action::Keys(k) if k.steps.len() == 5 && k.window == "Minecraft"));
        assert_eq!(serde_json::to_string(&keys).unwrap(), json);
        let json = r#"{"type":"speak","text":"{nickname} sent {count} {gift}","voice":"en","rate":1.2,"volume":0.8}"#;
        let speak: Action = serde_json::from_str(json).unwrap();
        assert!(matches!(&speak, Action::Speak(s) if s.voice.as_deref() == Some("en")));
        assert_eq!(serde_json::to_string(&speak).unwrap(), json);
        assert_eq!(speak.summary(), "🔊 “{nickname} sent {count} {gift}” (en)");
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
