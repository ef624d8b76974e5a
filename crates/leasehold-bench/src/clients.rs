//! The simulated clients: each a small state machine behind one connection,
//! speaking the client protocol (or the baseline's echo) with distinct client
//! ids, users and hosts.

use crate::load::{Client, Outcome};
use bytes::Bytes;
use hyper::StatusCode;
use serde::Deserialize;
use std::collections::VecDeque;

/// The part of a `LeaseGrant` the bench needs.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    pub lease_id: String,
    /// Unix ms, the server's clock.
    pub expires_at: i64,
}

/// A checkout body for simulated client number `n` of group `group`: distinct
/// client id and host, users spread over 5,000 names.
#[must_use]
pub fn checkout_body(product: &str, group: &str, n: u64) -> Bytes {
    Bytes::from(format!(
        r#"{{"product":"{product}","clientId":"bench-{group}-{n:08}","user":"user{}","host":"ws-{group}-{n}.lan","appName":"Designer","appVersion":"4.2"}}"#,
        n % 5000
    ))
}

fn renew_path(lease: &str) -> String {
    format!("/v1/leases/{lease}/renew")
}

fn release_path(lease: &str) -> String {
    format!("/v1/leases/{lease}/release")
}

fn ok_if(status: StatusCode) -> Outcome {
    if status.is_success() {
        Outcome::Ok
    } else {
        Outcome::Error
    }
}

/// The baseline load: the same checkout-shaped JSON to the bare endpoint.
pub struct Echo {
    body: Bytes,
}

impl Echo {
    #[must_use]
    pub fn new(conn: usize) -> Self {
        Self {
            body: checkout_body("cad", "echo", conn as u64),
        }
    }
}

impl Client for Echo {
    fn next(&mut self) -> Option<(String, Bytes)> {
        Some((crate::bare::PATH.to_owned(), self.body.clone()))
    }
    fn answer(&mut self, status: StatusCode, _: &Bytes) -> Outcome {
        ok_if(status)
    }
}

/// Checks out clients `first..first+count` of a group once each; keeps the
/// grants when asked to.
pub struct Checkouts {
    product: String,
    group: String,
    next: u64,
    end: u64,
    keep: bool,
    pub grants: Vec<Grant>,
}

impl Checkouts {
    #[must_use]
    pub fn new(product: &str, group: &str, first: u64, count: u64, keep: bool) -> Self {
        Self {
            product: product.to_owned(),
            group: group.to_owned(),
            next: first,
            end: first + count,
            keep,
            grants: Vec::new(),
        }
    }

    /// `total` clients split over `conns` connections.
    #[must_use]
    pub fn split(product: &str, group: &str, total: u64, conns: usize, keep: bool) -> Vec<Self> {
        let conns = conns.max(1) as u64;
        (0..conns)
            .map(|i| {
                let (lo, hi) = (total * i / conns, total * (i + 1) / conns);
                Self::new(product, group, lo, hi - lo, keep)
            })
            .collect()
    }
}

impl Client for Checkouts {
    fn next(&mut self) -> Option<(String, Bytes)> {
        if self.next >= self.end {
            return None;
        }
        self.next += 1;
        Some((
            "/v1/checkout".to_owned(),
            checkout_body(&self.product, &self.group, self.next - 1),
        ))
    }
    fn answer(&mut self, status: StatusCode, body: &Bytes) -> Outcome {
        match status {
            StatusCode::OK => {
                if self.keep {
                    match serde_json::from_slice::<Grant>(body) {
                        Ok(g) => self.grants.push(g),
                        Err(_) => return Outcome::Error,
                    }
                }
                Outcome::Ok
            }
            StatusCode::CONFLICT => Outcome::Denied,
            _ => Outcome::Error,
        }
    }
}

/// Renews its leases round-robin.
pub struct Renewer {
    paths: Vec<String>,
    i: usize,
}

impl Renewer {
    /// The given leases dealt out over `conns` renewers.
    #[must_use]
    pub fn deal(grants: &[Grant], conns: usize) -> Vec<Self> {
        deal(grants, conns, renew_path)
            .into_iter()
            .map(|paths| Self { paths, i: 0 })
            .collect()
    }
}

impl Client for Renewer {
    fn next(&mut self) -> Option<(String, Bytes)> {
        let p = self.paths.get(self.i % self.paths.len().max(1))?.clone();
        self.i += 1;
        Some((p, Bytes::new()))
    }
    fn answer(&mut self, status: StatusCode, _: &Bytes) -> Outcome {
        ok_if(status)
    }
}

/// Releases its leases, each once.
pub struct Releaser {
    paths: Vec<String>,
}

impl Releaser {
    /// The given leases dealt out over `conns` releasers.
    #[must_use]
    pub fn deal(grants: &[Grant], conns: usize) -> Vec<Self> {
        deal(grants, conns, release_path)
            .into_iter()
            .map(|paths| Self { paths })
            .collect()
    }
}

