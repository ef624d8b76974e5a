//! License codes: what they grant ([`terms`]), the vendor keys that sign them
//! ([`keys`]), and how they are written, read and verified ([`code`]).
//!
//! ```text
//! vendor:  issue(&key, &terms)        -> "2AB3CD-…" (one line)
//! server:  parse(text)?.verify(&trusted)?.check_window(now)?
//! ```

pub mod activation;
mod block;
pub mod chain;
pub mod code;
pub mod dates;
pub mod error;
pub mod fingerprint;
pub mod keys;
mod symbols;
pub mod terms;
mod wire;

pub use code::{FORMAT_VERSION, LicenseCode, VerifiedLicense, issue, parse};
pub use dates::{day_text, days_left, last_day_text, valid_from_date, valid_until_date};
pub use error::LicenseError;
pub use keys::{KeyFingerprint, PUBLIC_KEY_PREFIX, VendorKeyPair, VendorPublicKey};
pub use terms::{
    DEFAULT_LEASE_SECS, DEFAULT_REASSIGN_AFTER_HOURS, FeatureSeats, LicenseTerms, SeatRules,
    TokenPeriod, Tokens, Validity,
};
pub use wire::{
    MAX_ACTIVATIONS, MAX_BORROW_HOURS_LIMIT, MAX_CUSTOMER_LEN, MAX_FEATURE_LEN, MAX_FEATURES,
    MAX_LEASE_SECS, MAX_LINGER_SECS, MAX_NODE_LOCK_LEN, MAX_OVERDRAFT, MAX_PRODUCT_LEN,
    MAX_REASSIGN_AFTER_HOURS, MAX_TOKENS, MIN_LEASE_SECS, validate as validate_terms,
};
