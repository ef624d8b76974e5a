//! Activation of licences on this server (admin API): the request for the
//! vendor, importing the vendor's response, deactivating to move a licence.

use super::AppState;
use super::extract::{Json, Path};
use crate::error::Result;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use leasehold_core::LicenseId;
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::admin::{
    ActivationRequestView, Deactivated, ImportActivation, LicenseView,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/v1/licenses/{license_id}/activation-request",
            get(activation_request),
        )
        .route("/admin/v1/activations", post(import_activation))
        .route(
            "/admin/v1/licenses/{license_id}/deactivate",
            post(deactivate),
        )
}

/// The activation request for a licence on this server (names the code, this
/// server's public key and this computer's fingerprint), for the vendor.
#[utoipa::path(get, path = "/admin/v1/licenses/{license_id}/activation-request", tag = "admin", security(("bearer" = [])), params(("license_id" = String, Path, description = "The license id")), responses(
    (status = 200, body = ActivationRequestView),
    (status = 404, description = "`license_not_found`", body = ErrorBody),
    (status = 400, description = "`bad_request`: the code needs no activation", body = ErrorBody),
))]
pub async fn activation_request(
    State(state): State<AppState>,
    Path(id): Path<LicenseId>,
) -> Result<Json<ActivationRequestView>> {
    state.engine.activation_request(id).map(Json)
}

/// Imports the vendor's activation response: the licence counts from now.
#[utoipa::path(post, path = "/admin/v1/activations", tag = "admin", security(("bearer" = [])), request_body = ImportActivation, responses(
    (status = 200, description = "The licence, now counting", body = LicenseView),
    (status = 422, description = "`bad_activation`, `untrusted_vendor`, `bad_signature` or `activation_mismatch` (another server, computer or licence, or older than this server's deactivation)", body = ErrorBody),
    (status = 404, description = "`license_not_found`: add the code first", body = ErrorBody),
))]
pub async fn import_activation(
    State(state): State<AppState>,
    Json(req): Json<ImportActivation>,
) -> Result<Json<LicenseView>> {
    state
        .engine
        .import_activation(&req.response)
        .await
        .map(Json)
}

/// Stops counting a licence on this server and answers the signed proof the
/// vendor needs to activate it elsewhere. Leases out run to their end.
#[utoipa::path(post, path = "/admin/v1/licenses/{license_id}/deactivate", tag = "admin", security(("bearer" = [])), params(("license_id" = String, Path, description = "The license id")), responses(
    (status = 200, body = Deactivated),
    (status = 400, description = "`bad_request`: not activated here", body = ErrorBody),
))]
pub async fn deactivate(
    State(state): State<AppState>,
    Path(id): Path<LicenseId>,
) -> Result<Json<Deactivated>> {
    state.engine.deactivate(id).await.map(Json)
}
