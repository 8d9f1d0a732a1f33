//! Linux sound output: one stream per sound, to the PulseAudio/PipeWire sound server when one
//! answers, else to ALSA's `default` device. Each sound plays on its own named thread, so the
//! `giftdeck-sound` thread is free for the next request at once.

use std::path::Path;
use std::sync::Arc;

use rodio::source::UniformSourceIterator;

use super::{PcmSpec, Playing, SoundError, alsa, decode_to_play, pulse};

/// Samples handed to the output per write: ~46 ms of stereo at 44.1 kHz, small enough that a
/// shutdown cuts a sound off quickly.
const CHUNK_SAMPLES: usize = 4096;

/// A decoded sound: samples in [-1, 1], interleaved, in the stream's [`PcmSpec`] layout.
type Samples = Box<dyn Iterator<Item = f32> + Send>;

/// Linux keeps no output open between sounds (the sound server mixes our streams); it remembers
/// which output took the last sound, to log a change once instead of per sound.
#[derive(Default)]
pub(super) struct Output {
    last: Option<&'static str>,
}

/// One open playback stream.
enum Stream {
    Pulse(pulse::PulseStream),
    Alsa(alsa::AlsaStream),
}

impl Stream {
    /// The sound server first (what desktops run, and it mixes), then ALSA directly.
    fn open(spec: PcmSpec) -> Result<Self, SoundError> {
        let pulse_err = match pulse::PulseStream::open(spec) {
            Ok(stream) => return Ok(Self::Pulse(stream)),
            Err(err) => err,
        };
        match alsa::AlsaStream::open(spec) {
            Ok(stream) => {
                tracing::debug!("no sound server ({pulse_err}); playing through ALSA");
                Ok(Self::Alsa(stream))
            }
            Err(alsa_err) => Err(SoundError::NoDevice {
                reason: format!("PulseAudio/PipeWire: {pulse_err}; ALSA: {alsa_err}"),
            }),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Pulse(_) => "the PulseAudio/PipeWire sound server",
            Self::Alsa(_) => "ALSA's default device",
        }
    }

    fn write(&mut self, samples: &[i16], stop: &dyn Fn() -> bool) -> Result<(), String> {
        match self {
            Self::Pulse(stream) => stream.write(samples, stop),
            Self::Alsa(stream) => stream.write(samples, stop),
        }
    }

    fn drain(self, stop: &dyn Fn() -> bool) -> Result<(), String> {
        match self {
            Self::Pulse(stream) => stream.drain(stop),
            Self::Alsa(stream) => stream.drain(stop),
        }
    }
}

pub(super) fn start_sound(
    output: &mut Output,
    playing: &Arc<Playing>,
    path: &Path,
    volume: f32,
) -> Result<(), SoundError> {
    let (decoder, spec) = decode_to_play(path, playing)?;
    let stream = Stream::open(spec)?;
    if output.last != Some(stream.name()) {
        tracing::info!("sounds play through {}", stream.name());
        output.last = Some(stream.name());
    }
    // Converts mid-file changes of rate or channel count (allowed in mp3/ogg) to the stream's.
    let samples: Samples = Box::new(UniformSourceIterator::new(
        decoder,
        std::num::NonZero::new(spec.channels).unwrap_or(std::num::NonZero::<u16>::MIN),
        std::num::NonZero::new(spec.rate_hz).unwrap_or(std::num::NonZero::<u32>::MIN),
    ));
    let guard = playing.start();
    let shared = Arc::clone(playing);
    let shown = path.display().to_string();
    std::thread::Builder::new()
        .name("giftdeck-sound-play".to_owned())
        .spawn(move || {
            let _guard = guard;
            let stop = || shared.stopping();
            match play_to_end(stream, samples, spec, volume, &stop) {
                Ok(()) => tracing::debug!(path = %shown, "sound ended"),
                Err(err) => tracing::warn!(path = %shown, "sound stopped early: {err}"),
            }
        })
        .map_err(|e| SoundError::NoDevice {
            reason: format!("cannot start a playback thread: {e}"),
        })?;
    tracing::debug!(path = %path.display(), volume, "sound started");
    Ok(())
}

fn play_to_end(
    mut stream: Stream,
    mut samples: Samples,
    spec: PcmSpec,
    volume: f32,
    stop: &dyn Fn() -> bool,
) -> Result<(), String> {
    let mut chunk = Vec::with_capacity(CHUNK_SAMPLES);
    loop {
        if stop() {
            // Dropping the stream cuts the sound off.
            return Ok(());
        }
        chunk.clear();
        chunk.extend(
            samples
                .by_ref()
                .take(CHUNK_SAMPLES)
                .map(|s| to_pcm_i16(s, volume)),
        );
        if chunk.is_empty() {
            break;
        }
        // Outputs take whole frames: pad a cut-short last frame with silence.
        let channels = usize::from(spec.channels.max(1));
        while chunk.len() % channels != 0 {
            chunk.push(0);
        }
        stream.write(&chunk, stop)?;
    }
    stream.drain(stop)
}

/// Scales a sample by the volume and converts it to 16 bits, clipping what the volume pushed past
/// full scale (volumes above 1 amplify).
fn to_pcm_i16(sample: f32, volume: f32) -> i16 {
    let scaled = sample * volume;
    if scaled.is_nan() {
        return 0;
    }
    (scaled.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_scales_and_clips_instead_of_wrapping() {
        assert_eq!(to_pcm_i16(0.0, 4.0), 0);
        assert_eq!(to_pcm_i16(1.0, 1.0), i16::MAX);
        assert_eq!(to_pcm_i16(-1.0, 1.0), -i16::MAX);
        assert_eq!(to_pcm_i16(0.5, 0.5), 8192);
        // Amplified past full scale: clipped, never wrapped to the other sign.
        assert_eq!(to_pcm_i16(0.6, 4.0), i16::MAX);
        assert_eq!(to_pcm_i16(-0.6, 4.0), -i16::MAX);
        assert_eq!(to_pcm_i16(f32::NAN, 1.0), 0);
        assert_eq!(to_pcm_i16(0.3, 0.0), 0);
    }
}
