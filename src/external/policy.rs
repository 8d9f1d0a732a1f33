//! The rules of the external trigger endpoint, pure: the token check (constant time), which
//! requests a web page could have made (refused), the rate limit, and reading a call.

use serde::Deserialize;

/// Whether `given` is the token, comparing every byte so the time taken does not tell how much
/// of it was right.
pub fn token_matches(token: &str, given: &str) -> bool {
    let (a, b) = (token.as_bytes(), given.as_bytes());
    if a.is_empty() || a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The token in an `Authorization: Bearer …` header.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let header = header?.trim();
    let (scheme, token) = header.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Why a request that reached the port is refused before its token is even looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `Host` is not 127.0.0.1/localhost: DNS rebinding from a web page.
    Host,
    /// Sent by a web page (it has an `Origin`, or the browser says it is cross-site).
    FromWebPage,
    /// Not `Content-Type: application/json` (a web form cannot send that without asking first).
    NotJson,
}

/// Checks the headers a browser adds: a request from a page in the streamer's browser carries an
/// `Origin` and `Sec-Fetch-Site`; curl and local programs send neither.
pub fn refusal(
    host: Option<&str>,
    origin: Option<&str>,
    sec_fetch_site: Option<&str>,
    content_type: Option<&str>,
) -> Option<Refusal> {
    if !crate::overlay::server::is_loopback_host(host.unwrap_or("")) {
        return Some(Refusal::Host);
    }
    if origin.is_some() || sec_fetch_site.is_some_and(|s| !s.eq_ignore_ascii_case("none")) {
        return Some(Refusal::FromWebPage);
    }
    let json = content_type
        .and_then(|c| c.split(';').next())
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/json"));
    (!json).then_some(Refusal::NotJson)
}

/// A token bucket: `burst` calls at once, then one every `per_call_millis`.
#[derive(Clone, Debug)]
pub struct RateLimit {
    burst: u32,
    per_call_millis: u64,
    tokens_millis: u64,
    last_millis: Option<u64>,
}

impl RateLimit {
    pub fn new(burst: u32, per_call_millis: u64) -> Self {
        let per_call_millis = per_call_millis.max(1);
        Self {
            burst: burst.max(1),
            per_call_millis,
            tokens_millis: u64::from(burst.max(1)) * per_call_millis,
            last_millis: None,
        }
    }

    /// Takes one call at `now_millis`: `Ok`, or `Err(retry_in_millis)`.
    pub fn admit(&mut self, now_millis: u64) -> Result<(), u64> {
        let full = u64::from(self.burst) * self.per_call_millis;
        if let Some(last) = self.last_millis {
            self.tokens_millis = self
                .tokens_millis
                .saturating_add(now_millis.saturating_sub(last))
                .min(full);
        }
        self.last_millis = Some(now_millis);
        if self.tokens_millis >= self.per_call_millis {
            self.tokens_millis -= self.per_call_millis;
            Ok(())
        } else {
            Err(self.per_call_millis - self.tokens_millis)
        }
    }
}

/// The most runs one call may ask for.
pub const MAX_COUNT: u32 = 100;

/// A call's body: `{"trigger": "Rose", "viewer": "bob", "count": 3}` (viewer and count optional).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    trigger: String,
    #[serde(default)]
    viewer: String,
    #[serde(default)]
    count: Option<u32>,
}

/// A call that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalCall {
    /// The trigger as written in the mappings (the matched row's text).
    pub trigger: String,
    /// Who the actions are for (`{user}` and `{nickname}`): one clean line.
    pub viewer: String,
    pub count: u32,
    /// When it arrived (Unix ms).
    pub at_millis: i64,
}

/// Why a call's body was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error(
        "the body is not the JSON this endpoint takes ({0}); send {{\"trigger\":\"Rose\",\"viewer\":\"bob\",\"count\":1}}"
    )]
    Json(String),
    #[error("\"trigger\" is empty")]
    NoTrigger,
    #[error("\"count\" must be 1 to {MAX_COUNT}, not {0}")]
    Count(u32),
}

