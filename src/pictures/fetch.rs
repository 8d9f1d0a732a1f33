//! One picture download: only hosts the policy allows (redirects included), at most
//! [`super::MAX_DOWNLOAD_BYTES`], within the timeout.

use super::policy::{HostPolicy, shown_url};
use super::{MAX_DOWNLOAD_BYTES, PictureConfig, PictureError};

/// Redirects followed at most (each to an allowed host).
const MAX_REDIRECTS: usize = 3;

/// The HTTP client for pictures: redirects only to allowed hosts, the configured timeout.
pub fn client(config: &PictureConfig) -> Result<reqwest::Client, reqwest::Error> {
    let hosts: HostPolicy = config.hosts.clone();
    reqwest::Client::builder()
        .user_agent(concat!("giftdeck/", env!("CARGO_PKG_VERSION")))
        .timeout(config.fetch_timeout)
        .connect_timeout(config.fetch_timeout)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if hosts.allows(attempt.url()) {
                attempt.follow()
            } else {
                attempt.error("redirected off TikTok's picture servers")
            }
        }))
        .build()
}

/// Downloads `url` (already allowed by the policy).
pub async fn fetch(client: &reqwest::Client, url: &url::Url) -> Result<Vec<u8>, PictureError> {
    let shown = || shown_url(url.as_str());
    let network = |err: reqwest::Error| PictureError::Network {
        url: shown(),
        reason: error_chain(&err.without_url()),
    };
    let too_large = || PictureError::TooLarge {
        url: shown(),
        limit_bytes: MAX_DOWNLOAD_BYTES,
    };
    let mut response = client.get(url.clone()).send().await.map_err(network)?;
    if !response.status().is_success() {
        return Err(PictureError::Status {
            url: shown(),
            status: response.status().as_u16(),
        });
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_DOWNLOAD_BYTES)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if (body.len() + chunk.len()) as u64 > MAX_DOWNLOAD_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error and its causes on one line ("error sending request: connection refused").
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
