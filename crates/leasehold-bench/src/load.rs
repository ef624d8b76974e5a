//! The load drivers: N keep-alive connections, each driving one simulated
//! [`Client`] state machine, either as fast as answers come back (closed
//! loop) or at a fixed pace (open loop: latency charged on the schedule an
//! exact timer would keep, so a stall is not hidden by sending less and the
//! generator's own timer lateness is not counted; see `Schedule`).

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
pub async fn closed<C: Client>(
    addr: SocketAddr,
    clients: Vec<C>,
    limits: Limits,
) -> Result<(LoadResult, Vec<C>)> {
    run(addr, clients, limits, None).await
}

/// Runs one connection per client, together sending `rate` requests per
/// second (each connection an equal share, evenly spaced).
///
/// # Errors
/// When a connection cannot be opened.
pub async fn paced<C: Client>(
    addr: SocketAddr,
    clients: Vec<C>,
    limits: Limits,
    rate: f64,
) -> Result<(LoadResult, Vec<C>)> {
    run(addr, clients, limits, Some(rate)).await
}

struct ConnResult<C> {
    client: C,
    counts: [u64; 3],
    latency: Histogram<u64>,
}

async fn run<C: Client>(
    addr: SocketAddr,
    clients: Vec<C>,
    limits: Limits,
    rate: Option<f64>,
) -> Result<(LoadResult, Vec<C>)> {
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
        tasks.push(tokio::spawn(drive(
            client,
            conn,
            budget,
            deadline,
            interval.zip(offset),
        )));
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
    Ok((
        LoadResult {
            requests,
            ok: counts[0],
            denied: counts[1],
            errors: counts[2],
            elapsed,
            latency,
        },
        back,
    ))
}

async fn drive<C: Client>(
    mut client: C,
    mut conn: Conn,
    budget: Arc<AtomicU64>,
    deadline: Instant,
    pace: Option<(Duration, Duration)>,
) -> ConnResult<C> {
    let mut latency = histogram();
    let mut counts = [0u64; 3];
    let mut due = Instant::now() + pace.map_or(Duration::ZERO, |(_, off)| off);
    // Paced: when the connection would have been free had the generator's
    // timer been exact (see `Schedule`).
    let mut schedule = Schedule::default();
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
        let Some((path, body)) = client.next() else {
            break;
        };
        if budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
            .is_err()
        {
            break;
        }
        let sent = Instant::now();
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
        let service = sent.elapsed();
        let charged = if pace.is_some() {
            schedule.charge(due, service)
        } else {
            service
        };
        let micros = u64::try_from(charged.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
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
    ConnResult {
        client,
        counts,
        latency,
    }
}

/// The latency a paced request is charged, on the schedule an exact timer
/// would have kept. Tokio's timer wakes a request up to ~2 ms after it was
/// due; charging from the due time would count that lateness as the
/// server's, and charging from the send alone would hide a server stall
/// (coordinated omission). So each request is charged its own service time
/// (send to answer) plus the time it would have waited, on the exact
/// schedule, for the answers before it on its connection.
#[derive(Debug, Default)]
struct Schedule {
    /// When the previous request would have been answered on that schedule.
    free_at: Option<Instant>,
}

impl Schedule {
    fn charge(&mut self, due: Instant, service: Duration) -> Duration {
        let start = self.free_at.map_or(due, |free| free.max(due));
        let answered = start + service;
        self.free_at = Some(answered);
        answered - due
    }
}

/// A histogram of microseconds, 1 µs to 100 s, 3 significant digits.
#[must_use]
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!("3 digits is valid")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_paced_request_is_charged_its_service_time_when_the_server_keeps_up() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        // Due every 2 ms, answered in 0.4 ms; the timer's lateness never counts.
        for k in 0..5 {
            assert_eq!(s.charge(t0 + 2 * k * MS, MS * 2 / 5), MS * 2 / 5);
        }
    }

    #[test]
    fn a_stall_is_charged_to_the_requests_it_held_back() {
        let t0 = Instant::now();
        let mut s = Schedule::default();
        assert_eq!(s.charge(t0, 7 * MS), 7 * MS);
        // Due at 2, 4 and 6 ms, but the connection is busy until 7 ms:
        // each waits for the one before, as an exact client would have.
        assert_eq!(s.charge(t0 + 2 * MS, MS), 6 * MS);
        assert_eq!(s.charge(t0 + 4 * MS, MS), 5 * MS);
        assert_eq!(s.charge(t0 + 6 * MS, MS), 4 * MS);
        // Caught up by 10 ms: back to its own service time.
        assert_eq!(s.charge(t0 + 12 * MS, MS), MS);
    }
}
