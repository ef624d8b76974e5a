//! The server's clock: wall-clock milliseconds that advance with tokio's
//! clock, plus an offset tests can move forward. Rules never sleep to be
//! tested: a test skips the clock ahead and the sweeper acts at once.

use leasehold_core::Timestamp;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct Clock {
    base_wall: Timestamp,
    base_instant: Instant,
    /// Milliseconds skipped ahead by [`Clock::skip`]; zero in production.
    skipped: Arc<AtomicI64>,
}

impl Clock {
    /// Reads the wall clock once; from then on time advances with tokio's clock.
    #[must_use]
    pub fn start() -> Self {
        Self {
            base_wall: Timestamp::now(),
            base_instant: Instant::now(),
            skipped: Arc::default(),
        }
    }

    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.base_wall
            .plus(self.base_instant.elapsed())
            .plus_millis(self.skipped.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) ahead, for tests.
    pub fn skip(&self, d: Duration) {
        self.skipped.fetch_add(
            i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The tokio instant at which this clock shows `t`.
    #[must_use]
    pub fn instant_at(&self, t: Timestamp) -> Instant {
        let offset =
            t.0.saturating_sub(self.base_wall.0)
                .saturating_sub(self.skipped.load(Ordering::Relaxed));
        match u64::try_from(offset) {
            Ok(ms) => self.base_instant + Duration::from_millis(ms),
            Err(_) => self.base_instant,
        }
    }
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
}
