//! `leasehold admin settings` and what it changes: codes ending soon in
//! `admin status` and `admin license list`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Server, Vendor, stderr, stdout};

fn day_from_today(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

#[test]
fn codes_ending_soon_are_named_with_their_last_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let mut server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    // Ends in 3 days (the run might cross midnight: 3 or 2).
    let last = day_from_today(3);
    server.add_license(&vendor.issue("cad", 2, &["--expires", &last, "--customer", "Acme"]));
    server.add_license(&vendor.issue("sim", 1, &["--expires", "2099-12-31"]));

    let out = server.admin().arg("status").assert().success();
    let text = stdout(&out);
    assert!(text.contains("ENDING SOON (within 30 days"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("cad (2 seats, Acme)"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(&format!("valid until {last}")), "{line}");
    assert!(
        line.contains("last day in 3 days") || line.contains("last day in 2 days"),
        "{line}"
    );
    assert!(!text.lines().any(|l| l.starts_with("  sim")), "{text}");

    let out = server.admin().args(["license", "list"]).assert().success();
    let text = stdout(&out);
    let cad = text.lines().find(|l| l.starts_with("cad")).unwrap();
    assert!(
        cad.contains(&format!("until {last}")) && cad.contains("active, last day in"),
        "{cad}"
    );
    let sim = text.lines().find(|l| l.starts_with("sim")).unwrap();
    assert!(
        sim.contains("until 2099-12-31") && !sim.contains("last day"),
        "{sim}"
    );

    // A window of 2 days: no longer warned of, and kept.
    let out = server
        .admin()
        .args(["settings", "--expiry-warning-days", "2"])
        .assert()
        .success();
    assert!(
        stdout(&out).contains("2 days before a code's last day"),
        "{}",
        stdout(&out)
    );
    let out = server.admin().arg("status").assert().success();
    assert!(!stdout(&out).contains("ENDING SOON"), "{}", stdout(&out));
    let out = server.admin().arg("settings").assert().success();
    assert!(stdout(&out).contains("2 days"), "{}", stdout(&out));

    let out = server
        .admin()
        .args(["settings", "--expiry-warning-days", "400"])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("give 0 (no warnings) to 365"),
        "{}",
        stderr(&out)
    );
    assert!(server.process.terminate().success());
}
