//! Named users in the lease table (`named.rs` has the assignments): while a
//! named code counts, its seats go only to named users, one seat per user
//! (a named seat is one person's: a shared user name cannot make it float);
//! the product's other codes' seats float for anyone else, and where every
//! seat is named a lease of a user no longer named is not renewed, so it
//! ends within a lease length.

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
        req_now: Timestamp,
    ) -> Result<(), LeaseError> {
        let product = &req.product;
        let user = &req.holder.user;
        if !self.named.holds(product, user) {
            // The seats of the product's other codes float: anyone may take
            // them, never the named ones.
            let now = req_now;
            let floating = self
                .pools
                .capacity(&product.0, now)
                .saturating_sub(self.pools.named_seats(product, now));
            let by_others = self
                .leases_of(product, dead)
                .filter(|s| !self.named.holds(product, s.names.user()))
                .count();
            if u32::try_from(by_others).unwrap_or(u32::MAX) >= floating {
                return Err(LeaseError::NotANamedUser {
                    product: product.clone(),
                    user: user.clone(),
                });
            }
            return Ok(());
        }
        let key = name_key(user);
        let held_elsewhere = self
            .leases_of(product, dead)
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

    /// The product's leases but `dead` and its loans: as many as its seats
    /// (a named product's are few).
    fn leases_of<'a>(
        &'a self,
        product: &Product,
        dead: Option<LeaseId>,
    ) -> impl Iterator<Item = &'a crate::slab::Slot> + 'a {
        self.products
            .get(product)
            .into_iter()
            .flat_map(|p| p.deadlines.iter())
            .filter(move |(_, id)| Some(*id) != dead && !self.borrows.contains_key(id))
            .filter_map(|(_, id)| self.by_id.get(id).and_then(|&i| self.slab.get(i)))
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
        // Only where every seat is named: elsewhere a lease of someone not
        // named holds one of the floating seats.
        let all_named =
            self.pools.named_seats(&product, now) >= self.pools.capacity(&product.0, now);
        if self.pools.named(&product, now)
            && all_named
            && !self.named.holds(&product, slot.names.user())
        {
            return Err(LeaseError::NotANamedUser {
                product,
                user: slot.names.user().to_owned(),
            });
        }
        Ok(())
    }
}
