//! Feature seats as a client asks for them: checked out under a lease it
//! holds, given back on their own or with the lease.

use super::answers::lease_error;
use super::{PROTOCOL_HEADER, ServerApi};
use crate::error::ClientError;
use leasehold_core::LeaseId;
use leasehold_core::wire::PROTOCOL_VERSION;
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
