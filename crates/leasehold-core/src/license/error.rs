//! Everything that can go wrong with a license code or a vendor key, each with
//! a sentence a customer's admin can act on and a stable machine code.

use super::keys::KeyFingerprint;
use crate::ErrorCode;
use crate::time::Timestamp;
use thiserror::Error;

/// What went wrong reading, issuing or checking a license code or a vendor key.
///
/// `Display` is a human sentence saying what is wrong and what to do;
/// [`LicenseError::code`] is the stable machine-readable form for the API and UI.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LicenseError {
    /// The text is not a license code at all (random text, far too short, a
    /// public key pasted in the wrong place).
    #[error("this is not a license code: {reason}")]
    NotACode { reason: String },

    /// One group fails its check symbol: a typo in that group (1-based).
    #[error(
        "group {group} (`{text}`) has a typo (a wrong, missing or extra character); \
         check it against the original"
    )]
    Checksum { group: usize, text: String },

    /// A group holds one of the characters codes never use (0, 1, O, I). We do
    /// not guess what was meant: the user checks the group. Machine code
    /// `license_checksum`, as it is a typo in that group.
    #[error(
        "group {group} (`{text}`) contains `{ch}`, which never appears in license codes \
         (they contain no 0, 1, O or I); check that group against the original"
    )]
    AmbiguousCharacter {
        group: usize,
        text: String,
        ch: char,
    },

    /// Every group present checks out, but the code is shorter than its
    /// header says: groups are missing (usually at the end: cut off).
    #[error(
        "the license code is incomplete: it has {have} of its {expected} groups; \
         copy the whole code again"
    )]
    Truncated { have: usize, expected: usize },

    /// Every group checks out on its own but the whole does not (groups out of
    /// order, repeated or missing), or the contents cannot be read.
    #[error("the license code is damaged: {reason}; copy the whole code again")]
    Corrupt { reason: String },

    /// A well-formed code in a format this build does not know (a newer one).
    #[error(
        "this license code uses format version {version}, which this version of Leasehold \
         cannot read; update Leasehold"
    )]
    UnsupportedVersion { version: u8 },

    /// The code carries a seat rule added after this version of Leasehold.
    #[error(
        "this license code carries a term (number {tag}) that this version of Leasehold does \
         not know, so it cannot honour the code; update Leasehold"
    )]
    UnknownTerm { tag: u16 },

    /// The code names a trusted vendor key, but its signature does not match.
    #[error(
        "the license code's signature does not match its contents: it was altered after it \
         was issued; ask the vendor for a fresh code"
    )]
    BadSignature,

    /// The code was signed by a key that is not among the trusted ones.
    #[error(
        "the license code was signed by a vendor key that is not trusted here \
         (key fingerprint {fingerprint}); add that vendor's public key, or check that \
         the code is for this product"
    )]
    UntrustedVendor { fingerprint: KeyFingerprint },

    /// The code's start day has not come yet.
    #[error(
        "this license is not valid yet: it starts on {} (UTC); it will count from then",
        super::dates::day_text(*.from)
    )]
    NotYetValid { from: Timestamp },

    /// The code's last valid day is past.
    #[error(
        "this license expired: its last valid day was {} (UTC); ask the vendor for a renewal code",
        super::dates::last_day_text(*.until)
    )]
    Expired { until: Timestamp },

    /// A vendor key file that cannot be read as one.
    #[error("this is not a usable vendor key file: {reason}")]
    BadKeyFile { reason: String },

    /// Text that is not a valid vendor public key.
    #[error("this is not a valid vendor public key: {reason}; copy the `LHPK-…` line again")]
    BadPublicKey { reason: String },

    /// Terms that may not go into a code (or came out of one): no seats, an
    /// empty product, absurd lengths, an impossible date window, a bad date.
    #[error("invalid license terms: {reason}")]
    InvalidTerms { reason: String },

    /// The operating system gave no randomness to make a key from.
    #[error("could not get randomness from the operating system to make a key: {reason}")]
    NoRandomness { reason: String },
}

impl LicenseError {
    /// A stable machine-readable code for this error, for the API and the UI.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotACode { .. } => ErrorCode::NotALicenseCode,
            Self::Checksum { .. } | Self::AmbiguousCharacter { .. } => ErrorCode::LicenseChecksum,
            Self::Truncated { .. } | Self::Corrupt { .. } => ErrorCode::LicenseCorrupt,
            Self::UnsupportedVersion { .. } | Self::UnknownTerm { .. } => {
                ErrorCode::LicenseUnsupportedVersion
            }
            Self::BadSignature => ErrorCode::BadSignature,
            Self::UntrustedVendor { .. } => ErrorCode::UntrustedVendor,
            Self::NotYetValid { .. } => ErrorCode::LicenseNotYetValid,
            Self::Expired { .. } => ErrorCode::LicenseExpired,
            Self::BadKeyFile { .. } => ErrorCode::BadKeyFile,
            Self::BadPublicKey { .. } => ErrorCode::BadPublicKey,
            Self::InvalidTerms { .. } => ErrorCode::InvalidLicenseTerms,
            Self::NoRandomness { .. } => ErrorCode::NoRandomness,
        }
    }

    pub(crate) fn invalid_terms(reason: impl Into<String>) -> Self {
        Self::InvalidTerms {
            reason: reason.into(),
        }
    }

    pub(crate) fn corrupt(reason: impl Into<String>) -> Self {
        Self::Corrupt {
            reason: reason.into(),
        }
    }

    pub(crate) fn not_a_code(reason: impl Into<String>) -> Self {
        Self::NotACode {
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_and_what_to_do() {
        let e = LicenseError::Checksum {
            group: 3,
            text: "ABCD5X".into(),
        };
        assert_eq!(e.code(), "license_checksum");
        let msg = e.to_string();
        assert!(msg.contains("group 3 (`ABCD5X`)"), "{msg}");
        assert!(msg.contains("check it against the original"), "{msg}");

        let e = LicenseError::Expired {
            until: Timestamp(1_767_225_600_000),
        }; // 2026-01-01
        assert!(e.to_string().contains("2025-12-31"), "{e}");
        let e = LicenseError::NotYetValid {
            from: Timestamp(1_767_225_600_000),
        };
        assert!(e.to_string().contains("2026-01-01"), "{e}");
    }

    #[test]
    fn machine_codes_are_distinct_per_outcome() {
        let all = [
            LicenseError::not_a_code("x"),
            LicenseError::Checksum {
                group: 1,
                text: String::new(),
            },
            LicenseError::corrupt("x"),
            LicenseError::UnsupportedVersion { version: 9 },
            LicenseError::BadSignature,
            LicenseError::UntrustedVendor {
                fingerprint: KeyFingerprint([0; 8]),
            },
            LicenseError::NotYetValid { from: Timestamp(0) },
            LicenseError::Expired {
                until: Timestamp(0),
            },
            LicenseError::BadKeyFile {
                reason: String::new(),
            },
            LicenseError::BadPublicKey {
                reason: String::new(),
            },
            LicenseError::invalid_terms("x"),
            LicenseError::NoRandomness {
                reason: String::new(),
            },
        ];
        let mut codes: Vec<_> = all.iter().map(LicenseError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        // A code this Leasehold is too old for: update Leasehold.
        assert_eq!(
            LicenseError::UnknownTerm { tag: 99 }.code(),
            ErrorCode::LicenseUnsupportedVersion
        );
    }
}
