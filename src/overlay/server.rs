//! The overlay HTTP server on 127.0.0.1: static pages (embedded), one SSE stream per page with its
//! latest state, and the read-only `/events` WebSocket. Requests whose `Host` is not loopback are
//! refused (a web page cannot reach us through DNS rebinding), and pages carry a strict
//! Content-Security-Policy, so even text that looked like HTML could never run.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{SinkExt as _, StreamExt as _};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::hub::Channels;
use super::{OverlayHub, Page, page_urls};
use crate::i18n::Lang;

/// How soon a page reconnects after giftdeck went away (the EventSource `retry` field).
const RECONNECT_AFTER: Duration = Duration::from_millis(1_000);

/// Why the overlay server could not start. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    #[error(
        "overlay port {port} on 127.0.0.1 is already in use (another giftdeck, or another program). \
         Pick a free port with --overlay-port PORT, or turn overlays off with --overlay-port 0"
    )]
    PortInUse { port: u16 },
    #[error(
        "cannot open overlay port {port} on 127.0.0.1: {source}. Pick another port with \
         --overlay-port PORT, or turn overlays off with --overlay-port 0"
    )]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
}

/// A running overlay server. [`OverlayServer::stop`] ends it cleanly; dropping it stops it too.
pub struct OverlayServer {
    port: u16,
    stop: watch::Sender<bool>,
    /// The language of the pages' fixed words (the window's; English until told).
    language: watch::Sender<Lang>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for OverlayServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OverlayServer")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct AppState {
    channels: Arc<Channels>,
    stop: watch::Receiver<bool>,
    language: watch::Receiver<Lang>,
}

impl OverlayServer {
    /// Binds 127.0.0.1:`port` (0 picks a free port: tests) and serves `hub`'s pages.
    pub async fn start(port: u16, hub: &OverlayHub) -> Result<Self, OverlayError> {
        let listener =
            TcpListener::bind(("127.0.0.1", port))
                .await
                .map_err(|source| match source.kind() {
                    std::io::ErrorKind::AddrInUse => OverlayError::PortInUse { port },
                    _ => OverlayError::Bind { port, source },
                })?;
        let port = listener
            .local_addr()
            .map_err(|source| OverlayError::Bind { port, source })?
            .port();
        let (stop, stop_rx) = watch::channel(false);
        let (language, language_rx) = watch::channel(Lang::En);
        let state = AppState {
            channels: hub.channels.clone(),
            stop: stop_rx.clone(),
            language: language_rx,
        };
        let router = Router::new()
            .route("/", get(index))
            .route("/overlay.js", get(script))
            .route("/overlay.css", get(style))
            .route("/sse/{page}", get(sse))
            .route("/events", get(events_ws))
            .route("/health", get(|| async { "ok" }))
            .route("/{page}", get(page))
            .layer(middleware::from_fn(loopback_only))
            .with_state(state);
        let mut shutdown = stop_rx;
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = shutdown.wait_for(|&stop| stop).await;
                })
                .await;
            if let Err(err) = served {
                tracing::warn!("overlay server stopped: {err}");
            }
        });
        Ok(Self {
            port,
            stop,
            language,
            task: Some(task),
        })
    }

    /// The language the pages' fixed words are in from their next load ("sent", "followed").
    /// Cheap when unchanged: the window calls it every frame.
    pub fn set_language(&self, lang: Lang) {
        self.language.send_if_modified(|now| {
            let changed = *now != lang;
            *now = lang;
            changed
        });
    }

    /// The port it listens on (the real one when started with 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Each page's URL.
    pub fn urls(&self) -> Vec<(Page, String)> {
        page_urls(self.port)
    }

    /// Closes every page stream and WebSocket, then waits (at most 2 s) for the server to end.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(2), task)
                .await
                .is_err()
        {
            tracing::warn!("overlay server did not stop within 2 s");
        }
    }
}

impl Drop for OverlayServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// True for the names a local browser or OBS uses for this machine.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost" | "[::1]"
    )
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !is_loopback_host(host) {
        return (
            StatusCode::FORBIDDEN,
            "giftdeck overlays answer only to 127.0.0.1 and localhost",
        )
            .into_response();
    }
    next.run(request).await
}

/// Scripts only from us, no inline code, images from the web (TikTok's gift pictures).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src http: https:; \
                   media-src http: https:; connect-src 'self'; base-uri 'none'; form-action 'none'";

