//! Sound actions: a dedicated named thread takes play requests, decodes the file (wav, ogg, mp3)
//! and starts each sound on its own named playback thread at its volume. Sounds overlap; the queue
//! does not wait for a sound to end. A missing file or no audio output is a typed error, never a
//! panic, and the app runs without any sound device.
//!
//! Output: on Linux the PulseAudio native protocol (PulseAudio or PipeWire's pulse server) in pure
//! Rust, else the system's ALSA library loaded at run time, so building needs no ALSA headers. On
//! Windows and macOS rodio plays through cpal (WASAPI / CoreAudio, nothing to install).

#[cfg(target_os = "linux")]
mod alsa;
#[cfg(not(target_os = "linux"))]
mod device;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
mod pulse;

#[cfg(not(target_os = "linux"))]
use device::{Output, start_sound};
#[cfg(target_os = "linux")]
use linux::{Output, start_sound};

use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use thiserror::Error;
use tokio::sync::oneshot;

/// At most this many sounds play at once; one more is refused (a flood of gifts must not spawn
/// hundreds of audio streams).
pub const MAX_PLAYING: usize = 16;

/// Why a sound did not start.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum SoundError {
    #[error("cannot open sound file {path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("cannot decode sound file {path} (wav, ogg and mp3 are supported): {reason}")]
    Decode { path: PathBuf, reason: String },
    #[error("no audio output available: {reason}")]
    NoDevice { reason: String },
    #[error("volume {volume} is not a number from 0 to 4")]
    BadVolume { volume: f32 },
    #[error("the sound thread is busy or gone; sound {path} skipped")]
    Unavailable { path: PathBuf },
    #[error("{playing} sounds are already playing; sound {path} skipped")]
    TooMany { path: PathBuf, playing: usize },
}

struct Request {
    path: PathBuf,
    volume: f32,
    done: oneshot::Sender<Result<(), SoundError>>,
}

/// What the playback threads share with the handle: how many sounds play, and whether to cut them
/// off.
#[derive(Default)]
struct Playing {
    state: Mutex<PlayingState>,
    changed: Condvar,
}

#[derive(Default)]
struct PlayingState {
    count: usize,
    stop: bool,
}

impl Playing {
    fn count(&self) -> usize {
        self.state.lock().map_or(0, |s| s.count)
    }

    fn stopping(&self) -> bool {
        self.state.lock().map_or(true, |s| s.stop)
    }

    fn stop(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.stop = true;
        }
        self.changed.notify_all();
    }

    /// Counts a sound as playing until the returned guard drops (also on a panic or an error).
    fn start(self: &Arc<Self>) -> PlayingGuard {
        if let Ok(mut state) = self.state.lock() {
            state.count += 1;
        }
        PlayingGuard(Arc::clone(self))
    }

    /// Waits until no sound plays, or the deadline passes; true when idle.
    fn wait_idle(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        while state.count > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = match self.changed.wait_timeout(state, left) {
                Ok((state, _)) => state,
                Err(_) => return false,
            };
        }
        true
    }
}

struct PlayingGuard(Arc<Playing>);

impl Drop for PlayingGuard {
    fn drop(&mut self) {
        if let Ok(mut state) = self.0.state.lock() {
            state.count = state.count.saturating_sub(1);
        }
        self.0.changed.notify_all();
    }
}

/// The handle to the sound thread. Dropping it (or [`SoundPlayer::shutdown`]) stops the thread
/// and cuts off the sounds still playing.
pub struct SoundPlayer {
    requests: Option<SyncSender<Request>>,
    thread: Option<JoinHandle<()>>,
    playing: Arc<Playing>,
}

impl std::fmt::Debug for SoundPlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoundPlayer").finish_non_exhaustive()
    }
}

impl SoundPlayer {
    /// Starts the `giftdeck-sound` thread. The audio output is opened per sound, so the app starts
    /// fine without one, and a device plugged in later is used.
    pub fn start() -> std::io::Result<Self> {
        let (tx, rx) = sync_channel::<Request>(32);
        let playing = Arc::new(Playing::default());
        let shared = Arc::clone(&playing);
        let thread = std::thread::Builder::new()
            .name("giftdeck-sound".to_owned())
            .spawn(move || {
                let mut output = Output::default();
                while let Ok(request) = rx.recv() {
                    // After a shutdown, queued requests are answered at once: the handle's drop
                    // waits for this thread and must not wait for more sound servers to answer.
                    let result = if shared.stopping() {
                        Err(SoundError::Unavailable { path: request.path })
                    } else {
                        start_sound(&mut output, &shared, &request.path, request.volume)
                    };
                    let _ = request.done.send(result);
                }
            })?;
        Ok(Self {
            requests: Some(tx),
            thread: Some(thread),
            playing,
        })
    }

    /// Starts a sound; returns once it plays (or could not start).
    pub async fn play(&self, path: &Path, volume: f32) -> Result<(), SoundError> {
        let rx = self.submit(path, volume)?;
        rx.await.unwrap_or_else(|_| {
            Err(SoundError::Unavailable {
                path: path.to_owned(),
            })
        })
    }

    /// [`SoundPlayer::play`] for code outside a runtime.
    pub fn play_blocking(&self, path: &Path, volume: f32) -> Result<(), SoundError> {
        let rx = self.submit(path, volume)?;
        rx.blocking_recv().unwrap_or_else(|_| {
            Err(SoundError::Unavailable {
                path: path.to_owned(),
            })
        })
    }

