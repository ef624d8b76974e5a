//! `leasehold client …`: how this machine gets its license (`mode`), the
//! servers on the LAN (`discover`), this machine's id (`machine-id`), and a
//! seat from the command line (`checkout`, `release`, `status`), honouring
//! the mode. A thin layer over `leasehold-client`.

mod borrow;
mod consume;
mod mode;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use leasehold_client::standalone::StandaloneError;
use leasehold_client::{
    Client, ClientBuilder, ClientError, LeaseGuard, LeaseId, ServerApi, Settings, VendorPublicKey,
};
use serde_json::json;

pub use mode::{ConfigArg, DiscoverArgs, ModeArgs, ModeSet};

use crate::EXIT_NO_SEAT;

#[derive(Debug, Subcommand)]
pub enum ClientCmd {
    /// Check a seat of PRODUCT out, hold it (renewing) and release it on exit.
    /// Honours the mode (`client mode`): in standalone mode it verifies the
    /// license file instead (needs --vendor-key).
    ///
    /// Exits with 3 when no seat is free.
    Checkout(CheckoutArgs),
    /// Release a lease by its id (for a lease left behind by a crashed program).
    Release(ReleaseArgs),
    /// Borrow a seat of PRODUCT for N hours to work without the server
    /// (where the licence allows it). Checkouts on this computer use it
    /// until it ends. Exits with 3 when no seat may be lent now.
    Borrow(borrow::BorrowArgs),
    /// Spend AMOUNT of PRODUCT's consumption tokens under KEY (once: the
    /// same key again spends nothing more). Exits with 3 when the tokens
    /// are spent.
    Consume(consume::ConsumeArgs),
    /// Give a borrowed seat of PRODUCT back early: this computer stops using
    /// it at once; the server frees it now, or at the next contact.
    Return(borrow::ReturnArgs),
    /// Show the client settings and who the server is: name, id, version and
    /// protocol.
    Status(StatusArgs),
    /// Show or change how this computer gets its license: standalone (a
    /// license file) or network (a lease server, found or given).
    Mode(ModeArgs),
    /// Look for lease servers on the LAN (mDNS) and list them.
    Discover(DiscoverArgs),
    /// Print this computer's machine id (what a node-locked license is issued for).
    MachineId,
}

/// Which server to talk to.
#[derive(Debug, Args)]
pub struct ServerArg {
    /// The lease server, as HOST:PORT, for this run (default: as the client
    /// settings say, see `client mode`).
    #[arg(long, value_name = "HOST:PORT", env = leasehold_client::SERVER_ENV)]
    pub server: Option<String>,
    /// Trust the `https://` server whose certificate has this SHA-256
    /// fingerprint (as `leasehold admin status` shows it on the server), in
    /// addition to those in the settings.
    #[arg(long, value_name = "SHA256", env = leasehold_client::TLS_FINGERPRINT_ENV)]
    pub tls_fingerprint: Option<String>,
    #[command(flatten)]
    pub config: ConfigArg,
}

impl ServerArg {
    /// A client with the server source set and the vendor key given.
    fn client(&self, vendor: &VendorKeyArg) -> anyhow::Result<Client> {
        let mut builder = self.builder()?;
        if let Some(key) = &vendor.vendor_key {
            builder = builder.vendor_key(*key);
        }
        Ok(builder.build()?)
    }

    /// A builder with the server source set: `--server`, else the settings;
    /// loans kept next to the settings file.
    fn builder(&self) -> anyhow::Result<ClientBuilder> {
        let mut builder = Client::builder().app("leasehold client", env!("CARGO_PKG_VERSION"));
        if let Some(dir) = self
            .config
            .resolve()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("borrows")))
        {
            builder = builder.borrow_dir(dir);
        }
        if let Some(pin) = self.pin() {
            builder = builder.tls_fingerprint(pin);
        }
        Ok(
            match self.server.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(server) => builder.server(server),
                None => builder.settings_file(Some(self.config.resolve()?)),
            },
        )
    }

    /// `--tls-fingerprint`, when given.
    fn pin(&self) -> Option<&str> {
        self.tls_fingerprint
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }
}

