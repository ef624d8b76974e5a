//! The lease table: who holds which seat until when, and the rules for
//! checking out, renewing, releasing, disconnecting and expiring. Every rule
//! takes "now" as a parameter; the table never reads the clock.

use crate::computer::Computer;
use crate::ids::{ClientId, LeaseId, LicenseId, Product};
use crate::lease::{Ending, Holder, Lease, LeaseError, Renewal};
use crate::license::LicenseTerms;
use crate::listing::{HolderNames, Listed};
use crate::named::NamedUsers;
use crate::policy::{Counted, Counters, Policy, Requester};
use crate::pool::Pools;
use crate::slab::{Interner, Slab, Slot, UNSTORED};
use crate::time::Timestamp;
use hashbrown::HashTable;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

/// How many ended leases are remembered so a late renewal learns why.
const REMEMBERED_ENDINGS: usize = 65_536;

/// What a client asks for when it checks a seat out.
#[derive(Clone, Debug)]
pub struct CheckoutRequest {
    pub product: Product,
    pub holder: Holder,
    /// Units of an element pool asked for (1 for a seat; at most
    /// [`crate::lease::MAX_UNITS`]).
    pub units: u32,
}

/// A granted checkout: the lease, and whether it is one the client already had
/// (a reconnect after a network blip gets its own lease back, renewed).
#[derive(Clone, Debug)]
pub struct Granted {
    pub lease: Lease,
    pub reused: bool,
    /// The client's previous lease, dead but not yet swept, that this
    /// checkout ended and whose seat the new lease took over. The caller
    /// stores its deletion and the new lease in one transaction (and records
    /// its expiry); when that fails, [`LeaseTable::undo_checkout`] puts both
    /// back as they were.
    pub expired: Option<Lease>,
    /// Seats of the product in use with this lease, and licensed now.
    pub in_use: u32,
    pub seats: u32,
}

/// A lease that stopped renewing this long after its renewal was due is
/// stale: a checkout of its holder from another computer may replace it.
pub const STALE_GRACE_MS: i64 = 30_000;

/// What a checkout does with the holder's lease it found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Held {
    /// The same computer's live lease: renewed and given back.
    Reuse,
    /// Dead or stale: ended, its seat taken by the new lease.
    Replace,
}

/// What the table knows of a client id while it holds leases.
#[derive(Debug, Default)]
struct ClientSeen {
    leases: u32,
    /// The computer of its first lease (unknown from an SDK without parts).
    computer: Computer,
    /// Leases of this client id came from computers that are not the same:
    /// a cloned machine image (the Computers list flags it).
    shared: bool,
}

/// Per-product bookkeeping: the deadlines of its leases, earliest first.
#[derive(Debug, Default)]
struct ProductLeases {
    deadlines: BTreeSet<(Timestamp, LeaseId)>,
    /// Leases that have ended but whose end is not yet durable: their seats
    /// still count, so a crash or a failed write can never leave more leases
    /// in the store than seats (see [`LeaseTable::settle`]).
    ending: u32,
    /// Units held beyond one per lease by the leases in `deadlines` (an
    /// element pool's checkouts of k units count k).
    extra_units: u32,
    high_water: u32,
    /// The most and fewest seats in use since [`LeaseTable::take_window`]
    /// last read them (`None`: never read, unchanged).
    window: Option<(u32, u32)>,
    /// What the seat policy's `max` and `reserve` rules for this product
    /// count (none without such rules).
    counters: Option<Counters>,
}

impl ProductLeases {
    fn in_use(&self) -> u32 {
        u32::try_from(self.deadlines.len())
            .unwrap_or(u32::MAX)
            .saturating_add(self.extra_units)
            .saturating_add(self.ending)
    }

    /// Seats in use changed: widen the window's high and low.
    fn note_use(&mut self) {
        let now = self.in_use();
        let (high, low) = self.window.unwrap_or((now, now));
        self.window = Some((high.max(now), low.min(now)));
    }
}

