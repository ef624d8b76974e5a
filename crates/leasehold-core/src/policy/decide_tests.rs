//! The precedence table, a row at a time, and how its rows meet, against an
//! in-memory lease table.

use super::*;
use std::collections::BTreeMap;

/// One product's leases as (user, host), and its seats: counts the way
/// the lease table is asked to, by name key, and checks it is asked by key.
pub(super) struct Table {
    seats: u32,
    leases: Vec<(String, String)>,
}

pub(super) fn table(seats: u32, leases: &[(&str, &str)]) -> Table {
    Table {
        seats,
        leases: leases
            .iter()
            .map(|&(u, h)| (u.to_owned(), h.to_owned()))
            .collect(),
    }
}

impl Table {
    fn count(&self, keep: impl Fn(&(String, String)) -> bool) -> u32 {
        u32::try_from(self.leases.iter().filter(|l| keep(l)).count()).unwrap()
    }
}

impl Occupancy for Table {
    fn seats(&self) -> u32 {
        self.seats
    }
    fn in_use(&self) -> u32 {
        self.count(|_| true)
    }
    fn held_by_user(&self, user: &str) -> u32 {
        assert_eq!(user, name_key(user), "asked by key");
        self.count(|(u, _)| name_key(u) == user)
    }
    fn held_by_host(&self, host: &str) -> u32 {
        assert_eq!(host, name_key(host), "asked by key");
        self.count(|(_, h)| name_key(h) == host)
    }
    fn for_each_host_of_user(&self, user: &str, visit: &mut dyn FnMut(&str, u32)) {
        let mut hosts: BTreeMap<String, u32> = BTreeMap::new();
        for (u, h) in &self.leases {
            if name_key(u) == user {
                *hosts.entry(name_key(h)).or_default() += 1;
            }
        }
        for (host, n) in hosts {
            visit(&host, n);
        }
    }
}

pub(super) fn policy(text: &str) -> Policy {
    Policy::parse(text, "policy.toml").unwrap()
}

pub(super) fn decide(policy: &Policy, user: &str, host: &str, table: &Table) -> Decision {
    policy.decide("cad", &Requester { user, host }, table)
}

/// The denial, checked to have `code`, to name the rule on `line`, and to say `says`.
pub(super) fn denied(decision: &Decision, code: ErrorCode, line: u32, says: &str) {
    let denial = decision
        .denial()
        .unwrap_or_else(|| panic!("granted: {decision:?}"));
    assert_eq!(denial.code, code, "{denial:?}");
    assert_eq!(denial.rule.line, line, "{denial:?}");
    assert!(
        denial.message.contains(says),
        "{}\n(expected it to say {says:?})",
        denial.message
    );
    assert!(
        denial.message.contains(&*denial.rule.text),
        "names the rule: {}",
        denial.message
    );
}

pub(super) fn granted(decision: &Decision) -> Option<u32> {
    match decision {
        Decision::Grant { reservation } => reservation.as_ref().map(|r| r.line),
        Decision::Deny(d) => panic!("denied: {}", d.message),
    }
}

#[test]
fn the_docs_table_is_the_precedence_constant() {
    let docs = include_str!("mod.rs");
    for (i, step) in PRECEDENCE.iter().enumerate() {
        let code = step.code.map_or("—".to_owned(), |c| format!("`{c}`"));
        let row = format!(
            "//! | {} | {} | {} | {code} |",
            i + 1,
            step.rule,
            step.effect
        );
        assert!(docs.contains(&row), "the module docs lack: {row}");
    }
    assert_eq!(precedence().len(), PRECEDENCE.len());
    assert_eq!(precedence()[3].code, Some(ErrorCode::SeatsReserved));
}

#[test]
fn without_rules_the_licence_decides() {
    let t = table(1, &[("a", "h")]);
    assert_eq!(
        granted(&Policy::empty().decide(
            "cad",
            &Requester {
                user: "x",
                host: "y"
            },
            &t
        )),
        None
    );
    let p = policy("[products.cam]\nexclude = [\"user:x\"]\n[products.cad]\nkeep_unborrowed = 1\n");
    assert_eq!(granted(&decide(&p, "x", "y", &t)), None);
}

const CAD: &str = r#"[groups]
cad-core = { users = ["alice", "bob"] }
interns  = { users = ["ivan"], hosts = ["intern-pc"] }

[products.cad]
exclude = ["group:interns", "user:mallory"]
include = ["group:cad-core", "user:carol", "user:ivan", "host:build-01"]
"#;

#[test]
fn step_1_exclude_denies_even_the_included() {
    let p = policy(CAD);
    let t = table(10, &[]);
    denied(
        &decide(&p, "mallory", "ws-1", &t),
        ErrorCode::ExcludedByPolicy,
        6,
        "user mallory on host ws-1 may not use cad: the policy excludes user mallory",
    );
    // ivan is on the include list, but in an excluded group.
    denied(
        &decide(&p, "Ivan", "ws-2", &t),
        ErrorCode::ExcludedByPolicy,
        6,
        "excludes group interns",
    );
    // alice is included, but works at an intern's computer: the group holds the host.
    denied(
        &decide(&p, "alice", "INTERN-PC", &t),
        ErrorCode::ExcludedByPolicy,
        6,
        "group interns",
    );
}

