//! What a license code grants, once decoded: the terms, with no encoding or
//! signature concerns.

use crate::ids::{LicenseId, Product};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The default lease length a code grants when the vendor does not choose one.
pub const DEFAULT_LEASE_SECS: u32 = 600;

/// The terms one license code grants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseTerms {
    /// Unique per issued code; adding the same code twice is refused by it.
    pub license_id: LicenseId,
    pub product: Product,
    /// Concurrent seats this code adds to its product's pool.
    pub seats: u32,
    /// First moment the code counts (start of its start day, UTC); `None` = at once.
    pub valid_from: Option<Timestamp>,
    /// First moment the code no longer counts (end of its expiry day, UTC);
    /// `None` = never expires.
    pub valid_until: Option<Timestamp>,
    pub features: Vec<String>,
    /// Who the vendor issued it to, as free text.
    pub customer: String,
    /// How long a lease granted from this code lasts before it must be renewed.
    pub lease_secs: u32,
    /// For standalone use: the machine id this code is bound to.
    pub node_lock: Option<String>,
    pub issued_at: Timestamp,
    /// Whether the code counts on a server only once the vendor has activated
    /// it for that server (codes of format 1 need no activation).
    #[serde(default)]
    pub activation_required: bool,
    /// On how many servers at once the vendor will activate the code (at
    /// least 1 when activation is required, 0 when not).
    #[serde(default)]
    pub max_activations: u32,
    /// How the code's seats may be used beyond counting them (overdraft,
    /// queue, named users, borrowing, linger, feature seats): all off by
    /// default, as in codes of formats 1 and 2.
    #[serde(default)]
    pub seat_rules: SeatRules,
}

/// The cool-down before a named user's seat may move again, unless the
/// vendor chooses another.
pub const DEFAULT_REASSIGN_AFTER_HOURS: u32 = 24;

/// What a code lets its seats do beyond being counted, and the tokens it
/// gives. `Default` is a plain floating code: no overdraft, waiting allowed,
/// no named users, no borrowing, no linger, features without counts, no
/// tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct SeatRules {
    /// Seats that may be granted beyond the licensed count, each marked
    /// `overdraft` so the vendor can bill it.
    pub overdraft: u32,
    /// The vendor forbids waiting in the queue for this code's seats.
    pub no_queue: bool,
    /// The seats belong to users the admin names; only they may check out.
    pub named_users: bool,
    /// With named users: hours before a seat moved to another user may move
    /// again (so seats cannot be rotated to float).
    pub reassign_after_hours: u32,
    /// Longest a seat may be borrowed for offline use, in hours (0: never).
    pub max_borrow_hours: u32,
    /// Seconds a released seat stays kept for its holder (0: none).
    pub linger_secs: u32,
    /// Features with a count of their own (checked out under a product
    /// lease); a feature not listed here is a plain entitlement.
    pub feature_seats: Vec<FeatureSeats>,
    /// Consumption tokens the code gives its product (`POST /v1/usage`
    /// spends them), if any.
    pub tokens: Option<Tokens>,
    /// The seats are a pool of units (`vendor issue --units N`: cores,
    /// modules); a checkout may ask for several.
    #[serde(default)]
    pub units_pool: bool,
}

/// A balance of units a product's applications spend (`vendor issue
/// --tokens N`), given again each period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// Units per period.
    pub units: u64,
    pub period: TokenPeriod,
    /// Units that may be spent beyond the balance, each marked so the
    /// vendor can bill it.
    pub overdraft: u64,
}

/// How often a code's tokens are given again: each calendar month or year
/// (UTC), or once for the code's life.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum TokenPeriod {
    Month,
    Year,
    None,
}

impl Default for SeatRules {
    fn default() -> Self {
        Self {
            overdraft: 0,
            no_queue: false,
            named_users: false,
            reassign_after_hours: DEFAULT_REASSIGN_AFTER_HOURS,
            max_borrow_hours: 0,
            linger_secs: 0,
            feature_seats: Vec::new(),
            tokens: None,
            units_pool: false,
        }
    }
}

impl SeatRules {
    /// Whether these are the rules of a plain floating code (what codes of
    /// format 2 and older have).
    #[must_use]
    pub fn is_plain(&self) -> bool {
        *self == Self::default()
    }
}

/// A feature's own seat count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureSeats {
    pub feature: String,
    pub seats: u32,
}

/// Whether a code counts at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Validity {
    Active,
    NotYetValid,
    Expired,
}

impl LicenseTerms {
    #[must_use]
    pub fn validity(&self, now: Timestamp) -> Validity {
        if self.valid_from.is_some_and(|from| now < from) {
            Validity::NotYetValid
        } else if self.valid_until.is_some_and(|until| now >= until) {
            Validity::Expired
        } else {
            Validity::Active
        }
    }

    #[must_use]
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.validity(now) == Validity::Active
    }
}
