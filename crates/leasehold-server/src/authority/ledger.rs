//! The vendor's activation ledger: which servers each licence is activated
//! on. `leasehold authority serve` answers from it over HTTP, and `leasehold
//! vendor activate --ledger DIR` uses the same file offline, so a licence's
//! `max-activations` holds however the vendor signs.
//!
//! Rules:
//! - The same server (key) on the same computer asking again gets the
//!   response it was given before; no activation is used up.
//! - Anything else needs a free activation: `activation_limit_reached`
//!   otherwise, naming the servers that hold them.
//! - A deactivation proof frees the server's activations signed at or
//!   before its `void_through` (the vendor's time in the activation it
//!   voided): a proof kept from an earlier deactivation cannot free a later
//!   activation of the same server.

use crate::error::{Error, Result};
use crate::store::StoreError;
use crate::store::files;
use leasehold_core::license::activation::{Activation, ActivationRequest, Deactivation, key_hex};
use leasehold_core::license::{LicenseTerms, VendorKeyPair};
use leasehold_core::wire::authority::{AuthorityActivated, AuthorityDeactivated, LedgerEntry};
use leasehold_core::{LicenseId, Product, Timestamp};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The ledger's database in its directory.
pub const LEDGER_FILE: &str = "authority.db";
const SCHEMA_VERSION: u32 = 1;
/// Freed activations kept per licence (the newest); older ones are deleted,
/// so a server activating and deactivating in a loop cannot grow the file.
const FREED_KEPT: u32 = 100;

const SCHEMA: &str = "
CREATE TABLE activations (
    id           INTEGER PRIMARY KEY,
    license_id   TEXT NOT NULL,
    product      TEXT NOT NULL,
    customer     TEXT NOT NULL,
    max_activations INTEGER NOT NULL,
    server_key   TEXT NOT NULL,
    server_name  TEXT NOT NULL,
    activated_at INTEGER NOT NULL,
    response     TEXT NOT NULL,
    freed_at     INTEGER,
    proof        TEXT
);
CREATE INDEX activations_by_license ON activations (license_id, freed_at);
";

/// The ledger, open on its directory (locked against a second process).
pub struct Ledger {
    conn: Mutex<Connection>,
    dir: PathBuf,
    _lock: File,
}

struct Row {
    id: i64,
    server_key: String,
    server_name: String,
    activated_at: Timestamp,
    response: String,
}

