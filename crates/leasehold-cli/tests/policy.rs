//! `leasehold admin policy …` against a real `leasehold serve`: set a policy
//! from a file (a mistake refused with its line), show it, and the dry run
//! that exits 3 when a seat would be refused.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Server, Vendor, stdout};
use predicates::str::contains;

#[test]
fn set_show_and_check_the_seat_policy() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 3, &[]));

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[products.cad]\nmax = [{ seats = 1, for = \"person:bob\" }]\n",
    )
    .unwrap();
    server
        .admin()
        .args(["policy", "set"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(contains(":2"))
        .stderr(contains("person"));

    let good = dir.path().join("policy.toml");
    std::fs::write(
        &good,
        "[groups]\ncad-core = { users = [\"alice\", \"bob\"] }\n\n[products.cad]\nreserve = [{ seats = 2, for = \"group:cad-core\" }]\n",
    )
    .unwrap();
    server
        .admin()
        .args(["policy", "set"])
        .arg(&good)
        .assert()
        .success();
    let out = server.admin().args(["policy", "show"]).assert().success();
    let shown = stdout(&out);
    assert!(shown.contains("reserve 2 for group:cad-core"), "{shown}");
    assert!(shown.contains("1. exclude (excluded_by_policy)"), "{shown}");

    // Three seats, two kept for cad-core: one for anybody.
    server
        .admin()
        .args(["policy", "check", "cad", "--user", "dave", "--host", "ws-1"])
        .assert()
        .success()
        .stdout(contains("granted"));
    let _eve = server.hold_seat(dir.path(), "cad", "ws-eve", Some("eve"));
    server
        .admin()
        .args(["policy", "check", "cad", "--user", "dave", "--host", "ws-1"])
        .assert()
        .code(3)
        .stdout(contains("refused"))
        .stdout(contains("seats_reserved"))
        .stdout(contains("2 of 3 seats are reserved for group cad-core"));
    server
        .admin()
        .args([
            "policy", "check", "cad", "--user", "alice", "--host", "ws-2",
        ])
        .assert()
        .success()
        .stdout(contains("reserve 2 for group:cad-core"));
}
