//! Consumption tokens in the store: a spend is one row under a unique
//! (product, key), so a key stored before cannot be spent again whatever
//! the engine's memory says (a write that meets it fails as
//! [`StoreError::DuplicateSpend`], and the stored spend is the answer);
//! the sums per product and period are kept beside it for the start.

use super::error::StoreError;
use super::load::{BadRow, int, text};
use leasehold_core::tokens::Spent;
use leasehold_core::wire::usage::LedgerEntry;
use leasehold_core::{ClientId, Product, Timestamp};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::path::Path;

/// The most ledger entries one query returns.
pub const MAX_ENTRIES: u32 = 1_000;

const COLUMNS: &str =
    "seq, product, key, amount, client_id, user, note, at, period_start, over, left_after";

fn int_u64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Writes a spend and adds it to its period's sum.
pub(crate) fn put(conn: &Connection, s: &Spent) -> Result<(), rusqlite::Error> {
    conn.prepare_cached(
        "INSERT INTO spends (product, key, amount, client_id, user, note, at, period_start, over, left_after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        s.product.as_str(),
        s.key,
        int_u64(s.amount),
        s.client_id.as_str(),
        s.user,
        s.note,
        s.at.0,
        s.period_start.0,
        int_u64(s.over),
        int_u64(s.left),
    ])?;
    conn.prepare_cached(
        "INSERT INTO spend_sums (product, period_start, spent) VALUES (?1, ?2, ?3)
         ON CONFLICT (product, period_start) DO UPDATE SET spent = spent + excluded.spent",
    )?
    .execute(params![
        s.product.as_str(),
        s.period_start.0,
        int_u64(s.amount)
    ])?;
    Ok(())
}

/// Whether a failed [`put`] met a key stored before.
pub(crate) fn is_duplicate(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// The sums per product and period (one row per product and month at the
/// most; the engine keeps the running periods').
pub(crate) fn sums(conn: &Connection) -> Result<Vec<(Product, Timestamp, u64)>, rusqlite::Error> {
    let mut stmt = conn.prepare("SELECT product, period_start, spent FROM spend_sums")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        match sum_row(row) {
            Ok(sum) => out.push(sum),
            Err(BadRow(why)) => tracing::warn!(why, "skipping a damaged token sum"),
        }
    }
    Ok(out)
}

fn sum_row(row: &Row<'_>) -> Result<(Product, Timestamp, u64), BadRow> {
    Ok((
        Product(text(row, 0)?),
        Timestamp(int(row, 1)?),
        u64::try_from(int(row, 2)?).map_err(|_| BadRow("a negative sum".into()))?,
    ))
}

fn entry_row(row: &Row<'_>) -> Result<LedgerEntry, BadRow> {
    let whole = |i: usize| {
        u64::try_from(int(row, i)?).map_err(|_| BadRow(format!("column {i} is negative")))
    };
    Ok(LedgerEntry {
        seq: whole(0)?,
        spend: Spent {
            product: Product(text(row, 1)?),
            key: text(row, 2)?,
            amount: whole(3)?,
            client_id: ClientId(text(row, 4)?),
            user: text(row, 5)?,
            note: text(row, 6)?,
            at: Timestamp(int(row, 7)?),
            period_start: Timestamp(int(row, 8)?),
            over: whole(9)?,
            left: whole(10)?,
        },
    })
}

/// The spend stored under `product`'s `key`, if any.
pub(crate) fn find(
    conn: &Connection,
    product: &Product,
    key: &str,
    dir: &Path,
) -> Result<Option<Spent>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM spends WHERE product = ?1 AND key = ?2");
    let row = conn
        .query_row(&sql, params![product.as_str(), key], |r| Ok(entry_row(r)))
        .optional()
        .map_err(|e| StoreError::sqlite("reading the token ledger", dir, &e))?;
    match row {
        None => Ok(None),
        Some(Ok(entry)) => Ok(Some(entry.spend)),
        Some(Err(BadRow(why))) => Err(StoreError::Corrupt(format!(
            "the spend stored under key {key} of {product} is damaged ({why}); restore the database from a backup"
        ))),
    }
}

/// Which spends to read, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerQuery {
    pub product: Option<Product>,
    /// Only spends at or after this time.
    pub since: Option<Timestamp>,
    /// Only spends before this time.
    pub until: Option<Timestamp>,
    /// Only spends with a smaller seq (the next page).
    pub before: Option<u64>,
    /// At most this many, capped at [`MAX_ENTRIES`].
    pub limit: u32,
}

/// Runs `q`: the spends it selects, newest first.
pub(crate) fn ledger(
    conn: &Connection,
    q: &LedgerQuery,
    dir: &Path,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let limit = q.limit.min(MAX_ENTRIES);
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |cond: &str, v: Value| {
        args.push(v);
        conds.push(cond.replace('?', &format!("?{}", args.len())));
    };
    if let Some(p) = &q.product {
        arg("product = ?", Value::Text(p.0.clone()));
    }
    if let Some(t) = q.since {
        arg("at >= ?", Value::Integer(t.0));
    }
    if let Some(t) = q.until {
        arg("at < ?", Value::Integer(t.0));
    }
    if let Some(b) = q.before {
        arg("seq < ?", Value::Integer(int_u64(b)));
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let sql = format!("SELECT {COLUMNS} FROM spends {filter} ORDER BY seq DESC LIMIT {limit}");
    let read = || -> Result<Vec<LedgerEntry>, rusqlite::Error> {
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            match entry_row(row) {
                Ok(e) => out.push(e),
                Err(BadRow(why)) => tracing::warn!(why, "skipping a damaged spend"),
            }
        }
        Ok(out)
    };
    read().map_err(|e| StoreError::sqlite("reading the token ledger", dir, &e))
}
