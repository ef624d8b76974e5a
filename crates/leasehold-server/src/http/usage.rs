//! Consumption tokens: `POST /v1/usage` (client API) spends them once per
//! idempotency key; `GET /admin/v1/usage/ledger` shows the balances and the
//! spends.

use super::AppState;
use super::extract::{Json, Query};
use crate::error::{Error, Result};
use crate::store::{LedgerQuery, MAX_ENTRIES};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::usage::{
    HistoryStep, LedgerPage, UsageAnswer, UsageHistory, UsageRequest,
};
use leasehold_core::{CorrelationId, Product, Timestamp};
use serde::Deserialize;

pub fn client_routes() -> Router<AppState> {
    Router::new().route("/v1/usage", post(consume))
}

pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/v1/usage", get(history))
        .route("/admin/v1/usage/ledger", get(ledger))
        .route("/admin/v1/report", get(report))
}

/// Spends `amount` of the product's consumption tokens. Answered only once
/// the spend is durable. The same `idempotencyKey` sent again (after a
/// timeout, a retry, a server restart) is answered with the first spend
/// (`replayed: true`) and spends nothing more. The balance never goes below
/// zero unless the licence gives a token overdraft (the part beyond is
/// `over`).
#[utoipa::path(post, path = "/v1/usage", tag = "client", request_body = UsageRequest, responses(
    (status = 200, body = UsageAnswer),
    (status = 409, description = "`tokens_exhausted`: the message says what is left and when tokens are given again", body = ErrorBody),
    (status = 404, description = "`tokens_not_licensed`", body = ErrorBody),
    (status = 422, description = "`idempotency_key_reused`: the key names another spend", body = ErrorBody),
    (status = 400, description = "`bad_request` or `invalid_field`", body = ErrorBody),
))]
pub async fn consume(
    State(state): State<AppState>,
    Json(req): Json<UsageRequest>,
) -> Result<Json<UsageAnswer>> {
    state
        .engine
        .consume(req, CorrelationId::random())
        .await
        .map(Json)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LedgerFilter {
    /// Only this product's spends.
    #[param(max_length = 64)]
    product: Option<String>,
    /// Only spends at or after this time (unix ms).
    from: Option<i64>,
    /// Only spends before this time (unix ms).
    to: Option<i64>,
    /// Only spends older than this place in the ledger (the previous page's
    /// `nextBefore`).
    #[param(minimum = 1)]
    before: Option<i64>,
    /// At most this many (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Each product's consumption tokens in the running period, and the
/// ledger of spends (who, when, how much, the note), newest first.
#[utoipa::path(get, path = "/admin/v1/usage/ledger", tag = "admin", security(("bearer" = [])),
    params(LedgerFilter),
    responses((status = 200, body = LedgerPage), (status = 400, body = ErrorBody)))]
pub async fn ledger(
    State(state): State<AppState>,
    Query(f): Query<LedgerFilter>,
) -> Result<axum::Json<LedgerPage>> {
    let limit = super::admin::check_limit(f.limit, 100, MAX_ENTRIES)?;
    let product = product_filter(f.product)?;
    let before =
        match f.before {
            None => None,
            Some(b) => Some(u64::try_from(b).ok().filter(|b| *b >= 1).ok_or_else(|| {
                Error::InvalidField {
                    field: "before",
                    reason: format!("{b} is not a place in the ledger; they start at 1"),
                }
            })?),
        };
    let entries = state
        .engine
        .store()
        .ledger(LedgerQuery {
            product,
            since: f.from.map(Timestamp),
            until: f.to.map(Timestamp),
            before,
            limit,
        })
        .await?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(axum::Json(LedgerPage {
        balances: state.engine.token_balances(),
        entries,
        next_before,
    }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct HistoryFilter {
    /// Only this product (default: every product).
    #[param(max_length = 64)]
    product: Option<String>,
    /// From this time (unix ms; default: a day before `to`).
    from: Option<i64>,
    /// Up to this time (unix ms; default: now).
    to: Option<i64>,
    /// `minute` (kept 7 days), `hour` (400 days) or `day`; default: by the
    /// range (minutes up to 2 days, hours up to 62 days, else days).
    step: Option<HistoryStep>,
}

/// The usage history per product: for each minute, hour or day, the most
/// and fewest seats in use, seats licensed, denials, clients waiting, seats
/// in overdraft and tokens spent.
#[utoipa::path(get, path = "/admin/v1/usage", tag = "admin", security(("bearer" = [])),
    params(HistoryFilter),
    responses((status = 200, body = UsageHistory), (status = 400, description = "`invalid_field`: a range the step cannot answer", body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Query(f): Query<HistoryFilter>,
) -> Result<axum::Json<UsageHistory>> {
    let product = product_filter(f.product)?;
    let to = f.to.map_or_else(|| state.engine.now(), Timestamp);
    let from = Timestamp(
        f.from
            .unwrap_or(to.0.saturating_sub(HistoryStep::Day.millis())),
    );
    let span = to.0.saturating_sub(from.0);
    let step = f.step.unwrap_or(if span <= 2 * HistoryStep::Day.millis() {
        HistoryStep::Minute
    } else if span <= 62 * HistoryStep::Day.millis() {
        HistoryStep::Hour
    } else {
        HistoryStep::Day
    });
    state
        .engine
        .usage_history(product, from, to, step)
        .await
        .map(axum::Json)
}

/// A product filter: empty is none; longer than a product name is a
/// mistake.
fn product_filter(product: Option<String>) -> Result<Option<Product>> {
    let product = product.filter(|p| !p.is_empty());
    if let Some(p) = &product {
        let chars = p.chars().count();
        if chars > leasehold_core::license::MAX_PRODUCT_LEN {
            return Err(Error::InvalidField {
                field: "product",
                reason: format!(
                    "is {chars} characters long; product names have at most {}",
                    leasehold_core::license::MAX_PRODUCT_LEN
                ),
            });
        }
    }
    Ok(product.map(Product))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReportPeriod {
    /// The period's start (unix ms).
    from: i64,
    /// The period's end, not included (unix ms).
    to: i64,
}

/// The usage report for the vendor: the period's figures per product, the
/// licence codes and activations they came from, and the period's events
/// as a hash chain, signed by this server's key (`report` is the exact
/// text signed). `leasehold vendor verify-report` checks it.
#[utoipa::path(get, path = "/admin/v1/report", tag = "admin", security(("bearer" = [])),
    params(ReportPeriod),
    responses((status = 200, body = leasehold_core::wire::report::SignedReport), (status = 400, description = "`invalid_field`: an empty period, or one with more events than a report carries", body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    Query(p): Query<ReportPeriod>,
) -> Result<axum::Json<leasehold_core::wire::report::SignedReport>> {
    state
        .engine
        .usage_report(Timestamp(p.from), Timestamp(p.to))
        .await
        .map(axum::Json)
}
