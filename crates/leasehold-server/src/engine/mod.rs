//! The engine: the lease table, the license codes and the store, joined by
//! the rules of when something is durable and what gets logged. HTTP handlers
//! are thin calls into it.

mod activation;
mod borrow;
mod chain;
mod computers;
mod denials;
mod ending;
pub mod expiry;
mod features;
mod history;
mod leases;
mod licenses;
mod named;
mod policy;
pub mod queue;
mod report;
mod set_back;
mod signer;
mod tokens;
mod views;

use crate::clock::Clock;
use crate::error::Result;
use crate::events::EventLog;
use crate::metrics::Metrics;
use crate::store::{Op, Snapshot, Store};
use crate::trust::TrustedKeys;
use ed25519_dalek::SigningKey;
use leasehold_core::event::{Event, EventKind};
use leasehold_core::lease::Ending;
use leasehold_core::table::LeaseTable;
use leasehold_core::{LicenseId, ServerId, Timestamp};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::Notify;

pub use activation::ActivationStatus;
pub use computers::{ComputersRequest, FRESH_FOR, REBUILD_INLINE_MAX};
pub(crate) use leases::check_field;
pub use licenses::LicenseRecord;

/// The setting holding the last wall time this server saw (ms), written
/// about once a minute and at stop; a clock far behind it at start is reported.
pub const LAST_SEEN_SETTING: &str = "last_seen_at";
/// The setting holding the admin's mDNS switch (`on` / `off`), so it
/// survives a restart (`serve --no-mdns` still wins).
pub const MDNS_SETTING: &str = "mdns";
/// The setting that keeps the activation authority's address.
pub const AUTHORITY_SETTING: &str = "authority_url";
/// The last wall time a server on this store saw, if it noted one.
#[must_use]
pub fn last_seen(settings: &BTreeMap<String, String>) -> Option<Timestamp> {
    settings
        .get(LAST_SEEN_SETTING)
        .and_then(|v| v.parse().ok())
        .map(Timestamp)
}

/// How often the last wall time seen is stored.
const NOTE_TIME_EVERY_MS: i64 = 60_000;

/// Who this server is.
#[derive(Clone, Debug)]
pub struct Identity {
    pub server_id: ServerId,
    pub server_name: String,
    pub version: &'static str,
}

/// A cheap handle to the shared engine.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Clock,
    identity: Identity,
    signer: signer::GrantSigner,
    /// Shared with the store's writer, which marks renewals it failed to
    /// write (see [`Store::on_lost_renewals`]).
    table: Arc<Mutex<LeaseTable>>,
    licenses: Mutex<BTreeMap<LicenseId, LicenseRecord>>,
    /// Taken after `licenses` when both are needed, never before.
    binding: Mutex<activation::Binding>,
    /// Taken alone (see `chain.rs`).
    chains: Mutex<chain::Chains>,
    /// Held by an activation import or a deactivation, across its write.
    activating: tokio::sync::Mutex<()>,
    /// While the clock is set back, what was seen (see `set_back.rs`).
    /// Taken alone, or last (after `licenses`).
    set_back: Mutex<Option<leasehold_core::wire::admin::ClockSetBack>>,
    trust: Mutex<TrustedKeys>,
    store: Store,
    events: EventLog,
    metrics: Metrics,
    started_at: Timestamp,
    /// Wakes the sweeper when a lease with an earlier deadline than the one
    /// it sleeps towards appears.
    sweeper: Notify,
    sweeper_deadline: AtomicI64,
    /// Ended leases whose deletion failed to commit (disk full): their seats
    /// stay taken, and the sweeper retries them.
    unsettled: Mutex<Vec<ending::Ended>>,
    /// Writing ends is failing (logged once per streak).
    ends_failing: std::sync::atomic::AtomicBool,
    /// Denials summed per product per interval (see `denials.rs`).
    denials: Mutex<denials::DenialLog>,
    /// Renewals whose deadline write failed (written again at their next
    /// renewal); `/metrics` shows it.
    renewals_unstored: Arc<AtomicU64>,
    /// The latest wall time written to [`LAST_SEEN_SETTING`] (ms; 0: never).
    time_noted: AtomicI64,
    /// A clock behind `time_noted` was logged (once until it is right).
    clock_warned: std::sync::atomic::AtomicBool,
    /// The Computers list's sorted copy (see `computers.rs`).
    computers: computers::ComputersIndex,
    /// A write of seats for waiters failed: serve again at the next sweep.
    serve_again: std::sync::atomic::AtomicBool,
    /// Named-user changes one at a time, each through its write: a failed
    /// write's undo then puts back exactly what was there before it.
    named_changes: tokio::sync::Mutex<()>,
    /// The next moment a code starts or stops counting (ms; `i64::MAX`:
    /// none): the sweep then renews the chains and serves waiters.
    codes_change_at: AtomicI64,
    /// Bumped at every change of the queue: clients following a ticket wake.
    queue_watch: tokio::sync::watch::Sender<u64>,
    /// Consumption tokens: the sums per product and period and the spends
    /// being written (see `tokens.rs`). Taken alone, or after `table`.
    ledger: Mutex<leasehold_core::tokens::Ledger>,
    /// Bumped at the end of every spend's write: a key sent again while its
    /// first spend was being written asks again then.
    spends_watch: tokio::sync::watch::Sender<u64>,
    /// The minute of usage history running (see `history.rs`). Taken alone,
    /// or after `table`.
    usage: Mutex<history::MinuteRunning>,
    /// `policy.toml`: where it is and what was last read from it.
    policy: Mutex<policy::PolicyFile>,
    /// Days before a code's last day it is warned of (see `expiry.rs`).
    expiry_window: std::sync::atomic::AtomicU32,
}

