//! A server's data directory, as the programs beside the server see it: the
//! admin token it keeps there, the address it is listening on, and the lock
//! it holds while it runs. The CLI, the desktop app and `service status`
//! all read these files through this one type.

use leasehold_server::server::ADDRESS_FILE;
use leasehold_server::store::{LOCK_FILE, TOKEN_FILE};
use std::fs::{File, TryLockError};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The data directory of one server (which need not be running).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDir {
    path: PathBuf,
}

/// Why the admin token cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no admin token in {} (no {TOKEN_FILE} file)", .dir.display())]
    Missing { dir: PathBuf },
    #[error("the token file {} is empty", .file.display())]
    Empty { file: PathBuf },
    #[error("cannot read {}: permission denied", .file.display())]
    NotAllowed { file: PathBuf },
    #[error("cannot read {}: {source}", .file.display())]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
}

impl DataDir {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `admin-token`: the bearer token of the admin API (owner-only, or
    /// readable by the admin group for the service).
    #[must_use]
    pub fn token_file(&self) -> PathBuf {
        self.path.join(TOKEN_FILE)
    }

    /// `listen-address`: written by a running server, removed at its stop.
    #[must_use]
    pub fn address_file(&self) -> PathBuf {
        self.path.join(ADDRESS_FILE)
    }

    /// The admin token the server keeps here.
    ///
    /// # Errors
    /// Missing (no server ever started here), empty, not readable by this
    /// user, or another I/O error; each names the file.
    pub fn admin_token(&self) -> Result<String, TokenError> {
        let file = self.token_file();
        match std::fs::read_to_string(&file) {
            Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
            Ok(_) => Err(TokenError::Empty { file }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(TokenError::Missing {
                dir: self.path.clone(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                Err(TokenError::NotAllowed { file })
            }
            Err(source) => Err(TokenError::Io { file, source }),
        }
    }

    /// The address the server running here wrote, if its file is there.
    #[must_use]
    pub fn listen_address(&self) -> Option<SocketAddr> {
        std::fs::read_to_string(self.address_file())
            .ok()
            .and_then(|t| t.trim().parse().ok())
    }

    /// Where a local program calls the server here that was told to listen
    /// on `listen`: the address it wrote, else `listen` made local.
    #[must_use]
    pub fn local_address(&self, listen: SocketAddr) -> SocketAddr {
        self.listen_address()
            .unwrap_or_else(|| crate::local::reachable(listen))
    }

    /// Whether a server holds this directory's lock now: `Some(false)` when
    /// the lock is free (an address file left behind is from a server that
    /// stopped without removing it), `None` when this user cannot tell (the
    /// lock file is missing or not readable).
    #[must_use]
    pub fn in_use(&self) -> Option<bool> {
        let file = File::open(self.path.join(LOCK_FILE)).ok()?;
        match file.try_lock_shared() {
            Ok(()) => Some(false),
            Err(TryLockError::WouldBlock) => Some(true),
            Err(TryLockError::Error(_)) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_token_and_the_address_come_from_their_files_with_errors_that_name_them() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        assert!(matches!(
            data.admin_token(),
            Err(TokenError::Missing { .. })
        ));
        std::fs::write(data.token_file(), "  \n").unwrap();
        let err = data.admin_token().unwrap_err();
        assert!(err.to_string().contains("admin-token is empty"), "{err}");
        std::fs::write(data.token_file(), "abc123\n").unwrap();
        assert_eq!(data.admin_token().unwrap(), "abc123");

        let any: SocketAddr = "0.0.0.0:7878".parse().unwrap();
        assert_eq!(data.listen_address(), None);
        assert_eq!(data.local_address(any), "127.0.0.1:7878".parse().unwrap());
        assert_eq!(
            data.local_address("[::]:7000".parse().unwrap()),
            "[::1]:7000".parse().unwrap()
        );
        std::fs::write(data.address_file(), "127.0.0.1:4242\n").unwrap();
        assert_eq!(data.local_address(any), "127.0.0.1:4242".parse().unwrap());
    }

    #[test]
    fn the_lock_tells_a_running_server_from_a_file_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        assert_eq!(data.in_use(), None, "no lock file: cannot tell");
        let held = File::create(dir.path().join(LOCK_FILE)).unwrap();
        assert_eq!(data.in_use(), Some(false));
        held.lock().unwrap();
        assert_eq!(data.in_use(), Some(true));
        held.unlock().unwrap();
        assert_eq!(data.in_use(), Some(false));
    }
}
