//! The writer thread: group commit. It takes everything queued, writes it in
//! one transaction (each caller's ops in their own savepoint), commits once,
//! then answers every waiter. Under load a batch holds hundreds of callers, so
//! one fsync serves them all.

use super::Op;
use super::error::StoreError;
use leasehold_core::event::{CHAIN_START, Event};
use leasehold_core::{LeaseId, Timestamp};
use rusqlite::{Connection, TransactionBehavior, params};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use uuid::Uuid;

/// Prune after this many appended events (or [`PRUNE_EVERY`]), so the
/// pruning query's cost is spread thin.
const PRUNE_AFTER_EVENTS: u64 = 10_000;
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// The most callers in one transaction, so one batch never grows unbounded.
const MAX_BATCH: usize = 8_192;

pub(crate) type Reply = oneshot::Sender<Result<(), StoreError>>;

/// Told the ids of renewals a failed batch did not write.
pub type LostRenewalsHook = Box<dyn Fn(&[LeaseId]) + Send + Sync>;

/// Who hears of renewals a batch failed to write (see
/// [`super::Store::on_lost_renewals`]).
#[derive(Clone, Default)]
pub(crate) struct LostRenewals(Arc<Mutex<Option<LostRenewalsHook>>>);

impl LostRenewals {
    pub(crate) fn set(&self, hook: LostRenewalsHook) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(hook);
    }

    fn tell(&self, ids: &[LeaseId]) {
        if let Some(hook) = &*self.0.lock().unwrap_or_else(PoisonError::into_inner) {
            hook(ids);
        }
    }
}

/// What callers send the writer.
pub(crate) enum Msg {
    /// Ops to write; `reply` is `None` for fire-and-forget submissions.
    Write { ops: Vec<Op>, reply: Option<Reply> },
    /// A lease's new times (fire and forget; see [`super::Store::renew`]).
    Renew {
        id: LeaseId,
        renewed_at: Timestamp,
        expires_at: Timestamp,
    },
    /// Write what is queued before this, then stop; answered once the
    /// connection is closed.
    Close(oneshot::Sender<()>),
}

pub(crate) struct Writer {
    pub conn: Connection,
    pub dir: PathBuf,
    pub rx: Receiver<Msg>,
    /// Events appended since the last pruning.
    events_since_prune: u64,
    last_prune: Instant,
    lost_renewals: LostRenewals,
    retention: super::Retention,
    /// The hash of the last event stored (the next one links to it).
    chain: [u8; 32],
}

