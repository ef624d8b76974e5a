//! License terms in the compact binary form a code carries (postcard), and the
//! rules every term must follow, checked when issuing and when decoding.

use super::dates::{DAY_MS, MAX_DAY};
use super::error::LicenseError;
use super::terms::{FeatureSeats, LicenseTerms, SeatRules, Tokens};
use crate::ids::{LicenseId, Product};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest product name, in bytes.
pub const MAX_PRODUCT_LEN: usize = 64;
/// Longest customer text, in bytes.
pub const MAX_CUSTOMER_LEN: usize = 128;
/// Most features one code may name.
pub const MAX_FEATURES: usize = 16;
/// Longest feature name, in bytes.
pub const MAX_FEATURE_LEN: usize = 32;
/// Longest machine id a code may be locked to, in bytes.
pub const MAX_NODE_LOCK_LEN: usize = 128;
/// Shortest lease a code may grant: clients renew well before expiry, so a
/// lease shorter than this would be spent renewing.
pub const MIN_LEASE_SECS: u32 = 10;
/// Longest lease a code may grant (30 days).
pub const MAX_LEASE_SECS: u32 = 30 * 86_400;

/// The terms as a code stores them: dates as whole days since 1970-01-01
/// (UTC), `issued_at` as whole seconds, the id as its 16 bytes. Field order is
/// the format: never reorder, only add under a new format version.
#[derive(Serialize, Deserialize)]
struct WireTerms {
    license_id: [u8; 16],
    product: String,
    seats: u32,
    valid_from_day: Option<u32>,
    valid_until_day: Option<u32>,
    features: Vec<String>,
    customer: String,
    lease_secs: u32,
    node_lock: Option<String>,
    issued_at_secs: u64,
}

/// Format 2: format 1's terms followed by the activation rule (`None`: no
/// activation; `Some(n)`: activation required, on at most `n` servers).
#[derive(Serialize, Deserialize)]
struct WireTermsV2 {
    v1: WireTerms,
    activations: Option<u32>,
}

/// Format 3: format 2's terms followed by the seat rules, each a tag and
/// its value's own bytes, so a server meets a rule added after it by its tag
/// (and refuses the code by name) instead of misreading it. A rule at its
/// default is not written.
#[derive(Serialize, Deserialize)]
struct WireTermsV3 {
    v2: WireTermsV2,
    rules: Vec<(u16, Vec<u8>)>,
}

/// The seat rules' tags. Never reuse or renumber one.
const OVERDRAFT: u16 = 1;
const NO_QUEUE: u16 = 2;
const NAMED_USERS: u16 = 3;
const MAX_BORROW_HOURS: u16 = 4;
const LINGER_SECS: u16 = 5;
const FEATURE_SEATS: u16 = 6;
const TOKENS: u16 = 7;
const UNITS_POOL: u16 = 8;

/// Most servers one code may be activated on at once.
pub const MAX_ACTIVATIONS: u32 = 1000;
/// Most overdraft seats one code may allow.
pub const MAX_OVERDRAFT: u32 = 1_000_000;
/// The most tokens a code gives per period (and its most token overdraft):
/// a thousand billion, far below what a sum of many codes could overflow.
pub const MAX_TOKENS: u64 = 1_000_000_000_000;
/// Longest cool-down before a named user's seat may move again (a year).
pub const MAX_REASSIGN_AFTER_HOURS: u32 = 8760;
/// Longest a seat may be borrowed for (a year).
pub const MAX_BORROW_HOURS_LIMIT: u32 = 8760;
/// Longest a released seat may stay kept for its holder (a day).
pub const MAX_LINGER_SECS: u32 = 86_400;

