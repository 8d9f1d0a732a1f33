//! Sound output over the PulseAudio native protocol — spoken by PulseAudio and by PipeWire's pulse
//! server, i.e. by nearly every Linux desktop — in pure Rust: nothing to link, nothing to install.
//! One connection and one playback stream per sound; the server mixes them.

use std::ffi::CString;
use std::io::{BufRead, BufReader, Cursor, ErrorKind, Read};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use pulseaudio::protocol::{self, Command};

use super::PcmSpec;

/// How long the server may take to answer a handshake step or to finish sending a message.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a wait for the server looks at the stop flag.
const POLL_TIMEOUT: Duration = Duration::from_millis(100);
/// The largest message payload we send (the protocol's memblock limit is 4 MiB; smaller chunks
/// keep writes short).
const MAX_CHUNK_BYTES: usize = 64 * 1024;

const SEQ_AUTH: u32 = 0;
const SEQ_CLIENT_NAME: u32 = 1;
const SEQ_CREATE: u32 = 2;
const SEQ_DRAIN: u32 = 3;

/// The channel number of command messages (stream data uses the stream's channel).
const COMMAND_CHANNEL: u32 = u32::MAX;

/// Where a sound server's socket may be, in the order libpulse looks: `PULSE_SERVER` (only its
/// local `unix:` entries; when set, nothing else is tried), then `PULSE_RUNTIME_PATH/native`, then
/// `XDG_RUNTIME_DIR/pulse/native` (where PipeWire's pulse server listens too).
pub(crate) fn socket_candidates(
    pulse_server: Option<&str>,
    runtime_path: Option<&str>,
    xdg_runtime_dir: Option<&str>,
) -> Vec<PathBuf> {
    if let Some(servers) = pulse_server.filter(|s| !s.trim().is_empty()) {
        return servers
            .split_whitespace()
            // An entry may start with `{machine-id}`.
            .map(|entry| entry.rsplit_once('}').map_or(entry, |(_, rest)| rest))
            .filter_map(|entry| {
                entry
                    .strip_prefix("unix:")
                    .or_else(|| entry.starts_with('/').then_some(entry))
            })
            .map(PathBuf::from)
            .collect();
    }
    let runtime = runtime_path
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(p).join("native"));
    let xdg = xdg_runtime_dir
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(p).join("pulse").join("native"));
    runtime.into_iter().chain(xdg).collect()
}

