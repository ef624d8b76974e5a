//! Applying a policy to one checkout, in the order of
//! [`PRECEDENCE`](super::PRECEDENCE). Nothing is allocated unless the
//! checkout is denied.

use super::Policy;
use super::group::Occupancy;
use super::names::Subject;
use super::rules::{Limit, ProductRules, RuleRef, Target};
use crate::ErrorCode;
use crate::text::escaped;

/// Who asks for a seat: the user and host names the client sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requester<'a> {
    pub user: &'a str,
    pub host: &'a str,
}

/// What the policy says about a checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The policy lets it go on to the licence (which may still find no seat
    /// free). `reservation`: the reservation whose unused seat it takes.
    Grant {
        reservation: Option<RuleRef>,
    },
    Deny(Denial),
}

impl Decision {
    fn grant() -> Self {
        Self::Grant { reservation: None }
    }

    #[must_use]
    pub fn is_grant(&self) -> bool {
        matches!(self, Self::Grant { .. })
    }

    #[must_use]
    pub fn denial(&self) -> Option<&Denial> {
        match self {
            Self::Deny(denial) => Some(denial),
            Self::Grant { .. } => None,
        }
    }
}

/// Why the policy denies a checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    /// `excluded_by_policy`, `user_limit_reached` or `seats_reserved`.
    pub code: ErrorCode,
    /// The rule that denies.
    pub rule: RuleRef,
    /// For people: who, why, and the rule.
    pub message: String,
}

/// The requester and the product's subjects it matches (itself, its
/// groups), found once per decision with two lookups.
struct Me<'a> {
    who: &'a Requester<'a>,
    by_user: &'a [usize],
    by_host: &'a [usize],
}

impl Me<'_> {
    fn matches(&self, target: &Target) -> bool {
        self.by_user.contains(&target.sid) || self.by_host.contains(&target.sid)
    }

    /// The product's subjects the requester matches (usually none or a few).
    fn sids(&self) -> impl Iterator<Item = usize> + '_ {
        let by_host = self.by_host.iter().filter(|s| !self.by_user.contains(s));
        self.by_user.iter().chain(by_host).copied()
    }

    /// `user bob on host ws-1`.
    fn describe(&self) -> String {
        match (self.who.user.is_empty(), self.who.host.is_empty()) {
            (false, false) => format!(
                "user {} on host {}",
                escaped(self.who.user),
                escaped(self.who.host)
            ),
            (false, true) => format!("user {}", escaped(self.who.user)),
            (true, false) => format!("host {}", escaped(self.who.host)),
            (true, true) => "a requester without user or host name".into(),
        }
    }
}

fn deny(code: ErrorCode, rule: &RuleRef, message: String) -> Decision {
    Decision::Deny(Denial {
        code,
        rule: rule.clone(),
        message: format!("{message} [{rule}]"),
    })
}

fn seats(n: u32) -> String {
    if n == 1 {
        "1 seat".into()
    } else {
        format!("{n} seats")
    }
}

impl Policy {
    /// Whether `who` may take a new seat of `product` now, given what the
    /// lease table holds (`occupancy`, for this product). Steps in the order
    /// of [`PRECEDENCE`](super::PRECEDENCE); a product without rules is a
    /// grant after one lookup.
    #[must_use]
    pub fn decide(
        &self,
        product: &str,
        who: &Requester<'_>,
        occupancy: &impl Occupancy,
    ) -> Decision {
        let Some(rules) = self.rules(product) else {
            return Decision::grant();
        };
        if rules.admits_all() {
            return Decision::grant();
        }
        let (by_user, by_host) = rules.index.of(who.user, who.host);
        let me = Me {
            who,
            by_user,
            by_host,
        };
        let about = |sid: usize| rules.index.rules.get(sid);
        // The first matching exclude entry in file order.
        let excluded = me
            .sids()
            .filter_map(about)
            .flat_map(|r| r.exclude.iter().copied())
            .min();
        if let Some(x) = excluded.and_then(|i| rules.exclude.get(i)) {
            let message = format!(
                "{} may not use {}: the policy excludes {}",
                me.describe(),
                escaped(product),
                x.target.for_people()
            );
            return deny(ErrorCode::ExcludedByPolicy, &x.rule, message);
        }
        if let Some(include) = &rules.include
            && !me.sids().filter_map(about).any(|r| r.include)
        {
            let message = format!(
                "{} may not use {}: only those its include list names may, and it names neither this user nor this host",
                me.describe(),
                escaped(product)
            );
            return deny(ErrorCode::ExcludedByPolicy, &include.rule, message);
        }
        // The first max rule in file order whose subject is full.
        let full = me
            .sids()
            .filter_map(about)
            .flat_map(|r| r.max.iter().copied())
            .filter(|&i| {
                rules
                    .max
                    .get(i)
                    .is_some_and(|m| self.held(&m.target, occupancy) >= m.seats)
            })
            .min();
        if let Some(max) = full.and_then(|i| rules.max.get(i)) {
            let held = self.held(&max.target, occupancy);
            {
                let whose = match max.target.subject {
                    Subject::Group(_) => {
                        format!("the members of {} together hold", max.target.for_people())
                    }
                    _ => format!("{} holds", max.target.for_people()),
                };
                let message = format!(
                    "{whose} {} of {} already, the most the policy allows",
                    seats(held),
                    escaped(product)
                );
                return deny(ErrorCode::UserLimitReached, &max.rule, message);
            }
        }
        self.reserve(product, rules, &me, occupancy)
    }

