//! `leasehold vendor …` through the real binary: keys, codes, inspection.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Vendor, leasehold, stderr, stdout};
use predicates::str::contains;

#[test]
fn keygen_writes_an_owner_only_key_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&vendor.key_file)
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the secret key is owner-only");
    }
    let before = std::fs::read(&vendor.key_file).expect("key");
    let out = leasehold()
        .args(["vendor", "keygen", "--out"])
        .arg(&vendor.key_file)
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("already exists"),
        "says why: {}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&vendor.key_file).expect("key"),
        before,
        "the old key is untouched"
    );

    let out = leasehold()
        .args(["vendor", "pubkey", "--key"])
        .arg(&vendor.key_file)
        .assert()
        .success();
    assert_eq!(
        stdout(&out).trim(),
        vendor.public_key,
        "pubkey prints the same public key again"
    );
}

#[test]
fn issue_prints_a_code_that_inspect_reads_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue(
        "cad",
        5,
        &[
            "--expires",
            "2099-12-31",
            "--customer",
            "ACME Ltd",
            "--feature",
            "render",
        ],
    );
    assert!(
        !code.is_empty() && code.contains('-'),
        "a code in dash-separated groups: {code:?}"
    );
    assert!(
        code.chars()
            .all(|c| c == '-' || c.is_ascii_uppercase() || c.is_ascii_digit()),
        "upper case and digits only: {code}"
    );

    let out = leasehold()
        .args(["vendor", "inspect", &code, "--trust", &vendor.public_key])
        .assert()
        .success();
    let text = stdout(&out);
    for expected in ["cad", "ACME Ltd", "render", "2099-12-31"] {
        assert!(text.contains(expected), "inspect shows {expected}:\n{text}");
    }
    // Lower case with line breaks around and inside, from stdin, still reads.
    let mangled = format!("\n  {}\n", code.to_lowercase().replacen('-', "-\n", 3));
    leasehold()
        .args(["vendor", "inspect", "-"])
        .write_stdin(mangled)
        .assert()
        .success()
        .stdout(contains("cad"));
}

#[test]
fn issue_refuses_bad_arguments_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    vendor
        .issue_cmd("cad", 0, &[])
        .assert()
        .code(2)
        .stderr(contains("--seats"));
    vendor
        .issue_cmd("cad", 2, &["--expires", "2026-13-45"])
        .assert()
        .code(2)
        .stderr(contains("YYYY-MM-DD"));
    let missing = dir.path().join("missing.key");
    leasehold()
        .args([
            "vendor",
            "issue",
            "--product",
            "cad",
            "--seats",
            "2",
            "--key",
        ])
        .arg(&missing)
        .assert()
        .code(1)
        .stderr(contains("missing.key"));
}

#[test]
fn inspect_names_the_group_with_a_typo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue("cad", 1, &[]);
    // Change one character of the second group to another valid one.
    let mut groups: Vec<String> = code.split('-').map(str::to_owned).collect();
    let first = groups[1].remove(0);
    groups[1].insert(0, if first == 'A' { 'B' } else { 'A' });
    let typo = groups.join("-");
    let out = leasehold()
        .args(["vendor", "inspect", &typo])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("group"),
        "the error says which group: {}",
        stderr(&out)
    );
}

/// A request as a server with key seed `server` on computer `machine` makes
/// it (the server side is tested with the admin commands).
fn request_for(code: &str, server: u8, machine: &str) -> (String, [u8; 32]) {
    use leasehold_core::license::activation::ActivationRequest;
    use leasehold_core::license::fingerprint::{Fingerprint, Part};
    let key = ed25519_dalek::SigningKey::from_bytes(&[server; 32]);
    let request = ActivationRequest {
        code: leasehold_core::license::parse(code).unwrap(),
        server_key: key.verifying_key().to_bytes(),
        fingerprint: Fingerprint::of([(Part::MachineId, machine), (Part::HostName, "lic01")]),
        server_name: "lic01".into(),
        made_at: leasehold_core::Timestamp::now(),
    };
    (request.to_text(), key.verifying_key().to_bytes())
}

