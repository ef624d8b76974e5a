//! Alerts (admin API): the list the UI's bell shows, acknowledging, and
//! where alerts are sent.

use super::AppState;
use super::extract::{Json, Path};
use crate::accounts::Caller;
use crate::error::Result;
use axum::Router;
use axum::extract::{Extension, State};
use axum::routing::{get, post};
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::alerts::{Alert, AlertList, AlertSettings, AlertTest};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/v1/alerts", get(alerts))
        .route("/admin/v1/alerts/{alert_id}/acknowledge", post(acknowledge))
        .route("/admin/v1/alerts/settings", get(settings).put(set_settings))
        .route("/admin/v1/alerts/test", post(test))
}

/// Alerts not yet acknowledged (open first), then the latest acknowledged;
/// how the last mail and webhook went.
#[utoipa::path(get, path = "/admin/v1/alerts", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = AlertList),
))]
pub async fn alerts(State(state): State<AppState>) -> Json<AlertList> {
    Json(state.run.alerts.list())
}

/// Marks an alert as seen (operators and admins); the account is kept.
#[utoipa::path(post, path = "/admin/v1/alerts/{alert_id}/acknowledge", tag = "admin", security(("bearer" = [])), params(("alert_id" = u64, Path)), responses(
    (status = 200, body = Alert),
    (status = 404, description = "`not_found`: no such alert", body = ErrorBody),
))]
pub async fn acknowledge(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<u64>,
) -> Result<Json<Alert>> {
    Ok(Json(
        state
            .run
            .alerts
            .acknowledge(id, Some(caller.account))
            .await?,
    ))
}

/// Where alerts are sent (the mail password is never shown) and the usage threshold.
#[utoipa::path(get, path = "/admin/v1/alerts/settings", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = AlertSettings),
))]
pub async fn settings(State(state): State<AppState>) -> Json<AlertSettings> {
    Json(state.run.alerts.settings())
}

/// Replaces where alerts are sent; a mail password left out is kept, an
/// empty one removed.
#[utoipa::path(put, path = "/admin/v1/alerts/settings", tag = "admin", security(("bearer" = [])), request_body = AlertSettings, responses(
    (status = 200, body = AlertSettings),
    (status = 422, description = "`invalid_alert_settings`: a relay, address or URL that cannot be used (the message names the field)", body = ErrorBody),
))]
pub async fn set_settings(
    State(state): State<AppState>,
    Json(req): Json<AlertSettings>,
) -> Result<Json<AlertSettings>> {
    Ok(Json(state.run.alerts.set_settings(req).await?))
}

/// Sends a test alert now and says how each channel went.
#[utoipa::path(post, path = "/admin/v1/alerts/test", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = AlertTest),
))]
pub async fn test(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Json<AlertTest> {
    Json(state.run.alerts.test(Some(caller.account)).await)
}
