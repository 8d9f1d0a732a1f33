//! Text-to-speech with the system's offline voices: the `speak` action ([`SpeakAction`]), the
//! "read chat aloud" filters ([`filters`], pure), a speech queue of its own with Skip and Stop all
//! ([`SpeechQueue`]), and the services: speech-dispatcher's SSIP over its socket on Linux
//! ([`ssip`]), SAPI on Windows; other systems say plainly that they are not supported yet.

pub mod filters;
pub mod queue;
#[cfg(windows)]
mod sapi;
pub mod spec;
#[cfg(unix)]
pub mod ssip;

pub use filters::{ChatReader, NotRead, ReadChat, Utterance, ViewerVoice, WordFilter, utterance};
pub use queue::{Said, SpeechDone, SpeechFull, SpeechQueue, SpeechService, SpeechStatus};
pub use spec::{SpeakAction, Voice};

/// Why nothing could be said. Each message says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpeechError {
    #[error(
        "speech-dispatcher is not installed, so giftdeck cannot speak. Install it with a voice: \
         sudo apt install speech-dispatcher speech-dispatcher-espeak-ng (Fedora: sudo dnf install \
         speech-dispatcher espeak-ng; Arch: sudo pacman -S speech-dispatcher espeak-ng)"
    )]
    NotInstalled,
    #[error(
        "speech-dispatcher did not open its socket {socket} ({reason}). Start it with \
         `speech-dispatcher -d`, or check `spd-say hello` in a terminal"
    )]
    NotRunning { socket: String, reason: String },
    #[error(
        "XDG_RUNTIME_DIR is not set, so speech-dispatcher's socket cannot be found; start giftdeck \
         from your desktop session (or set SPEECHD_ADDRESS=unix_socket:/path/to/speechd.sock)"
    )]
    NoRuntimeDir,
    #[error("{0}")]
    Service(String),
    #[error("text-to-speech is not supported on this system yet (Windows and Linux are)")]
    Unsupported,
}

/// This system's speech service.
#[cfg(unix)]
pub type SystemSpeech = ssip::Ssip;
/// This system's speech service.
#[cfg(windows)]
pub type SystemSpeech = sapi::Sapi;
/// This system's speech service.
#[cfg(not(any(unix, windows)))]
pub type SystemSpeech = Unsupported;

/// Connects this system's speech service.
pub async fn connect_system() -> Result<SystemSpeech, SpeechError> {
    #[cfg(unix)]
    {
        if cfg!(target_os = "macos") {
            return Err(SpeechError::Unsupported);
        }
        ssip::Ssip::connect(None).await
    }
    #[cfg(windows)]
    {
        tokio::task::spawn_blocking(sapi::Sapi::start)
            .await
            .map_err(|e| SpeechError::Service(e.to_string()))?
    }
    #[cfg(not(any(unix, windows)))]
    {
        Err(SpeechError::Unsupported)
    }
}

/// The speech queue on this system's service.
pub fn spawn_system_queue(capacity: usize) -> SpeechQueue {
    SpeechQueue::spawn(capacity, connect_system)
}

/// A service that cannot speak (systems without one yet).
#[cfg(not(any(unix, windows)))]
pub struct Unsupported;

#[cfg(not(any(unix, windows)))]
impl SpeechService for Unsupported {
    async fn say(
        &mut self,
        _: &Utterance,
        _: &mut tokio::sync::watch::Receiver<u64>,
    ) -> Result<Said, SpeechError> {
        Err(SpeechError::Unsupported)
    }
}
