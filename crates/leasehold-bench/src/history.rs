//! The usage history read back: a year of hours and days (and a week of
//! minutes) for 100 products, written straight into a stopped server's
//! database, then `GET /admin/v1/usage` timed for a year of every product
//! by day and a month of every product by hour, each as a ratio to the bare
//! baseline's latency (target: a year in under 100 ms).

use crate::http::Conn;
use crate::report::{Report, Target, Unit};
use crate::scenarios::Baseline;
use crate::setup::{Leasehold, ServeOpts};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::time::{Duration, Instant};

const PRODUCTS: usize = 100;
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// Writes `days` of hours and days, and 7 days of minutes, per product.
fn fill(db: &Path, now: i64, days: i64) -> Result<u64> {
    let mut conn = rusqlite::Connection::open(db)?;
    let tx = conn.transaction()?;
    let mut rows = 0u64;
    for (table, step, span) in [
        ("usage_days", DAY_MS, days * DAY_MS),
        ("usage_hours", HOUR_MS, days * DAY_MS),
        ("usage_minutes", 60_000, 7 * DAY_MS),
    ] {
        let sql = format!(
            "INSERT INTO {table} (at, product, high, low, seats, denials, waiting, overdraft, tokens)
             VALUES (?1, ?2, ?3, ?4, 50, ?5, 0, 0, ?6)"
        );
        let mut insert = tx.prepare(&sql)?;
        let first = (now - span) / step * step;
        let mut at = first;
        while at < now {
            for p in 0..PRODUCTS {
                let wave = (at / step + p as i64) % 40;
                insert.execute(rusqlite::params![
                    at,
                    format!("product-{p:03}"),
                    10 + wave,
                    wave / 2,
                    wave % 3,
                    wave * 7
                ])?;
                rows += 1;
            }
            at += step;
        }
    }
    tx.commit()?;
    Ok(rows)
}

/// Times `path` `n` times; the median and the slowest, in ms.
async fn timed(conn: &mut Conn, path: &str, n: usize) -> Result<(f64, f64, usize)> {
    let mut times = Vec::with_capacity(n);
    let mut bytes = 0;
    for _ in 0..n {
        let t = Instant::now();
        let (status, body) = conn.get(path).await?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        if !status.is_success() {
            bail!("GET {path}: {status} {}", String::from_utf8_lossy(&body));
        }
        bytes = body.len();
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times[times.len() - 1], bytes))
}

/// Adds the history read figures.
///
/// # Errors
/// When the server does not start or a read fails.
pub async fn run(
    serve: &ServeOpts,
    quick: bool,
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    let (days, reads) = if quick { (10, 5) } else { (366, 20) };
    eprintln!("== usage history: {days} days of {PRODUCTS} products, read back");
    let dir = tempfile::tempdir()?;
    // Started once so the database has its tables, then stopped to fill it.
    let server = Leasehold::start(serve, dir.path()).await?;
    server.proc.terminate(Duration::from_secs(10))?;
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis(),
    )?;
    let rows = fill(&dir.path().join("leasehold.db"), now, days).context("filling the history")?;
    let server = Leasehold::start(serve, dir.path()).await?;
    let mut conn = Conn::open_admin(server.addr(), &server.token).await?;
    let year = format!(
        "/admin/v1/usage?from={}&to={now}&step=day",
        now - days * DAY_MS
    );
    let (p50, max, bytes) = timed(&mut conn, &year, reads).await?;
    report.note(format!(
        "usage history: {rows} rows stored; {days} days of {PRODUCTS} products by day is {} KB of JSON",
        bytes / 1000
    ));
    report.add(
        format!("history: {days} days of {PRODUCTS} products by day, p50"),
        p50,
        Unit::Millis,
        Some(base.p50),
        Some(Target::AtMost(100.0)),
    );
    report.add(
        format!("history: {days} days of {PRODUCTS} products by day, slowest of {reads}"),
        max,
        Unit::Millis,
        Some(base.p50),
        None,
    );
    let month = format!(
        "/admin/v1/usage?from={}&to={now}&step=hour",
        now - 30 * DAY_MS
    );
    let (p50, _, _) = timed(&mut conn, &month, reads.min(10)).await?;
    report.add(
        format!("history: 30 days of {PRODUCTS} products by hour, p50"),
        p50,
        Unit::Millis,
        Some(base.p50),
        None,
    );
    Ok(())
}
