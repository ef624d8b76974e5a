//! Element pools (`vendor issue --units N`): a code's seats are units (cores,
//! modules), and a checkout asks for k of them (`CheckoutRequest.units`),
//! granted only when k are free; the lease holds k, counted in the
//! product's use until it ends. The queue serves waiters in order and stops
//! at the first whose units do not fit, so a large request is never passed
//! over by smaller ones behind it.

use crate::ids::Product;
use crate::lease::LeaseError;
use crate::table::{CheckoutRequest, LeaseTable};
use crate::time::Timestamp;

impl LeaseTable {
    /// In a pool of units with clients waiting, free units go to the line
    /// in its order: a checkout from outside it does not take them (else a
    /// waiter for many would starve behind newcomers asking few).
    pub(super) fn units_line_first(
        &self,
        req: &CheckoutRequest,
        now: Timestamp,
    ) -> Result<(), LeaseError> {
        let q = self.queue();
        if q.len_of(&req.product) == 0 || q.waits(&req.product, &req.holder) {
            return Ok(());
        }
        let now_in_use = self.in_use(&req.product);
        Err(LeaseError::NoSeatFree {
            product: req.product.clone(),
            seats: self.pools().seats_of(&req.product.0, now),
            in_use: now_in_use,
            retry_after_secs: 1,
        })
    }

    /// Whether `units` (more than one) may be asked of `product` at all:
    /// its counting codes are a pool of units, with at least that many.
    pub(super) fn units_may_be_asked(
        &self,
        product: &Product,
        units: u32,
        now: Timestamp,
    ) -> Result<(), LeaseError> {
        if !self.pools().units_pool(product, now) {
            return Err(LeaseError::NotAUnitPool(product.clone()));
        }
        let all = self.pools().capacity(&product.0, now);
        if units > all {
            return Err(LeaseError::TooManyUnits {
                product: product.clone(),
                asked: units,
                units: all,
            });
        }
        Ok(())
    }
}
