//! The lease table: who holds which seat until when, and the rules for
//! checking out, renewing, releasing, disconnecting and expiring. Every rule
//! takes "now" as a parameter; the table never reads the clock.

use crate::ids::{ClientId, LeaseId, LicenseId, Product};
use crate::lease::{Ending, Holder, Lease, LeaseError};
use crate::license::LicenseTerms;
use crate::pool::Pools;
use crate::time::Timestamp;
use std::collections::{BTreeSet, HashMap, VecDeque};

/// How many ended leases are remembered so a late renewal learns why.
const REMEMBERED_ENDINGS: usize = 65_536;

/// What a client asks for when it checks a seat out.
#[derive(Clone, Debug)]
pub struct CheckoutRequest {
    pub product: Product,
    pub holder: Holder,
}

/// A granted checkout: the lease, and whether it is one the client already had
/// (a reconnect after a network blip gets its own lease back, renewed).
#[derive(Clone, Debug)]
pub struct Granted {
    pub lease: Lease,
    pub reused: bool,
    /// The client's previous lease, dead but not yet swept, that this
    /// checkout ended (the caller records its expiry).
    pub expired: Option<Lease>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct HolderKey {
    client_id: ClientId,
    user: String,
    product: Product,
}

impl HolderKey {
    fn of(product: &Product, holder: &Holder) -> Self {
        Self {
            client_id: holder.client_id.clone(),
            user: holder.user.clone(),
            product: product.clone(),
        }
    }
}

/// Per-product bookkeeping: the deadlines of its leases, earliest first.
#[derive(Debug, Default)]
struct ProductLeases {
    deadlines: BTreeSet<(Timestamp, LeaseId)>,
    high_water: u32,
}

#[derive(Debug, Default)]
pub struct LeaseTable {
    pools: Pools,
    leases: HashMap<LeaseId, Lease>,
    by_holder: HashMap<HolderKey, LeaseId>,
    products: HashMap<Product, ProductLeases>,
    endings: HashMap<LeaseId, Ending>,
    ending_order: VecDeque<LeaseId>,
}

impl LeaseTable {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn pools(&self) -> &Pools {
        &self.pools
    }

    /// Adds a license code's seats; false when the code is already held.
    pub fn add_license(&mut self, terms: LicenseTerms) -> bool {
        self.pools.add(terms)
    }

    /// Removes a code. Leases already out run to their end; renewals are then
    /// refused while the product is over-subscribed.
    pub fn remove_license(&mut self, id: LicenseId) -> Option<LicenseTerms> {
        self.pools.remove(id)
    }

    #[must_use]
    pub fn get(&self, id: LeaseId) -> Option<&Lease> {
        self.leases.get(&id)
    }

    pub fn leases(&self) -> impl Iterator<Item = &Lease> {
        self.leases.values()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.leases.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.leases.is_empty()
    }

    /// Seats of `product` in use (leases not yet swept, alive or just expired).
    #[must_use]
    pub fn in_use(&self, product: &Product) -> u32 {
        self.products
            .get(product)
            .map_or(0, |p| u32::try_from(p.deadlines.len()).unwrap_or(u32::MAX))
    }

    /// The most seats of `product` ever in use at once since the server started.
    #[must_use]
    pub fn high_water(&self, product: &Product) -> u32 {
        self.products.get(product).map_or(0, |p| p.high_water)
    }

    /// The earliest deadline of any lease: when the sweeper must next wake.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.products
            .values()
            .filter_map(|p| p.deadlines.first().map(|(t, _)| *t))
            .min()
    }

    /// Checks a seat out.
    ///
    /// # Errors
    /// [`LeaseError::NoLicense`] when no code names the product,
    /// [`LeaseError::NoValidLicense`] when none counts at `now`,
    /// [`LeaseError::NoSeatFree`] when every seat is taken.
    pub fn checkout(&mut self, req: CheckoutRequest, now: Timestamp) -> Result<Granted, LeaseError> {
        let key = HolderKey::of(&req.product, &req.holder);
        if let Some(id) = self.by_holder.get(&key).copied() {
            let alive = self.leases.get(&id).is_some_and(|l| l.is_alive(now));
            if alive {
                let lease = self.renew(id, now)?;
                return Ok(Granted { lease, reused: true, expired: None });
            }
        }
        // A previous lease of this holder that is dead but not yet swept ends
        // now, so it cannot hold a second seat.
        let expired = match self.by_holder.get(&key).copied() {
            Some(id) => self.end(id, Ending::Expired),
            None => None,
        };
        let seats = self.pools.seats(&req.product, now);
        if seats == 0 {
            return Err(if self.pools.knows(&req.product) {
                LeaseError::NoValidLicense(req.product)
            } else {
                LeaseError::NoLicense(req.product)
            });
        }
        let in_use = self.in_use(&req.product);
        let lease_secs = self.pools.lease_secs(&req.product, now);
        if in_use >= seats {
            let retry_after_secs = self.retry_after_secs(&req.product, now, lease_secs);
            return Err(LeaseError::NoSeatFree { product: req.product, seats, in_use, retry_after_secs });
        }
        let lease = Lease {
            id: LeaseId::random(),
            product: req.product,
            holder: req.holder,
            granted_at: now,
            renewed_at: now,
            expires_at: now.plus_millis(i64::from(lease_secs) * 1000),
            lease_secs,
        };
        self.insert(lease.clone());
        Ok(Granted { lease, reused: false, expired })
    }

