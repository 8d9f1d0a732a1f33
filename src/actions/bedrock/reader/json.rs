//! JSON inside Bedrock commands, read into its structure (pure): a `{"rawtext":[…]}` text, each
//! string's rule by its key (`"text"` is text, `"selector"` a target…), and JSON in other
//! positions (item components), where every string is a word. JSON that does not read is one word.

use super::{NoMatch, Parsed, Rule, is_marker, quoted_end, selector};

/// A `{"rawtext":[…]}` argument: JSON read into its structure, each string's rule by its key.
pub(super) fn json_text(rest: &str, out: &mut Parsed) {
    json_with(rest, out, rawtext_rule);
}

/// JSON in a position that is not text (item components): every string is a word.
pub(super) fn json_words(text: &str, out: &mut Parsed) {
    json_with(text, out, |_| Rule::Word);
}

fn json_with(text: &str, out: &mut Parsed, rule: fn(&str) -> Rule) {
    let mark = out.mark();
    out.skeleton.push('<');
    let mut json = Json {
        src: text,
        at: 0,
        rule,
    };
    let read = json.value("", 0, out).and_then(|()| {
        json.space();
        if json.at == text.len() {
            Ok(())
        } else {
            Err(NoMatch)
        }
    });
    if read.is_err() {
        // Not JSON we can read: one word, the strictest rule.
        out.reset(mark);
        out.leaf(Rule::Word, text);
        return;
    }
    out.skeleton.push('>');
}

/// The rule for a string under `key` in a rawtext component.
fn rawtext_rule(key: &str) -> Rule {
    match key {
        "text" | "with" => Rule::JsonText,
        "selector" | "name" => Rule::Entity,
        _ => Rule::Word,
    }
}

struct Json<'a> {
    src: &'a str,
    at: usize,
    rule: fn(&str) -> Rule,
}

impl Json<'_> {
    fn space(&mut self) {
        while self.src[self.at..].starts_with([' ', '\t']) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char, out: &mut Parsed) -> bool {
        self.space();
        if self.src[self.at..].starts_with(c) {
            self.at += 1;
            out.skeleton.push(c);
            true
        } else {
            false
        }
    }

    /// A JSON string's raw content (escapes kept), after its opening quote.
    fn string(&mut self) -> Result<&str, NoMatch> {
        let start = self.at;
        let end = quoted_end(self.src, start);
        if end <= start + 1 || !self.src[..end].ends_with('"') {
            return Err(NoMatch);
        }
        self.at = end;
        Ok(&self.src[start + 1..end - 1])
    }

    fn value(&mut self, key: &str, depth: usize, out: &mut Parsed) -> Result<(), NoMatch> {
        if depth > 32 {
            return Err(NoMatch);
        }
        self.space();
        let rest = &self.src[self.at..];
        if rest.starts_with('{') {
            self.eat('{', out);
            if self.eat('}', out) {
                return Ok(());
            }
            loop {
                self.space();
                if !self.src[self.at..].starts_with('"') {
                    return Err(NoMatch);
                }
                let name = self.string()?.to_owned();
                out.skeleton.push_str(&format!("{name:?}"));
                if !self.eat(':', out) {
                    return Err(NoMatch);
                }
                self.value(&name, depth + 1, out)?;
                if self.eat('}', out) {
                    return Ok(());
                }
                if !self.eat(',', out) {
                    return Err(NoMatch);
                }
            }
        } else if rest.starts_with('[') {
            self.eat('[', out);
            if self.eat(']', out) {
                return Ok(());
            }
            loop {
                self.value(key, depth + 1, out)?;
                if self.eat(']', out) {
                    return Ok(());
                }
                if !self.eat(',', out) {
                    return Err(NoMatch);
                }
            }
        } else if rest.starts_with('"') {
            let rule = (self.rule)(key);
            let content = self.string()?;
            if rule == Rule::Entity && content.starts_with('@') {
                // A selector inside the text: expanded by the game.
                selector(content, out);
            } else {
                out.leaf(rule, content);
            }
            Ok(())
        } else {
            let len = rest.find([',', '}', ']', ' ', ':']).unwrap_or(rest.len());
            if len == 0 {
                return Err(NoMatch);
            }
            let bare = &rest[..len];
            self.at += len;
            // A leaf even without a placeholder: a value written there reads back as one.
            let whole = bare.chars().count() == 1 && bare.chars().all(is_marker);
            out.leaf(if whole { Rule::JsonBare } else { Rule::Word }, bare);
            Ok(())
        }
    }
}
