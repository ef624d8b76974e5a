//! The usage history on a real server with its clock skipped ahead: minute
//! rows written once a minute from what the lease table, the denials and
//! the token ledger saw, hours and days summed from them, old minutes let go
//! after 7 days, across a simulated year.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use leasehold_core::license::{LicenseTerms, SeatRules, TokenPeriod, Tokens};
use leasehold_server::ServerHandle;
use serde_json::{Value, json};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

async fn history(server: &ServerHandle, query: &str) -> Value {
    let (status, body) = call(
        server,
        Method::GET,
        &format!("/admin/v1/usage?{query}"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn points<'a>(h: &'a Value, product: &str) -> &'a Vec<Value> {
    h["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["product"] == product)
        .map(|s| s["points"].as_array().unwrap())
        .unwrap_or_else(|| panic!("no series of {product} in {h}"))
}

async fn skip(server: &ServerHandle, d: Duration) {
    server.engine().skip_time(d);
    server.engine().sweep().await;
    // The minute's row is submitted without waiting: a barrier.
    server.engine().store().apply(vec![]).await.unwrap();
}

#[tokio::test]
async fn a_minute_holds_the_most_and_fewest_seats_denials_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(
        &server,
        &vendor.issue(&LicenseTerms {
            seat_rules: SeatRules {
                tokens: Some(Tokens {
                    units: 100,
                    period: TokenPeriod::Month,
                    overdraft: 0,
                }),
                ..SeatRules::default()
            },
            ..vendor.terms("cad", 2)
        }),
    )
    .await;
    skip(&server, Duration::from_secs(60)).await; // a fresh minute
    let start = server.engine().now().0;
    let (_, a) = checkout(&server, "cad", "pc-a").await;
    checkout(&server, "cad", "pc-b").await;
    assert_eq!(
        checkout(&server, "cad", "pc-c").await.0,
        StatusCode::CONFLICT
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
    let spend = json!({"product": "cad", "amount": 7, "idempotencyKey": "k1", "clientId": "pc-a"});
    assert_eq!(
        call(&server, Method::POST, "/v1/usage", Some(spend), false)
            .await
            .0,
        StatusCode::OK
    );
    skip(&server, Duration::from_secs(60)).await;

    let h = history(&server, &format!("from={start}&step=minute")).await;
    assert_eq!(h["step"], "minute");
    let p = &points(&h, "cad")[0];
    assert_eq!(
        (p["high"].as_u64(), p["low"].as_u64()),
        (Some(2), Some(0)),
        "{h}"
    );
    assert_eq!(p["seats"], 2);
    assert_eq!(p["denials"], 1);
    assert_eq!(p["tokens"], 7);
    assert_eq!(p["overdraft"], 0);
    // The next minute starts from what was in use: one lease, whose 60 s
    // ran out as the minute turned (its seat free once its end was written).
    skip(&server, Duration::from_secs(60)).await;
    let h = history(&server, &format!("from={start}&step=minute")).await;
    let next = &points(&h, "cad")[1];
    assert_eq!(
        (
            next["high"].as_u64(),
            next["low"].as_u64(),
            next["denials"].as_u64()
        ),
        (Some(1), Some(0), Some(0))
    );
    // Any range is answered (minute rows exist for 7 days only).
    let (status, refused) = call(
        &server,
        Method::GET,
        "/admin/v1/usage?from=0&to=9999999999999&step=minute",
        None,
        true,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "minute rows exist for 7 days only: {refused}"
    );
    let (status, refused) = call(
        &server,
        Method::GET,
        "/admin/v1/usage?from=5&to=4",
        None,
        true,
    )
    .await;
    // A range that ends before it starts holds nothing.
    assert_eq!(status, StatusCode::OK, "{refused}");
    assert_eq!(refused["series"], json!([]));
    server.shutdown().await;
}

#[tokio::test]
async fn hours_and_days_are_summed_across_a_simulated_year_and_minutes_go_after_a_week() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 5)).await;
    skip(&server, Duration::from_secs(60)).await;
    let first = server.engine().now().0;
    let days = 370u64;
    for day in 0..days {
        // Each day k leases for a while, then none.
        let k = day % 5 + 1;
        for c in 0..k {
            assert_eq!(
                checkout(&server, "cad", &format!("pc-{day}-{c}")).await.0,
                StatusCode::OK
            );
        }
        skip(&server, HOUR).await;
        skip(&server, 23 * HOUR).await;
    }
    let now = server.engine().now().0;
    let h = history(&server, &format!("from={first}&to={now}&step=day")).await;
    let daily = points(&h, "cad");
    assert!(daily.len() as u64 >= days - 1, "{} days", daily.len());
    // Each day's high is that day's leases (the day a point starts may hold
    // the end of the day before: a day is UTC, the simulated day is not).
    let highs: Vec<u64> = daily.iter().map(|p| p["high"].as_u64().unwrap()).collect();
    assert!(highs.iter().all(|h| (1..=5).contains(h)), "{highs:?}");
    assert!(highs.contains(&5) && highs.contains(&1));
    assert!(daily.iter().all(|p| p["low"] == 0 && p["seats"] == 5));
    // Hours are kept 400 days: all of them; minutes 7 days only.
    let h = history(&server, &format!("from={first}&to={now}&step=hour")).await;
    assert!(points(&h, "cad").len() as u64 >= 2 * (days - 1));
    let h = history(&server, &format!("from={first}&to={now}&step=minute")).await;
    let minutes = points(&h, "cad");
    // (Minutes go 7 days before the last minute written, a day ago here.)
    let kept_from = now - 8 * 86_400_000;
    assert!(
        minutes
            .iter()
            .all(|p| p["at"].as_i64().unwrap() >= kept_from),
        "old minutes were let go"
    );
    assert!(
        (14..=18).contains(&minutes.len()),
        "the last week's minutes stay: {}",
        minutes.len()
    );
    // The default step follows the range.
    let h = history(&server, &format!("from={first}&to={now}")).await;
    assert_eq!(h["step"], "day");
    server.shutdown().await;
}
