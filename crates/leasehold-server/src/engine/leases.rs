//! Checkout, renew, release and disconnect: the table decides, the store
//! makes it durable, and only then is the client answered.

use super::Engine;
use crate::error::{Error, Result};
use crate::store::Op;
use leasehold_core::event::{Event, EventKind};
use leasehold_core::lease::{Holder, Lease, LeaseError};
use leasehold_core::table::CheckoutRequest;
use leasehold_core::wire::admin::{DisconnectRequest, Disconnected};
use leasehold_core::wire::client::{self as wire, LeaseGrant, Released};
use leasehold_core::{CorrelationId, LeaseId};
use std::sync::atomic::Ordering;

/// Longest text accepted in a checkout field.
const MAX_FIELD: usize = 256;

impl Engine {
    /// Grants a seat (or gives a reconnecting client its lease back).
    ///
    /// # Errors
    /// `no_seat_free`, `no_license_for_product`, `no_valid_license`,
    /// `invalid_field` for absurd input, or a store error (nothing granted).
    pub async fn checkout(
        &self,
        req: wire::CheckoutRequest,
        address: String,
        corr: CorrelationId,
    ) -> Result<LeaseGrant> {
        validate(&req)?;
        let now = self.now();
        let request = CheckoutRequest {
            product: req.product,
            holder: Holder {
                client_id: req.client_id,
                user: req.user,
                host: req.host,
                app_name: req.app_name,
                app_version: req.app_version,
                address,
            },
        };
        let outcome = self
            .table()
            .checkout(&request, now)
            .map_err(|e| self.explain_unknown(e));
        let granted = match outcome {
            Ok(g) => g,
            Err(e) => {
                self.inner
                    .metrics
                    .deny(&request.product, now.0.div_euclid(60_000));
                let CheckoutRequest { product, holder } = request;
                let mut event = Event::new(
                    EventKind::Deny,
                    now,
                    format!("denied {product} to {}@{}: {e}", holder.user, holder.host),
                )
                .correlated(corr);
                event.product = Some(product);
                event.client_id = Some(holder.client_id);
                event.user = Some(holder.user);
                event.host = Some(holder.host);
                self.inner.events.record(event);
                return Err(e.into());
            }
        };
        let mut ops = vec![Op::PutLease(granted.lease.clone())];
        if let Some(old) = &granted.expired {
            ops.push(Op::DeleteLease(old.id));
        }
        if let Err(e) = self.persist(ops).await {
            if !granted.reused {
                self.table().release(granted.lease.id);
            }
            return Err(e);
        }
        if let Some(old) = &granted.expired {
            self.inner.metrics.expiries.fetch_add(1, Ordering::Relaxed);
            self.inner.events.record(
                Event::new(
                    EventKind::Expire,
                    now,
                    format!(
                        "lease of {} by {}@{} expired unrenewed",
                        old.product, old.holder.user, old.holder.host
                    ),
                )
                .about(old)
                .correlated(corr),
            );
        }
        let lease = granted.lease;
        if granted.reused {
            self.inner.metrics.renewals.fetch_add(1, Ordering::Relaxed);
        } else {
            self.inner.metrics.grants.fetch_add(1, Ordering::Relaxed);
            let (in_use, seats) = {
                let table = self.table();
                (
                    table.in_use(&lease.product),
                    table.pools().seats(&lease.product, now),
                )
            };
            let message = format!(
                "granted {} to {}@{} ({in_use} of {seats} in use)",
                lease.product, lease.holder.user, lease.holder.host
            );
            self.inner.events.record(
                Event::new(EventKind::Grant, now, message)
                    .about(&lease)
                    .correlated(corr),
            );
        }
        self.deadline_added(lease.expires_at);
        Ok(self.grant(lease, granted.reused).await)
    }

    /// Extends a live lease.
    ///
    /// # Errors
    /// `lease_not_found`, `lease_released`, `lease_expired`,
    /// `lease_disconnected`, `over_subscribed`.
    pub async fn renew(&self, id: LeaseId, corr: CorrelationId) -> Result<LeaseGrant> {
        let now = self.now();
        let outcome = self.table().renew(id, now);
        let renewal = match outcome {
            Ok(renewal) => renewal,
            Err(e) => {
                if matches!(e, LeaseError::LeaseExpired(_)) {
                    let mut event = Event::new(
                        EventKind::RenewAfterExpiry,
                        now,
                        format!("lease {id} was renewed after it had expired"),
                    )
                    .correlated(corr);
                    event.lease_id = Some(id);
                    self.inner.events.record(event);
                }
                return Err(e.into());
            }
        };
        // Only when the stored deadline falls behind (see LeaseTable::renew),
        // and answered before it is on disk: if the write is lost, the store
        // still holds at least the deadline this renewal extended, so a power
        // loss costs an extension, never a seat.
        if let Some(until) = renewal.store_until {
            self.inner.store.renew(id, renewal.renewed_at, until);
        }
        self.inner.metrics.renewals.fetch_add(1, Ordering::Relaxed);
        let renew_after_secs = renewal.renew_after_secs();
        Ok(self
            .inner
            .signer
            .sign(LeaseGrant {
                lease_id: id,
                product: renewal.product,
                client_id: renewal.client_id,
                expires_at: renewal.expires_at,
                renew_after_secs,
                lease_secs: renewal.lease_secs,
                server_time: now,
                reused: true,
                signature: String::new(),
                proof_index: 0,
                proof: Vec::new(),
            })
            .await)
    }

