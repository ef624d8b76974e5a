//! Finding the Leasehold service on this machine: when it runs (or an admin
//! installed it), the app is its console instead of starting a second
//! server. Finding it is `leasehold_service` — the code behind
//! `leasehold service status` — so the app and the command agree. Starting,
//! stopping and installing it with privileges is elevate.rs.

use crate::error::DesktopError;
use leasehold_service::{DataDir, Installed, TokenError, status};
use serde::Serialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A data directory whose server the app treats as "the service" (tests, or
/// a server run by hand under another supervisor). Start/Stop are refused then.
pub const SERVICE_DATA_DIR_ENV: &str = "LEASEHOLD_SERVICE_DATA_DIR";
/// `LEASEHOLD_ATTACH=0`: never attach; always embed a server.
pub const ATTACH_ENV: &str = "LEASEHOLD_ATTACH";

/// How long Start and Install wait for the service to answer.
const ANSWER_LIMIT: Duration = Duration::from_secs(15);

/// Where the app looks for a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finder {
    /// The installed service definition (systemd unit, launchd plist, SCM).
    Installed,
    /// A server on this data directory, with no service manager.
    DataDir(PathBuf),
    /// Never attach.
    Off,
}

impl Finder {
    /// `LEASEHOLD_ATTACH=0` → `Off`, `LEASEHOLD_SERVICE_DATA_DIR=DIR` →
    /// `DataDir`, else `Installed`.
    #[must_use]
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        if set(ATTACH_ENV).is_some_and(|v| v.trim() == "0" || v.eq_ignore_ascii_case("false")) {
            return Self::Off;
        }
        set(SERVICE_DATA_DIR_ENV).map_or(Self::Installed, |d| Self::DataDir(PathBuf::from(d)))
    }

    #[must_use]
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// Which service manager Start/Stop talk to (`manager` in `Attached`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Control {
    Systemd,
    Launchd,
    Windows,
    /// A server found by its data directory: nothing to start or stop it with.
    None,
}

/// A Leasehold service found on this machine: where it runs, what it
/// answers, and which manager starts and stops it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub data_dir: PathBuf,
    /// Where the app calls it (loopback for a service listening everywhere).
    pub address: SocketAddr,
    /// What it was told to listen on (what a firewall must allow).
    pub listen: SocketAddr,
    pub version: Option<String>,
    /// The service manager says it runs (or, without one, it answers).
    pub running: bool,
    /// It answered `/healthz`.
    pub healthy: bool,
    pub control: Control,
}

/// What the window is told about the service (`attached` in the connection info).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attached {
    pub data_dir: String,
    #[schema(required)]
    pub version: Option<String>,
    /// `none`: found by its data directory, nothing to start or stop it with.
    pub manager: Control,
}

impl Service {
    #[must_use]
    pub fn attached(&self) -> Attached {
        Attached {
            data_dir: self.data_dir.display().to_string(),
            version: self.version.clone(),
            manager: self.control,
        }
    }

    /// The admin token from the service's data directory.
    ///
    /// # Errors
    /// [`DesktopError::Service`] `service_token_unreadable` when this user may
    /// not read it (not in the admin group yet) or it is missing.
    pub fn token(&self) -> Result<String, DesktopError> {
        DataDir::new(&self.data_dir).admin_token().map_err(|e| match e {
            TokenError::NotAllowed { file } => DesktopError::service(
                "service_token_unreadable",
                format!(
                    "the Leasehold service runs on this computer, but you may not read its admin token ({}): ask an administrator to run `sudo usermod -aG {} $USER`, then log out and in again",
                    file.display(),
                    admin_group()
                ),
            ),
            other => DesktopError::service(
                "service_token_unreadable",
                format!("cannot read the service's admin token: {other}"),
            ),
        })
    }

    /// Asks the server again whether it answers, and its version.
    pub async fn refresh(&mut self) {
        let probe = status::probe(&self.data_dir, self.listen).await;
        self.address = probe.address;
        self.healthy = probe.healthy;
        if probe.version.is_some() {
            self.version = probe.version;
        }
        if self.control == Control::None {
            self.running = probe.healthy;
        }
    }
}

fn admin_group() -> &'static str {
    leasehold_service::Manager::current()
        .map_or(leasehold_service::systemd::ADMIN_GROUP, |m| m.admin_group())
}

