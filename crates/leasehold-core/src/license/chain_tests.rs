use super::*;
use crate::license::activation::ActivationRequest;
use crate::license::fingerprint::{Fingerprint, Part};
use crate::license::terms::LicenseTerms;
use crate::license::{VendorKeyPair, issue, parse};
use crate::testing;
use crate::time::Timestamp;

fn vendor(n: u8) -> VendorKeyPair {
    VendorKeyPair::from_seed(&[n; 32])
}

const SERVER: [u8; 32] = [7; 32];
/// The application's clock in these tests (the test codes have no dates).
const NOW: Timestamp = Timestamp(1_800_000_000_000);
const OTHER_SERVER: [u8; 32] = [8; 32];

fn code(v: &VendorKeyPair, product: &str, activation: bool) -> String {
    let terms = LicenseTerms {
        activation_required: activation,
        max_activations: u32::from(activation),
        ..testing::terms(product, 5)
    };
    issue(v, &terms).unwrap()
}

fn activated(v: &VendorKeyPair, code: &str, server: [u8; 32]) -> ChainLink {
    let request = ActivationRequest {
        code: parse(code).unwrap(),
        server_key: server,
        fingerprint: Fingerprint::of([(Part::MachineId, "m")]),
        server_name: "s".into(),
        made_at: Timestamp(0),
    };
    ChainLink {
        code: code.to_owned(),
        activation: Some(Activation::issue(v, &request, Timestamp(0)).to_text()),
    }
}

fn cad() -> Product {
    Product::from("cad")
}

#[test]
fn an_activated_genuine_code_lets_the_application_trust_the_server() {
    let v = vendor(1);
    let link = activated(&v, &code(&v, "cad", true), SERVER);
    assert_eq!(verify(&[link], &cad(), &SERVER, &[v.public()], NOW), Ok(()));
    // A code that needs no activation is enough by itself.
    let free = ChainLink {
        code: code(&v, "cad", false),
        activation: None,
    };
    assert_eq!(verify(&[free], &cad(), &SERVER, &[v.public()], NOW), Ok(()));
}

#[test]
fn a_server_with_a_self_made_key_is_not_trusted() {
    let (genuine, own) = (vendor(1), vendor(9));
    let fake = ChainLink {
        code: code(&own, "cad", false),
        activation: None,
    };
    let e = verify(&[fake], &cad(), &SERVER, &[genuine.public()], NOW).unwrap_err();
    assert!(e.to_string().contains("does not trust"), "{e}");
    // Nor with an activation it signed itself for a genuine code.
    let forged = activated(&own, &code(&genuine, "cad", true), SERVER);
    let e = verify(&[forged], &cad(), &SERVER, &[genuine.public()], NOW).unwrap_err();
    assert!(e.to_string().contains("does not verify"), "{e}");
}

#[test]
fn a_genuine_code_activated_for_another_server_is_not_enough() {
    let v = vendor(1);
    let c = code(&v, "cad", true);
    let elsewhere = activated(&v, &c, OTHER_SERVER);
    let e = verify(&[elsewhere], &cad(), &SERVER, &[v.public()], NOW).unwrap_err();
    assert!(e.to_string().contains("another server"), "{e}");
    let bare = ChainLink {
        code: c,
        activation: None,
    };
    let e = verify(&[bare], &cad(), &SERVER, &[v.public()], NOW).unwrap_err();
    assert!(e.to_string().contains("not activated"), "{e}");
}

#[test]
fn the_product_must_match_and_an_empty_chain_is_refused() {
    let v = vendor(1);
    let other = activated(&v, &code(&v, "viewer", true), SERVER);
    let e = verify(&[other], &cad(), &SERVER, &[v.public()], NOW).unwrap_err();
    assert!(e.to_string().contains("for viewer, not cad"), "{e}");
    assert_eq!(
        verify(&[], &cad(), &SERVER, &[v.public()], NOW),
        Err(ChainError::Empty(cad()))
    );
}

#[test]
fn one_genuine_code_cannot_vouch_for_a_self_issued_one_beside_it() {
    // The server adds up the seats of every code it shows: each must verify.
    let (genuine, own) = (vendor(1), vendor(9));
    let good = activated(&genuine, &code(&genuine, "cad", true), SERVER);
    let mine = ChainLink {
        code: code(&own, "cad", false),
        activation: None,
    };
    let e = verify(
        &[good.clone(), mine],
        &cad(),
        &SERVER,
        &[genuine.public()],
        NOW,
    )
    .unwrap_err();
    assert!(e.to_string().contains("does not trust"), "{e}");
    // A second genuine code activated with a self-made key: refused too.
    let second = code(&genuine, "cad", true);
    let self_activated = activated(&own, &second, SERVER);
    let e = verify(
        &[good, self_activated],
        &cad(),
        &SERVER,
        &[genuine.public()],
        NOW,
    )
    .unwrap_err();
    assert!(e.to_string().contains("does not verify"), "{e}");
}

#[test]
fn a_code_past_its_last_day_on_the_applications_clock_is_refused() {
    let v = vendor(1);
    let terms = LicenseTerms {
        valid_until: Some(crate::license::valid_until_date("2026-06-30").unwrap()),
        ..testing::terms("cad", 5)
    };
    let link = ChainLink {
        code: issue(&v, &terms).unwrap(),
        activation: None,
    };
    let before = crate::license::valid_from_date("2026-06-30").unwrap();
    assert_eq!(
        verify(
            std::slice::from_ref(&link),
            &cad(),
            &SERVER,
            &[v.public()],
            before
        ),
        Ok(())
    );
    let after = crate::license::valid_from_date("2026-07-01").unwrap();
    let e = verify(&[link], &cad(), &SERVER, &[v.public()], after).unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
}

#[test]
fn the_digest_changes_with_the_chain_not_its_order() {
    let v = vendor(1);
    let a = activated(&v, &code(&v, "cad", true), SERVER);
    let b = ChainLink {
        code: code(&v, "cad", false),
        activation: None,
    };
    let ab = digest(&[a.clone(), b.clone()]);
    assert_eq!(ab, digest(&[b.clone(), a.clone()]));
    assert_ne!(ab, digest(&[a]));
    assert_eq!(ab.len(), 32);
}
