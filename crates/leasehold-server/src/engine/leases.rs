//! Checkout, renew, release and disconnect: the table decides, the store
//! makes it durable, and only then is the client answered.

use super::Engine;
use super::denials::Bucket;
use super::ending::Ended;
use crate::error::{Error, Result};
use crate::store::Op;
use leasehold_core::event::{Event, EventKind};
use leasehold_core::lease::{Ending, Holder, LeaseError};
use leasehold_core::table::{CheckoutRequest, Granted, Release};
use leasehold_core::wire::admin::{DisconnectRequest, Disconnected};
use leasehold_core::wire::client::{self as wire, LeaseGrant, Released};
use leasehold_core::{CorrelationId, LeaseId};
use std::sync::atomic::Ordering;

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
            product: req.product.clone(),
            units: req.units.unwrap_or(1),
            holder: holder_of(req, address),
        };
        // Decided and queued under one lock, so the store sees this lease's
        // write in the table's order (a release or disconnect of it cannot
        // be written before it).
        let outcome = {
            let mut table = self.table();
            table.checkout(&request, now).map(|granted| {
                let written = self.inner.store.enqueue(checkout_ops(&granted));
                (granted, written)
            })
        };
        let (granted, written) = outcome.map_err(|e| self.denied(&request, e, now, corr))?;
        self.committed(&granted, written).await?;
        if let Some(old) = granted.expired {
            self.log_ends(&[Ended::new(old, Ending::Expired, Some(corr))]);
        }
        let lease = granted.lease;
        if granted.reused {
            self.inner.metrics.renewals.fetch_add(1, Ordering::Relaxed);
        } else {
            self.inner.metrics.grants.fetch_add(1, Ordering::Relaxed);
            if lease.overdraft {
                let m = &self.inner.metrics.overdraft_grants;
                m.fetch_add(1, Ordering::Relaxed);
            }
            let event = Event::granted(&lease, now, granted.in_use, granted.seats);
            self.inner.events.record(event.correlated(corr));
        }
        self.deadline_added(lease.expires_at);
        let mut grant = LeaseGrant::unsigned(
            lease.id,
            lease.product,
            lease.holder.client_id,
            lease.expires_at,
            lease.lease_secs,
            now,
            granted.reused,
        );
        grant.overdraft = lease.overdraft;
        if granted.reused {
            grant.features = self.table().features_of(lease.id).to_vec();
        }
        grant.chain = self.chain(&grant.product).digest.clone();
        Ok(self.inner.signer.sign(grant).await)
    }

    /// Counts and logs a refused checkout (or loan); the error to answer.
    pub(super) fn denied(
        &self,
        request: &CheckoutRequest,
        e: LeaseError,
        now: leasehold_core::Timestamp,
        corr: CorrelationId,
    ) -> Error {
        let e = self.explain_unknown(e);
        // Only products this server has a code for get a counter and a log
        // of their own: a stranger naming a new product each time must not
        // grow memory or the store.
        let licensed = !matches!(e, LeaseError::NoLicense(_));
        let minute = now.0.div_euclid(60_000);
        self.inner
            .metrics
            .deny(licensed.then_some(&request.product), minute);
        let bucket = if licensed {
            Bucket::Licensed(request.product.clone())
        } else {
            Bucket::Unlicensed
        };
        let event = Event::denied(&request.product, &request.holder, now, &e.to_string());
        self.record_denial(bucket, event.correlated(corr));
        e.into()
    }

    /// Waits for a new lease's write, undoing the grant if it fails.
    pub(super) async fn committed(
        &self,
        granted: &Granted,
        written: impl Future<Output = std::result::Result<(), crate::store::StoreError>>
        + Send
        + 'static,
    ) -> Result<()> {
        let undo = granted.clone();
        self.durable(written, move |engine| {
            engine.table().undo_checkout(&undo);
            if let Some(old) = &undo.expired {
                engine.deadline_added(old.expires_at);
            }
        })
        .await
    }

    /// Waits for a change's write, calling `undo` if it fails; in a task of
    /// its own, so a caller that goes away mid-request cannot leave the
    /// table and the store apart.
    pub(super) async fn durable(
        &self,
        written: impl Future<Output = std::result::Result<(), crate::store::StoreError>>
        + Send
        + 'static,
        undo: impl FnOnce(&Engine) + Send + 'static,
    ) -> Result<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            let outcome = written.await;
            if outcome.is_err() {
                undo(&engine);
            }
            outcome
        })
        .await
        .unwrap_or(Err(crate::store::StoreError::Closed))?;
        Ok(())
    }

    /// Extends a live lease.
    ///
    /// # Errors
    /// `lease_not_found`, `lease_released`, `lease_expired`,
    /// `lease_disconnected`, `over_subscribed`.
    pub async fn renew(&self, id: LeaseId, corr: CorrelationId) -> Result<LeaseGrant> {
        let now = self.now();
        let (outcome, features) = {
            let mut table = self.table();
            let outcome = table.renew(id, now);
            if let Ok(r) = &outcome
                && !r.features_dropped.is_empty()
            {
                // Under the lock: a checkout of the feature right after is
                // written after this.
                let ops = r.features_dropped.iter().map(|f| Op::DeleteLeaseFeature {
                    lease_id: id,
                    feature: f.clone(),
                });
                drop(self.inner.store.enqueue(ops.collect()));
            }
            (outcome, table.features_of(id).to_vec())
        };
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
                    self.record_denial(Bucket::LateRenewals, event);
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
        let mut grant = LeaseGrant::unsigned(
            id,
            renewal.product,
            renewal.client_id,
            renewal.expires_at,
            renewal.lease_secs,
            now,
            true,
        );
        grant.overdraft = renewal.overdraft;
        grant.features = features;
        grant.chain = self.chain(&grant.product).digest.clone();
        Ok(self.inner.signer.sign(grant).await)
    }

    /// Ends a lease at the client's request; releasing twice is fine.
    ///
    /// # Errors
    /// A store error: the lease has ended (it cannot be renewed), but its
    /// seat stays taken until the sweeper manages to write the end.
    pub async fn release(&self, id: LeaseId, corr: CorrelationId) -> Result<Released> {
        let now = self.now();
        let mut kept = None;
        let store = &self.inner.store;
        let ended = self
            .end_leases(Ending::Released, Some(corr), |t| {
                match t.release_at(id, now) {
                    Release::Ended(lease) => vec![lease],
                    Release::Kept(lease) => {
                        // Queued under the table's lock, so a checkout of its
                        // holder right after cannot be written before it.
                        let written = store.enqueue(vec![
                            Op::UpdateLeaseTimes {
                                id,
                                renewed_at: lease.renewed_at,
                                expires_at: lease.expires_at,
                            },
                            Op::MarkLingering(id),
                            Op::DeleteLeaseFeatures(id),
                        ]);
                        kept = Some((lease, written));
                        Vec::new()
                    }
                    Release::NotHeld => Vec::new(),
                }
            })
            .await?;
        if let Some((lease, written)) = kept {
            // Linger: the seat stays the holder's until its new deadline.
            written.await?;
            self.deadline_added(lease.expires_at);
            let h = &lease.holder;
            let secs = now.until(lease.expires_at).as_secs();
            let message = format!(
                "released {} by {}@{}; the seat stays theirs for {secs} s (linger)",
                lease.product, h.user, h.host
            );
            let event = Event::new(EventKind::Release, now, message).about(&lease);
            self.inner.events.record(event.correlated(corr));
            return Ok(Released {
                lease_id: id,
                was_held: true,
            });
        }
        Ok(Released {
            lease_id: id,
            was_held: !ended.is_empty(),
        })
    }

    /// Ends one lease, or every lease of a computer, at the admin's request.
    /// The client learns it on its next renewal (`lease_disconnected`).
    ///
    /// # Errors
    /// `invalid_field` when neither or both are given, `lease_not_found` /
    /// `client_not_found` when nothing matched, or a store error (the leases
    /// have ended; their seats stay taken until the end is written).
    pub async fn disconnect(
        &self,
        req: DisconnectRequest,
        corr: CorrelationId,
    ) -> Result<Disconnected> {
        let how = (Ending::Disconnected, Some(corr));
        let ended = match (req.lease_id, req.client_id) {
            (Some(id), None) => {
                let ended = self
                    .end_leases(how.0, how.1, |t| t.disconnect(id).into_iter().collect())
                    .await?;
                if ended.is_empty() {
                    return Err(Error::LeaseNotHeld(id));
                }
                ended
            }
            (None, Some(client)) => {
                let ended = self
                    .end_leases(how.0, how.1, |t| t.disconnect_client(&client))
                    .await?;
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
        Ok(Disconnected { ended })
    }

    /// A product whose only codes no longer verify (their vendor key is not
    /// trusted any more) is not unknown: say its licenses are not valid.
    ///
    /// One that has verified codes that wait for activation here says so.
    fn explain_unknown(&self, e: LeaseError) -> LeaseError {
        let LeaseError::NoLicense(product) = e else {
            return e;
        };
        let licenses = self.licenses();
        let of_product = || {
            licenses
                .values()
                .filter(|r| r.terms.as_ref().is_some_and(|t| t.product == product))
        };
        if of_product().any(|r| self.held_back(r)) {
            LeaseError::ClockSetBack(product)
        } else if of_product().any(|r| r.invalid.is_none() && !r.activation.allows_counting()) {
            LeaseError::NeedsActivation(product)
        } else if of_product().next().is_some() {
            LeaseError::NoValidLicense(product)
        } else {
            LeaseError::NoLicense(product)
        }
    }
}

/// What a checkout writes: a new lease, together with the end of the dead
/// one it replaces (one transaction: both or neither); or a reconnect's new
/// times, which never bring back a lease that ended meanwhile.
pub(super) fn checkout_ops(granted: &Granted) -> Vec<Op> {
    let lease = &granted.lease;
    if granted.reused {
        return vec![Op::UpdateLeaseTimes {
            id: lease.id,
            renewed_at: lease.renewed_at,
            expires_at: lease.expires_at,
        }];
    }
    let mut ops = vec![Op::PutLease(lease.clone())];
    if let Some(old) = &granted.expired {
        ops.push(Op::DeleteLease(old.id));
    }
    ops
}

/// Who asks, from the request and the address it came from.
pub(super) fn holder_of(req: wire::CheckoutRequest, address: String) -> Holder {
    Holder {
        client_id: req.client_id,
        user: req.user,
        host: req.host,
        app_name: req.app_name,
        app_version: req.app_version,
        address,
        computer: req.computer.unwrap_or_default(),
    }
}

pub(super) fn validate(req: &wire::CheckoutRequest) -> Result<()> {
    use leasehold_core::license::MAX_PRODUCT_LEN as PRODUCT;
    use leasehold_core::wire::MAX_NAME_CHARS as NAME;
    let fields: [(&'static str, &str, bool, usize); 6] = [
        ("product", req.product.as_str(), true, PRODUCT),
        ("clientId", req.client_id.as_str(), true, NAME),
        ("user", &req.user, false, NAME),
        ("host", &req.host, false, NAME),
        ("appName", &req.app_name, false, NAME),
        ("appVersion", &req.app_version, false, NAME),
    ];
    for (field, value, required, max) in fields {
        check_field(field, value, required, max)?;
    }
    if let Some(units) = req.units
        && !(1..=leasehold_core::lease::MAX_UNITS).contains(&units)
    {
        return Err(Error::InvalidField {
            field: "units",
            reason: format!(
                "is {units}; ask for 1 to {} units",
                leasehold_core::lease::MAX_UNITS
            ),
        });
    }
    Ok(())
}

/// One name a client sends: present if `required`, at most `max` characters, no
/// characters that make it display as something else.
///
/// # Errors
/// `invalid_field` naming the field and what is wrong.
pub(crate) fn check_field(
    field: &'static str,
    value: &str,
    required: bool,
    max: usize,
) -> Result<()> {
    if required && value.trim().is_empty() {
        return Err(Error::InvalidField {
            field,
            reason: "must not be empty".into(),
        });
    }
    let chars = value.chars().count();
    if chars > max {
        return Err(Error::InvalidField {
            field,
            reason: format!("is {chars} characters long; at most {max} are accepted"),
        });
    }
    if let Some(reason) = leasehold_core::text::refusal(value) {
        return Err(Error::InvalidField { field, reason });
    }
    Ok(())
}
