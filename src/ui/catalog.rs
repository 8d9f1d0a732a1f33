//! The gift catalog the trigger editor completes from: common TikTok gifts built into the binary
//! (`assets/gifts.json`) plus every gift seen this session. Pure data; no egui.

use std::collections::HashMap;

use serde::Deserialize;

use crate::mappings::{TriggerKey, normalize_name};

/// The built-in list, compiled in so the binary is self-contained.
const BUILT_IN_JSON: &str = include_str!("../../assets/gifts.json");

/// How many completions the trigger field offers at most.
pub const MAX_SUGGESTIONS: usize = 8;

/// One known gift. `id` is `None` where the built-in list is not sure of TikTok's id.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CatalogGift {
    pub name: String,
    pub id: Option<i64>,
    pub diamonds: u32,
}

/// Known gifts, indexed by normalized name and by id.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    gifts: Vec<CatalogGift>,
    by_name: HashMap<String, usize>,
    by_id: HashMap<i64, usize>,
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
        for gift in gifts {
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
    }

    /// Remembers a gift seen on the live stream (its name, id and price are authoritative).
    /// Returns true when it was new.
    pub fn note_seen(&mut self, name: &str, id: i64, diamonds: u32) -> bool {
        let key = normalize_name(name);
        if key.is_empty() {
            return false;
        }
        if let Some(&index) = self.by_name.get(&key) {
            // Fill in what the built-in list did not know.
            let gift = &mut self.gifts[index];
            if gift.id.is_none() && id != 0 {
                gift.id = Some(id);
                self.by_id.entry(id).or_insert(index);
            }
            return false;
        }
        self.insert(CatalogGift {
            name: name.trim().to_owned(),
            id: (id != 0).then_some(id),
            diamonds,
        });
        true
    }

    pub fn len(&self) -> usize {
        self.gifts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gifts.is_empty()
    }

    pub fn by_name(&self, name: &str) -> Option<&CatalogGift> {
        self.by_name
            .get(&normalize_name(name))
            .map(|&i| &self.gifts[i])
    }

    pub fn by_id(&self, id: i64) -> Option<&CatalogGift> {
        self.by_id.get(&id).map(|&i| &self.gifts[i])
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_catalog_parses_and_has_the_common_gifts() {
        let c = Catalog::built_in();
        assert!(c.len() >= 60, "only {} gifts", c.len());
        let rose = c.by_name("rose").unwrap();
        assert_eq!((rose.id, rose.diamonds), (Some(5655), 1));
        assert_eq!(c.by_id(6369).unwrap().name, "Lion");
        assert_eq!(c.by_name("finger_heart").unwrap().diamonds, 5);
    }

    #[test]
    fn unknown_names_are_flagged_but_ids_never_are() {
        let c = Catalog::built_in();
        assert!(c.knows_trigger("Heart Me"));
        assert!(c.knows_trigger("123456"));
        assert!(!c.knows_trigger("Rosee"));
    }

    #[test]
    fn seen_gifts_join_the_catalog() {
        let mut c = Catalog::built_in();
        assert!(!c.knows_trigger("Brand New Gift"));
        assert!(c.note_seen("Brand New Gift", 99_999, 77));
        assert!(!c.note_seen("brand new gift", 99_999, 77), "seen twice");
        assert!(c.knows_trigger("brand new gift"));
        assert_eq!(c.by_id(99_999).unwrap().diamonds, 77);
    }

    #[test]
    fn suggestions_prefer_prefixes_and_are_bounded() {
        let c = Catalog::built_in();
        let s = c.suggestions("ro");
        assert!(!s.is_empty() && s.len() <= MAX_SUGGESTIONS);
        assert!(s[0].name.to_lowercase().starts_with("ro"));
        assert!(c.suggestions("").is_empty());
        assert!(
            c.suggestions("heart")
                .iter()
                .any(|g| g.name == "Finger Heart"),
            "contains-matches are offered too"
        );
    }
}
