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
