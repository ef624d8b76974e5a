//! `leasehold serve` as a process: clear failures, a clean SIGTERM, and leases
//! that survive a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Running, Seat, Server, Vendor, json, leasehold, leasehold_std, stdout};
use predicates::str::contains;

#[test]
fn a_second_server_on_the_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let _first = Server::start(&data, &[]);
    leasehold()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--no-mdns",
            "--data-dir",
        ])
        .arg(&data)
        .assert()
        .code(1)
        .stderr(contains("in use by another Leasehold server"));
}

#[test]
fn a_taken_port_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    leasehold()
        .args(["serve", "--no-mdns", "--listen", &addr, "--data-dir"])
        .arg(dir.path().join("data"))
        .assert()
        .code(1)
        .stderr(contains(format!("cannot listen on {addr}")));
}

#[test]
fn sigterm_stops_cleanly_and_a_restart_keeps_the_leases() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let data = dir.path().join("data");
    let mut server = Server::start(&data, &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 2, &[]));
    let Seat {
        process: client,
        grant,
        ..
    } = server.hold_seat(dir.path(), "cad", "ws-1", None);

    let status = server.process.terminate();
    assert!(
        status.success(),
        "SIGTERM exits 0: {status:?}\n{}",
        server.process.stderr()
    );
    assert!(
        !data.join("listen-address").exists(),
        "a stopped server removes its address file"
    );
    let out = server.admin().arg("status").assert().code(1);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("no server running"));

    let restarted = Server::start(&data, &[&vendor.public_key]);
    let computers = json(
        &restarted
            .admin()
            .args(["computers", "--json"])
            .assert()
            .success(),
    );
    let row = &computers["rows"][0]["lease"];
    assert_eq!(row["holder"]["clientId"], "ws-1", "{computers}");
    assert_eq!(
        row["id"], grant["leaseId"],
        "the same lease is back: {computers}"
    );
    drop(client);
}

#[test]
fn sigterm_stops_the_server_while_someone_follows_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(&dir.path().join("data"), &[]);
    let mut cmd = leasehold_std();
    cmd.args(["admin", "logs", "--follow", "--data-dir"])
        .arg(&server.data_dir);
    let mut follower = Running::spawn(cmd, &dir.path().join("follow.log"));
    follower.line_containing("server_start");
    // An event after the history proves the live stream is open.
    let vendor = Vendor::new(dir.path());
    server
        .admin()
        .args(["trust", &vendor.public_key])
        .assert()
        .success();
    follower.line_containing("trusted_key_added");
    let status = server.process.terminate();
    assert!(
        status.success(),
        "SIGTERM exits 0 with a live log open: {status:?}"
    );
}

#[test]
fn the_admin_token_is_printed_only_when_asked_for_or_to_a_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    // stdout is a pipe here, as in a service's journal.
    let mut server = Server::start(&data, &[]);
    let token = std::fs::read_to_string(data.join("admin-token")).expect("token file");
    let token = token.trim();
    assert!(
        !server.process.stderr().contains(token),
        "the token is not in the log"
    );
    let url = stdout(&server.admin().arg("url").assert().success());
    assert_eq!(
        url.trim(),
        format!("http://{}/ui/#token={token}", server.addr)
    );
    let status = server.process.terminate();
    assert!(status.success());

    let mut cmd = common::leasehold_std();
    cmd.args(Server::args(&data, &[])).arg("--print-admin-url");
    let mut asked = Server::start_cmd(cmd, &data);
    let _ = asked.process.terminate();
}