/// The leases held, kept compact (see [`crate::slab`]): slots in a slab, an
/// index by lease id, an index by holder that stores only slot numbers, and
/// per-product deadline sets so the next expiry is found without a scan.
#[derive(Debug, Default)]
pub struct LeaseTable {
    pools: Pools,
    slab: Slab,
    by_id: HashMap<LeaseId, u32>,
    /// Slot numbers, found by the hash of (client id, user, product). One
    /// holder has one lease per computer (see [`crate::computer`]): usually
    /// one, more when computers share a client id.
    by_holder: HashTable<u32>,
    /// Leases per client id, by its hash: how many computers hold a seat,
    /// without a scan. (64-bit hashes; a collision would merge two computers
    /// in the count, at odds of about 1 in 10^13 per million.)
    clients: HashMap<u64, ClientSeen>,
    products: HashMap<Product, ProductLeases>,
    strings: Interner,
    hasher: RandomState,
    endings: HashMap<LeaseId, Ending>,
    ending_order: VecDeque<LeaseId>,
    /// Bumped whenever a lease comes or goes (not on renewal).
    generation: u64,
    /// The admin's seat policy, applied to every new seat.
    policy: Arc<Policy>,
    /// Who may use the products with named users.
    named: NamedUsers,
    /// Leases out on loan (`table_borrow.rs`), with their product.
    borrows: HashMap<LeaseId, Product>,
    /// Feature seats held under leases (`table_features.rs`).
    features: features::FeatureSeats,
    /// Clients waiting for seats, served as seats free (`table_queue.rs`).
    queue: crate::queue::WaitQueue,
    /// Released leases kept for their holders a while (`table_linger.rs`).
    lingering: std::collections::HashSet<LeaseId>,
}

impl LeaseTable {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A table with room for `leases` without growing (a restart knows how
    /// many it loads: growing a million-entry index rehashes it each time).
    #[must_use]
    pub fn with_capacity(leases: usize) -> Self {
        Self {
            slab: Slab::with_capacity(leases),
            by_id: HashMap::with_capacity(leases),
            by_holder: HashTable::with_capacity(leases),
            ..Self::default()
        }
    }

    #[must_use]
    pub fn pools(&self) -> &Pools {
        &self.pools
    }

    /// The named users of every product.
    #[must_use]
    pub fn named(&self) -> &NamedUsers {
        &self.named
    }

    pub fn named_mut(&mut self) -> &mut NamedUsers {
        &mut self.named
    }

    /// The seat policy in force.
    #[must_use]
    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    /// Puts a new seat policy in force: its counters are made from the
    /// leases held now (one pass). Leases already out are not ended.
    pub fn set_policy(&mut self, policy: Arc<Policy>) {
        for (product, p) in &mut self.products {
            p.counters = policy.counters(&product.0);
        }
        for slot in self.slab.iter() {
            let n = &slot.names;
            if let Some(c) = self
                .products
                .get_mut(&*n.product)
                .and_then(|p| p.counters.as_mut())
            {
                policy.count(c, n.user(), n.host(), true);
            }
        }
        self.policy = policy;
    }

    /// What the seat policy would say now to a new seat of `product` for
    /// `user` on `host` (the dry run, and the checkout's own step).
    #[must_use]
    pub fn policy_decision(
        &self,
        product: &Product,
        user: &str,
        host: &str,
        now: Timestamp,
    ) -> crate::policy::Decision {
        let capacity = self.pools.capacity(&product.0, now);
        self.decide_new_seat(product, user, host, capacity, self.in_use(product))
    }

    /// Takes `lease` out of (or puts it back into) its product's policy
    /// counters, for a decision about the lease that replaces it.
    fn count_for_policy(&mut self, lease: Option<&Lease>, add: bool) {
        let Some(lease) = lease else { return };
        let policy = &self.policy;
        if let Some(c) = self
            .products
            .get_mut(&lease.product)
            .and_then(|p| p.counters.as_mut())
        {
            policy.count(c, &lease.holder.user, &lease.holder.host, add);
        }
    }

    /// [`LeaseTable::policy_decision`] with the product's capacity (seats
    /// and overdraft) known already.
    fn decide_new_seat(
        &self,
        product: &Product,
        user: &str,
        host: &str,
        seats: u32,
        in_use: u32,
    ) -> crate::policy::Decision {
        let who = Requester { user, host };
        let counters = self.products.get(product).and_then(|p| p.counters.as_ref());
        match counters {
            Some(c) => {
                self.policy
                    .decide(&product.0, &who, &c.occupancy(&self.policy, seats, in_use))
            }
            None => self.policy.decide(
                &product.0,
                &who,
                &Counted::uncounted(&self.policy, seats, in_use),
            ),
        }
    }

    /// Adds a license code's seats; false when the code is already held.
    pub fn add_license(&mut self, terms: LicenseTerms) -> bool {
        self.pools.add(terms)
    }

    /// Removes a code. Leases already out run to their end; renewals are then
    /// refused while the product is over-subscribed.
    pub fn remove_license(&mut self, id: LicenseId) -> Option<LicenseTerms> {
        self.pools.remove(id)
    }

    #[must_use]
    pub fn get(&self, id: LeaseId) -> Option<Lease> {
        self.slot(id).map(Slot::to_lease)
    }

    /// Every lease, in no particular order (each one copied out).
    pub fn leases(&self) -> impl Iterator<Item = Lease> + '_ {
        self.slab.iter().map(Slot::to_lease)
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.slab.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.slab.len() == 0
    }

