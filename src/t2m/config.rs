//! Tiktok2Mc's `config/config.yaml`, read as Tiktok2Mc reads it (PyYAML): only the keys giftdeck
//! imports (RCON, TikTok user, like rules), every other key ignored. Hand-written values are taken
//! leniently: `100_000`, `"100"`, `yes`/`no`/`on`/`off`.

use serde::Deserialize;

/// A scalar as a user may write it: a number, a boolean or text.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Int(i64),
    Bool(bool),
    Float(f64),
    Text(String),
}

impl Scalar {
    /// A whole number: `100`, `100_000`, `"1,000"` is refused (Tiktok2Mc refuses it too).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Int(n) => u64::try_from(*n).ok(),
            Self::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64 => {
                Some(*f as u64)
            }
            Self::Text(t) => {
                let t = t.trim();
                let ok = !t.is_empty()
                    && !t.starts_with('_')
                    && !t.ends_with('_')
                    && !t.contains("__")
                    && t.bytes().all(|b| b.is_ascii_digit() || b == b'_');
                if ok {
                    t.replace('_', "").parse().ok()
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// YAML 1.1 booleans as PyYAML reads them.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            Self::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "y" => Some(true),
                "false" | "no" | "off" | "n" => Some(false),
                _ => None,
            },
            Self::Int(1) => Some(true),
            Self::Int(0) => Some(false),
            _ => None,
        }
    }

    /// Text as written (numbers in decimal: a password may be all digits).
    pub fn as_text(&self) -> String {
        match self {
            Self::Int(n) => n.to_string(),
            Self::Bool(b) => b.to_string(),
            Self::Float(f) => f.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct T2mConfig {
    #[serde(rename = "RCON", default)]
    pub rcon: Option<RconSection>,
    #[serde(rename = "TikTok", default)]
    pub tiktok: Option<TikTokSection>,
    #[serde(rename = "Gifts", default)]
    pub gifts: Option<GiftsSection>,
}

#[derive(Clone, Default, Deserialize)]
pub struct RconSection {
    #[serde(rename = "Enable", default)]
    pub enable: Option<Scalar>,
    #[serde(rename = "Password", default)]
    pub password: Option<Scalar>,
    #[serde(rename = "Port", default)]
    pub port: Option<Scalar>,
}

impl std::fmt::Debug for RconSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RconSection")
            .field("enable", &self.enable)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("port", &self.port)
            .finish()
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct TikTokSection {
    #[serde(rename = "User", default)]
    pub user: Option<Scalar>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct GiftsSection {
    /// `None` when the key is missing (Tiktok2Mc's defaults then apply).
    #[serde(default)]
    pub like_triggers: Option<Vec<RawLikeRule>>,
}

/// One entry of `Gifts.like_triggers`, every field optional so one bad rule loses only itself.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RawLikeRule {
    #[serde(default)]
    pub id: Option<Scalar>,
    #[serde(default)]
    pub every: Option<Scalar>,
    #[serde(default)]
    pub function: Option<Scalar>,
    #[serde(default)]
    pub payload: Option<Scalar>,
    #[serde(default)]
    pub enable: Option<Scalar>,
}

/// Why `config.yaml` could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
pub struct ConfigError {
    pub reason: String,
}

/// Parses `config.yaml` text. An empty file is an empty config.
pub fn parse_config(text: &str) -> Result<T2mConfig, ConfigError> {
    if text.trim().is_empty() {
        return Ok(T2mConfig::default());
    }
    // A file of only comments parses as null: also an empty config.
    serde_saphyr::from_str::<Option<T2mConfig>>(text)
        .map(Option::unwrap_or_default)
        .map_err(|err| ConfigError {
            reason: err.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underscores_and_yaml_1_1_booleans_are_read_as_tiktok2mc_reads_them() {
        let config = parse_config(
            "Gifts:\n  like_triggers:\n    - id: big # comment\n      every: 100_000\n      enable: yes\n    - id: s\n      every: \"250\"\n      enable: off\n",
        )
        .unwrap();
        let rules = config.gifts.unwrap().like_triggers.unwrap();
        assert_eq!(rules[0].every.as_ref().unwrap().as_u64(), Some(100_000));
        assert_eq!(rules[0].enable.as_ref().unwrap().as_bool(), Some(true));
        assert_eq!(rules[1].every.as_ref().unwrap().as_u64(), Some(250));
        assert_eq!(rules[1].enable.as_ref().unwrap().as_bool(), Some(false));
    }

    #[test]
    fn lenient_numbers_refuse_what_is_not_a_whole_number() {
        assert_eq!(Scalar::Text("1,000".into()).as_u64(), None);
        assert_eq!(Scalar::Text("1__0".into()).as_u64(), None);
        assert_eq!(Scalar::Int(-5).as_u64(), None);
        assert_eq!(Scalar::Text("1_000".into()).as_u64(), Some(1_000));
    }

    #[test]
    fn bad_yaml_is_an_error_with_a_location_and_comments_only_is_empty() {
        let err = parse_config("RCON:\n  Port: [1, 2\n").unwrap_err();
        assert!(
            err.reason.contains("line") || err.reason.contains(':'),
            "{}",
            err.reason
        );
        assert!(parse_config("# nothing here\n").unwrap().rcon.is_none());
    }
}
