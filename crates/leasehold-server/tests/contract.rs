//! The bounds the OpenAPI document declares are the ones the server checks:
//! a value at a declared bound is taken, one past it refused with
//! `invalid_field` (Schemathesis checks the rest, `scripts/api-contract.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

/// The schema of query parameter `name` of `GET path` in the document.
fn query_schema(doc: &Value, path: &str, name: &str) -> Value {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{path} has no parameter {name}"))["schema"]
        .clone()
}

async fn get_status(server: &leasehold_server::ServerHandle, uri: &str) -> (StatusCode, Value) {
    call(server, Method::GET, uri, None, true).await
}

#[tokio::test]
async fn limits_and_sequence_numbers_are_taken_exactly_within_the_declared_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let doc = serde_json::to_value(leasehold_server::http::openapi::document()).unwrap();
    for (path, max) in [
        ("/admin/v1/computers", 1000_u32),
        ("/admin/v1/events", 10_000),
    ] {
        let limit = query_schema(&doc, path, "limit");
        assert_eq!(
            (limit["minimum"].as_f64(), limit["maximum"].as_f64()),
            (Some(1.0), Some(f64::from(max))),
            "{path}"
        );
        for ok in [1, max] {
            let (status, body) = get_status(&server, &format!("{path}?limit={ok}")).await;
            assert_eq!(status, StatusCode::OK, "{path} limit={ok}: {body}");
        }
        // 2147483648 is past int32 too: it was once taken.
        for bad in [0_u64, u64::from(max) + 1, 2_147_483_648] {
            let (status, body) = get_status(&server, &format!("{path}?limit={bad}")).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::BAD_REQUEST, Some("invalid_field")),
                "{path} limit={bad}: {body}"
            );
        }
    }
    for path in ["/admin/v1/events", "/admin/v1/logs"] {
        let after = query_schema(&doc, path, "afterSeq");
        assert_eq!(
            (after["minimum"].as_f64(), after["format"].as_str()),
            (Some(0.0), Some("int64")),
            "{path}"
        );
        assert_eq!(
            get_status(&server, &format!("{path}?afterSeq=0")).await.0,
            StatusCode::OK
        );
        let (status, body) = get_status(&server, &format!("{path}?afterSeq=-1")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_field")),
            "{path}: {body}"
        );
        // Past int64: not a number the document allows, nor the server.
        let (status, _) =
            get_status(&server, &format!("{path}?afterSeq=9223372036854775808")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
    }
    let (status, _) = get_status(&server, "/admin/v1/events/stream?afterSeq=-1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.shutdown().await;
}

#[tokio::test]
async fn event_kinds_are_a_list_of_at_least_one() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let doc = serde_json::to_value(leasehold_server::http::openapi::document()).unwrap();
    let kind = query_schema(&doc, "/admin/v1/events", "kind");
    assert_eq!(
        (kind["type"].as_str(), kind["minItems"].as_u64()),
        (Some("array"), Some(1))
    );
    let (status, body) = get_status(&server, "/admin/v1/events?kind=grant,license_added").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for bad in ["", "grant,", "grant,%20deny", "nothing"] {
        let (status, body) = get_status(&server, &format!("/admin/v1/events?kind={bad}")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_field")),
            "kind={bad}: {body}"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn names_are_measured_in_characters_as_the_document_says() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let doc = serde_json::to_value(leasehold_server::http::openapi::document()).unwrap();
    let product = &doc["components"]["schemas"]["CheckoutRequest"]["properties"]["product"];
    assert_eq!(
        (product["minLength"].as_u64(), product["maxLength"].as_u64()),
        (Some(1), Some(64))
    );
    // 64 two-byte characters: longer than 64 bytes, but within the bound.
    let mut body = checkout_body(&"é".repeat(64), "pc");
    let (status, answer) = call(
        &server,
        Method::POST,
        "/v1/checkout",
        Some(body.clone()),
        false,
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_license_for_product")),
        "{answer}"
    );
    body["product"] = json!("é".repeat(65));
    let (status, answer) = call(&server, Method::POST, "/v1/checkout", Some(body), false).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field")),
        "{answer}"
    );
    // Parts of a computer that are not hex are refused, as the pattern says.
    let mut body = checkout_body("cad", "pc");
    body["computer"] = json!("+1234567...");
    let (status, answer) = call(&server, Method::POST, "/v1/checkout", Some(body), false).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request")),
        "{answer}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_authority_pattern_names_addresses_the_server_takes() {
    use leasehold_core::wire::admin::AUTHORITY_URL_PATTERN;
    let pattern = regex::Regex::new(AUTHORITY_URL_PATTERN).unwrap();
    for ok in [
        "",
        "  ",
        "http://activate.example.com:7879",
        "HTTP://a",
        "http://10.0.0.255/x/y_z.~-",
        "http://lic-1.lan",
    ] {
        assert!(pattern.is_match(ok), "{ok}");
        if !ok.trim().is_empty() {
            leasehold_server::authority::client::check_url(ok)
                .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }
    for bad in [
        "https://a",
        "ftp://a",
        "http://u@a",
        "http://256.1.1.1",
        "http://a.0x1",
        "activate.example.com",
    ] {
        assert!(!pattern.is_match(bad), "{bad}");
    }
}
