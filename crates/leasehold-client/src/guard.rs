//! [`LeaseGuard`]: a held seat that renews itself in the background, rides
//! out short outages on the same lease, checks out again when the lease was
//! really lost, tells the application through a [`watch`] channel of
//! [`SeatState`], and gives the seat back on [`release`](LeaseGuard::release)
//! or drop.
//!
//! All waiting uses tokio's clock, so tests drive it with `tokio::time::pause`.

use std::sync::Arc;
use std::time::Duration;

use leasehold_core::wire::borrow::BorrowToken;
use leasehold_core::wire::client::{CheckoutRequest, LeaseGrant, Released};
use leasehold_core::{LeaseId, Timestamp};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::api::ServerApi;
use crate::error::{ClientError, LeaseEnd};
use crate::source::AutoResolver;
use crate::standalone::StandaloneLicense;

/// First wait after a failed renew or checkout; doubles up to [`MAX_BACKOFF`].
const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Shortest wait before checking out again after "no seat free".
const MIN_RETRY: Duration = Duration::from_secs(1);

/// Why a seat was lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LostReason {
    /// The server ended the lease (expired, released, unknown, or an admin
    /// disconnected this computer).
    Ended(LeaseEnd),
    /// The lease ran out while the server could not be reached.
    TimedOut,
    /// The license was over-subscribed, so the lease was not renewed and ran
    /// to its end.
    OverSubscribed,
    /// Standalone mode: the license file's last valid day has passed.
    LicenseExpired,
    /// A borrowed seat's time is up (`client borrow`): connect to the
    /// server to check out, or borrow again.
    LoanEnded,
    /// The lease ran out while the server answered renewals with errors
    /// (its `code` and `message`: a full disk, an internal error …).
    ServerError { code: String, message: String },
    /// The server's grant did not carry a valid signature (a spoofed server
    /// or a changed key); the lease was released.
    BadSignature,
    /// The server no longer shows a licence this application trusts (it was
    /// removed or deactivated there); the lease was released.
    UntrustedServer { reason: String },
}

impl LostReason {
    /// A stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Ended(end) => end.code(),
            Self::TimedOut => "timed_out",
            Self::OverSubscribed => "over_subscribed",
            Self::LicenseExpired => "license_expired",
            Self::LoanEnded => "loan_ended",
            Self::ServerError { .. } => "server_error",
            Self::BadSignature => "bad_grant_signature",
            Self::UntrustedServer { .. } => "untrusted_server",
        }
    }
}

impl std::fmt::Display for LostReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ended(end) => end.fmt(f),
            Self::TimedOut => {
                f.write_str("the lease ran out while the server could not be reached")
            }
            Self::OverSubscribed => {
                f.write_str("the license is over-subscribed and the lease ran out")
            }
            Self::LicenseExpired => f.write_str("the standalone license expired"),
            Self::LoanEnded => f.write_str("the borrowed seat's time is up"),
            Self::ServerError { message, .. } => write!(
                f,
                "the lease ran out while the server answered renewals with an error: {message}"
            ),
            Self::BadSignature => f.write_str(
                "the server's grant had a bad signature (a spoofed server or a changed key); the lease was released",
            ),
            Self::UntrustedServer { reason } => write!(
                f,
                "the server is no longer trusted ({reason}); the lease was released"
            ),
        }
    }
}

/// Where the seat stands. The application may use the product while
/// [`is_usable`](Self::is_usable) is true.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeatState {
    /// The seat is held and renewed on time.
    Held {
        lease_id: LeaseId,
        expires_at: Timestamp,
    },
    /// The server did not answer the last renew; the lease stays valid
    /// `until` and the guard keeps trying with backoff.
    Reconnecting {
        lease_id: LeaseId,
        until: Timestamp,
        /// What went wrong on the last try, for people.
        error: String,
    },
    /// The server will not renew the lease (license over-subscribed); it ends
    /// at `expires_at` unless a renew succeeds before.
    Expiring {
        lease_id: LeaseId,
        expires_at: Timestamp,
    },
    /// No seat is held; the guard keeps trying to check out again.
    Lost { reason: LostReason },
    /// A seat is held again after it was lost (`after` says why it was, in
    /// case the `Lost` state was not seen). A new lease unless the server
    /// still had the old one.
    Regained {
        lease_id: LeaseId,
        expires_at: Timestamp,
        after: LostReason,
    },
    /// The guard was released or dropped; it does nothing more.
    Released,
}

