//! What the admin's seat policy costs a checkout, with 100 rules as a ratio
//! to none: as a client pays it (checkout and release through a real
//! `leasehold serve`, the target), and inside the lease table, where the
//! policy decides under the table's lock (what it takes from the server's
//! most contended moment; the store and HTTP hide it from the client).

use crate::report::{Report, Target, Unit};
use crate::setup::{Leasehold, ServeOpts, Vendor};
use anyhow::{Result, anyhow};
use leasehold_core::lease::Holder;
use leasehold_core::license::LicenseTerms;
use leasehold_core::policy::Policy;
use leasehold_core::table::{CheckoutRequest, LeaseTable};
use leasehold_core::{ClientId, LicenseId, Product, Timestamp};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

/// Leases held while timing (the counters see them all; `--quick`: 500).
const HELD: usize = 10_000;
/// Checkout-and-release rounds timed (`--quick`: 1,000).
const ROUNDS: usize = 200_000;

fn ask(i: usize) -> CheckoutRequest {
    CheckoutRequest {
        product: Product::from("cad"),
        holder: Holder {
            client_id: ClientId::from(format!("pc-{i}")),
            user: format!("user-{}", i % 500),
            host: format!("ws-{i}"),
            app_name: String::new(),
            app_version: String::new(),
            address: String::new(),
            computer: leasehold_core::computer::Computer::UNKNOWN,
        },
        units: 1,
    }
}

/// 100 rules on `cad`: 10 groups of 10 users; 40 `max` on users, 30 on
/// hosts, 10 on groups; 10 `reserve` for groups; 10 `exclude`.
fn hundred_rules() -> String {
    let mut text = String::from("[groups]\n");
    for g in 0..10 {
        let users: Vec<String> = (0..10)
            .map(|u| format!("\"user-{}\"", g * 10 + u))
            .collect();
        let _ = writeln!(text, "g{g} = {{ users = [{}] }}", users.join(", "));
    }
    text.push_str("\n[products.cad]\nmax = [\n");
    for u in 0..40 {
        let _ = writeln!(
            text,
            "  {{ seats = 1000, for = \"user:user-{}\" }},",
            100 + u
        );
    }
    for h in 0..30 {
        let _ = writeln!(text, "  {{ seats = 1000, for = \"host:ws-{h}\" }},");
    }
    for g in 0..10 {
        let _ = writeln!(text, "  {{ seats = 100000, for = \"group:g{g}\" }},");
    }
    text.push_str("]\nreserve = [\n");
    for g in 0..10 {
        let _ = writeln!(text, "  {{ seats = 1, for = \"group:g{g}\" }},");
    }
    text.push_str("]\nexclude = [\n");
    for x in 0..10 {
        let _ = writeln!(text, "  \"user:nobody-{x}\",");
    }
    text.push_str("]\n");
    text
}

fn time_checkouts(policy: Option<Arc<Policy>>, (held, rounds): (usize, usize)) -> f64 {
    let mut table = LeaseTable::new();
    table.add_license(LicenseTerms {
        license_id: LicenseId::random(),
        product: Product::from("cad"),
        seats: 1_000_000,
        valid_from: None,
        valid_until: None,
        features: Vec::new(),
        customer: "Bench Ltd".into(),
        lease_secs: 600,
        node_lock: None,
        issued_at: Timestamp(0),
        activation_required: false,
        max_activations: 0,
        seat_rules: Default::default(),
    });
    if let Some(p) = policy {
        table.set_policy(p);
    }
    let now = Timestamp(0);
    for i in 0..held {
        let _ = table.checkout(&ask(i), now);
    }
    let started = Instant::now();
    for r in 0..rounds {
        if let Ok(g) = table.checkout(&ask(held + r), now)
            && let Some(ended) = table.release(g.lease.id)
        {
            table.settle(&ended);
        }
    }
    started.elapsed().as_secs_f64() * 1e6 / rounds as f64
}

/// Rounds of checkout and release timed through a server (`--quick`: 30).
const SERVER_ROUNDS: u32 = 1_000;

/// Checkout and release through a server holding `policy` (none: `None`),
/// ms per round.
async fn through_server(
    serve: &ServeOpts,
    vendor: &Vendor,
    policy: Option<&str>,
    rounds: u32,
) -> Result<f64> {
    let dir = tempfile::tempdir()?;
    if let Some(text) = policy {
        std::fs::write(dir.path().join("policy.toml"), text)?;
    }
    let server = Leasehold::start(serve, dir.path()).await?;
    server
        .add_codes(&[vendor.code("cad", 1_000_000, 600)?])
        .await?;
    let client = leasehold_client::Client::builder()
        .server(server.addr().to_string())
        .vendor_key(vendor.public().parse().map_err(|e| anyhow!("{e}"))?)
        .client_id("policy-bench")
        .user("user-150")
        .host("ws-bench")
        .build()?;
    for _ in 0..rounds / 10 {
        client.checkout("cad").await?.release().await?;
    }
    let started = Instant::now();
    for _ in 0..rounds {
        client.checkout("cad").await?.release().await?;
    }
    Ok(started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds))
}

/// Adds the cost of a checkout and release with 100 rules, and its ratio to
/// none, through a server and in the table.
///
/// # Errors
/// When the bench's policy does not parse, or a server or checkout fails.
pub async fn run(
    serve: &ServeOpts,
    vendor: &Vendor,
    quick: bool,
    report: &mut Report,
) -> Result<()> {
    let size = if quick { (500, 1_000) } else { (HELD, ROUNDS) };
    let server_rounds = if quick { 30 } else { SERVER_ROUNDS };
    eprintln!("== policy: checkout with 100 rules vs none (through a server, and in the table)");
    let text = hundred_rules();
    let (mut bare_ms, mut ruled_ms) = (f64::MAX, f64::MAX);
    for _ in 0..2 {
        bare_ms = bare_ms.min(through_server(serve, vendor, None, server_rounds).await?);
        ruled_ms = ruled_ms.min(through_server(serve, vendor, Some(&text), server_rounds).await?);
    }
    report.add_vs(
        "policy: checkout + release through a server, no policy",
        bare_ms,
        Unit::Millis,
        None,
        "none",
        None,
    );
    report.add_vs(
        "policy: checkout + release through a server, 100 rules",
        ruled_ms,
        Unit::Millis,
        Some(bare_ms),
        "no policy",
        Some(Target::RatioAtMost(1.1)),
    );
    let policy = Arc::new(
        Policy::parse(&text, "policy.toml")
            .map_err(|e| anyhow::anyhow!("the bench policy: {e}"))?,
    );
    // Each twice, in turn, the best kept.
    let (mut bare, mut ruled) = (f64::MAX, f64::MAX);
    for _ in 0..2 {
        bare = bare.min(time_checkouts(None, size));
        ruled = ruled.min(time_checkouts(Some(Arc::clone(&policy)), size));
    }
    report.add_vs(
        "policy: checkout + release in the table, no policy",
        bare,
        Unit::Micros,
        None,
        "none",
        None,
    );
    report.add_vs(
        "policy: checkout + release in the table, 100 rules",
        ruled,
        Unit::Micros,
        Some(bare),
        "no policy",
        None,
    );
    Ok(())
}
