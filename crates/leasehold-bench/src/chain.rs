//! What an application pays to trust a server: verifying its chain (a
//! licence code and its activation: parse both, three Ed25519 checks, a
//! digest), once per server and product. In process, no server.

use crate::report::{Report, Target, Unit};
use anyhow::Result;
use leasehold_core::Timestamp;
use leasehold_core::license::activation::{Activation, ActivationRequest};
use leasehold_core::license::fingerprint::{Fingerprint, Part};
use leasehold_core::license::{LicenseTerms, VendorKeyPair, chain, issue, parse};
use leasehold_core::wire::client::ChainLink;
use leasehold_core::{LicenseId, Product};
use std::time::Instant;

/// Verifications timed (bounded: the figure settles long before).
const ROUNDS: u32 = 500;

/// Adds the time one chain verification takes.
///
/// # Errors
/// When the test chain cannot be made or does not verify.
pub fn run(report: &mut Report) -> Result<()> {
    let vendor = VendorKeyPair::generate()?;
    let terms = LicenseTerms {
        license_id: LicenseId::random(),
        product: Product::from("cad"),
        seats: 10,
        valid_from: None,
        valid_until: None,
        features: Vec::new(),
        customer: "Bench Ltd".into(),
        lease_secs: 600,
        node_lock: None,
        issued_at: Timestamp::now(),
        activation_required: true,
        max_activations: 1,
        seat_rules: Default::default(),
    };
    let code = issue(&vendor, &terms)?;
    let server_key = [7u8; 32];
    let request = ActivationRequest {
        code: parse(&code)?,
        server_key,
        fingerprint: Fingerprint::of([(Part::MachineId, "bench")]),
        server_name: "bench".into(),
        made_at: Timestamp::now(),
    };
    let links = vec![ChainLink {
        code,
        activation: Some(Activation::issue(&vendor, &request, Timestamp::now()).to_text()),
    }];
    let trusted = [vendor.public()];
    let product = Product::from("cad");
    let started = Instant::now();
    for _ in 0..ROUNDS {
        chain::verify(&links, &product, &server_key, &trusted, Timestamp::now())
            .map_err(|e| anyhow::anyhow!("the bench chain does not verify: {e}"))?;
        std::hint::black_box(chain::digest(&links));
    }
    let per = started.elapsed().as_secs_f64() * 1000.0 / f64::from(ROUNDS);
    eprintln!("== client: verifying a server's chain");
    report.add(
        "client: verifying a server's chain (one activated code), per check",
        per,
        Unit::Millis,
        None,
        Some(Target::AtMost(1.0)),
    );
    Ok(())
}
