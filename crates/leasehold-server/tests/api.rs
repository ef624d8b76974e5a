//! The HTTP API in-process: grants, denials, renewals, releases, admin calls,
//! and every error code the server answers with.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use common::*;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;

#[tokio::test]
async fn twelve_clients_on_ten_seats_get_exactly_ten() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 6)).await;
    let view = add_license(&server, &vendor.code("cad", 4)).await;
    assert_eq!(
        view["productSeats"], 10,
        "codes for one product add up: {view}"
    );
    let mut granted = Vec::new();
    let mut denied = Vec::new();
    for i in 0..12 {
        let (status, body) = checkout(&server, "cad", &format!("pc-{i}")).await;
        if status == StatusCode::OK {
            granted.push(body)
        } else {
            denied.push((status, body))
        }
    }
    assert_eq!(granted.len(), 10);
    assert_eq!(denied.len(), 2);
    let (status, body) = &denied[0];
    assert_eq!(*status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "no_seat_free");
    assert_eq!(body["seats"], 10);
    assert_eq!(body["inUse"], 10);
    assert!(body["retryAfterSecs"].as_u64().unwrap() >= 1);
    // Release frees one seat for the next client.
    let lease = granted[0]["leaseId"].as_str().unwrap();
    let (status, body) = call(
        &server,
        Method::POST,
        &format!("/v1/leases/{lease}/release"),
        None,
        false,
    )
    .await;
    assert_eq!(
        (status, body["wasHeld"].clone()),
        (StatusCode::OK, json!(true))
    );
    let (status, body) = call(
        &server,
        Method::POST,
        &format!("/v1/leases/{lease}/release"),
        None,
        false,
    )
    .await;
    assert_eq!(
        (status, body["wasHeld"].clone()),
        (StatusCode::OK, json!(false)),
        "release is idempotent"
    );
    assert_eq!(checkout(&server, "cad", "pc-10").await.0, StatusCode::OK);
    let (_, status) = call(&server, Method::GET, "/admin/v1/status", None, true).await;
    assert_eq!(status["products"][0]["inUse"], 10);
    assert_eq!(status["products"][0]["highWater"], 10);
    assert_eq!(status["products"][0]["denialsLastHour"], 2);
    server.shutdown().await;
}

