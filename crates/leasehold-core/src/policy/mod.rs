//! The admin's seat policy: who may use a product, how many seats a user,
//! host or group may hold at once, seats kept for some, and seats never lent
//! out. What FlexNet's options file does, with one order of precedence and
//! every mistake refused. The admin keeps it in `policy.toml` in the
//! server's data directory; this module reads and applies it, with no I/O
//! and no clock.
//!
//! # The file
//!
//! ```toml
//! [groups]
//! cad-core = { users = ["alice", "bob"] }
//! lab      = { hosts = ["lab-pc-01", "lab-pc-02"] }
//!
//! [products.cad]
//! include = ["group:cad-core", "user:carol", "host:build-01"]  # only these (absent: everyone)
//! exclude = ["user:mallory"]                                    # never these
//! reserve = [{ seats = 3, for = "group:cad-core" }]             # seats kept for them
//! max     = [{ seats = 2, for = "host:lab-pc-01" }, { seats = 1, for = "user:bob" }]
//! keep_unborrowed = 2                                           # never lent out offline
//! ```
//!
//! A rule is about a subject: `user:NAME`, `host:NAME` or `group:NAME`. A
//! group holds users, hosts or both; a requester (a user on a host) matches
//! it when its user or its host is a member. Names compare without regard to
//! case (Windows user names and DNS host names do). Product names are
//! compared as the vendor spells them in its codes. `max` on a group limits
//! its members together; on a user or host, that one user or host. Anything
//! the file gets wrong (a typo'd key, a group not defined, `seats = 0`, the
//! same subject twice) is refused with its line ([`Policy::parse`]); an empty
//! file is a policy with no rules.
//!
//! # Precedence
//!
//! One order, the same as [`PRECEDENCE`] (a test holds them together); the
//! first step that denies decides.
//!
//! | step | rule | what it does | code |
//! |---|---|---|---|
//! | 1 | exclude | A matching exclude entry denies, even when the include list names the requester too. | `excluded_by_policy` |
//! | 2 | include | When the product has an include list and no entry matches, denied. | `excluded_by_policy` |
//! | 3 | max | A matching max rule whose subject already holds its seats of the product denies (a group's members count together). | `user_limit_reached` |
//! | 4 | reserve | A requester covered by a reservation with a seat unused takes it. Else the unused seats of every reservation it is not covered by are set aside, and when no free seat is left, denied. | `seats_reserved` |
//! | 5 | licence | Otherwise the licence decides: a free seat is granted, none free is no_seat_free. | — |
//!
//! # Reservations
//!
//! `reserve N for S` promises S's members N seats together: a lease counts
//! towards every reservation whose subject it matches (one lease of a user in
//! two reserved groups serves both). Reservations asking for more seats than
//! are licensed now are honoured in file order: each gets what the earlier
//! ones leave, and reserved seats beyond the licence do not exist (10 seats,
//! `reserve 8` then `reserve 8`: the first keeps 8, the second 2, nobody else
//! any). The policy never denies when no seat is free at all: that is the
//! licence's `no_seat_free`.
//!
//! # Counting
//!
//! A decision asks the lease table through [`Occupancy`]: counters per user
//! and per host (and per user the hosts it holds from), so a group's count
//! is a lookup per member and a lease whose user and host are both members
//! counts once. A product without rules costs one hash lookup and nothing
//! is allocated unless a checkout is denied.
//!
//! # What it does not decide
//!
//! The policy is for new seats. A renewal, or a checkout that gets its
//! holder's own lease back, is not decided again, and leases already out
//! when a stricter policy is loaded run to their end.

mod counted;
mod decide;
mod group;
mod names;
mod parse;
mod rules;
mod view;

pub use counted::{Counted, Counters};
pub use decide::{Decision, Denial, Requester};
pub use group::{Group, Occupancy};
pub use names::{MAX_NAME_BYTES, name_key};
pub use parse::{MAX_ENTRIES, MAX_FILE_BYTES, PolicyError};
pub use rules::RuleRef;
pub use view::precedence;

use crate::ErrorCode;
use hashbrown::HashMap;
use rules::ProductRules;

/// One step of the order in which rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The rule's key in the file (`licence` for the last step).
    pub rule: &'static str,
    pub effect: &'static str,
    /// The code a denial at this step has (none: the licence's own).
    pub code: Option<ErrorCode>,
}

/// The order of precedence, for the server, the README and the UI to show
/// from one place. [`Policy::decide`] applies it.
pub const PRECEDENCE: &[Step] = &[
    Step {
        rule: "exclude",
        effect: "A matching exclude entry denies, even when the include list names the requester too.",
        code: Some(ErrorCode::ExcludedByPolicy),
    },
    Step {
        rule: "include",
        effect: "When the product has an include list and no entry matches, denied.",
        code: Some(ErrorCode::ExcludedByPolicy),
    },
    Step {
        rule: "max",
        effect: "A matching max rule whose subject already holds its seats of the product denies (a group's members count together).",
        code: Some(ErrorCode::UserLimitReached),
    },
    Step {
        rule: "reserve",
        effect: "A requester covered by a reservation with a seat unused takes it. Else the unused seats of every reservation it is not covered by are set aside, and when no free seat is left, denied.",
        code: Some(ErrorCode::SeatsReserved),
    },
    Step {
        rule: "licence",
        effect: "Otherwise the licence decides: a free seat is granted, none free is no_seat_free.",
        code: None,
    },
];

/// A seat policy as read from `policy.toml`, ready to decide checkouts.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// The file's name as the admin knows it, for messages.
    file: String,
    /// In file order; rules name them by index.
    groups: Vec<Group>,
    products: HashMap<String, ProductRules>,
}

impl Policy {
    /// A policy with no rules: every checkout goes to the licence.
    #[must_use]
    pub fn empty() -> Self {
        Self::default()
    }

    /// Whether it has no groups and no products.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.products.is_empty()
    }

    /// The file it was read from, as named to [`Policy::parse`].
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Its groups, in file order.
    #[must_use]
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The products it has rules for (the server can warn about one no
    /// licence names: a product name is compared as the vendor spells it).
    pub fn products(&self) -> impl Iterator<Item = &str> {
        self.products.keys().map(String::as_str)
    }

    /// Seats of `product` that are never lent out for offline use
    /// (borrowing); 0 when the policy says nothing.
    #[must_use]
    pub fn keep_unborrowed(&self, product: &str) -> u32 {
        self.rules(product).map_or(0, |r| r.keep_unborrowed)
    }

    fn rules(&self, product: &str) -> Option<&ProductRules> {
        if self.products.is_empty() {
            return None;
        }
        self.products.get(product)
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod parse_tests;

#[cfg(test)]
#[path = "decide_tests.rs"]
mod decide_tests;

#[cfg(test)]
#[path = "reserve_tests.rs"]
mod reserve_tests;
