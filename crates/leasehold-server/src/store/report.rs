//! What a usage report reads from the store: per product the period's
//! figures from the hourly history and the token ledger, and the events of
//! the period with their links in the chain.

use super::error::StoreError;
use super::load::{BadRow, text};
use leasehold_core::wire::report::{ChainedEvent, ProductReport};
use leasehold_core::{Product, Timestamp};
use rusqlite::{Connection, params};
use std::collections::BTreeMap;
use std::path::Path;

/// The most events one report carries.
pub const MAX_REPORT_EVENTS: usize = 200_000;

/// The period's figures per product, its events (oldest first, those in the
/// chain) and the hash the first links to; `None` when the period holds
/// more than [`MAX_REPORT_EVENTS`].
pub(crate) struct ReportData {
    pub products: Vec<ProductReport>,
    pub events: Vec<ChainedEvent>,
    pub start_hash: Option<String>,
}

pub(crate) fn read(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
    dir: &Path,
) -> Result<Option<ReportData>, StoreError> {
    let sql = |e: rusqlite::Error| StoreError::sqlite("reading the report's figures", dir, &e);
    let hour_from = from.0.saturating_sub(from.0.rem_euclid(3_600_000));
    let mut products: BTreeMap<Product, ProductReport> = BTreeMap::new();
    let whole = |n: i64| u64::try_from(n).unwrap_or(0);
    let small = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    {
        let mut stmt = conn
            .prepare(
                "SELECT product, MAX(seats), MAX(high), SUM(denials), MAX(waiting), MAX(overdraft),
                        SUM(overdraft > 0)
                 FROM usage_hours WHERE at >= ?1 AND at < ?2 GROUP BY product",
            )
            .map_err(sql)?;
        let mut rows = stmt.query(params![hour_from, to.0]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let product = Product(r.get::<_, String>(0).map_err(sql)?);
            let n = |i: usize| r.get::<_, i64>(i).unwrap_or(0);
            let p = products.entry(product.clone()).or_default();
            p.product = product;
            p.seats = small(n(1));
            p.peak_in_use = small(n(2));
            p.denials = whole(n(3));
            p.peak_waiting = small(n(4));
            p.peak_overdraft = small(n(5));
            p.overdraft_hours = small(n(6));
        }
    }
    {
        let mut stmt = conn
            .prepare(
                "SELECT product, COUNT(*), SUM(amount), SUM(over) FROM spends
                 WHERE at >= ?1 AND at < ?2 GROUP BY product",
            )
            .map_err(sql)?;
        let mut rows = stmt.query(params![from.0, to.0]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let product = Product(r.get::<_, String>(0).map_err(sql)?);
            let n = |i: usize| r.get::<_, i64>(i).unwrap_or(0);
            let p = products.entry(product.clone()).or_default();
            p.product = product;
            p.spends = whole(n(1));
            p.tokens_spent = whole(n(2));
            p.tokens_over = whole(n(3));
        }
    }
    // The period's events are the run of seqs from the first to the last
    // stamped in it: an event stamped a moment out of order inside the run
    // is carried too, so the chain has no hole.
    let columns = "seq, at, kind, level, product, client_id, user, host, lease_id, license_id, correlation_id, message, actor, prev_hash, hash";
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {columns} FROM events
             WHERE seq >= (SELECT MIN(seq) FROM events WHERE at >= ?1 AND at < ?2 AND hash IS NOT NULL)
               AND seq <= (SELECT MAX(seq) FROM events WHERE at >= ?1 AND at < ?2 AND hash IS NOT NULL)
               AND hash IS NOT NULL
             ORDER BY seq LIMIT ?3"
        ))
        .map_err(sql)?;
    let mut rows = stmt
        .query(params![
            from.0,
            to.0,
            i64::try_from(MAX_REPORT_EVENTS + 1).unwrap_or(i64::MAX)
        ])
        .map_err(sql)?;
    let mut events = Vec::new();
    let mut start_hash = None;
    while let Some(r) = rows.next().map_err(sql)? {
        let row = || -> Result<(ChainedEvent, String), BadRow> {
            let event = super::query::event_row(r)?;
            Ok((
                ChainedEvent {
                    event,
                    hash: text(r, 14)?,
                },
                text(r, 13)?,
            ))
        };
        match row() {
            Ok((item, prev)) => {
                if start_hash.is_none() {
                    start_hash = Some(prev);
                }
                events.push(item);
            }
            // A damaged row is left out: the chain then shows where.
            Err(BadRow(why)) => tracing::warn!(why, "an event the report should carry is damaged"),
        }
    }
    if events.len() > MAX_REPORT_EVENTS {
        return Ok(None);
    }
    if start_hash.is_none() {
        // No event in the period: the chain stands where the last one
        // before it left it.
        start_hash = conn
            .query_row(
                "SELECT hash FROM events WHERE at < ?1 AND hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
                [from.0],
                |r| r.get::<_, String>(0),
            )
            .ok();
    }
    Ok(Some(ReportData {
        products: products.into_values().collect(),
        events,
        start_hash,
    }))
}
