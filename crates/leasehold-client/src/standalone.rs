//! Standalone mode: a node-locked license code in a file on this machine,
//! verified offline against the vendor's public key (compiled into the
//! application), bound to this machine's id and to its validity window. No
//! server is asked; a checkout is a check of the file.

use std::path::{Path, PathBuf};

use leasehold_core::license::{self, LicenseError, LicenseTerms, VendorPublicKey};
use leasehold_core::{ClientId, Product, Timestamp};

/// Why a standalone license file cannot be used. Each outcome has its own
/// variant and [`code`](Self::code), and a sentence saying what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StandaloneError {
    /// The file is not there.
    #[error("the license file {} does not exist; check the path (`leasehold client mode`)", path.display())]
    MissingFile { path: PathBuf },
    /// The file is there but cannot be read.
    #[error("cannot read the license file {}: {detail}", path.display())]
    Unreadable { path: PathBuf, detail: String },
    /// The file does not hold a license code.
    #[error("the license file {} does not hold a license code: {source}", path.display())]
    NotALicense {
        path: PathBuf,
        #[source]
        source: LicenseError,
    },
    /// The code was altered after it was issued (signature or checksums fail).
    #[error("the license file {} was altered or damaged: {source}", path.display())]
    Tampered {
        path: PathBuf,
        #[source]
        source: LicenseError,
    },
    /// Signed by a vendor key the application does not trust (another vendor's
    /// license, or a newer format this build cannot read).
    #[error("the license file {} cannot be used by this application: {source}", path.display())]
    Untrusted {
        path: PathBuf,
        #[source]
        source: LicenseError,
    },
    /// A floating license (for a server), not bound to a machine.
    #[error(
        "the license in {} is a floating license for a license server, not a node-locked one; \
         add it to the server (`leasehold admin license add`) and switch to network mode",
        path.display()
    )]
    NotNodeLocked { path: PathBuf },
    /// Node-locked to another machine.
    #[error(
        "the license in {} is for another computer (machine id {licensed}); this computer's id \
         is {this_machine}: ask the vendor for a license for it",
        path.display()
    )]
    OtherMachine {
        path: PathBuf,
        licensed: String,
        this_machine: ClientId,
    },
    /// Its last valid day is past.
    #[error("the license in {}: {source}", path.display())]
    Expired {
        path: PathBuf,
        #[source]
        source: LicenseError,
    },
    /// Its first valid day has not come.
    #[error("the license in {}: {source}", path.display())]
    NotYetValid {
        path: PathBuf,
        #[source]
        source: LicenseError,
    },
    /// The licence has dates and this computer's clock is more than a day
    /// behind the latest time seen here (or the day the code was issued).
    #[error(
        "this computer's clock shows {}, {} hours behind {} (the latest time Leasehold saw here, or the day the licence was issued); the license in {} has dates, so it cannot be used until the clock is right: set this computer's date, time and time zone (the latest time seen is kept in client.clock beside the client settings)",
        now.to_rfc3339(),
        (now.until(*latest).as_secs() + 1800) / 3600,
        latest.to_rfc3339(),
        path.display()
    )]
    ClockSetBack {
        path: PathBuf,
        now: Timestamp,
        latest: Timestamp,
    },
    /// A valid license, but for another product.
    #[error("the license in {} is for {licensed}, not {asked}", path.display())]
    WrongProduct {
        path: PathBuf,
        licensed: Product,
        asked: Product,
    },
    /// The application gave no vendor key to verify licenses with.
    #[error(
        "standalone mode needs the vendor's public key (LHPK-…) to verify the license file; \
         the application did not give one"
    )]
    NoVendorKey,
    /// The vendor key the application gave is not a public key.
    #[error("the vendor key compiled into this application is not valid: {source}")]
    BadVendorKey {
        #[source]
        source: LicenseError,
    },
}

impl StandaloneError {
    /// A stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingFile { .. } => "license_file_missing",
            Self::Unreadable { .. } => "license_file_unreadable",
            Self::NotALicense { .. } => "not_a_license_code",
            Self::Tampered { .. } => "license_tampered",
            Self::Untrusted { .. } => "untrusted_vendor",
            Self::NotNodeLocked { .. } => "license_not_node_locked",
            Self::OtherMachine { .. } => "license_for_another_machine",
            Self::Expired { .. } => "license_expired",
            Self::NotYetValid { .. } => "license_not_yet_valid",
            Self::ClockSetBack { .. } => leasehold_core::ErrorCode::ClockSetBack.as_str(),
            Self::WrongProduct { .. } => "license_wrong_product",
            Self::NoVendorKey => "no_vendor_key",
            Self::BadVendorKey { .. } => "bad_vendor_key",
        }
    }
}

