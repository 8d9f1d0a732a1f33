//! The gift catalog: every gift giftdeck knows, with its id, name, coin value and picture URL.
//! The list built into the binary (`assets/gifts.json`) is the fallback; the room's gift list
//! (when connected) and each gift message (its own picture URL) refine it. Pure data: no egui, no
//! I/O. The trigger editor completes from it, the gift picker searches it, the feed and the
//! overlays take a gift's picture from it when a message carries none.

use std::collections::HashMap;

use serde::Deserialize;

use crate::mappings::{TriggerKey, normalize_name};

/// The built-in list, compiled in so the binary is self-contained.
const BUILT_IN_JSON: &str = include_str!("../assets/gifts.json");

/// How many completions the trigger field offers at most.
pub const MAX_SUGGESTIONS: usize = 8;
/// Longest picture URL kept (TikTok's are ~150 characters).
pub const MAX_PICTURE_URL_CHARS: usize = 2_048;

/// One known gift. `id` is `None` where the built-in list is not sure of TikTok's id.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CatalogGift {
    pub name: String,
    pub id: Option<i64>,
    /// The value of one gift in coins (TikTok calls them diamonds on the wire).
    pub diamonds: u32,
    /// Where its picture is (http(s) only); `None` until a gift list or a message said.
    #[serde(default)]
    pub picture_url: Option<String>,
}

/// What the gift picker asks for: a name or id to search, a coin range.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PickerQuery {
    /// Part of a name (any case, `_` for spaces) or the digits of an id; empty matches all.
    pub text: String,
    /// Cheapest coin value shown.
    pub min_coins: u32,
    /// Dearest coin value shown; `None` for no upper bound.
    pub max_coins: Option<u32>,
}

/// Known gifts, indexed by normalized name and by id.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    gifts: Vec<CatalogGift>,
    by_name: HashMap<String, usize>,
    by_id: HashMap<i64, usize>,
    /// Bumped whenever a gift is added or changed: consumers that keep a copy (the overlays'
    /// pictures) refresh it only then.
    generation: u64,
}

/// Only plain `http(s)` URLs of sane length are kept as pictures.
fn clean_picture_url(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    let web = url.starts_with("https://") || url.starts_with("http://");
    (web && url.len() <= MAX_PICTURE_URL_CHARS && !url.chars().any(char::is_control))
        .then(|| url.to_owned())
}

impl Catalog {
    /// The built-in catalog. The JSON is ours and checked by a test, so a parse failure can
    /// only be a build defect; it degrades to an empty catalog rather than a crash.
    pub fn built_in() -> Self {
        let gifts: Vec<CatalogGift> = match serde_json::from_str(BUILT_IN_JSON) {
            Ok(gifts) => gifts,
            Err(err) => {
                tracing::error!("built-in gift catalog is invalid: {err}");
                Vec::new()
            }
        };
        let mut catalog = Self::default();
        for mut gift in gifts {
            gift.picture_url = clean_picture_url(gift.picture_url.as_deref());
            catalog.insert(gift);
        }
        catalog
    }

    fn insert(&mut self, gift: CatalogGift) {
        let key = normalize_name(&gift.name);
        if key.is_empty() || self.by_name.contains_key(&key) {
            return;
        }
        let index = self.gifts.len();
        if let Some(id) = gift.id {
            self.by_id.entry(id).or_insert(index);
        }
        self.by_name.insert(key, index);
        self.gifts.push(gift);
        self.generation += 1;
    }

    /// Remembers a gift seen on the live stream: a new gift joins with its name, id, price and
    /// picture; a known one gets the id and picture it lacked. Returns true when it was new (the
    /// trigger problems may change).
    pub fn note_seen(
        &mut self,
        name: &str,
        id: i64,
        diamonds: u32,
        picture_url: Option<&str>,
    ) -> bool {
        let picture_url = clean_picture_url(picture_url);
        let key = normalize_name(name);
        let known = self
            .by_name
            .get(&key)
            .or_else(|| (id != 0).then(|| self.by_id.get(&id)).flatten())
            .copied();
        if let Some(index) = known {
            self.fill_in(index, id, picture_url);
            return false;
        }
        if key.is_empty() {
            return false;
        }
        self.insert(CatalogGift {
            name: name.trim().to_owned(),
            id: (id != 0).then_some(id),
            diamonds,
            picture_url,
        });
        true
    }

    /// Fills in what the list did not know yet: the id, a picture.
    fn fill_in(&mut self, index: usize, id: i64, picture_url: Option<String>) {
        let gift = &mut self.gifts[index];
        let mut changed = false;
        if gift.id.is_none() && id != 0 {
            gift.id = Some(id);
            self.by_id.entry(id).or_insert(index);
            changed = true;
        }
        // The first picture stays: a message's URL may differ per message (a CDN's signed
        // query), and each change would mean a new download and a new copy for the overlays.
        if gift.picture_url.is_none() && picture_url.is_some() {
            gift.picture_url = picture_url;
            changed = true;
        }
        if changed {
            self.generation += 1;
        }
    }

