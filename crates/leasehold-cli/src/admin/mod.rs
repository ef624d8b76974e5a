//! `leasehold admin …`: manage a running lease server through its admin API —
//! license codes, computers holding seats, status, the event log, trusted
//! vendor keys. A local server is found through its data directory; a remote
//! one with `--server HOST:PORT --token T`.

/// Writes a line to stdout; see [`write_out`].
macro_rules! outln {
    () => { $crate::admin::write_out(format_args!("\n"))? };
    ($($arg:tt)*) => { $crate::admin::write_out(format_args!("{}\n", format_args!($($arg)*)))? };
}

/// Writes to stdout; see [`write_out`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::admin::write_out(format_args!($($arg)*))? };
}

mod accounts;
mod activation;
mod alerts;
mod api;
mod computers;
mod format;
mod licenses;
mod logs;
mod policy;
mod settings;
mod status;
mod usage;
mod usage_history;
mod users;

use anyhow::{Context, Result};
use clap::{ArgGroup, Args, Subcommand};
use leasehold_core::{LeaseId, LicenseId};
use serde::Serialize;
use std::path::PathBuf;

pub use api::AdminApi;

/// `leasehold admin`: which server, how to print, and what to do.
#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(flatten)]
    pub target: Target,
    #[command(subcommand)]
    pub command: AdminCmd,
}

/// Which server to manage and how to print; accepted after any subcommand.
#[derive(Debug, Clone, Args)]
pub struct Target {
    /// The data directory of a server on this machine, to find its address
    /// and admin token. Default: $LEASEHOLD_DATA_DIR, else the platform's data directory.
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// A server's address, for a server elsewhere (needs --token) or one whose
    /// data directory you cannot read.
    #[arg(long, value_name = "HOST:PORT", global = true)]
    pub server: Option<String>,
    /// The admin token (`leasehold admin token` prints it on the server's machine).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "LEASEHOLD_ADMIN_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub token: Option<String>,
    /// With `--server https://HOST:PORT`: trust the server's certificate
    /// only if its SHA-256 fingerprint is this (`leasehold admin status` on
    /// the server shows it); needed for a certificate the server made.
    #[arg(
        long,
        value_name = "SHA256",
        env = "LEASEHOLD_TLS_FINGERPRINT",
        global = true
    )]
    pub tls_fingerprint: Option<String>,
    /// Print the API's JSON instead of tables, for scripts.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    /// Add, list and remove license codes.
    #[command(subcommand)]
    License(LicenseCmd),
    /// Activate a licence on this server with the vendor (request, import
    /// the response), or deactivate it to move it to another server.
    #[command(subcommand)]
    Activation(activation::ActivationCmd),
    /// The seat policy (`policy.toml`): show it, replace it, or check what
    /// it says to a user on a host now.
    #[command(subcommand)]
    Policy(policy::PolicyCmd),
    /// Named users of a product whose codes have named users: assign,
    /// unassign, list.
    #[command(subcommand)]
    Users(users::UsersCmd),
    /// Consumption tokens: each product's balance and the ledger of spends.
    #[command(subcommand)]
    Usage(usage::UsageCmd),
    /// Write a usage report for the vendor to FILE: the period's figures per
    /// product, the licences and activations they came from, and the event
    /// log as a hash chain, signed by this server's key. The vendor checks
    /// it with `leasehold vendor verify-report`.
    Report(usage_history::ReportArgs),
    /// Show the seats held, by computer (or sorted and searched as asked).
    Computers(computers::ComputersArgs),
    /// End a lease, or every lease of a computer, now (its seat is free at once).
    Disconnect(DisconnectArgs),
    /// Show the server: version, uptime, address, seats and use per product,
    /// trusted vendor keys, recent events.
    Status,
    /// Admin accounts: who may sign in, with which role (viewer, operator,
    /// admin), their passwords and tokens for scripts.
    #[command(subcommand)]
    Account(accounts::AccountCmd),
    /// Alerts: list, acknowledge, where they are sent (mail, webhook), test.
    #[command(subcommand)]
    Alerts(alerts::AlertsCmd),
    /// Show or change the server's settings (how many days before a code
    /// ends it is warned of).
    Settings(settings::SettingsArgs),
    /// Show the event log (grants, denials, expiries, admin actions …).
    Logs(logs::LogsArgs),
    /// Print the admin token from the data directory (no server needed).
    Token {
        /// Replace it with a new one first (the server must be stopped):
        /// the way to end a token that leaked, which cannot be revoked.
        #[arg(long)]
        renew: bool,
    },
    /// Save a consistent copy of the server's database (licenses, leases,
    /// events, its identity and key) to FILE while it runs. Restore: stop
    /// the server, put FILE in place of DATA_DIR/leasehold.db (and delete
    /// leasehold.db-wal and -shm), start it.
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
    /// Print the admin UI's sign-in link, token included (no server call).
    /// `serve` prints it only to a terminal, never to a service's journal.
    Url,
    /// Trust license codes signed by a vendor public key (kept in the data directory).
    Trust {
        /// The vendor public key, `LHPK-…` as `leasehold vendor pubkey` prints it.
        #[arg(value_name = "PUBKEY")]
        public_key: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LicenseCmd {
    /// Add a license code. Quote it or pass its groups as separate words;
    /// `-` reads it from stdin (line breaks are fine).
    Add {
        #[arg(value_name = "CODE", required = true, num_args = 1..)]
        code: Vec<String>,
        /// Only check the code and show what it would add.
        #[arg(long)]
        dry_run: bool,
    },
    /// List the license codes on the server, with seats in use and state.
    List,
    /// Remove a license code; leases already out run to their end.
    Remove {
        /// The license id, as `license list` shows it.
        #[arg(value_name = "ID")]
        id: LicenseId,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["lease_id", "client"])))]
