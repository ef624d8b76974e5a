//! A borrow token checked offline, and the attacker's edits refused.

use super::*;
use crate::license::{LicenseTerms, SeatRules, VendorKeyPair, issue};
use crate::wire::client::ChainLink;
use crate::wire::proof;
use ed25519_dalek::SigningKey;

const HOUR: i64 = 3_600_000;

fn computer() -> Computer {
    Computer::parse("01020304.05060708.090a0b0c.0d0e0f10").unwrap()
}

fn token(
    vendor: &VendorKeyPair,
    server: &SigningKey,
    max_borrow_hours: u32,
    hours: i64,
) -> BorrowToken {
    let code = issue(
        vendor,
        &LicenseTerms {
            seat_rules: SeatRules {
                max_borrow_hours,
                ..SeatRules::default()
            },
            ..crate::testing::terms("cad", 2)
        },
    )
    .unwrap();
    let links = vec![ChainLink {
        code,
        activation: None,
    }];
    let now = Timestamp::now();
    let mut t = BorrowToken {
        lease_id: LeaseId::random(),
        product: "cad".into(),
        client_id: ClientId::from("laptop"),
        user: "ann".into(),
        computer: computer().to_text(),
        borrowed_at: now,
        until: now.plus_millis(hours * HOUR),
        chain: Chain {
            product: "cad".into(),
            server_public_key: hex::encode(server.verifying_key().to_bytes()),
            digest: crate::license::chain::digest(&links),
            links,
        },
        signature: String::new(),
        proof_index: 0,
        proof: Vec::new(),
    };
    sign(&mut t, server);
    t
}

fn sign(t: &mut BorrowToken, server: &SigningKey) {
    let (signature, _) = proof::sign_batch(server, &[proof::leaf(&t.signed_bytes())]);
    t.signature = hex::encode(signature.to_bytes());
}

fn check(t: &BorrowToken, vendor: &VendorKeyPair, at: Timestamp) -> Result<(), String> {
    t.check_offline(
        &"cad".into(),
        &ClientId::from("laptop"),
        "ann",
        &computer(),
        &[vendor.public()],
        at,
    )
}

#[test]
fn a_token_is_accepted_offline_on_its_computer_until_it_ends() {
    let vendor = VendorKeyPair::from_seed(&[1; 32]);
    let server = SigningKey::from_bytes(&[2; 32]);
    let t = token(&vendor, &server, 24, 8);
    assert_eq!(check(&t, &vendor, Timestamp::now()), Ok(()));
    let later = t.until;
    assert!(check(&t, &vendor, later).unwrap_err().contains("ended"));
    let elsewhere = t.check_offline(
        &"cad".into(),
        &ClientId::from("laptop"),
        "ann",
        &Computer::parse("11111111.22222222.33333333.44444444").unwrap(),
        &[vendor.public()],
        Timestamp::now(),
    );
    assert!(elsewhere.unwrap_err().contains("another computer"));
    // Restarted (a new boot id): the same computer. A clone of it (other
    // network cards, its own boot): not.
    let restarted = Computer::parse("01020304.05060708.090a0b0c.bbbbbbbb").unwrap();
    let check_on = |c: &Computer| {
        t.check_offline(
            &"cad".into(),
            &ClientId::from("laptop"),
            "ann",
            c,
            &[vendor.public()],
            Timestamp::now(),
        )
    };
    assert_eq!(check_on(&restarted), Ok(()));
    let clone = Computer::parse("01020304.aaaaaaaa.090a0b0c.bbbbbbbb").unwrap();
    assert!(check_on(&clone).is_err());
    let other_id = t.check_offline(
        &"cad".into(),
        &ClientId::from("desk"),
        "ann",
        &computer(),
        &[vendor.public()],
        Timestamp::now(),
    );
    assert!(other_id.is_err());
    // Another user of the same computer (a terminal server): not theirs.
    let other_user = t.check_offline(
        &"cad".into(),
        &ClientId::from("laptop"),
        "bob",
        &computer(),
        &[vendor.public()],
        Timestamp::now(),
    );
    assert!(other_user.unwrap_err().contains("user ann"));
    let same_user = t.check_offline(
        &"cad".into(),
        &ClientId::from("laptop"),
        "ANN",
        &computer(),
        &[vendor.public()],
        Timestamp::now(),
    );
    assert_eq!(same_user, Ok(()), "user names compare without case");
}

#[test]
fn the_attackers_edits_are_refused() {
    let vendor = VendorKeyPair::from_seed(&[1; 32]);
    let server = SigningKey::from_bytes(&[2; 32]);
    // A longer loan written into the file: the signature breaks.
    let mut t = token(&vendor, &server, 24, 8);
    t.until = t.until.plus_millis(1000 * HOUR);
    assert!(
        check(&t, &vendor, Timestamp::now())
            .unwrap_err()
            .contains("signature")
    );
    // A self-made server with a self-made vendor key: the chain is not the
    // trusted vendor's.
    let mallory = VendorKeyPair::from_seed(&[9; 32]);
    let t = token(&mallory, &server, 24, 8);
    assert!(
        check(&t, &vendor, Timestamp::now())
            .unwrap_err()
            .contains("vendor")
    );
    // Its own server signs a loan longer than the licence allows, or from a
    // licence without borrowing.
    let t = token(&vendor, &server, 24, 100);
    assert!(
        check(&t, &vendor, Timestamp::now())
            .unwrap_err()
            .contains("longer")
    );
    let t = token(&vendor, &server, 0, 1);
    assert!(
        check(&t, &vendor, Timestamp::now())
            .unwrap_err()
            .contains("longer")
    );
    // Another product's loan.
    let t = token(&vendor, &server, 24, 8);
    let other = t.check_offline(
        &"cam".into(),
        &ClientId::from("laptop"),
        "ann",
        &computer(),
        &[vendor.public()],
        Timestamp::now(),
    );
    assert!(other.unwrap_err().contains("not cam"));
    // The chain swapped after signing.
    let mut t = token(&vendor, &server, 24, 8);
    t.chain.links.clear();
    assert!(check(&t, &vendor, Timestamp::now()).is_err());
}
