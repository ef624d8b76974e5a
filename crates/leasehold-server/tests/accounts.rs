//! Admin accounts with roles, played as the people who use them and as the
//! ones who should not: every admin route asked by a viewer and an
//! operator, sign-in with wrong passwords, sessions that end, tokens that
//! are revoked, roles changed under a live session, events naming the
//! account.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::accounts::{call_as, make_account, session_token, sign_in};
use common::{Vendor, add_license, call, checkout, start};
use leasehold_server::ServerHandle;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use tower::ServiceExt;

/// The role each admin route needs, written out here apart from the
/// server's table: a route added to the API without a line here fails.
/// "self" routes need the account itself or an admin.
fn expected_roles() -> BTreeMap<(String, String), &'static str> {
    let rows = [
        ("POST", "/admin/v1/activations", "admin"),
        ("PUT", "/admin/v1/authority", "admin"),
        ("GET", "/admin/v1/backup", "admin"),
        ("GET", "/admin/v1/computers", "viewer"),
        ("POST", "/admin/v1/disconnect", "operator"),
        ("GET", "/admin/v1/events", "viewer"),
        ("GET", "/admin/v1/events/stream", "viewer"),
        ("GET", "/admin/v1/licenses", "viewer"),
        ("POST", "/admin/v1/licenses", "admin"),
        ("DELETE", "/admin/v1/licenses/{license_id}", "admin"),
        (
            "POST",
            "/admin/v1/licenses/{license_id}/activate-online",
            "admin",
        ),
        (
            "GET",
            "/admin/v1/licenses/{license_id}/activation-request",
            "viewer",
        ),
        (
            "POST",
            "/admin/v1/licenses/{license_id}/deactivate",
            "admin",
        ),
        (
            "GET",
            "/admin/v1/licenses/{license_id}/deactivation-proof",
            "viewer",
        ),
        ("GET", "/admin/v1/logs", "viewer"),
        ("PUT", "/admin/v1/mdns", "admin"),
        ("GET", "/admin/v1/named-users", "viewer"),
        ("GET", "/admin/v1/named-users/{product}", "viewer"),
        ("PUT", "/admin/v1/named-users/{product}/{user}", "admin"),
        ("DELETE", "/admin/v1/named-users/{product}/{user}", "admin"),
        ("GET", "/admin/v1/policy", "viewer"),
        ("PUT", "/admin/v1/policy", "admin"),
        ("POST", "/admin/v1/policy/check", "viewer"),
        ("GET", "/admin/v1/queue", "viewer"),
        ("DELETE", "/admin/v1/queue/{ticket}", "operator"),
        ("GET", "/admin/v1/report", "viewer"),
        ("GET", "/admin/v1/settings", "viewer"),
        ("PUT", "/admin/v1/settings", "admin"),
        ("GET", "/admin/v1/status", "viewer"),
        ("GET", "/admin/v1/trusted-keys", "viewer"),
        ("POST", "/admin/v1/trusted-keys", "admin"),
        ("GET", "/admin/v1/usage", "viewer"),
        ("GET", "/admin/v1/usage/ledger", "viewer"),
        ("GET", "/admin/v1/alerts", "viewer"),
        (
            "POST",
            "/admin/v1/alerts/{alert_id}/acknowledge",
            "operator",
        ),
        ("GET", "/admin/v1/alerts/settings", "admin"),
        ("PUT", "/admin/v1/alerts/settings", "admin"),
        ("POST", "/admin/v1/alerts/test", "admin"),
        ("POST", "/admin/v1/session", "anyone"),
        ("GET", "/admin/v1/session", "viewer"),
        ("DELETE", "/admin/v1/session", "viewer"),
        ("POST", "/admin/v1/session/confirm", "viewer"),
        ("GET", "/admin/v1/accounts", "viewer"),
        ("POST", "/admin/v1/accounts", "admin"),
        ("PUT", "/admin/v1/accounts/{name}", "admin"),
        ("DELETE", "/admin/v1/accounts/{name}", "admin"),
        ("PUT", "/admin/v1/accounts/{name}/password", "self"),
        ("GET", "/admin/v1/accounts/{name}/tokens", "self"),
        ("POST", "/admin/v1/accounts/{name}/tokens", "self"),
        ("DELETE", "/admin/v1/accounts/{name}/tokens", "self"),
        (
            "DELETE",
            "/admin/v1/accounts/{name}/tokens/{token_id}",
            "self",
        ),
    ];
    rows.into_iter()
        .map(|(m, p, r)| ((m.to_owned(), p.to_owned()), r))
        .collect()
}

