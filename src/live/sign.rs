//! The sign request: an Euler-Stream-compatible server performs TikTok's signed `im/fetch` for us and
//! relays the raw `ProtoMessageFetchResult` (push server, route params, cursor, recent history) plus
//! the cookies TikTok set (`X-Set-TT-Cookie`). Every way it can refuse is a distinct error.

use url::Url;

use super::http::{self, FetchError};
use crate::wire::{self, Batch, DecodeError};

/// The sign server did not give us what a connection needs.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("sign server: {0}")]
    Fetch(#[from] FetchError),
    #[error("sign server rate limit reached: {message}")]
    RateLimited { message: String },
    #[error("sign server refused the request (HTTP {status}): {message}; check the API key")]
    Refused { status: u16, message: String },
    #[error("sign server error (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    #[error("sign server answered HTTP {status}: {message}; check the sign server URL")]
    Unexpected { status: u16, message: String },
    #[error("sign server sent an empty body (is TikTok detecting the sign server?)")]
    EmptyBody,
    #[error("sign server did not return cookies (no X-Set-TT-Cookie header)")]
    NoCookie,
    #[error("sign server sent a body that is not a ProtoMessageFetchResult: {0}")]
    BadBody(#[source] DecodeError),
    #[error("sign server sent no push server to connect to")]
    NoPushServer,
}

impl SignError {
    /// A refused key or a wrong URL will not fix itself; the rest may.
    pub fn is_transient(&self) -> bool {
        !matches!(
            self,
            Self::Fetch(FetchError::BadUrl { .. }) | Self::Refused { .. } | Self::Unexpected { .. }
        )
    }
}

/// What a successful sign request gives.
#[derive(Debug)]
pub struct Signed {
    /// The decoded initial result: history messages plus connection parameters.
    pub batch: Batch,
    /// The body as received, for `--record`.
    pub raw: Vec<u8>,
    /// The `Cookie` header value for the WebSocket.
    pub cookie: String,
}

/// What to send to the sign server. `Debug` never shows the API key.
#[derive(Clone, Copy)]
pub struct SignRequest<'a> {
    pub sign_url: &'a str,
    pub api_key: Option<&'a str>,
    /// Identifies the client library to the sign server (Euler's SDK default is `ttlive-other`).
    pub client_name: &'a str,
    pub room_id: &'a str,
    /// The browser User-Agent the WebSocket will use too.
    pub user_agent: &'a str,
}

impl std::fmt::Debug for SignRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignRequest")
            .field("sign_url", &self.sign_url)
            .field("api_key", &self.api_key.map(crate::text::masked))
            .field("client_name", &self.client_name)
            .field("room_id", &self.room_id)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// `GET {sign}/webcast/fetch?client=…&room_id=…&user_agent=…&client_enter=true&platform=web`.
pub fn sign_url(request: &SignRequest<'_>) -> Result<Url, FetchError> {
    let mut url = http::join(request.sign_url, "webcast/fetch")?;
    url.query_pairs_mut()
        .append_pair("client", request.client_name)
        .append_pair("room_id", request.room_id)
        .append_pair("user_agent", request.user_agent)
        .append_pair("client_enter", "true")
        .append_pair("platform", "web");
    Ok(url)
}

/// Performs the sign request and checks the answer.
pub async fn sign(
    client: &reqwest::Client,
    request: &SignRequest<'_>,
) -> Result<Signed, SignError> {
    let url = sign_url(request)?;
    let mut builder = client
        .get(url.clone())
        .header(
            reqwest::header::USER_AGENT,
            concat!("giftdeck/", env!("CARGO_PKG_VERSION")),
        )
        .header(
            reqwest::header::ACCEPT,
            "application/protobuf,application/json",
        );
    if let Some(key) = request.api_key.filter(|k| !k.is_empty()) {
        builder = builder.header("X-Api-Key", key);
    }
    let reply = http::send(builder, &url).await?;
    check_reply(
        reply.status.as_u16(),
        reply.headers.get("x-set-tt-cookie").map(|v| v.as_bytes()),
        reply.body,
    )
}

/// The pure part: classify the status, then check cookie and body.
pub fn check_reply(
    status: u16,
    cookie_header: Option<&[u8]>,
    body: Vec<u8>,
) -> Result<Signed, SignError> {
    match status {
        200..=299 => {}
        429 => {
            return Err(SignError::RateLimited {
                message: http::error_message(&body),
            });
        }
        401..=403 => {
            return Err(SignError::Refused {
                status,
                message: http::error_message(&body),
            });
        }
        408 | 500..=599 => {
            return Err(SignError::Server {
                status,
                message: http::error_message(&body),
            });
        }
        _ => {
            return Err(SignError::Unexpected {
                status,
                message: http::error_message(&body),
            });
        }
    }
    if body.is_empty() {
        return Err(SignError::EmptyBody);
    }
    let cookie = cookie_header
        .map(|raw| cookie_header_from_set_cookie(&String::from_utf8_lossy(raw)))
        .filter(|c| !c.is_empty())
        .ok_or(SignError::NoCookie)?;
    let batch = wire::decode_batch(&body).map_err(SignError::BadBody)?;
    if batch.push_server.trim().is_empty() {
        return Err(SignError::NoPushServer);
    }
    Ok(Signed {
        batch,
        raw: body,
        cookie,
    })
}

