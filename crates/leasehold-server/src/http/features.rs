//! Feature seats under a lease, and seats lent for offline use (client API).

use super::AppState;
use super::extract::{Json, Path};
use crate::error::Result;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::borrow::{BorrowRequest, BorrowToken};
use leasehold_core::wire::feature::{FeatureGrant, FeatureReleased};
use leasehold_core::{CorrelationId, LeaseId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/leases/{lease_id}/features/{feature}",
            post(checkout_feature).delete(release_feature),
        )
        .route("/v1/borrow", post(borrow))
}

/// Checks out a seat of a feature under a live lease (a feature with a
/// count of its own: at most that many leases hold it at once; a plain
/// entitlement is granted uncounted, `seats` null). The seat lasts as long
/// as the lease and ends with it; asking again while held gives the same
/// seat. Signed as a lease grant is.
#[utoipa::path(post, path = "/v1/leases/{lease_id}/features/{feature}", tag = "client",
    params(("lease_id" = LeaseId, Path, description = "The lease id"), super::path_params::FeatureParam),
    responses(
        (status = 200, body = FeatureGrant),
        (status = 404, description = "`feature_not_licensed`, `lease_not_found`", body = ErrorBody),
        (status = 409, description = "`no_feature_seat_free`", body = ErrorBody),
        (status = 400, description = "`invalid_field`: the feature's name", body = ErrorBody),
        (status = 410, description = "`lease_released`, `lease_expired`, `lease_disconnected`: check the product out again", body = ErrorBody),
    ))]
pub async fn checkout_feature(
    State(state): State<AppState>,
    Path((id, feature)): Path<(LeaseId, String)>,
) -> Result<Json<FeatureGrant>> {
    state
        .engine
        .checkout_feature(id, &feature, CorrelationId::random())
        .await
        .map(Json)
}

/// Gives a feature seat back before its lease ends. Giving back twice is
/// not an error.
#[utoipa::path(delete, path = "/v1/leases/{lease_id}/features/{feature}", tag = "client",
    params(("lease_id" = LeaseId, Path, description = "The lease id"), super::path_params::FeatureParam),
    responses((status = 200, body = FeatureReleased)))]
pub async fn release_feature(
    State(state): State<AppState>,
    Path((id, feature)): Path<(LeaseId, String)>,
) -> Result<Json<FeatureReleased>> {
    state.engine.release_feature(id, &feature).await.map(Json)
}

/// Lends a seat for offline use for `hours` (at most what the licence
/// allows): a lease that lasts that long, is never extended, and counts as
/// in use until it ends or is returned (`POST /v1/leases/{id}/release`).
/// The token is signed by this server and carries the product's chain, so
/// the application accepts it with no server until `until`.
#[utoipa::path(post, path = "/v1/borrow", tag = "client", request_body = BorrowRequest, responses(
    (status = 200, body = BorrowToken),
    (status = 409, description = "`borrow_not_allowed`, `no_borrowable_seat`, `no_seat_free` (a loan never comes from the overdraft), the seat policy's and named users' refusals", body = ErrorBody),
    (status = 422, description = "`borrow_too_long`: the message gives the most hours", body = ErrorBody),
    (status = 404, description = "`no_license_for_product`", body = ErrorBody),
    (status = 400, description = "`bad_request` or `invalid_field`", body = ErrorBody),
))]
pub async fn borrow(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    Json(req): Json<BorrowRequest>,
) -> Result<Json<BorrowToken>> {
    let address = super::client::peer(&extensions);
    state
        .engine
        .borrow(req, address, CorrelationId::random())
        .await
        .map(Json)
}
