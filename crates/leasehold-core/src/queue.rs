//! The fair queue: clients waiting for a seat of a product, in order of
//! arrival. A waiter keeps its ticket alive as a lease is kept alive (every
//! call about it moves its deadline on); one that stops is dropped. When a
//! seat frees, the lease table serves the first eligible waiter
//! (`LeaseTable::serve_waiters`) with a lease it must claim within the claim
//! window. Every rule takes `now`; nothing here reads the clock.

use crate::ids::{LeaseId, Product, TicketId};
use crate::lease::Holder;
use crate::time::Timestamp;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How long a ticket lives without word from its client.
pub const TICKET_SECS: u32 = 30;
/// How long an offered seat waits for its waiter to claim it (its first
/// renewal) before it goes to the next.
pub const CLAIM_SECS: u32 = 30;
/// Most waiters a server keeps, over all products (a stranger cannot grow
/// memory or the store without bound).
pub const MAX_WAITERS: usize = 100_000;
/// Most tickets one address may hold at once (a terminal server has many
/// users behind one address; a stranger inventing client ids has one): a
/// single machine cannot fill the queue and shut everyone else out.
pub const MAX_WAITERS_PER_ADDRESS: u32 = 256;
/// The newest gap's weight in the moving average of gaps between frees.
const GAP_WEIGHT: f64 = 0.2;

/// One client waiting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    pub ticket: TicketId,
    /// Arrival order (never reused; survives a restart with the ticket).
    pub seq: u64,
    pub product: Product,
    pub holder: Holder,
    pub since: Timestamp,
    /// Dropped from the queue at this time unless its client asks again.
    pub alive_until: Timestamp,
    /// Units of an element pool it waits for (1 for a seat).
    pub units: u32,
}

/// Where a waiter stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// 1 = next.
    pub position: u32,
    /// How many wait for the product.
    pub waiting: u32,
    /// When a seat might come its turn, from how often seats freed lately;
    /// `None` before two have.
    pub estimated_at: Option<Timestamp>,
}

/// Why a waiter may not join.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinError {
    /// The queue holds [`MAX_WAITERS`] already.
    Full,
    /// The requester's address holds [`MAX_WAITERS_PER_ADDRESS`] tickets.
    TooManyFromAddress,
}

/// A seat offered to a waiter: its lease, until when the offer stands, and
/// whether the lease is durable yet (a client hears of it only then).
#[derive(Clone, Copy, Debug)]
struct Offer {
    lease: LeaseId,
    until: Timestamp,
    ready: bool,
}

/// What became of a ticket that left the line with a seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offered {
    /// Its lease is being written: nothing to tell yet.
    Pending,
    /// Its lease, durable: tell the client.
    Ready(LeaseId),
}

/// Per product: its waiters in order, and how often seats freed lately.
#[derive(Debug, Default)]
struct Line {
    order: BTreeMap<u64, TicketId>,
    last_free: Option<Timestamp>,
    /// A moving average of the time between seats freeing, ms.
    mean_gap_ms: Option<f64>,
}

/// Every product's queue, and the seats offered to waiters not yet claimed.
#[derive(Debug, Default)]
pub struct WaitQueue {
    waiters: HashMap<TicketId, Waiter>,
    lines: HashMap<Product, Line>,
    /// (client id, user, product, computer) → ticket: one ticket per holder
    /// and computer (clones sharing a client id wait each for a seat of
    /// their own, as they hold one each).
    by_holder: HashMap<(String, String, Product, String), TicketId>,
    /// Tickets per requester address (the peer's IP).
    by_address: HashMap<String, u32>,
    deadlines: BTreeSet<(Timestamp, TicketId)>,
    /// Seats offered to waiters: the ticket finds its lease until claimed
    /// or the offer lapses.
    offers: HashMap<TicketId, Offer>,
    next_seq: u64,
}

fn holder_key(product: &Product, holder: &Holder) -> (String, String, Product, String) {
    (
        holder.client_id.0.clone(),
        holder.user.clone(),
        product.clone(),
        holder.computer.to_text(),
    )
}

/// The machine a request came from: its address without the port.
fn address_key(holder: &Holder) -> String {
    holder
        .address
        .parse::<std::net::SocketAddr>()
        .map_or_else(|_| holder.address.clone(), |a| a.ip().to_string())
}

