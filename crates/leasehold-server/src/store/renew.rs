//! A new admin-token for a stopped server's data directory: the way to end
//! one that leaked (it cannot be revoked like a token for scripts, and the
//! database rewrites the file from its own copy at every start).

use super::files::{lock_dir, random_bytes, to_hex, write_token_file};
use super::{DB_FILE, StoreError, load::ADMIN_TOKEN};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Replaces the admin-token of the data directory `dir`, in the database
/// and then in its file, and answers the new one. The old one signs in as
/// no one once the server starts again. Takes the directory's lock, so a
/// running server (service, desktop app) refuses it: stop it first.
///
/// # Errors
/// `Locked` while a server runs on `dir`; `Corrupt` for a directory with no
/// server's database (nothing is made there); a failed write.
pub fn renew_admin_token(dir: &Path) -> Result<String, StoreError> {
    let db = dir.join(DB_FILE);
    // Nothing is made in a directory that holds no server (a mistyped one).
    if !db.is_file() {
        return Err(no_server(dir));
    }
    as_the_owner(dir)?;
    let _lock = lock_dir(dir)?;
    let sql = |e: rusqlite::Error| StoreError::sqlite("renewing the admin token in", dir, &e);
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(sql)?;
    let token = to_hex(&random_bytes::<32>(dir)?);
    let changed = conn
        .execute(
            "UPDATE meta SET value = ?1 WHERE key = ?2",
            [token.as_str(), ADMIN_TOKEN],
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(..) if !has_meta(&conn) => no_server(dir),
            e => sql(e),
        })?;
    if changed != 1 {
        return Err(no_server(dir));
    }
    drop(conn);
    // The database first: a crash before the file is written leaves the
    // new token there, and the next start writes the file from it.
    write_token_file(dir, &token)?;
    Ok(token)
}

/// Refuses to write in a data directory another user owns. Root in the
/// service's directory would follow links that user left there (say
/// `admin-token.tmp` pointing at a system file) with root's rights, and
/// would leave the new token file root's, unreadable by the service's admin
/// group; the sentence gives the command as the owner.
#[cfg(unix)]
fn as_the_owner(dir: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::MetadataExt;
    let owner = std::fs::metadata(dir)
        .map_err(|e| StoreError::io("reading", dir, &e))?
        .uid();
    if owner == rustix::process::geteuid().as_raw() {
        return Ok(());
    }
    let name = crate::access::user_name(owner).unwrap_or_else(|| format!("#{owner}"));
    Err(StoreError::NotOwner(format!(
        "{} belongs to the user {name}: renew its admin token as that user (`sudo -u '{name}' leasehold admin token --renew --data-dir {}`), so nothing in it is written with another user's rights",
        dir.display(),
        dir.display()
    )))
}

#[cfg(not(unix))]
fn as_the_owner(_dir: &Path) -> Result<(), StoreError> {
    Ok(())
}

fn has_meta(conn: &Connection) -> bool {
    conn.query_row(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
        [],
        |_| Ok(()),
    )
    .is_ok()
}

fn no_server(dir: &Path) -> StoreError {
    StoreError::Corrupt(format!(
        "{} holds no Leasehold server's database; give the data directory the server uses (--data-dir, or LEASEHOLD_DATA_DIR)",
        dir.join(DB_FILE).display()
    ))
}
