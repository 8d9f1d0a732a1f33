//! Chat command matching: a message whose first word is a command word (case-insensitive), or that
//! contains a keyword; `{args}` is the text after the command word (or after the keyword). Pure.

/// Matches `message` against a command word (`!jump`); returns the arguments (the rest, trimmed).
pub fn match_command<'a>(message: &'a str, command: &str) -> Option<&'a str> {
    let command = command.trim();
    if command.is_empty() {
        return None;
    }
    let message = message.trim_start();
    let end = message.find(char::is_whitespace).unwrap_or(message.len());
    let (word, rest) = message.split_at(end);
    eq_ignore_case(word, command).then(|| rest.trim())
}

/// Matches `message` containing `keyword` (case-insensitive); returns the text after its first
/// occurrence, trimmed.
pub fn match_keyword<'a>(message: &'a str, keyword: &str) -> Option<&'a str> {
    let keyword = keyword.trim();
    if keyword.is_empty() {
        return None;
    }
    let needle: Vec<char> = keyword.chars().flat_map(char::to_lowercase).collect();
    // Walk char boundaries and compare lowercased chars, so byte offsets stay valid for any script.
    for (start, _) in message.char_indices() {
        let mut chars = message[start..]
            .char_indices()
            .flat_map(|(i, c)| c.to_lowercase().map(move |l| (i + c.len_utf8(), l)));
        let mut end = None;
        let mut ok = true;
        for &n in &needle {
            match chars.next() {
                Some((after, l)) if l == n => end = Some(after),
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && let Some(end) = end {
            return Some(message[start + end..].trim());
        }
    }
    None
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_word_is_the_first_word_ignoring_case() {
        assert_eq!(
            match_command("!JUMP high  now ", "!jump"),
            Some("high  now")
        );
        assert_eq!(match_command("  !jump", "!jump"), Some(""));
        assert_eq!(match_command("!jumphigh", "!jump"), None);
        assert_eq!(match_command("say !jump", "!jump"), None);
        assert_eq!(match_command("anything", " "), None);
    }

    #[test]
    fn keyword_is_found_anywhere() {
        assert_eq!(
            match_keyword("I want a CREEPER now", "creeper"),
            Some("now")
        );
        assert_eq!(match_keyword("no", "creeper"), None);
        assert_eq!(match_keyword("ÉCLAIR!", "éclair"), Some("!"));
        assert_eq!(match_keyword("", "x"), None);
    }
}
