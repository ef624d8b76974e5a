//! Named users' rules with an explicit clock.

use super::*;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn at(hours: i64) -> Timestamp {
    Timestamp(hours * HOUR)
}

fn new(a: Result<Assigned, AssignError>) -> Assignment {
    match a {
        Ok(Assigned::New(a)) => a,
        other => panic!("expected a new assignment, got {other:?}"),
    }
}

#[test]
fn users_are_at_most_the_seats_and_names_ignore_case() {
    let mut s = NamedSeats::default();
    new(s.assign("alice", 2, at(0)));
    new(s.assign("bob", 2, at(0)));
    assert!(matches!(
        s.assign("Alice", 2, at(0)),
        Ok(Assigned::Already(a)) if a.user == "alice"
    ));
    assert!(s.holds("ALICE") && s.holds("bob") && !s.holds("carol"));
    assert_eq!(
        s.assign("carol", 2, at(0)),
        Err(AssignError::Full {
            seats: 2,
            named: 2,
            next_free: None
        })
    );
}

#[test]
fn a_first_assignment_is_not_a_move_and_fixing_it_costs_no_cooldown() {
    let mut s = NamedSeats::default();
    let first = new(s.assign("bbo", 1, at(0)));
    assert!(!first.moved);
    // The typo is fixed at once: the seat had not moved.
    let (_, free_at) = s.unassign("bbo", DAY, at(1)).expect("named");
    assert_eq!(free_at, at(1));
    let bob = new(s.assign("bob", 1, at(1)));
    assert!(bob.moved, "the seat went from one user to another");
}

#[test]
fn a_moved_seat_moves_again_only_after_the_cooldown() {
    let mut s = NamedSeats::default();
    new(s.assign("alice", 1, at(0)));
    s.unassign("alice", DAY, at(1));
    new(s.assign("bob", 1, at(1))); // the move, at hour 1
    // Bob leaves at hour 2: his seat frees at hour 1 + 24.
    let (_, free_at) = s.unassign("bob", DAY, at(2)).expect("named");
    assert_eq!(free_at, at(25));
    assert_eq!(
        s.assign("carol", 1, at(24)),
        Err(AssignError::Full {
            seats: 1,
            named: 0,
            next_free: Some(at(25))
        })
    );
    assert_eq!(s.cooling(at(24)).collect::<Vec<_>>(), vec![at(25)]);
    let carol = new(s.assign("carol", 1, at(25)));
    assert!(carol.moved);
    // A user who kept a moved seat past the cool-down frees it at once.
    let (_, free_at) = s.unassign("carol", DAY, at(60)).expect("named");
    assert_eq!(free_at, at(60));
}

#[test]
fn rotating_names_through_seats_is_bounded_by_the_cooldown() {
    // The attacker: 2 seats, a new name every hour for a week.
    let mut s = NamedSeats::default();
    new(s.assign("u0", 2, at(0)));
    new(s.assign("u1", 2, at(0)));
    let mut moves = 0;
    for hour in 1..(7 * 24) {
        let gone = format!("u{}", hour - 1);
        s.unassign(&gone, DAY, at(hour));
        if s.assign(&format!("u{hour}"), 2, at(hour)).is_ok() {
            moves += 1;
        }
    }
    // Each seat moves once without waiting (its first user's seat), then at
    // most once per day: well under the 167 a free rotation would give.
    assert!(moves <= 2 + 2 * 7, "{moves} moves in a week");
    assert!(
        moves >= 7,
        "seats still move after their cool-down: {moves}"
    );
}

#[test]
fn a_fresh_seat_is_taken_before_a_freed_one() {
    let mut s = NamedSeats::default();
    new(s.assign("alice", 3, at(0)));
    new(s.assign("bob", 3, at(0)));
    s.unassign("alice", DAY, at(1));
    // One seat was never given: carol takes it, not alice's.
    assert!(!new(s.assign("carol", 3, at(1))).moved);
    assert!(new(s.assign("dave", 3, at(1))).moved);
}