/// Checks the terms a code may carry.
///
/// # Errors
/// [`LicenseError::InvalidTerms`] naming the first rule broken.
pub fn validate(t: &LicenseTerms) -> Result<(), LicenseError> {
    let invalid = LicenseError::invalid_terms;
    text("product", t.product.as_str(), MAX_PRODUCT_LEN, false)?;
    if t.seats == 0 {
        return Err(invalid(String::from(
            "a license must grant at least 1 seat",
        )));
    }
    text("customer", &t.customer, MAX_CUSTOMER_LEN, true)?;
    if t.features.len() > MAX_FEATURES {
        return Err(invalid(format!(
            "at most {MAX_FEATURES} features, not {}",
            t.features.len()
        )));
    }
    for (i, f) in t.features.iter().enumerate() {
        text("feature", f, MAX_FEATURE_LEN, false)?;
        if t.features[..i].contains(f) {
            return Err(invalid(format!("feature `{f}` is named twice")));
        }
    }
    if let Some(machine) = &t.node_lock {
        text("machine id", machine, MAX_NODE_LOCK_LEN, false)?;
    }
    if !(MIN_LEASE_SECS..=MAX_LEASE_SECS).contains(&t.lease_secs) {
        return Err(invalid(format!(
            "the lease length must be between {MIN_LEASE_SECS} and {MAX_LEASE_SECS} seconds, not {}",
            t.lease_secs
        )));
    }
    day("start", t.valid_from)?;
    day("end", t.valid_until)?;
    if t.valid_from
        .zip(t.valid_until)
        .is_some_and(|(from, until)| from >= until)
    {
        return Err(invalid(String::from(
            "the expiry date is before the start date",
        )));
    }
    if t.activation_required && !(1..=MAX_ACTIVATIONS).contains(&t.max_activations) {
        return Err(invalid(format!(
            "a code that needs activation must allow between 1 and {MAX_ACTIVATIONS} activations, not {}",
            t.max_activations
        )));
    }
    if !t.activation_required && t.max_activations != 0 {
        return Err(invalid(String::from(
            "a code that needs no activation cannot limit activations",
        )));
    }
    if t.issued_at.0 < 0 {
        return Err(invalid(String::from("the issue time is before 1970")));
    }
    seat_rules(t)
}

fn seat_rules(t: &LicenseTerms) -> Result<(), LicenseError> {
    let invalid = LicenseError::invalid_terms;
    let r = &t.seat_rules;
    let bounded = |what: &str, value: u32, max: u32| {
        if value > max {
            Err(invalid(format!("{what} is at most {max}, not {value}")))
        } else {
            Ok(())
        }
    };
    bounded("the overdraft", r.overdraft, MAX_OVERDRAFT)?;
    bounded(
        "the named-user cool-down (hours)",
        r.reassign_after_hours,
        MAX_REASSIGN_AFTER_HOURS,
    )?;
    bounded(
        "the longest borrowing (hours)",
        r.max_borrow_hours,
        MAX_BORROW_HOURS_LIMIT,
    )?;
    bounded("the linger time (seconds)", r.linger_secs, MAX_LINGER_SECS)?;
    if let Some(tokens) = &r.tokens {
        if tokens.units == 0 || tokens.units > MAX_TOKENS {
            return Err(invalid(format!(
                "the tokens per period are 1 to {MAX_TOKENS}, not {}",
                tokens.units
            )));
        }
        if tokens.overdraft > MAX_TOKENS {
            return Err(invalid(format!(
                "the token overdraft is at most {MAX_TOKENS}, not {}",
                tokens.overdraft
            )));
        }
    }
    if !r.named_users && r.reassign_after_hours != SeatRules::default().reassign_after_hours {
        return Err(invalid(String::from(
            "a cool-down for moving seats between users needs named users",
        )));
    }
    for (i, f) in r.feature_seats.iter().enumerate() {
        if !t.features.contains(&f.feature) {
            return Err(invalid(format!(
                "feature `{}` has a seat count but is not one of the code's features",
                f.feature
            )));
        }
        if r.feature_seats[..i].iter().any(|g| g.feature == f.feature) {
            return Err(invalid(format!(
                "feature `{}` has two seat counts",
                f.feature
            )));
        }
        if f.seats == 0 {
            return Err(invalid(format!(
                "feature `{}` must have at least 1 seat when it has a count",
                f.feature
            )));
        }
    }
    Ok(())
}

