//! Adding, removing and listing license codes.

use super::Engine;
use super::activation::ActivationStatus;
use crate::error::{Error, Result};
use crate::store::{Op, StoredLicense};
use leasehold_core::event::{Event, EventKind};
use leasehold_core::license::{
    LicenseError, LicenseTerms, Validity, VendorPublicKey, day_text, last_day_text, parse,
};
use leasehold_core::wire::admin::{LicenseRemoved, LicenseState, LicenseView};
use leasehold_core::{LicenseId, Timestamp};
use std::str::FromStr;

/// A stored code and what checking it against the trusted keys found.
#[derive(Clone, Debug)]
pub struct LicenseRecord {
    pub code: String,
    pub added_at: Timestamp,
    /// The terms as the code states them (shown even when it no longer verifies).
    pub terms: Option<LicenseTerms>,
    pub vendor_key: String,
    /// Why the code does not verify any more, if it does not.
    pub invalid: Option<LicenseError>,
    /// Where it stands with activation on this server.
    pub activation: ActivationStatus,
}

impl LicenseRecord {
    /// Parses and verifies a stored code.
    #[must_use]
    pub fn check(stored: &StoredLicense, trusted: &[VendorPublicKey]) -> Self {
        let mut record = Self {
            code: stored.code.clone(),
            added_at: stored.added_at,
            terms: None,
            vendor_key: String::new(),
            invalid: None,
            activation: ActivationStatus::NotNeeded,
        };
        match parse(&stored.code) {
            Ok(code) => {
                record.terms = Some(code.terms().clone());
                record.vendor_key = code.fingerprint().to_string();
                if let Err(e) = code.verify(trusted) {
                    tracing::warn!(license = %stored.license_id, "a stored license code no longer verifies: {e}");
                    record.invalid = Some(e);
                }
            }
            Err(e) => {
                tracing::warn!(license = %stored.license_id, "a stored license code cannot be read: {e}");
                record.invalid = Some(e);
            }
        }
        record
    }

    /// The terms, if this code counts towards seats (it verifies and, if it
    /// needs activation, is activated for this server and computer).
    #[must_use]
    pub fn counting_terms(&self) -> Option<&LicenseTerms> {
        if self.invalid.is_some() || !self.activation.allows_counting() {
            None
        } else {
            self.terms.as_ref()
        }
    }

    fn state(&self, now: Timestamp) -> (LicenseState, Option<String>) {
        if let Some(e) = &self.invalid {
            return (LicenseState::Invalid, Some(e.to_string()));
        }
        let Some(terms) = &self.terms else {
            return (
                LicenseState::Invalid,
                Some("the code cannot be read".into()),
            );
        };
        match &self.activation {
            ActivationStatus::NotNeeded | ActivationStatus::Active { .. } => {}
            ActivationStatus::Needed => {
                return (
                    LicenseState::NeedsActivation,
                    Some(format!(
                        "counts once its vendor activates it for this server (on at most {} at once): send them an activation request and import their response",
                        terms.max_activations
                    )),
                );
            }
            ActivationStatus::OtherComputer { changed } => {
                let parts: Vec<&str> = changed.iter().map(|p| p.name()).collect();
                return (
                    LicenseState::ActivatedElsewhere,
                    Some(format!(
                        "activated for another computer ({} differ): this data directory was moved or copied. Deactivate it on the computer it was activated for, or ask the vendor to answer a new activation request from this one",
                        parts.join(", ")
                    )),
                );
            }
            ActivationStatus::Unverified(why) => {
                return (
                    LicenseState::NeedsActivation,
                    Some(format!(
                        "its activation no longer verifies ({why}); activate it again"
                    )),
                );
            }
        }
        match terms.validity(now) {
            Validity::Active => (LicenseState::Active, None),
            Validity::NotYetValid => (
                LicenseState::NotYetValid,
                terms
                    .valid_from
                    .map(|t| format!("starts counting on {}", day_text(t))),
            ),
            Validity::Expired => (
                LicenseState::Expired,
                terms
                    .valid_until
                    .map(|t| format!("expired at the end of {}", last_day_text(t))),
            ),
        }
    }
}

