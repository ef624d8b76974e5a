//! Named users in the lease table (`named.rs` has the assignments): while a
//! named code counts, a new seat goes only to a named user, one seat per
//! user (a named seat is one person's: a shared user name cannot make it
//! float), and a lease of a user no longer named is not renewed, so it ends
//! within a lease length.

use super::{CheckoutRequest, LeaseTable};
use crate::ids::{LeaseId, Product};
use crate::lease::LeaseError;
use crate::policy::name_key;
use crate::time::Timestamp;

impl LeaseTable {
    /// Whether `req`'s user may take a new seat of its named product (`dead`:
    /// the holder's lease this checkout replaces, not counted).
    pub(super) fn named_may_take(
        &self,
        req: &CheckoutRequest,
        dead: Option<LeaseId>,
    ) -> Result<(), LeaseError> {
        let product = &req.product;
        let user = &req.holder.user;
        if !self.named.holds(product, user) {
            return Err(LeaseError::NotANamedUser {
                product: product.clone(),
                user: user.clone(),
            });
        }
        // The product's leases: as many as its seats, a named product's few.
        let key = name_key(user);
        let held_elsewhere = self
            .products
            .get(product)
            .into_iter()
            .flat_map(|p| p.deadlines.iter())
            .filter(|(_, id)| Some(*id) != dead && !self.borrows.contains_key(id))
            .filter_map(|(_, id)| self.by_id.get(id).and_then(|&i| self.slab.get(i)))
            .find(|s| name_key(s.names.user()) == key);
        match held_elsewhere {
            Some(slot) => Err(LeaseError::NamedSeatInUse {
                product: product.clone(),
                user: user.clone(),
                host: slot.names.host().to_owned(),
            }),
            None => Ok(()),
        }
    }

    /// A renewal of lease `id` (slot `i`): refused once its user is no
    /// longer named while a named code counts.
    pub(super) fn named_may_renew(
        &self,
        id: LeaseId,
        i: u32,
        now: Timestamp,
    ) -> Result<(), LeaseError> {
        let Some(slot) = self.slab.get(i) else {
            return Err(LeaseError::LeaseNotFound(id));
        };
        let product = Product(slot.names.product.to_string());
        if self.pools.named(&product, now) && !self.named.holds(&product, slot.names.user()) {
            return Err(LeaseError::NotANamedUser {
                product,
                user: slot.names.user().to_owned(),
            });
        }
        Ok(())
    }
}