/// The seat rules as tagged values (see [`WireTermsV3`]); empty for a plain
/// code.
fn encode_rules(r: &SeatRules) -> Result<Vec<(u16, Vec<u8>)>, LicenseError> {
    fn value<T: Serialize>(v: &T) -> Result<Vec<u8>, LicenseError> {
        postcard::to_stdvec(v)
            .map_err(|e| LicenseError::invalid_terms(format!("cannot encode: {e}")))
    }
    let plain = SeatRules::default();
    let mut out = Vec::new();
    if r.overdraft != plain.overdraft {
        out.push((OVERDRAFT, value(&r.overdraft)?));
    }
    if r.no_queue {
        out.push((NO_QUEUE, Vec::new()));
    }
    if r.named_users {
        out.push((NAMED_USERS, value(&r.reassign_after_hours)?));
    }
    if r.max_borrow_hours != plain.max_borrow_hours {
        out.push((MAX_BORROW_HOURS, value(&r.max_borrow_hours)?));
    }
    if r.linger_secs != plain.linger_secs {
        out.push((LINGER_SECS, value(&r.linger_secs)?));
    }
    for f in &r.feature_seats {
        out.push((FEATURE_SEATS, value(&(&f.feature, f.seats))?));
    }
    if let Some(t) = &r.tokens {
        out.push((TOKENS, value(&(t.units, t.period, t.overdraft))?));
    }
    if r.units_pool {
        out.push((UNITS_POOL, Vec::new()));
    }
    Ok(out)
}

fn decode_rules(rules: Vec<(u16, Vec<u8>)>) -> Result<SeatRules, LicenseError> {
    fn value<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, LicenseError> {
        postcard::from_bytes(bytes).map_err(|_| LicenseError::corrupt("a seat rule cannot be read"))
    }
    let mut r = SeatRules::default();
    let mut seen = Vec::new();
    for (tag, bytes) in rules {
        if tag != FEATURE_SEATS && seen.contains(&tag) {
            return Err(LicenseError::corrupt("a seat rule is written twice"));
        }
        seen.push(tag);
        match tag {
            OVERDRAFT => r.overdraft = value(&bytes)?,
            NO_QUEUE if bytes.is_empty() => r.no_queue = true,
            NAMED_USERS => {
                r.named_users = true;
                r.reassign_after_hours = value(&bytes)?;
            }
            MAX_BORROW_HOURS => r.max_borrow_hours = value(&bytes)?,
            LINGER_SECS => r.linger_secs = value(&bytes)?,
            FEATURE_SEATS => {
                let (feature, seats): (String, u32) = value(&bytes)?;
                r.feature_seats.push(FeatureSeats { feature, seats });
            }
            TOKENS => {
                let (units, period, overdraft) = value(&bytes)?;
                r.tokens = Some(Tokens {
                    units,
                    period,
                    overdraft,
                });
            }
            UNITS_POOL if bytes.is_empty() => r.units_pool = true,
            NO_QUEUE | UNITS_POOL => {
                return Err(LicenseError::corrupt("a seat rule cannot be read"));
            }
            tag => return Err(LicenseError::UnknownTerm { tag }),
        }
    }
    Ok(r)
}

fn text(what: &str, value: &str, max: usize, may_be_empty: bool) -> Result<(), LicenseError> {
    let invalid = LicenseError::invalid_terms;
    if !may_be_empty && value.trim().is_empty() {
        return Err(invalid(format!("the {what} must not be empty")));
    }
    if value.len() > max {
        return Err(invalid(format!(
            "the {what} is {} bytes long; at most {max} are allowed",
            value.len()
        )));
    }
    if let Some(why) = crate::text::refusal(value) {
        return Err(invalid(format!("the {what} {why}")));
    }
    if value.trim() != value {
        return Err(invalid(format!("the {what} starts or ends with a space")));
    }
    Ok(())
}

/// Validity bounds must fall on 00:00 UTC, as codes store whole days.
fn day(what: &str, t: Option<Timestamp>) -> Result<Option<u32>, LicenseError> {
    let Some(t) = t else { return Ok(None) };
    if t.0.rem_euclid(DAY_MS) != 0 {
        return Err(LicenseError::invalid_terms(format!(
            "the {what} of the validity window must be 00:00 UTC of a day (codes store whole days); \
             use license::valid_from_date / valid_until_date"
        )));
    }
    let d = t.0.div_euclid(DAY_MS);
    if !(0..=MAX_DAY + 1).contains(&d) {
        return Err(LicenseError::invalid_terms(format!(
            "the {what} of the validity window is outside 1970 … 9999"
        )));
    }
    u32::try_from(d)
        .map(Some)
        .map_err(|_| LicenseError::invalid_terms("date out of range"))
}