    /// Leases of the product the rule's subject holds.
    fn held(&self, target: &Target, occupancy: &impl Occupancy) -> u32 {
        if let Some(n) = occupancy.held_by_subject(target.sid) {
            return n;
        }
        match &target.subject {
            Subject::User(key) => occupancy.held_by_user(key),
            Subject::Host(key) => occupancy.held_by_host(key),
            Subject::Group(g) => self
                .groups
                .get(*g)
                .map_or(0, |g| occupancy.held_by_group(g)),
        }
    }

    /// Step 4. Reservations are kept in file order, each getting what the
    /// earlier ones leave of the licensed seats (`kept`); a reservation's
    /// unused part is `kept` less the leases its subject holds.
    fn reserve(
        &self,
        product: &str,
        rules: &ProductRules,
        me: &Me<'_>,
        occupancy: &impl Occupancy,
    ) -> Decision {
        if rules.reserve.is_empty() {
            return Decision::grant();
        }
        let licensed = occupancy.seats();
        let free = licensed.saturating_sub(occupancy.in_use());
        if free == 0 {
            return Decision::grant(); // the licence's no_seat_free
        }
        // More seats free than every reservation asks for, and none of them
        // is this requester's: nothing to check.
        let covered = me
            .sids()
            .any(|sid| rules.index.rules.get(sid).is_some_and(|r| r.reserve));
        if !covered && u64::from(free) > rules.index.reserve_asked {
            return Decision::grant();
        }
        // A covered requester takes an unused reserved seat; meanwhile, the
        // most the others' reservations could set aside.
        let mut others_kept: u64 = 0;
        for (r, kept) in kept(&rules.reserve, licensed) {
            if me.matches(&r.target) {
                if self.held(&r.target, occupancy) < kept {
                    return Decision::Grant {
                        reservation: Some(r.rule.clone()),
                    };
                }
            } else {
                others_kept += u64::from(kept);
            }
        }
        if others_kept < u64::from(free) {
            return Decision::grant(); // a seat is free whatever the others use
        }
        let mut set_aside: u64 = 0;
        for (r, kept) in kept(&rules.reserve, licensed) {
            if !me.matches(&r.target) {
                set_aside += u64::from(kept.saturating_sub(self.held(&r.target, occupancy)));
            }
        }
        if set_aside < u64::from(free) {
            return Decision::grant();
        }
        self.reserved_for_others(product, rules, me, occupancy, licensed, free)
    }

    /// The denial at step 4: every reservation setting seats aside, in words.
    fn reserved_for_others(
        &self,
        product: &str,
        rules: &ProductRules,
        me: &Me<'_>,
        occupancy: &impl Occupancy,
        licensed: u32,
        free: u32,
    ) -> Decision {
        const LISTED: usize = 3;
        let mut parts = Vec::new();
        let mut first = None;
        let mut more = 0;
        for (r, kept) in kept(&rules.reserve, licensed) {
            if me.matches(&r.target) {
                continue;
            }
            let used = self.held(&r.target, occupancy).min(kept);
            if used == kept {
                continue;
            }
            first.get_or_insert(&r.rule);
            if parts.len() == LISTED {
                more += 1;
                continue;
            }
            let verb = if kept == 1 { "is" } else { "are" };
            let mut part = format!(
                "{kept} of {licensed} seats {verb} reserved for {} ({} in use)",
                r.target.for_people(),
                if used == 0 {
                    "none".to_owned()
                } else {
                    format!("{used} of them")
                }
            );
            if kept < r.seats {
                part.push_str(&format!(
                    ", not the {} it asks for: earlier reservations take the rest of the licence",
                    r.seats
                ));
            }
            parts.push(part);
        }
        if more > 0 {
            parts.push(format!("and {more} more reservations"));
        }
        let Some(rule) = first else {
            return Decision::grant(); // unreachable: set aside > 0 needs one
        };
        let message = format!(
            "{} cannot have a seat of {}: {} free, and reserved for others: {}",
            me.describe(),
            escaped(product),
            seats(free),
            parts.join("; ")
        );
        deny(ErrorCode::SeatsReserved, rule, message)
    }
}

/// The reservations with the seats each keeps: what it asks for, at most
/// what the earlier ones leave of `licensed`.
fn kept(reserve: &[Limit], licensed: u32) -> impl Iterator<Item = (&Limit, u32)> {
    let mut left = licensed;
    reserve.iter().map(move |r| {
        let kept = r.seats.min(left);
        left -= kept;
        (r, kept)
    })
}
