//! The vendor's activation authority (`leasehold authority serve`): what a
//! server sends it and what it answers. The blocks inside are the same text
//! the offline exchange carries by hand; the authority adds its ledger.

use crate::ids::{LicenseId, Product};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// `GET /authority/v1/hello`: which vendor this authority signs for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorityHello {
    /// The vendor's public key (`LHPK-…`), the one its activations verify with.
    pub vendor_key: String,
    /// Its short fingerprint, as `vendor inspect` and the UI show it.
    pub key_fingerprint: String,
}

/// `POST /authority/v1/activations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorityActivate {
    /// The activation request a server made (`admin activation request`).
    pub request: String,
}

/// The authority's answer to an activation request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorityActivated {
    pub license_id: LicenseId,
    pub product: Product,
    /// The vendor-signed activation response, for `admin activation import`.
    pub response: String,
    /// True when this server on this computer was activated already: the
    /// response is the one given then, and no activation was used up.
    pub again: bool,
    /// Servers the licence is active on now, this one included.
    pub active: u32,
    pub max_activations: u32,
}

/// `POST /authority/v1/deactivations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorityDeactivate {
    /// The server-signed proof from `admin activation deactivate`.
    pub proof: String,
}

/// The authority's answer to a deactivation proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorityDeactivated {
    pub license_id: LicenseId,
    /// False when the proof had freed that activation already (sent twice).
    pub freed: bool,
    /// Servers the licence is still active on.
    pub active: u32,
    pub max_activations: u32,
}

/// One activation in the authority's ledger (`authority activations`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub license_id: LicenseId,
    pub product: Product,
    pub customer: String,
    /// The server's public key, hex.
    pub server_key: String,
    pub server_name: String,
    /// The vendor's time in the activation.
    pub activated_at: Timestamp,
    /// When a deactivation proof freed it; absent while active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freed_at: Option<Timestamp>,
}

/// `POST /authority/v1/reports` answered: the report checked and kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportReceived {
    pub server_id: String,
    pub from: crate::time::Timestamp,
    pub to: crate::time::Timestamp,
    pub events: u64,
    /// The same report was kept already (sent again).
    pub replaced: bool,
}
