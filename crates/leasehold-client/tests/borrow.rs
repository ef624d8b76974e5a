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
