//! The one way a lease ends — release, disconnect, expiry: the table takes it
//! out at once (no renewal or reconnect finds it), its end is made durable,
//! and only then is its seat freed, counted and logged. A seat is never handed
//! to someone else before the store has forgotten its previous holder, so no
//! crash or failed write can leave more leases stored than seats. A seat
//! becomes free here and nowhere else: whoever waits for one is served here.

use super::Engine;
use crate::error::{Error, Result};
use crate::store::{Op, StoreError};
use leasehold_core::event::Event;
use leasehold_core::lease::{Ending, Lease};
use leasehold_core::table::LeaseTable;
use leasehold_core::{CorrelationId, LeaseId};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How soon the sweeper retries writing ends that failed (disk full).
pub(super) const RETRY_ENDS_AFTER: Duration = Duration::from_secs(1);

/// The store ops that end these leases.
pub(super) fn deletions(ended: &[Ended]) -> Vec<Op> {
    ended.iter().map(|e| Op::DeleteLease(e.lease.id)).collect()
}

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
    /// Ends leases: `end` takes them out of the table, and their deletion is
    /// queued under the same lock, so the store sees the ends in the order
    /// the table made them (no checkout's write can overtake them). Then as
    /// [`Engine::finish_ends`]. Returns the ids ended (none: nothing matched).
    ///
    /// # Errors
    /// As [`Engine::finish_ends`].
    pub(super) async fn end_leases(
        &self,
        how: Ending,
        corr: Option<CorrelationId>,
        end: impl FnOnce(&mut LeaseTable) -> Vec<Lease>,
    ) -> Result<Vec<LeaseId>> {
        let (ended, written) = {
            let mut table = self.table();
            let ended: Vec<Ended> = end(&mut table)
                .into_iter()
                .map(|l| Ended::new(l, how, corr))
                .collect();
            let written = self.inner.store.enqueue(deletions(&ended));
            (ended, written)
        };
        let ids = ended.iter().map(|e| e.lease.id).collect();
        self.finish_ends(ended, written).await?;
        Ok(ids)
    }

    /// Makes the ends of these leases (already out of the table) durable,
    /// then frees their seats, counts and logs them.
    ///
    /// # Errors
    /// The store's error (`storage_full`, …). The ends are then kept and
    /// retried by the sweeper; their seats stay taken until a retry succeeds.
    ///
    /// `written` is the commit of their deletion, queued by the caller under
    /// the table lock that ended them (see [`deletions`]). The rest runs in a
    /// task of its own: a caller that goes away (a client closing its socket
    /// mid-release) cannot leave a seat counted as ending for ever.
    pub(super) async fn finish_ends(
        &self,
        ended: Vec<Ended>,
        written: impl Future<Output = std::result::Result<(), StoreError>> + Send + 'static,
    ) -> Result<()> {
        if ended.is_empty() {
            return Ok(());
        }
        let engine = self.clone();
        let done = crate::actor::spawn(async move {
            let outcome = written.await.map_err(Error::from);
            engine.after_ends(ended, outcome)
        });
        done.await
            .unwrap_or_else(|e| Err(Error::Internal(format!("ending leases failed: {e}"))))
    }

    fn after_ends(&self, ended: Vec<Ended>, written: Result<()>) -> Result<()> {
        match written {
            Ok(()) => {
                if self.inner.ends_failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("ended leases are written again; their seats are free");
                }
                let now = self.now();
                let serving = {
                    let mut table = self.table();
                    let mut freed: Vec<leasehold_core::Product> = Vec::new();
                    for e in &ended {
                        table.settle(&e.lease);
                        table.seat_freed(&e.lease.product, now);
                        if table.queue().len_of(&e.lease.product) > 0
                            && !freed.contains(&e.lease.product)
                        {
                            freed.push(e.lease.product.clone());
                        }
                    }
                    // Whoever waits for a freed seat is served here, under
                    // the lock that freed it: no checkout can take it first.
                    self.serve_locked(&mut table, &freed, now)
                };
                self.log_ends(&ended);
                if let Some(serving) = serving {
                    let engine = self.clone();
                    tokio::spawn(async move { engine.finish_serving(serving, now).await });
                }
                Ok(())
            }
            Err(e) => {
                // Said once per streak of failures, not at every retry.
                if !self.inner.ends_failing.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        count = ended.len(),
                        "ended leases could not be written; their seats stay taken until a retry succeeds: {e}"
                    );
                } else {
                    tracing::debug!(
                        count = ended.len(),
                        "writing ended leases failed again: {e}"
                    );
                }
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
        let written = self.inner.store.enqueue(deletions(&waiting));
        self.finish_ends(waiting, written).await.is_err()
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
