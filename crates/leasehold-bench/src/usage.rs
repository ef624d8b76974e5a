//! Consumption tokens under load: `POST /v1/usage` from every connection,
//! each spend a new idempotency key, each answered only once durable (full
//! durability), against a fresh `leasehold serve`. The figure is durable
//! spends per second at the run's connections (target 20,000/s), as a ratio
//! to the bare baseline; a second run sends every key twice (a client
//! retrying), which must spend nothing more: the balance is checked after.

use crate::Opts;
use crate::load::{self, Client, Outcome};
use crate::report::{Report, Target, Unit};
use crate::scenarios::Baseline;
use crate::setup::{Leasehold, ServeOpts, Vendor};
use anyhow::{Context, Result};
use bytes::Bytes;
use hyper::StatusCode;
use leasehold_core::license::{SeatRules, TokenPeriod, Tokens};

const PRODUCT: &str = "metered";

/// Spends one unit per request under keys of its own; with `twice`, each
/// key is sent a second time right after its first answer.
struct Spender {
    conn: usize,
    n: u64,
    twice: bool,
    again: bool,
    pub spent: u64,
}

impl Spender {
    fn new(conn: usize, twice: bool) -> Self {
        Self {
            conn,
            n: 0,
            twice,
            again: false,
            spent: 0,
        }
    }

    fn body(&self) -> Bytes {
        let twice = if self.twice { "r" } else { "k" };
        Bytes::from(format!(
            r#"{{"product":"{PRODUCT}","amount":1,"idempotencyKey":"{twice}-{}-{}","clientId":"bench-{}","user":"user{}","note":"bench"}}"#,
            self.conn,
            self.n,
            self.conn,
            self.conn % 50
        ))
    }
}

impl Client for Spender {
    fn next(&mut self) -> Option<(String, Bytes)> {
        Some(("/v1/usage".to_owned(), self.body()))
    }

    fn answer(&mut self, status: StatusCode, body: &Bytes) -> Outcome {
        if !status.is_success() {
            return Outcome::Error;
        }
        let replayed = body.windows(15).any(|w| w == b"\"replayed\":true");
        if !replayed {
            self.spent += 1;
        }
        if self.twice && !self.again {
            self.again = true;
        } else {
            self.again = false;
            self.n += 1;
        }
        Outcome::Ok
    }
}

/// Adds the durable spends per second (new keys), the same with every key
/// sent twice, and whether the balance counts each key once.
///
/// # Errors
/// When the server does not start or cannot be reached.
pub async fn run(
    opts: &Opts,
    serve: &ServeOpts,
    vendor: &Vendor,
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    eprintln!("== usage: durable token spends, {} connections", opts.conns);
    let dir = tempfile::tempdir()?;
    let server = Leasehold::start(serve, dir.path()).await?;
    let code = vendor.code_with(
        PRODUCT,
        1,
        600,
        SeatRules {
            tokens: Some(Tokens {
                units: leasehold_core::license::MAX_TOKENS,
                period: TokenPeriod::None,
                overdraft: 0,
            }),
            ..SeatRules::default()
        },
    )?;
    server.add_codes(&[code]).await?;
    let (pid, addr) = (server.proc.pid(), server.addr());
    let mut spent = 0;
    for twice in [false, true] {
        let clients: Vec<Spender> = (0..opts.conns).map(|c| Spender::new(c, twice)).collect();
        let sampler = crate::proc::Sampler::start(pid)?;
        let (r, clients) = load::closed(addr, clients, opts.limits()).await?;
        let usage = sampler.finish()?;
        if r.errors > 0 {
            report.note(format!(
                "usage: {} of {} spends failed",
                r.errors, r.requests
            ));
        }
        let new: u64 = clients.iter().map(|c| c.spent).sum();
        spent += new;
        let what = if twice {
            "each key sent twice"
        } else {
            "new keys"
        };
        report.add(
            format!("durable token spends/s, {what}, {} conns", opts.conns),
            crate::report::per_sec(new, r.elapsed),
            Unit::PerSec,
            Some(base.rate),
            (!twice).then_some(Target::AtLeast(20_000.0)),
        );
        report.add(
            format!("token spends, {what}: latency p99"),
            r.ms(0.99),
            Unit::Millis,
            Some(base.p99),
            None,
        );
        report.add(
            format!("token spends, {what}: server CPU"),
            usage.cpu_cores,
            Unit::Cores,
            None,
            None,
        );
        crate::scenarios::settle().await;
    }
    let page = server
        .admin_get("/admin/v1/usage/ledger?limit=1")
        .await
        .context("reading the ledger")?;
    let balance: serde_json::Value = serde_json::from_slice(&page)?;
    let stored = balance["balances"][0]["spent"].as_u64().unwrap_or(0);
    if stored != spent {
        report.fail(format!(
            "usage: the server counted {stored} units, the clients were answered {spent} new spends"
        ));
    }
    Ok(())
}
