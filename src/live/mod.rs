//! The live TikTok connection on tokio: username → room → sign → WebSocket, with reconnects, a
//! watchdog and an explicit status. One session owns one [`engine::Pipeline`], so de-duplication and
//! streak state survive reconnects and every gift is credited once.
//!
//! The UI and `giftdeck watch` use [`spawn_session`] and read [`LiveMsg`]s from a bounded channel.

mod dial;
pub mod euler_ws;
pub mod failure;
pub mod gifts;
pub mod http;
pub mod provider;
pub mod resolve;
mod session;
pub mod sign;
pub mod socket;
pub mod switching;
pub mod target;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch as watch_channel};

use crate::backoff::Backoff;
use crate::capture::{CaptureError, CaptureWriter};
use crate::engine::{self, EngineConfig};
use crate::mappings::MappingTable;
use crate::room_store::{RoomStore, RoomStoreError};

pub use euler_ws::{EulerClose, EulerError};
pub use failure::FailureKind;
pub use provider::{DEFAULT_EULER_WS_URL, Provider, ProviderKind};
pub use resolve::ResolveError;
pub use sign::SignError;
pub use socket::{ConnectError, SocketError};
pub use switching::{ChainPolicy, Outage, Route};
pub use target::{Target, TargetError};

pub use crate::keystore::TikTokSession;

/// TikTok's website (live page and `api-live`).
pub const DEFAULT_TIKTOK_URL: &str = "https://www.tiktok.com";
/// TikTok's webcast API (`room/check_alive`).
pub const DEFAULT_WEBCAST_URL: &str = "https://webcast.tiktok.com/webcast";
/// The public Euler Stream sign server the maintained reference clients use.
pub const DEFAULT_SIGN_URL: &str = "https://api.eulerstream.com";
/// A current desktop browser; kept for the whole session (sign request and WebSocket must agree).
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

