//! `leasehold admin …` against a real `leasehold serve` in a temp dir: the
//! README walk-through end to end, JSON output, tokens and errors.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use common::{Running, Seat, Server, Vendor, http, json, leasehold, leasehold_std, stderr, stdout};
use predicates::str::contains;

#[test]
fn readme_walkthrough_end_to_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let code = vendor.issue(
        "cad",
        1,
        &["--customer", "ACME", "--activation", "required"],
    );
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);

    let out = server.add_license(&code);
    assert!(stdout(&out).contains("added license"), "{}", stdout(&out));
    let id = leasehold_core::license::parse(&code)
        .unwrap()
        .terms()
        .license_id
        .to_string();

    // It counts once activated: the request goes to the vendor as a file,
    // the response comes back on stdin.
    let out = server.admin().args(["license", "list"]).assert().success();
    assert!(
        stdout(&out).contains("needs activation"),
        "{}",
        stdout(&out)
    );
    server
        .checkout_once("cad", "ws-ann", Some("ann"))
        .assert()
        .code(1)
        .stderr(contains("not activated on this server"));
    let request = dir.path().join("request.txt");
    server
        .admin()
        .args(["activation", "request", &id, "--out"])
        .arg(&request)
        .assert()
        .success();
    let out = leasehold()
        .args(["vendor", "activate", "--no-ledger", "--key"])
        .arg(&vendor.key_file)
        .arg(&request)
        .assert()
        .success();
    let out = server
        .admin()
        .args(["activation", "import", "-"])
        .write_stdin(stdout(&out))
        .assert()
        .success();
    assert!(
        stdout(&out).contains("is activated on this server"),
        "{}",
        stdout(&out)
    );

    let out = server.admin().args(["license", "list"]).assert().success();
    let list = stdout(&out);
    assert!(
        list.contains("cad") && list.contains("0 of 1 in use") && list.contains("ACME"),
        "license list:\n{list}"
    );

    // Two computers want the one seat: the first gets it, the second exits 3.
    let Seat {
        process: _first,
        lease_id,
        ..
    } = server.hold_seat(dir.path(), "cad", "ws-ann", Some("ann"));
    let out = server
        .checkout_once("cad", "ws-bob", Some("bob"))
        .assert()
        .code(3);
    assert!(
        stderr(&out).contains("no seat"),
        "the second is told no seat is free: {}",
        stderr(&out)
    );

    let out = server.admin().arg("computers").assert().success();
    let computers = stdout(&out);
    for expected in ["ws-ann", "ann", "cad", lease_id.as_str(), "in 9 min"] {
        assert!(
            computers.contains(expected),
            "computers shows {expected}:\n{computers}"
        );
    }
    assert!(
        !computers.contains("ws-bob"),
        "the refused computer holds nothing:\n{computers}"
    );
    server
        .admin()
        .args(["license", "list"])
        .assert()
        .success()
        .stdout(contains("1 of 1 in use"));

    let out = server
        .admin()
        .args(["disconnect", "--client", "ws-ann"])
        .assert()
        .success();
    assert!(
        stdout(&out).contains("ended 1 lease") && stdout(&out).contains(&lease_id),
        "{}",
        stdout(&out)
    );
    server
        .admin()
        .arg("computers")
        .assert()
        .success()
        .stdout(contains("no computer holds a seat"));

    let out = server.admin().arg("status").assert().success();
    let status = stdout(&out);
    for expected in [
        "0 of 1 in use",
        &vendor.public_key,
        "serve --trust",
        "recent events",
        "grant",
        "deny",
        "disconnect",
    ] {
        assert!(
            status.contains(expected),
            "status shows {expected}:\n{status}"
        );
    }
    let out = server.admin().arg("logs").assert().success();
    let logs = stdout(&out);
    for kind in [
        "server_start",
        "license_added",
        "grant",
        "deny",
        "disconnect",
    ] {
        assert!(logs.contains(kind), "logs show {kind}:\n{logs}");
    }
    let out = server
        .admin()
        .args(["logs", "--kind", "deny", "--last", "1h"])
        .assert()
        .success();
    let denials = stdout(&out);
    assert!(
        denials.lines().count() == 1 && denials.contains("deny"),
        "only the denial:\n{denials}"
    );

    // The seat is free again.
    server
        .checkout_once("cad", "ws-bob", Some("bob"))
        .assert()
        .success();
}

