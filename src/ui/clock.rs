//! Wall-clock times as the streamer reads them: local time of day, `HH:MM:SS`.

use std::time::SystemTime;

/// `HH:MM:SS` of `time` in the computer's time zone.
pub fn local_hms(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Local>::from(time)
        .format("%H:%M:%S")
        .to_string()
}
