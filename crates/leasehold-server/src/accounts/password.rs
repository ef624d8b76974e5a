//! Passwords as Argon2id PHC strings. Hashing is slow by design (tens of
//! milliseconds and 19 MiB each), so it runs on a blocking thread, one at a
//! time, with a short line of callers behind it: a stranger sending
//! sign-ins cannot take more than one core nor queue without bound.

use crate::error::{Error, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// Callers waiting to hash at most; more are told to come back.
const MAX_WAITING: usize = 16;

/// A PHC string no password matches, hashed against when an account does
/// not exist or has no password, so the answer takes as long either way.
const NOTHING_MATCHES: &str = "$argon2id$v=19$m=19456,t=2,p=1$bm90aGluZ21hdGNoZXM$6v0rj0lrnL8wQW6hQp7l7b7mC7Lh0dJ3QdY0Vv6c9m4";

#[derive(Debug)]
pub struct Hasher {
    one_at_a_time: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
}

impl Default for Hasher {
    fn default() -> Self {
        Self {
            one_at_a_time: Arc::new(Semaphore::new(1)),
            waiting: Arc::default(),
        }
    }
}

/// Counts a caller in the line while it lives, so a caller that goes away
/// (its connection closed) leaves it too.
struct InLine(Arc<AtomicUsize>);

impl Drop for InLine {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hasher {
    /// The PHC string of `password` with a fresh salt.
    ///
    /// # Errors
    /// `too_many_sign_ins` when too many hashes wait; `internal` when the
    /// system gives no randomness.
    pub async fn hash(&self, password: String) -> Result<String> {
        self.run(move || {
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt)
                .map_err(|e| Error::Internal(format!("no randomness for a salt: {e}")))?;
            let salt =
                SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("salt: {e}")))?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Error::Internal(format!("hashing a password: {e}")))
        })
        .await
    }

    /// Whether `password` matches `phc` (`None`: nothing matches, in the
    /// same time).
    ///
    /// # Errors
    /// `too_many_sign_ins` when too many hashes wait.
    pub async fn verify(&self, phc: Option<String>, password: String) -> Result<bool> {
        self.run(move || {
            let known = phc.is_some();
            let text = phc.unwrap_or_else(|| NOTHING_MATCHES.to_owned());
            // A stored string that does not parse matches nothing.
            let Ok(parsed) = PasswordHash::new(&text) else {
                return Ok(false);
            };
            let ok = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known && ok)
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let in_line = InLine(Arc::clone(&self.waiting));
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING {
            return Err(Error::TooManySignIns(1));
        }
        let permit = Arc::clone(&self.one_at_a_time)
            .acquire_owned()
            .await
            .map_err(|_| Error::Internal("password hashing closed".into()))?;
        drop(in_line);
        // The permit goes with the hash: a caller that goes away does not
        // let a second hash start while the first still runs.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
        .unwrap_or_else(|e| Err(Error::Internal(format!("password hashing failed: {e}"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_matches_its_hash_and_nothing_else_does() {
        let h = Hasher::default();
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        assert!(
            h.verify(Some(phc.clone()), "correct horse".into())
                .await
                .unwrap()
        );
        assert!(
            !h.verify(Some(phc.clone()), "correct hors".into())
                .await
                .unwrap()
        );
        // Two hashes of one password differ (salted).
        assert_ne!(phc, h.hash("correct horse".into()).await.unwrap());
        assert!(!h.verify(None, "correct horse".into()).await.unwrap());
        assert!(
            !h.verify(Some("not a phc".into()), "x".into())
                .await
                .unwrap()
        );
        // The stand-in string parses, so an unknown account costs a real hash.
        assert!(PasswordHash::new(NOTHING_MATCHES).is_ok());
    }
}
