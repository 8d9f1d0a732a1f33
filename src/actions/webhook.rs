//! Webhook actions: POST the credited gift as JSON to a URL, with a timeout. A non-2xx answer, a
//! timeout or a refused connection is a failed action.

use std::time::Duration;

use thiserror::Error;

/// Why a webhook failed. Each variant carries the URL.
#[derive(Debug, Error)]
pub enum WebhookError {
    #[error("webhook URL {url:?} is not a valid http(s) URL")]
    BadUrl { url: String },
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
        let parsed = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| WebhookError::BadUrl {
                url: url.to_owned(),
            })?;
        let millis = timeout_millis.max(1);
        let http = self.http.as_ref().map_err(|reason| WebhookError::Request {
            url: url.to_owned(),
            reason: format!("no HTTP client: {reason}"),
        })?;
        let send = http
            .post(parsed)
            .timeout(Duration::from_millis(millis))
            .json(gift)
            .send();
        let response = send.await.map_err(|e| classify(url, millis, &e))?;
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
            url: url.to_owned(),
            status: status.as_u16(),
            body,
        })
    }
}

impl Default for WebhookClient {
    fn default() -> Self {
        Self::new()
    }
}

fn classify(url: &str, millis: u64, err: &reqwest::Error) -> WebhookError {
    if err.is_timeout() {
        return WebhookError::Timeout {
            url: url.to_owned(),
            millis,
        };
    }
    // The error's chain says why (refused, DNS…); show the innermost cause.
    let mut reason = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        reason = inner.to_string();
        source = inner.source();
    }
    WebhookError::Request {
        url: url.to_owned(),
        reason,
    }
}
