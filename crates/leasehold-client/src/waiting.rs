//! A checkout that waits in the server's queue for a seat, reporting its
//! place as it changes (`Client::checkout_waiting`).

use crate::api::Waiting;
use crate::error::ClientError;
use crate::guard::LeaseGuard;
use crate::{Backend, Client};
use leasehold_core::Product;
use leasehold_core::wire::queue::Queued;
use std::time::{Duration, Instant};

/// How long one question about the ticket is held open by the server.
const FOLLOW_FOR: Duration = Duration::from_secs(20);
/// How long to wait before asking again when the server does not answer (a
/// restart: the ticket survives it).
const RETRY_AFTER: Duration = Duration::from_secs(2);

impl Client {
    /// Checks a seat of `product` out, waiting in the server's queue when
    /// none is free: `on_place` hears the place at first and whenever it
    /// changes; the seat comes as soon as one frees for this client (the
    /// server wakes it). Gives up after `wait` (leaving the queue), or waits
    /// as long as it takes. In standalone mode, as [`Client::checkout`].
    ///
    /// # Errors
    /// As [`Client::checkout`], and [`ClientError::WaitTimedOut`]; the
    /// server's `queue_not_allowed` when the licence forbids waiting.
    pub async fn checkout_waiting(
        &self,
        product: impl Into<Product>,
        wait: Option<Duration>,
        on_place: impl FnMut(&Queued) + Send,
    ) -> Result<LeaseGuard, ClientError> {
        self.checkout_units_waiting(product, 1, wait, on_place)
            .await
    }

    /// [`Client::checkout_waiting`] for `units` of an element pool: served
    /// in the order of arrival once that many are free.
    ///
    /// # Errors
    /// As [`Client::checkout_waiting`] and [`Client::checkout_units`].
    pub async fn checkout_units_waiting(
        &self,
        product: impl Into<Product>,
        units: u32,
        wait: Option<Duration>,
        mut on_place: impl FnMut(&Queued) + Send,
    ) -> Result<LeaseGuard, ClientError> {
        let product = product.into();
        if matches!(self.backend, Backend::Network { .. })
            && units == 1
            && let Some(guard) = self.checkout_on_loan(&product).await
        {
            return Ok(guard);
        }
        let (servers, auto) = match &self.backend {
            Backend::Standalone { .. } => return self.checkout(product).await,
            Backend::Network {
                servers,
                auto: None,
            } => (servers.clone(), None),
            Backend::Network {
                auto: Some(auto), ..
            } => (auto.servers().await?, Some(std::sync::Arc::clone(auto))),
        };
        let mut request = self.checkout_request(product.clone());
        request.units = Some(units).filter(|u| *u != 1);
        let started = Instant::now();
        let deadline = wait.map(|w| started + w);
        let mut last = ClientError::NoServer;
        for (index, server) in servers.iter().enumerate() {
            let mut answer = match server.checkout_or_wait(&request).await {
                Ok(answer) => answer,
                Err(e) if e.is_unreachable() => {
                    last = e;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut known = None;
            loop {
                let queued = match answer {
                    Waiting::Granted(grant) => {
                        return Ok(LeaseGuard::start(servers, index, request, grant, auto));
                    }
                    Waiting::Queued(q) => q,
                };
                if known != Some(queued.position) {
                    on_place(&queued);
                    known = Some(queued.position);
                }
                let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
                if left.is_some_and(|l| l.is_zero()) {
                    if let Err(e) = server.leave_queue(queued.ticket).await {
                        tracing::debug!(error = %e, "leaving the queue failed; the ticket lapses by itself");
                    }
                    return Err(ClientError::WaitTimedOut {
                        product,
                        waited: started.elapsed(),
                    });
                }
                let follow_for = left.map_or(FOLLOW_FOR, |l| l.min(FOLLOW_FOR));
                answer = match server
                    .follow_ticket(queued.ticket, &request, known, follow_for)
                    .await
                {
                    Ok(next) => next,
                    Err(e) if e.is_unreachable() => {
                        tracing::debug!(error = %e, "the server does not answer; asking about the ticket again");
                        tokio::time::sleep(left.map_or(RETRY_AFTER, |l| l.min(RETRY_AFTER))).await;
                        Waiting::Queued(queued)
                    }
                    // Dropped (too long without word): back in line.
                    Err(e) if e.code() == "ticket_not_found" => {
                        known = None;
                        server.checkout_or_wait(&request).await?
                    }
                    Err(e) => return Err(e),
                };
            }
        }
        Err(last)
    }
}
