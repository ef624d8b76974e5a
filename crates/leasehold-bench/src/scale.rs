//! The scale run: N concurrent leases held (1,000,000 by default) → RSS and
//! idle CPU; SIGTERM and restart → time until `/healthz` answers and a
//! checkout works; then leases of 10 s on top → how late the sweeper
//! reclaims them.

use crate::Opts;
use crate::clients::{Checkouts, Grant, checkout_body};
use crate::http::Conn;
use crate::load;
use crate::proc::{Sampler, stat};
use crate::report::{Report, Target, Unit};
use crate::scenarios::Baseline;
use crate::setup::{Leasehold, MAIN, SCARCE, SHORT, ServeOpts};
use anyhow::{Result, bail};
use serde::Deserialize;
use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Fills, restarts and measures expiry.
///
/// # Errors
/// When a server cannot be started or does not come back.
pub async fn run(
    opts: &Opts,
    serve: &ServeOpts,
    codes: &[String],
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Leasehold::start(serve, dir.path()).await?;
    server.add_codes(codes).await?;
    let n = opts.scale_leases;
    eprintln!(
        "== scale: filling {n} leases ({} connections, durability {})",
        opts.conns, serve.durability
    );
    let clients = Checkouts::split(MAIN, "scale", n, opts.conns, false);
    let limits = load::Limits {
        duration: opts.fill_cap,
        max_requests: n,
    };
    let (r, _) = load::closed(server.addr(), clients, limits).await?;
    if r.errors > 0 || r.ok < n {
        report.note(format!(
            "scale fill: {} of {n} granted in {:.1} s ({} errors)",
            r.ok,
            r.elapsed.as_secs_f64(),
            r.errors
        ));
    }
    report.add(
        format!("scale fill: {} leases, grants/s", r.ok),
        r.ok_rate(),
        Unit::PerSec,
        Some(base.rate),
        None,
    );
    let held = stat(server.proc.pid())?;
    #[allow(clippy::cast_precision_loss)]
    let rss = held.rss as f64;
    report.add(
        format!("RSS with {} leases held", r.ok),
        rss,
        Unit::Bytes,
        Some(base.idle_rss),
        scale_target(n, Target::AtMost(600e6)),
    );
    let idle = Sampler::start(server.proc.pid())?;
    tokio::time::sleep(opts.idle).await;
    let idle = idle.finish()?;
    report.add(
        format!("idle CPU with {} leases held", r.ok),
        idle.cpu_cores,
        Unit::Cores,
        None,
        Some(Target::AtMost(0.005)),
    );

    eprintln!("== the Computers list with {} leases", r.ok);
    crate::computers::run(&server, r.ok, base, report).await?;

    eprintln!("== restart with {} leases in the store", r.ok);
    let Leasehold { proc, data_dir, .. } = server;
    let stop = proc.terminate(Duration::from_secs(60))?;
    report.add(
        "shutdown after SIGTERM",
        stop.as_secs_f64(),
        Unit::Secs,
        None,
        None,
    );
    let t0 = Instant::now();
    let server = Leasehold::start(serve, &data_dir).await?;
    let healthy = t0.elapsed();
    let mut conn = Conn::open(server.addr()).await?;
    // Every seat of MAIN may be taken; the scarce product has seats free.
    let (status, body) = conn
        .post("/v1/checkout", checkout_body(SCARCE, "after-restart", 0))
        .await?;
    if !status.is_success() {
        bail!(
            "checkout after restart: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    let serving = t0.elapsed();
    report.add(
        "restart: spawn → first stdout line",
        server.proc.started_in.as_secs_f64(),
        Unit::Secs,
        Some(base.start_secs),
        None,
    );
    report.add(
        "restart: spawn → /healthz answers",
        healthy.as_secs_f64(),
        Unit::Secs,
        None,
        None,
    );
    report.add(
        "restart: spawn → a checkout granted",
        serving.as_secs_f64(),
        Unit::Secs,
        None,
        scale_target(n, Target::AtMost(5.0)),
    );
    let mut h = load::histogram();
    let mut metrics = bytes::Bytes::new();
    for _ in 0..5 {
        let t = Instant::now();
        metrics = conn.get("/metrics").await?.1;
        h.saturating_record(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
    }
    report.add(
        format!("GET /metrics with {} leases: max of 5", r.ok),
        crate::report::percentile_ms(&h, 1.0),
        Unit::Millis,
        None,
        None,
    );
    let restored = String::from_utf8_lossy(&metrics)
        .lines()
        .find_map(|l| {
            l.strip_prefix("leasehold_leases ")?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0);
    // Every lease from before the restart, plus the one checked out after it.
    if restored != r.ok + 1 {
        report.fail(format!(
            "after restart {restored} leases were held: {} from before and 1 new were expected",
            r.ok
        ));
    }
    server.check_counts("the restart", report).await?;
    // Settled: the server gives back the start-up load's memory a moment
    // after it starts (`memory::give_back`).
    tokio::time::sleep(opts.idle.max(Duration::from_secs(3))).await;
    let after = stat(server.proc.pid())?;
    #[allow(clippy::cast_precision_loss)]
    report.add(
        format!("RSS after restart with {} leases, settled", r.ok),
        after.rss as f64,
        Unit::Bytes,
        Some(base.idle_rss),
        scale_target(n, Target::AtMost(600e6)),
    );

    if opts.quick {
        report.note("expiry lateness skipped in --quick (leases last at least 10 s)");
        return Ok(());
    }
    expiry(opts, &server, report).await
}

/// A target applies only to the full-size run.
fn scale_target(n: u64, t: Target) -> Option<Target> {
    (n >= 1_000_000).then_some(t)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventPage {
    events: Vec<ExpireEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExpireEvent {
    seq: u64,
    at: i64,
    lease_id: Option<String>,
}

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Checks out `opts.short_leases` leases of 10 s on top of what is held,
/// never renews them, and measures reclaim lateness two ways:
///
/// - from the server's `expire` events: the time the sweeper ended each
///   lease (its clock, ms) minus that lease's `expiresAt`;
/// - [`lateness_from_polls`] does the same from outside with `/metrics`
///   polls, but at 1M leases each poll stalls the server (it walks the
///   table), so the run does not use it; it is kept for smaller tables.
async fn expiry(opts: &Opts, server: &Leasehold, report: &mut Report) -> Result<()> {
    let k = opts.short_leases;
    eprintln!("== expiry: {k} leases of 10 s, never renewed");
    let since = wall_ms();
    let clients = Checkouts::split(SHORT, "short", k, opts.conns, true);
    let (_, clients) = load::closed(server.addr(), clients, opts.limits_for(k)).await?;
    let grants: Vec<Grant> = clients.into_iter().flat_map(|c| c.grants).collect();
    let Some(last) = grants.iter().map(|g| g.expires_at).max() else {
        bail!("no short lease granted")
    };

    // Nothing polls the server while the leases run out: a /metrics or
    // admin call walks the whole table under its lock (see BENCHMARKS.md)
    // and would delay the sweeper it is meant to observe.
    let wait = u64::try_from((last + 3_000 - wall_ms()).max(0)).unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(wait)).await;
    let mut admin = Conn::open_admin(server.addr(), &server.token).await?;
    let mut at_by_lease = HashMap::new();
    let mut after = 0u64;
    loop {
        let path =
            format!("/admin/v1/events?kind=expire&since={since}&afterSeq={after}&limit=10000");
        let (status, body) = admin.get(&path).await?;
        if !status.is_success() {
            bail!("events: {status} {}", String::from_utf8_lossy(&body));
        }
        let page: EventPage = serde_json::from_slice(&body)?;
        let Some(seq) = page.events.iter().map(|e| e.seq).max() else {
            break;
        };
        after = seq;
        for e in page.events {
            if let Some(id) = e.lease_id {
                at_by_lease.insert(id, e.at);
            }
        }
    }
    let from_events = lateness_from_events(&grants, &at_by_lease);
    if from_events.len() < grants.len() {
        report.note(format!(
            "expiry: {} of {} short leases had an expire event",
            from_events.len(),
            grants.len()
        ));
    }
    let (p50, p99, max) = quantiles_ms(&from_events);
    report.add(
        format!("reclaim lateness p50 ({k} leases, server events)"),
        p50,
        Unit::Millis,
        None,
        None,
    );
    report.add(
        "reclaim lateness p99 (server events)",
        p99,
        Unit::Millis,
        None,
        Some(Target::AtMost(1000.0)),
    );
    report.add(
        "reclaim lateness max (server events)",
        max,
        Unit::Millis,
        None,
        None,
    );
    Ok(())
}

/// p50, p99 and max of millisecond values (0 when empty).
#[must_use]
pub fn quantiles_ms(values: &[i64]) -> (f64, f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let at = |q: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((v.len() - 1) as f64 * q).round() as usize;
        #[allow(clippy::cast_precision_loss)]
        let x = v[i] as f64;
        x
    };
    (at(0.5), at(0.99), at(1.0))
}

/// For sorted deadlines and polls `(t, in_use)` in time order: the i-th
/// deadline counts as reclaimed at the first poll with `in_use <= k - i - 1`;
/// returns (that poll's time − deadline) for each one seen reclaimed.
#[must_use]
pub fn lateness_from_polls(deadlines: &mut [i64], polls: &[(i64, u64)]) -> Vec<i64> {
    deadlines.sort_unstable();
    let k = deadlines.len() as u64;
    let mut out = Vec::with_capacity(deadlines.len());
    let mut p = 0;
    for (i, d) in deadlines.iter().enumerate() {
        let need = k - i as u64 - 1;
        while p < polls.len() && polls[p].1 > need {
            p += 1;
        }
        let Some((t, _)) = polls.get(p) else { break };
        out.push(t - d);
    }
    out
}

/// Lateness (event time − deadline) for every grant with an expire event.
#[must_use]
pub fn lateness_from_events(grants: &[Grant], events: &HashMap<String, i64>) -> Vec<i64> {
    grants
        .iter()
        .filter_map(|g| events.get(&g.lease_id).map(|at| at - g.expires_at))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_attribute_each_deadline_to_the_first_poll_that_shows_it_gone() {
        let mut deadlines = vec![1_000, 1_100, 1_200];
        // 3 in use until t=1050, 2 until 1250, then 0.
        let polls = [(900, 3), (1_050, 2), (1_250, 0)];
        assert_eq!(
            lateness_from_polls(&mut deadlines, &polls),
            vec![50, 150, 50]
        );
        // Never all gone: only those seen reclaimed are counted.
        let mut deadlines = vec![1_000, 1_100];
        assert_eq!(lateness_from_polls(&mut deadlines, &[(1_010, 1)]), vec![10]);
    }

    #[test]
    fn quantiles_of_a_small_set() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(quantiles_ms(&v), (51.0, 99.0, 100.0));
        assert_eq!(quantiles_ms(&[]), (0.0, 0.0, 0.0));
    }
}
