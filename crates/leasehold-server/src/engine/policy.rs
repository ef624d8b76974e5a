//! The admin's seat policy as a file: `policy.toml` in the data directory,
//! read at start and again whenever it changes (checked at most once a
//! second by the sweeper), written by the admin API. An invalid file is
//! refused with its line and reason and the policy before stays in force;
//! the rules themselves are `leasehold_core::policy`.

use super::Engine;
use crate::error::{Error, Result};
use leasehold_core::event::EventKind;
use leasehold_core::policy::{Decision, MAX_FILE_BYTES, Policy};
use leasehold_core::wire::policy::{PolicyCheck, PolicyStatus};
use leasehold_core::{ErrorCode, Product, Timestamp};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// The policy's file name in the data directory.
pub const POLICY_FILE: &str = "policy.toml";

/// What the server knows of the file.
#[derive(Debug, Default)]
pub(crate) struct PolicyFile {
    /// `DATA_DIR/policy.toml`; none until the server is given its directory.
    path: Option<PathBuf>,
    /// Modification time and length when last read: a change of either is
    /// read again.
    seen: Option<(SystemTime, u64)>,
    checked: Option<Instant>,
    /// The text last read, whether or not it is in force.
    text: String,
    error: Option<String>,
    loaded_at: Option<Timestamp>,
}

impl Engine {
    /// Reads `dir/policy.toml` (if any) and watches it from now on.
    pub fn watch_policy(&self, dir: &Path) {
        self.policy_file().path = Some(dir.join(POLICY_FILE));
        self.reload_policy(true);
    }

    /// Reads the file again when it changed (at most once a second unless
    /// `now`); puts a valid one in force and records the change, keeps the
    /// policy in force when it is invalid and says why.
    pub fn reload_policy(&self, now: bool) {
        let mut file = self.policy_file();
        let Some(path) = file.path.clone() else {
            return;
        };
        if !now && file.checked.is_some_and(|t| t.elapsed().as_secs() < 1) {
            return;
        }
        file.checked = Some(Instant::now());
        let meta = std::fs::metadata(&path).ok();
        let seen = meta
            .as_ref()
            .map(|m| (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len()));
        if seen == file.seen {
            return;
        }
        file.seen = seen;
        let text = match &meta {
            None => String::new(), // removed: no policy
            Some(m) if m.len() > MAX_FILE_BYTES as u64 => {
                let error = format!(
                    "{}: the file is {} bytes; a policy is at most {MAX_FILE_BYTES}",
                    path.display(),
                    m.len()
                );
                self.refused(&mut file, String::new(), error);
                return;
            }
            Some(_) => match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) => {
                    let error = format!("{}: cannot be read: {e}", path.display());
                    self.refused(&mut file, String::new(), error);
                    return;
                }
            },
        };
        match Policy::parse(&text, &path.display().to_string()) {
            Ok(policy) => {
                let rules = policy.products().count();
                self.put_in_force(&mut file, text, policy);
                drop(file);
                self.record(
                    EventKind::PolicyChanged,
                    format!(
                        "seat policy read from {} ({rules} product(s) with rules)",
                        path.display()
                    ),
                );
            }
            Err(e) => self.refused(&mut file, text, e.to_string()),
        }
    }

    fn put_in_force(&self, file: &mut PolicyFile, text: String, policy: Policy) {
        self.table().set_policy(Arc::new(policy));
        self.serve_soon(); // waiters the old policy refused may have a seat now
        file.text = text;
        file.error = None;
        file.loaded_at = Some(self.now());
    }

    fn refused(&self, file: &mut PolicyFile, text: String, error: String) {
        tracing::warn!("seat policy not changed: {error}");
        self.record(
            EventKind::PolicyRejected,
            format!("seat policy not changed, the one before stays in force: {error}"),
        );
        file.text = text;
        file.error = Some(error);
    }

    /// The policy in force, the file's text and why it is not in force.
    #[must_use]
    pub fn policy_status(&self) -> PolicyStatus {
        let policy = Arc::clone(self.table().policy());
        let file = self.policy_file();
        PolicyStatus {
            policy: policy.view(),
            text: file.text.clone(),
            error: file.error.clone(),
            loaded_at: file.loaded_at,
        }
    }

    /// Checks `text` and, when valid, writes it as `policy.toml` (whole or
    /// not at all) and puts it in force.
    ///
    /// # Errors
    /// `invalid_policy` with the line and reason (nothing changes); a write
    /// failure.
    pub fn set_policy_text(&self, text: &str) -> Result<PolicyStatus> {
        let mut file = self.policy_file();
        let path = file
            .path
            .clone()
            .ok_or_else(|| Error::Internal("the server has no data directory".into()))?;
        let policy = Policy::parse(text, &path.display().to_string())
            .map_err(|e| Error::InvalidPolicy(e.to_string()))?;
        write_whole(&path, text)
            .map_err(|e| Error::Internal(format!("cannot write {}: {e}", path.display())))?;
        file.seen = std::fs::metadata(&path)
            .ok()
            .map(|m| (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len()));
        self.put_in_force(&mut file, text.to_owned(), policy);
        drop(file);
        self.record(
            EventKind::PolicyChanged,
            format!("seat policy changed by the admin ({})", path.display()),
        );
        Ok(self.policy_status())
    }

    /// The dry run: would `user` on `host` get a seat of `product` now, and
    /// if not, which rule (or the licence) says no.
    #[must_use]
    pub fn check_policy(&self, product: &Product, user: &str, host: &str) -> PolicyCheck {
        let now = self.now();
        let table = self.table();
        let seats = table.pools().capacity(&product.0, now);
        let in_use = table.in_use(product);
        let decision = table.policy_decision(product, user, host, now);
        drop(table);
        let base = PolicyCheck {
            granted: false,
            code: None,
            rule: None,
            message: String::new(),
            seats,
            in_use,
        };
        match decision {
            Decision::Deny(denial) => PolicyCheck {
                code: Some(denial.code),
                rule: Some(denial.rule.text.to_string()),
                message: denial.message,
                ..base
            },
            _ if seats == 0 => PolicyCheck {
                code: Some(ErrorCode::NoLicenseForProduct),
                message: format!("no licence counts for {product} now"),
                ..base
            },
            _ if in_use >= seats => PolicyCheck {
                code: Some(ErrorCode::NoSeatFree),
                message: format!("the policy allows it, but all {seats} seats are in use"),
                ..base
            },
            Decision::Grant { reservation } => PolicyCheck {
                granted: true,
                message: match &reservation {
                    Some(r) => format!("a seat would be granted now, from {r}"),
                    None => "a seat would be granted now".to_owned(),
                },
                rule: reservation.map(|r| r.text.to_string()),
                ..base
            },
        }
    }

    fn policy_file(&self) -> std::sync::MutexGuard<'_, PolicyFile> {
        self.inner
            .policy
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Writes `text` to `path` through a temporary file renamed over it, so a
/// crash leaves the old file or the new one, never half of one.
fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("toml.tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)
}
