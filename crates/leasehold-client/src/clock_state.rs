//! Standalone mode's guard against a clock set back: the latest time the
//! SDK saw on this computer, kept in a small file next to the client
//! settings (`client.clock`). A licence with dates is refused
//! (`clock_set_back`) while the clock is more than a day behind that time
//! or behind the day the code was issued, as a lease server does
//! ([`leasehold_core::time::SET_BACK_TOLERANCE`]); small NTP corrections
//! and a suspend never trigger it.
//!
//! It stops the casual trick (set the clock back to keep using an expired
//! licence). The file is the user's own: deleting it forgets the latest
//! time (the code's issue day still holds), so it is a deterrent, not a
//! proof; a network licence's server keeps its own record.

use leasehold_core::Timestamp;
use std::path::{Path, PathBuf};

/// The clock file next to a settings file (`client.toml` → `client.clock`).
#[must_use]
pub fn path_for(settings_path: &Path) -> PathBuf {
    settings_path.with_extension("clock")
}

/// The clock file next to the default settings file, when there is one.
#[must_use]
pub fn default_path() -> Option<PathBuf> {
    crate::settings::default_path().ok().map(|p| path_for(&p))
}

/// The latest time recorded in `path`; `None` when missing or unreadable.
#[must_use]
pub fn latest_seen(path: &Path) -> Option<Timestamp> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("latest_seen_ms = "))
        .and_then(|v| v.trim().parse().ok())
        .map(Timestamp)
}

/// Records `now` in `path` when it is later than what the file holds.
/// Best effort: a file that cannot be written is logged, never an error
/// (the user's seat does not depend on it).
pub fn note(path: &Path, now: Timestamp) {
    if latest_seen(path).is_some_and(|t| t >= now) {
        return;
    }
    let text = format!(
        "# Written by Leasehold: the latest time seen on this computer, so a licence with dates\n\
         # is not used with the clock set back. ({})\nlatest_seen_ms = {}\n",
        now.to_rfc3339(),
        now.0
    );
    if let Err(e) = crate::settings::write_atomically(path, text.as_bytes()) {
        tracing::warn!(path = %path.display(), error = %e, "cannot record the time seen");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_time_only_moves_forward_and_survives_junk() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(&dir.path().join("client.toml"));
        assert_eq!(path.file_name().unwrap(), "client.clock");
        assert_eq!(latest_seen(&path), None);
        note(&path, Timestamp(2_000));
        note(&path, Timestamp(1_000));
        assert_eq!(latest_seen(&path), Some(Timestamp(2_000)));
        note(&path, Timestamp(3_000));
        assert_eq!(latest_seen(&path), Some(Timestamp(3_000)));
        std::fs::write(&path, "garbage").unwrap();
        assert_eq!(latest_seen(&path), None);
        note(&path, Timestamp(4_000));
        assert_eq!(latest_seen(&path), Some(Timestamp(4_000)));
    }
}
