//! The fair queue as the server runs it: a checkout that asks to wait joins
//! the product's line (durably, so its place survives a restart); whenever a
//! seat may have freed (an end made durable, a licence added, a policy
//! changed) the first waiters it can go to get it as a lease to claim; a
//! client following its ticket learns at once (long-poll on a watch of the
//! queue), and a waiter whose client stops asking leaves.

use super::Engine;
use super::leases::checkout_ops;
use crate::error::{Error, Result};
use crate::store::Op;
use leasehold_core::event::{Event, EventKind};
use leasehold_core::queue::{JoinError, Offered, TICKET_SECS, Waiter};
use leasehold_core::table::{LeaseTable, Serving, may_wait};
use leasehold_core::wire::client::{CheckoutRequest, LeaseGrant};
use leasehold_core::wire::queue::{LeftQueue, QueueState, Queued, WaiterView, WaitingList};
use leasehold_core::{CorrelationId, Product, TicketId, Timestamp};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Seats given to waiters (and waiters dropped), on their way to the store.
pub(crate) struct ServeWrite {
    serving: Serving,
    written: std::pin::Pin<
        Box<dyn Future<Output = std::result::Result<(), crate::store::StoreError>> + Send>,
    >,
}

/// What a checkout that may wait gets.
#[derive(Debug)]
pub enum Waited {
    Granted(LeaseGrant),
    Queued(Queued),
}

/// Longest a client's question about its ticket is held open.
pub const MAX_POLL_SECS: u32 = 25;
/// A question held open answers a new place only once it has been open this
/// long (a seat, at once): a thousand waiters each told of every move of the
/// line would be a stampede that delays the one who gets the seat.
const NEW_PLACE_AFTER: Duration = Duration::from_secs(1);

impl Engine {
    /// A checkout that waits when no seat is free (nor one the policy could
    /// give it now: `seats_reserved`, `user_limit_reached`): joins the
    /// product's line, durably, and answers its place.
    ///
    /// # Errors
    /// As [`Engine::checkout`], and `queue_not_allowed` (a licence of the
    /// product forbids waiting), `queue_full`.
    pub async fn checkout_or_wait(
        &self,
        req: CheckoutRequest,
        address: String,
        corr: CorrelationId,
    ) -> Result<Waited> {
        let product = req.product.clone();
        let units = req.units.unwrap_or(1);
        let holder_req = req.clone();
        match self.checkout(req, address.clone(), corr).await {
            Ok(grant) => return Ok(Waited::Granted(grant)),
            Err(Error::Lease(e)) if may_wait(&e) => {}
            Err(e) => return Err(e),
        }
        let now = self.now();
        let holder = super::leases::holder_of(holder_req, address);
        let (ticket, written, joined) = {
            let mut table = self.table();
            if !table.queue_allowed(&product, now) {
                return Err(Error::QueueNotAllowed(product));
            }
            let before = table.queue().len();
            let ticket = table
                .queue_mut()
                .join_units(&product, &holder, units, now)
                .map_err(|e| match e {
                    JoinError::Full => Error::QueueFull,
                    JoinError::TooManyFromAddress => Error::QueueFullForAddress,
                })?;
            let joined = table.queue().len() > before;
            let written = joined.then(|| {
                let waiter = table.queue().get(ticket).cloned();
                self.inner
                    .store
                    .enqueue(waiter.map(Op::PutWaiter).into_iter().collect())
            });
            (ticket, written, joined)
        };
        if let Some(written) = written
            && let Err(e) = written.await
        {
            self.table().queue_mut().leave(ticket);
            return Err(e.into());
        }
        if joined {
            let event = Event::new(
                EventKind::QueueJoined,
                now,
                format!("{}@{} waits for {product}", holder.user, holder.host),
            );
            self.inner
                .events
                .record(waiting_about(event, &product, &holder).correlated(corr));
            self.queue_changed();
        }
        // A seat may have freed between the refusal and the join.
        self.serve(vec![product.clone()]).await;
        match self.queue_state(ticket, None, true)? {
            Some(QueueState::Waiting(q)) => Ok(Waited::Queued(q)),
            Some(QueueState::Granted(g)) => Ok(Waited::Granted(self.inner.signer.sign(g).await)),
            None => Err(Error::TicketNotFound(ticket)),
        }
    }

