//! The server's SQLite store: everything that must survive a restart
//! (identity, licenses, leases, trusted keys, settings, events) in
//! `DATA_DIR/leasehold.db`, written by one thread with group commit.
//!
//! [`Store::open`] loads everything once; after that the server keeps its state
//! in memory and sends [`Op`]s here, answered only once they are durable.

mod accounts;
mod alerts;
mod error;
pub(crate) mod files;
mod history;
mod load;
mod query;
mod reads;
mod renew;
mod report;
mod retention;
mod schema;
mod spends;
#[cfg(test)]
mod tests;
mod writer;

pub use accounts::{StoredAccount, StoredToken};
pub use error::{Failure, StoreError};
pub use files::{IDENTITY_FILE, LOCK_FILE, TOKEN_FILE};
pub use history::{HistoryQuery, MAX_POINTS};
pub use query::MAX_EVENTS;
pub use renew::renew_admin_token;
pub use report::MAX_REPORT_EVENTS;
pub(crate) use report::ReportData;
pub use retention::Retention;
pub use spends::{LedgerQuery, MAX_ENTRIES};
pub use writer::LostRenewalsHook;

use leasehold_core::event::{Event, EventKind};
use leasehold_core::lease::Lease;
use leasehold_core::table::LeaseTable;
use leasehold_core::{LeaseId, LicenseId, ServerId, Timestamp};
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use tokio::sync::oneshot;
use writer::{Msg, Writer};

/// SQLite's `quick_check`: a damaged database is refused at start with
/// what to do, rather than failing later in the data path.
fn quick_check(conn: &Connection, dir: &Path) -> Result<(), StoreError> {
    let verdict: String = conn
        .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
        .map_err(|e| StoreError::sqlite("checking the database", dir, &e))?;
    if verdict == "ok" {
        return Ok(());
    }
    Err(StoreError::Corrupt(format!(
        "{} is damaged ({verdict}); stop here and restore it from a backup (`leasehold admin backup` makes one; see the README), or move the data directory away to start as a new server",
        dir.join(DB_FILE).display()
    )))
}

/// The database file inside the data directory.
pub const DB_FILE: &str = "leasehold.db";

/// How hard a commit works to survive a failure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// `PRAGMA synchronous = FULL`: a commit survives power loss (the default).
    #[default]
    Full,
    /// `PRAGMA synchronous = NORMAL` (WAL): a commit survives a process crash,
    /// but the last commits may be lost on power loss.
    Normal,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreOptions {
    pub durability: Durability,
    /// What the event log keeps (by age and count).
    pub retention: Retention,
}

/// Everything stored, as read on open.
pub struct Snapshot {
    pub server_id: ServerId,
    /// The server's Ed25519 secret seed, made on the first open.
    pub server_key: [u8; 32],
    /// The admin API's bearer token (64 hex digits), made on the first open
    /// and also kept in `DATA_DIR/admin-token` (owner-only).
    pub admin_token: String,
    pub licenses: Vec<StoredLicense>,
    /// Every stored lease, including those that expired while the server was
    /// down (the engine ends those when it starts).
    pub leases: LeaseTable,
    pub trusted_keys: Vec<String>,
    /// The vendor's activation responses, by licence.
    pub activations: BTreeMap<LicenseId, StoredActivation>,
    /// Per deactivated licence: vendor responses made up to this moment are
    /// void here.
    pub deactivations: BTreeMap<LicenseId, Timestamp>,
    /// The deactivation proofs made, by licence (empty before schema 3).
    pub proofs: BTreeMap<LicenseId, String>,
    pub settings: BTreeMap<String, String>,
    /// Consumption tokens spent, summed per product and period.
    pub token_sums: Vec<(leasehold_core::Product, Timestamp, u64)>,
    /// The highest event seq stored (0 when none); the next event takes the
    /// one after.
    pub last_event_seq: u64,
    /// Admin accounts, by name.
    pub accounts: Vec<StoredAccount>,
    /// Their tokens for scripts (digests only).
    pub account_tokens: Vec<StoredToken>,
    /// The newest alerts, oldest first.
    pub alerts: Vec<leasehold_core::wire::alerts::Alert>,
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("server_id", &self.server_id)
            .field("server_key", &"<redacted>")
            .field("admin_token", &"<redacted>")
            .field("licenses", &self.licenses.len())
            .field("leases", &self.leases.len())
            .field("trusted_keys", &self.trusted_keys)
            .field("activations", &self.activations.len())
            .field("deactivations", &self.deactivations.len())
            .field("settings", &self.settings)
            .field("last_event_seq", &self.last_event_seq)
            .finish()
    }
}

