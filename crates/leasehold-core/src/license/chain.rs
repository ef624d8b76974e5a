//! What an application checks before it trusts a server with a seat: the
//! server shows, for the product, the licence codes it counts and each one's
//! activation; the application accepts the server only when **every** one
//! verifies offline against a vendor key built into it, names the product,
//! is within its dates on the application's own clock, and (if it needs
//! activation) is activated, by the same vendor, for the very key that
//! signs the server's grants. One genuine code cannot vouch for a
//! self-issued one beside it: the server adds up the seats of all.
//!
//! A server with a vendor key of its own signs codes no application trusts;
//! a genuine code copied to a second server has no activation for that
//! server's key. Either way the application says `untrusted_server`.

use super::activation::Activation;
use super::keys::VendorPublicKey;
use crate::ids::Product;
use crate::time::Timestamp;
use crate::wire::client::ChainLink;
use sha2::{Digest, Sha256};

/// Why a server's chain does not let the application trust it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("the server shows no licence code for {0}")]
    Empty(Product),
    #[error("{0}")]
    Refused(String),
}

/// A short digest of a chain, carried in every signed grant: when it
/// changes, the application fetches and checks the chain again.
#[must_use]
pub fn digest(links: &[ChainLink]) -> String {
    let mut lines: Vec<String> = links
        .iter()
        .map(|l| format!("{}\0{}", l.code, l.activation.as_deref().unwrap_or("")))
        .collect();
    lines.sort_unstable();
    let mut hash = Sha256::new();
    for line in &lines {
        hash.update(line.as_bytes());
        hash.update(b"\n");
    }
    crate::wire::proof::to_hex(&hash.finalize()[..16])
}

/// Checks that every link lets `trusted` vendors' applications take seats
/// of `product` from the server whose grant key is `server_key`, at `now`
/// (the application's clock).
///
/// # Errors
/// [`ChainError`] saying why not: no link, or the reasons of the links
/// that fail.
pub fn verify(
    links: &[ChainLink],
    product: &Product,
    server_key: &[u8; 32],
    trusted: &[VendorPublicKey],
    now: Timestamp,
) -> Result<(), ChainError> {
    if links.is_empty() {
        return Err(ChainError::Empty(product.clone()));
    }
    let mut reasons: Vec<String> = links
        .iter()
        .filter_map(|link| verify_link(link, product, server_key, trusted, now).err())
        .collect();
    if reasons.is_empty() {
        return Ok(());
    }
    reasons.dedup();
    Err(ChainError::Refused(reasons.join("; ")))
}

fn verify_link(
    link: &ChainLink,
    product: &Product,
    server_key: &[u8; 32],
    trusted: &[VendorPublicKey],
    now: Timestamp,
) -> Result<(), String> {
    let code = super::parse(&link.code).map_err(|e| format!("a code cannot be read ({e})"))?;
    let verified = code.verify(trusted).map_err(|e| match e {
        super::LicenseError::UntrustedVendor { fingerprint } => format!(
            "its licence is signed by vendor key {fingerprint}, which this application does not trust"
        ),
        other => format!("its licence does not verify ({other})"),
    })?;
    let terms = verified.terms();
    if &terms.product != product {
        return Err(format!(
            "its licence is for {}, not {product}",
            terms.product
        ));
    }
    if let Err(e) = verified.check_window(now) {
        return Err(format!("licence {}: {e}", terms.license_id));
    }
    if !terms.activation_required {
        return Ok(());
    }
    let text = link.activation.as_deref().ok_or_else(|| {
        format!(
            "licence {} is not activated for this server",
            terms.license_id
        )
    })?;
    let activation = Activation::parse(text).map_err(|e| {
        format!(
            "the activation of licence {} cannot be read ({e})",
            terms.license_id
        )
    })?;
    let signer = activation.verify(trusted).map_err(|e| {
        format!(
            "the activation of licence {} does not verify ({e})",
            terms.license_id
        )
    })?;
    if signer != *verified.vendor() {
        return Err(format!(
            "the activation of licence {} is signed by another vendor key than the licence",
            terms.license_id
        ));
    }
    activation
        .check_for(terms.license_id, server_key)
        .map_err(|_| {
            format!(
                "licence {} is activated for another server, not the one that signs these grants",
                terms.license_id
            )
        })
}

#[cfg(test)]
#[path = "chain_tests.rs"]
mod tests;
