use super::*;
use ed25519_dalek::SigningKey;
use leasehold_core::license::fingerprint::{Fingerprint, Part};
use leasehold_core::license::{self, issue};
use leasehold_core::testing;

const T0: i64 = 1_800_000_000;

fn vendor() -> VendorKeyPair {
    VendorKeyPair::from_seed(&[1; 32])
}

fn server(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn computer(machine: &str) -> Fingerprint {
    Fingerprint::of([
        (Part::MachineId, machine),
        (Part::HostName, "lic01"),
        (Part::NetworkCards, "aa:bb"),
        (Part::Processor, "Xeon"),
    ])
}

fn code(max_activations: u32) -> String {
    let terms = LicenseTerms {
        activation_required: true,
        max_activations,
        ..testing::terms("cad", 10)
    };
    issue(&vendor(), &terms).unwrap()
}

fn request(code: &str, server: &SigningKey, computer: Fingerprint) -> String {
    ActivationRequest {
        code: license::parse(code).unwrap(),
        server_key: server.verifying_key().to_bytes(),
        fingerprint: computer,
        server_name: "lic01".into(),
        made_at: Timestamp::from_secs(T0),
    }
    .to_text()
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs(T0 + secs)
}

/// What the server does when it deactivates: voids the activation it holds.
fn proof(server: &SigningKey, response: &str, secs: i64) -> String {
    let activation = Activation::parse(response).unwrap();
    Deactivation::sign(
        server,
        activation.license_id,
        activation.activated_at,
        at(secs),
    )
    .to_text()
}

fn open(dir: &Path) -> Ledger {
    Ledger::open(dir).unwrap()
}

#[test]
fn an_activation_verifies_and_asking_again_uses_none_up() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path());
    let code = code(1);
    let req = request(&code, &server(7), computer("m-1"));
    let first = ledger.activate(&vendor(), &req, at(0)).unwrap();
    assert!(!first.again);
    assert_eq!((first.active, first.max_activations), (1, 1));
    let activation = Activation::parse(&first.response).unwrap();
    assert_eq!(
        activation.verify(&[vendor().public()]),
        Ok(vendor().public())
    );
    assert_eq!(
        activation.check_for(first.license_id, &server(7).verifying_key().to_bytes()),
        Ok(())
    );

    // The same server on the same computer (one part changed) asks again,
    // after a restart of the authority: the same response, nothing used up.
    drop(ledger);
    let ledger = open(dir.path());
    let again = ledger
        .activate(
            &vendor(),
            &request(&code, &server(7), computer("m-1-new-board")),
            at(60),
        )
        .unwrap();
    assert!(again.again);
    assert_eq!(again.response, first.response);
    assert_eq!(again.active, 1);
}

#[test]
fn the_limit_holds_for_other_servers_and_for_a_copied_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path());
    let code = code(1);
    ledger
        .activate(
            &vendor(),
            &request(&code, &server(7), computer("m-1")),
            at(0),
        )
        .unwrap();

    let other = ledger
        .activate(
            &vendor(),
            &request(&code, &server(8), computer("m-2")),
            at(1),
        )
        .unwrap_err();
    assert_eq!(other.code().as_str(), "activation_limit_reached");
    let message = other.to_string();
    assert!(message.contains("\"lic01\""), "{message}");
    assert!(message.contains("admin activation deactivate"), "{message}");

    // The same server key from a copied data directory on another computer
    // (most parts differ) is another activation, not the same one again.
    let copied = Fingerprint::of([
        (Part::MachineId, "m-9"),
        (Part::HostName, "lic02"),
        (Part::NetworkCards, "cc:dd"),
        (Part::Processor, "Xeon"),
    ]);
    let copy = ledger
        .activate(&vendor(), &request(&code, &server(7), copied), at(2))
        .unwrap_err();
    assert_eq!(copy.code().as_str(), "activation_mismatch");
    assert!(copy.to_string().contains("on another computer"), "{copy}");
    assert_eq!(ledger.entries(None).unwrap().len(), 1);
}

#[test]
fn a_copy_of_a_server_cannot_hold_an_activation_beside_the_original() {
    // The reviewer's attack: max 2; the original A activated; its data
    // directory copied to B (same key, another computer) asks for the
    // second activation, to deactivate it later and free A's.
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path());
    let code = code(2);
    let a = ledger
        .activate(
            &vendor(),
            &request(&code, &server(7), computer("m-1")),
            at(0),
        )
        .unwrap();
    let elsewhere = Fingerprint::of([
        (Part::MachineId, "m-9"),
        (Part::HostName, "lic09"),
        (Part::NetworkCards, "99:99"),
        (Part::Processor, "Arm"),
    ]);
    let b = ledger
        .activate(&vendor(), &request(&code, &server(7), elsewhere), at(10))
        .unwrap_err();
    assert_eq!(b.code().as_str(), "activation_mismatch");
    // A proof whose void_through names no activation frees nothing.
    let made_up = Deactivation::sign(&server(7), a.license_id, at(5), at(30)).to_text();
    let e = ledger.deactivate(&made_up, at(50)).unwrap_err();
    assert_eq!(e.code().as_str(), "activation_mismatch");
    let active = ledger.entries(Some(a.license_id)).unwrap();
    assert_eq!(active.len(), 1);
    assert!(active[0].freed_at.is_none());
}

