//! Overdraft: seats beyond the licence, each grant marked, never more than
//! the codes allow.

use super::*;
use crate::event::{Event, EventKind};
use crate::license::SeatRules;
use crate::pool::tests::code;

fn with_overdraft(product: &str, seats: u32, overdraft: u32) -> LicenseTerms {
    LicenseTerms {
        seat_rules: SeatRules {
            overdraft,
            ..SeatRules::default()
        },
        ..code(product, seats)
    }
}

fn ask(client: &str) -> CheckoutRequest {
    crate::testing::ask("cad", client, "ann")
}

#[test]
fn overdraft_grants_beyond_the_seats_marked_and_no_further() {
    let mut t = LeaseTable::new();
    t.add_license(with_overdraft("cad", 2, 1));
    let now = Timestamp(0);
    let a = t.checkout(&ask("pc-1"), now).unwrap();
    let b = t.checkout(&ask("pc-2"), now).unwrap();
    let c = t.checkout(&ask("pc-3"), now).unwrap();
    assert!(!a.lease.overdraft && !b.lease.overdraft);
    assert!(c.lease.overdraft, "the third seat of two is overdraft");
    assert_eq!((c.in_use, c.seats), (3, 2));
    let e = t.checkout(&ask("pc-4"), now).unwrap_err();
    assert_eq!(e.code(), "no_seat_free");
    // The mark is the lease's: a copy, a renewal and the event carry it.
    assert!(t.get(c.lease.id).unwrap().overdraft);
    assert!(t.renew(c.lease.id, Timestamp(1000)).unwrap().overdraft);
    assert!(!t.renew(a.lease.id, Timestamp(1000)).unwrap().overdraft);
    let event = Event::granted(&c.lease, now, c.in_use, c.seats);
    assert_eq!(event.kind, EventKind::OverdraftGrant);
    assert!(
        event.message.contains("1 over licence"),
        "{}",
        event.message
    );
    assert_eq!(Event::granted(&a.lease, now, 1, 2).kind, EventKind::Grant);
}

#[test]
fn a_code_without_overdraft_never_grants_beyond_its_seats() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 1));
    t.add_license(with_overdraft("viewer", 1, 5));
    let now = Timestamp(0);
    t.checkout(&ask("pc-1"), now).unwrap();
    assert_eq!(
        t.checkout(&ask("pc-2"), now).unwrap_err().code(),
        "no_seat_free",
        "another product's overdraft is not this one's"
    );
}

#[test]
fn overdraft_of_counting_codes_adds_up_and_a_lapsed_code_takes_its_own_away() {
    let mut t = LeaseTable::new();
    t.add_license(with_overdraft("cad", 1, 1));
    let ending = LicenseTerms {
        valid_until: Some(Timestamp(86_400_000)),
        ..with_overdraft("cad", 1, 2)
    };
    t.add_license(ending);
    let now = Timestamp(86_400_000 - 10_000);
    let granted: Vec<_> = (0..5)
        .map(|i| t.checkout(&ask(&format!("pc-{i}")), now).unwrap())
        .collect();
    assert_eq!(
        granted.iter().filter(|g| g.lease.overdraft).count(),
        3,
        "2 seats + 3 overdraft"
    );
    assert!(t.checkout(&ask("pc-9"), now).is_err());
    // The second code lapses: 1 seat + 1 overdraft remain, so the five
    // leases are over-subscribed and none is renewed.
    let later = Timestamp(86_400_000 + 1000);
    let e = t.renew(granted[0].lease.id, later).unwrap_err();
    assert_eq!(e.code(), "over_subscribed");
}

#[test]
fn a_seat_freed_under_overdraft_is_granted_as_overdraft_while_over_the_licence() {
    let mut t = LeaseTable::new();
    t.add_license(with_overdraft("cad", 1, 1));
    let now = Timestamp(0);
    let a = t.checkout(&ask("pc-1"), now).unwrap();
    let b = t.checkout(&ask("pc-2"), now).unwrap();
    assert!(b.lease.overdraft);
    // a goes: b alone is within the licence, but its mark stays as granted;
    // the next seat is over the licence again.
    let gone = t.release(a.lease.id).unwrap();
    t.settle(&gone);
    assert!(
        t.get(b.lease.id).unwrap().overdraft,
        "a mark stays as granted"
    );
    let c = t.checkout(&ask("pc-3"), now).unwrap();
    assert!(c.lease.overdraft, "2 in use on 1 seat");
    // Both go: the next seat is within the licence.
    for id in [b.lease.id, c.lease.id] {
        let gone = t.release(id).unwrap();
        t.settle(&gone);
    }
    assert!(!t.checkout(&ask("pc-4"), now).unwrap().lease.overdraft);
}
