//! Spending consumption tokens (`Client::consume`): once per idempotency
//! key, sent again after a failure that may have reached the server.

use crate::api::usage::SpendFailure;
use crate::{Client, ClientError};
use leasehold_core::Product;
use leasehold_core::wire::usage::{UsageAnswer, UsageRequest};
use std::time::Duration;

/// Waits before sending a spend again whose answer was lost.
const RESEND_AFTER: [Duration; 2] = [Duration::from_millis(250), Duration::from_secs(1)];

impl Client {
    /// Spends `amount` of `product`'s consumption tokens under `key` (one
    /// key per spend: a job id, an invoice line), answered once the server
    /// has it durably. The same key sent again, from here or after a
    /// restart, is answered with its first spend (`replayed`) and spends
    /// nothing more.
    ///
    /// A spend goes to the first server that can be reached. An answer
    /// lost on the way (a timeout, a dropped connection) is asked for again
    /// from the same server with the same key, twice; another server is
    /// asked only when no connection could be made at all (nothing was
    /// sent), so one spend is never recorded on two servers.
    ///
    /// # Errors
    /// The server's refusals as [`ClientError::Server`] (`tokens_exhausted`,
    /// `tokens_not_licensed`, `idempotency_key_reused`, `invalid_field`);
    /// [`ClientError::Unreachable`] (send the same key again later);
    /// [`ClientError::NoServer`] in standalone mode.
    pub async fn consume(
        &self,
        product: impl Into<Product>,
        amount: u64,
        key: &str,
    ) -> Result<UsageAnswer, ClientError> {
        self.consume_noted(product, amount, key, "").await
    }

    /// [`Client::consume`] with a note for the ledger (what the units were
    /// spent on).
    ///
    /// # Errors
    /// As [`Client::consume`].
    pub async fn consume_noted(
        &self,
        product: impl Into<Product>,
        amount: u64,
        key: &str,
        note: &str,
    ) -> Result<UsageAnswer, ClientError> {
        let request = UsageRequest {
            product: product.into(),
            amount,
            idempotency_key: key.to_owned(),
            client_id: self.identity.client_id.clone(),
            user: self.identity.user.clone(),
            note: note.to_owned(),
        };
        let mut last = ClientError::NoServer;
        for server in &self.resolve_servers().await? {
            let mut waits = RESEND_AFTER.iter();
            loop {
                match server.try_consume(&request).await {
                    Ok(answer) => return Ok(answer),
                    Err(SpendFailure::Refused(e)) => return Err(e),
                    Err(SpendFailure::NotSent(e)) => {
                        last = e;
                        break;
                    }
                    Err(SpendFailure::Unknown(e)) => match waits.next() {
                        Some(wait) => tokio::time::sleep(*wait).await,
                        // It may be recorded there: never try elsewhere.
                        None => return Err(e),
                    },
                }
            }
        }
        Err(last)
    }
}