#[tokio::test]
async fn reconnect_gets_the_same_lease_and_grants_are_signed() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let (_, first) = checkout(&server, "cad", "pc-1").await;
    let (status, again) = checkout(&server, "cad", "pc-1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["leaseId"], first["leaseId"]);
    assert_eq!(again["reused"], true);
    assert_eq!(first["renewAfterSecs"], 20);
    // The signature verifies with the key from hello.
    let (_, hello) = call(&server, Method::GET, "/v1/hello", None, false).await;
    let grant: leasehold_core::wire::client::LeaseGrant = serde_json::from_value(again).unwrap();
    let key_bytes: [u8; 32] = hex::decode(hello["serverPublicKey"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes).unwrap();
    assert!(grant.verify(&key));
    let mut forged = grant.clone();
    forged.expires_at = forged.expires_at.plus_millis(60_000);
    assert!(
        !forged.verify(&key),
        "a grant changed after signing must not verify"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn renewals_that_arrive_together_share_one_signature_and_each_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 50)).await;
    let mut ids = Vec::new();
    for i in 0..50 {
        let (_, grant) = checkout(&server, "cad", &format!("pc-{i}")).await;
        ids.push(grant["leaseId"].as_str().unwrap().to_owned());
    }
    // All fifty are queued for signing before the signer runs (this test's
    // runtime has one thread): one batch, one signature.
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/v1/leases/{id}/renew"))
        .collect();
    let renewals = futures_util::future::join_all(
        paths
            .iter()
            .map(|p| call(&server, Method::POST, p, None, false)),
    )
    .await;
    let (_, hello) = call(&server, Method::GET, "/v1/hello", None, false).await;
    let key_bytes: [u8; 32] = hex::decode(hello["serverPublicKey"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes).unwrap();
    let grants: Vec<leasehold_core::wire::client::LeaseGrant> = renewals
        .into_iter()
        .map(|(status, body)| {
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value(body).unwrap()
        })
        .collect();
    for g in &grants {
        assert!(g.verify(&key), "renewal of {} does not verify", g.lease_id);
        assert_eq!(g.proof.len(), 6, "a batch of 50 is a tree of depth 6");
        assert_eq!(g.signature, grants[0].signature);
    }
    // Another grant's proof does not fit this one.
    let mut swapped = grants[0].clone();
    swapped.proof_index = grants[1].proof_index;
    swapped.proof = grants[1].proof.clone();
    assert!(!swapped.verify(&key));
    server.shutdown().await;
}

#[tokio::test]
async fn a_silent_clients_seat_comes_back_after_its_lease() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let (_, lease) = checkout(&server, "cad", "crashed").await;
    assert_eq!(
        checkout(&server, "cad", "other").await.1["code"],
        "no_seat_free"
    );
    // 59 s later the lease still holds; renewing moves it on.
    server.engine().skip_time(Duration::from_secs(59));
    let id = lease["leaseId"].as_str().unwrap();
    let (status, renewed) = call(
        &server,
        Method::POST,
        &format!("/v1/leases/{id}/renew"),
        None,
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert!(renewed["expiresAt"].as_i64() > lease["expiresAt"].as_i64());
    // Then the client goes silent: one lease length later the sweeper has freed the seat.
    server.engine().skip_time(Duration::from_secs(61));
    let (status, body) = wait_for_checkout(&server, "cad", "other").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        &server,
        Method::POST,
        &format!("/v1/leases/{id}/renew"),
        None,
        false,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("lease_expired"))
    );
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=expire",
        None,
        true,
    )
    .await;
    assert_eq!(
        events["events"].as_array().map(Vec::len),
        Some(1),
        "{events}"
    );
    server.shutdown().await;
}

/// The sweeper runs on its own task: give it a moment (bounded) to act.
async fn wait_for_checkout(
    server: &leasehold_server::ServerHandle,
    product: &str,
    client: &str,
) -> (StatusCode, Value) {
    for _ in 0..100 {
        let (status, body) = checkout(server, product, client).await;
        if status == StatusCode::OK {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    checkout(server, product, client).await
}

#[tokio::test]
async fn disconnect_ends_a_lease_and_the_client_learns_it_on_renew() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 5)).await;
    add_license(&server, &vendor.code("viewer", 5)).await;
    let (_, one) = checkout(&server, "cad", "pc-1").await;
    checkout(&server, "cad", "pc-2").await;
    checkout(&server, "viewer", "pc-2").await;
    let (_, computers) = call(&server, Method::GET, "/admin/v1/computers", None, true).await;
    assert_eq!(
        (&computers["seats"], &computers["computers"]),
        (&json!(3), &json!(2))
    );
    let rows = computers["rows"].as_array().unwrap();
    assert_eq!(rows[0]["lease"]["holder"]["appName"], "Designer");
    assert_eq!(
        (&rows[0]["computerSeats"], &rows[2]["computerSeats"]),
        (&json!(1), &json!(2))
    );
    let (status, ended) = call(
        &server,
        Method::POST,
        "/admin/v1/disconnect",
        Some(json!({ "leaseId": one["leaseId"] })),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ended["ended"], json!([one["leaseId"]]));
    let id = one["leaseId"].as_str().unwrap();
    let (status, body) = call(
        &server,
        Method::POST,
        &format!("/v1/leases/{id}/renew"),
        None,
        false,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("lease_disconnected"))
    );
    let (_, ended) = call(
        &server,
        Method::POST,
        "/admin/v1/disconnect",
        Some(json!({ "clientId": "pc-2" })),
        true,
    )
    .await;
    assert_eq!(ended["ended"].as_array().unwrap().len(), 2);
    let (status, body) = call(
        &server,
        Method::POST,
        "/admin/v1/disconnect",
        Some(json!({ "clientId": "pc-2" })),
        true,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("client_not_found"))
    );
    let (status, body) = call(
        &server,
        Method::POST,
        "/admin/v1/disconnect",
        Some(json!({ "leaseId": id })),
        true,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("lease_not_found"))
    );
    let (status, body) = call(
        &server,
        Method::POST,
        "/admin/v1/disconnect",
        Some(json!({})),
        true,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field"))
    );
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=disconnect",
        None,
        true,
    )
    .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 3);
    server.shutdown().await;
}

