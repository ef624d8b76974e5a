//! Feature seats under a lease (`POST|DELETE /v1/leases/{id}/features/{f}`):
//! the table decides (`table_features.rs`), the store keeps it, the grant is
//! signed as a lease grant is.

use super::Engine;
use super::denials::Bucket;
use super::leases::check_field;
use crate::error::Result;
use crate::store::Op;
use leasehold_core::event::{Event, EventKind};
use leasehold_core::lease::LeaseError;
use leasehold_core::wire::feature::{FeatureGrant, FeatureReleased};
use leasehold_core::{CorrelationId, LeaseId};

use leasehold_core::wire::MAX_FEATURE_CHARS;

impl Engine {
    /// Checks out a seat of `feature` under lease `id` (held already: the
    /// same seat again).
    ///
    /// # Errors
    /// The lease's state (`lease_not_found`, `lease_released`, …),
    /// `feature_not_licensed`, `no_feature_seat_free`, `invalid_field`, or a
    /// store error (nothing taken then).
    pub async fn checkout_feature(
        &self,
        id: LeaseId,
        feature: &str,
        corr: CorrelationId,
    ) -> Result<FeatureGrant> {
        check_field("feature", feature, true, MAX_FEATURE_CHARS)?;
        let now = self.now();
        let outcome = {
            let mut table = self.table();
            table.checkout_feature(id, feature, now).map(|held| {
                let written = held.newly.then(|| {
                    self.inner.store.enqueue(vec![Op::PutLeaseFeature {
                        lease_id: id,
                        feature: feature.to_owned(),
                    }])
                });
                let lease = table.get(id);
                (held, written, lease)
            })
        };
        let (held, written, lease) = match outcome {
            Ok(ok) => ok,
            Err(e) => {
                if let LeaseError::NoFeatureSeatFree { product, .. }
                | LeaseError::FeatureNotLicensed { product, .. } = &e
                {
                    let mut event =
                        Event::new(EventKind::Deny, now, e.to_string()).correlated(corr);
                    event.product = Some(product.clone());
                    event.lease_id = Some(id);
                    self.record_denial(Bucket::Licensed(product.clone()), event);
                }
                return Err(e.into());
            }
        };
        if let Some(written) = written {
            let name = feature.to_owned();
            self.durable(written, move |engine| {
                engine.table().release_feature(id, &name);
            })
            .await?;
            let seats = held.seats.unwrap_or(0);
            let message = format!(
                "feature {feature} of {} checked out under lease {id} ({} of {seats} in use)",
                held.product, held.in_use
            );
            let mut event = Event::new(EventKind::FeatureGrant, now, message).correlated(corr);
            if let Some(lease) = &lease {
                event = event.about(lease);
            }
            self.inner.events.record(event);
        }
        let grant = FeatureGrant {
            lease_id: id,
            chain: self.chain(&held.product).digest.clone(),
            product: held.product,
            client_id: held.client_id,
            feature: held.feature,
            expires_at: held.expires_at,
            seats: held.seats,
            in_use: held.in_use,
            signature: String::new(),
            proof_index: 0,
            proof: Vec::new(),
        };
        Ok(self.inner.signer.sign_feature(grant).await)
    }

    /// Gives lease `id`'s seat of `feature` back; giving back twice (or
    /// for a lease gone) is fine.
    ///
    /// # Errors
    /// `invalid_field`, or a store error (the seat is free on this server
    /// already; the write is retried with the lease's end).
    pub async fn release_feature(&self, id: LeaseId, feature: &str) -> Result<FeatureReleased> {
        check_field("feature", feature, true, MAX_FEATURE_CHARS)?;
        let written = {
            let mut table = self.table();
            table.release_feature(id, feature).then(|| {
                self.inner.store.enqueue(vec![Op::DeleteLeaseFeature {
                    lease_id: id,
                    feature: feature.to_owned(),
                }])
            })
        };
        let was_held = written.is_some();
        if let Some(written) = written {
            written.await?;
        }
        Ok(FeatureReleased {
            lease_id: id,
            feature: feature.to_owned(),
            was_held,
        })
    }
}
