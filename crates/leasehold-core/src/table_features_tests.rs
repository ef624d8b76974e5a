//! Feature seats under product leases, with an explicit clock.

use super::*;
use crate::license::{FeatureSeats as Counted, LicenseTerms, SeatRules};
use crate::table::Release;

fn code(render: u32) -> LicenseTerms {
    LicenseTerms {
        features: vec!["render".into(), "export".into()],
        seat_rules: SeatRules {
            feature_seats: vec![Counted {
                feature: "render".into(),
                seats: render,
            }],
            ..SeatRules::default()
        },
        ..crate::testing::terms("cad", 5)
    }
}

fn lease(t: &mut LeaseTable, client: &str) -> LeaseId {
    let req = crate::testing::ask("cad", client, "ann");
    t.checkout(&req, Timestamp(0)).expect("a seat").lease.id
}

#[test]
fn a_counted_feature_gives_at_most_its_seats_and_once_per_lease() {
    let mut t = LeaseTable::new();
    t.add_license(code(2));
    let (a, b, c) = (lease(&mut t, "a"), lease(&mut t, "b"), lease(&mut t, "c"));
    let now = Timestamp(1);
    let first = t.checkout_feature(a, "render", now).unwrap();
    assert_eq!((first.seats, first.in_use, first.newly), (Some(2), 1, true));
    let again = t.checkout_feature(a, "render", now).unwrap();
    assert_eq!((again.in_use, again.newly), (1, false), "held already");
    t.checkout_feature(b, "render", now).unwrap();
    assert_eq!(
        t.checkout_feature(c, "render", now),
        Err(LeaseError::NoFeatureSeatFree {
            product: "cad".into(),
            feature: "render".into(),
            seats: 2,
            in_use: 2
        })
    );
    // Released on its own: c gets it.
    assert!(t.release_feature(a, "render"));
    assert!(!t.release_feature(a, "render"), "released twice");
    assert!(t.checkout_feature(c, "render", now).is_ok());
    assert_eq!(
        t.feature_use(&"cad".into(), now),
        [FeatureUse {
            feature: "render".into(),
            seats: 2,
            in_use: 2
        }]
    );
}

#[test]
fn a_feature_seat_ends_with_its_lease_however_it_ends() {
    let mut t = LeaseTable::new();
    t.add_license(code(1));
    let now = Timestamp(1);
    let a = lease(&mut t, "a");
    t.checkout_feature(a, "render", now).unwrap();
    t.release(a);
    let b = lease(&mut t, "b");
    t.checkout_feature(b, "render", now).unwrap();
    t.disconnect(b);
    let c = lease(&mut t, "c");
    t.checkout_feature(c, "render", now).unwrap();
    let expired = t.expire_due(Timestamp(10_000_000));
    assert_eq!(expired.len(), 1);
    assert!(t.features_of(c).is_empty());
    assert_eq!(t.feature_use(&"cad".into(), now)[0].in_use, 0);
}

#[test]
fn a_kept_lease_holds_no_feature_seat() {
    let mut t = LeaseTable::new();
    let mut terms = code(1);
    terms.seat_rules.linger_secs = 60;
    t.add_license(terms);
    let now = Timestamp(1);
    let a = lease(&mut t, "a");
    t.checkout_feature(a, "render", now).unwrap();
    assert!(matches!(t.release_at(a, now), Release::Kept(_)));
    assert_eq!(
        t.checkout_feature(a, "render", now),
        Err(LeaseError::LeaseReleased(a))
    );
    let b = lease(&mut t, "b");
    assert!(t.checkout_feature(b, "render", now).is_ok());
}

#[test]
fn plain_and_unknown_features() {
    let mut t = LeaseTable::new();
    t.add_license(code(1));
    let a = lease(&mut t, "a");
    let plain = t.checkout_feature(a, "export", Timestamp(1)).unwrap();
    assert_eq!((plain.seats, plain.newly), (None, false));
    assert!(
        t.features_of(a).is_empty(),
        "a plain entitlement is not counted"
    );
    assert!(matches!(
        t.checkout_feature(a, "teleport", Timestamp(1)),
        Err(LeaseError::FeatureNotLicensed { .. })
    ));
    assert!(matches!(
        t.checkout_feature(LeaseId::random(), "render", Timestamp(1)),
        Err(LeaseError::LeaseNotFound(_))
    ));
}

#[test]
fn renewing_gives_back_feature_seats_held_beyond_a_shrunk_count() {
    let mut t = LeaseTable::new();
    let big = code(2);
    let big_id = big.license_id;
    t.add_license(big);
    t.add_license(LicenseTerms {
        features: Vec::new(),
        seat_rules: SeatRules::default(),
        ..crate::testing::terms("cad", 5)
    });
    let now = Timestamp(1);
    let (a, b) = (lease(&mut t, "a"), lease(&mut t, "b"));
    t.checkout_feature(a, "render", now).unwrap();
    t.checkout_feature(b, "render", now).unwrap();
    t.remove_license(big_id);
    t.add_license(code(1));
    let renewed = t.renew(a, now).unwrap();
    assert_eq!(renewed.features_dropped, ["render"]);
    let renewed = t.renew(b, now).unwrap();
    assert!(renewed.features_dropped.is_empty(), "back within its count");
    assert_eq!(t.features_of(b), ["render"]);
}
