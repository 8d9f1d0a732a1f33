//! A small client for speech-dispatcher's SSIP protocol over its Unix socket (what `spd-say`
//! speaks), in pure Rust: no libspeechd, no build-time headers. Commands are CRLF lines answered
//! by `NNN-…` continuation lines and a final `NNN text` line; events (`7xx`, after
//! `SET self NOTIFICATION ALL on`) arrive between replies and are routed apart. When the socket is
//! missing, the server is started the way libspeechd does (`speech-dispatcher --spawn`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::OwnedWriteHalf;
use tokio::sync::{mpsc, watch};

use super::SpeechError;
use super::filters::Utterance;
use super::queue::{Said, SpeechService};

/// How long one reply may take.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a started speech-dispatcher may take to open its socket.
const SPAWN_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a single line from the server may be (a voice list line is short).
const MAX_LINE: usize = 16 * 1024;

/// One reply: its code and its lines (continuation lines first, the final text last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

/// What speech-dispatcher tells about a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SsipEvent {
    Begin(u64),
    End(u64),
    Cancelled(u64),
    Other(u16),
}

/// Where the socket is: `SPEECHD_ADDRESS=unix_socket:/path`, else
/// `$XDG_RUNTIME_DIR/speech-dispatcher/speechd.sock` (speech-dispatcher's own rule).
pub fn socket_path(speechd_address: Option<&str>, runtime_dir: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = speechd_address
        .and_then(|a| a.trim().strip_prefix("unix_socket:"))
        .filter(|p| !p.is_empty())
    {
        return Some(PathBuf::from(path));
    }
    runtime_dir.map(|dir| dir.join("speech-dispatcher").join("speechd.sock"))
}

/// Splits one reply line into its code, whether more lines follow, and its text.
pub fn parse_line(line: &str) -> Option<(u16, bool, &str)> {
    let code = line.get(..3)?.parse::<u16>().ok()?;
    match line.as_bytes().get(3) {
        Some(b'-') => Some((code, true, &line[4..])),
        Some(b' ') => Some((code, false, &line[4..])),
        None => Some((code, false, "")),
        _ => None,
    }
}

