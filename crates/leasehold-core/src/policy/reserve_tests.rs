//! Step 4 of the precedence table, reservations, and how they meet the
//! licence and max rules.

use super::ErrorCode;
use super::decide_tests::{decide, denied, granted, policy, table};

pub(super) const RESERVED: &str = r#"[groups]
cad-core = { users = ["alice", "bob", "ann"] }

[products.cad]
reserve = [{ seats = 3, for = "group:cad-core" }]
"#;

#[test]
fn step_4_reserved_seats_go_to_members_only() {
    let p = policy(RESERVED);
    // 10 seats, 6 used by others and 1 by alice: 3 free, and 2 of them are
    // cad-core's unused reserved seats.
    let others = [
        ("o1", "h"),
        ("o2", "h"),
        ("o3", "h"),
        ("o4", "h"),
        ("o5", "h"),
        ("o6", "h"),
    ];
    let mut leases = others.to_vec();
    leases.push(("alice", "h"));
    let t = table(10, &leases);
    assert_eq!(
        granted(&decide(&p, "carol", "h", &t)),
        None,
        "1 seat is free for anyone"
    );
    leases.push(("o7", "h"));
    let t = table(10, &leases);
    denied(
        &decide(&p, "carol", "h", &t),
        ErrorCode::SeatsReserved,
        5,
        "user carol on host h cannot have a seat of cad: 2 seats free, and reserved for others: 3 of 10 seats are reserved for group cad-core (1 of them in use)",
    );
    assert_eq!(
        granted(&decide(&p, "BOB", "h", &t)),
        Some(5),
        "a member takes a reserved seat"
    );
    // The reservation used up: members share the rest with everyone.
    let t = table(
        10,
        &[("alice", "h"), ("bob", "h"), ("ann", "h"), ("o1", "h")],
    );
    assert_eq!(granted(&decide(&p, "alice", "h", &t)), None);
    assert_eq!(granted(&decide(&p, "carol", "h", &t)), None);
}

#[test]
fn no_free_seat_is_the_licence_s_answer_not_the_policy_s() {
    let p = policy(RESERVED);
    let names: Vec<String> = (0..10).map(|i| format!("o{i}")).collect();
    let full: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "h")).collect();
    let t = table(10, &full);
    assert_eq!(granted(&decide(&p, "carol", "h", &t)), None);
    assert_eq!(granted(&decide(&p, "alice", "h", &t)), None);
}

#[test]
fn reservations_beyond_the_licence_are_honoured_in_file_order() {
    let p = policy(
        "[groups]\na = { users = [\"a1\", \"a2\", \"a3\"] }\nb = { users = [\"b1\", \"b2\", \"b3\"] }\n[products.cad]\nreserve = [{ seats = 2, for = \"group:a\" },\n  { seats = 2, for = \"group:b\" }]\n",
    );
    // 3 seats: a keeps 2, b keeps the 1 left, nobody else any.
    let t = table(3, &[]);
    denied(
        &decide(&p, "c", "h", &t),
        ErrorCode::SeatsReserved,
        5,
        "2 of 3 seats are reserved for group a (none in use); 1 of 3 seats is reserved for group b (none in use), not the 2 it asks for",
    );
    assert_eq!(granted(&decide(&p, "b1", "h", &t)), Some(6));
    let t = table(3, &[("b1", "h")]);
    denied(
        &decide(&p, "b2", "h", &t),
        ErrorCode::SeatsReserved,
        5,
        "2 of 3 seats are reserved for group a",
    );
    assert_eq!(granted(&decide(&p, "a1", "h", &t)), Some(5));
    let t = table(3, &[("b1", "h"), ("a1", "h")]);
    assert_eq!(granted(&decide(&p, "a2", "h", &t)), Some(5));
    // One reservation larger than the licence keeps every seat for its group.
    let p = policy("[products.cad]\nreserve = [{ seats = 15, for = \"user:alice\" }]\n");
    let t = table(10, &[("alice", "h")]);
    denied(
        &decide(&p, "bob", "h", &t),
        ErrorCode::SeatsReserved,
        2,
        "10 of 10 seats are reserved for user alice (1 of them in use), not the 15 it asks for",
    );
    assert_eq!(granted(&decide(&p, "alice", "h2", &t)), Some(2));
}

#[test]
fn seats_taken_before_a_reservation_do_not_lock_out_its_members() {
    // Others hold 6 of 10 before the policy came: a's and b's 5 reserved
    // seats are more than the 4 free. Members still get them, first come.
    let p = policy(
        "[products.cad]\nreserve = [{ seats = 3, for = \"user:a\" }, { seats = 2, for = \"user:b\" }]\n",
    );
    let others: Vec<(&str, &str)> = (0..6).map(|_| ("o", "h")).collect();
    let t = table(10, &others);
    assert_eq!(granted(&decide(&p, "a", "h", &t)), Some(2));
    assert_eq!(granted(&decide(&p, "b", "h", &t)), Some(2));
    denied(
        &decide(&p, "c", "h", &t),
        ErrorCode::SeatsReserved,
        2,
        "4 seats free, and reserved for others",
    );
}

#[test]
fn a_lease_counts_for_every_reservation_it_matches() {
    let p = policy(
        "[groups]\na = { users = [\"x\", \"y\"] }\nb = { users = [\"x\", \"z\"] }\n[products.cad]\nreserve = [{ seats = 1, for = \"group:a\" }, { seats = 1, for = \"group:b\" }]\n",
    );
    // x's one lease serves both reservations: 2 seats left free for anyone.
    let t = table(3, &[("x", "h")]);
    assert_eq!(granted(&decide(&p, "w", "h", &t)), None);
}

#[test]
fn max_and_reserve_on_the_same_group() {
    let p = policy(
        "[groups]\nlab = { hosts = [\"lab-1\", \"lab-2\"] }\n[products.cad]\nreserve = [{ seats = 2, for = \"group:lab\" }]\nmax = [{ seats = 3, for = \"group:lab\" }]\n",
    );
    let t = table(5, &[("o", "h"), ("o", "h"), ("o", "h")]);
    // 2 free, both reserved for the lab: others wait, the lab takes them.
    denied(
        &decide(&p, "p", "ws", &t),
        ErrorCode::SeatsReserved,
        4,
        "2 of 5 seats are reserved for group lab (none in use)",
    );
    assert_eq!(granted(&decide(&p, "u", "lab-1", &t)), Some(4));
    // The lab beyond its reservation shares the pool, up to its max.
    let t = table(6, &[("o", "h"), ("o", "h"), ("u", "lab-1"), ("v", "lab-2")]);
    assert_eq!(granted(&decide(&p, "w", "lab-2", &t)), None);
    assert_eq!(granted(&decide(&p, "p", "ws", &t)), None);
    let t = table(10, &[("u", "lab-1"), ("v", "lab-2"), ("w", "LAB-2")]);
    denied(
        &decide(&p, "x", "lab-1", &t),
        ErrorCode::UserLimitReached,
        5,
        "together hold 3 seats",
    );
}