impl Ledger {
    /// Opens (or makes) the ledger in `dir`.
    ///
    /// # Errors
    /// The directory is in use by another authority, unreadable, or holds a
    /// ledger of a newer build.
    pub fn open(dir: &Path) -> Result<Self> {
        files::create_dir(dir)?;
        let lock = files::lock_dir(dir)?;
        let sql = |e: rusqlite::Error| StoreError::sqlite("opening the ledger in", dir, &e);
        let mut conn = Connection::open(dir.join(LEDGER_FILE)).map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sql)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let version: u32 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found: version,
                supported: SCHEMA_VERSION,
            }
            .into());
        }
        if version == 0 {
            tx.execute_batch(SCHEMA).map_err(sql)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(Self {
            conn: Mutex::new(conn),
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    fn sql(&self, doing: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
        let doing = doing.to_owned();
        move |e| StoreError::sqlite(&doing, &self.dir, &e).into()
    }

    /// Answers an activation request with `key` (the vendor's): the
    /// response given before, or one signed now and recorded.
    ///
    /// # Errors
    /// `bad_activation` (unreadable request), `untrusted_vendor` (a code of
    /// another vendor), `bad_request` (the code needs no activation),
    /// `activation_limit_reached`, or a storage error.
    pub fn activate(
        &self,
        key: &VendorKeyPair,
        request_text: &str,
        now: Timestamp,
    ) -> Result<AuthorityActivated> {
        let request = ActivationRequest::parse(request_text)?;
        let terms = terms_of(key, &request)?;
        let id = terms.license_id;
        let sql = self.sql("recording an activation in");
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&sql)?;
        let active = active_rows(&tx, id).map_err(&sql)?;
        let server_key = key_hex(&request.server_key);
        let known = active.iter().find(|row| {
            row.server_key == server_key
                && Activation::parse(&row.response).is_ok_and(|a| {
                    a.fingerprint
                        .compare(&request.fingerprint)
                        .is_same_computer()
                })
        });
        let answer = |response: String, again: bool, active: usize| AuthorityActivated {
            license_id: id,
            product: terms.product.clone(),
            response,
            again,
            active: u32::try_from(active).unwrap_or(u32::MAX),
            max_activations: terms.max_activations,
        };
        if let Some(row) = known {
            return Ok(answer(row.response.clone(), true, active.len()));
        }
        if active.len() >= terms.max_activations as usize {
            return Err(Error::ActivationLimitReached(limit_message(
                &terms, &active,
            )));
        }
        // Strictly later than any activation this server had, so the
        // server's record of deactivating an earlier one never voids it.
        let latest: Option<i64> = tx
            .query_row(
                "SELECT MAX(activated_at) FROM activations WHERE license_id = ?1 AND server_key = ?2",
                params![id.to_string(), server_key],
                |r| r.get(0),
            )
            .map_err(&sql)?;
        let at_secs = (now.0 / 1000).max(latest.map_or(0, |ms| ms / 1000 + 1));
        let activation = Activation::issue(key, &request, Timestamp::from_secs(at_secs));
        let response = activation.to_text();
        tx.execute(
            "INSERT INTO activations (license_id, product, customer, max_activations, server_key, server_name, activated_at, response)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id.to_string(),
                terms.product.as_str(),
                terms.customer,
                terms.max_activations,
                server_key,
                request.server_name,
                activation.activated_at.0,
                response,
            ],
        )
        .map_err(&sql)?;
        tx.commit().map_err(&sql)?;
        Ok(answer(response, false, active.len() + 1))
    }

    /// Frees the activations a server's deactivation proof covers.
    ///
    /// # Errors
    /// `bad_activation` / `bad_signature` (the proof), `activation_mismatch`
    /// (no activation of that licence for that server, or the proof is
    /// older than the activation), or a storage error.
    pub fn deactivate(&self, proof_text: &str, now: Timestamp) -> Result<AuthorityDeactivated> {
        let proof = Deactivation::parse(proof_text)?;
        let id = proof.license_id;
        let server_key = key_hex(&proof.server_key);
        let sql = self.sql("recording a deactivation in");
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&sql)?;
        let active = active_rows(&tx, id).map_err(&sql)?;
        let (covered, later): (Vec<&Row>, Vec<&Row>) = active
            .iter()
            .filter(|r| r.server_key == server_key)
            .partition(|r| r.activated_at <= proof.void_through);
        // Recorded from the code at activation (a proof carries no terms).
        let max_activations: u32 = tx
            .query_row(
                "SELECT max_activations FROM activations WHERE license_id = ?1 ORDER BY id DESC LIMIT 1",
                params![id.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(&sql)?
            .unwrap_or(0);
        let answer = |freed: bool, active: usize| AuthorityDeactivated {
            license_id: id,
            freed,
            active: u32::try_from(active).unwrap_or(u32::MAX),
            max_activations,
        };
        if covered.is_empty() {
            if !later.is_empty() {
                return Err(Error::ActivationMismatch(format!(
                    "this proof is older than the server's current activation of licence {id}: deactivate it on the server again and send the new proof"
                )));
            }
            let freed_before: Option<i64> = tx
                .query_row(
                    "SELECT id FROM activations WHERE license_id = ?1 AND server_key = ?2 AND freed_at IS NOT NULL LIMIT 1",
                    params![id.to_string(), server_key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&sql)?;
            return match freed_before {
                Some(_) => Ok(answer(false, active.len())),
                None => Err(Error::ActivationMismatch(format!(
                    "no activation of licence {id} for server key {server_key} is recorded here; was it activated by this vendor's authority or ledger?"
                ))),
            };
        }
        for row in &covered {
            tx.execute(
                "UPDATE activations SET freed_at = ?1, proof = ?2 WHERE id = ?3",
                params![now.0, proof_text.trim(), row.id],
            )
            .map_err(&sql)?;
        }
        tx.execute(
            "DELETE FROM activations WHERE license_id = ?1 AND freed_at IS NOT NULL AND id NOT IN
               (SELECT id FROM activations WHERE license_id = ?1 AND freed_at IS NOT NULL ORDER BY freed_at DESC, id DESC LIMIT ?2)",
            params![id.to_string(), FREED_KEPT],
        )
        .map_err(&sql)?;
        tx.commit().map_err(&sql)?;
        Ok(answer(true, active.len() - covered.len()))
    }

    /// Every activation recorded, or a licence's, newest first.
    ///
    /// # Errors
    /// A storage error.
    pub fn entries(&self, license: Option<LicenseId>) -> Result<Vec<LedgerEntry>> {
        let sql = self.sql("reading the ledger in");
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let mut stmt = conn
            .prepare(
                "SELECT license_id, product, customer, server_key, server_name, activated_at, freed_at
                 FROM activations WHERE ?1 IS NULL OR license_id = ?1 ORDER BY activated_at DESC, id DESC",
            )
            .map_err(&sql)?;
        let rows = stmt
            .query_map(params![license.map(|l| l.to_string())], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            })
            .map_err(&sql)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, product, customer, server_key, server_name, at, freed) = row.map_err(&sql)?;
            let Ok(license_id) = id.parse() else {
                continue;
            };
            out.push(LedgerEntry {
                license_id,
                product: Product(product),
                customer,
                server_key,
                server_name,
                activated_at: Timestamp(at),
                freed_at: freed.map(Timestamp),
            });
        }
        Ok(out)
    }
}

