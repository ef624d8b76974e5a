//! The queue, as a client asks for it: a checkout that waits, following
//! its ticket until the seat comes, and leaving the line.

use super::answers::checkout_error;
use super::{PROTOCOL_HEADER, REQUEST_TIMEOUT, ServerApi};
use crate::error::ClientError;
use leasehold_core::TicketId;
use leasehold_core::wire::PROTOCOL_VERSION;
use leasehold_core::wire::client::{CheckoutRequest, LeaseGrant};
use leasehold_core::wire::queue::{LeftQueue, QueueState, Queued};
use std::time::Duration;

/// A checkout that may wait: the seat, or a place in line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Waiting {
    Granted(LeaseGrant),
    Queued(Queued),
}

impl ServerApi {
    /// `POST /v1/checkout` with `wait`: a seat (checked as
    /// [`ServerApi::checkout`] checks it), or a ticket and its place.
    ///
    /// # Errors
    /// As [`ServerApi::checkout`] (but no `no_seat_free`), and the server's
    /// `queue_not_allowed`, `queue_full`.
    pub async fn checkout_or_wait(
        &self,
        request: &CheckoutRequest,
    ) -> Result<Waiting, ClientError> {
        let key = self.server_key().await?;
        self.ensure_trusted(&request.product, &key, None).await?;
        let mut request = request.clone();
        request.wait = true;
        let response = self
            .send(
                self.inner
                    .http
                    .post(self.url("v1/checkout")?)
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION)
                    .json(&request),
            )
            .await?;
        if response.status() == reqwest::StatusCode::ACCEPTED {
            let queued: Queued = self.read(response).await?;
            return Ok(Waiting::Queued(queued));
        }
        let grant: LeaseGrant = self
            .read_with(response, |body| checkout_error(&request, body))
            .await?;
        self.accept(&key, &request, grant)
            .await
            .map(Waiting::Granted)
    }

    /// `GET /v1/queue/{ticket}`: the place (at once when it is not `known`,
    /// else when it changes, or after `wait`), or the seat, checked against
    /// `request`. Keeps the ticket alive.
    ///
    /// # Errors
    /// `ticket_not_found` ([`ClientError::Server`]) when the ticket is gone
    /// (check out again); [`ClientError::Unreachable`]; the grant's checks.
    pub async fn follow_ticket(
        &self,
        ticket: TicketId,
        request: &CheckoutRequest,
        known: Option<u32>,
        wait: Duration,
    ) -> Result<Waiting, ClientError> {
        let key = self.server_key().await?;
        // Whole seconds, rounded up: 0 would answer at once, and a client
        // with under a second left would ask in a tight loop.
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut query = vec![("waitSecs", secs.to_string())];
        if let Some(p) = known {
            query.push(("position", p.to_string()));
        }
        let response = self
            .send(
                self.inner
                    .http
                    .get(self.url(&format!("v1/queue/{ticket}"))?)
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION)
                    .query(&query)
                    .timeout(REQUEST_TIMEOUT + wait),
            )
            .await?;
        let state: QueueState = self
            .read_with(response, |body| checkout_error(request, body))
            .await?;
        match state {
            QueueState::Waiting(q) => Ok(Waiting::Queued(q)),
            QueueState::Granted(grant) => self
                .accept(&key, request, grant)
                .await
                .map(Waiting::Granted),
        }
    }

    /// `DELETE /v1/queue/{ticket}`: gives up waiting.
    ///
    /// # Errors
    /// [`ClientError::Unreachable`], [`ClientError::Protocol`].
    pub async fn leave_queue(&self, ticket: TicketId) -> Result<LeftQueue, ClientError> {
        let url = self.url(&format!("v1/queue/{ticket}"))?;
        let response = self.send(self.inner.http.delete(url)).await?;
        self.read(response).await
    }
}
