//! `vendor` subcommands run as the CLI runs them (a fixed clock).

use super::*;
use clap::Parser;

#[derive(Debug, Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: VendorCmd,
}

const NOW: Timestamp = Timestamp(1_767_225_600_000); // 2026-01-01

fn cmd(args: &[&str]) -> VendorCmd {
    Cli::try_parse_from(std::iter::once("vendor").chain(args.iter().copied()))
        .unwrap()
        .cmd
}

/// Runs a command line; (result, stdout, stderr).
fn exec(args: &[&str]) -> (Result<()>, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let r = run_with(cmd(args), NOW, &mut std::io::empty(), &mut out, &mut err);
    (
        r,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn keygen_in(dir: &tempfile::TempDir) -> (String, VendorPublicKey) {
    let path = dir.path().join("vendor.key");
    let path = path.to_str().unwrap().to_owned();
    let (r, out, err) = exec(&["keygen", "--out", &path]);
    r.unwrap();
    assert_eq!(out.lines().count(), 1);
    assert!(err.contains("Keep it private"), "{err}");
    (path, out.trim().parse().unwrap())
}

#[test]
fn keygen_writes_a_private_file_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let (path, public) = keygen_in(&dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let (r, out, _) = exec(&["pubkey", "--key", &path]);
    r.unwrap();
    assert_eq!(out.trim(), public.to_string());

    let (r, _, _) = exec(&["keygen", "--out", &path]);
    let e = format!("{:#}", r.unwrap_err());
    assert!(e.contains("already exists") && e.contains("--force"), "{e}");
    assert_eq!(
        exec(&["pubkey", "--key", &path]).1.trim(),
        public.to_string(),
        "file untouched"
    );

    let (r, out, _) = exec(&["keygen", "--out", &path, "--force"]);
    r.unwrap();
    assert_ne!(out.trim(), public.to_string());
    assert_eq!(exec(&["pubkey", "--key", &path]).1, out);
}

#[test]
fn issue_then_inspect_with_and_without_trust() {
    let dir = tempfile::tempdir().unwrap();
    let (path, public) = keygen_in(&dir);
    let (r, code, err) = exec(&[
        "issue",
        "--key",
        &path,
        "--product",
        "acme-cad",
        "--seats",
        "5",
        "--expires",
        "2026-12-31",
        "--feature",
        "export",
        "--feature",
        "render",
        "--customer",
        "Example GmbH",
    ]);
    r.unwrap();
    assert_eq!(code.lines().count(), 1);
    assert!(err.contains("valid through 2026-12-31"), "{err}");
    let verified = license::parse(&code).unwrap().verify(&[public]).unwrap();
    let t = verified.terms();
    assert_eq!(
        (t.product.as_str(), t.seats, t.lease_secs),
        ("acme-cad", 5, DEFAULT_LEASE_SECS)
    );
    assert_eq!(t.features, ["export", "render"]);
    assert_eq!(
        t.valid_until,
        Some(license::valid_until_date("2026-12-31").unwrap())
    );
    assert_eq!(t.issued_at, NOW);

    let (r, shown, _) = exec(&["inspect", code.trim()]);
    r.unwrap();
    assert!(
        shown.contains("acme-cad") && shown.contains("2026-12-31 (last day, UTC)"),
        "{shown}"
    );
    assert!(shown.contains("not checked"), "{shown}");

    let pk = public.to_string();
    let (r, shown, _) = exec(&["inspect", code.trim(), "--trust", &pk]);
    r.unwrap();
    assert!(shown.contains("valid, signed by LHPK-"), "{shown}");

    // Pasted unquoted, lower case, split in words.
    let lower = code.trim().to_lowercase();
    let (first, second) = lower.split_at(100);
    assert!(exec(&["inspect", first, second, "--trust", &pk]).0.is_ok());

    let other = VendorKeyPair::generate().unwrap().public().to_string();
    let (r, shown, _) = exec(&["inspect", code.trim(), "--trust", &other]);
    assert!(shown.contains("NOT VALID (untrusted_vendor)"), "{shown}");
    assert!(format!("{:#}", r.unwrap_err()).contains("not trusted"));
}

#[test]
fn node_locked_codes_carry_the_machine() {
    let dir = tempfile::tempdir().unwrap();
    let (path, public) = keygen_in(&dir);
    let (r, code, _) = exec(&[
        "issue",
        "--key",
        &path,
        "--product",
        "p",
        "--seats",
        "1",
        "--node-locked",
        "--machine",
        "m-1",
        "--starts",
        "2026-02-01",
        "--lease-secs",
        "60",
    ]);
    r.unwrap();
    let v = license::parse(&code).unwrap().verify(&[public]).unwrap();
    assert_eq!(v.terms().node_lock.as_deref(), Some("m-1"));
    assert_eq!(v.terms().lease_secs, 60);
    let (_, shown, _) = exec(&["inspect", code.trim()]);
    assert!(
        shown.contains("not valid yet") && shown.contains("m-1"),
        "{shown}"
    );
}

#[test]
fn usage_errors_are_caught_by_the_parser() {
    let parse =
        |args: &[&str]| Cli::try_parse_from(std::iter::once("vendor").chain(args.iter().copied()));
    let base = ["issue", "--key", "k", "--product", "p", "--seats", "1"];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();
    assert!(parse(&base).is_ok());
    for bad in [
        with(&["--node-locked"]),
        with(&["--machine", "m"]),
        with(&["--expires", "2026-02-30"]),
        with(&["--starts", "tomorrow"]),
        vec!["issue", "--key", "k", "--product", "p", "--seats", "0"],
        vec!["inspect"],
        vec!["inspect", "2ABC", "--trust", "LHPK-nope"],
    ] {
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{bad:?}");
    }
}

#[test]
fn bad_inputs_fail_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.key");
    let (r, _, _) = exec(&["pubkey", "--key", missing.to_str().unwrap()]);
    assert!(format!("{:#}", r.unwrap_err()).contains("cannot read the key file"));

    let junk = dir.path().join("junk.key");
    std::fs::write(&junk, "hello").unwrap();
    let (r, _, _) = exec(&["pubkey", "--key", junk.to_str().unwrap()]);
    assert!(format!("{:#}", r.unwrap_err()).contains("not a usable vendor key file"));

    let (r, _, _) = exec(&["inspect", "hello"]);
    assert!(format!("{:#}", r.unwrap_err()).contains("not a license code"));

    let (path, _) = keygen_in(&dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (r, _, err) = exec(&["pubkey", "--key", &path]);
        r.unwrap();
        assert!(err.contains("readable by other users"), "{err}");
    }
    let (r, out, _) = exec(&["issue", "--key", &path, "--product", " ", "--seats", "1"]);
    assert!(out.is_empty());
    assert!(format!("{:#}", r.unwrap_err()).contains("product must not be empty"));
}

#[test]
fn seat_rules_are_issued_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (path, public) = keygen_in(&dir);
    let (r, code, _) = exec(&[
        "issue",
        "--key",
        &path,
        "--product",
        "cad",
        "--seats",
        "2",
        "--feature",
        "export",
        "--feature",
        "render:4",
        "--overdraft",
        "3",
        "--no-queue",
        "--named-users",
        "--reassign-after-hours",
        "48",
        "--max-borrow-hours",
        "72",
        "--linger-secs",
        "30",
    ]);
    r.unwrap();
    let verified = license::parse(&code).unwrap().verify(&[public]).unwrap();
    let rules = &verified.terms().seat_rules;
    assert_eq!(verified.terms().features, ["export", "render"]);
    assert_eq!(
        (
            rules.overdraft,
            rules.no_queue,
            rules.named_users,
            rules.reassign_after_hours,
            rules.max_borrow_hours,
            rules.linger_secs
        ),
        (3, true, true, 48, 72, 30)
    );
    assert_eq!(rules.feature_seats.len(), 1);
    assert_eq!(
        (
            rules.feature_seats[0].feature.as_str(),
            rules.feature_seats[0].seats
        ),
        ("render", 4)
    );
    let (r, shown, _) = exec(&["inspect", code.trim()]);
    r.unwrap();
    for want in [
        "export, render (4 seat(s))",
        "up to 3 seat(s) beyond the licence",
        "queue        not allowed",
        "a seat moves again after 48 hour(s)",
        "up to 72 hour(s)",
        "linger       30 s",
    ] {
        assert!(shown.contains(want), "{want} in {shown}");
    }
    // A plain code says so.
    let (r, plain, _) = exec(&["issue", "--key", &path, "--product", "cad", "--seats", "1"]);
    r.unwrap();
    let (_, shown, _) = exec(&["inspect", plain.trim()]);
    assert!(shown.contains("none (never beyond the seats)"), "{shown}");
    assert!(shown.contains("no (floating)"), "{shown}");
}
