//! Our Minecraft RCON client on tokio: login, one request in flight, one write per packet, the
//! 1,446-byte payload limit, multi-packet replies (delayed probe), timeouts. Reconnecting is the
//! executor's job; this type is one connection.

use std::fmt;
use std::time::Duration;

use futures_util::FutureExt as _;
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub use super::placeholders::MAX_COMMAND_BYTES;

/// Packet types (Source RCON as vanilla implements it).
pub const TYPE_RESPONSE: i32 = 0;
pub const TYPE_COMMAND: i32 = 2;
pub const TYPE_AUTH_RESPONSE: i32 = 2;
pub const TYPE_LOGIN: i32 = 3;

/// Vanilla reads each packet with one `read` of at most this many bytes.
pub const MAX_PACKET_BYTES: usize = 1460;
/// The largest reply packet we accept (a 4,096-char chunk of 3-byte UTF-8 is ~12 KiB).
const MAX_REPLY_PACKET_BYTES: usize = 64 * 1024;
/// The largest whole reply we collect before giving up.
const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;

/// The Minecraft server's RCON endpoint: where and how to log in. Saved in the settings file as is
/// (`rcon.host`, `rcon.port`, `rcon.password`). `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RconConfig {
    pub host: String,
    pub port: u16,
    pub password: String,
}

impl Default for RconConfig {
    /// Vanilla's default port on this computer, no password yet.
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 25575,
            password: String::new(),
        }
    }
}

impl fmt::Debug for RconConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RconConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("password", &crate::text::masked(&self.password))
            .finish()
    }
}

impl RconConfig {
    /// This endpoint if it is set up (a host and a password; Minecraft refuses an empty password
    /// anyway), with the host trimmed; `None` otherwise.
    pub fn if_set_up(&self) -> Option<Self> {
        let host = self.host.trim();
        (!host.is_empty() && !self.password.is_empty()).then(|| Self {
            host: host.to_owned(),
            port: self.port,
            password: self.password.clone(),
        })
    }

    /// `host:port` for messages (IPv6 hosts in brackets).
    pub fn address(&self) -> String {
        super::host_port(&self.host, self.port)
    }
}

/// How long each step may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RconTimeouts {
    pub connect: Duration,
    /// Waiting for a reply; the server runs commands on its main thread, so tick lag counts here.
    pub reply: Duration,
}

impl Default for RconTimeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            reply: Duration::from_secs(10),
        }
    }
}

/// Everything that can go wrong talking to a server. Each variant carries the address or command.
#[derive(Debug, Error)]
pub enum RconError {
    #[error("cannot connect to RCON at {addr}: {source}")]
    Connect {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("RCON at {addr} refused the password (wrong `rcon.password`?)")]
    WrongPassword { addr: String },
    #[error(
        "no RCON password set: Minecraft always refuses an empty password (set `rcon.password` in server.properties)"
    )]
    EmptyPassword,
    #[error(
        "the RCON password is {bytes} bytes; Minecraft reads at most {limit} bytes (UTF-8) of a login, so it could never match (not sent)"
    )]
    PasswordTooLong { bytes: usize, limit: usize },
    #[error(
        "the RCON password contains a NUL character (at byte {at}); Minecraft would cut it there, so it could never match (not sent)"
    )]
    PasswordHasNul { at: usize },
    #[error(
        "command is {bytes} bytes; Minecraft RCON accepts at most {limit} (UTF-8), not sent: {preview}…"
    )]
    TooLong {
        bytes: usize,
        limit: usize,
        preview: String,
    },
    #[error("the command contains a NUL character, not sent: {command:?}")]
    NulInCommand { command: String },
    #[error("RCON at {addr} did not answer within {millis} ms ({during})")]
    Timeout {
        addr: String,
        millis: u64,
        during: &'static str,
    },
    #[error("RCON connection to {addr} lost ({during}): {source}")]
    Io {
        addr: String,
        during: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("RCON at {addr} closed the connection ({during})")]
    Closed { addr: String, during: &'static str },
    #[error("RCON at {addr} sent a bad packet: {detail}")]
    Protocol { addr: String, detail: String },
    #[error("RCON at {addr} says this connection is not logged in (reply id -1)")]
    NotLoggedIn { addr: String },
}