    /// Where the ticket stands, or its seat; waits up to `wait` for a change
    /// from `known` (the position the client last saw). Keeps the ticket alive.
    ///
    /// # Errors
    /// `ticket_not_found`.
    pub async fn follow_ticket(
        &self,
        ticket: TicketId,
        known: Option<u32>,
        wait: Duration,
    ) -> Result<QueueState> {
        let asked = tokio::time::Instant::now();
        let deadline = asked + wait;
        let places_from = (asked + NEW_PLACE_AFTER).min(deadline);
        loop {
            let mut changed = self.inner.queue_watch.subscribe();
            let now = tokio::time::Instant::now();
            let places = known.is_none() || now >= places_from;
            if let Some(state) = self.queue_state(ticket, known, places)? {
                return Ok(self.signed(state).await);
            }
            if now >= deadline {
                let state = self
                    .queue_state(ticket, None, true)?
                    .ok_or(Error::TicketNotFound(ticket))?;
                return Ok(self.signed(state).await);
            }
            // Woken by any change of the queue; a new place waits for its
            // time, a seat does not.
            let until = if places { deadline } else { places_from };
            let _ = tokio::time::timeout_at(until, changed.changed()).await;
        }
    }

    /// A seat's grant signed (a place as it is).
    async fn signed(&self, state: QueueState) -> QueueState {
        match state {
            QueueState::Granted(g) => QueueState::Granted(self.inner.signer.sign(g).await),
            waiting @ QueueState::Waiting(_) => waiting,
        }
    }

    /// The ticket's state now: its seat (not yet signed), or (with
    /// `places`) its place when it differs from `known`; else `None`.
    fn queue_state(
        &self,
        ticket: TicketId,
        known: Option<u32>,
        places: bool,
    ) -> Result<Option<QueueState>> {
        let now = self.now();
        let offered = {
            let mut table = self.table();
            match table.queue().offer(ticket) {
                // Being written: nothing to tell yet.
                Some(Offered::Pending) => return Ok(None),
                Some(Offered::Ready(lease_id)) => match table.get(lease_id) {
                    Some(lease) => Some(lease),
                    None => {
                        table.queue_mut().forget_offer(ticket);
                        return Err(Error::TicketNotFound(ticket));
                    }
                },
                None => {
                    if !table.queue_mut().keep_alive(ticket, now) {
                        return Err(Error::TicketNotFound(ticket));
                    }
                    if !places {
                        return Ok(None);
                    }
                    let place = table.queue().place(ticket, now);
                    let Some(place) = place.filter(|p| known != Some(p.position)) else {
                        return Ok(None);
                    };
                    let product = table
                        .queue()
                        .get(ticket)
                        .map(|w| w.product.clone())
                        .unwrap_or_default();
                    return Ok(Some(QueueState::Waiting(Queued {
                        ticket,
                        product,
                        position: place.position,
                        waiting: place.waiting,
                        estimated_at: place.estimated_at,
                        ticket_secs: TICKET_SECS,
                    })));
                }
            }
        };
        let Some(lease) = offered else {
            return Err(Error::TicketNotFound(ticket));
        };
        let mut grant = LeaseGrant::unsigned(
            lease.id,
            lease.product.clone(),
            lease.holder.client_id.clone(),
            lease.expires_at,
            lease.lease_secs,
            now,
            false,
        );
        grant.renew_after_secs = 1; // claim it now: the first renewal
        grant.overdraft = lease.overdraft;
        grant.chain = self.chain(&grant.product).digest.clone();
        Ok(Some(QueueState::Granted(grant)))
    }

