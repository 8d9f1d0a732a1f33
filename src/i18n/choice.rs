//! `ui.language`: "auto" (the OS locale's language) or one language's code, saved as that string.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Lang, os_language};

/// The streamer's pick of language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LanguageChoice {
    /// Whatever the OS locale asks for, English where we do not speak it.
    #[default]
    Auto,
    Fixed(Lang),
}

impl LanguageChoice {
    /// The language the window speaks for this choice.
    pub fn resolve(self) -> Lang {
        match self {
            LanguageChoice::Auto => os_language(),
            LanguageChoice::Fixed(lang) => lang,
        }
    }

    /// The saved form: "auto" or the language's code.
    pub fn code(self) -> &'static str {
        match self {
            LanguageChoice::Auto => "auto",
            LanguageChoice::Fixed(lang) => lang.code(),
        }
    }

    /// Reads a saved value; anything unknown (a hand edit, a language a newer version added)
    /// reads as "auto" rather than failing the whole settings file.
    pub fn from_code(code: &str) -> LanguageChoice {
        Lang::from_code(code).map_or(LanguageChoice::Auto, LanguageChoice::Fixed)
    }
}

impl Serialize for LanguageChoice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for LanguageChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Ok(LanguageChoice::from_code(&code))
    }
}
