//! Text-to-speech with the system's offline voices: the `speak` action ([`SpeakAction`]), the
//! "read chat aloud" filters ([`filters`], pure), a speech queue of its own with Skip and Stop all
//! ([`SpeechQueue`]), and the services: speech-dispatcher's SSIP over its socket on Linux
//! ([`ssip`]), SAPI on Windows; other systems say plainly that they are not supported yet.

pub mod spec;

pub use spec::{SpeakAction, Voice};
