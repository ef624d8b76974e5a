//! Trusting a server with seats: before the first checkout of a product the
//! client fetches the server's chain (`GET /v1/chain`) and checks it offline
//! against the vendor keys built into the application
//! (`leasehold_core::license::chain`). What verified is kept by its digest;
//! every grant carries the server's current digest, and a different one
//! makes the client fetch and check again (a licence removed or
//! deactivated, a server whose key changed).

use leasehold_core::Product;
use leasehold_core::license::{VendorPublicKey, chain};
use leasehold_core::wire::client::Chain;
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
