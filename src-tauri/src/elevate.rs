//! Starting, stopping and installing the Leasehold service from this
//! unprivileged app: the service crate's own plans (what `leasehold service
//! start | stop | install` run), through `pkexec` on Linux; elsewhere the
//! error says what to run by hand.

use crate::error::DesktopError;
use crate::service::{Control, SERVICE_DATA_DIR_ENV};
use leasehold_service::plan::Step;
use std::path::{Path, PathBuf};

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
            return Err(DesktopError::service(
                "service_unsupported",
                format!(
                    "{verb} the service from the Services console, or from an Administrator prompt: `leasehold service {verb}`"
                ),
            ));
        }
        Control::None => {
            return Err(DesktopError::service(
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
        Elevation::Unavailable => Err(DesktopError::service(
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
        DesktopError::service(
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
        return Err(DesktopError::service(
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
                DesktopError::service(
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
            DesktopError::service(
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
            DesktopError::service(
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

#[cfg(test)]
mod tests {
    use super::*;

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
