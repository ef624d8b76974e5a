//! The client against the real `leasehold_server::Server` on 127.0.0.1:0:
//! checkout, no seat free, release, and a server restart that keeps the lease.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use std::time::Duration;

use common::server::{client_at, start, wait_for, with_license};
use leasehold_client::{ClientError, LeaseGuard, SeatState};

/// Leases of 10 s (the shortest allowed).
const LEASE_SECS: u32 = 10;

#[tokio::test]
async fn seats_are_granted_refused_and_given_back() {
    let (_dir, _vendor, server) = with_license(1, LEASE_SECS, |_| {}).await;
    let addr = server.local_addr();

    let (_, hello) = client_at(addr, "pc-1").hello().await.unwrap();
    assert_eq!(
        hello.protocol_version,
        leasehold_core::wire::PROTOCOL_VERSION
    );

    let first: LeaseGuard = client_at(addr, "pc-1").checkout("Designer").await.unwrap();
    assert_eq!(first.grant().unwrap().lease_secs, 10);

    match client_at(addr, "pc-2")
        .checkout("Designer")
        .await
        .unwrap_err()
    {
        ClientError::NoSeatFree { seats, in_use, .. } => assert_eq!((seats, in_use), (1, 1)),
        other => panic!("expected NoSeatFree, got {other:?}"),
    }
    let err = client_at(addr, "pc-2")
        .checkout("Sketcher")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "no_license_for_product", "{err:?}");

    assert!(first.release().await.unwrap().unwrap().was_held);
    let second = client_at(addr, "pc-2").checkout("Designer").await.unwrap();
    drop(second);
    server.shutdown().await;
}

#[tokio::test]
async fn a_server_restart_keeps_the_same_lease() {
    let (dir, vendor, server) = with_license(1, LEASE_SECS, |_| {}).await;
    let addr = server.local_addr();

    let guard = client_at(addr, "pc-1").checkout("Designer").await.unwrap();
    let lease_id = guard.grant().unwrap().lease_id;
    let mut states = guard.subscribe();

    // Down across the first renew (after about 3 s of a 10 s lease).
    server.shutdown().await;
    wait_for(&mut states, Duration::from_secs(6), |s| {
        matches!(s, SeatState::Reconnecting { .. })
    })
    .await;
    let server = start(dir.path(), &vendor, |c| c.listen = addr).await;

    let state = wait_for(&mut states, Duration::from_secs(6), |s| {
        matches!(s, SeatState::Held { .. })
    })
    .await;
    assert_eq!(state.lease_id(), Some(lease_id));
    assert!(guard.release().await.unwrap().unwrap().was_held);
    server.shutdown().await;
}
