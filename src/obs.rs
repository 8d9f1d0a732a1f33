//! A small OBS WebSocket v5 client (RPC version 1, the protocol built into OBS 28+) on
//! tokio-tungstenite: Hello/Identify with the salted SHA-256 authentication, then
//! Request/RequestResponse. It does what giftdeck's OBS actions need: switch the program scene,
//! show a source for N seconds, set a text source's text, and read those back.
//! (obws 0.15 refuses OBS < 30.2, and Debian ships 29.0.2.)

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Where OBS listens. The password never appears in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ObsConfig {
    pub host: String,
    pub port: u16,
    pub password: String,
}

impl Default for ObsConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 4455,
            password: String::new(),
        }
    }
}

impl fmt::Debug for ObsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObsConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field(
                "password",
                &if self.password.is_empty() {
                    "(none)"
                } else {
                    "(set)"
                },
            )
            .finish()
    }
}

/// Why talking to OBS failed, with what failed.
#[derive(Debug, thiserror::Error)]
pub enum ObsError {
    #[error(
        "cannot connect to OBS at {address}: {reason} (is OBS running with Tools → WebSocket Server Settings → Enable?)"
    )]
    Connect { address: String, reason: String },
    #[error("OBS refused the password (check the password in OBS's WebSocket Server Settings)")]
    AuthFailed,
    #[error("OBS asks for a password and none is set")]
    PasswordNeeded,
    #[error("OBS did not answer within {seconds} s")]
    Timeout { seconds: u64 },
    #[error("the OBS connection closed: {reason}")]
    Closed { reason: String },
    #[error("OBS sent something unexpected: {detail}")]
    Protocol { detail: String },
    #[error("OBS refused {request} (code {code}): {comment}")]
    Request {
        request: String,
        code: i64,
        comment: String,
    },
}

/// The `authentication` string of Identify: base64(sha256(base64(sha256(password + salt)) + challenge)).
pub fn auth_string(password: &str, salt: &str, challenge: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let secret = b64.encode(Sha256::digest(format!("{password}{salt}").as_bytes()));
    b64.encode(Sha256::digest(format!("{secret}{challenge}").as_bytes()))
}

/// Op codes of the v5 protocol.
mod op {
    pub const HELLO: u64 = 0;
    pub const IDENTIFY: u64 = 1;
    pub const IDENTIFIED: u64 = 2;
    pub const REQUEST: u64 = 6;
    pub const REQUEST_RESPONSE: u64 = 7;
}

/// How long one exchange may take.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
/// OBS closes with this code when the password was wrong.
const CLOSE_AUTH_FAILED: u16 = 4009;

/// A connected, identified client.
pub struct ObsClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl fmt::Debug for ObsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObsClient").finish_non_exhaustive()
    }
}

impl ObsClient {
    /// Connects and identifies (with the password when OBS asks for one).
    pub async fn connect(config: &ObsConfig) -> Result<Self, ObsError> {
        let address = format!("{}:{}", config.host, config.port);
        let url = format!("ws://{address}");
        let (ws, _) = tokio::time::timeout(ANSWER_TIMEOUT, tokio_tungstenite::connect_async(&url))
            .await
            .map_err(|_| ObsError::Connect {
                address: address.clone(),
                reason: "timed out".into(),
            })?
            .map_err(|e| ObsError::Connect {
                address: address.clone(),
                reason: e.to_string(),
            })?;
        let mut client = Self { ws, next_id: 1 };
        let hello = client.receive().await?;
        if hello["op"] != op::HELLO {
            return Err(ObsError::Protocol {
                detail: format!("expected Hello, got {hello}"),
            });
        }
        let mut identify = json!({"rpcVersion": 1, "eventSubscriptions": 0});
        if let Some(auth) = hello["d"].get("authentication") {
            if config.password.is_empty() {
                return Err(ObsError::PasswordNeeded);
            }
            let (Some(salt), Some(challenge)) = (auth["salt"].as_str(), auth["challenge"].as_str())
            else {
                return Err(ObsError::Protocol {
                    detail: "Hello without salt or challenge".into(),
                });
            };
            identify["authentication"] = json!(auth_string(&config.password, salt, challenge));
        }
        client
            .send(json!({"op": op::IDENTIFY, "d": identify}))
            .await?;
        let identified = client.receive().await?;
        if identified["op"] != op::IDENTIFIED {
            return Err(ObsError::Protocol {
                detail: format!("expected Identified, got {identified}"),
            });
        }
        Ok(client)
    }

    async fn send(&mut self, value: Value) -> Result<(), ObsError> {
        self.ws
            .send(Message::text(value.to_string()))
            .await
            .map_err(|e| ObsError::Closed {
                reason: e.to_string(),
            })
    }

