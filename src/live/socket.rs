//! The push WebSocket: builds its URL (push server + route params + client params, as the reference
//! clients do), opens it with the signing User-Agent and cookies, and tells a blocked handshake
//! (`handshake-msg`, e.g. DEVICE_BLOCKED) apart from other failures.

use std::time::Duration;

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, http::HeaderValue};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::Url;

use crate::wire::Batch;

pub type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why the WebSocket could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("bad push server URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "TikTok blocked the connection: {message} (HTTP {status}, handshake-status {handshake_status})"
    )]
    Blocked {
        status: u16,
        handshake_status: String,
        message: String,
    },
    #[error("push server {url} refused the WebSocket with HTTP {status}")]
    Rejected { url: String, status: u16 },
    #[error("push server {url} did not answer within {} s", after.as_secs_f32())]
    Timeout { url: String, after: Duration },
    #[error("cannot open the WebSocket to {url}: {source}")]
    Ws {
        url: String,
        source: tungstenite::Error,
    },
}

/// Why an open connection ended (all of these lead to a reconnect).
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("the server closed the connection (code {code}{})", if reason.is_empty() { String::new() } else { format!(", {reason:?}") })]
    Closed { code: u16, reason: String },
    #[error("the connection dropped")]
    Eof,
    #[error("the connection failed: {0}")]
    Io(#[source] tungstenite::Error),
    #[error("the connection was silent for {} s", silent_for.as_secs_f32())]
    Silent { silent_for: Duration },
}

/// What the connection needs besides the URL.
#[derive(Clone, Copy, Debug)]
pub struct Handshake<'a> {
    pub user_agent: &'a str,
    pub cookie: &'a str,
    pub timeout: Duration,
}

