//! One connection to obs-websocket v5: TCP connect, the WebSocket upgrade (JSON subprotocol),
//! Hello → Identify (with the authentication string) → Identified, then requests with ids, one
//! in flight, each with a timeout. Reconnecting is the link's job; this type is one connection.

use std::fmt;

use futures_util::{FutureExt as _, SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};

use super::{ObsConfig, ObsError, ObsTimeouts, auth_string};

/// The obs-websocket RPC version we speak.
pub const RPC_VERSION: u64 = 1;

/// Message opcodes (obs-websocket protocol.md, "Message Types").
mod op {
    pub const HELLO: u64 = 0;
    pub const IDENTIFY: u64 = 1;
    pub const IDENTIFIED: u64 = 2;
    pub const EVENT: u64 = 5;
    pub const REQUEST: u64 = 6;
    pub const REQUEST_RESPONSE: u64 = 7;
}

/// WebSocket close codes obs-websocket uses to say why it closed.
const CLOSE_AUTH_FAILED: u16 = 4009;
const CLOSE_UNSUPPORTED_RPC: u16 = 4010;

/// What Test connection shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObsVersion {
    pub obs: String,
    pub websocket: String,
}

impl fmt::Display for ObsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OBS {}, obs-websocket {}", self.obs, self.websocket)
    }
}

/// One identified connection. Requests take `&mut self`, so there is never more than one in
/// flight.
pub struct ObsClient {
    ws: WebSocketStream<TcpStream>,
    addr: String,
    next_id: u64,
    timeouts: ObsTimeouts,
}

impl fmt::Debug for ObsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObsClient")
            .field("addr", &self.addr)
            .field("next_id", &self.next_id)
            .finish_non_exhaustive()
    }
}

