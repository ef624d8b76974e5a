//! Seat pools: how many seats each product has at a given moment, summed over
//! the license codes that count then.

use crate::ids::{LicenseId, Product};
use crate::license::{DEFAULT_LEASE_SECS, LicenseTerms};
use crate::time::Timestamp;
use std::collections::BTreeMap;

/// What a product's codes say of one of its features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureLicence {
    /// Seats of its own: at most this many leases hold it at once.
    Counted(u32),
    /// Unlocked for every seat of the product, not counted.
    Plain,
    /// No code counting now names it.
    NotLicensed,
}

/// The license codes a server holds, by id.
#[derive(Clone, Debug, Default)]
pub struct Pools {
    licenses: BTreeMap<LicenseId, LicenseTerms>,
}

impl Pools {
    /// Adds a code; returns false (and changes nothing) when its id is already held.
    pub fn add(&mut self, terms: LicenseTerms) -> bool {
        if self.licenses.contains_key(&terms.license_id) {
            return false;
        }
        self.licenses.insert(terms.license_id, terms);
        true
    }

    pub fn remove(&mut self, id: LicenseId) -> Option<LicenseTerms> {
        self.licenses.remove(&id)
    }

    #[must_use]
    pub fn get(&self, id: LicenseId) -> Option<&LicenseTerms> {
        self.licenses.get(&id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &LicenseTerms> {
        self.licenses.values()
    }

    /// Whether any code (valid now or not) names this product.
    #[must_use]
    pub fn knows(&self, product: &Product) -> bool {
        self.licenses.values().any(|l| &l.product == product)
    }

    /// Seats of `product` at `now`: the sum over its codes that count then.
    #[must_use]
    pub fn seats(&self, product: &Product, now: Timestamp) -> u32 {
        self.seats_of(&product.0, now)
    }

    /// [`Pools::seats`] by the product's name.
    #[must_use]
    pub fn seats_of(&self, product: &str, now: Timestamp) -> u32 {
        self.licenses
            .values()
            .filter(|l| l.product.0 == product && l.is_active(now))
            .fold(0_u32, |sum, l| sum.saturating_add(l.seats))
    }

    /// Seats of `product` that may be in use at `now`: its seats and its
    /// overdraft, summed over its counting codes in one pass.
    #[must_use]
    pub fn capacity(&self, product: &str, now: Timestamp) -> u32 {
        self.licenses
            .values()
            .filter(|l| l.product.0 == product && l.is_active(now))
            .fold(0_u32, |sum, l| {
                sum.saturating_add(l.seats)
                    .saturating_add(l.seat_rules.overdraft)
            })
    }

    /// How long a released seat of `product` stays kept for its holder: the
    /// longest any counting code asks for (0: not kept).
    #[must_use]
    pub fn linger_secs(&self, product: &Product, now: Timestamp) -> u32 {
        self.active(product, now)
            .map(|l| l.seat_rules.linger_secs)
            .max()
            .unwrap_or(0)
    }

    /// What the codes counting now say of `feature` of `product`: a count
    /// of its own (summed over the codes that give one), a plain
    /// entitlement, or nothing.
    #[must_use]
    pub fn feature(&self, product: &Product, feature: &str, now: Timestamp) -> FeatureLicence {
        let mut counted: Option<u32> = None;
        let mut plain = false;
        for l in self.active(product, now) {
            if let Some(f) = l
                .seat_rules
                .feature_seats
                .iter()
                .find(|f| f.feature == feature)
            {
                counted = Some(counted.unwrap_or(0).saturating_add(f.seats));
            } else if l.features.iter().any(|f| f == feature) {
                plain = true;
            }
        }
        match counted {
            Some(seats) => FeatureLicence::Counted(seats),
            None if plain => FeatureLicence::Plain,
            None => FeatureLicence::NotLicensed,
        }
    }

    /// The features of `product` with counts of their own, and the seats
    /// each has now (codes counting now), in name order.
    #[must_use]
    pub fn counted_features(&self, product: &Product, now: Timestamp) -> Vec<(String, u32)> {
        let mut out: BTreeMap<String, u32> = BTreeMap::new();
        for l in self.active(product, now) {
            for f in &l.seat_rules.feature_seats {
                let seats = out.entry(f.feature.clone()).or_default();
                *seats = seats.saturating_add(f.seats);
            }
        }
        out.into_iter().collect()
    }

    /// How a seat of `product` may be borrowed now: (the seats of counting
    /// codes that allow borrowing, the longest loan in hours: the shortest
    /// any of those codes allows, so no code's terms are stretched).
    /// `(0, 0)`: no borrowing.
    #[must_use]
    pub fn borrowing(&self, product: &Product, now: Timestamp) -> (u32, u32) {
        self.active(product, now)
            .filter(|l| l.seat_rules.max_borrow_hours > 0)
            .fold((0_u32, 0_u32), |(seats, hours), l| {
                let h = l.seat_rules.max_borrow_hours;
                (
                    seats.saturating_add(l.seats),
                    if hours == 0 { h } else { hours.min(h) },
                )
            })
    }

    /// The tokens `product`'s counting codes give now: units and overdraft
    /// summed, given again in the longest period among them (once before a
    /// year before a month): codes of mixed periods never give more than
    /// was bought (a yearly 12,000 and a monthly 10 are 12,010 a year, not
    /// each month); `None` when none gives tokens.
    #[must_use]
    pub fn tokens(
        &self,
        product: &Product,
        now: Timestamp,
    ) -> Option<(u64, u64, crate::license::TokenPeriod)> {
        self.active(product, now)
            .filter_map(|l| l.seat_rules.tokens)
            .fold(None, |acc, t| {
                Some(match acc {
                    None => (t.units, t.overdraft, t.period),
                    Some((units, over, period)) => (
                        t.units.saturating_add(units),
                        t.overdraft.saturating_add(over),
                        t.period.max(period),
                    ),
                })
            })
    }

    /// When the first of `product`'s codes counting now stops counting.
    #[must_use]
    pub fn first_end(&self, product: &Product, now: Timestamp) -> Option<Timestamp> {
        self.active(product, now)
            .filter_map(|l| l.valid_until)
            .min()
    }

    /// Whether `product`'s seats are a pool of units (`vendor issue --units
    /// N`): a code counting now says so.
    #[must_use]
    pub fn units_pool(&self, product: &Product, now: Timestamp) -> bool {
        self.active(product, now).any(|l| l.seat_rules.units_pool)
    }

    /// Whether `product`'s seats belong to named users: a code counting now
    /// says so.
    #[must_use]
    pub fn named(&self, product: &Product, now: Timestamp) -> bool {
        self.active(product, now).any(|l| l.seat_rules.named_users)
    }

    /// Seats of `product` that belong to named users: those of its named
    /// codes counting now, or, before any counts, of those still to start
    /// (so users can be named ahead of the start).
    #[must_use]
    pub fn named_seats(&self, product: &Product, now: Timestamp) -> u32 {
        let named = |l: &&LicenseTerms| &l.product == product && l.seat_rules.named_users;
        let sum = |it: &mut dyn Iterator<Item = &LicenseTerms>| {
            it.fold(0_u32, |s, l| s.saturating_add(l.seats))
        };
        let now_counting = sum(&mut self
            .licenses
            .values()
            .filter(named)
            .filter(|l| l.is_active(now)));
        if now_counting > 0 {
            return now_counting;
        }
        sum(&mut self
            .licenses
            .values()
            .filter(named)
            .filter(|l| l.valid_from.is_some_and(|from| from > now)))
    }

    /// Whether any code of `product` (counting now or not) has named users:
    /// its users may be named ahead of its start.
    #[must_use]
    pub fn may_name(&self, product: &Product) -> bool {
        self.licenses
            .values()
            .any(|l| &l.product == product && l.seat_rules.named_users)
    }

    /// How long a named seat that moved waits before it may move again: the
    /// longest cool-down any named code of `product` sets, in milliseconds.
    #[must_use]
    pub fn reassign_cooldown_ms(&self, product: &Product) -> i64 {
        self.licenses
            .values()
            .filter(|l| &l.product == product && l.seat_rules.named_users)
            .map(|l| i64::from(l.seat_rules.reassign_after_hours) * 3_600_000)
            .max()
            .unwrap_or(0)
    }

    /// Whether clients may wait for a seat of `product`: not when a code
    /// counting now forbids it (`vendor issue --no-queue`).
    #[must_use]
    pub fn queue_allowed(&self, product: &Product, now: Timestamp) -> bool {
        !self.active(product, now).any(|l| l.seat_rules.no_queue)
    }

    /// Lease length for `product`: the shortest any of its counting codes asks
    /// for, so no code's terms are stretched.
    #[must_use]
    pub fn lease_secs(&self, product: &Product, now: Timestamp) -> u32 {
        self.active(product, now)
            .map(|l| l.lease_secs)
            .min()
            .unwrap_or(DEFAULT_LEASE_SECS)
    }

    /// Every product named by any code, in name order.
    #[must_use]
    pub fn products(&self) -> Vec<Product> {
        let mut out: Vec<Product> = self.licenses.values().map(|l| l.product.clone()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// The next moment after `now` when some code starts or stops counting;
    /// seat totals are constant until then.
    #[must_use]
    pub fn next_change(&self, now: Timestamp) -> Option<Timestamp> {
        self.licenses
            .values()
            .flat_map(|l| [l.valid_from, l.valid_until])
            .flatten()
            .filter(|t| *t > now)
            .min()
    }

    fn active<'a>(
        &'a self,
        product: &'a Product,
        now: Timestamp,
    ) -> impl Iterator<Item = &'a LicenseTerms> {
        self.licenses
            .values()
            .filter(move |l| &l.product == product && l.is_active(now))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const DAY: i64 = 86_400_000;

    pub(crate) fn code(product: &str, seats: u32) -> LicenseTerms {
        crate::testing::terms(product, seats)
    }

    #[test]
    fn seats_of_several_codes_add_up() {
        let mut pools = Pools::default();
        assert!(pools.add(code("cad", 5)));
        assert!(pools.add(code("cad", 3)));
        assert!(pools.add(code("viewer", 2)));
        assert_eq!(pools.seats(&"cad".into(), Timestamp(0)), 8);
        assert_eq!(pools.seats(&"viewer".into(), Timestamp(0)), 2);
        assert_eq!(pools.seats(&"other".into(), Timestamp(0)), 0);
    }

    #[test]
    fn the_same_code_is_not_counted_twice() {
        let mut pools = Pools::default();
        let c = code("cad", 5);
        assert!(pools.add(c.clone()));
        assert!(!pools.add(c));
        assert_eq!(pools.seats(&"cad".into(), Timestamp(0)), 5);
    }

    #[test]
    fn codes_count_only_inside_their_window() {
        let mut pools = Pools::default();
        let mut later = code("cad", 4);
        later.valid_from = Some(Timestamp(10 * DAY));
        let mut ending = code("cad", 6);
        ending.valid_until = Some(Timestamp(20 * DAY));
        pools.add(later);
        pools.add(ending);
        let cad = Product::from("cad");
        assert_eq!(pools.seats(&cad, Timestamp(0)), 6);
        assert_eq!(pools.seats(&cad, Timestamp(10 * DAY)), 10);
        assert_eq!(pools.seats(&cad, Timestamp(20 * DAY - 1)), 10);
        assert_eq!(pools.seats(&cad, Timestamp(20 * DAY)), 4);
        assert_eq!(pools.next_change(Timestamp(0)), Some(Timestamp(10 * DAY)));
        assert_eq!(
            pools.next_change(Timestamp(10 * DAY)),
            Some(Timestamp(20 * DAY))
        );
        assert_eq!(pools.next_change(Timestamp(20 * DAY)), None);
    }

    #[test]
    fn lease_length_is_the_shortest_counting_code() {
        let mut pools = Pools::default();
        let mut a = code("cad", 1);
        a.lease_secs = 300;
        let mut b = code("cad", 1);
        b.lease_secs = 120;
        pools.add(a);
        pools.add(b);
        assert_eq!(pools.lease_secs(&"cad".into(), Timestamp(0)), 120);
        assert_eq!(
            pools.lease_secs(&"none".into(), Timestamp(0)),
            DEFAULT_LEASE_SECS
        );
    }
}
