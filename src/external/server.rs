//! The external trigger HTTP server on 127.0.0.1: `POST /trigger` with
//! `Authorization: Bearer TOKEN` and a JSON body fires the named trigger. Answers are JSON with a
//! plain `error` text. Accepted calls go into a bounded channel the queue reads.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::policy::{self, ExternalCall, RateLimit, Refusal};
use super::token::Token;
use crate::mappings::{MappingTable, normalize_name};

/// The endpoint's port unless set otherwise (next to the overlay server's 23870).
pub const DEFAULT_PORT: u16 = 23_871;
/// Calls waiting for the queue; more are answered 503.
const WAITING_CALLS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum ExternalError {
    #[error(
        "port {port} on 127.0.0.1 is already in use; pick another port for external triggers in \
         Settings, or turn them off"
    )]
    PortInUse { port: u16 },
    #[error("cannot open port {port} on 127.0.0.1 for external triggers: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Clone)]
struct AppState {
    /// Shared with the server's handle: a new token applies to the next call.
    token: Arc<Mutex<Token>>,
    limit: Arc<Mutex<RateLimit>>,
    mappings: watch::Receiver<MappingTable>,
    calls: mpsc::Sender<ExternalCall>,
    started: std::time::Instant,
}

/// The running endpoint; dropping it (or [`ExternalServer::stop`]) closes it.
pub struct ExternalServer {
    port: u16,
    token: Arc<Mutex<Token>>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ExternalServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalServer")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// The enabled row a call names: any kind, by its trigger text (names compared as gift names are).
pub fn find_trigger(table: &MappingTable, name: &str) -> Option<String> {
    let wanted = normalize_name(name);
    table
        .mappings()
        .iter()
        .filter(|m| m.enabled)
        .find(|m| normalize_name(&m.trigger) == wanted && !wanted.is_empty())
        .map(|m| m.trigger.clone())
}

impl ExternalServer {
    /// Binds 127.0.0.1:`port` (0 picks a free one). Accepted calls arrive on the returned receiver.
    pub async fn start(
        port: u16,
        token: Token,
        mappings: watch::Receiver<MappingTable>,
    ) -> Result<(Self, mpsc::Receiver<ExternalCall>), ExternalError> {
        Self::bind(port, token, mappings)
    }

    /// [`ExternalServer::start`] without awaiting (binding a loopback port does not wait): for
    /// the app's UI thread, inside the runtime's context.
    pub fn bind(
        port: u16,
        token: Token,
        mappings: watch::Receiver<MappingTable>,
    ) -> Result<(Self, mpsc::Receiver<ExternalCall>), ExternalError> {
        let bind_error = |source: std::io::Error| match source.kind() {
            std::io::ErrorKind::AddrInUse => ExternalError::PortInUse { port },
            _ => ExternalError::Bind { port, source },
        };
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let listener = TcpListener::from_std(listener).map_err(bind_error)?;
        let port = listener
            .local_addr()
            .map_err(|source| ExternalError::Bind { port, source })?
            .port();
        let (calls, received) = mpsc::channel(WAITING_CALLS);
        let token = Arc::new(Mutex::new(token));
        let state = AppState {
            token: token.clone(),
            // 10 calls at once, then 5 a second.
            limit: Arc::new(Mutex::new(RateLimit::new(10, 200))),
            mappings,
            calls,
            started: std::time::Instant::now(),
        };
        let router = Router::new()
            .route("/trigger", post(trigger))
            .layer(DefaultBodyLimit::max(4 * 1024))
            .with_state(state);
        let (stop, mut stop_rx) = watch::channel(false);
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stop_rx.wait_for(|&s| s).await;
                })
                .await;
            if let Err(err) = served {
                tracing::warn!("external trigger server stopped: {err}");
            }
        });
        Ok((
            Self {
                port,
                token,
                stop,
                task: Some(task),
            },
            received,
        ))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Replaces the token: calls with the old one are refused from the next one on.
    pub fn set_token(&self, token: Token) {
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = token;
    }

    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }
}

impl Drop for ExternalServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: StatusCode, text: &str) -> Response {
    answer(status, serde_json::json!({ "error": text }))
}

async fn trigger(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let get = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    match policy::refusal(
        get(header::HOST),
        get(header::ORIGIN),
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        get(header::CONTENT_TYPE),
    ) {
        Some(Refusal::Host) => {
            return error(
                StatusCode::FORBIDDEN,
                "giftdeck answers only to 127.0.0.1 and localhost",
            );
        }
        Some(Refusal::FromWebPage) => {
            return error(
                StatusCode::FORBIDDEN,
                "web pages cannot fire giftdeck triggers",
            );
        }
        Some(Refusal::NotJson) => {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the call as JSON (Content-Type: application/json)",
            );
        }
        None => {}
    }
    let token = (state.token.lock().unwrap_or_else(PoisonError::into_inner)).clone();
    if !policy::bearer(get(header::AUTHORIZATION))
        .is_some_and(|t| policy::token_matches(token.reveal(), t))
    {
        return error(
            StatusCode::UNAUTHORIZED,
            "missing or wrong token: send Authorization: Bearer TOKEN (the token is in giftdeck's Settings)",
        );
    }
    let now = u64::try_from(state.started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let admitted = state
        .limit
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .admit(now);
    if let Err(retry_in) = admitted {
        let mut response = error(StatusCode::TOO_MANY_REQUESTS, "too many calls: slow down");
        if let Ok(value) = header::HeaderValue::from_str(&retry_in.div_ceil(1_000).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let (name, viewer, count) = match policy::read_body(&body) {
        Ok(read) => read,
        Err(err) => return error(StatusCode::BAD_REQUEST, &err.to_string()),
    };
    let Some(trigger) = find_trigger(&state.mappings.borrow(), &name) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("no enabled trigger is called {name:?}"),
        );
    };
    let call = ExternalCall {
        trigger: trigger.clone(),
        viewer,
        count,
        at_millis: chrono::Utc::now().timestamp_millis(),
    };
    match state.calls.try_send(call) {
        Ok(()) => answer(
            StatusCode::ACCEPTED,
            serde_json::json!({ "queued": true, "trigger": trigger, "count": count }),
        ),
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "giftdeck is busy: try again shortly",
        ),
    }
}
