//! Opening a connection through one provider, without touching the session: a sign server's
//! `webcast/fetch` and then TikTok's push socket, or Euler's managed WebSocket. The session runs
//! these for its attempts and, while another provider carries the stream, for probes of a
//! preferred one (a probe that connects is handed over, so switching back loses nothing).

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::euler_ws::{self, EulerError};
use super::sign::{self, SignRequest, Signed};
use super::socket::{self, Handshake, WsStream};
use super::{LiveConfig, LiveError, Provider, ProviderKind};

/// An open socket, by the kind of provider behind it.
pub(super) enum Link {
    /// TikTok's push socket: we enter the room, heart-beat and ack.
    Push {
        ws: WsStream,
        heartbeat: Duration,
        room_number: i64,
    },
    /// Euler's managed WebSocket: messages arrive, we only ping.
    Euler { ws: WsStream },
}

impl Link {
    /// The socket, how often to keep it alive, and the room number to enter and heart-beat
    /// (`None` for Euler's socket, which is only pinged, every `default_heartbeat`).
    pub(super) fn into_parts(
        self,
        default_heartbeat: Duration,
    ) -> (WsStream, Duration, Option<i64>) {
        match self {
            Link::Push {
                ws,
                heartbeat,
                room_number,
            } => (ws, heartbeat, Some(room_number)),
            Link::Euler { ws } => (ws, default_heartbeat, None),
        }
    }
}

/// A connection made by a probe, ready to take over the stream.
pub(super) struct Prepared {
    /// Index of the provider in the chain.
    pub provider: usize,
    /// The sign server's answer (its history batch is ingested on take-over).
    pub signed: Option<Signed>,
    pub link: Link,
}

/// What dialling needs, cheap to clone into a probe.
#[derive(Clone)]
pub(super) struct Dialer {
    pub config: Arc<LiveConfig>,
    pub http: reqwest::Client,
    /// The streamer's TikTok session for a room that needs a login: `(sessionid, tt-target-idc)`
    /// for the sign server, the whole cookie for TikTok's socket.
    pub login: Option<Login>,
}

/// The streamer's session as each party receives it. `Debug` never shows it.
#[derive(Clone)]
pub(super) struct Login {
    pub session_id: String,
    pub tt_target_idc: Option<String>,
    /// `sessionid=…; sessionid_ss=…; tt-target-idc=…` for TikTok.
    pub cookie: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Login(<redacted>)")
    }
}

impl Dialer {
    /// Asks a sign provider (`sign` or `custom`) for TikTok's push server.
    pub async fn sign(&self, provider: &Provider, room_id: &str) -> Result<Signed, LiveError> {
        let config = &self.config;
        let request = SignRequest {
            sign_url: &provider.url,
            api_key: provider.api_key.as_deref(),
            client_name: &config.sign_client,
            room_id,
            user_agent: &config.user_agent,
            session_id: self.login.as_ref().map(|l| l.session_id.as_str()),
            tt_target_idc: self.login.as_ref().and_then(|l| l.tt_target_idc.as_deref()),
        };
        Ok(sign::sign(&self.http, &request).await?)
    }

    /// The push socket's URL for a signed answer.
    pub fn push_url(&self, signed: &Signed, room_id: &str) -> Result<Url, LiveError> {
        Ok(socket::build_ws_url(
            &signed.batch,
            self.config.push_server_override.as_deref(),
            room_id,
            &self.config.user_agent,
        )?)
    }

    /// Opens TikTok's push socket with the signing User-Agent and cookies.
    pub async fn push(
        &self,
        url: &Url,
        signed: &Signed,
        room_number: i64,
    ) -> Result<Link, LiveError> {
        let cookie = match &self.login {
            Some(login) => format!("{}; {}", signed.cookie, login.cookie),
            None => signed.cookie.clone(),
        };
        let handshake = Handshake {
            user_agent: &self.config.user_agent,
            cookie: &cookie,
            timeout: self.config.request_timeout,
        };
        let (ws, ping) = socket::connect(url, handshake).await?;
        Ok(Link::Push {
            ws,
            heartbeat: ping.unwrap_or(self.config.heartbeat_default),
            room_number,
        })
    }

    /// Opens Euler's managed WebSocket for `user` (it takes a username, not a room id).
    pub async fn euler(&self, provider: &Provider, user: Option<&str>) -> Result<Link, LiveError> {
        let user = user.ok_or(EulerError::NeedsUsername)?;
        let key = provider.api_key.as_deref().ok_or(EulerError::NoKey)?;
        let url = euler_ws::ws_url(&provider.url, user, key).map_err(EulerError::Connect)?;
        let agent = concat!("giftdeck/", env!("CARGO_PKG_VERSION"));
        let (ws, _) = socket::open(&url, &[("User-Agent", agent)], self.config.request_timeout)
            .await
            .map_err(EulerError::Connect)?;
        Ok(Link::Euler { ws })
    }

    /// A whole connection through `provider` at once (a probe).
    pub async fn prepare(
        self,
        index: usize,
        provider: Provider,
        room_id: String,
        user: Option<String>,
    ) -> Result<Prepared, LiveError> {
        let room_number = room_number(&room_id)?;
        match provider.kind {
            ProviderKind::Sign | ProviderKind::Custom => {
                let signed = self.sign(&provider, &room_id).await?;
                let url = self.push_url(&signed, &room_id)?;
                let link = self.push(&url, &signed, room_number).await?;
                Ok(Prepared {
                    provider: index,
                    signed: Some(signed),
                    link,
                })
            }
            ProviderKind::EulerWs => Ok(Prepared {
                provider: index,
                signed: None,
                link: self.euler(&provider, user.as_deref()).await?,
            }),
        }
    }
}

/// A room id as the number the client frames carry.
pub(super) fn room_number(room_id: &str) -> Result<i64, LiveError> {
    room_id.parse().map_err(|_| {
        LiveError::Target(super::TargetError::BadRoomId {
            input: room_id.to_owned(),
        })
    })
}
