//! Checking a usage report with the vendor's public key, offline: the
//! server's signature over the exact text, the server's key bound to the
//! vendor's licences by their activations (the chain an application
//! checks), and the event chain link by link.

use crate::event::{CHAIN_START, Event};
use crate::license::{VendorPublicKey, chain};
use crate::wire::report::{REPORT_FORMAT, ReportBody, SignedReport};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};

/// Why a report is refused, each saying exactly what fails.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("this is not a Leasehold usage report: {0}")]
    NotAReport(String),
    #[error("the report is format {0}; this Leasehold reads format {REPORT_FORMAT}: update it")]
    Format(u32),
    #[error(
        "the signature does not match the report: the file was changed after the server signed it (or damaged on the way)"
    )]
    Signature,
    #[error("the server that signed it is not one your key vouches for: {0}")]
    Untrusted(String),
    #[error("the event chain is broken at event {seq}: {why}; an event was removed or edited")]
    Chain { seq: u64, why: String },
}

/// A report that checks, with what the check found beside the verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub body: ReportBody,
    /// Sequence numbers missing inside the chain with the links intact: the
    /// server numbered them but the chain never held them (a write that
    /// failed); the chain shows nothing was taken out of it afterwards.
    pub unstored: Vec<(u64, u64)>,
}

/// Checks a report file's text against the vendor's keys.
///
/// # Errors
/// [`ReportError`], the first thing that fails.
pub fn verify(text: &str, vendor_keys: &[VendorPublicKey]) -> Result<Verified, ReportError> {
    let file: SignedReport =
        serde_json::from_str(text).map_err(|e| ReportError::NotAReport(e.to_string()))?;
    let body: ReportBody = serde_json::from_str(&file.report)
        .map_err(|e| ReportError::NotAReport(format!("its report part: {e}")))?;
    if body.format != REPORT_FORMAT {
        return Err(ReportError::Format(body.format));
    }
    let mut key = [0u8; 32];
    hex::decode_to_slice(&body.server_public_key, &mut key)
        .map_err(|_| ReportError::NotAReport("the server key is not 64 hex digits".into()))?;
    let server = VerifyingKey::from_bytes(&key)
        .map_err(|_| ReportError::NotAReport("the server key is not an Ed25519 key".into()))?;
    let mut sig = [0u8; 64];
    hex::decode_to_slice(&file.signature, &mut sig).map_err(|_| ReportError::Signature)?;
    server
        .verify(file.report.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| ReportError::Signature)?;
    for c in &body.chains {
        // The codes' dates are judged at the period's end.
        let at = crate::time::Timestamp(body.to.0.saturating_sub(1));
        chain::verify(&c.links, &c.product, &key, vendor_keys, at)
            .map_err(|e| ReportError::Untrusted(format!("{}: {e}", c.product)))?;
        if c.server_public_key != body.server_public_key {
            return Err(ReportError::Untrusted(format!(
                "{}: its chain names another server key",
                c.product
            )));
        }
    }
    // A code that needs no activation vouches for any server: at least one
    // code in the report must be activated for the very key that signed it
    // (`chain::verify` checked that activation above).
    let bound = body.chains.iter().flat_map(|c| &c.links).any(|l| {
        crate::license::parse(&l.code).is_ok_and(|c| c.terms().activation_required)
            && l.activation.is_some()
    });
    if !bound {
        return Err(ReportError::Untrusted(
            "no licence in it is activated for the key that signed it (a report from a server whose codes need no activation, or with its licences left out, proves nothing about which server made it); sell licences with activation for signed reports".into(),
        ));
    }
    let unstored = check_chain(&body)?;
    Ok(Verified { body, unstored })
}

fn decode(hash: &str, seq: u64) -> Result<[u8; 32], ReportError> {
    let mut out = CHAIN_START;
    hex::decode_to_slice(hash, &mut out).map_err(|_| ReportError::Chain {
        seq,
        why: "its hash is not 64 hex digits".into(),
    })?;
    Ok(out)
}

/// Follows the chain from `startHash` to `endHash`; returns the seq gaps.
fn check_chain(body: &ReportBody) -> Result<Vec<(u64, u64)>, ReportError> {
    let ev = &body.events;
    let mut prev = decode(&ev.start_hash, 0)?;
    let mut last: Option<&Event> = None;
    let mut unstored = Vec::new();
    for item in &ev.items {
        let seq = item.event.seq;
        if let Some(before) = last {
            if seq <= before.seq {
                return Err(ReportError::Chain {
                    seq,
                    why: format!("it comes after event {} in the file", before.seq),
                });
            }
            if seq > before.seq + 1 {
                unstored.push((before.seq + 1, seq - 1));
            }
        }
        let hash = item.event.chain_hash(&prev);
        if hash != decode(&item.hash, seq)? {
            return Err(ReportError::Chain {
                seq,
                why: "its content or its link to the event before does not match its hash".into(),
            });
        }
        prev = hash;
        last = Some(&item.event);
    }
    if prev != decode(&ev.end_hash, last.map_or(0, |e| e.seq))? {
        return Err(ReportError::Chain {
            seq: last.map_or(0, |e| e.seq),
            why: "the chain does not end at the report's end hash (events cut off)".into(),
        });
    }
    Ok(unstored)
}
