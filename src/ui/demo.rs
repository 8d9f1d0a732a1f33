//! Demo mode's stand-in Minecraft server: a small RCON server on loopback that answers like
//! vanilla (login → same id, type 2; commands → a type-0 reply; unknown types → "Unknown
//! request"), so the demo's queue really sends commands and shows replies without a game.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The password the demo server accepts (it only listens on 127.0.0.1).
pub const DEMO_RCON_PASSWORD: &str = "giftdeck-demo";
/// Commands remembered for tests and the demo log.
const REMEMBERED: usize = 1_000;
/// Largest packet we accept, as vanilla (one 1460-byte read).
const MAX_PACKET: usize = 1_460;

/// A running demo RCON server; dropping it stops it.
pub struct DemoRcon {
    port: u16,
    received: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DemoRcon {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DemoRcon {
    /// Binds 127.0.0.1 on a free port. Call inside the runtime.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let log = log.clone();
                tokio::spawn(async move {
                    if let Err(err) = serve(stream, log).await {
                        tracing::debug!("demo rcon connection ended: {err}");
                    }
                });
            }
        });
        Ok(Self {
            port,
            received,
            task,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Commands received so far, oldest first (at most the last 1,000).
    pub fn commands(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

async fn serve(mut stream: TcpStream, log: Arc<Mutex<Vec<String>>>) -> std::io::Result<()> {
    let mut authed = false;
    loop {
        let mut len = [0u8; 4];
        stream.read_exact(&mut len).await?;
        let len = usize::try_from(i32::from_le_bytes(len)).unwrap_or(0);
        if !(10..=MAX_PACKET - 4).contains(&len) {
            return Ok(()); // vanilla closes on a bad length
        }
        let mut body = vec![0u8; len];
        stream.read_exact(&mut body).await?;
        let id = i32::from_le_bytes([body[0], body[1], body[2], body[3]]);
        let kind = i32::from_le_bytes([body[4], body[5], body[6], body[7]]);
        let payload = &body[8..len - 2];
        let text = String::from_utf8_lossy(payload.split(|&b| b == 0).next().unwrap_or(&[]));
        let reply = match kind {
            3 => {
                authed = text == DEMO_RCON_PASSWORD;
                let reply_id = if authed { id } else { -1 };
                packet(reply_id, 2, "")
            }
            2 if !authed => packet(-1, 0, ""),
            2 => {
                let answer = answer(&text);
                {
                    let mut log = log
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    if log.len() == REMEMBERED {
                        log.remove(0);
                    }
                    log.push(text.into_owned());
                }
                packet(id, 0, &answer)
            }
            other => packet(id, 0, &format!("Unknown request {other:x}")),
        };
        stream.write_all(&reply).await?;
    }
}

fn packet(id: i32, kind: i32, body: &str) -> Vec<u8> {
    let len = i32::try_from(10 + body.len()).unwrap_or(i32::MAX);
    let mut out = Vec::with_capacity(14 + body.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// A plausible, clearly-labelled reply for a few common commands.
fn answer(command: &str) -> String {
    let command = command.trim_start_matches('/');
    let word = command.split_whitespace().next().unwrap_or("");
    let entity = |c: &str| {
        c.split_whitespace()
            .skip_while(|w| *w != "summon")
            .nth(1)
            .map(|e| e.trim_start_matches("minecraft:").to_owned())
    };
    match word {
        "say" | "tellraw" => String::new(),
        "title" => "Showing new title for 3 players".into(),
        "give" => "Gave 1 item to 3 players".into(),
        "effect" => "Applied effect to 3 targets".into(),
        "list" => {
            "There are 3 of a max of 20 players online: Steve, Alex, Notch (demo server)".into()
        }
        _ => match entity(command) {
            Some(e) => format!("Summoned new {e} (demo server)"),
            None => format!("(demo server) ran: {word}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exchange(stream: &mut TcpStream, id: i32, kind: i32, body: &str) -> (i32, String) {
        stream.write_all(&packet(id, kind, body)).await.unwrap();
        let mut len = [0u8; 4];
        stream.read_exact(&mut len).await.unwrap();
        let mut rest = vec![0u8; i32::from_le_bytes(len) as usize];
        stream.read_exact(&mut rest).await.unwrap();
        let reply_id = i32::from_le_bytes(rest[0..4].try_into().unwrap());
        let text = String::from_utf8_lossy(&rest[8..rest.len() - 2]).into_owned();
        (reply_id, text)
    }

    #[tokio::test]
    async fn demo_server_speaks_vanilla_rcon() {
        let server = DemoRcon::start().await.unwrap();
        let mut s = TcpStream::connect(("127.0.0.1", server.port()))
            .await
            .unwrap();
        assert_eq!(
            exchange(&mut s, 7, 2, "say hi").await.0,
            -1,
            "not logged in"
        );
        assert_eq!(exchange(&mut s, 8, 3, "wrong").await.0, -1);
        assert_eq!(exchange(&mut s, 9, 3, DEMO_RCON_PASSWORD).await.0, 9);
        let (id, text) = exchange(
            &mut s,
            10,
            2,
            "execute at @a run summon minecraft:zombie ~ ~ ~",
        )
        .await;
        assert_eq!(
            (id, text.as_str()),
            (10, "Summoned new zombie (demo server)")
        );
        assert_eq!(exchange(&mut s, 11, 0, "").await.1, "Unknown request 0");
        assert_eq!(
            server.commands(),
            ["execute at @a run summon minecraft:zombie ~ ~ ~"]
        );
    }
}
