//! Reading everything back on start: the server's identity (made on the
//! first start), licenses, leases, trusted keys and settings. A damaged row is
//! skipped with a warning; only a damaged identity stops the start.
//!
//! Leases go row by row straight into the table the engine serves from: a
//! million of them never exist twice, and what one row allocates is freed
//! before the next, so the heap the server keeps is not left fragmented by a
//! start-up copy.

use super::error::StoreError;
use super::files::{from_hex, random_bytes, to_hex};
use super::{Snapshot, StoredActivation, StoredLicense};
use leasehold_core::computer::Computer;
use leasehold_core::lease::{Holder, Lease};
use leasehold_core::queue::{TICKET_SECS, Waiter};
use leasehold_core::table::LeaseTable;
use leasehold_core::{ClientId, LeaseId, LicenseId, Product, ServerId, TicketId, Timestamp};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior};
use std::collections::BTreeMap;
use std::path::Path;

const SERVER_ID: &str = "server_id";
const SERVER_KEY: &str = "server_key";
pub(super) const ADMIN_TOKEN: &str = "admin_token";

/// The server's identity as stored in `meta`.
struct Identity {
    server_id: ServerId,
    server_key: [u8; 32],
    admin_token: String,
}

/// Loads the whole snapshot, making the identity first if this is the first
/// start.
pub(crate) fn load(conn: &mut Connection, dir: &Path) -> Result<Snapshot, StoreError> {
    let me = identity(conn, dir)?;
    let sql = |e: rusqlite::Error| StoreError::sqlite("loading the stored state", dir, &e);
    let (accounts, account_tokens) = super::accounts::load(conn).map_err(sql)?;
    let alerts = super::alerts::load(conn).map_err(sql)?;
    let last_event_seq: i64 = conn
        .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))
        .map_err(sql)?;
    Ok(Snapshot {
        server_id: me.server_id,
        server_key: me.server_key,
        admin_token: me.admin_token,
        licenses: rows(
            conn,
            "SELECT license_id, code, added_at FROM licenses ORDER BY added_at",
            license_row,
        )
        .map_err(sql)?,
        leases: lease_table(conn).map_err(sql)?,
        trusted_keys: rows(conn, "SELECT key FROM trusted_keys ORDER BY key", |r| {
            text(r, 0)
        })
        .map_err(sql)?,
        activations: rows(
            conn,
            "SELECT license_id, response, imported_at FROM activations",
            |r| {
                Ok(StoredActivation {
                    license_id: id::<LicenseId>(r, 0)?,
                    response: text(r, 1)?,
                    imported_at: Timestamp(int(r, 2)?),
                })
            },
        )
        .map_err(sql)?
        .into_iter()
        .map(|a| (a.license_id, a))
        .collect(),
        deactivations: rows(
            conn,
            "SELECT license_id, void_through FROM deactivations",
            |r| Ok((id::<LicenseId>(r, 0)?, Timestamp(int(r, 1)?))),
        )
        .map_err(sql)?
        .into_iter()
        .collect(),
        proofs: rows(
            conn,
            "SELECT license_id, proof FROM deactivations WHERE proof != ''",
            |r| Ok((id::<LicenseId>(r, 0)?, text(r, 1)?)),
        )
        .map_err(sql)?
        .into_iter()
        .collect(),
        settings: rows(conn, "SELECT key, value FROM settings", |r| {
            Ok((text(r, 0)?, text(r, 1)?))
        })
        .map_err(sql)?
        .into_iter()
        .collect::<BTreeMap<_, _>>(),
        token_sums: super::spends::sums(conn).map_err(sql)?,
        last_event_seq: u64::try_from(last_event_seq).unwrap_or(0),
        accounts,
        account_tokens,
        alerts,
    })
}