    /// Leaves the line (the client gave up, or the admin removed it).
    ///
    /// # Errors
    /// A store error (the waiter stays out of the line in memory).
    pub async fn leave_queue(&self, ticket: TicketId, by: &str) -> Result<LeftQueue> {
        let gone = self.table().queue_mut().leave(ticket);
        let Some(w) = gone else {
            // Served already: a seat offered and not yet claimed (never
            // renewed) goes back at once, not at the claim deadline.
            let unclaimed = {
                let mut table = self.table();
                let offer = table.queue().offer(ticket);
                table.queue_mut().forget_offer(ticket);
                match offer {
                    Some(Offered::Ready(id)) => table
                        .get(id)
                        .filter(|l| l.renewed_at == l.granted_at)
                        .map(|l| l.id),
                    _ => None,
                }
            };
            if let Some(id) = unclaimed {
                self.release(id, leasehold_core::CorrelationId::random())
                    .await?;
            }
            return Ok(LeftQueue {
                ticket,
                was_waiting: false,
            });
        };
        self.persist(vec![Op::DeleteWaiter(ticket)]).await?;
        let event = left_queue(&w, self.now(), &format!(" ({by})"));
        self.inner.events.record(event);
        self.queue_changed();
        Ok(LeftQueue {
            ticket,
            was_waiting: true,
        })
    }

