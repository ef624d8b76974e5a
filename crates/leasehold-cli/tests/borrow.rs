//! `leasehold client borrow` and `client return` against a real `leasehold
//! serve`: the loan kept next to the client settings, used by checkouts,
//! shown to the admin, given back.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Server, Vendor, json};
use predicates::str::contains;

#[test]
fn borrow_use_and_return_a_seat() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 1, &["--max-borrow-hours", "24"]));
    let config = dir.path().join("client").join("client.toml");
    let client = |args: &[&str]| {
        let mut cmd = common::leasehold();
        cmd.arg("client").args(args);
        cmd.args(["--server", &server.addr, "--config"])
            .arg(&config);
        cmd.args(server.vendor_args());
        cmd
    };

    client(&["borrow", "cad", "--hours", "25"])
        .assert()
        .code(1)
        .stderr(contains("at most 24 hours"));
    client(&["borrow", "cad", "--hours", "8"])
        .assert()
        .success()
        .stdout(contains("borrowed a seat of cad until"));
    assert!(
        dir.path()
            .join("client/borrows")
            .read_dir()
            .unwrap()
            .next()
            .is_some()
    );
    // A checkout uses the loan; the admin sees it borrowed.
    let out = client(&["checkout", "cad", "--hold", "0", "--json"])
        .assert()
        .success();
    assert_eq!(json(&out)["mode"], "borrowed");
    let out = server
        .admin()
        .args(["computers", "--json"])
        .assert()
        .success();
    let page = json(&out);
    assert_eq!(page["rows"][0]["borrowed"], true, "{page}");
    // Borrowed here already: refused here, and by the server for another
    // copy of this user on this computer (another settings directory).
    client(&["borrow", "cad", "--hours", "1"])
        .assert()
        .code(1)
        .stderr(contains("already borrows a seat of cad"));
    let mut elsewhere = common::leasehold();
    elsewhere.args([
        "client",
        "borrow",
        "cad",
        "--hours",
        "1",
        "--server",
        &server.addr,
        "--config",
    ]);
    elsewhere
        .arg(dir.path().join("other").join("client.toml"))
        .args(server.vendor_args());
    elsewhere
        .assert()
        .code(1)
        .stderr(contains("(already_borrowed)"));

    client(&["return", "cad"])
        .assert()
        .success()
        .stdout(contains("the seat of cad is free on the server"));
    client(&["return", "cad"])
        .assert()
        .code(1)
        .stderr(contains("no borrowed seat of cad"));
    let out = server
        .admin()
        .args(["computers", "--json"])
        .assert()
        .success();
    assert_eq!(json(&out)["rows"].as_array().unwrap().len(), 0);
}
