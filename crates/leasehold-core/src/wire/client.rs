//! The client protocol under `/v1/`: hello, checkout, renew, release.

use crate::ids::{ClientId, LeaseId, Product, ServerId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// `GET /v1/hello`: who this server is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hello {
    pub protocol_version: u32,
    pub server_id: ServerId,
    pub server_name: String,
    /// The server's software version.
    pub version: String,
    /// The server's Ed25519 public key (hex) with which it signs grants.
    pub server_public_key: String,
    pub server_time: Timestamp,
}

/// `POST /v1/checkout`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutRequest {
    pub product: Product,
    /// A stable id of the computer (its machine id by default).
    pub client_id: ClientId,
    pub user: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub app_name: String,
    #[serde(default)]
    pub app_version: String,
}

/// A granted seat, signed by the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeaseGrant {
    pub lease_id: LeaseId,
    pub product: Product,
    pub client_id: ClientId,
    pub expires_at: Timestamp,
    /// Renew after this many seconds (about a third of the lease).
    pub renew_after_secs: u32,
    pub lease_secs: u32,
    pub server_time: Timestamp,
    /// True when this is the lease the client already held (a reconnect).
    pub reused: bool,
    /// Ed25519 signature (hex) by the server over [`LeaseGrant::signed_bytes`].
    pub signature: String,
}

impl LeaseGrant {
    /// What the server signs: lease id, product, client id and expiry, so a
    /// spoofed server cannot hand out a grant the client would accept.
    #[must_use]
    pub fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "leasehold-grant-v1\n{}\n{}\n{}\n{}",
            self.lease_id, self.product, self.client_id, self.expires_at.0
        )
        .into_bytes()
    }
}

/// `POST /v1/leases/{leaseId}/release`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Released {
    pub lease_id: LeaseId,
    /// False when the lease was already gone (release is idempotent).
    pub was_held: bool,
}
