//! Consumption tokens on a real server: a key spends once however often and
//! however concurrently it is sent, across a restart too; the balance never
//! goes below zero but for the token overdraft; the admin sees the ledger.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use leasehold_core::license::{LicenseTerms, SeatRules, TokenPeriod, Tokens};
use leasehold_server::ServerHandle;
use serde_json::{Value, json};
use std::time::Duration;

fn tokens_code(vendor: &Vendor, units: u64, period: TokenPeriod, overdraft: u64) -> String {
    vendor.issue(&LicenseTerms {
        seat_rules: SeatRules {
            tokens: Some(Tokens {
                units,
                period,
                overdraft,
            }),
            ..SeatRules::default()
        },
        ..vendor.terms("cad", 5)
    })
}

async fn spend(server: &ServerHandle, amount: u64, key: &str) -> (StatusCode, Value) {
    let body = json!({ "product": "cad", "amount": amount, "idempotencyKey": key,
        "clientId": "pc-1", "user": "ann", "note": format!("job {key}") });
    call(server, Method::POST, "/v1/usage", Some(body), false).await
}

async fn ledger(server: &ServerHandle) -> Value {
    let (status, page) = call(server, Method::GET, "/admin/v1/usage/ledger", None, true).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

fn spent_of(page: &Value) -> u64 {
    page["balances"][0]["spent"].as_u64().unwrap()
}

#[tokio::test]
async fn a_key_spends_once_and_is_answered_with_its_first_spend() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &tokens_code(&vendor, 100, TokenPeriod::Month, 0)).await;

    let (status, first) = spend(&server, 30, "job-1").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["replayed"], false);
    assert_eq!(first["spend"]["left"], 70);
    for _ in 0..3 {
        let (status, again) = spend(&server, 30, "job-1").await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["replayed"], true);
        assert_eq!(again["spend"], first["spend"], "the original answer");
    }
    // The same key for another amount is a mistake, said as such.
    let (status, reused) = spend(&server, 31, "job-1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reused}");
    assert_eq!(reused["code"], "idempotency_key_reused");

    let page = ledger(&server).await;
    assert_eq!(spent_of(&page), 30);
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{page}");
    assert_eq!(entries[0]["spend"]["user"], "ann");
    assert_eq!(entries[0]["spend"]["note"], "job job-1");
    // The status shows the balance too.
    let (_, status_view) = call(&server, Method::GET, "/admin/v1/status", None, true).await;
    assert_eq!(
        status_view["products"][0]["tokens"]["spent"], 30,
        "{status_view}"
    );
    let metrics = metrics_text(&server).await;
    assert!(
        metrics.contains("leasehold_tokens_spent{product=\"cad\"} 30"),
        "{metrics}"
    );

    // After a restart, the key still spends nothing more and the balance
    // is what it was.
    server.shutdown().await;
    let server = start(dir.path(), &vendor).await;
    let (status, again) = spend(&server, 30, "job-1").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["spend"], first["spend"]);
    assert_eq!(spent_of(&ledger(&server).await), 30);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_of_the_same_keys_spend_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = std::sync::Arc::new(start(dir.path(), &vendor).await);
    add_license(
        &server,
        &tokens_code(&vendor, 1_000_000, TokenPeriod::None, 0),
    )
    .await;
    // 40 keys, each sent by 5 tasks at once.
    let mut tasks = Vec::new();
    for round in 0..5 {
        for k in 0..40u64 {
            let server = std::sync::Arc::clone(&server);
            tasks.push(tokio::spawn(async move {
                let (status, answer) = spend(&server, k + 1, &format!("key-{k}")).await;
                assert_eq!(status, StatusCode::OK, "round {round}: {answer}");
                (k, answer["spend"].clone())
            }));
        }
    }
    let mut answers: std::collections::HashMap<u64, Value> = std::collections::HashMap::new();
    for t in tasks {
        let (k, spend) = t.await.unwrap();
        let first = answers.entry(k).or_insert_with(|| spend.clone());
        assert_eq!(
            *first, spend,
            "every sender of key-{k} hears the same spend"
        );
    }
    let page = ledger(&server).await;
    assert_eq!(spent_of(&page), (1..=40).sum::<u64>());
    assert_eq!(page["entries"].as_array().unwrap().len(), 40);
    std::sync::Arc::into_inner(server).unwrap().shutdown().await;
}