/// Everything a session needs. `Default` connects to the real TikTok; tests override the URLs and
/// shorten the timings.
#[derive(Clone)]
pub struct LiveConfig {
    /// What the streamer typed: `@name`, `name`, a live URL, or a room id.
    pub target: String,
    /// Skip the lookup and use this room id.
    pub room_id: Option<String>,
    /// The `sign` provider's server (Euler Stream's by default).
    pub sign_url: String,
    /// Sent as `X-Api-Key`; never logged or shown.
    pub sign_api_key: Option<String>,
    /// The providers to try, in order (`--provider`). Empty: the default chain, `sign`, then
    /// `euler-ws` when it has a key, then `custom` when it has a URL.
    pub providers: Vec<ProviderKind>,
    /// Euler's managed WebSocket (`--euler-ws-url`).
    pub euler_ws_url: String,
    /// Its `apiKey`. Unset: the sign API key, but only when the sign server is Euler's own (a key
    /// never goes to anyone but the provider it belongs to).
    pub euler_ws_api_key: Option<String>,
    /// A self-hosted sign server with Euler's API (the `custom` provider).
    pub custom_sign_url: Option<String>,
    pub custom_sign_api_key: Option<String>,
    /// When to switch providers and how often to probe a preferred one that failed.
    pub chain_policy: ChainPolicy,
    /// Replaces `https://www.tiktok.com`.
    pub tiktok_url: String,
    /// Replaces `https://webcast.tiktok.com/webcast`.
    pub webcast_url: String,
    pub engine: EngineConfig,
    /// The browser User-Agent sent to TikTok, to the sign server (as `user_agent`) and on the WebSocket.
    pub user_agent: String,
    /// Replaces the push server the sign server names (normally unset).
    pub push_server_override: Option<String>,
    /// The `client` parameter of the sign request.
    pub sign_client: String,
    /// Heartbeat period when the server does not name one in `Handshake-Options`.
    pub heartbeat_default: Duration,
    /// A connection that receives nothing for this long is considered dead and replaced.
    pub watchdog: Duration,
    /// Retry policy for reconnects.
    pub backoff: Backoff,
    /// A connection that stayed up this long resets the backoff to its first step.
    pub stable_after: Duration,
    /// Minimum wait after TikTok blocked a handshake (never retry those tightly).
    pub blocked_retry: Duration,
    /// Timeout of each HTTP request and of the WebSocket handshake.
    pub request_timeout: Duration,
    /// Write every received WebSocket message (and the sign server's initial batch) here.
    pub record: Option<Recorder>,
    /// Where the room's gift list is cached, per region (`None`: not cached; the app and `watch`
    /// use [`gifts::default_cache_dir`]).
    pub gift_cache_dir: Option<PathBuf>,
    /// Where the streamer's TikTok session comes from when a room turns out to need a login
    /// (18+). It is asked for only then, and sent only to TikTok and to a sign provider.
    pub tiktok_session: SessionSource,
    /// Keep the room's engine memory here, so a later session (Disconnect/Connect, an app
    /// restart, a crash) in the same stream credits nothing twice. `None`: the memory lives as
    /// long as this session (tests, the demo).
    pub memory: Option<RoomStore>,
    /// The viewers' points as the ledger last committed them, for the level and points
    /// audiences (empty without a ledger: nobody has points).
    pub standings: crate::standings::Standings,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            target: String::new(),
            room_id: None,
            sign_url: DEFAULT_SIGN_URL.to_owned(),
            sign_api_key: None,
            providers: Vec::new(),
            euler_ws_url: DEFAULT_EULER_WS_URL.to_owned(),
            euler_ws_api_key: None,
            custom_sign_url: None,
            custom_sign_api_key: None,
            chain_policy: ChainPolicy::default(),
            tiktok_url: DEFAULT_TIKTOK_URL.to_owned(),
            webcast_url: DEFAULT_WEBCAST_URL.to_owned(),
            engine: EngineConfig::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            push_server_override: None,
            sign_client: "ttlive-other".to_owned(),
            heartbeat_default: Duration::from_secs(10),
            watchdog: Duration::from_secs(60),
            backoff: Backoff::LIVE,
            stable_after: Duration::from_secs(30),
            blocked_retry: Duration::from_secs(60),
            request_timeout: Duration::from_secs(10),
            record: None,
            memory: None,
            standings: crate::standings::Standings::default(),
            tiktok_session: SessionSource::None,
            gift_cache_dir: None,
        }
    }
}

/// Where a session for 18+ rooms comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SessionSource {
    /// No login: an 18+ room fails with [`FailureKind::AgeRestricted`].
    #[default]
    None,
    /// This session (tests, or one pasted for this run only).
    Given(crate::keystore::TikTokSession),
    /// The OS keyring ([`crate::keystore`]), read when a room needs it.
    Keyring,
}

impl LiveConfig {
    /// A config for `target` with every other field at its default.
    pub fn new(target: impl Into<String>) -> Self {
        Self {
            target: target.into(),
            ..Self::default()
        }
    }

    /// The providers this session tries, in order, each with its own URL and key. An explicit
    /// list is kept as given (a `custom` without a URL is left out: it has nowhere to go); the
    /// default chain leaves out what cannot work (`euler-ws` without a key).
    pub fn chain(&self) -> Vec<Provider> {
        let explicit = !self.providers.is_empty();
        let kinds: &[ProviderKind] = if explicit {
            &self.providers
        } else {
            &ProviderKind::ALL
        };
        let mut chain: Vec<Provider> = Vec::new();
        for &kind in kinds {
            if chain.iter().any(|p| p.kind == kind) {
                continue;
            }
            let provider = match kind {
                ProviderKind::Sign => Provider {
                    kind,
                    url: self.sign_url.clone(),
                    api_key: provider::key(self.sign_api_key.as_ref()),
                },
                ProviderKind::EulerWs => {
                    let key = provider::key(self.euler_ws_api_key.as_ref()).or_else(|| {
                        provider::is_euler_sign_url(&self.sign_url)
                            .then(|| provider::key(self.sign_api_key.as_ref()))
                            .flatten()
                    });
                    if key.is_none() && !explicit {
                        continue;
                    }
                    Provider {
                        kind,
                        url: self.euler_ws_url.clone(),
                        api_key: key,
                    }
                }
                ProviderKind::Custom => {
                    let Some(url) = self
                        .custom_sign_url
                        .clone()
                        .filter(|u| !u.trim().is_empty())
                    else {
                        continue;
                    };
                    Provider {
                        kind,
                        url,
                        api_key: provider::key(self.custom_sign_api_key.as_ref()),
                    }
                }
            };
            chain.push(provider);
        }
        if chain.is_empty() {
            chain.push(Provider {
                kind: ProviderKind::Sign,
                url: self.sign_url.clone(),
                api_key: provider::key(self.sign_api_key.as_ref()),
            });
        }
        chain
    }
}