impl Engine {
    /// Verifies a code and, unless `dry_run`, stores it and adds its seats.
    /// A code that starts in the future is accepted (an admin adds a renewal
    /// before the old code ends); it counts from its start day.
    ///
    /// # Errors
    /// Any [`LicenseError`] from reading and verifying (including
    /// `license_expired`), [`Error::LicenseAlreadyAdded`], or a store error.
    pub async fn add_license(&self, text: &str, dry_run: bool) -> Result<LicenseView> {
        let now = self.now();
        let verified = match self.verify_new(text, now) {
            Ok(v) => v,
            Err(e) => {
                if !dry_run {
                    self.inner.events.record(Event::new(
                        EventKind::LicenseRejected,
                        now,
                        format!("a license code was refused: {e}"),
                    ));
                }
                return Err(e);
            }
        };
        let id = verified.terms().license_id;
        let mut record = LicenseRecord {
            code: verified.code().to_owned(),
            added_at: now,
            terms: Some(verified.terms().clone()),
            vendor_key: verified.vendor().fingerprint().to_string(),
            invalid: None,
            activation: ActivationStatus::NotNeeded,
        };
        record.activation = self.activation_status(id, &record);
        let counts = self.counted(&record).is_some();
        if dry_run {
            let mut view = self.view(id, &record, now);
            view.product_seats +=
                if counts && record.terms.as_ref().is_some_and(|t| t.is_active(now)) {
                    view.seats
                } else {
                    0
                };
            return Ok(view);
        }
        {
            let mut licenses = self.licenses();
            if licenses.contains_key(&id) {
                return Err(Error::LicenseAlreadyAdded(id));
            }
            licenses.insert(id, record.clone());
        }
        let stored = StoredLicense {
            license_id: id,
            code: record.code.clone(),
            added_at: now,
        };
        if let Err(e) = self.persist(vec![Op::PutLicense(stored)]).await {
            self.licenses().remove(&id);
            return Err(e);
        }
        let terms = verified.into_terms();
        let size = if terms.seat_rules.units_pool {
            format!("a pool of {} units", terms.seats)
        } else {
            seats_text(terms.seats)
        };
        // A code for no named customer says nothing of one (not "2 seats, ").
        let customer = if terms.customer.trim().is_empty() {
            String::new()
        } else {
            format!(", {}", terms.customer)
        };
        let message = format!(
            "license for {} ({size}{customer}) added{}",
            terms.product,
            if counts {
                ""
            } else {
                "; it counts once activated on this server"
            }
        );
        let mut event = Event::new(EventKind::LicenseAdded, now, message);
        event.product = Some(terms.product.clone());
        event.license_id = Some(id);
        if counts {
            self.table().add_license(terms);
            self.chains_changed();
        }
        self.inner.events.record(event);
        Ok(self.view(id, &record, now))
    }

    fn verify_new(
        &self,
        text: &str,
        now: Timestamp,
    ) -> Result<leasehold_core::license::VerifiedLicense> {
        let code = parse(text)?;
        let verified = code.verify(&self.trust().keys())?;
        if let Err(e @ LicenseError::Expired { .. }) = verified.check_window(now) {
            return Err(e.into());
        }
        let id = verified.terms().license_id;
        if self.licenses().contains_key(&id) {
            return Err(Error::LicenseAlreadyAdded(id));
        }
        Ok(verified)
    }

    /// Removes a code. Leases already out run to their end; while the
    /// product is over-subscribed they are not renewed.
    ///
    /// # Errors
    /// [`Error::LicenseNotFound`], or a store error (nothing is removed then).
    pub async fn remove_license(&self, id: LicenseId) -> Result<LicenseRemoved> {
        let record = self
            .licenses()
            .get(&id)
            .cloned()
            .ok_or(Error::LicenseNotFound(id))?;
        self.persist(vec![Op::DeleteLicense(id)]).await?;
        self.licenses().remove(&id);
        self.chains_changed();
        let now = self.now();
        let (product, seats_now, in_use) = {
            let mut table = self.table();
            table.remove_license(id);
            let product = record
                .terms
                .as_ref()
                .map(|t| t.product.clone())
                .unwrap_or_default();
            let seats = table.pools().seats(&product, now);
            (product.clone(), seats, table.in_use(&product))
        };
        let mut event = Event::new(
            EventKind::LicenseRemoved,
            now,
            format!(
                "license for {product} removed; {} now, {in_use} in use",
                seats_text(seats_now)
            ),
        );
        event.product = Some(product.clone());
        event.license_id = Some(id);
        self.inner.events.record(event);
        Ok(LicenseRemoved {
            license_id: id,
            product,
            seats_now,
            in_use,
        })
    }

