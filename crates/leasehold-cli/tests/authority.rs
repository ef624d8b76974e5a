//! The vendor's activation authority through the real binaries: online
//! activation up to the code's limit, deactivation freeing it, activation
//! elsewhere, and the ledger shared with `vendor activate --ledger`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{
    Running, Vendor, activate_offline, leasehold, leasehold_std, license_id, start_as, stdout,
};
use predicates::prelude::*;
use predicates::str::contains;
use std::path::Path;

const HOME: &str = "machine=m-1,host=lic01,nics=aa:bb,cpu=Xeon x8";
const ELSEWHERE: &str = "machine=m-2,host=lic02,nics=ee:ff,cpu=Xeon x8";

/// `authority serve` on loopback, port 0; its URL.
fn start_authority(dir: &Path, vendor: &Vendor) -> (Running, String) {
    let mut cmd = leasehold_std();
    cmd.args(["authority", "serve", "--listen", "127.0.0.1:0", "--key"])
        .arg(&vendor.key_file)
        .arg("--data-dir")
        .arg(dir.join("authority"));
    let mut running = Running::spawn(cmd, &dir.join("authority.err"));
    let addr = running.next_line();
    (running, format!("http://{}", addr.trim()))
}

#[test]
fn the_authority_activates_up_to_the_limit_and_frees_on_deactivation() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue(
        "cad",
        2,
        &["--activation", "required", "--max-activations", "1"],
    );
    let id = license_id(&code);
    let (mut authority, url) = start_authority(dir.path(), &vendor);

    let a = start_as(&dir.path().join("a"), &vendor, HOME);
    a.add_license(&code);
    a.admin()
        .args(["activation", "online", &id, "--authority", &url])
        .assert()
        .success()
        .stdout(contains(
            "activated on this server by the vendor's authority",
        ));
    a.checkout_once("cad", "ws-1", None).assert().success();
    // Asked again (a retry): the same activation, none used up.
    a.admin()
        .args(["activation", "online", &id, "--authority", &url])
        .assert()
        .success();

    // The same genuine code on a second server: refused, naming the first.
    let b = start_as(&dir.path().join("b"), &vendor, ELSEWHERE);
    b.add_license(&code);
    b.admin()
        .args(["activation", "online", &id, "--authority", &url])
        .assert()
        .code(1)
        .stderr(contains("may be active on 1 server(s)").and(contains("is active on 1:")));
    b.checkout_once("cad", "ws-2", None).assert().code(1);

    // A's admin sets the authority once; deactivating sends the proof.
    a.admin()
        .args(["activation", "authority", &url])
        .assert()
        .success()
        .stdout(contains(url.as_str()));
    a.admin()
        .args(["activation", "deactivate", &id])
        .assert()
        .success()
        .stderr(contains("freed the activation"));

    // Now B may have it, and A counts nothing.
    b.admin()
        .args(["activation", "online", &id, "--authority", &url])
        .assert()
        .success();
    b.checkout_once("cad", "ws-2", None).assert().success();
    a.admin()
        .args(["license", "list"])
        .assert()
        .success()
        .stdout(contains("needs activation"));

    // The ledger outlives the authority: stopped, the vendor reads the same
    // count offline (B is active, so one more server is refused).
    authority.terminate();
    let c = start_as(
        &dir.path().join("c"),
        &vendor,
        "machine=m-3,host=lic03,nics=11:22,cpu=Arm",
    );
    c.add_license(&code);
    let request = stdout(
        &c.admin()
            .args(["activation", "request", &id])
            .assert()
            .success(),
    );
    leasehold()
        .args(["vendor", "activate", "--key"])
        .arg(&vendor.key_file)
        .arg("--ledger")
        .arg(dir.path().join("authority"))
        .arg(request.trim())
        .assert()
        .code(1)
        .stderr(contains("activation_limit_reached").or(contains("may be active on 1 server(s)")));

    // The vendor's support tools read the same ledger: B holds the
    // activation; freed by hand (B's computer died), C gets it.
    let ledger = dir.path().join("authority");
    let listed = stdout(
        &leasehold()
            .args(["authority", "list", "--json", "--data-dir"])
            .arg(&ledger)
            .arg(&id)
            .assert()
            .success(),
    );
    let entries: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let active: Vec<_> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("freedAt").is_none())
        .collect();
    assert_eq!(active.len(), 1, "{listed}");
    let b_key = active[0]["serverKey"].as_str().unwrap()[..12].to_owned();
    leasehold()
        .args(["authority", "free", "--data-dir"])
        .arg(&ledger)
        .args([&id, &b_key])
        .assert()
        .success()
        .stdout(contains("may be activated on another server"));
    let response = stdout(
        &leasehold()
            .args(["vendor", "activate", "--key"])
            .arg(&vendor.key_file)
            .arg("--ledger")
            .arg(&ledger)
            .arg(request.trim())
            .assert()
            .success(),
    );
    c.admin()
        .args(["activation", "import", response.trim()])
        .assert()
        .success();
    leasehold()
        .args(["authority", "list", "--data-dir"])
        .arg(&ledger)
        .assert()
        .success()
        .stdout(contains("freed").not().and(contains("active")));
}