/// The vendor key the application trusts.
#[derive(Debug, Args)]
pub struct VendorKeyArg {
    /// The vendor's public key (LHPK-…): a standalone license file must be
    /// signed with it, and in network mode the server must show a licence
    /// signed with it and activated for that server.
    #[arg(long, value_name = "PUBKEY", env = "LEASEHOLD_VENDOR_KEY")]
    pub vendor_key: Option<VendorPublicKey>,
}

#[derive(Debug, Args)]
pub struct CheckoutArgs {
    /// The product to check a seat out for, as spelled in its license codes.
    pub product: String,
    #[command(flatten)]
    pub server: ServerArg,
    #[command(flatten)]
    pub vendor: VendorKeyArg,
    /// Hold the seat this many seconds, then release it (default: until
    /// Ctrl-C). 0 checks out and releases at once.
    #[arg(long, value_name = "SECS")]
    pub hold: Option<u64>,
    /// Client id to send instead of this machine's id (to play several
    /// computers, or to run several instances).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// User name to send instead of the login name.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Print the grant as JSON (one object on stdout) instead of text.
    #[arg(long)]
    pub json: bool,
    /// When no seat is free, wait in the server's queue (printing `waiting:
    /// position N of M` as it changes) and hold the seat once it comes.
    #[arg(long)]
    pub wait: bool,
    /// With `--wait`: give up after SECS (exit 3, leaving the queue).
    #[arg(long, value_name = "SECS", requires = "wait")]
    pub wait_timeout: Option<u64>,
    /// Units of an element pool to hold (a product licensed with
    /// `--units`): granted only when that many are free.
    #[arg(long, value_name = "K", default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..=65_535))]
    pub units: u32,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The lease to release, as printed by `client checkout`.
    pub lease_id: LeaseId,
    #[command(flatten)]
    pub server: ServerArg,
    /// Print the server's answer as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub server: ServerArg,
    #[command(flatten)]
    pub vendor: VendorKeyArg,
    /// Print the settings and the server's hello (or the license) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs a `client` subcommand.
///
/// # Errors
///
/// Any failure to reach the server or act on the answer; "no seat free" is
/// not an error but exit code 3.
pub async fn run(cmd: ClientCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        ClientCmd::Checkout(args) => checkout(args).await,
        ClientCmd::Release(args) => release(args).await,
        ClientCmd::Borrow(args) => borrow::borrow(args).await,
        ClientCmd::Return(args) => borrow::give_back(args).await,
        ClientCmd::Consume(args) => consume::consume(args).await,
        ClientCmd::Status(args) => status(args).await,
        ClientCmd::Mode(args) => mode::mode(args),
        ClientCmd::Discover(args) => mode::discover(args).await,
        ClientCmd::MachineId => mode::machine_id(),
    }
}

