//! Calls as an account: a session signed in by password, or any token.

use super::call;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use leasehold_server::ServerHandle;
use serde_json::{Value, json};
use tower::ServiceExt;

/// One call with `token` (None: no Authorization header). An answer that
/// is not an error is not read (the live event stream never ends).
pub async fn call_as(
    server: &ServerHandle,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let response = server.router().oneshot(req).await.unwrap();
    let status = response.status();
    if status.is_success() && path.ends_with("/stream") {
        return (status, Value::Null);
    }
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub async fn make_account(server: &ServerHandle, name: &str, role: &str, password: &str) {
    let (code, body) = call(
        server,
        Method::POST,
        "/admin/v1/accounts",
        Some(json!({"name": name, "role": role, "password": password})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
}

pub async fn sign_in(server: &ServerHandle, name: &str, password: &str) -> (StatusCode, Value) {
    call_as(
        server,
        None,
        Method::POST,
        "/admin/v1/session",
        Some(json!({"name": name, "password": password})),
    )
    .await
}

pub async fn session_token(server: &ServerHandle, name: &str, password: &str) -> String {
    let (code, body) = sign_in(server, name, password).await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    body["token"].as_str().unwrap().to_owned()
}
