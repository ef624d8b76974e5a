//! The queue under load: 1,000 clients wait for a product's one seat, each
//! following its ticket (long-polls, woken by every change of the queue);
//! the seat is released again and again, and each time the figure is how
//! long from the release until the first waiter holds the grant. Against a
//! real `leasehold serve` (full durability), the SDK's own calls.

use crate::report::{Report, Target, Unit};
use crate::setup::{Leasehold, ServeOpts, Vendor};
use anyhow::{Context, Result, anyhow};
use leasehold_client::ServerApi;
use leasehold_client::api::Waiting;
use leasehold_core::wire::client::CheckoutRequest;
use leasehold_core::{ClientId, LeaseId, Product};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const PRODUCT: &str = "queue-bench";
/// Clients waiting (`--quick`: 50).
const WAITERS: usize = 1000;
/// Releases timed (each hands the seat to the next waiter). Bounded so the
/// whole run stays well inside a ticket's 30 s (`--quick`: 20).
const ROUNDS: usize = 200;

fn request(i: usize) -> CheckoutRequest {
    CheckoutRequest {
        product: Product::from(PRODUCT),
        client_id: ClientId::from(format!("waiter-{i}")),
        user: format!("user-{i}"),
        host: format!("ws-{i}"),
        app_name: "bench".into(),
        app_version: "1".into(),
        computer: None,
        wait: true,
        units: None,
    }
}

/// Adds the p50 and p99 time from a release to the first waiter's grant.
///
/// # Errors
/// When the server does not start or a call fails.
pub async fn run(
    serve: &ServeOpts,
    vendor: &Vendor,
    quick: bool,
    report: &mut Report,
) -> Result<()> {
    let (waiters, rounds) = if quick { (50, 20) } else { (WAITERS, ROUNDS) };
    eprintln!("== queue: {waiters} waiters, release to the first waiter's grant");
    let dir = tempfile::tempdir()?;
    let server = Leasehold::start(serve, dir.path()).await?;
    server.add_codes(&[vendor.code(PRODUCT, 1, 600)?]).await?;
    let key = vendor.public().parse().map_err(|e| anyhow!("{e}"))?;
    let api = ServerApi::new(&server.addr().to_string())?.trusting(&[key]);
    let mut holder = match api.checkout_or_wait(&request(usize::MAX)).await? {
        Waiting::Granted(g) => g.lease_id,
        Waiting::Queued(_) => anyhow::bail!("the bench's first checkout had to wait"),
    };
    // Every waiter follows its ticket until it gets the seat, then reports.
    let (granted_tx, mut granted) = mpsc::unbounded_channel::<(usize, LeaseId)>();
    let mut tasks = Vec::with_capacity(waiters);
    for i in 0..waiters {
        let ticket = match api.checkout_or_wait(&request(i)).await? {
            Waiting::Queued(q) => q,
            Waiting::Granted(_) => anyhow::bail!("waiter {i} got a seat at once"),
        };
        let (api, tx) = (api.clone(), granted_tx.clone());
        tasks.push(tokio::spawn(async move {
            let req = request(i);
            let mut known = Some(ticket.position);
            loop {
                match api
                    .follow_ticket(ticket.ticket, &req, known, Duration::from_secs(20))
                    .await
                {
                    Ok(Waiting::Queued(q)) => known = Some(q.position),
                    Ok(Waiting::Granted(g)) => {
                        let _ = tx.send((i, g.lease_id));
                        return;
                    }
                    Err(e) => {
                        eprintln!("waiter {i}: {e}");
                        return;
                    }
                }
            }
        }));
    }
    // Every waiter's question is open before the first release.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut took = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let started = Instant::now();
        api.release(holder).await?;
        let (who, lease) = tokio::time::timeout(Duration::from_secs(10), granted.recv())
            .await
            .context("no waiter got the released seat within 10 s")?
            .context("every waiter stopped")?;
        took.push(started.elapsed().as_secs_f64() * 1000.0);
        if who != round {
            anyhow::bail!("the seat went to waiter {who}, not {round}, the first in line");
        }
        holder = lease;
    }
    for t in tasks {
        t.abort();
    }
    took.sort_by(f64::total_cmp);
    let at = |q: f64| took[((took.len() as f64 - 1.0) * q).round() as usize];
    report.add(
        format!("queue: release to the first of {waiters} waiters' grant, p50"),
        at(0.5),
        Unit::Millis,
        None,
        None,
    );
    report.add(
        format!("queue: release to the first of {waiters} waiters' grant, p99"),
        at(0.99),
        Unit::Millis,
        None,
        Some(Target::AtMost(50.0)),
    );
    Ok(())
}
