//! The `speak` action as the streamer writes it:
//! `{"type":"speak","text":"{nickname} sent {count} {gift}","voice":"…","rate":1.2,"volume":0.8}`.
//! Pure data, and how its values map onto each speech service's scale.

use serde::{Deserialize, Serialize};

/// Say a text with the system's offline voices. `text` may hold placeholders (viewer values are
/// spoken as plain text, after the word filter); voice, rate and volume are optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpeakAction {
    pub text: String,
    /// A voice name as the speech service lists it (blank: the system's default voice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    /// Speed: 1.0 is normal, 2.0 twice as fast, 0.5 half (kept within 0.25–4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f32>,
    /// Loudness: 1.0 is full, 0.0 silent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<f32>,
}

impl SpeakAction {
    pub fn summary(&self) -> String {
        let mut out = format!("🔊 “{}”", self.text.trim());
        if let Some(voice) = self.voice.as_deref().filter(|v| !v.trim().is_empty()) {
            out.push_str(&format!(" ({})", voice.trim()));
        }
        out
    }
}

/// How one utterance sounds, ready for a speech service.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Voice {
    pub name: Option<String>,
    pub rate: f32,
    pub volume: f32,
}

impl Voice {
    pub fn new(name: Option<&str>, rate: Option<f32>, volume: Option<f32>) -> Self {
        Self {
            name: name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            rate: finite(rate, 1.0).clamp(0.25, 4.0),
            volume: finite(volume, 1.0).clamp(0.0, 1.0),
        }
    }

    /// speech-dispatcher's `RATE` (-100..=100, 0 normal; each 50 roughly doubles or halves).
    pub fn ssip_rate(&self) -> i32 {
        scaled(self.rate.log2() * 50.0, 100)
    }

    /// speech-dispatcher's `VOLUME` (-100..=100; 100 is its default, full loudness).
    pub fn ssip_volume(&self) -> i32 {
        scaled(self.volume * 200.0 - 100.0, 100)
    }

    /// SAPI's `SetRate` (-10..=10, 0 normal; +10 is about three times as fast).
    pub fn sapi_rate(&self) -> i32 {
        scaled(self.rate.log2() * 6.3, 10)
    }

    /// SAPI's `SetVolume` (0..=100).
    pub fn sapi_volume(&self) -> u16 {
        u16::try_from(scaled(self.volume * 100.0, 100).max(0)).unwrap_or(100)
    }
}

fn finite(value: Option<f32>, default: f32) -> f32 {
    value.filter(|v| v.is_finite()).unwrap_or(default)
}

fn scaled(value: f32, limit: i32) -> i32 {
    let rounded = value.round().clamp(-(limit as f32), limit as f32);
    // In range after the clamp, so the cast is exact.
    rounded as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_shape_reads_and_writes() {
        let json =
            r#"{"text":"{nickname} sent {count} {gift}","voice":"en-us","rate":1.5,"volume":0.5}"#;
        let action: SpeakAction = serde_json::from_str(json).unwrap();
        assert_eq!(action.voice.as_deref(), Some("en-us"));
        assert_eq!(serde_json::to_string(&action).unwrap(), json);
        let bare: SpeakAction = serde_json::from_str(r#"{"text":"hi"}"#).unwrap();
        assert_eq!(serde_json::to_string(&bare).unwrap(), r#"{"text":"hi"}"#);
    }

    #[test]
    fn scales_map_onto_each_service() {
        let normal = Voice::new(None, None, None);
        assert_eq!((normal.ssip_rate(), normal.ssip_volume()), (0, 100));
        assert_eq!((normal.sapi_rate(), normal.sapi_volume()), (0, 100));
        let fast = Voice::new(Some(" "), Some(2.0), Some(0.5));
        assert_eq!(fast.name, None);
        assert_eq!((fast.ssip_rate(), fast.ssip_volume()), (50, 0));
        assert_eq!((fast.sapi_rate(), fast.sapi_volume()), (6, 50));
        let silly = Voice::new(Some("x"), Some(f32::NAN), Some(7.0));
        assert_eq!((silly.rate, silly.volume), (1.0, 1.0));
        let extreme = Voice::new(None, Some(100.0), Some(-1.0));
        assert_eq!((extreme.ssip_rate(), extreme.ssip_volume()), (100, -100));
        assert_eq!(extreme.sapi_rate(), 10);
    }
}
