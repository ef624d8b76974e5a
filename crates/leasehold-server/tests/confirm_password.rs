//! A session left open in a browser, played by whoever sits down at it: past
//! 15 minutes from its password it can no longer hand out lasting access
//! (an account, a role, another's password, a token) until the password is
//! given again, and giving it is counted like signing in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::accounts::{call_as, make_account, session_token};
use common::{Vendor, call, start};
use leasehold_server::ServerHandle;
use serde_json::{Value, json};
use std::time::Duration;

const PASSWORD: &str = "ada-password-1";

async fn confirm(server: &ServerHandle, session: &str, password: &str) -> (StatusCode, Value) {
    call_as(
        server,
        Some(session),
        Method::POST,
        "/admin/v1/session/confirm",
        Some(json!({ "password": password })),
    )
    .await
}

/// The ways to hand out access (an account, a role, another's password,
/// tokens, the backup with its hashes and the admin-token), each asked with
/// `token`.
async fn hand_out(server: &ServerHandle, token: &str, n: u32) -> Vec<(StatusCode, Value)> {
    let mut answers = Vec::new();
    let backup = call_as(server, Some(token), Method::GET, "/admin/v1/backup", None).await;
    answers.push(backup);
    let calls = [
        (
            Method::POST,
            "/admin/v1/accounts".to_owned(),
            json!({"name": format!("mallory{n}"), "role": "admin", "password": "mallory-pass"}),
        ),
        (
            Method::PUT,
            "/admin/v1/accounts/vic".to_owned(),
            json!({"role": "admin"}),
        ),
        (
            Method::PUT,
            "/admin/v1/accounts/vic/password".to_owned(),
            json!({"password": "vic-new-pass-1"}),
        ),
        (
            Method::POST,
            "/admin/v1/accounts/ada/tokens".to_owned(),
            json!({"label": "kept"}),
        ),
        (
            Method::POST,
            "/admin/v1/accounts/vic/tokens".to_owned(),
            json!({"label": "kept"}),
        ),
    ];
    for (method, path, body) in calls {
        answers.push(call_as(server, Some(token), method, &path, Some(body)).await);
    }
    answers
}

fn all_refused(answers: &[(StatusCode, Value)]) {
    for (code, body) in answers {
        assert_eq!(
            (*code, body["code"].as_str()),
            (
                StatusCode::FORBIDDEN,
                Some("password_confirmation_required")
            ),
            "{body}"
        );
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("15 minutes"), "{message}");
        assert!(message.contains("/admin/v1/session/confirm"), "{message}");
    }
}

fn all_done(answers: &[(StatusCode, Value)]) {
    for (code, body) in answers {
        assert!(code.is_success(), "{code} {body}");
    }
}

async fn setup(dir: &std::path::Path) -> ServerHandle {
    let server = start(dir, &Vendor::new()).await;
    make_account(&server, "ada", "admin", PASSWORD).await;
    make_account(&server, "vic", "viewer", "vic-password-1").await;
    server
}

async fn state(server: &ServerHandle) -> Value {
    let (_, accounts) = call(server, Method::GET, "/admin/v1/accounts", None, true).await;
    accounts
}

#[tokio::test]
async fn a_session_left_open_hands_out_nothing_until_its_password_is_given_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path()).await;
    let before = server.engine().now().0;
    let ada = session_token(&server, "ada", PASSWORD).await;
    let after = server.engine().now().0;
    let window = |me: &Value, from: i64, to: i64| {
        let until = me["confirmedUntil"].as_i64().unwrap();
        assert!(
            (from + 15 * 60_000..=to + 15 * 60_000).contains(&until),
            "{me}"
        );
    };

    // The session says until when; the local admin's token is never asked.
    let (_, me) = call_as(&server, Some(&ada), Method::GET, "/admin/v1/session", None).await;
    window(&me, before, after);
    assert_eq!(me["dataDirToken"], json!(false), "{me}");
    let (_, local) = call(&server, Method::GET, "/admin/v1/session", None, true).await;
    assert_eq!(local["dataDirToken"], json!(true), "{local}");
    assert!(local.get("confirmedUntil").is_none(), "{local}");

    // Used all along, the session still ages: use does not confirm.
    for _ in 0..4 {
        server.engine().skip_time(Duration::from_secs(4 * 60));
        let (code, _) = call_as(&server, Some(&ada), Method::GET, "/admin/v1/status", None).await;
        assert_eq!(code, StatusCode::OK);
    }
    let accounts = state(&server).await;
    all_refused(&hand_out(&server, &ada, 1).await);
    assert_eq!(state(&server).await, accounts, "a refusal changed nothing");

    // What takes access away stays open: revoking, removing.
    let (code, body) = call_as(
        &server,
        Some(&ada),
        Method::DELETE,
        "/admin/v1/accounts/vic/tokens",
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");

    // A wrong password is no confirmation.
    let (code, body) = confirm(&server, &ada, "not-her-password").await;
    assert_eq!(
        (code, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("sign_in_failed"))
    );
    all_refused(&hand_out(&server, &ada, 2).await);

    // The right one opens the next 15 minutes, and the log names who.
    let before = server.engine().now().0;
    let (code, me) = confirm(&server, &ada, PASSWORD).await;
    assert_eq!(code, StatusCode::OK, "{me}");
    window(&me, before, server.engine().now().0);
    all_done(&hand_out(&server, &ada, 3).await);
    let events = common::logged(&server).await;
    assert!(
        events
            .iter()
            .any(|e| e["message"] == "`ada` confirmed their password" && e["by"] == "ada"),
        "{events:?}"
    );

    // Past them it is asked again.
    server.engine().skip_time(Duration::from_secs(15 * 60 + 1));
    all_refused(&hand_out(&server, &ada, 4).await);
}

