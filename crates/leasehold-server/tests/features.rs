//! Floating features on a real server: a counted feature's seats under
//! product leases, at most its count, signed, ended with the lease, shown to
//! the admin, kept across a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use leasehold_core::license::{FeatureSeats, LicenseTerms, SeatRules};
use leasehold_core::wire::feature::FeatureGrant;
use leasehold_server::ServerHandle;
use serde_json::Value;

fn featured(vendor: &Vendor) -> String {
    vendor.issue(&LicenseTerms {
        features: vec!["render".into(), "export".into()],
        seat_rules: SeatRules {
            feature_seats: vec![FeatureSeats {
                feature: "render".into(),
                seats: 1,
            }],
            ..SeatRules::default()
        },
        ..vendor.terms("cad", 5)
    })
}

async fn feature(
    server: &ServerHandle,
    method: Method,
    lease: &Value,
    f: &str,
) -> (StatusCode, Value) {
    let path = format!(
        "/v1/leases/{}/features/{f}",
        lease["leaseId"].as_str().unwrap()
    );
    call(server, method, &path, None, false).await
}

async fn server_key(server: &ServerHandle) -> ed25519_dalek::VerifyingKey {
    let (_, hello) = call(server, Method::GET, "/v1/hello", None, false).await;
    let mut key = [0u8; 32];
    hex::decode_to_slice(hello["serverPublicKey"].as_str().unwrap(), &mut key).unwrap();
    ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap()
}

#[tokio::test]
async fn a_counted_feature_is_held_under_leases_at_most_its_count() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &featured(&vendor)).await;
    let (_, a) = checkout(&server, "cad", "pc-a").await;
    let (_, b) = checkout(&server, "cad", "pc-b").await;

    let (status, grant) = feature(&server, Method::POST, &a, "render").await;
    assert_eq!(status, StatusCode::OK, "{grant}");
    let grant: FeatureGrant = serde_json::from_value(grant).unwrap();
    assert_eq!((grant.seats, grant.in_use), (Some(1), 1));
    assert!(
        grant.verify(&server_key(&server).await),
        "signed by the server"
    );

    let (status, refused) = feature(&server, Method::POST, &b, "render").await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_feature_seat_free")),
        "{refused}"
    );
    let (status, plain) = feature(&server, Method::POST, &b, "export").await;
    assert_eq!(status, StatusCode::OK, "{plain}");
    assert_eq!(plain["seats"], Value::Null, "a plain entitlement");
    let (status, unknown) = feature(&server, Method::POST, &b, "teleport").await;
    assert_eq!(
        (status, unknown["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("feature_not_licensed"))
    );

    // The admin sees it: per product, per lease, in /metrics.
    let (_, status_view) = call(&server, Method::GET, "/admin/v1/status", None, true).await;
    let cad = &status_view["products"][0];
    assert_eq!(
        cad["features"][0],
        serde_json::json!({"feature": "render", "seats": 1, "inUse": 1}),
        "{cad}"
    );
    let (_, page) = call(
        &server,
        Method::GET,
        "/admin/v1/computers?sort=host",
        None,
        true,
    )
    .await;
    assert_eq!(
        page["rows"][0]["features"],
        serde_json::json!(["render"]),
        "{page}"
    );
    assert!(page["rows"][1].get("features").is_none(), "{page}");
    let metrics = metrics_text(&server).await;
    assert!(
        metrics.contains("leasehold_feature_seats_in_use{product=\"cad\",feature=\"render\"} 1"),
        "{metrics}"
    );

    // A renewal names the features held; a restart keeps them.
    let renew = format!("/v1/leases/{}/renew", a["leaseId"].as_str().unwrap());
    let (_, renewed) = call(&server, Method::POST, &renew, None, false).await;
    assert_eq!(
        renewed["features"],
        serde_json::json!(["render"]),
        "{renewed}"
    );
    server.shutdown().await;
    let server = start(dir.path(), &vendor).await;
    let (status, _) = feature(&server, Method::POST, &b, "render").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "still held by a after a restart"
    );

    // Ends with its lease.
    let release = format!("/v1/leases/{}/release", a["leaseId"].as_str().unwrap());
    call(&server, Method::POST, &release, None, false).await;
    let (status, _) = feature(&server, Method::POST, &b, "render").await;
    assert_eq!(status, StatusCode::OK);
    let (status, gone) = feature(&server, Method::POST, &a, "render").await;
    assert_eq!(
        (status, gone["code"].as_str()),
        (StatusCode::GONE, Some("lease_released"))
    );

    // Given back on its own, twice.
    let (_, back) = feature(&server, Method::DELETE, &b, "render").await;
    assert_eq!(back["wasHeld"], true, "{back}");
    let (_, again) = feature(&server, Method::DELETE, &b, "render").await;
    assert_eq!(again["wasHeld"], false);
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=feature_grant",
        None,
        true,
    )
    .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 2, "{events}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_feature_name_that_would_lie_or_overflow_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &featured(&vendor)).await;
    let (_, a) = checkout(&server, "cad", "pc-a").await;
    let long = "x".repeat(65);
    for bad in ["%E2%80%AErender", long.as_str()] {
        let (status, body) = feature(&server, Method::POST, &a, bad).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_field")),
            "{body}"
        );
    }
    server.shutdown().await;
}
