//! Windows: the service registered with the Service Control Manager (the
//! `windows-service` crate), running `leasehold service run` as the built-in
//! unprivileged `NT AUTHORITY\LocalService` account, data in
//! `%ProgramData%\Leasehold`. A Stop from the SCM shuts the server down
//! cleanly (no lease ends). Compiled only on Windows: it is not built or
//! tested on the Linux machines this project is developed on.

use super::plan::{self, Step};
use super::status::{self, ServiceStatus};
use super::{InstallArgs, Installed, ServiceCmd, UninstallArgs};
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use leasehold_server::{Config, Server};
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use windows_service::service::{
    ServiceAccess, ServiceAction, ServiceActionType, ServiceControl, ServiceControlAccept,
    ServiceErrorControl, ServiceExitCode, ServiceFailureActions, ServiceFailureResetPeriod,
    ServiceInfo, ServiceStartType, ServiceState, ServiceStatus as ScmStatus, ServiceType,
};
use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};
use windows_service::{define_windows_service, service_dispatcher};

pub const SERVICE_NAME: &str = "Leasehold";
const DISPLAY_NAME: &str = "Leasehold floating-license server";
const ACCOUNT: &str = r"NT AUTHORITY\LocalService";

/// `leasehold service run`: what the SCM starts.
#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
}

/// `%ProgramData%\Leasehold`.
#[must_use]
pub fn default_data_dir() -> PathBuf {
    let base = std::env::var_os("ProgramData")
        .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
    base.join("Leasehold")
}

/// Runs a `service` subcommand on Windows.
///
/// # Errors
/// When the SCM refuses (not an Administrator, service missing, …).
pub async fn run(cmd: ServiceCmd) -> Result<()> {
    match cmd {
        ServiceCmd::Install(args) => install(&args),
        ServiceCmd::Uninstall(args) => uninstall(&args),
        ServiceCmd::Start(a) => control(true, a.dry_run),
        ServiceCmd::Stop(a) => control(false, a.dry_run),
        ServiceCmd::Status(a) => status::print_status(&local().await, a.json),
        ServiceCmd::Run(args) => run_under_scm(args),
    }
}

fn install(args: &InstallArgs) -> Result<()> {
    let data_dir = match &args.data_dir {
        Some(d) => std::path::absolute(d).context("cannot make the data directory absolute")?,
        None => default_data_dir(),
    };
    let dir = data_dir.display().to_string();
    let account = args.user.clone().unwrap_or_else(|| ACCOUNT.to_owned());
    let binary = std::env::current_exe().context("cannot find the path of this leasehold.exe")?;
    let launch = vec![
        "service".to_owned(),
        "run".to_owned(),
        "--data-dir".to_owned(),
        dir.clone(),
        "--listen".to_owned(),
        args.listen.to_string(),
    ];
    let port = args.listen.port().to_string();
    // Only the service account and Administrators may read the data directory (the admin token is in it).
    let steps = vec![
        plan::run(
            "give the data directory to the service account and Administrators",
            &[
                "icacls",
                &dir,
                "/inheritance:r",
                "/grant:r",
                "*S-1-5-18:(OI)(CI)F",
                "*S-1-5-32-544:(OI)(CI)F",
                &format!("{account}:(OI)(CI)M"),
            ],
        ),
        firewall_rule("clients", "TCP", &port),
        firewall_rule("discovery (mDNS)", "UDP", "5353"),
    ];
    if args.dry_run {
        println!("create the directory {dir}");
        print!("{}", plan::render(&steps));
        println!(
            "register the service `{SERVICE_NAME}` (automatic start, account {account}, restart on failure): {} {}",
            binary.display(),
            plan::shell_words(&launch)
        );
        println!("start the service");
        return Ok(());
    }
    std::fs::create_dir_all(&data_dir).with_context(|| format!("cannot create {dir}"))?;
    plan::execute(&steps)?;
    let manager = ServiceManager::local_computer(
        None::<&str>,
        ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE,
    )
    .map_err(|e| anyhow!("cannot reach the Service Control Manager (run as Administrator): {e}"))?;
    let info = ServiceInfo {
        name: OsString::from(SERVICE_NAME),
        display_name: OsString::from(DISPLAY_NAME),
        service_type: ServiceType::OWN_PROCESS,
        start_type: ServiceStartType::AutoStart,
        error_control: ServiceErrorControl::Normal,
        executable_path: binary,
        launch_arguments: launch.into_iter().map(OsString::from).collect(),
        dependencies: vec![],
        account_name: Some(OsString::from(&account)),
        account_password: None,
    };
    let access = ServiceAccess::CHANGE_CONFIG | ServiceAccess::START | ServiceAccess::QUERY_STATUS;
    let service = manager
        .create_service(&info, access)
        .map_err(|e| anyhow!("cannot register the service: {e}"))?;
    service.set_description("Lends floating-license seats to applications on the network.")?;
    let restart = |secs| ServiceAction {
        action_type: ServiceActionType::Restart,
        delay: Duration::from_secs(secs),
    };
    service.update_failure_actions(ServiceFailureActions {
        reset_period: ServiceFailureResetPeriod::After(Duration::from_secs(86_400)),
        reboot_msg: None,
        command: None,
        actions: Some(vec![restart(2), restart(10), restart(60)]),
    })?;
    service
        .start::<&str>(&[])
        .map_err(|e| anyhow!("registered, but the service did not start: {e}"))?;
    eprintln!("installed and started the service `{SERVICE_NAME}`; data in {dir}");
    Ok(())
}