#[test]
fn a_deactivation_frees_the_activation_for_another_server() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path());
    let code = code(1);
    let first = ledger
        .activate(
            &vendor(),
            &request(&code, &server(7), computer("m-1")),
            at(0),
        )
        .unwrap();
    let freed = ledger
        .deactivate(&proof(&server(7), &first.response, 10), at(20))
        .unwrap();
    assert!(freed.freed);
    assert_eq!((freed.active, freed.max_activations), (0, 1));
    // Sent twice: nothing more to free, and not an error.
    let twice = ledger
        .deactivate(&proof(&server(7), &first.response, 10), at(21))
        .unwrap();
    assert!(!twice.freed);

    let moved = ledger
        .activate(
            &vendor(),
            &request(&code, &server(8), computer("m-2")),
            at(30),
        )
        .unwrap();
    assert!(!moved.again);
    let entries = ledger.entries(Some(first.license_id)).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].freed_at, None);
    assert_eq!(entries[1].freed_at, Some(at(20)));
}

#[test]
fn an_old_proof_cannot_free_a_later_activation_of_the_same_server() {
    // The attack: activate, deactivate (keep the proof), activate again,
    // then send the old proof to free a slot while still counting.
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path());
    let code = code(1);
    let req = request(&code, &server(7), computer("m-1"));
    let first = ledger.activate(&vendor(), &req, at(0)).unwrap();
    let old_proof = proof(&server(7), &first.response, 0);
    ledger.deactivate(&old_proof, at(0)).unwrap();
    // Again in the same second: still strictly later than the one voided.
    let second = ledger.activate(&vendor(), &req, at(0)).unwrap();
    let (a1, a2) = (
        Activation::parse(&first.response).unwrap().activated_at,
        Activation::parse(&second.response).unwrap().activated_at,
    );
    assert!(a2 > a1, "{a2:?} after {a1:?}");

    let replay = ledger.deactivate(&old_proof, at(5)).unwrap_err();
    assert_eq!(replay.code().as_str(), "activation_mismatch");
    let limit = ledger
        .activate(
            &vendor(),
            &request(&code, &server(8), computer("m-2")),
            at(6),
        )
        .unwrap_err();
    assert_eq!(limit.code().as_str(), "activation_limit_reached");
}

#[test]
fn requests_it_cannot_answer_are_refused_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path());
    let foreign = VendorKeyPair::from_seed(&[2; 32]);
    let terms = LicenseTerms {
        activation_required: true,
        max_activations: 1,
        ..testing::terms("cad", 10)
    };
    let theirs = issue(&foreign, &terms).unwrap();
    let e = ledger
        .activate(
            &vendor(),
            &request(&theirs, &server(7), computer("m-1")),
            at(0),
        )
        .unwrap_err();
    assert_eq!(e.code().as_str(), "untrusted_vendor");

    let free = issue(&vendor(), &testing::terms("cad", 10)).unwrap();
    let e = ledger
        .activate(
            &vendor(),
            &request(&free, &server(7), computer("m-1")),
            at(0),
        )
        .unwrap_err();
    assert_eq!(e.code().as_str(), "bad_request");
    assert!(e.to_string().contains("needs no activation"));

    let e = ledger
        .activate(&vendor(), "not a request", at(0))
        .unwrap_err();
    assert_eq!(e.code().as_str(), "bad_activation");
    // A proof for an activation this ledger never made.
    let unknown = Deactivation::sign(&server(7), LicenseId::random(), at(0), at(0)).to_text();
    let e = ledger.deactivate(&unknown, at(0)).unwrap_err();
    assert_eq!(e.code().as_str(), "activation_mismatch");
    assert!(ledger.entries(None).unwrap().is_empty());
}

#[test]
fn a_licence_moves_at_most_twice_a_month_and_moves_are_kept_a_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path());
    let code = code(1);
    let req = request(&code, &server(7), computer("m-1"));
    let day = 24 * 3600;
    let cycle = |secs: i64| {
        let a = ledger.activate(&vendor(), &req, at(secs)).unwrap();
        ledger.deactivate(&proof(&server(7), &a.response, secs), at(secs))
    };
    cycle(0).unwrap();
    cycle(day).unwrap();
    let third = cycle(2 * day).unwrap_err();
    assert_eq!(third.code().as_str(), "activation_limit_reached");
    assert!(
        third
            .to_string()
            .contains("moved 2 times in the last 30 days"),
        "{third}"
    );
    // The vendor may free it by hand (the computer is gone): recorded.
    let id = ledger.entries(None).unwrap()[0].license_id;
    let key = key_hex(&server(7).verifying_key().to_bytes());
    let freed = ledger.free(id, &key[..8], at(2 * day)).unwrap();
    assert!(freed.freed_at.is_some());
    assert_eq!(
        ledger
            .free(id, &key[..8], at(2 * day))
            .unwrap_err()
            .code()
            .as_str(),
        "activation_mismatch"
    );
    // A month later it may move again.
    cycle(40 * day).unwrap();
    assert_eq!(ledger.entries(None).unwrap().len(), 4);
    // Over a year on, the old moves are forgotten: the file stays small.
    cycle(500 * day).unwrap();
    assert_eq!(ledger.entries(None).unwrap().len(), 1);
}

#[test]
fn a_second_authority_on_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = open(dir.path());
    let second = Ledger::open(dir.path()).err().unwrap();
    assert_eq!(second.code().as_str(), "storage_locked");
}
