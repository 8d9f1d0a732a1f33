//! Values of any `Deserialize` type with every string in it set to a marker that names its place
//! (`connection.sign_api_key`, `mappings[].actions[]<webhook>.url`), for tests that follow where
//! each string ends up: in `Debug` output, a log, a saved file.
//!
//! The walk needs no list of fields: serde's derive tells it each struct's fields and each enum's
//! variants. Options are `Some`, sequences and maps get an element, and every variant of an enum
//! is built in turn (one value per variant index, see [`fill`]). Internally tagged enums
//! (`#[serde(tag = "type")]`) hide their variants and fields from a deserializer; they are found
//! the way a person would, from serde's own complaints: "missing field `type`", "unknown variant,
//! expected one of …", "missing field `url`". Whatever the derive fills in by default there (and
//! behind `#[serde(flatten)]`) is reached afterwards through the JSON form of the value. A part
//! that cannot be built at all is left out (an empty list, `None`, a field left to its default).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::{Deserialize, Serialize};

/// What each marker stands for: marker → place.
pub type Places = BTreeMap<String, String>;

/// One value of `T` and where its markers sit.
pub struct Filled<T> {
    pub value: T,
    pub places: Places,
}

/// The text a marker is found by (`S3CR3T-7-X`: the `-X` keeps 1 from matching 17).
fn token(n: usize) -> String {
    format!("S3CR3T-{n}-X")
}

/// The marker itself: URL-shaped, so a field that must hold a URL still takes it (and a redacted
/// URL keeps only `https://sentinel.example/…`, without the token).
fn marker(n: usize) -> String {
    format!("https://sentinel.example/{}", token(n))
}

/// The places whose markers appear in `text`.
pub fn found_in(text: &str, places: &Places) -> BTreeSet<String> {
    places
        .iter()
        .filter(|(token, _)| text.contains(token.as_str()))
        .map(|(_, place)| place.clone())
        .collect()
}

/// Values of `T` that together put a marker in every string `T` can hold: one per variant index
/// (the first with each enum's first variant, and so on, until every variant was built).
pub fn fill<T>() -> Vec<Filled<T>>
where
    T: for<'de> Deserialize<'de> + Serialize,
{
    let shared = RefCell::new(Shared::default());
    let mut out = Vec::new();
    let mut choice = 0;
    loop {
        let value = build::<T>(&shared, choice);
        let places = std::mem::take(&mut shared.borrow_mut().places);
        out.push(json_pass(value, places, &shared));
        choice += 1;
        if choice >= shared.borrow().most_variants {
            return out;
        }
    }
}

/// Builds a `T`, learning from each failure, until one attempt succeeds.
fn build<T: for<'de> Deserialize<'de>>(shared: &RefCell<Shared>, choice: usize) -> T {
    let mut last = String::new();
    for _ in 0..2_000 {
        {
            let mut s = shared.borrow_mut();
            s.choice = choice;
            s.next = 0;
            s.places.clear();
            s.pending.clear();
            s.handled = false;
        }
        match T::deserialize(Filler::root(shared)) {
            Ok(value) => return value,
            Err(err) => {
                assert!(
                    shared.borrow().handled,
                    "cannot build a value: {err} (nothing left to leave out)"
                );
                last = err.to_string();
                // SENTINEL_DEBUG=1 shows how the builder learns a type.
                if std::env::var_os("SENTINEL_DEBUG").is_some() {
                    let s = shared.borrow();
                    eprintln!(
                        "attempt failed: {err}; left out {:?} {:?}; learned {:?}",
                        s.skip, s.none, s.plans
                    );
                }
            }
        }
    }
    panic!("cannot build a value after 2,000 attempts; last error: {last}");
}