/// The hash of the newest event in the chain, or the chain's start.
fn chain_end(conn: &Connection) -> [u8; 32] {
    let hash: Option<String> = conn
        .query_row(
            "SELECT hash FROM events WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    let mut out = CHAIN_START;
    if let Some(hash) = hash
        && hex::decode_to_slice(&hash, &mut out).is_err()
    {
        tracing::warn!("the newest event's hash is damaged; the chain starts again");
        out = CHAIN_START;
    }
    out
}

impl Writer {
    pub(crate) fn new(
        conn: Connection,
        dir: PathBuf,
        rx: Receiver<Msg>,
        lost_renewals: LostRenewals,
        retention: super::Retention,
    ) -> Self {
        Self {
            chain: chain_end(&conn),
            retention,
            lost_renewals,
            conn,
            dir,
            rx,
            events_since_prune: 0,
            last_prune: Instant::now(),
        }
    }

    /// The thread's body: runs until `Close` arrives or every sender is gone.
    pub(crate) fn run(mut self) {
        let mut batch = Batch::default();
        loop {
            let mut closing = None;
            let first = match self.rx.recv() {
                Ok(m) => m,
                Err(_) => break, // every Store handle is gone
            };
            let mut next = Some(first);
            let mut taken = 0;
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Write { ops, reply } => batch.writes.push((ops, reply)),
                    Msg::Renew {
                        id,
                        renewed_at,
                        expires_at,
                    } => {
                        batch.renewals.insert(id, (renewed_at, expires_at));
                    }
                    Msg::Close(done) => {
                        closing = Some(done);
                        break;
                    }
                }
                taken += 1;
                if taken >= MAX_BATCH {
                    break;
                }
                // Empty or disconnected: write what we have.
                next = self.rx.try_recv().ok();
            }
            if taken > 0 {
                self.write_batch(&mut batch);
            }
            if let Some(done) = closing {
                self.finish(done);
                return;
            }
            self.maybe_prune();
        }
        // Dropped without close(): the connection closes with `self`.
    }

    /// Answers whatever arrived after `Close` with `Closed`, closes the
    /// connection, then tells `close()` it is done.
    fn finish(self, done: oneshot::Sender<()>) {
        let Self { conn, rx, .. } = self;
        while let Ok(msg) = rx.try_recv() {
            match msg {
                Msg::Write {
                    reply: Some(reply), ..
                } => {
                    let _ = reply.send(Err(StoreError::Closed));
                }
                Msg::Write { reply: None, .. } | Msg::Renew { .. } => {
                    tracing::warn!("ops submitted after close were dropped")
                }
                Msg::Close(other) => {
                    let _ = other.send(());
                }
            }
        }
        drop(rx);
        if let Err((_, e)) = conn.close() {
            tracing::warn!(error = %e, "closing the database failed");
        }
        let _ = done.send(());
    }

    /// Writes one batch in one transaction and answers every caller in it.
    fn write_batch(&mut self, batch: &mut Batch) {
        let mut outcomes: Vec<Result<(), StoreError>> = Vec::with_capacity(batch.writes.len());
        let committed = self.write_all(batch, &mut outcomes);
        let renewals_stored = match &committed {
            Ok(stored) => *stored,
            Err(e) => {
                if !batch.renewals.is_empty() {
                    tracing::warn!(error = %e, count = batch.renewals.len(), "renewals were not stored");
                }
                false
            }
        };
        if !renewals_stored && !batch.renewals.is_empty() {
            let ids: Vec<LeaseId> = batch.renewals.keys().copied().collect();
            self.lost_renewals.tell(&ids);
        }
        let committed = committed.map(|_| ());
        batch.renewals.clear();
        for (i, (_, reply)) in batch.writes.drain(..).enumerate() {
            let outcome = match &committed {
                Ok(()) => outcomes.get(i).cloned().unwrap_or(Err(StoreError::Closed)),
                Err(e) => Err(e.clone()),
            };
            match reply {
                Some(reply) => {
                    // A caller that stopped waiting is no error.
                    let _ = reply.send(outcome);
                }
                None => {
                    if let Err(e) = outcome {
                        tracing::warn!(error = %e, "submitted ops were not stored");
                    }
                }
            }
        }
    }

    /// The transaction itself; `outcomes[i]` is caller `i`'s own result,
    /// meaningful only if the whole returns `Ok`, which says whether the
    /// batch's renewals were written too.
    fn write_all(
        &mut self,
        batch: &Batch,
        outcomes: &mut Vec<Result<(), StoreError>>,
    ) -> Result<bool, StoreError> {
        let dir = self.dir.clone();
        let sql = |e: rusqlite::Error| StoreError::sqlite("writing", &dir, &e);
        let mut tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let mut events = 0u64;
        // Moved on only once the batch commits.
        let mut chain = self.chain;
        for (ops, _) in &batch.writes {
            // One caller's bad op must not fail the others: each caller's ops
            // go in a savepoint of their own.
            let mut sp = tx.savepoint().map_err(sql)?;
            let mut result = Ok(());
            let caller_chain = chain;
            for op in ops {
                if let Err(e) = apply_op(&sp, op, &mut chain) {
                    result = Err(match op {
                        Op::PutSpend(s) if super::spends::is_duplicate(&e) => {
                            StoreError::DuplicateSpend {
                                product: s.product.clone(),
                                key: s.key.clone(),
                            }
                        }
                        _ => sql(e),
                    });
                    break;
                }
            }
            match result {
                Ok(()) => {
                    sp.commit().map_err(sql)?;
                    events += ops
                        .iter()
                        .filter(|op| matches!(op, Op::AppendEvent(_)))
                        .count() as u64;
                    outcomes.push(Ok(()));
                }
                Err(e) => {
                    sp.rollback().map_err(sql)?;
                    drop(sp);
                    chain = caller_chain;
                    outcomes.push(Err(e));
                }
            }
        }
        // Last, so a renewal lands after the checkout that stored its lease
        // and does nothing once a release in this batch deleted it. Renewals
        // are best effort: a failure here is logged and the rest commits.
        let mut renewals_stored = true;
        if !batch.renewals.is_empty() {
            let sp = tx.savepoint().map_err(sql)?;
            match write_renewals(&sp, &batch.renewals) {
                Ok(()) => sp.commit().map_err(sql)?,
                Err(e) => {
                    renewals_stored = false;
                    tracing::warn!(error = %e, count = batch.renewals.len(), "renewals were not stored");
                }
            }
        }
        tx.commit().map_err(sql)?;
        self.chain = chain;
        self.events_since_prune += events;
        Ok(renewals_stored)
    }

    fn maybe_prune(&mut self) {
        let due = self.events_since_prune >= PRUNE_AFTER_EVENTS
            || (self.events_since_prune > 0 && self.last_prune.elapsed() >= PRUNE_EVERY);
        if !due {
            return;
        }
        self.events_since_prune = 0;
        self.last_prune = Instant::now();
        match super::retention::prune(&self.conn, self.retention, Timestamp::now()) {
            Ok(0) => {}
            Ok(n) => tracing::debug!(pruned = n, "old events pruned"),
            Err(e) => tracing::warn!(error = %e, "pruning old events failed"),
        }
    }
}

