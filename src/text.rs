//! The one sanitizer for text that strangers control (nicknames, gift names, server messages): which
//! characters are hidden or reorder a line, and the two ways we clean text — for one line on screen
//! ([`one_line`]) and for a value placed in a Minecraft command ([`for_command`]); and the other
//! side of it, how our own secrets appear in `Debug` output and logs ([`masked`]).

/// True for characters that must never reach the screen or a command: control characters (NUL,
/// escape, line breaks…), format characters (bidi embeddings, overrides and isolates such as U+202E,
/// zero-width spaces and joiners, soft hyphen, BOM, interlinear annotations, tag characters) and the
/// line/paragraph separators. They are invisible, reorder the rest of a line, or split it.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}')
}

/// Text made safe to draw on one line: runs of whitespace, line breaks and other control characters
/// become one space, the other hidden characters (bidi, zero-width) are removed, the ends are
/// trimmed, and it is cut to `max_chars` (with `…`).
pub fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        // Line breaks, tabs and other controls (an escape sequence's ESC) separate words.
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_hidden(c) {
            continue;
        }
        if count >= max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
            if count >= max_chars {
                out.push('…');
                return out;
            }
        }
        out.push(c);
        count += 1;
    }
    out
}

/// A value as it may appear inside a Minecraft command: line breaks and tabs become spaces (so
/// words stay apart), hidden characters and `§` (legacy formatting codes) are removed. Spaces are
/// kept as they are. What else a value needs depends on the argument it lands in (see
/// `actions::escape`).
pub fn for_command(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_hidden(c) || c == '§' {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// How a secret appears in `Debug` output and logs: never itself, only whether it is set.
pub fn masked(secret: &str) -> &'static str {
    if secret.is_empty() { "" } else { "***" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_collapses_whitespace_drops_hidden_and_cuts() {
        assert_eq!(one_line("  a\u{202e}b\n\tc  ", 10), "ab c");
        assert_eq!(one_line("a\nb\u{202E}c\0", 10), "a bc");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("ab cd", 3), "ab …");
        assert_eq!(one_line("\x00\x01", 3), "");
        assert_eq!(one_line("bad gateway\x1b[31m", 30), "bad gateway [31m");
        assert_eq!(one_line("x\u{2066}y\u{200B}z\u{FEFF}", 9), "xyz");
    }

    #[test]
    fn for_command_keeps_spaces_and_removes_codes() {
        assert_eq!(for_command("Bob  the\nBuilder"), "Bob  the Builder");
        assert_eq!(for_command("§4Red\u{202E}\0"), "4Red");
        assert_eq!(for_command("José 🔥 @a"), "José 🔥 @a");
    }
}
