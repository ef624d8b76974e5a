//! Element pools on a real server: a checkout of k units granted only when k
//! are free, held and shown as k, kept across a restart, refused for seat
//! products and beyond the pool, and served from the queue in order.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use leasehold_core::license::{LicenseTerms, SeatRules};
use leasehold_server::ServerHandle;
use serde_json::{Value, json};

fn pool(vendor: &Vendor, units: u32) -> String {
    vendor.issue(&LicenseTerms {
        seat_rules: SeatRules {
            units_pool: true,
            ..SeatRules::default()
        },
        ..vendor.terms("sim", units)
    })
}

async fn units(server: &ServerHandle, client: &str, k: u32, wait: bool) -> (StatusCode, Value) {
    let mut body = checkout_body("sim", client);
    body["units"] = json!(k);
    if wait {
        body["wait"] = json!(true);
    }
    call(server, Method::POST, "/v1/checkout", Some(body), false).await
}

async fn in_use(server: &ServerHandle) -> u64 {
    let (_, status) = call(server, Method::GET, "/admin/v1/status", None, true).await;
    status["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["product"] == "sim")
        .unwrap()["inUse"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn k_units_are_held_shown_and_kept_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &pool(&vendor, 16)).await;
    add_license(&server, &vendor.code("cad", 4)).await;
    add_license(
        &server,
        &vendor.issue(&LicenseTerms {
            customer: String::new(),
            ..vendor.terms("cam", 2)
        }),
    )
    .await;
    // The log says what each code added, in its own words.
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=license_added",
        None,
        true,
    )
    .await;
    let said: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        said,
        [
            "license for sim (a pool of 16 units, Acme Ltd) added",
            "license for cad (4 seats, Acme Ltd) added",
            "license for cam (2 seats) added",
        ]
    );

    let (status, a) = units(&server, "pc-a", 10, false).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(in_use(&server).await, 10);
    let (status, refused) = units(&server, "pc-b", 8, false).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["code"], "no_seat_free");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("10 of 16 units"),
        "{refused}"
    );
    let (status, _) = units(&server, "pc-b", 6, false).await;
    assert_eq!(status, StatusCode::OK);
    // The Computers list shows what each lease holds.
    let (_, page) = call(&server, Method::GET, "/admin/v1/computers", None, true).await;
    let mut held: Vec<u64> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["lease"]["units"].as_u64().unwrap())
        .collect();
    held.sort_unstable();
    assert_eq!(held, vec![6, 10]);

    // Refusals that waiting cannot help, each said as such.
    let (status, body) = units(&server, "pc-c", 17, false).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("too_many_units")),
        "{body}"
    );
    let mut seat = checkout_body("cad", "pc-c");
    seat["units"] = json!(2);
    let (status, body) = call(&server, Method::POST, "/v1/checkout", Some(seat), false).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_a_unit_pool")),
        "{body}"
    );
    let (status, body) = units(&server, "pc-c", 0, false).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field")),
        "{body}"
    );

    // A restart keeps the units held.
    server.shutdown().await;
    let server = start(dir.path(), &vendor).await;
    assert_eq!(in_use(&server).await, 16);
    let id = a["leaseId"].as_str().unwrap();
    call(
        &server,
        Method::POST,
        &format!("/v1/leases/{id}/release"),
        None,
        false,
    )
    .await;
    assert_eq!(units(&server, "pc-d", 10, false).await.0, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn a_waiter_for_k_units_is_served_in_order_when_they_free() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &pool(&vendor, 10)).await;
    let (_, a) = units(&server, "pc-a", 8, false).await;
    // First in line wants 6; behind it one wants 1 (which would fit now).
    let (status, big) = units(&server, "pc-big", 6, true).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{big}");
    let (status, small) = units(&server, "pc-small", 1, true).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "the 1 waits behind the 6: {small}"
    );
    let id = a["leaseId"].as_str().unwrap();
    call(
        &server,
        Method::POST,
        &format!("/v1/leases/{id}/release"),
        None,
        false,
    )
    .await;
    // Both are served now, in order.
    for ticket in [&big, &small] {
        let t = ticket["ticket"].as_str().unwrap();
        let (status, answer) = call(
            &server,
            Method::GET,
            &format!("/v1/queue/{t}?position=1&waitSecs=5"),
            None,
            false,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["state"], "granted", "{answer}");
    }
    assert_eq!(in_use(&server).await, 7);
    server.shutdown().await;
}
