//! Tiktok2Mc's `data/http_actions.txt` (`giftId:shell command` per line): a `curl -X POST URL` line
//! becomes a webhook action on that gift; every other line is reported with its line number and why.

/// One usable line: the gift id and the URL to POST to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAction {
    pub line: usize,
    pub gift_id: i64,
    pub url: String,
}

/// One line that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSkip {
    pub line: usize,
    pub text: String,
    pub why: String,
}

/// Parses the file: usable lines and skipped ones, both with 1-based line numbers.
pub fn parse_http_actions(text: &str) -> (Vec<HttpAction>, Vec<HttpSkip>) {
    let mut actions = Vec::new();
    let mut skipped = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let skip = |why: String| HttpSkip {
            line,
            text: trimmed.to_owned(),
            why,
        };
        let Some((id, command)) = trimmed.split_once(':') else {
            skipped.push(skip(
                "no ':' between the gift id and the command".to_owned(),
            ));
            continue;
        };
        let Ok(gift_id) = id.trim().parse::<i64>() else {
            skipped.push(skip(format!("{:?} is not a numeric gift id", id.trim())));
            continue;
        };
        match curl_post_url(command.trim()) {
            Ok(url) => actions.push(HttpAction { line, gift_id, url }),
            Err(why) => skipped.push(skip(why)),
        }
    }
    (actions, skipped)
}

/// Flags that do not change what is sent.
const HARMLESS_FLAGS: &[&str] = &[
    "-s",
    "-S",
    "-f",
    "-sS",
    "-fsS",
    "-sSf",
    "-fs",
    "-sf",
    "--silent",
    "--show-error",
    "--fail",
];

/// The URL of a `curl -X POST <url>` command; `Err` says why anything else is not a webhook.
fn curl_post_url(command: &str) -> Result<String, String> {
    if command.contains(['|', '&', ';', '>', '<', '`', '$']) {
        return Err("a shell pipeline or redirection, not a single curl call; giftdeck runs no shell commands".to_owned());
    }
    let words = shell_words(command)?;
    let Some((program, args)) = words.split_first() else {
        return Err("empty command".to_owned());
    };
    if program != "curl" && program != "curl.exe" {
        return Err(format!(
            "{program:?} is not curl; giftdeck runs no shell commands"
        ));
    }
    let mut method = None;
    let mut url = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-X" | "--request" => method = args.next().map(|m| m.to_ascii_uppercase()),
            a if HARMLESS_FLAGS.contains(&a) => {}
            a if a.starts_with('-') => {
                return Err(format!(
                    "curl option {a} has no webhook equivalent (a webhook POSTs the event as JSON)"
                ));
            }
            a => {
                if url.replace(a.to_owned()).is_some() {
                    return Err("more than one URL".to_owned());
                }
            }
        }
    }
    let Some(url) = url else {
        return Err("curl without a URL".to_owned());
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("{url:?} is not an http(s) URL"));
    }
    match method.as_deref() {
        Some("POST") => Ok(url),
        Some(other) => Err(format!("a {other} request; giftdeck webhooks always POST")),
        None => Err("a GET request (no -X POST); giftdeck webhooks always POST".to_owned()),
    }
}

/// Splits a command line into words, honouring single and double quotes.
fn shell_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unbalanced quotes".to_owned());
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_posts_become_webhooks_and_the_rest_is_reported_by_line() {
        let text = "\
# comment
18508:curl -X POST http://localhost:29191/add?amount=10
16071: curl -s -X post 'http://localhost:29191/remove?amount=10'
9154:curl http://localhost:29191/get
7319:python3 win.py
13165:curl -X POST -d amount=4 http://localhost/add
abc:curl -X POST http://x/
9101:curl -X POST http://localhost:29191/x && rm -rf /
";
        let (actions, skipped) = parse_http_actions(text);
        assert_eq!(
            actions,
            [
                HttpAction {
                    line: 2,
                    gift_id: 18508,
                    url: "http://localhost:29191/add?amount=10".into()
                },
                HttpAction {
                    line: 3,
                    gift_id: 16071,
                    url: "http://localhost:29191/remove?amount=10".into()
                },
            ]
        );
        let lines: Vec<usize> = skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [4, 5, 6, 7, 8]);
        assert!(skipped[0].why.contains("GET"));
        assert!(skipped[1].why.contains("not curl"));
        assert!(skipped[2].why.contains("-d"));
        assert!(skipped[3].why.contains("gift id"));
        assert!(skipped[4].why.contains("shell"));
    }
}
