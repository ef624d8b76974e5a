//! What the store can fail with, each outcome a variant the server can tell
//! apart, and each message saying what to do about it.

use leasehold_core::ErrorCode;
use rusqlite::ErrorCode as SqliteCode;
use std::fmt;
use std::path::{Path, PathBuf};

/// A storage failure, already turned into a sentence for people.
///
/// Cheap to clone: one failed batch answers every waiter in it with the same
/// error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong and what to do about it.
    pub message: String,
    /// The disk is full: retrying after freeing space can succeed.
    pub disk_full: bool,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Another process (most likely another Leasehold server) holds the data
    /// directory's lock.
    #[error(
        "the data directory {} is in use by another Leasehold server; stop that server or use another data directory",
        dir.display()
    )]
    Locked { dir: PathBuf },
    /// The database was written by a newer build; it was not touched.
    #[error(
        "this data directory was written by a newer Leasehold (schema {found}, this build knows {supported}); upgrade Leasehold or use another data directory — nothing was changed"
    )]
    NewerSchema { found: u32, supported: u32 },
    /// A file-system operation outside SQLite failed.
    #[error("{0}")]
    Io(Failure),
    /// SQLite failed.
    #[error("{0}")]
    Sqlite(Failure),
    /// The database or one of its essential records cannot be read.
    #[error("{0}")]
    Corrupt(String),
    /// A spend's idempotency key is stored already (the stored spend is the
    /// answer; the engine reads it).
    #[error("a spend under key {key} of {product} is stored already")]
    DuplicateSpend {
        product: leasehold_core::Product,
        key: String,
    },
    /// A change to a data directory that another user owns, refused before
    /// anything is touched (the sentence says as whom to run it).
    #[error("{0}")]
    NotOwner(String),
    /// The store was closed; nothing more is written.
    #[error("the store is closed; the server is shutting down")]
    Closed,
}

impl StoreError {
    /// The stable machine-readable code sent to clients.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Locked { .. } => ErrorCode::StorageLocked,
            Self::NewerSchema { .. } => ErrorCode::StorageNewerSchema,
            Self::Io(f) | Self::Sqlite(f) if f.disk_full => ErrorCode::StorageFull,
            Self::Io(_)
            | Self::Sqlite(_)
            | Self::Corrupt(_)
            | Self::NotOwner(_)
            | Self::DuplicateSpend { .. } => ErrorCode::StorageError,
            Self::Closed => ErrorCode::StorageClosed,
        }
    }

    /// Turns an I/O error into a sentence naming what was being done and where.
    pub(crate) fn io(doing: &str, path: &Path, e: &std::io::Error) -> Self {
        let disk_full = e.kind() == std::io::ErrorKind::StorageFull;
        let message = if disk_full {
            format!(
                "the disk holding {} is full; free space and retry",
                path.display()
            )
        } else if e.kind() == std::io::ErrorKind::PermissionDenied {
            format!(
                "permission denied while {doing} {}; check the owner and permissions of the data directory",
                path.display()
            )
        } else {
            format!("failed while {doing} {}: {e}", path.display())
        };
        Self::Io(Failure { message, disk_full })
    }

    /// Turns a SQLite error into a sentence naming what was being done and
    /// which data directory it concerns.
    pub(crate) fn sqlite(doing: &str, dir: &Path, e: &rusqlite::Error) -> Self {
        let dir_shown = dir.display();
        let failure =
            |message: String, disk_full: bool| Self::Sqlite(Failure { message, disk_full });
        match e.sqlite_error_code() {
            Some(SqliteCode::DiskFull) => failure(
                format!("the disk holding {dir_shown} is full; free space and retry"),
                true,
            ),
            Some(SqliteCode::ReadOnly | SqliteCode::PermissionDenied) => failure(
                format!(
                    "the database in {dir_shown} cannot be written ({e}); check the owner and permissions of the directory and its files"
                ),
                false,
            ),
            Some(SqliteCode::CannotOpen) => failure(
                format!(
                    "cannot open the database in {dir_shown} ({e}); check that the directory exists and is writable"
                ),
                false,
            ),
            Some(SqliteCode::NotADatabase | SqliteCode::DatabaseCorrupt) => Self::Corrupt(format!(
                "{} is not a readable Leasehold database ({e}); restore it from a backup, or move it away to start with an empty one",
                dir.join(super::DB_FILE).display()
            )),
            Some(SqliteCode::DatabaseBusy | SqliteCode::DatabaseLocked) => failure(
                format!(
                    "the database in {dir_shown} is busy ({e}); another program has it open, close it and retry"
                ),
                false,
            ),
            _ => failure(
                format!("storage error while {doing} in {dir_shown}: {e}"),
                false,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_tell_full_from_other_failures() {
        let dir = Path::new("/data");
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let e = StoreError::io("writing", dir, &full);
        assert_eq!(e.code(), "storage_full");
        assert!(
            e.to_string()
                .contains("/data is full; free space and retry"),
            "{e}"
        );
        let other = std::io::Error::from(std::io::ErrorKind::Other);
        assert_eq!(
            StoreError::io("writing", dir, &other).code(),
            "storage_error"
        );

        let sql_full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        let e = StoreError::sqlite("committing", dir, &sql_full);
        assert_eq!(e.code(), "storage_full");
        assert!(e.to_string().contains("free space"), "{e}");

        let notadb = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
            None,
        );
        assert!(matches!(
            StoreError::sqlite("opening", dir, &notadb),
            StoreError::Corrupt(_)
        ));

        assert_eq!(StoreError::Closed.code(), "storage_closed");
        assert_eq!(
            StoreError::Locked { dir: dir.into() }.code(),
            "storage_locked"
        );
        assert_eq!(
            StoreError::NewerSchema {
                found: 9,
                supported: 1
            }
            .code(),
            "storage_newer_schema"
        );
    }
}
