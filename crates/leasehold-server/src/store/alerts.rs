//! Alerts as stored (schema 14): each with its state, so a restart keeps
//! what is open and what an admin acknowledged. Resolved ones go when
//! [`KEEP`] newer ones came after them; an open one stays.

use super::load::{BadRow, int, opt_text, rows, text};
use crate::alerts::KEEP;
use leasehold_core::wire::alerts::{Alert, AlertKind, Severity};
use leasehold_core::{LicenseId, Product, Timestamp};
use rusqlite::{Connection, params};

pub(crate) fn load(conn: &Connection) -> Result<Vec<Alert>, rusqlite::Error> {
    rows(
        conn,
        "SELECT id, kind, severity, key, product, license_id, message, raised_at, resolved_at,
                acknowledged_at, acknowledged_by
         FROM alerts ORDER BY id",
        |r| {
            let kind = text(r, 1)?;
            let sev = text(r, 2)?;
            Ok(Alert {
                id: u64::try_from(int(r, 0)?).map_err(|_| BadRow("negative id".into()))?,
                kind: AlertKind::parse(&kind)
                    .ok_or_else(|| BadRow(format!("unknown kind {kind:?}")))?,
                severity: Severity::parse(&sev)
                    .ok_or_else(|| BadRow(format!("unknown severity {sev:?}")))?,
                key: text(r, 3)?,
                product: opt_text(r, 4)?.map(Product),
                license_id: opt_text(r, 5)?.and_then(|t| t.parse::<LicenseId>().ok()),
                message: text(r, 6)?,
                raised_at: Timestamp(int(r, 7)?),
                resolved_at: r.get::<_, Option<i64>>(8).ok().flatten().map(Timestamp),
                acknowledged_at: r.get::<_, Option<i64>>(9).ok().flatten().map(Timestamp),
                acknowledged_by: opt_text(r, 10)?,
            })
        },
    )
}

pub(crate) fn put(conn: &Connection, a: &Alert) -> Result<(), rusqlite::Error> {
    let id =
        i64::try_from(a.id).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, i64::MAX))?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO alerts (id, kind, severity, key, product, license_id, message,
            raised_at, resolved_at, acknowledged_at, acknowledged_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        id,
        a.kind.as_str(),
        a.severity.as_str(),
        a.key,
        a.product.as_ref().map(|p| p.as_str()),
        a.license_id.map(|l| l.to_string()),
        a.message,
        a.raised_at.0,
        a.resolved_at.map(|t| t.0),
        a.acknowledged_at.map(|t| t.0),
        a.acknowledged_by,
    ])?;
    conn.prepare_cached("DELETE FROM alerts WHERE id <= ?1 - ?2 AND resolved_at IS NOT NULL")?
        .execute(params![id, i64::try_from(KEEP).unwrap_or(i64::MAX)])?;
    Ok(())
}
