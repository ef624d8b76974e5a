//! Named users (admin API): who may use a product whose codes have named
//! users (`vendor issue --named-users`).

use super::AppState;
use super::extract::{Json, Path};
use crate::error::Result;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};
use leasehold_core::Product;
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::named::{NamedUsersList, NamedUsersView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/v1/named-users", get(named_users))
        .route("/admin/v1/named-users/{product}", get(named_users_of))
        .route(
            "/admin/v1/named-users/{product}/{user}",
            put(assign).delete(unassign),
        )
}

/// Every product whose codes have named users: its seats, who is named
/// (since when, whether the seat moved to them), seats cooling down.
#[utoipa::path(get, path = "/admin/v1/named-users", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = NamedUsersList),
))]
pub async fn named_users(State(state): State<AppState>) -> Json<NamedUsersList> {
    Json(state.engine.named_users())
}

/// One product's named users.
#[utoipa::path(get, path = "/admin/v1/named-users/{product}", tag = "admin", security(("bearer" = [])),
    params(super::path_params::ProductParam),
    responses(
        (status = 200, body = NamedUsersView),
        (status = 409, description = "`product_not_named`", body = ErrorBody),
        (status = 400, description = "`invalid_field`: the product's name", body = ErrorBody),
    ))]
pub async fn named_users_of(
    State(state): State<AppState>,
    Path(product): Path<String>,
) -> Result<Json<NamedUsersView>> {
    state
        .engine
        .named_users_of(&Product::from(product.as_str()))
        .map(Json)
}

/// Names a user for a seat (already named: nothing changes).
#[utoipa::path(put, path = "/admin/v1/named-users/{product}/{user}", tag = "admin", security(("bearer" = [])),
    params(super::path_params::NamedUserParams),
    responses(
        (status = 200, body = NamedUsersView),
        (status = 409, description = "`product_not_named`, or `named_seats_full` (saying when a seat in its cool-down frees)", body = ErrorBody),
        (status = 400, description = "`invalid_field`: the user name", body = ErrorBody),
    ))]
pub async fn assign(
    State(state): State<AppState>,
    Path((product, user)): Path<(String, String)>,
) -> Result<Json<NamedUsersView>> {
    state
        .engine
        .assign_user(&Product::from(product.as_str()), &user)
        .await
        .map(Json)
}

/// Takes a named user's seat away; a lease the user holds runs to its end.
#[utoipa::path(delete, path = "/admin/v1/named-users/{product}/{user}", tag = "admin", security(("bearer" = [])),
    params(super::path_params::NamedUserParams),
    responses(
        (status = 200, body = NamedUsersView),
        (status = 409, description = "`product_not_named`, `not_a_named_user`", body = ErrorBody),
        (status = 400, description = "`invalid_field`: the product's or user's name", body = ErrorBody),
    ))]
pub async fn unassign(
    State(state): State<AppState>,
    Path((product, user)): Path<(String, String)>,
) -> Result<Json<NamedUsersView>> {
    state
        .engine
        .unassign_user(&Product::from(product.as_str()), &user)
        .await
        .map(Json)
}