/// A license file that passed every check: what a standalone seat holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandaloneLicense {
    /// The file it was read from.
    pub path: PathBuf,
    /// What the vendor granted.
    pub terms: LicenseTerms,
}

/// Reads and checks the license file at `path` for `machine` at `now`: a
/// license code, signed by one of `vendor_keys`, node-locked to `machine`,
/// with a clock not set back (against `latest_seen`, see
/// [`crate::clock_state`], and the code's issue time) if it has dates,
/// inside its validity window.
///
/// # Errors
///
/// The [`StandaloneError`] for the first check that fails, in that order.
pub fn verify_file(
    path: &Path,
    vendor_keys: &[VendorPublicKey],
    machine: &ClientId,
    now: Timestamp,
    latest_seen: Option<Timestamp>,
) -> Result<StandaloneLicense, StandaloneError> {
    if vendor_keys.is_empty() {
        return Err(StandaloneError::NoVendorKey);
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StandaloneError::MissingFile {
                path: path.to_owned(),
            });
        }
        Err(e) => {
            return Err(StandaloneError::Unreadable {
                path: path.to_owned(),
                detail: e.to_string(),
            });
        }
    };
    let verified = license::parse(text.trim())
        .and_then(|code| code.verify(vendor_keys))
        .map_err(|e| classify(path, e))?;
    let terms = verified.terms();
    let Some(licensed) = terms.node_lock.as_deref() else {
        return Err(StandaloneError::NotNodeLocked {
            path: path.to_owned(),
        });
    };
    if licensed.trim() != machine.as_str() {
        return Err(StandaloneError::OtherMachine {
            path: path.to_owned(),
            licensed: licensed.to_owned(),
            this_machine: machine.clone(),
        });
    }
    let dated = terms.valid_from.is_some() || terms.valid_until.is_some();
    let latest = latest_seen.unwrap_or(Timestamp(0)).max(terms.issued_at);
    if dated && now.until(latest) > leasehold_core::time::SET_BACK_TOLERANCE {
        return Err(StandaloneError::ClockSetBack {
            path: path.to_owned(),
            now,
            latest,
        });
    }
    verified.check_window(now).map_err(|e| classify(path, e))?;
    Ok(StandaloneLicense {
        path: path.to_owned(),
        terms: verified.into_terms(),
    })
}

/// A license error while reading or checking a file, as a standalone outcome.
fn classify(path: &Path, e: LicenseError) -> StandaloneError {
    let path = path.to_owned();
    match e {
        LicenseError::NotACode { .. } | LicenseError::BadPublicKey { .. } => {
            StandaloneError::NotALicense { path, source: e }
        }
        LicenseError::BadSignature
        | LicenseError::Checksum { .. }
        | LicenseError::AmbiguousCharacter { .. }
        | LicenseError::Truncated { .. }
        | LicenseError::Corrupt { .. }
        | LicenseError::InvalidTerms { .. } => StandaloneError::Tampered { path, source: e },
        LicenseError::Expired { .. } => StandaloneError::Expired { path, source: e },
        LicenseError::NotYetValid { .. } => StandaloneError::NotYetValid { path, source: e },
        other => StandaloneError::Untrusted {
            path,
            source: other,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_signature_is_tampering_and_codes_are_distinct() {
        let p = Path::new("f.lic");
        assert_eq!(
            classify(p, LicenseError::BadSignature).code(),
            "license_tampered"
        );
        let fp = leasehold_core::license::KeyFingerprint([0; 8]);
        assert_eq!(
            classify(p, LicenseError::UntrustedVendor { fingerprint: fp }).code(),
            "untrusted_vendor"
        );
        assert_eq!(
            classify(
                p,
                LicenseError::Expired {
                    until: Timestamp(0)
                }
            )
            .code(),
            "license_expired"
        );
        assert_eq!(
            classify(p, LicenseError::NotYetValid { from: Timestamp(0) }).code(),
            "license_not_yet_valid"
        );
    }
}
