//! The window's words in five languages: one Fluent catalog per language (`assets/i18n/*.ftl`,
//! compiled in), the language in force on this thread, and the lookups the panels call
//! ([`tr`] for fixed words, [`tr_args`] for words with placeholders).
//!
//! The language is the streamer's pick (`ui.language`) or the OS locale's ("auto"); the window
//! sets it at the start of every frame ([`set_app_language`]), so a change in Settings shows in the
//! next frame, with no restart. Fixed words are formatted once per language and kept, so a frame
//! costs a hash lookup per word, never a Fluent format.

mod catalog;
mod choice;
#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};

pub use catalog::{PSEUDO_CLOSE, PSEUDO_OPEN, message_ids};
pub use choice::LanguageChoice;
pub use fluent_bundle::FluentValue as Value;

/// A language the window speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    De,
    Es,
    PtBr,
    Id,
    /// English with every message wrapped in [`PSEUDO_OPEN`]…[`PSEUDO_CLOSE`]: for the test that
    /// finds words on screen that did not come from the catalog. Never offered in the picker.
    Pseudo,
}

impl Lang {
    /// The languages offered to the streamer, in the picker's order.
    pub const OFFERED: [Lang; 5] = [Lang::En, Lang::De, Lang::Es, Lang::PtBr, Lang::Id];

    /// The BCP 47 tag (`ui.language`'s value, the catalog's file name).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Es => "es",
            Lang::PtBr => "pt-BR",
            Lang::Id => "id",
            Lang::Pseudo => "x-pseudo",
        }
    }

    /// The language's name in itself, as the picker shows it (never translated).
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::Es => "Español",
            Lang::PtBr => "Português (Brasil)",
            Lang::Id => "Bahasa Indonesia",
            Lang::Pseudo => "[pseudo]",
        }
    }

    /// The language a tag names (exact codes, case-insensitive; "pt" and "pt-PT" read as
    /// Brazilian Portuguese, the one we have).
    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.trim();
        [
            Lang::En,
            Lang::De,
            Lang::Es,
            Lang::PtBr,
            Lang::Id,
            Lang::Pseudo,
        ]
        .into_iter()
        .find(|l| l.code().eq_ignore_ascii_case(code))
        .or_else(|| code.eq_ignore_ascii_case("pt").then_some(Lang::PtBr))
    }

    /// The language for an OS locale such as `de_DE.UTF-8`, `es-419`, `pt-BR` or `in_ID`
    /// (Java's old code for Indonesian); None for a language we do not have.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let primary = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            "es" => Some(Lang::Es),
            "pt" => Some(Lang::PtBr),
            "id" | "in" => Some(Lang::Id),
            _ => None,
        }
    }

    fn index(self) -> u8 {
        match self {
            Lang::En => 0,
            Lang::De => 1,
            Lang::Es => 2,
            Lang::PtBr => 3,
            Lang::Id => 4,
            Lang::Pseudo => 5,
        }
    }

    fn from_index(index: u8) -> Lang {
        match index {
            1 => Lang::De,
            2 => Lang::Es,
            3 => Lang::PtBr,
            4 => Lang::Id,
            5 => Lang::Pseudo,
            _ => Lang::En,
        }
    }
}

/// No language set on this thread yet: [`GLOBAL`] holds.
const UNSET: u8 = u8::MAX;

thread_local! {
    /// The window thread's language. Per thread, so UI tests running side by side in one process
    /// can each speak their own.
    static CURRENT: Cell<u8> = const { Cell::new(UNSET) };
}

/// The language last set on any thread: what words formed on other threads (a background
/// task's notice) use.
static GLOBAL: AtomicU8 = AtomicU8::new(0);

/// Speaks `lang` on this thread from now on.
pub fn set_language(lang: Lang) {
    CURRENT.with(|c| c.set(lang.index()));
}

/// The window's language: on this thread, and on every thread that has not set its own (a
/// background task's words). Cheap: the window calls it every frame.
pub fn set_app_language(lang: Lang) {
    set_language(lang);
    GLOBAL.store(lang.index(), Ordering::Relaxed);
}

/// The language in force on this thread.
pub fn language() -> Lang {
    let here = CURRENT.with(Cell::get);
    if here == UNSET {
        Lang::from_index(GLOBAL.load(Ordering::Relaxed))
    } else {
        Lang::from_index(here)
    }
}

/// The fixed words of message `id` in the current language (English where the language lacks
/// it; the id itself, visibly, if no catalog has it).
pub fn tr(id: &'static str) -> &'static str {
    catalog::fixed(language(), id)
}

/// The words of message `id` with its placeholders filled from `args` (`$name` → value).
pub fn tr_args(id: &'static str, args: &[(&'static str, Value<'_>)]) -> String {
    catalog::format(language(), id, args)
}

/// [`tr`] in a given language, whatever this thread speaks (the overlay pages' words).
pub fn tr_in(lang: Lang, id: &'static str) -> &'static str {
    catalog::fixed(lang, id)
}

/// What "auto" reads as when set by [`assume_os_language`].
static ASSUMED: AtomicU8 = AtomicU8::new(UNSET);

/// Makes "auto" read as `lang` whatever the machine's locale says: for tests, which find widgets
/// by their English words on any developer's machine.
pub fn assume_os_language(lang: Lang) {
    ASSUMED.store(lang.index(), Ordering::Relaxed);
}

/// The language the OS asks for, once per run; English when it names one we do not have.
pub fn os_language() -> Lang {
    static OS: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();
    let assumed = ASSUMED.load(Ordering::Relaxed);
    if assumed != UNSET {
        return Lang::from_index(assumed);
    }
    *OS.get_or_init(|| {
        sys_locale::get_locales()
            .find_map(|l| Lang::from_locale(&l))
            .unwrap_or(Lang::En)
    })
}

/// [`tr_args`] with the placeholders named in place:
/// `trf!("held-kept", count = n, server = name.as_str())`. A value is anything a Fluent value
/// comes from (numbers, `&str`, `String`); give numbers wider than 2^53 (room ids) as text.
#[macro_export]
macro_rules! trf {
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::tr_args(
            $id,
            &[$((stringify!($name), $crate::i18n::Value::from($value))),+],
        )
    };
}
