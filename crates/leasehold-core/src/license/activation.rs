//! Activating a licence on one server, as blocks of text that travel by copy
//! and paste, a file or an HTTP call (the same text each way):
//!
//! ```text
//! server:  ActivationRequest { code, server key, fingerprint }   -> vendor
//! vendor:  Activation { licence id, server key, fingerprint } signed with the vendor key -> server
//! server:  Deactivation { licence id, server key } signed with the server key -> vendor
//! ```
//!
//! An activation is what an application checks (see `chain.rs`): the code
//! counts only on the server whose key the vendor signed. Signatures over
//! activations and deactivations start with their own context line, so no
//! signed activation can ever be read as a licence code (whose signature
//! covers its bytes alone) or the reverse.

use super::block::{self, BlockError, Kind};
use super::code::{self, LicenseCode};
use super::fingerprint::{Fingerprint, Part};
use super::keys::{KeyFingerprint, VendorKeyPair, VendorPublicKey};
use crate::ErrorCode;
use crate::ids::LicenseId;
use crate::time::Timestamp;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const VERSION: u8 = 1;
const FP_LEN: usize = 8;
const SIG_LEN: usize = 64;
const ACTIVATION_CONTEXT: &[u8] = b"leasehold-activation-v1\n";
const DEACTIVATION_CONTEXT: &[u8] = b"leasehold-deactivation-v1\n";
/// Longest server name a request carries, in bytes.
pub const MAX_SERVER_NAME_LEN: usize = 64;

const REQUEST: Kind = Kind {
    domain: b"leasehold-activation-request",
    noun: "activation request",
    min_symbols: 100,
    typical: "an activation request has about 450, in groups of 6",
    versions: &[VERSION],
    tail: 0,
};
const RESPONSE: Kind = Kind {
    domain: b"leasehold-activation-response",
    noun: "activation response",
    min_symbols: 100,
    typical: "an activation response has about 270, in groups of 6",
    versions: &[VERSION],
    tail: FP_LEN + SIG_LEN,
};
const DEACTIVATION: Kind = Kind {
    domain: b"leasehold-deactivation-proof",
    noun: "deactivation proof",
    min_symbols: 100,
    typical: "a deactivation proof has about 200, in groups of 6",
    versions: &[VERSION],
    tail: SIG_LEN,
};

/// What is wrong with an activation request, response or deactivation proof.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActivationError {
    #[error("this is not an {what}: {reason}")]
    Unreadable { what: &'static str, reason: String },
    #[error(
        "group {group} (`{text}`) of the {what} has a typo (a wrong, missing or extra character); check it against the original"
    )]
    Typo {
        what: &'static str,
        group: usize,
        text: String,
    },
    #[error(
        "the {what} is incomplete: it has {have} of its {expected} groups; copy all of it again"
    )]
    Truncated {
        what: &'static str,
        have: usize,
        expected: usize,
    },
    #[error("the {what} is damaged: {reason}; copy all of it again")]
    Corrupt { what: &'static str, reason: String },
    #[error(
        "the activation response was signed by a vendor key that is not trusted here (key fingerprint {fingerprint}); add that vendor's public key"
    )]
    UntrustedVendor { fingerprint: KeyFingerprint },
    #[error(
        "the {what}'s signature does not match its contents: it was altered; ask for a fresh one"
    )]
    BadSignature { what: &'static str },
    #[error(
        "this activation response is for another server (it names server key {theirs}, this server's is {ours}); answer this server's own activation request"
    )]
    ForAnotherServer { theirs: String, ours: String },
    #[error("this activation response is for licence {theirs}, not {ours}")]
    ForAnotherLicense { theirs: LicenseId, ours: LicenseId },
}

