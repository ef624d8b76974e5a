//! Runs a test inside private network namespaces, so its mDNS traffic never
//! reaches the machine's real interfaces.
//!
//! Usage, in any integration test file (`mod common;`):
//!
//! ```ignore
//! use common::netns::{self, Loopback};
//!
//! #[test]
//! fn finds_a_server() {
//!     netns::run("finds_a_server", Loopback::Up, || {
//!         netns::block_on(async { /* start advertiser, discover, assert */ })
//!     });
//! }
//! ```
//!
//! The first argument must be the test's own name (its path inside the test
//! binary): the test re-runs its own binary under `unshare -rn` with
//! `--exact <name>`, and the body runs only in that child. The parent checks
//! that the child passed and really ran one test, so a wrong name fails.
//! Nothing falls back to the real network: if a namespace cannot be made, or
//! the child finds itself in the parent's namespace, the test fails.
//!
//! [`run_pair`] runs two bodies in two namespaces joined by a veth pair
//! (needs root for `ip netns add`).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Set in the child to the test name it must run; stops the recursion.
const CHILD_MARKER: &str = "LEASEHOLD_TEST_NETNS_CHILD";
/// The parent's network namespace, so the child can prove it is elsewhere.
const PARENT_NETNS: &str = "LEASEHOLD_TEST_PARENT_NETNS";
/// In [`run_pair`], which side the child plays.
const ROLE: &str = "LEASEHOLD_TEST_NETNS_ROLE";
/// In [`run_pair`], a file the parent creates when the client side is done.
const DONE_FILE: &str = "LEASEHOLD_TEST_NETNS_DONE_FILE";

/// The subnet of the veth pair (TEST-NET-1, RFC 5737: never routed).
pub const PAIR_SERVER_IP: &str = "192.0.2.1";
pub const PAIR_CLIENT_IP: &str = "192.0.2.2";

/// What the child does with `lo` before the body runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loopback {
    /// `ip link set lo up; ip link set lo multicast on` (the usual case).
    Up,
    /// Leave it down: the namespace has no usable interface at all.
    Down,
}

/// True in the re-executed child (inside the namespace).
pub fn in_child() -> bool {
    std::env::var_os(CHILD_MARKER).is_some()
}

/// Runs `body` in a fresh private network namespace (see the module docs).
pub fn run(test_name: &str, lo: Loopback, body: impl FnOnce()) {
    if enter_child(test_name) {
        if lo == Loopback::Up {
            ip(&["link", "set", "lo", "up"]);
            ip(&["link", "set", "lo", "multicast", "on"]);
        }
        body();
        return;
    }
    let mut cmd = Command::new("unshare");
    cmd.arg("-rn").arg(current_exe());
    child_args(&mut cmd, test_name);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run `unshare -rn` ({e}); refusing to run mDNS tests outside a private network namespace"));
    if !out.status.success() && out.stdout.is_empty() {
        panic!(
            "{test_name}: cannot create a private network namespace with `unshare -rn`: {}; \
             refusing to run mDNS tests on the real network",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    check_child(test_name, "netns", &out);
}

/// Runs `server` and `client` in two new namespaces joined by a veth pair:
/// the server side has [`PAIR_SERVER_IP`], the client side
/// [`PAIR_CLIENT_IP`] (/24), `lo` is down in both, so any traffic between
/// them crossed the veth. The server body gets a closure that blocks until
/// the client side has finished (or 10 s); it should keep announcing until
/// then.
///
/// Needs root (`ip netns add`); panics with the reason when that fails.
pub fn run_pair(test_name: &str, server: impl FnOnce(&dyn Fn()), client: impl FnOnce()) {
    if enter_child(test_name) {
        match std::env::var(ROLE).as_deref() {
            Ok("server") => {
                let done = PathBuf::from(std::env::var_os(DONE_FILE).unwrap_or_default());
                server(&|| wait_for_file(&done, Duration::from_secs(10)));
            }
            Ok("client") => client(),
            other => panic!("netns child without a valid {ROLE}: {other:?}"),
        }
        return;
    }

    let pair = NamedPair::create();
    let done = std::env::temp_dir().join(format!("leasehold-netns-done-{}", std::process::id()));
    let _ = std::fs::remove_file(&done);

    let spawn = |ns: &str, role: &str| -> Child {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns]).arg(current_exe());
        child_args(&mut cmd, test_name);
        cmd.env(ROLE, role).env(DONE_FILE, &done);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.spawn()
            .unwrap_or_else(|e| panic!("cannot run `ip netns exec {ns}`: {e}"))
    };
    let server_child = spawn(&pair.server, "server");
    let client_out = spawn(&pair.client, "client").wait_with_output();
    let _ = std::fs::write(&done, b"done");
    let server_out = server_child.wait_with_output();
    let _ = std::fs::remove_file(&done);

    let client_out = client_out.unwrap_or_else(|e| panic!("client child lost: {e}"));
    let server_out = server_out.unwrap_or_else(|e| panic!("server child lost: {e}"));
    // Both reports, whichever failed: one side's output explains the other.
    let outcome = std::panic::catch_unwind(|| check_child(test_name, "client side", &client_out));
    check_child(test_name, "server side", &server_out);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A current-thread-free runtime with real time, for a test body.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("cannot build a tokio runtime: {e}"))
        .block_on(future)
}

