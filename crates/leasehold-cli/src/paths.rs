//! Where things live when the user does not say.

use anyhow::{Result, anyhow};
use leasehold_service::DataDir;
use std::path::PathBuf;

/// The data directory: the flag, else `LEASEHOLD_DATA_DIR`, else the
/// platform's data directory for Leasehold.
///
/// # Errors
/// When no home or data directory can be found and none was given.
pub fn data_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os("LEASEHOLD_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "leasehold")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| anyhow!("cannot find this user's data directory; give one with --data-dir or LEASEHOLD_DATA_DIR"))
}

/// The data directory `leasehold admin` talks to: the flag or
/// `LEASEHOLD_DATA_DIR` if given; else this user's data directory when a
/// server runs there; else the system service's directory when one runs
/// there (so an admin of the service needs no `--data-dir`).
///
/// # Errors
/// As [`data_dir`].
pub fn admin_data_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    let explicit =
        flag.is_some() || std::env::var_os("LEASEHOLD_DATA_DIR").is_some_and(|d| !d.is_empty());
    let mine = data_dir(flag)?;
    let serving = |dir: &PathBuf| DataDir::new(dir).address_file().exists();
    if explicit || serving(&mine) {
        return Ok(mine);
    }
    match service_data_dir() {
        Some(system) if serving(&system) => Ok(system),
        _ => Ok(mine),
    }
}

/// Where the system service keeps its data on this platform.
fn service_data_dir() -> Option<PathBuf> {
    #[cfg(windows)]
    {
        Some(leasehold_service::windows::default_data_dir())
    }
    #[cfg(not(windows))]
    {
        leasehold_service::Manager::current()
            .ok()
            .map(leasehold_service::Manager::default_data_dir)
    }
}