#[test]
fn step_2_an_include_list_admits_only_those_it_names() {
    let p = policy(CAD);
    let t = table(10, &[]);
    for (user, host) in [
        ("ALICE", "ws-1"),
        ("bob", "x"),
        ("Carol", "x"),
        ("dave", "Build-01"),
    ] {
        assert_eq!(granted(&decide(&p, user, host, &t)), None, "{user}@{host}");
    }
    denied(
        &decide(&p, "dave", "ws-9", &t),
        ErrorCode::ExcludedByPolicy,
        7,
        "only those its include list names may",
    );
    denied(
        &decide(&p, "", "", &t),
        ErrorCode::ExcludedByPolicy,
        7,
        "without user or host name",
    );
}

#[test]
fn step_3_max_limits_a_user_a_host_and_a_group_together() {
    let p = policy(
        "[groups]\nlab = { hosts = [\"lab-1\", \"lab-2\"] }\n[products.cad]\nmax = [{ seats = 1, for = \"user:bob\" }, { seats = 2, for = \"host:ws-9\" },\n  { seats = 3, for = \"group:lab\" }]\n",
    );
    let t = table(10, &[("BOB", "ws-1"), ("ann", "ws-9")]);
    denied(
        &decide(&p, "bob", "ws-2", &t),
        ErrorCode::UserLimitReached,
        4,
        "user bob holds 1 seat of cad already, the most the policy allows [max 1 for user:bob (policy.toml:4)]",
    );
    assert_eq!(granted(&decide(&p, "carl", "ws-9", &t)), None);
    let t = table(10, &[("ann", "ws-9"), ("carl", "WS-9")]);
    denied(
        &decide(&p, "dan", "ws-9", &t),
        ErrorCode::UserLimitReached,
        4,
        "host ws-9 holds 2 seats",
    );
    // The lab's members together: two on lab-1, one on lab-2.
    let t = table(10, &[("a", "lab-1"), ("b", "lab-1"), ("c", "lab-2")]);
    denied(
        &decide(&p, "d", "lab-2", &t),
        ErrorCode::UserLimitReached,
        5,
        "the members of group lab together hold 3 seats",
    );
    assert_eq!(granted(&decide(&p, "d", "ws-3", &t)), None, "not a member");
}

#[test]
fn a_group_counts_a_lease_of_a_member_user_on_a_member_host_once() {
    let p = policy(
        "[groups]\nteam = { users = [\"alice\", \"bob\"], hosts = [\"lab-1\"] }\n[products.cad]\nmax = [{ seats = 3, for = \"group:team\" }]\n",
    );
    // alice on lab-1 matches twice but is one lease; carol on lab-1 by host; bob by user.
    let t = table(
        10,
        &[
            ("alice", "LAB-1"),
            ("carol", "lab-1"),
            ("bob", "ws-2"),
            ("dan", "ws-3"),
        ],
    );
    assert_eq!(t.held_by_group(&p.groups()[0]), 3);
    let brute = t
        .leases
        .iter()
        .filter(|(u, h)| p.groups()[0].matches(u, h))
        .count();
    assert_eq!(brute, 3);
    denied(
        &decide(&p, "Alice", "ws-4", &t),
        ErrorCode::UserLimitReached,
        4,
        "together hold 3 seats",
    );
    let t = table(10, &[("alice", "LAB-1"), ("bob", "lab-1")]);
    assert_eq!(t.held_by_group(&p.groups()[0]), 2);
    assert_eq!(granted(&decide(&p, "bob", "x", &t)), None);
}

#[test]
fn keep_unborrowed_is_per_product() {
    let p = policy("[products.cad]\nkeep_unborrowed = 2\n[products.cam]\n");
    assert_eq!(
        (
            p.keep_unborrowed("cad"),
            p.keep_unborrowed("cam"),
            p.keep_unborrowed("x")
        ),
        (2, 0, 0)
    );
    assert_eq!(
        p.keep_unborrowed("CAD"),
        0,
        "products are compared as the vendor spells them"
    );
}

#[test]
fn the_view_is_camel_case_with_lines_and_precedence() {
    let p = policy(super::reserve_tests::RESERVED);
    let json = serde_json::to_value(p.view()).unwrap();
    assert_eq!(json["file"], "policy.toml");
    assert_eq!(json["groups"][0]["name"], "cad-core");
    assert_eq!(
        json["groups"][0]["users"],
        serde_json::json!(["alice", "bob", "ann"])
    );
    assert_eq!(json["products"][0]["keepUnborrowed"], 0);
    let rule = &json["products"][0]["rules"][0];
    assert_eq!(rule["kind"], "reserve");
    assert_eq!(rule["subject"], "group:cad-core");
    assert_eq!(
        (rule["seats"].as_u64(), rule["line"].as_u64()),
        (Some(3), Some(5))
    );
    assert_eq!(json["precedence"][0]["code"], "excluded_by_policy");
    assert_eq!(json["precedence"][4]["rule"], "licence");
    assert!(json["precedence"][4].get("code").is_none());
    let back: crate::wire::policy::PolicyView = serde_json::from_value(json).unwrap();
    assert_eq!(back, p.view());
}