impl WaitQueue {
    /// Puts `holder` at the end of `product`'s queue, or gives back the
    /// ticket it already has there (kept alive).
    ///
    /// # Errors
    /// [`JoinError::Full`] when the server holds [`MAX_WAITERS`].
    pub fn join(
        &mut self,
        product: &Product,
        holder: &Holder,
        now: Timestamp,
    ) -> Result<TicketId, JoinError> {
        self.join_units(product, holder, 1, now)
    }

    /// [`WaitQueue::join`] for `units` of an element pool (a holder already
    /// waiting keeps the units it first asked for).
    ///
    /// # Errors
    /// As [`WaitQueue::join`].
    pub fn join_units(
        &mut self,
        product: &Product,
        holder: &Holder,
        units: u32,
        now: Timestamp,
    ) -> Result<TicketId, JoinError> {
        if let Some(&ticket) = self.by_holder.get(&holder_key(product, holder)) {
            self.keep_alive(ticket, now);
            return Ok(ticket);
        }
        if self.waiters.len() >= MAX_WAITERS {
            return Err(JoinError::Full);
        }
        if self
            .by_address
            .get(&address_key(holder))
            .copied()
            .unwrap_or(0)
            >= MAX_WAITERS_PER_ADDRESS
        {
            return Err(JoinError::TooManyFromAddress);
        }
        let waiter = Waiter {
            ticket: TicketId::random(),
            seq: self.next_seq,
            product: product.clone(),
            holder: holder.clone(),
            since: now,
            alive_until: now.plus_millis(i64::from(TICKET_SECS) * 1000),
            units: units.max(1),
        };
        let ticket = waiter.ticket;
        self.restore(waiter);
        Ok(ticket)
    }

    /// Puts a waiter back as it was (loading the store after a restart).
    pub fn restore(&mut self, waiter: Waiter) {
        self.next_seq = self.next_seq.max(waiter.seq + 1);
        self.lines
            .entry(waiter.product.clone())
            .or_default()
            .order
            .insert(waiter.seq, waiter.ticket);
        self.by_holder
            .insert(holder_key(&waiter.product, &waiter.holder), waiter.ticket);
        *self
            .by_address
            .entry(address_key(&waiter.holder))
            .or_insert(0) += 1;
        self.deadlines.insert((waiter.alive_until, waiter.ticket));
        self.waiters.insert(waiter.ticket, waiter);
    }

    /// Gives every waiter [`TICKET_SECS`] from `now` (a server starting: its
    /// clients had no one to ask while it was down).
    pub fn keep_all_alive(&mut self, now: Timestamp) {
        let tickets: Vec<TicketId> = self.waiters.keys().copied().collect();
        for t in tickets {
            self.keep_alive(t, now);
        }
    }

    /// Moves the ticket's deadline on; false when it is not waiting.
    pub fn keep_alive(&mut self, ticket: TicketId, now: Timestamp) -> bool {
        let Some(w) = self.waiters.get_mut(&ticket) else {
            return false;
        };
        let until = now.plus_millis(i64::from(TICKET_SECS) * 1000);
        if until > w.alive_until {
            self.deadlines.remove(&(w.alive_until, ticket));
            w.alive_until = until;
            self.deadlines.insert((until, ticket));
        }
        true
    }

