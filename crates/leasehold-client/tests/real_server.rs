//! The client against the real `leasehold_server::Server` on 127.0.0.1:0:
//! checkout, no seat free, release, and a server restart that keeps the lease.

use std::time::Duration;

use leasehold_client::{Client, ClientError, LeaseGuard, SeatState};
use leasehold_core::license::{LicenseTerms, VendorKeyPair, issue};
use leasehold_core::{LicenseId, Product, Timestamp};
use leasehold_server::{Config, Server, ServerHandle};
use tokio::sync::watch;

/// Starts a server in `dir` (on `listen`, or port 0) with a license of
/// `seats` seats of "Designer" with 10 s leases (the shortest allowed).
async fn start(
    dir: &std::path::Path,
    vendor: &VendorKeyPair,
    listen: Option<std::net::SocketAddr>,
) -> ServerHandle {
    let mut config = Config::ephemeral(dir);
    if let Some(addr) = listen {
        config.listen = addr;
    }
    config.trust.push(vendor.public());
    Server::start(config).await.unwrap()
}

async fn add_license(server: &ServerHandle, vendor: &VendorKeyPair, seats: u32) {
    let terms = LicenseTerms {
        license_id: LicenseId::random(),
        product: Product::from("Designer"),
        seats,
        valid_from: None,
        valid_until: None,
        features: vec![],
        customer: "Acme Ltd".into(),
        lease_secs: 10,
        node_lock: None,
        issued_at: Timestamp::now(),
    };
    server
        .engine()
        .add_license(&issue(vendor, &terms).unwrap(), false)
        .await
        .unwrap();
}

fn client(server: &ServerHandle, id: &str) -> Client {
    Client::builder()
        .server(server.local_addr().to_string())
        .app("Designer", "4.2")
        .client_id(id)
        .user("alice")
        .host(id)
        .build()
        .unwrap()
}

async fn wait_for(
    states: &mut watch::Receiver<SeatState>,
    limit: Duration,
    want: impl Fn(&SeatState) -> bool,
) -> SeatState {
    let found = tokio::time::timeout(limit, async {
        states.wait_for(|s| want(s)).await.map(|s| s.clone())
    })
    .await;
    match found {
        Ok(Ok(state)) => state,
        Ok(Err(_)) => panic!("the guard's task ended"),
        Err(_) => panic!(
            "no matching state within {limit:?}; last: {:?}",
            *states.borrow()
        ),
    }
}

#[tokio::test]
async fn seats_are_granted_refused_and_given_back() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let server = start(dir.path(), &vendor, None).await;
    add_license(&server, &vendor, 1).await;

    let (_, hello) = client(&server, "pc-1").hello().await.unwrap();
    assert_eq!(
        hello.protocol_version,
        leasehold_core::wire::PROTOCOL_VERSION
    );

    let first: LeaseGuard = client(&server, "pc-1").checkout("Designer").await.unwrap();
    assert_eq!(first.grant().unwrap().lease_secs, 10);

    match client(&server, "pc-2")
        .checkout("Designer")
        .await
        .unwrap_err()
    {
        ClientError::NoSeatFree { seats, in_use, .. } => assert_eq!((seats, in_use), (1, 1)),
        other => panic!("expected NoSeatFree, got {other:?}"),
    }
    let err = client(&server, "pc-2")
        .checkout("Sketcher")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "no_license_for_product", "{err:?}");

    assert!(first.release().await.unwrap().unwrap().was_held);
    let second = client(&server, "pc-2").checkout("Designer").await.unwrap();
    drop(second);
    server.shutdown().await;
}

#[tokio::test]
async fn a_server_restart_keeps_the_same_lease() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let server = start(dir.path(), &vendor, None).await;
    add_license(&server, &vendor, 1).await;
    let addr = server.local_addr();

    let guard = client(&server, "pc-1").checkout("Designer").await.unwrap();
    let lease_id = guard.grant().unwrap().lease_id;
    let mut states = guard.subscribe();

    // Down across the first renew (after about 3 s of a 10 s lease).
    server.shutdown().await;
    wait_for(&mut states, Duration::from_secs(6), |s| {
        matches!(s, SeatState::Reconnecting { .. })
    })
    .await;
    let server = start(dir.path(), &vendor, Some(addr)).await;

    let state = wait_for(&mut states, Duration::from_secs(6), |s| {
        matches!(s, SeatState::Held { .. })
    })
    .await;
    assert_eq!(state.lease_id(), Some(lease_id));
    assert!(guard.release().await.unwrap().unwrap().was_held);
    server.shutdown().await;
}