#[test]
fn computers_pages_through_more_seats_than_one_page_holds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 2000, &[]));
    // More than the 1,000 rows one page may hold.
    for i in 0..1005 {
        let body = format!(
            r#"{{"product":"cad","clientId":"ws-{i:04}","user":"u{}","host":"ws-{i:04}.lan","appName":"Designer","appVersion":"4.2"}}"#,
            i % 7
        );
        let (status, answer) = http(&server.addr, "POST", "/v1/checkout", &body);
        assert_eq!(status, 200, "{answer}");
    }
    let all = json(
        &server
            .admin()
            .args([
                "computers",
                "--json",
                "--limit",
                "1004",
                "--sort",
                "user",
                "--desc",
            ])
            .assert()
            .success(),
    );
    let rows = all["rows"].as_array().unwrap();
    let ids: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r["lease"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        (rows.len(), ids.len()),
        (1004, 1004),
        "two pages, no seat twice"
    );
    assert_eq!(
        (&all["matching"], &all["seats"]),
        (&serde_json::json!(1005), &serde_json::json!(1005))
    );
    assert_eq!(rows[0]["lease"]["holder"]["user"], "u6");
    assert_eq!(rows[1003]["lease"]["holder"]["user"], "u0");

    let out = server
        .admin()
        .args(["computers", "--limit", "2"])
        .assert()
        .success();
    let text = stdout(&out);
    assert!(
        text.contains("ws-0000.lan")
            && text.contains("ws-0001.lan")
            && !text.contains("ws-0002.lan"),
        "{text}"
    );
    assert!(text.contains("1005 seats held by 1005 computers"), "{text}");
    assert!(
        text.contains("showing the first 2 of 1005; narrow with --search or raise --limit"),
        "{text}"
    );
    let out = server
        .admin()
        .args(["computers", "--search", "WS-0042 u0"])
        .assert()
        .success();
    assert!(
        stdout(&out).contains("1 seat matching \"WS-0042 u0\""),
        "{}",
        stdout(&out)
    );
    let out = server
        .admin()
        .args(["computers", "--sort", "size"])
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("use one of host, user, product"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_address_left_by_a_killed_server_is_recognised_as_such() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut server = Server::start(&data, &[]);
    // kill -9: the server cannot remove its listen-address file.
    server.process.child.kill().expect("kill");
    server.process.child.wait().expect("wait");
    assert!(data.join("listen-address").exists());
    let out = leasehold()
        .args(["admin", "status", "--data-dir"])
        .arg(&data)
        .assert()
        .code(1);
    let err = stderr(&out);
    assert!(
        err.contains("no server running on this data directory")
            && err.contains(
                "listen-address is left from a server that was stopped without removing it"
            ),
        "{err}"
    );
    // Started again, it is found as before.
    let again = Server::start(&data, &[]);
    again.admin().arg("status").assert().success();
}

