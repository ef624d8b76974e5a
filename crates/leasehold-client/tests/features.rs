//! Feature seats on the guard, against the real server: checked out under
//! the lease, refused when all are held, given back on their own or with
//! the lease.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use common::server::{client_at, start, vendor};
use leasehold_client::{ClientError, FeatureSeat};
use leasehold_core::license::{FeatureSeats, LicenseTerms, SeatRules, issue};

#[tokio::test]
async fn the_guard_checks_feature_seats_out_under_its_lease() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = vendor();
    let server = start(dir.path(), &vendor, |_| {}).await;
    let terms = LicenseTerms {
        features: vec!["render".into()],
        seat_rules: SeatRules {
            feature_seats: vec![FeatureSeats {
                feature: "render".into(),
                seats: 1,
            }],
            ..SeatRules::default()
        },
        ..leasehold_core::testing::terms("Designer", 3)
    };
    server
        .engine()
        .add_license(&issue(&vendor, &terms).unwrap(), false)
        .await
        .unwrap();
    let addr = server.local_addr();
    let a = client_at(addr, "pc-1").checkout("Designer").await.unwrap();
    let b = client_at(addr, "pc-2").checkout("Designer").await.unwrap();

    let seat = a.checkout_feature("render").await.unwrap();
    let FeatureSeat::Network(grant) = seat else {
        panic!("a server's seat: {seat:?}");
    };
    assert_eq!((grant.seats, grant.in_use), (Some(1), 1));
    let refused = b.checkout_feature("render").await.unwrap_err();
    assert_eq!(refused.code(), "no_feature_seat_free", "{refused}");
    assert!(matches!(refused, ClientError::Server { status: 409, .. }));

    let back = a.release_feature("render").await.unwrap().unwrap();
    assert!(back.was_held);
    b.checkout_feature("render").await.unwrap();
    // Released with the lease.
    b.release().await.unwrap();
    a.checkout_feature("render").await.unwrap();
    a.release().await.unwrap();
    server.shutdown().await;
}
