//! Leasehold as a system service — systemd on Linux, launchd on macOS, the
//! Service Control Manager on Windows — under an unprivileged account with
//! its data in the system-wide location: `leasehold service …` (install,
//! uninstall, start, stop, status), and finding the service on this machine
//! for the desktop app. Unit and plist files come from pure functions of a
//! [`ServiceConfig`]; the changes to the machine are a [`plan::Step`] list
//! that `--dry-run` prints instead of doing. [`DataDir`] is how every
//! program beside a server reads its data directory.

pub mod data_dir;
pub mod launchd;
pub mod local;
pub mod plan;
pub mod status;
pub mod systemd;
#[cfg(windows)]
pub mod windows;

pub use data_dir::{DataDir, TokenError};

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use leasehold_server::DEFAULT_PORT;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ServiceCmd {
    /// Install the server as a system service (needs root / Administrator),
    /// start it now and at every boot.
    Install(InstallArgs),
    /// Stop the service and remove it; license data stays unless --purge-data.
    Uninstall(UninstallArgs),
    /// Start the installed service.
    Start(DryRun),
    /// Stop the service; leases stay valid and come back on the next start.
    Stop(DryRun),
    /// Installed or not, running or not, address, data directory, version.
    Status(StatusArgs),
    /// Entry point the Windows Service Control Manager starts (not for people).
    #[cfg(windows)]
    #[command(hide = true)]
    Run(windows::RunArgs),
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Where the service keeps licenses, leases and keys
    /// (default: /var/lib/leasehold, /Library/Application Support/Leasehold, %ProgramData%\Leasehold).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address and port the service listens on.
    #[arg(long, value_name = "ADDR:PORT", default_value_t = SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)))]
    pub listen: SocketAddr,
    /// The account the server runs as; created when missing
    /// (default: `leasehold`; `_leasehold` on macOS; LocalService on Windows).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Print what would be written and run, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Also delete the data directory: every license code, lease and key.
    #[arg(long)]
    pub purge_data: bool,
    /// Print what would be removed and run, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DryRun {
    /// Print what would be run, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Everything the service definition is made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceConfig {
    /// The `leasehold` binary the service runs (absolute).
    pub binary: PathBuf,
    /// The server's data directory (absolute).
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// The unprivileged account the server runs as.
    pub user: String,
    /// The person installing, added to the admin group so their desktop app
    /// can read the admin token (`$SUDO_USER`); `None` when unknown or root.
    pub admin_user: Option<String>,
}

impl ServiceConfig {
    /// The configuration `install` uses on `manager`: the flags, else the
    /// manager's defaults.
    ///
    /// # Errors
    /// When the data directory cannot be made absolute.
    pub fn from_args(
        args: &InstallArgs,
        manager: Manager,
        binary: PathBuf,
        admin_user: Option<String>,
    ) -> Result<Self> {
        let data_dir = match &args.data_dir {
            Some(dir) => std::path::absolute(dir)
                .map_err(|e| anyhow::anyhow!("cannot make {} absolute: {e}", dir.display()))?,
            None => manager.default_data_dir(),
        };
        let admin_user = admin_user.filter(|u| !u.is_empty() && u != "root");
        let user = args
            .user
            .clone()
            .unwrap_or_else(|| manager.default_user().to_owned());
        Ok(Self {
            binary,
            data_dir,
            listen: args.listen,
            user,
            admin_user,
        })
    }

    /// The arguments after the binary: `serve --data-dir … --listen …`.
    #[must_use]
    pub fn serve_args(&self) -> Vec<String> {
        vec![
            "serve".to_owned(),
            "--data-dir".to_owned(),
            self.data_dir.display().to_string(),
            "--listen".to_owned(),
            self.listen.to_string(),
        ]
    }
}

/// The service manager of a unix machine (Windows has its own module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    Systemd,
    Launchd,
}

impl Manager {
    /// This machine's manager.
    ///
    /// # Errors
    /// On a platform without one we support.
    pub fn current() -> Result<Self> {
        if cfg!(target_os = "linux") {
            Ok(Self::Systemd)
        } else if cfg!(target_os = "macos") {
            Ok(Self::Launchd)
        } else {
            bail!(
                "`leasehold service` supports systemd (Linux), launchd (macOS) and Windows; run `leasehold serve` under your own supervisor here"
            )
        }
    }

