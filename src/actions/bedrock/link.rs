//! The handle the rest of giftdeck holds on the game: [`BedrockLink`] sends commands to whichever
//! game is connected (one at a time: a new `/connect` takes over; a window of
//! [`super::MAX_IN_FLIGHT`] unanswered commands), tells the connection's state as latest-value
//! state and the game's events on a bounded broadcast.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, mpsc, watch};

use super::{BedrockError, GameEvent, MAX_IN_FLIGHT, Reply};

/// Events a slow reader may fall behind before it misses some.
const EVENT_BACKLOG: usize = 256;

/// What a command's sender is told when its reply (or failure) arrives. Runs on the connection's
/// task: it must not block.
pub type Done = Box<dyn FnOnce(Result<Reply, BedrockError>) + Send>;

/// The game's connection, as the window and `--execute` show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GameState {
    /// Listening; no game has connected yet.
    Waiting { port: u16 },
    /// A game is connected: the local player's name once the game said it, and whether the
    /// connection is encrypted.
    Connected {
        port: u16,
        player: Option<String>,
        encrypted: bool,
    },
    /// The game went away (it left the world or closed); a new `/connect` comes back.
    Disconnected { port: u16, reason: String },
    /// giftdeck stopped listening.
    Stopped { port: u16 },
}

impl GameState {
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Connected { .. })
    }
}

/// One command on its way to the game.
pub(super) struct Request {
    pub(super) command: String,
    pub(super) done: Done,
    /// Its place in the window, freed when the reply arrives.
    pub(super) permit: OwnedSemaphorePermit,
}

/// The connected game's side of the link.
struct Current {
    id: u64,
    requests: mpsc::Sender<Request>,
    window: Arc<Semaphore>,
}

pub(super) struct LinkInner {
    port: u16,
    pub(super) state: watch::Sender<GameState>,
    pub(super) events: broadcast::Sender<GameEvent>,
    current: Mutex<Option<Current>>,
    next_id: AtomicU64,
}

impl LinkInner {
    pub(super) fn new(port: u16) -> Self {
        Self {
            port,
            state: watch::Sender::new(GameState::Waiting { port }),
            events: broadcast::channel(EVENT_BACKLOG).0,
            current: Mutex::new(None),
            next_id: AtomicU64::new(1),
        }
    }

    /// The server stopped: no game any more.
    pub(super) fn stopped(&self) {
        *self.lock() = None;
        self.state
            .send_replace(GameState::Stopped { port: self.port });
    }

    fn lock(&self) -> MutexGuard<'_, Option<Current>> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new game took over: the old one's request channel closes, so its session ends.
    pub(super) fn attach(&self) -> (u64, mpsc::Receiver<Request>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(MAX_IN_FLIGHT);
        *self.lock() = Some(Current {
            id,
            requests: tx,
            window: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        });
        (id, rx)
    }

    /// Session `id` ended: if it is still the current one, the link has no game.
    pub(super) fn detach(&self, id: u64, reason: String) {
        let mut current = self.lock();
        if current.as_ref().is_some_and(|c| c.id == id) {
            *current = None;
            drop(current);
            self.state.send_replace(GameState::Disconnected {
                port: self.port,
                reason,
            });
        }
    }

    /// Publishes `state` if session `id` is still the current one.
    pub(super) fn publish(&self, id: u64, state: GameState) {
        let current = self.lock();
        if current.as_ref().is_some_and(|c| c.id == id) {
            self.state.send_replace(state);
        }
    }

    pub(super) fn port(&self) -> u16 {
        self.port
    }
}

/// The handle to the game: cheap to clone; equal when it is the same listener.
#[derive(Clone)]
pub struct BedrockLink {
    pub(super) inner: Arc<LinkInner>,
}

impl PartialEq for BedrockLink {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for BedrockLink {}

impl std::fmt::Debug for BedrockLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BedrockLink")
            .field("port", &self.inner.port)
            .field("state", &*self.inner.state.borrow())
            .finish()
    }
}

impl BedrockLink {
    /// The port giftdeck listens on.
    pub fn port(&self) -> u16 {
        self.inner.port
    }

    pub fn state(&self) -> GameState {
        self.inner.state.borrow().clone()
    }

    /// The connection's state as latest-value state.
    pub fn state_watch(&self) -> watch::Receiver<GameState> {
        self.inner.state.subscribe()
    }

    /// The game's events from now on (a slow reader misses the oldest, never blocks the game).
    pub fn events(&self) -> broadcast::Receiver<GameEvent> {
        self.inner.events.subscribe()
    }

    /// A game is connected and the window has room.
    pub fn is_ready(&self) -> bool {
        self.inner
            .lock()
            .as_ref()
            .is_some_and(|c| c.window.available_permits() > 0)
    }

    /// How many commands wait for the game's answer.
    pub fn in_flight(&self) -> usize {
        self.inner.lock().as_ref().map_or(0, |c| {
            MAX_IN_FLIGHT.saturating_sub(c.window.available_permits())
        })
    }

    /// Waits until a game is connected and the window has room (or the state changes).
    pub async fn ready(&self) {
        let mut state = self.inner.state.subscribe();
        let window = self.inner.lock().as_ref().map(|c| c.window.clone());
        match window {
            Some(window) => {
                tokio::select! {
                    permit = window.acquire() => drop(permit),
                    _ = state.changed() => {}
                }
            }
            None => {
                let _ = state.changed().await;
            }
        }
    }

    /// Sends `command` (no leading `/` needed) to the connected game; `done` gets its reply. When
    /// no game is connected or the window is full, nothing is sent and `done` comes back.
    pub fn try_send(&self, command: &str, done: Done) -> Result<(), Done> {
        let current = self.inner.lock();
        let Some(current) = current.as_ref() else {
            return Err(done);
        };
        let Ok(permit) = current.window.clone().try_acquire_owned() else {
            return Err(done);
        };
        // The channel holds as many requests as the window has permits: it never is full here.
        current
            .requests
            .try_send(Request {
                command: command.to_owned(),
                done,
                permit,
            })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(r) | mpsc::error::TrySendError::Closed(r) => r.done,
            })
    }

    /// Sends `command` and waits for its reply (for world awareness' own questions and tests).
    pub async fn request(&self, command: &str, timeout: Duration) -> Result<Reply, BedrockError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let done: Done = Box::new(move |reply| {
            let _ = tx.send(reply);
        });
        if self.try_send(command, done).is_err() {
            return Err(BedrockError::NotConnected { port: self.port() });
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(BedrockError::Stopped),
            Err(_) => Err(BedrockError::NoAnswer { after: timeout }),
        }
    }
}
