//! Borrowing's rules with an explicit clock.

use super::*;
use crate::license::{LicenseTerms, SeatRules};
use crate::policy::Policy;
use crate::table::Release;
use std::sync::Arc;

const HOUR: i64 = 3_600_000;

fn code(seats: u32, max_borrow_hours: u32) -> LicenseTerms {
    LicenseTerms {
        seat_rules: SeatRules {
            max_borrow_hours,
            overdraft: 1,
            ..SeatRules::default()
        },
        ..crate::testing::terms("cad", seats)
    }
}

fn ask(client: &str) -> CheckoutRequest {
    crate::testing::ask("cad", client, "ann")
}

#[test]
fn a_loan_lasts_the_hours_asked_counts_and_is_never_extended() {
    let mut t = LeaseTable::new();
    t.add_license(code(2, 72));
    let now = Timestamp(0);
    let loan = t.borrow(&ask("laptop"), 48, now).unwrap();
    assert_eq!(loan.lease.expires_at, Timestamp(48 * HOUR));
    assert!(t.is_borrowed(loan.lease.id));
    assert_eq!(t.in_use(&"cad".into()), 1);
    let r = t.renew(loan.lease.id, Timestamp(HOUR)).unwrap();
    assert_eq!(r.expires_at, Timestamp(48 * HOUR), "asked, not extended");
    // The holder's own checkout is a seat of its own, not the loan.
    let online = t.checkout(&ask("laptop"), Timestamp(HOUR)).unwrap();
    assert_ne!(online.lease.id, loan.lease.id);
    assert!(!online.reused);
    // Its time up, the seat frees.
    let ended = t.expire_due(Timestamp(48 * HOUR));
    assert!(ended.iter().any(|l| l.id == loan.lease.id));
    assert!(!t.is_borrowed(loan.lease.id));
}

#[test]
fn the_vendors_limits_hold() {
    let mut t = LeaseTable::new();
    t.add_license(code(2, 0));
    assert_eq!(
        t.borrow(&ask("a"), 1, Timestamp(0)).unwrap_err(),
        LeaseError::BorrowNotAllowed("cad".into())
    );
    let mut t = LeaseTable::new();
    t.add_license(code(2, 24));
    t.add_license(code(1, 8)); // the shortest limit applies
    assert_eq!(
        t.borrow(&ask("a"), 9, Timestamp(0)).unwrap_err(),
        LeaseError::BorrowTooLong {
            product: "cad".into(),
            max_hours: 8
        }
    );
    assert!(matches!(
        t.borrow(&ask("a"), 0, Timestamp(0)),
        Err(LeaseError::BorrowTooLong { .. })
    ));
    let mut t = LeaseTable::new();
    assert!(matches!(
        t.borrow(&ask("a"), 1, Timestamp(0)),
        Err(LeaseError::NoLicense(_))
    ));
}

#[test]
fn only_lendable_seats_go_never_the_overdraft_and_the_policy_keeps_some() {
    let mut t = LeaseTable::new();
    t.add_license(code(3, 24));
    t.add_license(LicenseTerms {
        seat_rules: SeatRules::default(),
        ..crate::testing::terms("cad", 5)
    });
    let policy = Policy::parse("[products.cad]\nkeep_unborrowed = 1\n", "policy.toml").unwrap();
    t.set_policy(Arc::new(policy));
    let now = Timestamp(0);
    t.borrow(&ask("a"), 1, now).unwrap();
    t.borrow(&ask("b"), 1, now).unwrap();
    assert_eq!(
        t.borrow(&ask("c"), 1, now).unwrap_err(),
        LeaseError::NoBorrowableSeat {
            product: "cad".into(),
            borrowable: 2,
            borrowed: 2,
            kept: 1
        }
    );
    // Every seat in use: the overdraft may serve a checkout, never a loan.
    let mut t = LeaseTable::new();
    t.add_license(code(1, 24));
    t.checkout(&ask("x"), now).unwrap();
    assert!(matches!(
        t.borrow(&ask("a"), 1, now),
        Err(LeaseError::NoSeatFree { .. })
    ));
    assert!(t.checkout(&ask("y"), now).unwrap().lease.overdraft);
}

#[test]
fn an_early_return_frees_the_seat_at_once_even_with_linger() {
    let mut t = LeaseTable::new();
    let mut terms = code(1, 24);
    terms.seat_rules.linger_secs = 600;
    terms.seat_rules.overdraft = 0;
    t.add_license(terms);
    let now = Timestamp(0);
    let loan = t.borrow(&ask("a"), 24, now).unwrap();
    let Release::Ended(ended) = t.release_at(loan.lease.id, now) else {
        panic!("a loan released ends at once");
    };
    t.settle(&ended);
    assert!(t.checkout(&ask("b"), now).is_ok());
}

#[test]
fn one_loan_per_holder_and_none_past_the_first_code_to_end() {
    let mut t = LeaseTable::new();
    let mut ending = code(2, 72);
    ending.valid_until = Some(Timestamp(10 * HOUR));
    t.add_license(ending);
    t.add_license(code(2, 72));
    let now = Timestamp(0);
    let loan = t.borrow(&ask("laptop"), 48, now).unwrap();
    // The chain it carries must verify offline to its end: capped.
    assert_eq!(loan.lease.expires_at, Timestamp(10 * HOUR));
    assert_eq!(
        t.borrow(&ask("laptop"), 1, now).unwrap_err(),
        LeaseError::AlreadyBorrowed {
            product: "cad".into(),
            until: Timestamp(10 * HOUR)
        }
    );
    assert!(t.borrow(&ask("desk"), 1, now).is_ok(), "another holder may");
}
