//! The usage history in the store: a row per product per minute, written
//! once a minute for every product (no write per request), and the hour and
//! day rows summed from the rows below them in the same transaction, so a
//! restart or a gap never leaves them behind. Old rows go as each minute is
//! written (minutes after 7 days, hours after 400, days after 10 years).

use super::error::StoreError;
use super::load::{BadRow, int, text};
use leasehold_core::wire::usage::{HistoryStep, UsagePoint};
use leasehold_core::{Product, Timestamp};
use rusqlite::{Connection, Row, params};
use std::path::Path;

/// The most points one query returns (a larger step answers more time).
pub const MAX_POINTS: usize = 200_000;

fn table(step: HistoryStep) -> &'static str {
    match step {
        HistoryStep::Minute => "usage_minutes",
        HistoryStep::Hour => "usage_hours",
        HistoryStep::Day => "usage_days",
    }
}

fn start_of(at: i64, step: HistoryStep) -> i64 {
    at.saturating_sub(at.rem_euclid(step.millis()))
}

/// Writes one minute's rows (`at` its start), sums its hour and day again,
/// and lets old rows go.
pub(crate) fn put_minute(
    conn: &Connection,
    at: Timestamp,
    rows: &[(Product, UsagePoint)],
) -> Result<(), rusqlite::Error> {
    let mut insert = conn.prepare_cached(
        "INSERT OR REPLACE INTO usage_minutes (at, product, high, low, seats, denials, waiting, overdraft, tokens)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (product, p) in rows {
        insert.execute(params![
            at.0,
            product.as_str(),
            p.high,
            p.low,
            p.seats,
            p.denials,
            p.waiting,
            p.overdraft,
            i64::try_from(p.tokens).unwrap_or(i64::MAX),
        ])?;
    }
    for (to, from) in [
        (HistoryStep::Hour, HistoryStep::Minute),
        (HistoryStep::Day, HistoryStep::Hour),
    ] {
        let start = start_of(at.0, to);
        let sql = format!(
            "INSERT OR REPLACE INTO {} (at, product, high, low, seats, denials, waiting, overdraft, tokens)
             SELECT ?1, product, MAX(high), MIN(low), MAX(seats), SUM(denials), MAX(waiting), MAX(overdraft), SUM(tokens)
             FROM {} WHERE at >= ?1 AND at < ?2 GROUP BY product",
            table(to),
            table(from)
        );
        conn.prepare_cached(&sql)?
            .execute(params![start, start + to.millis()])?;
    }
    for step in [HistoryStep::Minute, HistoryStep::Hour, HistoryStep::Day] {
        let sql = format!("DELETE FROM {} WHERE at < ?1", table(step));
        conn.prepare_cached(&sql)?
            .execute([at.0.saturating_sub(step.kept_millis())])?;
    }
    Ok(())
}

fn point_row(row: &Row<'_>) -> Result<(Product, UsagePoint), BadRow> {
    let small = |i: usize| {
        u32::try_from(int(row, i)?).map_err(|_| BadRow(format!("column {i} is out of range")))
    };
    Ok((
        Product(text(row, 1)?),
        UsagePoint {
            at: Timestamp(int(row, 0)?),
            high: small(2)?,
            low: small(3)?,
            seats: small(4)?,
            denials: small(5)?,
            waiting: small(6)?,
            overdraft: small(7)?,
            tokens: u64::try_from(int(row, 8)?)
                .map_err(|_| BadRow("tokens are negative".into()))?,
        },
    ))
}

/// What to read of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryQuery {
    pub product: Option<Product>,
    /// Points from this step's start.
    pub from: Timestamp,
    /// Points before this time.
    pub to: Timestamp,
    pub step: HistoryStep,
}

/// The points `q` selects, by product then time; `None` when there are more
/// than [`MAX_POINTS`].
pub(crate) fn read(
    conn: &Connection,
    q: &HistoryQuery,
    dir: &Path,
) -> Result<Option<Vec<(Product, UsagePoint)>>, StoreError> {
    let from = start_of(q.from.0, q.step);
    let by_product = if q.product.is_some() {
        "AND product = ?3"
    } else {
        "AND ?3 IS NULL"
    };
    let sql = format!(
        "SELECT at, product, high, low, seats, denials, waiting, overdraft, tokens FROM {}
         WHERE at >= ?1 AND at < ?2 {by_product} ORDER BY product, at LIMIT ?4",
        table(q.step)
    );
    let read = || -> Result<Vec<(Product, UsagePoint)>, rusqlite::Error> {
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![
            from,
            q.to.0,
            q.product.as_ref().map(Product::as_str),
            i64::try_from(MAX_POINTS + 1).unwrap_or(i64::MAX),
        ])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            match point_row(row) {
                Ok(p) => out.push(p),
                Err(BadRow(why)) => tracing::warn!(why, "skipping a damaged usage row"),
            }
        }
        Ok(out)
    };
    let points = read().map_err(|e| StoreError::sqlite("reading the usage history", dir, &e))?;
    Ok((points.len() <= MAX_POINTS).then_some(points))
}
