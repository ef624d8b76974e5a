//! The throughput scenarios, each against the same baseline measured first:
//! bare echo, checkout storm, renew throughput, renew at half of it, steady
//! state, churn, deny storm, and durable checkout + release cycles at both
//! durability levels.

use crate::Opts;
use crate::clients::{Checkouts, Churn, Echo, Grant, Releaser, Renewer};
use crate::load::{self, Client, Limits, LoadResult};
use crate::proc::{Sampler, ServerProc, Usage};
use crate::report::{Report, Target, Unit};
use crate::setup::{Leasehold, MAIN, SCARCE, SCARCE_SEATS, SHORT, SHORT_LEASE_SECS, ServeOpts};
use anyhow::Result;
use std::net::SocketAddr;
use std::time::Duration;

/// The baseline's figures that others are divided by.
#[derive(Clone, Copy, Debug, Default)]
pub struct Baseline {
    pub rate: f64,
    pub p50: f64,
    pub p99: f64,
    /// Server CPU seconds per request.
    pub cpu_per_req: f64,
    pub idle_rss: f64,
    pub idle_cpu: f64,
    pub start_secs: f64,
}

/// A load run with the server's CPU and RSS sampled around it.
async fn measured<C: Client>(
    pid: u32,
    addr: SocketAddr,
    clients: Vec<C>,
    limits: Limits,
    rate: Option<f64>,
) -> Result<(LoadResult, Usage, Vec<C>)> {
    let sampler = Sampler::start(pid)?;
    let (result, clients) = match rate {
        Some(r) => load::paced(addr, clients, limits, r).await?,
        None => load::closed(addr, clients, limits).await?,
    };
    let usage = sampler.finish()?;
    Ok((result, usage, clients))
}

fn cpu_per_req(r: &LoadResult, u: &Usage) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    if r.requests == 0 {
        0.0
    } else {
        u.cpu_cores * r.elapsed.as_secs_f64() / r.requests as f64
    }
}

fn errors_note(report: &mut Report, what: &str, r: &LoadResult) {
    if r.errors > 0 {
        report.note(format!(
            "{what}: {} of {} requests failed",
            r.errors, r.requests
        ));
    }
}

/// The bare endpoint loaded closed-loop (and idle), then a paced run at
/// `paced_rate` later on demand through [`bare_paced`].
///
/// # Errors
/// When the baseline cannot be started or loaded.
pub async fn baseline(opts: &Opts, bare: &ServerProc, report: &mut Report) -> Result<Baseline> {
    eprintln!(
        "== bare axum baseline ({} connections, {:?})",
        opts.conns, opts.duration
    );
    let idle = Sampler::start(bare.pid())?;
    tokio::time::sleep(opts.idle).await;
    let idle = idle.finish()?;
    let clients: Vec<Echo> = (0..opts.conns).map(Echo::new).collect();
    let (r, u, _) = measured(bare.pid(), bare.addr, clients, opts.limits(), None).await?;
    errors_note(report, "bare", &r);
    let b = Baseline {
        rate: r.rate(),
        p50: r.ms(0.5),
        p99: r.ms(0.99),
        cpu_per_req: cpu_per_req(&r, &u),
        #[allow(clippy::cast_precision_loss)]
        idle_rss: idle.peak_rss as f64,
        idle_cpu: idle.cpu_cores,
        start_secs: bare.started_in.as_secs_f64(),
    };
    report.add(
        "bare JSON POST throughput",
        b.rate,
        Unit::PerSec,
        Some(b.rate),
        None,
    );
    report.add("bare latency p50", b.p50, Unit::Millis, Some(b.p50), None);
    report.add("bare latency p99", b.p99, Unit::Millis, Some(b.p99), None);
    report.add(
        "bare server CPU while loaded",
        u.cpu_cores,
        Unit::Cores,
        None,
        None,
    );
    report.add(
        "bare idle RSS",
        b.idle_rss,
        Unit::Bytes,
        Some(b.idle_rss),
        None,
    );
    Ok(b)
}