/// `netsh` adding an inbound allow rule named `Leasehold (PROTO PORT)`.
fn firewall_rule(what: &str, proto: &str, port: &str) -> Step {
    let name = format!("name=Leasehold ({proto} {port})");
    let mut argv: Vec<&str> = "netsh advfirewall firewall add rule dir=in action=allow"
        .split(' ')
        .collect();
    let (proto, port) = (format!("protocol={proto}"), format!("localport={port}"));
    argv.extend([name.as_str(), proto.as_str(), port.as_str()]);
    plan::run_may_fail(format!("open the firewall for {what}"), &argv)
}

fn uninstall(args: &UninstallArgs) -> Result<()> {
    let (data_dir, port) = installed().map_or_else(
        || (default_data_dir(), leasehold_server::DEFAULT_PORT),
        |i| (i.data_dir, i.listen.port()),
    );
    if args.dry_run {
        println!("stop and delete the service `{SERVICE_NAME}`; remove the firewall rules");
        if args.purge_data {
            println!(
                "remove the directory {} and all it holds",
                data_dir.display()
            );
        }
        return Ok(());
    }
    let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)?;
    let service = manager
        .open_service(
            SERVICE_NAME,
            ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE,
        )
        .map_err(|e| {
            anyhow!("the service is not installed or not reachable (run as Administrator): {e}")
        })?;
    if service.query_status()?.current_state != ServiceState::Stopped {
        let _ = service.stop();
    }
    service.delete()?;
    let mut steps = Vec::new();
    for rule in [format!("TCP {port}"), "UDP 5353".to_owned()] {
        let name = format!("name=Leasehold ({rule})");
        steps.push(plan::run_may_fail(
            format!("remove the firewall rule for {rule}"),
            &["netsh", "advfirewall", "firewall", "delete", "rule", &name],
        ));
    }
    if args.purge_data {
        steps.push(Step::RemoveDir { path: data_dir });
    }
    plan::execute(&steps)
}

fn control(start: bool, dry_run: bool) -> Result<()> {
    if dry_run {
        println!(
            "{} the service `{SERVICE_NAME}`",
            if start { "start" } else { "stop" }
        );
        return Ok(());
    }
    let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)?;
    let service = manager
        .open_service(SERVICE_NAME, ServiceAccess::START | ServiceAccess::STOP)
        .map_err(|e| {
            anyhow!("the service is not installed or not reachable (run as Administrator): {e}")
        })?;
    if start {
        service.start::<&str>(&[])?;
    } else {
        service.stop()?;
    }
    Ok(())
}

