//! `leasehold client checkout --wait` against a real server: the place as
//! it changes, the seat held once it comes, and exit 3 after
//! `--wait-timeout`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Running, Server, Vendor, leasehold_std};
use predicates::str::contains;

#[test]
fn waiting_for_a_seat_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 1, &[]));
    let mut holder = server.hold_seat(dir.path(), "cad", "ws-ann", Some("ann"));

    // Gives up after the time asked: exit 3, out of the queue.
    server
        .checkout_once("cad", "ws-bob", Some("bob"))
        .args(["--wait", "--wait-timeout", "1"])
        .assert()
        .code(3)
        .stderr(contains("waiting: position 1 of 1"))
        .stderr(contains("left the queue"));

    // Waits, and holds the seat once ann lets it go.
    let mut cmd = leasehold_std();
    cmd.args([
        "client",
        "checkout",
        "cad",
        "--server",
        &server.addr,
        "--hold",
        "0",
    ]);
    cmd.args(["--client-id", "ws-bob", "--user", "bob", "--wait", "--json"]);
    cmd.args(server.vendor_args());
    let mut bob = Running::spawn(cmd, &dir.path().join("bob.log"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !bob.stderr().contains("waiting: position 1 of 1") {
        assert!(std::time::Instant::now() < deadline, "{}", bob.stderr());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    holder.process.terminate();
    let grant: serde_json::Value = serde_json::from_str(&bob.next_line()).unwrap();
    assert_eq!(grant["clientId"], "ws-bob");
    assert!(bob.wait_exit().success(), "{}", bob.stderr());
}
