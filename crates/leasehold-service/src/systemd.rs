//! systemd (Linux): the unit file made from a [`ServiceConfig`], the steps
//! that install / remove / start / stop it, and reading an installed unit
//! back for `status`.

use super::plan::{self, Step};
use super::{Installed, ServiceConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const UNIT_NAME: &str = "leasehold.service";
/// Where `leasehold service install` writes the unit (the admin's location;
/// it overrides a unit a package ships).
pub const UNIT_PATH: &str = "/etc/systemd/system/leasehold.service";
/// Where a package (the .deb) puts its unit.
pub const PACKAGE_UNIT_PATHS: [&str; 2] = [
    "/usr/lib/systemd/system/leasehold.service",
    "/lib/systemd/system/leasehold.service",
];
/// systemd's `StateDirectory=leasehold`.
pub const DEFAULT_DATA_DIR: &str = "/var/lib/leasehold";
pub const DEFAULT_USER: &str = "leasehold";
/// Members may read the service's admin token (the desktop app of an admin).
pub const ADMIN_GROUP: &str = "leasehold-admin";
pub const NOT_RUNNING: &str =
    "systemd is not running on this machine; run `leasehold serve` under your own supervisor";

/// The unit file. Hardened, but leaving what SQLite (its data directory) and
/// mDNS (UDP multicast, netlink for the interface list) need.
#[must_use]
pub fn unit(cfg: &ServiceConfig) -> String {
    let exec: Vec<String> = std::iter::once(cfg.binary.display().to_string())
        .chain(cfg.serve_args())
        // The server itself keeps the token readable by the admin group
        // (it runs with that group as a supplementary one).
        .chain(["--admin-group".to_owned(), ADMIN_GROUP.to_owned()])
        .map(|a| quote(&a))
        .collect();
    let storage = match state_directory(&cfg.data_dir) {
        Some(name) => format!("StateDirectory={name}\nStateDirectoryMode=0751"),
        None => format!(
            "ReadWritePaths={}",
            quote(&cfg.data_dir.display().to_string())
        ),
    };
    let caps = if (1..1024).contains(&cfg.listen.port()) {
        "AmbientCapabilities=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE"
    } else {
        "CapabilityBoundingSet="
    };
    format!(
        "# The Leasehold license server, made by `leasehold service install` (or shipped by the
# package). Change settings with `systemctl edit leasehold`, or reinstall with other flags.
[Unit]
Description=Leasehold floating-license server
Wants=network-online.target
After=network-online.target

[Service]
Type=exec
User={user}
SupplementaryGroups={ADMIN_GROUP}
ExecStart={exec}
{storage}
UMask=0027
# A crash restarts the server; a stop (SIGTERM) ends no lease: they come back on the next start.
Restart=on-failure
RestartSec=2
KillSignal=SIGTERM
TimeoutStopSec=30
# Room for many client connections; the server caps them below this (serve --max-connections).
LimitNOFILE=65536
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native
# HTTP on TCP, mDNS on UDP multicast; netlink lists the interfaces mDNS announces on.
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
{caps}

[Install]
WantedBy=multi-user.target
",
        user = cfg.user,
        exec = exec.join(" "),
    )
}

/// The unit the .deb ships (`packaging/systemd/leasehold.service`): the
/// binary in /usr/bin, every default.
#[must_use]
pub fn packaged_unit() -> String {
    unit(&ServiceConfig {
        binary: PathBuf::from("/usr/bin/leasehold"),
        data_dir: PathBuf::from(DEFAULT_DATA_DIR),
        listen: std::net::SocketAddr::from(([0, 0, 0, 0], leasehold_server::DEFAULT_PORT)),
        user: DEFAULT_USER.to_owned(),
        admin_user: None,
    })
}

/// `StateDirectory=` for a data directory under /var/lib, which systemd then
/// creates and hands to the service's user.
fn state_directory(data_dir: &Path) -> Option<String> {
    let rel = data_dir.strip_prefix("/var/lib").ok()?;
    let plain = rel
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    (plain && !rel.as_os_str().is_empty()).then(|| rel.display().to_string())
}

/// One word of an `ExecStart=` line: `%` and `$` doubled, quoted when it has
/// blanks or quotes.
fn quote(arg: &str) -> String {
    let escaped = arg
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    if arg.is_empty() || arg.chars().any(|c| c.is_whitespace() || "\"';".contains(c)) {
        format!("\"{escaped}\"")
    } else {
        escaped
    }
}

/// The words of an `ExecStart=` value, the inverse of [`quote`].
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(first) = chars.peek().copied() else {
            return out;
        };
        let quoted = first == '"';
        if quoted {
            chars.next();
        }
        let mut word = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted => break,
                c if c.is_whitespace() && !quoted => break,
                '\\' => word.extend(chars.next()),
                '%' | '$' if chars.peek() == Some(&c) => {
                    chars.next();
                    word.push(c);
                }
                c => word.push(c),
            }
        }
        out.push(word);
    }
}