/// What went wrong with the Minecraft server, in a word a UI can match on (decided from the typed
/// error, never from its text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RconProblem {
    /// Nothing listens at the address: the server is stopped, RCON is off, or the port is wrong.
    ServerDown,
    /// The host cannot be found or reached at all.
    Unreachable,
    /// The server did not answer in time.
    NoAnswer,
    /// The server refused the password.
    WrongPassword,
    /// No password is set (Minecraft refuses an empty one).
    NoPassword,
    /// The connection broke, or what answered does not speak RCON.
    ConnectionLost,
    /// The command itself cannot be sent (too long, a NUL).
    BadCommand,
}

impl RconError {
    /// The kind of problem, for plain words in the app.
    pub fn problem(&self) -> RconProblem {
        match self {
            Self::Connect { source, .. } => match source.kind() {
                std::io::ErrorKind::ConnectionRefused => RconProblem::ServerDown,
                std::io::ErrorKind::TimedOut => RconProblem::NoAnswer,
                _ => RconProblem::Unreachable,
            },
            // A password Minecraft could never match is, to the streamer, a wrong password; the
            // details say why.
            Self::WrongPassword { .. }
            | Self::NotLoggedIn { .. }
            | Self::PasswordTooLong { .. }
            | Self::PasswordHasNul { .. } => RconProblem::WrongPassword,
            Self::EmptyPassword => RconProblem::NoPassword,
            Self::Timeout { .. } => RconProblem::NoAnswer,
            Self::Io { .. } | Self::Closed { .. } | Self::Protocol { .. } => {
                RconProblem::ConnectionLost
            }
            Self::TooLong { .. } | Self::NulInCommand { .. } => RconProblem::BadCommand,
        }
    }

    /// True when the command certainly did not reach the server (safe to run it later).
    pub fn not_sent(&self) -> bool {
        matches!(
            self,
            Self::Connect { .. }
                | Self::WrongPassword { .. }
                | Self::EmptyPassword
                | Self::PasswordTooLong { .. }
                | Self::PasswordHasNul { .. }
                | Self::TooLong { .. }
                | Self::NulInCommand { .. }
        )
    }
}

/// One encoded packet: `len | id | type | payload | 0 0`, little-endian, in one buffer.
pub fn encode_packet(id: i32, kind: i32, payload: &[u8]) -> Vec<u8> {
    let len = 10 + payload.len();
    let mut buf = Vec::with_capacity(4 + len);
    buf.extend_from_slice(&(len as i32).to_le_bytes());
    buf.extend_from_slice(&id.to_le_bytes());
    buf.extend_from_slice(&kind.to_le_bytes());
    buf.extend_from_slice(payload);
    buf.extend_from_slice(&[0, 0]);
    buf
}

/// A decoded packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub id: i32,
    pub kind: i32,
    /// The body up to its first NUL.
    pub body: Vec<u8>,
}

/// Decodes the bytes after the length field (`id | type | body | 0 0`). Lenient about the
/// terminator (some servers send one NUL), strict about the minimum size.
pub fn decode_packet_body(bytes: &[u8]) -> Option<Packet> {
    if bytes.len() < 9 {
        return None;
    }
    let id = i32::from_le_bytes(bytes[0..4].try_into().ok()?);
    let kind = i32::from_le_bytes(bytes[4..8].try_into().ok()?);
    let rest = &bytes[8..];
    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    Some(Packet {
        id,
        kind,
        body: rest[..end].to_vec(),
    })
}

/// Refuses what vanilla would drop: a payload over 1,446 UTF-8 bytes, or a NUL.
pub fn check_command(command: &str) -> Result<(), RconError> {
    if command.len() > MAX_COMMAND_BYTES {
        let mut cut = 60.min(command.len());
        while !command.is_char_boundary(cut) {
            cut -= 1;
        }
        return Err(RconError::TooLong {
            bytes: command.len(),
            limit: MAX_COMMAND_BYTES,
            preview: command[..cut].to_owned(),
        });
    }
    if command.contains('\0') {
        return Err(RconError::NulInCommand {
            command: command.to_owned(),
        });
    }
    Ok(())
}

/// Refuses a password Minecraft could never accept, before any connection: empty (vanilla refuses
/// it), longer than one packet's payload (1,446 UTF-8 bytes: the server reads one 1,460-byte packet
/// and drops the connection on a longer one), or holding a NUL (the server cuts the text there).
/// The error never holds the password.
pub fn check_password(password: &str) -> Result<(), RconError> {
    if password.is_empty() {
        return Err(RconError::EmptyPassword);
    }
    if password.len() > MAX_COMMAND_BYTES {
        return Err(RconError::PasswordTooLong {
            bytes: password.len(),
            limit: MAX_COMMAND_BYTES,
        });
    }
    if let Some(at) = password.find('\0') {
        return Err(RconError::PasswordHasNul { at });
    }
    Ok(())
}

