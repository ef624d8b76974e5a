//! The .deb's maintainer scripts (packaging/deb): valid sh, the same account
//! and group as `leasehold service install`, run with stubbed system
//! commands, and license data never deleted.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../packaging/deb")
        .join(name)
}

/// Runs a maintainer script with `getent`, `groupadd`, `useradd` and
/// `systemctl` replaced by stubs that log their arguments; `exists` says
/// whether `getent` finds the user and group. Returns the log.
fn run_stubbed(name: &str, args: &[&str], exists: bool) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    for tool in ["getent", "groupadd", "useradd", "systemctl", "rm"] {
        let status = if tool == "getent" && !exists { 2 } else { 0 };
        let stub = tmp.path().join(tool);
        std::fs::write(
            &stub,
            format!(
                "#!/bin/sh\necho \"{tool} $*\" >> '{}'\nexit {status}\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        tmp.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg(script(name))
        .args(args)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&log).unwrap_or_default()
}

#[test]
fn service_packaging_scripts_are_valid_sh() {
    for name in ["postinst", "prerm", "postrm"] {
        let out = Command::new("sh")
            .arg("-n")
            .arg(script(name))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mode = std::fs::metadata(script(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "{name} is executable");
    }
}

#[test]
fn service_packaging_postinst_creates_the_same_account_as_service_install() {
    let calls = run_stubbed("postinst", &["configure"], false);
    assert!(
        calls.contains("groupadd --system leasehold-admin"),
        "{calls}"
    );
    assert!(
        calls.contains("useradd --system --user-group --no-create-home --home-dir /var/lib/leasehold --shell /usr/sbin/nologin --comment Leasehold license server leasehold"),
        "{calls}"
    );
    let again = run_stubbed("postinst", &["configure", "0.1.0"], true);
    assert!(
        !again.contains("useradd") && !again.contains("groupadd"),
        "existing account reused: {again}"
    );
    assert!(
        !again.contains("enable"),
        "the package never enables the service: {again}"
    );
}

#[test]
fn service_packaging_purge_keeps_license_data() {
    let calls = run_stubbed("postrm", &["purge"], true);
    assert!(
        calls.contains("rm -f /etc/systemd/system/leasehold.service"),
        "{calls}"
    );
    assert!(
        !calls.contains("/var/lib/leasehold"),
        "purge must not touch license data: {calls}"
    );
    let text = std::fs::read_to_string(script("postrm")).unwrap();
    assert!(
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .all(|l| !l.contains("/var/lib")),
        "{text}"
    );
}