/// The browser-ish client parameters of the Python reference client (`DEFAULT_WS_CLIENT_PARAMS`).
fn client_params(user_agent: &str) -> Vec<(&'static str, String)> {
    let browser_version = user_agent
        .strip_prefix("Mozilla/")
        .unwrap_or(user_agent)
        .to_owned();
    let fixed: &[(&'static str, &str)] = &[
        ("aid", "1988"),
        ("app_language", "en-US"),
        ("app_name", "tiktok_web"),
        ("browser_language", "en-US"),
        ("browser_name", "Mozilla"),
        ("browser_online", "true"),
        ("browser_platform", "Win32"),
        ("cookie_enabled", "true"),
        ("tz_name", "Etc/UTC"),
        ("device_platform", "web"),
        ("identity", "audience"),
        ("live_id", "12"),
        ("sup_ws_ds_opt", "1"),
        ("update_version_code", "2.0.0"),
        ("version_code", "180800"),
        ("client_enter", "1"),
        ("did_rule", "3"),
        ("webcast_language", "en"),
        ("screen_height", "1080"),
        ("screen_width", "1920"),
        ("resp_content_type", "protobuf"),
        ("history_comment_count", "6"),
        ("last_rtt", "150"),
        ("ws_direct", "1"),
        ("heartbeat_duration", "10000"),
    ];
    let mut params: Vec<(&'static str, String)> =
        fixed.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    params.push(("browser_version", browser_version));
    params
}

/// `push_server?{route_params}&{client params}&room_id=…&compress=gzip&cursor=…&internal_ext=…&version_code=270000`.
/// Route params come first and win over our own params of the same name: the server chose them.
/// `push_server_override` replaces the push server the sign server named.
pub fn build_ws_url(
    batch: &Batch,
    push_server_override: Option<&str>,
    room_id: &str,
    user_agent: &str,
) -> Result<Url, ConnectError> {
    let push_server = push_server_override.unwrap_or(&batch.push_server).trim();
    let bad = |reason: String| ConnectError::BadUrl {
        url: push_server.to_owned(),
        reason,
    };
    let mut url = Url::parse(push_server).map_err(|err| bad(err.to_string()))?;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(bad(format!("scheme {} is not ws or wss", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host".into()));
    }
    let mut route: Vec<(&String, &String)> = batch
        .route_params
        .iter()
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .collect();
    route.sort();
    let taken = |key: &str| route.iter().any(|(k, _)| k.as_str() == key);
    let mut ours = client_params(user_agent);
    ours.push(("room_id", room_id.to_owned()));
    ours.push(("compress", "gzip".to_owned()));
    if !batch.cursor.is_empty() {
        ours.push(("cursor", batch.cursor.clone()));
    }
    if !batch.internal_ext.is_empty() {
        ours.push(("internal_ext", batch.internal_ext.clone()));
    }
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in &route {
            query.append_pair(k, v);
        }
        for (k, v) in ours.iter().filter(|(k, _)| !taken(k)) {
            query.append_pair(k, v);
        }
        // TikTok's production URL carries a second version_code (see protocol.md §1.4).
        query.append_pair("version_code", "270000");
    }
    Ok(url)
}

/// Reads `ping-interval` (seconds) from a `Handshake-Options: ping-interval=10; …` header, clamped to
/// a sane range so a hostile value can neither spin nor starve the heartbeat.
pub fn parse_ping_interval(header: &str) -> Option<Duration> {
    header.split([';', ',']).find_map(|part| {
        let (key, value) = part.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("ping-interval") {
            return None;
        }
        let secs: f64 = value.trim().parse().ok()?;
        secs.is_finite()
            .then(|| Duration::from_secs_f64(secs.clamp(0.05, 300.0)))
    })
}

fn shown(url: &Url) -> String {
    super::http::redact_query(url)
}

/// Opens the push WebSocket with TikTok's headers (the signing User-Agent, the cookies, TikTok's
/// origin). Returns the stream and the server's ping interval, if it named one.
pub async fn connect(
    url: &Url,
    handshake: Handshake<'_>,
) -> Result<(WsStream, Option<Duration>), ConnectError> {
    open(
        url,
        &[
            ("User-Agent", handshake.user_agent),
            ("Cookie", handshake.cookie),
            ("Origin", "https://www.tiktok.com"),
            ("Referer", "https://www.tiktok.com/"),
        ],
        handshake.timeout,
    )
    .await
}

/// The limits of every socket opened to a push server or relay: no message, and no single frame,
/// larger than a capture record ([`crate::capture::MAX_RECORD_BYTES`]), so whatever a session
/// receives can be recorded and replayed, and a relay cannot make it buffer more.
pub fn ws_config() -> WebSocketConfig {
    let limit = usize::try_from(crate::capture::MAX_RECORD_BYTES).ok();
    WebSocketConfig::default()
        .max_message_size(limit)
        .max_frame_size(limit)
}

/// Opens a WebSocket with these extra headers (and [`ws_config`]'s limits); a refused upgrade becomes `Blocked` (with
/// `handshake-msg`) or `Rejected` (with its status).
pub async fn open(
    url: &Url,
    extra_headers: &[(&'static str, &str)],
    timeout: Duration,
) -> Result<(WsStream, Option<Duration>), ConnectError> {
    let ws_err = |source| ConnectError::Ws {
        url: shown(url),
        source,
    };
    let mut request = url.as_str().into_client_request().map_err(ws_err)?;
    let headers = request.headers_mut();
    for (name, value) in extra_headers {
        let value = HeaderValue::from_str(value).map_err(|_| ConnectError::BadUrl {
            url: shown(url),
            reason: format!("the {name} header contains characters not allowed in a header"),
        })?;
        headers.insert(*name, value);
    }
    let connecting =
        tokio_tungstenite::connect_async_with_config(request, Some(ws_config()), false);
    let (stream, response) = match tokio::time::timeout(timeout, connecting).await {
        Err(_) => {
            return Err(ConnectError::Timeout {
                url: shown(url),
                after: timeout,
            });
        }
        Ok(Err(tungstenite::Error::Http(response))) => {
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .map(|v| super::sanitize(&String::from_utf8_lossy(v.as_bytes()), 120))
            };
            return Err(match header("handshake-msg") {
                Some(message) => ConnectError::Blocked {
                    status,
                    handshake_status: header("handshake-status").unwrap_or_else(|| "?".into()),
                    message,
                },
                None => ConnectError::Rejected {
                    url: shown(url),
                    status,
                },
            });
        }
        Ok(Err(err)) => return Err(ws_err(err)),
        Ok(Ok(pair)) => pair,
    };
    let ping = response
        .headers()
        .get("handshake-options")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_ping_interval);
    Ok((stream, ping))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> Batch {
        Batch {
            push_server: "ws://127.0.0.1:9/webcast/im/ws_proxy/ws_reuse_supplement/".into(),
            cursor: "c-1".into(),
            internal_ext: "ie&1".into(),
            route_params: [
                ("wrss".to_owned(), "w s".to_owned()),
                ("aid".to_owned(), "7".to_owned()),
                ("empty".to_owned(), String::new()),
            ]
            .into_iter()
            .collect(),
            ..Batch::default()
        }
    }

    #[test]
    fn ws_url_has_route_params_client_params_and_suffix() {
        let url = build_ws_url(&batch(), None, "42", "Mozilla/5.0 (X11)").unwrap();
        let s = url.as_str();
        assert!(
            s.starts_with(
                "ws://127.0.0.1:9/webcast/im/ws_proxy/ws_reuse_supplement/?aid=7&wrss=w+s&"
            ),
            "{s}"
        );
        assert!(s.ends_with("&version_code=270000"), "{s}");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| {
            pairs
                .iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("aid"), ["7"], "route params win over ours");
        assert_eq!(get("room_id"), ["42"]);
        assert_eq!(get("compress"), ["gzip"]);
        assert_eq!(get("cursor"), ["c-1"]);
        assert_eq!(get("internal_ext"), ["ie&1"]);
        assert_eq!(get("version_code"), ["180800", "270000"]);
        assert_eq!(get("browser_version"), ["5.0 (X11)"]);
        assert!(get("empty").is_empty());
    }

    #[test]
    fn ws_url_override_and_bad_schemes() {
        let url = build_ws_url(&batch(), Some("wss://example.invalid/ws"), "1", "UA").unwrap();
        assert!(url.as_str().starts_with("wss://example.invalid/ws?"));
        for bad in ["http://127.0.0.1/", "", "ws://", "nonsense"] {
            assert!(
                matches!(
                    build_ws_url(&batch(), Some(bad), "1", "UA"),
                    Err(ConnectError::BadUrl { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ping_interval_is_read_and_clamped() {
        assert_eq!(
            parse_ping_interval("ping-interval=10; ping-timeout=5"),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_ping_interval("foo=1;Ping-Interval = 0.5"),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_ping_interval("ping-interval=0"),
            Some(Duration::from_millis(50))
        );
        assert_eq!(
            parse_ping_interval("ping-interval=1e9"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(parse_ping_interval("ping-interval=NaN"), None);
        assert_eq!(parse_ping_interval("ping-interval=x"), None);
        assert_eq!(parse_ping_interval(""), None);
    }

    /// A server that sends one `big`-byte binary message, then a frame header claiming one byte
    /// more than a capture record may hold.
    async fn serve_big_then_too_big(big: usize) -> (Url, tokio::task::JoinHandle<()>) {
        use futures_util::SinkExt;
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("ws://{}/", listener.local_addr().unwrap())).unwrap();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            ws.send(tungstenite::Message::Binary(vec![7u8; big].into()))
                .await
                .unwrap();
            let too_big = u64::from(crate::capture::MAX_RECORD_BYTES) + 1;
            let mut header = vec![0x82, 127];
            header.extend_from_slice(&too_big.to_be_bytes());
            header.extend_from_slice(&[0; 64]);
            let _ = ws.get_mut().write_all(&header).await;
            // Keep the connection open until the client has read (or refused) both.
            let _ = tokio::time::timeout(
                Duration::from_secs(10),
                futures_util::StreamExt::next(&mut ws),
            )
            .await;
        });
        (url, server)
    }

    /// Reproduced on the old socket (tungstenite's defaults): a 20 MiB message, which a capture
    /// records and replays, was refused as a too-large frame and the connection lost.
    #[tokio::test]
    async fn the_socket_takes_what_a_capture_holds_and_refuses_more() {
        use futures_util::StreamExt;
        let big = 20 * 1024 * 1024;
        let (url, server) = serve_big_then_too_big(big).await;
        let (mut ws, _) = open(&url, &[], Duration::from_secs(10)).await.unwrap();
        let first = ws.next().await.unwrap().unwrap();
        assert_eq!(first.len(), big);
        let second = ws.next().await.unwrap();
        assert!(
            matches!(second, Err(tungstenite::Error::Capacity(_))),
            "{second:?}"
        );
        drop(ws);
        server.await.unwrap();
    }
}
