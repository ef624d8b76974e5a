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
