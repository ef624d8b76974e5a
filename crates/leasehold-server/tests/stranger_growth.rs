//! Nothing a client without a licence sends grows memory or the store past a
//! fixed bound: 200,000 checkouts, each naming a product nobody has a code
//! for. (Alone in its test binary, so the RSS it reads is its own.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use common::{Vendor, add_license, start};
use leasehold_core::CorrelationId;
use leasehold_core::event::EventKind;
use leasehold_core::wire::client::CheckoutRequest;
use leasehold_server::store::{EventQuery, MAX_EVENTS};

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

fn ask(product: String, i: u32) -> CheckoutRequest {
    common::checkout_request(&product, &format!("stranger-{i}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_thousand_unknown_products_grow_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let engine = server.engine().clone();
    // Warm up allocator arenas and the event tail before measuring.
    for i in 0..10_000 {
        let _ = engine
            .checkout(
                ask(format!("warm-{i}"), i),
                "127.0.0.1:1".into(),
                CorrelationId::random(),
            )
            .await;
    }
    server.store_flush().await;
    let before = rss_kib();
    for i in 0..200_000u32 {
        let denied = engine
            .checkout(
                ask(format!("product-nobody-licensed-{i:08}"), i),
                "127.0.0.1:1".into(),
                CorrelationId::random(),
            )
            .await;
        assert!(denied.is_err());
        // And a licensed product out of seats, over and over.
        if i % 10 == 0 {
            let _ = engine
                .checkout(
                    ask("cad".into(), i),
                    "127.0.0.1:1".into(),
                    CorrelationId::random(),
                )
                .await;
        }
    }
    server.store_flush().await;
    let grown_kib = rss_kib().saturating_sub(before);
    println!("RSS grew by {grown_kib} KiB over 200,000 unknown-product checkouts");
    assert!(grown_kib < 20 * 1024, "RSS grew by {grown_kib} KiB");

    let denials = engine
        .store()
        .events(EventQuery {
            kinds: vec![EventKind::Deny],
            limit: MAX_EVENTS,
            ..EventQuery::default()
        })
        .await
        .unwrap();
    println!("deny events stored: {}", denials.len());
    assert!(
        denials.len() <= 6,
        "one per bucket per minute, not one per denial: {}",
        denials.len()
    );
    let usage = engine.usage();
    assert_eq!(
        usage.len(),
        1,
        "only the licensed product has figures: {usage:?}"
    );
    server.shutdown().await;
}
