//! The admin's seat policy (admin API): see it, replace it, and ask what it
//! would say to a checkout now.

use super::AppState;
use super::extract::Json;
use crate::error::Result;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::policy::{PolicyCheck, PolicyCheckRequest, PolicyStatus, PolicyText};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/v1/policy", get(policy).put(set_policy))
        .route("/admin/v1/policy/check", post(check_policy))
}

/// The seat policy in force (groups, each product's rules with their lines,
/// the order of precedence), `policy.toml` as it is, and why it is not in
/// force when it is invalid.
#[utoipa::path(get, path = "/admin/v1/policy", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = PolicyStatus),
))]
pub async fn policy(State(state): State<AppState>) -> Json<PolicyStatus> {
    Json(state.engine.policy_status())
}

/// Replaces `policy.toml` and puts it in force (empty text: no policy).
/// Leases already out run to their end.
#[utoipa::path(put, path = "/admin/v1/policy", tag = "admin", security(("bearer" = [])), request_body = PolicyText, responses(
    (status = 200, body = PolicyStatus),
    (status = 422, description = "`invalid_policy`: the line and what is wrong; nothing changed", body = ErrorBody),
))]
pub async fn set_policy(
    State(state): State<AppState>,
    Json(body): Json<PolicyText>,
) -> Result<Json<PolicyStatus>> {
    let engine = state.engine.clone();
    crate::actor::spawn_blocking(move || engine.set_policy_text(&body.text))
        .await
        .map_err(|e| crate::error::Error::Internal(format!("policy task failed: {e}")))?
        .map(Json)
}

/// The dry run: would this user on this host get a seat of the product now?
/// Takes no seat.
#[utoipa::path(post, path = "/admin/v1/policy/check", tag = "admin", security(("bearer" = [])), request_body = PolicyCheckRequest, responses(
    (status = 200, body = PolicyCheck),
))]
pub async fn check_policy(
    State(state): State<AppState>,
    Json(body): Json<PolicyCheckRequest>,
) -> Json<PolicyCheck> {
    Json(
        state
            .engine
            .check_policy(&body.product, &body.user, &body.host),
    )
}
