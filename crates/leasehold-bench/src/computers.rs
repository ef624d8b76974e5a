//! The Computers list at scale: `GET /admin/v1/computers` pages with every
//! lease of the scale run held (first page with no copy yet, warm pages,
//! pages after a cursor, a search, another sort), and what a checkout waits
//! while the list is being made (the hardening review saw 7 s).

use crate::clients::{Grant, checkout_body};
use crate::http::Conn;
use crate::load;
use crate::report::{Report, Target, Unit, percentile_ms};
use crate::scenarios::Baseline;
use crate::setup::{Leasehold, SCARCE};
use anyhow::{Context, Result, bail};
use hdrhistogram::Histogram;
use serde::Deserialize;
use std::time::{Duration, Instant};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    rows: Vec<serde_json::Value>,
    matching: u64,
    seats: u64,
    next_cursor: Option<String>,
}

async fn page(conn: &mut Conn, query: &str) -> Result<(Duration, Page)> {
    let t = Instant::now();
    let (status, body) = conn.get(&format!("/admin/v1/computers?{query}")).await?;
    let took = t.elapsed();
    if !status.is_success() {
        bail!(
            "computers {query}: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    let page = serde_json::from_slice(&body).context("a Computers page")?;
    Ok((took, page))
}

fn record(h: &mut Histogram<u64>, d: Duration) {
    h.saturating_record(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Measures the list with `held` leases held; fails the run when a page
/// does not show them all.
///
/// # Errors
/// When the server does not answer.
pub async fn run(
    server: &Leasehold,
    held: u64,
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    let mut admin = Conn::open_admin(server.addr(), &server.token).await?;
    let target = |t| (held >= 1_000_000).then_some(t);

    // The first page makes the copy; checkouts meanwhile wait at most for
    // one piece of it.
    let addr = server.addr();
    let token = server.token.clone();
    let first = tokio::spawn(async move {
        let mut conn = Conn::open_admin(addr, &token).await?;
        page(&mut conn, "limit=200").await
    });
    let during = checkouts_while(server, "list-cold", &first).await?;
    let (cold, first) = first.await??;
    // (Checkouts run meanwhile: a seat or two more may be held and listed.)
    if first.seats < held || first.matching < held || first.rows.len() != 200 {
        report.fail(format!(
            "the Computers list showed {} seats, {} listed, {} rows, with {held} held",
            first.seats,
            first.matching,
            first.rows.len()
        ));
    }
    report.add(
        format!("Computers: first page, {held} leases, no copy yet"),
        ms(cold),
        Unit::Millis,
        Some(base.p50),
        None,
    );
    report.add(
        "Computers: checkout while that first copy is made, max".to_owned(),
        percentile_ms(&during, 1.0),
        Unit::Millis,
        Some(base.p50),
        None,
    );

    let mut warm = load::histogram();
    for _ in 0..50 {
        record(&mut warm, page(&mut admin, "limit=200").await?.0);
    }
    report.add(
        format!("Computers: a page of 200 with {held} leases, p50"),
        percentile_ms(&warm, 0.5),
        Unit::Millis,
        Some(base.p50),
        None,
    );
    report.add(
        format!("Computers: a page of 200 with {held} leases, p99"),
        percentile_ms(&warm, 0.99),
        Unit::Millis,
        Some(base.p50),
        target(Target::AtMost(50.0)),
    );

    let mut deep = load::histogram();
    let mut cursor = first.next_cursor.clone();
    for _ in 0..20 {
        let Some(c) = cursor.take() else { break };
        let (took, p) = page(&mut admin, &format!("limit=200&cursor={c}")).await?;
        record(&mut deep, took);
        cursor = p.next_cursor;
    }
    report.add(
        "Computers: the next 20 pages by cursor, max".to_owned(),
        percentile_ms(&deep, 1.0),
        Unit::Millis,
        Some(base.p50),
        None,
    );

    // A host name in the middle of the list (see `checkout_body`).
    let wanted = format!("text=ws-scale-{}.lan", held / 2);
    let (search_cold, found) = page(&mut admin, &wanted).await?;
    let (search_warm, _) = page(&mut admin, &wanted).await?;
    if found.matching != 1 {
        report.fail(format!(
            "a search for one computer found {}",
            found.matching
        ));
    }
    report.add(
        "Computers: a search, first time (every lease looked at)".to_owned(),
        ms(search_cold),
        Unit::Millis,
        Some(base.p50),
        None,
    );
    report.add(
        "Computers: the same search again".to_owned(),
        ms(search_warm),
        Unit::Millis,
        Some(base.p50),
        None,
    );
    let (sort_cold, _) = page(&mut admin, "sort=expires&order=desc").await?;
    report.add(
        "Computers: another sort, first time".to_owned(),
        ms(sort_cold),
        Unit::Millis,
        Some(base.p50),
        None,
    );

    // Four admins sort by four new keys at once; checkouts meanwhile.
    let sorts = ["user", "product", "address", "app"].map(|sort| {
        let token = server.token.clone();
        tokio::spawn(async move {
            let mut conn = Conn::open_admin(addr, &token).await?;
            page(&mut conn, &format!("sort={sort}")).await
        })
    });
    let all = tokio::spawn(async move {
        for s in sorts {
            s.await??;
        }
        Ok::<_, anyhow::Error>((
            Duration::ZERO,
            Page {
                rows: Vec::new(),
                matching: 0,
                seats: 0,
                next_cursor: None,
            },
        ))
    });
    let during = checkouts_while(server, "list-sorts", &all).await?;
    all.await??;
    report.add(
        "Computers: checkout while 4 new sorts are made, max".to_owned(),
        percentile_ms(&during, 1.0),
        Unit::Millis,
        Some(base.p50),
        None,
    );
    Ok(())
}

/// Checks out (and releases) seats of the scarce product one after another
/// until `job` ends (at least one, at most 2,000); their latencies.
async fn checkouts_while<T>(
    server: &Leasehold,
    group: &str,
    job: &tokio::task::JoinHandle<T>,
) -> Result<Histogram<u64>> {
    let mut conn = Conn::open(server.addr()).await?;
    let mut h = load::histogram();
    for n in 0..2_000 {
        let t = Instant::now();
        let (status, body) = conn
            .post("/v1/checkout", checkout_body(SCARCE, group, n))
            .await?;
        record(&mut h, t.elapsed());
        if !status.is_success() {
            bail!(
                "checkout during the list: {status} {}",
                String::from_utf8_lossy(&body)
            );
        }
        let grant: Grant = serde_json::from_slice(&body)?;
        conn.post(
            &format!("/v1/leases/{}/release", grant.lease_id),
            bytes::Bytes::new(),
        )
        .await?;
        if job.is_finished() {
            break;
        }
    }
    Ok(h)
}
