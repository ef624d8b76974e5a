//! `leasehold client …`: check a seat out (and hold it), release a lease, ask
//! a server who it is. A thin layer over `leasehold-client`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use leasehold_client::{Client, ClientError, LeaseGrant, LeaseId, ServerApi};

use crate::EXIT_NO_SEAT;

/// Used when neither `--server` nor `LEASEHOLD_SERVER` names a server.
const DEFAULT_SERVER: &str = "127.0.0.1:7878";

#[derive(Debug, Subcommand)]
pub enum ClientCmd {
    /// Check a seat of PRODUCT out, hold it (renewing) and release it on exit.
    ///
    /// Exits with 3 when no seat is free.
    Checkout(CheckoutArgs),
    /// Release a lease by its id (for a lease left behind by a crashed program).
    Release(ReleaseArgs),
    /// Show who the server is: name, id, version and protocol.
    Status(StatusArgs),
}

/// Which server to talk to.
#[derive(Debug, Args)]
pub struct ServerArg {
    /// The lease server, as HOST:PORT.
    #[arg(long, value_name = "HOST:PORT", env = "LEASEHOLD_SERVER", default_value = DEFAULT_SERVER)]
    pub server: String,
}

#[derive(Debug, Args)]
pub struct CheckoutArgs {
    /// The product to check a seat out for, as spelled in its license codes.
    pub product: String,
    #[command(flatten)]
    pub server: ServerArg,
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
    /// Print the server's hello as JSON.
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
        ClientCmd::Status(args) => status(args).await,
    }
}

async fn checkout(args: CheckoutArgs) -> anyhow::Result<ExitCode> {
    let mut builder = Client::builder()
        .server(args.server.server.as_str())
        .app("leasehold client", env!("CARGO_PKG_VERSION"));
    if let Some(id) = args.client_id {
        builder = builder.client_id(id);
    }
    if let Some(user) = args.user {
        builder = builder.user(user);
    }
    let client = builder.build()?;
    let guard = match client.checkout(args.product.as_str()).await {
        Ok(guard) => guard,
        Err(e @ ClientError::NoSeatFree { .. }) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(EXIT_NO_SEAT));
        }
        Err(e) => return Err(e.into()),
    };
    print_grant(guard.grant(), args.json)?;

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

    match guard.release().await {
        Ok(Some(released)) => eprintln!("released lease {}", released.lease_id),
        Ok(None) => eprintln!("no lease was held at exit"),
        Err(e) => {
            eprintln!("warning: could not release the lease ({e}); it will expire on the server")
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_grant(grant: &LeaseGrant, json: bool) -> anyhow::Result<()> {
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

async fn release(args: ReleaseArgs) -> anyhow::Result<ExitCode> {
    let api = ServerApi::new(&args.server.server)?;
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
    let api = ServerApi::new(&args.server.server)?;
    let hello = api.hello().await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&hello).context("cannot format the hello as JSON")?
        );
    } else {
        println!("server   {} ({})", hello.server_name, api.address());
        println!("id       {}", hello.server_id);
        println!("version  {}", hello.version);
        println!("protocol {}", hello.protocol_version);
        println!("time     {}", hello.server_time);
    }
    Ok(ExitCode::SUCCESS)
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
