//! What a sign-in costs. Passwords are hashed with Argon2id on purpose (a
//! guess must be dear) and one at a time, so sign-ins sent together wait in
//! line: the figures are one sign-in alone and the last of a burst sent at
//! once, as ratios to the bare endpoint's p50. Checkouts never hash.

use crate::http::Conn;
use crate::report::{Report, Unit};
use crate::scenarios::Baseline;
use crate::setup::{Leasehold, ServeOpts};
use anyhow::{Context, Result};
use bytes::Bytes;
use hyper::StatusCode;
use std::time::Instant;

/// Sign-ins sent at once (the server lets 16 wait for the hasher).
const BURST: usize = 8;

/// Adds the sign-in figures.
///
/// # Errors
/// When the server does not start, or a sign-in is refused.
pub async fn run(
    serve: &ServeOpts,
    quick: bool,
    base: &Baseline,
    report: &mut Report,
) -> Result<()> {
    let alone = if quick { 3 } else { 20 };
    eprintln!("== sign-in: Argon2id, one at a time; {BURST} at once");
    let dir = tempfile::tempdir()?;
    let server = Leasehold::start(serve, dir.path()).await?;
    let mut admin = Conn::open_admin(server.addr(), &server.token).await?;
    // One account per sign-in of the burst: several at once from one name
    // and address count as guesses (from the fifth on they wait).
    for i in 0..BURST {
        let account =
            format!(r#"{{"name":"bench-{i}","role":"viewer","password":"bench-password-1"}}"#);
        let (status, body) = admin
            .post("/admin/v1/accounts", Bytes::from(account))
            .await?;
        if status != StatusCode::CREATED {
            anyhow::bail!(
                "making the bench account: {status} {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    let sign_in = |i: usize| {
        Bytes::from(format!(
            r#"{{"name":"bench-{i}","password":"bench-password-1"}}"#
        ))
    };

    let mut conn = Conn::open(server.addr()).await?;
    let mut took = Vec::with_capacity(alone);
    for _ in 0..alone {
        let started = Instant::now();
        let (status, _) = conn.post("/admin/v1/session", sign_in(0)).await?;
        took.push(started.elapsed().as_secs_f64() * 1000.0);
        if status != StatusCode::CREATED {
            report.fail(format!("a sign-in with the right password got {status}"));
        }
    }
    took.sort_by(f64::total_cmp);
    report.add(
        "sign-in alone (Argon2id), p50",
        took[took.len() / 2],
        Unit::Millis,
        Some(base.p50),
        None,
    );

    let mut conns = Vec::with_capacity(BURST);
    for _ in 0..BURST {
        conns.push(Conn::open(server.addr()).await?);
    }
    let started = Instant::now();
    let mut burst = tokio::task::JoinSet::new();
    for (i, mut c) in conns.into_iter().enumerate() {
        let body = sign_in(i);
        burst.spawn(async move { c.post("/admin/v1/session", body).await });
    }
    while let Some(answer) = burst.join_next().await {
        let (status, _) = answer?.context("a sign-in of the burst")?;
        if status != StatusCode::CREATED {
            report.fail(format!("a sign-in of {BURST} sent at once got {status}"));
        }
    }
    let last = started.elapsed().as_secs_f64() * 1000.0;
    report.add(
        format!("sign-in: the last of {BURST} (other accounts) sent at once"),
        last,
        Unit::Millis,
        Some(base.p50),
        None,
    );
    Ok(())
}