/// Reads the identity, making whatever is missing in one transaction.
fn identity(conn: &mut Connection, dir: &Path) -> Result<Identity, StoreError> {
    let sql = |e: rusqlite::Error| StoreError::sqlite("reading the server identity", dir, &e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    let get = |key: &str| -> Result<Option<String>, StoreError> {
        tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
            r.get::<_, String>(0)
        })
        .optional()
        .map_err(sql)
    };
    let damaged = |what: &str| {
        StoreError::Corrupt(format!(
            "the {what} stored in {} is damaged; restore the database from a backup, or move the data directory away to start as a new server",
            dir.join(super::DB_FILE).display()
        ))
    };
    let (server_id, server_key, admin_token) =
        (get(SERVER_ID)?, get(SERVER_KEY)?, get(ADMIN_TOKEN)?);
    let mut made = Vec::new();

    let server_id = match server_id {
        Some(text) => text.parse::<ServerId>().map_err(|_| damaged("server id"))?,
        None => {
            let id =
                ServerId(uuid::Builder::from_random_bytes(random_bytes::<16>(dir)?).into_uuid());
            made.push((SERVER_ID, id.to_string()));
            id
        }
    };
    let server_key = match server_key {
        Some(text) => from_hex::<32>(&text).ok_or_else(|| damaged("server key"))?,
        None => {
            let key = random_bytes::<32>(dir)?;
            made.push((SERVER_KEY, to_hex(&key)));
            key
        }
    };
    let admin_token = match admin_token {
        Some(text) if !text.trim().is_empty() => text.trim().to_owned(),
        Some(_) => return Err(damaged("admin token")),
        None => {
            let token = to_hex(&random_bytes::<32>(dir)?);
            made.push((ADMIN_TOKEN, token.clone()));
            token
        }
    };
    for (key, value) in &made {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)",
            [key, value.as_str()],
        )
        .map_err(sql)?;
    }
    tx.commit().map_err(sql)?;
    if !made.is_empty() {
        tracing::info!(server_id = %server_id, "made a new server identity");
    }
    Ok(Identity {
        server_id,
        server_key,
        admin_token,
    })
}

/// A row that could not be read, and why, for the warning.
pub(crate) struct BadRow(pub String);

/// Runs `sql` and hands each converted row to `sink`, skipping (with a
/// warning) those that do not convert. Only a failing query is an error.
fn each_row<T>(
    conn: &Connection,
    sql: &str,
    convert: impl Fn(&Row<'_>) -> Result<T, BadRow>,
    mut sink: impl FnMut(T),
) -> Result<(), rusqlite::Error> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        match convert(row) {
            Ok(v) => sink(v),
            Err(BadRow(why)) => tracing::warn!(query = sql, why, "skipping a damaged row"),
        }
    }
    Ok(())
}