/// What one transaction writes: callers' ops, each in a savepoint of its
/// own, and the newest times of each lease renewed meanwhile.
#[derive(Default)]
struct Batch {
    writes: Vec<(Vec<Op>, Option<Reply>)>,
    renewals: HashMap<LeaseId, (Timestamp, Timestamp)>,
}

fn write_renewals(
    conn: &Connection,
    renewals: &HashMap<LeaseId, (Timestamp, Timestamp)>,
) -> Result<(), rusqlite::Error> {
    let mut update =
        conn.prepare_cached("UPDATE leases SET renewed_at = ?2, expires_at = ?3 WHERE id = ?1")?;
    let mut buf = Uuid::encode_buffer();
    for (id, (renewed_at, expires_at)) in renewals {
        let id = id.0.hyphenated().encode_lower(&mut buf);
        update.execute(params![&*id, renewed_at.0, expires_at.0])?;
    }
    Ok(())
}

fn apply_op(conn: &Connection, op: &Op, chain: &mut [u8; 32]) -> Result<(), rusqlite::Error> {
    match op {
        Op::PutLease(l) => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO leases (id, product, client_id, user, host, app_name, app_version,
                    address, granted_at, renewed_at, expires_at, lease_secs, computer, overdraft, units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                l.id.to_string(),
                l.product.as_str(),
                l.holder.client_id.as_str(),
                l.holder.user,
                l.holder.host,
                l.holder.app_name,
                l.holder.app_version,
                l.holder.address,
                l.granted_at.0,
                l.renewed_at.0,
                l.expires_at.0,
                l.lease_secs,
                l.holder.computer.to_text(),
                l.overdraft,
                l.units,
            ])?;
        }
        Op::UpdateLeaseTimes {
            id,
            renewed_at,
            expires_at,
        } => {
            conn.prepare_cached(
                "UPDATE leases SET renewed_at = ?2, expires_at = ?3, lingering = 0 WHERE id = ?1",
            )?
            .execute(params![id.to_string(), renewed_at.0, expires_at.0])?;
        }
        Op::DeleteLease(id) => {
            conn.prepare_cached("DELETE FROM leases WHERE id = ?1")?
                .execute([id.to_string()])?;
            conn.prepare_cached("DELETE FROM lease_features WHERE lease_id = ?1")?
                .execute([id.to_string()])?;
            conn.prepare_cached("DELETE FROM borrows WHERE lease_id = ?1")?
                .execute([id.to_string()])?;
        }
        Op::MarkLingering(id) => {
            conn.prepare_cached("UPDATE leases SET lingering = 1 WHERE id = ?1")?
                .execute([id.to_string()])?;
        }
        Op::PutBorrow(id) => {
            conn.prepare_cached("INSERT OR IGNORE INTO borrows (lease_id) VALUES (?1)")?
                .execute([id.to_string()])?;
        }
        Op::PutLeaseFeature { lease_id, feature } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO lease_features (lease_id, feature) VALUES (?1, ?2)",
            )?
            .execute(params![lease_id.to_string(), feature])?;
        }
        Op::DeleteLeaseFeatures(id) => {
            conn.prepare_cached("DELETE FROM lease_features WHERE lease_id = ?1")?
                .execute([id.to_string()])?;
        }
        Op::DeleteLeaseFeature { lease_id, feature } => {
            conn.prepare_cached("DELETE FROM lease_features WHERE lease_id = ?1 AND feature = ?2")?
                .execute(params![lease_id.to_string(), feature])?;
        }
        Op::PutWaiter(w) => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO waiters (ticket, seq, product, client_id, user, host,
                    app_name, app_version, address, computer, since, units)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                w.ticket.to_string(),
                i64::try_from(w.seq).unwrap_or(i64::MAX),
                w.product.as_str(),
                w.holder.client_id.as_str(),
                w.holder.user,
                w.holder.host,
                w.holder.app_name,
                w.holder.app_version,
                w.holder.address,
                w.holder.computer.to_text(),
                w.since.0,
                w.units,
            ])?;
        }
        Op::PutNamedSeats { product, seats } => {
            let state = serde_json::to_string(seats).unwrap_or_default();
            conn.prepare_cached(
                "INSERT OR REPLACE INTO named_seats (product, state) VALUES (?1, ?2)",
            )?
            .execute(params![product.as_str(), state])?;
        }
        Op::DeleteWaiter(ticket) => {
            conn.prepare_cached("DELETE FROM waiters WHERE ticket = ?1")?
                .execute([ticket.to_string()])?;
        }
        Op::PutLicense(l) => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO licenses (license_id, code, added_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![l.license_id.to_string(), l.code, l.added_at.0])?;
        }
        Op::DeleteLicense(id) => {
            conn.prepare_cached("DELETE FROM licenses WHERE license_id = ?1")?
                .execute([id.to_string()])?;
        }
        Op::PutTrustedKey(key) => {
            conn.prepare_cached("INSERT OR IGNORE INTO trusted_keys (key) VALUES (?1)")?
                .execute([key])?;
        }
        Op::PutSetting { key, value } => {
            conn.prepare_cached("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)")?
                .execute([key, value])?;
        }
        Op::DeleteSetting { key } => {
            conn.prepare_cached("DELETE FROM settings WHERE key = ?1")?
                .execute([key])?;
        }
        Op::PutActivation(a) => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO activations (license_id, response, imported_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![a.license_id.to_string(), a.response, a.imported_at.0])?;
            conn.prepare_cached("DELETE FROM deactivations WHERE license_id = ?1")?
                .execute([a.license_id.to_string()])?;
        }
        Op::Deactivate {
            license_id,
            at,
            proof,
        } => {
            conn.prepare_cached("DELETE FROM activations WHERE license_id = ?1")?
                .execute([license_id.to_string()])?;
            conn.prepare_cached(
                "INSERT OR REPLACE INTO deactivations (license_id, void_through, proof) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![license_id.to_string(), at.0, proof])?;
        }
        Op::PutSpend(s) => super::spends::put(conn, s)?,
        Op::PutUsage { at, rows } => super::history::put_minute(conn, *at, rows)?,
        Op::AppendEvent(e) => append_event(conn, e, chain)?,
        Op::PutAccount(a) => super::accounts::put_account(conn, a)?,
        Op::DeleteAccount(name) => super::accounts::delete_account(conn, name)?,
        Op::PutAccountToken(t) => super::accounts::put_token(conn, t)?,
        Op::DeleteAccountToken(id) => super::accounts::delete_token(conn, id)?,
        Op::PutAlert(a) => super::alerts::put(conn, a)?,
    }
    Ok(())
}

