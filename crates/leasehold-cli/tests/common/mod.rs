//! Helpers for the CLI tests: the real `leasehold` binary in temp dirs, a
//! server on 127.0.0.1:0 without mDNS that is always killed at the end, and a
//! vendor key with codes issued from it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long to wait for a process to say something before failing the test.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The binary under test.
pub fn bin_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin!("leasehold").to_path_buf()
}

/// `leasehold ARGS…` with no Leasehold settings inherited from the environment.
pub fn leasehold() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(bin_path());
    for var in [
        "LEASEHOLD_DATA_DIR",
        "LEASEHOLD_SERVER",
        "LEASEHOLD_ADMIN_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "warn").timeout(PATIENCE);
    cmd
}

/// The same as a `std::process::Command`, for processes that keep running.
pub fn leasehold_std() -> std::process::Command {
    let mut cmd = std::process::Command::new(bin_path());
    for var in [
        "LEASEHOLD_DATA_DIR",
        "LEASEHOLD_SERVER",
        "LEASEHOLD_ADMIN_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

/// A child process killed (and reaped) when dropped, so no test leaves a
/// server or a client behind, even when it fails. Its stdout is read line by
/// line on a thread.
pub struct Running {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    /// Where its stderr goes, to show when something fails.
    pub stderr_file: PathBuf,
}

impl Running {
    /// Spawns `cmd` with stdout piped and stderr in `stderr_file`.
    pub fn spawn(mut cmd: std::process::Command, stderr_file: &Path) -> Self {
        let err = std::fs::File::create(stderr_file).expect("create stderr file");
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::from(err))
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn leasehold");
        let stdout: ChildStdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            stderr_file: stderr_file.to_path_buf(),
        }
    }

    /// The next stdout line, or a panic showing stderr after [`PATIENCE`].
    pub fn next_line(&mut self) -> String {
        match self.lines.recv_timeout(PATIENCE) {
            Ok(line) => line,
            Err(_) => panic!("no output line in time; stderr:\n{}", self.stderr()),
        }
    }

    /// Lines until one contains `needle` (which is returned).
    pub fn line_containing(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!(
            "no line containing {needle:?} in time; stderr:\n{}",
            self.stderr()
        );
    }

    pub fn stderr(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.stderr_file) {
            let _ = f.read_to_string(&mut text);
        }
        text
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        self.wait_exit()
    }

    /// Waits (bounded) for the process to end by itself.
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "process did not exit in time; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `leasehold serve` on 127.0.0.1:0 (never with mDNS).
pub struct Server {
    pub process: Running,
    /// `127.0.0.1:PORT`, from the first stdout line.
    pub addr: String,
    pub data_dir: PathBuf,
    /// The vendor key the server was told to trust (clients get it).
    pub vendor_key: Option<String>,
}

impl Server {
    /// Starts a server on `data_dir`, trusting `trust` keys, and waits for its address.
    pub fn start(data_dir: &Path, trust: &[&str]) -> Self {
        let mut cmd = leasehold_std();
        cmd.args(Self::args(data_dir, trust));
        Self::start_cmd(cmd, data_dir)
    }

