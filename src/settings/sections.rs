//! The smaller sections of the settings file: the queue's pacing and the panic button's cleanup
//! (`executor`), keys actions (`keys`), the gift engine (`engine`), the window's scale and
//! theme (`ui`) and the gift pictures' cache (`pictures`). Each reads its defaults for any key an
//! older file does not have.

use serde::{Deserialize, Serialize};

use crate::engine::EngineConfig;

/// Pacing of the action queue, and what the panic button runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecutorSettings {
    pub gap_millis: u64,
    /// Actions older than this are skipped instead of firing late (`None` = never skip).
    pub max_age_millis: Option<u64>,
    /// Commands the panic button sends to the current server, one per line (absent in files
    /// written before it: `kill @e[type=tnt]`).
    pub panic_cleanup: Vec<String>,
}

impl Default for ExecutorSettings {
    fn default() -> Self {
        Self {
            gap_millis: 50,
            max_age_millis: None,
            panic_cleanup: crate::actions::panic::DEFAULT_PANIC_CLEANUP
                .iter()
                .map(|line| (*line).to_owned())
                .collect(),
        }
    }
}

/// Keys actions' pace, per-trigger cap and limits (docs/actions.md, "Keystrokes").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeysSettings {
    pub pace: crate::actions::keys::KeysPace,
    pub limits: crate::actions::keys::KeysLimits,
}

/// Gift engine tunables a streamer may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineSettings {
    pub streak_timeout_millis: u64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            streak_timeout_millis: EngineConfig::default().streak_timeout_millis,
        }
    }
}

impl EngineSettings {
    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            streak_timeout_millis: self.streak_timeout_millis,
            ..EngineConfig::default()
        }
    }
}

/// Light or dark: the system's choice, or one the streamer picked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Follow the OS (and its changes while the app runs).
    #[default]
    System,
    Light,
    Dark,
}

/// The window's look and language (`ui.scale`, `ui.theme`, `ui.language`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiSettings {
    /// How big everything is drawn, on top of the screen's own scale (1.0 = as the OS says; 1.5
    /// for a high-DPI screen the OS does not scale).
    pub scale: f32,
    pub theme: ThemeChoice,
    /// "auto" (the OS locale's language, English where we do not speak it) or a language code.
    pub language: crate::i18n::LanguageChoice,
}

impl Default for UiSettings {
    fn default() -> Self {
        Self {
            scale: 1.0,
            theme: ThemeChoice::System,
            language: crate::i18n::LanguageChoice::Auto,
        }
    }
}

impl UiSettings {
    /// Smallest and largest scale the window applies.
    pub const SCALE_RANGE: std::ops::RangeInclusive<f32> = 0.5..=3.0;

    /// The scale to apply: the setting within [`Self::SCALE_RANGE`] (a hand-edited 0, a negative
    /// or a NaN reads as 1).
    pub fn zoom_factor(&self) -> f32 {
        if self.scale.is_finite() && self.scale > 0.0 {
            self.scale
                .clamp(*Self::SCALE_RANGE.start(), *Self::SCALE_RANGE.end())
        } else {
            1.0
        }
    }
}

/// The gift pictures' disk cache (`pictures.cache_limit_mb`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PictureSettings {
    /// The most the cache in the OS cache dir may hold, in megabytes (least recently used
    /// pictures go first).
    pub cache_limit_mb: u32,
}

impl Default for PictureSettings {
    fn default() -> Self {
        Self {
            cache_limit_mb: crate::pictures::DEFAULT_CACHE_LIMIT_MB,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_executor_section_gets_the_default_cleanup() {
        let old: ExecutorSettings =
            serde_json::from_str(r#"{"gap_millis": 120, "max_age_millis": null}"#).unwrap();
        assert_eq!(old.gap_millis, 120);
        assert_eq!(old.panic_cleanup, ["kill @e[type=tnt]"]);
        let none: ExecutorSettings = serde_json::from_str(r#"{"panic_cleanup": []}"#).unwrap();
        assert!(none.panic_cleanup.is_empty(), "an emptied list stays empty");
    }

    #[test]
    fn the_ui_section_reads_its_keys_and_defaults() {
        let ui: UiSettings = serde_json::from_str(r#"{"scale": 1.5, "theme": "dark"}"#).unwrap();
        assert_eq!((ui.zoom_factor(), ui.theme), (1.5, ThemeChoice::Dark));
        let old: UiSettings = serde_json::from_str("{}").unwrap();
        assert_eq!((old.zoom_factor(), old.theme), (1.0, ThemeChoice::System));
    }

    #[test]
    fn the_pictures_section_reads_its_bound_and_defaults_to_50_mb() {
        let set: PictureSettings = serde_json::from_str(r#"{"cache_limit_mb": 10}"#).unwrap();
        assert_eq!(set.cache_limit_mb, 10);
        let old: PictureSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(old.cache_limit_mb, 50);
    }

    #[test]
    fn a_scale_out_of_range_is_held_to_it() {
        let at = |scale| UiSettings {
            scale,
            ..UiSettings::default()
        };
        assert_eq!(at(0.0).zoom_factor(), 1.0);
        assert_eq!(at(f32::NAN).zoom_factor(), 1.0);
        assert_eq!(at(-2.0).zoom_factor(), 1.0);
        assert_eq!(at(0.1).zoom_factor(), 0.5);
        assert_eq!(at(9.0).zoom_factor(), 3.0);
    }
}