#[test]
fn vendor_activate_asks_for_a_ledger_or_an_explicit_no() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    leasehold()
        .args(["vendor", "activate", "--key"])
        .arg(&vendor.key_file)
        .arg("ANYTHING")
        .assert()
        .code(2)
        .stderr(contains("--ledger"));
}

#[test]
fn an_unreachable_or_wrong_authority_is_said_in_words_and_deactivation_still_stands() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue("cad", 2, &["--activation", "required"]);
    let id = license_id(&code);
    let a = start_as(&dir.path().join("a"), &vendor, HOME);
    a.add_license(&code);

    // Nothing set: the admin is told how to set one, or to go offline.
    a.admin()
        .args(["activation", "online", &id])
        .assert()
        .code(1)
        .stderr(contains("no activation authority is set"));
    // Not an http URL.
    a.admin()
        .args(["activation", "authority", "ftp://vendor.example"])
        .assert()
        .code(1)
        .stderr(contains("is not http://"));
    // Nobody listens there (a port just freed on loopback).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    a.admin()
        .args(["activation", "online", &id, "--authority", &dead])
        .assert()
        .code(1)
        .stderr(contains("could not be reached").and(contains("offline exchange")));
    // A lease server is not an authority.
    let not_one = format!("http://{}", a.addr);
    a.admin()
        .args(["activation", "online", &id, "--authority", &not_one])
        .assert()
        .code(1)
        .stderr(contains("did not answer as an activation authority"));

    // Activated offline, deactivated with an authority that is down: the
    // deactivation stands and the proof is printed for the vendor.
    activate_offline(&a, &vendor, &id);
    let out = a
        .admin()
        .args(["activation", "deactivate", &id, "--authority", &dead])
        .assert()
        .success()
        .stderr(contains("could not be given to the activation authority"));
    assert!(stdout(&out).trim().len() > 100, "the proof is printed");
    a.admin()
        .args(["license", "list"])
        .assert()
        .success()
        .stdout(contains("needs activation"));
}

#[test]
fn a_proof_that_missed_the_authority_is_kept_and_sent_before_activating_again() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue(
        "cad",
        2,
        &["--activation", "required", "--max-activations", "1"],
    );
    let id = license_id(&code);
    let (_authority, url) = start_authority(dir.path(), &vendor);
    let a = start_as(&dir.path().join("a"), &vendor, HOME);
    a.add_license(&code);
    a.admin()
        .args(["activation", "online", &id, "--authority", &url])
        .assert()
        .success();

    // Deactivated while the authority cannot be reached: the proof is
    // printed, and kept.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let printed = stdout(
        &a.admin()
            .args(["activation", "deactivate", &id, "--authority", &dead])
            .assert()
            .success(),
    );
    let shown = stdout(
        &a.admin()
            .args(["activation", "proof", &id])
            .assert()
            .success(),
    );
    assert_eq!(shown.trim(), printed.trim());

    // Activating online again first gives the authority that proof, so the
    // old activation is freed and a new one answered: not stuck.
    a.admin()
        .args(["activation", "online", &id, "--authority", &url])
        .assert()
        .success();
    a.checkout_once("cad", "ws-1", None).assert().success();
    // Activated again: no pending proof any more.
    a.admin()
        .args(["activation", "proof", &id])
        .assert()
        .code(1)
        .stderr(contains("no proof to show"));
}

#[test]
fn a_usage_report_is_uploaded_to_the_authority_and_kept_only_when_it_checks() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue(
        "cad",
        2,
        &["--activation", "required", "--max-activations", "1"],
    );
    let id = license_id(&code);
    let (mut authority, url) = start_authority(dir.path(), &vendor);
    let a = start_as(&dir.path().join("a"), &vendor, HOME);
    a.add_license(&code);
    a.admin()
        .args(["activation", "online", &id, "--authority", &url])
        .assert()
        .success();
    let file = dir.path().join("nov.lhr");
    a.admin()
        .args([
            "report",
            "--from",
            "2020-01-01",
            "--to",
            "2100-01-01",
            "--upload",
            &url,
            "--out",
        ])
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("sent to the vendor's authority: checked and kept"));
    let kept: Vec<_> = std::fs::read_dir(dir.path().join("authority/reports"))
        .unwrap()
        .flat_map(|server| std::fs::read_dir(server.unwrap().path()).unwrap())
        .collect();
    assert_eq!(kept.len(), 1, "one report kept");
    // A server whose code the vendor never activated: refused, said why.
    std::fs::create_dir_all(dir.path().join("other")).unwrap();
    let other = Vendor::new(&dir.path().join("other"));
    let b = start_as(&dir.path().join("b"), &other, ELSEWHERE);
    b.add_license(&other.issue("cad", 2, &[]));
    b.admin()
        .args([
            "report",
            "--from",
            "2020-01-01",
            "--to",
            "2100-01-01",
            "--upload",
            &url,
            "--out",
        ])
        .arg(dir.path().join("b.lhr"))
        .assert()
        .code(1)
        .stderr(contains("refused the report").and(contains("report_refused")));
    authority.terminate();
}
