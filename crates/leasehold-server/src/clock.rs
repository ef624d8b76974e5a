//! The server's clock. In production it reads the system's wall clock at
//! every call, so lease time stays right across suspend and resume (the
//! monotonic clock stops during suspend) and follows NTP corrections; the
//! sweeper never sleeps more than [`MAX_SLEEP`] at once, so it notices a
//! jump soon. Tests use a clock that follows tokio's (paused) clock, and
//! skip any clock ahead to test time-based rules without sleeping.
//!
//! The last wall time the server saw is kept in its store; a clock at start
//! that is far behind it is reported ([`check_against_last_seen`]).

use leasehold_core::Timestamp;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// The longest the sweeper sleeps before it reads the wall clock again.
pub const MAX_SLEEP: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub struct Clock {
    source: Source,
    /// Milliseconds skipped ahead by [`Clock::skip`]; zero in production.
    skipped: Arc<AtomicI64>,
}

#[derive(Clone, Copy, Debug)]
enum Source {
    /// The system's wall clock, read at every call.
    System,
    /// The wall clock read once, then advancing with tokio's clock.
    Tokio {
        base_wall: Timestamp,
        base_instant: Instant,
    },
}

impl Clock {
    /// The system's wall clock (what a server runs on).
    #[must_use]
    pub fn system() -> Self {
        Self {
            source: Source::System,
            skipped: Arc::default(),
        }
    }

    /// Reads the wall clock once; from then on time advances with tokio's
    /// clock, so a test with paused time controls it.
    #[must_use]
    pub fn start() -> Self {
        Self {
            source: Source::Tokio {
                base_wall: Timestamp::now(),
                base_instant: Instant::now(),
            },
            skipped: Arc::default(),
        }
    }

    #[must_use]
    pub fn now(&self) -> Timestamp {
        let base = match self.source {
            Source::System => Timestamp::now(),
            Source::Tokio {
                base_wall,
                base_instant,
            } => base_wall.plus(base_instant.elapsed()),
        };
        base.plus_millis(self.skipped.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) back, for tests of a clock
    /// set back.
    pub fn skip_back(&self, d: Duration) {
        self.skipped.fetch_sub(
            i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Moves this clock (and every clone of it) ahead, for tests.
    pub fn skip(&self, d: Duration) {
        self.skipped.fetch_add(
            i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The tokio instant at which to look again for something due at `t`:
    /// when this clock will show `t`, but at most [`MAX_SLEEP`] from now (a
    /// suspended machine's monotonic clock stands still while wall time
    /// moves on).
    #[must_use]
    pub fn instant_at(&self, t: Timestamp) -> Instant {
        Instant::now() + sleep_for(self.now(), t)
    }
}

/// How long to sleep at `now` for something due at `due`: never more than
/// [`MAX_SLEEP`], nothing when it is already due.
#[must_use]
pub fn sleep_for(now: Timestamp, due: Timestamp) -> Duration {
    now.until(due).min(MAX_SLEEP)
}

pub use leasehold_core::time::SET_BACK_TOLERANCE;

/// A clock this far behind the last time the server saw is reported.
pub const BEHIND_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// What to tell the admin about the clock at start, given the last wall
/// time this server saw: `None` when it looks right.
#[must_use]
pub fn check_against_last_seen(now: Timestamp, last_seen: Option<Timestamp>) -> Option<String> {
    let last = last_seen?;
    let behind = now.until(last);
    (behind > BEHIND_TOLERANCE).then(|| {
        format!(
            "this computer's clock shows {now}, {} minutes before the last time this server ran ({last}); lease times may be wrong until the clock is corrected (check its time zone, battery and time sync)",
            behind.as_secs() / 60
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn follows_tokio_time_and_skips() {
        let clock = Clock::start();
        let t0 = clock.now();
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(clock.now(), t0.plus_millis(5_000));
        clock.clone().skip(Duration::from_secs(60));
        assert_eq!(clock.now(), t0.plus_millis(65_000));
        assert!(clock.instant_at(t0.plus_millis(65_000)) <= Instant::now());
    }

    #[test]
    fn the_system_clock_is_read_at_every_call() {
        let clock = Clock::system();
        let before = Timestamp::now();
        let now = clock.now();
        assert!(now >= before && now <= Timestamp::now());
        clock.skip(Duration::from_secs(3600));
        assert!(clock.now() >= before.plus_millis(3_600_000));
    }

    #[test]
    fn the_sweeper_looks_again_within_max_sleep() {
        let now = Timestamp(1_000_000);
        assert_eq!(
            sleep_for(now, now.plus_millis(1_500)),
            Duration::from_millis(1_500)
        );
        // Due in an hour (or after a suspend that the monotonic clock missed):
        // the sweeper still reads the wall clock again within MAX_SLEEP.
        assert_eq!(sleep_for(now, now.plus_millis(3_600_000)), MAX_SLEEP);
        assert_eq!(sleep_for(now, Timestamp(0)), Duration::ZERO);
    }

    #[test]
    fn a_clock_set_back_at_start_is_reported() {
        let last = Timestamp(1_000_000_000_000);
        assert_eq!(check_against_last_seen(last, None), None);
        assert_eq!(check_against_last_seen(last, Some(last)), None);
        assert_eq!(
            check_against_last_seen(last.plus_millis(86_400_000), Some(last)),
            None,
            "later is fine"
        );
        assert_eq!(
            check_against_last_seen(last.plus_millis(-60_000), Some(last)),
            None,
            "a minute is tolerated"
        );
        let told = check_against_last_seen(last.plus_millis(-3_600_000), Some(last)).unwrap();
        assert!(told.contains("60 minutes before"), "{told}");
    }
}
