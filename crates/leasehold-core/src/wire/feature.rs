//! Feature seats on the wire: `POST /v1/leases/{id}/features/{feature}`
//! checks one out under a lease, `DELETE` gives it back.

use super::client::verify_signed;
use crate::ids::{ClientId, LeaseId, Product};
use crate::time::Timestamp;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

/// A feature seat held under a lease, signed by the server as a lease grant
/// is (same batches, same proof), so a spoofed server cannot hand one out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureGrant {
    pub lease_id: LeaseId,
    pub product: Product,
    pub client_id: ClientId,
    pub feature: String,
    /// The lease's deadline: the feature seat lasts as long as the lease
    /// (renewing the lease keeps it).
    pub expires_at: Timestamp,
    /// The feature's seats now; `None`: a plain entitlement of the
    /// product's codes, granted to every lease and not counted.
    pub seats: Option<u32>,
    /// Leases holding the feature now, this one included (0 when plain).
    pub in_use: u32,
    /// The digest of the product's chain when signed (as in a lease grant).
    pub chain: String,
    pub signature: String,
    #[serde(default)]
    pub proof_index: u32,
    #[serde(default)]
    pub proof: Vec<String>,
}

impl FeatureGrant {
    /// What the server signs: the lease, product, client, feature, deadline
    /// and chain; a context line of its own, so no feature grant can pass
    /// for a lease grant.
    #[must_use]
    pub fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "leasehold-feature-v1\n{}\n{}\n{}\n{}\n{}\n{}",
            self.lease_id,
            self.product,
            self.client_id,
            self.feature,
            self.expires_at.0,
            self.chain
        )
        .into_bytes()
    }

    /// Whether the server that holds `key` signed this feature grant.
    #[must_use]
    pub fn verify(&self, key: &VerifyingKey) -> bool {
        verify_signed(
            key,
            &self.signed_bytes(),
            &self.signature,
            self.proof_index,
            &self.proof,
        )
    }
}

/// `DELETE /v1/leases/{id}/features/{feature}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureReleased {
    pub lease_id: LeaseId,
    pub feature: String,
    /// False when the lease held no seat of it (giving back is idempotent).
    pub was_held: bool,
}

/// A counted feature of a product and its use (the Licenses tab).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureUsage {
    pub feature: String,
    pub seats: u32,
    pub in_use: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::proof;
    use ed25519_dalek::SigningKey;

    fn signed(key: &SigningKey) -> FeatureGrant {
        let mut g = FeatureGrant {
            lease_id: LeaseId::random(),
            product: "cad".into(),
            client_id: ClientId::from("ws-1"),
            feature: "render".into(),
            expires_at: Timestamp(60_000),
            seats: Some(4),
            in_use: 1,
            chain: String::new(),
            signature: String::new(),
            proof_index: 0,
            proof: Vec::new(),
        };
        let (signature, _) = proof::sign_batch(key, &[proof::leaf(&g.signed_bytes())]);
        g.signature = hex::encode(signature.to_bytes());
        g
    }

    #[test]
    fn a_feature_grant_verifies_and_a_changed_one_does_not() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let g = signed(&key);
        assert!(g.verify(&key.verifying_key()));
        let mut other = g.clone();
        other.feature = "export".into();
        assert!(!other.verify(&key.verifying_key()), "another feature");
        let stranger = SigningKey::from_bytes(&[8; 32]);
        assert!(!g.verify(&stranger.verifying_key()), "another server");
    }
}
