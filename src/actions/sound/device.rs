//! Windows and macOS sound output: rodio's mixer on the default device through cpal (WASAPI,
//! CoreAudio; nothing to install). The device is opened on the first sound (and again after a
//! failure), so the app starts without one.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::{Playing, SoundError, decode_to_play};

/// How often a playing sound looks at the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// The open device sink, kept for the life of the sound thread.
#[derive(Default)]
pub(super) struct Output {
    sink: Option<rodio::MixerDeviceSink>,
}

pub(super) fn start_sound(
    output: &mut Output,
    playing: &Arc<Playing>,
    path: &Path,
    volume: f32,
) -> Result<(), SoundError> {
    let (decoder, spec) = decode_to_play(path, playing)?;
    if output.sink.is_none() {
        let mut opened =
            rodio::DeviceSinkBuilder::open_default_sink().map_err(|e| SoundError::NoDevice {
                reason: e.to_string(),
            })?;
        opened.log_on_drop(false);
        output.sink = Some(opened);
    }
    let Some(sink) = output.sink.as_ref() else {
        return Err(SoundError::NoDevice {
            reason: "output closed".to_owned(),
        });
    };
    let player = rodio::Player::connect_new(sink.mixer());
    player.set_volume(volume);
    player.append(decoder);
    let guard = playing.start();
    let shared = Arc::clone(playing);
    // A thread per sound only to count it as playing and to cut it off at shutdown; the mixer
    // plays it.
    std::thread::Builder::new()
        .name("giftdeck-sound-play".to_owned())
        .spawn(move || {
            let _guard = guard;
            while !player.empty() && !shared.stopping() {
                std::thread::sleep(POLL);
            }
            player.stop();
        })
        .map_err(|e| SoundError::NoDevice {
            reason: format!("cannot start a playback thread: {e}"),
        })?;
    tracing::debug!(
        path = %path.display(),
        volume,
        channels = spec.channels,
        rate_hz = spec.rate_hz,
        "sound started"
    );
    Ok(())
}
