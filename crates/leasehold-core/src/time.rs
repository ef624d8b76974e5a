//! Time as the domain sees it: milliseconds since the Unix epoch, UTC.
//! Rules take "now" as a parameter so they can be tested without sleeping.

use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A clock this far behind the latest time seen is set back (a lease
/// server's `clock_set_back` state, and standalone mode's): codes with dates
/// stop counting until it is right. NTP corrections and suspend/resume are
/// far smaller (or go forward).
pub const SET_BACK_TOLERANCE: Duration = Duration::from_secs(24 * 3600);

/// A point in time, milliseconds since 1970-01-01T00:00:00Z. On the wire a plain
/// integer, which JavaScript's `new Date(ms)` reads directly.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = i64, example = 1_767_225_600_000_i64)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The wall clock, now.
    #[must_use]
    pub fn now() -> Self {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Self(ms)
    }

    #[must_use]
    pub fn from_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1000))
    }

    #[must_use]
    pub fn millis(self) -> i64 {
        self.0
    }

    #[must_use]
    pub fn plus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    #[must_use]
    pub fn plus_millis(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// How long from `self` until `later`; zero when `later` is not later.
    #[must_use]
    pub fn until(self, later: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(later.0.saturating_sub(self.0)).unwrap_or(0))
    }

    /// RFC 3339 text in UTC, for people and logs.
    #[must_use]
    pub fn to_rfc3339(self) -> String {
        chrono::DateTime::from_timestamp_millis(self.0).map_or_else(
            || format!("@{}ms", self.0),
            |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_is_never_negative() {
        let a = Timestamp(10_000);
        assert_eq!(a.until(Timestamp(12_500)), Duration::from_millis(2_500));
        assert_eq!(a.until(Timestamp(5)), Duration::ZERO);
    }

    #[test]
    fn formats_as_utc() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
    }
}
