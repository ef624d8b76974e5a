//! Named users on the wire (admin API): who holds a product's named seats.

use crate::ids::Product;
use crate::named::Assignment;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A product whose codes have named users, and who is named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamedUsersView {
    pub product: Product,
    /// Whether a named code counts now (only named users may check out);
    /// false while the named codes have not started or have ended.
    pub in_force: bool,
    /// Seats that may be named: those of the product's named codes counting
    /// now (or, before one counts, of those still to start). Seats of its
    /// other codes float as usual.
    pub seats: u32,
    /// The named users, in name order.
    pub users: Vec<Assignment>,
    /// Seats freed from a user whose cool-down is not over: when each may
    /// go to another user.
    pub cooling_until: Vec<Timestamp>,
    /// The vendor's cool-down before a seat that moved may move again.
    pub reassign_after_hours: u32,
}

/// `GET /admin/v1/named-users`: every product whose codes have named users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamedUsersList {
    pub products: Vec<NamedUsersView>,
}
