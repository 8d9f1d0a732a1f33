//! The overlay pages' fixed words ("sent", "followed", "Top gifters") in the window's language:
//! put ahead of `overlay.js` as `window.GIFTDECK_WORDS`, one table of plain words and one of
//! hygiene words (`?hygiene=1`: neutral in every language, no "gift", "follow" or "like").

use serde_json::{Map, Value};

use crate::i18n::{Lang, tr_in};

/// A word the script reads: its key, the catalog id of its plain and of its hygiene form, and
/// whether the script appends it after a name (then it starts with a space).
const WORDS: &[(&str, &str, &str, bool)] = &[
    ("sent", "overlay-sent", "overlay-sent", true),
    ("gift", "overlay-a-gift", "overlay-hygiene-a-gift", false),
    (
        "follow",
        "overlay-followed",
        "overlay-hygiene-followed",
        true,
    ),
    ("share", "overlay-shared", "overlay-hygiene-shared", true),
    (
        "subscribe",
        "overlay-subscribed",
        "overlay-hygiene-subscribed",
        true,
    ),
    (
        "superFan",
        "overlay-super-fan",
        "overlay-hygiene-super-fan",
        true,
    ),
    ("chest", "overlay-chest", "overlay-hygiene-chest", true),
    (
        "superFanBox",
        "overlay-super-fan-box",
        "overlay-hygiene-chest",
        true,
    ),
    ("top", "overlay-top-gifters", "overlay-hygiene-top", false),
    (
        "likeGoal",
        "overlay-like-goal",
        "overlay-hygiene-goal",
        false,
    ),
    ("last", "overlay-last-gift", "overlay-hygiene-last", false),
    (
        "topOne",
        "overlay-top-gifter",
        "overlay-hygiene-top-one",
        false,
    ),
    (
        "topLikes",
        "overlay-top-likers",
        "overlay-hygiene-top-likes",
        false,
    ),
    (
        "topPoints",
        "overlay-top-points",
        "overlay-top-points",
        false,
    ),
    ("allTime", "overlay-all-time", "overlay-all-time", false),
    (
        "noGifts",
        "overlay-no-gifts",
        "overlay-hygiene-nothing",
        false,
    ),
    ("recent", "overlay-recent", "overlay-recent", false),
    (
        "goal",
        "overlay-hygiene-goal",
        "overlay-hygiene-goal",
        false,
    ),
    ("noGoals", "overlay-no-goals", "overlay-no-goals", false),
    ("subathon", "overlay-subathon", "overlay-subathon", false),
    ("nobody", "overlay-nobody", "overlay-nobody", false),
    ("coins", "overlay-coins", "overlay-hygiene-points", false),
    ("likes", "overlay-likes", "overlay-hygiene-points", false),
    ("follows", "overlay-follows", "overlay-hygiene-fans", false),
    ("shares", "overlay-shares", "overlay-hygiene-shares", false),
    (
        "subscriptions",
        "overlay-subscriptions",
        "overlay-hygiene-members",
        false,
    ),
];

/// The two tables in `lang`, as the script reads them.
pub fn words_json(lang: Lang) -> Value {
    let table = |hygiene: bool| {
        let mut map = Map::new();
        for &(key, plain, clean, after_name) in WORDS {
            let word = tr_in(lang, if hygiene { clean } else { plain });
            let word = if after_name {
                format!(" {word}")
            } else {
                word.to_owned()
            };
            map.insert(key.to_owned(), Value::String(word));
        }
        // Symbols, the same everywhere.
        let (value, likes) = if hygiene {
            ("★ ", "★ ")
        } else {
            ("💎 ", "♥ ")
        };
        map.insert("value".to_owned(), Value::String(value.to_owned()));
        map.insert("likeIcon".to_owned(), Value::String(likes.to_owned()));
        Value::Object(map)
    };
    serde_json::json!({ "plain": table(false), "hygiene": table(true) })
}

/// `overlay.js` with the words of `lang` ahead of it. JSON is valid JavaScript, and the words
/// come from our own catalog, never from a viewer.
pub fn script_with_words(lang: Lang, script: &str) -> String {
    format!("window.GIFTDECK_WORDS = {};\n{script}", words_json(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_word_and_hygiene_never_says_gift_follow_or_like() {
        for lang in Lang::OFFERED {
            let json = words_json(lang);
            for &(key, ..) in WORDS {
                for table in ["plain", "hygiene"] {
                    let word = json[table][key].as_str().unwrap_or_default();
                    assert!(!word.trim().is_empty(), "{} {table} {key}", lang.code());
                }
            }
        }
        let english = words_json(Lang::En);
        assert_eq!(english["plain"]["follow"], " followed");
        assert_eq!(english["plain"]["sent"], " sent");
        let hygiene = english["hygiene"].as_object().cloned().unwrap_or_default();
        for (key, word) in hygiene {
            let word = word.as_str().unwrap_or_default().to_lowercase();
            for banned in ["gift", "follow", "like"] {
                assert!(!word.contains(banned), "{key}: {word}");
            }
        }
        assert_eq!(words_json(Lang::De)["plain"]["follow"], " folgt dir jetzt");
    }
}
