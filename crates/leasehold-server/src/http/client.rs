//! The client protocol under `/v1/`.

use super::AppState;
use super::extract::{Json, Path};
use crate::error::{Error, Result};
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::Extensions;
use axum::routing::{get, post};
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::PROTOCOL_VERSION;
use leasehold_core::wire::client::{CheckoutRequest, Hello, LeaseGrant, Released};
use leasehold_core::{CorrelationId, LeaseId};
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/hello", get(hello))
        .route("/v1/checkout", post(checkout))
        .route("/v1/leases/{lease_id}/renew", post(renew))
        .route("/v1/leases/{lease_id}/release", post(release))
}

/// Who this server is; clients call it first and check the protocol version.
#[utoipa::path(get, path = "/v1/hello", tag = "client", responses((status = 200, body = Hello)))]
pub async fn hello(State(state): State<AppState>) -> axum::Json<Hello> {
    let id = state.engine.identity();
    axum::Json(Hello {
        protocol_version: PROTOCOL_VERSION,
        server_id: id.server_id,
        server_name: id.server_name.clone(),
        version: id.version.to_owned(),
        server_public_key: state.engine.public_key_hex(),
        server_time: state.engine.now(),
    })
}

/// Checks a seat out. The same client id, user and product checking out again
/// while its lease is alive gets the same lease back, renewed.
#[utoipa::path(post, path = "/v1/checkout", tag = "client", request_body = CheckoutRequest, responses(
    (status = 200, description = "Seat granted", body = LeaseGrant),
    (status = 409, description = "`no_seat_free` (with seats, inUse, retryAfterSecs) or `no_valid_license`", body = ErrorBody),
    (status = 404, description = "`no_license_for_product`", body = ErrorBody),
    (status = 400, description = "`bad_request` or `invalid_field`", body = ErrorBody),
))]
pub async fn checkout(
    State(state): State<AppState>,
    extensions: Extensions,
    Json(req): Json<CheckoutRequest>,
) -> Result<Json<LeaseGrant>> {
    let address = peer(&extensions);
    state
        .engine
        .checkout(req, address, CorrelationId::random())
        .await
        .map(Json)
}

/// Renews a lease for another lease length.
#[utoipa::path(post, path = "/v1/leases/{lease_id}/renew", tag = "client", params(("lease_id" = String, Path, description = "The lease id")), responses(
    (status = 200, description = "Renewed", body = LeaseGrant),
    (status = 404, description = "`lease_not_found`", body = ErrorBody),
    (status = 410, description = "`lease_released`, `lease_expired` or `lease_disconnected`: check out again", body = ErrorBody),
    (status = 409, description = "`over_subscribed`: not renewed, ends at expiresAt", body = ErrorBody),
))]
pub async fn renew(
    State(state): State<AppState>,
    Path(id): Path<LeaseId>,
) -> Result<Json<LeaseGrant>> {
    state
        .engine
        .renew(id, CorrelationId::random())
        .await
        .map(Json)
}

/// Releases a lease. Releasing twice is not an error.
#[utoipa::path(post, path = "/v1/leases/{lease_id}/release", tag = "client", params(("lease_id" = String, Path, description = "The lease id")), responses(
    (status = 200, body = Released),
))]
pub async fn release(
    State(state): State<AppState>,
    Path(id): Path<LeaseId>,
) -> Result<axum::Json<Released>, Error> {
    state
        .engine
        .release(id, CorrelationId::random())
        .await
        .map(axum::Json)
}

fn peer(extensions: &Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "in-process".to_owned(), |c| c.0.to_string())
}
