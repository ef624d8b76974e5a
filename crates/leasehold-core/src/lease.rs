//! A lease: one seat of one product held by one client until a deadline, and
//! the errors the lease rules give.

use crate::ErrorCode;
use crate::computer::Computer;
use crate::ids::{ClientId, LeaseId, Product};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Who holds a lease: what the client told us about itself, plus the address
/// its request came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    pub client_id: ClientId,
    pub user: String,
    pub host: String,
    pub app_name: String,
    pub app_version: String,
    /// The peer address of the request that checked the lease out.
    pub address: String,
    /// The computer's parts (see [`crate::computer`]): tells computers
    /// sharing a client id apart. Absent from an SDK that sends none.
    #[serde(default, skip_serializing_if = "Computer::is_unknown")]
    #[schema(value_type = Option<String>)]
    pub computer: Computer,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lease {
    pub id: LeaseId,
    pub product: Product,
    pub holder: Holder,
    pub granted_at: Timestamp,
    pub renewed_at: Timestamp,
    pub expires_at: Timestamp,
    /// The lease length it was granted with; each renewal extends by this much.
    pub lease_secs: u32,
    /// Granted beyond the licensed seats, from the codes' overdraft: the
    /// vendor bills it.
    #[serde(default)]
    pub overdraft: bool,
    /// Units of an element pool it holds (`vendor issue --units N`); 1 for
    /// a seat.
    #[serde(default = "one")]
    pub units: u32,
}

fn one() -> u32 {
    1
}

/// The most units one checkout may ask for.
pub const MAX_UNITS: u32 = 65_535;

impl Lease {
    #[must_use]
    pub fn is_alive(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }

    /// When the client should renew: a third of the way through the lease, so
    /// two renewals can fail before the seat is lost.
    #[must_use]
    pub fn renew_after_secs(&self) -> u32 {
        renew_after_secs(self.lease_secs)
    }
}

pub(crate) fn renew_after_secs(lease_secs: u32) -> u32 {
    (lease_secs / 3).max(1)
}

/// What a renewal gives back: what the client is answered and what the store
/// is told, without copying out the rest of the lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renewal {
    pub id: LeaseId,
    pub product: Product,
    pub client_id: ClientId,
    pub renewed_at: Timestamp,
    pub expires_at: Timestamp,
    pub lease_secs: u32,
    /// The lease was granted in overdraft.
    pub overdraft: bool,
    /// Feature seats this renewal gave back: held beyond their count now
    /// (a code ended or was removed).
    pub features_dropped: Vec<String>,
    /// The deadline to give the store, when the one it holds is now earlier
    /// than the real one; `None`: nothing to write.
    pub store_until: Option<Timestamp>,
}

/// How a lease ended, remembered for a while so a late renewal can be told why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Ending {
    Released,
    Expired,
    Disconnected,
}

