//! The counters the lease table keeps for a product's `max` and `reserve`
//! rules, so a decision needs no scan of the leases: one count per subject
//! those rules name, changed as leases come and go. Names no rule counts
//! cost nothing (a million leases of users no rule names add no entry).

use super::Policy;
use super::group::{Group, Occupancy};
use super::names::{Subject, is_key_of};

/// One product's counters (see the module).
#[derive(Clone, Debug, Default)]
pub struct Counters {
    subjects: Vec<Subject>,
    counts: Vec<u32>,
}

impl Policy {
    /// Counters for `product`'s `max` and `reserve` subjects, all zero;
    /// `None` when it has no such rule (nothing to count).
    #[must_use]
    pub fn counters(&self, product: &str) -> Option<Counters> {
        let rules = self.rules(product)?;
        let mut subjects: Vec<Subject> = Vec::new();
        for limit in rules.max.iter().chain(&rules.reserve) {
            if !subjects.contains(&limit.target.subject) {
                subjects.push(limit.target.subject.clone());
            }
        }
        if subjects.is_empty() {
            return None;
        }
        let counts = vec![0; subjects.len()];
        Some(Counters { subjects, counts })
    }

    /// Counts a lease of `user` on `host` in (`add`) or out of `counters`.
    pub fn count(&self, counters: &mut Counters, user: &str, host: &str, add: bool) {
        for (subject, n) in counters.subjects.iter().zip(counters.counts.iter_mut()) {
            let matches = match subject {
                Subject::User(key) => is_key_of(key, user),
                Subject::Host(key) => is_key_of(key, host),
                Subject::Group(g) => self.groups.get(*g).is_some_and(|g| g.matches(user, host)),
            };
            if matches {
                *n = if add {
                    n.saturating_add(1)
                } else {
                    n.saturating_sub(1)
                };
            }
        }
    }
}

impl Counters {
    /// What a decision asks, from these counters and the product's seats
    /// and leases now.
    #[must_use]
    pub fn occupancy<'a>(&'a self, policy: &'a Policy, seats: u32, in_use: u32) -> Counted<'a> {
        Counted {
            counters: Some(self),
            policy,
            seats,
            in_use,
        }
    }

    fn of(&self, wanted: impl Fn(&Subject) -> bool) -> u32 {
        self.subjects
            .iter()
            .position(wanted)
            .and_then(|i| self.counts.get(i).copied())
            .unwrap_or(0)
    }
}

/// [`Occupancy`] from a table's [`Counters`] (none: a product without
/// `max` or `reserve` rules, whose decision counts nothing).
#[derive(Clone, Copy, Debug)]
pub struct Counted<'a> {
    counters: Option<&'a Counters>,
    policy: &'a Policy,
    seats: u32,
    in_use: u32,
}

impl<'a> Counted<'a> {
    /// Seats and leases only, for a product without counters.
    #[must_use]
    pub fn uncounted(policy: &'a Policy, seats: u32, in_use: u32) -> Self {
        Self {
            counters: None,
            policy,
            seats,
            in_use,
        }
    }
}

impl Occupancy for Counted<'_> {
    fn seats(&self) -> u32 {
        self.seats
    }

    fn in_use(&self) -> u32 {
        self.in_use
    }

    fn held_by_user(&self, user: &str) -> u32 {
        self.counters
            .map_or(0, |c| c.of(|s| matches!(s, Subject::User(k) if k == user)))
    }

    fn held_by_host(&self, host: &str) -> u32 {
        self.counters
            .map_or(0, |c| c.of(|s| matches!(s, Subject::Host(k) if k == host)))
    }

    fn for_each_host_of_user(&self, _user: &str, _visit: &mut dyn FnMut(&str, u32)) {
        // Not needed: groups are counted whole (`held_by_group`).
    }

    fn held_by_group(&self, group: &Group) -> u32 {
        let index = self.policy.groups.iter().position(|g| g.name == group.name);
        self.counters.map_or(0, |c| {
            c.of(|s| matches!(s, Subject::Group(i) if Some(*i) == index))
        })
    }
}