#[tokio::test]
async fn admin_calls_need_the_token_and_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let (status, body) = call(&server, Method::GET, "/admin/v1/status", None, false).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    assert_eq!(
        body["message"], "authentication required",
        "no detail is given"
    );
    let req = Request::get("/admin/v1/licenses")
        .header("authorization", "Bearer wrong")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&server, req).await.0, StatusCode::UNAUTHORIZED);
    let mut req = Request::get("/admin/v1/licenses")
        .header("authorization", format!("Bearer {}", server.admin_token()))
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40_000))));
    let (status, body) = send(&server, req).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("admin_remote_disabled"))
    );
    let (status, _) = call(&server, Method::GET, "/admin/v1/licenses", None, true).await;
    assert_eq!(status, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn admin_calls_whose_peer_is_unknown_are_refused() {
    use leasehold_server::http::{AppState, RunInfo, router};
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    // The router as served, but without the connection's address: a request
    // that cannot be shown to be local is not taken as local.
    let (_stop, stopping) = tokio::sync::watch::channel(false);
    let bare = router(AppState {
        engine: server.engine().clone(),
        run: std::sync::Arc::new(RunInfo {
            connections: std::sync::Arc::default(),
            listen: server.local_addr(),
            data_dir: dir.path().to_path_buf(),
            admin_remote: false,
            admin_token: server.admin_token().to_owned(),
            accounts: server.accounts(),
            alerts: server.alerts(),
            mdns: std::sync::Mutex::new(None),
            stopping,
            allowed_hosts: Vec::new(),
            public_metrics: false,
            tls: None,
            admin_remote_plain: false,
            backup: std::sync::Arc::default(),
            authority: std::sync::Mutex::new(None),
        }),
    });
    let req = Request::get("/admin/v1/licenses")
        .header("authorization", format!("Bearer {}", server.admin_token()))
        .body(Body::empty())
        .unwrap();
    let response = bare.oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    server.shutdown().await;
}

#[tokio::test]
async fn hostile_input_gets_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let raw = |body: &'static str| {
        Request::post("/v1/checkout")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let (status, body) = send(&server, raw("{not json")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (status, body) = send(
        &server,
        raw(r#"{"product": 5, "clientId": "x", "user": "u"}"#),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    assert!(
        body["message"].as_str().unwrap().contains("product"),
        "{body}"
    );
    let req = Request::post("/v1/checkout")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(send(&server, req).await.1["code"], "bad_request");
    // serde reads a struct from an array too: only an object is a body.
    let (status, body) = send(&server, raw(r#"["cad", "x", "u", "", "", "", null]"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("JSON object"),
        "{body}"
    );
    let huge = format!(
        r#"{{"product":"{}","clientId":"x","user":"u"}}"#,
        "x".repeat(10 << 20)
    );
    let req = Request::post("/v1/checkout")
        .header("content-type", "application/json")
        .body(Body::from(huge))
        .unwrap();
    let (status, body) = send(&server, req).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    for (field, value) in [
        ("product", json!("")),
        ("clientId", json!("  ")),
        ("user", json!("x".repeat(300))),
        ("host", json!("a\u{0}b")),
    ] {
        let mut body = checkout_body("cad", "pc");
        body[field] = value;
        let (status, answer) = call(&server, Method::POST, "/v1/checkout", Some(body), false).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_field")),
            "{field}"
        );
        assert!(
            answer["message"].as_str().unwrap().starts_with(field),
            "{answer}"
        );
    }
    let (status, body) = call(
        &server,
        Method::POST,
        "/v1/leases/not-a-uuid/renew",
        None,
        false,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (status, body) = call(&server, Method::GET, "/nowhere", None, false).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, body) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=bogus",
        None,
        true,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field"))
    );
    // The server still works after all that.
    assert_eq!(checkout(&server, "cad", "pc").await.0, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn product_and_lease_errors_have_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let (status, body) = checkout(&server, "cad", "pc").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_license_for_product"))
    );
    // A code that starts in the future is accepted but does not count yet.
    let mut later = vendor.terms("cad", 3);
    let start = chrono::Utc::now().date_naive() + chrono::Days::new(10);
    later.valid_from = Some(leasehold_core::license::valid_from_date(&start.to_string()).unwrap());
    let view = add_license(&server, &vendor.issue(&later)).await;
    assert_eq!(view["state"], "notYetValid");
    assert!(
        view["stateReason"]
            .as_str()
            .unwrap()
            .contains("starts counting")
    );
    let (status, body) = checkout(&server, "cad", "pc").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_valid_license"))
    );
    let unknown = uuid::Uuid::new_v4();
    let (status, body) = call(
        &server,
        Method::POST,
        &format!("/v1/leases/{unknown}/renew"),
        None,
        false,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("lease_not_found"))
    );
    // Released leases say so.
    let code = vendor.code("viewer", 1);
    let added = add_license(&server, &code).await;
    let (_, lease) = checkout(&server, "viewer", "pc").await;
    let id = lease["leaseId"].as_str().unwrap();
    call(
        &server,
        Method::POST,
        &format!("/v1/leases/{id}/release"),
        None,
        false,
    )
    .await;
    let (status, body) = call(
        &server,
        Method::POST,
        &format!("/v1/leases/{id}/renew"),
        None,
        false,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("lease_released"))
    );
    // Removing the code leaves the lease running but not renewable.
    let (_, lease) = checkout(&server, "viewer", "pc").await;
    let license = added["licenseId"].as_str().unwrap();
    let (status, removed) = call(
        &server,
        Method::DELETE,
        &format!("/admin/v1/licenses/{license}"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (removed["seatsNow"].as_u64(), removed["inUse"].as_u64()),
        (Some(0), Some(1))
    );
    let id = lease["leaseId"].as_str().unwrap();
    let (status, body) = call(
        &server,
        Method::POST,
        &format!("/v1/leases/{id}/renew"),
        None,
        false,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("over_subscribed"))
    );
    assert_eq!(body["expiresAt"], lease["expiresAt"]);
    let (status, body) = call(
        &server,
        Method::DELETE,
        &format!("/admin/v1/licenses/{license}"),
        None,
        true,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("license_not_found"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn license_codes_are_checked_before_anything_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let stranger = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let add = |code: String| {
        let server = &server;
        async move {
            call(
                server,
                Method::POST,
                "/admin/v1/licenses",
                Some(json!({ "code": code })),
                true,
            )
            .await
        }
    };
    let good = vendor.code("cad", 5);
    let (status, body) = add("hello world".into()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_a_license_code"))
    );
    let typo = flip_one_char(&good, 2);
    let (_, body) = add(typo).await;
    assert_eq!(body["code"], "license_checksum");
    assert!(
        body["message"].as_str().unwrap().contains("group 3"),
        "{body}"
    );
    let (_, body) = add(stranger.code("cad", 5)).await;
    assert_eq!(body["code"], "untrusted_vendor");
    let mut old = vendor.terms("cad", 5);
    old.valid_until = Some(leasehold_core::Timestamp(86_400_000));
    old.issued_at = leasehold_core::Timestamp(0);
    let (_, body) = add(vendor.issue(&old)).await;
    assert_eq!(body["code"], "license_expired");
    // Pasted with line breaks, spaces and lower case: accepted. A dry run stores nothing.
    let messy = format!("  {}\n", good.to_lowercase().replace('-', "-\n "));
    let (status, preview) = call(
        &server,
        Method::POST,
        "/admin/v1/licenses",
        Some(json!({ "code": messy, "dryRun": true })),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["productSeats"], 5);
    let (_, list) = call(&server, Method::GET, "/admin/v1/licenses", None, true).await;
    assert_eq!(list, json!([]));
    let (status, view) = add(messy.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(view["state"], "active");
    assert_eq!(view["customer"], "Acme Ltd");
    let (status, body) = add(messy).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("license_already_added"))
    );
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=license_rejected,license_added",
        None,
        true,
    )
    .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 6, "{events}");
    server.shutdown().await;
}

