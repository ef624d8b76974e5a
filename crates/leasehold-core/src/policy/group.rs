//! Groups of users and hosts, and what the policy asks the lease table to
//! count ([`Occupancy`]).

use super::names::keys_hold;

/// What the lease table tells the policy about one product, now. Every name
/// it is asked about or passes back is a [key](super::name_key): the table
/// keeps its counters by the key of the lease's user and host, so `Alice`
/// and `alice` are counted together.
///
/// Counters the table keeps per product, updated when a lease comes or goes,
/// so that each call is a hash lookup (no scan of the leases):
/// - seats licensed now and leases counting now (it has both already);
/// - leases per user key, each with the host keys it holds them from and
///   how many from each (usually one host);
/// - leases per host key.
pub trait Occupancy {
    /// Seats of the product licensed now.
    fn seats(&self) -> u32;
    /// Leases of the product counting now (those ending but not yet settled
    /// included).
    fn in_use(&self) -> u32;
    /// Leases of the product whose user has the key `user`.
    fn held_by_user(&self, user: &str) -> u32;
    /// Leases of the product whose host has the key `host`.
    fn held_by_host(&self, host: &str) -> u32;
    /// Calls `visit(host, leases)` for each host the user with the key
    /// `user` holds leases of the product from. Asked only for groups that
    /// hold both users and hosts, to count a lease matching both once.
    fn for_each_host_of_user(&self, user: &str, visit: &mut dyn FnMut(&str, u32));
    /// Leases of the product whose user or host is a member of `group`, each
    /// counted once. The default asks the counters above for each member; a
    /// table that keeps a counter per group may answer at once.
    fn held_by_group(&self, group: &Group) -> u32 {
        group.count_in(self)
    }
    /// Leases of the product matching its subject number `sid` (see
    /// [`super::Counters`]), when the table counts by subject; `None` makes
    /// the decision ask the methods above.
    fn held_by_subject(&self, _sid: usize) -> Option<u32> {
        None
    }
}

/// A named set of users and hosts. A lease matches it when its user or its
/// host is a member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    pub(super) name: String,
    pub(super) line: u32,
    /// Member keys, sorted (for lookup).
    pub(super) user_keys: Vec<String>,
    pub(super) host_keys: Vec<String>,
    /// Members as written, in file order (for people).
    pub(super) users: Vec<String>,
    pub(super) hosts: Vec<String>,
}

impl Group {
    /// The group's name as written.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The line of the file that defines it.
    #[must_use]
    pub fn line(&self) -> u32 {
        self.line
    }

    /// Its user members' keys, sorted.
    #[must_use]
    pub fn user_keys(&self) -> &[String] {
        &self.user_keys
    }

    /// Its host members' keys, sorted.
    #[must_use]
    pub fn host_keys(&self) -> &[String] {
        &self.host_keys
    }

    /// Whether a lease of `user` on `host` matches the group (names in any case).
    #[must_use]
    pub fn matches(&self, user: &str, host: &str) -> bool {
        keys_hold(&self.user_keys, user) || keys_hold(&self.host_keys, host)
    }

    /// Leases of the product whose user or host is a member, each counted
    /// once: the members' leases by user, plus by host, less those whose
    /// user and host are both members. Costs a lookup per member (and per
    /// host of each user member, when the group holds hosts too).
    pub fn count_in(&self, occupancy: &(impl Occupancy + ?Sized)) -> u32 {
        let mut total: u64 = 0;
        for user in &self.user_keys {
            total += u64::from(occupancy.held_by_user(user));
        }
        for host in &self.host_keys {
            total += u64::from(occupancy.held_by_host(host));
        }
        if !self.user_keys.is_empty() && !self.host_keys.is_empty() {
            let mut both: u64 = 0;
            for user in &self.user_keys {
                occupancy.for_each_host_of_user(user, &mut |host, n| {
                    if keys_hold(&self.host_keys, host) {
                        both += u64::from(n);
                    }
                });
            }
            total = total.saturating_sub(both);
        }
        u32::try_from(total).unwrap_or(u32::MAX)
    }
}
