//! `leasehold client …`: check seats out and release them (to come).

use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ClientCmd {
    /// Show this machine's client settings and held leases.
    Status,
}

/// # Errors
/// Any failure to reach the server or act on the answer.
pub async fn run(cmd: ClientCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        ClientCmd::Status => anyhow::bail!("not built yet"),
    }
}