impl SeatState {
    /// True while a valid lease is held.
    #[must_use]
    pub fn is_usable(&self) -> bool {
        matches!(
            self,
            Self::Held { .. }
                | Self::Reconnecting { .. }
                | Self::Expiring { .. }
                | Self::Regained { .. }
        )
    }

    /// The lease held now, if any.
    #[must_use]
    pub fn lease_id(&self) -> Option<LeaseId> {
        match self {
            Self::Held { lease_id, .. }
            | Self::Reconnecting { lease_id, .. }
            | Self::Expiring { lease_id, .. }
            | Self::Regained { lease_id, .. } => Some(*lease_id),
            Self::Lost { .. } | Self::Released => None,
        }
    }
}

impl std::fmt::Display for SeatState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Held {
                lease_id,
                expires_at,
            } => write!(f, "held: lease {lease_id} until {expires_at}"),
            Self::Reconnecting {
                lease_id,
                until,
                error,
            } => {
                write!(
                    f,
                    "reconnecting: lease {lease_id} valid until {until} ({error})"
                )
            }
            Self::Expiring {
                lease_id,
                expires_at,
            } => {
                write!(
                    f,
                    "expiring: lease {lease_id} will not be renewed, ends {expires_at}"
                )
            }
            Self::Lost { reason } => write!(f, "lost: {reason}; trying to check out again"),
            Self::Regained {
                lease_id,
                expires_at,
                after,
            } => {
                write!(
                    f,
                    "regained: lease {lease_id} until {expires_at} (after {})",
                    after.code()
                )
            }
            Self::Released => f.write_str("released"),
        }
    }
}

/// What a release returns: the server's answer, or `None` when no lease was
/// held at that moment (it had been lost).
pub type ReleaseOutcome = Result<Option<Released>, ClientError>;

/// Asks the background task to stop and release.
#[derive(Debug)]
struct Stop {
    /// Where to send the release's outcome; `None` when dropped.
    reply: Option<oneshot::Sender<ReleaseOutcome>>,
}

/// What a checkout returned, by mode.
#[derive(Debug)]
enum Seat {
    /// A server's grant (the first lease).
    Network(LeaseGrant),
    /// A verified node-locked license file.
    Standalone(StandaloneLicense),
    /// A seat borrowed from a server, used offline.
    Borrowed(BorrowToken),
}

/// A seat held for the application. Renews itself in the background; see the
/// module docs. Dropping it releases the seat in the background (when the
/// runtime keeps running); at shutdown, prefer [`release`](Self::release).
#[derive(Debug)]
#[must_use = "dropping the guard releases the seat"]
pub struct LeaseGuard {
    /// What the checkout returned.
    seat: Seat,
    state: watch::Receiver<SeatState>,
    stop: Option<oneshot::Sender<Stop>>,
    task: Option<JoinHandle<()>>,
    /// The server holding the lease now (for feature seats under it).
    pub(crate) holder: Holding,
}

/// The server the lease is held on, shared with the renewer (which moves it
/// when the seat is regained elsewhere).
pub(crate) type Holding = Arc<std::sync::Mutex<Option<ServerApi>>>;