/// The paths `path` makes of the leases, dealt round-robin into at most
/// `conns` non-empty lists.
fn deal(grants: &[Grant], conns: usize, path: fn(&str) -> String) -> Vec<Vec<String>> {
    let conns = conns.max(1);
    let mut out: Vec<Vec<String>> = vec![Vec::new(); conns];
    for (k, g) in grants.iter().enumerate() {
        out[k % conns].push(path(&g.lease_id));
    }
    out.retain(|paths| !paths.is_empty());
    out
}

impl Client for Releaser {
    fn next(&mut self) -> Option<(String, Bytes)> {
        self.paths.pop().map(|p| (p, Bytes::new()))
    }
    fn answer(&mut self, status: StatusCode, _: &Bytes) -> Outcome {
        ok_if(status)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Checkout,
    Renew,
    Release,
}

/// Churn: new clients arrive, held leases renew, old ones leave, in the mix
/// 1 checkout : 2 renewals : 1 release once `hold` leases are held (only
/// checkouts until then). `cycle` instead alternates checkout and release
/// (one grant made durable and given back per two requests).
pub struct Churn {
    product: String,
    group: String,
    n: u64,
    hold: usize,
    cycle: bool,
    held: VecDeque<String>,
    step: u64,
    pending: Step,
    pub grants: u64,
}

impl Churn {
    #[must_use]
    pub fn mix(product: &str, group: &str, hold: usize) -> Self {
        Self {
            product: product.to_owned(),
            group: group.to_owned(),
            n: 0,
            hold,
            cycle: false,
            held: VecDeque::new(),
            step: 0,
            pending: Step::Checkout,
            grants: 0,
        }
    }

    #[must_use]
    pub fn cycle(product: &str, group: &str) -> Self {
        Self {
            cycle: true,
            hold: 0,
            ..Self::mix(product, group, 0)
        }
    }
}

impl Client for Churn {
    fn next(&mut self) -> Option<(String, Bytes)> {
        let step = if self.cycle {
            if self.held.is_empty() {
                Step::Checkout
            } else {
                Step::Release
            }
        } else if self.held.len() < self.hold || self.held.is_empty() {
            Step::Checkout
        } else {
            self.step += 1;
            match self.step % 4 {
                0 => Step::Checkout,
                3 => Step::Release,
                _ => Step::Renew,
            }
        };
        self.pending = step;
        Some(match step {
            Step::Checkout => {
                self.n += 1;
                (
                    "/v1/checkout".to_owned(),
                    checkout_body(&self.product, &self.group, self.n),
                )
            }
            Step::Renew => {
                let lease = self.held.pop_front()?;
                let path = renew_path(&lease);
                self.held.push_back(lease);
                (path, Bytes::new())
            }
            Step::Release => (release_path(self.held.pop_front()?.as_str()), Bytes::new()),
        })
    }

    fn answer(&mut self, status: StatusCode, body: &Bytes) -> Outcome {
        if !status.is_success() {
            return Outcome::Error;
        }
        if self.pending == Step::Checkout {
            match serde_json::from_slice::<Grant>(body) {
                Ok(g) => {
                    self.grants += 1;
                    self.held.push_back(g.lease_id);
                }
                Err(_) => return Outcome::Error,
            }
        }
        Outcome::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_bodies_are_distinct_json() {
        let a: serde_json::Value =
            serde_json::from_slice(&checkout_body("cad", "storm", 7)).unwrap();
        let b: serde_json::Value =
            serde_json::from_slice(&checkout_body("cad", "storm", 8)).unwrap();
        assert_eq!(a["product"], "cad");
        assert_ne!(a["clientId"], b["clientId"]);
        assert_ne!(a["host"], b["host"]);
    }

    #[test]
    fn split_covers_every_client_once() {
        let parts = Checkouts::split("cad", "g", 10, 3, false);
        let total: u64 = parts.iter().map(|c| c.end - c.next).sum();
        assert_eq!(total, 10);
        assert_eq!(parts[0].next, 0);
        assert_eq!(parts[2].end, 10);
    }

    #[test]
    fn churn_cycle_alternates_checkout_and_release() {
        let mut c = Churn::cycle("cad", "g");
        let (p, _) = c.next().unwrap();
        assert_eq!(p, "/v1/checkout");
        let grant = Bytes::from_static(br#"{"leaseId":"L1","expiresAt":5}"#);
        assert_eq!(c.answer(StatusCode::OK, &grant), Outcome::Ok);
        assert_eq!(c.next().unwrap().0, "/v1/leases/L1/release");
        assert_eq!(c.answer(StatusCode::OK, &Bytes::new()), Outcome::Ok);
        assert_eq!(c.next().unwrap().0, "/v1/checkout");
        assert_eq!(c.grants, 1);
    }
}
