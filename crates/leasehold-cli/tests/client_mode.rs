//! `leasehold client mode|machine-id|checkout|status` as an end user runs
//! them, with the settings in a temp directory (never the real user's).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("cfg").join("client.toml")
    }

    /// `leasehold ARGS` with every config location inside the temp dir.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("leasehold").unwrap();
        cmd.args(args)
            .env("LEASEHOLD_CLIENT_CONFIG", self.config())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg"))
            .env_remove("LEASEHOLD_SERVER")
            .env_remove("LEASEHOLD_VENDOR_KEY")
            .env("RUST_LOG", "warn");
        cmd
    }

    fn stdout(&self, args: &[&str]) -> String {
        success_stdout(self.cmd(args))
    }

    /// `client mode standalone --license-file FILE`.
    fn use_license_file(&self, file: &Path) {
        self.stdout(&[
            "client",
            "mode",
            "standalone",
            "--license-file",
            file.to_str().unwrap(),
        ]);
    }

    /// `client checkout Designer --hold 0 --vendor-key KEY`.
    fn checkout(&self, vendor_key: &str) -> Command {
        self.cmd(&[
            "client",
            "checkout",
            "Designer",
            "--hold",
            "0",
            "--vendor-key",
            vendor_key,
        ])
    }

    /// A vendor key; returns (key file, public key text).
    fn vendor(&self) -> (PathBuf, String) {
        let key = self.dir.path().join("vendor.key");
        let public = self.stdout(&["vendor", "keygen", "--out", key.to_str().unwrap()]);
        (key, public.trim().to_owned())
    }

    /// A license file node-locked to `machine`, with `extra` issue flags.
    fn license(&self, key: &Path, machine: &str, name: &str, extra: &[&str]) -> PathBuf {
        let mut args = vec![
            "vendor",
            "issue",
            "--key",
            key.to_str().unwrap(),
            "--product",
            "Designer",
            "--seats",
            "1",
            "--node-locked",
            "--machine",
            machine,
        ];
        args.extend_from_slice(extra);
        let code = self.stdout(&args);
        let file = self.dir.path().join(name);
        std::fs::write(&file, code).unwrap();
        file
    }
}