impl Engine {
    /// Builds the engine from what the store loaded: verifies every stored
    /// code against the trusted keys, puts unexpired leases back, and
    /// reclaims (and logs) leases that expired while the server was down.
    #[must_use]
    pub fn load(
        snapshot: Snapshot,
        store: Store,
        trust: TrustedKeys,
        server_name: String,
        clock: Clock,
    ) -> Self {
        let now = clock.now();
        let last_seen = last_seen(&snapshot.settings);
        let expiry_window = expiry::stored_window(&snapshot.settings);
        let events = EventLog::new(store.clone(), snapshot.last_event_seq);
        let mut table = snapshot.leases;
        // Waiters had no one to ask while the server was down.
        table.queue_mut().keep_all_alive(now);
        let server_key = SigningKey::from_bytes(&snapshot.server_key);
        let binding = activation::Binding {
            server_key: server_key.verifying_key().to_bytes(),
            computer: leasehold_host::this_computer(),
            activations: snapshot.activations,
            deactivations: snapshot.deactivations,
            proofs: snapshot.proofs,
        };
        let mut records = BTreeMap::new();
        let keys = trust.keys();
        for stored in snapshot.licenses {
            let mut record = LicenseRecord::check(&stored, &keys);
            record.activation = binding.status(stored.license_id, &record, &keys);
            if let Some(terms) = record.counting_terms() {
                table.add_license(terms.clone());
            }
            records.insert(stored.license_id, record);
        }
        // Expired while the server was down: nobody can renew them, so their
        // seats are free at once (the deletes follow).
        let reclaimed = table.expire_due(now);
        for lease in &reclaimed {
            table.settle(lease);
        }
        if !reclaimed.is_empty() {
            tracing::info!(
                count = reclaimed.len(),
                "reclaimed leases that expired while the server was down"
            );
            store.submit(reclaimed.iter().map(|l| Op::DeleteLease(l.id)).collect());
            events.record_all(reclaimed.iter().map(|l| Event::reclaimed(l, now)).collect());
        }
        let mut ledger = leasehold_core::tokens::Ledger::default();
        for (product, period_start, spent) in snapshot.token_sums {
            ledger.restore(product, period_start, spent);
        }
        // Periods that ended over 400 days ago (a year's period is the
        // longest that renews) need no sum in memory.
        ledger.forget_before(Timestamp(now.0.saturating_sub(400 * 86_400_000)));
        let table = Arc::new(Mutex::new(table));
        let lost = Arc::downgrade(&table);
        let renewals_unstored = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&renewals_unstored);
        store.on_lost_renewals(Box::new(move |ids| {
            counted.fetch_add(ids.len() as u64, Ordering::Relaxed);
            if let Some(table) = lost.upgrade() {
                let mut table = table.lock().unwrap_or_else(PoisonError::into_inner);
                table.mark_unstored(ids);
            }
        }));
        let identity = Identity {
            server_id: snapshot.server_id,
            server_name,
            version: env!("CARGO_PKG_VERSION"),
        };
        let engine = Self {
            inner: Arc::new(Inner {
                clock,
                identity,
                signer: signer::GrantSigner::new(server_key),
                table: Arc::clone(&table),
                licenses: Mutex::new(records),
                binding: Mutex::new(binding),
                chains: Mutex::default(),
                activating: tokio::sync::Mutex::new(()),
                set_back: Mutex::new(None),
                trust: Mutex::new(trust),
                store,
                events,
                metrics: Metrics::default(),
                started_at: now,
                sweeper: Notify::new(),
                sweeper_deadline: AtomicI64::new(i64::MAX),
                unsettled: Mutex::new(Vec::new()),
                ends_failing: std::sync::atomic::AtomicBool::new(false),
                denials: Mutex::default(),
                time_noted: AtomicI64::new(last_seen.map_or(0, |t| t.0)),
                clock_warned: std::sync::atomic::AtomicBool::new(false),
                computers: computers::ComputersIndex::default(),
                policy: Mutex::default(),
                ledger: Mutex::new(ledger),
                usage: Mutex::default(),
                spends_watch: tokio::sync::watch::Sender::new(0),
                queue_watch: tokio::sync::watch::Sender::new(0),
                serve_again: std::sync::atomic::AtomicBool::new(false),
                codes_change_at: AtomicI64::new(i64::MIN),
                named_changes: tokio::sync::Mutex::new(()),
                renewals_unstored,
                expiry_window: std::sync::atomic::AtomicU32::new(expiry_window),
            }),
        };
        // A clock set back while the server was down is noticed at once.
        engine.check_clock();
        engine
    }

    /// Why writing to the store fails now, when it does (ended leases that
    /// cannot be written keep their seats taken).
    #[must_use]
    pub fn store_failing(&self) -> Option<String> {
        self.inner
            .ends_failing
            .load(Ordering::Relaxed)
            .then(|| "ended leases cannot be written".to_owned())
    }

    /// Renewals whose deadline write failed so far (see `Store::on_lost_renewals`).
    #[must_use]
    pub fn renewals_unstored(&self) -> u64 {
        self.inner.renewals_unstored.load(Ordering::Relaxed)
    }

    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Moves the server's clock ahead and lets the sweeper act on it at once.
    /// For tests of time-based rules; nothing in production calls it.
    pub fn skip_time(&self, d: std::time::Duration) {
        self.inner.clock.skip(d);
        self.inner.sweeper.notify_one();
    }

    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    #[must_use]
    pub fn events(&self) -> &EventLog {
        &self.inner.events
    }

    #[must_use]
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    #[must_use]
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The server's public key (hex), with which it signs grants.
    #[must_use]
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.inner.signer.key().verifying_key().as_bytes())
    }

    /// Records a server start or stop.
    pub fn record(&self, kind: EventKind, message: impl Into<String>) {
        self.inner
            .events
            .record(Event::new(kind, self.now(), message));
    }

    /// Ends every lease whose deadline has passed, and retries ends whose
    /// write failed; returns when to sweep next.
    pub async fn sweep(&self) -> Option<Timestamp> {
        let now = self.now();
        // A failure is logged and kept for a retry inside finish_ends.
        let failed = self
            .end_leases(Ending::Expired, None, |t| t.expire_due(now))
            .await
            .is_err();
        self.expire_waiters(now);
        if self.inner.serve_again.swap(false, Ordering::Relaxed) {
            self.serve_soon();
        }
        // A code began (or stopped) counting since the last sweep: its
        // chain changes and its seats may go to waiters.
        if now.0 >= self.inner.codes_change_at.load(Ordering::Relaxed) {
            self.chains_changed();
        }
        let next = {
            let table = self.table();
            let change = table.pools().next_change(now);
            self.inner
                .codes_change_at
                .store(change.map_or(i64::MAX, |t| t.0), Ordering::Relaxed);
            let leases = table.next_deadline();
            let tickets = table.queue().next_deadline();
            leases.into_iter().chain(tickets).chain(change).min()
        };
        self.flush_denials(now);
        self.roll_usage(now);
        let waiting = self.retry_unsettled().await || failed;
        let next = if waiting {
            let retry = self
                .now()
                .plus_millis(ending::RETRY_ENDS_AFTER.as_millis() as i64);
            Some(next.map_or(retry, |t| t.min(retry)))
        } else {
            next
        };
        self.inner
            .sweeper_deadline
            .store(next.map_or(i64::MAX, |t| t.0), Ordering::Relaxed);
        next
    }

    /// Stores the latest wall time seen, about once a minute. The stored
    /// time never goes back: a clock set back while the server runs is
    /// logged (once) and still reported at the next start.
    pub fn note_time(&self) {
        self.check_clock();
        let now = self.now();
        let last = self.inner.time_noted.load(Ordering::Relaxed);
        if let Some(warning) = crate::clock::check_against_last_seen(now, Some(Timestamp(last))) {
            if !self.inner.clock_warned.swap(true, Ordering::Relaxed) {
                tracing::warn!("{warning}");
            }
            return;
        }
        self.inner.clock_warned.store(false, Ordering::Relaxed);
        if now.0 - last >= NOTE_TIME_EVERY_MS {
            self.note_time_now();
        }
    }

    /// Stores the wall time now, unless a later one was stored (at stop, and
    /// from [`Engine::note_time`]).
    pub fn note_time_now(&self) {
        let now = self.now();
        let previous = self.inner.time_noted.fetch_max(now.0, Ordering::Relaxed);
        if now.0 <= previous {
            return;
        }
        self.inner.store.submit(vec![Op::PutSetting {
            key: LAST_SEEN_SETTING.to_owned(),
            value: now.0.to_string(),
        }]);
    }

    /// Waits until a lease with an earlier deadline than the sweeper's appears.
    pub async fn sweeper_woken(&self) {
        self.inner.sweeper.notified().await;
    }

    fn deadline_added(&self, deadline: Timestamp) {
        let current = self
            .inner
            .sweeper_deadline
            .fetch_min(deadline.0, Ordering::Relaxed);
        if deadline.0 < current {
            self.inner.sweeper.notify_one();
        }
    }

    fn table(&self) -> MutexGuard<'_, LeaseTable> {
        self.inner
            .table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn licenses(&self) -> MutexGuard<'_, BTreeMap<LicenseId, LicenseRecord>> {
        self.inner
            .licenses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Logs a denial, or sums it into its bucket's summary.
    fn record_denial(&self, bucket: denials::Bucket, event: Event) {
        let now = event.at;
        let events = self
            .inner
            .denials
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .deny(bucket, now, event);
        self.inner.events.record_all(events);
    }

    fn flush_denials(&self, now: Timestamp) {
        let events = self
            .inner
            .denials
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush(now);
        self.inner.events.record_all(events);
    }

    fn unsettled(&self) -> MutexGuard<'_, Vec<ending::Ended>> {
        self.inner
            .unsettled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn binding(&self) -> MutexGuard<'_, activation::Binding> {
        self.inner
            .binding
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn trust(&self) -> MutexGuard<'_, TrustedKeys> {
        self.inner
            .trust
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    async fn persist(&self, ops: Vec<Op>) -> Result<()> {
        self.inner.store.apply(ops).await.map_err(Into::into)
    }
}