/// [`each_row`] into a vector.
pub(crate) fn rows<T>(
    conn: &Connection,
    sql: &str,
    convert: impl Fn(&Row<'_>) -> Result<T, BadRow>,
) -> Result<Vec<T>, rusqlite::Error> {
    let mut out = Vec::new();
    each_row(conn, sql, convert, |v| out.push(v))?;
    Ok(out)
}

/// Every stored lease, expired or not, in a table (the engine ends the
/// expired ones with its clock).
fn lease_table(conn: &Connection) -> Result<LeaseTable, rusqlite::Error> {
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM leases", [], |r| r.get(0))?;
    let mut table = LeaseTable::with_capacity(usize::try_from(count).unwrap_or(0));
    each_row(
        conn,
        "SELECT id, product, client_id, user, host, app_name, app_version, address,
                granted_at, renewed_at, expires_at, lease_secs, computer, overdraft, units
         FROM leases ORDER BY granted_at",
        lease_row,
        |lease| table.restore(lease),
    )?;
    each_row(
        conn,
        "SELECT ticket, seq, product, client_id, user, host, app_name, app_version, address,
                computer, since, units FROM waiters ORDER BY seq",
        waiter_row,
        |w| table.queue_mut().restore(w),
    )?;
    each_row(
        conn,
        "SELECT id FROM leases WHERE lingering = 1",
        |r| id::<LeaseId>(r, 0),
        |lease| table.restore_lingering(lease),
    )?;
    each_row(
        conn,
        "SELECT lease_id FROM borrows",
        |r| id::<LeaseId>(r, 0),
        |lease| table.restore_borrow(lease),
    )?;
    each_row(
        conn,
        "SELECT lease_id, feature FROM lease_features",
        |r| Ok((id::<LeaseId>(r, 0)?, text(r, 1)?)),
        |(lease, feature)| table.restore_feature(lease, &feature),
    )?;
    each_row(
        conn,
        "SELECT product, state FROM named_seats",
        |r| {
            let product = Product::from(text(r, 0)?.as_str());
            let seats = serde_json::from_str(&text(r, 1)?)
                .map_err(|e| BadRow(format!("named users of {product}: {e}")))?;
            Ok((product, seats))
        },
        |(product, seats)| table.named_mut().restore(product, seats),
    )?;
    Ok(table)
}

/// Column `i` as text (NULL and non-text values are damage).
pub(crate) fn text(row: &Row<'_>, i: usize) -> Result<String, BadRow> {
    match row.get_ref(i) {
        Ok(ValueRef::Text(t)) => {
            String::from_utf8(t.to_vec()).map_err(|_| BadRow(format!("column {i} is not UTF-8")))
        }
        Ok(other) => Err(BadRow(format!(
            "column {i} is {:?}, expected text",
            other.data_type()
        ))),
        Err(e) => Err(BadRow(e.to_string())),
    }
}

/// Column `i` as text or NULL.
pub(crate) fn opt_text(row: &Row<'_>, i: usize) -> Result<Option<String>, BadRow> {
    match row.get_ref(i) {
        Ok(ValueRef::Null) => Ok(None),
        _ => text(row, i).map(Some),
    }
}

/// Column `i` as an integer.
pub(crate) fn int(row: &Row<'_>, i: usize) -> Result<i64, BadRow> {
    match row.get_ref(i) {
        Ok(ValueRef::Integer(n)) => Ok(n),
        Ok(other) => Err(BadRow(format!(
            "column {i} is {:?}, expected an integer",
            other.data_type()
        ))),
        Err(e) => Err(BadRow(e.to_string())),
    }
}

/// Column `i` as a uuid newtype.
pub(crate) fn id<T: std::str::FromStr>(row: &Row<'_>, i: usize) -> Result<T, BadRow> {
    let t = text(row, i)?;
    t.parse()
        .map_err(|_| BadRow(format!("column {i} is not a valid id: {t:?}")))
}

fn license_row(row: &Row<'_>) -> Result<StoredLicense, BadRow> {
    Ok(StoredLicense {
        license_id: id::<LicenseId>(row, 0)?,
        code: text(row, 1)?,
        added_at: Timestamp(int(row, 2)?),
    })
}

/// A waiter as stored; its ticket lives [`TICKET_SECS`] from its arrival
/// until the engine, starting, gives every waiter that long from then.
fn waiter_row(row: &Row<'_>) -> Result<Waiter, BadRow> {
    let seq = int(row, 1)?;
    let since = Timestamp(int(row, 10)?);
    Ok(Waiter {
        ticket: id::<TicketId>(row, 0)?,
        seq: u64::try_from(seq).map_err(|_| BadRow(format!("seq {seq} is out of range")))?,
        product: Product(text(row, 2)?),
        holder: holder(row, 3, 9)?,
        since,
        alive_until: since.plus_millis(i64::from(TICKET_SECS) * 1000),
        units: units(row, 11)?,
    })
}

/// Who holds a lease or waits: six text columns from `first` (client id,
/// user, host, application, its version, address) and the computer's parts
/// in column `computer` (empty, as leases from before schema 3 have it:
/// unknown parts).
fn holder(row: &Row<'_>, first: usize, computer: usize) -> Result<Holder, BadRow> {
    Ok(Holder {
        client_id: ClientId(text(row, first)?),
        user: text(row, first + 1)?,
        host: text(row, first + 2)?,
        app_name: text(row, first + 3)?,
        app_version: text(row, first + 4)?,
        address: text(row, first + 5)?,
        computer: Computer::parse(&text(row, computer)?).unwrap_or(Computer::UNKNOWN),
    })
}

fn lease_row(row: &Row<'_>) -> Result<Lease, BadRow> {
    let secs = int(row, 11)?;
    Ok(Lease {
        id: id::<LeaseId>(row, 0)?,
        product: Product(text(row, 1)?),
        holder: holder(row, 2, 12)?,
        granted_at: Timestamp(int(row, 8)?),
        renewed_at: Timestamp(int(row, 9)?),
        expires_at: Timestamp(int(row, 10)?),
        lease_secs: u32::try_from(secs)
            .map_err(|_| BadRow(format!("lease_secs {secs} is out of range")))?,
        overdraft: int(row, 13)? != 0,
        units: units(row, 14)?,
    })
}

/// Units of an element pool, from 1 to [`leasehold_core::lease::MAX_UNITS`].
fn units(row: &Row<'_>, i: usize) -> Result<u32, BadRow> {
    let n = int(row, i)?;
    u32::try_from(n)
        .ok()
        .filter(|n| (1..=leasehold_core::lease::MAX_UNITS).contains(n))
        .ok_or_else(|| BadRow(format!("units {n} is out of range")))
}