/// The terms as compact bytes, and their format: 2 for a plain code (older
/// servers read it), 3 with seat rules. `issued_at` is kept to the whole
/// second.
///
/// # Errors
/// [`LicenseError::InvalidTerms`] when the terms break a rule of [`validate`].
pub fn encode(t: &LicenseTerms) -> Result<(u8, Vec<u8>), LicenseError> {
    validate(t)?;
    let wire = WireTermsV2 {
        v1: WireTerms {
            license_id: *t.license_id.0.as_bytes(),
            product: t.product.0.clone(),
            seats: t.seats,
            valid_from_day: day("start", t.valid_from)?,
            valid_until_day: day("end", t.valid_until)?,
            features: t.features.clone(),
            customer: t.customer.clone(),
            lease_secs: t.lease_secs,
            node_lock: t.node_lock.clone(),
            issued_at_secs: u64::try_from(t.issued_at.0 / 1000).unwrap_or(0),
        },
        activations: t.activation_required.then_some(t.max_activations),
    };
    let cannot = |e: postcard::Error| LicenseError::invalid_terms(format!("cannot encode: {e}"));
    let rules = encode_rules(&t.seat_rules)?;
    if rules.is_empty() {
        return Ok((2, postcard::to_stdvec(&wire).map_err(cannot)?));
    }
    let v3 = WireTermsV3 { v2: wire, rules };
    Ok((3, postcard::to_stdvec(&v3).map_err(cannot)?))
}

