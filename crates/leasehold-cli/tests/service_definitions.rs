//! The generated systemd unit and launchd plist: every line that matters,
//! `systemd-analyze verify` on the unit, and the unit the .deb ships.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold_service::plan::{Step, render};
use leasehold_service::{ServiceConfig, launchd, systemd};
use std::path::{Path, PathBuf};
use std::process::Command;

fn cfg(binary: &str, data_dir: &str, listen: &str) -> ServiceConfig {
    ServiceConfig {
        binary: PathBuf::from(binary),
        data_dir: PathBuf::from(data_dir),
        listen: listen.parse().unwrap(),
        user: "leasehold".into(),
        admin_user: Some("ann".into()),
    }
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn service_unit_has_every_line_that_matters() {
    let unit = systemd::unit(&cfg(
        "/usr/bin/leasehold",
        "/var/lib/leasehold",
        "0.0.0.0:7878",
    ));
    let lines = lines(&unit);
    for want in [
        "[Unit]",
        "Description=Leasehold floating-license server",
        "Wants=network-online.target",
        "After=network-online.target",
        "[Service]",
        "Type=exec",
        "User=leasehold",
        "SupplementaryGroups=leasehold-admin",
        "ExecStart=/usr/bin/leasehold serve --data-dir /var/lib/leasehold --listen 0.0.0.0:7878 --admin-group leasehold-admin",
        "StateDirectory=leasehold",
        "StateDirectoryMode=0751",
        "UMask=0027",
        "Restart=on-failure",
        "KillSignal=SIGTERM",
        "LimitNOFILE=65536",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK",
        "CapabilityBoundingSet=",
        "[Install]",
        "WantedBy=multi-user.target",
    ] {
        assert!(lines.contains(&want), "missing `{want}` in:\n{unit}");
    }
    assert!(
        !unit.contains("ReadWritePaths="),
        "StateDirectory covers /var/lib/leasehold:\n{unit}"
    );
    assert!(
        !unit.contains("AmbientCapabilities"),
        "port 7878 needs no capability:\n{unit}"
    );
    assert!(
        !unit.contains("DynamicUser"),
        "a fixed account keeps file ownership stable:\n{unit}"
    );
}

#[test]
fn service_unit_for_a_custom_directory_and_a_low_port() {
    let unit = systemd::unit(&cfg(
        "/opt/Lease Hold/leasehold",
        "/srv/lh data",
        "10.0.0.5:443",
    ));
    let lines = lines(&unit);
    assert!(
        lines.contains(&r#"ExecStart="/opt/Lease Hold/leasehold" serve --data-dir "/srv/lh data" --listen 10.0.0.5:443 --admin-group leasehold-admin"#),
        "{unit}"
    );
    assert!(
        lines.contains(&r#"ReadWritePaths="/srv/lh data""#),
        "{unit}"
    );
    assert!(!unit.contains("StateDirectory="), "{unit}");
    assert!(
        lines.contains(&"AmbientCapabilities=CAP_NET_BIND_SERVICE"),
        "{unit}"
    );
    assert!(
        lines.contains(&"CapabilityBoundingSet=CAP_NET_BIND_SERVICE"),
        "{unit}"
    );
    // And `status` reads it back.
    let (dir, listen) = systemd::parse_unit(&unit).unwrap();
    assert_eq!(dir, Path::new("/srv/lh data"));
    assert_eq!(listen.to_string(), "10.0.0.5:443");
}

#[test]
fn service_install_plan_creates_account_group_unit_and_starts() {
    let steps = systemd::install_plan(&cfg("/usr/bin/leasehold", "/srv/lh", "0.0.0.0:7878"));
    let text = render(&steps);
    for want in [
        "run `groupadd --system leasehold-admin` unless `getent group leasehold-admin` succeeds",
        "run `useradd --system --user-group --no-create-home --home-dir /srv/lh --shell /usr/sbin/nologin --comment 'Leasehold license server' leasehold` unless `id -u leasehold` succeeds",
        "run `usermod --append --groups leasehold-admin ann`",
        "run `install -d -o leasehold -m 0751 /srv/lh`",
        "write /etc/systemd/system/leasehold.service (mode 0644):",
        "run `systemctl daemon-reload`",
        "run `systemctl enable leasehold.service`",
        "run `systemctl restart leasehold.service`",
        "wait up to 15s for /srv/lh/admin-token, then make it readable by group `leasehold-admin`",
    ] {
        assert!(text.contains(want), "missing `{want}` in:\n{text}");
    }
    let unit_at = steps
        .iter()
        .position(|s| matches!(s, Step::Write { .. }))
        .unwrap();
    let start_at = steps
        .iter()
        .position(|s| matches!(s, Step::Run { argv, .. } if argv.contains(&"restart".to_owned())))
        .unwrap();
    assert!(
        unit_at < start_at,
        "the unit is written before it is started"
    );
}

#[test]
fn service_uninstall_plan_keeps_data_unless_purged() {
    let dir = Path::new("/var/lib/leasehold");
    let keep = render(&systemd::uninstall_plan(dir, false));
    assert!(
        keep.contains("run `systemctl disable --now leasehold.service` (a failure is fine)"),
        "{keep}"
    );
    assert!(
        keep.contains("remove /etc/systemd/system/leasehold.service"),
        "{keep}"
    );
    assert!(
        keep.contains("license data kept in /var/lib/leasehold"),
        "{keep}"
    );
    assert!(!keep.contains("remove the directory"), "{keep}");
    let purge = render(&systemd::uninstall_plan(dir, true));
    assert!(
        purge.contains("remove the directory /var/lib/leasehold and all it holds"),
        "{purge}"
    );
}

/// `systemd-analyze verify` on the generated unit, with ExecStart pointing at
/// a binary that exists. Skips (saying so) only when the tool is absent.
#[test]
fn service_unit_passes_systemd_analyze_verify() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "SKIPPED: systemd-analyze is not installed (Debian package `systemd`); the unit was not verified"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_leasehold");
    for (data_dir, listen) in [
        ("/var/lib/leasehold", "0.0.0.0:7878"),
        ("/srv/lh data", "[::]:443"),
    ] {
        let unit = systemd::unit(&cfg(binary, data_dir, listen));
        let path = tmp.path().join("leasehold.service");
        std::fs::write(&path, &unit).unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let complaints: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("leasehold.service") || l.contains("ignoring"))
            .collect();
        assert!(
            out.status.success() && complaints.is_empty(),
            "systemd-analyze verify: {stderr}\n{unit}"
        );
    }
}

/// The .deb ships `packaging/systemd/leasehold.service`; it must be what the
/// code generates. `UPDATE_PACKAGING=1 cargo test -p leasehold-cli service` rewrites it.
#[test]
fn service_unit_shipped_by_the_package_is_current() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/systemd/leasehold.service");
    let want = systemd::packaged_unit();
    if std::env::var_os("UPDATE_PACKAGING").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        have,
        want,
        "{} is stale; run `UPDATE_PACKAGING=1 cargo test -p leasehold-cli service`",
        path.display()
    );
}