impl LeaseGuard {
    /// Starts renewing `grant`, obtained from `servers[current]`. Must be
    /// called inside a tokio runtime.
    pub(crate) fn start(
        servers: Vec<ServerApi>,
        current: usize,
        request: CheckoutRequest,
        grant: LeaseGrant,
        auto: Option<Arc<AutoResolver>>,
    ) -> Self {
        let (state_tx, state_rx) = watch::channel(SeatState::Held {
            lease_id: grant.lease_id,
            expires_at: grant.expires_at,
        });
        let (stop_tx, stop_rx) = oneshot::channel();
        let holder = Holding::default();
        let mut renewer = Renewer {
            holder: Arc::clone(&holder),
            servers,
            current,
            auto,
            request,
            state: state_tx,
            lease: None,
            lost: None,
            over_subscribed: false,
            server_failing: None,
            next: Instant::now(),
            backoff: INITIAL_BACKOFF,
        };
        renewer.hold(&grant);
        let task = tokio::spawn(renewer.run(stop_rx));
        Self {
            seat: Seat::Network(grant),
            state: state_rx,
            stop: Some(stop_tx),
            task: Some(task),
            holder,
        }
    }

    /// A standalone seat: `Held` for the license's life (then `Lost` with
    /// [`LostReason::LicenseExpired`]); release is a no-op. Must be called
    /// inside a tokio runtime.
    pub(crate) fn standalone(license: StandaloneLicense) -> Self {
        let lease_id = LeaseId(license.terms.license_id.0);
        let until = license.terms.valid_until;
        Self::offline(
            Seat::Standalone(license),
            lease_id,
            until,
            LostReason::LicenseExpired,
            None,
        )
    }

    /// A borrowed seat used offline: `Held` until the loan ends (then
    /// `Lost` with [`LostReason::LoanEnded`]), or until `ends_early` says it
    /// ended before (given back here, ended by the admin); release does
    /// nothing (return it early with `Client::return_borrowed`). Must be
    /// called inside a tokio runtime.
    pub(crate) fn borrowed(
        token: BorrowToken,
        ends_early: impl Future<Output = LostReason> + Send + 'static,
    ) -> Self {
        let (lease_id, until) = (token.lease_id, token.until);
        Self::offline(
            Seat::Borrowed(token),
            lease_id,
            Some(until),
            LostReason::LoanEnded,
            Some(Box::pin(ends_early)),
        )
    }

    /// A seat held with no server: `Held` until `until` (then `Lost` with
    /// `ended`) or until `ends_early` gives a reason.
    fn offline(
        seat: Seat,
        lease_id: LeaseId,
        until: Option<Timestamp>,
        ended: LostReason,
        ends_early: Option<std::pin::Pin<Box<dyn Future<Output = LostReason> + Send>>>,
    ) -> Self {
        let (state_tx, state_rx) = watch::channel(SeatState::Held {
            lease_id,
            expires_at: until.unwrap_or(NEVER),
        });
        let (stop_tx, mut stop_rx) = oneshot::channel::<Stop>();
        let task = tokio::spawn(async move {
            let expiry = async {
                match until {
                    Some(until) => tokio::time::sleep(Timestamp::now().until(until)).await,
                    None => std::future::pending().await,
                }
            };
            let early = async {
                match ends_early {
                    Some(ends) => ends.await,
                    None => std::future::pending().await,
                }
            };
            let reason = tokio::select! {
                stop = &mut stop_rx => Err(stop),
                () = expiry => Ok(ended),
                reason = early => Ok(reason),
            };
            let stop = match reason {
                Err(stop) => stop,
                Ok(reason) => {
                    state_tx.send_replace(SeatState::Lost { reason });
                    // Wait for the release (or drop), which has nothing to give back.
                    (&mut stop_rx).await
                }
            };
            state_tx.send_replace(SeatState::Released);
            if let Ok(Stop { reply: Some(reply) }) = stop {
                let _guard_gone = reply.send(Ok(None));
            }
        });
        Self {
            seat,
            state: state_rx,
            stop: Some(stop_tx),
            task: Some(task),
            holder: Holding::default(),
        }
    }