/// Why the server did not take (all of) a sound.
fn describe(err: &protocol::ProtocolError) -> String {
    match err {
        protocol::ProtocolError::Io(io) if io.kind() == ErrorKind::UnexpectedEof => {
            "the sound server closed the connection".to_owned()
        }
        protocol::ProtocolError::Io(io)
            if matches!(io.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
        {
            "the sound server did not answer in time".to_owned()
        }
        other => other.to_string(),
    }
}

/// What one message from the server meant for our stream.
enum Event {
    /// The server asked for more bytes (added to `credit_bytes`).
    Credit,
    /// The reply to the command sent with this sequence number.
    Reply(u32, Cursor<Vec<u8>>),
    /// Nothing we act on (stream started, underflow at the end, a move to another sink...).
    Other,
}

/// One playback stream on the default sink.
pub(super) struct PulseStream {
    socket: BufReader<UnixStream>,
    version: u16,
    channel: u32,
    credit_bytes: usize,
}

impl PulseStream {
    pub(super) fn open(spec: PcmSpec) -> Result<Self, String> {
        let env = |name: &str| std::env::var(name).ok();
        let candidates = socket_candidates(
            env("PULSE_SERVER").as_deref(),
            env("PULSE_RUNTIME_PATH").as_deref(),
            env("XDG_RUNTIME_DIR").as_deref(),
        );
        if candidates.is_empty() {
            return Err(
                "no sound server socket (PULSE_SERVER names no local socket, or \
                        XDG_RUNTIME_DIR is not set)"
                    .to_owned(),
            );
        }
        let mut failures = Vec::new();
        for path in candidates {
            match UnixStream::connect(&path) {
                Ok(socket) => {
                    return Self::handshake(socket, spec)
                        .map_err(|e| format!("{}: {e}", path.display()));
                }
                Err(e) => failures.push(format!("{}: {e}", path.display())),
            }
        }
        Err(failures.join("; "))
    }

    fn handshake(socket: UnixStream, spec: PcmSpec) -> Result<Self, String> {
        socket
            .set_read_timeout(Some(ANSWER_TIMEOUT))
            .and_then(|()| socket.set_write_timeout(Some(ANSWER_TIMEOUT)))
            .map_err(|e| e.to_string())?;
        let mut stream = Self {
            socket: BufReader::new(socket),
            version: protocol::MAX_VERSION,
            channel: COMMAND_CHANNEL,
            credit_bytes: 0,
        };
        // PipeWire ignores the cookie; PulseAudio wants it unless auth-anonymous is on.
        let cookie = pulseaudio::cookie_path_from_env()
            .and_then(|path| std::fs::read(path).ok())
            .unwrap_or_default();
        stream.send(
            SEQ_AUTH,
            &Command::Auth(protocol::AuthParams {
                version: protocol::MAX_VERSION,
                supports_shm: false,
                supports_memfd: false,
                cookie,
            }),
        )?;
        let auth: protocol::AuthReply = stream.reply(SEQ_AUTH)?;
        stream.version = protocol::MAX_VERSION.min(auth.version);

        let mut props = protocol::Props::new();
        props.set(protocol::Prop::ApplicationName, c"giftdeck");
        if let Ok(pid) = CString::new(std::process::id().to_string()) {
            props.set(protocol::Prop::ApplicationProcessId, pid);
        }
        stream.send(SEQ_CLIENT_NAME, &Command::SetClientName(props))?;
        let _: protocol::SetClientNameReply = stream.reply(SEQ_CLIENT_NAME)?;

        let channels = u8::try_from(spec.channels).unwrap_or(2).clamp(1, 2);
        let mut stream_props = protocol::Props::new();
        stream_props.set(protocol::Prop::MediaName, c"giftdeck sound action");
        stream_props.set(protocol::Prop::MediaRole, c"event");
        stream.send(
            SEQ_CREATE,
            &Command::CreatePlaybackStream(protocol::PlaybackStreamParams {
                sample_spec: protocol::SampleSpec {
                    format: protocol::SampleFormat::S16Le,
                    channels,
                    sample_rate: spec.rate_hz,
                },
                channel_map: if channels == 1 {
                    protocol::ChannelMap::mono()
                } else {
                    protocol::ChannelMap::stereo()
                },
                cvolume: Some(protocol::ChannelVolume::norm(channels)),
                sink_name: Some(protocol::DEFAULT_SINK.to_owned()),
                props: stream_props,
                ..Default::default()
            }),
        )?;
        let created: protocol::CreatePlaybackStreamReply = stream.reply(SEQ_CREATE)?;
        stream.channel = created.channel;
        stream.credit_bytes = created.requested_bytes as usize;
        Ok(stream)
    }

    /// Sends samples as the server asks for them (it clocks the stream).
    pub(super) fn write(&mut self, samples: &[i16], stop: &dyn Fn() -> bool) -> Result<(), String> {
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        let mut rest = bytes.as_slice();
        while !rest.is_empty() {
            if self.credit_bytes == 0 {
                if stop() {
                    return Ok(());
                }
                if let Some(Event::Reply(seq, _)) = self.poll()? {
                    tracing::debug!(seq, "unexpected reply from the sound server");
                }
                continue;
            }
            let n = rest.len().min(self.credit_bytes).min(MAX_CHUNK_BYTES);
            protocol::write_memblock(self.socket.get_mut(), self.channel, &rest[..n], 0)
                .map_err(|e| describe(&e))?;
            self.credit_bytes -= n;
            rest = &rest[n..];
        }
        Ok(())
    }

    /// Waits until the server has played everything sent (or `stop` says to cut it off).
    pub(super) fn drain(mut self, stop: &dyn Fn() -> bool) -> Result<(), String> {
        self.send(SEQ_DRAIN, &Command::DrainPlaybackStream(self.channel))?;
        while !stop() {
            if let Some(Event::Reply(SEQ_DRAIN, _)) = self.poll()? {
                return Ok(());
            }
        }
        Ok(())
    }

    fn send(&mut self, seq: u32, command: &Command) -> Result<(), String> {
        protocol::write_command_message(self.socket.get_mut(), seq, command, self.version)
            .map_err(|e| describe(&e))
    }

    /// Reads messages until the reply to `seq` arrives, and decodes it.
    fn reply<T: protocol::CommandReply>(&mut self, seq: u32) -> Result<T, String> {
        loop {
            match self.next_event()? {
                Event::Reply(got, mut payload) if got == seq => {
                    let mut ts = protocol::TagStructReader::new(&mut payload, self.version);
                    return ts.read::<T>().map_err(|e| describe(&e));
                }
                Event::Credit | Event::Reply(..) | Event::Other => {}
            }
        }
    }

    /// Waits up to [`POLL_TIMEOUT`] for a message; `None` when none came.
    fn poll(&mut self) -> Result<Option<Event>, String> {
        self.set_read_timeout(POLL_TIMEOUT)?;
        let waiting = match self.socket.fill_buf() {
            Ok([]) => return Err("the sound server closed the connection".to_owned()),
            Ok(_) => false,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => true,
            Err(e) if e.kind() == ErrorKind::Interrupted => true,
            Err(e) => return Err(e.to_string()),
        };
        self.set_read_timeout(ANSWER_TIMEOUT)?;
        if waiting {
            return Ok(None);
        }
        self.next_event().map(Some)
    }

    fn set_read_timeout(&self, timeout: Duration) -> Result<(), String> {
        self.socket
            .get_ref()
            .set_read_timeout(Some(timeout))
            .map_err(|e| e.to_string())
    }

    /// Reads one whole message (so a message we cannot parse never leaves the stream misaligned)
    /// and says what it means for us.
    fn next_event(&mut self) -> Result<Event, String> {
        let mut header = [0u8; protocol::DESCRIPTOR_SIZE];
        self.socket
            .read_exact(&mut header)
            .map_err(|e| describe(&e.into()))?;
        let descriptor =
            protocol::read_descriptor(&mut header.as_slice()).map_err(|e| describe(&e))?;
        if descriptor.length as usize > protocol::MAX_MEMBLOCKQ_LENGTH {
            return Err(format!(
                "the sound server sent a {} byte message",
                descriptor.length
            ));
        }
        let mut payload = vec![0u8; descriptor.length as usize];
        self.socket
            .read_exact(&mut payload)
            .map_err(|e| describe(&e.into()))?;
        if descriptor.channel != COMMAND_CHANNEL {
            // Stream data: only recording streams get it; we have none.
            return Ok(Event::Other);
        }
        let mut message = Cursor::new(payload);
        match Command::read_tag_prefixed(&mut message, self.version) {
            Ok((_, Command::Request(request))) if request.channel == self.channel => {
                self.credit_bytes += request.length as usize;
                Ok(Event::Credit)
            }
            Ok((seq, Command::Reply)) => Ok(Event::Reply(seq, message)),
            Ok((_, Command::Error(err))) => Err(format!("the sound server refused: {err:?}")),
            Ok((_, Command::PlaybackStreamKilled(channel))) if channel == self.channel => {
                Err("the sound server ended the stream".to_owned())
            }
            Ok(_) => Ok(Event::Other),
            // A message this protocol version does not know: skipped whole.
            Err(err) => {
                tracing::debug!("skipped a message from the sound server: {err}");
                Ok(Event::Other)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulse_server_wins_and_only_its_local_sockets_count() {
        assert_eq!(
            socket_candidates(
                Some("{abc}unix:/run/a/native tcp:host:4713 /tmp/b"),
                Some("/x"),
                Some("/run/user/1000")
            ),
            [PathBuf::from("/run/a/native"), PathBuf::from("/tmp/b")]
        );
        assert!(socket_candidates(Some("tcp:host"), None, Some("/run/user/1")).is_empty());
    }

    #[test]
    fn without_pulse_server_the_runtime_dirs_are_tried_in_order() {
        assert_eq!(
            socket_candidates(None, Some("/p"), Some("/run/user/1000")),
            [
                PathBuf::from("/p/native"),
                PathBuf::from("/run/user/1000/pulse/native")
            ]
        );
        assert_eq!(
            socket_candidates(Some(" "), Some(""), Some("/r")),
            [PathBuf::from("/r/pulse/native")]
        );
        assert!(socket_candidates(None, None, None).is_empty());
    }
}