/// An activation response as the admin imported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredActivation {
    pub license_id: LicenseId,
    pub response: String,
    pub imported_at: Timestamp,
}

/// A license code as the admin added it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLicense {
    pub license_id: LicenseId,
    pub code: String,
    pub added_at: Timestamp,
}

/// One change to what is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Inserts the lease, or replaces the one with its id.
    PutLease(Lease),
    DeleteLease(LeaseId),
    /// A reconnect's new times for a stored lease (held again: not kept any
    /// more); a lease no longer stored stays gone (unlike `PutLease`, it
    /// never brings a row back).
    UpdateLeaseTimes {
        id: LeaseId,
        renewed_at: Timestamp,
        expires_at: Timestamp,
    },
    /// Inserts the license, or replaces the one with its id.
    PutLicense(StoredLicense),
    DeleteLicense(LicenseId),
    /// Adds a trusted vendor key (already there: nothing happens).
    PutTrustedKey(String),
    PutSetting {
        key: String,
        value: String,
    },
    DeleteSetting {
        key: String,
    },
    /// Keeps the vendor's activation response for a licence (replacing an
    /// older one) and forgets an earlier deactivation of it.
    PutActivation(StoredActivation),
    /// This server stops counting the licence: its activation goes, and
    /// `at` (the vendor's time of the response deactivated) is kept, so a
    /// response made up to then cannot bring it back.
    Deactivate {
        license_id: LicenseId,
        at: Timestamp,
        /// The signed proof made for the vendor, kept to show or send again.
        proof: String,
    },
    /// A client joined a product's queue.
    PutWaiter(leasehold_core::queue::Waiter),
    /// It left the queue (served, gone, removed).
    DeleteWaiter(leasehold_core::TicketId),
    /// The lease is released and kept for its holder (linger).
    MarkLingering(LeaseId),
    /// The lease is a loan (`client borrow`).
    PutBorrow(LeaseId),
    /// A lease took a seat of a feature.
    PutLeaseFeature {
        lease_id: LeaseId,
        feature: String,
    },
    /// It gave it back (its lease's deletion deletes them all).
    DeleteLeaseFeature {
        lease_id: LeaseId,
        feature: String,
    },
    /// A lease released and kept for its holder (linger) holds no feature
    /// seat: all of its go.
    DeleteLeaseFeatures(LeaseId),
    /// A product's named users as they are now (replacing what was stored).
    PutNamedSeats {
        product: leasehold_core::Product,
        seats: leasehold_core::named::NamedSeats,
    },
    /// One minute of usage history per product (`at`: the minute's start);
    /// its hour and day are summed again, and old rows go.
    PutUsage {
        at: Timestamp,
        rows: Vec<(
            leasehold_core::Product,
            leasehold_core::wire::usage::UsagePoint,
        )>,
    },
    /// A spend of consumption tokens; its key stored before fails the
    /// caller's ops with [`StoreError::DuplicateSpend`].
    PutSpend(leasehold_core::tokens::Spent),
    /// Stores the event with the seq the caller gave it. A second event with
    /// a seq already stored is dropped with a warning (the first is kept).
    AppendEvent(Event),
    /// Inserts the admin account, or replaces the one with its name.
    PutAccount(StoredAccount),
    /// Deletes the account and its tokens.
    DeleteAccount(String),
    PutAccountToken(StoredToken),
    DeleteAccountToken(String),
    /// Inserts the alert, or replaces the one with its id (and lets the
    /// oldest go past 1,000).
    PutAlert(leasehold_core::wire::alerts::Alert),
}

/// Which events to read. Filters combine with AND; results come oldest first.
///
/// With `after_seq` the result is the first `limit` events after that seq
/// (paging forward, a live tail); without it, the newest `limit` events that
/// match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventQuery {
    /// Only events with a larger seq.
    pub after_seq: Option<u64>,
    /// Only events at or after this time.
    pub since: Option<Timestamp>,
    /// Only events before this time.
    pub until: Option<Timestamp>,
    /// Only events of these kinds; empty means every kind.
    pub kinds: Vec<EventKind>,
    /// Only events whose message, product, client, user, host or ids contain
    /// this text (ASCII case-insensitive).
    pub text: Option<String>,
    /// At most this many, capped at [`MAX_EVENTS`]; 0 returns nothing.
    pub limit: u32,
}

impl Default for EventQuery {
    /// Every event, the newest 1,000.
    fn default() -> Self {
        Self {
            after_seq: None,
            since: None,
            until: None,
            kinds: Vec::new(),
            text: None,
            limit: 1_000,
        }
    }
}

