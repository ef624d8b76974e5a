//! `leasehold service …` as a user runs it. Only `--dry-run` and `status`:
//! no test installs or starts a system service.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn leasehold() -> Command {
    Command::cargo_bin("leasehold").unwrap()
}

fn really_installed() -> bool {
    Path::new("/etc/systemd/system/leasehold.service").exists()
}

#[test]
fn service_install_dry_run_prints_the_plan_and_changes_nothing() {
    let before = really_installed();
    let out = leasehold()
        .args([
            "service",
            "install",
            "--dry-run",
            "--data-dir",
            "/srv/lh",
            "--listen",
            "127.0.0.1:9000",
            "--user",
            "lic",
        ])
        .env("SUDO_USER", "ann")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("Dry run: nothing is changed."), "{text}");
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_leasehold")).unwrap();
    for want in [
        "unless `id -u lic` succeeds".to_owned(),
        "run `usermod --append --groups leasehold-admin ann`".to_owned(),
        "run `install -d -o lic -m 0751 /srv/lh`".to_owned(),
        "write /etc/systemd/system/leasehold.service (mode 0644):".to_owned(),
        "     | User=lic".to_owned(),
        format!(
            "     | ExecStart={} serve --data-dir /srv/lh --listen 127.0.0.1:9000",
            binary.display()
        ),
        "     | ReadWritePaths=/srv/lh".to_owned(),
        "     | Restart=on-failure".to_owned(),
        "run `systemctl restart leasehold.service`".to_owned(),
    ] {
        assert!(text.contains(&want), "missing `{want}` in:\n{text}");
    }
    assert_eq!(really_installed(), before, "a dry run wrote the unit");
    assert!(
        !Path::new("/srv/lh").exists() || before,
        "a dry run created the data directory"
    );
}

#[test]
fn service_install_dry_run_defaults_to_var_lib_and_state_directory() {
    leasehold()
        .args(["service", "install", "--dry-run"])
        .env_remove("SUDO_USER")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "--data-dir /var/lib/leasehold --listen 0.0.0.0:7878",
        ))
        .stdout(predicate::str::contains("     | StateDirectory=leasehold"))
        .stdout(predicate::str::contains("usermod").not());
}

#[test]
fn service_install_under_pkexec_lets_the_invoking_user_administer() {
    // The desktop app runs `pkexec leasehold service install`: no SUDO_USER,
    // the caller's uid in PKEXEC_UID (65534 is `nobody` on Debian and macOS).
    let nobody = std::process::Command::new("id")
        .args(["-nu", "65534"])
        .output()
        .unwrap();
    let name = String::from_utf8_lossy(&nobody.stdout).trim().to_owned();
    if !nobody.status.success() || name.is_empty() {
        eprintln!("skipped: no user with uid 65534 here");
        return;
    }
    leasehold()
        .args(["service", "install", "--dry-run"])
        .env_remove("SUDO_USER")
        .env("PKEXEC_UID", "65534")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "usermod --append --groups leasehold-admin {name}"
        )));
}

#[test]
fn service_uninstall_start_stop_dry_runs() {
    leasehold()
        .args(["service", "uninstall", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "systemctl disable --now leasehold.service",
        ))
        .stdout(predicate::str::contains("license data kept in"))
        .stdout(predicate::str::contains("remove the directory").not());
    leasehold()
        .args(["service", "uninstall", "--purge-data", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("remove the directory"));
    leasehold()
        .args(["service", "start", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "systemctl start leasehold.service",
        ));
    leasehold()
        .args(["service", "stop", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("systemctl stop leasehold.service"));
}

#[test]
fn service_status_when_not_installed() {
    if really_installed() {
        eprintln!("SKIPPED: a Leasehold service is really installed on this machine");
        return;
    }
    leasehold()
        .args(["service", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Leasehold service (systemd)"))
        .stdout(predicate::str::contains("installed:  no"))
        .stdout(predicate::str::contains(
            "install it with `sudo leasehold service install`",
        ));
    let out = leasehold()
        .args(["service", "status", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["manager"], "systemd");
    assert_eq!(json["installed"], false);
    assert_eq!(json["healthy"], false);
    if !Path::new("/run/systemd/system").exists() {
        assert_eq!(json["running"], serde_json::Value::Null);
        let notes = json["notes"].to_string();
        assert!(notes.contains("systemd is not running on this machine; run `leasehold serve` under your own supervisor"), "{notes}");
    }
}

/// Without --dry-run it refuses (no systemd here, or not root) and says why.
/// Skipped where it could really install: root on a machine run by systemd.
#[test]
fn service_install_refuses_clearly_without_systemd_or_root() {
    let systemd = Path::new("/run/systemd/system").exists();
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if systemd && root {
        eprintln!("SKIPPED: root on a systemd machine; this test would really install the service");
        return;
    }
    let want = if systemd {
        "run it as root"
    } else {
        "systemd is not running on this machine"
    };
    leasehold()
        .args(["service", "install"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains(want));
    assert!(!really_installed());
}

#[test]
fn service_help_lists_the_subcommands() {
    leasehold()
        .args(["service", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("install"))
        .stdout(predicate::str::contains("uninstall"))
        .stdout(predicate::str::contains("status"))
        .stdout(predicate::str::contains("  run ").not());
}