    /// Changes whenever a lease is added or taken out; a copy of the list
    /// taken at one generation is complete while it stays the same.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Copies up to `max` leases, from position `start` on, for the Computers
    /// list; where to go on from, or `None` when all are copied. Called in
    /// short pieces so the table is never locked for long.
    pub fn list_from(&self, start: usize, max: usize, out: &mut Vec<Listed>) -> Option<usize> {
        self.slab.list_from(start, max, out)
    }

    /// How many seats the computer `client_id` holds.
    #[must_use]
    pub fn seats_of(&self, client_id: &str) -> u32 {
        let hash = self.hasher.hash_one(client_id);
        self.clients.get(&hash).map_or(0, |c| c.leases)
    }

    /// Whether leases of `client_id` come from more than one computer (a
    /// cloned machine image: each gets its own seat, and the admin should
    /// give the clones their own machine ids).
    #[must_use]
    pub fn is_shared_client(&self, client_id: &str) -> bool {
        let hash = self.hasher.hash_one(client_id);
        self.clients.get(&hash).is_some_and(|c| c.shared)
    }

    /// How many computers hold at least one seat.
    #[must_use]
    pub fn computers(&self) -> usize {
        self.clients.len()
    }

    /// Products that have (or had, since the server started) leases.
    pub fn leased_products(&self) -> impl Iterator<Item = &Product> {
        self.products.keys()
    }

    /// Seats of `product` in use: leases not yet swept (alive or just
    /// expired) and leases whose end is not yet durable.
    #[must_use]
    pub fn in_use(&self, product: &Product) -> u32 {
        self.in_use_of(&product.0)
    }

    fn in_use_of(&self, product: &str) -> u32 {
        self.products.get(product).map_or(0, ProductLeases::in_use)
    }

    /// Leases of `product` that have ended but whose end is not yet durable.
    #[must_use]
    pub fn ending(&self, product: &Product) -> u32 {
        self.products.get(product).map_or(0, |p| p.ending)
    }

    /// The most seats of `product` ever in use at once since the server started.
    #[must_use]
    pub fn high_water(&self, product: &Product) -> u32 {
        self.products.get(product).map_or(0, |p| p.high_water)
    }