    /// Takes the room's gift list: for each gift (matched by id, else by name) its name, coin
    /// value and picture replace what the built-in list said; unknown gifts are added.
    /// Returns how many gifts were added or changed.
    pub fn merge_room_list(&mut self, gifts: impl IntoIterator<Item = CatalogGift>) -> usize {
        let mut touched = 0;
        for mut room in gifts {
            room.picture_url = clean_picture_url(room.picture_url.as_deref());
            let key = normalize_name(&room.name);
            let known = room
                .id
                .and_then(|id| self.by_id.get(&id))
                .or_else(|| self.by_name.get(&key))
                .copied();
            let Some(index) = known else {
                let before = self.gifts.len();
                self.insert(room);
                touched += self.gifts.len() - before;
                continue;
            };
            let gift = &mut self.gifts[index];
            let name = if key.is_empty() {
                gift.name.clone()
            } else {
                room.name.trim().to_owned()
            };
            let merged = CatalogGift {
                name,
                id: room.id.or(gift.id),
                diamonds: if room.diamonds > 0 {
                    room.diamonds
                } else {
                    gift.diamonds
                },
                picture_url: room.picture_url.or_else(|| gift.picture_url.clone()),
            };
            if *gift != merged {
                *gift = merged;
                if let Some(id) = gift.id {
                    self.by_id.entry(id).or_insert(index);
                }
                // A renamed gift is found by both names (triggers typed with the old one).
                if !key.is_empty() {
                    self.by_name.entry(key).or_insert(index);
                }
                self.generation += 1;
                touched += 1;
            }
        }
        touched
    }

    pub fn len(&self) -> usize {
        self.gifts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gifts.is_empty()
    }

    /// Changes whenever a gift was added or changed.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Every gift, in the order they became known.
    pub fn gifts(&self) -> &[CatalogGift] {
        &self.gifts
    }

    pub fn by_name(&self, name: &str) -> Option<&CatalogGift> {
        self.by_name
            .get(&normalize_name(name))
            .map(|&i| &self.gifts[i])
    }

    pub fn by_id(&self, id: i64) -> Option<&CatalogGift> {
        self.by_id.get(&id).map(|&i| &self.gifts[i])
    }

    /// The gift a trigger names (by id or by name), if known.
    pub fn by_trigger(&self, trigger: &str) -> Option<&CatalogGift> {
        match TriggerKey::parse(trigger)? {
            TriggerKey::GiftId(id) => self.by_id(id),
            TriggerKey::Name(_) => self.by_name(trigger),
        }
    }

    /// A gift's picture: the message's own URL when it carried one, else the catalog's (by id,
    /// then by name).
    pub fn picture_url<'a>(
        &'a self,
        message_url: Option<&'a str>,
        id: i64,
        name: &str,
    ) -> Option<&'a str> {
        message_url.or_else(|| {
            self.by_id(id)
                .or_else(|| self.by_name(name))
                .and_then(|g| g.picture_url.as_deref())
        })
    }

    /// Every gift id with a picture: what the overlays fall back to.
    pub fn pictures_by_id(&self) -> HashMap<i64, String> {
        self.gifts
            .iter()
            .filter_map(|g| Some((g.id?, g.picture_url.clone()?)))
            .collect()
    }

    /// True when `trigger` names a gift we know, or is a numeric gift id (ids are always valid
    /// triggers: TikTok adds gifts faster than any list).
    pub fn knows_trigger(&self, trigger: &str) -> bool {
        match TriggerKey::parse(trigger) {
            Some(TriggerKey::GiftId(_)) => true,
            Some(TriggerKey::Name(_)) => self.by_name(trigger).is_some(),
            None => false,
        }
    }

    /// Up to [`MAX_SUGGESTIONS`] gifts whose name matches what was typed: names that start with
    /// it first, then names that contain it; cheapest first within each group.
    pub fn suggestions(&self, typed: &str) -> Vec<&CatalogGift> {
        let typed = normalize_name(typed);
        if typed.is_empty() {
            return Vec::new();
        }
        let mut starts = Vec::new();
        let mut contains = Vec::new();
        for gift in &self.gifts {
            let name = normalize_name(&gift.name);
            if name == typed {
                continue;
            }
            if name.starts_with(&typed) {
                starts.push(gift);
            } else if name.contains(&typed) {
                contains.push(gift);
            }
        }
        starts.sort_by_key(|g| g.diamonds);
        contains.sort_by_key(|g| g.diamonds);
        starts.extend(contains);
        starts.truncate(MAX_SUGGESTIONS);
        starts
    }

    /// The gift picker's list: every gift whose name contains the text (or whose id starts with
    /// its digits) within the coin range, sorted by coins, then by name.
    pub fn pick(&self, query: &PickerQuery) -> Vec<&CatalogGift> {
        let text = normalize_name(&query.text);
        let digits =
            (!text.is_empty() && text.chars().all(|c| c.is_ascii_digit())).then_some(&text);
        let max_coins = query.max_coins.unwrap_or(u32::MAX);
        let mut found: Vec<&CatalogGift> = self
            .gifts
            .iter()
            .filter(|g| (query.min_coins..=max_coins).contains(&g.diamonds))
            .filter(|g| {
                text.is_empty()
                    || normalize_name(&g.name).contains(&text)
                    || digits.is_some_and(|d| g.id.is_some_and(|id| id.to_string().starts_with(d)))
            })
            .collect();
        found.sort_by(|a, b| {
            (a.diamonds, normalize_name(&a.name)).cmp(&(b.diamonds, normalize_name(&b.name)))
        });
        found
    }
}

#[cfg(test)]
mod tests;
