use super::*;
use crate::license::issue;
use crate::license::terms::LicenseTerms;
use crate::testing;

fn vendor(n: u8) -> VendorKeyPair {
    VendorKeyPair::from_seed(&[n; 32])
}

fn server(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn computer() -> Fingerprint {
    Fingerprint::of([
        (Part::MachineId, "m-1"),
        (Part::HostName, "lic01"),
        (Part::NetworkCards, "aa:bb"),
        (Part::Processor, "Xeon"),
    ])
}

fn request(vendor: &VendorKeyPair, server: &SigningKey) -> ActivationRequest {
    let terms = LicenseTerms {
        activation_required: true,
        max_activations: 2,
        ..testing::terms("cad", 10)
    };
    ActivationRequest {
        code: code::parse(&issue(vendor, &terms).unwrap()).unwrap(),
        server_key: server.verifying_key().to_bytes(),
        fingerprint: computer(),
        server_name: "lic01".into(),
        made_at: Timestamp::from_secs(1_800_000_000),
    }
}

#[test]
fn the_round_trip_request_response_verifies_for_its_server_only() {
    let (v, s) = (vendor(1), server(7));
    let req = request(&v, &s);
    let text = req.to_text();
    let read = ActivationRequest::parse(&text).unwrap();
    assert_eq!(read, req);
    assert!(read.code.verify(&[v.public()]).is_ok());

    let act = Activation::issue(&v, &read, Timestamp::from_secs(1_800_000_100));
    let back = Activation::parse(&act.to_text()).unwrap();
    assert_eq!(back, act);
    assert_eq!(
        back.verify(&[vendor(2).public(), v.public()]),
        Ok(v.public())
    );
    let id = req.code.terms().license_id;
    assert_eq!(back.check_for(id, &s.verifying_key().to_bytes()), Ok(()));
    assert_eq!(back.fingerprint, computer());

    let other = back
        .check_for(id, &server(8).verifying_key().to_bytes())
        .unwrap_err();
    assert_eq!(other.code(), "activation_mismatch");
    assert!(other.to_string().contains("another server"), "{other}");
    let e = back.check_for(LicenseId::random(), &s.verifying_key().to_bytes());
    assert_eq!(e.unwrap_err().code(), "activation_mismatch");
}

#[test]
fn an_attacker_cannot_make_or_alter_an_activation() {
    let (v, s) = (vendor(1), server(7));
    let req = request(&v, &s);
    // Signed with a key of their own that names itself: not trusted.
    let own = Activation::issue(&vendor(9), &req, Timestamp(0));
    assert_eq!(
        own.verify(&[v.public()]).unwrap_err().code(),
        "untrusted_vendor"
    );
    // A genuine activation pointed at another server key: the signature breaks.
    let mut moved = Activation::issue(&v, &req, Timestamp(0));
    let other = server(8).verifying_key().to_bytes();
    let at = moved
        .signed
        .windows(32)
        .position(|w| w == s.verifying_key().to_bytes())
        .unwrap();
    moved.signed[at..at + 32].copy_from_slice(&other);
    let reread = Activation::parse(&moved.to_text()).unwrap();
    assert_eq!(reread.server_key, other);
    assert_eq!(
        reread.verify(&[v.public()]).unwrap_err().code(),
        "bad_signature"
    );
}

#[test]
fn a_signed_activation_is_not_a_licence_code_and_blocks_do_not_mix() {
    let (v, s) = (vendor(1), server(7));
    let req = request(&v, &s);
    let act = Activation::issue(&v, &req, Timestamp(0));
    // The vendor's signature over an activation never verifies as a code's.
    let mut as_code = act.signed.clone();
    as_code.extend_from_slice(&act.signature);
    assert!(
        code::from_bytes(&as_code)
            .and_then(|c| c.verify(&[v.public()]))
            .is_err()
    );
    // Each kind of block refuses the others.
    assert_eq!(
        Activation::parse(&req.to_text()).unwrap_err().code(),
        "bad_activation"
    );
    assert_eq!(
        ActivationRequest::parse(&act.to_text()).unwrap_err().code(),
        "bad_activation"
    );
    assert!(code::parse(&act.to_text()).is_err());
    let proof = Deactivation::sign(&s, req.code.terms().license_id, Timestamp(0), Timestamp(0));
    assert_eq!(
        Activation::parse(&proof.to_text()).unwrap_err().code(),
        "bad_activation"
    );
}

#[test]
fn typos_and_cut_off_blocks_say_where() {
    let (v, s) = (vendor(1), server(7));
    let text = Activation::issue(&v, &request(&v, &s), Timestamp(0)).to_text();
    let mut groups: Vec<String> = text.split('-').map(str::to_owned).collect();
    // One character changed: every group's check symbol catches that.
    let first = if groups[2].starts_with('A') { "B" } else { "A" };
    groups[2].replace_range(..1, first);
    let e = Activation::parse(&groups.join("-")).unwrap_err();
    assert!(
        e.to_string().contains("group 3") && e.to_string().contains("activation response"),
        "{e}"
    );
    let cut: Vec<&str> = text.split('-').collect();
    let e = Activation::parse(&cut[..cut.len() - 4].join("-")).unwrap_err();
    assert!(matches!(e, ActivationError::Truncated { .. }), "{e:?}");
    let e = Activation::parse("hello").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("this is not an activation response"),
        "{e}"
    );
}

#[test]
fn deactivation_proofs_are_signed_by_the_server_they_name() {
    let s = server(7);
    let id = LicenseId::random();
    let proof = Deactivation::sign(
        &s,
        id,
        Timestamp::from_secs(1_700_000_000),
        Timestamp::from_secs(1_800_000_000),
    );
    let back = Deactivation::parse(&proof.to_text()).unwrap();
    assert_eq!(back.license_id, id);
    assert_eq!(back.void_through, Timestamp::from_secs(1_700_000_000));
    assert_eq!(back.deactivated_at, Timestamp::from_secs(1_800_000_000));
    assert_eq!(back.server_key, s.verifying_key().to_bytes());
    // Naming another server's key breaks the signature.
    let mut forged = proof.clone();
    let other = server(8).verifying_key().to_bytes();
    let at = forged
        .signed
        .windows(32)
        .position(|w| w == s.verifying_key().to_bytes())
        .unwrap();
    forged.signed[at..at + 32].copy_from_slice(&other);
    assert_eq!(
        Deactivation::parse(&forged.to_text()).unwrap_err().code(),
        "bad_signature"
    );
}

#[test]
fn long_server_names_are_cut_at_a_character() {
    let (v, s) = (vendor(1), server(7));
    let mut req = request(&v, &s);
    req.server_name = "é".repeat(40);
    let back = ActivationRequest::parse(&req.to_text()).unwrap();
    assert_eq!(back.server_name, "é".repeat(32));
}