    /// The grant the checkout returned (the first lease); `None` in
    /// standalone mode.
    #[must_use]
    pub fn grant(&self) -> Option<&LeaseGrant> {
        match &self.seat {
            Seat::Network(grant) => Some(grant),
            Seat::Standalone(_) | Seat::Borrowed(_) => None,
        }
    }

    /// The license file the seat rests on; `None` in network mode.
    #[must_use]
    pub fn standalone_license(&self) -> Option<&StandaloneLicense> {
        match &self.seat {
            Seat::Standalone(license) => Some(license),
            Seat::Network(_) | Seat::Borrowed(_) => None,
        }
    }

    /// The loan the seat rests on; `None` unless it is a borrowed seat.
    #[must_use]
    pub fn loan(&self) -> Option<&BorrowToken> {
        match &self.seat {
            Seat::Borrowed(token) => Some(token),
            Seat::Network(_) | Seat::Standalone(_) => None,
        }
    }

    /// Where the seat stands now.
    #[must_use]
    pub fn state(&self) -> SeatState {
        self.state.borrow().clone()
    }

    /// The lease held now, if any (it changes after a loss and regain).
    #[must_use]
    pub fn lease_id(&self) -> Option<LeaseId> {
        self.state.borrow().lease_id()
    }

    /// A receiver that sees every change of [`SeatState`] (renewals included,
    /// as `Held` with a later expiry). Keep it after the guard is gone to see
    /// `Released`.
    #[must_use]
    pub fn subscribe(&self) -> watch::Receiver<SeatState> {
        self.state.clone()
    }

    /// Stops renewing and releases the seat, waiting for the server's answer.
    ///
    /// # Errors
    ///
    /// What [`ServerApi::release`] fails with ([`ClientError::Unreachable`]
    /// most likely); the lease then expires on the server by itself.
    pub async fn release(mut self) -> ReleaseOutcome {
        let (reply_tx, reply_rx) = oneshot::channel();
        let Some(stop) = self.stop.take() else {
            return Ok(None);
        };
        if stop
            .send(Stop {
                reply: Some(reply_tx),
            })
            .is_err()
        {
            // The task is gone (its runtime stopped): nothing to release with.
            return Ok(None);
        }
        let outcome = reply_rx.await.unwrap_or(Ok(None));
        if let Some(task) = self.task.take() {
            // The task has finished its work; this only reaps it.
            if let Err(e) = task.await {
                tracing::debug!(error = %e, "lease renewer ended abnormally");
            }
        }
        outcome
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        // Non-blocking: the renewer task releases the lease itself, on its
        // runtime. If that runtime has stopped, the lease simply expires.
        if let Some(stop) = self.stop.take() {
            let _task_gone = stop.send(Stop { reply: None });
        }
    }
}

/// The lease currently held by the renewer.
struct Lease {
    id: LeaseId,
    /// The server's expiry, for people.
    expires_at: Timestamp,
    /// When it runs out by our clock: the server's remaining time, measured
    /// from when the grant arrived (immune to clock skew between machines).
    deadline: Instant,
}

/// Shown as the expiry of a standalone license that never expires
/// (9999-12-31T23:59:59Z).
const NEVER: Timestamp = Timestamp(253_402_300_799_000);

/// The background task's state.
struct Renewer {
    /// The servers to use, in order of preference; `current` holds the lease.
    servers: Vec<ServerApi>,
    /// `servers[current]` while a lease is held, for the guard.
    holder: Holding,
    current: usize,
    /// In auto mode: finds a server again when ours stops answering.
    auto: Option<Arc<AutoResolver>>,
    /// What to send when checking out again.
    request: CheckoutRequest,
    state: watch::Sender<SeatState>,
    lease: Option<Lease>,
    /// Why the seat was lost, while it is.
    lost: Option<LostReason>,
    /// The server refused to renew because the license is over-subscribed.
    over_subscribed: bool,
    /// The last renewal was answered with an error (code, sentence).
    server_failing: Option<(String, String)>,
    /// When to act next.
    next: Instant,
    /// The wait after the next failure.
    backoff: Duration,
}

