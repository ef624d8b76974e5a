//! `leasehold service status`, and the detection the desktop app needs to
//! attach to a service on this machine: the installed definition (data
//! directory, listen address), the service manager's state, the data
//! directory's `listen-address` file, and `GET /healthz` + `/v1/hello`.

use super::{DataDir, Installed, Manager};
use anyhow::Result;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What `status` reports (and `--json` prints, camelCase).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceStatus {
    /// `systemd`, `launchd` or `windows`.
    pub manager: String,
    pub installed: bool,
    /// The unit / plist file, or the Windows service name.
    pub definition: Option<PathBuf>,
    /// Whether the service manager runs it; `None` when it cannot tell
    /// (no systemd on this machine).
    pub running: Option<bool>,
    /// The manager's own word (`active`, `failed`, `running`, …).
    pub state: Option<String>,
    /// What the service was told to listen on.
    pub listen: Option<SocketAddr>,
    /// Where a local tool reaches it (the `listen-address` file, else `listen`
    /// with loopback for an unspecified address).
    pub address: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    /// The admin token file (readable by root and the admin group).
    pub admin_token: Option<PathBuf>,
    /// `GET /healthz` answered `ok`.
    pub healthy: bool,
    /// The server's version, from `/v1/hello`.
    pub version: Option<String>,
    pub server_name: Option<String>,
    /// Sentences for the admin (why something is unknown, what to do).
    pub notes: Vec<String>,
}

/// What a live server on a data directory says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub address: SocketAddr,
    pub healthy: bool,
    pub version: Option<String>,
    pub server_name: Option<String>,
}

/// Asks the server on `data_dir` (at [`DataDir::local_address`]) whether it is healthy and who it is.
/// Never fails: an unreachable server is `healthy: false`.
pub async fn probe(data_dir: &Path, listen: SocketAddr) -> Probe {
    let address = DataDir::new(data_dir).local_address(listen);
    let mut probe = Probe {
        address,
        healthy: false,
        version: None,
        server_name: None,
    };
    let Ok(http) = leasehold_http::client().timeout(PROBE_TIMEOUT).build() else {
        return probe;
    };
    let base = format!("http://{address}");
    if let Ok(resp) = http.get(format!("{base}/healthz")).send().await {
        probe.healthy =
            resp.status().is_success() && resp.text().await.is_ok_and(|t| t.trim() == "ok");
    }
    if let Ok(resp) = http.get(format!("{base}/v1/hello")).send().await
        && let Ok(hello) = resp.json::<serde_json::Value>().await
    {
        let text = |k: &str| {
            hello
                .get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        probe.version = text("version");
        probe.server_name = text("serverName");
    }
    probe
}

/// The status of the service on this machine (unix).
pub async fn local(manager: Manager) -> ServiceStatus {
    match manager {
        Manager::Systemd => {
            let state = super::systemd::active_state();
            let running = state.as_deref().map(|s| s == "active");
            let mut notes = Vec::new();
            if !super::systemd::is_running() {
                notes.push(super::systemd::NOT_RUNNING.to_owned());
            }
            gather(
                "systemd",
                super::systemd::installed(),
                running,
                state,
                notes,
            )
            .await
        }
        Manager::Launchd => {
            let state = super::launchd::job_state();
            let running = Some(state.as_deref() == Some("running"));
            gather(
                "launchd",
                super::launchd::installed(),
                running,
                state,
                Vec::new(),
            )
            .await
        }
    }
}

/// Joins what the manager says with what the server says.
pub async fn gather(
    manager: &str,
    installed: Option<Installed>,
    running: Option<bool>,
    state: Option<String>,
    mut notes: Vec<String>,
) -> ServiceStatus {
    let mut status = ServiceStatus {
        manager: manager.to_owned(),
        running,
        state,
        ..ServiceStatus::default()
    };
    let Some(installed) = installed else {
        notes.push("the Leasehold service is not installed; install it with `sudo leasehold service install`".to_owned());
        status.notes = notes;
        return status;
    };
    let probe = probe(&installed.data_dir, installed.listen).await;
    status.installed = true;
    status.admin_token = Some(DataDir::new(&installed.data_dir).token_file());
    status.definition = Some(installed.definition);
    status.listen = Some(installed.listen);
    status.data_dir = Some(installed.data_dir);
    status.address = Some(probe.address);
    status.healthy = probe.healthy;
    status.version = probe.version;
    status.server_name = probe.server_name;
    if status.running == Some(true) && !status.healthy {
        notes.push(format!(
            "the service runs but does not answer on {}; see its log",
            probe.address
        ));
    }
    status.notes = notes;
    status
}

/// The text `status` prints.
#[must_use]
pub fn render(s: &ServiceStatus) -> String {
    let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "unknown".to_owned());
    let mut out = format!("Leasehold service ({})\n", s.manager);
    let installed = match &s.definition {
        Some(d) if s.installed => format!("yes ({})", d.display()),
        _ => "no".to_owned(),
    };
    let running = match (s.running, &s.state) {
        (Some(true), _) => "yes".to_owned(),
        (Some(false), Some(state)) => format!("no ({state})"),
        (Some(false), None) => "no".to_owned(),
        (None, _) => "unknown".to_owned(),
    };
    out.push_str(&format!(
        "  installed:  {installed}\n  running:    {running}\n"
    ));
    if s.installed {
        out.push_str(&format!(
            "  listen:     {}\n",
            or_unknown(s.listen.map(|a| a.to_string()))
        ));
        out.push_str(&format!(
            "  address:    {}\n",
            or_unknown(s.address.map(|a| a.to_string()))
        ));
        out.push_str(&format!(
            "  data dir:   {}\n",
            or_unknown(s.data_dir.as_ref().map(|d| d.display().to_string()))
        ));
        out.push_str(&format!(
            "  healthy:    {}\n",
            if s.healthy { "yes" } else { "no" }
        ));
        out.push_str(&format!(
            "  version:    {}\n",
            or_unknown(s.version.clone())
        ));
    }
    for note in &s.notes {
        out.push_str(&format!("{note}\n"));
    }
    out
}

/// Prints the status of the service on this machine.
///
/// # Errors
/// Only when JSON cannot be written.
pub async fn run(manager: Manager, json: bool) -> Result<()> {
    print_status(&local(manager).await, json)
}

/// Prints `status` as text or JSON.
///
/// # Errors
/// Only when JSON cannot be written.
pub fn print_status(status: &ServiceStatus, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(status)?);
    } else {
        print!("{}", render(status));
    }
    Ok(())
}
