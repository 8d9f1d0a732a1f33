//! Why a connection failed: [`FailureKind`], decided once from the typed error where it is known, so
//! the UI and `watch` match on a kind instead of searching an error message for "429".

use std::fmt;
use std::io;

use tokio_tungstenite::tungstenite;

use super::euler_ws::{EulerClose, EulerError};
use super::http::FetchError;
use super::{ConnectError, LiveError, ResolveError, SignError, SocketError};

/// Why a connection failed, decided once where the typed error is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// DNS failed, or no host could be reached at all.
    NoInternet,
    /// TikTok (or the sign server) timed out, TLS failed, or it answered 5xx.
    TiktokUnreachable,
    /// No such @user (or what was typed cannot be a username).
    UserNotFound,
    /// The user exists but is not live.
    NotLive,
    /// A provider refused the API key (the sign server's 401/403, Euler's 4401/4403).
    SignRefused,
    /// The sign server or TikTok said 429.
    RateLimited,
    /// TikTok blocked us: `DEVICE_BLOCKED`, a captcha page, a refused handshake.
    Blocked,
    /// A provider is failing on its side: HTTP 5xx, its `ws-fallback` stub instead of a push
    /// server, Euler's "could not fetch from TikTok" closes.
    ProviderDown,
    /// The provider's account has too many connections open (Euler's 4429).
    TooManyConnections,
    /// The room is age-restricted (18+): it needs the streamer's TikTok session.
    AgeRestricted,
    /// Anything unexpected in what TikTok or the sign server sent (and the rare failure on our own
    /// side that is none of the above: a capture file that cannot be written, no HTTP client).
    Protocol,
}

impl FailureKind {
    /// Every kind, for exhaustive tests and UI tables.
    pub const ALL: [Self; 11] = [
        Self::NoInternet,
        Self::TiktokUnreachable,
        Self::UserNotFound,
        Self::NotLive,
        Self::SignRefused,
        Self::RateLimited,
        Self::Blocked,
        Self::ProviderDown,
        Self::TooManyConnections,
        Self::AgeRestricted,
        Self::Protocol,
    ];