impl Renewer {
    async fn run(mut self, mut stop: oneshot::Receiver<Stop>) {
        loop {
            let next = self.next;
            let stopped = tokio::select! {
                biased;
                stop = &mut stop => Some(stop.ok()),
                () = self.step_at(next) => None,
            };
            if let Some(stop) = stopped {
                self.finish(stop).await;
                return;
            }
        }
    }

    async fn step_at(&mut self, at: Instant) {
        tokio::time::sleep_until(at).await;
        match self.lease.as_ref().map(|l| (l.id, l.deadline)) {
            Some((id, deadline)) if Instant::now() < deadline => self.renew(id, deadline).await,
            Some(_) => {
                let reason = if self.over_subscribed {
                    LostReason::OverSubscribed
                } else if let Some((code, message)) = self.server_failing.take() {
                    LostReason::ServerError { code, message }
                } else {
                    LostReason::TimedOut
                };
                self.lose(reason);
            }
            None => self.checkout_again().await,
        }
    }

    async fn renew(&mut self, id: LeaseId, deadline: Instant) {
        let server = self.servers.get(self.current).cloned();
        let Some(server) = server else {
            self.lose(LostReason::TimedOut);
            return;
        };
        match server.renew(id).await {
            Ok(grant) => {
                self.over_subscribed = false;
                self.server_failing = None;
                self.hold(&grant);
            }
            Err(ClientError::BadGrantSignature { .. }) => {
                // Already logged and released by the API.
                self.lose(LostReason::BadSignature);
            }
            Err(ClientError::UntrustedServer { reason, .. }) => {
                // Already logged and released by the API.
                self.lose(LostReason::UntrustedServer { reason });
            }
            Err(ClientError::LeaseLost { reason, .. }) => {
                tracing::info!(lease = %id, %reason, "lease lost; checking out again");
                self.lose(LostReason::Ended(reason));
            }
            Err(ClientError::OverSubscribed {
                expires_at,
                message,
                ..
            }) => {
                tracing::warn!(lease = %id, %message, "lease not renewed: license over-subscribed");
                self.over_subscribed = true;
                let expires_at = expires_at.or(self.lease.as_ref().map(|l| l.expires_at));
                if let Some(expires_at) = expires_at {
                    self.state.send_replace(SeatState::Expiring {
                        lease_id: id,
                        expires_at,
                    });
                }
                self.retry_before(deadline);
            }
            Err(e) => {
                tracing::warn!(lease = %id, error = %e, "renew failed; retrying while the lease is valid");
                // A server that answers with errors is not "unreachable":
                // if the lease runs out, say what it answered.
                self.server_failing =
                    (!e.is_unreachable()).then(|| (e.code().to_owned(), e.to_string()));
                if let Some(lease) = &self.lease {
                    self.state.send_replace(SeatState::Reconnecting {
                        lease_id: id,
                        until: lease.expires_at,
                        error: e.to_string(),
                    });
                }
                if e.is_unreachable() {
                    // The same server may be back elsewhere (a new address or
                    // port): renewing there keeps the same lease.
                    self.rediscover().await;
                }
                self.retry_before(deadline);
            }
        }
    }

    async fn checkout_again(&mut self) {
        match checkout_any(&self.servers, self.current, &self.request).await {
            Ok((index, grant)) => {
                self.current = index;
                self.over_subscribed = false;
                self.hold(&grant);
                let after = self.lost.take().unwrap_or(LostReason::TimedOut);
                tracing::info!(lease = %grant.lease_id, "seat regained");
                self.publish_regained(&grant, after);
            }
            Err(ClientError::NoSeatFree { retry_after, .. }) => {
                self.next = Instant::now() + retry_after.max(MIN_RETRY);
            }
            Err(e) => {
                if e.is_unreachable() {
                    tracing::debug!(error = %e, "checking out again failed");
                } else {
                    tracing::warn!(error = %e, "checking out again failed");
                }
                if e.is_unreachable() {
                    self.rediscover().await;
                }
                self.next = Instant::now() + self.backoff;
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
            }
        }
    }

