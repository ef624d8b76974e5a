//! Shared helpers for the server's tests: a vendor that issues codes, a
//! server on loopback port 0 in a temp dir, and in-process JSON calls.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use leasehold_core::license::{LicenseTerms, VendorKeyPair, issue};
use leasehold_server::{Config, Server, ServerHandle};
use serde_json::Value;
use std::path::Path;
use tower::ServiceExt;

pub struct Vendor {
    pub key: VendorKeyPair,
}

impl Vendor {
    pub fn new() -> Self {
        Self {
            key: VendorKeyPair::generate().expect("keygen"),
        }
    }

    pub fn terms(&self, product: &str, seats: u32) -> LicenseTerms {
        leasehold_core::testing::terms(product, seats)
    }

    pub fn code(&self, product: &str, seats: u32) -> String {
        self.issue(&self.terms(product, seats))
    }

    pub fn issue(&self, terms: &LicenseTerms) -> String {
        issue(&self.key, terms).expect("issue")
    }
}

pub async fn start(dir: &Path, vendor: &Vendor) -> ServerHandle {
    let mut config = Config::ephemeral(dir);
    config.trust.push(vendor.key.public());
    Server::start(config).await.expect("server starts")
}

/// One in-process call; returns status and JSON body (Null when empty or not JSON).
pub async fn call(
    server: &ServerHandle,
    method: Method,
    path: &str,
    body: Option<Value>,
    admin: bool,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if admin {
        req = req.header("authorization", format!("Bearer {}", server.admin_token()));
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    send(server, req).await
}

pub async fn send(server: &ServerHandle, req: Request<Body>) -> (StatusCode, Value) {
    let response = server.router().oneshot(req).await.expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// `/metrics` as Prometheus text (with the admin token).
pub async fn metrics_text(server: &ServerHandle) -> String {
    let req = Request::get("/metrics")
        .header("authorization", format!("Bearer {}", server.admin_token()))
        .body(Body::empty())
        .expect("request");
    let response = server.router().oneshot(req).await.expect("infallible");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

pub async fn add_license(server: &ServerHandle, code: &str) -> Value {
    let (status, body) = call(
        server,
        Method::POST,
        "/admin/v1/licenses",
        Some(serde_json::json!({ "code": code })),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// The checkout request a client `client` sends for `product`, typed.
pub fn checkout_request(
    product: &str,
    client: &str,
) -> leasehold_core::wire::client::CheckoutRequest {
    leasehold_core::wire::client::CheckoutRequest {
        product: leasehold_core::Product::from(product),
        client_id: leasehold_core::ClientId::from(client),
        user: "ann".into(),
        host: format!("{client}.lan"),
        app_name: "Designer".into(),
        app_version: "4.2".into(),
        computer: None,
        wait: false,
        units: None,
    }
}

pub fn checkout_body(product: &str, client: &str) -> Value {
    serde_json::json!({ "product": product, "clientId": client, "user": "ann", "host": format!("{client}.lan"), "appName": "Designer", "appVersion": "4.2" })
}

pub async fn checkout(server: &ServerHandle, product: &str, client: &str) -> (StatusCode, Value) {
    call(
        server,
        Method::POST,
        "/v1/checkout",
        Some(checkout_body(product, client)),
        false,
    )
    .await
}
/// The newest 200 events, once everything recorded so far is written.
pub async fn logged(server: &ServerHandle) -> Vec<Value> {
    server.engine().store().apply(vec![]).await.expect("flush");
    let (_, events) = call(
        server,
        Method::GET,
        "/admin/v1/events?limit=200",
        None,
        true,
    )
    .await;
    events["events"].as_array().cloned().unwrap_or_default()
}

pub mod accounts;
pub mod tiny_disk;