impl fmt::Debug for LiveConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveConfig")
            .field("target", &self.target)
            .field("room_id", &self.room_id)
            .field("sign_url", &self.sign_url)
            .field(
                "sign_api_key",
                &self.sign_api_key.as_ref().map(|_| "<redacted>"),
            )
            .field("providers", &self.providers)
            .field("euler_ws_url", &self.euler_ws_url)
            .field(
                "euler_ws_api_key",
                &self.euler_ws_api_key.as_ref().map(|_| "<redacted>"),
            )
            .field("custom_sign_url", &self.custom_sign_url)
            .field(
                "custom_sign_api_key",
                &self.custom_sign_api_key.as_ref().map(|_| "<redacted>"),
            )
            .field("tiktok_url", &self.tiktok_url)
            .field("webcast_url", &self.webcast_url)
            .field("user_agent", &self.user_agent)
            .field("push_server_override", &self.push_server_override)
            .field("watchdog", &self.watchdog)
            .field("backoff", &self.backoff)
            .field("record", &self.record)
            .field("memory", &self.memory)
            .field("tiktok_session", &self.tiktok_session)
            .finish_non_exhaustive()
    }
}

/// Where the connection stands. `Display` gives the words the UI and `watch` show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnStatus {
    Idle,
    Resolving,
    Signing,
    Connecting,
    Live {
        room_id: String,
    },
    /// The last attempt failed with a passing error; the next starts after `retry_in`. `kind` says
    /// why in a word the UI can match on; `last_error` is the error chain (no secrets).
    Reconnecting {
        retry_in: Duration,
        kind: FailureKind,
        last_error: String,
    },
    /// The stream ended, or the session was stopped. Final.
    Ended,
    /// The session gave up. Final. `detail` is the error chain (secrets are never in it).
    Failed {
        kind: FailureKind,
        detail: String,
    },
}

impl ConnStatus {
    /// The final status for an error that ended the session: its kind and its whole chain.
    pub fn failed(err: &LiveError) -> Self {
        Self::Failed {
            kind: err.kind(),
            detail: error_chain(err),
        }
    }

    /// Ended or failed: nothing more will happen in this session.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Ended | Self::Failed { .. })
    }
}

impl fmt::Display for ConnStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Idle => f.write_str("not connected"),
            Self::Resolving => f.write_str("looking up the live room"),
            Self::Signing => f.write_str("asking the sign server"),
            Self::Connecting => f.write_str("connecting"),
            Self::Live { room_id } => write!(f, "live (room {room_id})"),
            Self::Reconnecting {
                retry_in,
                last_error,
                ..
            } => write!(
                f,
                "reconnecting in {:.1} s ({last_error})",
                retry_in.as_secs_f32()
            ),
            Self::Ended => f.write_str("stream ended"),
            // The kind is not repeated here: `watch` and the UI show their own line for it.
            Self::Failed { detail, .. } => write!(f, "failed: {detail}"),
        }
    }
}