/// One logged-in connection. Requests take `&mut self`, so there is never more than one in flight.
pub struct RconClient {
    stream: TcpStream,
    addr: String,
    next_id: i32,
    timeouts: RconTimeouts,
}

impl fmt::Debug for RconClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RconClient")
            .field("addr", &self.addr)
            .field("next_id", &self.next_id)
            .finish_non_exhaustive()
    }
}

impl RconClient {
    /// Connects and logs in.
    pub async fn connect(config: &RconConfig, timeouts: RconTimeouts) -> Result<Self, RconError> {
        let addr = config.address();
        check_password(&config.password)?;
        let connect = TcpStream::connect((config.host.as_str(), config.port));
        let stream = match tokio::time::timeout(timeouts.connect, connect).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(source)) => return Err(RconError::Connect { addr, source }),
            Err(_) => {
                return Err(RconError::Connect {
                    addr,
                    source: std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no answer within {} ms", timeouts.connect.as_millis()),
                    ),
                });
            }
        };
        // Each packet is its own segment, sent at once.
        let _ = stream.set_nodelay(true);
        let mut client = Self {
            stream,
            addr,
            next_id: 1,
            timeouts,
        };
        client.login(&config.password).await?;
        tracing::debug!(addr = %client.addr, "RCON logged in");
        Ok(client)
    }

    pub fn address(&self) -> &str {
        &self.addr
    }

    fn take_id(&mut self) -> i32 {
        let id = self.next_id;
        // Ids stay positive (rconx refuses others; -1 means "not logged in").
        self.next_id = if id >= i32::MAX - 1 { 1 } else { id + 1 };
        id
    }

    async fn login(&mut self, password: &str) -> Result<(), RconError> {
        let id = self.take_id();
        self.send(id, TYPE_LOGIN, password.as_bytes(), "login")
            .await?;
        loop {
            let packet = self.read_packet("login").await?;
            if packet.id == -1 {
                return Err(RconError::WrongPassword {
                    addr: self.addr.clone(),
                });
            }
            if packet.id == id && packet.kind == TYPE_AUTH_RESPONSE {
                return Ok(());
            }
            // Valve-style servers (and rconx) send an empty RESPONSE_VALUE first: skip it.
            if packet.id == id && packet.kind == TYPE_RESPONSE {
                continue;
            }
            return Err(RconError::Protocol {
                addr: self.addr.clone(),
                detail: format!(
                    "login reply has id {} type {} (expected id {id} type 2)",
                    packet.id, packet.kind
                ),
            });
        }
    }

    /// True when the server has closed this connection while it sat idle (a peek that does not
    /// wait, before sending, so a restarted server does not cost a command). Leftover bytes (a
    /// second probe answer from Valve-style servers) are fine: they are skipped by id.
    pub async fn is_closed(&self) -> bool {
        let mut byte = [0u8; 1];
        // Polled once, never waits (a zero timeout would wait for the next 1 ms timer tick).
        match self.stream.peek(&mut byte).now_or_never() {
            Some(Ok(0) | Err(_)) => true,
            Some(Ok(_)) | None => false,
        }
    }

    /// Runs one command and returns the server's whole reply (all chunks joined).
    pub async fn command(&mut self, command: &str) -> Result<String, RconError> {
        check_command(command)?;
        let id = self.take_id();
        self.send(id, TYPE_COMMAND, command.as_bytes(), "sending the command")
            .await?;
        let first = self.read_reply_packet(id, "waiting for the reply").await?;
        let mut reply = first.body;
        // The reply may come in several chunks with no end marker. Only now that the first chunk is
        // here, send a probe with a new id (never together with the command) and collect until its
        // answer: vanilla answers an unknown type with "Unknown request 0" and the same id.
        let probe = self.take_id();
        self.send(probe, TYPE_RESPONSE, b"", "sending the end probe")
            .await?;
        loop {
            let packet = self.read_packet("reading the reply").await?;
            if packet.id == probe {
                break;
            }
            if packet.id == id {
                reply.extend_from_slice(&packet.body);
                if reply.len() > MAX_REPLY_BYTES {
                    return Err(self.protocol(format!("reply longer than {MAX_REPLY_BYTES} bytes")));
                }
                continue;
            }
            if packet.id == -1 {
                return Err(RconError::NotLoggedIn {
                    addr: self.addr.clone(),
                });
            }
            return Err(self.protocol(format!(
                "reply with id {} while waiting for {id} or {probe}",
                packet.id
            )));
        }
        Ok(String::from_utf8_lossy(&reply).into_owned())
    }

    /// Reads the first reply packet for `id`, skipping late answers to earlier probes (rconx answers
    /// a probe with two packets).
    async fn read_reply_packet(
        &mut self,
        id: i32,
        during: &'static str,
    ) -> Result<Packet, RconError> {
        loop {
            let packet = self.read_packet(during).await?;
            if packet.id == id {
                return Ok(packet);
            }
            if packet.id == -1 {
                return Err(RconError::NotLoggedIn {
                    addr: self.addr.clone(),
                });
            }
            if packet.id > 0 && packet.id < id {
                continue;
            }
            return Err(self.protocol(format!(
                "reply with id {} while waiting for {id}",
                packet.id
            )));
        }
    }

    fn protocol(&self, detail: String) -> RconError {
        RconError::Protocol {
            addr: self.addr.clone(),
            detail,
        }
    }

    async fn send(
        &mut self,
        id: i32,
        kind: i32,
        payload: &[u8],
        during: &'static str,
    ) -> Result<(), RconError> {
        let packet = encode_packet(id, kind, payload);
        debug_assert!(packet.len() <= MAX_PACKET_BYTES);
        // One buffer, one write: vanilla reads each packet with a single read.
        match tokio::time::timeout(self.timeouts.reply, self.stream.write_all(&packet)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(source)) => Err(RconError::Io {
                addr: self.addr.clone(),
                during,
                source,
            }),
            Err(_) => Err(self.timeout(during)),
        }
    }

    fn timeout(&self, during: &'static str) -> RconError {
        RconError::Timeout {
            addr: self.addr.clone(),
            millis: u64::try_from(self.timeouts.reply.as_millis()).unwrap_or(u64::MAX),
            during,
        }
    }

    async fn read_packet(&mut self, during: &'static str) -> Result<Packet, RconError> {
        let limit = self.timeouts.reply;
        match tokio::time::timeout(limit, read_packet_from(&mut self.stream)).await {
            Err(_) => Err(self.timeout(during)),
            Ok(Ok(packet)) => Ok(packet),
            Ok(Err(ReadError::Io(source)))
                if source.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                Err(RconError::Closed {
                    addr: self.addr.clone(),
                    during,
                })
            }
            Ok(Err(ReadError::Io(source))) => Err(RconError::Io {
                addr: self.addr.clone(),
                during,
                source,
            }),
            Ok(Err(ReadError::Bad(detail))) => Err(self.protocol(detail)),
        }
    }
}

