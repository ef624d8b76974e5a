//! A licence that needs activation counts here only with the vendor's
//! activation for this server's key and this computer. The admin makes a
//! request, imports the vendor's response, and may deactivate the licence
//! to move it (the proof goes back to the vendor).

use super::Engine;
use super::licenses::LicenseRecord;
use crate::error::{Error, Result};
use crate::store::{Op, StoredActivation};
use leasehold_core::event::{Event, EventKind};
use leasehold_core::license::activation::{Activation, ActivationRequest, Deactivation};
use leasehold_core::license::fingerprint::{Fingerprint, Part};
use leasehold_core::license::{self, VendorPublicKey};
use leasehold_core::wire::admin::{ActivationRequestView, Deactivated, LicenseView};
use leasehold_core::{LicenseId, Timestamp};
use std::collections::BTreeMap;

/// What binds licences to this server: its key, this computer, and the
/// activations and deactivations stored.
#[derive(Debug)]
pub(crate) struct Binding {
    pub server_key: [u8; 32],
    pub computer: Fingerprint,
    pub activations: BTreeMap<LicenseId, StoredActivation>,
    /// Per deactivated licence: responses the vendor made up to this moment
    /// (its time) are void here.
    pub deactivations: BTreeMap<LicenseId, Timestamp>,
    /// The proof of each deactivation, to show or send again until the
    /// licence is activated here again.
    pub proofs: BTreeMap<LicenseId, String>,
}

/// Where a licence stands with activation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActivationStatus {
    /// The code needs none (or cannot be read; see `LicenseRecord::invalid`).
    NotNeeded,
    /// Activated for this server on this computer.
    Active { activated_at: Timestamp },
    /// Needs an activation this server does not have.
    Needed,
    /// Activated for this server's key, but on another computer (the data
    /// directory was copied): these parts differ.
    OtherComputer { changed: Vec<Part> },
    /// The stored activation no longer verifies (its vendor key is not
    /// trusted any more).
    Unverified(String),
}

impl ActivationStatus {
    /// Whether the code may count.
    #[must_use]
    pub fn allows_counting(&self) -> bool {
        matches!(self, Self::NotNeeded | Self::Active { .. })
    }
}

impl Binding {
    /// The status of `record` with what is stored for it.
    pub fn status(
        &self,
        id: LicenseId,
        record: &LicenseRecord,
        trusted: &[VendorPublicKey],
    ) -> ActivationStatus {
        if !record.terms.as_ref().is_some_and(|t| t.activation_required) {
            return ActivationStatus::NotNeeded;
        }
        let Some(stored) = self.activations.get(&id) else {
            return ActivationStatus::Needed;
        };
        let activation = match Activation::parse(&stored.response) {
            Ok(a) => a,
            Err(e) => return ActivationStatus::Unverified(e.to_string()),
        };
        match activation.verify(trusted) {
            Ok(signer) if signer.fingerprint().to_string() != record.vendor_key => {
                return ActivationStatus::Unverified(
                    "it is signed by another vendor key than the licence code".into(),
                );
            }
            Ok(_) => {}
            Err(e) => return ActivationStatus::Unverified(e.to_string()),
        }
        if let Err(e) = activation.check_for(id, &self.server_key) {
            return ActivationStatus::Unverified(e.to_string());
        }
        let compared = activation.fingerprint.compare(&self.computer);
        if compared.is_same_computer() {
            ActivationStatus::Active {
                activated_at: activation.activated_at,
            }
        } else {
            ActivationStatus::OtherComputer {
                changed: compared.changed,
            }
        }
    }
}

impl Engine {
    /// The activation request for a licence on this server, to send to the
    /// vendor.
    ///
    /// # Errors
    /// `license_not_found`, or `activation_not_needed` for a code that needs none.
    pub fn activation_request(&self, id: LicenseId) -> Result<ActivationRequestView> {
        let code = {
            let licenses = self.licenses();
            let record = licenses.get(&id).ok_or(Error::LicenseNotFound(id))?;
            if !record.terms.as_ref().is_some_and(|t| t.activation_required) {
                return Err(Error::ActivationNotNeeded(id));
            }
            record.code.clone()
        };
        let code = license::parse(&code)?;
        let binding = self.binding();
        let request = ActivationRequest {
            code,
            server_key: binding.server_key,
            fingerprint: binding.computer.clone(),
            server_name: self.identity().server_name.clone(),
            made_at: self.now(),
        };
        Ok(ActivationRequestView {
            license_id: id,
            request: request.to_text(),
        })
    }

