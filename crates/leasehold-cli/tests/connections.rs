//! The connection attack from the hardening review, against the real
//! process: `leasehold serve` started with the usual 1,024 open-file soft
//! limit, 2,000 idle and 200 slow-header sockets held open, while ten real
//! clients check out and renew; then SIGTERM. Before the fix every checkout
//! failed ("Too many open files") and the server lingered after SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use common::{Server, Vendor, bin_path, http};
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn lease_id(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).expect("grant JSON");
    v["leaseId"].as_str().expect("leaseId").to_owned()
}

#[test]
fn strangers_holding_thousands_of_sockets_do_not_stop_real_clients() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let data = dir.path().join("data");
    // The usual soft limit, as a service or a login shell has it.
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", "ulimit -Sn 1024 && exec \"$0\" \"$@\""])
        .arg(bin_path())
        .args(Server::args(&data, &[&vendor.public_key]))
        .env("RUST_LOG", "warn");
    let mut server = Server::start_cmd(cmd, &data);
    server.add_license(&vendor.issue("cad", 10, &[]));
    let addr = server.addr.clone();

    let idle: Vec<TcpStream> = (0..2_000)
        .map(|_| TcpStream::connect(&addr).expect("connect"))
        .collect();
    let mut slow: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).expect("connect");
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();

    let checkout = |i: usize| {
        let body = format!(
            r#"{{"product":"cad","clientId":"pc-{i}","user":"ann","host":"pc-{i}.lan","appName":"Designer","appVersion":"4.2"}}"#
        );
        http(&addr, "POST", "/v1/checkout", &body)
    };
    let mut leases = Vec::new();
    for i in 0..10 {
        let (status, body) = checkout(i);
        assert_eq!(
            status, 200,
            "checkout {i} with 2,200 strangers' sockets open: {body}"
        );
        leases.push(lease_id(&body));
    }
    let started = Instant::now();
    let mut renewals = 0;
    while started.elapsed() < Duration::from_secs(3) {
        for id in &leases {
            let (status, body) = http(&addr, "POST", &format!("/v1/leases/{id}/renew"), "");
            assert_eq!(status, 200, "renew: {body}");
            renewals += 1;
        }
        for s in &mut slow {
            let _ = s.write_all(b"a");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("{renewals} renewals while 2,200 sockets were held open");

    let asked = Instant::now();
    let status = server.process.terminate();
    let took = asked.elapsed();
    println!("SIGTERM to exit with 2,200 sockets open: {took:?}");
    assert!(status.success(), "{status:?}\n{}", server.process.stderr());
    assert!(took < Duration::from_secs(3), "SIGTERM took {took:?}");
    drop(idle);
}
