//! The `leasehold` command: `serve` (headless server), `admin …`, `client …`,
//! `vendor …`. Each subcommand lives in its own module; this one parses and
//! maps outcomes to exit codes (0 ok, 1 error, 2 usage, 3 no seat free).

pub mod client;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit code for `client checkout` when no seat is free.
pub const EXIT_NO_SEAT: u8 = 3;

#[derive(Debug, Parser)]
#[command(name = "leasehold", version, about = "Leasehold floating-license manager", propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check seats out, release them, and see this machine's license state.
    #[command(subcommand)]
    Client(client::ClientCmd),
}

/// Parses the process arguments and runs the command.
#[must_use]
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Client(cmd) => client::run(cmd).await,
        }
    });
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
