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

// The serde side of the walk: `Filler` as a `Deserializer`, and what it hands out.
#[path = "sentinel_de.rs"]
mod sentinel_de;
use sentinel_de::AnyValue;

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
