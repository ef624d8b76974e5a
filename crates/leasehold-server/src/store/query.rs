//! Reading the event log by filter, on the read connection.

use super::EventQuery;
use super::error::StoreError;
use super::load::{BadRow, id, int, opt_text, text};
use leasehold_core::event::{Event, EventKind, Level};
use leasehold_core::{ClientId, CorrelationId, LeaseId, LicenseId, Product};
use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use std::path::Path;

/// The most events one query returns.
pub const MAX_EVENTS: u32 = 10_000;

const COLUMNS: &str = "seq, at, kind, level, product, client_id, user, host, lease_id, license_id, correlation_id, message, actor";

/// Runs `q` (see [`EventQuery`] for what each field means).
pub(crate) fn events(
    conn: &Connection,
    q: &EventQuery,
    dir: &Path,
) -> Result<Vec<Event>, StoreError> {
    let limit = q.limit.min(MAX_EVENTS);
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(after) = q.after_seq {
        // Beyond i64 nothing is stored, so "after" it is nothing.
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new());
        };
        args.push(Value::Integer(after));
        conds.push(format!("seq > ?{}", args.len()));
    }
    if let Some(since) = q.since {
        args.push(Value::Integer(since.0));
        conds.push(format!("at >= ?{}", args.len()));
    }
    if let Some(until) = q.until {
        args.push(Value::Integer(until.0));
        conds.push(format!("at < ?{}", args.len()));
    }
    if !q.kinds.is_empty() {
        let mut marks = Vec::with_capacity(q.kinds.len());
        for kind in &q.kinds {
            args.push(Value::Text(kind.as_str().to_owned()));
            marks.push(format!("?{}", args.len()));
        }
        conds.push(format!("kind IN ({})", marks.join(", ")));
    }
    if let Some(needle) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        args.push(Value::Text(format!("%{}%", escape_like(needle))));
        let n = args.len();
        let any_column = [
            "message",
            "product",
            "client_id",
            "user",
            "host",
            "lease_id",
            "license_id",
            "correlation_id",
        ]
        .iter()
        .map(|c| format!("{c} LIKE ?{n} ESCAPE '\\'"))
        .collect::<Vec<_>>()
        .join(" OR ");
        conds.push(format!("({any_column})"));
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    args.push(Value::Integer(i64::from(limit)));
    let n = args.len();
    // Paging forward from a seq wants the first `limit` after it; any other
    // query wants the newest `limit`. Both come back oldest first.
    let sql = if q.after_seq.is_some() {
        format!("SELECT {COLUMNS} FROM events {filter} ORDER BY seq ASC LIMIT ?{n}")
    } else {
        format!(
            "SELECT * FROM (SELECT {COLUMNS} FROM events {filter} ORDER BY seq DESC LIMIT ?{n}) ORDER BY seq ASC"
        )
    };

    let fail = |e: rusqlite::Error| StoreError::sqlite("reading events", dir, &e);
    let mut stmt = conn.prepare_cached(&sql).map_err(fail)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(fail)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(fail)? {
        match event_row(row) {
            Ok(e) => out.push(e),
            Err(BadRow(why)) => tracing::warn!(why, "skipping a damaged event row"),
        }
    }
    Ok(out)
}

/// Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '\'`.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn level(s: &str) -> Option<Level> {
    [Level::Debug, Level::Info, Level::Warn, Level::Error]
        .into_iter()
        .find(|l| l.as_str() == s)
}

fn opt_id<T: std::str::FromStr>(row: &Row<'_>, i: usize) -> Result<Option<T>, BadRow> {
    match opt_text(row, i)? {
        None => Ok(None),
        Some(_) => id(row, i).map(Some),
    }
}

pub(crate) fn event_row(row: &Row<'_>) -> Result<Event, BadRow> {
    let seq = int(row, 0)?;
    let kind_text = text(row, 2)?;
    let level_text = text(row, 3)?;
    Ok(Event {
        seq: u64::try_from(seq).map_err(|_| BadRow(format!("seq {seq} is negative")))?,
        at: leasehold_core::Timestamp(int(row, 1)?),
        kind: EventKind::parse(&kind_text)
            .ok_or_else(|| BadRow(format!("unknown kind {kind_text:?}")))?,
        level: level(&level_text).ok_or_else(|| BadRow(format!("unknown level {level_text:?}")))?,
        product: opt_text(row, 4)?.map(Product),
        client_id: opt_text(row, 5)?.map(ClientId),
        user: opt_text(row, 6)?,
        host: opt_text(row, 7)?,
        lease_id: opt_id::<LeaseId>(row, 8)?,
        license_id: opt_id::<LicenseId>(row, 9)?,
        correlation_id: opt_id::<CorrelationId>(row, 10)?,
        message: text(row, 11)?,
        by: opt_text(row, 12)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
