//! The fake Minecraft RCON server on loopback, for tests, benchmarks and the demo. It enforces vanilla
//! Minecraft's rules strictly: one `read` of at most 1,460 bytes per packet, the connection is closed
//! when the length field disagrees with the bytes read − 4 (so pipelined or split packets fail), id −1
//! for a wrong password or a command before login, "Unknown request N" for other types, and replies
//! split into chunks of 4,096 UTF-16 units. It records the commands it ran with their arrival time
//! (all of them for tests; the last 1,000 for the demo, which runs for hours).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::actions::rcon::{
    MAX_PACKET_BYTES, TYPE_AUTH_RESPONSE, TYPE_COMMAND, TYPE_LOGIN, encode_packet,
};

/// The password the demo's server accepts (it only listens on 127.0.0.1).
pub const DEMO_RCON_PASSWORD: &str = "giftdeck-demo";
/// Commands the demo's server remembers (for its log and tests): it runs for hours.
const DEMO_REMEMBERED: usize = 1_000;

/// Makes the reply to a command.
pub type ReplyFn = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// One command the server ran.
#[derive(Clone, Debug)]
pub struct Received {
    pub at: Instant,
    pub command: String,
}

#[derive(Default)]
struct Record {
    /// At most `remember` entries, oldest first.
    received: VecDeque<Received>,
    remember: usize,
    violations: Vec<String>,
    logins_ok: u32,
    logins_refused: u32,
    connections: u32,
    /// Tells the server task to close every session and end (kept here, not in [`FakeRcon`]:
    /// the demo's state holds one, and its size counts).
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// A running fake RCON server; stops when dropped.
pub struct FakeRcon {
    pub addr: SocketAddr,
    record: Arc<Mutex<Record>>,
    task: Option<JoinHandle<()>>,
}

impl Drop for FakeRcon {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl FakeRcon {
    /// Starts on a free loopback port; replies `"ran <command>"`.
    pub async fn start(password: &str) -> std::io::Result<Self> {
        Self::start_on(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            password,
            Arc::new(|c: &str| format!("ran {c}")),
        )
        .await
    }

    /// The demo's Minecraft stand-in: [`DEMO_RCON_PASSWORD`], plausible vanilla-like replies
    /// ([`demo_reply`]), and only the last 1,000 commands remembered. Call inside the runtime.
    pub async fn start_demo() -> std::io::Result<Self> {
        Self::start_with(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            DEMO_RCON_PASSWORD,
            Arc::new(demo_reply),
            DEMO_REMEMBERED,
        )
        .await
    }

    /// Starts on `addr` with a reply function.
    pub async fn start_on(
        addr: SocketAddr,
        password: &str,
        reply: ReplyFn,
    ) -> std::io::Result<Self> {
        Self::start_with(addr, password, reply, usize::MAX).await
    }

    async fn start_with(
        addr: SocketAddr,
        password: &str,
        reply: ReplyFn,
        remember: usize,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let record = Arc::new(Mutex::new(Record {
            remember,
            stop: Some(stop),
            ..Record::default()
        }));
        let password = password.to_owned();
        let rec = record.clone();
        let task = tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            let accept = async {
                while let Ok((stream, _)) = listener.accept().await {
                    lock(&rec).connections += 1;
                    sessions.spawn(serve(stream, password.clone(), reply.clone(), rec.clone()));
                }
            };
            tokio::select! {
                () = accept => {}
                _ = stopped => {}
            }
            drop(listener);
            // Aborting a session only schedules its end: wait until each one's socket is closed,
            // so a client's next command meets a closed connection, never a silent one.
            sessions.shutdown().await;
        });
        Ok(Self {
            addr,
            record,
            task: Some(task),
        })
    }

    /// Stops listening and closes every connection; returns once the port is free again.
    pub async fn stop(mut self) {
        if let Some(stop) = lock(&self.record).stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Commands run, in order (for the demo server, the last 1,000).
    pub fn commands(&self) -> Vec<String> {
        lock(&self.record)
            .received
            .iter()
            .map(|r| r.command.clone())
            .collect()
    }

    /// Commands run, with arrival times.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.record).received.iter().cloned().collect()
    }

    /// Rule breaks seen (each closed its connection).
    pub fn violations(&self) -> Vec<String> {
        lock(&self.record).violations.clone()
    }

    /// (accepted, refused) logins.
    pub fn logins(&self) -> (u32, u32) {
        let r = lock(&self.record);
        (r.logins_ok, r.logins_refused)
    }

    pub fn connections(&self) -> u32 {
        lock(&self.record).connections
    }
}