    /// The earliest deadline of any lease: when the sweeper must next wake.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.products
            .values()
            .filter_map(|p| p.deadlines.first().map(|(t, _)| *t))
            .min()
    }

    /// Checks a seat out.
    ///
    /// # Errors
    /// [`LeaseError::NoLicense`] when no code names the product,
    /// [`LeaseError::NoValidLicense`] when none counts at `now`,
    /// [`LeaseError::NoSeatFree`] when every seat is taken.
    pub fn checkout(
        &mut self,
        req: &CheckoutRequest,
        now: Timestamp,
    ) -> Result<Granted, LeaseError> {
        let held = self.holder_slot(
            &req.holder.client_id.0,
            &req.holder.user,
            &req.product.0,
            &req.holder.computer,
            now,
        );
        let mut dead = None;
        if let Some((i, held, slot)) =
            held.and_then(|(i, held)| self.slab.get(i).map(|slot| (i, held, slot)))
        {
            let id = slot.id;
            if held == Held::Reuse {
                if !self.named.is_empty() {
                    self.named_may_renew(id, i, now)?;
                }
                self.extend(i, id, now)?;
                self.lingering.remove(&id); // its holder is back
                let slot = self.slab.get_mut(i).ok_or(LeaseError::LeaseNotFound(id))?;
                // The caller stores the whole lease again, with this deadline.
                slot.stored_lead_ms = 0;
                let lease = slot.to_lease();
                return Ok(Granted {
                    in_use: self.in_use(&req.product),
                    seats: self.pools.seats(&req.product, now),
                    lease,
                    reused: true,
                    expired: None,
                });
            }
            // Dead but not yet swept (or stale, see `holder_slot`): if a seat
            // is granted, this lease ends with it (it cannot hold a second
            // seat) and the new lease takes its seat in the same transaction.
            dead = Some(id);
        }
        self.grant_new(req, now, dead, None)
    }

    /// A new lease for `req` (taking `dead`'s seat when given), by the
    /// licence's, named users' and policy's rules. `borrow_secs`: a borrowed
    /// seat of that length, never from the overdraft.
    fn grant_new(
        &mut self,
        req: &CheckoutRequest,
        now: Timestamp,
        dead: Option<LeaseId>,
        borrow_secs: Option<u32>,
    ) -> Result<Granted, LeaseError> {
        let seats = self.pools.seats(&req.product, now);
        if seats == 0 {
            return Err(if self.pools.knows(&req.product) {
                LeaseError::NoValidLicense(req.product.clone())
            } else {
                LeaseError::NoLicense(req.product.clone())
            });
        }
        let units = req.units.max(1);
        if units > 1 {
            self.units_may_be_asked(&req.product, units, now)?;
        }
        if self.pools.units_pool(&req.product, now) {
            self.units_line_first(req, now)?;
        }
        if self.pools.named(&req.product, now) {
            self.named_may_take(req, dead, now)?;
        }
        // The lease this checkout replaces gives its units to the new one.
        let replaced_units = dead
            .and_then(|id| self.by_id.get(&id).copied())
            .and_then(|i| self.slab.get(i))
            .map_or(0, |s| u32::from(s.names.units));
        let in_use = self.in_use(&req.product).saturating_sub(replaced_units);
        let lease_secs = borrow_secs.unwrap_or_else(|| self.pools.lease_secs(&req.product, now));
        let capacity = self.pools.capacity(&req.product.0, now);
        // The lease this checkout replaces is not counted against it: its
        // seat becomes the new one's.
        let replaced = dead.and_then(|id| self.get(id));
        self.count_for_policy(replaced.as_ref(), false);
        let decision = self.decide_new_seat(
            &req.product,
            &req.holder.user,
            &req.holder.host,
            capacity,
            in_use,
        );
        self.count_for_policy(replaced.as_ref(), true);
        if let crate::policy::Decision::Deny(denial) = decision {
            return Err(LeaseError::Policy(denial));
        }
        let limit = if borrow_secs.is_some() {
            seats
        } else {
            capacity
        };
        if in_use.saturating_add(units) > limit {
            let retry_after_secs = self.retry_after_secs(&req.product, now, lease_secs);
            return Err(LeaseError::NoSeatFree {
                product: req.product.clone(),
                seats,
                in_use,
                retry_after_secs,
            });
        }
        let lease = Lease {
            id: LeaseId::random(),
            product: req.product.clone(),
            holder: req.holder.clone(),
            granted_at: now,
            renewed_at: now,
            expires_at: now.plus_millis(i64::from(lease_secs) * 1000),
            lease_secs,
            overdraft: in_use.saturating_add(units) > seats,
            units,
        };
        let expired = dead.and_then(|id| self.unlink(id, Some(Ending::Expired)));
        self.insert(&lease);
        Ok(Granted {
            lease,
            reused: false,
            expired,
            in_use: in_use.saturating_add(units),
            seats,
        })
    }

    /// Puts a lease back as it was, e.g. when loading the store after a
    /// restart. A lease with the same id is replaced.
    pub fn restore(&mut self, lease: Lease) {
        self.unlink(lease.id, None);
        self.insert(&lease);
    }

    /// Takes back a checkout whose write failed: the new lease goes, the
    /// dead lease it replaced comes back (to expire as usual), and a
    /// reconnect's renewed deadline is marked as not stored.
    pub fn undo_checkout(&mut self, granted: &Granted) {
        if granted.reused {
            self.mark_unstored(&[granted.lease.id]);
            return;
        }
        // Gone already when an administrator disconnected it meanwhile; that
        // end settles through its own write.
        self.unlink(granted.lease.id, None);
        if let Some(old) = &granted.expired {
            self.restore(old.clone());
        }
    }

    /// Marks the deadlines of these leases as not stored (their write
    /// failed), so each one's next renewal writes again.
    pub fn mark_unstored(&mut self, ids: &[LeaseId]) {
        for id in ids {
            if let Some(&i) = self.by_id.get(id)
                && let Some(slot) = self.slab.get_mut(i)
            {
                slot.stored_lead_ms = UNSTORED;
            }
        }
    }

    /// Extends a live lease by its length.
    ///
    /// The store need not hear of every renewal. It holds a deadline that is
    /// never earlier than the real one: when a renewal passes it, the store is
    /// given one a whole lease further on ([`Renewal::store_until`]). A client
    /// renewing every third of a lease causes one write in three or four, and
    /// a restart never takes a seat from a client that is still renewing. The
    /// price: after a restart, the seat of a client that had crashed comes
    /// back up to one lease length later than it would have.
    ///
    /// # Errors
    /// Why the lease cannot be renewed: unknown, released, expired,
    /// disconnected, or the product is over-subscribed now.
    pub fn renew(&mut self, id: LeaseId, now: Timestamp) -> Result<Renewal, LeaseError> {
        let Some(&i) = self.by_id.get(&id) else {
            return Err(self.ended_error(id));
        };
        if self.lingering.contains(&id) {
            return Err(LeaseError::LeaseReleased(id)); // kept, not held
        }
        // Renewals are the hot path: no lookup while nothing is on loan.
        if !self.borrows.is_empty() && self.borrows.contains_key(&id) {
            return self.borrowed_renewal(id, i);
        }
        if !self.named.is_empty() {
            self.named_may_renew(id, i, now)?;
        }
        let store_until = self.extend(i, id, now)?;
        let slot = self.slab.get(i).ok_or(LeaseError::LeaseNotFound(id))?;
        let product = Product(slot.names.product.to_string());
        let features_dropped = if self.features_of(id).is_empty() {
            Vec::new()
        } else {
            self.trim_features(id, &product, now)
        };
        let slot = self.slab.get(i).ok_or(LeaseError::LeaseNotFound(id))?;
        Ok(Renewal {
            id,
            product,
            features_dropped,
            client_id: ClientId(slot.names.client_id().to_owned()),
            renewed_at: now,
            expires_at: slot.expires_at,
            lease_secs: slot.lease_secs,
            overdraft: slot.names.overdraft,
            store_until,
        })
    }

    /// The renewal rules on lease `id` in slot `i`: extends it and says what
    /// deadline the store must be given, if any (see [`LeaseTable::renew`]).
    fn extend(
        &mut self,
        i: u32,
        id: LeaseId,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, LeaseError> {
        let slot = self.slab.get(i).ok_or(LeaseError::LeaseNotFound(id))?;
        if !slot.is_alive(now) {
            return Err(LeaseError::LeaseExpired(id));
        }
        let product = slot.names.product.clone();
        let old_deadline = slot.expires_at;
        if self.in_use_of(&product) > self.pools.capacity(&product, now) {
            return Err(LeaseError::OverSubscribed {
                product: Product(product.to_string()),
                expires_at: old_deadline,
            });
        }
        let Some(slot) = self.slab.get_mut(i) else {
            return Err(LeaseError::LeaseNotFound(id));
        };
        let lease_ms = i64::from(slot.lease_secs) * 1000;
        let stored = slot.stored_until();
        let new_deadline = now.plus_millis(lease_ms).max(old_deadline);
        let store_until = (new_deadline > stored || slot.stored_lead_ms == UNSTORED)
            .then(|| new_deadline.plus_millis(lease_ms));
        let lead = store_until.unwrap_or(stored).0 - new_deadline.0;
        slot.renewed_at = now;
        slot.expires_at = new_deadline;
        slot.stored_lead_ms = u32::try_from(lead).unwrap_or(0);
        if let Some(p) = self.products.get_mut(&*product) {
            p.deadlines.remove(&(old_deadline, id));
            p.deadlines.insert((new_deadline, id));
        }
        Ok(store_until)
    }

    /// Ends a lease at the client's request. Releasing twice is not an error:
    /// the second time returns `None`.
    ///
    /// Every way a lease ends (release, disconnect, expiry) takes it out of
    /// the table at once (no renewal or reconnect finds it), but its seat
    /// counts until the caller has made the end durable and calls
    /// [`LeaseTable::settle`].
    pub fn release(&mut self, id: LeaseId) -> Option<Lease> {
        self.end(id, Ending::Released)
    }

    /// Ends one lease at the administrator's request.
    pub fn disconnect(&mut self, id: LeaseId) -> Option<Lease> {
        self.end(id, Ending::Disconnected)
    }

    /// Ends every lease a computer holds.
    pub fn disconnect_client(&mut self, client: &ClientId) -> Vec<Lease> {
        let ids: Vec<LeaseId> = self
            .slab
            .iter()
            .filter(|s| s.names.client_id() == client.0)
            .map(|s| s.id)
            .collect();
        ids.into_iter()
            .filter_map(|id| self.end(id, Ending::Disconnected))
            .collect()
    }

    /// Frees the seat of an ended lease once its end is durable.
    pub fn settle(&mut self, lease: &Lease) {
        if let Some(p) = self.products.get_mut(&lease.product) {
            p.ending = p.ending.saturating_sub(lease.units.max(1));
            p.note_use();
        }
    }

    /// The most and fewest seats of `product` in use since the last call
    /// (in use now, both, when nothing changed), and starts a new window:
    /// the usage history's high and low water marks.
    pub fn take_window(&mut self, product: &Product) -> (u32, u32) {
        match self.products.get_mut(product) {
            Some(p) => {
                let now = p.in_use();
                let window = p
                    .window
                    .map_or((now, now), |(h, l)| (h.max(now), l.min(now)));
                // The next window starts from what is in use now.
                p.window = Some((now, now));
                window
            }
            None => (0, 0),
        }
    }

    /// Ends every lease whose deadline is at or before `now`, earliest first.
    pub fn expire_due(&mut self, now: Timestamp) -> Vec<Lease> {
        let mut due = Vec::new();
        for p in self.products.values() {
            due.extend(p.deadlines.iter().take_while(|(t, _)| *t <= now).copied());
        }
        due.sort_unstable();
        let ended: Vec<Lease> = due
            .into_iter()
            .filter_map(|(_, id)| self.end(id, Ending::Expired))
            .collect();
        if !ended.is_empty() && self.slab.len() < self.strings.len() {
            self.strings.sweep();
        }
        ended
    }

    fn slot(&self, id: LeaseId) -> Option<&Slot> {
        self.by_id.get(&id).and_then(|&i| self.slab.get(i))
    }

    fn holder_hash(&self, client_id: &str, user: &str, product: &str) -> u64 {
        self.hasher.hash_one((client_id, user, product))
    }

    /// The holder's lease a checkout from `computer` takes over: its live
    /// lease from this computer (`Reuse`), else one to end and replace
    /// (`Replace`): its dead, unswept lease from this computer, or a lease
    /// of the holder from a computer that does not match but has stopped
    /// renewing (missed its renewal by [`STALE_GRACE_MS`]) — this computer
    /// restarted with more changed than the rule can tell from a clone (a
    /// reboot without its dock). A live clone renews on time and keeps its
    /// own seat.
    fn holder_slot(
        &self,
        client_id: &str,
        user: &str,
        product: &str,
        computer: &Computer,
        now: Timestamp,
    ) -> Option<(u32, Held)> {
        let hash = self.holder_hash(client_id, user, product);
        let (mut dead, mut stale) = (None, None);
        for &i in self.by_holder.iter_hash(hash) {
            let Some(s) = self.slab.get(i) else { continue };
            let n = &s.names;
            if n.client_id() != client_id || n.user() != user || *n.product != *product {
                continue;
            }
            if !self.borrows.is_empty() && self.borrows.contains_key(&s.id) {
                continue; // out on loan: not a seat to take over
            }
            if n.computer.is_same(computer) {
                if s.is_alive(now) {
                    return Some((i, Held::Reuse));
                }
                dead = Some(i);
            } else if !s.is_alive(now) || s.missed_renewal(now) {
                stale = Some(i);
            }
        }
        dead.or(stale).map(|i| (i, Held::Replace))
    }

    fn insert(&mut self, lease: &Lease) {
        let policy = &self.policy;
        let product = self
            .products
            .entry(lease.product.clone())
            .or_insert_with(|| ProductLeases {
                counters: policy.counters(&lease.product.0),
                // None was in use before the product's first lease.
                window: Some((0, 0)),
                ..ProductLeases::default()
            });
        product.deadlines.insert((lease.expires_at, lease.id));
        product.extra_units = product
            .extra_units
            .saturating_add(lease.units.saturating_sub(1));
        product.high_water = product.high_water.max(product.in_use());
        product.note_use();
        let h = &lease.holder;
        if let Some(c) = product.counters.as_mut() {
            policy.count(c, &h.user, &h.host, true);
        }
        let mut names = HolderNames::new(
            self.strings.get(&lease.product.0),
            self.strings.get(&h.app_name),
            self.strings.get(&h.app_version),
            [&h.client_id.0, &h.user, &h.host, &h.address],
        );
        names.computer = h.computer;
        names.overdraft = lease.overdraft;
        names.units = u16::try_from(lease.units.max(1)).unwrap_or(u16::MAX);
        let slot = Slot {
            id: lease.id,
            names: Arc::new(names),
            granted_at: lease.granted_at,
            renewed_at: lease.renewed_at,
            expires_at: lease.expires_at,
            lease_secs: lease.lease_secs,
            stored_lead_ms: 0,
        };
        let holder_hash = self.holder_hash(&h.client_id.0, &h.user, &lease.product.0);
        let client_hash = self.hasher.hash_one(h.client_id.0.as_str());
        let i = self.slab.insert(slot);
        self.generation = self.generation.wrapping_add(1);
        self.by_id.insert(lease.id, i);
        let hasher = &self.hasher;
        let slab = &self.slab;
        self.by_holder.insert_unique(holder_hash, i, |&j| {
            slab.get(j).map_or(0, |s| {
                hasher.hash_one((s.names.client_id(), s.names.user(), &*s.names.product))
            })
        });
        match self.clients.entry(client_hash) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(ClientSeen {
                    leases: 1,
                    computer: h.computer,
                    shared: false,
                });
            }
            std::collections::hash_map::Entry::Occupied(mut o) => {
                let seen = o.get_mut();
                seen.leases += 1;
                if !seen.computer.is_same(&h.computer) || !h.computer.is_same(&seen.computer) {
                    seen.shared = true;
                }
            }
        }
    }

    fn unindex_holder(&mut self, hash: u64, i: u32) {
        if let Ok(entry) = self.by_holder.find_entry(hash, |&j| j == i) {
            entry.remove();
        }
    }

    /// Ends a lease: see [`LeaseTable::release`]. Its seat counts until
    /// [`LeaseTable::settle`].
    fn end(&mut self, id: LeaseId, how: Ending) -> Option<Lease> {
        let lease = self.unlink(id, Some(how))?;
        if let Some(p) = self.products.get_mut(&lease.product) {
            p.ending = p.ending.saturating_add(lease.units.max(1));
        }
        Some(lease)
    }

    /// Takes a lease out of every index (its seat with it); `how` is
    /// remembered so a late renewal learns why.
    fn unlink(&mut self, id: LeaseId, how: Option<Ending>) -> Option<Lease> {
        let i = *self.by_id.get(&id)?;
        let slot = self.slab.get(i)?;
        let n = &slot.names;
        let holder_hash = self.holder_hash(n.client_id(), n.user(), &n.product);
        let client_hash = self.hasher.hash_one(n.client_id());
        self.unindex_holder(holder_hash, i);
        self.by_id.remove(&id);
        let slot = self.slab.remove(i)?;
        self.lingering.remove(&id);
        self.borrows.remove(&id);
        self.drop_features(id, &Product(slot.names.product.to_string()));
        self.generation = self.generation.wrapping_add(1);
        if let Some(p) = self.products.get_mut(&*slot.names.product) {
            p.deadlines.remove(&(slot.expires_at, id));
            p.extra_units = p
                .extra_units
                .saturating_sub(u32::from(slot.names.units).saturating_sub(1));
            if how.is_none() {
                // Gone at once (an undo, a replacement); an end counts its
                // seat until it settles.
                p.note_use();
            }
            if let Some(c) = p.counters.as_mut() {
                self.policy
                    .count(c, slot.names.user(), slot.names.host(), false);
            }
        }
        if let Some(seen) = self.clients.get_mut(&client_hash) {
            seen.leases -= 1;
            if seen.leases == 0 {
                self.clients.remove(&client_hash);
            }
        }
        if let Some(how) = how {
            self.remember(id, how);
        }
        Some(slot.to_lease())
    }

    fn remember(&mut self, id: LeaseId, how: Ending) {
        if self.endings.insert(id, how).is_none() {
            self.ending_order.push_back(id);
        }
        while self.ending_order.len() > REMEMBERED_ENDINGS {
            if let Some(old) = self.ending_order.pop_front() {
                self.endings.remove(&old);
            }
        }
    }

    fn ended_error(&self, id: LeaseId) -> LeaseError {
        match self.endings.get(&id) {
            Some(Ending::Released) => LeaseError::LeaseReleased(id),
            Some(Ending::Expired) => LeaseError::LeaseExpired(id),
            Some(Ending::Disconnected) => LeaseError::LeaseDisconnected(id),
            None => LeaseError::LeaseNotFound(id),
        }
    }

    /// When a denied client should try again: when the product's first lease
    /// runs out, at least a second and at most one lease length away; in a
    /// second when a lease has ended and its seat is about to be free.
    fn retry_after_secs(&self, product: &Product, now: Timestamp, lease_secs: u32) -> u32 {
        if self.ending(product) > 0 {
            return 1; // a seat frees as soon as its end is written
        }
        let first = self.products.get(product).and_then(|p| p.deadlines.first());
        let secs = first.map_or(u64::from(lease_secs), |(t, _)| now.until(*t).as_secs() + 1);
        u32::try_from(secs)
            .unwrap_or(u32::MAX)
            .clamp(1, lease_secs.max(1))
    }
}

#[path = "table_borrow.rs"]
mod borrow;
#[path = "table_features.rs"]
mod features;
#[path = "table_linger.rs"]
mod linger;
#[path = "table_named.rs"]
mod named_rules;
#[path = "table_queue.rs"]
mod queue_rules;
#[path = "table_units.rs"]
mod units;
pub use features::{FeatureHeld, FeatureUse};
pub use linger::Release;
pub use queue_rules::{Served, Serving, may_wait};

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "table_overdraft_tests.rs"]
mod overdraft_tests;

#[cfg(test)]
#[path = "table_policy_tests.rs"]
mod policy_tests;

#[cfg(test)]
#[path = "table_units_tests.rs"]
mod units_tests;
