//! Floating features (`vendor issue --feature render:4`): a feature with a
//! count of its own is checked out under a product lease, at most its count
//! at once. The seat belongs to the lease: it ends with it (every way a
//! lease ends goes through `unlink`) or on its own. A feature without a
//! count is a plain entitlement: granted to every lease, never counted.

use super::LeaseTable;
use crate::ids::{ClientId, LeaseId, Product};
use crate::lease::LeaseError;
use crate::pool::FeatureLicence;
use crate::time::Timestamp;
use std::collections::{BTreeMap, HashMap};

/// Feature seats held, by lease and counted by product and feature. A lease
/// holds at most the features its product's codes count (a handful).
#[derive(Debug, Default)]
pub(super) struct FeatureSeats {
    by_lease: HashMap<LeaseId, Vec<String>>,
    in_use: BTreeMap<(Product, String), u32>,
}

/// A feature seat granted (or held already) under a lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureHeld {
    pub lease_id: LeaseId,
    pub product: Product,
    pub client_id: ClientId,
    pub feature: String,
    /// The lease's deadline: the feature seat lasts as long as the lease.
    pub expires_at: Timestamp,
    /// `None` for a plain entitlement (not counted).
    pub seats: Option<u32>,
    /// Leases holding the feature now, this one included (0 when plain).
    pub in_use: u32,
    /// Whether this checkout took the seat (false: held already, or plain).
    pub newly: bool,
}

/// A counted feature of a product and its use now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureUse {
    pub feature: String,
    pub seats: u32,
    pub in_use: u32,
}

impl FeatureSeats {
    fn take(&mut self, id: LeaseId, product: &Product, feature: &str) {
        self.by_lease
            .entry(id)
            .or_default()
            .push(feature.to_owned());
        *self
            .in_use
            .entry((product.clone(), feature.to_owned()))
            .or_default() += 1;
    }

    fn give_back(&mut self, product: &Product, feature: &str) {
        let key = (product.clone(), feature.to_owned());
        if let Some(n) = self.in_use.get_mut(&key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.in_use.remove(&key);
            }
        }
    }

    fn in_use(&self, product: &Product, feature: &str) -> u32 {
        self.in_use
            .get(&(product.clone(), feature.to_owned()))
            .copied()
            .unwrap_or(0)
    }
}

impl LeaseTable {
    /// Checks out a seat of `feature` under live lease `id`.
    ///
    /// # Errors
    /// The lease's state (`lease_not_found`, `lease_released`,
    /// `lease_expired`, …), [`LeaseError::FeatureNotLicensed`] when no code
    /// counting now names the feature, [`LeaseError::NoFeatureSeatFree`]
    /// when its seats are all held.
    pub fn checkout_feature(
        &mut self,
        id: LeaseId,
        feature: &str,
        now: Timestamp,
    ) -> Result<FeatureHeld, LeaseError> {
        let lease = self.live(id, now)?;
        let held = |seats, in_use, newly| FeatureHeld {
            lease_id: id,
            product: lease.product.clone(),
            client_id: lease.holder.client_id.clone(),
            feature: feature.to_owned(),
            expires_at: lease.expires_at,
            seats,
            in_use,
            newly,
        };
        let seats = match self.pools.feature(&lease.product, feature, now) {
            FeatureLicence::NotLicensed => {
                return Err(LeaseError::FeatureNotLicensed {
                    product: lease.product.clone(),
                    feature: feature.to_owned(),
                });
            }
            FeatureLicence::Plain => return Ok(held(None, 0, false)),
            FeatureLicence::Counted(seats) => seats,
        };
        let in_use = self.features.in_use(&lease.product, feature);
        if self.holds_feature(id, feature) {
            return Ok(held(Some(seats), in_use, false));
        }
        if in_use >= seats {
            return Err(LeaseError::NoFeatureSeatFree {
                product: lease.product.clone(),
                feature: feature.to_owned(),
                seats,
                in_use,
            });
        }
        self.features.take(id, &lease.product, feature);
        Ok(held(Some(seats), in_use + 1, true))
    }

    /// Gives lease `id`'s seat of `feature` back; false when it held none.
    pub fn release_feature(&mut self, id: LeaseId, feature: &str) -> bool {
        let Some(held) = self.features.by_lease.get_mut(&id) else {
            return false;
        };
        let Some(at) = held.iter().position(|f| f == feature) else {
            return false;
        };
        held.swap_remove(at);
        if held.is_empty() {
            self.features.by_lease.remove(&id);
        }
        if let Some(product) = self.get(id).map(|l| l.product) {
            self.features.give_back(&product, feature);
        }
        true
    }

    /// Puts a stored feature seat back (loading after a restart); a lease
    /// not in the table or a seat held already is ignored.
    pub fn restore_feature(&mut self, id: LeaseId, feature: &str) {
        if let Some(lease) = self.get(id)
            && !self.holds_feature(id, feature)
        {
            self.features.take(id, &lease.product, feature);
        }
    }

    /// The feature seats lease `id` holds.
    #[must_use]
    pub fn features_of(&self, id: LeaseId) -> &[String] {
        // Asked at every renewal: no hashing while no lease holds any.
        if self.features.by_lease.is_empty() {
            return &[];
        }
        self.features.by_lease.get(&id).map_or(&[], Vec::as_slice)
    }

    /// `product`'s counted features, with their seats now and leases
    /// holding each.
    #[must_use]
    pub fn feature_use(&self, product: &Product, now: Timestamp) -> Vec<FeatureUse> {
        self.pools
            .counted_features(product, now)
            .into_iter()
            .map(|(feature, seats)| FeatureUse {
                in_use: self.features.in_use(product, &feature),
                feature,
                seats,
            })
            .collect()
    }

    /// After lease `id` renewed: the counted features held beyond their
    /// seats now (a code ended or was removed) are given back by the lease
    /// renewing, so a feature's seats fall back to its count as leases
    /// renew. Returns the features given back.
    pub(super) fn trim_features(
        &mut self,
        id: LeaseId,
        product: &Product,
        now: Timestamp,
    ) -> Vec<String> {
        let held: Vec<String> = self.features_of(id).to_vec();
        let mut dropped = Vec::new();
        for feature in held {
            let over = match self.pools.feature(product, &feature, now) {
                FeatureLicence::Counted(seats) => self.features.in_use(product, &feature) > seats,
                FeatureLicence::Plain | FeatureLicence::NotLicensed => true,
            };
            if over && self.release_feature(id, &feature) {
                dropped.push(feature);
            }
        }
        dropped
    }

    /// Takes every feature seat of lease `id` away (the lease is ending,
    /// or released and kept for its holder). `product` is the lease's.
    pub(super) fn drop_features(&mut self, id: LeaseId, product: &Product) {
        if let Some(held) = self.features.by_lease.remove(&id) {
            for feature in held {
                self.features.give_back(product, &feature);
            }
        }
    }

    fn holds_feature(&self, id: LeaseId, feature: &str) -> bool {
        self.features_of(id).iter().any(|f| f == feature)
    }

    /// Lease `id` if it is held and live at `now`.
    fn live(&self, id: LeaseId, now: Timestamp) -> Result<crate::lease::Lease, LeaseError> {
        let Some(lease) = self.get(id) else {
            return Err(self.ended_error(id));
        };
        if self.is_lingering(id) {
            return Err(LeaseError::LeaseReleased(id));
        }
        if lease.expires_at <= now {
            return Err(LeaseError::LeaseExpired(id));
        }
        Ok(lease)
    }
}

#[cfg(test)]
#[path = "table_features_tests.rs"]
mod tests;
