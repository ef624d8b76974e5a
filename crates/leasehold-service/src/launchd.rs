//! launchd (macOS): the LaunchDaemon plist made from a [`ServiceConfig`], the
//! steps that install / remove / start / stop it, and reading it back for
//! `status`. Compiled everywhere so its pure parts are tested on Linux too.

use super::plan::{self, Step};
use super::{Installed, ServiceConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const LABEL: &str = "org.leasehold.server";
pub const PLIST_PATH: &str = "/Library/LaunchDaemons/org.leasehold.server.plist";
pub const DEFAULT_DATA_DIR: &str = "/Library/Application Support/Leasehold";
/// macOS names daemon accounts with a leading underscore.
pub const DEFAULT_USER: &str = "_leasehold";
/// macOS's own group of administrators: they may read the admin token.
pub const ADMIN_GROUP: &str = "admin";
pub const LOG_DIR: &str = "/Library/Logs/Leasehold";

/// The LaunchDaemon plist: runs at boot as the service account, restarted
/// after a crash (`KeepAlive.SuccessfulExit = false`) but not after a clean
/// stop; launchd stops it with SIGTERM and waits `ExitTimeOut` seconds.
#[must_use]
pub fn plist(cfg: &ServiceConfig) -> String {
    let args: String = std::iter::once(cfg.binary.display().to_string())
        .chain(cfg.serve_args())
        .map(|a| format!("\t\t<string>{}</string>\n", xml_escape(&a)))
        .collect();
    let user = xml_escape(&cfg.user);
    let dir = xml_escape(&cfg.data_dir.display().to_string());
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by `leasehold service install`; `leasehold service uninstall` removes it. -->
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>{LABEL}</string>
	<key>ProgramArguments</key>
	<array>
{args}	</array>
	<key>UserName</key>
	<string>{user}</string>
	<key>GroupName</key>
	<string>{user}</string>
	<key>WorkingDirectory</key>
	<string>{dir}</string>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<dict>
		<key>SuccessfulExit</key>
		<false/>
	</dict>
	<key>ThrottleInterval</key>
	<integer>5</integer>
	<key>ExitTimeOut</key>
	<integer>30</integer>
	<key>Umask</key>
	<integer>23</integer>
	<key>StandardOutPath</key>
	<string>{LOG_DIR}/leasehold.log</string>
	<key>StandardErrorPath</key>
	<string>{LOG_DIR}/leasehold.log</string>
</dict>
</plist>
"#
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The data directory and listen address in a plist's `ProgramArguments`.
#[must_use]
pub fn parse_plist(text: &str) -> Option<(PathBuf, std::net::SocketAddr)> {
    let after = text.split_once("<key>ProgramArguments</key>")?.1;
    let array = after.split_once("<array>")?.1.split_once("</array>")?.0;
    let words: Vec<String> = array
        .split("<string>")
        .skip(1)
        .filter_map(|s| s.split_once("</string>").map(|(w, _)| xml_unescape(w)))
        .collect();
    super::systemd::serve_flags(&words, DEFAULT_DATA_DIR)
}

/// The installed plist, if any.
#[must_use]
pub fn installed() -> Option<Installed> {
    let text = std::fs::read_to_string(PLIST_PATH).ok()?;
    let (data_dir, listen) = parse_plist(&text)?;
    Some(Installed {
        definition: PathBuf::from(PLIST_PATH),
        data_dir,
        listen,
    })
}

/// `launchctl print system/LABEL`: `Some("running")` / `Some("loaded")` when
/// launchd has the job, `None` when it does not (or there is no launchctl).
#[must_use]
pub fn job_state() -> Option<String> {
    let out = std::process::Command::new("launchctl")
        .args(["print", &format!("system/{LABEL}")])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let state = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("state = "))
        .unwrap_or("loaded");
    Some(state.trim().to_owned())
}

/// Creates the hidden daemon account and its group with the first free id
/// from 300 (below 500, as macOS daemon accounts are). The name is `$1`.
const CREATE_ACCOUNT: &str = r#"set -e
used=$( { dscl . -list /Users UniqueID; dscl . -list /Groups PrimaryGroupID; } | awk '{print $2}')
id=300; while echo "$used" | grep -qx "$id"; do id=$((id+1)); done
dscl . -create "/Groups/$1" PrimaryGroupID "$id"
dscl . -create "/Groups/$1" RealName "Leasehold license server"
dscl . -create "/Users/$1" UniqueID "$id"
dscl . -create "/Users/$1" PrimaryGroupID "$id"
dscl . -create "/Users/$1" UserShell /usr/bin/false
dscl . -create "/Users/$1" NFSHomeDirectory /var/empty
dscl . -create "/Users/$1" RealName "Leasehold license server"
dscl . -create "/Users/$1" Password '*'
dscl . -create "/Users/$1" IsHidden 1"#;

/// Account, data and log directories, plist, load (which starts it), and
/// the `admin` group's read access to the token once the first start wrote it.
#[must_use]
pub fn install_plan(cfg: &ServiceConfig) -> Vec<Step> {
    let dir = cfg.data_dir.display().to_string();
    let user = cfg.user.as_str();
    let mut steps = Vec::new();
    if user != "root" {
        steps.push(plan::run_unless(
            format!("create the hidden system account `{user}` (dscl)"),
            &["dscl", ".", "-read", &format!("/Users/{user}")],
            &["/bin/sh", "-c", CREATE_ACCOUNT, "sh", user],
        ));
    }
    steps.extend([
        plan::run("create the data directory", &["install", "-d", "-o", user, "-g", user, "-m", "0751", &dir]),
        plan::run("create the log directory", &["install", "-d", "-o", user, "-g", user, "-m", "0755", LOG_DIR]),
        plan::run_may_fail("unload an earlier version of the service", &["launchctl", "bootout", &format!("system/{LABEL}")]),
        Step::Write { path: PathBuf::from(PLIST_PATH), contents: plist(cfg), mode: 0o644 },
        plan::run("load the service (it starts now and at every boot)", &["launchctl", "bootstrap", "system", PLIST_PATH]),
        Step::ShareToken {
            path: crate::DataDir::new(&cfg.data_dir).token_file(),
            group: ADMIN_GROUP.to_owned(),
            wait: Duration::from_secs(15),
        },
        Step::Note(format!(
            "administer it with `sudo leasehold admin status --data-dir '{dir}'`; the log: {LOG_DIR}/leasehold.log"
        )),
    ]);
    steps
}

/// Unload, remove the plist; the data only when `purge_data`. The account stays.
#[must_use]
pub fn uninstall_plan(data_dir: &Path, purge_data: bool) -> Vec<Step> {
    let mut steps = vec![
        plan::run_may_fail(
            "stop and unload the service",
            &["launchctl", "bootout", &format!("system/{LABEL}")],
        ),
        Step::Remove {
            path: PathBuf::from(PLIST_PATH),
        },
    ];
    steps.push(super::systemd::data_dir_step(data_dir, purge_data));
    steps.push(Step::Note(format!(
        "the account `{DEFAULT_USER}` stays; remove it with `dscl . -delete /Users/{DEFAULT_USER}; dscl . -delete /Groups/{DEFAULT_USER}`"
    )));
    steps
}

/// Start: load the plist (a no-op failure when loaded) and kick the job.
/// Stop: unload it (SIGTERM; no lease ends). It loads again at boot.
#[must_use]
pub fn start_stop_plan(start: bool) -> Vec<Step> {
    let target = format!("system/{LABEL}");
    if start {
        vec![
            plan::run_may_fail(
                "load the service",
                &["launchctl", "bootstrap", "system", PLIST_PATH],
            ),
            plan::run("start the service", &["launchctl", "kickstart", &target]),
        ]
    } else {
        vec![plan::run(
            "stop the service (no lease ends; they come back on the next start)",
            &["launchctl", "bootout", &target],
        )]
    }
}