/// Attributes of a Set-Cookie line, not cookies.
const COOKIE_ATTRIBUTES: &[&str] = &[
    "path",
    "domain",
    "expires",
    "max-age",
    "secure",
    "httponly",
    "samesite",
    "priority",
    "partitioned",
];

/// Turns a Set-Cookie-style string (possibly several cookies, comma-joined) into a `Cookie` header
/// value: `name=value; name2=value2`. Attributes are dropped; anything that could break the header
/// (control characters, separators in names) is dropped too.
pub fn cookie_header_from_set_cookie(raw: &str) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for piece in raw.split([';', ',']) {
        let Some((name, value)) = piece.split_once('=') else {
            continue;
        };
        let name = name.trim();
        let value = value.trim().trim_matches('"');
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        let value_ok = value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b",;\\\"".contains(&b));
        if !name_ok || !value_ok || COOKIE_ATTRIBUTES.contains(&name.to_ascii_lowercase().as_str())
        {
            continue;
        }
        match pairs.iter_mut().find(|(n, _)| n == name) {
            Some(existing) => existing.1 = value.to_owned(),
            None => pairs.push((name.to_owned(), value.to_owned())),
        }
    }
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::frames::{BatchSpec, encode_batch};

    fn body() -> Vec<u8> {
        encode_batch(&BatchSpec {
            cursor: "c".into(),
            push_server: "ws://127.0.0.1:1/ws".into(),
            is_first: true,
            ..Default::default()
        })
    }

    #[test]
    fn cookies_are_parsed_from_set_cookie_lines() {
        assert_eq!(
            cookie_header_from_set_cookie(
                "ttwid=1%7Cabc; Path=/; Domain=tiktok.com; Max-Age=31536000; HttpOnly"
            ),
            "ttwid=1%7Cabc"
        );
        assert_eq!(
            cookie_header_from_set_cookie(
                "ttwid=A; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure, tt-target-idc=useast1a; Path=/"
            ),
            "ttwid=A; tt-target-idc=useast1a"
        );
        assert_eq!(cookie_header_from_set_cookie("a=\"q\"; a=2"), "a=2");
        assert_eq!(cookie_header_from_set_cookie("bad name=1; x=a\r\nb"), "");
        assert_eq!(cookie_header_from_set_cookie(""), "");
    }

    #[test]
    fn statuses_map_to_distinct_errors() {
        let limited = check_reply(
            429,
            None,
            br#"{"message":"Try again in 03:02.","limit_label":"l"}"#.to_vec(),
        );
        assert!(
            matches!(&limited, Err(SignError::RateLimited { message }) if message == "Try again in 03:02.")
        );
        assert!(limited.unwrap_err().is_transient());
        let refused = check_reply(401, None, b"{\"message\":\"bad key\"}".to_vec()).unwrap_err();
        assert!(matches!(refused, SignError::Refused { status: 401, .. }));
        assert!(!refused.is_transient());
        let server = check_reply(
            500,
            None,
            br#"{"message":"Empty response payload received!"}"#.to_vec(),
        )
        .unwrap_err();
        assert!(
            server.to_string().contains("Empty response payload"),
            "{server}"
        );
        assert!(server.is_transient());
        assert!(matches!(
            check_reply(404, None, vec![]),
            Err(SignError::Unexpected { status: 404, .. })
        ));
    }

    #[test]
    fn a_good_status_still_needs_body_cookie_and_push_server() {
        assert!(matches!(
            check_reply(200, Some(b"ttwid=1"), vec![]),
            Err(SignError::EmptyBody)
        ));
        assert!(matches!(
            check_reply(200, None, body()),
            Err(SignError::NoCookie)
        ));
        assert!(matches!(
            check_reply(200, Some(b"Path=/"), body()),
            Err(SignError::NoCookie)
        ));
        assert!(matches!(
            check_reply(200, Some(b"ttwid=1"), vec![0xff, 0xff]),
            Err(SignError::BadBody(_))
        ));
        let no_push = encode_batch(&BatchSpec {
            cursor: "c".into(),
            ..Default::default()
        });
        assert!(matches!(
            check_reply(200, Some(b"ttwid=1"), no_push),
            Err(SignError::NoPushServer)
        ));
        let ok = check_reply(200, Some(b"ttwid=1; Path=/"), body()).unwrap();
        assert_eq!(ok.cookie, "ttwid=1");
        assert!(ok.batch.is_first);
        assert_eq!(ok.raw, body());
    }

    #[test]
    fn sign_url_has_the_euler_parameters() {
        let url = sign_url(&SignRequest {
            sign_url: "http://127.0.0.1:7",
            api_key: Some("secret"),
            client_name: "ttlive-other",
            room_id: "42",
            user_agent: "Mozilla/5.0 (X11)",
        })
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:7/webcast/fetch?client=ttlive-other&room_id=42&user_agent=Mozilla%2F5.0+%28X11%29&client_enter=true&platform=web"
        );
        assert!(
            !url.as_str().contains("secret"),
            "the key goes in a header only"
        );
    }
}