#[tokio::test]
async fn each_session_confirms_for_itself_and_tokens_are_never_asked() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path()).await;
    let old = session_token(&server, "ada", PASSWORD).await;
    server.engine().skip_time(Duration::from_secs(20 * 60));
    // A new sign-in of the same account does not vouch for the old session.
    let fresh = session_token(&server, "ada", PASSWORD).await;
    all_refused(&hand_out(&server, &old, 1).await);
    all_done(&hand_out(&server, &fresh, 2).await);

    // A token for scripts is a secret kept on purpose: never asked.
    let (code, made) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts/ada/tokens",
        Some(json!({"label": "nightly"})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{made}");
    let script = made["token"].as_str().unwrap().to_owned();
    server.engine().skip_time(Duration::from_secs(24 * 3600));
    all_done(&hand_out(&server, &script, 3).await);
    let (code, me) = confirm(&server, &script, "anything at all").await;
    assert_eq!(code, StatusCode::OK, "{me}");
    assert!(me.get("confirmedUntil").is_none(), "{me}");
    // An empty password is no password, for anyone (the document says so).
    let (code, body) = confirm(&server, &script, "").await;
    assert_eq!(
        (code, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field")),
        "{body}"
    );
    // Nor the data directory's token (the machine's owner).
    let (code, body) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts",
        Some(json!({"name": "late", "role": "viewer"})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn guessing_through_changing_ones_own_password_meets_the_sign_in_wait() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path()).await;
    let ada = session_token(&server, "ada", PASSWORD).await;
    let change = |current: String| {
        call_as(
            &server,
            Some(&ada),
            Method::PUT,
            "/admin/v1/accounts/ada/password",
            Some(json!({"password": "taken-over-1", "currentPassword": current})),
        )
    };
    for guess in 0..5 {
        let (code, body) = change(format!("guess-{guess}")).await;
        assert_eq!(code, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (code, body) = change(PASSWORD.to_owned()).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_sign_ins")),
        "{body}"
    );
    // Still hers, and the log says someone guessed.
    let (code, _) = common::accounts::sign_in(&server, "ada", PASSWORD).await;
    assert_eq!(code, StatusCode::TOO_MANY_REQUESTS, "from here, it waits");
    server.engine().skip_time(Duration::from_secs(31));
    assert_eq!(
        common::accounts::sign_in(&server, "ada", PASSWORD).await.0,
        StatusCode::CREATED
    );
    let events = common::logged(&server).await;
    let wrong = events
        .iter()
        .filter(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("a wrong password for `ada`"))
        })
        .count();
    assert_eq!(wrong, 5, "{events:?}");
}

#[tokio::test]
async fn guessing_the_password_through_confirm_meets_the_sign_in_wait() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(dir.path()).await;
    let ada = session_token(&server, "ada", PASSWORD).await;
    server.engine().skip_time(Duration::from_secs(16 * 60));
    for guess in 0..5 {
        let (code, _) = confirm(&server, &ada, &format!("guess-{guess}")).await;
        assert_eq!(code, StatusCode::UNAUTHORIZED);
    }
    // The sixth, right or not, waits; and so does signing in from here.
    let (code, body) = confirm(&server, &ada, PASSWORD).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_sign_ins")),
        "{body}"
    );
    let (code, _) = common::accounts::sign_in(&server, "ada", PASSWORD).await;
    assert_eq!(code, StatusCode::TOO_MANY_REQUESTS);
    all_refused(&hand_out(&server, &ada, 1).await);
    // After the wait, the right password confirms.
    server.engine().skip_time(Duration::from_secs(31));
    let (code, body) = confirm(&server, &ada, PASSWORD).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    all_done(&hand_out(&server, &ada, 2).await);
}
