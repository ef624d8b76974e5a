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

/// Played by a compromised service user who left a link where the new file
/// is written, hoping the admin's renew writes through it.
#[cfg(unix)]
#[test]
fn a_link_left_at_the_temporary_name_is_replaced_not_written_through() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    drop(Server::start(&data, &[]));
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, data.join("admin-token.tmp")).unwrap();
    let out = renew(&data).assert().success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let file = std::fs::read_to_string(data.join("admin-token")).unwrap();
    assert_eq!(file.trim(), stdout(&out).trim());
    assert!(!data.join("admin-token.tmp").exists());
}

/// Played by root renewing the service's directory, owned by the service's
/// user: refused before anything is touched, with the command as that user.
/// Only root can give a directory to another user, so only root plays it
/// (CI runs as root).
#[cfg(unix)]
#[test]
fn as_another_user_than_the_directory_owner_it_is_refused_untouched() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    drop(Server::start(&data, &[]));
    let before = std::fs::read_to_string(data.join("admin-token")).unwrap();
    if std::fs::metadata(&data).unwrap().uid() != 0 {
        eprintln!("not root: another user's directory cannot be made here");
        return;
    }
    std::os::unix::fs::chown(&data, Some(65534), Some(65534)).unwrap();
    let out = renew(&data).assert().code(1);
    assert!(
        stderr(&out).contains("belongs to the user") && stderr(&out).contains("sudo -u"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(data.join("admin-token")).unwrap(),
        before
    );
    assert!(!data.join("admin-token.tmp").exists());
}
