//! Cloned machines through the real binaries: two computers presenting the
//! same client id and user are two seats (and flagged), and a computer whose
//! application crashed gets its own seat back at once, not a second one.
//! The computer's parts come through the debug-only test seam.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Server, Vendor};
use predicates::prelude::*;
use predicates::str::contains;

const FP: &str = "LEASEHOLD_TEST_FINGERPRINT";
const HOME: &str = "machine=img,host=ws,nics=aa:aa,cpu=Xeon x8,boot=boot-1";
const CLONE: &str = "machine=img,host=ws,nics=bb:bb,cpu=Xeon x8,boot=boot-2";

#[test]
fn clones_get_a_seat_each_and_a_crashed_application_its_own_back_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 2, &[]));

    let mut home = server.hold_seat_with(dir.path(), "cad", "img", Some("ann"), &[(FP, HOME)]);
    let clone = server.hold_seat_with(dir.path(), "cad", "img", Some("ann"), &[(FP, CLONE)]);
    assert_ne!(home.lease_id, clone.lease_id, "a clone is another seat");
    server
        .admin()
        .args(["computers"])
        .assert()
        .success()
        .stdout(contains("(shared!)").and(contains("2 seats")));
    let page = server
        .admin()
        .args(["--json", "computers"])
        .assert()
        .success();
    let page: serde_json::Value = serde_json::from_slice(&page.get_output().stdout).unwrap();
    assert!(
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["sharedMachineId"] == true)
    );

    // The home computer's application crashes (its lease is not released);
    // started again it gets its own seat back at once, though both seats
    // are taken: not a second seat, not a wait.
    let _ = home.process.child.kill();
    let _ = home.process.child.wait();
    let again = server.hold_seat_with(dir.path(), "cad", "img", Some("ann"), &[(FP, HOME)]);
    assert_eq!(again.lease_id, home.lease_id);
    server
        .admin()
        .args(["computers"])
        .assert()
        .success()
        .stdout(contains("2 seats"));
    drop(clone);
}