/// The request's terms, when the code is `key`'s and needs activation.
fn terms_of(key: &VendorKeyPair, request: &ActivationRequest) -> Result<LicenseTerms> {
    let verified = request.code.verify(&[key.public()]).map_err(|e| {
        Error::NotThisVendor(format!(
            "the licence code in this request was not issued with this vendor's key ({}): {e}",
            key.public().fingerprint()
        ))
    })?;
    let terms = verified.terms().clone();
    if !terms.activation_required {
        return Err(Error::BadRequest(format!(
            "licence {} needs no activation (it was issued with `--activation none`): every server counts it as it is",
            terms.license_id
        )));
    }
    Ok(terms)
}

fn active_rows(conn: &Connection, id: LicenseId) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, server_key, server_name, activated_at, response FROM activations
         WHERE license_id = ?1 AND freed_at IS NULL ORDER BY activated_at, id",
    )?;
    let rows = stmt.query_map(params![id.to_string()], |r| {
        Ok(Row {
            id: r.get(0)?,
            server_key: r.get(1)?,
            server_name: r.get(2)?,
            activated_at: Timestamp(r.get(3)?),
            response: r.get(4)?,
        })
    })?;
    rows.collect()
}

fn limit_message(terms: &LicenseTerms, active: &[Row]) -> String {
    let servers: Vec<String> = active
        .iter()
        .map(|r| {
            format!(
                "{:?} (key {}…, since {})",
                r.server_name,
                r.server_key.get(..16).unwrap_or(&r.server_key),
                r.activated_at.to_rfc3339()
            )
        })
        .collect();
    format!(
        "licence {} may be active on {} server(s) at once and is active on {}: {}. Deactivate it on one of them (`leasehold admin activation deactivate {}`) and send that proof here, then ask again",
        terms.license_id,
        terms.max_activations,
        active.len(),
        servers.join(", "),
        terms.license_id,
    )
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