    /// Every stored code, by product then start.
    #[must_use]
    pub fn license_views(&self) -> Vec<LicenseView> {
        let now = self.now();
        let records: Vec<(LicenseId, LicenseRecord)> = self
            .licenses()
            .iter()
            .map(|(id, r)| (*id, r.clone()))
            .collect();
        let mut views: Vec<LicenseView> = records
            .iter()
            .map(|(id, r)| self.view(*id, r, now))
            .collect();
        views.sort_by(|a, b| a.product.cmp(&b.product).then(a.added_at.cmp(&b.added_at)));
        views
    }

    /// Trusts another vendor key (kept in the data directory).
    ///
    /// # Errors
    /// [`leasehold_core::license::LicenseError::BadPublicKey`] for text that
    /// is not a key, [`Error::TrustIsBuiltIn`], or a store error.
    pub async fn add_trusted_key(&self, text: &str) -> Result<bool> {
        let key = VendorPublicKey::from_str(text)?;
        if !self.trust().add(key)? {
            return Ok(false);
        }
        self.persist(vec![Op::PutTrustedKey(key.to_string())])
            .await?;
        let now = self.now();
        self.inner.events.record(Event::new(
            EventKind::TrustedKeyAdded,
            now,
            format!("vendor key {} is now trusted", key.fingerprint()),
        ));
        // Codes that did not verify before may now.
        let keys = self.trust().keys();
        let mut newly_valid = Vec::new();
        for (id, record) in self.licenses().iter_mut() {
            if record.invalid.is_some() {
                let stored = StoredLicense {
                    license_id: *id,
                    code: record.code.clone(),
                    added_at: record.added_at,
                };
                *record = LicenseRecord::check(&stored, &keys);
                record.activation = self.binding().status(*id, record, &keys);
                if let Some(terms) = self.counted(record) {
                    newly_valid.push(terms.clone());
                }
            } else if !record.activation.allows_counting() {
                // An activation signed by the key just trusted verifies now.
                record.activation = self.binding().status(*id, record, &keys);
                if let Some(terms) = self.counted(record) {
                    newly_valid.push(terms.clone());
                }
            }
        }
        {
            let mut table = self.table();
            for terms in newly_valid {
                table.add_license(terms);
            }
        }
        self.chains_changed();
        Ok(true)
    }

    #[must_use]
    pub fn trusted_key_views(&self) -> Vec<leasehold_core::wire::admin::TrustedKeyView> {
        self.trust().views()
    }

    fn activation_status(&self, id: LicenseId, record: &LicenseRecord) -> ActivationStatus {
        let keys = self.trust().keys();
        self.binding().status(id, record, &keys)
    }

    pub(super) fn view(
        &self,
        id: LicenseId,
        record: &LicenseRecord,
        now: Timestamp,
    ) -> LicenseView {
        let (state, state_reason) = if self.held_back(record) {
            (
                LicenseState::ClockSetBack,
                Some("this code has dates, and this computer's clock is set back more than a day behind the latest time this server saw: it counts again once the clock is right".to_owned()),
            )
        } else {
            record.state(now)
        };
        let terms = record.terms.clone();
        let product = terms
            .as_ref()
            .map(|t| t.product.clone())
            .unwrap_or_default();
        let (product_seats, product_in_use) = {
            let table = self.table();
            (table.pools().seats(&product, now), table.in_use(&product))
        };
        let mut view = LicenseView {
            license_id: id,
            seats: terms.as_ref().map_or(0, |t| t.seats),
            product,
            product_in_use,
            product_seats,
            customer: terms
                .as_ref()
                .map(|t| t.customer.clone())
                .unwrap_or_default(),
            features: terms
                .as_ref()
                .map(|t| t.features.clone())
                .unwrap_or_default(),
            valid_from: terms.as_ref().and_then(|t| t.valid_from),
            valid_until: terms.as_ref().and_then(|t| t.valid_until),
            lease_secs: terms.as_ref().map_or(0, |t| t.lease_secs),
            state,
            state_reason,
            vendor_key: record.vendor_key.clone(),
            added_at: record.added_at,
            code: record.code.clone(),
            activation_required: terms.as_ref().is_some_and(|t| t.activation_required),
            activated_at: match record.activation {
                ActivationStatus::Active { activated_at } => Some(activated_at),
                _ => None,
            },
            seat_rules: terms.map(|t| t.seat_rules.clone()).unwrap_or_default(),
            first_day: None,
            last_day: None,
            days_left: None,
            expiring_soon: false,
        };
        super::expiry::mark(&mut view, now, self.expiry_warning_days());
        view
    }
}

/// "1 seat", "5 seats".
fn seats_text(n: u32) -> String {
    if n == 1 {
        "1 seat".to_owned()
    } else {
        format!("{n} seats")
    }
}
