//! Sound actions: a dedicated named thread owns the audio output (rodio's device sink is not
//! `Send`-friendly) and starts each sound at its volume. Sounds overlap; the queue does not wait for
//! a sound to end. A missing file or no audio device is an error, never a panic.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use thiserror::Error;
use tokio::sync::oneshot;

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
}

struct Request {
    path: PathBuf,
    volume: f32,
    done: oneshot::Sender<Result<(), SoundError>>,
}

/// The handle to the sound thread. Dropping it (or [`SoundPlayer::shutdown`]) stops the thread
/// and the audio output.
pub struct SoundPlayer {
    requests: Option<SyncSender<Request>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SoundPlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoundPlayer").finish_non_exhaustive()
    }
}

impl SoundPlayer {
    /// Starts the `giftdeck-sound` thread. The audio device is opened on the first sound (and
    /// again on a later sound if that failed), so the app starts fine without one.
    pub fn start() -> std::io::Result<Self> {
        let (tx, rx) = sync_channel::<Request>(32);
        let thread = std::thread::Builder::new()
            .name("giftdeck-sound".to_owned())
            .spawn(move || {
                let mut sink: Option<rodio::MixerDeviceSink> = None;
                while let Ok(request) = rx.recv() {
                    let result = play_on(&mut sink, &request.path, request.volume);
                    let _ = request.done.send(result);
                }
            })?;
        Ok(Self {
            requests: Some(tx),
            thread: Some(thread),
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

    /// Stops the thread after the sounds asked for so far have started, and closes the output
    /// (sounds still playing are cut off).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.requests = None;
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

fn play_on(
    sink: &mut Option<rodio::MixerDeviceSink>,
    path: &Path,
    volume: f32,
) -> Result<(), SoundError> {
    // Open and decode the file first: a missing file is reported as such even without a device.
    let file = std::fs::File::open(path).map_err(|e| SoundError::File {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let decoder = rodio::Decoder::try_from(file).map_err(|e| SoundError::Decode {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    if sink.is_none() {
        let mut opened =
            rodio::DeviceSinkBuilder::open_default_sink().map_err(|e| SoundError::NoDevice {
                reason: e.to_string(),
            })?;
        opened.log_on_drop(false);
        *sink = Some(opened);
    }
    let Some(sink) = sink.as_ref() else {
        return Err(SoundError::NoDevice {
            reason: "output closed".to_owned(),
        });
    };
    let player = rodio::Player::connect_new(sink.mixer());
    player.set_volume(volume);
    player.append(decoder);
    // Let it play to the end on the mixer; the sink lives as long as this thread.
    player.detach();
    tracing::debug!(path = %path.display(), volume, "sound started");
    Ok(())
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
    fn a_file_that_is_not_audio_is_a_decode_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not.wav");
        std::fs::write(&path, b"hello, not audio").unwrap();
        let player = SoundPlayer::start().unwrap();
        let err = player.play_blocking(&path, 1.0).unwrap_err();
        assert!(matches!(err, SoundError::Decode { .. }), "{err:?}");
    }
}
