//! Codes that end soon: the last valid day (not the first invalid one), the
//! days left, the warning window and its setting, on an injected clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::{Vendor, add_license, call, start};
use leasehold_core::Timestamp;
use leasehold_core::license::dates::DAY_MS;
use leasehold_core::license::valid_until_date;
use serde_json::{Value, json};
use std::time::Duration;

const DAY: Duration = Duration::from_secs(86_400);

async fn license(server: &leasehold_server::ServerHandle, product: &str) -> Value {
    let (status, list) = call(server, Method::GET, "/admin/v1/licenses", None, true).await;
    assert_eq!(status, StatusCode::OK);
    list.as_array()
        .unwrap()
        .iter()
        .find(|l| l["product"] == product)
        .cloned()
        .unwrap_or_else(|| panic!("no {product} in {list}"))
}

async fn status(server: &leasehold_server::ServerHandle) -> Value {
    call(server, Method::GET, "/admin/v1/status", None, true)
        .await
        .1
}

#[tokio::test]
async fn a_code_shows_its_last_valid_day_and_warns_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let today = server.engine().now().0.div_euclid(DAY_MS);

    // Ends after 5 more days: its last day is today + 5.
    let mut soon = vendor.terms("cad", 4);
    soon.valid_until = Some(Timestamp((today + 6) * DAY_MS));
    add_license(&server, &vendor.issue(&soon)).await;
    // `vendor issue --expires 2027-12-31` and one with no end.
    let mut later = vendor.terms("sim", 2);
    later.valid_until = Some(valid_until_date("2099-12-31").unwrap());
    add_license(&server, &vendor.issue(&later)).await;
    add_license(&server, &vendor.code("viz", 1)).await;

    let cad = license(&server, "cad").await;
    let last_day = leasehold_core::license::day_text(Timestamp((today + 5) * DAY_MS));
    assert_eq!(cad["lastDay"], last_day.as_str());
    assert_eq!(cad["daysLeft"], 5);
    assert_eq!(cad["expiringSoon"], true);
    let sim = license(&server, "sim").await;
    assert_eq!(
        sim["lastDay"], "2099-12-31",
        "the day it was issued with, not the day after"
    );
    assert_eq!(sim["validUntil"], valid_until_date("2099-12-31").unwrap().0);
    assert_eq!(sim["expiringSoon"], false);
    let viz = license(&server, "viz").await;
    assert!(
        viz.get("lastDay").is_none() && viz.get("daysLeft").is_none(),
        "{viz}"
    );

    let s = status(&server).await;
    assert_eq!(s["expiryWarningDays"], 30);
    assert_eq!(s["expiring"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!(s["expiring"][0]["product"], "cad");
    assert_eq!(s["expiring"][0]["daysLeft"], 5);
    assert_eq!(s["expiring"][0]["lastDay"], last_day.as_str());

    // A shorter window: not yet warned of.
    let (code, settings) = call(
        &server,
        Method::PUT,
        "/admin/v1/settings",
        Some(json!({"expiryWarningDays": 3})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{settings}");
    assert_eq!(settings["expiryWarningDays"], 3);
    assert_eq!(license(&server, "cad").await["expiringSoon"], false);
    assert!(
        status(&server).await["expiring"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Three days on, two left: warned of.
    server.engine().skip_time(3 * DAY);
    let cad = license(&server, "cad").await;
    assert_eq!(
        (cad["daysLeft"].clone(), cad["expiringSoon"].clone()),
        (json!(2), json!(true))
    );
    // Its last day: still active, 0 days left.
    server.engine().skip_time(2 * DAY);
    let cad = license(&server, "cad").await;
    assert_eq!(
        (cad["state"].clone(), cad["daysLeft"].clone()),
        (json!("active"), json!(0))
    );
    // The day after: ended, nothing left to warn of.
    server.engine().skip_time(DAY);
    let cad = license(&server, "cad").await;
    assert_eq!(cad["state"], "expired");
    assert!(cad.get("daysLeft").is_none(), "{cad}");
    assert_eq!(cad["expiringSoon"], false);
    assert!(
        status(&server).await["expiring"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    server.shutdown().await;

    // The window is kept in the data directory.
    let server = start(dir.path(), &vendor).await;
    assert_eq!(status(&server).await["expiryWarningDays"], 3);
    server.shutdown().await;
}

#[tokio::test]
async fn a_warning_window_out_of_range_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    for bad in [
        json!({"expiryWarningDays": 366}),
        json!({"expiryWarningDays": -1}),
        json!({"expiryWarningDays": "30"}),
        json!({"expiryWarningDays": 2.5}),
    ] {
        let (code, body) = call(
            &server,
            Method::PUT,
            "/admin/v1/settings",
            Some(bad.clone()),
            true,
        )
        .await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{bad} → {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("expiryWarningDays"),
            "{body}"
        );
    }
    let (_, settings) = call(&server, Method::GET, "/admin/v1/settings", None, true).await;
    assert_eq!(settings["expiryWarningDays"], 30);
    // A whole number written as JSON Schema's integer may carry ".0"; 0 turns warnings off.
    let (code, settings) = call(
        &server,
        Method::PUT,
        "/admin/v1/settings",
        Some(json!({"expiryWarningDays": 0.0})),
        true,
    )
    .await;
    assert_eq!(
        (code, settings["expiryWarningDays"].clone()),
        (StatusCode::OK, json!(0))
    );
    // Nothing named, nothing changed.
    let (code, settings) = call(
        &server,
        Method::PUT,
        "/admin/v1/settings",
        Some(json!({})),
        true,
    )
    .await;
    assert_eq!(
        (code, settings["expiryWarningDays"].clone()),
        (StatusCode::OK, json!(0))
    );
    server.shutdown().await;
}
