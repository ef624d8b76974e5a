//! The client protocol under `/v1/`.

use super::AppState;
use super::extract::{Json, Path, Query};
use crate::engine::check_field;
use crate::engine::queue::Waited;
use crate::error::{Error, Result};
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{Extensions, HeaderMap, header};
use axum::routing::{get, post};
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::PROTOCOL_VERSION;
use leasehold_core::wire::client::{Chain, CheckoutRequest, Hello, LeaseGrant, Released};
use leasehold_core::wire::queue::Queued;
use leasehold_core::{CorrelationId, LeaseId, Product};
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/hello", get(hello))
        .route("/v1/chain", get(chain))
        .route("/v1/checkout", post(checkout))
        .route("/v1/leases/{lease_id}/renew", post(renew))
        .route("/v1/leases/{lease_id}/release", post(release))
        .merge(super::queue::client_routes())
        .merge(super::features::routes())
        .merge(super::usage::client_routes())
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

/// `GET /v1/chain`: which product.
#[derive(Debug, serde::Deserialize)]
pub struct ChainQuery {
    /// The product the application wants seats of.
    pub product: Product,
}

/// By hand: the derive drops `required` and the description of a
/// parameter whose schema is made by a function.
impl utoipa::IntoParams for ChainQuery {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        vec![
            ParameterBuilder::new()
                .name("product")
                .parameter_in(ParameterIn::Query)
                .required(utoipa::openapi::Required::True)
                .description(Some("The product the application wants seats of."))
                .schema(Some(leasehold_core::wire::schema::product()))
                .build(),
        ]
    }
}

/// The licence codes this server counts for a product, each with its
/// activation for this server: an application checks them against the
/// vendor key built into it before it trusts the server's grants.
#[utoipa::path(get, path = "/v1/chain", tag = "client", params(ChainQuery), responses(
    (status = 200, body = Chain),
    (status = 400, description = "`invalid_field`: an empty, over-long or deceptive product name", body = ErrorBody),
))]
pub async fn chain(
    State(state): State<AppState>,
    Query(q): Query<ChainQuery>,
) -> Result<Json<Chain>> {
    check_field(
        "product",
        q.product.as_str(),
        true,
        leasehold_core::license::MAX_PRODUCT_LEN,
    )?;
    Ok(Json(Chain::clone(&state.engine.chain(&q.product))))
}

/// Checks a seat out. The same client id, user and product checking out again
/// while its lease is alive gets the same lease back, renewed. With `wait`,
/// a client that finds no seat free joins the product's queue (`202`).
#[utoipa::path(post, path = "/v1/checkout", tag = "client", request_body = CheckoutRequest, responses(
    (status = 200, description = "Seat granted", body = LeaseGrant),
    (status = 202, description = "With `wait`: no seat now, a place in the queue; follow it with `GET /v1/queue/{ticket}`", body = Queued),
    (status = 409, description = "`no_seat_free` (with seats, inUse, retryAfterSecs), `no_valid_license`, `excluded_by_policy`, `user_limit_reached`, `seats_reserved`, or with `wait` `queue_not_allowed`", body = ErrorBody),
    (status = 503, description = "With `wait`: `queue_full`", body = ErrorBody),
    (status = 404, description = "`no_license_for_product`", body = ErrorBody),
    (status = 400, description = "`bad_request` or `invalid_field`", body = ErrorBody),
))]
pub async fn checkout(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Json(req): Json<CheckoutRequest>,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    refuse_old_sdk(&headers)?;
    let address = peer(&extensions);
    let corr = CorrelationId::random();
    if !req.wait {
        let grant = state.engine.checkout(req, address, corr).await?;
        return Ok(Json(grant).into_response());
    }
    Ok(
        match state.engine.checkout_or_wait(req, address, corr).await? {
            Waited::Granted(grant) => Json(grant).into_response(),
            Waited::Queued(q) => (axum::http::StatusCode::ACCEPTED, Json(q)).into_response(),
        },
    )
}

/// Renews a lease for another lease length.
#[utoipa::path(post, path = "/v1/leases/{lease_id}/renew", tag = "client", params(("lease_id" = LeaseId, Path, description = "The lease id")), responses(
    (status = 200, description = "Renewed", body = LeaseGrant),
    (status = 404, description = "`lease_not_found`", body = ErrorBody),
    (status = 410, description = "`lease_released`, `lease_expired` or `lease_disconnected`: check out again", body = ErrorBody),
    (status = 409, description = "`over_subscribed`: not renewed, ends at expiresAt", body = ErrorBody),
))]
pub async fn renew(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<LeaseId>,
) -> Result<Json<LeaseGrant>> {
    refuse_old_sdk(&headers)?;
    state
        .engine
        .renew(id, CorrelationId::random())
        .await
        .map(Json)
}

/// Releases a lease. Releasing twice is not an error.
#[utoipa::path(post, path = "/v1/leases/{lease_id}/release", tag = "client", params(("lease_id" = LeaseId, Path, description = "The lease id")), responses(
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

/// Leasehold's SDK names itself in its user agent and, since protocol 3,
/// sends the protocol it speaks. An SDK that names itself without it (or
/// with another) cannot check this server's grants: it is told to update,
/// rather than failing on a signature it cannot read. Other callers (scripts
/// speaking HTTP) are not asked.
fn refuse_old_sdk(headers: &HeaderMap) -> Result<()> {
    let sdk = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| ua.starts_with("leasehold-client/"));
    if !sdk {
        return Ok(());
    }
    let theirs = headers
        .get("leasehold-protocol")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u32>().ok());
    match theirs {
        Some(v) if v == PROTOCOL_VERSION => Ok(()),
        other => Err(Error::ProtocolMismatch(other.unwrap_or(2))),
    }
}

pub(super) fn peer(extensions: &Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "in-process".to_owned(), |c| c.0.to_string())
}
