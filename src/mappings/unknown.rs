//! A trigger kind this version does not know (a settings file or export written by a newer
//! giftdeck): kept as it was read, key order and all, so saving writes it back unchanged. Read
//! through any serde format (the settings file, a JSON value), not only from JSON text.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// JSON as it was read: object keys in their written order (unlike `serde_json::Value` without
/// `preserve_order`), numbers as they were typed (integer or float).
#[derive(Clone, Debug, PartialEq)]
pub enum RawJson {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    String(String),
    Array(Vec<RawJson>),
    Object(Vec<(String, RawJson)>),
}

impl RawJson {
    fn get(&self, key: &str) -> Option<&RawJson> {
        match self {
            Self::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Reads a [`RawJson`] as any `Deserialize` type, with the caller's error type: the known kinds'
/// reader then reports a missing field or an unknown variant exactly as serde's derive would (the
/// settings file's errors, and `tests/support/sentinel.rs`, rely on those).
pub struct RawDeserializer<E> {
    json: RawJson,
    error: PhantomData<E>,
}

impl<E> RawDeserializer<E> {
    pub fn new(json: RawJson) -> Self {
        Self {
            json,
            error: PhantomData,
        }
    }
}

impl<'de, E: de::Error> de::IntoDeserializer<'de, E> for RawDeserializer<E> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de, E: de::Error> Deserializer<'de> for RawDeserializer<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.json {
            RawJson::Null => visitor.visit_unit(),
            RawJson::Bool(b) => visitor.visit_bool(b),
            RawJson::Int(n) => visitor.visit_i64(n),
            RawJson::UInt(n) => visitor.visit_u64(n),
            RawJson::Float(f) => visitor.visit_f64(f),
            RawJson::String(s) => visitor.visit_string(s),
            RawJson::Array(items) => visitor.visit_seq(de::value::SeqDeserializer::new(
                items.into_iter().map(RawDeserializer::new),
            )),
            RawJson::Object(entries) => visitor.visit_map(de::value::MapDeserializer::new(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, RawDeserializer::new(v))),
            )),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.json {
            RawJson::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Int(n) => serializer.serialize_i64(*n),
            Self::UInt(n) => serializer.serialize_u64(*n),
            Self::Float(f) => serializer.serialize_f64(*f),
            Self::String(s) => serializer.serialize_str(s),
            Self::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawJson;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawJson, E> {
        Ok(RawJson::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<RawJson, E> {
        Ok(RawJson::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawJson, D::Error> {
        RawJson::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<RawJson, E> {
        Ok(RawJson::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<RawJson, E> {
        Ok(RawJson::Int(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<RawJson, E> {
        Ok(RawJson::UInt(n))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<RawJson, E> {
        Ok(RawJson::Float(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<RawJson, E> {
        Ok(RawJson::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<RawJson, E> {
        Ok(RawJson::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawJson, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawJson::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawJson, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, RawJson>()? {
            entries.push((key, value));
        }
        Ok(RawJson::Object(entries))
    }
}

/// A mapping's `"on"` object whose `kind` this version does not know. Compared and hashed by its
/// JSON text, so two alike are equal.
#[derive(Clone)]
pub struct UnknownCondition {
    kind: String,
    json: RawJson,
    /// The compact JSON text: equality, hashing and `Debug`.
    text: String,
}

impl UnknownCondition {
    /// `Some` when `json` is an object whose `kind` is a name (lowercase letters, digits and `_`,
    /// as every giftdeck kind is) that is not in `known`. Anything else is left to the known kinds'
    /// reader and its errors (a missing or misspelled kind still fails, naming the kinds).
    pub fn of(json: &RawJson, known: &[&str]) -> Option<Self> {
        let Some(RawJson::String(kind)) = json.get("kind") else {
            return None;
        };
        let is_name = !kind.is_empty()
            && kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !is_name || known.contains(&kind.as_str()) {
            return None;
        }
        Some(Self {
            kind: kind.clone(),
            text: serde_json::to_string(json).unwrap_or_default(),
            json: json.clone(),
        })
    }

    /// The kind as written.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Why the mapping does nothing here, for the editor.
    pub fn reason(&self) -> String {
        format!(
            "“{}” is a trigger kind from a newer giftdeck: kept as it is and saved back unchanged, \
             but it cannot fire in this version",
            self.kind
        )
    }
}

impl Serialize for UnknownCondition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl PartialEq for UnknownCondition {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for UnknownCondition {}

impl std::hash::Hash for UnknownCondition {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl fmt::Debug for UnknownCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Unknown({})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mappings::{Condition, MappingTable};
    use crate::settings;

    /// What a newer giftdeck writes: a row of a kind this version does not know, with keys in an
    /// order no sorted map would keep, between two rows it knows.
    fn newer_settings() -> String {
        let file = r#"{
  "version": 1,
  "mappings": [
    {
      "trigger": "Rose",
      "enabled": true,
      "actions": [],
      "repeat": 1
    },
    {
      "trigger": "raid party",
      "on": {
        "kind": "raid",
        "min_viewers": 50,
        "from": {
          "zone": "eu",
          "any": true
        },
        "tags": [
          "a",
          1.5,
          null
        ]
      },
      "audience": "followers",
      "enabled": true,
      "actions": [
        {
          "type": "command",
          "command": "say raid!",
          "repeat": 1
        }
      ],
      "repeat": 1
    },
    {
      "trigger": "follow",
      "on": {
        "kind": "follow"
      },
      "enabled": true,
      "actions": [],
      "repeat": 1
    }
  ]
}"#;
        file.to_owned()
    }

    /// The bytes of the `index`th mapping object in a pretty-printed settings file.
    fn mapping_bytes(text: &str, trigger: &str) -> String {
        let start = text.find(&format!("\"trigger\": \"{trigger}\"")).unwrap();
        let open = text[..start].rfind('{').unwrap();
        let mut depth = 0;
        for (i, c) in text[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return text[open..=open + i].to_owned();
                    }
                }
                _ => {}
            }
        }
        panic!("unbalanced")
    }

    #[test]
    fn a_settings_file_with_an_unknown_kind_loads_and_saves_it_back_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let text = newer_settings();
        std::fs::write(&path, &text).unwrap();
        let loaded = settings::load(&path);
        assert!(loaded.warning.is_none(), "{:?}", loaded.warning);
        let mappings = &loaded.settings.mappings;
        assert_eq!(mappings.len(), 3, "the whole file is kept");
        let Condition::Unknown(unknown) = &mappings[1].on else {
            panic!("{:?}", mappings[1].on)
        };
        assert_eq!(unknown.kind(), "raid");
        // Shown disabled, with the reason; it never fires.
        let reason = mappings[1].on.problem().unwrap();
        assert!(
            reason.contains("“raid”") && reason.contains("newer giftdeck"),
            "{reason}"
        );
        let table = MappingTable::new(mappings.clone());
        assert!(
            table
                .gift_candidates("raid party", 0, 1_000_000)
                .next()
                .is_none()
        );
        settings::save_atomic(&path, &loaded.settings).unwrap();
        let saved = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            mapping_bytes(&saved, "raid party"),
            mapping_bytes(&text, "raid party"),
            "byte for byte"
        );
        // An export (and its import) keeps it the same way.
        let export = settings::export_mappings_json(mappings);
        assert_eq!(
            mapping_bytes(&export, "raid party"),
            mapping_bytes(&text, "raid party")
        );
        let export_path = dir.path().join("export.json");
        std::fs::write(&export_path, &export).unwrap();
        let imported = settings::load_mappings_file(&export_path).unwrap();
        assert_eq!(imported.mappings[1], mappings[1]);
    }

    #[test]
    fn a_misspelled_known_kind_is_still_an_error_naming_the_kinds() {
        let err = serde_json::from_str::<Condition>(r#"{"kind":"Follow!"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown variant"), "{err}");
        let err = serde_json::from_str::<Condition>(r#"{"kind":"likes","every":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
        let err = serde_json::from_str::<Condition>(r#"{"every":5}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `kind`"), "{err}");
    }

    #[test]
    fn raw_json_keeps_key_order_and_number_forms() {
        let text = r#"{"kind":"raid","zeta":1,"alpha":-2,"big":18446744073709551615,"f":1.5,"s":"x\u2028","a":[null,true,{}]}"#;
        let json: RawJson = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::to_string(&json).unwrap(),
            serde_json::to_string(&serde_json::from_str::<RawJson>(text).unwrap()).unwrap()
        );
        let back = serde_json::to_string(&json).unwrap();
        assert!(
            back.starts_with(
                r#"{"kind":"raid","zeta":1,"alpha":-2,"big":18446744073709551615,"f":1.5"#
            ),
            "{back}"
        );
        let unknown = UnknownCondition::of(&json, &["gift"]).unwrap();
        assert_eq!(unknown.kind(), "raid");
        assert!(
            UnknownCondition::of(&json, &["raid"]).is_none(),
            "a known kind"
        );
        let odd: RawJson = serde_json::from_str(r#"{"kind":"Follow!"}"#).unwrap();
        assert!(UnknownCondition::of(&odd, &[]).is_none(), "not a kind name");
    }
}
