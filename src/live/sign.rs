//! The sign request: an Euler-Stream-compatible server performs TikTok's signed `im/fetch` for us and
//! relays the raw `ProtoMessageFetchResult` (push server, route params, cursor, recent history) plus
//! the cookies TikTok set (`X-Set-TT-Cookie`). Every way it can refuse is a distinct error.

use std::time::Duration;

use url::Url;

use super::http::{self, FetchError};
use crate::wire::{self, Batch, DecodeError};

/// The sign server did not give us what a connection needs.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("sign server: {0}")]
    Fetch(#[from] FetchError),
    #[error("sign server rate limit reached: {message}{}", retry_after.map(|d| format!(" (wait {} s)", d.as_secs())).unwrap_or_default())]
    RateLimited {
        message: String,
        /// How long the server asked us to wait (`Retry-After`, or "Try again in 03:02.").
        retry_after: Option<Duration>,
    },
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
    #[error(
        "sign server handed out its fallback stub ({push_server}) instead of TikTok's push server"
    )]
    FallbackStub { push_server: String },
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
    /// The streamer's TikTok session, sent only for a room that needs a login.
    pub session_id: Option<&'a str>,
    /// The session's data centre (`tt-target-idc`), sent with it.
    pub tt_target_idc: Option<&'a str>,
}

impl std::fmt::Debug for SignRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignRequest")
            .field("sign_url", &self.sign_url)
            .field("api_key", &self.api_key.map(crate::text::masked))
            .field("client_name", &self.client_name)
            .field("room_id", &self.room_id)
            .field("user_agent", &self.user_agent)
            .field("session_id", &self.session_id.map(|_| "<redacted>"))
            .field("tt_target_idc", &self.tt_target_idc)
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
    if let Some(session_id) = request.session_id {
        url.query_pairs_mut().append_pair("session_id", session_id);
        if let Some(idc) = request.tt_target_idc {
            url.query_pairs_mut().append_pair("tt_target_idc", idc);
        }
    }
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
    let header = |name: &str| reply.headers.get(name).map(|v| v.as_bytes());
    check_reply(
        reply.status.as_u16(),
        header("x-set-tt-cookie"),
        header("retry-after"),
        reply.body,
    )
}