    #[must_use]
    pub fn default_data_dir(self) -> PathBuf {
        match self {
            Self::Systemd => PathBuf::from(systemd::DEFAULT_DATA_DIR),
            Self::Launchd => PathBuf::from(launchd::DEFAULT_DATA_DIR),
        }
    }

    /// The group whose members may read the service's admin token.
    #[must_use]
    pub fn admin_group(self) -> &'static str {
        match self {
            Self::Systemd => systemd::ADMIN_GROUP,
            Self::Launchd => launchd::ADMIN_GROUP,
        }
    }

    #[must_use]
    pub fn default_user(self) -> &'static str {
        match self {
            Self::Systemd => systemd::DEFAULT_USER,
            Self::Launchd => launchd::DEFAULT_USER,
        }
    }
}

/// Runs a `service` subcommand.
///
/// # Errors
/// When a step fails (its sentence says which and why), when the command
/// needs root and does not have it, or when the service manager is absent.
pub async fn run(cmd: ServiceCmd) -> Result<()> {
    #[cfg(windows)]
    {
        windows::run(cmd).await
    }
    #[cfg(not(windows))]
    {
        run_unix(cmd, Manager::current()?).await
    }
}

#[cfg(not(windows))]
async fn run_unix(cmd: ServiceCmd, manager: Manager) -> Result<()> {
    let installed = || match manager {
        Manager::Systemd => systemd::installed(),
        Manager::Launchd => launchd::installed(),
    };
    match cmd {
        ServiceCmd::Install(args) => {
            let binary = std::env::current_exe()
                .and_then(std::fs::canonicalize)
                .map_err(|e| {
                    anyhow::anyhow!("cannot find the path of this `leasehold` binary: {e}")
                })?;
            let cfg = ServiceConfig::from_args(&args, manager, binary, invoking_user())?;
            let mut steps = Vec::new();
            let problem = config_problem(&cfg);
            if let Some(p) = &problem {
                steps.push(plan::Step::Note(p.clone()));
            }
            steps.extend(match manager {
                Manager::Systemd => systemd::install_plan(&cfg),
                Manager::Launchd => launchd::install_plan(&cfg),
            });
            if !args.dry_run {
                // What the machine lacks comes first: it is true wherever the binary is.
                machine_ready(manager)?;
                if let Some(p) = problem {
                    bail!("{p}");
                }
            }
            apply(manager, &steps, args.dry_run)
        }
        ServiceCmd::Uninstall(args) => {
            let data_dir = installed().map_or_else(|| manager.default_data_dir(), |i| i.data_dir);
            let steps = match manager {
                Manager::Systemd => systemd::uninstall_plan(&data_dir, args.purge_data),
                Manager::Launchd => launchd::uninstall_plan(&data_dir, args.purge_data),
            };
            apply(manager, &steps, args.dry_run)
        }
        ServiceCmd::Start(args) => start_stop(manager, true, args.dry_run, installed().is_some()),
        ServiceCmd::Stop(args) => start_stop(manager, false, args.dry_run, installed().is_some()),
        ServiceCmd::Status(args) => status::run(manager, args.json).await,
    }
}

#[cfg(not(windows))]
fn start_stop(manager: Manager, start: bool, dry_run: bool, installed: bool) -> Result<()> {
    if !installed && !dry_run {
        bail!(
            "the Leasehold service is not installed; install it with `sudo leasehold service install`"
        );
    }
    let steps = match manager {
        Manager::Systemd => systemd::start_stop_plan(start),
        Manager::Launchd => launchd::start_stop_plan(start),
    };
    apply(manager, &steps, dry_run)
}

/// Prints the plan (dry run) or checks the machine can take it and runs it.
#[cfg(not(windows))]
fn apply(manager: Manager, steps: &[plan::Step], dry_run: bool) -> Result<()> {
    if dry_run {
        print!("{}", plan::render(steps));
        if manager == Manager::Systemd && !systemd::is_running() {
            println!("({})", systemd::NOT_RUNNING);
        }
        return Ok(());
    }
    machine_ready(manager)?;
    plan::execute(steps)
}