/// Stores the event linked to `chain` (the hash of the last one stored),
/// and moves `chain` on to it.
fn append_event(conn: &Connection, e: &Event, chain: &mut [u8; 32]) -> Result<(), rusqlite::Error> {
    let seq =
        i64::try_from(e.seq).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, i64::MAX))?;
    let hash = e.chain_hash(chain);
    let added = conn
        .prepare_cached(
            "INSERT INTO events (seq, at, kind, level, product, client_id, user, host, lease_id,
                license_id, correlation_id, message, prev_hash, hash, actor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (seq) DO NOTHING",
        )?
        .execute(params![
            seq,
            e.at.0,
            e.kind.as_str(),
            e.level.as_str(),
            e.product.as_ref().map(|p| p.as_str()),
            e.client_id.as_ref().map(|c| c.as_str()),
            e.user,
            e.host,
            e.lease_id.map(|id| id.to_string()),
            e.license_id.map(|id| id.to_string()),
            e.correlation_id.map(|id| id.to_string()),
            e.message,
            hex::encode(*chain),
            hex::encode(hash),
            e.by,
        ])?;
    if added == 1 {
        *chain = hash;
    }
    if added == 0 {
        // Two events with one seq is a bug in the caller; keeping the first
        // and saying so is better than failing the grant it came with.
        tracing::warn!(
            seq = e.seq,
            kind = e.kind.as_str(),
            "an event with this seq is already stored; kept the first"
        );
    }
    Ok(())
}
