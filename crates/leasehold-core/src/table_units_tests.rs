//! Element pools with an explicit clock: k units granted only when k are
//! free, held and freed as k, refused for seat products and beyond the
//! pool, and the queue serving them in order.

use super::*;
use crate::license::{LicenseTerms, SeatRules};
use crate::testing::ask;

fn pool(product: &str, units: u32) -> LeaseTable {
    let mut t = LeaseTable::new();
    t.add_license(LicenseTerms {
        seat_rules: SeatRules {
            units_pool: true,
            ..SeatRules::default()
        },
        ..crate::testing::terms(product, units)
    });
    t
}

fn units(product: &str, client: &str, k: u32) -> CheckoutRequest {
    CheckoutRequest {
        units: k,
        ..ask(product, client, "ann")
    }
}

#[test]
fn k_units_are_granted_only_when_k_are_free_and_freed_as_k() {
    let mut t = pool("sim", 16);
    let sim: Product = "sim".into();
    let now = Timestamp(0);
    let a = t.checkout(&units("sim", "pc-a", 10), now).unwrap();
    assert_eq!((a.lease.units, a.in_use), (10, 10));
    let refused = t.checkout(&units("sim", "pc-b", 8), now).unwrap_err();
    assert!(
        matches!(
            refused,
            LeaseError::NoSeatFree {
                seats: 16,
                in_use: 10,
                ..
            }
        ),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("10 of 16 units"), "{refused}");
    t.checkout(&units("sim", "pc-b", 6), now).unwrap();
    assert_eq!(t.in_use(&sim), 16);
    // An end counts its units until it settles.
    let ended = t.release(a.lease.id).unwrap();
    assert_eq!((t.in_use(&sim), t.ending(&sim)), (16, 10));
    t.settle(&ended);
    assert_eq!(t.in_use(&sim), 6);
    assert!(t.checkout(&units("sim", "pc-c", 10), now).is_ok());
}

#[test]
fn units_are_refused_for_seats_and_beyond_the_pool() {
    let mut seats = LeaseTable::new();
    seats.add_license(crate::testing::terms("cad", 5));
    assert_eq!(
        seats
            .checkout(&units("cad", "pc-a", 2), Timestamp(0))
            .unwrap_err(),
        LeaseError::NotAUnitPool("cad".into())
    );
    let mut t = pool("sim", 16);
    let refused = t
        .checkout(&units("sim", "pc-a", 17), Timestamp(0))
        .unwrap_err();
    assert_eq!(refused.code(), "too_many_units");
    assert!(!may_wait(&refused), "waiting cannot help");
}

#[test]
fn the_queue_serves_units_in_order_without_passing_a_large_request_over() {
    let mut t = pool("sim", 10);
    let sim: Product = "sim".into();
    let now = Timestamp(0);
    let a = t.checkout(&units("sim", "pc-a", 8), now).unwrap().lease;
    // First in line asks 6; behind it, one asks 1 (which would fit now).
    let big = ask("sim", "pc-big", "ann");
    let small = ask("sim", "pc-small", "ann");
    t.queue_mut().join_units(&sim, &big.holder, 6, now).unwrap();
    t.queue_mut()
        .join_units(&sim, &small.holder, 1, now)
        .unwrap();
    let served = t.serve_waiters(&sim, now);
    assert!(
        served.served.is_empty(),
        "2 free: the 6 waits first, and the 1 waits behind it"
    );
    let ended = t.release(a.id).unwrap();
    t.settle(&ended);
    let served = t.serve_waiters(&sim, now);
    let got: Vec<u32> = served
        .served
        .iter()
        .map(|s| s.granted.lease.units)
        .collect();
    assert_eq!(got, vec![6, 1], "in order once they fit");
    assert_eq!(t.in_use(&sim), 7);
}