/// Turns a finished 7xx reply into an event.
pub fn event_of(reply: &Reply) -> SsipEvent {
    let id = || {
        reply
            .lines
            .first()
            .and_then(|l| l.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    match reply.code {
        701 => SsipEvent::Begin(id()),
        702 => SsipEvent::End(id()),
        703 => SsipEvent::Cancelled(id()),
        other => SsipEvent::Other(other),
    }
}

/// The text of a `SPEAK` body: lines ending in CRLF, a leading `.` doubled, the end marker added.
pub fn speak_body(text: &str) -> String {
    let mut body = String::with_capacity(text.len() + 8);
    for line in text.lines() {
        if line.starts_with('.') {
            body.push('.');
        }
        body.push_str(line);
        body.push_str("\r\n");
    }
    body.push_str(".\r\n");
    body
}

/// A value for a `SET` command: one line, no CR or LF.
fn one_word(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A connection to speech-dispatcher.
pub struct Ssip {
    writer: OwnedWriteHalf,
    replies: mpsc::Receiver<Reply>,
    events: mpsc::Receiver<SsipEvent>,
    /// Set when the reader stopped (the server went away).
    closed: watch::Receiver<bool>,
}

impl Ssip {
    /// Connects to the socket at `path` (None: the usual place), starting speech-dispatcher
    /// when it is installed but not running.
    pub async fn connect(path: Option<PathBuf>) -> Result<Self, SpeechError> {
        let path = match path {
            Some(path) => path,
            None => socket_path(
                std::env::var("SPEECHD_ADDRESS").ok().as_deref(),
                std::env::var_os("XDG_RUNTIME_DIR")
                    .map(PathBuf::from)
                    .as_deref(),
            )
            .ok_or(SpeechError::NoRuntimeDir)?,
        };
        let stream = match UnixStream::connect(&path).await {
            Ok(stream) => stream,
            Err(_) => {
                spawn_server()?;
                wait_for_socket(&path).await?
            }
        };
        let mut ssip = Self::over(stream);
        ssip.command("SET self CLIENT_NAME giftdeck:giftdeck:main")
            .await?;
        ssip.command("SET self NOTIFICATION ALL on").await?;
        Ok(ssip)
    }

    fn over(stream: UnixStream) -> Self {
        let (read, writer) = stream.into_split();
        let (reply_tx, replies) = mpsc::channel(8);
        let (event_tx, events) = mpsc::channel(64);
        let (closed_tx, closed) = watch::channel(false);
        tokio::spawn(async move {
            let mut reader = BufReader::new(read);
            let mut line = String::new();
            let mut lines = Vec::new();
            loop {
                line.clear();
                match (&mut reader)
                    .take(MAX_LINE as u64)
                    .read_line(&mut line)
                    .await
                {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let text = line.trim_end_matches(['\r', '\n']);
                let Some((code, more, rest)) = parse_line(text) else {
                    continue;
                };
                lines.push(rest.to_owned());
                if more {
                    if lines.len() > 1_000 {
                        lines.clear();
                    }
                    continue;
                }
                let reply = Reply {
                    code,
                    lines: std::mem::take(&mut lines),
                };
                if (700..800).contains(&code) {
                    // A full event channel loses an event, never blocks replies.
                    let _ = event_tx.try_send(event_of(&reply));
                } else if reply_tx.send(reply).await.is_err() {
                    break;
                }
            }
            let _ = closed_tx.send(true);
        });
        Self {
            writer,
            replies,
            events,
            closed,
        }
    }

    async fn send(&mut self, text: &str) -> Result<(), SpeechError> {
        self.writer
            .write_all(text.as_bytes())
            .await
            .map_err(|e| SpeechError::Service(format!("speech-dispatcher: {e}")))
    }

    async fn reply(&mut self) -> Result<Reply, SpeechError> {
        match tokio::time::timeout(REPLY_TIMEOUT, self.replies.recv()).await {
            Ok(Some(reply)) => Ok(reply),
            Ok(None) => Err(SpeechError::Service(
                "speech-dispatcher closed the connection".into(),
            )),
            Err(_) => Err(SpeechError::Service(
                "speech-dispatcher did not answer within 5 s".into(),
            )),
        }
    }

    /// Sends one command line and checks that the answer is a success (2xx).
    pub async fn command(&mut self, line: &str) -> Result<Reply, SpeechError> {
        self.send(&format!("{line}\r\n")).await?;
        let reply = self.reply().await?;
        if !(200..300).contains(&reply.code) {
            return Err(SpeechError::Service(format!(
                "speech-dispatcher refused {:?}: {} {}",
                line.split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" "),
                reply.code,
                reply.lines.last().map_or("", String::as_str)
            )));
        }
        Ok(reply)
    }

    /// Queues `text` and returns its message id.
    pub async fn speak(&mut self, text: &str) -> Result<u64, SpeechError> {
        let ready = self.command("SPEAK").await?;
        if ready.code != 230 {
            return Err(SpeechError::Service(format!(
                "speech-dispatcher: unexpected {}",
                ready.code
            )));
        }
        self.send(&speak_body(text)).await?;
        let queued = self.reply().await?;
        if queued.code != 225 {
            return Err(SpeechError::Service(format!(
                "speech-dispatcher did not queue the text: {} {}",
                queued.code,
                queued.lines.last().map_or("", String::as_str)
            )));
        }
        queued
            .lines
            .first()
            .and_then(|l| l.trim().parse().ok())
            .ok_or_else(|| SpeechError::Service("speech-dispatcher gave no message id".into()))
    }

    /// The synthesis voices' names.
    pub async fn voices(&mut self) -> Result<Vec<String>, SpeechError> {
        let reply = self.command("LIST SYNTHESIS_VOICES").await?;
        let count = reply.lines.len().saturating_sub(1);
        Ok(reply.lines[..count]
            .iter()
            .filter_map(|l| l.split('\t').next())
            .map(str::to_owned)
            .collect())
    }

    async fn set_voice(&mut self, utterance: &Utterance) -> Result<(), SpeechError> {
        let voice = &utterance.voice;
        self.command(&format!("SET self RATE {}", voice.ssip_rate()))
            .await?;
        self.command(&format!("SET self VOLUME {}", voice.ssip_volume()))
            .await?;
        if let Some(name) = voice
            .name
            .as_deref()
            .map(one_word)
            .filter(|n| !n.is_empty())
        {
            self.command(&format!("SET self SYNTHESIS_VOICE {name}"))
                .await?;
        }
        Ok(())
    }

    /// Waits for the end of message `id`, or for `cancel` to change (then cancels it).
    async fn wait_for(
        &mut self,
        id: u64,
        cancel: &mut watch::Receiver<u64>,
    ) -> Result<Said, SpeechError> {
        enum Next {
            Done(Said),
            Cancel,
            Gone,
        }
        loop {
            let next = tokio::select! {
                event = self.events.recv() => match event {
                    Some(SsipEvent::End(got)) if got == id => Next::Done(Said::Finished),
                    Some(SsipEvent::Cancelled(got)) if got == id => Next::Done(Said::Cancelled),
                    Some(_) => continue,
                    None => Next::Gone,
                },
                changed = cancel.changed() => match changed {
                    Ok(()) => Next::Cancel,
                    Err(_) => Next::Done(Said::Cancelled),
                },
                () = closed(&mut self.closed) => Next::Gone,
            };
            return match next {
                Next::Done(said) => Ok(said),
                Next::Cancel => {
                    self.command("CANCEL self").await?;
                    Ok(Said::Cancelled)
                }
                Next::Gone => Err(SpeechError::Service(
                    "speech-dispatcher closed the connection".into(),
                )),
            };
        }
    }
}

/// Resolves once the reader stopped.
async fn closed(closed: &mut watch::Receiver<bool>) {
    let _ = closed.wait_for(|c| *c).await;
}

impl SpeechService for Ssip {
    async fn say(
        &mut self,
        utterance: &Utterance,
        cancel: &mut watch::Receiver<u64>,
    ) -> Result<Said, SpeechError> {
        self.set_voice(utterance).await?;
        let id = self.speak(&utterance.text).await?;
        self.wait_for(id, cancel).await
    }
}

fn spawn_server() -> Result<(), SpeechError> {
    let Some(binary) = find_program("speech-dispatcher") else {
        return Err(SpeechError::NotInstalled);
    };
    std::process::Command::new(binary)
        .arg("--spawn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| SpeechError::Service(format!("cannot start speech-dispatcher: {e}")))?;
    Ok(())
}

async fn wait_for_socket(path: &Path) -> Result<UnixStream, SpeechError> {
    let deadline = tokio::time::Instant::now() + SPAWN_TIMEOUT;
    loop {
        match UnixStream::connect(path).await {
            Ok(stream) => return Ok(stream),
            Err(err) if tokio::time::Instant::now() >= deadline => {
                return Err(SpeechError::NotRunning {
                    socket: path.display().to_string(),
                    reason: err.to_string(),
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lines_parse() {
        assert_eq!(parse_line("225-21"), Some((225, true, "21")));
        assert_eq!(
            parse_line("225 OK MESSAGE QUEUED"),
            Some((225, false, "OK MESSAGE QUEUED"))
        );
        assert_eq!(parse_line("702"), Some((702, false, "")));
        assert_eq!(parse_line("2x5 nope"), None);
        assert_eq!(parse_line("22"), None);
        assert_eq!(parse_line("225?x"), None);
    }

    #[test]
    fn events_carry_their_message_id() {
        let reply = Reply {
            code: 702,
            lines: vec!["21".into(), "3".into(), "END".into()],
        };
        assert_eq!(event_of(&reply), SsipEvent::End(21));
        let reply = Reply {
            code: 703,
            lines: vec!["9".into(), "3".into(), "CANCELED".into()],
        };
        assert_eq!(event_of(&reply), SsipEvent::Cancelled(9));
    }

    #[test]
    fn a_leading_dot_is_doubled_so_it_cannot_end_the_text() {
        assert_eq!(speak_body("hi\n.\n.x"), "hi\r\n..\r\n..x\r\n.\r\n");
        assert_eq!(speak_body(""), ".\r\n");
    }

    #[test]
    fn socket_path_follows_speech_dispatcher() {
        assert_eq!(
            socket_path(
                Some("unix_socket:/tmp/s.sock"),
                Some(Path::new("/run/user/1"))
            ),
            Some(PathBuf::from("/tmp/s.sock"))
        );
        assert_eq!(
            socket_path(
                Some("inet_socket:127.0.0.1:6560"),
                Some(Path::new("/run/user/1"))
            ),
            Some(PathBuf::from("/run/user/1/speech-dispatcher/speechd.sock"))
        );
        assert_eq!(socket_path(None, None), None);
    }

    #[test]
    fn set_values_are_one_line() {
        assert_eq!(one_word(" en\r\nQUIT "), "enQUIT");
    }
}