    /// Ends a lease at the client's request; releasing twice is fine.
    ///
    /// # Errors
    /// A store error (the lease is then gone from memory but may come back
    /// after a restart, to expire by itself).
    pub async fn release(&self, id: LeaseId, corr: CorrelationId) -> Result<Released> {
        let Some(lease) = self.table().release(id) else {
            return Ok(Released {
                lease_id: id,
                was_held: false,
            });
        };
        self.persist(vec![Op::DeleteLease(id)]).await?;
        self.inner.metrics.releases.fetch_add(1, Ordering::Relaxed);
        let message = format!(
            "{}@{} released {}",
            lease.holder.user, lease.holder.host, lease.product
        );
        self.inner.events.record(
            Event::new(EventKind::Release, self.now(), message)
                .about(&lease)
                .correlated(corr),
        );
        Ok(Released {
            lease_id: id,
            was_held: true,
        })
    }

    /// Ends one lease, or every lease of a computer, at the admin's request.
    /// The client learns it on its next renewal (`lease_disconnected`).
    ///
    /// # Errors
    /// `invalid_field` when neither or both are given, `lease_not_found` /
    /// `client_not_found` when nothing matched, or a store error.
    pub async fn disconnect(
        &self,
        req: DisconnectRequest,
        corr: CorrelationId,
    ) -> Result<Disconnected> {
        let ended: Vec<Lease> = match (req.lease_id, req.client_id) {
            (Some(id), None) => vec![self.table().disconnect(id).ok_or(Error::LeaseNotHeld(id))?],
            (None, Some(client)) => {
                let ended = self.table().disconnect_client(&client);
                if ended.is_empty() {
                    return Err(Error::ClientNotFound(client.0));
                }
                ended
            }
            _ => {
                return Err(Error::InvalidField {
                    field: "leaseId/clientId",
                    reason: "give exactly one of leaseId and clientId".into(),
                });
            }
        };
        self.persist(ended.iter().map(|l| Op::DeleteLease(l.id)).collect())
            .await?;
        self.inner
            .metrics
            .disconnects
            .fetch_add(ended.len() as u64, Ordering::Relaxed);
        let now = self.now();
        self.inner.events.record_all(
            ended
                .iter()
                .map(|l| {
                    Event::new(
                        EventKind::Disconnect,
                        now,
                        format!(
                            "administrator disconnected {}@{} from {}",
                            l.holder.user, l.holder.host, l.product
                        ),
                    )
                    .about(l)
                    .correlated(corr)
                })
                .collect(),
        );
        Ok(Disconnected {
            ended: ended.into_iter().map(|l| l.id).collect(),
        })
    }

    /// A product whose only codes no longer verify (their vendor key is not
    /// trusted any more) is not unknown: say its licenses are not valid.
    fn explain_unknown(&self, e: LeaseError) -> LeaseError {
        match e {
            LeaseError::NoLicense(product)
                if self
                    .licenses()
                    .values()
                    .any(|r| r.terms.as_ref().is_some_and(|t| t.product == product)) =>
            {
                LeaseError::NoValidLicense(product)
            }
            other => other,
        }
    }

    async fn grant(&self, lease: Lease, reused: bool) -> LeaseGrant {
        let renew_after_secs = lease.renew_after_secs();
        self.inner
            .signer
            .sign(LeaseGrant {
                lease_id: lease.id,
                product: lease.product,
                client_id: lease.holder.client_id,
                expires_at: lease.expires_at,
                renew_after_secs,
                lease_secs: lease.lease_secs,
                server_time: self.now(),
                reused,
                signature: String::new(),
                proof_index: 0,
                proof: Vec::new(),
            })
            .await
    }
}

fn validate(req: &wire::CheckoutRequest) -> Result<()> {
    let fields: [(&'static str, &str, bool); 6] = [
        ("product", req.product.as_str(), true),
        ("clientId", req.client_id.as_str(), true),
        ("user", &req.user, false),
        ("host", &req.host, false),
        ("appName", &req.app_name, false),
        ("appVersion", &req.app_version, false),
    ];
    for (field, value, required) in fields {
        if required && value.trim().is_empty() {
            return Err(Error::InvalidField {
                field,
                reason: "must not be empty".into(),
            });
        }
        if value.len() > MAX_FIELD {
            return Err(Error::InvalidField {
                field,
                reason: format!(
                    "is {} bytes long; at most {MAX_FIELD} are accepted",
                    value.len()
                ),
            });
        }
        if value.chars().any(char::is_control) {
            return Err(Error::InvalidField {
                field,
                reason: "contains control characters".into(),
            });
        }
    }
    Ok(())
}