impl ActivationError {
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unreadable { .. }
            | Self::Typo { .. }
            | Self::Truncated { .. }
            | Self::Corrupt { .. } => ErrorCode::BadActivation,
            Self::UntrustedVendor { .. } => ErrorCode::UntrustedVendor,
            Self::BadSignature { .. } => ErrorCode::BadSignature,
            Self::ForAnotherServer { .. } | Self::ForAnotherLicense { .. } => {
                ErrorCode::ActivationMismatch
            }
        }
    }

    fn from_block(what: &'static str, e: BlockError) -> Self {
        match e {
            BlockError::NotABlock(reason) => Self::Unreadable { what, reason },
            BlockError::Checksum { group, text } | BlockError::Ambiguous { group, text, .. } => {
                Self::Typo { what, group, text }
            }
            BlockError::Truncated { have, expected } => Self::Truncated {
                what,
                have,
                expected,
            },
            BlockError::Corrupt(reason) => Self::Corrupt { what, reason },
        }
    }
}

/// A server's public key as hex, as the UI and logs show it.
#[must_use]
pub fn key_hex(key: &[u8; 32]) -> String {
    crate::wire::proof::to_hex(key)
}

/// Reads a block of `kind` and the postcard body inside it.
fn read<T: for<'de> Deserialize<'de>>(
    kind: &Kind,
    text: &str,
) -> Result<(T, Vec<u8>), ActivationError> {
    let what = kind.noun;
    let bytes = kind
        .read(text)
        .map_err(|e| ActivationError::from_block(what, e))?;
    let (version, body, _) =
        block::split(&bytes, kind.tail).map_err(|e| ActivationError::from_block(what, e))?;
    if version != VERSION {
        return Err(ActivationError::Corrupt {
            what,
            reason: format!("it is of version {version}; update Leasehold to read it"),
        });
    }
    let (value, rest) =
        postcard::take_from_bytes::<T>(body).map_err(|_| ActivationError::Corrupt {
            what,
            reason: "its contents cannot be read".into(),
        })?;
    if !rest.is_empty() {
        return Err(ActivationError::Corrupt {
            what,
            reason: "it has bytes left over after its contents".into(),
        });
    }
    Ok((value, bytes))
}

fn body_of<T: Serialize>(value: &T) -> Vec<u8> {
    // Plain structs of integers, byte arrays and short strings always encode.
    postcard::to_stdvec(value).unwrap_or_default()
}

fn fingerprint_of(
    what: &'static str,
    parts: Vec<(Part, [u8; 8])>,
) -> Result<Fingerprint, ActivationError> {
    Fingerprint::from_parts(parts).ok_or(ActivationError::Corrupt {
        what,
        reason: "its computer fingerprint names a part twice".into(),
    })
}

#[derive(Serialize, Deserialize)]
struct WireRequest {
    code: Vec<u8>,
    server_key: [u8; 32],
    fingerprint: Vec<(Part, [u8; 8])>,
    server_name: String,
    made_at_secs: u64,
}

/// What a server asks the vendor to sign: this code on this server (key),
/// on this computer (fingerprint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivationRequest {
    /// The licence code, as issued (the vendor checks it is theirs).
    pub code: LicenseCode,
    pub server_key: [u8; 32],
    pub fingerprint: Fingerprint,
    /// The server's name, for the vendor's records.
    pub server_name: String,
    pub made_at: Timestamp,
}

