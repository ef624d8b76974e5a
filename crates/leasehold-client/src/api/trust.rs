//! Trusting a server with seats: before the first checkout of a product the
//! client fetches the server's chain (`GET /v1/chain`) and checks it offline
//! against the vendor keys built into the application
//! (`leasehold_core::license::chain`). What verified is kept by its digest;
//! every grant carries the server's current digest, and a different one
//! makes the client fetch and check again (a licence removed or
//! deactivated, a server whose key changed).

use super::ServerApi;
use crate::error::ClientError;
use ed25519_dalek::VerifyingKey;
use leasehold_core::Product;
use leasehold_core::license::{VendorPublicKey, chain};
use leasehold_core::wire::client::{Chain, LeaseGrant};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// The vendor keys and the chains that verified, per product.
#[derive(Debug, Default)]
pub(crate) struct ChainTrust {
    vendor_keys: Vec<VendorPublicKey>,
    verified: Mutex<HashMap<Product, String>>,
}

impl ChainTrust {
    pub fn new(vendor_keys: Vec<VendorPublicKey>) -> Self {
        Self {
            vendor_keys,
            verified: Mutex::default(),
        }
    }

    pub fn vendor_keys(&self) -> &[VendorPublicKey] {
        &self.vendor_keys
    }

    /// Whether the chain with `digest` verified for `product` (any digest
    /// when `None`).
    pub fn is_verified(&self, product: &Product, digest: Option<&str>) -> bool {
        let verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        verified
            .get(product)
            .is_some_and(|d| digest.is_none_or(|want| want == d))
    }

    /// Checks a fetched chain for the server with grant key `server_key`;
    /// remembers its digest when it verifies, forgets the product otherwise.
    ///
    /// # Errors
    /// Why the server is not trusted, in words.
    pub fn check(
        &self,
        fetched: &Chain,
        product: &Product,
        server_key: &[u8; 32],
    ) -> Result<(), String> {
        let outcome = if fetched.product != *product {
            Err(format!(
                "the server answered the chain of {} instead",
                fetched.product
            ))
        } else if !fetched
            .server_public_key
            .eq_ignore_ascii_case(&leasehold_core::license::activation::key_hex(server_key))
        {
            Err("the chain names another key than the one the server signs grants with".into())
        } else {
            chain::verify(
                &fetched.links,
                product,
                server_key,
                &self.vendor_keys,
                leasehold_core::Timestamp::now(),
            )
            .map_err(|e| e.to_string())
        };
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        match outcome {
            Ok(()) => {
                verified.insert(product.clone(), chain::digest(&fetched.links));
                Ok(())
            }
            Err(why) => {
                verified.remove(product);
                Err(why)
            }
        }
    }
}

impl ServerApi {
    /// Makes sure the server's chain for `product` verified (with `digest`,
    /// when given), fetching and checking it if not.
    pub(super) async fn ensure_trusted(
        &self,
        product: &Product,
        key: &VerifyingKey,
        digest: Option<&str>,
    ) -> Result<(), ClientError> {
        let trust = &self.inner.trust;
        if trust.vendor_keys().is_empty() {
            return Err(ClientError::NoVendorKey);
        }
        if trust.is_verified(product, digest) {
            return Ok(());
        }
        let mut url = self.url("v1/chain")?;
        url.query_pairs_mut()
            .append_pair("product", product.as_str());
        let response = self.send(self.inner.http.get(url)).await?;
        let chain: Chain = self.read(response).await?;
        if chain.links.is_empty() && digest.is_none() {
            // Before a checkout: the server counts no code for the product,
            // and its answer to the checkout says why (no licence, needs
            // activation). A grant it makes anyway is checked after.
            return Ok(());
        }
        trust
            .check(&chain, product, key.as_bytes())
            .map_err(|reason| {
                tracing::warn!(server = %self.inner.display, %product, %reason, "server not trusted");
                ClientError::UntrustedServer {
                    server: self.inner.display.clone(),
                    product: product.clone(),
                    reason,
                }
            })
    }

    /// After a grant: its chain digest is one that verified, or the chain is
    /// checked again. A server no longer trusted gets its lease back.
    pub(super) async fn still_trusted(
        &self,
        key: &VerifyingKey,
        grant: &LeaseGrant,
    ) -> Result<(), ClientError> {
        let Err(e) = self
            .ensure_trusted(&grant.product, key, Some(&grant.chain))
            .await
        else {
            return Ok(());
        };
        if let Err(release) = self.release(grant.lease_id).await {
            tracing::warn!(server = %self.inner.display, error = %release, "releasing the lease of an untrusted server failed; it will expire");
        }
        Err(e)
    }
}
