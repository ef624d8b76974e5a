//! The database schema as a list of migration steps. Step `n` (counting from
//! one) takes `PRAGMA user_version` from `n - 1` to `n`, inside one
//! `BEGIN IMMEDIATE` transaction: it applies whole or not at all.

use super::error::StoreError;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::Path;

/// Version 1: everything the server keeps.
const V1: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE trusted_keys (
    key TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;

CREATE TABLE licenses (
    license_id TEXT PRIMARY KEY NOT NULL,
    code       TEXT NOT NULL,
    added_at   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE leases (
    id          TEXT PRIMARY KEY NOT NULL,
    product     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    user        TEXT NOT NULL,
    host        TEXT NOT NULL,
    app_name    TEXT NOT NULL,
    app_version TEXT NOT NULL,
    address     TEXT NOT NULL,
    granted_at  INTEGER NOT NULL,
    renewed_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    lease_secs  INTEGER NOT NULL
);

CREATE TABLE events (
    seq            INTEGER PRIMARY KEY NOT NULL,
    at             INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    level          TEXT NOT NULL,
    product        TEXT,
    client_id      TEXT,
    user           TEXT,
    host           TEXT,
    lease_id       TEXT,
    license_id     TEXT,
    correlation_id TEXT,
    message        TEXT NOT NULL
);
CREATE INDEX events_at ON events (at);
CREATE INDEX events_kind ON events (kind, seq);
";

/// Version 2: activations of licence codes on this server (the vendor's
/// signed response as imported) and the licences this server deactivated,
/// each with the vendor's time of the response deactivated: a response made
/// up to then is refused.
const V2: &str = "
CREATE TABLE activations (
    license_id  TEXT PRIMARY KEY NOT NULL,
    response    TEXT NOT NULL,
    imported_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE deactivations (
    license_id     TEXT PRIMARY KEY NOT NULL,
    void_through   INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Version 3: the computer a lease was checked out from (see
/// `leasehold_core::computer`), so clones sharing a client id keep their own
/// seats across a restart (empty for leases from before); and the proof of
/// each deactivation, to show or send again.
const V3: &str = "
ALTER TABLE leases ADD COLUMN computer TEXT NOT NULL DEFAULT '';
ALTER TABLE deactivations ADD COLUMN proof TEXT NOT NULL DEFAULT '';
";

/// Version 4: whether a lease was granted beyond the licensed seats (a
/// code's overdraft), so the mark the vendor bills survives a restart.
const V4: &str = "
ALTER TABLE leases ADD COLUMN overdraft INTEGER NOT NULL DEFAULT 0;
";

/// Version 5: clients waiting for a seat, in order of arrival (`seq`), so
/// the queue survives a restart.
const V5: &str = "
CREATE TABLE waiters (
    ticket      TEXT PRIMARY KEY NOT NULL,
    seq         INTEGER NOT NULL,
    product     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    user        TEXT NOT NULL,
    host        TEXT NOT NULL,
    app_name    TEXT NOT NULL,
    app_version TEXT NOT NULL,
    address     TEXT NOT NULL,
    computer    TEXT NOT NULL,
    since       INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Version 6: the named users of products whose codes have named users
/// (`leasehold_core::named::NamedSeats` as JSON, one row per product: the
/// users, when each got the seat, and the seats freed and cooling down).
const V6: &str = "
CREATE TABLE named_seats (
    product TEXT PRIMARY KEY NOT NULL,
    state   TEXT NOT NULL
) WITHOUT ROWID;
";

/// Version 7: the feature seats each lease holds (`vendor issue --feature
/// render:4`), deleted with their lease.
const V7: &str = "
CREATE TABLE lease_features (
    lease_id TEXT NOT NULL,
    feature  TEXT NOT NULL,
    PRIMARY KEY (lease_id, feature)
) WITHOUT ROWID;
";

/// Version 8: leases out on loan (`client borrow`), deleted with their
/// lease (the lease row holds the loan's end as its deadline); and whether
/// a lease is released and kept for its holder (linger), so a restart does
/// not make it a live lease again.
const V8: &str = "
CREATE TABLE borrows (
    lease_id TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;
ALTER TABLE leases ADD COLUMN lingering INTEGER NOT NULL DEFAULT 0;
";

/// Version 9: consumption tokens spent (`POST /v1/usage`), one row per
/// idempotency key (the key's uniqueness is what makes a spend count once),
/// and the sums per product and period, kept with each spend so a start
/// reads a few rows rather than the whole ledger.
const V9: &str = "
CREATE TABLE spends (
    seq          INTEGER PRIMARY KEY,
    product      TEXT NOT NULL,
    key          TEXT NOT NULL,
    amount       INTEGER NOT NULL,
    client_id    TEXT NOT NULL,
    user         TEXT NOT NULL,
    note         TEXT NOT NULL,
    at           INTEGER NOT NULL,
    period_start INTEGER NOT NULL,
    over         INTEGER NOT NULL,
    left_after   INTEGER NOT NULL,
    UNIQUE (product, key)
);
CREATE INDEX spends_product ON spends (product, seq);
CREATE TABLE spend_sums (
    product      TEXT NOT NULL,
    period_start INTEGER NOT NULL,
    spent        INTEGER NOT NULL,
    PRIMARY KEY (product, period_start)
) WITHOUT ROWID;
";

/// Version 10: the usage history per product, per minute (kept 7 days),
/// hour (400 days) and day (10 years); the hours and days are summed from
/// the steps below them as each minute is written.
const V10: &str = "
CREATE TABLE usage_minutes (
    at        INTEGER NOT NULL,
    product   TEXT NOT NULL,
    high      INTEGER NOT NULL,
    low       INTEGER NOT NULL,
    seats     INTEGER NOT NULL,
    denials   INTEGER NOT NULL,
    waiting   INTEGER NOT NULL,
    overdraft INTEGER NOT NULL,
    tokens    INTEGER NOT NULL,
    PRIMARY KEY (at, product)
) WITHOUT ROWID;
CREATE TABLE usage_hours (
    at        INTEGER NOT NULL,
    product   TEXT NOT NULL,
    high      INTEGER NOT NULL,
    low       INTEGER NOT NULL,
    seats     INTEGER NOT NULL,
    denials   INTEGER NOT NULL,
    waiting   INTEGER NOT NULL,
    overdraft INTEGER NOT NULL,
    tokens    INTEGER NOT NULL,
    PRIMARY KEY (at, product)
) WITHOUT ROWID;
CREATE TABLE usage_days (
    at        INTEGER NOT NULL,
    product   TEXT NOT NULL,
    high      INTEGER NOT NULL,
    low       INTEGER NOT NULL,
    seats     INTEGER NOT NULL,
    denials   INTEGER NOT NULL,
    waiting   INTEGER NOT NULL,
    overdraft INTEGER NOT NULL,
    tokens    INTEGER NOT NULL,
    PRIMARY KEY (at, product)
) WITHOUT ROWID;
CREATE INDEX usage_minutes_product ON usage_minutes (product, at);
CREATE INDEX usage_hours_product ON usage_hours (product, at);
CREATE INDEX usage_days_product ON usage_days (product, at);
";

/// Version 11: the event log as a hash chain (`Event::chain_hash`): each
/// event keeps the hash of the one before it and its own (hex), so one
/// removed or edited breaks the links after it (the usage report carries
/// the chain). Events stored before are outside the chain (NULL).
const V11: &str = "
ALTER TABLE events ADD COLUMN prev_hash TEXT;
ALTER TABLE events ADD COLUMN hash TEXT;
";

/// Version 12: the units of an element pool a lease holds, or a waiter waits
/// for (`vendor issue --units N`); 1 for a seat.
const V12: &str = "
ALTER TABLE leases ADD COLUMN units INTEGER NOT NULL DEFAULT 1;
ALTER TABLE waiters ADD COLUMN units INTEGER NOT NULL DEFAULT 1;
";

/// Version 13: admin accounts with roles (`accounts.rs`): passwords as
/// Argon2id PHC strings (NULL: tokens only), tokens for scripts by their
/// SHA-256 digest (the token itself is never stored), and the account that
/// did an admin action on its event.
const V13: &str = "
CREATE TABLE accounts (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    password   TEXT,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE account_tokens (
    id         TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    digest     TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE events ADD COLUMN actor TEXT;
";

/// Version 14: alerts (`alerts/`), each with its state, so a restart keeps
/// what is open and what an admin acknowledged.
const V14: &str = "
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    key             TEXT NOT NULL,
    product         TEXT,
    license_id      TEXT,
    message         TEXT NOT NULL,
    raised_at       INTEGER NOT NULL,
    resolved_at     INTEGER,
    acknowledged_at INTEGER,
    acknowledged_by TEXT
);
";

/// Every step of the schema, oldest first.
pub(crate) const MIGRATIONS: &[&str] =
    &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14];

/// Reads the schema version of an existing database file without changing
/// it (a read-only connection, closed again), so a database from a newer
/// build can be refused before anything writes to it.
///
/// # Errors
/// `Corrupt` when the file is not a SQLite database, `Sqlite` otherwise.
pub(crate) fn probe_version(db: &Path, dir: &Path) -> Result<u32, StoreError> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::sqlite("opening", dir, &e))?;
    let v = user_version(&conn, dir)?;
    drop(conn);
    Ok(v)
}

fn user_version(conn: &Connection, dir: &Path) -> Result<u32, StoreError> {
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| StoreError::sqlite("reading the schema version", dir, &e))?;
    // user_version is a signed 32-bit field; a negative one is not ours.
    u32::try_from(v).map_err(|_| {
        StoreError::Corrupt(format!(
            "the database in {} has schema version {v}, which no Leasehold writes; restore it from a backup or use another data directory",
            dir.display()
        ))
    })
}

/// Before an upgrade, keeps a consistent copy of the database as it is, as
/// `DATA_DIR/leasehold-schemaN.db` (owner-only), so the version that wrote
/// it can be started again on it. A copy from an earlier try is kept.
///
/// # Errors
/// `Io` / `Sqlite` when the copy cannot be made (no room): nothing is
/// upgraded then.
pub(crate) fn keep_copy_before_upgrade(
    conn: &Connection,
    steps: &[&str],
    dir: &Path,
) -> Result<Option<std::path::PathBuf>, StoreError> {
    let found = user_version(conn, dir)?;
    if found == 0 || found as usize >= steps.len() {
        return Ok(None);
    }
    let copy = dir.join(format!("leasehold-schema{found}.db"));
    if copy.exists() {
        return Ok(Some(copy));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(&copy)
        .map_err(|e| StoreError::io("creating the copy before the upgrade", &copy, &e))?;
    if let Err(e) = conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()]) {
        let _ = std::fs::remove_file(&copy);
        return Err(StoreError::sqlite(
            "copying the database before the upgrade",
            dir,
            &e,
        ));
    }
    tracing::info!(copy = %copy.display(), from = found, "kept a copy of the database before upgrading its schema");
    Ok(Some(copy))
}

/// Brings the database up to `steps.len()`, one transaction per step.
///
/// # Errors
/// `NewerSchema` (nothing changed) when the database is newer than `steps`;
/// the failing step's error otherwise, with that step rolled back and the
/// steps before it kept.
pub(crate) fn migrate(conn: &mut Connection, steps: &[&str], dir: &Path) -> Result<(), StoreError> {
    let supported = u32::try_from(steps.len()).unwrap_or(u32::MAX);
    let found = user_version(conn, dir)?;
    if found > supported {
        return Err(StoreError::NewerSchema { found, supported });
    }
    for (index, sql) in steps.iter().enumerate().skip(found as usize) {
        let to = index + 1;
        let doing = format!("upgrading the schema to version {to}");
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::sqlite(&doing, dir, &e))?;
        // Re-read inside the lock: another process cannot be migrating (we
        // hold the directory lock), but never trust that blindly.
        let now = user_version(&tx, dir)?;
        if now as usize != index {
            return Err(StoreError::Corrupt(format!(
                "the schema version of the database in {} changed from {index} to {now} while upgrading; retry",
                dir.display()
            )));
        }
        tx.execute_batch(sql)
            .map_err(|e| StoreError::sqlite(&doing, dir, &e))?;
        tx.pragma_update(None, "user_version", to as i64)
            .map_err(|e| StoreError::sqlite(&doing, dir, &e))?;
        tx.commit()
            .map_err(|e| StoreError::sqlite(&doing, dir, &e))?;
        tracing::info!(version = to, "database schema upgraded");
    }
    Ok(())
}
