//! Where things live when the user does not say.

use anyhow::{Result, anyhow};
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
