//! The optional TikFinity-compatible events server: a WebSocket on 127.0.0.1 (port 21213 by
//! default, TikFinity's) that sends `config` to each client that connects, then every event in
//! TikFinity's shape ([`super::shapes`]). Read-only: what a client sends is ignored. A request
//! whose `Host` is not loopback is refused (no DNS rebinding).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, broadcast, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

use super::shapes;
use crate::engine::Output;

/// TikFinity's port: tools written for it connect here.
pub const DEFAULT_PORT: u16 = 21_213;
/// Most clients at once (each is one small task and a broadcast receiver).
const MAX_CLIENTS: usize = 64;
/// Messages a slow client may fall behind before it misses some.
const BACKLOG: usize = 1_024;

#[derive(Debug, thiserror::Error)]
pub enum TikfinityError {
    #[error(
        "port {port} on 127.0.0.1 is already in use (TikFinity itself, or another giftdeck). Close \
         it, pick another port with --tikfinity-port PORT, or turn this off with --tikfinity-port 0"
    )]
    PortInUse { port: u16 },
    #[error("cannot open port {port} on 127.0.0.1 for the TikFinity events API: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
}

/// What feeds the server: turns giftdeck's outputs into TikFinity messages and hands them to
/// every client. Cheap to clone; [`TikfinityFeed::deliver`] never blocks.
#[derive(Clone, Debug)]
pub struct TikfinityFeed {
    messages: broadcast::Sender<Arc<str>>,
    sent: Arc<AtomicU64>,
}

impl TikfinityFeed {
    fn new() -> Self {
        Self {
            messages: broadcast::channel(BACKLOG).0,
            sent: Arc::new(AtomicU64::new(0)),
        }
    }

    /// One engine output, stamped `at_millis` (Unix ms). A credit goes out as TikFinity's final
    /// `gift` (streak total, `repeatEnd: true`) and as giftdeck's own `giftdeckCredit`.
    pub fn deliver(&self, output: &Output, at_millis: i64) {
        match output {
            Output::Credit(decision) => {
                self.send(&shapes::gift_from_credit(decision));
                self.send(&shapes::credit(decision, at_millis));
            }
            Output::Event(event) => {
                if let Some(value) = shapes::event(event) {
                    self.send(&value);
                }
            }
            // The room's like count travels on the like events themselves (`totalLikeCount`).
            Output::Fired(_) | Output::Likes(_) => {}
        }
    }

    fn send(&self, value: &serde_json::Value) {
        // No client connected is not an error: nobody listens.
        let _ = self.messages.send(Arc::from(value.to_string()));
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Messages made since start.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Clients connected now.
    pub fn clients(&self) -> usize {
        self.messages.receiver_count()
    }
}

/// The running server; dropping it (or [`TikfinityServer::stop`]) closes every client.
pub struct TikfinityServer {
    port: u16,
    feed: TikfinityFeed,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for TikfinityServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TikfinityServer")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl TikfinityServer {
    /// Binds 127.0.0.1:`port` (0 picks a free one: tests).
    pub async fn start(port: u16) -> Result<Self, TikfinityError> {
        Self::bind(port)
    }

    /// [`TikfinityServer::start`] without awaiting (binding a loopback port does not wait):
    /// for the app's UI thread, inside the runtime's context.
    pub fn bind(port: u16) -> Result<Self, TikfinityError> {
        let bind_error = |source: std::io::Error| match source.kind() {
            std::io::ErrorKind::AddrInUse => TikfinityError::PortInUse { port },
            _ => TikfinityError::Bind { port, source },
        };
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let listener = TcpListener::from_std(listener).map_err(bind_error)?;
        let port = listener
            .local_addr()
            .map_err(|source| TikfinityError::Bind { port, source })?
            .port();
        let feed = TikfinityFeed::new();
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, feed.clone(), stop_rx));
        Ok(Self {
            port,
            feed,
            stop,
            task: Some(task),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn feed(&self) -> TikfinityFeed {
        self.feed.clone()
    }

    /// Waits until a client has connected, at most `deadline`; false when none came.
    pub async fn wait_for_client(&self, deadline: Duration) -> bool {
        let until = tokio::time::Instant::now() + deadline;
        while self.feed.clients() == 0 {
            if tokio::time::Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// Lets every client take what was sent (at most `deadline`), then stops: the end of a
    /// replay, so its last events are not cut off.
    pub async fn finish(self, deadline: Duration) {
        let until = tokio::time::Instant::now() + deadline;
        while !self.feed.messages.is_empty() && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.stop().await;
    }

    /// Closes every client and waits (at most 2 s) for the server to end.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }
}

impl Drop for TikfinityServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

async fn accept_loop(listener: TcpListener, feed: TikfinityFeed, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut stop) => return,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        // Over the limit the connection is closed at once.
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            continue;
        };
        let messages = feed.messages.subscribe();
        let stop = stop.clone();
        tokio::spawn(async move {
            serve(stream, messages, stop).await;
            drop(slot);
        });
    }
}

/// Resolves once the server is told to stop.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

fn refuse(status: StatusCode, text: &str) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(text.to_owned()));
    *response.status_mut() = status;
    response
}

/// The handshake's `Host` check (tungstenite's callback: its error type is what it is).
#[expect(
    clippy::result_large_err,
    reason = "the signature tungstenite's handshake callback requires"
)]
fn check_host(request: &Request, response: Response) -> Result<Response, ErrorResponse> {
    let host = request
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if crate::overlay::server::is_loopback_host(host) {
        Ok(response)
    } else {
        Err(refuse(
            StatusCode::FORBIDDEN,
            "giftdeck's TikFinity events API answers only to 127.0.0.1 and localhost",
        ))
    }
}

async fn serve(
    stream: TcpStream,
    mut messages: broadcast::Receiver<Arc<str>>,
    mut stop: watch::Receiver<bool>,
) {
    let handshake = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::accept_hdr_async(stream, check_host),
    );
    let Ok(Ok(mut ws)) = handshake.await else {
        return;
    };
    if ws
        .send(Message::text(shapes::config().to_string()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            message = messages.recv() => match message {
                Ok(text) => {
                    if ws.send(Message::text(text.to_string())).await.is_err() {
                        return;
                    }
                }
                // A client too slow to keep up misses the oldest messages, as with TikFinity.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
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