    /// A short phrase for a status line (`watch` prints it before the detail).
    pub fn words(self) -> &'static str {
        match self {
            Self::NoInternet => "no internet connection",
            Self::TiktokUnreachable => "TikTok cannot be reached",
            Self::UserNotFound => "no such TikTok user",
            Self::NotLive => "the user is not live",
            Self::SignRefused => "the provider refused the API key",
            Self::RateLimited => "rate limited",
            Self::Blocked => "TikTok blocked the connection",
            Self::ProviderDown => "the provider is failing",
            Self::TooManyConnections => "too many connections on the provider account",
            Self::AgeRestricted => "the room is 18+ and needs a TikTok session",
            Self::Protocol => "unexpected answer",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

impl LiveError {
    /// The kind of failure this error is, for advice and exit messages.
    pub fn kind(&self) -> FailureKind {
        match self {
            Self::Target(_) => FailureKind::UserNotFound,
            Self::Resolve(e) => resolve_kind(e),
            Self::Sign(e) => sign_kind(e),
            Self::Connect(e) => connect_kind(e),
            Self::Socket(e) => socket_kind(e),
            Self::Euler(e) => euler_kind(e),
            Self::Http(_) | Self::Record(_) => FailureKind::Protocol,
        }
    }

    /// The HTTP status or close code behind the failure, when there is one (for "HTTP 500 since
    /// 14:02").
    pub fn code(&self) -> Option<u16> {
        match self {
            Self::Sign(SignError::Server { status, .. })
            | Self::Sign(SignError::Refused { status, .. })
            | Self::Sign(SignError::Unexpected { status, .. })
            | Self::Sign(SignError::Fetch(FetchError::Status { status, .. }))
            | Self::Connect(ConnectError::Rejected { status, .. })
            | Self::Connect(ConnectError::Blocked { status, .. })
            | Self::Euler(EulerError::Connect(ConnectError::Rejected { status, .. })) => {
                Some(*status)
            }
            Self::Sign(SignError::RateLimited { .. }) => Some(429),
            Self::Socket(SocketError::Closed { code, .. }) => Some(*code),
            Self::Euler(EulerError::Closed { close, .. }) => Some(close.code()),
            _ => None,
        }
    }
}

fn euler_kind(err: &EulerError) -> FailureKind {
    match err {
        EulerError::NeedsUsername => FailureKind::UserNotFound,
        EulerError::NoKey => FailureKind::SignRefused,
        EulerError::Connect(ConnectError::Rejected {
            status: 401 | 403, ..
        }) => FailureKind::SignRefused,
        EulerError::Connect(e) => connect_kind(e),
        EulerError::Socket(e) => socket_kind(e),
        EulerError::Closed { close, .. } => match close {
            EulerClose::InvalidAuth | EulerClose::NoPermission => FailureKind::SignRefused,
            EulerClose::TooManyConnections => FailureKind::TooManyConnections,
            EulerClose::NotLive | EulerClose::StreamEnded => FailureKind::NotLive,
            EulerClose::InternalError
            | EulerClose::WebcastFetchError
            | EulerClose::RoomInfoFetchError => FailureKind::ProviderDown,
            EulerClose::InvalidOptions => FailureKind::Protocol,
            EulerClose::Normal
            | EulerClose::NoMessages
            | EulerClose::TikTokClosed
            | EulerClose::MaxLifetime
            | EulerClose::Other(_) => FailureKind::TiktokUnreachable,
        },
    }
}

fn resolve_kind(err: &ResolveError) -> FailureKind {
    match err {
        ResolveError::UserNotFound { .. } => FailureKind::UserNotFound,
        ResolveError::Offline { .. } | ResolveError::RoomOffline { .. } => FailureKind::NotLive,
        ResolveError::Blocked { .. } => FailureKind::Blocked,
        ResolveError::AgeRestricted { .. } => FailureKind::AgeRestricted,
        ResolveError::NoRoom { .. } => FailureKind::Protocol,
        ResolveError::Fetch { source, .. } => fetch_kind(source),
    }
}

fn sign_kind(err: &SignError) -> FailureKind {
    match err {
        SignError::Fetch(e) => fetch_kind(e),
        SignError::RateLimited { .. } => FailureKind::RateLimited,
        SignError::Refused { .. } => FailureKind::SignRefused,
        SignError::Server { .. } | SignError::FallbackStub { .. } => FailureKind::ProviderDown,
        SignError::Unexpected { .. }
        | SignError::EmptyBody
        | SignError::NoCookie
        | SignError::BadBody(_)
        | SignError::NoPushServer => FailureKind::Protocol,
    }
}

fn connect_kind(err: &ConnectError) -> FailureKind {
    match err {
        ConnectError::Blocked { .. } => FailureKind::Blocked,
        ConnectError::Rejected { status, .. } => status_kind(*status),
        ConnectError::Timeout { .. } => FailureKind::TiktokUnreachable,
        ConnectError::Ws { source, .. } => tungstenite_kind(source),
        ConnectError::BadUrl { .. } => FailureKind::Protocol,
    }
}

fn socket_kind(err: &SocketError) -> FailureKind {
    match err {
        SocketError::Io(source) => tungstenite_kind(source),
        SocketError::Closed { .. } | SocketError::Eof | SocketError::Silent { .. } => {
            FailureKind::TiktokUnreachable
        }
    }
}

fn fetch_kind(err: &FetchError) -> FailureKind {
    match err {
        FetchError::Request { source, .. } => {
            if source.is_timeout() {
                FailureKind::TiktokUnreachable
            } else if source.is_dns() {
                FailureKind::NoInternet
            } else if source.is_connect() {
                // A refused or unroutable connection means no network; anything else during
                // connect (TLS) means the network works but the far side did not.
                io_source_kind(source).unwrap_or(FailureKind::TiktokUnreachable)
            } else {
                FailureKind::TiktokUnreachable
            }
        }
        FetchError::Status { status, .. } => status_kind(*status),
        FetchError::BadUrl { .. } | FetchError::TooLarge { .. } => FailureKind::Protocol,
    }
}

/// An HTTP status that ended an attempt.
fn status_kind(status: u16) -> FailureKind {
    match status {
        429 => FailureKind::RateLimited,
        401 | 403 => FailureKind::Blocked,
        404 => FailureKind::UserNotFound,
        408 | 500..=599 => FailureKind::TiktokUnreachable,
        _ => FailureKind::Protocol,
    }
}

fn tungstenite_kind(err: &tungstenite::Error) -> FailureKind {
    match err {
        tungstenite::Error::Io(io) => io_kind(io.kind()),
        tungstenite::Error::Tls(_) => FailureKind::TiktokUnreachable,
        tungstenite::Error::Http(response) => status_kind(response.status().as_u16()),
        _ => FailureKind::Protocol,
    }
}

/// The first I/O error in a source chain, classified.
fn io_source_kind(err: &(dyn std::error::Error + 'static)) -> Option<FailureKind> {
    let mut source = err.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return Some(io_kind(io.kind()));
        }
        source = cause.source();
    }
    None
}

/// An I/O error while connecting: the network itself, or the far side.
fn io_kind(kind: io::ErrorKind) -> FailureKind {
    match kind {
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkDown
        | io::ErrorKind::AddrNotAvailable
        | io::ErrorKind::NotFound => FailureKind::NoInternet,
        _ => FailureKind::TiktokUnreachable,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::live::{ConnStatus, TargetError};

    fn connect_io(kind: io::ErrorKind) -> LiveError {
        LiveError::Connect(ConnectError::Ws {
            url: "wss://push.example/ws".into(),
            source: tungstenite::Error::Io(io::Error::from(kind)),
        })
    }

    #[test]
    fn no_internet_when_nothing_can_be_reached() {
        assert_eq!(
            connect_io(io::ErrorKind::ConnectionRefused).kind(),
            FailureKind::NoInternet
        );
        assert_eq!(
            connect_io(io::ErrorKind::NetworkUnreachable).kind(),
            FailureKind::NoInternet
        );
    }

    /// A real request error from reqwest, classified as the session would.
    async fn fetch_error(url: String, timeout: Duration) -> LiveError {
        let client = reqwest::Client::builder().timeout(timeout).build().unwrap();
        let url = url::Url::parse(&url).unwrap();
        let err = crate::live::http::get(
            &client,
            url,
            "test",
            "https://www.tiktok.com/",
            crate::live::http::ANONYMOUS_COOKIE,
        )
        .await
        .unwrap_err();
        LiveError::Sign(SignError::Fetch(err))
    }

    #[tokio::test]
    async fn a_refused_connection_is_no_internet_and_a_silent_server_is_unreachable() {
        // Nothing listens on the port: refused, as when the network is down.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let dead = format!("http://{}/?apiKey=hunter2", closed.local_addr().unwrap());
        drop(closed);
        let refused = fetch_error(dead, Duration::from_secs(5)).await;
        assert_eq!(refused.kind(), FailureKind::NoInternet, "{refused}");
        let ConnStatus::Failed { detail, .. } = ConnStatus::failed(&refused) else {
            unreachable!()
        };
        assert!(
            !detail.contains("hunter2"),
            "the query never shows: {detail}"
        );
        // Accepts, never answers: a timeout.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", silent.local_addr().unwrap());
        let timed_out = fetch_error(url, Duration::from_millis(200)).await;
        assert_eq!(
            timed_out.kind(),
            FailureKind::TiktokUnreachable,
            "{timed_out}"
        );
    }

    #[test]
    fn tiktok_unreachable_on_timeouts_and_5xx() {
        let timeout = LiveError::Connect(ConnectError::Timeout {
            url: "wss://push.example/ws".into(),
            after: Duration::from_secs(10),
        });
        assert_eq!(timeout.kind(), FailureKind::TiktokUnreachable);
        let api_5xx = LiveError::Resolve(ResolveError::Fetch {
            user: "x".into(),
            source: FetchError::Status {
                url: "https://www.tiktok.com/api-live/user/room".into(),
                status: 503,
                message: "down".into(),
            },
        });
        assert_eq!(api_5xx.kind(), FailureKind::TiktokUnreachable);
        assert_eq!(
            connect_io(io::ErrorKind::ConnectionReset).kind(),
            FailureKind::TiktokUnreachable
        );
    }

    #[test]
    fn user_not_found_for_unknown_users_and_nonsense_input() {
        let unknown = LiveError::Resolve(ResolveError::UserNotFound { user: "x".into() });
        assert_eq!(unknown.kind(), FailureKind::UserNotFound);
        let nonsense = LiveError::Target(TargetError::Empty);
        assert_eq!(nonsense.kind(), FailureKind::UserNotFound);
    }

    #[test]
    fn not_live_for_offline_users_and_rooms() {
        let user = LiveError::Resolve(ResolveError::Offline { user: "x".into() });
        assert_eq!(user.kind(), FailureKind::NotLive);
        let room = LiveError::Resolve(ResolveError::RoomOffline {
            room_id: "7".into(),
        });
        assert_eq!(room.kind(), FailureKind::NotLive);
    }

    #[test]
    fn sign_refused_for_401_and_403_from_the_sign_server() {
        for status in [401, 403] {
            let err = LiveError::Sign(SignError::Refused {
                status,
                message: "bad key".into(),
            });
            assert_eq!(err.kind(), FailureKind::SignRefused, "{status}");
        }
    }

    #[test]
    fn rate_limited_from_the_sign_server_or_tiktok() {
        let sign = LiveError::Sign(SignError::RateLimited {
            message: "slow down".into(),
            retry_after: None,
        });
        assert_eq!(sign.kind(), FailureKind::RateLimited);
        assert_eq!(sign.code(), Some(429));
        let push = LiveError::Connect(ConnectError::Rejected {
            url: "wss://push.example/ws".into(),
            status: 429,
        });
        assert_eq!(push.kind(), FailureKind::RateLimited);
    }

    #[test]
    fn blocked_for_device_blocked_and_captcha_pages() {
        let device = LiveError::Connect(ConnectError::Blocked {
            status: 200,
            handshake_status: "415".into(),
            message: "DEVICE_BLOCKED".into(),
        });
        assert_eq!(device.kind(), FailureKind::Blocked);
        let captcha = LiveError::Resolve(ResolveError::Blocked {
            user: "x".into(),
            url: "https://www.tiktok.com/@x/live".into(),
        });
        assert_eq!(captcha.kind(), FailureKind::Blocked);
    }

    #[test]
    fn protocol_for_anything_unexpected_in_what_was_sent() {
        for err in [
            LiveError::Sign(SignError::NoPushServer),
            LiveError::Sign(SignError::NoCookie),
            LiveError::Sign(SignError::EmptyBody),
            LiveError::Resolve(ResolveError::NoRoom {
                user: "x".into(),
                detail: "odd JSON".into(),
            }),
            LiveError::Connect(ConnectError::BadUrl {
                url: "ftp://x".into(),
                reason: "scheme".into(),
            }),
        ] {
            assert_eq!(err.kind(), FailureKind::Protocol, "{err}");
        }
    }

    #[test]
    fn provider_down_for_5xx_the_fallback_stub_and_euler_fetch_errors() {
        let sign_5xx = LiveError::Sign(SignError::Server {
            status: 502,
            message: "bad gateway".into(),
        });
        assert_eq!(sign_5xx.kind(), FailureKind::ProviderDown);
        assert_eq!(sign_5xx.code(), Some(502));
        let stub = LiveError::Sign(SignError::FallbackStub {
            push_server: "wss://ws-fallback.eulerstream.com/".into(),
        });
        assert_eq!(stub.kind(), FailureKind::ProviderDown);
        for code in [1011, 4556, 4557] {
            let closed = euler_closed(code);
            assert_eq!(closed.kind(), FailureKind::ProviderDown, "{code}");
            assert_eq!(closed.code(), Some(code));
        }
    }

    fn euler_closed(code: u16) -> LiveError {
        LiveError::Euler(EulerError::Closed {
            close: EulerClose::from_code(code),
            reason: String::new(),
        })
    }

    #[test]
    fn euler_close_codes_become_their_kinds() {
        let cases = [
            (4401, FailureKind::SignRefused),
            (4403, FailureKind::SignRefused),
            (4429, FailureKind::TooManyConnections),
            (4404, FailureKind::NotLive),
            (4400, FailureKind::Protocol),
            (4500, FailureKind::TiktokUnreachable),
            (4006, FailureKind::TiktokUnreachable),
            (4555, FailureKind::TiktokUnreachable),
        ];
        for (code, kind) in cases {
            assert_eq!(euler_closed(code).kind(), kind, "{code}");
        }
        let refused = LiveError::Euler(EulerError::Connect(ConnectError::Rejected {
            url: "wss://ws.eulerstream.com/".into(),
            status: 401,
        }));
        assert_eq!(refused.kind(), FailureKind::SignRefused);
        assert_eq!(
            LiveError::Euler(EulerError::NoKey).kind(),
            FailureKind::SignRefused
        );
    }

    #[test]
    fn age_restricted_rooms_ask_for_a_session() {
        let err = LiveError::Resolve(ResolveError::AgeRestricted { user: "x".into() });
        assert_eq!(err.kind(), FailureKind::AgeRestricted);
    }

    #[test]
    fn every_kind_has_its_own_words() {
        let words: std::collections::HashSet<_> =
            FailureKind::ALL.iter().map(|k| k.words()).collect();
        assert_eq!(words.len(), FailureKind::ALL.len());
    }
}