/// A cheap handle on the open store; clones share one writer thread.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Shared>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.shared.dir)
            .field("closed", &self.shared.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

struct Shared {
    dir: PathBuf,
    /// To the writer thread. Declared first so it is dropped first: the
    /// writer then sees the channel close and stops before `held` unlocks.
    tx: Sender<Msg>,
    /// Set by `close()`; later calls fail fast with `Closed`.
    closed: AtomicBool,
    /// The read connection for `events()`; `None` once closed.
    reader: Arc<Mutex<Option<Connection>>>,
    /// Told which renewals a failed batch did not write.
    lost_renewals: writer::LostRenewals,
    held: Held,
}

/// The writer thread and the directory lock, let go of in that order.
struct Held {
    thread: Mutex<Option<JoinHandle<()>>>,
    lock: Mutex<Option<File>>,
}

impl Held {
    fn release(&self) {
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread
            && thread.join().is_err()
        {
            tracing::error!("the store's writer thread panicked");
        }
        let lock = self
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(lock);
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.release();
    }
}

impl Store {
    /// Creates the data dir if missing (0700 on unix), takes an exclusive lock
    /// on `DATA_DIR/leasehold.lock`, opens `leasehold.db` in WAL mode, runs
    /// migrations, and loads everything. The first open also makes the
    /// server's id, key and admin token, and writes the token to
    /// `DATA_DIR/admin-token` (0600), again whenever that file is missing.
    ///
    /// # Errors
    /// `Locked` when another process has the directory open; `NewerSchema`
    /// (nothing changed) when a newer Leasehold wrote it; `Corrupt` when the
    /// database or the server identity cannot be read; `Io` / `Sqlite` for
    /// anything else, with a sentence saying what to do.
    pub fn open(data_dir: &Path, opts: StoreOptions) -> Result<(Store, Snapshot), StoreError> {
        Self::open_with(data_dir, opts, schema::MIGRATIONS)
    }

    fn open_with(
        dir: &Path,
        opts: StoreOptions,
        steps: &[&str],
    ) -> Result<(Store, Snapshot), StoreError> {
        files::create_dir(dir)?;
        let lock = files::lock_dir(dir)?;
        files::refuse_lost_identity(dir)?;
        files::remove_leftover_backups(dir);
        files::secure_db_files(dir)?;
        let db = dir.join(DB_FILE);
        let supported = u32::try_from(steps.len()).unwrap_or(u32::MAX);
        if std::fs::metadata(&db).is_ok_and(|m| m.len() > 0) {
            let found = schema::probe_version(&db, dir)?;
            if found > supported {
                return Err(StoreError::NewerSchema { found, supported });
            }
        }
        let sql = |e: rusqlite::Error| StoreError::sqlite("opening the database", dir, &e);
        let mut conn = Connection::open_with_flags(
            &db,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sql)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(sql)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "the database could not switch to WAL mode");
        }
        let sync = match opts.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync).map_err(sql)?;
        // The writer touches random pages of the lease table's B-trees; with
        // SQLite's 2 MB default it re-reads them from the kernel on every
        // batch (BENCHMARKS.md, cause 2). 32 MB holds the hot interior pages
        // of a million-lease table.
        conn.pragma_update(None, "cache_size", -32_768)
            .map_err(sql)?;
        conn.set_prepared_statement_cache_capacity(32);
        quick_check(&conn, dir)?;
        retention::enable_incremental_vacuum(&conn);
        schema::keep_copy_before_upgrade(&conn, steps, dir)?;
        schema::migrate(&mut conn, steps, dir)?;
        match retention::prune(&conn, opts.retention, Timestamp::now()) {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, "events past their retention were deleted"),
            Err(e) => tracing::warn!(error = %e, "pruning old events failed"),
        }
        let snapshot = load::load(&mut conn, dir)?;
        files::ensure_token_file(dir, &snapshot.admin_token)?;
        files::ensure_identity_file(dir, &snapshot.server_id.to_string())?;

        let reader = Connection::open_with_flags(
            &db,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql)?;
        reader
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sql)?;

        let (tx, rx) = std::sync::mpsc::channel();
        let lost_renewals = writer::LostRenewals::default();
        let writer = Writer::new(
            conn,
            dir.to_path_buf(),
            rx,
            lost_renewals.clone(),
            opts.retention,
        );
        let thread = std::thread::Builder::new()
            .name("leasehold-store".into())
            .spawn(move || writer.run())
            .map_err(|e| StoreError::io("starting the writer thread for", dir, &e))?;
        let store = Store {
            shared: Arc::new(Shared {
                dir: dir.to_path_buf(),
                tx,
                closed: AtomicBool::new(false),
                reader: Arc::new(Mutex::new(Some(reader))),
                lost_renewals,
                held: Held {
                    thread: Mutex::new(Some(thread)),
                    lock: Mutex::new(Some(lock)),
                },
            }),
        };
        tracing::debug!(dir = %dir.display(), leases = snapshot.leases.len(), "store opened");
        Ok((store, snapshot))
    }

    /// The data directory this store lives in.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// Applies ops durably (per [`Durability`]) in one transaction together
    /// with whatever other callers submitted meanwhile (group commit). Returns
    /// only after the commit. Each call's ops apply all or none.
    ///
    /// # Errors
    /// `Closed` after [`Store::close`]; when the batch's transaction fails,
    /// nothing of the batch is applied and every caller in it gets the error
    /// (`storage_full` when the disk is full).
    pub async fn apply(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        self.enqueue(ops).await
    }

    /// Queues ops at once (in the order callers queue them: call it under
    /// the lock that decided them, so the store sees changes in the order
    /// the lease table made them) and returns a future of their commit, as
    /// [`Store::apply`]. Queued ops are written even if the future is dropped.
    pub fn enqueue(&self, ops: Vec<Op>) -> impl Future<Output = Result<(), StoreError>> + use<> {
        let (reply, answer) = oneshot::channel();
        let sent = !self.shared.closed.load(Ordering::Acquire)
            && self
                .shared
                .tx
                .send(Msg::Write {
                    ops,
                    reply: Some(reply),
                })
                .is_ok();
        async move {
            if !sent {
                return Err(StoreError::Closed);
            }
            answer.await.unwrap_or(Err(StoreError::Closed))
        }
    }

    /// Queues ops to go with the next batch without waiting (for events that
    /// need not block a reply). A failure is logged, not returned.
    pub fn submit(&self, ops: Vec<Op>) {
        self.send_unanswered(Msg::Write { ops, reply: None });
    }

    /// Queues a renewal's new times for the next batch without waiting; a
    /// lease no longer stored is left alone. Renewals ride along with the
    /// batch (written after its other ops, the newest per lease only), so
    /// the hot path costs one channel send, not a transaction.
    pub fn renew(&self, id: LeaseId, renewed_at: Timestamp, expires_at: Timestamp) {
        self.send_unanswered(Msg::Renew {
            id,
            renewed_at,
            expires_at,
        });
    }

    /// Sets who is told the ids of renewals that a failed batch did not
    /// write, so that their next renewal writes again: the deadline a store
    /// is believed to hold only advances when its write committed.
    pub fn on_lost_renewals(&self, hook: LostRenewalsHook) {
        self.shared.lost_renewals.set(hook);
    }

    fn send_unanswered(&self, msg: Msg) {
        if self.shared.closed.load(Ordering::Acquire) || self.shared.tx.send(msg).is_err() {
            tracing::warn!("ops submitted after the store closed were dropped");
        }
    }

    /// Writes a consistent copy of the whole database to `to` (which must
    /// not exist), owner-only, while the server keeps running: SQLite's
    /// `VACUUM INTO` on a connection of its own reads one snapshot.
    ///
    /// # Errors
    /// `Closed` after [`Store::close`]; `Io` when `to` cannot be created
    /// (exists, no room); `Sqlite` when the copy fails (`storage_full`).
    pub async fn backup_to(&self, to: PathBuf) -> Result<(), StoreError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let dir = self.shared.dir.clone();
        tokio::task::spawn_blocking(move || {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            opts.open(&to)
                .map_err(|e| StoreError::io("creating the backup file", &to, &e))?;
            let copy = || -> Result<(), rusqlite::Error> {
                let conn = Connection::open_with_flags(
                    dir.join(DB_FILE),
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn.execute("VACUUM INTO ?1", [to.to_string_lossy()])?;
                Ok(())
            };
            copy().map_err(|e| {
                let _ = std::fs::remove_file(&to);
                StoreError::sqlite("making a backup", &dir, &e)
            })
        })
        .await
        .unwrap_or(Err(StoreError::Closed))
    }

    /// Writes what is queued, stops the writer thread, closes the database
    /// and releases the directory lock. Later `apply()` calls get `Closed`.
    /// Closing twice is harmless.
    pub async fn close(&self) {
        self.shared.closed.store(true, Ordering::Release);
        let (done, finished) = oneshot::channel();
        if self.shared.tx.send(Msg::Close(done)).is_ok() {
            let _ = finished.await;
        }
        let shared = Arc::clone(&self.shared);
        let released = tokio::task::spawn_blocking(move || {
            let reader = shared
                .reader
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            drop(reader);
            shared.held.release();
        })
        .await;
        if released.is_err() {
            tracing::error!("releasing the store failed");
        }
        tracing::debug!(dir = %self.shared.dir.display(), "store closed");
    }
}
