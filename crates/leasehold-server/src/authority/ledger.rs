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
//! - One active activation per server key: the same key from another
//!   computer (a copy of the server's data directory) is refused, naming the
//!   computer that holds it.
//! - A deactivation proof frees exactly the activation it voided (its
//!   `void_through` is that activation's time): a proof kept from an earlier
//!   deactivation cannot free a later one.
//! - A licence moves at most `max(2, max-activations)` times in 30 days;
//!   more is for the vendor to allow (`leasehold authority free`), so a
//!   server cloned with its key cannot cycle activations unseen. Freed
//!   activations are kept 400 days: the vendor's record of moves.

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
/// Freed activations are kept this long (the moves are rate-limited, so
/// this bounds the rows a licence can have).
const FREED_KEPT_MS: i64 = 400 * DAY_MS;
/// The window the moves of a licence are counted in.
const MOVE_WINDOW_MS: i64 = 30 * DAY_MS;
const DAY_MS: i64 = 24 * 3600 * 1000;

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
    /// The authority's directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

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
        let same_key: Vec<&Row> = active
            .iter()
            .filter(|r| r.server_key == server_key)
            .collect();
        let known = same_key.iter().find(|row| {
            Activation::parse(&row.response).is_ok_and(|a| {
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
        if let Some(row) = same_key.first() {
            return Err(Error::ActivationMismatch(format!(
                "licence {id} is active for this server's key on another computer ({:?}, since {}): this server's data directory was copied or moved. Deactivate it on the computer it was activated on and send that proof; if that computer is gone, ask the vendor to free it",
                row.server_name,
                row.activated_at.to_rfc3339()
            )));
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
        let (covered, other): (Vec<&Row>, Vec<&Row>) = active
            .iter()
            .filter(|r| r.server_key == server_key)
            .partition(|r| r.activated_at == proof.void_through);
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
            if !other.is_empty() {
                return Err(Error::ActivationMismatch(format!(
                    "this proof is for an earlier activation of licence {id} on that server, not the one it holds now: deactivate it on the server again and send the new proof"
                )));
            }
            let freed_before: Option<i64> = tx
                .query_row(
                    "SELECT id FROM activations WHERE license_id = ?1 AND server_key = ?2 AND activated_at = ?3 AND freed_at IS NOT NULL LIMIT 1",
                    params![id.to_string(), server_key, proof.void_through.0],
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
        let moves: u32 = tx
            .query_row(
                "SELECT COUNT(*) FROM activations WHERE license_id = ?1 AND freed_at > ?2",
                params![id.to_string(), now.0 - MOVE_WINDOW_MS],
                |r| r.get(0),
            )
            .map_err(&sql)?;
        if moves >= max_activations.max(2) {
            return Err(Error::ActivationLimitReached(format!(
                "licence {id} was moved {moves} times in the last 30 days, as often as it may be: ask the vendor to free this activation (the proof stays valid; keep it)"
            )));
        }
        free_rows(&tx, &covered, now, proof_text.trim()).map_err(&sql)?;
        tx.commit().map_err(&sql)?;
        Ok(answer(true, active.len() - covered.len()))
    }

    /// The vendor frees a licence's activation on the server whose key
    /// starts with `server_key` (hex), without a proof: the server's
    /// computer is gone. Recorded as freed by the vendor.
    ///
    /// # Errors
    /// `activation_mismatch` when no active activation matches (or more than
    /// one does), or a storage error.
    pub fn free(&self, id: LicenseId, server_key: &str, now: Timestamp) -> Result<LedgerEntry> {
        let sql = self.sql("freeing an activation in");
        let prefix = server_key.trim().to_ascii_lowercase();
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&sql)?;
        let active = active_rows(&tx, id).map_err(&sql)?;
        let matching: Vec<&Row> = active
            .iter()
            .filter(|r| !prefix.is_empty() && r.server_key.starts_with(&prefix))
            .collect();
        let [row] = matching.as_slice() else {
            return Err(Error::ActivationMismatch(format!(
                "{} active activation(s) of licence {id} have a server key starting with `{prefix}`; `leasehold authority list --data-dir DIR {id}` shows them",
                matching.len()
            )));
        };
        free_rows(&tx, &[row], now, "freed by the vendor").map_err(&sql)?;
        tx.commit().map_err(&sql)?;
        drop(conn);
        self.entries(Some(id))?
            .into_iter()
            .find(|e| e.server_key == row.server_key && e.activated_at == row.activated_at)
            .ok_or_else(|| Error::Internal("the freed activation is not in the ledger".into()))
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

/// Marks `rows` freed, and forgets freed activations past their keeping.
fn free_rows(conn: &Connection, rows: &[&Row], now: Timestamp, note: &str) -> rusqlite::Result<()> {
    for row in rows {
        conn.execute(
            "UPDATE activations SET freed_at = ?1, proof = ?2 WHERE id = ?3",
            params![now.0, note, row.id],
        )?;
    }
    conn.execute(
        "DELETE FROM activations WHERE freed_at IS NOT NULL AND freed_at < ?1",
        params![now.0 - FREED_KEPT_MS],
    )?;
    Ok(())
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
