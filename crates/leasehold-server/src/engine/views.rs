//! What the admin API shows: usage per product, status figures.

use super::Engine;
use leasehold_core::Product;
use leasehold_core::wire::admin::ProductUsage;
use leasehold_core::wire::feature::FeatureUsage;

impl Engine {
    /// Seats and use of every product named by a code or holding leases.
    /// Per product, not per lease: cheap however many leases are held.
    #[must_use]
    pub fn usage(&self) -> Vec<ProductUsage> {
        let now = self.now();
        let minute = now.0.div_euclid(60_000);
        let table = self.table();
        let ledger = self.ledger();
        let mut products: Vec<Product> = table.pools().products();
        products.extend(table.leased_products().cloned());
        products.sort();
        products.dedup();
        products
            .into_iter()
            .map(|product| ProductUsage {
                seats: table.pools().seats(&product, now),
                in_use: table.in_use(&product),
                ending: table.ending(&product),
                high_water: table.high_water(&product),
                denials_last_hour: self.inner.metrics.denials_last_hour(&product, minute),
                borrowed: table.borrowed(&product),
                features: table
                    .feature_use(&product, now)
                    .into_iter()
                    .map(|f| FeatureUsage {
                        feature: f.feature,
                        seats: f.seats,
                        in_use: f.in_use,
                    })
                    .collect(),
                tokens: ledger.balance(table.pools(), &product, now),
                product,
            })
            .collect()
    }

    /// (leases held, computers holding a seat), without a scan.
    #[must_use]
    pub fn counts(&self) -> (usize, usize) {
        let table = self.table();
        (table.len(), table.computers())
    }

    #[must_use]
    pub fn started_at(&self) -> leasehold_core::Timestamp {
        self.inner.started_at
    }
}
