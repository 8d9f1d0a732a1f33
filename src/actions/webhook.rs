//! Webhook actions: POST the credited gift as JSON to a URL, with a timeout. A non-2xx answer, a
//! timeout or a refused connection is a failed action. Webhook URLs carry tokens (Discord, Zapier…),
//! so everything we show or log about one shows only its scheme and host ([`redact_url`]).

use std::time::Duration;

use thiserror::Error;

/// What stands for the hidden part of a webhook URL: `https://discord.com/…`.
pub const REDACTED_TAIL: &str = "/…";

/// A webhook URL as it may be shown, logged or exported: scheme and host (and a non-default port)
/// only; the path, query, fragment and any user or password are replaced by `/…`. Something that is
/// not a URL is shown as `<not a valid URL>`, since it may still hold a token.
pub fn redact_url(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url.trim()) else {
        return "<not a valid URL>".to_owned();
    };
    let mut shown = format!("{}://", parsed.scheme());
    if let Some(host) = parsed.host_str() {
        shown.push_str(host);
    }
    if let Some(port) = parsed.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(REDACTED_TAIL);
    shown
}

/// True for a URL that [`redact_url`] produced (an export's placeholder for the real one).
pub fn is_redacted(url: &str) -> bool {
    url.ends_with(REDACTED_TAIL) || url == "<not a valid URL>"
}

/// Why a webhook failed. Each variant carries the URL, redacted ([`redact_url`]).
#[derive(Debug, Error)]
pub enum WebhookError {
    #[error("webhook URL {url:?} is not a valid http(s) URL")]
    BadUrl { url: String },
    #[error(
        "the webhook URL {url} is only a stand-in (the full URL was hidden in an export, or the keyring did not give it); enter the full URL again"
    )]
    Redacted { url: String },
    #[error("webhook {url} did not answer within {millis} ms")]
    Timeout { url: String, millis: u64 },
    #[error("webhook {url} answered HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("webhook {url} failed: {reason}")]
    Request { url: String, reason: String },
}

/// Sends webhooks; cheap to clone (one connection pool).
#[derive(Clone, Debug)]
pub struct WebhookClient {
    /// `Err` when the HTTP client could not be built (no TLS backend): every webhook then fails
    /// with that reason instead of panicking.
    http: Result<reqwest::Client, String>,
}

impl WebhookClient {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("giftdeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string());
        Self { http }
    }

    /// POSTs `gift` (the fields `replay` prints, trigger included) as `application/json`; returns
    /// `"HTTP <status>"` on success.
    pub async fn post<T: serde::Serialize + ?Sized>(
        &self,
        url: &str,
        timeout_millis: u64,
        gift: &T,
    ) -> Result<String, WebhookError> {
        let shown = redact_url(url);
        if is_redacted(url) {
            return Err(WebhookError::Redacted { url: shown });
        }
        let parsed = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| WebhookError::BadUrl { url: shown.clone() })?;
        let millis = timeout_millis.max(1);
        let http = self.http.as_ref().map_err(|reason| WebhookError::Request {
            url: shown.clone(),
            reason: format!("no HTTP client: {reason}"),
        })?;
        let send = http
            .post(parsed)
            .timeout(Duration::from_millis(millis))
            .json(gift)
            .send();
        let response = send.await.map_err(|e| classify(url, &shown, millis, e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(format!("HTTP {}", status.as_u16()));
        }
        let body = tokio::time::timeout(Duration::from_millis(millis), response.text())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let body: String = body.chars().take(200).collect();
        Err(WebhookError::Status {
            url: shown,
            status: status.as_u16(),
            body: body.replace(url, &redact_url(url)),
        })
    }
}

impl Default for WebhookClient {
    fn default() -> Self {
        Self::new()
    }
}

fn classify(url: &str, shown: &str, millis: u64, err: reqwest::Error) -> WebhookError {
    if err.is_timeout() {
        return WebhookError::Timeout {
            url: shown.to_owned(),
            millis,
        };
    }
    // reqwest puts the full URL into its message: drop it, then show the innermost cause (refused,
    // DNS…), with any copy of the URL in it hidden too.
    let err = err.without_url();
    let mut reason = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(inner) = source {
        reason = inner.to_string();
        source = inner.source();
    }
    WebhookError::Request {
        url: shown.to_owned(),
        reason: reason.replace(url, shown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "https://discord.com/api/webhooks/123/tOkEn-SeCrEt?wait=true#frag";

    #[test]
    fn a_redacted_url_keeps_only_scheme_and_host() {
        assert_eq!(redact_url(SECRET), "https://discord.com/…");
        assert_eq!(
            redact_url("http://user:pw@127.0.0.1:8080/hook?key=abc"),
            "http://127.0.0.1:8080/…"
        );
        assert_eq!(redact_url("not a url with token abc"), "<not a valid URL>");
        assert!(is_redacted(&redact_url(SECRET)));
        assert!(!is_redacted(SECRET));
    }

    #[tokio::test]
    async fn errors_never_show_the_token() {
        let client = WebhookClient::new();
        let gift = crate::event::CreditedGift {
            user_id: 2,
            unique_id: "viewer".into(),
            nickname: "Viewer".into(),
            ended_by: crate::event::EndedBy::Single,
            ..crate::testkit::outputs::rose()
        };
        // A port nothing listens on: a refused connection.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/hooks/tOkEn-SeCrEt");
        let err = client.post(&url, 2_000, &gift).await.unwrap_err();
        assert!(matches!(err, WebhookError::Request { .. }), "{err}");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("tOkEn"), "{shown}");
            assert!(
                shown.contains(&format!("http://127.0.0.1:{port}/…")),
                "{shown}"
            );
        }
        let err = client
            .post("ftp://x/tOkEn-SeCrEt", 2_000, &gift)
            .await
            .unwrap_err();
        assert!(!format!("{err} {err:?}").contains("tOkEn"));
        let err = client
            .post("https://discord.com/…", 2_000, &gift)
            .await
            .unwrap_err();
        assert!(matches!(err, WebhookError::Redacted { .. }), "{err}");
    }
}
