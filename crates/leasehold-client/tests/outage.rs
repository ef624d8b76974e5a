//! Outages against the real `leasehold_server::Server`: a server that is down
//! for less than a lease comes back to the same lease (the seat was kept); one
//! that is down for longer has reclaimed the lease, so the client is told the
//! seat was lost and gets a new one. "Longer" is made with the server's clock
//! (`Config.clock` skipped ahead), not by sleeping for a lease length.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use std::time::Duration;

use common::server::{client_at, start, wait_for, with_license};
use leasehold_client::{LostReason, SeatState};
use leasehold_server::clock::Clock;
use tokio::sync::watch;

const LEASE_SECS: u32 = 10;

/// Records every state the guard publishes, so a short-lived `Lost` is seen.
fn record(mut states: watch::Receiver<SeatState>) -> tokio::task::JoinHandle<Vec<SeatState>> {
    tokio::spawn(async move {
        let mut seen = vec![states.borrow_and_update().clone()];
        while states.changed().await.is_ok() {
            let state = states.borrow_and_update().clone();
            let done = matches!(state, SeatState::Released);
            seen.push(state);
            if done {
                break;
            }
        }
        seen
    })
}

#[tokio::test]
async fn down_for_less_than_a_lease_keeps_the_seat_and_the_same_lease() {
    let (dir, vendor, server) = with_license(1, LEASE_SECS, |_| {}).await;
    let addr = server.local_addr();

    let guard = client_at(addr, "pc-1").checkout("Designer").await.unwrap();
    let lease_id = guard.grant().unwrap().lease_id;
    let log = record(guard.subscribe());
    let mut states = guard.subscribe();

    server.shutdown().await;
    let down = tokio::time::Instant::now();
    wait_for(&mut states, Duration::from_secs(9), |s| {
        matches!(s, SeatState::Reconnecting { .. })
    })
    .await;
    assert!(
        guard.state().is_usable(),
        "the seat is kept while the lease is valid"
    );
    let server = start(dir.path(), &vendor, |c| c.listen = addr).await;
    let state = wait_for(&mut states, Duration::from_secs(9), |s| {
        matches!(s, SeatState::Held { .. })
    })
    .await;
    println!(
        "server down for {:?}; back on the same lease",
        down.elapsed()
    );
    assert_eq!(state.lease_id(), Some(lease_id));

    // Someone else still finds the only seat taken: it was never freed.
    let e = client_at(addr, "pc-2")
        .checkout("Designer")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "no_seat_free", "{e}");

    assert!(guard.release().await.unwrap().unwrap().was_held);
    let seen = log.await.unwrap();
    assert!(
        seen.iter().all(|s| !matches!(s, SeatState::Lost { .. })),
        "{seen:#?}"
    );
    assert!(
        seen.iter()
            .filter_map(SeatState::lease_id)
            .all(|id| id == lease_id)
    );
    server.shutdown().await;
}

#[tokio::test]
async fn down_for_longer_than_a_lease_tells_the_seat_was_lost_and_regains_a_new_one() {
    let (dir, vendor, server) = with_license(1, LEASE_SECS, |_| {}).await;
    let addr = server.local_addr();

    let guard = client_at(addr, "pc-1").checkout("Designer").await.unwrap();
    let old = guard.grant().unwrap().lease_id;
    let log = record(guard.subscribe());
    let mut states = guard.subscribe();

    server.shutdown().await;
    wait_for(&mut states, Duration::from_secs(9), |s| {
        matches!(s, SeatState::Reconnecting { .. })
    })
    .await;
    // The server comes back "a minute later": its lease has run out meanwhile
    // and is reclaimed at start.
    let later = Clock::start();
    later.skip(Duration::from_secs(60));
    let server = start(dir.path(), &vendor, |c| {
        c.listen = addr;
        c.clock = Some(later);
    })
    .await;

    let state = wait_for(&mut states, Duration::from_secs(8), |s| {
        matches!(s, SeatState::Regained { .. })
    })
    .await;
    let SeatState::Regained {
        lease_id, after, ..
    } = state
    else {
        unreachable!()
    };
    assert_ne!(lease_id, old, "a new lease");
    assert!(
        matches!(after, LostReason::Ended(_)),
        "lost because the server ended it: {after:?}"
    );

    assert!(guard.release().await.unwrap().unwrap().was_held);
    let seen = log.await.unwrap();
    let lost = seen
        .iter()
        .position(|s| matches!(s, SeatState::Lost { .. }));
    let regained = seen
        .iter()
        .position(|s| matches!(s, SeatState::Regained { .. }));
    assert!(
        matches!((lost, regained), (Some(l), Some(r)) if l < r),
        "Lost, then Regained: {seen:#?}"
    );
    server.shutdown().await;
}
