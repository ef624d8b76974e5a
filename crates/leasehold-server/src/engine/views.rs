//! What the admin API shows: computers, usage per product, status figures.

use super::Engine;
use leasehold_core::lease::Lease;
use leasehold_core::wire::admin::{ComputerView, ProductUsage};
use leasehold_core::{ClientId, Product};
use std::collections::BTreeMap;

impl Engine {
    /// Every computer holding a seat, with its leases, by host name.
    #[must_use]
    pub fn computers(&self) -> Vec<ComputerView> {
        // Copy out under the lock; group and sort after it is released.
        let leases: Vec<Lease> = self.table().leases().collect();
        let mut by_client: BTreeMap<ClientId, ComputerView> = BTreeMap::new();
        for lease in leases {
            let view = by_client
                .entry(lease.holder.client_id.clone())
                .or_insert_with(|| ComputerView {
                    client_id: lease.holder.client_id.clone(),
                    host: lease.holder.host.clone(),
                    address: lease.holder.address.clone(),
                    leases: Vec::new(),
                });
            view.leases.push(lease);
        }
        let mut computers: Vec<ComputerView> = by_client.into_values().collect();
        for c in &mut computers {
            c.leases.sort_by_key(|l| l.granted_at);
        }
        computers.sort_by(|a, b| {
            a.host
                .cmp(&b.host)
                .then_with(|| a.client_id.cmp(&b.client_id))
        });
        computers
    }

    /// Seats and use of every product named by a code or holding leases.
    /// Per product, not per lease: cheap however many leases are held.
    #[must_use]
    pub fn usage(&self) -> Vec<ProductUsage> {
        let now = self.now();
        let minute = now.0.div_euclid(60_000);
        let table = self.table();
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
