//! The server's settings an admin may change (admin API).

use super::AppState;
use super::extract::Json;
use crate::error::Result;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::admin::{Settings, SettingsChange};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/v1/settings", get(settings).put(change_settings))
}

/// The settings: how many days before a code's last day it is warned of.
#[utoipa::path(get, path = "/admin/v1/settings", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = Settings),
))]
pub async fn settings(State(state): State<AppState>) -> Json<Settings> {
    Json(state.engine.settings())
}

/// Changes the settings given; those left out stay as they are.
#[utoipa::path(put, path = "/admin/v1/settings", tag = "admin", security(("bearer" = [])), request_body = SettingsChange, responses(
    (status = 200, body = Settings),
    (status = 400, description = "`invalid_field`: a value out of range", body = ErrorBody),
))]
pub async fn change_settings(
    State(state): State<AppState>,
    Json(change): Json<SettingsChange>,
) -> Result<Json<Settings>> {
    Ok(Json(state.engine.change_settings(change).await?))
}
