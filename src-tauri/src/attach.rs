//! The app as the console of the Leasehold service on this machine. When
//! the service runs (or an admin installed it), the app uses the service's
//! address and admin token instead of starting a second server, and Start /
//! Stop go to the service manager with privileges (`pkexec` on Linux).
//! Finding the service is `leasehold_service` — the code behind
//! `leasehold service status` — so the app and the command agree.

use crate::connection::ConnectionInfo;
use crate::embedded::EmbeddedServer;
use crate::error::DesktopError;
use leasehold_service::{DataDir, Installed, TokenError, plan::Step, status};
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

/// The service the app is attached to.
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

    #[must_use]
    pub fn token_file(&self) -> PathBuf {
        DataDir::new(&self.data_dir).token_file()
    }

    /// The admin token from the service's data directory.
    ///
    /// # Errors
    /// [`DesktopError::Service`] `service_token_unreadable` when this user may
    /// not read it (not in the admin group yet) or it is missing.
    pub fn token(&self) -> Result<String, DesktopError> {
        DataDir::new(&self.data_dir).admin_token().map_err(|e| match e {
            TokenError::NotAllowed { file } => service_error(
                "service_token_unreadable",
                format!(
                    "the Leasehold service runs on this computer, but you may not read its admin token ({}): ask an administrator to run `sudo usermod -aG {} $USER`, then log out and in again",
                    file.display(),
                    admin_group()
                ),
            ),
            other => service_error(
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

fn service_error(code: &'static str, message: String) -> DesktopError {
    DesktopError::Service { code, message }
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

/// How a command that needs root is run from this unprivileged app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elevation {
    /// The app runs as root already.
    Root,
    /// `pkexec` (polkit) asks for an administrator's password.
    Pkexec,
    /// Nothing available: the admin runs the command by hand.
    Unavailable,
}

impl Elevation {
    #[must_use]
    pub fn detect() -> Self {
        if leasehold_service::local::is_root() {
            Self::Root
        } else if cfg!(target_os = "linux") && on_path("pkexec") {
            Self::Pkexec
        } else {
            Self::Unavailable
        }
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// The command lines that start or stop the service: the CLI's own plan
/// (`systemctl start leasehold.service` …), run through `elevation`.
///
/// # Errors
/// `service_unsupported` without a service manager to drive (a server found
/// by its data directory, or Windows/macOS where the app does not elevate),
/// `service_not_permitted` when there is no way to get the privileges.
pub fn start_stop_commands(
    control: Control,
    start: bool,
    elevation: Elevation,
) -> Result<Vec<Vec<String>>, DesktopError> {
    let verb = if start { "start" } else { "stop" };
    let steps = match control {
        Control::Systemd => leasehold_service::systemd::start_stop_plan(start),
        Control::Launchd => leasehold_service::launchd::start_stop_plan(start),
        Control::Windows => {
            return Err(service_error(
                "service_unsupported",
                format!(
                    "{verb} the service from the Services console, or from an Administrator prompt: `leasehold service {verb}`"
                ),
            ));
        }
        Control::None => {
            return Err(service_error(
                "service_unsupported",
                format!(
                    "this server was found by its data directory ({SERVICE_DATA_DIR_ENV}); no service manager runs it, so the app cannot {verb} it"
                ),
            ));
        }
    };
    let argvs = steps.into_iter().filter_map(|s| match s {
        Step::Run { argv, .. } => Some(argv),
        _ => None,
    });
    argvs
        .map(|argv| elevated(argv, elevation, &format!("sudo leasehold service {verb}")))
        .collect()
}

/// `argv` as this app can run it with root privileges.
fn elevated(
    argv: Vec<String>,
    elevation: Elevation,
    by_hand: &str,
) -> Result<Vec<String>, DesktopError> {
    match elevation {
        Elevation::Root => Ok(argv),
        Elevation::Pkexec => Ok(std::iter::once("pkexec".to_owned()).chain(argv).collect()),
        Elevation::Unavailable => Err(service_error(
            "service_not_permitted",
            format!(
                "controlling the service needs an administrator, and this app cannot ask for one here (no pkexec): run `{by_hand}`"
            ),
        )),
    }
}

/// The `leasehold` command installed with the app: next to it (the .deb's
/// /usr/bin, the Windows install folder, the macOS app's Contents/MacOS).
///
/// # Errors
/// `service_cli_missing` when it is not there.
pub fn cli_binary() -> Result<PathBuf, DesktopError> {
    let name = if cfg!(windows) {
        "leasehold.exe"
    } else {
        "leasehold"
    };
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join(name)));
    beside.filter(|p| p.is_file()).ok_or_else(|| {
        service_error(
            "service_cli_missing",
            "the `leasehold` command is not installed next to this app; install the Leasehold package, then run `sudo leasehold service install`".to_owned(),
        )
    })
}

/// The command line that installs the service with `cli`.
///
/// # Errors
/// As [`start_stop_commands`] when it cannot be elevated.
pub fn install_command(cli: &Path, elevation: Elevation) -> Result<Vec<String>, DesktopError> {
    if cfg!(not(target_os = "linux")) {
        return Err(service_error(
            "service_not_permitted",
            if cfg!(windows) {
                "from an Administrator prompt, run `leasehold service install` (the installer offers it too)"
            } else {
                "in Terminal, run `sudo leasehold service install`"
            }
            .to_owned(),
        ));
    }
    let argv = vec![
        cli.display().to_string(),
        "service".to_owned(),
        "install".to_owned(),
    ];
    elevated(argv, elevation, "sudo leasehold service install")
}

/// Runs command lines one after the other, stopping at the first failure.
///
/// # Errors
/// `service_not_permitted` when pkexec was refused or dismissed (exit 126 /
/// 127), `service_control_failed` with the command's own words otherwise.
pub async fn run_all(commands: &[Vec<String>]) -> Result<(), DesktopError> {
    for argv in commands {
        let Some((program, args)) = argv.split_first() else {
            continue;
        };
        let shown = argv.join(" ");
        let out = tokio::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .map_err(|e| {
                service_error(
                    "service_control_failed",
                    format!("cannot run `{shown}`: {e}"),
                )
            })?;
        if out.status.success() {
            continue;
        }
        let said = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        let code = out.status.code();
        let pkexec = Path::new(program)
            .file_name()
            .is_some_and(|n| n == "pkexec");
        return Err(if pkexec && matches!(code, Some(126 | 127)) {
            service_error(
                "service_not_permitted",
                format!(
                    "not permitted: the administrator password was not given or was refused{}",
                    if said.is_empty() {
                        String::new()
                    } else {
                        format!(" ({said})")
                    }
                ),
            )
        } else {
            service_error(
                "service_control_failed",
                format!(
                    "`{shown}` failed{}",
                    if said.is_empty() {
                        String::new()
                    } else {
                        format!(": {said}")
                    }
                ),
            )
        });
    }
    Ok(())
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

/// The window's "Install as a service": installs it (asking for an
/// administrator's password) and makes the app its console.
#[tauri::command]
pub async fn service_install(app: tauri::AppHandle) -> Result<ConnectionInfo, DesktopError> {
    use tauri::Manager as _;
    let info = app.state::<EmbeddedServer>().install_service().await?;
    crate::tray::show_running(&app, info.running);
    crate::window::tell(&app, &info);
    Ok(info)
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

    #[test]
    fn start_and_stop_are_the_cli_plan_through_pkexec() {
        let start = start_stop_commands(Control::Systemd, true, Elevation::Pkexec).unwrap();
        assert_eq!(
            start,
            vec![vec!["pkexec", "systemctl", "start", "leasehold.service"]]
        );
        let stop = start_stop_commands(Control::Systemd, false, Elevation::Root).unwrap();
        assert_eq!(stop, vec![vec!["systemctl", "stop", "leasehold.service"]]);
    }

    #[test]
    fn without_a_way_to_elevate_the_error_says_what_to_run() {
        let err = start_stop_commands(Control::Systemd, true, Elevation::Unavailable).unwrap_err();
        assert_eq!(err.code(), "service_not_permitted");
        assert!(
            err.to_string().contains("sudo leasehold service start"),
            "{err}"
        );
        let err = start_stop_commands(Control::None, false, Elevation::Root).unwrap_err();
        assert_eq!(err.code(), "service_unsupported");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn install_runs_the_cli_next_to_the_app_through_pkexec() {
        let argv = install_command(Path::new("/usr/bin/leasehold"), Elevation::Pkexec).unwrap();
        assert_eq!(argv, ["pkexec", "/usr/bin/leasehold", "service", "install"]);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_refused_pkexec_is_not_permitted_and_a_failed_command_says_why() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let pkexec = dir.path().join("pkexec");
        std::fs::write(
            &pkexec,
            "#!/bin/sh\necho 'Request dismissed' >&2\nexit 126\n",
        )
        .unwrap();
        std::fs::set_permissions(&pkexec, std::fs::Permissions::from_mode(0o755)).unwrap();
        let argv = vec![
            pkexec.display().to_string(),
            "systemctl".into(),
            "start".into(),
            "leasehold.service".into(),
        ];
        let err = run_all(&[argv]).await.unwrap_err();
        assert_eq!(err.code(), "service_not_permitted");
        assert!(err.to_string().contains("Request dismissed"), "{err}");

        let err = run_all(&[vec![
            "sh".into(),
            "-c".into(),
            "echo no such unit >&2; exit 5".into(),
        ]])
        .await
        .unwrap_err();
        assert_eq!(err.code(), "service_control_failed");
        assert!(err.to_string().contains("no such unit"), "{err}");
    }
}