/// Puts markers into the strings the derive filled in by itself (defaults inside internally
/// tagged variants, `#[serde(flatten)]` parts), one by one, keeping each the type accepts.
fn json_pass<T>(value: T, mut places: Places, shared: &RefCell<Shared>) -> Filled<T>
where
    T: for<'de> Deserialize<'de> + Serialize,
{
    let mut json = serde_json::to_value(&value).expect("a built value serializes");
    let mut leaves = Vec::new();
    string_leaves(&json, String::new(), String::new(), &mut leaves);
    for (pointer, place) in leaves {
        let Some(serde_json::Value::String(old)) = json.pointer(&pointer).cloned() else {
            continue;
        };
        if old.contains("S3CR3T-") {
            continue;
        }
        let n = {
            let mut s = shared.borrow_mut();
            s.next += 1;
            s.next + 1_000_000
        };
        *json.pointer_mut(&pointer).expect("leaf exists") = marker(n).into();
        if serde_json::from_value::<T>(json.clone()).is_ok() {
            places.insert(token(n), place);
        } else {
            // An enum's name or a string with a format: it can hold no stranger's text.
            *json.pointer_mut(&pointer).expect("leaf exists") = old.into();
        }
    }
    let value = serde_json::from_value(json).expect("the marked value still reads");
    Filled { value, places }
}

/// Every string in `json`: (JSON pointer, place).
fn string_leaves(
    json: &serde_json::Value,
    pointer: String,
    place: String,
    out: &mut Vec<(String, String)>,
) {
    match json {
        serde_json::Value::String(_) => out.push((pointer, place)),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_leaves(item, format!("{pointer}/{i}"), format!("{place}[]"), out);
            }
        }
        serde_json::Value::Object(map) => {
            // A tagged object names its variant like the builder does: `[]<webhook>`.
            let tag = ["type", "kind", "mode"]
                .iter()
                .find_map(|t| map.get(*t).and_then(|v| v.as_str()));
            let place = match tag {
                Some(tag) => format!("{place}<{tag}>"),
                None => place,
            };
            for (key, item) in map {
                let key_pointer = key.replace('~', "~0").replace('/', "~1");
                let child = if place.is_empty() {
                    key.clone()
                } else {
                    format!("{place}.{key}")
                };
                string_leaves(item, format!("{pointer}/{key_pointer}"), child, out);
            }
        }
        _ => {}
    }
}

/// What the builder learned so far, shared by all its parts.
#[derive(Default)]
struct Shared {
    choice: usize,
    most_variants: usize,
    next: usize,
    places: Places,
    /// Set once a failure was dealt with (something left out or learned): outer parts pass the
    /// error on unchanged, and the next attempt starts over.
    handled: bool,
    /// Options built as `None`, list elements and map entries left out, fields left to their
    /// default, by path (with indices).
    none: BTreeSet<String>,
    skip: BTreeSet<String>,
    /// Internally tagged enums found, by place: the tag's key and the variants.
    tags: BTreeMap<String, (&'static str, &'static [&'static str])>,
    /// The entries a `deserialize_any` gets besides the tag, by place (with the variant).
    plans: BTreeMap<String, Vec<(&'static str, Shape)>>,
    /// How many elements a list gets (one, or one per variant of its tagged elements), by place.
    seq_len: BTreeMap<String, usize>,
    /// What each "any" part handed out in this attempt, by path.
    pending: BTreeMap<String, Pending>,
}

impl Shared {
    fn marker(&mut self, place: &str) -> String {
        self.next += 1;
        self.places.insert(token(self.next), place.to_owned());
        marker(self.next)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// A string: a marker.
    Text,
    Int,
    Float,
    Bool,
    Seq,
    Map,
    Null,
    /// Nothing fits: left out next time.
    Gone,
}

/// The builder's error: serde's structured complaints kept apart, so the builder can act on them.
#[derive(Debug)]
enum FillError {
    Custom(String),
    Missing(&'static str),
    UnknownVariant(String, &'static [&'static str]),
    InvalidType {
        unexpected: String,
        expected: String,
    },
}

impl fmt::Display for FillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Custom(msg) => f.write_str(msg),
            Self::Missing(field) => write!(f, "missing field `{field}`"),
            Self::UnknownVariant(got, expected) => {
                write!(f, "unknown variant `{got}`, expected one of {expected:?}")
            }
            Self::InvalidType {
                unexpected,
                expected,
            } => write!(f, "invalid type: {unexpected}, expected {expected}"),
        }
    }
}

impl std::error::Error for FillError {}

impl de::Error for FillError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Self::Custom(msg.to_string())
    }
    fn missing_field(field: &'static str) -> Self {
        Self::Missing(field)
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::UnknownVariant(variant.to_owned(), expected)
    }
    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::InvalidType {
            unexpected: unexpected.to_string(),
            expected: expected.to_string(),
        }
    }
}

