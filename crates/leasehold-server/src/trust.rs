//! Which vendors' license codes this server accepts: keys built into this
//! build, keys given on the command line, and keys added to the data directory.

use crate::error::Error;
use leasehold_core::license::VendorPublicKey;
use leasehold_core::wire::admin::{KeySource, TrustedKeyView};
use std::str::FromStr;

/// Keys compiled in by a vendor's own build: set `LEASEHOLD_BUILTIN_TRUST` to
/// a comma-separated list of public keys when building. A build with built-in
/// keys trusts only them.
const BUILT_IN: Option<&str> = option_env!("LEASEHOLD_BUILTIN_TRUST");

#[derive(Clone, Debug, Default)]
pub struct TrustedKeys {
    keys: Vec<(VendorPublicKey, KeySource)>,
}

impl TrustedKeys {
    /// The built-in keys, then (unless there are built-in keys) the others.
    /// Unparsable stored keys are logged and skipped.
    #[must_use]
    pub fn load(command_line: &[VendorPublicKey], stored: &[String]) -> Self {
        let mut trust = Self::default();
        for text in BUILT_IN
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match VendorPublicKey::from_str(text) {
                Ok(key) => trust.push(key, KeySource::BuiltIn),
                Err(e) => tracing::error!("a built-in vendor key does not parse: {e}"),
            }
        }
        if trust.is_built_in_only() {
            if !command_line.is_empty() || !stored.is_empty() {
                tracing::warn!(
                    "this build trusts only its built-in vendor keys; other keys are ignored"
                );
            }
            return trust;
        }
        for key in command_line {
            trust.push(*key, KeySource::CommandLine);
        }
        for text in stored {
            match VendorPublicKey::from_str(text) {
                Ok(key) => trust.push(key, KeySource::DataDir),
                Err(e) => tracing::warn!("skipping a stored vendor key that does not parse: {e}"),
            }
        }
        trust
    }

    fn is_built_in_only(&self) -> bool {
        self.keys.iter().any(|(_, s)| *s == KeySource::BuiltIn)
    }

    fn push(&mut self, key: VendorPublicKey, source: KeySource) {
        if !self.keys.iter().any(|(k, _)| *k == key) {
            self.keys.push((key, source));
        }
    }

    /// Adds a key to the data directory's set. Returns false when already trusted.
    ///
    /// # Errors
    /// [`Error::TrustIsBuiltIn`] in a build that trusts only built-in keys.
    pub fn add(&mut self, key: VendorPublicKey) -> Result<bool, Error> {
        if self.is_built_in_only() {
            return Err(Error::TrustIsBuiltIn);
        }
        let known = self.keys.iter().any(|(k, _)| *k == key);
        self.push(key, KeySource::DataDir);
        Ok(!known)
    }

    #[must_use]
    pub fn keys(&self) -> Vec<VendorPublicKey> {
        self.keys.iter().map(|(k, _)| *k).collect()
    }

    #[must_use]
    pub fn views(&self) -> Vec<TrustedKeyView> {
        self.keys
            .iter()
            .map(|(k, source)| TrustedKeyView {
                public_key: k.to_string(),
                fingerprint: k.fingerprint().to_string(),
                source: *source,
            })
            .collect()
    }
}