/// The data directory and listen address of a unit's `ExecStart=`.
#[must_use]
pub fn parse_unit(text: &str) -> Option<(PathBuf, std::net::SocketAddr)> {
    let exec = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("ExecStart="))?;
    serve_flags(&words(exec), DEFAULT_DATA_DIR)
}

/// The data directory and listen address in the words of a `leasehold serve`
/// command line (`default_data_dir` and all interfaces on the default port
/// where a flag is absent); `None` for a listen address that does not parse.
/// Shared with launchd's plist.
pub(super) fn serve_flags(
    words: &[String],
    default_data_dir: &str,
) -> Option<(PathBuf, std::net::SocketAddr)> {
    let flag = |name: &str| {
        words
            .iter()
            .position(|w| w == name)
            .and_then(|i| words.get(i + 1))
    };
    let data_dir =
        flag("--data-dir").map_or_else(|| PathBuf::from(default_data_dir), PathBuf::from);
    let listen = match flag("--listen") {
        Some(l) => l.parse().ok()?,
        None => std::net::SocketAddr::from(([0, 0, 0, 0], leasehold_server::DEFAULT_PORT)),
    };
    Some((data_dir, listen))
}

/// The unit in effect, if one is installed: ours, else a package's.
#[must_use]
pub fn installed() -> Option<Installed> {
    std::iter::once(UNIT_PATH)
        .chain(PACKAGE_UNIT_PATHS)
        .find_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            let (data_dir, listen) = parse_unit(&text)?;
            Some(Installed {
                definition: PathBuf::from(p),
                data_dir,
                listen,
            })
        })
}

/// Whether systemd manages this machine (`sd_booted`: /run/systemd/system exists).
#[must_use]
pub fn is_running() -> bool {
    Path::new("/run/systemd/system").is_dir()
}

/// `systemctl is-active` (`active`, `inactive`, `failed`, `activating`, …);
/// `None` without systemd.
#[must_use]
pub fn active_state() -> Option<String> {
    if !is_running() {
        return None;
    }
    let out = std::process::Command::new("systemctl")
        .args(["is-active", UNIT_NAME])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned()).filter(|s| !s.is_empty())
}

