//! The one way a lease ends — release, disconnect, expiry: the table takes it
//! out at once (no renewal or reconnect finds it), its end is made durable,
//! and only then is its seat freed, counted and logged. A seat is never handed
//! to someone else before the store has forgotten its previous holder, so no
//! crash or failed write can leave more leases stored than seats. A seat
//! becomes free here and nowhere else: whoever waits for one is served here.

use super::Engine;
use crate::error::Result;
use crate::store::Op;
use leasehold_core::CorrelationId;
use leasehold_core::event::Event;
use leasehold_core::lease::{Ending, Lease};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How soon the sweeper retries writing ends that failed (disk full).
pub(super) const RETRY_ENDS_AFTER: Duration = Duration::from_secs(1);

/// A lease the table has ended, on its way to the store.
pub(crate) struct Ended {
    pub lease: Lease,
    pub how: Ending,
    pub corr: Option<CorrelationId>,
}

impl Ended {
    pub fn new(lease: Lease, how: Ending, corr: Option<CorrelationId>) -> Self {
        Self { lease, how, corr }
    }
}

impl Engine {
    /// Makes the ends of these leases (already out of the table) durable,
    /// then frees their seats, counts and logs them.
    ///
    /// # Errors
    /// The store's error (`storage_full`, …). The ends are then kept and
    /// retried by the sweeper; their seats stay taken until a retry succeeds.
    pub(super) async fn finish_ends(&self, ended: Vec<Ended>) -> Result<()> {
        if ended.is_empty() {
            return Ok(());
        }
        let ops = ended.iter().map(|e| Op::DeleteLease(e.lease.id)).collect();
        match self.persist(ops).await {
            Ok(()) => {
                {
                    let mut table = self.table();
                    for e in &ended {
                        table.settle(&e.lease.product);
                    }
                }
                self.log_ends(&ended);
                Ok(())
            }
            Err(e) => {
                tracing::warn!(
                    count = ended.len(),
                    "ended leases could not be written; their seats stay taken until a retry succeeds: {e}"
                );
                self.unsettled().extend(ended);
                self.inner.sweeper.notify_one();
                Err(e)
            }
        }
    }

    /// Retries the ends whose write failed; true when some still wait.
    pub(super) async fn retry_unsettled(&self) -> bool {
        let waiting = std::mem::take(&mut *self.unsettled());
        if waiting.is_empty() {
            return false;
        }
        self.finish_ends(waiting).await.is_err()
    }

    /// Counts and logs ends that are durable.
    pub(super) fn log_ends(&self, ended: &[Ended]) {
        let m = &self.inner.metrics;
        for e in ended {
            let counter = match e.how {
                Ending::Released => &m.releases,
                Ending::Expired => &m.expiries,
                Ending::Disconnected => &m.disconnects,
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let now = self.now();
        self.inner.events.record_all(
            ended
                .iter()
                .map(|e| Event::lease_ended(e.how, &e.lease, now).correlated_opt(e.corr))
                .collect(),
        );
    }
}
