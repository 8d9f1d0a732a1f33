//! The writer's side of the database: one batch of messages applied in one transaction (all of
//! it or none of it), with every event's credit key checked first so an event counts once.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::rules::{Activity, PointRules, Tally};
use super::{Adjustment, LedgerEvent, Viewer};

/// Credit keys of streams that ended this long ago are deleted: no duplicate of their events can
/// arrive any more (a TikTok room id lasts one stream), and a long stream leaves millions.
pub const KEY_RETENTION_MILLIS: u64 = 48 * 60 * 60 * 1000;

/// One message for the writer.
#[derive(Debug)]
pub(crate) enum Msg {
    /// The session is live in this room (a reconnect or restart in the same room continues its
    /// stream).
    Begin {
        room_id: String,
        at_millis: u64,
    },
    Event(LedgerEvent),
    Adjust(Adjustment),
    End {
        at_millis: u64,
    },
    Rules(PointRules),
    SaveState {
        name: String,
        json: String,
        at_millis: u64,
    },
    /// Answered once everything before it is committed.
    Sync(tokio::sync::oneshot::Sender<()>),
}

/// What a committed batch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    pub events: u64,
    pub duplicates: u64,
    pub adjustments: u64,
    pub points: i64,
}

/// The current stream and rules: changed only by a committed batch.
#[derive(Clone, Debug)]
struct Session {
    stream: Option<i64>,
    rules: PointRules,
}

/// The writer's connection and what it knows between batches.
pub(crate) struct Store {
    conn: Connection,
    session: Session,
    /// The all-time points of the viewers the last committed batch changed.
    totals: Vec<(i64, i64)>,
}

/// A stream's totals gathered over a batch, written once at its end.
#[derive(Clone, Copy, Debug, Default)]
struct StreamDelta {
    gifts: i64,
    coins: i64,
    likes: i64,
    new_followers: i64,
    shares: i64,
    subscriptions: i64,
    chats: i64,
    viewers: i64,
    points: i64,
    last_event: i64,
}

impl StreamDelta {
    fn is_empty(&self) -> bool {
        self.last_event == 0 && self.points == 0
    }
}

fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn uint(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Store {
    pub(crate) fn new(conn: Connection, rules: PointRules) -> Self {
        Self {
            conn,
            session: Session {
                stream: None,
                rules,
            },
            totals: Vec::new(),
        }
    }

    /// Applies the data messages of `batch` in one transaction. On an error nothing of it is
    /// kept, in the file or here, so the same batch can be applied again.
    pub(crate) fn apply(&mut self, batch: &[Msg]) -> Result<Applied, rusqlite::Error> {
        let mut session = self.session.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut applied = Applied::default();
        let mut delta = StreamDelta::default();
        let mut touched = std::collections::HashSet::new();
        for msg in batch {
            match msg {
                Msg::Begin { room_id, at_millis } => {
                    flush_stream(&tx, session.stream, &mut delta)?;
                    session.stream = Some(begin_stream(&tx, room_id, *at_millis)?);
                }
                Msg::End { at_millis } => {
                    flush_stream(&tx, session.stream, &mut delta)?;
                    if let Some(stream) = session.stream.take() {
                        tx.execute(
                            "UPDATE streams SET ended = ?2 WHERE id = ?1",
                            params![stream, int(*at_millis)],
                        )?;
                    }
                }
                Msg::Event(event) => {
                    let stream = match session.stream {
                        Some(s) => s,
                        None => *session
                            .stream
                            .insert(begin_stream(&tx, "", event.at_millis)?),
                    };
                    touched.insert(event.viewer.user_id);
                    match record_event(&tx, stream, &session.rules, event, &mut delta)? {
                        Some(points) => {
                            applied.events += 1;
                            applied.points += points;
                        }
                        None => applied.duplicates += 1,
                    }
                }
                Msg::Adjust(adjustment) => {
                    touched.insert(adjustment.viewer.user_id);
                    if let Some(points) = adjust(&tx, session.stream, adjustment, &mut delta)? {
                        applied.adjustments += 1;
                        applied.points += points;
                    } else {
                        applied.duplicates += 1;
                    }
                }
                Msg::Rules(rules) => session.rules = rules.clone(),
                Msg::SaveState {
                    name,
                    json,
                    at_millis,
                } => {
                    tx.prepare_cached(
                        "INSERT INTO state (name, json, updated) VALUES (?1, ?2, ?3)
                         ON CONFLICT (name) DO UPDATE SET json = excluded.json, updated = excluded.updated",
                    )?
                    .execute(params![name, json, int(*at_millis)])?;
                }
                Msg::Sync(_) => {}
            }
        }
        flush_stream(&tx, session.stream, &mut delta)?;
        let totals = viewer_points(&tx, touched)?;
        tx.commit()?;
        self.session = session;
        self.totals = totals;
        Ok(applied)
    }

    /// The all-time points of the viewers the last committed batch changed (for the standings).
    pub(crate) fn take_totals(&mut self) -> Vec<(i64, i64)> {
        std::mem::take(&mut self.totals)
    }

    /// The best `limit` viewers' all-time points (the standings' first fill).
    pub(crate) fn best_totals(&self, limit: usize) -> rusqlite::Result<Vec<(i64, i64)>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare(
            "SELECT id, points FROM viewers WHERE points > 0 ORDER BY points DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    }

    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// The all-time points of `viewers`, read inside the batch's transaction.
fn viewer_points(
    tx: &Transaction<'_>,
    viewers: std::collections::HashSet<i64>,
) -> rusqlite::Result<Vec<(i64, i64)>> {
    let mut stmt = tx.prepare_cached("SELECT points FROM viewers WHERE id = ?1")?;
    let mut totals = Vec::with_capacity(viewers.len());
    for viewer in viewers {
        if let Some(points) = stmt
            .query_row(params![viewer], |r| r.get::<_, i64>(0))
            .optional()?
        {
            totals.push((viewer, points));
        }
    }
    Ok(totals)
}

/// The stream of `room_id` (created the first time), and credit keys of long-past streams gone.
fn begin_stream(tx: &Transaction<'_>, room_id: &str, at_millis: u64) -> rusqlite::Result<i64> {
    let at = int(at_millis);
    let id: i64 = tx.query_row(
        "INSERT INTO streams (room_id, started, last_event) VALUES (?1, ?2, ?2)
         ON CONFLICT (room_id) DO UPDATE SET ended = NULL
         RETURNING id",
        params![room_id, at],
        |row| row.get(0),
    )?;
    tx.execute(
        "DELETE FROM credits WHERE stream IN
           (SELECT id FROM streams WHERE id <> ?1 AND last_event < ?2)",
        params![id, at.saturating_sub(int(KEY_RETENTION_MILLIS))],
    )?;
    Ok(id)
}

fn flush_stream(
    tx: &Transaction<'_>,
    stream: Option<i64>,
    delta: &mut StreamDelta,
) -> rusqlite::Result<()> {
    let (Some(stream), false) = (stream, delta.is_empty()) else {
        *delta = StreamDelta::default();
        return Ok(());
    };
    let d = std::mem::take(delta);
    tx.prepare_cached(
        "UPDATE streams SET gifts = gifts + ?2, coins = coins + ?3, likes = likes + ?4,
           new_followers = new_followers + ?5, shares = shares + ?6,
           subscriptions = subscriptions + ?7, chats = chats + ?8, viewers = viewers + ?9,
           points = points + ?10, last_event = max(last_event, ?11)
         WHERE id = ?1",
    )?
    .execute(params![
        stream,
        d.gifts,
        d.coins,
        d.likes,
        d.new_followers,
        d.shares,
        d.subscriptions,
        d.chats,
        d.viewers,
        d.points,
        d.last_event
    ])?;
    Ok(())
}

/// Claims a credit key; false when it was already taken (the event was counted before).
fn claim(tx: &Transaction<'_>, stream: i64, msg_id: i64, slot: u32) -> rusqlite::Result<bool> {
    if msg_id == 0 {
        return Ok(true);
    }
    let inserted = tx
        .prepare_cached("INSERT OR IGNORE INTO credits (stream, msg_id, slot) VALUES (?1, ?2, ?3)")?
        .execute(params![stream, msg_id, slot])?;
    Ok(inserted == 1)
}

/// Records one event; `None` when its key was already claimed.
fn record_event(
    tx: &Transaction<'_>,
    stream: i64,
    rules: &PointRules,
    event: &LedgerEvent,
    delta: &mut StreamDelta,
) -> rusqlite::Result<Option<i64>> {
    if !claim(tx, stream, event.msg_id, 0)? {
        return Ok(None);
    }
    let user = event.viewer.user_id;
    let at = int(event.at_millis);
    let found = load_tally(tx, stream, user)?;
    let before = found.unwrap_or_default();
    let mut tally = before;
    let earned = rules.apply(&mut tally, &event.activity, event.at_millis);
    store_tally(tx, stream, user, found.is_none(), &before, &tally, at)?;
    let change = Change::between(&before, &tally);
    touch_viewer(tx, &event.viewer, at, found.is_none())?;
    change.add_to_viewer(tx, user, at)?;
    if let Activity::Gift {
        gift_name, count, ..
    } = &event.activity
    {
        tx.prepare_cached(
            "UPDATE viewers SET last_gift_name = ?2, last_gift_count = ?3, last_gift_at = ?4
             WHERE id = ?1",
        )?
        .execute(params![user, gift_name, count, at])?;
    }
    delta.gifts += change.gifts;
    delta.coins += change.coins;
    delta.likes += change.likes;
    delta.new_followers += change.follows;
    delta.shares += change.shares;
    delta.subscriptions += change.subscriptions;
    delta.chats += change.chats;
    delta.viewers += i64::from(found.is_none());
    delta.points += earned;
    delta.last_event = delta.last_event.max(at);
    Ok(Some(earned))
}

fn load_tally(tx: &Transaction<'_>, stream: i64, viewer: i64) -> rusqlite::Result<Option<Tally>> {
    tx.prepare_cached(
        "SELECT coins, gifts, likes, followed, shares, subscriptions, chats, rewarded_chats,
                last_rewarded_chat, watch_millis, last_seen, points
         FROM stream_viewers WHERE stream = ?1 AND viewer = ?2",
    )?
    .query_row(params![stream, viewer], |r| {
        Ok(Tally {
            coins: uint(r.get(0)?),
            gifts: uint(r.get(1)?),
            likes: uint(r.get(2)?),
            followed: r.get(3)?,
            shares: uint(r.get(4)?),
            subscriptions: uint(r.get(5)?),
            chats: uint(r.get(6)?),
            rewarded_chats: uint(r.get(7)?),
            last_rewarded_chat_millis: uint(r.get(8)?),
            watch_millis: uint(r.get(9)?),
            last_seen_millis: uint(r.get(10)?),
            points: r.get(11)?,
        })
    })
    .optional()
}

/// The stream row's columns, in `load_tally`'s order after the key.
const TALLY_COLUMNS: [&str; 12] = [
    "coins",
    "gifts",
    "likes",
    "followed",
    "shares",
    "subscriptions",
    "chats",
    "rewarded_chats",
    "last_rewarded_chat",
    "watch_millis",
    "last_seen",
    "points",
];

fn tally_values(t: &Tally) -> [i64; 12] {
    [
        int(t.coins),
        int(t.gifts),
        int(t.likes),
        i64::from(t.followed),
        int(t.shares),
        int(t.subscriptions),
        int(t.chats),
        int(t.rewarded_chats),
        int(t.last_rewarded_chat_millis),
        int(t.watch_millis),
        int(t.last_seen_millis),
        t.points,
    ]
}

/// Writes a stream row: a new one whole, an existing one only in the columns that changed (an
/// index is only rewritten when a column of it is set, which matters at 1,000 gifts a second).
fn store_tally(
    tx: &Transaction<'_>,
    stream: i64,
    viewer: i64,
    new: bool,
    before: &Tally,
    after: &Tally,
    at: i64,
) -> rusqlite::Result<()> {
    let values = tally_values(after);
    if new {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO stream_viewers (stream, viewer, first_seen, coins, gifts, likes, followed,
               shares, subscriptions, chats, rewarded_chats, last_rewarded_chat, watch_millis,
               last_seen, points)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let [a, b, c, d, e, f, g, h, i, j, k, l] = values;
        stmt.execute(params![
            stream, viewer, at, a, b, c, d, e, f, g, h, i, j, k, l
        ])?;
        return Ok(());
    }
    let old = tally_values(before);
    let changed: Vec<usize> = (0..values.len()).filter(|&i| values[i] != old[i]).collect();
    if changed.is_empty() {
        return Ok(());
    }
    let sets: Vec<String> = changed
        .iter()
        .enumerate()
        .map(|(n, &i)| format!("{} = ?{}", TALLY_COLUMNS[i], n + 3))
        .collect();
    let sql = format!(
        "UPDATE stream_viewers SET {} WHERE stream = ?1 AND viewer = ?2",
        sets.join(", ")
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    stmt.raw_bind_parameter(1, stream)?;
    stmt.raw_bind_parameter(2, viewer)?;
    for (n, &i) in changed.iter().enumerate() {
        stmt.raw_bind_parameter(n + 3, values[i])?;
    }
    stmt.raw_execute()?;
    Ok(())
}

/// Creates the viewer the first time, keeps the newest handle and name, counts a new stream.
fn touch_viewer(
    tx: &Transaction<'_>,
    viewer: &Viewer,
    at: i64,
    new_in_stream: bool,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO viewers (id, unique_id, nickname, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![
        viewer.user_id,
        viewer.unique_id,
        viewer.nickname,
        at
    ])?;
    if !viewer.unique_id.is_empty() || !viewer.nickname.is_empty() {
        tx.prepare_cached(
            "UPDATE viewers SET unique_id = ?2, nickname = ?3
             WHERE id = ?1 AND ?2 <> '' AND (unique_id <> ?2 OR nickname <> ?3)",
        )?
        .execute(params![viewer.user_id, viewer.unique_id, viewer.nickname])?;
    }
    if new_in_stream {
        tx.prepare_cached("UPDATE viewers SET streams = streams + 1 WHERE id = ?1")?
            .execute(params![viewer.user_id])?;
    }
    Ok(())
}

/// What one event added to a viewer's all-time totals.
#[derive(Clone, Copy, Debug, Default)]
struct Change {
    coins: i64,
    gifts: i64,
    likes: i64,
    follows: i64,
    shares: i64,
    subscriptions: i64,
    chats: i64,
    watch_millis: i64,
    points: i64,
}

impl Change {
    fn between(before: &Tally, after: &Tally) -> Self {
        let d = |a: u64, b: u64| int(b.saturating_sub(a));
        Self {
            coins: d(before.coins, after.coins),
            gifts: d(before.gifts, after.gifts),
            likes: d(before.likes, after.likes),
            follows: i64::from(after.followed && !before.followed),
            shares: d(before.shares, after.shares),
            subscriptions: d(before.subscriptions, after.subscriptions),
            chats: d(before.chats, after.chats),
            watch_millis: d(before.watch_millis, after.watch_millis),
            points: after.points - before.points,
        }
    }

    /// Adds to the viewer's totals, setting only the columns that change (see `store_tally`).
    fn add_to_viewer(&self, tx: &Transaction<'_>, viewer: i64, at: i64) -> rusqlite::Result<()> {
        let all = [
            ("coins", self.coins),
            ("gifts", self.gifts),
            ("likes", self.likes),
            ("follows", self.follows),
            ("shares", self.shares),
            ("subscriptions", self.subscriptions),
            ("chats", self.chats),
            ("watch_millis", self.watch_millis),
            ("points", self.points),
        ];
        let changed: Vec<(&str, i64)> = all.into_iter().filter(|(_, v)| *v != 0).collect();
        let mut sql = String::from("UPDATE viewers SET last_seen = max(last_seen, ?2)");
        for (n, (column, _)) in changed.iter().enumerate() {
            sql.push_str(&format!(", {column} = {column} + ?{}", n + 3));
        }
        sql.push_str(" WHERE id = ?1");
        let mut stmt = tx.prepare_cached(&sql)?;
        stmt.raw_bind_parameter(1, viewer)?;
        stmt.raw_bind_parameter(2, at)?;
        for (n, (_, value)) in changed.iter().enumerate() {
            stmt.raw_bind_parameter(n + 3, *value)?;
        }
        stmt.raw_execute()?;
        Ok(())
    }
}

/// Applies a manual or action change of points; `None` when its key was already claimed.
fn adjust(
    tx: &Transaction<'_>,
    stream: Option<i64>,
    adjustment: &Adjustment,
    delta: &mut StreamDelta,
) -> rusqlite::Result<Option<i64>> {
    if let Some(stream) = stream
        && !claim(tx, stream, adjustment.msg_id, adjustment.slot.max(1))?
    {
        return Ok(None);
    }
    let user = adjustment.viewer.user_id;
    let at = int(adjustment.at_millis);
    touch_viewer(tx, &adjustment.viewer, at, false)?;
    let current: i64 = tx
        .prepare_cached("SELECT points FROM viewers WHERE id = ?1")?
        .query_row(params![user], |r| r.get(0))?;
    // Never below 0: taking 50 from 30 takes 30.
    let points = adjustment.points.max(-current.max(0));
    tx.prepare_cached("UPDATE viewers SET points = points + ?2 WHERE id = ?1")?
        .execute(params![user, points])?;
    if let Some(stream) = stream {
        tx.prepare_cached(
            "INSERT INTO stream_viewers (stream, viewer, first_seen, last_seen, points)
             VALUES (?1, ?2, ?3, ?3, ?4)
             ON CONFLICT (stream, viewer) DO UPDATE SET points = points + excluded.points",
        )?
        .execute(params![stream, user, at, points])?;
        delta.points += points;
        delta.last_event = delta.last_event.max(at);
    }
    tx.prepare_cached(
        "INSERT INTO adjustments (stream, viewer, points, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![stream, user, points, adjustment.reason, at])?;
    Ok(Some(points))
}

/// Opens the writer's connection: the folder, the file, the pragmas, the migrations.
pub(crate) fn open_connection(path: &std::path::Path) -> Result<Connection, super::LedgerError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| super::LedgerError::Folder {
            path: parent.to_owned(),
            source,
        })?;
    }
    let mut conn = Connection::open(path).map_err(|source| super::LedgerError::Open {
        path: path.to_owned(),
        source,
    })?;
    super::schema::prepare(&mut conn)?;
    super::schema::migrate(&mut conn)?;
    Ok(conn)
}