/// Every throughput scenario against one `leasehold serve` (durability full),
/// then checkout + release cycles at `normal` on a second one.
///
/// # Errors
/// When a server cannot be started or a scenario cannot connect.
pub async fn throughput(
    opts: &Opts,
    serve: &ServeOpts,
    codes: &[String],
    bare: &ServerProc,
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Leasehold::start(serve, dir.path()).await?;
    server.add_codes(codes).await?;
    let (pid, addr) = (server.proc.pid(), server.addr());

    if opts.wants("idle") {
        idle(opts, pid, base, report).await?;
    }
    if ["storm", "renew", "half", "steady"]
        .iter()
        .any(|s| opts.wants(s))
    {
        renewals(opts, pid, addr, bare, base, report).await?;
    }
    if opts.wants("churn") {
        churn(opts, pid, addr, base, report).await?;
    }
    if opts.wants("deny") {
        deny(opts, pid, addr, base, report).await?;
    }
    if opts.wants("cycles") {
        cycles(opts, "full", opts.conns, pid, addr, base, report).await?;
        cycles(opts, "full", opts.conns * 4, pid, addr, base, report).await?;
    }
    server
        .check_counts("the throughput scenarios", report)
        .await?;
    drop(server);

    if opts.wants("normal") {
        let dir = tempfile::tempdir()?;
        let normal = ServeOpts {
            durability: "normal",
            ..serve.clone()
        };
        let server = Leasehold::start(&normal, dir.path()).await?;
        server.add_codes(codes).await?;
        cycles(
            opts,
            "normal",
            opts.conns,
            server.proc.pid(),
            server.addr(),
            base,
            report,
        )
        .await?;
    }
    Ok(())
}

async fn idle(opts: &Opts, pid: u32, base: &Baseline, report: &mut Report) -> Result<()> {
    eprintln!(
        "== idle server (licenses added, no leases, {:?})",
        opts.idle
    );
    let idle = Sampler::start(pid)?;
    tokio::time::sleep(opts.idle).await;
    let idle = idle.finish()?;
    #[allow(clippy::cast_precision_loss)]
    let idle_rss = idle.peak_rss as f64;
    report.add(
        "idle CPU",
        idle.cpu_cores,
        Unit::Cores,
        None,
        Some(Target::AtMost(0.005)),
    );
    report.add(
        "idle RSS",
        idle_rss,
        Unit::Bytes,
        Some(base.idle_rss),
        Some(Target::AtMost(30e6)),
    );
    Ok(())
}

