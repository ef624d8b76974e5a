//! Borrowing through the SDK against the real server: the loan kept on this
//! computer and used with no server, returned early (heard at once, or at
//! the next contact when the server was away), and ended by the admin.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use common::server::{designer, start, vendor};
use leasehold_client::{Client, LoanReturn, SeatState};
use leasehold_core::license::{LicenseTerms, SeatRules, issue};
use leasehold_server::ServerHandle;
use std::path::Path;

async fn lending_server(dir: &Path) -> ServerHandle {
    let vendor = vendor();
    let server = start(dir, &vendor, |_| {}).await;
    let terms = LicenseTerms {
        seat_rules: SeatRules {
            max_borrow_hours: 24,
            ..SeatRules::default()
        },
        ..leasehold_core::testing::terms("Designer", 1)
    };
    server
        .engine()
        .add_license(&issue(&vendor, &terms).unwrap(), false)
        .await
        .unwrap();
    server
}

fn laptop(addr: &str, loans: &Path) -> Client {
    designer("laptop")
        .server(addr)
        .borrow_dir(loans)
        .build()
        .unwrap()
}

fn in_use(server: &ServerHandle) -> u32 {
    server.engine().usage()[0].in_use
}

#[tokio::test]
async fn a_loan_is_used_offline_and_returned_early() {
    let dir = tempfile::tempdir().unwrap();
    let loans = tempfile::tempdir().unwrap();
    let server = lending_server(dir.path()).await;
    let addr = server.local_addr().to_string();
    let client = laptop(&addr, loans.path());

    let token = client.borrow("Designer", 8).await.unwrap();
    assert_eq!(token.until.0 - token.borrowed_at.0, 8 * 3_600_000);
    assert_eq!(client.loan(&"Designer".into()), Some(token.clone()));
    assert_eq!(in_use(&server), 1);
    let twice = client.borrow("Designer", 8).await.unwrap_err();
    assert_eq!(twice.code(), "already_borrowed", "{twice}");

    // A checkout uses the loan: no second seat.
    let guard = client.checkout("Designer").await.unwrap();
    assert_eq!(guard.loan(), Some(&token));
    assert!(
        matches!(guard.state(), SeatState::Held { expires_at, .. } if expires_at == token.until)
    );
    assert_eq!(in_use(&server), 1);
    drop(guard);

    // With no server at all (its address dead): still the loan.
    let offline = laptop("127.0.0.1:1", loans.path());
    let guard = offline.checkout("Designer").await.unwrap();
    assert_eq!(guard.loan(), Some(&token));

    // Returned while the server is away: dead here at once, heard later.
    assert_eq!(
        offline.return_borrowed("Designer").await.unwrap(),
        LoanReturn::Pending
    );
    assert_eq!(offline.loan(&"Designer".into()), None);
    assert!(
        offline
            .checkout("Designer")
            .await
            .unwrap_err()
            .is_unreachable()
    );
    assert_eq!(in_use(&server), 1, "the server has not heard yet");
    // The next contact tells it.
    let again = client.borrow("Designer", 1).await.unwrap();
    assert_ne!(
        again.lease_id, token.lease_id,
        "the returned seat was free to lend"
    );
    assert_eq!(
        client.return_borrowed("Designer").await.unwrap(),
        LoanReturn::Returned
    );
    assert_eq!(in_use(&server), 0);
    assert_eq!(
        client.return_borrowed("Designer").await.unwrap(),
        LoanReturn::NoLoan
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_loan_the_admin_ended_is_dropped_at_the_next_contact() {
    let dir = tempfile::tempdir().unwrap();
    let loans = tempfile::tempdir().unwrap();
    let server = lending_server(dir.path()).await;
    let client = laptop(&server.local_addr().to_string(), loans.path());
    let token = client.borrow("Designer", 8).await.unwrap();
    server
        .engine()
        .disconnect(
            leasehold_core::wire::admin::DisconnectRequest {
                lease_id: Some(token.lease_id),
                client_id: None,
            },
            leasehold_core::CorrelationId::random(),
        )
        .await
        .unwrap();
    // The checkout asks the server, learns the loan is over, forgets it and
    // checks out as usual (the seat is free again).
    let guard = client.checkout("Designer").await.unwrap();
    assert!(guard.loan().is_none());
    assert!(guard.grant().is_some());
    assert_eq!(client.loan(&"Designer".into()), None);
    guard.release().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn a_loan_copied_to_another_computer_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let loans = tempfile::tempdir().unwrap();
    let server = lending_server(dir.path()).await;
    let addr = server.local_addr().to_string();
    laptop(&addr, loans.path())
        .borrow("Designer", 8)
        .await
        .unwrap();
    // The same loan directory, another machine id: the loan is not theirs.
    let other = designer("desktop")
        .server(&addr)
        .borrow_dir(loans.path())
        .build()
        .unwrap();
    assert_eq!(other.loan(&"Designer".into()), None);
    let refused = other.checkout("Designer").await.unwrap_err();
    assert_eq!(refused.code(), "no_seat_free", "{refused}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_seat_in_use_on_a_loan_ends_when_the_loan_is_given_back() {
    let dir = tempfile::tempdir().unwrap();
    let loans = tempfile::tempdir().unwrap();
    let server = lending_server(dir.path()).await;
    let addr = server.local_addr().to_string();
    let watching = designer("laptop")
        .server(&addr)
        .borrow_dir(loans.path())
        .loan_check_every(std::time::Duration::from_millis(20))
        .build()
        .unwrap();
    watching.borrow("Designer", 8).await.unwrap();
    let guard = watching.checkout("Designer").await.unwrap();
    let mut states = guard.subscribe();
    // Given back from another process (`leasehold client return`).
    let other = laptop(&addr, loans.path());
    assert_eq!(
        other.return_borrowed("Designer").await.unwrap(),
        LoanReturn::Returned
    );
    let lost = common::server::wait_for(&mut states, std::time::Duration::from_secs(5), |s| {
        matches!(s, SeatState::Lost { .. })
    })
    .await;
    assert!(
        matches!(
            lost,
            SeatState::Lost {
                reason: leasehold_client::LostReason::Ended(leasehold_client::LeaseEnd::Released)
            }
        ),
        "{lost:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_clock_set_back_does_not_stretch_a_loan() {
    let dir = tempfile::tempdir().unwrap();
    let loans = tempfile::tempdir().unwrap();
    let server = lending_server(dir.path()).await;
    let client = laptop(&server.local_addr().to_string(), loans.path());
    let token = client.borrow("Designer", 8).await.unwrap();
    assert!(client.loan(&"Designer".into()).is_some());
    // This computer was seen after the loan's end: the clock went back.
    let later = token.until.plus_millis(1000);
    std::fs::write(
        loans.path().join("loans.clock"),
        format!("latest_seen_ms = {}\n", later.0),
    )
    .unwrap();
    assert_eq!(client.loan(&"Designer".into()), None);
    server.shutdown().await;
}