/// Terms back from exactly these bytes of format `version` (nothing may be
/// left over), checked against the same rules as when issued.
///
/// # Errors
/// [`LicenseError::Corrupt`] when the bytes are not terms;
/// [`LicenseError::InvalidTerms`] when they are but break a rule.
pub fn decode(version: u8, bytes: &[u8]) -> Result<LicenseTerms, LicenseError> {
    let unreadable = |_| LicenseError::corrupt("its contents cannot be read");
    let (wire, rules, rest) = match version {
        1 => {
            let (v1, rest) = postcard::take_from_bytes::<WireTerms>(bytes).map_err(unreadable)?;
            let v2 = WireTermsV2 {
                v1,
                activations: None,
            };
            (v2, Vec::new(), rest)
        }
        2 => {
            let (v2, rest) = postcard::take_from_bytes::<WireTermsV2>(bytes).map_err(unreadable)?;
            (v2, Vec::new(), rest)
        }
        _ => {
            let (v3, rest) = postcard::take_from_bytes::<WireTermsV3>(bytes).map_err(unreadable)?;
            (v3.v2, v3.rules, rest)
        }
    };
    if !rest.is_empty() {
        return Err(LicenseError::corrupt(
            "it has bytes left over after its contents",
        ));
    }
    let day_ts = |d: Option<u32>| d.map(|d| Timestamp(i64::from(d) * DAY_MS));
    let WireTermsV2 { v1, activations } = wire;
    let terms = LicenseTerms {
        license_id: LicenseId(Uuid::from_bytes(v1.license_id)),
        product: Product(v1.product),
        seats: v1.seats,
        valid_from: day_ts(v1.valid_from_day),
        valid_until: day_ts(v1.valid_until_day),
        features: v1.features,
        customer: v1.customer,
        lease_secs: v1.lease_secs,
        node_lock: v1.node_lock,
        issued_at: Timestamp::from_secs(i64::try_from(v1.issued_at_secs).unwrap_or(i64::MAX)),
        activation_required: activations.is_some(),
        max_activations: activations.unwrap_or(0),
        seat_rules: decode_rules(rules)?,
    };
    validate(&terms)?;
    Ok(terms)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::license::dates::{valid_from_date, valid_until_date};
    use crate::license::terms::DEFAULT_LEASE_SECS;

    pub(crate) fn sample() -> LicenseTerms {
        LicenseTerms {
            license_id: LicenseId(Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef)),
            product: Product::from("acme-cad"),
            seats: 10,
            valid_from: None,
            valid_until: Some(valid_until_date("2026-12-31").unwrap()),
            features: vec![],
            customer: "Example GmbH".into(),
            lease_secs: DEFAULT_LEASE_SECS,
            node_lock: None,
            issued_at: Timestamp::from_secs(1_767_225_600),
            activation_required: false,
            max_activations: 0,
            seat_rules: Default::default(),
        }
    }

    #[test]
    fn round_trips() {
        let mut t = sample();
        t.valid_from = Some(valid_from_date("2026-01-01").unwrap());
        t.features = vec!["export".into(), "render".into()];
        t.node_lock = Some("machine-42".into());
        let (version, bytes) = encode(&t).unwrap();
        assert_eq!(
            version, 2,
            "a plain code stays in the format older servers read"
        );
        assert_eq!(decode(2, &bytes).unwrap(), t);
        t.activation_required = true;
        t.max_activations = 3;
        assert_eq!(decode(2, &encode(&t).unwrap().1).unwrap(), t);
    }

    fn with_rules() -> LicenseTerms {
        let mut t = sample();
        t.features = vec!["export".into(), "render".into()];
        t.seat_rules = SeatRules {
            overdraft: 2,
            no_queue: true,
            named_users: true,
            reassign_after_hours: 48,
            max_borrow_hours: 72,
            linger_secs: 30,
            units_pool: true,
            feature_seats: vec![FeatureSeats {
                feature: "render".into(),
                seats: 4,
            }],
            tokens: Some(Tokens {
                units: 10_000,
                period: crate::license::TokenPeriod::Month,
                overdraft: 500,
            }),
        };
        t
    }

    #[test]
    fn seat_rules_round_trip_in_format_3() {
        let t = with_rules();
        let (version, bytes) = encode(&t).unwrap();
        assert_eq!(version, 3);
        assert_eq!(decode(3, &bytes).unwrap(), t);
        // Each rule alone, too (a rule at its default is not written).
        let plain = SeatRules::default();
        let singles = [
            SeatRules {
                overdraft: 5,
                ..plain.clone()
            },
            SeatRules {
                no_queue: true,
                ..plain.clone()
            },
            SeatRules {
                named_users: true,
                ..plain.clone()
            },
            SeatRules {
                max_borrow_hours: 1,
                ..plain.clone()
            },
            SeatRules {
                linger_secs: 10,
                ..plain.clone()
            },
        ];
        for rules in singles {
            let mut t = sample();
            t.seat_rules = rules;
            let (version, bytes) = encode(&t).unwrap();
            assert_eq!(version, 3);
            assert_eq!(decode(3, &bytes).unwrap(), t);
        }
    }

    #[test]
    fn a_rule_from_a_newer_leasehold_is_refused_by_name() {
        let t = with_rules();
        let wire = WireTermsV3 {
            v2: postcard::from_bytes(&encode(&sample()).unwrap().1).unwrap(),
            rules: vec![
                (OVERDRAFT, postcard::to_stdvec(&3_u32).unwrap()),
                (77, vec![1, 2]),
            ],
        };
        let bytes = postcard::to_stdvec(&wire).unwrap();
        let e = decode(3, &bytes).unwrap_err();
        assert_eq!(e, LicenseError::UnknownTerm { tag: 77 });
        assert_eq!(e.code(), "license_unsupported_version");
        assert!(e.to_string().contains("update Leasehold"), "{e}");
        // A rule written twice, or one whose value is not its kind, is corrupt.
        let (_, good) = encode(&t).unwrap();
        let mut twice: WireTermsV3 = postcard::from_bytes(&good).unwrap();
        twice
            .rules
            .push((OVERDRAFT, postcard::to_stdvec(&1_u32).unwrap()));
        let e = decode(3, &postcard::to_stdvec(&twice).unwrap()).unwrap_err();
        assert_eq!(e.code(), "license_corrupt");
        let mut bad: WireTermsV3 = postcard::from_bytes(&good).unwrap();
        bad.rules = vec![(NO_QUEUE, vec![1])];
        let e = decode(3, &postcard::to_stdvec(&bad).unwrap()).unwrap_err();
        assert_eq!(e.code(), "license_corrupt");
    }

    #[test]
    fn format_1_terms_read_as_needing_no_activation() {
        let t = sample();
        let (_, v2) = encode(&t).unwrap();
        // Format 2 is format 1 followed by the activation rule (here `None`, one 0 byte).
        assert_eq!(v2.last(), Some(&0));
        let v1 = &v2[..v2.len() - 1];
        assert_eq!(decode(1, v1).unwrap(), t);
        assert_eq!(decode(1, &v2).unwrap_err().code(), "license_corrupt");
    }

    #[test]
    fn issued_at_keeps_whole_seconds() {
        let mut t = sample();
        t.issued_at = Timestamp(1_767_225_600_999);
        assert_eq!(
            decode(2, &encode(&t).unwrap().1).unwrap().issued_at,
            Timestamp(1_767_225_600_000)
        );
    }

    #[test]
    fn every_rule_is_checked() {
        type Edit = fn(&mut LicenseTerms);
        let cases: &[(Edit, &str)] = &[
            (|t| t.seats = 0, "at least 1 seat"),
            (
                |t| t.product = Product::from(""),
                "product must not be empty",
            ),
            (
                |t| t.product = Product::from("  "),
                "product must not be empty",
            ),
            (|t| t.product = Product::from("x".repeat(65)), "at most 64"),
            (|t| t.product = Product::from(" cad"), "space"),
            (|t| t.customer = "a\nb".into(), "control"),
            (|t| t.customer = "x".repeat(129), "customer"),
            (|t| t.features = vec!["f".into(); 17], "at most 16 features"),
            (|t| t.features = vec!["a".into(), "a".into()], "twice"),
            (
                |t| t.features = vec![String::new()],
                "feature must not be empty",
            ),
            (|t| t.node_lock = Some(String::new()), "machine id"),
            (|t| t.lease_secs = 0, "lease length"),
            (|t| t.lease_secs = MAX_LEASE_SECS + 1, "lease length"),
            (|t| t.valid_until = Some(Timestamp(5)), "00:00 UTC"),
            (|t| t.valid_from = t.valid_until, "before the start"),
            (|t| t.valid_until = Some(Timestamp(-DAY_MS)), "outside"),
            (|t| t.issued_at = Timestamp(-1), "before 1970"),
            (
                |t| t.activation_required = true,
                "between 1 and 1000 activations",
            ),
            (|t| t.max_activations = 2, "cannot limit activations"),
            (
                |t| t.seat_rules.overdraft = MAX_OVERDRAFT + 1,
                "overdraft is at most",
            ),
            (|t| t.seat_rules.linger_secs = MAX_LINGER_SECS + 1, "linger"),
            (|t| t.seat_rules.max_borrow_hours = 8761, "borrowing"),
            (
                |t| {
                    t.seat_rules.tokens = Some(Tokens {
                        units: 0,
                        period: crate::license::TokenPeriod::None,
                        overdraft: 0,
                    });
                },
                "tokens per period are 1 to",
            ),
            (
                |t| {
                    t.seat_rules.tokens = Some(Tokens {
                        units: 1,
                        period: crate::license::TokenPeriod::Year,
                        overdraft: MAX_TOKENS + 1,
                    });
                },
                "token overdraft is at most",
            ),
            (
                |t| t.seat_rules.reassign_after_hours = 1,
                "needs named users",
            ),
            (
                |t| {
                    t.seat_rules.named_users = true;
                    t.seat_rules.reassign_after_hours = 8761;
                },
                "cool-down",
            ),
            (
                |t| {
                    t.seat_rules.feature_seats = vec![FeatureSeats {
                        feature: "render".into(),
                        seats: 2,
                    }];
                },
                "not one of the code's features",
            ),
            (
                |t| {
                    t.features = vec!["render".into()];
                    t.seat_rules.feature_seats = vec![FeatureSeats {
                        feature: "render".into(),
                        seats: 0,
                    }];
                },
                "at least 1 seat",
            ),
            (
                |t| {
                    t.features = vec!["render".into()];
                    let f = FeatureSeats {
                        feature: "render".into(),
                        seats: 1,
                    };
                    t.seat_rules.feature_seats = vec![f.clone(), f];
                },
                "two seat counts",
            ),
        ];
        for (edit, want) in cases {
            let mut t = sample();
            edit(&mut t);
            let e = encode(&t).unwrap_err();
            assert_eq!(e.code(), "invalid_license_terms");
            assert!(e.to_string().contains(want), "{e} lacks {want}");
        }
    }

    #[test]
    fn decode_refuses_garbage_and_leftovers() {
        let (_, mut bytes) = encode(&sample()).unwrap();
        bytes.push(0);
        assert_eq!(decode(2, &bytes).unwrap_err().code(), "license_corrupt");
        assert_eq!(decode(2, &[0xFF; 3]).unwrap_err().code(), "license_corrupt");
        assert_eq!(decode(2, &[]).unwrap_err().code(), "license_corrupt");
    }
}
