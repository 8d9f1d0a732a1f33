//! The status light under the connect bar and its words: what the connection is doing and, on a
//! failure, what to do about it.

use std::time::Duration;

use egui::{Color32, RichText};

use super::super::bridge::ConnStatus;
use super::super::state::Connection;
use super::{AMBER, BLUE, GREEN, GREY, RED};

/// What the status line says.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusWords {
    pub color: Color32,
    pub words: String,
    /// What the streamer can do, if anything.
    pub hint: Option<String>,
}

impl StatusWords {
    fn new(color: Color32, words: impl Into<String>, hint: Option<String>) -> Self {
        Self {
            color,
            words: words.into(),
            hint,
        }
    }
}

pub fn status_line_ui(ui: &mut egui::Ui, conn: &Connection) {
    let status = status_words(conn);
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter().circle_filled(rect.center(), 6.0, status.color);
        ui.label(RichText::new(status.words).color(status.color).strong());
        if let Some(hint) = status.hint {
            ui.label(RichText::new(hint).weak());
        }
    });
}

/// The words and colour for the connection as it stands.
pub fn status_words(conn: &Connection) -> StatusWords {
    let who = &conn.target;
    if conn.starting_demo() {
        return StatusWords::new(AMBER, "Starting the demo…", None);
    }
    match &conn.status {
        ConnStatus::Idle => StatusWords::new(
            GREY,
            "Not connected",
            Some("Type a @username and press Connect, or press Demo to try it out.".into()),
        ),
        ConnStatus::Resolving => StatusWords::new(AMBER, format!("Looking up {who}…"), None),
        ConnStatus::Signing => {
            StatusWords::new(AMBER, format!("{who}: asking the sign server…"), None)
        }
        ConnStatus::Connecting => StatusWords::new(AMBER, format!("{who}: connecting…"), None),
        ConnStatus::Live { room_id } => {
            StatusWords::new(GREEN, format!("LIVE · {who} · room {room_id}"), None)
        }
        ConnStatus::Reconnecting {
            retry_in,
            last_error,
        } => {
            let left = retry_in.saturating_sub(conn.status_since.elapsed());
            StatusWords::new(
                AMBER,
                format!("Reconnecting in {} s", ceil_secs(left)),
                Some(format!("Last error: {last_error}")),
            )
        }
        ConnStatus::Ended => StatusWords::new(
            BLUE,
            format!("Stream ended ({who})"),
            Some("Press Connect when the next stream starts.".into()),
        ),
        ConnStatus::Failed { detail: reason, .. } => StatusWords::new(
            RED,
            format!("Failed: {reason}"),
            Some(failure_hint(reason).into()),
        ),
    }
}

/// What the streamer can do about a failure, from its reason.
fn failure_hint(reason: &str) -> &'static str {
    let r = reason.to_lowercase();
    if r.contains("demo") {
        "Check the log file; the demo runs only on this computer."
    } else if r.contains("not found") || r.contains("no such user") || r.contains("username") {
        "Check the spelling of the @username."
    } else if r.contains("offline") || r.contains("not live") {
        "That user is not live right now. Connect again once the stream starts."
    } else if r.contains("429") || r.contains("rate") {
        "The sign server is rate-limiting: wait a minute, or set your own API key in Settings."
    } else if r.contains("api key") || r.contains("401") || r.contains("403") {
        "The sign server refused the API key: check it in Settings."
    } else if r.contains("blocked") || r.contains("captcha") {
        "TikTok blocked this connection. Wait a few minutes, or try another network."
    } else if r.contains("sign") {
        "The sign server failed: check its URL in Settings, or try again later."
    } else {
        "Check your internet connection, then press Connect to try again."
    }
}

/// Seconds left, rounded up, for countdowns.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_round_up() {
        assert_eq!(ceil_secs(Duration::from_millis(2_001)), 3);
        assert_eq!(ceil_secs(Duration::from_secs(2)), 2);
        assert_eq!(ceil_secs(Duration::ZERO), 0);
    }
}