    /// Imports the vendor's activation response: the licence counts from now.
    ///
    /// # Errors
    /// `bad_activation` (unreadable), `untrusted_vendor` / `bad_signature`,
    /// `activation_mismatch` (for another server, computer or licence, or
    /// older than this server's deactivation of it), `license_not_found`
    /// (add the code first), or a store error.
    pub async fn import_activation(&self, text: &str) -> Result<LicenseView> {
        // One import or deactivation at a time: a deactivation between this
        // check and the write below would leave a proof out while the
        // activation is stored again.
        let _one_at_a_time = self.inner.activating.lock().await;
        let activation = Activation::parse(text)?;
        let id = activation.license_id;
        let code_vendor = self
            .licenses()
            .get(&id)
            .map(|r| r.vendor_key.clone())
            .ok_or(Error::LicenseNotFound(id))?;
        let signer = activation.verify(&self.trust().keys())?;
        if signer.fingerprint().to_string() != code_vendor {
            return Err(Error::ActivationMismatch(format!(
                "this activation response is signed by vendor key {}, and licence {id} by {code_vendor}; only the licence's own vendor can activate it",
                signer.fingerprint()
            )));
        }
        {
            let binding = self.binding();
            activation.check_for(id, &binding.server_key)?;
            if !activation
                .fingerprint
                .compare(&binding.computer)
                .is_same_computer()
            {
                return Err(Error::ActivationMismatch(
                    "this activation response was made for a request from another computer; make a new request on this one".into(),
                ));
            }
            // Against the vendor's own time in the deactivated response, not
            // this server's clock (which the customer sets).
            if binding
                .deactivations
                .get(&id)
                .is_some_and(|&void_through| activation.activated_at <= void_through)
            {
                return Err(Error::ActivationMismatch(format!(
                    "this activation response is older than this server's deactivation of licence {id}; ask the vendor to answer a new request"
                )));
            }
        }
        let now = self.now();
        let stored = StoredActivation {
            license_id: id,
            response: activation.to_text(),
            imported_at: now,
        };
        self.persist(vec![Op::PutActivation(stored.clone())])
            .await?;
        {
            let mut binding = self.binding();
            binding.activations.insert(id, stored);
            binding.deactivations.remove(&id);
            binding.proofs.remove(&id);
        }
        self.recount(id);
        let view = self.license_view(id)?;
        let mut event = Event::new(
            EventKind::LicenseActivated,
            now,
            format!("licence {id} for {} activated on this server", view.product),
        );
        event.product = Some(view.product.clone());
        event.license_id = Some(id);
        self.inner.events.record(event);
        Ok(view)
    }

    /// Stops counting a licence here and signs the proof for the vendor.
    /// Leases out run to their end (they are not renewed while the product
    /// has more in use than licensed).
    ///
    /// # Errors
    /// `license_not_found`, `not_activated_here` when it is not activated here, or a
    /// store error (nothing changed then).
    pub async fn deactivate(&self, id: LicenseId) -> Result<Deactivated> {
        let _one_at_a_time = self.inner.activating.lock().await;
        // A copy of this server's data directory on another computer holds
        // its key: a proof signed there would free the activation the
        // original computer still counts with.
        if let Some(ActivationStatus::OtherComputer { .. }) =
            self.licenses().get(&id).map(|r| r.activation.clone())
        {
            return Err(Error::ActivationMismatch(format!(
                "licence {id} is activated for another computer (this data directory was copied or moved): deactivate it on the computer it was activated on; if that computer is gone, ask your vendor to free the activation"
            )));
        }
        // Responses the vendor made up to the one deactivated are void here
        // from now on (the vendor's time, so setting this server's clock
        // back does not revive them).
        let void_through = {
            let binding = self.binding();
            let stored = binding
                .activations
                .get(&id)
                .ok_or(Error::NotActivatedHere(id))?;
            Activation::parse(&stored.response).map_or(Timestamp(i64::MAX), |a| a.activated_at)
        };
        let now = self.now();
        let proof = Deactivation::sign(self.inner.signer.key(), id, void_through, now).to_text();
        self.persist(vec![Op::Deactivate {
            license_id: id,
            at: void_through,
            proof: proof.clone(),
        }])
        .await?;
        {
            let mut binding = self.binding();
            binding.activations.remove(&id);
            binding.deactivations.insert(id, void_through);
            binding.proofs.insert(id, proof.clone());
        }
        self.recount(id);
        let (product, seats_now, in_use) = match self.license_view(id) {
            Ok(v) => (v.product, v.product_seats, v.product_in_use),
            Err(_) => Default::default(),
        };
        let mut event = Event::new(
            EventKind::LicenseDeactivated,
            now,
            format!(
                "licence {id} for {product} deactivated on this server; its proof was made for the vendor"
            ),
        );
        event.product = Some(product.clone());
        event.license_id = Some(id);
        self.inner.events.record(event);
        Ok(Deactivated {
            license_id: id,
            product,
            seats_now,
            in_use,
            proof,
            authority: None,
        })
    }

    /// The proof of this server's last deactivation of a licence, kept until
    /// it is activated here again (to send to the vendor again).
    ///
    /// # Errors
    /// `license_not_found`, or `no_deactivation_proof` when there is none.
    pub fn deactivation_proof(&self, id: LicenseId) -> Result<String> {
        if !self.licenses().contains_key(&id) {
            return Err(Error::LicenseNotFound(id));
        }
        self.binding()
            .proofs
            .get(&id)
            .cloned()
            .ok_or(Error::NoDeactivationProof(id))
    }

    /// Re-reads a licence's activation status and adds or takes its seats.
    fn recount(&self, id: LicenseId) {
        let keys = self.trust().keys();
        let terms = {
            let mut licenses = self.licenses();
            let Some(record) = licenses.get_mut(&id) else {
                return;
            };
            record.activation = self.binding().status(id, record, &keys);
            self.counted(record).cloned()
        };
        {
            let mut table = self.table();
            table.remove_license(id);
            if let Some(terms) = terms {
                table.add_license(terms);
            }
        }
        self.chains_changed();
    }

    fn license_view(&self, id: LicenseId) -> Result<LicenseView> {
        let record = self
            .licenses()
            .get(&id)
            .cloned()
            .ok_or(Error::LicenseNotFound(id))?;
        Ok(self.view(id, &record, self.now()))
    }
}