    /// The arguments of `leasehold serve` that [`Server::start`] gives.
    pub fn args(data_dir: &Path, trust: &[&str]) -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec!["serve".into(), "--data-dir".into()];
        args.push(data_dir.into());
        args.extend(["--listen", "127.0.0.1:0", "--no-mdns"].map(Into::into));
        for key in trust {
            args.extend(["--trust", key].map(Into::into));
        }
        args
    }

    /// Starts `cmd`, a `leasehold serve` (or a wrapper that runs one) on
    /// `data_dir`, and waits for its address. Clients of it trust the first
    /// `--trust` key the command names.
    pub fn start_cmd(cmd: std::process::Command, data_dir: &Path) -> Self {
        let vendor_key = {
            let args: Vec<String> = cmd
                .get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            args.windows(2)
                .find(|w| w[0] == "--trust")
                .map(|w| w[1].clone())
        };
        std::fs::create_dir_all(data_dir).expect("create data dir");
        let log = data_dir
            .parent()
            .unwrap_or(data_dir)
            .join(format!("serve-{}.log", unique()));
        let asked = format!("{cmd:?}").contains("--print-admin-url");
        let mut process = Running::spawn(cmd, &log);
        let addr = process.next_line();
        assert!(
            addr.starts_with("127.0.0.1:"),
            "first line is the address, got {addr:?}"
        );
        let ui = process.next_line();
        assert!(
            ui.starts_with("admin UI: http://"),
            "second line is the admin URL, got {ui:?}"
        );
        // The token only with --print-admin-url: stdout is not a terminal here.
        assert_eq!(ui.contains("#token="), asked, "{ui}");
        Self {
            process,
            addr,
            data_dir: data_dir.to_path_buf(),
            vendor_key,
        }
    }

    /// `--vendor-key KEY` for clients of this server (nothing when it
    /// trusts no key given on its command line).
    pub fn vendor_args(&self) -> Vec<String> {
        self.vendor_key
            .iter()
            .flat_map(|k| ["--vendor-key".to_owned(), k.clone()])
            .collect()
    }

    /// `leasehold admin --data-dir DIR ARGS…`.
    pub fn admin(&self) -> assert_cmd::Command {
        let mut cmd = leasehold();
        cmd.arg("admin").arg("--data-dir").arg(&self.data_dir);
        cmd
    }

    /// `admin license add CODE`, which must succeed.
    pub fn add_license(&self, code: &str) -> assert_cmd::assert::Assert {
        self.admin()
            .args(["license", "add", code])
            .assert()
            .success()
    }

    /// `leasehold client checkout PRODUCT --server ADDR --hold 0 --client-id
    /// ID`, and `--user USER` when given: a seat taken and given back at once.
    pub fn checkout_once(
        &self,
        product: &str,
        client_id: &str,
        user: Option<&str>,
    ) -> assert_cmd::Command {
        let mut cmd = leasehold();
        cmd.args([
            "client",
            "checkout",
            product,
            "--server",
            &self.addr,
            "--hold",
            "0",
            "--client-id",
            client_id,
        ]);
        cmd.args(self.vendor_args());
        if let Some(user) = user {
            cmd.args(["--user", user]);
        }
        cmd
    }

    /// `leasehold client checkout PRODUCT --hold 60 --json` as `client_id`
    /// (and `user` when given) holding its seat in the background, its
    /// stderr in `dir`; once it has printed its grant.
    pub fn hold_seat(
        &self,
        dir: &Path,
        product: &str,
        client_id: &str,
        user: Option<&str>,
    ) -> Seat {
        self.hold_seat_with(dir, product, client_id, user, &[])
    }

    /// [`Self::hold_seat`] with environment variables set (e.g. the test
    /// seam `LEASEHOLD_TEST_FINGERPRINT`: another computer).
    pub fn hold_seat_with(
        &self,
        dir: &Path,
        product: &str,
        client_id: &str,
        user: Option<&str>,
        env: &[(&str, &str)],
    ) -> Seat {
        let mut cmd = leasehold_std();
        cmd.envs(env.iter().copied());
        cmd.args([
            "client", "checkout", product, "--server", &self.addr, "--hold", "60",
        ]);
        cmd.args(["--client-id", client_id]);
        cmd.args(self.vendor_args());
        if let Some(user) = user {
            cmd.args(["--user", user]);
        }
        cmd.arg("--json");
        let log = dir.join(format!("client-{client_id}-{}.log", unique()));
        let mut process = Running::spawn(cmd, &log);
        let grant: serde_json::Value =
            serde_json::from_str(&process.next_line()).expect("the grant as JSON");
        let lease_id = grant["leaseId"].as_str().expect("a lease id").to_owned();
        Seat {
            process,
            grant,
            lease_id,
        }
    }
}

