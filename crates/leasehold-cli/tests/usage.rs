//! `leasehold client consume` and `admin usage ledger` against a real
//! `leasehold serve`: a spend once per key, the exit code when the tokens
//! are spent, the ledger as the admin reads it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Server, Vendor, json};
use predicates::str::contains;

#[test]
fn consume_once_per_key_and_read_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue(
        "cad",
        1,
        &[
            "--tokens",
            "10",
            "--tokens-period",
            "month",
            "--tokens-overdraft",
            "2",
        ],
    ));
    let config = dir.path().join("client").join("client.toml");
    let client = |args: &[&str]| {
        let mut cmd = common::leasehold();
        cmd.arg("client").args(args);
        cmd.args(["--server", &server.addr, "--config"])
            .arg(&config);
        cmd
    };

    client(&["consume", "cad", "6", "--key", "job-1", "--note", "plot A0"])
        .assert()
        .success()
        .stdout(contains("spent 6 of cad's tokens under key job-1; 4 left"));
    // Run again as it was: nothing more spent.
    client(&["consume", "cad", "6", "--key", "job-1"])
        .assert()
        .success()
        .stdout(contains("already spent under key job-1"));
    let out = client(&["consume", "cad", "6", "--key", "job-2", "--json"])
        .assert()
        .success();
    assert_eq!(json(&out)["spend"]["over"], 2, "4 left, 2 beyond");
    client(&["consume", "cad", "1", "--key", "job-3"])
        .assert()
        .code(3)
        .stderr(contains("0 tokens left"));
    client(&["consume", "cad", "7", "--key", "job-1"])
        .assert()
        .code(1)
        .stderr(contains("idempotency_key_reused"));

    let out = server
        .admin()
        .args(["usage", "ledger", "cad"])
        .assert()
        .success();
    let text = common::stdout(&out);
    assert!(
        text.contains("cad: 0 of 10 tokens left this month (12 spent, 2 beyond the balance"),
        "{text}"
    );
    assert!(text.contains("plot A0"), "{text}");
    assert!(text.contains("6 (2 over)"), "{text}");
    let out = server
        .admin()
        .args(["usage", "ledger", "--limit", "1", "--json"])
        .assert()
        .success();
    let page = json(&out);
    assert_eq!(page["entries"].as_array().unwrap().len(), 1);
    assert_eq!(page["entries"][0]["spend"]["key"], "job-2", "newest first");
    let next = page["nextBefore"].as_u64().unwrap();
    let out = server
        .admin()
        .args(["usage", "ledger", "--before", &next.to_string(), "--json"])
        .assert()
        .success();
    assert_eq!(json(&out)["entries"][0]["spend"]["key"], "job-1");
}

#[test]
fn usage_history_answers_as_a_table_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 2, &[]));
    // A fresh server has written no minute yet.
    server
        .admin()
        .args(["usage", "history", "--last", "1h"])
        .assert()
        .success()
        .stdout(contains("no usage recorded from"));
    let out = server
        .admin()
        .args(["usage", "history", "cad", "--csv"])
        .assert()
        .success();
    assert_eq!(
        common::stdout(&out).lines().next(),
        Some("product,at,high,low,seats,denials,waiting,overdraft,tokens")
    );
    let out = server
        .admin()
        .args(["usage", "history", "--last", "30d", "--json"])
        .assert()
        .success();
    assert_eq!(json(&out)["step"], "hour");
    server
        .admin()
        .args(["usage", "history", "--from", "yesterday"])
        .assert()
        .code(2)
        .stderr(contains("is not a time"));
}

#[test]
fn a_report_written_by_the_admin_checks_with_the_vendor_key() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let server = common::start_as(&dir.path().join("data"), &vendor, "machine=m-1,host=lic01");
    let code = vendor.issue(
        "cad",
        2,
        &["--activation", "required", "--max-activations", "1"],
    );
    server.add_license(&code);
    common::activate_offline(&server, &vendor, &common::license_id(&code));
    let file = dir.path().join("report.lhr");
    server
        .admin()
        .args([
            "report",
            "--from",
            "2020-01-01",
            "--to",
            "2100-01-01",
            "--out",
        ])
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("vendor verify-report"));
    // Never over an existing file.
    server
        .admin()
        .args([
            "report",
            "--from",
            "2020-01-01",
            "--to",
            "2100-01-01",
            "--out",
        ])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(contains("must not exist yet"));
    let mut verify = common::leasehold();
    verify.args(["vendor", "verify-report"]).arg(&file);
    verify.args(["--key", &vendor.public_key]);
    verify
        .assert()
        .success()
        .stdout(contains("signature good"))
        .stdout(contains("event chain intact"));
    // A server whose codes need no activation: nothing binds its key to
    // the vendor, said as such.
    let plain = Server::start(&dir.path().join("plain"), &[&vendor.public_key]);
    plain.add_license(&vendor.issue("cad", 2, &[]));
    let unbound = dir.path().join("plain.lhr");
    plain
        .admin()
        .args([
            "report",
            "--from",
            "2020-01-01",
            "--to",
            "2100-01-01",
            "--out",
        ])
        .arg(&unbound)
        .assert()
        .success();
    let mut verify = common::leasehold();
    verify.args(["vendor", "verify-report"]).arg(&unbound);
    verify.args(["--key", &vendor.public_key]);
    verify.assert().code(1).stderr(contains(
        "no licence in it is activated for the key that signed it",
    ));
    // A byte changed: said as such.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("server started", "server stopped", 1)).unwrap();
    let edited = std::fs::read_to_string(&file).unwrap();
    assert_ne!(text, edited, "the edit must change the file");
    let mut verify = common::leasehold();
    verify.args(["vendor", "verify-report"]).arg(&file);
    verify.args(["--key", &vendor.public_key]);
    verify
        .assert()
        .code(1)
        .stderr(contains("the file was changed after the server signed it"));
}