impl ObsClient {
    /// Connects, upgrades and identifies, all within `timeouts.connect`.
    pub async fn connect(config: &ObsConfig, timeouts: ObsTimeouts) -> Result<Self, ObsError> {
        let addr = config.address();
        let millis = timeouts.connect.as_millis() as u64;
        let stream = match tokio::time::timeout(
            timeouts.connect,
            TcpStream::connect((config.host.as_str(), config.port)),
        )
        .await
        {
            Ok(Ok(stream)) => stream,
            Ok(Err(source)) => return Err(ObsError::Connect { addr, source }),
            Err(_) => {
                return Err(ObsError::Connect {
                    addr,
                    source: std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no answer within {millis} ms"),
                    ),
                });
            }
        };
        let _ = stream.set_nodelay(true);
        match tokio::time::timeout(timeouts.connect, Self::handshake(stream, config, &addr)).await {
            Ok(Ok(ws)) => Ok(Self {
                ws,
                addr,
                next_id: 1,
                timeouts,
            }),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(ObsError::Timeout {
                addr,
                millis,
                during: "logging in".to_owned(),
            }),
        }
    }

    async fn handshake(
        stream: TcpStream,
        config: &ObsConfig,
        addr: &str,
    ) -> Result<WebSocketStream<TcpStream>, ObsError> {
        let url = format!("ws://{}", config.address());
        let protocol = |detail: String| ObsError::Protocol {
            addr: addr.to_owned(),
            detail,
        };
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| protocol(format!("bad address {url}: {e}")))?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("obswebsocket.json"),
        );
        let (mut ws, _) = tokio_tungstenite::client_async(request, stream)
            .await
            .map_err(|e| match e {
                tungstenite::Error::Http(response) => protocol(format!(
                    "the WebSocket upgrade was answered with HTTP {} (is this port OBS?)",
                    response.status()
                )),
                other => closed(addr, "the WebSocket upgrade", &other),
            })?;

        let hello = next_json(&mut ws, addr, "waiting for Hello").await?;
        if hello["op"].as_u64() != Some(op::HELLO) {
            return Err(protocol(format!("expected Hello (op 0), got {hello}")));
        }
        let d = &hello["d"];
        let server_rpc = d["rpcVersion"].as_u64().unwrap_or(0);
        if server_rpc < RPC_VERSION {
            return Err(protocol(format!(
                "obs-websocket speaks RPC version {server_rpc}; giftdeck needs {RPC_VERSION} (OBS 28 or newer)"
            )));
        }
        let mut identify = json!({
            "rpcVersion": RPC_VERSION,
            // No events: we only ask and read answers.
            "eventSubscriptions": 0,
        });
        if let Some(auth) = d.get("authentication").filter(|a| a.is_object()) {
            if config.password.is_empty() {
                return Err(ObsError::PasswordRequired {
                    addr: addr.to_owned(),
                });
            }
            let (Some(salt), Some(challenge)) = (auth["salt"].as_str(), auth["challenge"].as_str())
            else {
                return Err(protocol(
                    "Hello asks for authentication without a salt and challenge".to_owned(),
                ));
            };
            identify["authentication"] = auth_string(&config.password, salt, challenge).into();
        }
        send_json(
            &mut ws,
            addr,
            "sending Identify",
            &json!({"op": op::IDENTIFY, "d": identify}),
        )
        .await?;
        let identified = next_json(&mut ws, addr, "waiting for Identified").await?;
        if identified["op"].as_u64() != Some(op::IDENTIFIED) {
            return Err(protocol(format!(
                "expected Identified (op 2), got {identified}"
            )));
        }
        Ok(ws)
    }

    /// `host:port` of this connection.
    pub fn address(&self) -> &str {
        &self.addr
    }

    /// True when OBS has closed the connection (checked without waiting), so a request on it would
    /// fail: the link reconnects first.
    pub fn is_closed(&mut self) -> bool {
        loop {
            match self.ws.next().now_or_never() {
                None => return false,
                Some(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                // A late answer to a timed-out request, an event: nothing to keep.
                Some(Some(Ok(_))) => {}
            }
        }
    }

    /// Sends one request and waits for its answer. `target` names what it is about (for errors).
    /// Returns `responseData` (`null` when OBS sends none).
    pub async fn request(
        &mut self,
        request_type: &str,
        target: &str,
        data: Value,
    ) -> Result<Value, ObsError> {
        let id = self.next_id.to_string();
        self.next_id += 1;
        let during = format!("{request_type} for {target}");
        let message = json!({
            "op": op::REQUEST,
            "d": {"requestType": request_type, "requestId": id, "requestData": data},
        });
        let addr = self.addr.clone();
        let timeout = self.timeouts.request;
        let exchange = async {
            send_json(&mut self.ws, &addr, &during, &message).await?;
            loop {
                let reply = next_json(&mut self.ws, &addr, &during).await?;
                match reply["op"].as_u64() {
                    Some(op::REQUEST_RESPONSE) if reply["d"]["requestId"].as_str() == Some(&id) => {
                        return Ok(reply);
                    }
                    // Events (none subscribed, but harmless) and late answers to older requests.
                    Some(op::EVENT | op::REQUEST_RESPONSE) => {}
                    _ => {
                        return Err(ObsError::Protocol {
                            addr: addr.clone(),
                            detail: format!("unexpected message while {during}: {reply}"),
                        });
                    }
                }
            }
        };
        let reply = match tokio::time::timeout(timeout, exchange).await {
            Ok(reply) => reply?,
            Err(_) => {
                return Err(ObsError::Timeout {
                    addr,
                    millis: timeout.as_millis() as u64,
                    during,
                });
            }
        };
        let d = &reply["d"];
        let status = &d["requestStatus"];
        if status["result"].as_bool() == Some(true) {
            return Ok(d.get("responseData").cloned().unwrap_or(Value::Null));
        }
        Err(ObsError::Request {
            request: request_type.to_owned(),
            target: target.to_owned(),
            code: status["code"]
                .as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(0),
            comment: status["comment"]
                .as_str()
                .unwrap_or("no reason given")
                .to_owned(),
        })
    }

    /// A field of a response, or a protocol error naming it.
    fn field<'a>(&self, data: &'a Value, name: &str, request: &str) -> Result<&'a Value, ObsError> {
        data.get(name).ok_or_else(|| ObsError::Protocol {
            addr: self.addr.clone(),
            detail: format!("{request} answered without {name}: {data}"),
        })
    }

    fn string_field(&self, data: &Value, name: &str, request: &str) -> Result<String, ObsError> {
        let value = self.field(data, name, request)?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ObsError::Protocol {
                addr: self.addr.clone(),
                detail: format!("{request}: {name} is not a string: {value}"),
            })
    }

    /// OBS's and obs-websocket's versions.
    pub async fn version(&mut self) -> Result<ObsVersion, ObsError> {
        let data = self.request("GetVersion", "OBS", Value::Null).await?;
        Ok(ObsVersion {
            obs: self.string_field(&data, "obsVersion", "GetVersion")?,
            websocket: self.string_field(&data, "obsWebSocketVersion", "GetVersion")?,
        })
    }

    /// Switches the program (live) scene.
    pub async fn set_program_scene(&mut self, scene: &str) -> Result<(), ObsError> {
        self.request(
            "SetCurrentProgramScene",
            &format!("scene {scene:?}"),
            json!({"sceneName": scene}),
        )
        .await
        .map(drop)
    }

    /// The program (live) scene's name.
    pub async fn program_scene(&mut self) -> Result<String, ObsError> {
        let data = self
            .request("GetCurrentProgramScene", "the program scene", Value::Null)
            .await?;
        self.string_field(&data, "currentProgramSceneName", "GetCurrentProgramScene")
    }

    /// The id of `source`'s item in `scene` (the first one when it is there twice).
    pub async fn scene_item_id(&mut self, scene: &str, source: &str) -> Result<i64, ObsError> {
        let data = self
            .request(
                "GetSceneItemId",
                &format!("source {source:?} in scene {scene:?}"),
                json!({"sceneName": scene, "sourceName": source}),
            )
            .await?;
        let id = self.field(&data, "sceneItemId", "GetSceneItemId")?;
        id.as_i64().ok_or_else(|| ObsError::Protocol {
            addr: self.addr.clone(),
            detail: format!("GetSceneItemId: sceneItemId is not a number: {id}"),
        })
    }

    /// Shows or hides a scene item.
    pub async fn set_item_enabled(
        &mut self,
        scene: &str,
        item_id: i64,
        enabled: bool,
    ) -> Result<(), ObsError> {
        self.request(
            "SetSceneItemEnabled",
            &format!("item {item_id} in scene {scene:?}"),
            json!({"sceneName": scene, "sceneItemId": item_id, "sceneItemEnabled": enabled}),
        )
        .await
        .map(drop)
    }

    /// Whether a scene item is shown.
    pub async fn item_enabled(&mut self, scene: &str, item_id: i64) -> Result<bool, ObsError> {
        let data = self
            .request(
                "GetSceneItemEnabled",
                &format!("item {item_id} in scene {scene:?}"),
                json!({"sceneName": scene, "sceneItemId": item_id}),
            )
            .await?;
        let enabled = self.field(&data, "sceneItemEnabled", "GetSceneItemEnabled")?;
        enabled.as_bool().ok_or_else(|| ObsError::Protocol {
            addr: self.addr.clone(),
            detail: format!("GetSceneItemEnabled: not a boolean: {enabled}"),
        })
    }

    /// Sets a text source's text, keeping its other settings (font, colour…).
    pub async fn set_input_text(&mut self, input: &str, text: &str) -> Result<(), ObsError> {
        self.request(
            "SetInputSettings",
            &format!("text source {input:?}"),
            json!({"inputName": input, "inputSettings": {"text": text}, "overlay": true}),
        )
        .await
        .map(drop)
    }

    /// An input's settings (as OBS stores them; defaults left out).
    pub async fn input_settings(&mut self, input: &str) -> Result<Value, ObsError> {
        let data = self
            .request(
                "GetInputSettings",
                &format!("source {input:?}"),
                json!({"inputName": input}),
            )
            .await?;
        Ok(self
            .field(&data, "inputSettings", "GetInputSettings")?
            .clone())
    }

    /// Creates an empty scene.
    pub async fn create_scene(&mut self, scene: &str) -> Result<(), ObsError> {
        self.request(
            "CreateScene",
            &format!("scene {scene:?}"),
            json!({"sceneName": scene}),
        )
        .await
        .map(drop)
    }

    /// Creates an input of `kind` (e.g. `text_ft2_source_v2`, `color_source_v3`) in `scene`;
    /// returns its scene item id.
    pub async fn create_input(
        &mut self,
        scene: &str,
        input: &str,
        kind: &str,
        settings: Value,
    ) -> Result<i64, ObsError> {
        let data = self
            .request(
                "CreateInput",
                &format!("{kind} {input:?} in scene {scene:?}"),
                json!({
                    "sceneName": scene,
                    "inputName": input,
                    "inputKind": kind,
                    "inputSettings": settings,
                    "sceneItemEnabled": true,
                }),
            )
            .await?;
        let id = self.field(&data, "sceneItemId", "CreateInput")?;
        id.as_i64().ok_or_else(|| ObsError::Protocol {
            addr: self.addr.clone(),
            detail: format!("CreateInput: sceneItemId is not a number: {id}"),
        })
    }

    /// Closes politely (best effort, bounded).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(self.timeouts.request, self.ws.close(None)).await;
    }
}

