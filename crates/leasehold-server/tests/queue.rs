//! The fair queue on a real server: waiting checkouts get tickets in order,
//! a freed seat goes to the first waiter at once (the long-poll wakes), an
//! unclaimed seat goes on to the next, a silent waiter leaves, the order
//! survives a restart, the admin sees and removes waiters, and a licence
//! may forbid waiting.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use leasehold_core::license::{LicenseTerms, SeatRules};
use serde_json::{Value, json};
use std::time::Duration;

fn wait_body(client: &str) -> Value {
    json!({ "product": "cad", "clientId": client, "user": client, "host": format!("{client}.lan"), "wait": true })
}

async fn wait_for_seat(
    server: &leasehold_server::ServerHandle,
    client: &str,
) -> (StatusCode, Value) {
    call(
        server,
        Method::POST,
        "/v1/checkout",
        Some(wait_body(client)),
        false,
    )
    .await
}

async fn follow(
    server: &leasehold_server::ServerHandle,
    ticket: &str,
    query: &str,
) -> (StatusCode, Value) {
    call(
        server,
        Method::GET,
        &format!("/v1/queue/{ticket}{query}"),
        None,
        false,
    )
    .await
}

#[tokio::test]
async fn a_freed_seat_goes_to_the_first_waiter_who_learns_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let (status, held) = wait_for_seat(&server, "pc-a").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a free seat is granted at once: {held}"
    );

    let (status, b) = wait_for_seat(&server, "pc-b").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{b}");
    assert_eq!(
        (b["position"].as_u64(), b["waiting"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(b["ticketSecs"], 30);
    let (_, c) = wait_for_seat(&server, "pc-c").await;
    assert_eq!(
        (c["position"].as_u64(), c["waiting"].as_u64()),
        (Some(2), Some(2))
    );
    let (_, again) = wait_for_seat(&server, "pc-b").await;
    assert_eq!(again["ticket"], b["ticket"], "asking again keeps the place");
    // A plain checkout does not jump the line: no seat is free.
    let (status, _) = checkout(&server, "cad", "pc-d").await;
    assert_eq!(status, StatusCode::CONFLICT);

    // b follows its ticket, holding the question open; a releases.
    let b_ticket = b["ticket"].as_str().unwrap().to_owned();
    let waiting = {
        use tower::ServiceExt;
        let router = server.router();
        let uri = format!("/v1/queue/{b_ticket}?position=1&waitSecs=20");
        tokio::spawn(async move {
            let req = axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .unwrap();
            let response = router.oneshot(req).await.unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !waiting.is_finished(),
        "nothing changed: the question stays open"
    );
    let started = std::time::Instant::now();
    let release = format!("/v1/leases/{}/release", held["leaseId"].as_str().unwrap());
    call(&server, Method::POST, &release, None, false).await;
    let (status, state) = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .unwrap()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "woken, not polled"
    );
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["state"], "granted", "{state}");
    assert_eq!(state["clientId"], "pc-b");
    assert_eq!(state["renewAfterSecs"], 1, "claim it now");
    let claim_by = state["expiresAt"].as_i64().unwrap() - state["serverTime"].as_i64().unwrap();
    assert!(
        claim_by <= 30_000,
        "held for the claim window: {claim_by} ms"
    );
    // c moved up.
    let (_, c_state) = follow(&server, c["ticket"].as_str().unwrap(), "").await;
    assert_eq!(
        (c_state["state"].as_str(), c_state["position"].as_u64()),
        (Some("waiting"), Some(1))
    );
    // Claimed: the first renewal gives a whole lease.
    let renew = format!("/v1/leases/{}/renew", state["leaseId"].as_str().unwrap());
    let (status, renewed) = call(&server, Method::POST, &renew, None, false).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert_eq!(
        renewed["expiresAt"].as_i64().unwrap() - renewed["serverTime"].as_i64().unwrap(),
        60_000
    );
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=queue_granted",
        None,
        true,
    )
    .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 1, "{events}");
    let text = metrics_text(&server).await;
    assert!(
        text.contains("leasehold_queue_waiting{product=\"cad\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("leasehold_queue_wait_seconds_count{product=\"cad\"} 1"),
        "{text}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_unclaimed_seat_goes_on_and_a_silent_waiter_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let (_, held) = checkout(&server, "cad", "pc-a").await;
    let (_, b) = wait_for_seat(&server, "pc-b").await;
    let (_, c) = wait_for_seat(&server, "pc-c").await;
    let (_, d) = wait_for_seat(&server, "pc-d").await;
    let release = format!("/v1/leases/{}/release", held["leaseId"].as_str().unwrap());
    call(&server, Method::POST, &release, None, false).await;
    let (_, offered) = follow(&server, b["ticket"].as_str().unwrap(), "?waitSecs=5").await;
    assert_eq!(offered["state"], "granted", "{offered}");

    // b never claims it; c keeps asking, d goes silent.
    server.engine().skip_time(Duration::from_secs(20));
    follow(&server, c["ticket"].as_str().unwrap(), "").await;
    server.engine().skip_time(Duration::from_secs(11));
    server.engine().sweep().await;
    let (status, gone) = follow(&server, d["ticket"].as_str().unwrap(), "").await;
    assert_eq!(
        (status, gone["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("ticket_not_found"))
    );
    let (_, c_state) = follow(&server, c["ticket"].as_str().unwrap(), "?waitSecs=5").await;
    assert_eq!(
        c_state["state"], "granted",
        "the lapsed offer went to c: {c_state}"
    );
    let (status, _) = follow(&server, b["ticket"].as_str().unwrap(), "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "b's offer lapsed");
    let (_, left) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=queue_left",
        None,
        true,
    )
    .await;
    let left = left["events"].as_array().unwrap();
    assert!(
        left.iter()
            .any(|e| e["message"].as_str().unwrap().contains("stopped asking")),
        "{left:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_order_survives_a_restart_and_the_admin_sees_and_removes_waiters() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    checkout(&server, "cad", "pc-a").await;
    let (_, b) = wait_for_seat(&server, "pc-b").await;
    let (_, c) = wait_for_seat(&server, "pc-c").await;
    server.shutdown().await;

    let server = start(dir.path(), &vendor).await;
    let (_, list) = call(&server, Method::GET, "/admin/v1/queue", None, true).await;
    let waiters = list["waiters"].as_array().unwrap();
    let order: Vec<&str> = waiters
        .iter()
        .map(|w| w["clientId"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["pc-b", "pc-c"]);
    assert_eq!(waiters[1]["position"], 2);
    assert_eq!(list["total"], 2);
    let (_, first) = call(
        &server,
        Method::GET,
        "/admin/v1/queue?perProduct=1",
        None,
        true,
    )
    .await;
    assert_eq!(
        first["waiters"].as_array().unwrap().len(),
        1,
        "bounded per product"
    );
    assert_eq!(first["total"], 2);
    for bad in [
        "/admin/v1/queue?perProduct=0",
        "/admin/v1/queue?perProduct=5001",
    ] {
        let (status, e) = call(&server, Method::GET, bad, None, true).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_field")),
            "{bad}"
        );
    }
    let too_long = format!("/v1/queue/{}?waitSecs=26", c["ticket"].as_str().unwrap());
    assert_eq!(
        call(&server, Method::GET, &too_long, None, false).await.0,
        StatusCode::BAD_REQUEST
    );
    let (_, c_state) = follow(&server, c["ticket"].as_str().unwrap(), "").await;
    assert_eq!(c_state["position"], 2);

    let remove = format!("/admin/v1/queue/{}", b["ticket"].as_str().unwrap());
    let (status, removed) = call(&server, Method::DELETE, &remove, None, true).await;
    assert_eq!(
        (status, removed["wasWaiting"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (_, c_state) = follow(&server, c["ticket"].as_str().unwrap(), "").await;
    assert_eq!(c_state["position"], 1);
    // The client may leave by itself too.
    let leave = format!("/v1/queue/{}", c["ticket"].as_str().unwrap());
    let (_, left) = call(&server, Method::DELETE, &leave, None, false).await;
    assert_eq!(left["wasWaiting"], true);
    let (_, list) = call(&server, Method::GET, "/admin/v1/queue", None, true).await;
    assert!(list["waiters"].as_array().unwrap().is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn a_licence_may_forbid_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let code = vendor.issue(&LicenseTerms {
        seat_rules: SeatRules {
            no_queue: true,
            ..SeatRules::default()
        },
        ..vendor.terms("cad", 1)
    });
    add_license(&server, &code).await;
    checkout(&server, "cad", "pc-a").await;
    let (status, e) = wait_for_seat(&server, "pc-b").await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("queue_not_allowed")),
        "{e}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_licence_added_serves_the_waiters() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    checkout(&server, "cad", "pc-a").await;
    let (_, b) = wait_for_seat(&server, "pc-b").await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let (_, state) = follow(
        &server,
        b["ticket"].as_str().unwrap(),
        "?position=1&waitSecs=5",
    )
    .await;
    assert_eq!(state["state"], "granted", "{state}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_licence_that_starts_serves_the_waiters_when_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    // Leases of three days: the seat held now stays held past tomorrow.
    let long = |from| {
        vendor.issue(&LicenseTerms {
            valid_from: from,
            lease_secs: 3 * 86_400,
            ..vendor.terms("cad", 1)
        })
    };
    add_license(&server, &long(None)).await;
    // A second seat from tomorrow (codes start at the start of a UTC day).
    let tomorrow =
        leasehold_core::Timestamp((server.engine().now().0 / 86_400_000 + 1) * 86_400_000);
    let later = long(Some(tomorrow));
    add_license(&server, &later).await;
    checkout(&server, "cad", "pc-a").await;
    let (status, b) = wait_for_seat(&server, "pc-b").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{b}");
    let ticket = b["ticket"].as_str().unwrap().to_owned();
    // The day comes (the waiter kept asking); the sweep serves it.
    let until = server.engine().now().until(tomorrow);
    server.engine().skip_time(until + Duration::from_secs(1));
    follow(&server, &ticket, "").await;
    server.engine().sweep().await;
    let (_, state) = follow(&server, &ticket, "?position=1&waitSecs=5").await;
    assert_eq!(state["state"], "granted", "{state}");
    server.shutdown().await;
}

#[tokio::test]
async fn leaving_after_the_seat_came_but_before_claiming_it_frees_it_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let (_, held) = checkout(&server, "cad", "pc-a").await;
    let (_, b) = wait_for_seat(&server, "pc-b").await;
    let ticket = b["ticket"].as_str().unwrap().to_owned();
    let release = format!("/v1/leases/{}/release", held["leaseId"].as_str().unwrap());
    call(&server, Method::POST, &release, None, false).await;
    let (_, state) = follow(&server, &ticket, "?position=1&waitSecs=5").await;
    assert_eq!(state["state"], "granted", "{state}");
    // b gives up before claiming: the seat is c's now, not in 30 s.
    let (status, left) = call(
        &server,
        Method::DELETE,
        &format!("/v1/queue/{ticket}"),
        None,
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{left}");
    let (status, body) = checkout(&server, "cad", "pc-c").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    server.shutdown().await;
}
