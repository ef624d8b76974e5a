//! The load drivers: N keep-alive connections, each driving one simulated
//! [`Client`] state machine, either as fast as answers come back (closed
//! loop) or at a fixed pace (open loop: a request the server held back by
//! answering the one before late is timed from when it was due, so a stall
//! is not hidden by sending less).

use crate::http::Conn;
use anyhow::Result;
use bytes::Bytes;
use hdrhistogram::Histogram;
use hyper::StatusCode;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How an answer counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// What the scenario wanted (a grant, a renewal, a release).
    Ok,
    /// An expected refusal (`no_seat_free` in the deny storm).
    Denied,
    /// Anything else.
    Error,
}

/// One simulated client (or a group of them) behind one connection.
pub trait Client: Send + 'static {
    /// The next request (path, JSON body), or `None` when this client is done.
    fn next(&mut self) -> Option<(String, Bytes)>;
    /// Sees the answer to the request `next` gave last.
    fn answer(&mut self, status: StatusCode, body: &Bytes) -> Outcome;
}

/// When a run stops: whichever comes first.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub duration: Duration,
    pub max_requests: u64,
}

/// What a run measured.
pub struct LoadResult {
    pub requests: u64,
    pub ok: u64,
    pub denied: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latency in microseconds.
    pub latency: Histogram<u64>,
}

impl LoadResult {
    /// Answers per second.
    #[must_use]
    pub fn rate(&self) -> f64 {
        crate::report::per_sec(self.requests, self.elapsed)
    }

    /// `ok` answers per second.
    #[must_use]
    pub fn ok_rate(&self) -> f64 {
        crate::report::per_sec(self.ok, self.elapsed)
    }

    /// A latency percentile in milliseconds.
    #[must_use]
    pub fn ms(&self, q: f64) -> f64 {
        crate::report::percentile_ms(&self.latency, q)
    }
}

/// Runs one connection per client, each as fast as it is answered. Returns
/// the clients too, so a scenario can read what they collected (lease ids).
///
/// # Errors
/// When a connection cannot be opened.
pub async fn closed<C: Client>(addr: SocketAddr, clients: Vec<C>, limits: Limits) -> Result<(LoadResult, Vec<C>)> {
    run(addr, clients, limits, None).await
}

/// Runs one connection per client, together sending `rate` requests per
/// second (each connection an equal share, evenly spaced).
///
/// # Errors
/// When a connection cannot be opened.
pub async fn paced<C: Client>(addr: SocketAddr, clients: Vec<C>, limits: Limits, rate: f64) -> Result<(LoadResult, Vec<C>)> {
    run(addr, clients, limits, Some(rate)).await
}

struct ConnResult<C> {
    client: C,
    counts: [u64; 3],
    latency: Histogram<u64>,
}

async fn run<C: Client>(addr: SocketAddr, clients: Vec<C>, limits: Limits, rate: Option<f64>) -> Result<(LoadResult, Vec<C>)> {
    let n = clients.len().max(1);
    let mut conns = Vec::with_capacity(n);
    for _ in 0..clients.len() {
        conns.push(Conn::open(addr).await?);
    }
    let budget = Arc::new(AtomicU64::new(limits.max_requests));
    #[allow(clippy::cast_precision_loss)]
    let interval = rate.map(|r| Duration::from_secs_f64(n as f64 / r.max(1e-3)));
    let t0 = Instant::now();
    let deadline = t0 + limits.duration;
    let mut tasks = Vec::with_capacity(n);
    for (i, (client, conn)) in clients.into_iter().zip(conns).enumerate() {
        let budget = budget.clone();
        // Stagger paced connections over one interval so they do not fire together.
        #[allow(clippy::cast_possible_truncation)]
        let offset = interval.map(|iv| iv.mul_f64(i as f64 / n as f64));
        tasks.push(tokio::spawn(drive(client, conn, budget, deadline, interval.zip(offset))));
    }
    let mut latency = histogram();
    let mut counts = [0u64; 3];
    let mut back = Vec::with_capacity(n);
    for t in tasks {
        let r: ConnResult<C> = t.await?;
        latency.add(&r.latency).ok();
        for (a, b) in counts.iter_mut().zip(r.counts) {
            *a += b;
        }
        back.push(r.client);
    }
    let elapsed = t0.elapsed();
    let requests = counts.iter().sum();
    Ok((LoadResult { requests, ok: counts[0], denied: counts[1], errors: counts[2], elapsed, latency }, back))
}

async fn drive<C: Client>(mut client: C, mut conn: Conn, budget: Arc<AtomicU64>, deadline: Instant, pace: Option<(Duration, Duration)>) -> ConnResult<C> {
    let mut latency = histogram();
    let mut counts = [0u64; 3];
    let mut due = Instant::now() + pace.map_or(Duration::ZERO, |(_, off)| off);
    // When the last answer came: a paced request that could not be sent on
    // time because the server was still answering the one before is charged
    // from when it was due; one merely woken late by the timer (tokio's has
    // a 1 ms tick) is charged from when it was sent.
    let mut answered = Instant::now();
    loop {
        if pace.is_some() {
            if due >= deadline {
                break;
            }
            tokio::time::sleep_until(due.into()).await;
        }
        if Instant::now() >= deadline {
            break;
        }
        // Ask the client first, so one that is done takes nothing from the budget.
        let Some((path, body)) = client.next() else { break };
        if budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1)).is_err() {
            break;
        }
        // Paced: from when the request was due if the server held it back.
        let start = if pace.is_some() && answered > due { due } else { Instant::now() };
        let outcome = match conn.post(&path, body).await {
            Ok((status, bytes)) => client.answer(status, &bytes),
            Err(_) => {
                counts[2] += 1;
                match Conn::open(conn.addr()).await {
                    Ok(c) => conn = c,
                    Err(_) => break,
                }
                continue;
            }
        };
        answered = Instant::now();
        let micros = u64::try_from(answered.duration_since(start).as_micros()).unwrap_or(u64::MAX).max(1);
        latency.saturating_record(micros);
        counts[match outcome {
            Outcome::Ok => 0,
            Outcome::Denied => 1,
            Outcome::Error => 2,
        }] += 1;
        if let Some((interval, _)) = pace {
            due += interval;
        }
    }
    ConnResult { client, counts, latency }
}

/// A histogram of microseconds, 1 µs to 100 s, 3 significant digits.
#[must_use]
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000, 3).unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!("3 digits is valid")))
}