/// Checkout storm, then renewals of its leases: as fast as possible, at
/// half that pace (and the baseline at the same pace), and steady state.
async fn renewals(
    opts: &Opts,
    pid: u32,
    addr: SocketAddr,
    bare: &ServerProc,
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    eprintln!(
        "== checkout storm: {} distinct clients at once",
        opts.storm_clients
    );
    let clients = Checkouts::split(MAIN, "storm", opts.storm_clients, opts.conns, true);
    let (r, u, clients) = measured(
        pid,
        addr,
        clients,
        opts.limits_for(opts.storm_clients),
        None,
    )
    .await?;
    errors_note(report, "checkout storm", &r);
    let grants: Vec<Grant> = clients.into_iter().flat_map(|c| c.grants).collect();
    report.add(
        format!("checkout storm: {} clients, grants/s", r.ok),
        r.ok_rate(),
        Unit::PerSec,
        Some(base.rate),
        None,
    );
    report.add(
        "checkout storm: time to grant all",
        r.elapsed.as_secs_f64(),
        Unit::Secs,
        None,
        None,
    );
    report.add(
        "checkout storm: latency p99",
        r.ms(0.99),
        Unit::Millis,
        Some(base.p99),
        None,
    );
    report.add(
        "checkout storm: server CPU",
        u.cpu_cores,
        Unit::Cores,
        None,
        None,
    );

    eprintln!("== renew throughput over {} leases", grants.len());
    let (r, u, _) = measured(
        pid,
        addr,
        Renewer::deal(&grants, opts.conns),
        opts.limits(),
        None,
    )
    .await?;
    errors_note(report, "renew", &r);
    let max = r.rate();
    report.add(
        "renew throughput (max)",
        max,
        Unit::PerSec,
        Some(base.rate),
        Some(Target::RatioAtLeast(0.6)),
    );
    report.add(
        "renew latency p50 at max",
        r.ms(0.5),
        Unit::Millis,
        Some(base.p50),
        None,
    );
    report.add(
        "renew latency p99 at max",
        r.ms(0.99),
        Unit::Millis,
        Some(base.p99),
        None,
    );
    report.add(
        "renew server CPU per request (µs)",
        cpu_per_req(&r, &u) * 1e6,
        Unit::Count,
        Some(base.cpu_per_req * 1e6),
        None,
    );
    report.add("renew server CPU", u.cpu_cores, Unit::Cores, None, None);
    report.add(
        "renew server peak RSS",
        rss(u),
        Unit::Bytes,
        Some(base.idle_rss),
        None,
    );

    let half = max / 2.0;
    eprintln!("== renew paced at half of max ({half:.0}/s), and bare at the same pace");
    let before = crate::http::server_latency(addr).await?;
    let (r, _, _) = measured(
        pid,
        addr,
        Renewer::deal(&grants, opts.conns),
        opts.limits(),
        Some(half),
    )
    .await?;
    let after = crate::http::server_latency(addr).await?;
    errors_note(report, "renew paced", &r);
    let clients: Vec<Echo> = (0..opts.conns).map(Echo::new).collect();
    let (b, _, _) = measured(bare.pid(), bare.addr, clients, opts.limits(), Some(half)).await?;
    report.add(
        "renew at half max: achieved rate",
        r.rate(),
        Unit::PerSec,
        Some(b.rate()),
        None,
    );
    report.add(
        "renew at half max: latency p50",
        r.ms(0.5),
        Unit::Millis,
        Some(b.ms(0.5)),
        None,
    );
    report.add(
        "renew at half max: latency p99",
        r.ms(0.99),
        Unit::Millis,
        Some(b.ms(0.99)),
        Some(Target::AtMost(2.0)),
    );
    report.add(
        "renew at half max: latency max",
        r.ms(1.0),
        Unit::Millis,
        Some(b.ms(1.0)),
        None,
    );
    // The server's own handling time (request read to response written, from
    // its /metrics histogram, so a bucket bound): what of the latency above
    // is the server's, and what is waiting for a CPU or the network.
    if let Some(p99) = crate::http::bucket_quantile_ms(&before, &after, 0.99) {
        report.add(
            "renew at half max: server-side p99 (≤ bucket)",
            p99,
            Unit::Millis,
            None,
            None,
        );
    }

    // Steady state, time-compressed 60 times: 1,000,000 clients with 600 s
    // leases renew 5,000 times a second in all, each every 200 s. Here leases
    // of 10 s renew every 3.3 s, 5,000 a second in all: the same load, and
    // the same share of renewals the store must hear of.
    let steady = opts.steady_rate;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let k = ((steady * f64::from(SHORT_LEASE_SECS) / 3.0) as u64).min(opts.storm_clients);
    let clients = Checkouts::split(SHORT, "steady", k, opts.conns, true);
    let (_, clients) = load::closed(addr, clients, opts.limits_for(k)).await?;
    let held: Vec<Grant> = clients.into_iter().flat_map(|c| c.grants).collect();
    eprintln!(
        "== steady state: {} leases of {SHORT_LEASE_SECS} s renewing, {steady:.0}/s in all (= 1M clients at 200 s)",
        held.len()
    );
    let (r, u, _) = measured(
        pid,
        addr,
        Renewer::deal(&held, opts.conns),
        opts.limits(),
        Some(steady),
    )
    .await?;
    errors_note(report, "steady", &r);
    // Given back, so their expiry does not load the scenarios after this one.
    load::closed(addr, Releaser::deal(&held, opts.conns), opts.limits_for(k)).await?;
    report.add(
        "steady state (1M-client renew load): p99",
        r.ms(0.99),
        Unit::Millis,
        None,
        None,
    );
    report.add(
        "steady state: server CPU",
        u.cpu_cores,
        Unit::Cores,
        None,
        None,
    );
    Ok(())
}

