//! License codes: what they grant ([`terms`]), and (to come) how they are
//! encoded, signed and verified.

pub mod terms;

pub use terms::{DEFAULT_LEASE_SECS, LicenseTerms, Validity};
