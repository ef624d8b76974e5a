//! Activation through the real binaries, with the computer's fingerprint
//! injected (a seam that exists only in debug builds): one part changing
//! keeps the activation, a data directory copied to another computer counts
//! nothing, and deactivating gives the vendor a proof.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{
    Server, Vendor, activate_offline as activate, leasehold, license_id, start_as, stdout,
};
use predicates::prelude::*;
use predicates::str::contains;
use std::path::Path;

const HOME: &str = "machine=m-1,host=lic01,nics=aa:bb,cpu=Xeon x8";
const NEW_CARD: &str = "machine=m-1,host=lic01,nics=cc:dd,cpu=Xeon x8";
const ELSEWHERE: &str = "machine=m-2,host=lic02,nics=ee:ff,cpu=Xeon x8";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        // The lock belongs to the server that held it.
        if entry.path().is_file() && name != "leasehold.lock" {
            std::fs::copy(entry.path(), to.join(name)).unwrap();
        }
    }
}

#[test]
fn an_activation_follows_the_computer_not_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue("cad", 2, &["--activation", "required"]);
    let id = license_id(&code);
    let home = dir.path().join("home");
    let mut server = start_as(&home, &vendor, HOME);
    server.add_license(&code);
    let response = activate(&server, &vendor, &id);
    server.checkout_once("cad", "ws-1", None).assert().success();
    server.process.terminate();

    // A new network card: still this computer.
    let mut server = start_as(&home, &vendor, NEW_CARD);
    server
        .admin()
        .args(["license", "list"])
        .assert()
        .success()
        .stdout(contains("active").and(contains("needs activation").not()));
    server.checkout_once("cad", "ws-1", None).assert().success();
    server.process.terminate();

    // The data directory copied to another computer: the same server key,
    // the same activation, and no seats.
    let copy = dir.path().join("copy");
    copy_dir(&home, &copy);
    let mut stolen = start_as(&copy, &vendor, ELSEWHERE);
    let out = stolen.admin().args(["license", "list"]).assert().success();
    let list = stdout(&out);
    assert!(list.contains("activated for another computer"), "{list}");
    assert!(
        list.contains("machine id") && list.contains("host name"),
        "{list}"
    );
    stolen
        .checkout_once("cad", "ws-2", None)
        .assert()
        .code(1)
        .stderr(contains("not activated on this server"));
    // Importing the response again does not help there.
    stolen
        .admin()
        .args(["activation", "import", response.trim()])
        .assert()
        .code(1)
        .stderr(contains("another computer"));
    // Nor may the copy deactivate it: its proof, signed with the copied
    // key, would free the activation the original still counts with.
    stolen
        .admin()
        .args(["activation", "deactivate", &id])
        .assert()
        .code(1)
        .stderr(contains(
            "deactivate it on the computer it was activated on",
        ));
    stolen.process.terminate();

    // Back home: deactivate, and the vendor reads the proof.
    let server = start_as(&home, &vendor, HOME);
    let proof = dir.path().join("proof.txt");
    server
        .admin()
        .args(["activation", "deactivate", &id, "--out"])
        .arg(&proof)
        .assert()
        .success();
    server
        .admin()
        .args(["license", "list"])
        .assert()
        .success()
        .stdout(contains("needs activation"));
    leasehold()
        .args(["vendor", "deactivate"])
        .arg(&proof)
        .assert()
        .success()
        .stdout(contains(id.as_str()).and(contains("may be activated on another server")));
}

#[test]
fn the_stock_client_refuses_a_server_with_a_self_made_key_or_a_copied_code() {
    let dir = tempfile::tempdir().unwrap();
    let genuine = Vendor::new(dir.path());
    let own_dir = dir.path().join("own");
    std::fs::create_dir(&own_dir).unwrap();
    let own = Vendor::new(&own_dir);

    // The attacker's server trusts a key of their own and holds a
    // self-issued 100,000-seat code; the application knows the genuine key.
    let rogue = Server::start(&dir.path().join("rogue"), &[&own.public_key]);
    rogue.add_license(&own.issue("cad", 100_000, &[]));
    let out = leasehold()
        .args([
            "client",
            "checkout",
            "cad",
            "--server",
            &rogue.addr,
            "--hold",
            "0",
        ])
        .args(["--vendor-key", &genuine.public_key])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("not trusted"), "{err}");
    assert!(err.contains("does not trust"), "{err}");
    // Without any vendor key the client does not trust blindly either.
    leasehold()
        .args([
            "client",
            "checkout",
            "cad",
            "--server",
            &rogue.addr,
            "--hold",
            "0",
        ])
        .env_remove("LEASEHOLD_VENDOR_KEY")
        .assert()
        .code(1)
        .stderr(contains("no vendor key"));

    // A genuine code that needs activation, activated on server A, added to
    // server B as well: B counts nothing, and even a B patched to count it
    // could not show an activation for its own key.
    let code = genuine.issue("cad", 2, &["--activation", "required"]);
    let id = license_id(&code);
    let a = start_as(&dir.path().join("a"), &genuine, HOME);
    a.add_license(&code);
    activate(&a, &genuine, &id);
    a.checkout_once("cad", "ws-1", None).assert().success();
    let b = start_as(&dir.path().join("b"), &genuine, HOME);
    b.add_license(&code);
    b.checkout_once("cad", "ws-2", None)
        .assert()
        .code(1)
        .stderr(contains("not activated on this server"));
}