/// What the lease rules refuse, each a real outcome the client acts on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LeaseError {
    #[error(
        "no seat of {product} is free: {} in use; try again in {retry_after_secs} s",
        if in_use >= seats { format!("all {seats} are") } else { format!("{in_use} of {seats} units are, fewer free than asked") }
    )]
    NoSeatFree {
        product: Product,
        seats: u32,
        in_use: u32,
        retry_after_secs: u32,
    },
    #[error(
        "this server has no license for {0}; ask the administrator to add a license code for it"
    )]
    NoLicense(Product),
    /// The admin's seat policy says no (its own code names the step, the
    /// message the rule and its line in `policy.toml`).
    #[error("{}", .0.message)]
    Policy(crate::policy::Denial),
    #[error(
        "the licence of {0} does not allow borrowing seats; check out while connected to the server"
    )]
    BorrowNotAllowed(Product),
    #[error(
        "this user on this computer borrows a seat of {product} already, until {}; give it back first (`leasehold client return {product}`)",
        until.to_rfc3339()
    )]
    AlreadyBorrowed { product: Product, until: Timestamp },
    #[error(
        "a seat of {product} may be borrowed for at most {max_hours} hours (the vendor's limit); ask for fewer"
    )]
    BorrowTooLong { product: Product, max_hours: u32 },
    #[error(
        "no seat of {product} may be borrowed now: {borrowed} of the {borrowable} that may be lent out are borrowed{}; try again when one is returned",
        if *kept > 0 { format!(" ({kept} more are kept never to be lent out by the seat policy's keep_unborrowed)") } else { String::new() }
    )]
    NoBorrowableSeat {
        product: Product,
        borrowable: u32,
        borrowed: u32,
        kept: u32,
    },
    #[error(
        "every seat of feature {feature} of {product} is in use ({in_use} of {seats}); try again when one is released"
    )]
    NoFeatureSeatFree {
        product: Product,
        feature: String,
        seats: u32,
        in_use: u32,
    },
    #[error(
        "no licence of {product} counting now gives feature {feature}; the administrator sees the features of each code in the Licenses tab"
    )]
    FeatureNotLicensed { product: Product, feature: String },
    #[error(
        "{0} is licensed by seats, not as a pool of units: check it out without units (one seat each)"
    )]
    NotAUnitPool(Product),
    #[error(
        "{asked} units of {product} asked, but its pool has {units} in all; ask for at most {units}"
    )]
    TooManyUnits {
        product: Product,
        asked: u32,
        units: u32,
    },
    #[error(
        "the seats of {product} belong to named users and {user} is not one of them; the administrator names users with `leasehold admin users assign {product} USER` or in the Licenses tab"
    )]
    NotANamedUser { product: Product, user: String },
    #[error(
        "{user} holds the named seat of {product} on another computer already ({host}); a named seat is one person's, used in one place at a time: release it there first"
    )]
    NamedSeatInUse {
        product: Product,
        user: String,
        host: String,
    },
    #[error(
        "the licenses for {0} are not valid right now (expired, not yet started, or signed by a vendor key this server does not trust); the administrator sees why in the Licenses tab"
    )]
    NoValidLicense(Product),
    #[error(
        "the licenses for {0} are not activated on this server (or were activated on another computer); the administrator activates them in the Licenses tab or with `leasehold admin activation request`"
    )]
    NeedsActivation(Product),
    #[error(
        "the licenses for {0} have dates, and this server's clock is set back more than a day behind the latest time it saw; they count again once the clock is right"
    )]
    ClockSetBack(Product),
    #[error("lease {0} is not known to this server; check out a new seat")]
    LeaseNotFound(LeaseId),
    #[error("lease {0} was released; check out a new seat")]
    LeaseReleased(LeaseId),
    #[error("lease {0} expired before it was renewed; check out a new seat")]
    LeaseExpired(LeaseId),
    #[error("lease {0} was ended by the administrator; check out a new seat")]
    LeaseDisconnected(LeaseId),
    #[error(
        "{product} has more seats in use than it is licensed for now; this lease is not renewed and ends at {expires_at}"
    )]
    OverSubscribed {
        product: Product,
        expires_at: Timestamp,
    },
}

impl LeaseError {
    /// The stable machine-readable code sent to clients.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NoSeatFree { .. } => ErrorCode::NoSeatFree,
            Self::NoLicense(_) => ErrorCode::NoLicenseForProduct,
            Self::Policy(denial) => denial.code,
            Self::NotANamedUser { .. } => ErrorCode::NotANamedUser,
            Self::NamedSeatInUse { .. } => ErrorCode::NamedSeatInUse,
            Self::NoFeatureSeatFree { .. } => ErrorCode::NoFeatureSeatFree,
            Self::BorrowNotAllowed(_) => ErrorCode::BorrowNotAllowed,
            Self::AlreadyBorrowed { .. } => ErrorCode::AlreadyBorrowed,
            Self::BorrowTooLong { .. } => ErrorCode::BorrowTooLong,
            Self::NoBorrowableSeat { .. } => ErrorCode::NoBorrowableSeat,
            Self::FeatureNotLicensed { .. } => ErrorCode::FeatureNotLicensed,
            Self::NotAUnitPool(_) => ErrorCode::NotAUnitPool,
            Self::TooManyUnits { .. } => ErrorCode::TooManyUnits,
            Self::NoValidLicense(_) => ErrorCode::NoValidLicense,
            Self::NeedsActivation(_) => ErrorCode::NeedsActivation,
            Self::ClockSetBack(_) => ErrorCode::ClockSetBack,
            Self::LeaseNotFound(_) => ErrorCode::LeaseNotFound,
            Self::LeaseReleased(_) => ErrorCode::LeaseReleased,
            Self::LeaseExpired(_) => ErrorCode::LeaseExpired,
            Self::LeaseDisconnected(_) => ErrorCode::LeaseDisconnected,
            Self::OverSubscribed { .. } => ErrorCode::OverSubscribed,
        }
    }
}
