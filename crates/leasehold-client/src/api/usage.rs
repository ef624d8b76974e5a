//! Consumption tokens as a client spends them: `POST /v1/usage`, once per
//! idempotency key.

use super::{PROTOCOL_HEADER, ServerApi};
use crate::error::ClientError;
use leasehold_core::wire::PROTOCOL_VERSION;
use leasehold_core::wire::usage::{UsageAnswer, UsageRequest};

/// How a spend's sending failed.
pub(crate) enum SpendFailure {
    /// The connection was never made: nothing reached the server, another
    /// may be asked.
    NotSent(ClientError),
    /// It may have reached the server (a timeout, a dropped connection):
    /// only the same key sent to the same server is safe.
    Unknown(ClientError),
    /// The server answered with a refusal.
    Refused(ClientError),
}

impl ServerApi {
    /// `POST /v1/usage`: spends `request.amount` of the product's tokens.
    /// The server answers once the spend is durable; the same
    /// `idempotency_key` sent again is answered with the first spend
    /// (`replayed`) and spends nothing more, so after an error the caller
    /// sends the same request again.
    ///
    /// # Errors
    /// The server's refusals as [`ClientError::Server`]
    /// (`tokens_exhausted`, `tokens_not_licensed`, `idempotency_key_reused`,
    /// `invalid_field`); [`ClientError::Unreachable`];
    /// [`ClientError::Protocol`].
    pub async fn consume(&self, request: &UsageRequest) -> Result<UsageAnswer, ClientError> {
        self.try_consume(request).await.map_err(|f| match f {
            SpendFailure::NotSent(e) | SpendFailure::Unknown(e) | SpendFailure::Refused(e) => e,
        })
    }

    pub(crate) async fn try_consume(
        &self,
        request: &UsageRequest,
    ) -> Result<UsageAnswer, SpendFailure> {
        let url = self.url("v1/usage").map_err(SpendFailure::Refused)?;
        let sent = self
            .inner
            .http
            .post(url)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION)
            .json(request)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                let failure = self.unreachable(&e);
                return Err(if e.is_connect() {
                    SpendFailure::NotSent(failure)
                } else {
                    SpendFailure::Unknown(failure)
                });
            }
        };
        let answer: UsageAnswer = self.read(response).await.map_err(|e| match e {
            ClientError::Unreachable { .. } => SpendFailure::Unknown(e),
            other => SpendFailure::Refused(other),
        })?;
        let s = &answer.spend;
        if s.product != request.product
            || s.key != request.idempotency_key
            || s.amount != request.amount
        {
            return Err(SpendFailure::Refused(self.protocol(format!(
                "the answer is a spend of {} {} under key {}, not of {} {} under {}",
                s.amount,
                s.product,
                s.key,
                request.amount,
                request.product,
                request.idempotency_key
            ))));
        }
        Ok(answer)
    }
}
