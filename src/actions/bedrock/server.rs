//! The listener the game connects to: [`BedrockServer`] binds 127.0.0.1:PORT, accepts the game's
//! WebSocket (a few handshakes at once) and hands each connection to its session; it keeps the
//! [`BedrockLink`] the rest of giftdeck holds.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use super::BedrockError;
use super::link::{BedrockLink, LinkInner};

/// Handshakes at once (the game makes one; anything more is noise).
const MAX_HANDSHAKES: usize = 8;

/// The listener on 127.0.0.1: accepts the game and keeps the link. Dropping it stops listening
/// and closes the game's connection.
pub struct BedrockServer {
    link: BedrockLink,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for BedrockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BedrockServer")
            .field("link", &self.link)
            .finish_non_exhaustive()
    }
}

impl Drop for BedrockServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        self.task.abort();
        self.link.inner.stopped();
    }
}

impl BedrockServer {
    /// Listens on 127.0.0.1:`port` (0 picks a free one, for tests). A busy port is
    /// [`BedrockError::PortInUse`].
    pub async fn start(port: u16) -> Result<Self, BedrockError> {
        Self::bind(port)
    }

    /// [`Self::start`] for callers that cannot await (the window): binding is immediate. Call
    /// inside a tokio runtime (`Handle::enter`).
    pub fn bind(port: u16) -> Result<Self, BedrockError> {
        let bind_error = |source: std::io::Error| match source.kind() {
            std::io::ErrorKind::AddrInUse => BedrockError::PortInUse { port },
            _ => BedrockError::Bind { port, source },
        };
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let listener = TcpListener::from_std(listener).map_err(bind_error)?;
        let port = listener
            .local_addr()
            .map_err(|source| BedrockError::Bind { port, source })?
            .port();
        let inner = Arc::new(LinkInner::new(port));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, inner.clone(), stopped));
        tracing::info!(
            port,
            "listening for the Bedrock game (/connect 127.0.0.1:{port})"
        );
        Ok(Self {
            link: BedrockLink { inner },
            stop,
            task,
        })
    }

    pub fn link(&self) -> BedrockLink {
        self.link.clone()
    }

    pub fn port(&self) -> u16 {
        self.link.port()
    }
}

async fn accept_loop(listener: TcpListener, inner: Arc<LinkInner>, stop: watch::Receiver<bool>) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let mut stopped = stop.clone();
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = super::session::stopped(&mut stopped) => return,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and the like: try again shortly, never spin.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let Ok(permit) = handshakes.clone().try_acquire_owned() else {
            continue;
        };
        tokio::spawn(super::session::serve(
            stream,
            inner.clone(),
            stop.clone(),
            permit,
        ));
    }
}