async fn send_json(
    ws: &mut WebSocketStream<TcpStream>,
    addr: &str,
    during: &str,
    message: &Value,
) -> Result<(), ObsError> {
    ws.send(Message::text(message.to_string()))
        .await
        .map_err(|e| closed(addr, during, &e))
}

/// The next JSON text message. A close frame becomes the error obs-websocket meant by it.
async fn next_json(
    ws: &mut WebSocketStream<TcpStream>,
    addr: &str,
    during: &str,
) -> Result<Value, ObsError> {
    loop {
        let message = match ws.next().await {
            None => {
                return Err(ObsError::Closed {
                    addr: addr.to_owned(),
                    during: during.to_owned(),
                    detail: "connection closed".to_owned(),
                });
            }
            Some(Err(e)) => return Err(closed(addr, during, &e)),
            Some(Ok(message)) => message,
        };
        match message {
            Message::Text(text) => {
                return serde_json::from_str(text.as_str()).map_err(|e| ObsError::Protocol {
                    addr: addr.to_owned(),
                    detail: format!("not JSON ({e}) while {during}"),
                });
            }
            Message::Close(frame) => {
                let (code, reason) = frame
                    .map(|f| (u16::from(f.code), f.reason.to_string()))
                    .unwrap_or((1005, String::new()));
                return Err(match code {
                    CLOSE_AUTH_FAILED => ObsError::AuthFailed {
                        addr: addr.to_owned(),
                    },
                    CLOSE_UNSUPPORTED_RPC => ObsError::Protocol {
                        addr: addr.to_owned(),
                        detail: format!("OBS does not support RPC version {RPC_VERSION}: {reason}"),
                    },
                    _ => ObsError::Closed {
                        addr: addr.to_owned(),
                        during: during.to_owned(),
                        detail: format!("OBS closed the connection (code {code}) {reason}"),
                    },
                });
            }
            // Binary would be MessagePack, which we never ask for; pings are answered for us.
            Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    }
}

fn closed(addr: &str, during: &str, err: &tungstenite::Error) -> ObsError {
    ObsError::Closed {
        addr: addr.to_owned(),
        during: during.to_owned(),
        detail: err.to_string(),
    }
}
