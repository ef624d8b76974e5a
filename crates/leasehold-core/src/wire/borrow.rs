//! Borrowing on the wire: `POST /v1/borrow` lends a seat for hours and
//! answers a token the application accepts offline until it expires. The
//! token carries the product's chain, so an application that trusts the
//! vendor's key can check, with no server, that a server the vendor
//! activated lent it, to this computer, for as long as the licence allows.

use super::client::{Chain, CheckoutRequest, verify_signed};
use crate::computer::Computer;
use crate::ids::{ClientId, LeaseId, Product};
use crate::license::VendorPublicKey;
use crate::time::Timestamp;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

/// The most hours a loan may be asked for (a year), whatever a code says.
pub const MAX_BORROW_HOURS: u32 = 8760;

/// `POST /v1/borrow`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BorrowRequest {
    /// Who borrows, as a checkout names them (`wait` is ignored).
    pub seat: CheckoutRequest,
    /// For how long; at most what the product's licence allows.
    #[schema(minimum = 1, maximum = 8760)]
    #[serde(deserialize_with = "super::whole_u32")]
    pub hours: u32,
}

/// A seat lent for offline use, signed by the server that lent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BorrowToken {
    /// The lease the loan is on the server (returning it early releases it).
    pub lease_id: LeaseId,
    pub product: Product,
    pub client_id: ClientId,
    pub user: String,
    /// The computer it was lent to (its parts' hashes as text).
    pub computer: String,
    pub borrowed_at: Timestamp,
    /// When the loan ends: the seat is free on the server then, and the
    /// token accepted no more.
    pub until: Timestamp,
    /// The product's chain when lent: the server's key and the codes (with
    /// their activations for it) that let it lend seats of the product.
    pub chain: Chain,
    pub signature: String,
    #[serde(default)]
    pub proof_index: u32,
    #[serde(default)]
    pub proof: Vec<String>,
}

impl BorrowToken {
    /// What the server signs; a context line of its own, so no token passes
    /// for a grant.
    #[must_use]
    pub fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "leasehold-borrow-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.lease_id,
            self.product,
            self.client_id,
            self.user,
            self.computer,
            self.borrowed_at.0,
            self.until.0,
            self.chain.digest
        )
        .into_bytes()
    }

    /// Whether this token lets `user` on `client_id`'s `computer` use a
    /// seat of `product` at `now`, with no server: lent by a server the
    /// chain shows the `trusted` vendor activated, signed by it, to this
    /// user on this computer, for no longer than a code in the chain allows,
    /// and not over.
    ///
    /// # Errors
    /// Why not, in words.
    pub fn check_offline(
        &self,
        product: &Product,
        client_id: &ClientId,
        user: &str,
        computer: &Computer,
        trusted: &[VendorPublicKey],
        now: Timestamp,
    ) -> Result<(), String> {
        if &self.product != product {
            return Err(format!("the loan is of {}, not {product}", self.product));
        }
        let key = server_key(&self.chain.server_public_key)
            .ok_or("the loan names no readable server key")?;
        if crate::license::chain::digest(&self.chain.links) != self.chain.digest {
            return Err("the loan's chain does not match its digest".into());
        }
        crate::license::chain::verify(&self.chain.links, product, &key, trusted, now)
            .map_err(|e| format!("the server that lent it is not one the vendor let lend: {e}"))?;
        let verifying =
            VerifyingKey::from_bytes(&key).map_err(|_| "the loan's server key is not a key")?;
        if !verify_signed(
            &verifying,
            &self.signed_bytes(),
            &self.signature,
            self.proof_index,
            &self.proof,
        ) {
            return Err(
                "the loan's signature does not verify (changed, or not from its server)".into(),
            );
        }
        if &self.client_id != client_id {
            return Err(format!(
                "the loan is for computer {}, not this one",
                self.client_id
            ));
        }
        // One loan is one seat for one person: online, each user on a
        // shared computer holds a seat of their own.
        if crate::policy::name_key(&self.user) != crate::policy::name_key(user) {
            return Err(format!("the loan is for user {}, not {user}", self.user));
        }
        let lent_to =
            Computer::parse(&self.computer).map_err(|e| format!("the loan's computer: {e}"))?;
        // The rule for cloned machines (`computer.rs`): a restart is the
        // same computer; a clone of it, with other network cards and its
        // own boot, is not (nor, alas, the same laptop restarted off the
        // dock it was borrowed on: borrow as it will be used).
        if !lent_to.is_same(computer) {
            return Err("the loan was made to another computer".into());
        }
        let hours = (self.until.0 - self.borrowed_at.0).div_euclid(3_600_000);
        if hours > i64::from(self.longest_allowed(trusted, now)) {
            return Err("the loan is longer than its licence allows".into());
        }
        if now >= self.until {
            return Err(format!("the loan ended at {}", self.until.to_rfc3339()));
        }
        if now < self.borrowed_at.plus_millis(-24 * 3_600_000) {
            return Err("this computer's clock is a day or more behind the loan's start".into());
        }
        Ok(())
    }

    /// The longest loan a code in the chain allows, in hours.
    fn longest_allowed(&self, trusted: &[VendorPublicKey], now: Timestamp) -> u32 {
        self.chain
            .links
            .iter()
            .filter_map(|l| crate::license::parse(&l.code).ok())
            .filter_map(|c| c.verify(trusted).ok())
            .filter(|v| v.check_window(now).is_ok())
            .map(|v| v.terms().seat_rules.max_borrow_hours)
            .max()
            .unwrap_or(0)
    }
}

fn server_key(hex_key: &str) -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(hex_key.trim(), &mut key).ok()?;
    Some(key)
}

#[cfg(test)]
#[path = "borrow_tests.rs"]
mod tests;
