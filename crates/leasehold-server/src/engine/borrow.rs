//! Borrowing (`POST /v1/borrow`): a seat lent for hours, as a lease the
//! table keeps (`table_borrow.rs`), stored with its mark, answered with a
//! token the application checks offline. Returning it early is releasing
//! its lease; the admin ends one by disconnecting it.

use super::Engine;
use super::leases::{holder_of, validate};
use crate::error::Result;
use crate::store::Op;
use leasehold_core::CorrelationId;
use leasehold_core::event::{Event, EventKind};
use leasehold_core::table::CheckoutRequest;
use leasehold_core::wire::borrow::{BorrowRequest, BorrowToken};
use std::sync::atomic::Ordering;

impl Engine {
    /// Lends a seat for `req.hours`.
    ///
    /// # Errors
    /// `borrow_not_allowed`, `borrow_too_long`, `no_borrowable_seat`, what
    /// a checkout is refused with, `invalid_field`, or a store error
    /// (nothing lent then).
    pub async fn borrow(
        &self,
        req: BorrowRequest,
        address: String,
        corr: CorrelationId,
    ) -> Result<BorrowToken> {
        validate(&req.seat)?;
        let now = self.now();
        let request = CheckoutRequest {
            product: req.seat.product.clone(),
            units: req.seat.units.unwrap_or(1),
            holder: holder_of(req.seat, address),
        };
        let outcome = {
            let mut table = self.table();
            table.borrow(&request, req.hours, now).map(|granted| {
                let ops = vec![
                    Op::PutLease(granted.lease.clone()),
                    Op::PutBorrow(granted.lease.id),
                ];
                (granted.clone(), self.inner.store.enqueue(ops))
            })
        };
        let (granted, written) = outcome.map_err(|e| self.denied(&request, e, now, corr))?;
        self.committed(&granted, written).await?;
        let lease = granted.lease;
        self.inner.metrics.grants.fetch_add(1, Ordering::Relaxed);
        self.deadline_added(lease.expires_at);
        let h = &lease.holder;
        let message = format!(
            "{}@{} borrowed a seat of {} for {} h, until {} ({} of {} in use)",
            h.user,
            h.host,
            lease.product,
            req.hours,
            lease.expires_at.to_rfc3339(),
            granted.in_use,
            granted.seats
        );
        let event = Event::new(EventKind::Borrow, now, message).about(&lease);
        self.inner.events.record(event.correlated(corr));
        let token = BorrowToken {
            lease_id: lease.id,
            chain: (*self.chain(&lease.product)).clone(),
            product: lease.product,
            client_id: lease.holder.client_id,
            user: lease.holder.user,
            computer: lease.holder.computer.to_text(),
            borrowed_at: now,
            until: lease.expires_at,
            signature: String::new(),
            proof_index: 0,
            proof: Vec::new(),
        };
        Ok(self.inner.signer.sign_borrow(token).await)
    }
}
