//! Which conditions hold now, from what the server sees: a pure function,
//! so each rule is tested on its own.

use leasehold_core::wire::admin::{ExpiringLicense, ProductUsage};
use leasehold_core::wire::alerts::{AlertKind, Severity};
use leasehold_core::{LicenseId, Product};

/// Denials within this many minutes make a product "out of seats".
pub const DENIAL_MINUTES: i64 = 15;
/// An open usage alert holds until use falls this many points below the
/// threshold (so use hovering at it does not raise one a minute).
pub const USAGE_HYSTERESIS: u32 = 10;

/// What the server sees now.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub expiring: Vec<ExpiringLicense>,
    pub products: Vec<ProductUsage>,
    /// Denials per product in the last [`DENIAL_MINUTES`].
    pub recent_denials: Vec<(Product, u32)>,
    pub store_failing: Option<String>,
    pub mdns_failed: Option<String>,
    pub clock_set_back: Option<String>,
    /// The usage threshold in % (0: none).
    pub usage_percent: u32,
}

/// A condition that holds: one alert per key while it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub key: String,
    pub kind: AlertKind,
    pub severity: Severity,
    pub product: Option<Product>,
    pub license_id: Option<LicenseId>,
    pub message: String,
}

fn condition(kind: AlertKind, severity: Severity, subject: &str, message: String) -> Condition {
    Condition {
        key: if subject.is_empty() {
            kind.as_str().to_owned()
        } else {
            format!("{}:{subject}", kind.as_str())
        },
        kind,
        severity,
        product: None,
        license_id: None,
        message,
    }
}

/// Whether `part` of `whole` reaches `percent`.
fn reaches(part: u64, whole: u64, percent: u32) -> bool {
    whole > 0 && part.saturating_mul(100) >= whole.saturating_mul(u64::from(percent))
}

/// How much of something is used: `part` of `whole`, in words `of`.
struct Share {
    part: u64,
    whole: u64,
    of: &'static str,
}

/// A near-limit condition of `kind` for `product` when `share` reaches the
/// usage threshold (held a little below it while its alert is open).
fn near_limit(
    i: &Inputs,
    open: &dyn Fn(&str) -> bool,
    kind: AlertKind,
    product: &Product,
    share: &Share,
) -> Option<Condition> {
    let mut c = condition(
        kind,
        Severity::Warning,
        product.as_str(),
        format!(
            "{product}: {} of {} {} (the alert is at {} %).",
            share.part, share.whole, share.of, i.usage_percent
        ),
    );
    let threshold = if open(&c.key) {
        i.usage_percent.saturating_sub(USAGE_HYSTERESIS)
    } else {
        i.usage_percent
    };
    if !reaches(share.part, share.whole, threshold) {
        return None;
    }
    c.product = Some(product.clone());
    Some(c)
}