/// The deserializer that builds values: `path` has list indices (`mappings[0].trigger`), `place`
/// has not (`mappings[].trigger`).
#[derive(Clone)]
struct Filler<'s> {
    shared: &'s RefCell<Shared>,
    path: String,
    place: String,
    depth: usize,
}

/// Deeper than this, options are `None` and lists empty (a type that contains itself).
const MAX_DEPTH: usize = 24;

fn join(base: &str, part: &str) -> String {
    if base.is_empty() {
        part.to_owned()
    } else {
        format!("{base}.{part}")
    }
}

impl<'s> Filler<'s> {
    fn root(shared: &'s RefCell<Shared>) -> Self {
        Self {
            shared,
            path: String::new(),
            place: String::new(),
            depth: 0,
        }
    }

    fn field(&self, name: &str) -> Self {
        Self {
            shared: self.shared,
            path: join(&self.path, name),
            place: join(&self.place, name),
            depth: self.depth + 1,
        }
    }

    fn element(&self, i: usize) -> Self {
        Self {
            shared: self.shared,
            path: format!("{}[{i}]", self.path),
            place: format!("{}[]", self.place),
            depth: self.depth + 1,
        }
    }

    fn variant(&self, name: &str) -> Self {
        Self {
            shared: self.shared,
            path: format!("{}<{name}>", self.path),
            place: format!("{}<{name}>", self.place),
            depth: self.depth,
        }
    }

    /// Deals with `err` from the part at `path` when nothing deeper did: an "any" part there
    /// learns from it, or else the part is left out next time.
    fn leave_out(
        &self,
        err: &FillError,
        set: fn(&mut Shared) -> &mut BTreeSet<String>,
        path: &str,
    ) {
        let mut s = self.shared.borrow_mut();
        if s.handled {
            return;
        }
        s.handled = true;
        if let Some(pending) = s.pending.get(path).cloned()
            && learn(&mut s, &pending, err)
        {
            return;
        }
        set(&mut s).insert(path.to_owned());
    }

    fn seq_len(&self) -> usize {
        if self.depth > MAX_DEPTH {
            return 0;
        }
        self.shared
            .borrow()
            .seq_len
            .get(&self.place)
            .copied()
            .unwrap_or(1)
    }

