//! Small HTTP helpers shared by the room lookup and the sign request: base-URL joining, a GET with a
//! size-capped body, and errors that name the URL (without its query) and carry their cause.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use url::Url;

/// Bodies larger than this are refused (a live page is well under 2 MB).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("bad URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("cannot reach {url}: {}", super::error_chain(source))]
    Request { url: String, source: reqwest::Error },
    #[error("{url} answered HTTP {status}: {message}")]
    Status {
        url: String,
        status: u16,
        message: String,
    },
    #[error("{url} sent more than {MAX_BODY_BYTES} bytes")]
    TooLarge { url: String },
}

/// One HTTP answer, body read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Parses a configured base URL (only http and https).
pub fn base_url(base: &str) -> Result<Url, FetchError> {
    let bad = |reason: String| FetchError::BadUrl {
        url: base.to_owned(),
        reason,
    };
    let url = Url::parse(base.trim()).map_err(|err| bad(err.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(format!("scheme {} is not http or https", url.scheme())));
    }
    if url.cannot_be_a_base() {
        return Err(bad("cannot be a base".into()));
    }
    Ok(url)
}

/// `base` + `/` + `path`, whether or not `base` ends in a slash (`https://x/webcast` + `room/` →
/// `https://x/webcast/room/`).
pub fn join(base: &str, path: &str) -> Result<Url, FetchError> {
    let mut url = base_url(base)?;
    if !url.path().ends_with('/') {
        let with_slash = format!("{}/", url.path());
        url.set_path(&with_slash);
    }
    url.join(path).map_err(|err| FetchError::BadUrl {
        url: base.to_owned(),
        reason: err.to_string(),
    })
}

/// The URL for messages: scheme, host and path only (queries carry noise and sometimes tokens).
pub fn redact_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// The `Cookie` TikTok gets from an anonymous client (the reference clients' default).
pub const ANONYMOUS_COOKIE: &str = "tt-target-idc=useast1a";

/// A browser-like GET to TikTok with `cookie` ([`ANONYMOUS_COOKIE`] or the streamer's session).
pub async fn get(
    client: &reqwest::Client,
    url: Url,
    user_agent: &str,
    referer: &str,
    cookie: &str,
) -> Result<Reply, FetchError> {
    let request = client
        .get(url.clone())
        .header(reqwest::header::USER_AGENT, user_agent)
        .header(reqwest::header::REFERER, referer)
        .header(reqwest::header::ORIGIN, "https://www.tiktok.com")
        .header(
            reqwest::header::ACCEPT,
            "text/html,application/json,application/protobuf",
        )
        .header(reqwest::header::COOKIE, cookie);
    send(request, &url).await
}

/// Sends a request and reads the whole body, refusing more than [`MAX_BODY_BYTES`].
pub async fn send(request: reqwest::RequestBuilder, url: &Url) -> Result<Reply, FetchError> {
    let shown = || redact_query(url);
    // reqwest's errors name the full URL, query included; ours names it without the query (it may
    // carry a key), so the URL is taken out of the source.
    let mut response = request.send().await.map_err(|source| FetchError::Request {
        url: shown(),
        source: source.without_url(),
    })?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|source| FetchError::Request {
            url: shown(),
            source: source.without_url(),
        })?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(FetchError::TooLarge { url: shown() });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// The human part of an error body: the JSON `message` when there is one, else the text, cleaned
/// and shortened so a hostile server cannot flood the status line.
pub fn error_message(body: &[u8]) -> String {
    let json_message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|json| json["message"].as_str().map(str::to_owned));
    let text = json_message.unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    let cleaned = super::sanitize(&text, 200);
    if cleaned.is_empty() {
        "(empty body)".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_handles_slashes() {
        for base in [
            "https://webcast.tiktok.com/webcast",
            "https://webcast.tiktok.com/webcast/",
        ] {
            assert_eq!(
                join(base, "room/check_alive/").unwrap().as_str(),
                "https://webcast.tiktok.com/webcast/room/check_alive/"
            );
        }
        assert_eq!(
            join("http://127.0.0.1:5", "webcast/fetch")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:5/webcast/fetch"
        );
        assert!(matches!(
            join("ftp://x", "a"),
            Err(FetchError::BadUrl { .. })
        ));
        assert!(matches!(
            join("not a url", "a"),
            Err(FetchError::BadUrl { .. })
        ));
    }

    #[test]
    fn error_message_prefers_json_and_is_cleaned() {
        assert_eq!(
            error_message(br#"{"message":"Try again in 03:02.","limit_label":"x"}"#),
            "Try again in 03:02."
        );
        assert_eq!(error_message(b"bad\r\ngateway\x1b[31m"), "bad gateway [31m");
        assert_eq!(error_message(b""), "(empty body)");
        assert_eq!(error_message(&[b'a'; 1000]).chars().count(), 201);
    }

    #[test]
    fn redaction_drops_query() {
        let url = Url::parse("http://h/p?key=secret#f").unwrap();
        assert_eq!(redact_query(&url), "http://h/p");
    }
}
