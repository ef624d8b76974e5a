//! How many durable grants a second the store takes: N concurrent callers,
//! each looping `apply([PutLease, AppendEvent])` (what a grant writes) for a
//! fixed time, once with `Durability::Full` and once with `Normal`.
//!
//! `cargo run --release -p leasehold-server --example store_bench -- [APPLIERS] [SECONDS] [DIR]`
//! (defaults: 64 appliers, 2 s, a temporary directory under the system temp dir).

use leasehold_core::event::{Event, EventKind};
use leasehold_core::lease::{Holder, Lease};
use leasehold_core::{ClientId, LeaseId, Product, Timestamp};
use leasehold_server::store::{Durability, Op, Store, StoreOptions};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn grant(seq: u64) -> Vec<Op> {
    let now = Timestamp::now();
    let lease = Lease {
        id: LeaseId::random(),
        product: Product::from("cad"),
        holder: Holder {
            client_id: ClientId(format!("ws-{seq}")),
            user: "ann".into(),
            host: "ws-12.lan".into(),
            app_name: "Draw".into(),
            app_version: "2.1.0".into(),
            address: "192.168.1.20:51000".into(),
            computer: leasehold_core::computer::Computer::UNKNOWN,
        },
        granted_at: now,
        renewed_at: now,
        expires_at: now.plus_millis(90_000),
        lease_secs: 90,
        overdraft: false,
        units: 1,
    };
    let mut event = Event::new(
        EventKind::Grant,
        now,
        format!("granted cad to ann@ws-{seq}"),
    )
    .about(&lease);
    event.seq = seq;
    vec![Op::PutLease(lease), Op::AppendEvent(event)]
}

async fn run(
    durability: Durability,
    appliers: usize,
    secs: u64,
    base: &std::path::Path,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(base)?;
    let (store, _) = Store::open(
        dir.path(),
        StoreOptions {
            durability,
            ..StoreOptions::default()
        },
    )?;
    let seq = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let latency_us = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..appliers {
        let (store, seq, done, latency_us) =
            (store.clone(), seq.clone(), done.clone(), latency_us.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let t = Instant::now();
                store
                    .apply(grant(seq.fetch_add(1, Ordering::Relaxed) + 1))
                    .await?;
                latency_us.fetch_add(
                    u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX),
                    Ordering::Relaxed,
                );
                done.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    store.close().await;
    let n = done.load(Ordering::Relaxed);
    let mean_ms = latency_us.load(Ordering::Relaxed) as f64 / n.max(1) as f64 / 1000.0;
    println!(
        "{durability:?}: {n} grants in {elapsed:.2} s = {:.0} grants/s with {appliers} appliers (mean apply {mean_ms:.2} ms)",
        n as f64 / elapsed
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let appliers: usize = args.next().map_or(Ok(64), |a| a.parse())?;
    let secs: u64 = args.next().map_or(Ok(2), |a| a.parse())?;
    let base = args
        .next()
        .map_or_else(std::env::temp_dir, std::path::PathBuf::from);
    for durability in [Durability::Full, Durability::Normal] {
        run(durability, appliers, secs, &base).await?;
    }
    Ok(())
}
