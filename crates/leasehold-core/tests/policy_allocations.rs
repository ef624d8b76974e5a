//! A checkout the seat policy lets through allocates nothing: a product
//! without rules costs one lookup, and one with a hundred rules reads the
//! precomputed sets and the lease table's counters. (Its own test binary, so
//! the counting allocator sees this test alone.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold_core::policy::{Decision, Occupancy, Policy, Requester, name_key};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashMap;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: passes every call on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations_in<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (out, ALLOCATIONS.with(Cell::get) - before)
}

/// The counters the lease table keeps, by name key.
#[derive(Default)]
struct Counters {
    seats: u32,
    in_use: u32,
    by_user: HashMap<String, Vec<(String, u32)>>,
    by_host: HashMap<String, u32>,
}

impl Counters {
    fn add(&mut self, user: &str, host: &str) {
        self.in_use += 1;
        let hosts = self.by_user.entry(name_key(user)).or_default();
        match hosts.iter_mut().find(|(h, _)| *h == name_key(host)) {
            Some((_, n)) => *n += 1,
            None => hosts.push((name_key(host), 1)),
        }
        *self.by_host.entry(name_key(host)).or_default() += 1;
    }
}

impl Occupancy for Counters {
    fn seats(&self) -> u32 {
        self.seats
    }
    fn in_use(&self) -> u32 {
        self.in_use
    }
    fn held_by_user(&self, user: &str) -> u32 {
        self.by_user
            .get(user)
            .map_or(0, |hosts| hosts.iter().map(|(_, n)| n).sum())
    }
    fn held_by_host(&self, host: &str) -> u32 {
        self.by_host.get(host).copied().unwrap_or(0)
    }
    fn for_each_host_of_user(&self, user: &str, visit: &mut dyn FnMut(&str, u32)) {
        for (host, n) in self.by_user.get(user).into_iter().flatten() {
            visit(host, *n);
        }
    }
}

/// A hundred rules on `cad`: excludes, an include list, max rules and
/// reservations on users, hosts and groups holding both.
fn hundred_rules() -> String {
    let mut text = String::from("[groups]\n");
    for g in 0..10 {
        text.push_str(&format!(
            "g{g} = {{ users = [\"u{g}a\", \"u{g}b\", \"Alice\"], hosts = [\"h{g}\"] }}\n"
        ));
    }
    text.push_str("[products.cad]\nexclude = [");
    text.push_str(
        &(0..30)
            .map(|i| format!("\"user:x{i}\""))
            .collect::<Vec<_>>()
            .join(", "),
    );
    text.push_str("]\ninclude = [");
    let mut include: Vec<String> = (0..10).map(|g| format!("\"group:g{g}\"")).collect();
    include.extend((0..20).map(|i| format!("\"host:ws-{i}\"")));
    text.push_str(&include.join(", "));
    text.push_str("]\nmax = [");
    let mut max: Vec<String> = (0..10)
        .map(|g| format!("{{ seats = 50, for = \"group:g{g}\" }}"))
        .collect();
    max.extend((0..20).map(|i| format!("{{ seats = 5, for = \"user:m{i}\" }}")));
    text.push_str(&max.join(", "));
    text.push_str("]\nreserve = [");
    text.push_str(
        &(0..10)
            .map(|g| format!("{{ seats = 2, for = \"group:g{g}\" }}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    text.push_str("]\n");
    text
}

#[test]
fn a_checkout_the_policy_lets_through_allocates_nothing() {
    let policy = Policy::parse(&hundred_rules(), "policy.toml").unwrap();
    assert_eq!(policy.view().products[0].rules.len(), 100);
    let mut table = Counters {
        seats: 100,
        ..Counters::default()
    };
    for i in 0..40 {
        table.add(&format!("U{}A", i % 10), &format!("h{}", i % 10));
        table.add(&format!("w{i}"), &format!("ws-{}", i % 20));
    }
    let alice = Requester {
        user: "ALICE",
        host: "h3",
    };
    let stranger = Requester {
        user: "w1",
        host: "WS-1",
    };
    // Warm up (lazy statics, thread-locals), then count.
    let _ = policy.decide("cad", &alice, &table);
    for (product, who) in [("cam", &alice), ("cad", &alice), ("cad", &stranger)] {
        let (decision, allocations) = allocations_in(|| policy.decide(product, who, &table));
        assert!(matches!(decision, Decision::Grant { .. }), "{decision:?}");
        assert_eq!(allocations, 0, "{product} for {who:?}");
    }
    // A member drawing on a reservation is handed the rule, shared.
    let empty = Counters {
        seats: 20,
        ..Counters::default()
    };
    let (decision, allocations) = allocations_in(|| policy.decide("cad", &alice, &empty));
    assert!(
        matches!(
            decision,
            Decision::Grant {
                reservation: Some(_)
            }
        ),
        "{decision:?}"
    );
    assert_eq!(allocations, 0);
    // The count works: a denial writes its message.
    let excluded = Requester {
        user: "x3",
        host: "h3",
    };
    let (decision, allocations) = allocations_in(|| policy.decide("cad", &excluded, &table));
    assert!(matches!(decision, Decision::Deny(_)), "{decision:?}");
    assert!(allocations > 0);
}