    /// How many wait for each of these products.
    #[must_use]
    pub fn waiting_counts<'a>(
        &self,
        products: impl Iterator<Item = &'a Product>,
    ) -> Vec<(Product, usize)> {
        let table = self.table();
        products
            .map(|p| (p.clone(), table.queue().len_of(p)))
            .collect()
    }

    /// The first `per_product` waiting for each product, in order.
    #[must_use]
    pub fn waiting_list(&self, per_product: usize) -> WaitingList {
        let table = self.table();
        let q = table.queue();
        let mut products: Vec<&Product> = q.products().collect();
        products.sort();
        let waiters = products
            .into_iter()
            .flat_map(|p| q.waiting(p).take(per_product).enumerate())
            .map(|(i, w)| WaiterView {
                ticket: w.ticket,
                product: w.product.clone(),
                position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                client_id: w.holder.client_id.clone(),
                user: w.holder.user.clone(),
                host: w.holder.host.clone(),
                app_name: w.holder.app_name.clone(),
                since: w.since,
            })
            .collect();
        WaitingList {
            waiters,
            total: u32::try_from(q.len()).unwrap_or(u32::MAX),
        }
    }

    /// Seats of these products may have freed: serve their waiters (see
    /// [`Engine::serve_locked`]).
    pub(crate) async fn serve(&self, products: Vec<Product>) {
        let now = self.now();
        let serving = {
            let mut table = self.table();
            self.serve_locked(&mut table, &products, now)
        };
        if let Some(serving) = serving {
            self.finish_serving(serving, now).await;
        }
    }

    /// Gives freed seats of these products to their waiters under the table
    /// lock the caller holds (the one that freed them: nobody can take a
    /// freed seat ahead of the line), and queues the writes under it too.
    /// The waiters hear of their seats once the writes are durable
    /// ([`Engine::finish_serving`]).
    pub(crate) fn serve_locked(
        &self,
        table: &mut LeaseTable,
        products: &[Product],
        now: Timestamp,
    ) -> Option<ServeWrite> {
        let mut serving = Serving::default();
        for p in products {
            if table.queue().len_of(p) > 0 {
                let more = table.serve_waiters(p, now);
                serving.served.extend(more.served);
                serving.dropped.extend(more.dropped);
            }
        }
        if serving.served.is_empty() && serving.dropped.is_empty() {
            return None;
        }
        let ops = serving
            .served
            .iter()
            .flat_map(|s| {
                let mut ops = checkout_ops(&s.granted);
                ops.push(Op::DeleteWaiter(s.waiter.ticket));
                ops
            })
            .chain(
                serving
                    .dropped
                    .iter()
                    .map(|(w, _)| Op::DeleteWaiter(w.ticket)),
            )
            .collect();
        let written = Box::pin(self.inner.store.enqueue(ops));
        Some(ServeWrite { serving, written })
    }

    /// After [`Engine::serve_locked`]: the offers become visible once
    /// durable (a failed write puts the waiters back in their places and
    /// tries again soon), and everything is logged.
    pub(crate) async fn finish_serving(&self, write: ServeWrite, now: Timestamp) {
        let ServeWrite { serving, written } = write;
        if let Err(e) = written.await {
            tracing::warn!("seats for waiting clients could not be written; they wait on: {e}");
            {
                let mut table = self.table();
                for s in &serving.served {
                    table.undo_served(s);
                }
                for (w, _) in &serving.dropped {
                    table.queue_mut().restore(w.clone());
                }
            }
            // The sweeper tries again within a second.
            self.inner.serve_again.store(true, Ordering::Relaxed);
            return;
        }
        {
            let mut table = self.table();
            for s in &serving.served {
                table.queue_mut().offer_ready(s.waiter.ticket);
            }
        }
        for s in &serving.served {
            let lease = &s.granted.lease;
            self.deadline_added(lease.expires_at);
            let waited = now.0.saturating_sub(s.waiter.since.0);
            self.inner.metrics.waited(&lease.product, waited);
            self.inner.metrics.grants.fetch_add(1, Ordering::Relaxed);
            let message = format!(
                "{}@{} waited {} s for {} and was given a seat ({} of {} in use)",
                lease.holder.user,
                lease.holder.host,
                waited / 1000,
                lease.product,
                s.granted.in_use,
                s.granted.seats
            );
            self.inner
                .events
                .record(Event::new(EventKind::QueueGranted, now, message).about(lease));
        }
        for (w, why) in &serving.dropped {
            let why = format!(": waiting cannot help ({why})");
            self.inner.events.record(left_queue(w, now, &why));
        }
        self.queue_changed();
    }

    /// Serves every product someone waits for, in a task of its own (after a
    /// licence or policy change, which may free seats for them).
    pub(crate) fn serve_soon(&self) {
        let products: Vec<Product> = self.table().queue().products().cloned().collect();
        if products.is_empty() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let engine = self.clone();
            runtime.spawn(async move { engine.serve(products).await });
        }
    }

    /// Drops waiters whose clients stopped asking.
    pub(super) fn expire_waiters(&self, now: Timestamp) {
        let gone = self.table().queue_mut().expire_due(now);
        if gone.is_empty() {
            return;
        }
        self.inner
            .store
            .submit(gone.iter().map(|w| Op::DeleteWaiter(w.ticket)).collect());
        self.inner.events.record_all(
            gone.iter()
                .map(|w| left_queue(w, now, ": its client stopped asking"))
                .collect(),
        );
        self.queue_changed();
    }

    fn queue_changed(&self) {
        self.inner
            .queue_watch
            .send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// `queue_left`: "ann@ws-1 left the queue for cad" and why (`why` brings
/// its own separator).
fn left_queue(w: &Waiter, now: Timestamp, why: &str) -> Event {
    let message = format!(
        "{}@{} left the queue for {}{why}",
        w.holder.user, w.holder.host, w.product
    );
    waiting_about(
        Event::new(EventKind::QueueLeft, now, message),
        &w.product,
        &w.holder,
    )
}

fn waiting_about(mut e: Event, product: &Product, h: &leasehold_core::lease::Holder) -> Event {
    e.product = Some(product.clone());
    e.client_id = Some(h.client_id.clone());
    e.user = Some(h.user.clone());
    e.host = Some(h.host.clone());
    e
}
