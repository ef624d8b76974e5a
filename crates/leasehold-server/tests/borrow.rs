//! Borrowing on a real server: a seat lent for hours with a token the
//! application checks offline, counted until it ends or is returned, never
//! extended, within the vendor's limits, shown to the admin, ended by the
//! admin's disconnect, kept across a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use leasehold_core::computer::Computer;
use leasehold_core::license::{LicenseTerms, SeatRules};
use leasehold_core::wire::borrow::BorrowToken;
use leasehold_core::{ClientId, Timestamp};
use leasehold_server::ServerHandle;
use serde_json::{Value, json};
use std::time::Duration;

fn lendable(vendor: &Vendor, seats: u32, max_borrow_hours: u32) -> String {
    vendor.issue(&LicenseTerms {
        seat_rules: SeatRules {
            max_borrow_hours,
            ..SeatRules::default()
        },
        ..vendor.terms("cad", seats)
    })
}

async fn borrow(server: &ServerHandle, client: &str, hours: u32) -> (StatusCode, Value) {
    let body = json!({ "seat": checkout_body("cad", client), "hours": hours });
    call(server, Method::POST, "/v1/borrow", Some(body), false).await
}

async fn product_usage(server: &ServerHandle) -> Value {
    let (_, status) = call(server, Method::GET, "/admin/v1/status", None, true).await;
    status["products"][0].clone()
}

#[tokio::test]
async fn a_loan_is_counted_checked_offline_returned_and_ended() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &lendable(&vendor, 2, 24)).await;

    let (status, body) = borrow(&server, "laptop", 25).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("borrow_too_long")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("at most 24 hours"),
        "{body}"
    );

    let (status, body) = borrow(&server, "laptop", 8).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token: BorrowToken = serde_json::from_value(body).unwrap();
    let now = server.engine().now();
    assert_eq!(
        token.until,
        now.plus_millis(8 * 3_600_000 - (now.0 - token.borrowed_at.0))
    );
    // The application checks it with the vendor's key alone.
    let check = |t: &BorrowToken, at: Timestamp| {
        t.check_offline(
            &"cad".into(),
            &ClientId::from("laptop"),
            "ann",
            &Computer::UNKNOWN,
            &[vendor.key.public()],
            at,
        )
    };
    assert_eq!(check(&token, Timestamp::now()), Ok(()));

    // Counted and shown.
    let usage = product_usage(&server).await;
    assert_eq!(
        (usage["inUse"].as_u64(), usage["borrowed"].as_u64()),
        (Some(1), Some(1)),
        "{usage}"
    );
    let (_, page) = call(&server, Method::GET, "/admin/v1/computers", None, true).await;
    assert_eq!(page["rows"][0]["borrowed"], true, "{page}");
    assert!(
        metrics_text(&server)
            .await
            .contains("leasehold_seats_borrowed{product=\"cad\"} 1")
    );
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=borrow",
        None,
        true,
    )
    .await;
    assert!(
        events["events"][0]["message"]
            .as_str()
            .unwrap()
            .contains("for 8 h"),
        "{events}"
    );

    // Asking about it never extends it.
    let renew = format!("/v1/leases/{}/renew", token.lease_id);
    let (status, renewed) = call(&server, Method::POST, &renew, None, false).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert_eq!(renewed["expiresAt"], json!(token.until.0), "{renewed}");

    // Two seats, both lent: no third.
    let (status, second) = borrow(&server, "desk", 4).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let (status, body) = borrow(&server, "tablet", 4).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_borrowable_seat")),
        "{body}"
    );

    // Kept across a restart.
    server.shutdown().await;
    let server = start(dir.path(), &vendor).await;
    assert_eq!(product_usage(&server).await["borrowed"], 2);
    let (_, renewed) = call(&server, Method::POST, &renew, None, false).await;
    assert_eq!(
        renewed["expiresAt"],
        json!(token.until.0),
        "still not extended: {renewed}"
    );

    // Returned early: free at once.
    let release = format!("/v1/leases/{}/release", token.lease_id);
    let (_, released) = call(&server, Method::POST, &release, None, false).await;
    assert_eq!(released["wasHeld"], true);
    assert_eq!(product_usage(&server).await["borrowed"], 1);
    let (status, _) = checkout(&server, "cad", "pc-9").await;
    assert_eq!(status, StatusCode::OK, "the returned seat is free");

    // The admin ends the other: its client learns on its next contact.
    let second: BorrowToken = serde_json::from_value(second).unwrap();
    let (status, _) = call(
        &server,
        Method::POST,
        "/admin/v1/disconnect",
        Some(json!({ "leaseId": second.lease_id })),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let renew = format!("/v1/leases/{}/renew", second.lease_id);
    let (status, body) = call(&server, Method::POST, &renew, None, false).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("lease_disconnected")),
        "{body}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_loan_ends_by_itself_and_only_lendable_seats_go() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 5)).await;
    let (status, body) = borrow(&server, "laptop", 1).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("borrow_not_allowed")),
        "{body}"
    );

    add_license(&server, &lendable(&vendor, 1, 2)).await;
    let (status, body) = borrow(&server, "laptop", 2).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = borrow(&server, "desk", 1).await;
    assert_eq!(body["code"], "no_borrowable_seat", "{status} {body}");
    server.engine().skip_time(Duration::from_secs(2 * 3600));
    server.engine().sweep().await;
    let usage = product_usage(&server).await;
    assert_eq!(
        (usage["inUse"].as_u64(), usage["borrowed"].as_u64()),
        (Some(0), Some(0)),
        "{usage}"
    );
    let (status, _) = borrow(&server, "desk", 1).await;
    assert_eq!(status, StatusCode::OK);
    server.shutdown().await;
}
