//! `leasehold admin users assign | unassign | list` against a real
//! `leasehold serve`, and a client turned away until its user is named.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Server, Vendor, json, stdout};
use predicates::str::contains;

#[test]
fn name_users_list_them_and_refuse_the_unnamed() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 1, &["--named-users", "--reassign-after-hours", "48"]));

    let refused = || {
        let mut cmd = common::leasehold();
        cmd.args([
            "client",
            "checkout",
            "cad",
            "--server",
            &server.addr,
            "--user",
            "zoë b",
        ]);
        cmd.args(server.vendor_args());
        cmd
    };
    refused()
        .assert()
        .code(1)
        .stderr(contains("(not_a_named_user)"))
        .stderr(contains("admin users assign cad USER"));

    server
        .admin()
        .args(["users", "assign", "cad", "zoë b"])
        .assert()
        .success()
        .stdout(contains("zoë b is named for cad"))
        .stdout(contains("1 named of 1 seat"));
    let seat = server.hold_seat(dir.path(), "cad", "ws-1", Some("Zoë B"));
    assert!(!seat.lease_id.is_empty());

    server
        .admin()
        .args(["users", "assign", "cad", "max"])
        .assert()
        .code(1)
        .stderr(contains("every seat of cad is named"));
    let out = server
        .admin()
        .args(["users", "list", "--json"])
        .assert()
        .success();
    let list = json(&out);
    assert_eq!(list["products"][0]["users"][0]["user"], "zoë b", "{list}");
    assert_eq!(list["products"][0]["reassignAfterHours"], 48, "{list}");

    server
        .admin()
        .args(["users", "unassign", "cad", "ZOË B"])
        .assert()
        .success();
    let out = server
        .admin()
        .args(["users", "list", "cad"])
        .assert()
        .success();
    assert!(
        stdout(&out).contains("0 named of 1 seat"),
        "{}",
        stdout(&out)
    );
    server
        .admin()
        .args(["users", "assign", "plain", "ann"])
        .assert()
        .code(1)
        .stderr(contains("no licence code of plain has named users"));
}