impl ActivationRequest {
    /// The request as text.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut code = self.code.signed_bytes().to_vec();
        code.extend_from_slice(self.code.signature());
        let name: String = self
            .server_name
            .chars()
            .scan(0, |len, c| {
                *len += c.len_utf8();
                (*len <= MAX_SERVER_NAME_LEN).then_some(c)
            })
            .collect();
        let body = body_of(&WireRequest {
            code,
            server_key: self.server_key,
            fingerprint: self.fingerprint.parts().to_vec(),
            server_name: name,
            made_at_secs: u64::try_from(self.made_at.0 / 1000).unwrap_or(0),
        });
        REQUEST.render(&block::header(VERSION, &body))
    }

    /// Reads a request (the vendor's side).
    ///
    /// # Errors
    /// An [`ActivationError`] saying what is wrong with the text.
    pub fn parse(text: &str) -> Result<Self, ActivationError> {
        let what = REQUEST.noun;
        let (wire, _) = read::<WireRequest>(&REQUEST, text)?;
        let code = code::from_bytes(&wire.code).map_err(|e| ActivationError::Corrupt {
            what,
            reason: format!("the licence code inside it cannot be read ({e})"),
        })?;
        if wire.server_name.len() > MAX_SERVER_NAME_LEN {
            return Err(ActivationError::Corrupt {
                what,
                reason: "its server name is too long".into(),
            });
        }
        Ok(Self {
            code,
            server_key: wire.server_key,
            fingerprint: fingerprint_of(what, wire.fingerprint)?,
            server_name: wire.server_name,
            made_at: Timestamp::from_secs(i64::try_from(wire.made_at_secs).unwrap_or(i64::MAX)),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct WireActivation {
    license_id: [u8; 16],
    server_key: [u8; 32],
    fingerprint: Vec<(Part, [u8; 8])>,
    activated_at_secs: u64,
}

/// The vendor's signed answer: licence `license_id` counts on the server
/// with `server_key`, on the computer with `fingerprint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activation {
    pub license_id: LicenseId,
    pub server_key: [u8; 32],
    pub fingerprint: Fingerprint,
    pub activated_at: Timestamp,
    vendor: KeyFingerprint,
    signature: [u8; SIG_LEN],
    /// The bytes the signature covers (after the context line).
    signed: Vec<u8>,
}

impl Activation {
    /// Signs the activation a request asks for (the vendor's side; the
    /// caller has checked the request's code is its own and may be
    /// activated once more).
    #[must_use]
    pub fn issue(key: &VendorKeyPair, request: &ActivationRequest, now: Timestamp) -> Self {
        let body = body_of(&WireActivation {
            license_id: *request.code.terms().license_id.0.as_bytes(),
            server_key: request.server_key,
            fingerprint: request.fingerprint.parts().to_vec(),
            activated_at_secs: u64::try_from(now.0 / 1000).unwrap_or(0),
        });
        let mut signed = block::header(VERSION, &body);
        signed.extend_from_slice(&key.public().fingerprint().0);
        let signature = key.sign(&[ACTIVATION_CONTEXT, &signed].concat());
        Self {
            license_id: request.code.terms().license_id,
            server_key: request.server_key,
            fingerprint: request.fingerprint.clone(),
            activated_at: Timestamp::from_secs(now.0 / 1000),
            vendor: key.public().fingerprint(),
            signature,
            signed,
        }
    }

    /// The response as text.
    #[must_use]
    pub fn to_text(&self) -> String {
        RESPONSE.render(&[self.signed.as_slice(), &self.signature].concat())
    }

    /// Reads a response; its signature is not checked yet ([`Self::verify`]).
    ///
    /// # Errors
    /// An [`ActivationError`] saying what is wrong with the text.
    pub fn parse(text: &str) -> Result<Self, ActivationError> {
        let what = RESPONSE.noun;
        let (wire, bytes) = read::<WireActivation>(&RESPONSE, text)?;
        let (signed, signature) = bytes.split_at(bytes.len() - SIG_LEN);
        let mut vendor = [0u8; FP_LEN];
        vendor.copy_from_slice(&signed[signed.len() - FP_LEN..]);
        let mut sig = [0u8; SIG_LEN];
        sig.copy_from_slice(signature);
        Ok(Self {
            license_id: LicenseId(Uuid::from_bytes(wire.license_id)),
            server_key: wire.server_key,
            fingerprint: fingerprint_of(what, wire.fingerprint)?,
            activated_at: Timestamp::from_secs(
                i64::try_from(wire.activated_at_secs).unwrap_or(i64::MAX),
            ),
            vendor: KeyFingerprint(vendor),
            signature: sig,
            signed: signed.to_vec(),
        })
    }

    /// The vendor key that says it signed this.
    #[must_use]
    pub fn vendor(&self) -> KeyFingerprint {
        self.vendor
    }

    /// Checks the vendor's signature with the trusted key it names.
    ///
    /// # Errors
    /// `UntrustedVendor` or `BadSignature`.
    pub fn verify(&self, trusted: &[VendorPublicKey]) -> Result<VendorPublicKey, ActivationError> {
        let message = [ACTIVATION_CONTEXT, &self.signed].concat();
        let mut named = trusted
            .iter()
            .filter(|k| k.fingerprint() == self.vendor)
            .peekable();
        if named.peek().is_none() {
            return Err(ActivationError::UntrustedVendor {
                fingerprint: self.vendor,
            });
        }
        named
            .find(|k| k.verify(&message, &self.signature).is_ok())
            .copied()
            .ok_or(ActivationError::BadSignature {
                what: RESPONSE.noun,
            })
    }

    /// Checks that this activation is for `license` on the server with `key`.
    ///
    /// # Errors
    /// `ForAnotherLicense` or `ForAnotherServer`.
    pub fn check_for(&self, license: LicenseId, key: &[u8; 32]) -> Result<(), ActivationError> {
        if self.license_id != license {
            return Err(ActivationError::ForAnotherLicense {
                theirs: self.license_id,
                ours: license,
            });
        }
        if &self.server_key != key {
            return Err(ActivationError::ForAnotherServer {
                theirs: key_hex(&self.server_key),
                ours: key_hex(key),
            });
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct WireDeactivation {
    license_id: [u8; 16],
    server_key: [u8; 32],
    void_through_secs: u64,
    deactivated_at_secs: u64,
}

/// A server's signed word that it no longer counts licence `license_id`:
/// the vendor frees the activation on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deactivation {
    pub license_id: LicenseId,
    pub server_key: [u8; 32],
    /// Activations the vendor signed up to this moment (the vendor's time in
    /// the activation deactivated) are void on that server: the vendor may
    /// free only an activation at or before it, so an old proof cannot free
    /// a newer activation of the same server.
    pub void_through: Timestamp,
    /// The server's clock when it deactivated (the customer's word).
    pub deactivated_at: Timestamp,
    signature: [u8; SIG_LEN],
    signed: Vec<u8>,
}

impl Deactivation {
    /// Signs a deactivation with the server's key.
    #[must_use]
    pub fn sign(
        server: &SigningKey,
        license_id: LicenseId,
        void_through: Timestamp,
        now: Timestamp,
    ) -> Self {
        let server_key = server.verifying_key().to_bytes();
        let body = body_of(&WireDeactivation {
            license_id: *license_id.0.as_bytes(),
            server_key,
            void_through_secs: u64::try_from(void_through.0 / 1000).unwrap_or(0),
            deactivated_at_secs: u64::try_from(now.0 / 1000).unwrap_or(0),
        });
        let signed = block::header(VERSION, &body);
        let signature = server
            .sign(&[DEACTIVATION_CONTEXT, &signed].concat())
            .to_bytes();
        Self {
            license_id,
            server_key,
            void_through: Timestamp::from_secs(void_through.0 / 1000),
            deactivated_at: Timestamp::from_secs(now.0 / 1000),
            signature,
            signed,
        }
    }

    #[must_use]
    pub fn to_text(&self) -> String {
        DEACTIVATION.render(&[self.signed.as_slice(), &self.signature].concat())
    }

    /// Reads a proof and checks it was signed by the server it names.
    ///
    /// # Errors
    /// An [`ActivationError`] saying what is wrong with the text, or
    /// `BadSignature`.
    pub fn parse(text: &str) -> Result<Self, ActivationError> {
        let what = DEACTIVATION.noun;
        let (wire, bytes) = read::<WireDeactivation>(&DEACTIVATION, text)?;
        let (signed, signature) = bytes.split_at(bytes.len() - SIG_LEN);
        let mut sig = [0u8; SIG_LEN];
        sig.copy_from_slice(signature);
        let valid = VerifyingKey::from_bytes(&wire.server_key).is_ok_and(|key| {
            key.verify(
                &[DEACTIVATION_CONTEXT, signed].concat(),
                &Signature::from_bytes(&sig),
            )
            .is_ok()
        });
        if !valid {
            return Err(ActivationError::BadSignature { what });
        }
        Ok(Self {
            license_id: LicenseId(Uuid::from_bytes(wire.license_id)),
            server_key: wire.server_key,
            void_through: Timestamp::from_secs(
                i64::try_from(wire.void_through_secs).unwrap_or(i64::MAX),
            ),
            deactivated_at: Timestamp::from_secs(
                i64::try_from(wire.deactivated_at_secs).unwrap_or(i64::MAX),
            ),
            signature: sig,
            signed: signed.to_vec(),
        })
    }
}

#[cfg(test)]
#[path = "activation_tests.rs"]
mod tests;
