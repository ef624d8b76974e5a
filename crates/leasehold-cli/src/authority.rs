//! `leasehold authority serve`: the vendor's activation authority. Servers
//! at customer sites activate licences with it online (`admin activation
//! online`); it keeps a ledger per licence and refuses more activations
//! than the code allows.

use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand};
use leasehold_core::{LicenseId, Timestamp};
use leasehold_server::authority::{self, AuthorityConfig, Ledger};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The authority's default port.
pub const DEFAULT_PORT: u16 = 7879;

#[derive(Debug, Subcommand)]
pub enum AuthorityCmd {
    /// Answer activation requests and deactivation proofs over HTTP.
    Serve(ServeArgs),
    /// List the activations in the ledger (all, or a licence's), newest
    /// first. The authority must not be running on the directory.
    List {
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
        #[arg(value_name = "LICENSE_ID")]
        license: Option<LicenseId>,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Free a licence's activation without a proof (the customer's server
    /// is gone): the server whose key starts with SERVER_KEY. Recorded as
    /// freed by the vendor. The authority must not be running.
    Free {
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
        #[arg(value_name = "LICENSE_ID")]
        license: LicenseId,
        /// The server key (hex) or its first characters, as `list` shows it.
        #[arg(value_name = "SERVER_KEY")]
        server_key: String,
    },
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
    let args = match cmd {
        AuthorityCmd::Serve(args) => args,
        AuthorityCmd::List {
            data_dir,
            license,
            json,
        } => return list(&data_dir, license, json),
        AuthorityCmd::Free {
            data_dir,
            license,
            server_key,
        } => {
            let entry = open(&data_dir)?.free(license, &server_key, Timestamp::now())?;
            println!(
                "Freed licence {} ({}) on server {:?} (key {}): it may be activated on another server.",
                entry.license_id, entry.product, entry.server_name, entry.server_key
            );
            return Ok(());
        }
    };
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

fn open(dir: &std::path::Path) -> Result<Ledger> {
    Ledger::open(dir).map_err(|e| anyhow!("the ledger in {}: {e}", dir.display()))
}

fn list(dir: &std::path::Path, license: Option<LicenseId>, json: bool) -> Result<()> {
    let entries = open(dir)?.entries(license)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    if entries.is_empty() {
        println!("no activation is recorded");
        return Ok(());
    }
    let mut table = crate::table::Table::new([
        "LICENSE",
        "PRODUCT",
        "CUSTOMER",
        "SERVER",
        "SERVER KEY",
        "ACTIVATED",
        "FREED",
    ]);
    for e in &entries {
        table.row([
            e.license_id.to_string(),
            e.product.to_string(),
            e.customer.clone(),
            e.server_name.clone(),
            e.server_key.chars().take(16).collect(),
            e.activated_at.to_rfc3339(),
            e.freed_at
                .map_or_else(|| "active".to_owned(), Timestamp::to_rfc3339),
        ]);
    }
    print!("{table}");
    Ok(())
}