enum ReadError {
    Io(std::io::Error),
    Bad(String),
}

async fn read_packet_from(stream: &mut TcpStream) -> Result<Packet, ReadError> {
    let mut len_bytes = [0u8; 4];
    stream
        .read_exact(&mut len_bytes)
        .await
        .map_err(ReadError::Io)?;
    let len = i32::from_le_bytes(len_bytes);
    let len = usize::try_from(len)
        .ok()
        .filter(|&l| (10..=MAX_REPLY_PACKET_BYTES).contains(&l))
        .ok_or_else(|| ReadError::Bad(format!("length field {len} out of range")))?;
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await.map_err(ReadError::Io)?;
    decode_packet_body(&body).ok_or_else(|| ReadError::Bad("packet too short".to_owned()))
}

/// Connects, logs in and runs `list` (harmless on vanilla); returns the server's reply. For the
/// app's "Test connection" button.
pub async fn test_rcon_connection(config: &RconConfig) -> Result<String, RconError> {
    let mut client = RconClient::connect(config, RconTimeouts::default()).await?;
    client.command("list").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_minecraft_cannot_accept_is_refused_before_connecting() {
        let server = crate::testkit::rcon::FakeRcon::start("pw").await.unwrap();
        let config = |password: String| RconConfig {
            host: "127.0.0.1".into(),
            port: server.port(),
            password,
        };
        let long = "p".repeat(MAX_COMMAND_BYTES + 1);
        let err = RconClient::connect(&config(long), RconTimeouts::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                RconError::PasswordTooLong {
                    bytes: 1447,
                    limit: 1446
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("at most 1446 bytes"), "{err}");
        assert!(
            !err.to_string().contains("ppp"),
            "the error never shows the password"
        );
        // 1,446 bytes of UTF-8, not characters: 724 × "é" is 1,448 bytes.
        assert!(matches!(
            check_password(&"é".repeat(724)),
            Err(RconError::PasswordTooLong { bytes: 1448, .. })
        ));
        assert!(check_password(&"p".repeat(MAX_COMMAND_BYTES)).is_ok());
        let err = RconClient::connect(&config("hunter\0two".into()), RconTimeouts::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, RconError::PasswordHasNul { at: 6 }),
            "{err:?}"
        );
        assert!(!err.to_string().contains("hunter"));
        assert!(err.not_sent());
        assert_eq!(server.connections(), 0, "no connection was opened");
    }

    #[test]
    fn packets_are_framed_little_endian_with_two_nuls() {
        let p = encode_packet(7, TYPE_COMMAND, b"say hi");
        assert_eq!(&p[0..4], &16i32.to_le_bytes());
        assert_eq!(&p[4..8], &7i32.to_le_bytes());
        assert_eq!(&p[8..12], &2i32.to_le_bytes());
        assert_eq!(&p[12..18], b"say hi");
        assert_eq!(&p[18..], &[0, 0]);
        let back = decode_packet_body(&p[4..]).unwrap();
        assert_eq!(
            back,
            Packet {
                id: 7,
                kind: 2,
                body: b"say hi".to_vec()
            }
        );
        assert!(decode_packet_body(&p[4..10]).is_none());
    }

    #[test]
    fn an_endpoint_is_set_up_only_with_a_host_and_a_password() {
        let set = RconConfig {
            host: " mc.example ".into(),
            password: "pw".into(),
            ..RconConfig::default()
        };
        let usable = set.if_set_up().unwrap();
        assert_eq!((usable.host.as_str(), usable.port), ("mc.example", 25575));
        assert!(RconConfig::default().if_set_up().is_none(), "no password");
        let no_host = RconConfig {
            host: "  ".into(),
            ..set
        };
        assert!(no_host.if_set_up().is_none());
    }

    #[test]
    fn the_largest_allowed_command_fits_one_vanilla_read() {
        let cmd = "a".repeat(MAX_COMMAND_BYTES);
        assert!(check_command(&cmd).is_ok());
        assert_eq!(encode_packet(1, 2, cmd.as_bytes()).len(), MAX_PACKET_BYTES);
        let err = check_command(&format!("{cmd}é")).unwrap_err();
        assert!(err.to_string().contains("1448 bytes"), "{err}");
        assert!(err.not_sent());
        assert!(matches!(
            check_command("say a\0b"),
            Err(RconError::NulInCommand { .. })
        ));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let c = RconConfig {
            host: "127.0.0.1".into(),
            port: 25575,
            password: "hunter2".into(),
        };
        let shown = format!("{c:?} {c:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***"));
        assert_eq!(c.address(), "127.0.0.1:25575");
    }

    #[test]
    fn each_error_has_its_problem_kind() {
        let addr = || "127.0.0.1:25575".to_owned();
        let connect = |kind| RconError::Connect {
            addr: addr(),
            source: std::io::Error::from(kind),
        };
        let cases = [
            (
                connect(std::io::ErrorKind::ConnectionRefused),
                RconProblem::ServerDown,
            ),
            (connect(std::io::ErrorKind::TimedOut), RconProblem::NoAnswer),
            (connect(std::io::ErrorKind::Other), RconProblem::Unreachable),
            (
                RconError::WrongPassword { addr: addr() },
                RconProblem::WrongPassword,
            ),
            (
                RconError::NotLoggedIn { addr: addr() },
                RconProblem::WrongPassword,
            ),
            (RconError::EmptyPassword, RconProblem::NoPassword),
            (
                RconError::Timeout {
                    addr: addr(),
                    millis: 5,
                    during: "login",
                },
                RconProblem::NoAnswer,
            ),
            (
                RconError::Closed {
                    addr: addr(),
                    during: "login",
                },
                RconProblem::ConnectionLost,
            ),
            (
                RconError::NulInCommand {
                    command: "a\0b".into(),
                },
                RconProblem::BadCommand,
            ),
        ];
        for (err, problem) in cases {
            assert_eq!(err.problem(), problem, "{err}");
        }
    }
}