#[test]
fn codes_need_activation_by_default_and_vendor_activate_answers_a_request() {
    use leasehold_core::license::activation::Activation;
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    // No `--activation`: required is the default.
    let out = leasehold()
        .args(["vendor", "issue", "--key"])
        .arg(&vendor.key_file)
        .args([
            "--product",
            "cad",
            "--seats",
            "10",
            "--max-activations",
            "2",
        ])
        .assert()
        .success();
    assert!(
        stderr(&out).contains("once activated there (at most 2"),
        "{}",
        stderr(&out)
    );
    let code = stdout(&out).trim().to_owned();
    let shown = leasehold()
        .args(["vendor", "inspect", &code])
        .assert()
        .success();
    assert!(
        stdout(&shown).contains("required, on at most 2 server(s)"),
        "{}",
        stdout(&shown)
    );

    // The request as a file; the response verifies for that server only.
    let (request, server_key) = request_for(&code, 7, "m-1");
    let file = dir.path().join("request.txt");
    std::fs::write(&file, &request).unwrap();
    let out = leasehold()
        .args(["vendor", "activate", "--no-ledger", "--key"])
        .arg(&vendor.key_file)
        .arg(&file)
        .assert()
        .success();
    assert!(
        stderr(&out).contains("at most 2 server(s)"),
        "{}",
        stderr(&out)
    );
    let response = Activation::parse(stdout(&out).trim()).unwrap();
    let public: leasehold_core::license::VendorPublicKey = vendor.public_key.parse().unwrap();
    response.verify(&[public]).unwrap();
    let id = leasehold_core::license::parse(&code)
        .unwrap()
        .terms()
        .license_id;
    response.check_for(id, &server_key).unwrap();

    // A code that needs none, or one of another vendor's, is not signed.
    let free = vendor.issue("cad", 1, &["--activation", "none"]);
    let (request, _) = request_for(&free, 7, "m-1");
    let out = leasehold()
        .args(["vendor", "activate", "--no-ledger", "--key"])
        .arg(&vendor.key_file)
        .arg(&request)
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("needs no activation"),
        "{}",
        stderr(&out)
    );
    let other_dir = dir.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let other = Vendor::new(&other_dir);
    let (request, _) = request_for(
        &other.issue("cad", 1, &["--activation", "required"]),
        7,
        "m-1",
    );
    let out = leasehold()
        .args(["vendor", "activate", "--no-ledger", "--key"])
        .arg(&vendor.key_file)
        .arg(&request)
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("not issued with this key file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn vendor_activate_names_the_group_with_a_typo_and_deactivate_checks_the_proof() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue("cad", 3, &["--activation", "required"]);
    let (request, _) = request_for(&code, 7, "m-1");
    let mut groups: Vec<String> = request.split('-').map(str::to_owned).collect();
    // One character changed: every group's check symbol catches that.
    let first = if groups[4].starts_with('A') { "B" } else { "A" };
    groups[4].replace_range(..1, first);
    let out = leasehold()
        .args(["vendor", "activate", "--no-ledger", "--key"])
        .arg(&vendor.key_file)
        .arg(groups.join("-"))
        .assert()
        .code(1);
    assert!(stderr(&out).contains("group 5"), "{}", stderr(&out));

    let id = leasehold_core::license::parse(&code)
        .unwrap()
        .terms()
        .license_id;
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let proof = leasehold_core::license::activation::Deactivation::sign(
        &key,
        id,
        leasehold_core::Timestamp::now(),
        leasehold_core::Timestamp::now(),
    );
    let out = leasehold()
        .args(["vendor", "deactivate", "-"])
        .write_stdin(proof.to_text())
        .assert()
        .success();
    assert!(stdout(&out).contains(&id.to_string()), "{}", stdout(&out));
    assert!(stdout(&out).contains("may be activated on another server"));
    let out = leasehold()
        .args(["vendor", "deactivate", &code])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("not a deactivation proof")
            || stderr(&out).contains("deactivation proof is damaged"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_code_may_give_tokens_and_inspect_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue(
        "cad",
        1,
        &[
            "--tokens",
            "1000",
            "--tokens-period",
            "month",
            "--tokens-overdraft",
            "50",
        ],
    );
    let shown = leasehold()
        .args(["vendor", "inspect", &code])
        .assert()
        .success();
    assert!(
        stdout(&shown).contains("1000 unit(s) each month, and up to 50 beyond"),
        "{}",
        stdout(&shown)
    );
    let tokens = leasehold_core::license::parse(&code)
        .unwrap()
        .terms()
        .seat_rules
        .tokens;
    assert_eq!(
        tokens,
        Some(leasehold_core::license::Tokens {
            units: 1000,
            period: leasehold_core::license::TokenPeriod::Month,
            overdraft: 50
        })
    );
    // A period without tokens, or a period that is none of the three.
    vendor
        .issue_cmd("cad", 1, &["--tokens-period", "month"])
        .assert()
        .code(2);
    let out = vendor
        .issue_cmd("cad", 1, &["--tokens", "5", "--tokens-period", "fortnight"])
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("month, year or none"),
        "{}",
        stderr(&out)
    );
}
