//! `leasehold authority serve`: the vendor's activation authority. Servers
//! at customer sites activate licences with it online (`admin activation
//! online`); it keeps a ledger per licence and refuses more activations
//! than the code allows.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use leasehold_server::authority::{self, AuthorityConfig};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The authority's default port.
pub const DEFAULT_PORT: u16 = 7879;

#[derive(Debug, Subcommand)]
pub enum AuthorityCmd {
    /// Answer activation requests and deactivation proofs over HTTP.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The vendor's secret key file (`vendor keygen`): the key the licence
    /// codes were issued with.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Where the activation ledger lives (`authority.db`); `vendor activate
    /// --ledger DIR` uses the same directory offline (not while this runs).
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// Address and port to listen on; port 0 picks a free one (printed on the first line).
    #[arg(long, value_name = "ADDR:PORT", default_value_t = SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)))]
    pub listen: SocketAddr,
}

/// Runs an `authority` subcommand.
///
/// # Errors
/// The key file cannot be read, the ledger opened or the address bound.
pub async fn run(cmd: AuthorityCmd) -> Result<()> {
    let AuthorityCmd::Serve(args) = cmd;
    let key = crate::vendor::load_key(&args.key, &mut std::io::stderr())?;
    let fingerprint = key.public().fingerprint();
    let handle = authority::start(AuthorityConfig {
        data_dir: args.data_dir.clone(),
        listen: args.listen,
        key,
    })
    .await
    .context("the activation authority could not start")?;
    println!("{}", handle.local_addr());
    eprintln!(
        "Leasehold activation authority for vendor key {fingerprint} on {} (ledger in {}). Stop with Ctrl-C.",
        handle.local_addr(),
        args.data_dir.display()
    );
    crate::serve::shutdown_signal().await;
    handle.shutdown().await;
    Ok(())
}
