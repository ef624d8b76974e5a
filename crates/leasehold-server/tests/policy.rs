//! The admin's seat policy on a real server: read from `policy.toml` at
//! start and when it changes, an invalid file refused with its line while
//! the policy before stays, set and checked through the admin API, and every
//! refusal naming its rule.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

const POLICY: &str = r#"[groups]
cad-core = { users = ["alice", "bob"] }

[products.cad]
exclude = ["user:mallory"]
reserve = [{ seats = 2, for = "group:cad-core" }]
max     = [{ seats = 1, for = "user:carol" }]
"#;

fn body(product: &str, client: &str, user: &str) -> serde_json::Value {
    json!({ "product": product, "clientId": client, "user": user, "host": format!("{client}.lan") })
}

async fn take(
    server: &leasehold_server::ServerHandle,
    client: &str,
    user: &str,
) -> (StatusCode, serde_json::Value) {
    call(
        server,
        Method::POST,
        "/v1/checkout",
        Some(body("cad", client, user)),
        false,
    )
    .await
}

#[tokio::test]
async fn the_policy_file_is_read_at_start_and_every_refusal_names_its_rule() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.toml"), POLICY).unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 3)).await;

    let (status, e) = take(&server, "pc-1", "mallory").await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "excluded_by_policy");
    assert!(
        e["message"].as_str().unwrap().contains("policy.toml:5"),
        "{e}"
    );

    let (status, _) = take(&server, "pc-2", "carol").await;
    assert_eq!(status, StatusCode::OK);
    let (status, e) = take(&server, "pc-3", "carol").await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "user_limit_reached");

    // 3 seats, carol holds 1, 2 are kept for cad-core.
    let (status, e) = take(&server, "pc-4", "dave").await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "seats_reserved");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("2 of 3 seats are reserved for group cad-core"),
        "{e}"
    );
    // The dry run says the same, and says yes to a member, taking nothing.
    let (status, check) = call(
        &server,
        Method::POST,
        "/admin/v1/policy/check",
        Some(json!({ "product": "cad", "user": "dave", "host": "ws-9" })),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(check["granted"], false);
    assert_eq!(check["code"], "seats_reserved");
    assert!(
        check["rule"]
            .as_str()
            .unwrap()
            .contains("reserve 2 for group:cad-core"),
        "{check}"
    );
    let (_, check) = call(
        &server,
        Method::POST,
        "/admin/v1/policy/check",
        Some(json!({ "product": "cad", "user": "Alice", "host": "ws-9" })),
        true,
    )
    .await;
    assert_eq!(check["granted"], true, "{check}");
    assert_eq!(
        (check["seats"].as_u64(), check["inUse"].as_u64()),
        (Some(3), Some(1))
    );
    let (status, _) = take(&server, "pc-5", "alice").await;
    assert_eq!(status, StatusCode::OK);

    // The denials are in the log with their rule.
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=deny",
        None,
        true,
    )
    .await;
    let messages: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("policy.toml:5")),
        "{messages:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_changed_file_is_read_again_and_an_invalid_one_keeps_the_policy_before() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 5)).await;
    let (status, _) = take(&server, "pc-1", "mallory").await;
    assert_eq!(status, StatusCode::OK, "no policy yet");

    let path = dir.path().join("policy.toml");
    std::fs::write(&path, POLICY).unwrap();
    server.engine().reload_policy(true);
    let (status, _) = take(&server, "pc-2", "mallory").await;
    assert_eq!(status, StatusCode::CONFLICT, "the new file is in force");

    // A typo: refused with file, line and reason; the policy before stays.
    std::fs::write(
        &path,
        "[products.cad]\nexclude = [\"user:mallory\"]\nreserv = []\n",
    )
    .unwrap();
    server.engine().reload_policy(true);
    let (_, status_body) = call(&server, Method::GET, "/admin/v1/policy", None, true).await;
    let error = status_body["error"].as_str().unwrap();
    assert!(error.contains("policy.toml:3"), "{error}");
    assert!(error.contains("reserv"), "{error}");
    assert_eq!(
        status_body["policy"]["groups"][0]["name"], "cad-core",
        "still in force"
    );
    let (status, e) = take(&server, "pc-3", "mallory").await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("excluded_by_policy"))
    );
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=policy_rejected",
        None,
        true,
    )
    .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 1, "{events}");

    // Removed: no policy.
    std::fs::remove_file(&path).unwrap();
    server.engine().reload_policy(true);
    let (status, _) = take(&server, "pc-4", "mallory").await;
    assert_eq!(status, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn the_admin_api_sets_the_file_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let (status, e) = call(
        &server,
        Method::PUT,
        "/admin/v1/policy",
        Some(json!({ "text": "[products.cad]\nmax = [{ seats = 0, for = \"user:bob\" }]\n" })),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "invalid_policy");
    assert!(e["message"].as_str().unwrap().contains(":2"), "{e}");
    assert!(!dir.path().join("policy.toml").exists(), "nothing written");

    let (status, set) = call(
        &server,
        Method::PUT,
        "/admin/v1/policy",
        Some(json!({ "text": POLICY })),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policy.toml")).unwrap(),
        POLICY
    );
    assert_eq!(set["text"], POLICY);
    assert_eq!(set["policy"]["precedence"][0]["rule"], "exclude");
    assert_eq!(
        set["policy"]["products"][0]["rules"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Not read again as a change (the server wrote it).
    server.engine().reload_policy(true);
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=policy_changed",
        None,
        true,
    )
    .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 1, "{events}");
    // Every policy route wants the admin token.
    for (method, path) in [
        (Method::GET, "/admin/v1/policy"),
        (Method::PUT, "/admin/v1/policy"),
        (Method::POST, "/admin/v1/policy/check"),
    ] {
        let (status, _) = call(&server, method, path, Some(json!({ "text": "" })), false).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    server.shutdown().await;
}
