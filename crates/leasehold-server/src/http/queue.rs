//! The queue over HTTP: a client follows its ticket (long-poll) or leaves
//! the line; the admin sees who waits and removes one.

use super::AppState;
use super::extract::{Json, Path, Query};
use crate::engine::queue::MAX_POLL_SECS;
use crate::error::Result;
use axum::Router;
use axum::extract::State;
use axum::routing::{delete, get};
use leasehold_core::TicketId;
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::queue::{LeftQueue, QueueState, WaitingList};
use serde::Deserialize;
use std::time::Duration;

pub fn client_routes() -> Router<AppState> {
    Router::new().route("/v1/queue/{ticket}", get(follow).delete(leave))
}

pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/v1/queue", get(waiting))
        .route("/admin/v1/queue/{ticket}", delete(remove))
}

/// `GET /v1/queue/{ticket}`: how long to hold the question open, and what the
/// client knows already.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FollowQuery {
    /// Answer at once when the position differs from this one (the one the
    /// client last saw); otherwise wait for a change.
    #[param(minimum = 1)]
    pub position: Option<u32>,
    /// Hold the question open up to this many seconds (at most 25; 0 or
    /// none: answer at once).
    #[param(minimum = 0, maximum = 25)]
    pub wait_secs: Option<u32>,
}

/// Where the ticket stands, or its seat. Answers at once when the position
/// is not the one given, otherwise when it changes or the seat comes, or
/// after `waitSecs`. Each question keeps the ticket for another 30 s.
#[utoipa::path(get, path = "/v1/queue/{ticket}", tag = "client", params(("ticket" = TicketId, Path, description = "The ticket from the checkout"), FollowQuery), responses(
    (status = 200, description = "`state: waiting` with the place, or `state: granted` with the seat (renew it at once to claim it)", body = QueueState),
    (status = 404, description = "`ticket_not_found`: check out again", body = ErrorBody),
    (status = 400, description = "`invalid_field`: waitSecs or position out of range", body = ErrorBody),
))]
pub async fn follow(
    State(state): State<AppState>,
    Path(ticket): Path<TicketId>,
    Query(q): Query<FollowQuery>,
) -> Result<Json<QueueState>> {
    let wait_secs = within("waitSecs", q.wait_secs.unwrap_or(0), 0, MAX_POLL_SECS)?;
    if let Some(p) = q.position {
        within("position", p, 1, u32::MAX)?;
    }
    let wait = Duration::from_secs(u64::from(wait_secs));
    let known = if wait.is_zero() { None } else { q.position };
    state
        .engine
        .follow_ticket(ticket, known, wait)
        .await
        .map(Json)
}

/// Leaves the queue (the client gave up waiting).
#[utoipa::path(delete, path = "/v1/queue/{ticket}", tag = "client", params(("ticket" = TicketId, Path, description = "The ticket")), responses(
    (status = 200, body = LeftQueue),
))]
pub async fn leave(
    State(state): State<AppState>,
    Path(ticket): Path<TicketId>,
) -> Result<Json<LeftQueue>> {
    state
        .engine
        .leave_queue(ticket, "it gave up")
        .await
        .map(Json)
}

/// `GET /admin/v1/queue`: how many of each product's line to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WaitingQuery {
    /// The first this many of each product's line (default 500).
    #[param(minimum = 1, maximum = 5000)]
    pub per_product: Option<u32>,
}

/// The clients waiting for a seat, per product in order, and how many wait
/// in all.
#[utoipa::path(get, path = "/admin/v1/queue", tag = "admin", security(("bearer" = [])), params(WaitingQuery), responses(
    (status = 200, body = WaitingList),
    (status = 400, description = "`invalid_field`: perProduct out of range", body = ErrorBody),
))]
pub async fn waiting(
    State(state): State<AppState>,
    Query(q): Query<WaitingQuery>,
) -> Result<Json<WaitingList>> {
    let per_product = within("perProduct", q.per_product.unwrap_or(500), 1, 5000)?;
    Ok(Json(state.engine.waiting_list(per_product as usize)))
}

/// `value` of the query parameter `field` when it is within `min..=max`;
/// otherwise an error saying so (the OpenAPI document promises the bounds).
fn within(field: &'static str, value: u32, min: u32, max: u32) -> Result<u32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(crate::error::Error::InvalidField {
            field,
            reason: format!("must be between {min} and {max}, not {value}"),
        })
    }
}

/// Takes a client out of the queue.
#[utoipa::path(delete, path = "/admin/v1/queue/{ticket}", tag = "admin", security(("bearer" = [])), params(("ticket" = TicketId, Path, description = "The ticket")), responses(
    (status = 200, body = LeftQueue),
))]
pub async fn remove(
    State(state): State<AppState>,
    Path(ticket): Path<TicketId>,
) -> Result<Json<LeftQueue>> {
    state
        .engine
        .leave_queue(ticket, "removed by the admin")
        .await
        .map(Json)
}
