//! CSV exports of the ledger (one row per viewer) and of every stream's summary, for a
//! spreadsheet. Nicknames are written by strangers, so every text cell is made inert: hidden and
//! line-breaking characters go, and a cell a spreadsheet would read as a formula (`=`, `+`, `-`,
//! `@`, tab or carriage return first) starts with `'` (OWASP's advice for CSV injection).

use std::io::Write;

use rusqlite::Connection;

use super::queries::{StreamSummary, stream_summaries};
use super::{LedgerError, Levels};

/// How many top gifters a stream's summary row names.
pub const SUMMARY_TOP_GIFTERS: usize = 5;

/// A text cell: one line of visible characters, never a formula, quoted when it needs to be.
pub fn text_cell(text: &str) -> String {
    let clean = crate::text::one_line(text, 200);
    let inert = if clean.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{clean}")
    } else {
        clean
    };
    if inert.contains([',', '"', '\n', '\r']) || inert.starts_with(' ') || inert.ends_with(' ') {
        format!("\"{}\"", inert.replace('"', "\"\""))
    } else {
        inert
    }
}

/// Unix ms as an ISO 8601 time in UTC (empty for 0 or none).
fn time_cell(millis: Option<i64>) -> String {
    millis
        .filter(|&m| m > 0)
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> LedgerError + '_ {
    move |source| LedgerError::Export {
        path: path.to_owned(),
        source,
    }
}

const VIEWER_HEADER: &str = "user_id,unique_id,nickname,first_seen,last_seen,streams,coins,gifts,likes,follows,shares,subscriptions,chats,watch_minutes,points,level,last_gift,last_gift_count,last_gift_at";

/// Every viewer, most points first, as CSV into `out`. Streams the rows (a million viewers need
/// no more memory than ten). Returns how many rows it wrote.
pub fn viewers_csv(
    conn: &Connection,
    levels: &Levels,
    out: &mut dyn Write,
) -> Result<u64, std::io::Error> {
    let sqlite = |e: rusqlite::Error| std::io::Error::other(e);
    writeln!(out, "{VIEWER_HEADER}")?;
    let mut stmt = conn
        .prepare(
            "SELECT id, unique_id, nickname, first_seen, last_seen, streams, coins, gifts, likes,
                    follows, shares, subscriptions, chats, watch_millis, points, last_gift_name,
                    last_gift_count, last_gift_at
             FROM viewers ORDER BY points DESC, id",
        )
        .map_err(sqlite)?;
    let mut rows = stmt.query([]).map_err(sqlite)?;
    let mut written = 0;
    while let Some(r) = rows.next().map_err(sqlite)? {
        let n = |i: usize| r.get::<_, i64>(i).map_err(sqlite);
        let points = n(14)?;
        let last_gift: Option<String> = r.get(15).map_err(sqlite)?;
        let last_count: Option<i64> = r.get(16).map_err(sqlite)?;
        let last_at: Option<i64> = r.get(17).map_err(sqlite)?;
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            n(0)?,
            text_cell(&r.get::<_, String>(1).map_err(sqlite)?),
            text_cell(&r.get::<_, String>(2).map_err(sqlite)?),
            time_cell(Some(n(3)?)),
            time_cell(Some(n(4)?)),
            n(5)?,
            n(6)?,
            n(7)?,
            n(8)?,
            n(9)?,
            n(10)?,
            n(11)?,
            n(12)?,
            n(13)? / 60_000,
            points,
            levels.level(points),
            last_gift.as_deref().map(text_cell).unwrap_or_default(),
            last_count.map(|c| c.to_string()).unwrap_or_default(),
            time_cell(last_at),
        )?;
        written += 1;
    }
    Ok(written)
}

const STREAM_HEADER: &str = "room_id,started,last_event,ended,gifts,coins,likes,new_followers,shares,subscriptions,chats,viewers,points,top_gifters";

/// One summary row as CSV (top gifters as `handle (coins)`, `; `-separated, in one cell).
fn stream_row(s: &StreamSummary) -> String {
    let top: Vec<String> = s
        .top_gifters
        .iter()
        .map(|g| {
            let name = if g.unique_id.is_empty() {
                &g.nickname
            } else {
                &g.unique_id
            };
            format!("{} ({})", crate::text::one_line(name, 60), g.value)
        })
        .collect();
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        text_cell(&s.room_id),
        time_cell(Some(s.started_millis)),
        time_cell(Some(s.last_event_millis)),
        time_cell(s.ended_millis),
        s.gifts,
        s.coins,
        s.likes,
        s.new_followers,
        s.shares,
        s.subscriptions,
        s.chats,
        s.viewers,
        s.points,
        text_cell(&top.join("; ")),
    )
}

/// Every stream's summary, newest first, as CSV into `out`. Returns how many rows it wrote.
pub fn streams_csv(
    conn: &Connection,
    levels: &Levels,
    out: &mut dyn Write,
) -> Result<u64, LedgerError> {
    let streams = stream_summaries(conn, SUMMARY_TOP_GIFTERS, levels)?;
    let fail = |source| LedgerError::Export {
        path: "(stream summary)".into(),
        source,
    };
    writeln!(out, "{STREAM_HEADER}").map_err(fail)?;
    for s in &streams {
        writeln!(out, "{}", stream_row(s)).map_err(fail)?;
    }
    Ok(streams.len() as u64)
}

/// Writes the viewers' CSV to `path` (through a temp file, renamed when complete).
pub fn write_viewers_csv(
    conn: &Connection,
    levels: &Levels,
    path: &std::path::Path,
) -> Result<u64, LedgerError> {
    write_atomically(path, |out| viewers_csv(conn, levels, out))
}

/// Writes the streams' CSV to `path` (through a temp file, renamed when complete).
pub fn write_streams_csv(
    conn: &Connection,
    levels: &Levels,
    path: &std::path::Path,
) -> Result<u64, LedgerError> {
    write_atomically(path, |out| {
        streams_csv(conn, levels, out).map_err(|e| match e {
            LedgerError::Export { source, .. } => source,
            other => std::io::Error::other(other),
        })
    })
}

fn write_atomically(
    path: &std::path::Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<u64, std::io::Error>,
) -> Result<u64, LedgerError> {
    let tmp = path.with_extension("csv.tmp");
    let file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    let mut out = std::io::BufWriter::new(file);
    let rows = fill(&mut out).map_err(io(path))?;
    out.flush().map_err(io(&tmp))?;
    drop(out);
    std::fs::rename(&tmp, path).map_err(io(path))?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_are_never_formulas_and_stay_one_cell() {
        assert_eq!(text_cell("anna"), "anna");
        assert_eq!(
            text_cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(text_cell("=1+1"), "'=1+1");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-2"), "'-2");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        // A formula behind hidden or blank characters is found once they are gone.
        assert_eq!(
            text_cell("\u{200B}=cmd|' /C calc'!A0"),
            "'=cmd|' /C calc'!A0"
        );
        assert_eq!(text_cell("  \t=1"), "'=1");
        assert_eq!(text_cell("a,b"), "\"a,b\"");
        assert_eq!(text_cell("two\nlines"), "two lines");
        assert_eq!(text_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text_cell(""), "");
    }

    #[test]
    fn times_are_utc_iso() {
        assert_eq!(time_cell(Some(0)), "");
        assert_eq!(time_cell(None), "");
        assert_eq!(time_cell(Some(1_767_225_600_000)), "2026-01-01T00:00:00Z");
    }
}