#[test]
fn a_licence_shrunk_and_grown_again_gives_no_fresh_seats() {
    // The attacker's cycle: name, move every seat, shrink the licence,
    // unname, grow it back: the seats that moved stay moved.
    let mut s = NamedSeats::default();
    for u in ["a", "b", "c"] {
        new(s.assign(u, 3, at(0)));
    }
    for u in ["a", "b", "c"] {
        s.unassign(u, DAY, at(1));
    }
    for u in ["d", "e", "f"] {
        assert!(new(s.assign(u, 3, at(1))).moved);
    }
    // Down to 1 seat, everyone unnamed, back to 3.
    for u in ["d", "e", "f"] {
        s.unassign(u, DAY, at(2));
    }
    assert!(s.assign("g", 3, at(2)).is_err(), "all three cooling");
    assert_eq!(s.cooling(at(2)).count(), 3);
    let g = new(s.assign("g", 3, at(25)));
    assert!(g.moved);
}

#[test]
fn unassigning_someone_not_named_changes_nothing() {
    let mut s = NamedSeats::default();
    new(s.assign("alice", 1, at(0)));
    assert!(s.unassign("bob", DAY, at(1)).is_none());
    assert!(s.holds("alice"));
    assert_eq!(s.freed.len(), 0);
}

mod in_the_table {
    use super::*;
    use crate::ClientId;
    use crate::lease::LeaseError;
    use crate::license::{LicenseTerms, SeatRules};
    use crate::table::{CheckoutRequest, LeaseTable};

    fn named_code(seats: u32) -> LicenseTerms {
        LicenseTerms {
            seat_rules: SeatRules {
                named_users: true,
                ..SeatRules::default()
            },
            ..crate::testing::terms("cad", seats)
        }
    }

    fn ask(user: &str) -> CheckoutRequest {
        crate::testing::ask("cad", &format!("pc-{user}"), user)
    }

    #[test]
    fn only_named_users_check_out_one_seat_each_and_the_unnamed_are_not_renewed() {
        let mut t = LeaseTable::new();
        t.add_license(named_code(2));
        let cad = Product::from("cad");
        let now = at(0);
        assert!(matches!(
            t.checkout(&ask("mallory"), now),
            Err(LeaseError::NotANamedUser { user, .. }) if user == "mallory"
        ));
        new(t.named_mut().entry(&cad).assign("Alice", 2, now));
        let lease = t.checkout(&ask("alice"), now).expect("alice is named");
        // Her computer restarting gets the same seat back; another computer
        // of hers (or of anyone calling themselves alice) gets none.
        assert_eq!(
            t.checkout(&ask("alice"), now).unwrap().lease.id,
            lease.lease.id
        );
        let mut elsewhere = ask("alice");
        elsewhere.holder.client_id = ClientId::from("pc-other");
        assert!(matches!(
            t.checkout(&elsewhere, now),
            Err(LeaseError::NamedSeatInUse { host, .. }) if host == "pc-alice.lan"
        ));
        // Unnamed while running: her lease is not renewed (it ends within a
        // lease length) and no new seat is hers.
        t.named_mut().entry(&cad).unassign("alice", DAY, now);
        assert!(matches!(
            t.renew(lease.lease.id, now),
            Err(LeaseError::NotANamedUser { .. })
        ));
        assert!(matches!(
            t.checkout(&ask("alice"), now),
            Err(LeaseError::NotANamedUser { .. })
        ));
        t.release(lease.lease.id);
        assert!(matches!(
            t.checkout(&ask("alice"), now),
            Err(LeaseError::NotANamedUser { .. })
        ));
    }

    #[test]
    fn named_seats_go_to_named_users_and_the_others_float() {
        let mut t = LeaseTable::new();
        let mut future = named_code(2);
        future.valid_from = Some(at(10));
        t.add_license(crate::testing::terms("cad", 1));
        t.add_license(future);
        let cad = Product::from("cad");
        // Before the named code starts: a plain product; users may be named
        // ahead of it, for its 2 seats.
        assert!(t.checkout(&ask("anyone"), at(0)).is_ok());
        assert!(t.pools().may_name(&cad));
        assert_eq!(t.pools().named_seats(&cad, at(0)), 2);
        new(t.named_mut().entry(&cad).assign("alice", 2, at(0)));
        // From its start: 1 floating seat for anyone, 2 for named users.
        let now = at(11);
        for ended in t.expire_due(now) {
            t.settle(&ended);
        }
        assert!(t.checkout(&ask("bob"), now).is_ok(), "the floating seat");
        assert!(matches!(
            t.checkout(&ask("carol"), now),
            Err(LeaseError::NotANamedUser { .. })
        ));
        assert!(t.checkout(&ask("alice"), now).is_ok(), "a named seat");
    }
}