    /// Puts a lease back as it was, e.g. when loading the store after a
    /// restart. A lease with the same id is replaced.
    pub fn restore(&mut self, lease: Lease) {
        if self.leases.contains_key(&lease.id) {
            self.end(lease.id, Ending::Released);
        }
        self.insert(lease);
    }

    /// Extends a live lease by its length.
    ///
    /// # Errors
    /// Why the lease cannot be renewed: unknown, released, expired,
    /// disconnected, or the product is over-subscribed now.
    pub fn renew(&mut self, id: LeaseId, now: Timestamp) -> Result<Lease, LeaseError> {
        let Some(lease) = self.leases.get(&id) else {
            return Err(self.ended_error(id));
        };
        if !lease.is_alive(now) {
            return Err(LeaseError::LeaseExpired(id));
        }
        let product = lease.product.clone();
        let old_deadline = lease.expires_at;
        if self.in_use(&product) > self.pools.seats(&product, now) {
            return Err(LeaseError::OverSubscribed { product, expires_at: old_deadline });
        }
        let Some(lease) = self.leases.get_mut(&id) else {
            return Err(LeaseError::LeaseNotFound(id));
        };
        lease.renewed_at = now;
        lease.expires_at = now.plus_millis(i64::from(lease.lease_secs) * 1000).max(old_deadline);
        let renewed = lease.clone();
        if let Some(p) = self.products.get_mut(&product) {
            p.deadlines.remove(&(old_deadline, id));
            p.deadlines.insert((renewed.expires_at, id));
        }
        Ok(renewed)
    }

    /// Ends a lease at the client's request. Releasing twice is not an error:
    /// the second time returns `None`.
    pub fn release(&mut self, id: LeaseId) -> Option<Lease> {
        self.end(id, Ending::Released)
    }

    /// Ends one lease at the administrator's request.
    pub fn disconnect(&mut self, id: LeaseId) -> Option<Lease> {
        self.end(id, Ending::Disconnected)
    }

    /// Ends every lease a computer holds.
    pub fn disconnect_client(&mut self, client: &ClientId) -> Vec<Lease> {
        let ids: Vec<LeaseId> = self
            .leases
            .values()
            .filter(|l| &l.holder.client_id == client)
            .map(|l| l.id)
            .collect();
        ids.into_iter().filter_map(|id| self.end(id, Ending::Disconnected)).collect()
    }

    /// Ends every lease whose deadline is at or before `now`, earliest first.
    pub fn expire_due(&mut self, now: Timestamp) -> Vec<Lease> {
        let mut due = Vec::new();
        for p in self.products.values() {
            due.extend(p.deadlines.iter().take_while(|(t, _)| *t <= now).map(|(t, id)| (*t, *id)));
        }
        due.sort_unstable();
        due.into_iter().filter_map(|(_, id)| self.end(id, Ending::Expired)).collect()
    }

    fn insert(&mut self, lease: Lease) {
        let product = self.products.entry(lease.product.clone()).or_default();
        product.deadlines.insert((lease.expires_at, lease.id));
        product.high_water = product.high_water.max(u32::try_from(product.deadlines.len()).unwrap_or(u32::MAX));
        self.by_holder.insert(HolderKey::of(&lease.product, &lease.holder), lease.id);
        self.leases.insert(lease.id, lease);
    }

    fn end(&mut self, id: LeaseId, how: Ending) -> Option<Lease> {
        let lease = self.leases.remove(&id)?;
        if let Some(p) = self.products.get_mut(&lease.product) {
            p.deadlines.remove(&(lease.expires_at, id));
        }
        let key = HolderKey::of(&lease.product, &lease.holder);
        if self.by_holder.get(&key) == Some(&id) {
            self.by_holder.remove(&key);
        }
        self.remember(id, how);
        Some(lease)
    }

    fn remember(&mut self, id: LeaseId, how: Ending) {
        if self.endings.insert(id, how).is_none() {
            self.ending_order.push_back(id);
        }
        while self.ending_order.len() > REMEMBERED_ENDINGS {
            if let Some(old) = self.ending_order.pop_front() {
                self.endings.remove(&old);
            }
        }
    }

    fn ended_error(&self, id: LeaseId) -> LeaseError {
        match self.endings.get(&id) {
            Some(Ending::Released) => LeaseError::LeaseReleased(id),
            Some(Ending::Expired) => LeaseError::LeaseExpired(id),
            Some(Ending::Disconnected) => LeaseError::LeaseDisconnected(id),
            None => LeaseError::LeaseNotFound(id),
        }
    }

    /// When a denied client should try again: when the product's first lease
    /// runs out, at least a second and at most one lease length away.
    fn retry_after_secs(&self, product: &Product, now: Timestamp, lease_secs: u32) -> u32 {
        let first = self.products.get(product).and_then(|p| p.deadlines.first());
        let secs = first.map_or(u64::from(lease_secs), |(t, _)| now.until(*t).as_secs() + 1);
        u32::try_from(secs).unwrap_or(u32::MAX).clamp(1, lease_secs.max(1))
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