/// The conditions that hold; `open(key)` says whether an alert of the key
/// is open (a usage alert then holds a little below its threshold).
pub fn conditions(i: &Inputs, open: &dyn Fn(&str) -> bool) -> Vec<Condition> {
    let mut out = Vec::new();
    for e in &i.expiring {
        let when = match e.days_left {
            0 => "today is its last day".to_owned(),
            1 => "its last day is tomorrow".to_owned(),
            n => format!("its last day is {} (in {n} days)", e.last_day),
        };
        let customer = if e.customer.is_empty() {
            String::new()
        } else {
            format!(" for {}", e.customer)
        };
        let severity = if e.days_left <= 3 {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let mut c = condition(
            AlertKind::LicenseExpiring,
            severity,
            &e.license_id.to_string(),
            format!(
                "The {} code{customer} ({} seats) ends soon: {when}. Ask the vendor for a renewal and add it.",
                e.product, e.seats
            ),
        );
        c.product = Some(e.product.clone());
        c.license_id = Some(e.license_id);
        out.push(c);
    }
    for (product, denied) in &i.recent_denials {
        if *denied == 0 {
            continue;
        }
        let mut c = condition(
            AlertKind::OutOfSeats,
            Severity::Warning,
            product.as_str(),
            format!(
                "{product} is out of seats: {denied} checkout{} refused in the last {DENIAL_MINUTES} minutes because every seat was in use.",
                if *denied == 1 { " was" } else { "s were" }
            ),
        );
        c.product = Some(product.clone());
        out.push(c);
    }
    if i.usage_percent > 0 {
        for p in &i.products {
            let seats = Share {
                part: u64::from(p.in_use),
                whole: u64::from(p.seats),
                of: "seats in use",
            };
            out.extend(near_limit(
                i,
                open,
                AlertKind::UsageNearLimit,
                &p.product,
                &seats,
            ));
            if let Some(t) = &p.tokens {
                let tokens = Share {
                    part: t.spent,
                    whole: t.units,
                    of: "consumption tokens of this period spent",
                };
                out.extend(near_limit(
                    i,
                    open,
                    AlertKind::TokensNearLimit,
                    &p.product,
                    &tokens,
                ));
            }
        }
    }
    if let Some(why) = &i.store_failing {
        out.push(condition(
            AlertKind::StoreFailing,
            Severity::Critical,
            "",
            format!("Writing to the data directory fails ({why}): seats that end stay taken until it works again. Free disk space or check the disk."),
        ));
    }
    if let Some(why) = &i.mdns_failed {
        out.push(condition(
            AlertKind::MdnsFailed,
            Severity::Warning,
            "",
            format!("Announcing the server over mDNS fails ({why}): applications do not find it by themselves; give them its address."),
        ));
    }
    if let Some(why) = &i.clock_set_back {
        out.push(condition(
            AlertKind::ClockSetBack,
            Severity::Critical,
            "",
            why.clone(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasehold_core::Timestamp;
    use leasehold_core::license::TokenPeriod;
    use leasehold_core::tokens::Balance;

    fn usage(product: &str, seats: u32, in_use: u32) -> ProductUsage {
        ProductUsage {
            product: Product(product.into()),
            seats,
            in_use,
            high_water: in_use,
            denials_last_hour: 0,
            ending: 0,
            borrowed: 0,
            features: vec![],
            tokens: None,
        }
    }

    fn keys(i: &Inputs, open: &[&str]) -> Vec<String> {
        conditions(i, &|k| open.contains(&k))
            .into_iter()
            .map(|c| c.key)
            .collect()
    }

    #[test]
    fn usage_alerts_at_the_threshold_and_hold_until_well_below_it() {
        let mut i = Inputs {
            usage_percent: 90,
            products: vec![
                usage("cad", 10, 9),
                usage("sim", 10, 8),
                usage("none", 0, 0),
            ],
            ..Inputs::default()
        };
        assert_eq!(keys(&i, &[]), vec!["usage_near_limit:cad"]);
        // Open, it holds at 8 of 10 (80 %), ends at 7.
        i.products = vec![usage("cad", 10, 8)];
        assert_eq!(
            keys(&i, &["usage_near_limit:cad"]),
            vec!["usage_near_limit:cad"]
        );
        assert!(keys(&i, &[]).is_empty(), "not open: 80 % raises nothing");
        i.products = vec![usage("cad", 10, 7)];
        assert!(keys(&i, &["usage_near_limit:cad"]).is_empty());
        i.usage_percent = 0;
        i.products = vec![usage("cad", 10, 10)];
        assert!(keys(&i, &[]).is_empty(), "0: no usage alerts");
    }

    #[test]
    fn tokens_alert_on_the_share_of_the_period_spent() {
        let mut p = usage("cad", 1, 0);
        p.tokens = Some(Balance {
            product: p.product.clone(),
            period: TokenPeriod::Month,
            period_start: Timestamp(0),
            period_end: None,
            units: 1000,
            overdraft: 0,
            spent: 950,
        });
        let i = Inputs {
            usage_percent: 90,
            products: vec![p],
            ..Inputs::default()
        };
        let c = conditions(&i, &|_| false);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].key, "tokens_near_limit:cad");
        assert!(c[0].message.contains("950 of 1000"), "{}", c[0].message);
    }

    #[test]
    fn denials_expiry_store_mdns_and_clock_each_make_their_own_condition() {
        let i = Inputs {
            recent_denials: vec![(Product("cad".into()), 3), (Product("sim".into()), 0)],
            store_failing: Some("disk full".into()),
            mdns_failed: Some("no interface".into()),
            clock_set_back: Some("the clock is set back".into()),
            ..Inputs::default()
        };
        let c = conditions(&i, &|_| false);
        let kinds: Vec<_> = c.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "out_of_seats:cad",
                "store_failing",
                "mdns_failed",
                "clock_set_back"
            ]
        );
        assert!(
            c[0].message.contains("3 checkouts were refused"),
            "{}",
            c[0].message
        );
        assert_eq!(c[1].severity, Severity::Critical);
    }
}
