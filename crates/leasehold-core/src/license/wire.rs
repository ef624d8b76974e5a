//! License terms in the compact binary form a code carries (postcard), and the
//! rules every term must follow, checked when issuing and when decoding.

use super::dates::{DAY_MS, MAX_DAY};
use super::error::LicenseError;
use super::terms::LicenseTerms;
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

/// Most servers one code may be activated on at once.
pub const MAX_ACTIVATIONS: u32 = 1000;

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
    Ok(())
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

/// The terms as compact bytes (format 2). `issued_at` is kept to the whole
/// second.
///
/// # Errors
/// [`LicenseError::InvalidTerms`] when the terms break a rule of [`validate`].
pub fn encode(t: &LicenseTerms) -> Result<Vec<u8>, LicenseError> {
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
    postcard::to_stdvec(&wire)
        .map_err(|e| LicenseError::invalid_terms(format!("cannot encode: {e}")))
}

/// Terms back from exactly these bytes of format `version` (nothing may be
/// left over), checked against the same rules as when issued.
///
/// # Errors
/// [`LicenseError::Corrupt`] when the bytes are not terms;
/// [`LicenseError::InvalidTerms`] when they are but break a rule.
pub fn decode(version: u8, bytes: &[u8]) -> Result<LicenseTerms, LicenseError> {
    let unreadable = |_| LicenseError::corrupt("its contents cannot be read");
    let (wire, rest) = if version == 1 {
        let (v1, rest) = postcard::take_from_bytes::<WireTerms>(bytes).map_err(unreadable)?;
        (
            WireTermsV2 {
                v1,
                activations: None,
            },
            rest,
        )
    } else {
        postcard::take_from_bytes::<WireTermsV2>(bytes).map_err(unreadable)?
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
        }
    }

    #[test]
    fn round_trips() {
        let mut t = sample();
        t.valid_from = Some(valid_from_date("2026-01-01").unwrap());
        t.features = vec!["export".into(), "render".into()];
        t.node_lock = Some("machine-42".into());
        assert_eq!(decode(2, &encode(&t).unwrap()).unwrap(), t);
        t.activation_required = true;
        t.max_activations = 3;
        assert_eq!(decode(2, &encode(&t).unwrap()).unwrap(), t);
    }

    #[test]
    fn format_1_terms_read_as_needing_no_activation() {
        let t = sample();
        let v2 = encode(&t).unwrap();
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
            decode(2, &encode(&t).unwrap()).unwrap().issued_at,
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
        let mut bytes = encode(&sample()).unwrap();
        bytes.push(0);
        assert_eq!(decode(2, &bytes).unwrap_err().code(), "license_corrupt");
        assert_eq!(decode(2, &[0xFF; 3]).unwrap_err().code(), "license_corrupt");
        assert_eq!(decode(2, &[]).unwrap_err().code(), "license_corrupt");
    }
}
