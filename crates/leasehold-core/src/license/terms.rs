//! What a license code grants, once decoded: the terms, with no encoding or
//! signature concerns.

use crate::ids::{LicenseId, Product};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The default lease length a code grants when the vendor does not choose one.
pub const DEFAULT_LEASE_SECS: u32 = 600;

/// The terms one license code grants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseTerms {
    /// Unique per issued code; adding the same code twice is refused by it.
    pub license_id: LicenseId,
    pub product: Product,
    /// Concurrent seats this code adds to its product's pool.
    pub seats: u32,
    /// First moment the code counts (start of its start day, UTC); `None` = at once.
    pub valid_from: Option<Timestamp>,
    /// First moment the code no longer counts (end of its expiry day, UTC);
    /// `None` = never expires.
    pub valid_until: Option<Timestamp>,
    pub features: Vec<String>,
    /// Who the vendor issued it to, as free text.
    pub customer: String,
    /// How long a lease granted from this code lasts before it must be renewed.
    pub lease_secs: u32,
    /// For standalone use: the machine id this code is bound to.
    pub node_lock: Option<String>,
    pub issued_at: Timestamp,
    /// Whether the code counts on a server only once the vendor has activated
    /// it for that server (codes of format 1 need no activation).
    #[serde(default)]
    pub activation_required: bool,
    /// On how many servers at once the vendor will activate the code (at
    /// least 1 when activation is required, 0 when not).
    #[serde(default)]
    pub max_activations: u32,
}

/// Whether a code counts at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Validity {
    Active,
    NotYetValid,
    Expired,
}

impl LicenseTerms {
    #[must_use]
    pub fn validity(&self, now: Timestamp) -> Validity {
        if self.valid_from.is_some_and(|from| now < from) {
            Validity::NotYetValid
        } else if self.valid_until.is_some_and(|until| now >= until) {
            Validity::Expired
        } else {
            Validity::Active
        }
    }

    #[must_use]
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.validity(now) == Validity::Active
    }
}
