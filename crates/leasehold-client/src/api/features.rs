//! Feature seats as a client asks for them (checked out under a lease it
//! holds, given back on their own or with the lease), and seats borrowed.

use super::answers::{checkout_error, lease_error};
use super::{PROTOCOL_HEADER, ServerApi};
use crate::error::ClientError;
use leasehold_core::LeaseId;
use leasehold_core::Timestamp;
use leasehold_core::wire::PROTOCOL_VERSION;
use leasehold_core::wire::borrow::{BorrowRequest, BorrowToken};
use leasehold_core::wire::client::CheckoutRequest;
use leasehold_core::wire::feature::{FeatureGrant, FeatureReleased};

impl ServerApi {
    /// `POST /v1/leases/{id}/features/{feature}`: a seat of `feature` under
    /// lease `lease_id`, checked: for that lease and feature, signed by the
    /// server's key.
    ///
    /// # Errors
    /// [`ClientError::LeaseLost`] when the lease is gone; the server's
    /// `no_feature_seat_free` or `feature_not_licensed`
    /// ([`ClientError::Server`]); [`ClientError::BadGrantSignature`],
    /// [`ClientError::Unreachable`], [`ClientError::Protocol`].
    pub async fn checkout_feature(
        &self,
        lease_id: LeaseId,
        feature: &str,
    ) -> Result<FeatureGrant, ClientError> {
        let key = self.server_key().await?;
        let url = self.feature_url(lease_id, feature)?;
        let response = self
            .send(
                self.inner
                    .http
                    .post(url)
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION),
            )
            .await?;
        let grant: FeatureGrant = self
            .read_with(response, |body| lease_error(lease_id, body))
            .await?;
        if grant.lease_id != lease_id || grant.feature != feature {
            return Err(self.protocol(format!(
                "feature grant is for {} under {}, not {feature} under {lease_id}",
                grant.feature, grant.lease_id
            )));
        }
        if !grant.verify(&key) {
            return Err(ClientError::BadGrantSignature {
                server: self.inner.display.clone(),
            });
        }
        Ok(grant)
    }

    /// `DELETE /v1/leases/{id}/features/{feature}`: gives the seat back.
    /// Idempotent.
    ///
    /// # Errors
    /// [`ClientError::Unreachable`], [`ClientError::Protocol`],
    /// [`ClientError::Server`].
    pub async fn release_feature(
        &self,
        lease_id: LeaseId,
        feature: &str,
    ) -> Result<FeatureReleased, ClientError> {
        let url = self.feature_url(lease_id, feature)?;
        let response = self.send(self.inner.http.delete(url)).await?;
        self.read_with(response, |body| lease_error(lease_id, body))
            .await
    }

    /// The feature's URL, its name one encoded path segment.
    fn feature_url(&self, lease_id: LeaseId, feature: &str) -> Result<reqwest::Url, ClientError> {
        let mut url = self.url(&format!("v1/leases/{lease_id}/features/"))?;
        url.path_segments_mut()
            .map_err(|()| self.protocol("the server address cannot hold a path".into()))?
            .pop_if_empty()
            .push(feature);
        Ok(url)
    }
}

impl ServerApi {
    /// `POST /v1/borrow`: a seat lent for `hours`, checked as the
    /// application will check it offline (this computer, a chain the vendor
    /// keys trust, the server's signature).
    ///
    /// # Errors
    /// The server's refusals as [`ServerApi::checkout`] maps them
    /// ([`ClientError::NoSeatFree`] …, `borrow_not_allowed`,
    /// `borrow_too_long`, `no_borrowable_seat` as [`ClientError::Server`]);
    /// [`ClientError::UntrustedServer`] for a token that does not check.
    pub async fn borrow(
        &self,
        request: &CheckoutRequest,
        hours: u32,
    ) -> Result<BorrowToken, ClientError> {
        let body = BorrowRequest {
            seat: request.clone(),
            hours,
        };
        let response = self
            .send(
                self.inner
                    .http
                    .post(self.url("v1/borrow")?)
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION)
                    .json(&body),
            )
            .await?;
        let token: BorrowToken = self
            .read_with(response, |body| checkout_error(request, body))
            .await?;
        let computer = request.computer.unwrap_or_default();
        if let Err(why) = token.check_offline(
            &request.product,
            &request.client_id,
            &request.user,
            &computer,
            self.inner.trust.vendor_keys(),
            Timestamp::now(),
        ) {
            // Not usable: give the seat back rather than leave it counted.
            let _ = self.release(token.lease_id).await;
            return Err(ClientError::UntrustedServer {
                server: self.inner.display.clone(),
                product: request.product.clone(),
                reason: why,
            });
        }
        Ok(token)
    }
}