/// What a session sends to its consumer, in order.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "Output is nearly every message; boxing it would allocate per event for the rare small ones"
)]
pub enum LiveMsg {
    Status(ConnStatus),
    /// An engine output, stamped with the engine's clock when it was decided.
    Output(engine::Stamped),
    Stats(engine::Stats),
    /// Something the streamer should know that does not stop the session.
    Warning(SessionWarning),
    /// The provider carrying the stream changed, or one ahead of it in the chain started or
    /// stopped failing (the words are `ui::failure::route_words`).
    Route(Route),
}

/// Something the streamer should know that does not stop the session: the room's saved memory
/// could not be used or kept. Typed up to the edge (the app's notice, `watch`'s stderr line);
/// the session passes it on and does not log it itself. No secrets.
#[derive(Clone, Debug, thiserror::Error)]
pub enum SessionWarning {
    /// The room's memory could not be opened or loaded (a damaged file set aside, another
    /// giftdeck holding the room): the session runs with what it has.
    #[error("{0}")]
    Memory(Arc<RoomStoreError>),
    /// Writing the memory failed during the session: from now on it is not saved.
    #[error("{0}; this session's memory is no longer saved")]
    MemoryNotSaved(Arc<RoomStoreError>),
    /// The TikTok session could not be read from the OS keyring: the room is tried without it.
    #[error("{0}; the room is tried without your TikTok session")]
    Keyring(crate::keystore::KeyringError),
}

impl PartialEq for SessionWarning {
    /// Two warnings are the same when they say the same (the file errors inside are not
    /// comparable).
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

/// Everything that can stop or interrupt a session, each carrying its cause.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Sign(#[from] SignError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Socket(#[from] SocketError),
    #[error(transparent)]
    Euler(#[from] EulerError),
    #[error("cannot set up HTTP: {}", error_chain(.0))]
    Http(#[source] reqwest::Error),
    #[error(transparent)]
    Record(#[from] CaptureError),
}

/// What to do after an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Give up: retrying cannot help (bad input, no such user, refused key, …).
    Fail,
    /// Retry with the normal backoff.
    Retry,
    /// Retry, but not before `blocked_retry` (TikTok blocked us; hammering makes it worse).
    RetrySlowly,
}

/// The retry policy, as a pure function of the error and whether this session was ever live.
pub fn disposition(err: &LiveError, was_live: bool) -> Disposition {
    match err {
        LiveError::Target(_) | LiveError::Record(_) | LiveError::Http(_) => Disposition::Fail,
        LiveError::Resolve(e) if e.is_transient() => Disposition::Retry,
        LiveError::Resolve(_) => Disposition::Fail,
        LiveError::Sign(e) if e.is_transient() => Disposition::Retry,
        LiveError::Sign(_) => Disposition::Fail,
        // Blocked on the very first try: tell the streamer now instead of looping; blocked after
        // being live is more likely a passing hiccup, so keep trying, slowly.
        LiveError::Connect(ConnectError::Blocked { .. }) if was_live => Disposition::RetrySlowly,
        LiveError::Connect(ConnectError::Blocked { .. }) => Disposition::Fail,
        LiveError::Connect(_) | LiveError::Socket(_) => Disposition::Retry,
        LiveError::Euler(EulerError::NeedsUsername | EulerError::NoKey) => Disposition::Fail,
        LiveError::Euler(EulerError::Closed { close, .. }) => match close {
            EulerClose::InvalidAuth
            | EulerClose::NoPermission
            | EulerClose::NotLive
            | EulerClose::InvalidOptions => Disposition::Fail,
            _ => Disposition::Retry,
        },
        LiveError::Euler(EulerError::Connect(ConnectError::Rejected {
            status: 401 | 403, ..
        })) => Disposition::Fail,
        LiveError::Euler(_) => Disposition::Retry,
    }
}

/// Shared capture writer for `--record` (cheap to clone).
#[derive(Clone)]
pub struct Recorder {
    writer: Arc<Mutex<CaptureWriter>>,
    path: PathBuf,
}

impl Recorder {
    pub fn create(path: &Path) -> Result<Self, CaptureError> {
        Ok(Self {
            writer: Arc::new(Mutex::new(CaptureWriter::create(path)?)),
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut CaptureWriter) -> Result<T, CaptureError>,
    ) -> Result<T, CaptureError> {
        // A poisoned lock only means another writer panicked mid-write; the file is still usable.
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut writer)
    }

    /// Records one message with the Unix milliseconds it was received at.
    pub fn write(&self, message: &[u8], received_millis: u64) -> Result<(), CaptureError> {
        self.with(|w| w.write_record(message, received_millis))
    }

    pub fn flush(&self) -> Result<(), CaptureError> {
        self.with(CaptureWriter::flush)
    }
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Recorder").field(&self.path).finish()
    }
}

/// A running session. Dropping it aborts the session at once; call [`LiveHandle::stop`] first for
/// a clean end.
pub struct LiveHandle {
    task: tokio::task::JoinHandle<()>,
    /// Boxed: the handle sits in the UI's state enum, which stays small.
    channels: Box<HandleChannels>,
}

struct HandleChannels {
    stop: watch_channel::Sender<bool>,
    gifts: watch_channel::Receiver<Option<Arc<gifts::GiftList>>>,
}

impl LiveHandle {
    /// Asks the session to end: open streaks are finalized and their credits sent, then
    /// `Status(Ended)`, then the channel closes.
    pub fn stop(&self) {
        self.channels.stop.send_replace(true);
    }