fn lock(record: &Mutex<Record>) -> std::sync::MutexGuard<'_, Record> {
    record.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn serve(
    mut stream: TcpStream,
    password: String,
    reply: ReplyFn,
    record: Arc<Mutex<Record>>,
) {
    let mut buf = [0u8; MAX_PACKET_BYTES];
    let mut logged_in = false;
    loop {
        // Exactly like vanilla: one read per packet.
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if n < 10 {
            lock(&record)
                .violations
                .push(format!("packet of {n} bytes (< 10)"));
            return;
        }
        let len = i32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
        if i64::from(len) != n as i64 - 4 {
            lock(&record).violations.push(format!(
                "length field {len} but {} bytes read after it",
                n - 4
            ));
            return;
        }
        let id = i32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
        let kind = i32::from_le_bytes([buf[8], buf[9], buf[10], buf[11]]);
        let body = &buf[12.min(n)..n];
        let end = body.iter().position(|&b| b == 0).unwrap_or(body.len());
        let text = String::from_utf8_lossy(&body[..end]).into_owned();
        let answers: Vec<Vec<u8>> = match kind {
            TYPE_LOGIN => {
                if !password.is_empty() && text == password {
                    logged_in = true;
                    lock(&record).logins_ok += 1;
                    vec![encode_packet(id, TYPE_AUTH_RESPONSE, b"")]
                } else {
                    logged_in = false;
                    lock(&record).logins_refused += 1;
                    vec![encode_packet(-1, TYPE_AUTH_RESPONSE, b"")]
                }
            }
            TYPE_COMMAND if !logged_in => vec![encode_packet(-1, TYPE_AUTH_RESPONSE, b"")],
            TYPE_COMMAND => {
                {
                    let mut record = lock(&record);
                    if record.received.len() >= record.remember {
                        record.received.pop_front();
                    }
                    record.received.push_back(Received {
                        at: Instant::now(),
                        command: text.clone(),
                    });
                }
                let out = reply(&text);
                split_java_chunks(&out)
                    .into_iter()
                    .map(|chunk| encode_packet(id, 0, chunk.as_bytes()))
                    .collect()
            }
            other => vec![encode_packet(
                id,
                0,
                format!("Unknown request {other:x}").as_bytes(),
            )],
        };
        for answer in answers {
            if stream.write_all(&answer).await.is_err() {
                return;
            }
        }
    }
}

/// Splits a reply like vanilla: chunks of at most 4,096 Java chars (UTF-16 units); an empty reply is
/// one empty chunk.
pub fn split_java_chunks(reply: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut units = 0;
    for (i, c) in reply.char_indices() {
        if units + c.len_utf16() > 4096 {
            chunks.push(&reply[start..i]);
            start = i;
            units = 0;
        }
        units += c.len_utf16();
    }
    if start < reply.len() || chunks.is_empty() {
        chunks.push(&reply[start..]);
    }
    chunks
}

/// A plausible, clearly labelled reply for a few common commands (the demo server's replies).
pub fn demo_reply(command: &str) -> String {
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
        stream
            .write_all(&encode_packet(id, kind, body.as_bytes()))
            .await
            .unwrap();
        let mut len = [0u8; 4];
        stream.read_exact(&mut len).await.unwrap();
        let mut rest = vec![0u8; i32::from_le_bytes(len) as usize];
        stream.read_exact(&mut rest).await.unwrap();
        let reply_id = i32::from_le_bytes(rest[0..4].try_into().unwrap());
        let text = String::from_utf8_lossy(&rest[8..rest.len() - 2]).into_owned();
        (reply_id, text)
    }

    #[tokio::test]
    async fn the_demo_server_speaks_vanilla_rcon_and_answers_plausibly() {
        let server = FakeRcon::start_demo().await.unwrap();
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        let (id, _) = exchange(&mut s, 7, TYPE_COMMAND, "say hi").await;
        assert_eq!(id, -1, "not logged in");
        assert_eq!(exchange(&mut s, 8, TYPE_LOGIN, "wrong").await.0, -1);
        assert_eq!(
            exchange(&mut s, 9, TYPE_LOGIN, DEMO_RCON_PASSWORD).await.0,
            9
        );
        let (id, text) = exchange(
            &mut s,
            10,
            TYPE_COMMAND,
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

    /// `stop` returns only once every session's socket is closed, so a client's next look at the
    /// connection sees its end (aborting the sessions alone closed them some time later, and a
    /// command sent in between met a silent socket).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stop_closes_every_connection_before_it_returns() {
        let server = FakeRcon::start("pw").await.unwrap();
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        assert_eq!(exchange(&mut s, 1, TYPE_LOGIN, "pw").await.0, 1);
        let client = s.into_std().unwrap();
        server.stop().await;
        let mut byte = [0u8; 1];
        // Still non-blocking: an open socket answers WouldBlock at once.
        match client.peek(&mut byte) {
            Ok(0) => {}
            other => panic!("the connection is still open after stop: {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_demo_server_remembers_only_the_latest_commands() {
        let server = FakeRcon::start_demo().await.unwrap();
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        assert_eq!(
            exchange(&mut s, 1, TYPE_LOGIN, DEMO_RCON_PASSWORD).await.0,
            1
        );
        for n in 0..DEMO_REMEMBERED + 5 {
            exchange(&mut s, 2, TYPE_COMMAND, &format!("say {n}")).await;
        }
        let commands = server.commands();
        assert_eq!(commands.len(), DEMO_REMEMBERED);
        assert_eq!(commands[0], "say 5");
        assert_eq!(
            commands[DEMO_REMEMBERED - 1],
            format!("say {}", DEMO_REMEMBERED + 4)
        );
    }

    #[test]
    fn chunks_count_java_chars_not_bytes() {
        assert_eq!(split_java_chunks(""), [""]);
        let s = "é".repeat(5000);
        let chunks = split_java_chunks(&s);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].chars().count(), 4096);
        assert_eq!(chunks[0].len(), 8192);
        assert_eq!(chunks.concat(), s);
    }
}