    /// In auto mode, finds the servers again; the lease stays where it is
    /// when the same address comes first.
    async fn rediscover(&mut self) {
        let Some(auto) = &self.auto else {
            return;
        };
        match auto.rediscover().await {
            Ok(servers) => {
                let same = servers.first().map(ServerApi::address)
                    == self.servers.get(self.current).map(ServerApi::address);
                if !same {
                    tracing::info!(servers = ?servers.iter().map(ServerApi::address).collect::<Vec<_>>(), "using the servers found again");
                    self.servers = servers;
                    self.current = 0;
                }
            }
            Err(e) => tracing::debug!(error = %e, "no server found again yet"),
        }
    }

    /// Takes `grant` as the lease held and schedules its renewal; publishes
    /// `Held` (callers override with `Regained`).
    fn hold(&mut self, grant: &LeaseGrant) {
        let now = Instant::now();
        let remaining = grant.server_time.until(grant.expires_at);
        let mut renew_after = Duration::from_secs(u64::from(grant.renew_after_secs));
        if renew_after.is_zero() || renew_after >= remaining {
            renew_after = remaining / 3;
        }
        self.lease = Some(Lease {
            id: grant.lease_id,
            expires_at: grant.expires_at,
            deadline: now + remaining,
        });
        self.next = now + renew_after;
        self.backoff = INITIAL_BACKOFF;
        if let Ok(mut holder) = self.holder.lock() {
            *holder = self.servers.get(self.current).cloned();
        }
        self.state.send_replace(SeatState::Held {
            lease_id: grant.lease_id,
            expires_at: grant.expires_at,
        });
    }

    fn publish_regained(&self, grant: &LeaseGrant, after: LostReason) {
        self.state.send_replace(SeatState::Regained {
            lease_id: grant.lease_id,
            expires_at: grant.expires_at,
            after,
        });
    }

    /// Drops the lease and tries to check out again at once.
    fn lose(&mut self, reason: LostReason) {
        self.lease = None;
        self.over_subscribed = false;
        self.lost = Some(reason.clone());
        self.backoff = INITIAL_BACKOFF;
        self.next = Instant::now();
        self.state.send_replace(SeatState::Lost { reason });
    }

    /// Schedules the next try after the backoff, but no later than `deadline`.
    fn retry_before(&mut self, deadline: Instant) {
        self.next = (Instant::now() + self.backoff).min(deadline);
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }

    /// Releases the lease held, if any, and answers the guard if it waits.
    async fn finish(mut self, stop: Option<Stop>) {
        let outcome = match (self.lease.take(), self.servers.get(self.current)) {
            (Some(lease), Some(server)) => server.release(lease.id).await.map(Some),
            _ => Ok(None),
        };
        self.state.send_replace(SeatState::Released);
        match stop.and_then(|s| s.reply) {
            Some(reply) => {
                let _guard_gone = reply.send(outcome);
            }
            None => {
                if let Err(e) = outcome {
                    tracing::debug!(error = %e, "best-effort release of a dropped lease guard failed; the lease will expire");
                }
            }
        }
    }
}

/// Checks out from the servers in order starting at `start`, moving on only
/// when one cannot be reached. Returns the index of the server that granted.
pub(crate) async fn checkout_any(
    servers: &[ServerApi],
    start: usize,
    request: &CheckoutRequest,
) -> Result<(usize, LeaseGrant), ClientError> {
    let mut last = ClientError::NoServer;
    for offset in 0..servers.len() {
        let index = (start + offset) % servers.len();
        let Some(server) = servers.get(index) else {
            continue;
        };
        match server.checkout(request).await {
            Ok(grant) => return Ok((index, grant)),
            Err(e) if e.is_unreachable() => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}