    /// The variant of `variants` this part takes: a list's element takes its index's, anything
    /// else the round's variant index.
    fn pick(&self, variants: &'static [&'static str], s: &mut Shared) -> &'static str {
        let n = variants.len();
        let index: Option<usize> = self
            .path
            .strip_suffix(']')
            .and_then(|p| p.rsplit('[').next()?.parse().ok());
        match (index, self.place.strip_suffix("[]")) {
            (Some(i), Some(list)) => {
                let len = s.seq_len.entry(list.to_owned()).or_insert(1);
                *len = (*len).max(n);
                variants[i % n]
            }
            _ => {
                s.most_variants = s.most_variants.max(n);
                variants[s.choice % n]
            }
        }
    }

    /// An internally tagged enum (or anything else that asks for "any"): a map of what was
    /// learned about it (by place, so every element of a list shares it), and more learned from
    /// the error.
    fn any<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        let (tag, place, entries) = {
            let mut s = self.shared.borrow_mut();
            match s.tags.get(&self.place).copied() {
                Some((key, variants)) => {
                    let variant = self.pick(variants, &mut s);
                    let place = format!("{}<{variant}>", self.place);
                    let entries = s.plans.get(&place).cloned().unwrap_or_default();
                    (Some((key, variant)), place, entries)
                }
                None => {
                    let entries = s.plans.get(&self.place).cloned().unwrap_or_default();
                    (None, self.place.clone(), entries)
                }
            }
        };
        let mut values: Vec<(&'static str, AnyValue)> = Vec::new();
        {
            let mut s = self.shared.borrow_mut();
            if let Some((key, variant)) = tag {
                values.push((key, AnyValue::Text(variant.to_owned())));
            }
            for (i, (key, shape)) in entries.iter().enumerate() {
                let value = match shape {
                    Shape::Text => AnyValue::Text(s.marker(&join(&place, key))),
                    Shape::Int => AnyValue::Int(7_000_000 + i as u64),
                    Shape::Float => AnyValue::Float(0.5),
                    Shape::Bool => AnyValue::Bool(true),
                    Shape::Seq => AnyValue::Seq,
                    Shape::Map => AnyValue::Map,
                    Shape::Null => AnyValue::Null,
                    Shape::Gone => continue,
                };
                values.push((key, value));
            }
        }
        let result = visitor.visit_map(de::value::MapDeserializer::<_, FillError>::new(
            values.clone().into_iter(),
        ));
        let pending = Pending {
            tag_place: self.place.clone(),
            place,
            tag,
            entries,
            values,
        };
        match result {
            // The tag and variant were taken; the variant's own fields are read after this returns,
            // so their complaints reach the part around this one, which hands them back here.
            Ok(value) => {
                self.shared
                    .borrow_mut()
                    .pending
                    .insert(self.path.clone(), pending);
                Ok(value)
            }
            Err(err) => {
                let mut s = self.shared.borrow_mut();
                if !s.handled && learn(&mut s, &pending, &err) {
                    s.handled = true;
                }
                Err(err)
            }
        }
    }
}

