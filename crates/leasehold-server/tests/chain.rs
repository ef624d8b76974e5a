//! What the server shows applications (`GET /v1/chain`), the digest its
//! grants carry, and old SDKs told to update.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{Vendor, add_license, call, checkout, checkout_body, send, start};
use leasehold_core::license::chain;
use leasehold_core::wire::client::Chain;

async fn chain_of(server: &leasehold_server::ServerHandle, product: &str) -> Chain {
    let (status, body) = call(
        server,
        Method::GET,
        &format!("/v1/chain?product={product}"),
        None,
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn the_chain_shows_the_counting_codes_and_grants_carry_its_digest() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let empty = chain_of(&server, "cad").await;
    assert!(empty.links.is_empty());
    assert_eq!(empty.server_public_key, server.engine().public_key_hex());

    let code = vendor.code("cad", 3);
    let view = add_license(&server, &code).await;
    let shown = chain_of(&server, "cad").await;
    assert_eq!(shown.links.len(), 1);
    assert_eq!(shown.links[0].activation, None, "this code needs none");
    assert_eq!(shown.digest, chain::digest(&shown.links));
    assert_eq!(
        chain::verify(
            &shown.links,
            &"cad".into(),
            &key(&server),
            &[vendor.key.public()],
            leasehold_core::Timestamp::now()
        ),
        Ok(())
    );
    let (status, grant) = checkout(&server, "cad", "pc-1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(grant["chain"], shown.digest.as_str());
    // Other products show nothing of it; names no product has are refused.
    assert!(chain_of(&server, "viewer").await.links.is_empty());
    for bad in [String::new(), "%E2%80%AEdac".to_owned(), "x".repeat(65)] {
        let path = format!("/v1/chain?product={bad}");
        let (status, body) = call(&server, Method::GET, &path, None, false).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["code"], "invalid_field");
    }

    // The code removed: the chain and the digest change at once.
    let id = view["licenseId"].as_str().unwrap();
    let (status, _) = call(
        &server,
        Method::DELETE,
        &format!("/admin/v1/licenses/{id}"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let after = chain_of(&server, "cad").await;
    assert!(after.links.is_empty());
    assert_ne!(after.digest, shown.digest);
    server.shutdown().await;
}

fn key(server: &leasehold_server::ServerHandle) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(server.engine().public_key_hex(), &mut out).unwrap();
    out
}

#[tokio::test]
async fn an_sdk_from_before_protocol_3_is_told_to_update() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 3)).await;
    let with = |agent: Option<&str>, protocol: Option<&str>| {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri("/v1/checkout")
            .header("content-type", "application/json");
        if let Some(agent) = agent {
            req = req.header("user-agent", agent);
        }
        if let Some(protocol) = protocol {
            req = req.header("leasehold-protocol", protocol);
        }
        req.body(Body::from(checkout_body("cad", "pc-1").to_string()))
            .unwrap()
    };
    let (status, body) = send(&server, with(Some("leasehold-client/0.1.0"), None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "protocol_mismatch");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("update the application")
    );
    let (status, _) = send(&server, with(Some("leasehold-client/0.1.0"), Some("2"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send(&server, with(Some("leasehold-client/0.2.0"), Some("3"))).await;
    assert_eq!(status, StatusCode::OK);
    // Scripts speaking HTTP are not SDKs: not asked.
    let (status, _) = send(&server, with(Some("curl/8"), None)).await;
    assert_eq!(status, StatusCode::OK);
    server.shutdown().await;
}
