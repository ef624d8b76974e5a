//! A clock set back more than a day behind the latest time the server saw
//! holds back codes with dates until it is right; NTP-size steps and a
//! suspend do not. Played with the server's own clock, moved by the test.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use axum::http::{Method, StatusCode};
use common::{Vendor, add_license, call, checkout, start};
use leasehold_core::license::{LicenseTerms, valid_until_date};
use leasehold_server::ServerHandle;
use serde_json::Value;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

fn dated(vendor: &Vendor, product: &str, seats: u32) -> String {
    vendor.issue(&LicenseTerms {
        valid_until: Some(valid_until_date("2099-12-31").unwrap()),
        ..vendor.terms(product, seats)
    })
}

async fn status(server: &ServerHandle) -> Value {
    call(server, Method::GET, "/admin/v1/status", None, true)
        .await
        .1
}

async fn seats_of(server: &ServerHandle, product: &str) -> u64 {
    let status = status(server).await;
    status["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["product"] == product)
        .map_or(0, |p| p["seats"].as_u64().unwrap())
}

async fn clock_events(server: &ServerHandle) -> usize {
    let path = "/admin/v1/events?kind=clock_set_back";
    let (_, page) = call(server, Method::GET, path, None, true).await;
    page["events"].as_array().unwrap().len()
}

#[tokio::test]
async fn codes_with_dates_wait_while_the_clock_is_set_back() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &dated(&vendor, "cad", 10)).await;
    add_license(&server, &vendor.code("cad", 2)).await;
    add_license(&server, &dated(&vendor, "sim", 3)).await;
    let engine = server.engine();
    let clock = engine.clock().clone();
    engine.note_time_now();

    // An NTP correction, and a suspend and resume: nothing changes.
    clock.skip_back(Duration::from_secs(30));
    engine.note_time();
    clock.skip(8 * HOUR);
    engine.note_time();
    assert!(status(&server).await["clockSetBack"].is_null());
    assert_eq!(seats_of(&server, "cad").await, 12);
    engine.note_time_now();

    // Set back two days: only the code without dates counts.
    clock.skip_back(48 * HOUR);
    engine.note_time();
    let s = status(&server).await;
    let message = s["clockSetBack"]["message"].as_str().unwrap();
    assert!(message.contains("48 hours behind"), "{message}");
    assert_eq!(seats_of(&server, "cad").await, 2);
    assert_eq!(seats_of(&server, "sim").await, 0);
    let (status_code, body) = checkout(&server, "sim", "pc-1").await;
    assert_eq!(status_code, StatusCode::CONFLICT);
    assert_eq!(body["code"], "clock_set_back", "{body}");
    let (_, list) = call(&server, Method::GET, "/admin/v1/licenses", None, true).await;
    let held: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["state"] == "clockSetBack")
        .collect();
    assert_eq!(held.len(), 2);
    assert_eq!(clock_events(&server).await, 1);
    // Noticed again a minute later: one event, not one a minute.
    clock.skip(Duration::from_secs(60));
    engine.note_time();
    assert_eq!(clock_events(&server).await, 1);

    // The clock right again: everything counts.
    clock.skip(48 * HOUR);
    engine.note_time();
    assert!(status(&server).await["clockSetBack"].is_null());
    assert_eq!(seats_of(&server, "cad").await, 12);
    assert_eq!(checkout(&server, "sim", "pc-1").await.0, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn a_clock_set_back_while_the_server_was_down_is_noticed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &dated(&vendor, "cad", 5)).await;
    server.engine().note_time_now();
    server.shutdown().await;

    let clock = leasehold_server::clock::Clock::system();
    clock.skip_back(72 * HOUR);
    let mut config = leasehold_server::Config::ephemeral(dir.path());
    config.trust.push(vendor.key.public());
    config.clock = Some(clock);
    let server = leasehold_server::Server::start(config).await.unwrap();
    assert!(!status(&server).await["clockSetBack"].is_null());
    assert_eq!(seats_of(&server, "cad").await, 0);
    server.shutdown().await;
}
