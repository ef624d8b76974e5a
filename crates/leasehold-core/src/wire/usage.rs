//! Consumption tokens on the wire: `POST /v1/usage` spends units of a
//! product's balance once per idempotency key; the admin API shows the
//! balances and the ledger.

use crate::ids::{ClientId, Product};
use crate::tokens::{Balance, Spent};
use serde::{Deserialize, Serialize};

/// `POST /v1/usage`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageRequest {
    #[schema(schema_with = super::schema::product)]
    pub product: Product,
    /// Units to spend (at least 1).
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    #[serde(deserialize_with = "super::whole_u64")]
    pub amount: u64,
    /// Names this spend: sent again (a retry, after a timeout or a server
    /// restart), it is answered with the first spend and spends nothing more.
    #[schema(schema_with = super::schema::idempotency_key)]
    pub idempotency_key: String,
    #[schema(schema_with = super::schema::required_name)]
    pub client_id: ClientId,
    #[serde(default)]
    #[schema(schema_with = super::schema::optional_name)]
    pub user: String,
    /// What the units were spent on (shown in the ledger).
    #[serde(default)]
    #[schema(schema_with = super::schema::note)]
    pub note: String,
}

/// A spend recorded (answered only once durable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageAnswer {
    pub spend: Spent,
    /// This key was spent before: the first spend is the answer, and
    /// nothing more was spent now.
    pub replayed: bool,
}

/// `GET /admin/v1/usage/ledger`: spends, newest first, and the balances.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerPage {
    /// Each product's tokens in the running period (products whose counting
    /// codes give tokens).
    pub balances: Vec<Balance>,
    pub entries: Vec<LedgerEntry>,
    /// More, older entries: ask again with `before` set to this.
    pub next_before: Option<u64>,
}

/// One spend in the ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    /// The spend's place in the ledger (larger: later).
    pub seq: u64,
    pub spend: Spent,
}

/// How far apart the points of a usage history are.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum HistoryStep {
    /// Kept 7 days.
    Minute,
    /// Kept 400 days.
    Hour,
    /// Kept 10 years.
    Day,
}

impl HistoryStep {
    /// The step's length in milliseconds.
    #[must_use]
    pub fn millis(self) -> i64 {
        match self {
            Self::Minute => 60_000,
            Self::Hour => 3_600_000,
            Self::Day => 86_400_000,
        }
    }

    /// How long points of this step are kept, in milliseconds.
    #[must_use]
    pub fn kept_millis(self) -> i64 {
        match self {
            Self::Minute => 7 * 86_400_000,
            Self::Hour => 400 * 86_400_000,
            Self::Day => 3_660 * 86_400_000,
        }
    }

    /// The step's name as the API and the CLI take it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minute => "minute",
            Self::Hour => "hour",
            Self::Day => "day",
        }
    }
}

/// A product's use over one step (a minute, an hour, a day).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsagePoint {
    /// The step's start.
    pub at: crate::time::Timestamp,
    /// Most seats in use at once (the high water mark).
    pub high: u32,
    /// Fewest seats in use at once (the low water mark).
    pub low: u32,
    /// Seats licensed (the most during the step).
    pub seats: u32,
    /// Checkouts and spends refused.
    pub denials: u32,
    /// Most clients waiting in the queue (sampled every few seconds).
    pub waiting: u32,
    /// Most seats in use beyond the licensed ones (the overdraft).
    pub overdraft: u32,
    /// Consumption tokens spent.
    pub tokens: u64,
}

/// One product's points, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageSeries {
    pub product: Product,
    pub points: Vec<UsagePoint>,
}

/// `GET /admin/v1/usage`: use per product over a range. A step with no
/// point is a time the server did not run (or, per minute, one older than
/// 7 days).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageHistory {
    pub step: HistoryStep,
    pub from: crate::time::Timestamp,
    pub to: crate::time::Timestamp,
    pub series: Vec<UsageSeries>,
}