    /// How many sounds are playing right now.
    pub fn playing(&self) -> usize {
        self.playing.count()
    }

    fn submit(
        &self,
        path: &Path,
        volume: f32,
    ) -> Result<oneshot::Receiver<Result<(), SoundError>>, SoundError> {
        if !volume.is_finite() || !(0.0..=4.0).contains(&volume) {
            return Err(SoundError::BadVolume { volume });
        }
        let (done, rx) = oneshot::channel();
        let request = Request {
            path: path.to_owned(),
            volume,
            done,
        };
        let Some(requests) = &self.requests else {
            return Err(SoundError::Unavailable {
                path: path.to_owned(),
            });
        };
        match requests.try_send(request) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                Err(SoundError::Unavailable {
                    path: path.to_owned(),
                })
            }
        }
    }

    /// Lets the sounds asked for so far play to their end (waiting at most `within`), then stops
    /// the thread; true when every sound ended by itself. Blocks: call it outside async code.
    pub fn finish(mut self, within: Duration) -> bool {
        // Close the queue first, so no new sound starts while we wait.
        self.requests = None;
        let deadline = Instant::now() + within;
        if let Some(thread) = self.thread.take() {
            // The thread ends once the queue is empty; starting a sound takes milliseconds.
            let _ = thread.join();
        }
        let idle = self
            .playing
            .wait_idle(deadline.saturating_duration_since(Instant::now()));
        self.stop();
        idle
    }

    /// Stops the thread after the sounds asked for so far have started, and cuts off the sounds
    /// still playing.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.requests = None;
        self.playing.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SoundPlayer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The sample layout every sound is converted to before output: interleaved signed 16-bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PcmSpec {
    pub channels: u16,
    pub rate_hz: u32,
}

/// A file being decoded.
type Decoded = rodio::Decoder<std::io::BufReader<std::fs::File>>;

/// Decodes a file to play, unless [`MAX_PLAYING`] sounds already play: the one admission rule for
/// every output (a file that does not decode is reported before the limit).
fn decode_to_play(path: &Path, playing: &Playing) -> Result<(Decoded, PcmSpec), SoundError> {
    let decoded = decode(path)?;
    let now_playing = playing.count();
    if now_playing >= MAX_PLAYING {
        return Err(SoundError::TooMany {
            path: path.to_owned(),
            playing: now_playing,
        });
    }
    Ok(decoded)
}

/// Opens and decodes a file. A missing file is reported as such even without an audio device.
fn decode(path: &Path) -> Result<(Decoded, PcmSpec), SoundError> {
    use rodio::Source as _;
    let file = std::fs::File::open(path).map_err(|e| SoundError::File {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let decoder = rodio::Decoder::try_from(file).map_err(|e| SoundError::Decode {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let spec = PcmSpec {
        // Mono stays mono; anything wider is mixed down to stereo (what every output takes).
        channels: decoder.channels().get().min(2),
        rate_hz: decoder.sample_rate().get(),
    };
    Ok((decoder, spec))
}

/// Writes a 16-bit mono PCM WAV of a sine tone (for tests and the demo).
pub fn write_test_wav(path: &Path, millis: u32, hz: f32) -> std::io::Result<()> {
    let rate = 44_100u32;
    let samples = rate * millis / 1000;
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = i as f32 / rate as f32;
        let v = (t * hz * std::f32::consts::TAU).sin() * 0.5 * f32::from(i16::MAX);
        out.extend_from_slice(&(v as i16).to_le_bytes());
    }
    std::fs::write(path, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_a_clear_error_not_a_panic() {
        let player = SoundPlayer::start().unwrap();
        let err = player
            .play_blocking(Path::new("/nonexistent/boom.wav"), 1.0)
            .unwrap_err();
        assert!(matches!(err, SoundError::File { .. }), "{err:?}");
        assert!(err.to_string().contains("/nonexistent/boom.wav"));
        assert!(matches!(
            player.play_blocking(Path::new("x.wav"), f32::NAN),
            Err(SoundError::BadVolume { .. })
        ));
        player.shutdown();
    }

    #[test]
    fn a_sound_counts_as_playing_until_its_guard_drops() {
        let playing = Arc::new(Playing::default());
        assert!(playing.wait_idle(Duration::ZERO));
        let guard = playing.start();
        assert_eq!(playing.count(), 1);
        assert!(!playing.wait_idle(Duration::from_millis(20)));
        let shared = Arc::clone(&playing);
        let ender = std::thread::Builder::new()
            .name("test-ender".into())
            .spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                drop(guard);
                shared.count()
            })
            .unwrap();
        assert!(playing.wait_idle(Duration::from_secs(10)));
        assert_eq!(ender.join().unwrap(), 0);
        assert!(!playing.stopping());
        playing.stop();
        assert!(playing.stopping());
    }

    #[test]
    fn finish_without_sounds_returns_at_once() {
        let player = SoundPlayer::start().unwrap();
        assert_eq!(player.playing(), 0);
        assert!(player.finish(Duration::from_secs(5)));
    }

    #[test]
    fn a_file_that_is_not_audio_is_a_decode_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not.wav");
        std::fs::write(&path, b"hello, not audio").unwrap();
        let player = SoundPlayer::start().unwrap();
        let err = player.play_blocking(&path, 1.0).unwrap_err();
        assert!(matches!(err, SoundError::Decode { .. }), "{err:?}");
    }
}
