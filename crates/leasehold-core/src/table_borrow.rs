//! Borrowing (`vendor issue --max-borrow-hours H`): a seat taken for hours
//! to work without the server. It is a lease like any other (counted in
//! use, listed, ended by the admin's disconnect or by its holder's early
//! return, freed when its time is up), with three differences: it lasts the
//! hours asked, no renewal extends it, and no checkout takes it over (the
//! holder's own checkout gets a seat of its own: the borrowed one is on its
//! way offline). Only seats of codes that allow borrowing may be lent, never
//! from the overdraft, less the seat policy's `keep_unborrowed`.

use super::{CheckoutRequest, Granted, LeaseTable};
use crate::ids::{ClientId, LeaseId, Product};
use crate::lease::{LeaseError, Renewal};
use crate::time::Timestamp;

impl LeaseTable {
    /// Lends a seat of `req.product` for `hours` from `now`.
    ///
    /// # Errors
    /// [`LeaseError::BorrowNotAllowed`], [`LeaseError::BorrowTooLong`],
    /// [`LeaseError::NoBorrowableSeat`], and what a checkout is refused with
    /// (`no_seat_free` when every seat is in use: a loan never comes from
    /// the overdraft).
    pub fn borrow(
        &mut self,
        req: &CheckoutRequest,
        hours: u32,
        now: Timestamp,
    ) -> Result<Granted, LeaseError> {
        let product = &req.product;
        let (lendable, max_hours) = self.pools.borrowing(product, now);
        if self.pools.seats(product, now) == 0 {
            return Err(if self.pools.knows(product) {
                LeaseError::NoValidLicense(product.clone())
            } else {
                LeaseError::NoLicense(product.clone())
            });
        }
        if max_hours == 0 {
            return Err(LeaseError::BorrowNotAllowed(product.clone()));
        }
        if hours == 0 || hours > max_hours {
            return Err(LeaseError::BorrowTooLong {
                product: product.clone(),
                max_hours,
            });
        }
        if let Some(until) = self.loan_of(req) {
            return Err(LeaseError::AlreadyBorrowed {
                product: product.clone(),
                until,
            });
        }
        let kept = self.policy.keep_unborrowed(&product.0).min(lendable);
        let borrowable = lendable - kept;
        let borrowed = self.borrowed(product);
        if borrowed >= borrowable {
            return Err(LeaseError::NoBorrowableSeat {
                product: product.clone(),
                borrowable,
                borrowed,
                kept,
            });
        }
        // The loan's chain must verify offline to its end: no longer than
        // the first of the product's codes to end.
        let mut secs = hours.saturating_mul(3600);
        if let Some(end) = self.pools.first_end(product, now) {
            let left = now.until(end).as_secs();
            secs = secs.min(u32::try_from(left).unwrap_or(u32::MAX)).max(1);
        }
        let granted = self.grant_new(req, now, None, Some(secs))?;
        self.borrows.insert(granted.lease.id, product.clone());
        Ok(granted)
    }

    /// The end of the loan `req`'s holder has of its product already, if
    /// any: one loan per holder (the loans of a product are as many as its
    /// lendable seats).
    fn loan_of(&self, req: &CheckoutRequest) -> Option<Timestamp> {
        let h = &req.holder;
        self.borrows
            .iter()
            .filter(|(_, p)| **p == req.product)
            .filter_map(|(id, _)| self.get(*id))
            .find(|l| l.holder.client_id == h.client_id && l.holder.user == h.user)
            .map(|l| l.expires_at)
    }

    /// Puts a stored loan back (loading after a restart); a lease not in
    /// the table is ignored.
    pub fn restore_borrow(&mut self, id: LeaseId) {
        if let Some(lease) = self.get(id) {
            self.borrows.insert(id, lease.product);
        }
    }

    /// Whether lease `id` is out on loan.
    #[must_use]
    pub fn is_borrowed(&self, id: LeaseId) -> bool {
        self.borrows.contains_key(&id)
    }

    /// Seats of `product` out on loan now.
    #[must_use]
    pub fn borrowed(&self, product: &Product) -> u32 {
        let n = self.borrows.values().filter(|p| *p == product).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// A renewal of a borrowed lease: answered (the holder may ask whether
    /// its loan still stands) but never extended.
    pub(super) fn borrowed_renewal(&self, id: LeaseId, i: u32) -> Result<Renewal, LeaseError> {
        let slot = self.slab.get(i).ok_or(LeaseError::LeaseNotFound(id))?;
        Ok(Renewal {
            id,
            product: Product(slot.names.product.to_string()),
            client_id: ClientId(slot.names.client_id().to_owned()),
            renewed_at: slot.renewed_at,
            expires_at: slot.expires_at,
            lease_secs: slot.lease_secs,
            overdraft: false,
            features_dropped: Vec::new(),
            store_until: None,
        })
    }
}

#[cfg(test)]
#[path = "table_borrow_tests.rs"]
mod tests;
