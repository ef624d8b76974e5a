//! Named users on a real server: only named users check out, seats are
//! named at most as many as there are, a seat that moved waits out the
//! vendor's cool-down before it moves again, and all of it survives a
//! restart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use leasehold_core::license::{LicenseTerms, SeatRules};
use leasehold_server::ServerHandle;
use serde_json::{Value, json};
use std::time::Duration;

fn named_code(vendor: &Vendor, seats: u32) -> String {
    vendor.issue(&LicenseTerms {
        seat_rules: SeatRules {
            named_users: true,
            reassign_after_hours: 24,
            ..SeatRules::default()
        },
        ..vendor.terms("cad", seats)
    })
}

async fn checkout_as(server: &ServerHandle, user: &str) -> (StatusCode, Value) {
    let mut body = checkout_body("cad", &format!("pc-{user}"));
    body["user"] = json!(user);
    call(server, Method::POST, "/v1/checkout", Some(body), false).await
}

async fn name(server: &ServerHandle, method: Method, user: &str) -> (StatusCode, Value) {
    let path = format!("/admin/v1/named-users/cad/{user}");
    call(server, method, &path, None, true).await
}

fn users(view: &Value) -> Vec<(String, bool)> {
    view["users"]
        .as_array()
        .unwrap_or_else(|| panic!("{view}"))
        .iter()
        .map(|u| (u["user"].as_str().unwrap().to_owned(), u["moved"] == true))
        .collect()
}

#[tokio::test]
async fn only_named_users_check_out_and_seats_rotate_no_faster_than_the_cooldown() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &named_code(&vendor, 2)).await;

    let (status, body) = checkout_as(&server, "ann").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_a_named_user")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("admin users assign cad"),
        "{body}"
    );

    let (status, view) = name(&server, Method::PUT, "Ann").await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["inForce"], true);
    assert_eq!(view["seats"], 2);
    assert_eq!(view["reassignAfterHours"], 24);
    let (status, lease) = checkout_as(&server, "ann").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "names compare without case: {lease}"
    );
    // One person, one place: ann on another computer gets no second seat.
    let mut elsewhere = checkout_body("cad", "pc-other");
    elsewhere["user"] = json!("ann");
    let (status, body) = call(
        &server,
        Method::POST,
        "/v1/checkout",
        Some(elsewhere),
        false,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("named_seat_in_use")),
        "{body}"
    );

    name(&server, Method::PUT, "bob").await;
    let (status, body) = name(&server, Method::PUT, "carol").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("named_seats_full")),
        "{body}"
    );

    // Bob's seat had not moved: carol gets it at once, as a move.
    let (status, _) = name(&server, Method::DELETE, "bob").await;
    assert_eq!(status, StatusCode::OK);
    let (status, view) = name(&server, Method::PUT, "carol").await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        users(&view),
        [("Ann".into(), false), ("carol".into(), true)]
    );

    // The attacker rotates the seat on: it waits out the cool-down.
    name(&server, Method::DELETE, "carol").await;
    let (status, body) = name(&server, Method::PUT, "dave").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("named_seats_full")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("cool-down until"),
        "{body}"
    );
    let (_, view) = call(
        &server,
        Method::GET,
        "/admin/v1/named-users/cad",
        None,
        true,
    )
    .await;
    assert_eq!(view["coolingUntil"].as_array().unwrap().len(), 1, "{view}");

    // The cool-down survives a restart.
    server.shutdown().await;
    let server = start(dir.path(), &vendor).await;
    let (status, body) = name(&server, Method::PUT, "dave").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    server.engine().skip_time(Duration::from_secs(24 * 3600));
    let (status, view) = name(&server, Method::PUT, "dave").await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(users(&view), [("Ann".into(), false), ("dave".into(), true)]);
    let (status, _) = checkout_as(&server, "dave").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = checkout_as(&server, "carol").await;
    assert_eq!(body["code"], "not_a_named_user", "{status} {body}");

    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=named_user_assigned",
        None,
        true,
    )
    .await;
    let named: Vec<&str> = events["events"]
        .as_array()
        .unwrap_or_else(|| panic!("{events}"))
        .iter()
        .map(|e| e["user"].as_str().unwrap())
        .collect();
    assert_eq!(named, ["Ann", "bob", "carol", "dave"]);
    let (_, all) = call(&server, Method::GET, "/admin/v1/named-users", None, true).await;
    assert_eq!(all["products"][0]["product"], "cad", "{all}");
    server.shutdown().await;
}

#[tokio::test]
async fn naming_is_refused_where_it_means_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 2)).await;
    let (status, body) = name(&server, Method::PUT, "ann").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("product_not_named")),
        "{body}"
    );
    // A plain product stays open to anyone.
    let (status, _) = checkout_as(&server, "ann").await;
    assert_eq!(status, StatusCode::OK);

    add_license(&server, &named_code(&vendor, 1)).await;
    let (status, body) = name(&server, Method::DELETE, "nobody").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_a_named_user")),
        "{body}"
    );
    let (status, body) = name(&server, Method::PUT, "%E2%80%AEnna").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field")),
        "{body}"
    );
    server.shutdown().await;
}