/// The service to attach to, if any: one that runs, or one an admin
/// installed (then Start starts it). A unit that only the package put in
/// /usr/lib/systemd/system, not running, is not attached to: that is a
/// workstation, where the app runs its own server.
pub async fn find(finder: &Finder) -> Option<Service> {
    match finder {
        Finder::Off => None,
        Finder::DataDir(dir) => {
            let listen = SocketAddr::from(([127, 0, 0, 1], leasehold_server::DEFAULT_PORT));
            let probe = status::probe(dir, listen).await;
            probe.healthy.then(|| Service {
                data_dir: dir.clone(),
                address: probe.address,
                listen: probe.address,
                version: probe.version,
                running: true,
                healthy: true,
                control: Control::None,
            })
        }
        Finder::Installed => {
            let (installed, running, control) = installed_service().await?;
            let by_admin = !leasehold_service::systemd::PACKAGE_UNIT_PATHS
                .iter()
                .any(|p| installed.definition == Path::new(p));
            if !running && !by_admin {
                return None;
            }
            let mut service = Service {
                address: DataDir::new(&installed.data_dir).local_address(installed.listen),
                data_dir: installed.data_dir,
                listen: installed.listen,
                version: None,
                running,
                healthy: false,
                control,
            };
            // Only a running service is asked: a stopped one's port may be
            // the one this app bound a moment ago.
            if running {
                service.refresh().await;
            }
            Some(service)
        }
    }
}

/// The installed definition, whether its manager runs it, and the manager.
#[cfg(unix)]
async fn installed_service() -> Option<(Installed, bool, Control)> {
    use leasehold_service::{Manager, launchd, systemd};
    match Manager::current().ok()? {
        Manager::Systemd => {
            let installed = systemd::installed()?;
            let running = systemd::active_state().as_deref() == Some("active");
            Some((installed, running, Control::Systemd))
        }
        Manager::Launchd => {
            let installed = launchd::installed()?;
            let running = launchd::job_state().as_deref() == Some("running");
            Some((installed, running, Control::Launchd))
        }
    }
}

#[cfg(windows)]
async fn installed_service() -> Option<(Installed, bool, Control)> {
    let installed = leasehold_service::windows::installed()?;
    let running = leasehold_service::windows::local()
        .await
        .running
        .unwrap_or(false);
    Some((installed, running, Control::Windows))
}

#[cfg(not(any(unix, windows)))]
async fn installed_service() -> Option<(Installed, bool, Control)> {
    None
}

/// Whether this machine has a service manager the CLI installs into (so the
/// UI may offer "Install as a service").
#[must_use]
pub fn can_install_service() -> bool {
    if cfg!(target_os = "linux") {
        leasehold_service::systemd::is_running()
    } else {
        cfg!(any(target_os = "macos", windows))
    }
}

/// Waits (up to 15 s) until `service` answers or stops answering.
pub async fn wait_until(service: &mut Service, answering: bool) -> bool {
    let deadline = tokio::time::Instant::now() + ANSWER_LIMIT;
    loop {
        service.refresh().await;
        if service.healthy == answering {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Finds the service an install just made, waiting until it answers.
pub async fn find_after_install() -> Option<Service> {
    let deadline = tokio::time::Instant::now() + ANSWER_LIMIT;
    loop {
        if let Some(service) = find(&Finder::Installed).await
            && service.healthy
        {
            return Some(service);
        }
        if tokio::time::Instant::now() >= deadline {
            return find(&Finder::Installed).await;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finder_reads_the_environment() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(Finder::from_vars(vars(&[])), Finder::Installed);
        assert_eq!(
            Finder::from_vars(vars(&[(SERVICE_DATA_DIR_ENV, "/srv/lh")])),
            Finder::DataDir("/srv/lh".into())
        );
        assert_eq!(
            Finder::from_vars(vars(&[
                (SERVICE_DATA_DIR_ENV, "/srv/lh"),
                (ATTACH_ENV, "0")
            ])),
            Finder::Off
        );
        assert_eq!(
            Finder::from_vars(vars(&[(SERVICE_DATA_DIR_ENV, " ")])),
            Finder::Installed
        );
    }
}
