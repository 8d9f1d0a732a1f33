//! The leaderboards, live: this stream's and all time, by coins, likes and points, read from the
//! viewers' ledger on its reader connection (never the UI thread) after the writer commits, at most
//! every [`REFRESH_EVERY`], published on the `/board` overlay page and to the app (a `watch`).

use std::time::Duration;

use serde::Serialize;
use serde_json::json;
use tokio::sync::watch;

use crate::ledger::{Board, BoardRow, By, LedgerError, LedgerReader, LedgerStatus, Levels, Scope};
use crate::overlay::messages::display_name;
use crate::overlay::{OverlayHub, Page};

/// The boards are read again at most this often while the ledger changes.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);
/// Places each board keeps (a page shows `?count=` of them).
pub const BOARD_SIZE: usize = 20;

/// Every board, for the app and the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Boards {
    /// The TikTok room of the stream "this stream" is (the one with the newest event).
    pub room_id: Option<String>,
    pub stream: ByMetric,
    pub all_time: ByMetric,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ByMetric {
    pub coins: Vec<BoardRow>,
    pub likes: Vec<BoardRow>,
    pub points: Vec<BoardRow>,
}

impl ByMetric {
    pub fn get(&self, by: By) -> &[BoardRow] {
        match by {
            By::Coins => &self.coins,
            By::Likes => &self.likes,
            By::Points => &self.points,
        }
    }
}

/// The `/board` page's JSON: all six boards (the page picks `?scope=stream|all_time&by=…`),
/// names cleaned for the screen (one line, at most 40 characters).
pub fn board_state(boards: &Boards) -> String {
    let rows = |rows: &[BoardRow]| -> Vec<serde_json::Value> {
        rows.iter()
            .map(|r| {
                json!({
                    "rank": r.rank,
                    "nickname": display_name(&r.nickname, &r.unique_id),
                    "value": r.value,
                    "points": r.points,
                    "level": r.level,
                })
            })
            .collect()
    };
    let metrics = |m: &ByMetric| json!({"coins": rows(&m.coins), "likes": rows(&m.likes), "points": rows(&m.points)});
    json!({
        "type": "board",
        "boards": {"stream": metrics(&boards.stream), "all_time": metrics(&boards.all_time)},
    })
    .to_string()
}

/// Reads every board (blocking: on the reader's task).
pub fn read_boards(conn: &rusqlite::Connection, levels: &Levels) -> Result<Boards, LedgerError> {
    let room_id: Option<String> = conn
        .query_row(
            "SELECT room_id FROM streams ORDER BY last_event DESC, id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|err| match err {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            other => Err(other),
        })?;
    let read = |scope: &Scope| -> Result<ByMetric, LedgerError> {
        let board = |by| {
            crate::ledger::queries::leaderboard(
                conn,
                &Board {
                    scope: scope.clone(),
                    by,
                    limit: BOARD_SIZE,
                },
                levels,
            )
        };
        Ok(ByMetric {
            coins: board(By::Coins)?,
            likes: board(By::Likes)?,
            points: board(By::Points)?,
        })
    };
    let stream = match &room_id {
        Some(room) => read(&Scope::Stream(room.clone()))?,
        None => ByMetric::default(),
    };
    Ok(Boards {
        stream,
        all_time: read(&Scope::AllTime)?,
        room_id,
    })
}

/// Reads the boards after each commit (at most every [`REFRESH_EVERY`]) until the ledger's writer
/// stops; publishes them on `hub`'s `/board` and in `out`.
pub async fn run(
    reader: LedgerReader,
    mut status: watch::Receiver<LedgerStatus>,
    levels: Levels,
    hub: Option<OverlayHub>,
    out: watch::Sender<Boards>,
) {
    status.mark_changed();
    loop {
        if status.changed().await.is_err() {
            return;
        }
        let levels = levels.clone();
        match reader.read(move |conn| read_boards(conn, &levels)).await {
            Ok(boards) => {
                if let Some(hub) = &hub {
                    hub.publish(Page::Board, board_state(&boards));
                }
                out.send_if_modified(|shown| {
                    let modified = *shown != boards;
                    *shown = boards;
                    modified
                });
            }
            Err(err) => tracing::warn!("the leaderboards could not be read: {err}"),
        }
        tokio::time::sleep(REFRESH_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{PointRules, open};
    use crate::testkit::outputs::{credit, viewer};

    #[tokio::test]
    async fn the_boards_follow_the_newest_stream_and_all_time() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ledger, reader) = open(dir.path().join("l.sqlite"), PointRules::default())
            .await
            .unwrap();
        ledger.begin_stream("1", 1);
        ledger.on_output(&credit(1, &viewer(7, "amy"), 100, 1), 2);
        ledger.begin_stream("2", 10);
        ledger.on_output(&credit(2, &viewer(8, "bob"), 5, 1), 11);
        ledger.synced().await.unwrap();
        let levels = Levels::default();
        let boards = reader
            .read(move |conn| read_boards(conn, &levels))
            .await
            .unwrap();
        assert_eq!(boards.room_id.as_deref(), Some("2"));
        let names = |rows: &[BoardRow]| -> Vec<String> {
            rows.iter().map(|r| r.unique_id.clone()).collect()
        };
        assert_eq!(names(boards.stream.get(By::Coins)), ["bob"]);
        assert_eq!(names(boards.all_time.get(By::Coins)), ["amy", "bob"]);
        assert_eq!(boards.all_time.points[0].value, 100);
        let page: serde_json::Value = serde_json::from_str(&board_state(&boards)).unwrap();
        assert_eq!(page["boards"]["all_time"]["coins"][0]["nickname"], "AMY");
    }
}