pub struct DisconnectArgs {
    /// The lease to end, as `admin computers` shows it.
    #[arg(value_name = "LEASE_ID")]
    pub lease_id: Option<LeaseId>,
    /// End every lease of this computer (its client id).
    #[arg(long, value_name = "ID")]
    pub client: Option<String>,
}

/// Runs an `admin` subcommand.
///
/// # Errors
/// No server or token found, the server unreachable, or the server's refusal,
/// each as a sentence saying what to do.
pub async fn run(args: AdminArgs) -> Result<std::process::ExitCode> {
    let target = args.target;
    let json = target.json;
    match args.command {
        AdminCmd::Policy(cmd) => {
            let api = AdminApi::connect(&target)?;
            let granted = policy::run(&api, cmd, json).await?;
            Ok(if granted {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::from(crate::EXIT_NO_SEAT)
            })
        }
        command => run_command(command, &target, json)
            .await
            .map(|()| std::process::ExitCode::SUCCESS),
    }
}

async fn run_command(command: AdminCmd, target: &Target, json: bool) -> Result<()> {
    match command {
        AdminCmd::Token { renew } => status::token(target, renew),
        command => {
            let api = AdminApi::connect(target)?;
            match command {
                AdminCmd::License(cmd) => licenses::run(&api, cmd, json).await,
                AdminCmd::Activation(cmd) => activation::run(&api, cmd, json).await,
                AdminCmd::Users(cmd) => users::run(&api, cmd, json).await,
                AdminCmd::Usage(cmd) => usage::run(&api, cmd, json).await,
                AdminCmd::Report(args) => usage_history::report(&api, args, json).await,
                AdminCmd::Computers(c) => computers::list(&api, c, json).await,
                AdminCmd::Disconnect(d) => computers::disconnect(&api, d, json).await,
                AdminCmd::Status => status::status(&api, json).await,
                AdminCmd::Logs(l) => logs::run(&api, l, json).await,
                AdminCmd::Settings(a) => settings::run(&api, a, json).await,
                AdminCmd::Account(cmd) => accounts::run(&api, cmd, json).await,
                AdminCmd::Alerts(cmd) => alerts::run(&api, cmd, json).await,
                AdminCmd::Trust { public_key } => status::trust(&api, &public_key, json).await,
                AdminCmd::Token { renew } => status::token(target, renew),
                AdminCmd::Policy(_) => Ok(()), // `run` answers it (its own exit code)
                AdminCmd::Backup { file } => {
                    let bytes = api.download("/admin/v1/backup", &file).await?;
                    if json {
                        print_json(&serde_json::json!({ "file": file, "bytes": bytes }))
                    } else {
                        outln!("backup of {bytes} bytes written to {}", file.display());
                        Ok(())
                    }
                }
                AdminCmd::Url => {
                    if json {
                        print_json(&serde_json::json!({ "url": api.ui_url() }))
                    } else {
                        outln!("{}", api.ui_url());
                        Ok(())
                    }
                }
            }
        }
    }
}

/// Prints a value as indented JSON on stdout.
fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    outln!(
        "{}",
        serde_json::to_string_pretty(value).context("cannot format the answer as JSON")?
    );
    Ok(())
}

/// Writes to stdout. When the reader has gone (`leasehold admin logs | head`)
/// the command ends quietly with success, as Unix tools do.
///
/// # Errors
/// Any other failure to write.
fn write_out(text: std::fmt::Arguments<'_>) -> Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to stdout")),
    }
}
