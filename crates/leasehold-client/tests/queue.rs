//! A checkout that waits, against the real server: the place reported as it
//! changes, the seat as soon as one frees (and claimed by the guard's first
//! renewal), and giving up after the time asked, leaving the queue.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::server::{client_at, with_license};
use leasehold_client::{ClientError, SeatState};

#[tokio::test]
async fn a_waiting_checkout_hears_its_place_and_gets_the_freed_seat() {
    let (_dir, _vendor, server) = with_license(1, 60, |_| {}).await;
    let addr = server.local_addr();
    let first = client_at(addr, "pc-1").checkout("Designer").await.unwrap();

    let places = |log: &Arc<Mutex<Vec<(u32, u32)>>>| {
        let log = Arc::clone(log);
        move |q: &leasehold_core::wire::queue::Queued| {
            log.lock().unwrap().push((q.position, q.waiting))
        }
    };
    let b_log = Arc::new(Mutex::new(Vec::new()));
    let c_log = Arc::new(Mutex::new(Vec::new()));
    let b = {
        let on_place = places(&b_log);
        tokio::spawn(async move {
            client_at(addr, "pc-2")
                .checkout_waiting("Designer", Some(Duration::from_secs(30)), on_place)
                .await
        })
    };
    while b_log.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let c = {
        let on_place = places(&c_log);
        tokio::spawn(async move {
            client_at(addr, "pc-3")
                .checkout_waiting("Designer", Some(Duration::from_secs(30)), on_place)
                .await
        })
    };
    while c_log.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*b_log.lock().unwrap(), [(1, 1)]);
    assert_eq!(*c_log.lock().unwrap(), [(2, 2)]);

    first.release().await.unwrap();
    let b_guard = tokio::time::timeout(Duration::from_secs(10), b)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(matches!(
        *b_guard.subscribe().borrow(),
        SeatState::Held { .. }
    ));
    // c moved up, and still waits.
    tokio::time::timeout(Duration::from_secs(10), async {
        while c_log.lock().unwrap().last() != Some(&(1, 1)) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    assert!(!c.is_finished());

    // The guard claims the seat with its first renewal (after a second):
    // the lease then runs a whole lease length, not the claim window.
    let mut states = b_guard.subscribe();
    let claimed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            states.changed().await.unwrap();
            if let SeatState::Held { expires_at, .. } = *states.borrow() {
                let left = expires_at.0 - leasehold_core::Timestamp::now().0;
                if left > 40_000 {
                    return left;
                }
            }
        }
    })
    .await
    .unwrap();
    assert!(claimed <= 60_000, "{claimed}");
    b_guard.release().await.unwrap();
    let c_guard = tokio::time::timeout(Duration::from_secs(10), c)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    c_guard.release().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn a_waiting_checkout_gives_up_when_asked_and_leaves_the_queue() {
    let (_dir, _vendor, server) = with_license(1, 60, |_| {}).await;
    let addr = server.local_addr();
    let _first = client_at(addr, "pc-1").checkout("Designer").await.unwrap();
    let started = std::time::Instant::now();
    let e = client_at(addr, "pc-2")
        .checkout_waiting("Designer", Some(Duration::from_millis(300)), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::WaitTimedOut { .. }), "{e}");
    assert_eq!(e.code(), "wait_timed_out");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        server.engine().waiting_list(10).waiters.is_empty(),
        "it left"
    );
    server.shutdown().await;
}
