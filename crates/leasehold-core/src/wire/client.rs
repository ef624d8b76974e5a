//! The client protocol under `/v1/`: hello, checkout, renew, release.

use super::proof::{self, Proof};
use crate::ids::{ClientId, LeaseId, Product, ServerId};
use crate::time::Timestamp;
use ed25519_dalek::{Signature, VerifyingKey};
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
    #[schema(schema_with = super::schema::product)]
    pub product: Product,
    /// A stable id of the computer (its machine id by default).
    #[schema(schema_with = super::schema::required_name)]
    pub client_id: ClientId,
    #[schema(schema_with = super::schema::optional_name)]
    pub user: String,
    #[serde(default)]
    #[schema(schema_with = super::schema::optional_name)]
    pub host: String,
    #[serde(default)]
    #[schema(schema_with = super::schema::optional_name)]
    pub app_name: String,
    #[serde(default)]
    #[schema(schema_with = super::schema::optional_name)]
    pub app_version: String,
    /// The computer's parts (`leasehold_core::computer`: four hashes joined
    /// by `.`), so computers sharing a client id (a cloned machine image)
    /// get a seat each, and the same computer its own seat back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::schema::computer)]
    pub computer: Option<crate::computer::Computer>,
    /// Wait for a seat when none is free: the answer is then `202` with a
    /// ticket (`Queued`), followed with `GET /v1/queue/{ticket}`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wait: bool,
    /// Units of an element pool to hold (`vendor issue --units N`: cores,
    /// modules); absent for one seat. Granted only when that many are free.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::opt_whole_u32"
    )]
    #[schema(minimum = 1, maximum = 65535)]
    pub units: Option<u32>,
}

/// One licence code a server counts for a product, with its activation for
/// this server when the code needs one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChainLink {
    pub code: String,
    /// The vendor's activation response for this server, if the code needs one.
    pub activation: Option<String>,
}

/// `GET /v1/chain?product=…`: what lets an application trust this server
/// with seats of a product (see `license::chain`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Chain {
    pub product: Product,
    /// The key grants are signed with (hex), as in the hello.
    pub server_public_key: String,
    pub links: Vec<ChainLink>,
    /// [`crate::license::chain::digest`] of the links, as grants carry it.
    pub digest: String,
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
    /// Granted beyond the licensed seats, from the codes' overdraft (not
    /// signed: it informs, the server's records bill).
    #[serde(default)]
    pub overdraft: bool,
    /// The feature seats the lease holds (`POST
    /// /v1/leases/{id}/features/{feature}`); a renewal leaves out one given
    /// back because its count shrank. Not signed: informs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// The digest of the product's chain (`GET /v1/chain`) when this grant
    /// was signed: when it changes, the client checks the chain again.
    pub chain: String,
    /// Ed25519 signature (hex) by the server over the root of the batch this
    /// grant was signed in (see `proof`).
    pub signature: String,
    /// Where the grant's leaf sits in its batch (a batch of one: 0).
    #[serde(default)]
    pub proof_index: u32,
    /// Sibling hashes (hex) from the grant's leaf up to the signed root
    /// (a batch of one: none). The leaf is SHA-256 of `0x00` and the signed
    /// bytes; an inner node is SHA-256 of `0x01`, left and right; the key
    /// signs `"leasehold-grant-batch-v1\n"` and the root.
    #[serde(default)]
    pub proof: Vec<String>,
}

impl LeaseGrant {
    /// A grant as checkout and renew build it, before the server signs it.
    #[must_use]
    pub fn unsigned(
        lease_id: LeaseId,
        product: Product,
        client_id: ClientId,
        expires_at: Timestamp,
        lease_secs: u32,
        server_time: Timestamp,
        reused: bool,
    ) -> Self {
        Self {
            lease_id,
            product,
            client_id,
            expires_at,
            renew_after_secs: crate::lease::renew_after_secs(lease_secs),
            lease_secs,
            server_time,
            reused,
            overdraft: false,
            features: Vec::new(),
            chain: String::new(),
            signature: String::new(),
            proof_index: 0,
            proof: Vec::new(),
        }
    }

    /// What the server signs: lease id, product, client id, expiry and the
    /// chain digest, so a spoofed server cannot hand out a grant the client
    /// would accept, nor change its chain without the client noticing.
    #[must_use]
    pub fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "leasehold-grant-v2\n{}\n{}\n{}\n{}\n{}",
            self.lease_id, self.product, self.client_id, self.expires_at.0, self.chain
        )
        .into_bytes()
    }

    /// Whether the server that holds `key` signed this grant, as it is.
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

/// Whether `bytes` are signed by `key` with `signature` (hex) over the root
/// its proof (`index`, `proof`: sibling hashes in hex) leads to.
pub(crate) fn verify_signed(
    key: &VerifyingKey,
    bytes: &[u8],
    signature: &str,
    index: u32,
    proof: &[String],
) -> bool {
    let Some(signature) = hex_array::<64>(signature).map(|b| Signature::from_bytes(&b)) else {
        return false;
    };
    let Some(siblings) = proof
        .iter()
        .map(|h| hex_array::<32>(h))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    proof::verify(key, bytes, &Proof { index, siblings }, &signature)
}

fn hex_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    hex::decode_to_slice(text.trim(), &mut out).ok()?;
    Some(out)
}

/// `POST /v1/leases/{leaseId}/release`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Released {
    pub lease_id: LeaseId,
    /// False when the lease was already gone (release is idempotent).
    pub was_held: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn signed_alone(key: &SigningKey) -> LeaseGrant {
        let mut grant = LeaseGrant {
            lease_id: LeaseId(uuid::Uuid::from_bytes([1; 16])),
            product: Product::from("cad"),
            client_id: ClientId::from("pc-1"),
            expires_at: Timestamp(60_000),
            renew_after_secs: 20,
            lease_secs: 60,
            server_time: Timestamp(0),
            reused: false,
            overdraft: false,
            features: Vec::new(),
            chain: "00".repeat(16),
            signature: String::new(),
            proof_index: 0,
            proof: Vec::new(),
        };
        let (signature, _) = proof::sign_batch(key, &[proof::leaf(&grant.signed_bytes())]);
        grant.signature = hex::encode(signature.to_bytes());
        grant
    }

    #[test]
    fn the_chain_digest_is_signed() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut grant = signed_alone(&key);
        assert!(grant.verify(&key.verifying_key()));
        grant.chain = "11".repeat(16);
        assert!(!grant.verify(&key.verifying_key()));
    }

    #[test]
    fn malformed_signatures_and_proofs_are_refused_not_panicked_on() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let good = signed_alone(&key);
        assert!(good.verify(&key.verifying_key()));
        let bad = |f: &dyn Fn(&mut LeaseGrant)| {
            let mut g = good.clone();
            f(&mut g);
            g.verify(&key.verifying_key())
        };
        assert!(!bad(&|g| g.signature = "zz".repeat(64)));
        assert!(!bad(&|g| g.signature.truncate(100)));
        assert!(!bad(&|g| g.signature = String::new()));
        assert!(!bad(&|g| g.proof = vec!["ab".into()]));
        assert!(!bad(&|g| g.proof = vec!["é".repeat(32)]));
        assert!(!bad(&|g| g.proof = vec!["00".repeat(32); 11]));
        assert!(!bad(&|g| g.proof_index = 1));
        assert!(!bad(&|g| g.client_id = ClientId::from("pc-2")));
    }
}
