//! Every subcommand answers `--help` with its usage, and usage errors exit 2.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{leasehold, stdout};

const COMMANDS: &[&[&str]] = &[
    &[],
    &["serve"],
    &["admin"],
    &["admin", "license"],
    &["admin", "license", "add"],
    &["admin", "license", "list"],
    &["admin", "license", "remove"],
    &["admin", "computers"],
    &["admin", "disconnect"],
    &["admin", "status"],
    &["admin", "logs"],
    &["admin", "token"],
    &["admin", "trust"],
    &["client"],
    &["client", "checkout"],
    &["client", "release"],
    &["client", "status"],
    &["vendor"],
    &["vendor", "keygen"],
    &["vendor", "pubkey"],
    &["vendor", "issue"],
    &["vendor", "inspect"],
];

#[test]
fn every_subcommand_has_help() {
    for words in COMMANDS {
        let out = leasehold().args(*words).arg("--help").assert().success();
        let text = stdout(&out);
        let usage = format!("Usage: leasehold {}", words.join(" "));
        assert!(
            text.contains(usage.trim_end()),
            "`leasehold {} --help` shows its usage:\n{text}",
            words.join(" ")
        );
    }
}

#[test]
fn admin_options_are_documented_on_each_admin_command() {
    let out = leasehold()
        .args(["admin", "computers", "--help"])
        .assert()
        .success();
    let text = stdout(&out);
    for option in [
        "--data-dir",
        "--server",
        "--token",
        "--json",
        "LEASEHOLD_ADMIN_TOKEN",
    ] {
        assert!(
            text.contains(option),
            "`admin computers --help` mentions {option}:\n{text}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    leasehold().args(["admin"]).assert().code(2);
    leasehold().args(["admin", "disconnect"]).assert().code(2);
    leasehold()
        .args(["admin", "license", "remove", "not-an-id"])
        .assert()
        .code(2);
    leasehold()
        .args(["admin", "logs", "--kind", "nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not an event kind"));
    leasehold()
        .args(["admin", "logs", "--last", "1y"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a time unit"));
    leasehold()
        .args(["admin", "logs", "--since", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("RFC 3339"));
    leasehold().args(["no-such-command"]).assert().code(2);
}
