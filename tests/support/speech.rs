//! A real speech stack in a throwaway runtime folder: PulseAudio with a null sink, Debian's
//! speech-dispatcher with espeak-ng speaking into it, `parec` recording the sink's monitor as WAV,
//! and a proxy on speech-dispatcher's socket that keeps every byte giftdeck sends (so a test can
//! check the text handed to the service). Everything started here is stopped on drop.
//! `SpeechRig::start` returns `None` (after saying so) only when a program is missing; under CI
//! that fails instead (`crate::real`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{UnixListener, UnixStream};

pub struct SpeechRig {
    dir: tempfile::TempDir,
    /// speech-dispatcher's own socket.
    pub socket: PathBuf,
}

impl Drop for SpeechRig {
    fn drop(&mut self) {
        for pid_file in [
            self.dir
                .path()
                .join("speech-dispatcher/pid/speech-dispatcher.pid"),
            self.dir.path().join("pulse/pid"),
        ] {
            if let Ok(pid) = std::fs::read_to_string(&pid_file) {
                let _ = Command::new("kill").arg(pid.trim()).status();
            }
        }
    }
}

fn wait_until(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + deadline;
    while !done() {
        assert!(Instant::now() < until, "{what} within {deadline:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl SpeechRig {
    pub fn start() -> Option<Self> {
        let install = "apt-get install -y --no-install-recommends speech-dispatcher \
                       speech-dispatcher-espeak-ng espeak-ng pulseaudio pulseaudio-utils";
        for program in ["pulseaudio", "parec", "speech-dispatcher", "espeak-ng"] {
            crate::real::program(program, install)?;
        }
        let dir = tempfile::tempdir().unwrap();
        let env = |command: &mut Command| {
            command
                .env("XDG_RUNTIME_DIR", dir.path())
                .env("HOME", dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
        };
        let mut pulse = Command::new("pulseaudio");
        pulse.args([
            "-D",
            "-n",
            "--exit-idle-time=-1",
            "--load=module-native-protocol-unix",
            "--load=module-null-sink sink_name=tts rate=22050",
            "--load=module-always-sink",
        ]);
        env(&mut pulse);
        assert!(
            pulse.status().unwrap().success(),
            "pulseaudio did not start"
        );
        wait_until("PulseAudio's socket", Duration::from_secs(10), || {
            dir.path().join("pulse/native").exists()
        });
        let mut speechd = Command::new("speech-dispatcher");
        speechd.args(["-d", "-t", "0"]);
        env(&mut speechd);
        assert!(
            speechd.status().unwrap().success(),
            "speech-dispatcher did not start"
        );
        let socket = dir.path().join("speech-dispatcher/speechd.sock");
        wait_until(
            "speech-dispatcher's socket",
            Duration::from_secs(20),
            || socket.exists(),
        );
        Some(Self { dir, socket })
    }

    /// Starts recording the null sink's monitor.
    pub fn record(&self, name: &str) -> Recording {
        let path = self.dir.path().join(name);
        let child = Command::new("parec")
            .args(["-d", "tts.monitor", "--file-format=wav"])
            .arg(&path)
            .env("XDG_RUNTIME_DIR", self.dir.path())
            .env("HOME", self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Recording { child, path }
    }

    /// A socket that passes everything on to speech-dispatcher and keeps what clients send.
    pub async fn proxy(&self) -> (PathBuf, Arc<Mutex<Vec<u8>>>) {
        let path = self.dir.path().join("proxy.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let target = self.socket.clone();
        let kept = sent.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = UnixStream::connect(&target).await.unwrap();
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let kept = kept.clone();
                tokio::spawn(async move {
                    let mut buffer = [0u8; 4096];
                    while let Ok(n) = client_read.read(&mut buffer).await {
                        if n == 0 {
                            break;
                        }
                        kept.lock().unwrap().extend_from_slice(&buffer[..n]);
                        if server_write.write_all(&buffer[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                });
            }
        });
        (path, sent)
    }
}

pub struct Recording {
    child: Child,
    path: PathBuf,
}

/// What a recording holds.
#[derive(Debug)]
pub struct Audio {
    /// From the first to the last sample louder than the threshold.
    pub voiced_seconds: f64,
    pub peak: f64,
}

impl Recording {
    /// What was recorded so far (parec writes as it goes).
    pub fn audio(&self) -> Audio {
        analyze(&self.path)
    }

    pub fn stop(mut self) -> Audio {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        analyze(&self.path)
    }
}

/// Reads a 16-bit PCM WAV (the `fmt ` chunk for rate and channels, then `data`).
fn analyze(path: &Path) -> Audio {
    let bytes = std::fs::read(path).unwrap_or_default();
    let find = |tag: &[u8]| bytes.windows(4).position(|w| w == tag);
    let (Some(fmt), Some(data)) = (find(b"fmt "), find(b"data")) else {
        return Audio {
            voiced_seconds: 0.0,
            peak: 0.0,
        };
    };
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let channels = usize::from(u16_at(fmt + 10)).max(1);
    let rate = u32::from_le_bytes([
        bytes[fmt + 12],
        bytes[fmt + 13],
        bytes[fmt + 14],
        bytes[fmt + 15],
    ]);
    let samples: Vec<i16> = bytes[data + 8..]
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let threshold = i32::from(i16::MAX) / 50;
    let loud: Vec<usize> = samples
        .iter()
        .enumerate()
        .filter(|(_, s)| i32::from(**s).abs() > threshold)
        .map(|(i, _)| i / channels)
        .collect();
    let peak = samples
        .iter()
        .map(|s| f64::from(*s).abs())
        .fold(0.0, f64::max)
        / f64::from(i16::MAX);
    let voiced_frames = match (loud.first(), loud.last()) {
        (Some(first), Some(last)) => last - first,
        _ => 0,
    };
    Audio {
        voiced_seconds: voiced_frames as f64 / f64::from(rate.max(1)),
        peak,
    }
}
