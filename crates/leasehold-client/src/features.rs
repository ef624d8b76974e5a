//! Feature seats on the guard (`vendor issue --feature render:4`): an
//! application holding a product seat checks out a feature's seat under it.
//! The seat ends with the lease (a release, an expiry, a disconnect) or when
//! given back. After a lost lease is regained the feature seats are gone
//! with the old lease: check them out again on
//! [`SeatState::Regained`](crate::SeatState::Regained).

use crate::error::ClientError;
use crate::guard::LeaseGuard;
use leasehold_core::wire::feature::{FeatureGrant, FeatureReleased};

/// A feature seat: from the server (signed), or, with no server, a
/// standalone licence's feature or a borrowed seat's plain feature (not
/// counted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeatureSeat {
    Network(FeatureGrant),
    Standalone { feature: String },
}

impl LeaseGuard {
    /// Checks out a seat of `feature` under the lease held now.
    ///
    /// # Errors
    /// [`ClientError::LeaseLost`] when no lease is held now (the guard is
    /// reconnecting or lost); the server's `no_feature_seat_free` or
    /// `feature_not_licensed` ([`ClientError::Server`]); in standalone mode
    /// `feature_not_licensed` when the licence file does not name it.
    pub async fn checkout_feature(&self, feature: &str) -> Result<FeatureSeat, ClientError> {
        if let Some(license) = self.standalone_license() {
            if license.terms.features.iter().any(|f| f == feature) {
                return Ok(FeatureSeat::Standalone {
                    feature: feature.to_owned(),
                });
            }
            return Err(ClientError::Server {
                status: 404,
                code: "feature_not_licensed".into(),
                message: format!(
                    "the licence file {} does not give feature {feature}",
                    license.path.display()
                ),
            });
        }
        if let Some(loan) = self.loan() {
            return loan_feature(loan, feature);
        }
        let (server, lease_id) = self.held()?;
        server
            .checkout_feature(lease_id, feature)
            .await
            .map(FeatureSeat::Network)
    }

    /// Gives the seat of `feature` back before the lease ends (nothing to
    /// do in standalone mode, or when no lease is held: it went with it).
    ///
    /// # Errors
    /// [`ClientError::Unreachable`] and other server errors; the seat then
    /// goes with the lease.
    pub async fn release_feature(
        &self,
        feature: &str,
    ) -> Result<Option<FeatureReleased>, ClientError> {
        if self.standalone_license().is_some() || self.loan().is_some() {
            return Ok(None);
        }
        match self.held() {
            Ok((server, lease_id)) => server.release_feature(lease_id, feature).await.map(Some),
            Err(_) => Ok(None),
        }
    }

    /// The server and lease held now.
    fn held(&self) -> Result<(crate::ServerApi, leasehold_core::LeaseId), ClientError> {
        let server = self.holder.lock().ok().and_then(|h| h.clone());
        match (server, self.lease_id()) {
            (Some(server), Some(lease_id)) => Ok((server, lease_id)),
            _ => Err(ClientError::LeaseLost {
                lease_id: self
                    .grant()
                    .map_or_else(leasehold_core::LeaseId::random, |g| g.lease_id),
                reason: crate::LeaseEnd::NotFound,
                message: "no lease is held now (the seat is reconnecting or lost); check the feature out again once it is held".into(),
            }),
        }
    }
}

/// A feature on a borrowed seat, offline: a plain feature of the loan's
/// codes is granted; a counted one is not (its seats are counted on the
/// server, which cannot count one used offline).
fn loan_feature(
    loan: &leasehold_core::wire::borrow::BorrowToken,
    feature: &str,
) -> Result<FeatureSeat, ClientError> {
    let terms: Vec<_> = loan
        .chain
        .links
        .iter()
        .filter_map(|l| leasehold_core::license::parse(&l.code).ok())
        .map(|c| c.terms().clone()) // the chain verified when the loan was taken up
        .collect();
    let counted = terms.iter().any(|t| {
        t.seat_rules
            .feature_seats
            .iter()
            .any(|f| f.feature == feature)
    });
    let plain = terms
        .iter()
        .any(|t| t.features.iter().any(|f| f == feature));
    if plain && !counted {
        return Ok(FeatureSeat::Standalone {
            feature: feature.to_owned(),
        });
    }
    Err(ClientError::Server {
        status: 404,
        code: "feature_not_licensed".into(),
        message: if counted {
            format!(
                "feature {feature} has seats of its own, counted on the server: it cannot be used on a borrowed seat"
            )
        } else {
            format!("the borrowed seat's licence does not give feature {feature}")
        },
    })
}
