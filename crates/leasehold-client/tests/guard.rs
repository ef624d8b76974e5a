//! The lease guard on tokio's paused clock against the fake server: renews on
//! time, keeps its lease through a short outage, regains a seat after a long
//! one or a disconnect, and releases on drop.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
mod fake;

use std::time::Duration;

use axum::http::StatusCode;
use common::server::{client_at, wait_for};
use fake::FakeServer;
use leasehold_client::{LeaseEnd, LeaseGuard, LostReason, SeatState};
use leasehold_core::LeaseId;
use tokio::sync::watch;
use tokio::time::{Instant, sleep};

/// Leases of 30 s, renewed after 10 s.
const LEASE: u32 = 30;
const RENEW_AFTER: u32 = 10;

async fn checkout(server: &FakeServer) -> LeaseGuard {
    client_at(server.address(), "pc-1")
        .checkout("Designer")
        .await
        .unwrap()
}

/// A fake server with one seat, a guard holding it, its lease id and a
/// receiver of its states.
async fn holding() -> (FakeServer, LeaseGuard, LeaseId, watch::Receiver<SeatState>) {
    let server = FakeServer::start(1, LEASE, RENEW_AFTER).await;
    let guard = checkout(&server).await;
    let lease_id = guard.grant().unwrap().lease_id;
    let states = guard.subscribe();
    (server, guard, lease_id, states)
}

#[tokio::test(start_paused = true)]
async fn renews_at_the_servers_renew_after() {
    let server = FakeServer::start(1, LEASE, RENEW_AFTER).await;
    let start = Instant::now();
    let guard = checkout(&server).await;
    let lease_id = guard.grant().unwrap().lease_id;
    let first_expiry = guard.grant().unwrap().expires_at;

    sleep(Duration::from_secs(9)).await;
    assert_eq!(server.state().renewals, 0, "too early");

    let mut states = guard.subscribe();
    let state = wait_for(
        &mut states,
        Duration::from_secs(5),
        |s| matches!(s, SeatState::Held { expires_at, .. } if *expires_at > first_expiry),
    )
    .await;
    assert_eq!(state.lease_id(), Some(lease_id));
    assert_eq!(server.state().renewals, 1);
    let at = start.elapsed();
    assert!(
        at >= Duration::from_secs(10) && at < Duration::from_secs(11),
        "renewed after {at:?}"
    );

    // And keeps renewing every 10 s (at 20, 30 and 40 s), never letting it expire.
    sleep(Duration::from_secs(35)).await;
    assert_eq!(server.state().renewals, 4);
    assert_eq!(server.live_leases(), 1);
    assert!(guard.state().is_usable());
}