/// A `leasehold client checkout --hold` process holding a seat (killed on
/// drop), with the grant it printed.
pub struct Seat {
    pub process: Running,
    pub grant: serde_json::Value,
    pub lease_id: String,
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A vendor key in `dir`: its file and public key.
pub struct Vendor {
    pub key_file: PathBuf,
    pub public_key: String,
}

impl Vendor {
    pub fn new(dir: &Path) -> Self {
        let key_file = dir.join("vendor.key");
        let out = leasehold()
            .args(["vendor", "keygen", "--out"])
            .arg(&key_file)
            .assert()
            .success();
        let public_key = String::from_utf8_lossy(&out.get_output().stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        assert!(
            public_key.starts_with("LHPK-"),
            "keygen prints the public key first, got {public_key:?}"
        );
        Self {
            key_file,
            public_key,
        }
    }

    /// `leasehold vendor issue --key FILE --product PRODUCT --seats SEATS
    /// EXTRA…`, not run yet.
    /// Codes need no activation unless `extra` says `--activation` (the
    /// tests of activation do; the others test what comes after it).
    pub fn issue_cmd(&self, product: &str, seats: u32, extra: &[&str]) -> assert_cmd::Command {
        let mut cmd = leasehold();
        cmd.args(["vendor", "issue", "--key"])
            .arg(&self.key_file)
            .args(["--product", product, "--seats", &seats.to_string()])
            .args(extra);
        if !extra.contains(&"--activation") {
            cmd.args(["--activation", "none"]);
        }
        cmd
    }

    /// Issues a code for `product` with `seats`, plus any extra arguments.
    pub fn issue(&self, product: &str, seats: u32, extra: &[&str]) -> String {
        let out = self.issue_cmd(product, seats, extra).assert().success();
        String::from_utf8_lossy(&out.get_output().stdout)
            .trim()
            .to_owned()
    }
}

/// stdout of a finished command as text.
pub fn stdout(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// stderr of a finished command as text.
pub fn stderr(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

/// stdout parsed as JSON.
pub fn json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
    let text = stdout(out);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{text}"))
}

/// Polls `check` every 20 ms until it returns true, for at most [`PATIENCE`].
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One HTTP/1.1 request on a fresh connection; the status and the body.
pub fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if s.write_all(request.as_bytes()).is_err() {
        return (0, "write failed".into());
    }
    let mut answer = String::new();
    if let Err(e) = s.read_to_string(&mut answer) {
        return (0, format!("read failed: {e}"));
    }
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

/// `leasehold serve` on `dir` as the computer `fingerprint` describes (the
/// debug-only `LEASEHOLD_TEST_FINGERPRINT` seam), trusting `vendor`.
pub fn start_as(dir: &Path, vendor: &Vendor, fingerprint: &str) -> Server {
    let mut cmd = leasehold_std();
    cmd.args(Server::args(dir, &[&vendor.public_key]));
    cmd.env("LEASEHOLD_TEST_FINGERPRINT", fingerprint);
    Server::start_cmd(cmd, dir)
}

/// The licence id of a code, as the admin commands take it.
pub fn license_id(code: &str) -> String {
    leasehold_core::license::parse(code)
        .expect("a code")
        .terms()
        .license_id
        .to_string()
}

/// The offline activation round trip through the real binaries: the
/// server's request, the vendor's answer (`--no-ledger`), imported.
/// Returns the vendor's response.
pub fn activate_offline(server: &Server, vendor: &Vendor, license_id: &str) -> String {
    let request = stdout(
        &server
            .admin()
            .args(["activation", "request", license_id])
            .assert()
            .success(),
    );
    let response = stdout(
        &leasehold()
            .args(["vendor", "activate", "--no-ledger", "--key"])
            .arg(&vendor.key_file)
            .arg(request.trim())
            .assert()
            .success(),
    );
    server
        .admin()
        .args(["activation", "import", response.trim()])
        .assert()
        .success();
    response
}
