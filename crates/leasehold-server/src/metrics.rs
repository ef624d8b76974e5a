//! Counters for `/metrics` (Prometheus text format) and the usage figures.

use leasehold_core::Product;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the request latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Denials per minute of the last hour, per product (see `Metrics::deny`).
type DenialRings = HashMap<Option<Product>, [(i64, u32); 60]>;

#[derive(Default)]
pub struct Metrics {
    pub grants: AtomicU64,
    /// Grants beyond the licensed seats (part of `grants`).
    pub overdraft_grants: AtomicU64,
    pub denials: AtomicU64,
    pub renewals: AtomicU64,
    pub releases: AtomicU64,
    pub expiries: AtomicU64,
    pub disconnects: AtomicU64,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    /// Per product with a code on this server; `None` sums all others.
    denials_by_minute: Mutex<DenialRings>,
    /// Per product (only licensed ones ever wait): waits that ended in a
    /// seat, and their total length in ms.
    waits: Mutex<std::collections::BTreeMap<Product, (u64, u64)>>,
}

impl Metrics {
    pub fn observe_latency(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros.fetch_add(
            u64::try_from(d.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Counts a denial of `product` in the minute `minute` (minutes since
    /// the epoch); `None` for a product this server has no code for, all
    /// counted together so a stranger cannot add counters.
    pub fn deny(&self, product: Option<&Product>, minute: i64) {
        self.denials.fetch_add(1, Ordering::Relaxed);
        let mut map = self
            .denials_by_minute
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let ring = map.entry(product.cloned()).or_insert([(i64::MIN, 0); 60]);
        let slot = &mut ring[usize::try_from(minute.rem_euclid(60)).unwrap_or(0)];
        if slot.0 == minute {
            slot.1 = slot.1.saturating_add(1);
        } else {
            *slot = (minute, 1);
        }
    }

    /// A waiting client of `product` got a seat after `waited_ms`.
    pub fn waited(&self, product: &Product, waited_ms: i64) {
        let mut map = self
            .waits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = map.entry(product.clone()).or_insert((0, 0));
        entry.0 = entry.0.saturating_add(1);
        entry.1 = entry
            .1
            .saturating_add(u64::try_from(waited_ms).unwrap_or(0));
    }

    /// The queue's figures, what admins use to decide how many seats to
    /// buy: clients waiting now per product (`waiting`), and the time those
    /// served waited.
    #[must_use]
    pub fn render_queue(&self, waiting: &[(Product, usize)]) -> String {
        let mut out = String::from(
            "# HELP leasehold_queue_waiting Clients waiting for a seat now, per product.\n# TYPE leasehold_queue_waiting gauge\n",
        );
        for (product, n) in waiting {
            let _ = writeln!(
                out,
                "leasehold_queue_waiting{{product=\"{}\"}} {n}",
                escape(product.as_str())
            );
        }
        let map = self
            .waits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let name = "leasehold_queue_wait_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} How long clients waited before they got a seat, per product.\n# TYPE {name} summary"
        );
        for (product, (count, sum_ms)) in map.iter() {
            let p = escape(product.as_str());
            #[allow(clippy::cast_precision_loss)]
            let secs = *sum_ms as f64 / 1000.0;
            let _ = writeln!(out, "{name}_sum{{product=\"{p}\"}} {secs}");
            let _ = writeln!(out, "{name}_count{{product=\"{p}\"}} {count}");
        }
        out
    }

    /// Denials of `product` in minute `minute` (within the last hour).
    #[must_use]
    pub fn denials_in(&self, product: &Product, minute: i64) -> u32 {
        let map = self
            .denials_by_minute
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&Some(product.clone())).map_or(0, |ring| {
            ring.iter()
                .filter(|(m, _)| *m == minute)
                .map(|(_, n)| *n)
                .sum()
        })
    }

    /// Denials of `product` in the hour up to minute `now_minute`.
    #[must_use]
    pub fn denials_last_hour(&self, product: &Product, now_minute: i64) -> u32 {
        let map = self
            .denials_by_minute
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&Some(product.clone())).map_or(0, |ring| {
            ring.iter()
                .filter(|(m, _)| *m <= now_minute && *m > now_minute.saturating_sub(60))
                .map(|(_, n)| *n)
                .sum()
        })
    }

    /// The Prometheus text: these counters plus the per-product gauges given.
    #[must_use]
    pub fn render(&self, products: &[(Product, u32, u32)], leases: usize) -> String {
        let mut out = String::new();
        let counters = [
            ("leasehold_grants_total", "Seats granted.", &self.grants),
            (
                "leasehold_overdraft_grants_total",
                "Seats granted beyond the licensed count (overdraft), part of the grants.",
                &self.overdraft_grants,
            ),
            (
                "leasehold_denials_total",
                "Checkouts denied.",
                &self.denials,
            ),
            (
                "leasehold_renewals_total",
                "Leases renewed.",
                &self.renewals,
            ),
            (
                "leasehold_releases_total",
                "Leases released by clients.",
                &self.releases,
            ),
            (
                "leasehold_expiries_total",
                "Leases that expired unrenewed.",
                &self.expiries,
            ),
            (
                "leasehold_disconnects_total",
                "Leases ended by an administrator.",
                &self.disconnects,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP leasehold_leases Leases held now.\n# TYPE leasehold_leases gauge\nleasehold_leases {leases}"
        );
        let _ = writeln!(
            out,
            "# HELP leasehold_seats Seats licensed now, per product.\n# TYPE leasehold_seats gauge"
        );
        for (product, seats, _) in products {
            let _ = writeln!(
                out,
                "leasehold_seats{{product=\"{}\"}} {seats}",
                escape(product.as_str())
            );
        }
        let _ = writeln!(
            out,
            "# HELP leasehold_seats_in_use Seats in use now, per product.\n# TYPE leasehold_seats_in_use gauge"
        );
        for (product, _, in_use) in products {
            let _ = writeln!(
                out,
                "leasehold_seats_in_use{{product=\"{}\"}} {in_use}",
                escape(product.as_str())
            );
        }
        let _ = writeln!(
            out,
            "# HELP leasehold_seats_over_licence Seats in use beyond the licensed count now (overdraft), per product.\n# TYPE leasehold_seats_over_licence gauge"
        );
        for (product, seats, in_use) in products {
            let _ = writeln!(
                out,
                "leasehold_seats_over_licence{{product=\"{}\"}} {}",
                escape(product.as_str()),
                in_use.saturating_sub(*seats)
            );
        }
        let name = "leasehold_http_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} HTTP request latency.\n# TYPE {name} histogram"
        );
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        #[allow(clippy::cast_precision_loss)]
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Seats out on loan per product, and the feature seats per product and
/// feature: licensed now and held now.
#[must_use]
pub fn render_features(usage: &[leasehold_core::wire::admin::ProductUsage]) -> String {
    let mut out = String::new();
    let name = "leasehold_seats_borrowed";
    let _ = writeln!(
        out,
        "# HELP {name} Seats out on loan now (client borrow), per product.\n# TYPE {name} gauge"
    );
    for u in usage {
        let _ = writeln!(
            out,
            "{name}{{product=\"{}\"}} {}",
            escape(u.product.as_str()),
            u.borrowed
        );
    }
    let gauges = [
        (
            "leasehold_feature_seats",
            "Seats of each counted feature licensed now.",
        ),
        (
            "leasehold_feature_seats_in_use",
            "Seats of each counted feature held now.",
        ),
    ];
    for (i, (name, help)) in gauges.into_iter().enumerate() {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for u in usage {
            for f in &u.features {
                let value = if i == 0 { f.seats } else { f.in_use };
                let _ = writeln!(
                    out,
                    "{name}{{product=\"{}\",feature=\"{}\"}} {value}",
                    escape(u.product.as_str()),
                    escape(&f.feature)
                );
            }
        }
    }
    out
}

/// Consumption tokens per product in the running period: given, spent,
/// and spent beyond the balance (the token overdraft, billed).
#[must_use]
pub fn render_tokens(usage: &[leasehold_core::wire::admin::ProductUsage]) -> String {
    type Figure = fn(&leasehold_core::tokens::Balance) -> u64;
    let mut out = String::new();
    let gauges: [(&str, &str, Figure); 3] = [
        (
            "leasehold_tokens",
            "Consumption tokens given for the running period.",
            |b| b.units,
        ),
        (
            "leasehold_tokens_spent",
            "Consumption tokens spent in the running period.",
            |b| b.spent,
        ),
        (
            "leasehold_tokens_over_licence",
            "Consumption tokens spent beyond the balance in the running period (token overdraft).",
            leasehold_core::tokens::Balance::over,
        ),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for u in usage {
            if let Some(b) = &u.tokens {
                let _ = writeln!(
                    out,
                    "{name}{{product=\"{}\"}} {}",
                    escape(u.product.as_str()),
                    value(b)
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denials_count_only_the_last_hour() {
        let m = Metrics::default();
        let p = Product::from("cad");
        m.deny(Some(&p), 100);
        m.deny(Some(&p), 100);
        m.deny(Some(&p), 130);
        assert_eq!(m.denials_last_hour(&p, 130), 3);
        assert_eq!(m.denials_last_hour(&p, 160), 1);
        assert_eq!(m.denials_last_hour(&p, 190), 0);
        assert_eq!(m.denials_last_hour(&Product::from("x"), 130), 0);
    }

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.grants.fetch_add(2, Ordering::Relaxed);
        m.observe_latency(Duration::from_micros(700));
        let text = m.render(
            &[
                (Product::from("c\"ad"), 10, 3),
                (Product::from("viewer"), 2, 3),
            ],
            3,
        );
        assert!(text.contains("leasehold_seats_over_licence{product=\"c\\\"ad\"} 0"));
        assert!(text.contains("leasehold_seats_over_licence{product=\"viewer\"} 1"));
        assert!(text.contains("leasehold_grants_total 2"));
        assert!(text.contains("leasehold_seats{product=\"c\\\"ad\"} 10"));
        assert!(text.contains("leasehold_seats_in_use{product=\"c\\\"ad\"} 3"));
        assert!(text.contains("leasehold_http_request_duration_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("leasehold_http_request_duration_seconds_bucket{le=\"0.0005\"} 0"));
        assert!(text.contains("leasehold_http_request_duration_seconds_count 1"));
    }
}