#[test]
fn service_plist_has_every_key_that_matters() {
    let mut c = cfg(
        "/usr/local/bin/leasehold",
        "/Library/Application Support/Leasehold",
        "0.0.0.0:7878",
    );
    c.user = "_leasehold".into();
    let plist = launchd::plist(&c);
    for want in [
        "<key>Label</key>\n\t<string>org.leasehold.server</string>",
        "<key>ProgramArguments</key>\n\t<array>\n\t\t<string>/usr/local/bin/leasehold</string>\n\t\t<string>serve</string>\n\t\t<string>--data-dir</string>\n\t\t<string>/Library/Application Support/Leasehold</string>\n\t\t<string>--listen</string>\n\t\t<string>0.0.0.0:7878</string>\n\t</array>",
        "<key>UserName</key>\n\t<string>_leasehold</string>",
        "<key>GroupName</key>\n\t<string>_leasehold</string>",
        "<key>RunAtLoad</key>\n\t<true/>",
        "<key>KeepAlive</key>\n\t<dict>\n\t\t<key>SuccessfulExit</key>\n\t\t<false/>\n\t</dict>",
        "<key>ExitTimeOut</key>\n\t<integer>30</integer>",
        "<key>StandardErrorPath</key>\n\t<string>/Library/Logs/Leasehold/leasehold.log</string>",
    ] {
        assert!(plist.contains(want), "missing\n{want}\nin:\n{plist}");
    }
    let (dir, listen) = launchd::parse_plist(&plist).unwrap();
    assert_eq!(dir, Path::new("/Library/Application Support/Leasehold"));
    assert_eq!(listen.to_string(), "0.0.0.0:7878");
    // Escaped, and still read back.
    let odd = launchd::plist(&cfg("/opt/a&b/leasehold", "/srv/<lh>", "127.0.0.1:7000"));
    assert!(
        odd.contains("<string>/opt/a&amp;b/leasehold</string>"),
        "{odd}"
    );
    assert_eq!(
        launchd::parse_plist(&odd).unwrap().0,
        Path::new("/srv/<lh>")
    );
}

/// The plist is a property list Python's plistlib reads (where python3 is).
#[test]
fn service_plist_is_well_formed() {
    let plist = launchd::plist(&cfg(
        "/usr/local/bin/leasehold",
        "/Library/Application Support/Leasehold",
        "0.0.0.0:7878",
    ));
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("org.leasehold.server.plist");
    std::fs::write(&path, plist).unwrap();
    let check = "import plistlib,sys; d=plistlib.load(open(sys.argv[1],'rb')); assert d['KeepAlive']=={'SuccessfulExit':False}; print(d['Label'])";
    match Command::new("python3")
        .args(["-c", check])
        .arg(&path)
        .output()
    {
        Err(_) => eprintln!("SKIPPED: python3 is not installed; the plist was not parsed"),
        Ok(out) => assert!(
            out.status.success()
                && String::from_utf8_lossy(&out.stdout).trim() == "org.leasehold.server",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[test]
fn service_launchd_plans() {
    let mut c = cfg(
        "/usr/local/bin/leasehold",
        "/Library/Application Support/Leasehold",
        "0.0.0.0:7878",
    );
    c.user = "_leasehold".into();
    let text = render(&launchd::install_plan(&c));
    assert!(
        text.contains("unless `dscl . -read /Users/_leasehold` succeeds"),
        "{text}"
    );
    assert!(text.contains("run `install -d -o _leasehold -g _leasehold -m 0751 '/Library/Application Support/Leasehold'`"), "{text}");
    assert!(
        text.contains("write /Library/LaunchDaemons/org.leasehold.server.plist (mode 0644):"),
        "{text}"
    );
    assert!(
        text.contains(
            "run `launchctl bootstrap system /Library/LaunchDaemons/org.leasehold.server.plist`"
        ),
        "{text}"
    );
    assert!(text.contains("readable by group `admin`"), "{text}");
    let stop = render(&launchd::start_stop_plan(false));
    assert!(
        stop.contains("run `launchctl bootout system/org.leasehold.server`"),
        "{stop}"
    );
}
