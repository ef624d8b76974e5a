//! `leasehold admin settings` and what it changes (codes ending soon in
//! `admin status` and `admin license list`), and `admin account`.
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

#[test]
fn accounts_from_the_command_line_sign_in_with_their_own_role() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let mut server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    let out = server.admin().args(["account", "list"]).assert().success();
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("admin") && l.contains("data directory token")),
        "{text}"
    );

    let out = server
        .admin()
        .args(["account", "add", "Ann", "--role", "operator", "--password"])
        .write_stdin("ann-password\n")
        .assert()
        .success();
    assert!(
        stdout(&out).contains("account ann made (operator)"),
        "{}",
        stdout(&out)
    );
    let out = server
        .admin()
        .args(["account", "token", "create", "ann", "--label", "ci job"])
        .assert()
        .success();
    let token = stdout(&out).trim().to_owned();
    assert!(
        token.starts_with("lha_") && stderr(&out).contains("shown this once"),
        "{token}"
    );

    // As ann, from "elsewhere" (--server and --token): she reads, but may not add a code.
    let as_ann = |args: &[&str]| {
        let mut cmd = common::leasehold();
        cmd.args(["admin", "--server", &server.addr, "--token", &token])
            .args(args);
        cmd
    };
    as_ann(&["status"]).assert().success();
    let out = as_ann(&["license", "add", &vendor.issue("cad", 2, &[])])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("`ann` is an operator; this needs the admin role"),
        "{}",
        stderr(&out)
    );
    // Her own password, with the current one first.
    as_ann(&["account", "password", "ann", "--current"])
        .write_stdin("ann-password\nann-new-password\n")
        .assert()
        .success();
    let out = as_ann(&["account", "role", "ann", "admin"])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("forbidden") || stderr(&out).contains("needs the admin role"),
        "{}",
        stderr(&out)
    );

    let out = server
        .admin()
        .args(["account", "remove", "admin"])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("keeps the admin role and cannot be removed"),
        "{}",
        stderr(&out)
    );
    server
        .admin()
        .args(["account", "token", "list", "ann"])
        .assert()
        .success();
    // Every token of hers at once: the script's stops working.
    let out = server
        .admin()
        .args(["account", "token", "revoke", "ann", "--all"])
        .assert()
        .success();
    assert_eq!(stdout(&out).trim(), "1 token of ann revoked");
    as_ann(&["status"]).assert().code(1);
    server
        .admin()
        .args(["account", "remove", "ann"])
        .assert()
        .success();
    as_ann(&["status"]).assert().code(1);
    assert!(server.process.terminate().success());
}

#[test]
fn a_server_with_tls_is_administered_over_https_pinned_to_its_fingerprint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut cmd = common::leasehold_std();
    cmd.args(Server::args(&data, &[])).arg("--tls");
    let mut server = Server::start_cmd(cmd, &data);
    let out = server.admin().arg("status").assert().success();
    let text = stdout(&out);
    let fingerprint = text
        .lines()
        .find_map(|l| l.strip_prefix("SHA-256"))
        .unwrap_or_else(|| panic!("{text}"))
        .trim()
        .to_owned();
    assert!(text.contains("made by this server"), "{text}");
    let token = std::fs::read_to_string(data.join("admin-token")).unwrap();
    let https = format!("https://{}", server.addr);
    let remote = |pin: Option<&str>| {
        let mut cmd = common::leasehold();
        cmd.args([
            "admin",
            "--server",
            &https,
            "--token",
            token.trim(),
            "status",
        ]);
        if let Some(pin) = pin {
            cmd.args(["--tls-fingerprint", pin]);
        }
        cmd
    };
    let out = remote(Some(&fingerprint)).assert().success();
    assert!(stdout(&out).contains(&fingerprint), "{}", stdout(&out));
    // Without the pin, or with another, nothing is sent.
    let out = remote(None).assert().code(1);
    assert!(
        stderr(&out).contains("--tls-fingerprint"),
        "{}",
        stderr(&out)
    );
    let other = "00:".repeat(31) + "00";
    let out = remote(Some(&other)).assert().code(1);
    assert!(
        stderr(&out).contains("is not the one trusted: it has the fingerprint"),
        "{}",
        stderr(&out)
    );
    let out = remote(Some("abc")).assert().code(1);
    assert!(
        stderr(&out).contains("not a SHA-256 fingerprint"),
        "{}",
        stderr(&out)
    );
    // An application's side: `client status` over HTTPS, pinned the same way.
    let client = |pin: &str| {
        let mut cmd = common::leasehold();
        cmd.args([
            "client",
            "status",
            "--server",
            &https,
            "--tls-fingerprint",
            pin,
        ])
        .env("LEASEHOLD_CLIENT_CONFIG", dir.path().join("client.toml"));
        cmd
    };
    let out = client(&fingerprint).assert().success();
    assert!(
        stdout(&out).contains(&format!("({https})")),
        "{}",
        stdout(&out)
    );
    let out = client(&other).assert().code(1);
    assert!(
        stderr(&out).contains("was not used: its certificate is not the one trusted"),
        "{}",
        stderr(&out)
    );
    assert!(server.process.terminate().success());
}

#[test]
fn alerts_are_listed_acknowledged_configured_and_tested_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let mut server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 1, &["--expires", &day_from_today(2)]));
    // The server looks every 10 s and at start; a code added after waits for the next look.
    let mut listed = String::new();
    for _ in 0..150 {
        let out = server.admin().args(["alerts", "list"]).assert().success();
        listed = stdout(&out);
        if listed.contains("ends soon") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        listed.contains("OPEN") && listed.contains("ends soon"),
        "{listed}"
    );
    let id = listed
        .lines()
        .find_map(|l| l.strip_prefix('#'))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    let out = server
        .admin()
        .args(["alerts", "ack", &id])
        .assert()
        .success();
    assert!(stdout(&out).contains("acknowledged"), "{}", stdout(&out));
    let out = server.admin().args(["alerts", "list"]).assert().success();
    assert!(stdout(&out).contains("seen by admin"), "{}", stdout(&out));

    let out = server
        .admin()
        .args([
            "alerts",
            "settings",
            "--usage-percent",
            "80",
            "--webhook",
            "http://127.0.0.1:9/nowhere",
        ])
        .assert()
        .success();
    assert!(
        stdout(&out).contains("at 80 %") && stdout(&out).contains("127.0.0.1:9"),
        "{}",
        stdout(&out)
    );
    let out = server.admin().args(["alerts", "test"]).assert().code(1);
    assert!(stdout(&out).contains("webhook: FAILED"), "{}", stdout(&out));
    let out = server
        .admin()
        .args([
            "alerts",
            "settings",
            "--mail-relay",
            "mail.lan:25",
            "--mail-from",
            "bad",
            "--mail-to",
            "ops@corp.lan",
        ])
        .assert()
        .code(1);
    assert!(stderr(&out).contains("mail.from"), "{}", stderr(&out));
    assert!(server.process.terminate().success());
}
