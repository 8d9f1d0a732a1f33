//! The status light under the connect bar and its words: what the connection is doing and, on a
//! failure, what happened in plain words, what to do, and the detail behind "Details".

use std::time::Duration;

use egui::{Color32, RichText};

use super::super::bridge::ConnStatus;
use super::super::failure::{local_clock, route_words, tiktok_failure};
use super::super::state::Connection;
use super::plain::details_ui;
use super::{AMBER, BLUE, GREEN, GREY, RED};
use crate::i18n::tr;

/// What the status line says.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusWords {
    pub color: Color32,
    pub words: String,
    /// What the streamer can do, if anything.
    pub hint: Option<String>,
    /// The technical detail of a failure, shown behind "Details".
    pub detail: Option<String>,
}

impl StatusWords {
    fn new(color: Color32, words: impl Into<String>, hint: Option<String>) -> Self {
        Self {
            color,
            words: words.into(),
            hint,
            detail: None,
        }
    }
}

/// The status line; `viewers` is the latest viewer count TikTok reported (shown while live).
pub fn status_line_ui(ui: &mut egui::Ui, conn: &Connection, viewers: Option<u64>) {
    let status = with_viewers(status_words(conn), conn, viewers);
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter().circle_filled(rect.center(), 6.0, status.color);
        ui.label(RichText::new(status.words).color(status.color).strong());
        if let Some(hint) = status.hint {
            ui.label(RichText::new(hint).weak());
        }
    });
    if let Some(detail) = &status.detail {
        details_ui(ui, "connection_details", detail);
    }
}

/// While live, the words end with the viewer count TikTok last reported.
pub fn with_viewers(
    mut status: StatusWords,
    conn: &Connection,
    viewers: Option<u64>,
) -> StatusWords {
    if matches!(conn.status, ConnStatus::Live { .. })
        && let Some(viewers) = viewers
    {
        status.words = crate::trf!(
            "conn-watching",
            status = status.words.as_str(),
            viewers = viewers
        );
    }
    status
}

/// The words and colour for the connection as it stands.
pub fn status_words(conn: &Connection) -> StatusWords {
    let who = conn.target.as_str();
    if conn.starting_demo() {
        return StatusWords::new(AMBER, tr("conn-starting-demo"), None);
    }
    match &conn.status {
        ConnStatus::Idle => StatusWords::new(
            GREY,
            tr("conn-not-connected"),
            Some(tr("conn-not-connected-hint").into()),
        ),
        ConnStatus::Resolving => {
            StatusWords::new(AMBER, crate::trf!("conn-looking-up", who = who), None)
        }
        ConnStatus::Signing => {
            StatusWords::new(AMBER, crate::trf!("conn-signing", who = who), None)
        }
        ConnStatus::Connecting => {
            StatusWords::new(AMBER, crate::trf!("conn-connecting", who = who), None)
        }
        // Through a fallback provider: still live, and the outage is named in plain words.
        ConnStatus::Live { room_id } => StatusWords::new(
            GREEN,
            crate::trf!("conn-live", who = who, room = room_id.to_string()),
            conn.route
                .as_ref()
                .and_then(|route| route_words(route, &local_clock)),
        ),
        ConnStatus::Reconnecting {
            retry_in,
            kind,
            last_error,
        } => {
            let left = retry_in.saturating_sub(conn.status_since.elapsed());
            let plain = tiktok_failure(*kind, who, last_error);
            StatusWords {
                color: AMBER,
                words: crate::trf!(
                    "conn-trying-again",
                    headline = plain.headline.as_str(),
                    seconds = ceil_secs(left)
                ),
                hint: Some(plain.advice),
                detail: Some(plain.detail),
            }
        }
        ConnStatus::Ended => StatusWords::new(
            BLUE,
            crate::trf!("conn-ended", who = who),
            Some(tr("conn-ended-hint").into()),
        ),
        ConnStatus::Failed { kind, detail } => {
            let plain = tiktok_failure(*kind, who, detail);
            StatusWords {
                color: RED,
                words: plain.headline,
                hint: Some(plain.advice),
                detail: Some(plain.detail),
            }
        }
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
    fn live_shows_the_viewer_count_tiktok_reports() {
        let mut conn = Connection {
            status: ConnStatus::Live {
                room_id: "7".into(),
            },
            target: "@bob".into(),
            ..Connection::default()
        };
        let words =
            |conn: &Connection, viewers| with_viewers(status_words(conn), conn, viewers).words;
        assert_eq!(
            words(&conn, Some(1_234)),
            "LIVE · @bob · room 7 · 👀 1234 watching"
        );
        assert_eq!(
            words(&conn, None),
            "LIVE · @bob · room 7",
            "before the first count"
        );
        conn.status = ConnStatus::Ended;
        assert!(
            !words(&conn, Some(5)).contains("watching"),
            "only while live"
        );
    }

    #[test]
    fn live_through_a_fallback_names_the_outage() {
        use crate::live::{FailureKind, Outage, ProviderKind, Route};
        let mut conn = Connection {
            status: ConnStatus::Live {
                room_id: "7".into(),
            },
            target: "@bob".into(),
            ..Connection::default()
        };
        assert_eq!(
            status_words(&conn).hint,
            None,
            "the usual route: nothing to say"
        );
        conn.route = Some(Route {
            via: ProviderKind::EulerWs,
            outages: vec![Outage {
                provider: ProviderKind::Sign,
                kind: FailureKind::ProviderDown,
                code: Some(500),
                since: std::time::SystemTime::now(),
            }],
            sign_is_euler: true,
        });
        let words = status_words(&conn);
        assert_eq!(words.words, "LIVE · @bob · room 7");
        let hint = words.hint.unwrap();
        assert!(
            hint.starts_with("Euler's sign server is failing right now (HTTP 500 since ")
                && hint.ends_with("); connected through Euler's WebSocket instead"),
            "{hint}"
        );
    }

    #[test]
    fn countdowns_round_up() {
        assert_eq!(ceil_secs(Duration::from_millis(2_001)), 3);
        assert_eq!(ceil_secs(Duration::from_secs(2)), 2);
        assert_eq!(ceil_secs(Duration::ZERO), 0);
    }
}