#[tokio::test(start_paused = true)]
async fn a_short_outage_keeps_the_same_lease() {
    let (mut server, guard, lease_id, mut states) = holding().await;

    server.stop().await;
    let state = wait_for(&mut states, Duration::from_secs(12), |s| {
        matches!(s, SeatState::Reconnecting { .. })
    })
    .await;
    match state {
        SeatState::Reconnecting {
            lease_id: held,
            until,
            ..
        } => {
            assert_eq!(held, lease_id);
            assert_eq!(until, guard.grant().unwrap().expires_at);
        }
        other => unreachable!("{other:?}"),
    }

    // Back after 15 s in all: well within the 30 s lease.
    sleep(Duration::from_secs(3)).await;
    server.restart().await;
    let state = wait_for(&mut states, Duration::from_secs(15), |s| {
        matches!(s, SeatState::Held { .. })
    })
    .await;
    assert_eq!(
        state.lease_id(),
        Some(lease_id),
        "same lease after the outage"
    );
    assert_eq!(server.state().checkouts, 1, "no second checkout");
    assert_eq!(server.live_leases(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_long_outage_loses_the_seat_and_regains_a_new_one() {
    let (mut server, guard, old, mut states) = holding().await;

    server.stop().await;
    let state = wait_for(&mut states, Duration::from_secs(40), |s| {
        matches!(s, SeatState::Lost { .. })
    })
    .await;
    assert_eq!(
        state,
        SeatState::Lost {
            reason: LostReason::TimedOut
        }
    );
    assert!(!guard.state().is_usable());

    sleep(Duration::from_secs(20)).await;
    server.restart().await;
    let state = wait_for(&mut states, Duration::from_secs(60), |s| {
        matches!(s, SeatState::Regained { .. })
    })
    .await;
    match state {
        SeatState::Regained {
            lease_id, after, ..
        } => {
            assert_ne!(lease_id, old, "a new lease");
            assert_eq!(after, LostReason::TimedOut);
            assert_eq!(guard.lease_id(), Some(lease_id));
        }
        other => unreachable!("{other:?}"),
    }
    assert_eq!(server.live_leases(), 1);

    // The regained lease is renewed like any other.
    let regained = guard.lease_id();
    wait_for(&mut states, Duration::from_secs(15), |s| {
        matches!(s, SeatState::Held { .. })
    })
    .await;
    assert_eq!(guard.lease_id(), regained);
}

#[tokio::test(start_paused = true)]
async fn a_disconnected_lease_is_regained_with_the_reason() {
    let (server, _guard, old, mut states) = holding().await;
    server.disconnect(old);

    let state = wait_for(&mut states, Duration::from_secs(12), |s| {
        matches!(s, SeatState::Regained { .. })
    })
    .await;
    match state {
        SeatState::Regained {
            lease_id, after, ..
        } => {
            assert_ne!(lease_id, old);
            assert_eq!(after, LostReason::Ended(LeaseEnd::Disconnected));
        }
        other => unreachable!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn an_over_subscribed_lease_runs_to_its_end() {
    let (server, guard, _, mut states) = holding().await;
    server.state().over_subscribed = true;

    let state = wait_for(&mut states, Duration::from_secs(12), |s| {
        matches!(s, SeatState::Expiring { .. })
    })
    .await;
    assert_eq!(
        state,
        SeatState::Expiring {
            lease_id: guard.grant().unwrap().lease_id,
            expires_at: guard.grant().unwrap().expires_at
        }
    );
    // Once it has run out the seat is lost (the fake then grants a new one).
    let state = wait_for(&mut states, Duration::from_secs(25), |s| {
        !matches!(s, SeatState::Expiring { .. })
    })
    .await;
    assert!(
        matches!(
            &state,
            SeatState::Lost {
                reason: LostReason::OverSubscribed
            } | SeatState::Regained {
                after: LostReason::OverSubscribed,
                ..
            }
        ),
        "{state:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_guard_releases_the_seat() {
    let (server, guard, lease_id, mut states) = holding().await;
    drop(guard);

    wait_for(&mut states, Duration::from_secs(5), |s| {
        *s == SeatState::Released
    })
    .await;
    assert_eq!(server.live_leases(), 0);
    assert_eq!(server.state().released, vec![lease_id]);
}

#[tokio::test(start_paused = true)]
async fn release_while_lost_has_nothing_to_give_back() {
    let (mut server, guard, _, mut states) = holding().await;
    server.stop().await;
    wait_for(&mut states, Duration::from_secs(40), |s| {
        matches!(s, SeatState::Lost { .. })
    })
    .await;
    assert_eq!(guard.release().await.unwrap(), None);
    assert_eq!(*states.borrow(), SeatState::Released);
}

#[tokio::test(start_paused = true)]
async fn a_server_answering_errors_is_reported_as_such_not_as_unreachable() {
    let (server, guard, _old, mut states) = holding().await;
    server.state().fail_renewals = Some((StatusCode::SERVICE_UNAVAILABLE, "storage_full"));
    let reconnecting = wait_for(&mut states, Duration::from_secs(15), |s| {
        matches!(s, SeatState::Reconnecting { .. })
    })
    .await;
    match reconnecting {
        SeatState::Reconnecting { error, .. } => {
            assert!(!error.contains("reach"), "{error}");
            assert!(error.contains("storage_full"), "{error}");
        }
        other => unreachable!("{other:?}"),
    }
    let lost = wait_for(&mut states, Duration::from_secs(40), |s| {
        matches!(s, SeatState::Lost { .. })
    })
    .await;
    match lost {
        SeatState::Lost {
            reason: LostReason::ServerError { code, message },
        } => {
            assert_eq!(code, "storage_full");
            assert!(message.contains("disk"), "{message}");
        }
        other => panic!("expected a server error, got {other:?}"),
    }
    drop(guard);
}