fn admin_routes_in_the_api() -> Vec<(String, String)> {
    let doc = serde_json::to_value(leasehold_server::http::openapi::document()).unwrap();
    let mut routes = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/admin/") {
            continue;
        }
        for method in ["get", "post", "put", "delete"] {
            if ops.get(method).is_some() {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

#[tokio::test]
async fn every_admin_route_refuses_a_role_below_the_one_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    make_account(&server, "vic", "viewer", "viewer-pass-1").await;
    make_account(&server, "otto", "operator", "operator-pass-1").await;
    let viewer = session_token(&server, "vic", "viewer-pass-1").await;
    let operator = session_token(&server, "otto", "operator-pass-1").await;

    let expected = expected_roles();
    let routes = admin_routes_in_the_api();
    let listed: Vec<_> = expected.keys().cloned().collect();
    let mut sorted = routes.clone();
    sorted.sort();
    assert_eq!(
        sorted, listed,
        "the API's admin routes and this test's table differ"
    );

    // Signing out last: it ends the sessions the other calls use.
    let mut routes = routes;
    routes.sort_by_key(|(m, p)| m == "DELETE" && p == "/admin/v1/session");
    for (method, pattern) in routes {
        let needed = expected[&(method.clone(), pattern.clone())];
        for (who, token, rank) in [("vic", &viewer, 0), ("otto", &operator, 1)] {
            // "self" routes asked about the caller itself, then about another.
            let names: &[&str] = if needed == "self" {
                &[who, "admin"]
            } else {
                &["admin"]
            };
            for name in names {
                let path = pattern
                    .replace("{license_id}", "00000000-0000-0000-0000-000000000000")
                    .replace("{product}", "cad")
                    .replace("{user}", "ann")
                    .replace("{ticket}", "00000000-0000-0000-0000-000000000000")
                    .replace("{name}", name)
                    .replace("{token_id}", "nope")
                    .replace("{alert_id}", "999999");
                let m = Method::from_bytes(method.as_bytes()).unwrap();
                // A body that passes the extractor of the routes checked
                // in their handler (the rest refuse before reading it).
                let current = if who == "vic" {
                    "viewer-pass-1"
                } else {
                    "operator-pass-1"
                };
                let body = (m != Method::GET && m != Method::DELETE).then(
                    || json!({"label": "probe", "password": current, "currentPassword": current}),
                );
                let (code, answer) = call_as(&server, Some(token), m, &path, body).await;
                let allowed = match needed {
                    "anyone" | "viewer" => true,
                    "operator" => rank >= 1,
                    "self" => *name == who,
                    _ => false,
                };
                let refused = code == StatusCode::FORBIDDEN && answer["code"] == "forbidden";
                assert_eq!(
                    !refused, allowed,
                    "{who} {method} {path}: {code} {answer} (needs {needed})"
                );
                assert_ne!(
                    code,
                    StatusCode::UNAUTHORIZED,
                    "{who} {method} {path}: {answer}"
                );
                if refused {
                    let message = answer["message"].as_str().unwrap();
                    assert!(message.contains(&format!("`{who}`")), "{message}");
                }
            }
        }
    }
    // Refusals changed nothing: the viewer could not make an account.
    let (_, list) = call(&server, Method::GET, "/admin/v1/accounts", None, true).await;
    assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
    server.shutdown().await;
}

#[tokio::test]
async fn sign_in_sessions_and_roles_as_an_admin_and_a_guesser_meet_them() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    make_account(&server, "Ann", "operator", "ann-password").await;

    // A wrong password and an unknown name are refused alike.
    let (code, wrong) = sign_in(&server, "ann", "not-her-password").await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong["code"], "sign_in_failed");
    let (_, unknown) = sign_in(&server, "nobody", "whatever-pass").await;
    assert_eq!(unknown["code"], wrong["code"]);
    assert_eq!(unknown["message"], wrong["message"]);

    // Names are case-insensitive; the session says who and what.
    let ann = session_token(&server, " ANN ", "ann-password").await;
    let (code, me) = call_as(&server, Some(&ann), Method::GET, "/admin/v1/session", None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        (me["account"].clone(), me["role"].clone(), me["by"].clone()),
        (json!("ann"), json!("operator"), json!("session"))
    );
    assert!(
        me.get("token").is_none(),
        "the token is shown only at sign-in"
    );

    // An operator disconnects; the event names her.
    add_license(&server, &vendor.code("cad", 2)).await;
    let (_, grant) = checkout(&server, "cad", "ws-1").await;
    let lease = grant["leaseId"].as_str().unwrap().to_owned();
    let (code, answer) = call_as(
        &server,
        Some(&ann),
        Method::POST,
        "/admin/v1/disconnect",
        Some(json!({"leaseId": lease})),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    // … but cannot add a code.
    let (code, answer) = call_as(
        &server,
        Some(&ann),
        Method::POST,
        "/admin/v1/licenses",
        Some(json!({"code": vendor.code("sim", 1)})),
    )
    .await;
    assert_eq!(
        (code, answer["code"].clone()),
        (StatusCode::FORBIDDEN, json!("forbidden"))
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("an operator; this needs the admin role"),
        "{answer}"
    );

    server.engine().store().apply(vec![]).await.unwrap();
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?limit=100",
        None,
        true,
    )
    .await;
    let by = |kind: &str| -> Vec<Value> {
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| e["by"].clone())
            .collect()
    };
    assert_eq!(by("disconnect"), vec![json!("ann")], "{events}");
    assert_eq!(by("license_added"), vec![json!("admin")], "{events}");
    assert_eq!(
        by("grant"),
        vec![Value::Null],
        "a client's event names no account"
    );
    assert!(by("admin_sign_in").contains(&json!("ann")));

    // Demoted while signed in: the next call already has the new role.
    let (code, _) = call(
        &server,
        Method::PUT,
        "/admin/v1/accounts/ann",
        Some(json!({"role": "viewer"})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let (code, answer) = call_as(
        &server,
        Some(&ann),
        Method::POST,
        "/admin/v1/disconnect",
        Some(json!({"leaseId": lease})),
    )
    .await;
    assert_eq!(
        (code, answer["code"].clone()),
        (StatusCode::FORBIDDEN, json!("forbidden")),
        "{answer}"
    );

    // Signed out: the session's token is refused.
    let (code, _) = call_as(
        &server,
        Some(&ann),
        Method::DELETE,
        "/admin/v1/session",
        None,
    )
    .await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    let (code, answer) = call_as(&server, Some(&ann), Method::GET, "/admin/v1/status", None).await;
    assert_eq!(
        (code, answer["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("unauthorized"))
    );

    // A session unused for 12 hours ends; one used keeps going.
    let used = session_token(&server, "ann", "ann-password").await;
    let idle = session_token(&server, "ann", "ann-password").await;
    server.engine().skip_time(Duration::from_secs(11 * 3600));
    assert_eq!(
        call_as(&server, Some(&used), Method::GET, "/admin/v1/status", None)
            .await
            .0,
        StatusCode::OK
    );
    server.engine().skip_time(Duration::from_secs(3600 + 1));
    assert_eq!(
        call_as(&server, Some(&idle), Method::GET, "/admin/v1/status", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call_as(&server, Some(&used), Method::GET, "/admin/v1/status", None)
            .await
            .0,
        StatusCode::OK
    );

    // Removed: its sessions end at once.
    let (code, _) = call(
        &server,
        Method::DELETE,
        "/admin/v1/accounts/ann",
        None,
        true,
    )
    .await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    assert_eq!(
        call_as(&server, Some(&used), Method::GET, "/admin/v1/status", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_passwords_in_a_row_make_the_account_wait() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    make_account(&server, "ann", "admin", "ann-password").await;
    for _ in 0..5 {
        assert_eq!(
            sign_in(&server, "ann", "guess-guess").await.1["code"],
            "sign_in_failed"
        );
    }
    // Now even the right password waits (a guesser learns nothing).
    let (code, answer) = sign_in(&server, "ann", "ann-password").await;
    assert_eq!(
        (code, answer["code"].clone()),
        (StatusCode::TOO_MANY_REQUESTS, json!("too_many_sign_ins")),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("try again in 30 s"),
        "{answer}"
    );
    server.engine().skip_time(Duration::from_secs(31));
    // One more wrong one doubles the wait.
    assert_eq!(
        sign_in(&server, "ann", "guess-guess").await.1["code"],
        "sign_in_failed"
    );
    assert!(
        sign_in(&server, "ann", "ann-password").await.1["message"]
            .as_str()
            .unwrap()
            .contains("60 s")
    );
    server.engine().skip_time(Duration::from_secs(61));
    assert_eq!(
        sign_in(&server, "ann", "ann-password").await.0,
        StatusCode::CREATED
    );
    // A success starts the count again.
    assert_eq!(
        sign_in(&server, "ann", "guess-guess").await.1["code"],
        "sign_in_failed"
    );
    assert_eq!(
        sign_in(&server, "ann", "ann-password").await.0,
        StatusCode::CREATED
    );
    server.shutdown().await;
}

#[tokio::test]
async fn tokens_for_scripts_and_passwords_belong_to_their_account() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    make_account(&server, "ann", "viewer", "ann-password").await;
    make_account(&server, "bob", "viewer", "bob-password").await;
    let ann = session_token(&server, "ann", "ann-password").await;
    let other_session = session_token(&server, "ann", "ann-password").await;

    // Her own token for a script, shown once; it signs in as her.
    let (code, made) = call_as(
        &server,
        Some(&ann),
        Method::POST,
        "/admin/v1/accounts/ann/tokens",
        Some(json!({"label": "nightly report"})),
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{made}");
    let script = made["token"].as_str().unwrap().to_owned();
    let (_, me) = call_as(
        &server,
        Some(&script),
        Method::GET,
        "/admin/v1/session",
        None,
    )
    .await;
    assert_eq!(
        (me["account"].clone(), me["by"].clone()),
        (json!("ann"), json!("token"))
    );
    let (_, listed) = call_as(
        &server,
        Some(&ann),
        Method::GET,
        "/admin/v1/accounts/ann/tokens",
        None,
    )
    .await;
    assert_eq!(listed[0]["label"], "nightly report");
    assert!(
        !listed.to_string().contains(&script),
        "a listing never shows a token"
    );
    // Not bob's.
    let (code, _) = call_as(
        &server,
        Some(&ann),
        Method::POST,
        "/admin/v1/accounts/bob/tokens",
        Some(json!({"label": "x"})),
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, _) = call_as(
        &server,
        Some(&ann),
        Method::PUT,
        "/admin/v1/accounts/bob/password",
        Some(json!({"password": "taken-over-1"})),
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);

    // Her own password: the current one is asked.
    let (code, answer) = call_as(
        &server,
        Some(&ann),
        Method::PUT,
        "/admin/v1/accounts/ann/password",
        Some(json!({"currentPassword": "wrong-one", "password": "new-password"})),
    )
    .await;
    assert_eq!(
        (code, answer["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("sign_in_failed"))
    );
    let (code, answer) = call_as(
        &server,
        Some(&ann),
        Method::PUT,
        "/admin/v1/accounts/ann/password",
        Some(json!({"currentPassword": "ann-password", "password": "short"})),
    )
    .await;
    assert_eq!(
        (code, answer["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_field")),
        "{answer}"
    );
    let (code, _) = call_as(
        &server,
        Some(&ann),
        Method::PUT,
        "/admin/v1/accounts/ann/password",
        Some(json!({"currentPassword": "ann-password", "password": "new-password"})),
    )
    .await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    // Her other session ended; this one and the script's token go on.
    assert_eq!(
        call_as(
            &server,
            Some(&other_session),
            Method::GET,
            "/admin/v1/status",
            None
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call_as(&server, Some(&ann), Method::GET, "/admin/v1/status", None)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        sign_in(&server, "ann", "ann-password").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&server, "ann", "new-password").await.0,
        StatusCode::CREATED
    );

    // Revoked: refused.
    let id = made["id"].as_str().unwrap();
    let (code, _) = call_as(
        &server,
        Some(&ann),
        Method::DELETE,
        &format!("/admin/v1/accounts/ann/tokens/{id}"),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    assert_eq!(
        call_as(
            &server,
            Some(&script),
            Method::GET,
            "/admin/v1/status",
            None
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_admin_gives_their_own_current_password_and_all_tokens_go_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    make_account(&server, "root", "admin", "root-password").await;
    make_account(&server, "ann", "viewer", "ann-password").await;
    let root = session_token(&server, "root", "root-password").await;
    let put_password = |token: String, name: &'static str, body: Value| {
        let server = &server;
        async move {
            call_as(
                server,
                Some(&token),
                Method::PUT,
                &format!("/admin/v1/accounts/{name}/password"),
                Some(body),
            )
            .await
        }
    };

    // Someone at an admin's open session cannot take the account over.
    let (code, answer) =
        put_password(root.clone(), "root", json!({"password": "taken-over-1"})).await;
    assert_eq!(
        (code, answer["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("sign_in_failed"))
    );
    let (code, _) = put_password(
        root.clone(),
        "root",
        json!({"currentPassword": "root-password", "password": "root-password-2"}),
    )
    .await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    // Another account's is reset without it.
    let (code, _) = put_password(root.clone(), "ann", json!({"password": "ann-password-2"})).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    // The data directory's token is the machine's owner: no current password.
    for password in ["local-password-1", "local-password-2"] {
        let (code, answer) = call(
            &server,
            Method::PUT,
            "/admin/v1/accounts/admin/password",
            Some(json!({ "password": password })),
            true,
        )
        .await;
        assert_eq!(code, StatusCode::NO_CONTENT, "{answer}");
    }

    // Every token of an account at once: its owner or an admin, no one else.
    // (The reset ended her sessions.)
    let ann = session_token(&server, "ann", "ann-password-2").await;
    let mut scripts = Vec::new();
    for label in ["nightly", "weekly"] {
        let (code, made) = call_as(
            &server,
            Some(&ann),
            Method::POST,
            "/admin/v1/accounts/ann/tokens",
            Some(json!({ "label": label })),
        )
        .await;
        assert_eq!(code, StatusCode::CREATED, "{made}");
        scripts.push(made["token"].as_str().unwrap().to_owned());
    }
    make_account(&server, "bob", "operator", "bob-password").await;
    let bob = session_token(&server, "bob", "bob-password").await;
    let (code, _) = call_as(
        &server,
        Some(&bob),
        Method::DELETE,
        "/admin/v1/accounts/ann/tokens",
        None,
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, answer) = call_as(
        &server,
        Some(&root),
        Method::DELETE,
        "/admin/v1/accounts/ann/tokens",
        None,
    )
    .await;
    assert_eq!((code, answer), (StatusCode::OK, json!({"revoked": 2})));
    for script in &scripts {
        let (code, _) = call_as(&server, Some(script), Method::GET, "/admin/v1/status", None).await;
        assert_eq!(code, StatusCode::UNAUTHORIZED);
    }
    // Her session is not a token: it goes on.
    let (code, _) = call_as(&server, Some(&ann), Method::GET, "/admin/v1/status", None).await;
    assert_eq!(code, StatusCode::OK);
    // The local admin's: the data directory's token stays.
    let (code, answer) = call(
        &server,
        Method::DELETE,
        "/admin/v1/accounts/admin/tokens",
        None,
        true,
    )
    .await;
    assert_eq!((code, answer), (StatusCode::OK, json!({"revoked": 0})));
    let (code, _) = call(&server, Method::GET, "/admin/v1/status", None, true).await;
    assert_eq!(code, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn a_request_let_in_before_its_token_was_revoked_changes_nothing_after() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    make_account(&server, "vic", "viewer", "vic-password").await;
    let (_, made) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts/vic/tokens",
        Some(json!({"label": "stolen"})),
        true,
    )
    .await;
    let stolen = made["token"].as_str().unwrap().to_owned();
    // Let in (authenticated) before the admin revokes every token of vic;
    // it reaches the accounts after: it is refused, and makes no token.
    let accounts = server.accounts();
    let caller = accounts.authenticate(&stolen).unwrap();
    let (code, answer) = call(
        &server,
        Method::DELETE,
        "/admin/v1/accounts/vic/tokens",
        None,
        true,
    )
    .await;
    assert_eq!((code, answer), (StatusCode::OK, json!({"revoked": 1})));
    let late = accounts.make_token(&caller, "vic", "kept access").await;
    assert!(
        matches!(late, Err(leasehold_server::error::Error::Unauthorized)),
        "{late:?}"
    );
    let (_, list) = call(
        &server,
        Method::GET,
        "/admin/v1/accounts/vic/tokens",
        None,
        true,
    )
    .await;
    assert_eq!(list, json!([]));
    server.shutdown().await;
}

#[tokio::test]
async fn the_local_admin_stays_and_accounts_outlive_a_restart_but_sessions_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let (_, list) = call(&server, Method::GET, "/admin/v1/accounts", None, true).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(
        (
            list[0]["name"].clone(),
            list[0]["role"].clone(),
            list[0]["localAdmin"].clone(),
            list[0]["hasPassword"].clone()
        ),
        (json!("admin"), json!("admin"), json!(true), json!(false))
    );
    // The data directory's token is the local admin's.
    let (_, me) = call(&server, Method::GET, "/admin/v1/session", None, true).await;
    assert_eq!(
        (me["account"].clone(), me["localAdmin"].clone()),
        (json!("admin"), json!(true))
    );
    for (method, path, body) in [
        (Method::DELETE, "/admin/v1/accounts/admin", None),
        (
            Method::PUT,
            "/admin/v1/accounts/admin",
            Some(json!({"role": "viewer"})),
        ),
        (
            Method::DELETE,
            "/admin/v1/accounts/admin/tokens/admin-token",
            None,
        ),
    ] {
        let (code, answer) = call(&server, method, path, body, true).await;
        assert_eq!(
            (code, answer["code"].clone()),
            (StatusCode::CONFLICT, json!("local_admin_account")),
            "{path}: {answer}"
        );
    }
    // Its password is set without a current one (it has none).
    let (code, _) = call(
        &server,
        Method::PUT,
        "/admin/v1/accounts/admin/password",
        Some(json!({"password": "admin-password"})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    make_account(&server, "ann", "operator", "ann-password").await;
    let (_, made) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts/ann/tokens",
        Some(json!({"label": "ci"})),
        true,
    )
    .await;
    let script = made["token"].as_str().unwrap().to_owned();
    let session = session_token(&server, "ann", "ann-password").await;
    let (code, answer) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts",
        Some(json!({"name": "ANN", "role": "viewer"})),
        true,
    )
    .await;
    assert_eq!(
        (code, answer["code"].clone()),
        (StatusCode::CONFLICT, json!("account_exists"))
    );
    server.shutdown().await;

    // No password or token is stored as itself.
    let db = std::fs::read(dir.path().join("leasehold.db")).unwrap();
    let holds = |s: &str| db.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(!holds("ann-password") && !holds("admin-password") && !holds(&script[4..]));

    let server = start(dir.path(), &vendor).await;
    assert_eq!(
        call_as(
            &server,
            Some(&script),
            Method::GET,
            "/admin/v1/status",
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        call_as(
            &server,
            Some(&session),
            Method::GET,
            "/admin/v1/status",
            None
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&server, "admin", "admin-password").await.0,
        StatusCode::CREATED
    );
    let (_, list) = call(&server, Method::GET, "/admin/v1/accounts", None, true).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    server.shutdown().await;
}

/// A sign-in from `ip` (as the connection says), answered in-process.
/// A sign-in request as it comes from `ip`.
fn sign_in_request(ip: &str, name: &str, password: &str) -> Request<Body> {
    let mut req = Request::post("/admin/v1/session")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"name": name, "password": password}).to_string(),
        ))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        format!("{ip}:40000")
            .parse::<std::net::SocketAddr>()
            .unwrap(),
    ));
    req
}

async fn sign_in_from(
    server: &ServerHandle,
    ip: &str,
    name: &str,
    password: &str,
) -> (StatusCode, Value) {
    common::send(server, sign_in_request(ip, name, password)).await
}

#[tokio::test]
async fn a_guesser_locks_out_only_itself_and_learns_no_names_and_hurried_guesses_wait_too() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    make_account(&server, "ann", "admin", "ann-password").await;
    // Ten guesses at once from one address: five are heard, the rest wait.
    let guesses = (0..10).map(|i| {
        sign_in_from(
            &server,
            "127.0.0.9",
            "ann",
            if i == 9 {
                "ann-password"
            } else {
                "guess-guess"
            },
        )
    });
    let answers = futures_util::future::join_all(guesses).await;
    let codes: Vec<String> = answers
        .iter()
        .map(|(_, b)| b["code"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| *c == "sign_in_failed").count(),
        5,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "too_many_sign_ins").count(),
        5,
        "{codes:?}"
    );
    // Ann, from her own computer, is not locked out by the guesser.
    assert_eq!(
        sign_in_from(&server, "127.0.0.2", "ann", "ann-password")
            .await
            .0,
        StatusCode::CREATED
    );
    // A name that does not exist is answered alike: five, then a wait.
    for _ in 0..5 {
        assert_eq!(
            sign_in_from(&server, "127.0.0.9", "nobody", "guess-guess")
                .await
                .1["code"],
            "sign_in_failed"
        );
    }
    assert_eq!(
        sign_in_from(&server, "127.0.0.9", "nobody", "guess-guess")
            .await
            .1["code"],
        "too_many_sign_ins"
    );
    // The log tells the admin where wrong passwords came from and blames no account.
    let events = common::logged(&server).await;
    let wrong: Vec<&Value> = events
        .iter()
        .filter(|e| e["message"].as_str().unwrap().contains("wrong password"))
        .collect();
    assert_eq!(wrong.len(), 5, "only for a name that exists: {events:?}");
    assert!(
        wrong
            .iter()
            .all(|e| e.get("by").is_none() && e["message"].as_str().unwrap().contains("127.0.0.9"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn sign_ins_dropped_half_way_do_not_block_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    make_account(&server, "ann", "admin", "ann-password").await;
    // Forty sign-ins whose callers hang up while they wait for the hasher
    // (from forty addresses, so no lockout comes first).
    let mut dropped = Vec::new();
    for i in 0..40 {
        let router = server.router();
        let req = sign_in_request(&format!("127.0.1.{i}"), "ann", "guess-guess");
        dropped.push(tokio::spawn(async move { router.oneshot(req).await }));
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    for task in &dropped {
        task.abort();
    }
    // The hasher's line empties as they go: the next sign-in is heard.
    let mut answer = (StatusCode::TOO_MANY_REQUESTS, Value::Null);
    for _ in 0..200 {
        answer = sign_in_from(&server, "127.0.0.2", "ann", "ann-password").await;
        if answer.0 != StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(answer.0, StatusCode::CREATED, "{}", answer.1);
    server.shutdown().await;
}

#[tokio::test]
async fn a_long_call_learns_when_its_sign_in_no_longer_holds() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    make_account(&server, "ann", "operator", "ann-password").await;
    let accounts = server.accounts();
    let session = session_token(&server, "ann", "ann-password").await;
    let (_, made) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts/ann/tokens",
        Some(json!({"label": "x"})),
        true,
    )
    .await;
    let token = made["token"].as_str().unwrap().to_owned();
    let by_session = accounts.authenticate(&session).unwrap();
    let by_token = accounts.authenticate(&token).unwrap();
    let local = accounts.authenticate(server.admin_token()).unwrap();
    assert!(
        accounts.still_valid(&by_session)
            && accounts.still_valid(&by_token)
            && accounts.still_valid(&local)
    );
    // Demoted: neither holds as an operator any more.
    call(
        &server,
        Method::PUT,
        "/admin/v1/accounts/ann",
        Some(json!({"role": "viewer"})),
        true,
    )
    .await;
    assert!(!accounts.still_valid(&by_session) && !accounts.still_valid(&by_token));
    let by_session = accounts.authenticate(&session).unwrap();
    accounts.sign_out(&by_session);
    assert!(!accounts.still_valid(&by_session));
    let by_token = accounts.authenticate(&token).unwrap();
    let id = made["id"].as_str().unwrap();
    call(
        &server,
        Method::DELETE,
        &format!("/admin/v1/accounts/ann/tokens/{id}"),
        None,
        true,
    )
    .await;
    assert!(!accounts.still_valid(&by_token));
    assert!(accounts.still_valid(&local));
    server.shutdown().await;
}
