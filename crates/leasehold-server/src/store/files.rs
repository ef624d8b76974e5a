//! The data directory's plain files: the directory itself, its lock, the
//! admin-token file, and the randomness the first start needs.

use super::error::StoreError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::Path;

/// The lock file; held (flock) for as long as a store is open on the directory.
pub const LOCK_FILE: &str = "leasehold.lock";
/// The admin token, readable by the owner only, for `leasehold admin token`.
pub const TOKEN_FILE: &str = "admin-token";
/// Written with the server's id once it has one: a data directory that has
/// this file had an identity, so an empty or missing database in it is
/// damage to report, never a fresh install to start.
pub const IDENTITY_FILE: &str = "server-id";

/// Refuses to start a new identity where one existed: the database is
/// missing or empty but the directory holds a server's files.
pub(crate) fn refuse_lost_identity(dir: &Path) -> Result<(), StoreError> {
    let db = dir.join(super::DB_FILE);
    if std::fs::metadata(&db).is_ok_and(|m| m.len() > 0) {
        return Ok(());
    }
    let had = [IDENTITY_FILE, TOKEN_FILE]
        .into_iter()
        .find(|f| dir.join(f).exists());
    match had {
        None => Ok(()),
        Some(file) => Err(StoreError::Corrupt(format!(
            "{} is missing or empty, but {} shows this directory belonged to a Leasehold server; \
             starting would make a new server and lose its licenses and leases. Restore leasehold.db \
             from a backup (`leasehold admin backup` makes one; see the README), or move the \
             directory away to start as a new server",
            db.display(),
            dir.join(file).display()
        ))),
    }
}

/// Deletes temporary backup copies a crash left behind (they hold the
/// server's key and token); `backup-*.db.tmp`, see `Store::backup_to`.
pub(crate) fn remove_leftover_backups(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("backup-") && name.ends_with(".db.tmp") {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => tracing::info!(file = %name, "removed a backup copy left by a crash"),
                Err(e) => {
                    tracing::warn!(file = %name, error = %e, "cannot remove a backup copy left by a crash")
                }
            }
        }
    }
}

/// Writes the identity file when it is missing.
pub(crate) fn ensure_identity_file(dir: &Path, server_id: &str) -> Result<(), StoreError> {
    let path = dir.join(IDENTITY_FILE);
    if path.exists() {
        return Ok(());
    }
    std::fs::write(&path, format!("{server_id}\n"))
        .map_err(|e| StoreError::io("writing", &path, &e))
}

/// Creates the data directory if it is missing, owner-only on unix.
pub(crate) fn create_dir(dir: &Path) -> Result<(), StoreError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| StoreError::io("creating the data directory", dir, &e))
}

/// Makes the database and its WAL and shared-memory files owner-only (they
/// hold the admin token and the server's signing key), whatever the
/// directory's mode or the umask: the database is created so before SQLite
/// opens it (SQLite gives its WAL and shared-memory files the database's
/// mode), and files an older version left readable are tightened.
pub(crate) fn secure_db_files(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let db = dir.join(super::DB_FILE);
        if !db.exists() {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&db)
                .map_err(|e| StoreError::io("creating", &db, &e))?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let path = dir.join(format!("{}{suffix}", super::DB_FILE));
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| StoreError::io("making owner-only", &path, &e))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Takes the directory's exclusive lock. The returned file holds it; dropping
/// the file (or the process ending, even by SIGKILL) releases it.
pub(crate) fn lock_dir(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| StoreError::io("opening the lock file", &path, &e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StoreError::Locked {
            dir: dir.to_path_buf(),
        }),
        Err(TryLockError::Error(e)) => Err(StoreError::io("locking", &path, &e)),
    }
}

/// Makes sure `DATA_DIR/admin-token` holds `token`, owner-only. Written (via
/// a temporary file and a rename) only when missing or different.
pub(crate) fn ensure_token_file(dir: &Path, token: &str) -> Result<(), StoreError> {
    let path = dir.join(TOKEN_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim() == token => return Ok(()),
        Ok(_) => {
            tracing::warn!(path = %path.display(), "admin token file did not match the database; rewriting it")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "admin token file unreadable; rewriting it")
        }
    }
    write_token_file(dir, token)
}

/// Writes `token` to `DATA_DIR/admin-token`, owner-only, through a
/// temporary file and a rename.
pub(crate) fn write_token_file(dir: &Path, token: &str) -> Result<(), StoreError> {
    let path = dir.join(TOKEN_FILE);
    let tmp = dir.join(format!("{TOKEN_FILE}.tmp"));
    let write = || -> std::io::Result<()> {
        // Made anew, never opened through whatever is at that name (a link
        // left there is removed, not followed).
        match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(token.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|e| StoreError::io("writing the admin token to", &path, &e))
}

/// `n` random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>(dir: &Path) -> Result<[u8; N], StoreError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| {
        StoreError::io(
            "getting random bytes for the server identity of",
            dir,
            &std::io::Error::other(e.to_string()),
        )
    })?;
    Ok(buf)
}

/// Lower-case hex, two digits a byte (one encoder for the whole project).
pub(crate) use leasehold_core::wire::proof::to_hex;

/// The inverse of [`to_hex`]; `None` for anything but exactly `N` bytes of hex.
pub(crate) fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim().as_bytes();
    if text.len() != N * 2 {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = [0u8; N];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        let (hi, lo) = (digit(pair[0])?, digit(pair[1])?);
        *out.get_mut(i)? = (hi << 4) | lo;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(to_hex(&bytes), "0001abff");
        assert_eq!(from_hex::<4>("0001abff"), Some(bytes));
        assert_eq!(from_hex::<4>("0001ABFF"), Some(bytes));
        assert_eq!(from_hex::<4>("0001abf"), None);
        assert_eq!(from_hex::<4>("0001abfg"), None);
        assert_eq!(from_hex::<4>("é001abf"), None);
    }
}