    /// Takes the waiter out of the queue (it left, was removed, or got a seat).
    pub fn leave(&mut self, ticket: TicketId) -> Option<Waiter> {
        let w = self.waiters.remove(&ticket)?;
        self.deadlines.remove(&(w.alive_until, ticket));
        self.by_holder.remove(&holder_key(&w.product, &w.holder));
        let address = address_key(&w.holder);
        if let Some(n) = self.by_address.get_mut(&address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.by_address.remove(&address);
            }
        }
        if let Some(line) = self.lines.get_mut(&w.product) {
            line.order.remove(&w.seq);
        }
        Some(w)
    }

    /// Drops waiters whose clients stopped asking, and offers that lapsed.
    pub fn expire_due(&mut self, now: Timestamp) -> Vec<Waiter> {
        let due: Vec<TicketId> = self
            .deadlines
            .iter()
            .take_while(|(t, _)| *t <= now)
            .map(|(_, id)| *id)
            .collect();
        self.offers.retain(|_, o| o.until > now);
        due.into_iter().filter_map(|t| self.leave(t)).collect()
    }

    /// The earliest ticket deadline.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    #[must_use]
    pub fn get(&self, ticket: TicketId) -> Option<&Waiter> {
        self.waiters.get(&ticket)
    }

    /// The product's waiters, first first.
    pub fn waiting(&self, product: &Product) -> impl Iterator<Item = &Waiter> {
        self.lines
            .get(product)
            .into_iter()
            .flat_map(|l| l.order.values())
            .filter_map(|t| self.waiters.get(t))
    }

    /// Whether `holder` waits in `product`'s line (has a ticket).
    #[must_use]
    pub fn waits(&self, product: &Product, holder: &Holder) -> bool {
        self.by_holder.contains_key(&holder_key(product, holder))
    }

    /// How many wait for `product`.
    #[must_use]
    pub fn len_of(&self, product: &Product) -> usize {
        self.lines.get(product).map_or(0, |l| l.order.len())
    }

    /// How many wait, over all products.
    #[must_use]
    pub fn len(&self) -> usize {
        self.waiters.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.waiters.is_empty()
    }

    /// Products someone waits for.
    pub fn products(&self) -> impl Iterator<Item = &Product> {
        self.lines
            .iter()
            .filter(|(_, l)| !l.order.is_empty())
            .map(|(p, _)| p)
    }

    /// Where the ticket stands, or `None` when it does not wait.
    #[must_use]
    pub fn place(&self, ticket: TicketId, now: Timestamp) -> Option<Place> {
        let w = self.waiters.get(&ticket)?;
        let line = self.lines.get(&w.product)?;
        let ahead = line.order.range(..w.seq).count();
        let position = u32::try_from(ahead + 1).unwrap_or(u32::MAX);
        let estimated_at = line.mean_gap_ms.map(|gap| {
            // Seats free one after another about `gap` apart.
            let ms = gap * f64::from(position);
            #[allow(clippy::cast_possible_truncation)]
            now.plus_millis(ms.min(1e12) as i64)
        });
        Some(Place {
            position,
            waiting: u32::try_from(line.order.len()).unwrap_or(u32::MAX),
            estimated_at,
        })
    }

    /// A seat of `product` freed at `now`: feeds the estimate.
    pub fn seat_freed(&mut self, product: &Product, now: Timestamp) {
        let Some(line) = self.lines.get_mut(product) else {
            return; // nobody waits: nothing to estimate for
        };
        if let Some(last) = line.last_free {
            #[allow(clippy::cast_precision_loss)]
            let gap = (now.0 - last.0).max(0) as f64;
            line.mean_gap_ms = Some(match line.mean_gap_ms {
                Some(mean) => mean * (1.0 - GAP_WEIGHT) + gap * GAP_WEIGHT,
                None => gap,
            });
        }
        line.last_free = Some(now);
    }

    /// The waiter of `ticket` was given lease `lease`: out of the queue, the
    /// offer kept until `until` so its client finds it, once the lease is
    /// durable ([`WaitQueue::offer_ready`]).
    pub fn offered(
        &mut self,
        ticket: TicketId,
        lease: LeaseId,
        until: Timestamp,
    ) -> Option<Waiter> {
        let w = self.leave(ticket)?;
        let offer = Offer {
            lease,
            until,
            ready: false,
        };
        self.offers.insert(ticket, offer);
        Some(w)
    }

    /// The offered lease is durable: its client may hear of it.
    pub fn offer_ready(&mut self, ticket: TicketId) {
        if let Some(o) = self.offers.get_mut(&ticket) {
            o.ready = true;
        }
    }

    /// The seat offered to `ticket`, if the offer stands.
    #[must_use]
    pub fn offer(&self, ticket: TicketId) -> Option<Offered> {
        self.offers.get(&ticket).map(|o| {
            if o.ready {
                Offered::Ready(o.lease)
            } else {
                Offered::Pending
            }
        })
    }

    /// The offer was taken up (or its lease ended): forget it.
    pub fn forget_offer(&mut self, ticket: TicketId) {
        self.offers.remove(&ticket);
    }
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