/// Runs `ip ARGS` in the current namespace; panics if it fails.
pub fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `ip {}`: {e}", args.join(" ")));
    assert!(
        out.status.success(),
        "`ip {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// In the child: checks the marker and the namespace and returns true.
/// In the parent: returns false.
fn enter_child(test_name: &str) -> bool {
    let Some(marker) = std::env::var_os(CHILD_MARKER) else {
        return false;
    };
    assert_eq!(
        marker.to_str(),
        Some(test_name),
        "netns child started for another test"
    );
    let parent = std::env::var(PARENT_NETNS).unwrap_or_default();
    let mine = current_netns();
    assert!(
        !parent.is_empty() && mine != parent,
        "the netns child is still in the parent's network namespace ({mine}); refusing to run"
    );
    true
}

fn child_args(cmd: &mut Command, test_name: &str) {
    cmd.args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_MARKER, test_name)
        .env(PARENT_NETNS, current_netns())
        // The child's own output, for the "1 passed" check, must be plain.
        .env_remove("RUST_TEST_THREADS")
        .env("NO_COLOR", "1");
}

/// Asserts the child passed and really ran exactly one test.
fn check_child(test_name: &str, what: &str, out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = format!("--- {what} stdout ---\n{stdout}\n--- {what} stderr ---\n{stderr}");
    assert!(
        out.status.success(),
        "{test_name}: {what} failed ({}).\n{report}",
        out.status
    );
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "{test_name}: {what} did not run exactly one test (is the name passed to netns::run the test's own?).\n{report}"
    );
    // Let the body's own output show under --nocapture in the parent.
    print!("{stdout}");
    eprint!("{stderr}");
}

fn current_exe() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|e| panic!("cannot find the test binary: {e}"))
}

fn current_netns() -> String {
    std::fs::read_link("/proc/self/ns/net")
        .map(|p| p.display().to_string())
        .unwrap_or_else(|e| panic!("cannot read /proc/self/ns/net: {e}"))
}

fn wait_for_file(path: &Path, limit: Duration) {
    let start = Instant::now();
    while !path.exists() && start.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Two named namespaces joined by a veth pair, deleted on drop.
struct NamedPair {
    server: String,
    client: String,
}

impl NamedPair {
    fn create() -> Self {
        let id = std::process::id();
        let pair = NamedPair {
            server: format!("lh-test-{id}-s"),
            client: format!("lh-test-{id}-c"),
        };
        for ns in [&pair.server, &pair.client] {
            let out = Command::new("ip").args(["netns", "add", ns]).output();
            match out {
                Ok(o) if o.status.success() => {}
                Ok(o) => panic!(
                    "cannot create network namespace {ns} with `ip netns add` (needs root \
                     and a writable /run/netns): {}. This test cannot run on this machine; \
                     it does not fall back to the real network.",
                    String::from_utf8_lossy(&o.stderr).trim()
                ),
                Err(e) => panic!("cannot run `ip netns add {ns}`: {e}"),
            }
        }
        // Created directly inside the namespaces: never on the host.
        let (s, c) = (pair.server.as_str(), pair.client.as_str());
        ip(&[
            "-n", s, "link", "add", "lh-s", "type", "veth", "peer", "name", "lh-c", "netns", c,
        ]);
        ip(&[
            "-n",
            s,
            "addr",
            "add",
            &format!("{PAIR_SERVER_IP}/24"),
            "dev",
            "lh-s",
        ]);
        ip(&[
            "-n",
            c,
            "addr",
            "add",
            &format!("{PAIR_CLIENT_IP}/24"),
            "dev",
            "lh-c",
        ]);
        ip(&["-n", s, "link", "set", "lh-s", "up"]);
        ip(&["-n", c, "link", "set", "lh-c", "up"]);
        // A fresh veth is briefly not "oper up"; a daemon started then skips
        // it and only rescans interfaces every 5 s.
        wait_oper_up(s, "lh-s");
        wait_oper_up(c, "lh-c");
        pair
    }
}

/// Waits until `dev` in namespace `ns` reports carrier (`state UP`).
fn wait_oper_up(ns: &str, dev: &str) {
    let start = Instant::now();
    loop {
        let out = Command::new("ip")
            .args(["-n", ns, "-o", "link", "show", "dev", dev])
            .output();
        if let Ok(out) = out
            && String::from_utf8_lossy(&out.stdout).contains("state UP")
        {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{dev} in {ns} did not come up"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

impl Drop for NamedPair {
    fn drop(&mut self) {
        for ns in [&self.server, &self.client] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}
