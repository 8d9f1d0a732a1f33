//! JSON lines that stay one line for every line splitter. serde_json escapes `\n` and `\r` but
//! writes U+2028 and U+2029 (JavaScript's line terminators) and U+0085 (NEL) raw: valid JSON, yet
//! Python's `str.splitlines` and many log tools cut the object in two there. Every JSON line
//! giftdeck writes goes through [`write_line`] (or [`to_line`]), which escapes them as `\u2028`,
//! `\u2029` and `\u0085`; any JSON parser reads them back as the same characters.

use std::io::{self, Write};

use serde::Serialize;

/// Characters that some line splitters treat as a line break, and that JSON lets through raw.
const LINE_BREAKERS: [char; 3] = ['\u{2028}', '\u{2029}', '\u{85}'];

/// serde_json's compact output, with [`LINE_BREAKERS`] escaped inside strings (keys included).
struct LineSafe;

impl serde_json::ser::Formatter for LineSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(LINE_BREAKERS) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let Some(breaker) = rest[at..].chars().next() else {
                break;
            };
            write!(writer, "\\u{:04x}", u32::from(breaker))?;
            rest = &rest[at + breaker.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}

/// Writes `value` as one JSON line (the object, then `\n`).
pub fn write_line(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, LineSafe);
    value.serialize(&mut serializer).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// `value` as one JSON line's bytes, without the `\n`.
pub fn to_line(value: &impl Serialize) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::new();
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, LineSafe,
    ))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's `str.splitlines` boundaries, the strictest common splitter.
    fn python_splitlines(text: &str) -> Vec<&str> {
        text.split([
            '\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}',
            '\u{2029}',
        ])
        .filter(|line| !line.is_empty())
        .collect()
    }

    /// Reproduced on serde_json's own output: the line splitter cut each of these in two.
    #[test]
    fn line_breakers_are_escaped_and_read_back_unchanged() {
        let value = serde_json::json!({
            "nickname": "a\u{2028}b\u{2029}c\u{85}d\ne",
            "k\u{2028}ey": ["\u{2028}", "plain", "é\u{85}"],
        });
        let raw = serde_json::to_string(&value).unwrap();
        assert!(
            python_splitlines(&raw).len() > 1,
            "serde_json alone breaks it"
        );
        let mut out = Vec::new();
        write_line(&mut out, &value).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with('\n'));
        assert_eq!(python_splitlines(&text).len(), 1, "{text}");
        assert!(text.contains(r"a\u2028b\u2029c\u0085d\ne"), "{text}");
        let back: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(back, value);
        assert_eq!(to_line(&value).unwrap(), text.trim_end().as_bytes());
    }

    #[test]
    fn other_text_is_what_serde_json_writes() {
        let value = serde_json::json!({"a": "Mallory\" ; kill @e", "b": "\u{202e}x\u{0}", "c": 1});
        let mut out = Vec::new();
        write_line(&mut out, &value).unwrap();
        assert_eq!(
            out,
            format!("{}\n", serde_json::to_string(&value).unwrap()).into_bytes()
        );
    }
}