#[test]
fn json_output_parses_and_token_comes_from_the_data_dir() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);

    let added = json(
        &server
            .admin()
            .args(["license", "add", &vendor.issue("cad", 3, &[]), "--json"])
            .assert()
            .success(),
    );
    assert_eq!(added["product"], "cad");
    assert_eq!(added["seats"], 3);
    let list = json(
        &server
            .admin()
            .args(["--json", "license", "list"])
            .assert()
            .success(),
    );
    assert_eq!(list[0]["licenseId"], added["licenseId"]);
    let Seat {
        process: _client,
        lease_id,
        ..
    } = server.hold_seat(dir.path(), "cad", "ws-1", Some("ann"));
    let computers = json(
        &server
            .admin()
            .args(["computers", "--json"])
            .assert()
            .success(),
    );
    assert_eq!(computers["rows"][0]["lease"]["holder"]["clientId"], "ws-1");
    assert_eq!(computers["rows"][0]["lease"]["id"], lease_id.as_str());
    assert_eq!(
        (&computers["seats"], &computers["computers"]),
        (&serde_json::json!(1), &serde_json::json!(1))
    );
    let status = json(&server.admin().args(["status", "--json"]).assert().success());
    assert_eq!(status["products"][0]["product"], "cad");
    assert_eq!(status["products"][0]["inUse"], 1);
    assert_eq!(status["listen"], server.addr.as_str());
    let out = server.admin().args(["logs", "--json"]).assert().success();
    let events: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one event per line"))
        .collect();
    assert!(
        events.iter().any(|e| e["kind"] == "grant"),
        "a grant among {events:?}"
    );

    // `admin token` is the file's content, and works as --token for --server.
    let token = std::fs::read_to_string(server.data_dir.join("admin-token")).expect("token file");
    let out = server.admin().arg("token").assert().success();
    assert_eq!(stdout(&out).trim(), token.trim());
    let elsewhere = dir.path().join("empty");
    leasehold()
        .args(["admin", "status", "--json", "--server", &server.addr])
        .arg("--data-dir")
        .arg(&elsewhere)
        .env("LEASEHOLD_ADMIN_TOKEN", token.trim())
        .assert()
        .success();

    // Errors say what to do and exit 1.
    let out = server
        .admin()
        .args(["--token", "wrong", "status"])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("refused the admin token"),
        "{}",
        stderr(&out)
    );
    let out = leasehold()
        .args(["admin", "computers", "--server", &server.addr])
        .arg("--data-dir")
        .arg(&elsewhere)
        .assert()
        .code(1);
    assert!(stderr(&out).contains("no admin token"), "{}", stderr(&out));
    let out = leasehold()
        .args(["admin", "status"])
        .arg("--data-dir")
        .arg(&elsewhere)
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("no server running on this data directory"),
        "{}",
        stderr(&out)
    );
    let out = leasehold()
        .args(["admin", "token"])
        .arg("--data-dir")
        .arg(&elsewhere)
        .assert()
        .code(1);
    assert!(stderr(&out).contains("leasehold serve"), "{}", stderr(&out));
    let missing = "00000000-0000-0000-0000-000000000000";
    let out = server
        .admin()
        .args(["disconnect", missing])
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains(missing) && stderr(&out).contains("admin computers"),
        "{}",
        stderr(&out)
    );
    let out = server
        .admin()
        .args(["license", "remove", missing])
        .assert()
        .code(1);
    assert!(stderr(&out).contains("license list"), "{}", stderr(&out));

    // The token works with the server stopped, too.
    drop(server);
    leasehold()
        .args(["admin", "token", "--data-dir"])
        .arg(dir.path().join("data"))
        .assert()
        .success()
        .stdout(contains(token.trim()));
}

