//! What the app and the overlays ask the ledger: leaderboards (this stream or all time, by coins,
//! likes or points), one viewer's card, and every stream's summary. Each runs on a reader
//! connection (`LedgerReader::read`) and is served by an index, so a board of a million viewers
//! costs the same as one of a hundred.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{LedgerError, Levels};

/// Which stream a board covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "room_id")]
pub enum Scope {
    /// The stream of this TikTok room id.
    Stream(String),
    AllTime,
}

/// What a board ranks by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Coins,
    Likes,
    Points,
}

impl By {
    fn column(self) -> &'static str {
        match self {
            By::Coins => "coins",
            By::Likes => "likes",
            By::Points => "points",
        }
    }
}

/// A leaderboard request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Board {
    pub scope: Scope,
    pub by: By,
    pub limit: usize,
}

/// One place on a board. Names are viewer-chosen: display them as text, never as markup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BoardRow {
    pub rank: usize,
    pub user_id: i64,
    pub unique_id: String,
    pub nickname: String,
    /// The ranked figure (coins, likes or points, in the board's scope).
    pub value: i64,
    /// All-time points and the level they reach.
    pub points: i64,
    pub level: u32,
}

/// The board, best first (ties: the viewer seen first by id). Viewers with 0 are left out.
pub fn leaderboard(
    conn: &Connection,
    board: &Board,
    levels: &Levels,
) -> Result<Vec<BoardRow>, LedgerError> {
    let column = board.by.column();
    let limit = i64::try_from(board.limit).unwrap_or(i64::MAX);
    let map = |r: &rusqlite::Row<'_>| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    };
    let rows: Vec<(i64, String, String, i64, i64)> = match &board.scope {
        Scope::AllTime => {
            let sql = format!(
                "SELECT id, unique_id, nickname, {column}, points FROM viewers
                 WHERE {column} > 0 ORDER BY {column} DESC, id LIMIT ?1"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            stmt.query_map(params![limit], map)?
                .collect::<Result<_, _>>()?
        }
        Scope::Stream(room_id) => {
            let sql = format!(
                "SELECT v.id, v.unique_id, v.nickname, s.{column}, v.points
                 FROM stream_viewers s JOIN viewers v ON v.id = s.viewer
                 WHERE s.stream = (SELECT id FROM streams WHERE room_id = ?1) AND s.{column} > 0
                 ORDER BY s.{column} DESC, s.viewer LIMIT ?2"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            stmt.query_map(params![room_id, limit], map)?
                .collect::<Result<_, _>>()?
        }
    };
    Ok(rows
        .into_iter()
        .enumerate()
        .map(
            |(i, (user_id, unique_id, nickname, value, points))| BoardRow {
                rank: i + 1,
                user_id,
                unique_id,
                nickname,
                value,
                points,
                level: levels.level(points),
            },
        )
        .collect())
}

/// One viewer's history, for the app's lookup and `!points`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ViewerCard {
    pub user_id: i64,
    pub unique_id: String,
    pub nickname: String,
    /// Unix ms.
    pub first_seen_millis: i64,
    pub last_seen_millis: i64,
    pub coins: i64,
    pub gifts: i64,
    pub likes: i64,
    pub follows: i64,
    pub shares: i64,
    pub subscriptions: i64,
    pub chats: i64,
    pub watch_millis: i64,
    pub points: i64,
    pub level: u32,
    /// Streams the viewer was seen in.
    pub streams: i64,
    pub last_gift: Option<LastGift>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastGift {
    pub gift_name: String,
    pub count: i64,
    pub at_millis: i64,
}

const CARD_COLUMNS: &str = "id, unique_id, nickname, first_seen, last_seen, coins, gifts, likes,
    follows, shares, subscriptions, chats, watch_millis, points, streams, last_gift_name,
    last_gift_count, last_gift_at";

fn card(r: &rusqlite::Row<'_>, levels: &Levels) -> rusqlite::Result<ViewerCard> {
    let points: i64 = r.get(13)?;
    let last_gift = match (r.get::<_, Option<String>>(15)?, r.get(16)?, r.get(17)?) {
        (Some(gift_name), Some(count), Some(at_millis)) => Some(LastGift {
            gift_name,
            count,
            at_millis,
        }),
        _ => None,
    };
    Ok(ViewerCard {
        user_id: r.get(0)?,
        unique_id: r.get(1)?,
        nickname: r.get(2)?,
        first_seen_millis: r.get(3)?,
        last_seen_millis: r.get(4)?,
        coins: r.get(5)?,
        gifts: r.get(6)?,
        likes: r.get(7)?,
        follows: r.get(8)?,
        shares: r.get(9)?,
        subscriptions: r.get(10)?,
        chats: r.get(11)?,
        watch_millis: r.get(12)?,
        points,
        level: levels.level(points),
        streams: r.get(14)?,
        last_gift,
    })
}

/// The viewer with this TikTok user id.
pub fn viewer(
    conn: &Connection,
    user_id: i64,
    levels: &Levels,
) -> Result<Option<ViewerCard>, LedgerError> {
    let sql = format!("SELECT {CARD_COLUMNS} FROM viewers WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![user_id], |r| card(r, levels))
        .optional()?)
}

/// Viewers whose @handle starts with `handle` (case-insensitive, `@` optional), most points
/// first: what the app's lookup box finds as the streamer types.
pub fn find_viewers(
    conn: &Connection,
    handle: &str,
    limit: usize,
    levels: &Levels,
) -> Result<Vec<ViewerCard>, LedgerError> {
    let handle = handle.trim().trim_start_matches('@');
    // A prefix as a range of the case-blind handle index: from the prefix itself to the prefix
    // followed by the highest character.
    let end = format!("{handle}\u{10FFFF}");
    let sql = format!(
        "SELECT {CARD_COLUMNS} FROM viewers
         WHERE unique_id >= ?1 COLLATE NOCASE AND unique_id < ?2 COLLATE NOCASE
         ORDER BY points DESC, id LIMIT ?3"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(&sql)?;
    let cards = stmt
        .query_map(params![handle, end, limit], |r| card(r, levels))?
        .collect::<Result<_, _>>()?;
    Ok(cards)
}

/// One stream's figures (the summary CSV's row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreamSummary {
    pub room_id: String,
    pub started_millis: i64,
    pub last_event_millis: i64,
    pub ended_millis: Option<i64>,
    pub gifts: i64,
    pub coins: i64,
    pub likes: i64,
    pub new_followers: i64,
    pub shares: i64,
    pub subscriptions: i64,
    pub chats: i64,
    pub viewers: i64,
    pub points: i64,
    /// The stream's top gifters by coins, best first.
    pub top_gifters: Vec<BoardRow>,
}

/// Every stream, newest first, each with its `top` gifters.
pub fn stream_summaries(
    conn: &Connection,
    top: usize,
    levels: &Levels,
) -> Result<Vec<StreamSummary>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT room_id, started, last_event, ended, gifts, coins, likes, new_followers, shares,
                subscriptions, chats, viewers, points
         FROM streams ORDER BY started DESC, id DESC",
    )?;
    let mut streams: Vec<StreamSummary> = stmt
        .query_map([], |r| {
            Ok(StreamSummary {
                room_id: r.get(0)?,
                started_millis: r.get(1)?,
                last_event_millis: r.get(2)?,
                ended_millis: r.get(3)?,
                gifts: r.get(4)?,
                coins: r.get(5)?,
                likes: r.get(6)?,
                new_followers: r.get(7)?,
                shares: r.get(8)?,
                subscriptions: r.get(9)?,
                chats: r.get(10)?,
                viewers: r.get(11)?,
                points: r.get(12)?,
                top_gifters: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    for stream in &mut streams {
        let board = Board {
            scope: Scope::Stream(stream.room_id.clone()),
            by: By::Coins,
            limit: top,
        };
        stream.top_gifters = leaderboard(conn, &board, levels)?;
    }
    Ok(streams)
}

/// A saved goal, timer or counter state (`Ledger::save_state`).
pub fn load_state(conn: &Connection, name: &str) -> Result<Option<String>, LedgerError> {
    Ok(conn
        .prepare_cached("SELECT json FROM state WHERE name = ?1")?
        .query_row(params![name], |r| r.get(0))
        .optional()?)
}
