//! How long the event log keeps what. Events older than the retention age
//! go; past the count cap, aggregated noise (denials, late renewals) goes
//! before anything an admin needs (grants, releases, disconnects, admin
//! actions); and the pages freed go back to the file system (incremental
//! vacuum), so the file shrinks instead of only growing.

use leasehold_core::Timestamp;
use leasehold_core::event::EventKind;
use rusqlite::Connection;

/// What the event log keeps (`serve --events-keep-days`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Events older than this many days are deleted.
    pub keep_days: u32,
    /// At most this many events; past it the oldest noise goes first.
    pub max_events: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            keep_days: 400,
            max_events: 1_000_000,
        }
    }
}

/// Kinds that are noise when space runs short: a stranger can cause them.
const NOISE: [EventKind; 2] = [EventKind::Deny, EventKind::RenewAfterExpiry];

/// Applies `r` at `now`; returns how many events went.
///
/// # Errors
/// SQLite's, when a delete fails (nothing of that delete is applied).
pub(crate) fn prune(
    conn: &Connection,
    r: Retention,
    now: Timestamp,
) -> Result<usize, rusqlite::Error> {
    // Counted back from the newest event when the clock is ahead of it: a
    // clock set far ahead at boot must not delete the whole log.
    let newest: Option<i64> = conn.query_row("SELECT MAX(at) FROM events", [], |row| row.get(0))?;
    let reference = newest.map_or(now.0, |n| n.min(now.0));
    let cutoff = reference.saturating_sub(i64::from(r.keep_days) * 86_400_000);
    let mut gone = conn.execute("DELETE FROM events WHERE at < ?1", [cutoff])?;
    let max = i64::try_from(r.max_events).unwrap_or(i64::MAX);
    let over = |conn: &Connection| -> Result<i64, rusqlite::Error> {
        let count: i64 = conn.query_row("SELECT count(*) FROM events", [], |row| row.get(0))?;
        Ok(count - max)
    };
    let excess = over(conn)?;
    if excess > 0 {
        gone += conn.execute(
            "DELETE FROM events WHERE seq IN
               (SELECT seq FROM events WHERE kind IN (?1, ?2) ORDER BY seq LIMIT ?3)",
            rusqlite::params![NOISE[0].as_str(), NOISE[1].as_str(), excess],
        )?;
        let excess = over(conn)?;
        if excess > 0 {
            gone += conn.execute(
                "DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?1)",
                [excess],
            )?;
        }
    }
    if gone > 0 {
        // Gives the freed pages back to the file system (auto_vacuum is
        // INCREMENTAL; see `enable_incremental_vacuum`).
        // It frees one page per step: step it to the end.
        let mut stmt = conn.prepare("PRAGMA incremental_vacuum")?;
        let mut rows = stmt.query([])?;
        while rows.next()?.is_some() {}
    }
    Ok(gone)
}

/// Switches the database to incremental auto-vacuum once (a one-time
/// `VACUUM` rewrites the file; later prunes give pages back cheaply). A
/// failure (no room for the rewrite) is logged: the file then only stops
/// shrinking, nothing else changes.
pub(crate) fn enable_incremental_vacuum(conn: &Connection) {
    const INCREMENTAL: i64 = 2;
    let mode: Result<i64, _> = conn.pragma_query_value(None, "auto_vacuum", |row| row.get(0));
    if mode.is_ok_and(|m| m == INCREMENTAL) {
        return;
    }
    let switched = conn
        .pragma_update(None, "auto_vacuum", "INCREMENTAL")
        .and_then(|()| conn.execute_batch("VACUUM;"));
    if let Err(e) = switched {
        tracing::warn!(error = %e, "cannot switch the database to incremental vacuum; the file will not shrink after old events are deleted");
    }
}
