//! The chain this server shows applications for a product (`GET /v1/chain`):
//! the codes it counts for it, each with its activation here. Kept per
//! product until a licence, an activation or a trusted key changes; every
//! grant carries the digest, so clients notice a change at their next renew.

use super::Engine;
use leasehold_core::Product;
use leasehold_core::license::chain;
use leasehold_core::wire::client::{Chain, ChainLink};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

/// Chains made so far, by product, and how often they were forgotten (a
/// chain made while a change happened is not kept).
#[derive(Default)]
pub(super) struct Chains {
    made: HashMap<Product, Arc<Chain>>,
    generation: u64,
}

/// Most products kept (only products with codes are kept at all).
const MAX_KEPT: usize = 1024;

impl Engine {
    /// The chain for `product` (empty links when the server counts no code
    /// for it).
    #[must_use]
    pub fn chain(&self, product: &Product) -> Arc<Chain> {
        let generation = {
            let chains = self.chains();
            if let Some(chain) = chains.made.get(product) {
                return Arc::clone(chain);
            }
            chains.generation
        };
        let links: Vec<ChainLink> = {
            let licenses = self.licenses();
            let binding = self.binding();
            licenses
                .iter()
                .filter(|(_, r)| self.counted(r).is_some_and(|t| &t.product == product))
                .map(|(id, r)| ChainLink {
                    code: r.code.clone(),
                    activation: binding.activations.get(id).map(|a| a.response.clone()),
                })
                .collect()
        };
        let made = Arc::new(Chain {
            product: product.clone(),
            server_public_key: self.public_key_hex(),
            digest: chain::digest(&links),
            links,
        });
        let mut chains = self.chains();
        // An empty chain costs nothing to make again; keeping one per name
        // a stranger asks for would only fill the map.
        if chains.generation == generation && !made.links.is_empty() {
            if chains.made.len() >= MAX_KEPT {
                chains.made.clear();
            }
            chains.made.insert(product.clone(), Arc::clone(&made));
        }
        made
    }

    /// Forgets every chain made: licences, activations or trust changed.
    pub(super) fn chains_changed(&self) {
        let mut chains = self.chains();
        chains.made.clear();
        chains.generation += 1;
        drop(chains);
        // The sweep wakes when a code of those held now starts or stops.
        let next = self.table().pools().next_change(self.now());
        if let Some(at) = next {
            self.inner
                .codes_change_at
                .fetch_min(at.0, std::sync::atomic::Ordering::Relaxed);
            self.deadline_added(at);
        }
        // A licence came, went, or began to count: seats may have freed.
        self.serve_soon();
    }

    fn chains(&self) -> std::sync::MutexGuard<'_, Chains> {
        self.inner
            .chains
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