/// Whether this machine can take a change to its services now: the service
/// manager runs and we are root.
#[cfg(not(windows))]
fn machine_ready(manager: Manager) -> Result<()> {
    if manager == Manager::Systemd && !systemd::is_running() {
        bail!("{}", systemd::NOT_RUNNING);
    }
    if !local::is_root() {
        bail!(
            "this changes the system's services: run it as root (`sudo leasehold service …`), or add --dry-run to see the steps"
        );
    }
    Ok(())
}

/// Who asked for root to install: `$SUDO_USER`, else the name of
/// `$PKEXEC_UID` (the desktop app's "Install as a service" runs
/// `pkexec leasehold service install`).
#[cfg(not(windows))]
fn invoking_user() -> Option<String> {
    if let Ok(user) = std::env::var("SUDO_USER")
        && !user.is_empty()
    {
        return Some(user);
    }
    let uid = std::env::var("PKEXEC_UID").ok()?;
    let out = std::process::Command::new("id")
        .args(["-nu", uid.trim()])
        .output()
        .ok()?;
    let name = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !name.is_empty()).then_some(name)
}

/// Why the service could not use `cfg` (its binary or data directory in a
/// home or temporary directory, which the service account cannot reach and
/// systemd hides with `ProtectHome` / `PrivateTmp`), if so.
#[must_use]
pub fn config_problem(cfg: &ServiceConfig) -> Option<String> {
    let private = [
        "/home",
        "/root",
        "/tmp",
        "/Users",
        "/private/tmp",
        "/var/tmp",
    ];
    let hidden = |p: &Path| private.iter().any(|d| p.starts_with(d));
    if hidden(&cfg.binary) {
        return Some(format!(
            "the service cannot run {} (the service account cannot reach home or temporary directories); install Leasehold (the .deb, or copy the binary to /usr/local/bin) and run `leasehold service install` from there",
            cfg.binary.display()
        ));
    }
    hidden(&cfg.data_dir).then(|| {
        format!(
            "the service cannot keep its data in {} (a home or temporary directory); leave --data-dir out for the system location, or pick one such as /srv/leasehold",
            cfg.data_dir.display()
        )
    })
}

/// What an installed service definition says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installed {
    /// The unit / plist file (or the Windows service name).
    pub definition: PathBuf,
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_takes_flags_else_defaults_and_ignores_root_as_admin() {
        let args = InstallArgs {
            data_dir: None,
            listen: "0.0.0.0:7878".parse().unwrap(),
            user: None,
            dry_run: true,
        };
        let cfg = ServiceConfig::from_args(
            &args,
            Manager::Systemd,
            "/usr/bin/leasehold".into(),
            Some("root".into()),
        )
        .unwrap();
        assert_eq!(cfg.data_dir, PathBuf::from("/var/lib/leasehold"));
        assert_eq!(cfg.user, "leasehold");
        assert_eq!(cfg.admin_user, None);
        let cfg = ServiceConfig::from_args(
            &args,
            Manager::Launchd,
            "/usr/local/bin/leasehold".into(),
            Some("ann".into()),
        )
        .unwrap();
        assert_eq!(
            cfg.data_dir,
            PathBuf::from("/Library/Application Support/Leasehold")
        );
        assert_eq!(cfg.user, "_leasehold");
        assert_eq!(cfg.admin_user.as_deref(), Some("ann"));
        assert_eq!(
            cfg.serve_args()[..3],
            [
                "serve",
                "--data-dir",
                "/Library/Application Support/Leasehold"
            ]
        );
    }

    #[test]
    fn binaries_and_data_in_homes_are_refused() {
        let args = InstallArgs {
            data_dir: None,
            listen: "0.0.0.0:7878".parse().unwrap(),
            user: None,
            dry_run: true,
        };
        let mut cfg =
            ServiceConfig::from_args(&args, Manager::Systemd, "/usr/bin/leasehold".into(), None)
                .unwrap();
        assert_eq!(config_problem(&cfg), None);
        cfg.data_dir = "/home/ann/lh".into();
        assert!(
            config_problem(&cfg)
                .is_some_and(|p| p.contains("cannot keep its data in /home/ann/lh"))
        );
        cfg.binary = "/home/ann/leasehold".into();
        assert!(config_problem(&cfg).is_some_and(|p| p.contains("cannot run /home/ann/leasehold")));
    }
}
