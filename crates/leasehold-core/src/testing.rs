//! What the tests of every crate share (feature `testing`): one builder of
//! licence terms, not a copy per crate. Change a field with struct update
//! syntax: `LicenseTerms { lease_secs: 10, ..testing::terms("cad", 2) }`.

use crate::license::LicenseTerms;
use crate::{LicenseId, Product, Timestamp};

/// Terms for `seats` seats of `product` for "Acme Ltd": a fresh id, no
/// dates, 60 s leases, feature `export`, issued now (whole seconds, as a code
/// keeps them), not node-locked, needing no activation.
#[must_use]
pub fn terms(product: &str, seats: u32) -> LicenseTerms {
    LicenseTerms {
        license_id: LicenseId::random(),
        product: Product::from(product),
        seats,
        valid_from: None,
        valid_until: None,
        features: vec!["export".into()],
        customer: "Acme Ltd".into(),
        lease_secs: 60,
        node_lock: None,
        issued_at: Timestamp(Timestamp::now().0 / 1000 * 1000),
        activation_required: false,
        max_activations: 0,
        seat_rules: Default::default(),
    }
}

/// [`terms`] whose seats also carry the rules the SDK's extra calls use:
/// feature `render` with 1 seat of its own, plain feature `export`, loans of
/// up to 24 hours, 100 consumption tokens a month.
#[must_use]
pub fn terms_with_feature_and_loans(product: &str, seats: u32) -> LicenseTerms {
    LicenseTerms {
        features: vec!["render".into(), "export".into()],
        seat_rules: crate::license::SeatRules {
            feature_seats: vec![crate::license::FeatureSeats {
                feature: "render".into(),
                seats: 1,
            }],
            max_borrow_hours: 24,
            tokens: Some(crate::license::Tokens {
                units: 100,
                period: crate::license::TokenPeriod::Month,
                overdraft: 0,
            }),
            ..Default::default()
        },
        ..terms(product, seats)
    }
}

/// A checkout of `product` by `user` on computer `client` (host
/// `CLIENT.lan`), from an application without a name, sending no computer
/// parts.
#[must_use]
pub fn ask(product: &str, client: &str, user: &str) -> crate::table::CheckoutRequest {
    crate::table::CheckoutRequest {
        product: Product::from(product),
        holder: crate::lease::Holder {
            client_id: crate::ClientId::from(client),
            user: user.into(),
            host: format!("{client}.lan"),
            app_name: String::new(),
            app_version: String::new(),
            address: String::new(),
            computer: crate::computer::Computer::UNKNOWN,
        },
        units: 1,
    }
}