#[tokio::test]
async fn the_balance_stops_at_zero_unless_the_licence_gives_an_overdraft() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let (status, none) = spend(&server, 1, "x").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{none}");
    assert_eq!(none["code"], "tokens_not_licensed");

    add_license(&server, &tokens_code(&vendor, 10, TokenPeriod::Month, 0)).await;
    assert_eq!(spend(&server, 8, "a").await.0, StatusCode::OK);
    let (status, refused) = spend(&server, 3, "b").await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["code"], "tokens_exhausted");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("2 tokens left"),
        "{refused}"
    );
    // A retry of a spend that landed is still answered as such when the
    // balance has run out since.
    assert_eq!(spend(&server, 2, "c").await.0, StatusCode::OK);
    let (status, retry) = spend(&server, 8, "a").await;
    assert_eq!(status, StatusCode::OK, "{retry}");
    assert_eq!(retry["replayed"], true);
    assert_eq!(spent_of(&ledger(&server).await), 10);

    // A second code with an overdraft: the part beyond is flagged.
    add_license(&server, &tokens_code(&vendor, 5, TokenPeriod::Month, 5)).await;
    let (status, over) = spend(&server, 8, "d").await;
    assert_eq!(status, StatusCode::OK, "{over}");
    assert_eq!(over["spend"]["over"], 3, "5 left of the balance, 3 beyond");
    assert_eq!(over["spend"]["left"], 0);
    let (_, events) = call(
        &server,
        Method::GET,
        "/admin/v1/events?kind=token_overdraft",
        None,
        true,
    )
    .await;
    let events = events["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0]["message"].as_str().unwrap().contains("3 of cad"),
        "{events:?}"
    );
    let metrics = metrics_text(&server).await;
    assert!(
        metrics.contains("leasehold_tokens_over_licence{product=\"cad\"} 3"),
        "{metrics}"
    );
    assert_eq!(
        spend(&server, 3, "e").await.0,
        StatusCode::CONFLICT,
        "the overdraft has 2 left"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn tokens_are_given_again_when_the_period_turns() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &tokens_code(&vendor, 10, TokenPeriod::Month, 0)).await;
    assert_eq!(spend(&server, 10, "this-month").await.0, StatusCode::OK);
    assert_eq!(spend(&server, 1, "more").await.0, StatusCode::CONFLICT);
    server.engine().skip_time(Duration::from_secs(32 * 86_400));
    let (status, next) = spend(&server, 10, "next-month").await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_eq!(next["spend"]["left"], 0);
    // Last month's key is still answered with its spend.
    let (status, old) = spend(&server, 10, "this-month").await;
    assert_eq!(
        (status, old["replayed"].clone()),
        (StatusCode::OK, json!(true))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn bad_spends_are_refused_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &tokens_code(&vendor, 10, TokenPeriod::Month, 0)).await;
    let cases = [
        (
            json!({"product": "cad", "amount": 0, "idempotencyKey": "k", "clientId": "pc"}),
            "amount",
        ),
        (
            json!({"product": "cad", "amount": 1, "idempotencyKey": "", "clientId": "pc"}),
            "idempotencyKey",
        ),
        (
            json!({"product": "cad", "amount": 1, "idempotencyKey": "k".repeat(129), "clientId": "pc"}),
            "idempotencyKey",
        ),
        (
            json!({"product": "cad", "amount": 1, "idempotencyKey": "k", "clientId": "pc", "note": "\u{202e}x"}),
            "note",
        ),
    ];
    for (body, field) in cases {
        let (status, refused) = call(&server, Method::POST, "/v1/usage", Some(body), false).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused["code"], "invalid_field");
        assert!(
            refused["message"].as_str().unwrap().starts_with(field),
            "{refused}"
        );
    }
    assert_eq!(spent_of(&ledger(&server).await), 0);
    server.shutdown().await;
}