/// Account, group, data directory, unit, start now and at boot, and the
/// admin group's read access to the token once the first start wrote it.
#[must_use]
pub fn install_plan(cfg: &ServiceConfig) -> Vec<Step> {
    let dir = cfg.data_dir.display().to_string();
    let user = cfg.user.as_str();
    let mut steps = vec![plan::run_unless(
        format!("create the admin group `{ADMIN_GROUP}`"),
        &["getent", "group", ADMIN_GROUP],
        &["groupadd", "--system", ADMIN_GROUP],
    )];
    if user != "root" {
        steps.push(plan::run_unless(
            format!("create the system user `{user}`"),
            &["id", "-u", user],
            &[
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                &dir,
                "--shell",
                "/usr/sbin/nologin",
                "--comment",
                "Leasehold license server",
                user,
            ],
        ));
    }
    if let Some(admin) = &cfg.admin_user {
        steps.push(plan::run(
            format!("let `{admin}` administer the service (takes effect at their next login)"),
            &["usermod", "--append", "--groups", ADMIN_GROUP, admin],
        ));
    }
    if state_directory(&cfg.data_dir).is_none() {
        steps.push(plan::run(
            "create the data directory",
            &["install", "-d", "-o", user, "-m", "0751", &dir],
        ));
    }
    steps.extend([
        Step::Write { path: PathBuf::from(UNIT_PATH), contents: unit(cfg), mode: 0o644 },
        plan::run("make systemd read the unit", &["systemctl", "daemon-reload"]),
        plan::run("start the service at every boot", &["systemctl", "enable", UNIT_NAME]),
        plan::run("start (or restart) the service now", &["systemctl", "restart", UNIT_NAME]),
        Step::ShareToken {
            path: crate::DataDir::new(&cfg.data_dir).token_file(),
            group: ADMIN_GROUP.to_owned(),
            wait: Duration::from_secs(15),
        },
        Step::Note(format!(
            "administer it with `sudo leasehold admin status --data-dir {dir}`; the log: `journalctl -u {UNIT_NAME}`"
        )),
    ]);
    steps
}

/// Stop, disable, remove the unit; the data only when `purge_data`. The
/// account and group stay (files may still belong to them).
#[must_use]
pub fn uninstall_plan(data_dir: &Path, purge_data: bool) -> Vec<Step> {
    let mut steps = vec![
        plan::run_may_fail(
            "stop the service and keep it from starting at boot",
            &["systemctl", "disable", "--now", UNIT_NAME],
        ),
        Step::Remove {
            path: PathBuf::from(UNIT_PATH),
        },
        plan::run(
            "make systemd forget the unit",
            &["systemctl", "daemon-reload"],
        ),
    ];
    steps.push(data_dir_step(data_dir, purge_data));
    steps.push(Step::Note(format!(
        "the user `{DEFAULT_USER}` and group `{ADMIN_GROUP}` stay; remove them with `userdel {DEFAULT_USER}; groupdel {ADMIN_GROUP}`; a unit shipped by the package stays (disabled) until the package is removed"
    )));
    steps
}

/// What uninstalling does with the data directory: removes it when
/// `purge_data`, else says where it was kept. Shared with launchd.
pub(super) fn data_dir_step(data_dir: &Path, purge_data: bool) -> Step {
    if purge_data {
        Step::RemoveDir {
            path: data_dir.to_path_buf(),
        }
    } else {
        Step::Note(format!(
            "license data kept in {}; `leasehold service uninstall --purge-data` deletes it",
            data_dir.display()
        ))
    }
}

/// `systemctl start` / `systemctl stop`.
#[must_use]
pub fn start_stop_plan(start: bool) -> Vec<Step> {
    if start {
        vec![plan::run(
            "start the service",
            &["systemctl", "start", UNIT_NAME],
        )]
    } else {
        vec![plan::run(
            "stop the service (no lease ends; they come back on the next start)",
            &["systemctl", "stop", UNIT_NAME],
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_and_words_round_trip() {
        for arg in [
            "/usr/bin/leasehold",
            "/srv/My Data",
            "100%",
            "$HOME",
            r#"a"b\c"#,
            "",
        ] {
            assert_eq!(words(&quote(arg)), vec![arg.to_owned()], "{arg}");
        }
        assert_eq!(quote("/srv/My Data"), "\"/srv/My Data\"");
        assert_eq!(quote("100%"), "100%%");
    }

    #[test]
    fn state_directory_only_for_plain_paths_under_var_lib() {
        assert_eq!(
            state_directory(Path::new("/var/lib/leasehold")).as_deref(),
            Some("leasehold")
        );
        assert_eq!(
            state_directory(Path::new("/var/lib/lh/site-a")).as_deref(),
            Some("lh/site-a")
        );
        assert_eq!(state_directory(Path::new("/var/lib")), None);
        assert_eq!(state_directory(Path::new("/srv/leasehold")), None);
        assert_eq!(state_directory(Path::new("/var/lib/../etc")), None);
    }
}