#[test]
fn codes_from_stdin_other_vendors_and_removal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ours = Vendor::new(dir.path());
    let theirs_dir = dir.path().join("theirs");
    std::fs::create_dir_all(&theirs_dir).expect("dir");
    let theirs = Vendor::new(&theirs_dir);
    let server = Server::start(&dir.path().join("data"), &[&ours.public_key]);

    // A code broken over lines, lower case, piped in.
    let code = ours.issue("cad", 2, &[]);
    let pasted = format!("\n{}\n", code.to_lowercase().replace('-', "-\n"));
    server
        .admin()
        .args(["license", "add", "-"])
        .write_stdin(pasted)
        .assert()
        .success();

    // A code of a vendor the server does not trust: refused, with the way out.
    let other = theirs.issue("cam", 4, &[]);
    let out = server
        .admin()
        .args(["license", "add", &other])
        .assert()
        .code(1);
    assert!(stderr(&out).contains("admin trust"), "{}", stderr(&out));
    let out = server
        .admin()
        .args(["trust", &theirs.public_key])
        .assert()
        .success();
    assert!(
        stdout(&out).contains(&theirs.public_key) && stdout(&out).contains("data directory"),
        "{}",
        stdout(&out)
    );
    server.add_license(&other);
    let out = server
        .admin()
        .args(["license", "add", &other])
        .assert()
        .code(1);
    assert!(stderr(&out).contains("already"), "{}", stderr(&out));
    let out = server.admin().args(["trust", "LHPK-NOPE"]).assert().code(1);
    assert!(stderr(&out).contains("vendor pubkey"), "{}", stderr(&out));

    let list = json(
        &server
            .admin()
            .args(["license", "list", "--json"])
            .assert()
            .success(),
    );
    let cam = list
        .as_array()
        .and_then(|l| l.iter().find(|l| l["product"] == "cam"))
        .expect("cam is listed")
        .clone();
    let id = cam["licenseId"].as_str().expect("id");
    let out = server
        .admin()
        .args(["license", "remove", id])
        .assert()
        .success();
    assert!(stdout(&out).contains("removed license"), "{}", stdout(&out));
    let out = server.admin().args(["license", "list"]).assert().success();
    assert!(
        !stdout(&out).contains("cam") && stdout(&out).contains("cad"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn logs_follow_prints_new_events_until_interrupted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 2, &[]));

    let mut cmd = leasehold_std();
    cmd.args([
        "admin",
        "logs",
        "--follow",
        "--json",
        "--kind",
        "grant",
        "--data-dir",
    ])
    .arg(&server.data_dir);
    let mut follower = Running::spawn(cmd, &dir.path().join("follow.log"));
    for id in ["ws-1", "ws-2"] {
        server.checkout_once("cad", id, None).assert().success();
        let line = follower.line_containing(id);
        let event: serde_json::Value = serde_json::from_str(&line).expect("an event as JSON");
        assert_eq!(event["kind"], "grant", "only grants: {line}");
    }
    std::process::Command::new("kill")
        .args(["-INT", &follower.pid().to_string()])
        .status()
        .expect("kill -INT");
    let status = follower.wait_exit();
    assert!(
        status.success(),
        "Ctrl-C ends `logs --follow` cleanly: {status:?}\n{}",
        follower.stderr()
    );
}

#[test]
fn a_backup_taken_while_running_restores_the_same_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vendor = Vendor::new(dir.path());
    let mut server = Server::start(&dir.path().join("data"), &[&vendor.public_key]);
    server.add_license(&vendor.issue("cad", 2, &[]));
    let Seat { lease_id, .. } = server.hold_seat(dir.path(), "cad", "ws-1", None);
    let file = dir.path().join("backup.db");
    let out = server.admin().arg("backup").arg(&file).assert().success();
    assert!(stdout(&out).contains("written to"), "{}", stdout(&out));
    let out = server.admin().arg("backup").arg(&file).assert().code(1);
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup holds the server's key: owner-only");
    }
    assert!(server.process.terminate().success());

    // Restore into a new data directory, as the README says.
    let restored = dir.path().join("restored");
    std::fs::create_dir(&restored).unwrap();
    std::fs::copy(&file, restored.join("leasehold.db")).unwrap();
    let again = Server::start(&restored, &[&vendor.public_key]);
    let licenses = json(
        &again
            .admin()
            .args(["license", "list", "--json"])
            .assert()
            .success(),
    );
    assert_eq!(licenses.as_array().map(Vec::len), Some(1), "{licenses}");
    let computers = json(
        &again
            .admin()
            .args(["computers", "--json"])
            .assert()
            .success(),
    );
    assert_eq!(
        computers["rows"][0]["lease"]["id"],
        lease_id.as_str(),
        "{computers}"
    );
}