    /// True once the session task has returned (after its final status).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// The room's gift list, once fetched (or read from the cache) after connecting: the data a
    /// gift catalog uses. `None` until then, or when no provider had one.
    pub fn gift_list(&self) -> watch_channel::Receiver<Option<Arc<gifts::GiftList>>> {
        self.channels.gifts.clone()
    }
}

impl Drop for LiveHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a session on the current tokio runtime (call it inside one). Messages go to `events`
/// (bounded: a slow consumer slows the session, nothing is dropped); `wake` is called after each
/// send so a UI can repaint. Mapping edits sent on `mappings` apply to the next credit.
pub fn spawn_session(
    config: LiveConfig,
    mappings: watch_channel::Receiver<MappingTable>,
    events: mpsc::Sender<LiveMsg>,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> LiveHandle {
    let (stop, stop_rx) = watch_channel::channel(false);
    let (gifts_tx, gifts) = watch_channel::channel(None);
    let task = tokio::spawn(session::run(
        config, mappings, events, wake, stop_rx, gifts_tx,
    ));
    LiveHandle {
        task,
        channels: Box::new(HandleChannels { stop, gifts }),
    }
}

/// An error and its causes, joined with `: ` (reqwest and tungstenite hide the useful part in the
/// source chain).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Makes server-supplied text safe for a status line (one line, no hidden characters, cut to
/// `max_chars`); the rule lives in [`crate::text`].
pub fn sanitize(text: &str, max_chars: usize) -> String {
    crate::text::one_line(text, max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words() {
        let cases = [
            (ConnStatus::Idle, "not connected"),
            (ConnStatus::Resolving, "looking up the live room"),
            (ConnStatus::Signing, "asking the sign server"),
            (ConnStatus::Connecting, "connecting"),
            (
                ConnStatus::Live {
                    room_id: "7".into(),
                },
                "live (room 7)",
            ),
            (
                ConnStatus::Reconnecting {
                    retry_in: Duration::from_millis(2500),
                    kind: FailureKind::TiktokUnreachable,
                    last_error: "the connection dropped".into(),
                },
                "reconnecting in 2.5 s (the connection dropped)",
            ),
            (ConnStatus::Ended, "stream ended"),
            (
                ConnStatus::Failed {
                    kind: FailureKind::UserNotFound,
                    detail: "TikTok has no user @x".into(),
                },
                "failed: TikTok has no user @x",
            ),
        ];
        for (status, words) in cases {
            assert_eq!(status.to_string(), words);
        }
        assert!(ConnStatus::Ended.is_final() && !ConnStatus::Connecting.is_final());
    }

    #[test]
    fn retry_policy() {
        let blocked = || {
            LiveError::Connect(ConnectError::Blocked {
                status: 200,
                handshake_status: "415".into(),
                message: "DEVICE_BLOCKED".into(),
            })
        };
        assert_eq!(disposition(&blocked(), false), Disposition::Fail);
        assert_eq!(disposition(&blocked(), true), Disposition::RetrySlowly);
        let limited = LiveError::Sign(SignError::RateLimited {
            message: "x".into(),
            retry_after: None,
        });
        assert_eq!(disposition(&limited, false), Disposition::Retry);
        let refused = LiveError::Sign(SignError::Refused {
            status: 403,
            message: "x".into(),
        });
        assert_eq!(disposition(&refused, true), Disposition::Fail);
        let offline = LiveError::Resolve(ResolveError::Offline { user: "x".into() });
        assert_eq!(disposition(&offline, false), Disposition::Fail);
        assert_eq!(
            disposition(&LiveError::Socket(SocketError::Eof), true),
            Disposition::Retry
        );
        assert_eq!(
            disposition(&LiveError::Target(TargetError::Empty), false),
            Disposition::Fail
        );
    }

    #[test]
    fn sanitize_cleans_and_cuts() {
        assert_eq!(sanitize("  a\u{202e}b\n\tc  ", 10), "ab c");
        assert_eq!(sanitize("abcdef", 3), "abc…");
        assert_eq!(sanitize("\x00\x01", 3), "");
    }

    #[test]
    fn the_default_chain_leaves_out_what_cannot_work_and_keys_stay_with_their_provider() {
        let kinds = |c: &LiveConfig| c.chain().iter().map(|p| p.kind).collect::<Vec<_>>();
        let plain = LiveConfig::new("@x");
        assert_eq!(
            kinds(&plain),
            [ProviderKind::Sign],
            "no key for the WebSocket, no custom URL"
        );
        let keyed = LiveConfig {
            sign_api_key: Some("euler-key".into()),
            custom_sign_url: Some("http://127.0.0.1:9".into()),
            ..LiveConfig::new("@x")
        };
        let chain = keyed.chain();
        assert_eq!(
            chain.iter().map(|p| p.kind).collect::<Vec<_>>(),
            ProviderKind::ALL,
            "Euler's key serves its WebSocket too"
        );
        assert_eq!(chain[1].api_key.as_deref(), Some("euler-key"));
        assert_eq!(
            chain[2].api_key, None,
            "the custom server never gets Euler's key"
        );
        // A key for a sign server that is not Euler's never goes to Euler's WebSocket.
        let elsewhere = LiveConfig {
            sign_url: "http://127.0.0.1:5".into(),
            sign_api_key: Some("their-key".into()),
            ..LiveConfig::new("@x")
        };
        assert_eq!(kinds(&elsewhere), [ProviderKind::Sign]);
        let explicit = LiveConfig {
            providers: vec![
                ProviderKind::EulerWs,
                ProviderKind::Sign,
                ProviderKind::EulerWs,
            ],
            euler_ws_api_key: Some(" ".into()),
            ..LiveConfig::new("@x")
        };
        let chain = explicit.chain();
        assert_eq!(
            chain.iter().map(|p| p.kind).collect::<Vec<_>>(),
            [ProviderKind::EulerWs, ProviderKind::Sign],
            "as given, once each"
        );
        assert_eq!(chain[0].api_key, None, "a blank key is no key");
        let only_custom = LiveConfig {
            providers: vec![ProviderKind::Custom],
            ..LiveConfig::new("@x")
        };
        assert_eq!(
            kinds(&only_custom),
            [ProviderKind::Sign],
            "nowhere to go: the sign server"
        );
    }

    #[test]
    fn debug_never_shows_the_api_key() {
        let config = LiveConfig {
            sign_api_key: Some("very-secret".into()),
            ..LiveConfig::new("@x")
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret") && shown.contains("<redacted>"));
    }
}