/// Changes one symbol inside group `group` (0-based) to another valid symbol.
fn flip_one_char(code: &str, group: usize) -> String {
    let mut groups: Vec<String> = code.split('-').map(str::to_owned).collect();
    let g = &mut groups[group];
    let first = g.remove(0);
    g.insert(0, if first == 'A' { 'B' } else { 'A' });
    groups.join("-")
}

#[tokio::test]
async fn serves_health_metrics_and_a_complete_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 2)).await;
    checkout(&server, "cad", "pc").await;
    let req = Request::get("/metrics").body(Body::empty()).unwrap();
    assert_eq!(
        send(&server, req).await.0,
        StatusCode::UNAUTHORIZED,
        "/metrics needs the token"
    );
    let req = Request::get("/metrics")
        .header("authorization", format!("Bearer {}", server.admin_token()))
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(server.router(), req)
        .await
        .unwrap();
    let text = String::from_utf8(
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(text.contains("leasehold_grants_total 1"), "{text}");
    assert!(text.contains("leasehold_seats{product=\"cad\"} 2"));
    assert!(text.contains("leasehold_seats_in_use{product=\"cad\"} 1"));
    assert!(text.contains("leasehold_http_request_duration_seconds_count"));
    let (_, doc) = call(&server, Method::GET, "/openapi.json", None, false).await;
    for path in [
        "/v1/hello",
        "/v1/checkout",
        "/v1/leases/{lease_id}/renew",
        "/v1/leases/{lease_id}/release",
        "/admin/v1/status",
        "/admin/v1/licenses",
        "/admin/v1/licenses/{license_id}",
        "/admin/v1/computers",
        "/admin/v1/disconnect",
        "/admin/v1/events",
        "/admin/v1/events/stream",
        "/admin/v1/logs",
        "/admin/v1/trusted-keys",
        "/admin/v1/mdns",
        "/admin/v1/backup",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    for schema in [
        "LeaseGrant",
        "ErrorBody",
        "ServerStatus",
        "LicenseView",
        "ComputersPage",
        "Event",
        "Lease",
        "Holder",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema} missing"
        );
    }
    assert!(
        doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("no_seat_free")
    );
    let req = Request::get("/healthz").body(Body::empty()).unwrap();
    assert_eq!(
        tower::ServiceExt::oneshot(server.router(), req)
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    server.shutdown().await;
}

