//! The ledger database's schema and its migrations: `PRAGMA user_version` says which migrations a
//! file has had; opening runs the missing ones in order, each in its own transaction. A file from a
//! newer giftdeck (a version this build does not know) is refused rather than guessed at.
//!
//! # Changing the schema
//!
//! Append a migration to `MIGRATIONS`; never edit one that shipped (files already ran it). A new
//! column needs a default, so rows written before it keep their meaning.

use rusqlite::{Connection, TransactionBehavior};

use super::LedgerError;

/// Version 1: viewers (all-time totals), streams (one per TikTok room id) and each viewer's
/// tallies per stream, the credit keys that make every event count once, manual point changes,
/// and the saved state of goals, timers and counters.
const V1: &str = "
CREATE TABLE viewers (
    id INTEGER PRIMARY KEY,            -- TikTok's numeric user id
    unique_id TEXT NOT NULL DEFAULT '',
    nickname TEXT NOT NULL DEFAULT '',
    first_seen INTEGER NOT NULL,       -- Unix ms
    last_seen INTEGER NOT NULL,
    coins INTEGER NOT NULL DEFAULT 0,
    gifts INTEGER NOT NULL DEFAULT 0,
    likes INTEGER NOT NULL DEFAULT 0,
    follows INTEGER NOT NULL DEFAULT 0,
    shares INTEGER NOT NULL DEFAULT 0,
    subscriptions INTEGER NOT NULL DEFAULT 0,
    chats INTEGER NOT NULL DEFAULT 0,
    watch_millis INTEGER NOT NULL DEFAULT 0,
    points INTEGER NOT NULL DEFAULT 0,
    streams INTEGER NOT NULL DEFAULT 0,
    last_gift_name TEXT,
    last_gift_count INTEGER,
    last_gift_at INTEGER
);
CREATE INDEX viewers_by_points ON viewers (points DESC, id);
CREATE INDEX viewers_by_coins ON viewers (coins DESC, id);
CREATE INDEX viewers_by_likes ON viewers (likes DESC, id);
CREATE INDEX viewers_by_handle ON viewers (unique_id COLLATE NOCASE);

CREATE TABLE streams (
    id INTEGER PRIMARY KEY,
    room_id TEXT NOT NULL UNIQUE,
    started INTEGER NOT NULL,
    last_event INTEGER NOT NULL,
    ended INTEGER,
    gifts INTEGER NOT NULL DEFAULT 0,
    coins INTEGER NOT NULL DEFAULT 0,
    likes INTEGER NOT NULL DEFAULT 0,
    new_followers INTEGER NOT NULL DEFAULT 0,
    shares INTEGER NOT NULL DEFAULT 0,
    subscriptions INTEGER NOT NULL DEFAULT 0,
    chats INTEGER NOT NULL DEFAULT 0,
    viewers INTEGER NOT NULL DEFAULT 0,
    points INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE stream_viewers (
    stream INTEGER NOT NULL REFERENCES streams (id),
    viewer INTEGER NOT NULL,
    coins INTEGER NOT NULL DEFAULT 0,
    gifts INTEGER NOT NULL DEFAULT 0,
    likes INTEGER NOT NULL DEFAULT 0,
    followed INTEGER NOT NULL DEFAULT 0,
    shares INTEGER NOT NULL DEFAULT 0,
    subscriptions INTEGER NOT NULL DEFAULT 0,
    chats INTEGER NOT NULL DEFAULT 0,
    rewarded_chats INTEGER NOT NULL DEFAULT 0,
    last_rewarded_chat INTEGER NOT NULL DEFAULT 0,
    watch_millis INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL DEFAULT 0,
    points INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (stream, viewer)
) WITHOUT ROWID;
CREATE INDEX stream_viewers_by_points ON stream_viewers (stream, points DESC, viewer);
CREATE INDEX stream_viewers_by_coins ON stream_viewers (stream, coins DESC, viewer);
CREATE INDEX stream_viewers_by_likes ON stream_viewers (stream, likes DESC, viewer);

-- One row per event counted: the engine's message id (the credit's completing message for a
-- gift) and a slot (0: the event's own points; n: the nth points action it ran).
CREATE TABLE credits (
    stream INTEGER NOT NULL,
    msg_id INTEGER NOT NULL,
    slot INTEGER NOT NULL,
    PRIMARY KEY (stream, msg_id, slot)
) WITHOUT ROWID;

CREATE TABLE adjustments (
    id INTEGER PRIMARY KEY,
    stream INTEGER,
    viewer INTEGER NOT NULL,
    points INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL
);

CREATE TABLE state (
    name TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    updated INTEGER NOT NULL
);
";

/// Every migration, in order: index + 1 is the version a file has after it.
const MIGRATIONS: &[&str] = &[V1];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Sets the connection up (WAL, so readers never wait for the writer and a commit needs no fsync
/// of the database itself; foreign keys) and brings the schema to [`SCHEMA_VERSION`].
pub fn prepare(conn: &mut Connection) -> Result<(), rusqlite::Error> {
    // WAL with synchronous=NORMAL: a committed transaction survives the app crashing or being
    // killed (it is in the OS's hands); only a power cut can take the last commits back, never
    // half of one.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Runs the migrations `conn` misses. Errors with [`LedgerError::NewerSchema`] on a file from a
/// newer build.
pub fn migrate(conn: &mut Connection) -> Result<u32, LedgerError> {
    let found: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(LedgerError::NewerSchema {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(index + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_gets_every_migration_once_and_a_newer_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        let mut conn = Connection::open(&path).unwrap();
        prepare(&mut conn).unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        assert_eq!(migrate(&mut conn).unwrap(), SCHEMA_VERSION, "nothing to do");
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 6);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(
            matches!(err, LedgerError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1),
            "{err}"
        );
    }
}