async fn churn(
    opts: &Opts,
    pid: u32,
    addr: SocketAddr,
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    eprintln!("== churn: 1 checkout : 2 renew : 1 release");
    let clients: Vec<Churn> = (0..opts.conns)
        .map(|i| Churn::mix(MAIN, &format!("churn{i}"), 50))
        .collect();
    let (r, _, _) = measured(pid, addr, clients, opts.limits(), None).await?;
    errors_note(report, "churn", &r);
    report.add(
        "churn: requests/s",
        r.rate(),
        Unit::PerSec,
        Some(base.rate),
        None,
    );
    report.add(
        "churn: latency p99",
        r.ms(0.99),
        Unit::Millis,
        Some(base.p99),
        None,
    );
    Ok(())
}

async fn deny(
    opts: &Opts,
    pid: u32,
    addr: SocketAddr,
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    eprintln!(
        "== deny storm: {} clients for {SCARCE_SEATS} seats",
        opts.deny_clients
    );
    let clients = Checkouts::split(SCARCE, "deny", opts.deny_clients, opts.conns, false);
    let (r, _, _) = measured(pid, addr, clients, opts.limits_for(opts.deny_clients), None).await?;
    errors_note(report, "deny storm", &r);
    if r.ok > u64::from(SCARCE_SEATS) {
        report.fail(format!(
            "deny storm granted {} seats of {SCARCE_SEATS}",
            r.ok
        ));
    } else if r.ok != u64::from(SCARCE_SEATS) && r.requests >= u64::from(SCARCE_SEATS) {
        report.note(format!(
            "deny storm granted {} seats of {SCARCE_SEATS}",
            r.ok
        ));
    }
    report.add(
        "deny storm: answers/s",
        r.rate(),
        Unit::PerSec,
        Some(base.rate),
        None,
    );
    report.add(
        "deny storm: latency p99",
        r.ms(0.99),
        Unit::Millis,
        Some(base.p99),
        None,
    );
    Ok(())
}

/// Checkout + release cycles over `conns` connections: every grant durable
/// before it is answered.
async fn cycles(
    opts: &Opts,
    durability: &str,
    conns: usize,
    pid: u32,
    addr: SocketAddr,
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    eprintln!("== checkout + release cycles, durability {durability}, {conns} connections");
    let clients: Vec<Churn> = (0..conns)
        .map(|i| Churn::cycle(MAIN, &format!("cyc-{durability}-{conns}-{i}")))
        .collect();
    let (r, u, clients) = measured(pid, addr, clients, opts.limits(), None).await?;
    errors_note(report, &format!("cycles {durability}"), &r);
    let grants: u64 = clients.iter().map(|c| c.grants).sum();
    let target = (durability == "full" && conns == opts.conns).then_some(Target::AtLeast(10_000.0));
    report.add(
        format!("durable grants/s (checkout+release), {durability}, {conns} conns"),
        crate::report::per_sec(grants, r.elapsed),
        Unit::PerSec,
        Some(base.rate),
        target,
    );
    report.add(
        format!("cycles {durability}, {conns} conns: latency p99"),
        r.ms(0.99),
        Unit::Millis,
        Some(base.p99),
        None,
    );
    report.add(
        format!("cycles {durability}, {conns} conns: server CPU"),
        u.cpu_cores,
        Unit::Cores,
        None,
        None,
    );
    Ok(())
}

#[allow(clippy::cast_precision_loss)]
fn rss(u: Usage) -> f64 {
    u.peak_rss as f64
}

/// A bounded pause between runs so one's tail does not bleed into the next.
pub async fn settle() {
    tokio::time::sleep(Duration::from_millis(200)).await;
}
