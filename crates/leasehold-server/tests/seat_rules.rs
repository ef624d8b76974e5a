//! A code's seat rules at work on a real server: overdraft (granted,
//! marked, billed, bounded, kept across a restart) and linger.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use leasehold_core::license::{LicenseTerms, SeatRules};

fn with_rules(vendor: &Vendor, seats: u32, rules: SeatRules) -> String {
    vendor.issue(&LicenseTerms {
        seat_rules: rules,
        ..vendor.terms("cad", seats)
    })
}

#[tokio::test]
async fn overdraft_is_granted_marked_counted_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let code = with_rules(
        &vendor,
        1,
        SeatRules {
            overdraft: 1,
            ..SeatRules::default()
        },
    );
    let view = add_license(&server, &code).await;
    assert_eq!(view["seatRules"]["overdraft"], 1, "{view}");

    let (status, first) = checkout(&server, "cad", "pc-1").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["overdraft"], false);
    let (status, second) = checkout(&server, "cad", "pc-2").await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["overdraft"], true, "{second}");
    let (status, third) = checkout(&server, "cad", "pc-3").await;
    assert_eq!(status, StatusCode::CONFLICT, "{third}");
    assert_eq!(third["code"], "no_seat_free");

    // A renewal keeps saying so.
    let renew = format!("/v1/leases/{}/renew", second["leaseId"].as_str().unwrap());
    let (status, renewed) = call(&server, Method::POST, &renew, None, false).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert_eq!(renewed["overdraft"], true);

    // The Computers list, the events and the metrics carry it.
    let over_on_list = |page: &serde_json::Value| -> Vec<(String, bool)> {
        page["rows"]
            .as_array()
            .unwrap_or_else(|| panic!("{page}"))
            .iter()
            .map(|r| {
                (
                    r["lease"]["holder"]["clientId"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    r["lease"]["overdraft"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let (_, page) = call(
        &server,
        Method::GET,
        "/admin/v1/computers?sort=host",
        None,
        true,
    )
    .await;
    let mut rows = over_on_list(&page);
    rows.sort();
    assert_eq!(rows, [("pc-1".into(), false), ("pc-2".into(), true)]);
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=overdraft_grant",
        None,
        true,
    )
    .await;
    let events = events["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0]["message"]
            .as_str()
            .unwrap()
            .contains("1 over licence"),
        "{events:?}"
    );
    let text = metrics_text(&server).await;
    assert!(
        text.contains("leasehold_overdraft_grants_total 1"),
        "{text}"
    );
    assert!(
        text.contains("leasehold_seats_over_licence{product=\"cad\"} 1"),
        "{text}"
    );

    // The mark survives a restart.
    server.shutdown().await;
    let server = start(dir.path(), &vendor).await;
    let (_, page) = call(
        &server,
        Method::GET,
        "/admin/v1/computers?sort=host",
        None,
        true,
    )
    .await;
    let mut rows = over_on_list(&page);
    rows.sort();
    assert_eq!(rows, [("pc-1".into(), false), ("pc-2".into(), true)]);
    server.shutdown().await;
}

#[tokio::test]
async fn linger_keeps_a_released_seat_for_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let code = with_rules(
        &vendor,
        1,
        SeatRules {
            linger_secs: 30,
            ..SeatRules::default()
        },
    );
    add_license(&server, &code).await;
    let (_, first) = checkout(&server, "cad", "pc-a").await;
    let id = first["leaseId"].as_str().unwrap().to_owned();
    let release = format!("/v1/leases/{id}/release");
    let (status, released) = call(&server, Method::POST, &release, None, false).await;
    assert_eq!(
        (status, released["wasHeld"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    // Kept: another computer finds no seat; the holder gets its own back.
    let (status, other) = checkout(&server, "cad", "pc-b").await;
    assert_eq!(
        (status, other["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_seat_free"))
    );
    let (status, back) = checkout(&server, "cad", "pc-a").await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["leaseId"], first["leaseId"]);
    assert_eq!(back["reused"], true);
    // Released again and not taken back: free once the linger ends. Kept
    // across a restart too: not a live lease its id could renew.
    call(&server, Method::POST, &release, None, false).await;
    server.shutdown().await;
    let server = start(dir.path(), &vendor).await;
    let renew = format!("/v1/leases/{id}/renew");
    let (status, body) = call(&server, Method::POST, &renew, None, false).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("lease_released")),
        "{body}"
    );
    server
        .engine()
        .skip_time(std::time::Duration::from_secs(29));
    server.engine().sweep().await;
    assert_eq!(
        checkout(&server, "cad", "pc-b").await.0,
        StatusCode::CONFLICT
    );
    server.engine().skip_time(std::time::Duration::from_secs(2));
    server.engine().sweep().await;
    let (status, theirs) = checkout(&server, "cad", "pc-b").await;
    assert_eq!(status, StatusCode::OK, "{theirs}");
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=release",
        None,
        true,
    )
    .await;
    let said = events["events"].as_array().unwrap();
    assert!(
        said.iter()
            .any(|e| e["message"].as_str().unwrap().contains("(linger)")),
        "{said:?}"
    );
    server.shutdown().await;
}
