//! A strict RCON test server on loopback that enforces vanilla Minecraft's rules, for tests and
//! benchmarks: one `read` of at most 1,460 bytes per packet, the connection is closed when the length
//! field disagrees with the bytes read − 4 (so pipelined or split packets fail), id −1 for a wrong
//! password or a command before login, "Unknown request N" for other types, and replies split into
//! chunks of 4,096 UTF-16 units. It records every command with the time it arrived.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::rcon::{MAX_PACKET_BYTES, TYPE_AUTH_RESPONSE, TYPE_COMMAND, TYPE_LOGIN, encode_packet};

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
    received: Vec<Received>,
    violations: Vec<String>,
    logins_ok: u32,
    logins_refused: u32,
    connections: u32,
}

/// A running strict server; stops when dropped.
pub struct StrictServer {
    pub addr: SocketAddr,
    record: Arc<Mutex<Record>>,
    task: Option<JoinHandle<()>>,
}

impl Drop for StrictServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl StrictServer {
    /// Starts on a free loopback port; replies `"ran <command>"`.
    pub async fn start(password: &str) -> std::io::Result<Self> {
        Self::start_on(
            "127.0.0.1:0".parse().expect("literal address"),
            password,
            Arc::new(|c: &str| format!("ran {c}")),
        )
        .await
    }

    /// Starts on `addr` with a reply function.
    pub async fn start_on(
        addr: SocketAddr,
        password: &str,
        reply: ReplyFn,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let record = Arc::new(Mutex::new(Record::default()));
        let password = password.to_owned();
        let rec = record.clone();
        let task = tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                lock(&rec).connections += 1;
                sessions.spawn(serve(stream, password.clone(), reply.clone(), rec.clone()));
            }
        });
        Ok(Self {
            addr,
            record,
            task: Some(task),
        })
    }

    /// Stops listening and closes every connection; returns once the port is free again.
    pub async fn stop(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Commands run, in order.
    pub fn commands(&self) -> Vec<String> {
        lock(&self.record)
            .received
            .iter()
            .map(|r| r.command.clone())
            .collect()
    }

    /// Commands run, with arrival times.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.record).received.clone()
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
                lock(&record).received.push(Received {
                    at: Instant::now(),
                    command: text.clone(),
                });
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

#[cfg(test)]
mod tests {
    use super::*;

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