/// The pure part: classify the status, then check cookie, body and push server.
pub fn check_reply(
    status: u16,
    cookie_header: Option<&[u8]>,
    retry_after: Option<&[u8]>,
    body: Vec<u8>,
) -> Result<Signed, SignError> {
    match status {
        200..=299 => {}
        429 => {
            let message = http::error_message(&body);
            let retry_after = retry_after
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(parse_retry_after_header)
                .or_else(|| parse_try_again_in(&message));
            return Err(SignError::RateLimited {
                message,
                retry_after,
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
    if is_fallback_stub(&batch.push_server) {
        return Err(SignError::FallbackStub {
            push_server: Url::parse(batch.push_server.trim())
                .map(|u| http::redact_query(&u))
                .unwrap_or_else(|_| super::sanitize(&batch.push_server, 80)),
        });
    }
    Ok(Signed {
        batch,
        raw: body,
        cookie,
    })
}

/// The host of Euler's fallback proxy. Since 2026-09 the sign server hands it out instead of
/// TikTok's push server when its own agents fail; it never completes the WebSocket upgrade
/// (TikTokLive #376, #379), so a URL on it is as good as no URL.
const FALLBACK_STUB_HOST: &str = "ws-fallback.eulerstream.com";

/// Whether a push server URL is the sign server's fallback stub.
pub fn is_fallback_stub(push_server: &str) -> bool {
    Url::parse(push_server.trim())
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.eq_ignore_ascii_case(FALLBACK_STUB_HOST))
        })
        .unwrap_or(false)
}

/// The longest wait a rate limit may ask for that we honour as such (a day; more is nonsense).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// `Retry-After: 120` (seconds; the HTTP-date form is not used by sign servers).
pub fn parse_retry_after_header(value: &str) -> Option<Duration> {
    let secs: u64 = value.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// "Sign server rate limit reached. Try again in 03:02." (`MM:SS` or `HH:MM:SS`), the wording
/// Euler's sign server uses (TikTokLiveJava #113).
pub fn parse_try_again_in(message: &str) -> Option<Duration> {
    let lower = message.to_ascii_lowercase();
    let start = lower.find("try again in")? + "try again in".len();
    let clock: String = lower[start..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    let parts: Vec<u64> = clock
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let secs = match parts.as_slice() {
        [m, s] => m * 60 + s,
        [h, m, s] => h * 3600 + m * 60 + s,
        _ => return None,
    };
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
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
            None,
            br#"{"message":"Try again in 03:02.","limit_label":"l"}"#.to_vec(),
        );
        assert!(
            matches!(&limited, Err(SignError::RateLimited { message, retry_after: Some(wait) })
                if message == "Try again in 03:02." && wait.as_secs() == 182),
            "{limited:?}"
        );
        assert!(limited.unwrap_err().is_transient());
        let refused =
            check_reply(401, None, None, b"{\"message\":\"bad key\"}".to_vec()).unwrap_err();
        assert!(matches!(refused, SignError::Refused { status: 401, .. }));
        assert!(!refused.is_transient());
        let server = check_reply(
            500,
            None,
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
            check_reply(404, None, None, vec![]),
            Err(SignError::Unexpected { status: 404, .. })
        ));
    }

    #[test]
    fn a_good_status_still_needs_body_cookie_and_push_server() {
        assert!(matches!(
            check_reply(200, Some(b"ttwid=1"), None, vec![]),
            Err(SignError::EmptyBody)
        ));
        assert!(matches!(
            check_reply(200, None, None, body()),
            Err(SignError::NoCookie)
        ));
        assert!(matches!(
            check_reply(200, Some(b"Path=/"), None, body()),
            Err(SignError::NoCookie)
        ));
        assert!(matches!(
            check_reply(200, Some(b"ttwid=1"), None, vec![0xff, 0xff]),
            Err(SignError::BadBody(_))
        ));
        let no_push = encode_batch(&BatchSpec {
            cursor: "c".into(),
            ..Default::default()
        });
        assert!(matches!(
            check_reply(200, Some(b"ttwid=1"), None, no_push),
            Err(SignError::NoPushServer)
        ));
        let ok = check_reply(200, Some(b"ttwid=1; Path=/"), None, body()).unwrap();
        assert_eq!(ok.cookie, "ttwid=1");
        assert!(ok.batch.is_first);
        assert_eq!(ok.raw, body());
    }

    #[test]
    fn a_rate_limit_says_how_long_to_wait() {
        let header = check_reply(429, None, Some(b"120"), b"{}".to_vec()).unwrap_err();
        assert!(
            matches!(header, SignError::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 120)
        );
        let silent = check_reply(429, None, None, b"{\"message\":\"slow\"}".to_vec()).unwrap_err();
        assert!(matches!(
            silent,
            SignError::RateLimited {
                retry_after: None,
                ..
            }
        ));
        assert_eq!(
            parse_try_again_in("Try again in 1:02:03."),
            Some(Duration::from_secs(3723))
        );
        assert_eq!(
            parse_try_again_in("try again in 00:05"),
            Some(Duration::from_secs(5))
        );
        assert_eq!(parse_try_again_in("Try again later"), None);
        assert_eq!(
            parse_retry_after_header(" 7 "),
            Some(Duration::from_secs(7))
        );
        assert_eq!(parse_retry_after_header("Wed, 21 Oct 2026"), None);
        assert_eq!(
            parse_retry_after_header("99999999999"),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn the_fallback_stub_is_not_a_push_server() {
        let stub = encode_batch(&BatchSpec {
            cursor: "c".into(),
            push_server: "wss://ws-fallback.eulerstream.com/?token=secret-jwt".into(),
            is_first: true,
            ..Default::default()
        });
        let err = check_reply(200, Some(b"ttwid=1"), None, stub).unwrap_err();
        assert!(
            matches!(&err, SignError::FallbackStub { push_server } if push_server == "wss://ws-fallback.eulerstream.com/"),
            "{err:?}"
        );
        assert!(!err.to_string().contains("secret-jwt"));
        assert!(!is_fallback_stub(
            "wss://webcast-ws.tiktok.com/webcast/im/ws_proxy/"
        ));
        assert!(is_fallback_stub("WSS://WS-FALLBACK.eulerstream.com"));
    }

    #[test]
    fn a_session_goes_to_the_sign_server_only_when_given() {
        let mut request = SignRequest {
            sign_url: "http://127.0.0.1:7",
            api_key: None,
            client_name: "ttlive-other",
            room_id: "42",
            user_agent: "UA",
            session_id: None,
            tt_target_idc: Some("useast5"),
        };
        assert!(!sign_url(&request).unwrap().as_str().contains("session_id"));
        request.session_id = Some("sess");
        let url = sign_url(&request).unwrap();
        assert!(
            url.as_str()
                .ends_with("&session_id=sess&tt_target_idc=useast5"),
            "{url}"
        );
        assert!(!format!("{request:?}").contains("sess\""));
    }

    #[test]
    fn sign_url_has_the_euler_parameters() {
        let url = sign_url(&SignRequest {
            sign_url: "http://127.0.0.1:7",
            api_key: Some("secret"),
            client_name: "ttlive-other",
            room_id: "42",
            user_agent: "Mozilla/5.0 (X11)",
            session_id: None,
            tt_target_idc: None,
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
