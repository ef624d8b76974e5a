//! The `leasehold` command: `serve` (headless server), `admin …`, `client …`,
//! `vendor …`. Each subcommand lives in its own module; this one parses and
//! maps outcomes to exit codes (0 ok, 1 error, 2 usage, 3 no seat free).

pub mod admin;
pub mod authority;
pub mod blocks;
pub mod client;
pub mod paths;
pub mod serve;
pub mod table;
pub mod vendor;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit code for `client checkout` when no seat is free.
pub const EXIT_NO_SEAT: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "leasehold",
    version,
    about = "Leasehold floating-license manager",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the lease server without a window (as a service).
    Serve(serve::ServeArgs),
    /// Manage a running server: license codes, computers, status, logs, token.
    Admin(admin::AdminArgs),
    /// Check seats out, release them, and see this machine's license state.
    #[command(subcommand)]
    Client(client::ClientCmd),
    /// Install, remove, start, stop the server as a system service; its status.
    #[command(subcommand)]
    Service(leasehold_service::ServiceCmd),
    /// Make vendor keys and issue license codes (for the software vendor).
    #[command(subcommand)]
    Vendor(vendor::VendorCmd),
    /// Run the vendor's activation authority (for the software vendor).
    #[command(subcommand)]
    Authority(authority::AuthorityCmd),
    /// Print the OpenAPI document of the HTTP API.
    #[command(hide = true)]
    Openapi,
}

/// Parses the process arguments and runs the command.
#[must_use]
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    leasehold_server::logtail::init_logging();
    let outcome = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run_command(cli.command)),
        Err(e) => Err(anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_command(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => serve::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Admin(args) => admin::run(args).await,
        Command::Client(cmd) => client::run(cmd).await,
        Command::Service(cmd) => leasehold_service::run(cmd)
            .await
            .map(|()| ExitCode::SUCCESS),
        Command::Vendor(cmd) => vendor::run(cmd).map(|()| ExitCode::SUCCESS),
        Command::Authority(cmd) => authority::run(cmd).await.map(|()| ExitCode::SUCCESS),
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&leasehold_server::http::openapi::document())?
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