/// Runs `cmd`, which must succeed, and returns its stdout.
fn success_stdout(mut cmd: Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn machine_id_prints_this_machines_id() {
    let env = Env::new();
    let id = env.stdout(&["client", "machine-id"]);
    let id = id.trim();
    assert_eq!(id.len(), 32, "{id}");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    assert_eq!(
        id,
        leasehold_client::identity::machine_id().unwrap().as_str()
    );
}

#[test]
fn mode_is_shown_set_and_shown_again() {
    let env = Env::new();
    let shown = env.stdout(&["client", "mode"]);
    assert!(shown.contains("not written yet"), "{shown}");
    assert!(
        shown.contains("mode      network") && shown.contains("discover  yes"),
        "{shown}"
    );
    assert!(!env.config().exists(), "showing writes nothing");

    env.cmd(&[
        "client",
        "mode",
        "network",
        "--server",
        "lic1.lan:7878",
        "--server",
        "10.0.0.9:9000",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains(
        "servers lic1.lan:7878, 10.0.0.9:9000",
    ));
    let text = std::fs::read_to_string(env.config()).unwrap();
    assert!(text.contains("mode = \"network\""), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&env.stdout(&["client", "mode", "--json"])).unwrap();
    assert_eq!(json["mode"], "network");
    assert_eq!(json["auto"], false);
    assert_eq!(
        json["servers"],
        serde_json::json!(["lic1.lan:7878", "10.0.0.9:9000"])
    );
    assert_eq!(json["written"], true);

    // Over TLS, its certificate trusted by fingerprint.
    let pin = "AB:".repeat(31) + "AB";
    env.stdout(&[
        "client",
        "mode",
        "network",
        "--server",
        "https://lic1.lan",
        "--tls-fingerprint",
        &pin,
    ]);
    let shown = env.stdout(&["client", "mode"]);
    assert!(
        shown.contains("servers   https://lic1.lan")
            && shown.contains(&format!("trusted   certificate {pin}")),
        "{shown}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.stdout(&["client", "mode", "--json"])).unwrap();
    assert_eq!(json["tlsFingerprints"], serde_json::json!([pin]));

    env.stdout(&["client", "mode", "network", "--auto"]);
    let shown = env.stdout(&["client", "mode"]);
    assert!(
        shown.contains("discover  yes") && !shown.contains("servers"),
        "{shown}"
    );

    let (key, _) = env.vendor();
    let me = env.stdout(&["client", "machine-id"]);
    let file = env.license(&key, me.trim(), "designer.lic", &[]);
    env.use_license_file(&file);
    let shown = env.stdout(&["client", "mode"]);
    assert!(shown.contains("mode      standalone"), "{shown}");
    assert!(shown.contains(file.to_str().unwrap()), "{shown}");

    // LEASEHOLD_SERVER overrides for one run, and says so.
    env.cmd(&["client", "mode"])
        .env("LEASEHOLD_SERVER", "10.1.1.1:7878")
        .assert()
        .success()
        .stdout(predicate::str::contains("LEASEHOLD_SERVER=10.1.1.1:7878"));
}

#[test]
fn bad_input_is_refused_and_an_invalid_file_is_named_and_kept() {
    let env = Env::new();
    env.cmd(&["client", "mode", "network"]).assert().code(2);
    env.cmd(&["client", "mode", "network", "--server", "ftp://x:1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("invalid server address"));
    let pin = "AB:".repeat(31) + "AB";
    env.cmd(&[
        "client",
        "mode",
        "network",
        "--server",
        "x:1",
        "--tls-fingerprint",
        &pin,
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("--server https://HOST:PORT"));
    env.cmd(&[
        "client",
        "mode",
        "network",
        "--server",
        "https://x:1",
        "--tls-fingerprint",
        "abc",
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("not a SHA-256 fingerprint"));
    env.cmd(&[
        "client",
        "mode",
        "standalone",
        "--license-file",
        "/nonexistent/x.lic",
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("cannot read the license file"));
    assert!(!env.config().exists());

    std::fs::create_dir_all(env.config().parent().unwrap()).unwrap();
    let text = "mode = \"network\"\nservers = [\"a:1\"]\nretries = 3\n";
    std::fs::write(env.config(), text).unwrap();
    env.cmd(&["client", "mode"]).assert().code(1).stderr(
        predicate::str::contains("client.toml, line 3").and(predicate::str::contains("retries")),
    );
    env.cmd(&["client", "mode", "network", "--auto"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        std::fs::read_to_string(env.config()).unwrap(),
        text,
        "never replaced silently"
    );
    env.stdout(&["client", "mode", "network", "--auto", "--force"]);
    assert!(
        std::fs::read_to_string(env.config())
            .unwrap()
            .contains("auto = true")
    );
}

#[test]
fn checkout_in_standalone_mode_verifies_the_license_file() {
    let env = Env::new();
    let (key, public) = env.vendor();
    let me = env.stdout(&["client", "machine-id"]);
    let good = env.license(
        &key,
        me.trim(),
        "designer.lic",
        &["--expires", "2999-12-31"],
    );
    env.use_license_file(&good);

    let out = success_stdout(env.checkout(&public));
    assert!(
        out.contains("standalone license") && out.contains("2999-12-31"),
        "{out}"
    );
    env.cmd(&["client", "checkout", "Designer", "--hold", "0", "--json"])
        .env("LEASEHOLD_VENDOR_KEY", &public)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"mode\":\"standalone\""));
    env.cmd(&["client", "status", "--vendor-key", &public])
        .assert()
        .success()
        .stdout(predicate::str::contains("the license file is valid"));

    env.cmd(&["client", "checkout", "Designer", "--hold", "0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--vendor-key"));

    let other = env.license(&key, "0123456789abcdef", "other.lic", &[]);
    env.use_license_file(&other);
    env.checkout(&public)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("another computer"));
    env.cmd(&["client", "status", "--vendor-key", &public])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAILED"));

    // LEASEHOLD_SERVER switches this run to that server instead.
    env.checkout(&public)
        .env("LEASEHOLD_SERVER", "127.0.0.1:1")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot reach the Leasehold server at 127.0.0.1:1",
        ));
}
