//! docs/PROTOCOL.md's test vectors are what this code makes from the fixed
//! inputs the document states: a client written from the document alone
//! can check itself against them. `LEASEHOLD_WRITE_VECTORS=1` rewrites the
//! document's `vectors` block.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use ed25519_dalek::SigningKey;
use leasehold_core::license::activation::{Activation, ActivationRequest};
use leasehold_core::license::fingerprint::{Fingerprint, Part};
use leasehold_core::license::{self, LicenseTerms, VendorKeyPair, chain};
use leasehold_core::wire::client::{ChainLink, LeaseGrant};
use leasehold_core::wire::proof::{self, to_hex};
use leasehold_core::{ClientId, LeaseId, LicenseId, Product, Timestamp};
use std::path::Path;

fn vectors() -> Vec<(&'static str, String)> {
    let vendor = VendorKeyPair::from_seed(&[1; 32]);
    let server = SigningKey::from_bytes(&[2; 32]);
    let terms = LicenseTerms {
        license_id: LicenseId(uuid::Uuid::from_bytes([0x11; 16])),
        product: Product::from("cad"),
        seats: 5,
        valid_from: None,
        valid_until: None,
        features: vec![],
        customer: "Example Ltd".into(),
        lease_secs: 600,
        node_lock: None,
        issued_at: Timestamp::from_secs(1_800_000_000),
        activation_required: true,
        max_activations: 1,
        seat_rules: Default::default(),
    };
    let code = license::issue(&vendor, &terms).unwrap();
    let request = ActivationRequest {
        code: license::parse(&code).unwrap(),
        server_key: server.verifying_key().to_bytes(),
        fingerprint: Fingerprint::of([
            (Part::MachineId, "machine-1"),
            (Part::HostName, "lic01"),
            (Part::NetworkCards, "aa:bb:cc:dd:ee:ff"),
            (Part::Processor, "Example CPU x8"),
        ]),
        server_name: "lic01".into(),
        made_at: Timestamp::from_secs(1_800_000_100),
    };
    let activation = Activation::issue(&vendor, &request, Timestamp::from_secs(1_800_000_200));
    let links = vec![ChainLink {
        code: code.clone(),
        activation: Some(activation.to_text()),
    }];
    let digest = chain::digest(&links);
    // A grant signed in a batch of three, at index 2.
    let grant = |n: u8| {
        let mut g = LeaseGrant::unsigned(
            LeaseId(uuid::Uuid::from_bytes([n; 16])),
            Product::from("cad"),
            ClientId::from("pc-1"),
            Timestamp(1_800_000_600_000),
            600,
            Timestamp(1_800_000_000_000),
            false,
        );
        g.chain = digest.clone();
        g
    };
    let batch = [grant(0x21), grant(0x22), grant(0x23)];
    let leaves: Vec<_> = batch
        .iter()
        .map(|g| proof::leaf(&g.signed_bytes()))
        .collect();
    let (signature, proofs) = proof::sign_batch(&server, &leaves);
    let ours = &batch[2];
    let root = proof::root_of(leaves[2], &proofs[2]);
    vec![
        ("vendor-seed", to_hex(&[1; 32])),
        ("vendor-public-key", vendor.public().to_string()),
        (
            "vendor-key-fingerprint",
            vendor.public().fingerprint().to_string(),
        ),
        ("license-code", code),
        ("server-seed", to_hex(&[2; 32])),
        (
            "server-public-key",
            to_hex(&server.verifying_key().to_bytes()),
        ),
        ("activation-request", request.to_text()),
        ("activation-response", activation.to_text()),
        ("chain-digest", digest.clone()),
        (
            "grant-signed-bytes",
            String::from_utf8(ours.signed_bytes())
                .unwrap()
                .replace('\n', "\\n"),
        ),
        ("grant-leaf", to_hex(&leaves[2])),
        ("grant-proof-index", proofs[2].index.to_string()),
        (
            "grant-proof",
            proofs[2]
                .siblings
                .iter()
                .map(|h| to_hex(h))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("batch-root", to_hex(&root)),
        ("grant-signature", to_hex(&signature.to_bytes())),
    ]
}

fn block(vectors: &[(&str, String)]) -> String {
    let mut s = String::from("```vectors\n");
    for (name, value) in vectors {
        s.push_str(&format!("{name}: {value}\n"));
    }
    s.push_str("```");
    s
}

#[test]
fn the_documents_vectors_are_what_the_code_makes() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/PROTOCOL.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let start = text.find("```vectors\n").expect("a ```vectors block");
    let end = start + text[start..].find("\n```").expect("its end") + 4;
    let made = block(&vectors());
    if std::env::var_os("LEASEHOLD_WRITE_VECTORS").is_some() {
        std::fs::write(&doc, format!("{}{}{}", &text[..start], made, &text[end..])).unwrap();
        return;
    }
    assert_eq!(
        &text[start..end],
        made,
        "docs/PROTOCOL.md's vectors are stale: LEASEHOLD_WRITE_VECTORS=1 cargo test -p leasehold-core --test protocol_vectors"
    );

    // And they verify as the document says: the grant with its proof under
    // the server key, the activation under the vendor key.
    let v = vectors();
    let get = |name: &str| v.iter().find(|(n, _)| *n == name).unwrap().1.clone();
    let server: [u8; 32] = hex::decode(get("server-public-key"))
        .unwrap()
        .try_into()
        .unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&server).unwrap();
    let grant = LeaseGrant {
        signature: get("grant-signature"),
        proof_index: get("grant-proof-index").parse().unwrap(),
        proof: get("grant-proof").split(' ').map(str::to_owned).collect(),
        chain: get("chain-digest"),
        ..LeaseGrant::unsigned(
            LeaseId(uuid::Uuid::from_bytes([0x23; 16])),
            Product::from("cad"),
            ClientId::from("pc-1"),
            Timestamp(1_800_000_600_000),
            600,
            Timestamp(0),
            false,
        )
    };
    assert!(grant.verify(&key));
    let vendor: license::VendorPublicKey = get("vendor-public-key").parse().unwrap();
    let links = [ChainLink {
        code: get("license-code"),
        activation: Some(get("activation-response")),
    }];
    chain::verify(
        &links,
        &Product::from("cad"),
        &server,
        &[vendor],
        Timestamp::from_secs(1_800_001_000),
    )
    .unwrap();
}