/// What an "any" part handed out, kept until the attempt ends: its error may come later.
#[derive(Clone)]
struct Pending {
    /// The place without the variant (where the tag is kept) and with it (where fields are).
    tag_place: String,
    place: String,
    tag: Option<(&'static str, &'static str)>,
    entries: Vec<(&'static str, Shape)>,
    values: Vec<(&'static str, AnyValue)>,
}

/// Learns from `err` what an "any" part must hold next time; false when nothing fits.
fn learn(s: &mut Shared, pending: &Pending, err: &FillError) -> bool {
    let mut entries = pending.entries.clone();
    let learned = match err {
        FillError::Missing(field)
            if !entries.iter().any(|(k, _)| k == field)
                && pending.tag.is_none_or(|(key, _)| key != *field) =>
        {
            entries.push((field, Shape::Text));
            true
        }
        FillError::UnknownVariant(got, variants)
            if !variants.is_empty() && pending.tag.is_none() =>
        {
            let key = pending
                .values
                .iter()
                .find(|(_, v)| matches!(v, AnyValue::Text(t) if t == got))
                .map(|(k, _)| *k);
            match key {
                Some(key) => {
                    s.tags.insert(pending.tag_place.clone(), (key, variants));
                    entries.retain(|(k, _)| *k != key);
                    true
                }
                None => false,
            }
        }
        FillError::InvalidType {
            unexpected,
            expected,
        } => {
            // Which entry: the one whose value serde quotes (each string and number differs).
            let key = pending
                .values
                .iter()
                .find(|(_, v)| v.unexpected() == *unexpected)
                .map(|(k, _)| *k);
            let wanted = shape_for(expected);
            match entries.iter_mut().find(|(k, _)| Some(*k) == key) {
                Some(entry) if entry.1 != wanted => {
                    entry.1 = wanted;
                    true
                }
                Some(entry) => {
                    entry.1 = Shape::Gone;
                    true
                }
                None => false,
            }
        }
        _ => false,
    };
    if learned {
        s.plans.insert(pending.place.clone(), entries);
    }
    learned
}

/// The shape serde asked for, from its "expected …" words.
fn shape_for(expected: &str) -> Shape {
    let words = expected.to_ascii_lowercase();
    let is_int = ["integer", "u8", "u16", "u32", "u64", "u128", "usize"]
        .iter()
        .chain(["i8", "i16", "i32", "i64", "i128", "isize"].iter())
        .any(|w| {
            words
                .split(|c: char| !c.is_alphanumeric())
                .any(|part| part == *w)
        });
    if is_int {
        Shape::Int
    } else if words.contains("f32") || words.contains("f64") || words.contains("float") {
        Shape::Float
    } else if words.contains("bool") {
        Shape::Bool
    } else if words.contains("sequence") || words.contains("tuple") || words.contains("array") {
        Shape::Seq
    } else if words.contains("struct") || words.contains("map") {
        Shape::Map
    } else if words.contains("string") || words.contains("str") {
        Shape::Text
    } else {
        Shape::Null
    }
}

/// A value inside an "any" map.
#[derive(Clone, Debug)]
enum AnyValue {
    Text(String),
    Int(u64),
    Float(f64),
    Bool(bool),
    Seq,
    Map,
    Null,
}

impl AnyValue {
    /// How serde's `Unexpected` shows this value.
    fn unexpected(&self) -> String {
        match self {
            Self::Text(t) => de::Unexpected::Str(t).to_string(),
            Self::Int(n) => de::Unexpected::Unsigned(*n).to_string(),
            Self::Float(x) => de::Unexpected::Float(*x).to_string(),
            Self::Bool(b) => de::Unexpected::Bool(*b).to_string(),
            Self::Seq => de::Unexpected::Seq.to_string(),
            Self::Map => de::Unexpected::Map.to_string(),
            Self::Null => de::Unexpected::Unit.to_string(),
        }
    }
}

impl<'de> IntoDeserializer<'de, FillError> for AnyValue {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for AnyValue {
    type Error = FillError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        match self {
            Self::Text(t) => visitor.visit_string(t),
            Self::Int(n) => visitor.visit_u64(n),
            Self::Float(x) => visitor.visit_f64(x),
            Self::Bool(b) => visitor.visit_bool(b),
            Self::Seq => visitor.visit_seq(de::value::SeqDeserializer::new(std::iter::empty::<
                AnyValue,
            >())),
            Self::Map => visitor.visit_map(de::value::MapDeserializer::new(std::iter::empty::<(
                AnyValue,
                AnyValue,
            )>())),
            Self::Null => visitor.visit_unit(),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

impl<'de> de::Deserializer<'de> for Filler<'_> {
    type Error = FillError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        self.any(visitor)
    }
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_bool(true)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_i8(1)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_i16(1)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_i32(1)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_i64(1)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_u8(1)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_u16(1)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_u32(1)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_u64(1)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_f32(0.5)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_f64(0.5)
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_char('x')
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        self.deserialize_string(visitor)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        let text = self.shared.borrow_mut().marker(&self.place);
        visitor.visit_string(text)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        self.deserialize_byte_buf(visitor)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        let text = self.shared.borrow_mut().marker(&self.place);
        visitor.visit_byte_buf(text.into_bytes())
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        if self.depth > MAX_DEPTH || self.shared.borrow().none.contains(&self.path) {
            return visitor.visit_none();
        }
        let path = self.path.clone();
        let me = self.clone();
        visitor
            .visit_some(self)
            .inspect_err(|e| me.leave_out(e, |s| &mut s.none, &path))
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        let len = self.seq_len();
        visitor.visit_seq(Elements {
            filler: self,
            next: 0,
            len,
            skip_allowed: true,
        })
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_seq(Elements {
            filler: self,
            next: 0,
            len,
            skip_allowed: false,
        })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, FillError> {
        self.deserialize_tuple(len, visitor)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        let entry = format!("{}{{}}", self.path);
        let give = self.depth <= MAX_DEPTH && !self.shared.borrow().skip.contains(&entry);
        visitor.visit_map(Entries {
            filler: self,
            left: usize::from(give),
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_map(Fields {
            filler: self,
            fields,
            next: 0,
        })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FillError> {
        let pick = {
            let mut s = self.shared.borrow_mut();
            s.most_variants = s.most_variants.max(variants.len());
            variants[s.choice % variants.len().max(1)]
        };
        visitor.visit_enum(Variant {
            filler: self.variant(pick),
            name: pick,
        })
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        self.deserialize_string(visitor)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_unit()
    }
}

/// A list's elements; one that cannot be built is left out next time.
struct Elements<'s> {
    filler: Filler<'s>,
    next: usize,
    len: usize,
    skip_allowed: bool,
}

impl<'de> de::SeqAccess<'de> for Elements<'_> {
    type Error = FillError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, FillError> {
        loop {
            if self.next >= self.len {
                return Ok(None);
            }
            let element = self.filler.element(self.next);
            self.next += 1;
            if self.skip_allowed && self.filler.shared.borrow().skip.contains(&element.path) {
                continue;
            }
            let path = element.path.clone();
            let filler = self.filler.clone();
            let skip_allowed = self.skip_allowed;
            return seed.deserialize(element).map(Some).inspect_err(|e| {
                if skip_allowed {
                    filler.leave_out(e, |s| &mut s.skip, &path);
                }
            });
        }
    }
}

/// A map's one entry (key and value built like anything else).
struct Entries<'s> {
    filler: Filler<'s>,
    left: usize,
}

impl<'de> de::MapAccess<'de> for Entries<'_> {
    type Error = FillError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FillError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let key = Filler {
            place: format!("{}{{key}}", self.filler.place),
            ..self.filler.clone()
        };
        let entry = format!("{}{{}}", self.filler.path);
        let filler = self.filler.clone();
        seed.deserialize(key)
            .map(Some)
            .inspect_err(|e| filler.leave_out(e, |s| &mut s.skip, &entry))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FillError> {
        let value = Filler {
            path: format!("{}{{}}", self.filler.path),
            place: format!("{}{{}}", self.filler.place),
            depth: self.filler.depth + 1,
            ..self.filler.clone()
        };
        let entry = value.path.clone();
        let filler = self.filler.clone();
        seed.deserialize(value)
            .inspect_err(|e| filler.leave_out(e, |s| &mut s.skip, &entry))
    }
}

/// A struct's fields by name; one that cannot be built is left to its default next time.
struct Fields<'s> {
    filler: Filler<'s>,
    fields: &'static [&'static str],
    next: usize,
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = FillError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FillError> {
        while let Some(name) = self.fields.get(self.next) {
            if self
                .filler
                .shared
                .borrow()
                .skip
                .contains(&self.filler.field(name).path)
            {
                self.next += 1;
                continue;
            }
            let key: de::value::StrDeserializer<'_, FillError> = name.into_deserializer();
            return seed.deserialize(key).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FillError> {
        let name = self.fields[self.next];
        self.next += 1;
        let field = self.filler.field(name);
        let path = field.path.clone();
        let filler = self.filler.clone();
        seed.deserialize(field)
            .inspect_err(|e| filler.leave_out(e, |s| &mut s.skip, &path))
    }
}

/// The variant picked for an externally tagged enum.
struct Variant<'s> {
    filler: Filler<'s>,
    name: &'static str,
}

impl<'de, 's> de::EnumAccess<'de> for Variant<'s> {
    type Error = FillError;
    type Variant = Filler<'s>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Filler<'s>), FillError> {
        let name: de::value::StrDeserializer<'_, FillError> = self.name.into_deserializer();
        Ok((seed.deserialize(name)?, self.filler))
    }
}

impl<'de> de::VariantAccess<'de> for Filler<'_> {
    type Error = FillError;

    fn unit_variant(self) -> Result<(), FillError> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, FillError> {
        seed.deserialize(self)
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, FillError> {
        de::Deserializer::deserialize_tuple(self, len, visitor)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_map(Fields {
            filler: self,
            fields,
            next: 0,
        })
    }
}
