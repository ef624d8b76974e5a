//! The counters the lease table keeps for a product's `max` and `reserve`
//! rules, so a decision needs no scan of the leases: one count per subject
//! those rules name, changed as leases come and go. Names no rule counts
//! cost nothing (a million leases of users no rule names add no entry).

use super::Policy;
use super::group::{Group, Occupancy};
use super::names::{AsKey, Key, Subject};
use hashbrown::HashMap;

/// One product's counters (see the module).
#[derive(Clone, Debug, Default)]
pub struct Counters {
    subjects: Vec<Subject>,
    counts: Vec<u32>,
    /// Which subjects a lease of this user (key) counts for: the user
    /// itself, and the groups holding it. So counting a lease is two
    /// lookups, however many rules there are.
    by_user: HashMap<Key, Vec<usize>>,
    /// The same for hosts.
    by_host: HashMap<Key, Vec<usize>>,
}

impl Policy {
    /// Counters for `product`'s `max` and `reserve` subjects, all zero;
    /// `None` when it has no such rule (nothing to count).
    #[must_use]
    pub fn counters(&self, product: &str) -> Option<Counters> {
        let rules = self.rules(product)?;
        if rules.max.is_empty() && rules.reserve.is_empty() {
            return None;
        }
        // Counted by the product's subject numbers, so a decision reads a
        // subject's count at once.
        let index = &rules.index;
        Some(Counters {
            subjects: index.subjects.clone(),
            counts: vec![0; index.subjects.len()],
            by_user: index.by_user.clone(),
            by_host: index.by_host.clone(),
        })
    }

    /// Counts a lease of `user` on `host` in (`add`) or out of `counters`:
    /// once for each subject it matches (a group matched by both its user
    /// and its host, once).
    pub fn count(&self, counters: &mut Counters, user: &str, host: &str, add: bool) {
        let by_user = counters.by_user.get(&AsKey(user));
        let by_host = counters.by_host.get(&AsKey(host));
        let users = by_user.map_or(&[][..], Vec::as_slice);
        let hosts = by_host.map_or(&[][..], Vec::as_slice);
        let hits = users
            .iter()
            .chain(hosts.iter().filter(|i| !users.contains(i)));
        for &i in hits {
            if let Some(n) = counters.counts.get_mut(i) {
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

    fn held_by_subject(&self, sid: usize) -> Option<u32> {
        self.counters
            .map(|c| c.counts.get(sid).copied().unwrap_or(0))
    }

    fn held_by_group(&self, group: &Group) -> u32 {
        let index = self.policy.groups.iter().position(|g| g.name == group.name);
        self.counters.map_or(0, |c| {
            c.of(|s| matches!(s, Subject::Group(i) if Some(*i) == index))
        })
    }
}