async fn checkout(args: CheckoutArgs) -> anyhow::Result<ExitCode> {
    let mut builder = args.server.builder()?;
    if let Some(key) = args.vendor.vendor_key {
        builder = builder.vendor_key(key);
    }
    if let Some(id) = args.client_id {
        builder = builder.client_id(id);
    }
    if let Some(user) = args.user {
        builder = builder.user(user);
    }
    let client = build(builder)?;
    let checked_out = if args.wait {
        let timeout = args.wait_timeout.map(Duration::from_secs);
        client
            .checkout_units_waiting(args.product.as_str(), args.units, timeout, |q| {
                eprintln!("waiting: position {} of {}", q.position, q.waiting);
            })
            .await
    } else {
        client
            .checkout_units(args.product.as_str(), args.units)
            .await
    };
    let guard = match checked_out {
        Ok(guard) => guard,
        Err(e @ (ClientError::NoSeatFree { .. } | ClientError::WaitTimedOut { .. })) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(EXIT_NO_SEAT));
        }
        Err(e) => return Err(e.into()),
    };
    print_seat(&guard, args.json)?;

    let mut states = guard.subscribe();
    let mut last = std::mem::discriminant(&*states.borrow());
    let hold = async {
        match args.hold {
            Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
            None => std::future::pending().await,
        }
    };
    let interrupted = shutdown_signal();
    tokio::pin!(hold, interrupted);
    loop {
        tokio::select! {
            () = &mut hold => break,
            signal = &mut interrupted => {
                signal?;
                eprintln!("interrupted");
                break;
            }
            changed = states.changed() => {
                if changed.is_err() {
                    break;
                }
                let state = states.borrow_and_update().clone();
                // Renewals are routine; say only when the kind of state changes.
                let kind = std::mem::discriminant(&state);
                if kind != last {
                    eprintln!("seat {state}");
                    last = kind;
                }
            }
        }
    }

    let standalone = guard.standalone_license().is_some();
    match guard.release().await {
        Ok(Some(released)) => eprintln!("released lease {}", released.lease_id),
        Ok(None) if standalone => eprintln!("done (standalone license: nothing to release)"),
        Ok(None) => eprintln!("no lease was held at exit"),
        Err(e) => {
            eprintln!("warning: could not release the lease ({e}); it will expire on the server")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the client, saying how to give the vendor key when it is missing.
fn build(builder: ClientBuilder) -> anyhow::Result<Client> {
    match builder.build() {
        Err(ClientError::Standalone(StandaloneError::NoVendorKey)) => bail!(
            "standalone mode needs the vendor's public key to verify the license file: \
             pass --vendor-key LHPK-… or set LEASEHOLD_VENDOR_KEY"
        ),
        other => Ok(other?),
    }
}

fn print_seat(guard: &LeaseGuard, json: bool) -> anyhow::Result<()> {
    let Some(grant) = guard.grant() else {
        if let Some(loan) = guard.loan() {
            if json {
                let value = json!({
                    "mode": "borrowed",
                    "product": loan.product,
                    "leaseId": loan.lease_id,
                    "until": loan.until,
                });
                println!("{value}");
            } else {
                println!("borrowed seat (lease {})", loan.lease_id);
                println!("product {}", loan.product);
                println!("until {}", loan.until.to_rfc3339());
            }
            return Ok(());
        }
        let Some(license) = guard.standalone_license() else {
            println!("seat {}", guard.state());
            return Ok(());
        };
        let t = &license.terms;
        let expires = t.valid_until.map(leasehold_core::license::last_day_text);
        if json {
            let value = json!({
                "mode": "standalone",
                "product": t.product,
                "licenseId": t.license_id,
                "licenseFile": license.path,
                "customer": t.customer,
                "features": t.features,
                "lastValidDay": expires,
            });
            println!("{value}");
        } else {
            println!("standalone license {}", t.license_id);
            println!("product {}", t.product);
            println!("file {}", license.path.display());
            println!(
                "valid through {}",
                expires.as_deref().unwrap_or("(no end date)")
            );
        }
        return Ok(());
    };
    if json {
        println!(
            "{}",
            serde_json::to_string(grant).context("cannot format the grant as JSON")?
        );
    } else {
        println!("lease {}", grant.lease_id);
        println!("product {}", grant.product);
        println!("expires {}", grant.expires_at);
        println!(
            "renews every {} s (lease {} s)",
            grant.renew_after_secs, grant.lease_secs
        );
    }
    Ok(())
}

/// The server to talk to: `--server`, else the first that answers as the
/// settings say.
async fn server_api(arg: &ServerArg) -> anyhow::Result<(ServerApi, leasehold_client::Hello)> {
    if let Some(server) = arg.server.as_deref().filter(|s| !s.trim().is_empty()) {
        let api = ServerApi::with_fingerprints(server, &Vec::from_iter(arg.pin()))?;
        let hello = api.hello().await?;
        return Ok((api, hello));
    }
    let client = build(arg.builder()?)?;
    if client.is_standalone() {
        bail!(
            "this computer is in standalone mode (see `leasehold client mode`): there is no server to ask"
        );
    }
    Ok(client.hello().await?)
}

async fn release(args: ReleaseArgs) -> anyhow::Result<ExitCode> {
    let (api, _) = server_api(&args.server).await?;
    let released = api.release(args.lease_id).await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&released).context("cannot format the answer as JSON")?
        );
    } else if released.was_held {
        println!("released lease {}", released.lease_id);
    } else {
        println!(
            "lease {} was not held (already released or expired)",
            released.lease_id
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let path = args.server.config.resolve()?;
    let loaded = Settings::load_if_exists(&path)?;
    let standalone = args
        .server
        .server
        .as_deref()
        .is_none_or(|s| s.trim().is_empty())
        && matches!(
            loaded.clone().map(Settings::with_env_override),
            Some(Settings::Standalone { .. })
        );
    if standalone {
        return standalone_status(&args, &path, loaded.as_ref()).await;
    }
    let (api, hello) = server_api(&args.server).await?;
    if args.json {
        let value = json!({
            "settings": mode::settings_json(&path, loaded.as_ref()),
            "address": api.address(),
            "hello": hello,
        });
        println!("{value}");
    } else {
        mode::print_settings(&path, loaded.as_ref());
        println!();
        println!("server   {} ({})", hello.server_name, api.address());
        println!("id       {}", hello.server_id);
        println!("version  {}", hello.version);
        println!("protocol {}", hello.protocol_version);
        println!("time     {}", hello.server_time);
    }
    Ok(ExitCode::SUCCESS)
}

/// `client status` in standalone mode: the settings and the license file's
/// check (with the vendor key).
async fn standalone_status(
    args: &StatusArgs,
    path: &std::path::Path,
    loaded: Option<&Settings>,
) -> anyhow::Result<ExitCode> {
    let mut builder = args.server.builder()?;
    if let Some(key) = args.vendor.vendor_key {
        builder = builder.vendor_key(key);
    }
    let outcome = match builder.build() {
        Ok(_) if !matches!(loaded, Some(Settings::Standalone { .. })) => None,
        Ok(client) => Some(match loaded {
            Some(Settings::Standalone { license_file }) => {
                check_license(&client, license_file).await
            }
            _ => Ok(()),
        }),
        Err(ClientError::Standalone(StandaloneError::NoVendorKey)) => None,
        Err(e) => Some(Err(e)),
    };
    if args.json {
        let license = match &outcome {
            None => json!({"checked": false}),
            Some(Ok(())) => json!({"checked": true, "ok": true}),
            Some(Err(e)) => {
                json!({"checked": true, "ok": false, "code": e.code(), "message": e.to_string()})
            }
        };
        let value = json!({
            "settings": mode::settings_json(path, loaded),
            "license": license,
        });
        println!("{value}");
    } else {
        mode::print_settings(path, loaded);
        match &outcome {
            None => {
                println!("check     not done: pass --vendor-key LHPK-… to verify the license file")
            }
            Some(Ok(())) => println!("check     the license file is valid on this computer"),
            Some(Err(e)) => println!("check     FAILED: {e}"),
        }
    }
    Ok(match outcome {
        Some(Err(_)) => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    })
}

/// Verifies the license file by checking its own product out.
async fn check_license(client: &Client, license_file: &PathBuf) -> Result<(), ClientError> {
    let text = std::fs::read_to_string(license_file).unwrap_or_default();
    let product = leasehold_core::license::parse(text.trim())
        .map(|code| code.terms().product.clone())
        .unwrap_or_default();
    let guard = client.checkout(product).await?;
    guard.release().await.map(|_| ())
}

/// Completes on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        tokio::select! {
            ctrl_c = tokio::signal::ctrl_c() => ctrl_c.context("cannot listen for Ctrl-C"),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("cannot listen for Ctrl-C")
    }
}