    /// The next JSON message (pings are answered by tungstenite).
    async fn receive(&mut self) -> Result<Value, ObsError> {
        loop {
            let next = tokio::time::timeout(ANSWER_TIMEOUT, self.ws.next())
                .await
                .map_err(|_| ObsError::Timeout {
                    seconds: ANSWER_TIMEOUT.as_secs(),
                })?;
            match next {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(&text).map_err(|e| ObsError::Protocol {
                        detail: format!("not JSON ({e})"),
                    });
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(match frame {
                        Some(f) if u16::from(f.code) == CLOSE_AUTH_FAILED => ObsError::AuthFailed,
                        Some(f) => ObsError::Closed {
                            reason: format!("{} {}", u16::from(f.code), f.reason),
                        },
                        None => ObsError::Closed {
                            reason: "closed without a reason".into(),
                        },
                    });
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    return Err(ObsError::Closed {
                        reason: e.to_string(),
                    });
                }
                None => {
                    return Err(ObsError::Closed {
                        reason: "connection ended".into(),
                    });
                }
            }
        }
    }

    /// Sends one request and returns its `responseData` (`null` when it has none).
    pub async fn request(&mut self, request_type: &str, data: Value) -> Result<Value, ObsError> {
        let id = self.next_id.to_string();
        self.next_id += 1;
        self.send(json!({"op": op::REQUEST, "d": {
            "requestType": request_type, "requestId": id, "requestData": data,
        }}))
        .await?;
        loop {
            let message = self.receive().await?;
            if message["op"] != op::REQUEST_RESPONSE || message["d"]["requestId"] != id.as_str() {
                continue;
            }
            let d = &message["d"];
            if d["requestStatus"]["result"] == true {
                return Ok(d["responseData"].clone());
            }
            return Err(ObsError::Request {
                request: request_type.to_owned(),
                code: d["requestStatus"]["code"].as_i64().unwrap_or(0),
                comment: d["requestStatus"]["comment"]
                    .as_str()
                    .unwrap_or("no reason given")
                    .to_owned(),
            });
        }
    }

    /// Switches the program (live) scene.
    pub async fn set_scene(&mut self, scene: &str) -> Result<(), ObsError> {
        self.request("SetCurrentProgramScene", json!({"sceneName": scene}))
            .await
            .map(drop)
    }

    pub async fn current_scene(&mut self) -> Result<String, ObsError> {
        let data = self.request("GetCurrentProgramScene", json!({})).await?;
        data["currentProgramSceneName"]
            .as_str()
            .or_else(|| data["sceneName"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| ObsError::Protocol {
                detail: format!("GetCurrentProgramScene without a name: {data}"),
            })
    }

    async fn item_id(&mut self, scene: &str, source: &str) -> Result<i64, ObsError> {
        let data = self
            .request(
                "GetSceneItemId",
                json!({"sceneName": scene, "sourceName": source}),
            )
            .await?;
        data["sceneItemId"]
            .as_i64()
            .ok_or_else(|| ObsError::Protocol {
                detail: format!("GetSceneItemId without an id: {data}"),
            })
    }

    /// Shows or hides `source` in `scene`.
    pub async fn set_source_visible(
        &mut self,
        scene: &str,
        source: &str,
        visible: bool,
    ) -> Result<(), ObsError> {
        let id = self.item_id(scene, source).await?;
        self.request(
            "SetSceneItemEnabled",
            json!({"sceneName": scene, "sceneItemId": id, "sceneItemEnabled": visible}),
        )
        .await
        .map(drop)
    }

    pub async fn source_visible(&mut self, scene: &str, source: &str) -> Result<bool, ObsError> {
        let id = self.item_id(scene, source).await?;
        let data = self
            .request(
                "GetSceneItemEnabled",
                json!({"sceneName": scene, "sceneItemId": id}),
            )
            .await?;
        data["sceneItemEnabled"]
            .as_bool()
            .ok_or_else(|| ObsError::Protocol {
                detail: format!("GetSceneItemEnabled without a value: {data}"),
            })
    }

    /// Shows `source` for `seconds`, then hides it again.
    pub async fn show_source_for(
        &mut self,
        scene: &str,
        source: &str,
        seconds: u32,
    ) -> Result<(), ObsError> {
        self.set_source_visible(scene, source, true).await?;
        tokio::time::sleep(Duration::from_secs(u64::from(seconds))).await;
        self.set_source_visible(scene, source, false).await
    }

    /// Sets a text source's text (GDI+ / FreeType 2 text sources both use `text`).
    pub async fn set_text(&mut self, source: &str, text: &str) -> Result<(), ObsError> {
        self.request(
            "SetInputSettings",
            json!({"inputName": source, "inputSettings": {"text": text}, "overlay": true}),
        )
        .await
        .map(drop)
    }

    pub async fn text(&mut self, source: &str) -> Result<String, ObsError> {
        let data = self
            .request("GetInputSettings", json!({"inputName": source}))
            .await?;
        Ok(data["inputSettings"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }
}

/// Connects and asks OBS its version: what the settings window's Test button shows.
pub async fn test_connection(config: &ObsConfig) -> Result<String, ObsError> {
    let mut client = ObsClient::connect(config).await?;
    let version = client.request("GetVersion", json!({})).await?;
    Ok(format!(
        "connected to OBS {} (WebSocket {})",
        version["obsVersion"].as_str().unwrap_or("?"),
        version["obsWebSocketVersion"].as_str().unwrap_or("?")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_matches_the_protocol_example() {
        // obs-websocket's protocol.md example: password "supersecretpassword",
        // salt "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=",
        // challenge "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=".
        assert_eq!(
            auth_string(
                "supersecretpassword",
                "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=",
                "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY="
            ),
            "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4="
        );
    }

    #[test]
    fn the_password_never_shows_in_debug() {
        let config = ObsConfig {
            password: "hunter2".into(),
            ..ObsConfig::default()
        };
        let text = format!("{config:?}");
        assert!(
            !text.contains("hunter2") && text.contains("(set)"),
            "{text}"
        );
    }
}
