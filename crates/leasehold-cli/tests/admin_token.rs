//! The data directory's admin-token cannot be revoked like a token for
//! scripts: `leasehold admin token --renew` replaces it, with the server
//! stopped, and the old one signs in as no one after. Played as the admin
//! whose token leaked, and as whoever holds the old one.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Server, leasehold, stderr, stdout};

fn renew(data: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = leasehold();
    cmd.args(["admin", "token", "--renew", "--data-dir"])
        .arg(data);
    cmd
}

#[test]
fn a_leaked_admin_token_is_renewed_with_the_server_stopped_and_the_old_one_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let token_file = data.join("admin-token");
    let server = Server::start(&data, &[]);
    let old = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_owned();

    // While the server runs it holds the directory: refused, nothing changed.
    let out = renew(&data).assert().code(1);
    assert!(
        stderr(&out).contains("in use by another Leasehold server"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&token_file).unwrap().trim(), old);
    server.admin().arg("status").assert().success();
    drop(server);

    let out = renew(&data).assert().success();
    let new = stdout(&out).trim().to_owned();
    assert_ne!(new, old);
    assert_eq!(new.len(), 64, "{new}");
    assert_eq!(std::fs::read_to_string(&token_file).unwrap().trim(), new);
    assert!(
        stderr(&out).contains("the old one signs in as no one"),
        "{}",
        stderr(&out)
    );

    // Started again, the database's copy is the new one: the old is refused.
    let server = Server::start(&data, &[]);
    assert_eq!(std::fs::read_to_string(&token_file).unwrap().trim(), new);
    let elsewhere = dir.path().join("elsewhere");
    let as_old = leasehold()
        .args(["admin", "status", "--server", &server.addr, "--token", &old])
        .arg("--data-dir")
        .arg(&elsewhere)
        .assert()
        .code(1);
    assert!(
        stderr(&as_old).contains("refused the admin token"),
        "{}",
        stderr(&as_old)
    );
    leasehold()
        .args(["admin", "status", "--server", &server.addr, "--token", &new])
        .arg("--data-dir")
        .arg(&elsewhere)
        .assert()
        .success();
    server.admin().arg("status").assert().success();
}

#[test]
fn a_directory_with_no_server_is_said_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = renew(dir.path()).assert().code(1);
    assert!(
        stderr(&out).contains("holds no Leasehold server's database"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("leasehold.db").exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing made"
    );
}
