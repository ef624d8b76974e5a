//! The lease table's side of the queue: a freed seat goes to the first
//! waiter it can go to, as a lease the waiter claims (renews) within
//! [`CLAIM_SECS`]; a waiter the seat policy refuses keeps its place.

use super::{CheckoutRequest, Granted, LeaseTable};
use crate::ids::{Product, TicketId};
use crate::lease::LeaseError;
use crate::queue::{CLAIM_SECS, WaitQueue, Waiter};
use crate::time::Timestamp;

/// A waiter given a seat.
#[derive(Clone, Debug)]
pub struct Served {
    pub waiter: Waiter,
    /// Its lease, ending at the claim deadline until its first renewal.
    pub granted: Granted,
}

/// What serving a product's line did.
#[derive(Clone, Debug, Default)]
pub struct Serving {
    pub served: Vec<Served>,
    /// Waiters taken out of the line because waiting cannot help them (the
    /// policy excludes them, no licence counts any more): their client, asking
    /// again, hears why.
    pub dropped: Vec<(Waiter, LeaseError)>,
}

/// A refusal a waiter waits out: no seat free, or none the policy gives it
/// now (a reservation or a max may change as seats come and go).
#[must_use]
pub fn may_wait(e: &LeaseError) -> bool {
    match e {
        LeaseError::NoSeatFree { .. } => true,
        LeaseError::Policy(d) => matches!(
            d.code,
            crate::ErrorCode::SeatsReserved | crate::ErrorCode::UserLimitReached
        ),
        _ => false,
    }
}

impl LeaseTable {
    #[must_use]
    pub fn queue(&self) -> &WaitQueue {
        &self.queue
    }

    pub fn queue_mut(&mut self) -> &mut WaitQueue {
        &mut self.queue
    }

    /// Whether clients may wait for a seat of `product` now.
    #[must_use]
    pub fn queue_allowed(&self, product: &Product, now: Timestamp) -> bool {
        self.pools.queue_allowed(product, now)
    }

    /// Gives free seats of `product` to its waiters in order of arrival,
    /// until none is free; a waiter the rules refuse (the seat policy) stays
    /// where it is and the next is tried. Each seat is a lease that ends at
    /// the claim deadline unless the waiter renews it before.
    pub fn serve_waiters(&mut self, product: &Product, now: Timestamp) -> Serving {
        let tickets: Vec<TicketId> = self.queue.waiting(product).map(|w| w.ticket).collect();
        let mut out = Serving::default();
        for ticket in tickets {
            let Some(waiter) = self.queue.get(ticket).cloned() else {
                continue;
            };
            let req = CheckoutRequest {
                product: product.clone(),
                holder: waiter.holder.clone(),
                units: waiter.units,
            };
            match self.checkout(&req, now) {
                Ok(mut granted) => {
                    if !granted.reused {
                        let claim = now.plus_millis(
                            i64::from(CLAIM_SECS.min(granted.lease.lease_secs)) * 1000,
                        );
                        self.move_deadline(granted.lease.id, claim);
                        granted.lease.expires_at = claim;
                    }
                    let until = granted.lease.expires_at;
                    self.queue.offered(ticket, granted.lease.id, until);
                    out.served.push(Served { waiter, granted });
                }
                Err(LeaseError::NoSeatFree { .. }) => break,
                // This waiter may not have it now; the next may.
                Err(e) if may_wait(&e) => {}
                Err(e) => {
                    if let Some(w) = self.queue.leave(ticket) {
                        out.dropped.push((w, e));
                    }
                }
            }
        }
        out
    }

    /// Takes back a waiter's seat whose write failed: the lease goes, the
    /// waiter is back in its place.
    pub fn undo_served(&mut self, served: &Served) {
        self.undo_checkout(&served.granted);
        self.queue.forget_offer(served.waiter.ticket);
        self.queue.restore(served.waiter.clone());
    }

    /// A seat of `product` freed at `now` (for the queue's estimate).
    pub fn seat_freed(&mut self, product: &Product, now: Timestamp) {
        self.queue.seat_freed(product, now);
    }

    /// Sets a new lease's deadline (earlier than granted: the claim window).
    pub(super) fn move_deadline(&mut self, id: crate::ids::LeaseId, until: Timestamp) {
        let Some(&i) = self.by_id.get(&id) else {
            return;
        };
        let Some(slot) = self.slab.get_mut(i) else {
            return;
        };
        let old = slot.expires_at;
        slot.expires_at = until;
        slot.stored_lead_ms = 0; // the caller stores this deadline
        let product = slot.names.product.clone();
        if let Some(p) = self.products.get_mut(&*product) {
            p.deadlines.remove(&(old, id));
            p.deadlines.insert((until, id));
        }
    }
}