/// Reads a call's body; `viewer` is cut to one clean line of 64 characters.
pub fn read_body(body: &[u8]) -> Result<(String, String, u32), BodyError> {
    let body: Body = serde_json::from_slice(body).map_err(|e| BodyError::Json(e.to_string()))?;
    let trigger = body.trigger.trim().to_owned();
    if trigger.is_empty() {
        return Err(BodyError::NoTrigger);
    }
    let count = body.count.unwrap_or(1);
    if !(1..=MAX_COUNT).contains(&count) {
        return Err(BodyError::Count(count));
    }
    Ok((trigger, crate::text::one_line(&body.viewer, 64), count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_check() {
        assert!(token_matches("abc", "abc"));
        assert!(!token_matches("abc", "abd"));
        assert!(!token_matches("abc", "ab"));
        assert!(!token_matches("", ""));
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(None), None);
    }

    #[test]
    fn web_pages_and_rebinding_are_refused() {
        let json = Some("application/json; charset=utf-8");
        assert_eq!(refusal(Some("127.0.0.1:23871"), None, None, json), None);
        assert_eq!(
            refusal(
                Some("localhost:1"),
                None,
                Some("none"),
                Some("application/json")
            ),
            None
        );
        assert_eq!(
            refusal(Some("evil.example:23871"), None, None, json),
            Some(Refusal::Host)
        );
        assert_eq!(refusal(None, None, None, json), Some(Refusal::Host));
        assert_eq!(
            refusal(Some("127.0.0.1"), Some("https://evil.example"), None, json),
            Some(Refusal::FromWebPage)
        );
        assert_eq!(
            refusal(Some("127.0.0.1"), Some("null"), None, json),
            Some(Refusal::FromWebPage)
        );
        assert_eq!(
            refusal(Some("127.0.0.1"), None, Some("cross-site"), json),
            Some(Refusal::FromWebPage)
        );
        assert_eq!(
            refusal(Some("127.0.0.1"), None, None, Some("text/plain")),
            Some(Refusal::NotJson)
        );
        assert_eq!(
            refusal(Some("127.0.0.1"), None, None, None),
            Some(Refusal::NotJson)
        );
    }

    #[test]
    fn the_rate_limit_allows_a_burst_then_a_steady_pace() {
        let mut limit = RateLimit::new(3, 200);
        assert!(limit.admit(0).is_ok());
        assert!(limit.admit(0).is_ok());
        assert!(limit.admit(0).is_ok());
        assert_eq!(limit.admit(50), Err(150));
        assert!(limit.admit(200).is_ok());
        assert_eq!(limit.admit(210), Err(190));
        // A long pause refills only up to the burst.
        for _ in 0..3 {
            assert!(limit.admit(100_000).is_ok());
        }
        assert!(limit.admit(100_000).is_err());
    }

    #[test]
    fn bodies() {
        assert_eq!(
            read_body(br#"{"trigger":" Rose ","viewer":"bob\n\u202e","count":3}"#),
            Ok(("Rose".into(), "bob".into(), 3))
        );
        assert_eq!(
            read_body(br#"{"trigger":"Rose"}"#),
            Ok(("Rose".into(), String::new(), 1))
        );
        assert_eq!(read_body(br#"{"trigger":" "}"#), Err(BodyError::NoTrigger));
        assert_eq!(
            read_body(br#"{"trigger":"x","count":0}"#),
            Err(BodyError::Count(0))
        );
        assert_eq!(
            read_body(br#"{"trigger":"x","count":101}"#),
            Err(BodyError::Count(101))
        );
        assert!(matches!(
            read_body(br#"{"trigger":"x","extra":1}"#),
            Err(BodyError::Json(_))
        ));
        assert!(matches!(read_body(b"trigger=x"), Err(BodyError::Json(_))));
    }
}
