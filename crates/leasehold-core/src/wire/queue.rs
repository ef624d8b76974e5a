//! The queue on the wire: a waiting checkout's ticket, what following it
//! answers, and the admin's Waiting list.

use super::client::LeaseGrant;
use crate::ids::{ClientId, Product, TicketId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// `202` to `POST /v1/checkout` with `wait`: no seat now, a place in line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Queued {
    pub ticket: TicketId,
    pub product: Product,
    /// 1 = next.
    pub position: u32,
    /// How many wait for the product.
    pub waiting: u32,
    /// When a seat may come its turn, from how often seats freed lately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_at: Option<Timestamp>,
    /// The ticket is dropped unless the client asks about it within this
    /// many seconds (`GET /v1/queue/{ticket}` keeps it).
    pub ticket_secs: u32,
}

/// `GET /v1/queue/{ticket}`: still waiting (and where), or the seat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum QueueState {
    /// Still in line.
    Waiting(Queued),
    /// A seat: a grant as a checkout gives, whose lease ends at `expiresAt`
    /// (the claim window) unless renewed at once (`renewAfterSecs` is 1).
    Granted(LeaseGrant),
}

/// `DELETE /v1/queue/{ticket}` (and the admin's Remove).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeftQueue {
    pub ticket: TicketId,
    /// False when it was not waiting (left before, served, or unknown).
    pub was_waiting: bool,
}

/// One client waiting, as the admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaiterView {
    pub ticket: TicketId,
    pub product: Product,
    pub position: u32,
    pub client_id: ClientId,
    pub user: String,
    pub host: String,
    pub app_name: String,
    pub since: Timestamp,
}

/// `GET /admin/v1/queue`: the clients waiting, per product in order (the
/// first `perProduct` of each).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitingList {
    pub waiters: Vec<WaiterView>,
    /// How many wait in all (more than listed when a line is longer than
    /// `perProduct`).
    #[serde(default)]
    pub total: u32,
}