#[tokio::test]
async fn serves_the_built_ui_when_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &Vendor::new()).await;
    let req = Request::get("/ui/").body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(server.router(), req)
        .await
        .unwrap();
    let status = response.status();
    let html = String::from_utf8(
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    let built = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/dist/index.html")
        .exists();
    if built {
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(
            html.contains("<div id=\"root\">") || html.contains("id=\"root\""),
            "{html}"
        );
    } else {
        // Without a UI build the page says how to make one, never a blank 404.
        assert!(html.contains("npm run build"), "{html}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn absurd_event_cursors_are_answered_not_crashed_on() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &Vendor::new()).await;
    let (status, page) = call(
        &server,
        Method::GET,
        &format!("/admin/v1/events?afterSeq={}", i64::MAX),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["events"], json!([]));
    // Past int64 (what the document says), and below 0.
    for (after, code) in [
        (u64::MAX.to_string(), "bad_request"),
        ("-1".to_owned(), "invalid_field"),
    ] {
        let (status, body) = call(
            &server,
            Method::GET,
            &format!("/admin/v1/events?afterSeq={after}"),
            None,
            true,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{after}"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn trusting_a_vendor_key_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &Vendor::new()).await;
    let other = Vendor::new();
    let code = other.code("cad", 3);
    let (_, body) = call(
        &server,
        Method::POST,
        "/admin/v1/licenses",
        Some(json!({ "code": code })),
        true,
    )
    .await;
    assert_eq!(body["code"], "untrusted_vendor");
    let (status, body) = call(
        &server,
        Method::POST,
        "/admin/v1/trusted-keys",
        Some(json!({ "publicKey": "LHPK-NOT-A-KEY" })),
        true,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_public_key"))
    );
    let key = other.key.public().to_string();
    let (status, keys) = call(
        &server,
        Method::POST,
        "/admin/v1/trusted-keys",
        Some(json!({ "publicKey": key })),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{keys}");
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .any(|k| k["publicKey"] == key && k["source"] == "dataDir"),
        "{keys}"
    );
    let view = add_license(&server, &code).await;
    assert_eq!(view["state"], "active");
    server.shutdown().await;
    // The key is kept in the data directory: after a restart the code still counts.
    let server = start(dir.path(), &Vendor::new()).await;
    let (_, list) = call(&server, Method::GET, "/admin/v1/licenses", None, true).await;
    assert_eq!(list[0]["state"], "active", "{list}");
    assert_eq!(checkout(&server, "cad", "pc").await.0, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn a_stored_code_whose_vendor_is_no_longer_trusted_is_shown_invalid_and_counts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 3)).await;
    server.shutdown().await;
    // Restarted without --trust for that vendor.
    let server = start(dir.path(), &Vendor::new()).await;
    let (_, list) = call(&server, Method::GET, "/admin/v1/licenses", None, true).await;
    assert_eq!(list[0]["state"], "invalid", "{list}");
    assert!(
        list[0]["stateReason"]
            .as_str()
            .unwrap()
            .contains("not trusted"),
        "{list}"
    );
    let (status, body) = checkout(&server, "cad", "pc").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_valid_license"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn names_that_would_display_as_something_else_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 5)).await;
    let tricks = [
        ("user", "ann\u{202E}nimda"), // right-to-left override
        ("host", "ws\u{200B}-12"),    // zero-width space
        ("clientId", "\u{2066}pc-1"), // bidi isolate
        ("appName", "Designer\u{FEFF}"),
    ];
    for (field, value) in tricks {
        let mut body = checkout_body("cad", "pc-1");
        body[field] = json!(value);
        let (status, answer) = call(&server, Method::POST, "/v1/checkout", Some(body), false).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {answer}");
        assert_eq!(answer["code"], "invalid_field", "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains("U+"),
            "the message names the character: {message}"
        );
    }
    let mut plain = checkout_body("cad", "pc-1");
    plain["user"] = json!("Zoë 山田");
    assert_eq!(
        call(&server, Method::POST, "/v1/checkout", Some(plain), false)
            .await
            .0,
        StatusCode::OK
    );
    server.shutdown().await;
}

#[tokio::test]
async fn every_error_is_json_and_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let token = format!("Bearer {}", server.admin_token());
    let long_uri = format!("/v1/hello?x={}", "a".repeat(9_000));
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            Request::delete("/v1/checkout").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Request::get("/ui/%ff").body(Body::empty()).unwrap(),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            Request::get("/ui/nothing-here.png")
                .body(Body::empty())
                .unwrap(),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Request::get(long_uri.as_str()).body(Body::empty()).unwrap(),
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
        ),
        (
            Request::get("/healthz")
                .header("x-big", "a".repeat(40_000))
                .body(Body::empty())
                .unwrap(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
        ),
        (
            Request::get(format!("/admin/v1/events?text={}", "a".repeat(300)).as_str())
                .header("authorization", &token)
                .body(Body::empty())
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid_field",
        ),
    ];
    for (req, status, code) in cases {
        let what = format!(
            "{} {}",
            req.method(),
            &req.uri().to_string()[..req.uri().to_string().len().min(40)]
        );
        let (got, body) = send(&server, req).await;
        assert_eq!(
            (got, body["code"].as_str()),
            (status, Some(code)),
            "{what}: {body}"
        );
        assert!(
            body["message"].as_str().is_some_and(|m| m.len() > 10),
            "{what}: {body}"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_ui_cannot_be_framed_sniffed_or_fed_from_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let req = Request::get("/v1/hello").body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(server.router(), req)
        .await
        .unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    for path in ["/ui/", "/ui/licenses"] {
        let req = Request::get(path).body(Body::empty()).unwrap();
        let response = tower::ServiceExt::oneshot(server.router(), req)
            .await
            .unwrap();
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
            "{csp}"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn admin_calls_naming_another_site_are_refused() {
    // DNS rebinding: a page on evil.example whose name now points here.
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let port = server.local_addr().port();
    for (host, allowed) in [
        (format!("127.0.0.1:{port}"), true),
        (format!("localhost:{port}"), true),
        (format!("[::1]:{port}"), true),
        (format!("evil.example:{port}"), false),
        ("evil.example".to_owned(), false),
    ] {
        let req = Request::get("/admin/v1/status")
            .header("host", &host)
            .header("authorization", format!("Bearer {}", server.admin_token()))
            .body(Body::empty())
            .unwrap();
        let (status, body) = send(&server, req).await;
        if allowed {
            assert_eq!(status, StatusCode::OK, "{host}: {body}");
        } else {
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::FORBIDDEN, Some("host_not_allowed")),
                "{host}: {body}"
            );
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_release_whose_caller_goes_away_still_frees_the_seat() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let (_, grant) = checkout(&server, "cad", "pc-1").await;
    let id: leasehold_core::LeaseId = grant["leaseId"].as_str().unwrap().parse().unwrap();
    let engine = server.engine().clone();
    // The client closes its socket while the release waits for the disk:
    // the request's future is polled once, then dropped.
    let gone = futures_util::FutureExt::now_or_never(
        engine.release(id, leasehold_core::CorrelationId::random()),
    );
    assert!(
        gone.is_none(),
        "the release was still waiting for the store: {gone:?}"
    );
    let mut freed = false;
    for _ in 0..200 {
        server.store_flush().await;
        if engine.usage().iter().all(|u| u.in_use == 0) {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(freed, "the seat stayed counted: {:?}", engine.usage());
    assert_eq!(checkout(&server, "cad", "pc-2").await.0, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_body_that_never_finishes_is_cut_off_with_request_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    // A client announces a body and then sends nothing more.
    let never = futures_util::stream::pending::<Result<axum::body::Bytes, std::io::Error>>();
    let req = Request::post("/v1/checkout")
        .header("content-type", "application/json")
        .header("content-length", "100")
        .body(Body::from_stream(never))
        .unwrap();
    let (status, body) = send(&server, req).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::REQUEST_TIMEOUT, Some("request_timeout")),
        "{body}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn backups_are_made_one_at_a_time_and_leave_no_copy_behind() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let get = || {
        Request::get("/admin/v1/backup")
            .header("authorization", format!("Bearer {}", server.admin_token()))
            .body(Body::empty())
            .unwrap()
    };
    let first = tower::ServiceExt::oneshot(server.router(), get())
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    // Its download has not been read yet: a second one waits its turn.
    let (status, body) = send(&server, get()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("backup_in_progress")),
        "{body}"
    );
    let bytes = axum::body::to_bytes(first.into_body(), 1 << 26)
        .await
        .unwrap();
    assert!(bytes.starts_with(b"SQLite format 3\0"), "a SQLite database");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("backup-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "the staged copy is gone: {leftovers:?}"
    );
    let again = tower::ServiceExt::oneshot(server.router(), get())
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    server.shutdown().await;
}
