//! A rendered command in pieces (the template's text and each value as it landed), and the
//! marking of a template's placeholders that reading it starts with.

use std::fmt::Write as _;

use super::{Value, Values, marker};

/// One part of a rendered command: the template's own text, or a placeholder's value as it landed
/// (escaped for its argument, with any quotes [`place`](super::place) added).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    /// `name` is the placeholder (`nickname`), `text` what stands in the command for it.
    Value {
        name: String,
        text: String,
    },
}

impl Piece {
    pub fn text(&self) -> &str {
        match self {
            Self::Literal(text) | Self::Value { text, .. } => text,
        }
    }
}

/// The command the pieces make.
pub fn join(pieces: &[Piece]) -> String {
    pieces.iter().map(Piece::text).collect()
}

/// A template with its placeholders marked: numbers as digits (where each went is kept), text
/// values as markers, so the template can be read with the value's place in it but without the
/// value's content.
pub(super) struct Marked<'a> {
    pub(super) marked: String,
    /// (placeholder, value) of each marker, in order.
    pub(super) texts: Vec<(&'a str, &'a str)>,
    /// Where each number went in `marked`: (start byte, end byte, placeholder).
    pub(super) numbers: Vec<(usize, usize, &'a str)>,
}

pub(super) fn mark<'a>(template: &'a str, values: &'a Values) -> Marked<'a> {
    let mut marked = String::with_capacity(template.len() + 16);
    let mut texts = Vec::new();
    let mut numbers = Vec::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '{'
            && let Some(end) = rest.find('}')
            && let Some(value) = values.get(&rest[1..end])
        {
            match value {
                Value::Number(n) => {
                    let start = marked.len();
                    let _ = write!(marked, "{n}");
                    numbers.push((start, marked.len(), &rest[1..end]));
                }
                Value::Text(text) => {
                    marked.push(marker(texts.len()));
                    texts.push((&rest[1..end], text));
                }
            }
            rest = &rest[end + 1..];
            continue;
        }
        marked.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Marked {
        marked,
        texts,
        numbers,
    }
}