/// The registered service's data directory and address, from its command line.
#[must_use]
pub fn installed() -> Option<Installed> {
    let manager =
        ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT).ok()?;
    let service = manager
        .open_service(SERVICE_NAME, ServiceAccess::QUERY_CONFIG)
        .ok()?;
    let line = service
        .query_config()
        .ok()?
        .executable_path
        .display()
        .to_string();
    let words = command_line_words(&line);
    let flag = |name: &str| {
        words
            .iter()
            .position(|w| w == name)
            .and_then(|i| words.get(i + 1))
    };
    Some(Installed {
        definition: PathBuf::from(SERVICE_NAME),
        data_dir: flag("--data-dir").map_or_else(default_data_dir, PathBuf::from),
        listen: flag("--listen").and_then(|l| l.parse().ok())?,
    })
}

/// Splits a Windows command line on blanks outside double quotes.
fn command_line_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The service's status on this machine.
pub async fn local() -> ServiceStatus {
    let state = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
        .ok()
        .and_then(|m| {
            m.open_service(SERVICE_NAME, ServiceAccess::QUERY_STATUS)
                .ok()
        })
        .and_then(|s| s.query_status().ok())
        .map(|s| s.current_state);
    let running = Some(state == Some(ServiceState::Running));
    status::gather(
        "windows",
        installed(),
        running,
        state.map(|s| format!("{s:?}")),
        Vec::new(),
    )
    .await
}

/// The arguments `service run` was started with, for `service_main`.
static RUN_ARGS: OnceLock<RunArgs> = OnceLock::new();

define_windows_service!(ffi_service_main, service_main);

/// Hands the process to the SCM dispatcher; returns when the service stopped.
fn run_under_scm(args: RunArgs) -> Result<()> {
    let _ = RUN_ARGS.set(args);
    service_dispatcher::start(SERVICE_NAME, ffi_service_main)
        .map_err(|e| anyhow!("`service run` is what the Windows service manager starts; use `leasehold serve` by hand ({e})"))
}

fn service_main(_arguments: Vec<OsString>) {
    if let Err(e) = serve_until_stopped() {
        tracing::error!("the Leasehold service stopped with an error: {e:#}");
    }
}

/// Registers for Stop, starts the server, reports Running, waits for Stop,
/// shuts the server down (no lease ends), reports Stopped.
fn serve_until_stopped() -> Result<()> {
    let args = RUN_ARGS
        .get()
        .cloned()
        .ok_or_else(|| anyhow!("service started without its arguments"))?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let handler = move |control| match control {
        ServiceControl::Stop | ServiceControl::Shutdown => {
            let _ = stop_tx.send(true);
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
        _ => ServiceControlHandlerResult::NotImplemented,
    };
    let handle = service_control_handler::register(SERVICE_NAME, handler)?;
    let report = |state, accept, code| {
        let _ = handle.set_service_status(ScmStatus {
            service_type: ServiceType::OWN_PROCESS,
            current_state: state,
            controls_accepted: accept,
            exit_code: ServiceExitCode::Win32(code),
            checkpoint: 0,
            wait_hint: Duration::from_secs(30),
            process_id: None,
        });
    };
    report(ServiceState::StartPending, ServiceControlAccept::empty(), 0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(async move {
        let mut config = Config::new(&args.data_dir);
        config.listen = args.listen;
        let server = Server::start(config)
            .await
            .context("the server could not start")?;
        report(
            ServiceState::Running,
            ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN,
            0,
        );
        let mut stop_rx = stop_rx;
        let _ = stop_rx.wait_for(|stop| *stop).await;
        report(ServiceState::StopPending, ServiceControlAccept::empty(), 0);
        server.shutdown().await;
        Ok::<(), anyhow::Error>(())
    });
    report(
        ServiceState::Stopped,
        ServiceControlAccept::empty(),
        u32::from(outcome.is_err()),
    );
    if let Err(e) = &outcome {
        bail!("{e:#}");
    }
    Ok(())
}