fn asset(content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A new giftdeck version must not be hidden behind a cached page in OBS.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn index() -> Response {
    asset(
        "text/html; charset=utf-8",
        include_str!("../../assets/overlay/index.html"),
    )
}

/// The script with the words of the window's language ahead of it.
async fn script(State(state): State<AppState>) -> Response {
    let lang = *state.language.borrow();
    let body =
        super::words::script_with_words(lang, include_str!("../../assets/overlay/overlay.js"));
    asset("text/javascript; charset=utf-8", body)
}

async fn style() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../assets/overlay/overlay.css"),
    )
}

async fn page(Path(name): Path<String>) -> Response {
    match Page::from_name(&name) {
        Some(page) => asset("text/html; charset=utf-8", page.html()),
        None => (StatusCode::NOT_FOUND, "no such overlay page").into_response(),
    }
}

/// Resolves once the server is told to stop (or its handle is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|&s| s).await;
}

/// Counts an open connection for as long as it lives.
struct Connected {
    channels: Arc<Channels>,
    slot: usize,
}

impl Connected {
    fn new(channels: Arc<Channels>, slot: usize) -> Self {
        channels.connections[slot].fetch_add(1, Ordering::Relaxed);
        channels
            .connections_changed
            .send_modify(|n| *n = n.wrapping_add(1));
        Self { channels, slot }
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        self.channels.connections[self.slot].fetch_sub(1, Ordering::Relaxed);
        self.channels
            .connections_changed
            .send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// A page's state as Server-Sent Events: the current state at once, then every change. The
/// browser's EventSource reconnects by itself when giftdeck restarts.
async fn sse(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let Some(page) = Page::from_name(&name) else {
        return (StatusCode::NOT_FOUND, "no such overlay page").into_response();
    };
    let mut rx = state.channels.page(page).subscribe();
    rx.mark_changed();
    let guard = Connected::new(state.channels.clone(), page.index());
    let stream = futures_util::stream::unfold(
        (rx, state.stop, guard, true),
        |(mut rx, mut stop, guard, first)| async move {
            if *stop.borrow() {
                return None;
            }
            tokio::select! {
                changed = rx.changed() => changed.ok()?,
                () = stopped(&mut stop) => return None,
            }
            let data = rx.borrow_and_update().clone();
            let mut event = Event::default().data(&*data);
            if first {
                event = event.retry(RECONNECT_AFTER);
            }
            Some((Ok::<_, Infallible>(event), (rx, stop, guard, false)))
        },
    );
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `/events`: a WebSocket that sends every event and fired trigger as one JSON text message.
/// Read-only: what a client sends is ignored (nothing here can start an action).
async fn events_ws(State(state): State<AppState>, mut request: Request) -> Response {
    let headers = request.headers();
    let wants_websocket = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let version_13 = headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_some_and(|v| v == "13");
    let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY).cloned() else {
        return (
            StatusCode::UPGRADE_REQUIRED,
            "connect to /events with a WebSocket client",
        )
            .into_response();
    };
    if !wants_websocket || !version_13 {
        return (
            StatusCode::UPGRADE_REQUIRED,
            "connect to /events with a WebSocket client (version 13)",
        )
            .into_response();
    }
    // Subscribe before answering, so nothing sent after the handshake is missed.
    let events = state.channels.events.subscribe();
    let guard = Connected::new(state.channels.clone(), Page::ALL.len());
    let upgrade = hyper::upgrade::on(&mut request);
    let stop = state.stop.clone();
    tokio::spawn(async move {
        match upgrade.await {
            Ok(upgraded) => {
                let ws =
                    WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None)
                        .await;
                serve_events(ws, events, stop).await;
            }
            Err(err) => tracing::debug!("/events upgrade failed: {err}"),
        }
        drop(guard);
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

async fn serve_events<S>(
    mut ws: WebSocketStream<S>,
    mut events: broadcast::Receiver<Arc<str>>,
    mut stop: watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        tokio::select! {
            event = events.recv() => {
                let text = match event {
                    Ok(line) => line.to_string(),
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        serde_json::json!({"type": "lagged", "missed": missed}).to_string()
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                if ws.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
            incoming = ws.next() => match incoming {
                // Pings are answered by tungstenite; anything else is ignored (read-only).
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            () = stopped(&mut stop) => break,
        }
    }
    let _ = ws.close(None).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_pass() {
        for ok in [
            "127.0.0.1:23870",
            "localhost:1",
            "LOCALHOST",
            "[::1]:80",
            "127.0.0.1",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example:23870",
            "127.0.0.1.evil.example",
            "",
            "10.0.0.1:23870",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }
}
