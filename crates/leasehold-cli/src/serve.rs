//! `leasehold serve`: the headless lease server, for running as a service.

use anyhow::{Context, Result};
use clap::Args;
use leasehold_core::license::VendorPublicKey;
use leasehold_server::store::Durability;
use leasehold_server::tls::TlsMode;
use leasehold_server::{Config, DEFAULT_PORT, Server};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where licenses, leases, keys and the event log live.
    /// Default: $LEASEHOLD_DATA_DIR, else the platform's data directory.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address and port to listen on; port 0 picks a free one (printed on the first line).
    #[arg(long, value_name = "ADDR:PORT", default_value_t = SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)))]
    pub listen: SocketAddr,
    /// Do not announce the server on the LAN over mDNS.
    #[arg(long)]
    pub no_mdns: bool,
    /// Trust license codes signed by this vendor public key (repeatable).
    #[arg(long, value_name = "PUBKEY")]
    pub trust: Vec<VendorPublicKey>,
    /// Accept admin calls from other machines (they still need a token or
    /// password). They must come over HTTPS, served on the same port with
    /// `--tls-cert`/`--tls-key`, else a certificate the server makes.
    #[arg(long)]
    pub admin_remote: bool,
    /// With --admin-remote: also take admin calls over plain HTTP, so the
    /// token or password crosses the network readable. Only on a network
    /// you trust.
    #[arg(long, requires = "admin_remote")]
    pub admin_remote_plain_http: bool,
    /// Serve HTTPS on the same port (plain HTTP stays for applications),
    /// with a certificate the server makes on its first start.
    #[arg(long)]
    pub tls: bool,
    /// Serve HTTPS with this certificate chain (PEM) instead of a made one.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The name clients see (default: this machine's host name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// `full`: a grant survives power loss once answered (default).
    /// `normal`: survives a crash of the server, may lose the last grants on power loss; faster.
    #[arg(long, value_name = "LEVEL", default_value = "full", value_parser = parse_durability)]
    pub durability: Durability,
    /// Let members of this group read the admin token (mode 0640), e.g. the
    /// admins of a system service; the server must be a member of the group.
    #[arg(long, value_name = "GROUP")]
    pub admin_group: Option<String>,
    /// Most connections open at once; more are closed as they arrive.
    /// Default: three quarters of the open-file limit (raised to its
    /// maximum at start), at most 16384.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,
    /// Print the admin UI's sign-in link with its token even when stdout is
    /// not a terminal. Without it the token is printed only to a terminal,
    /// so a service's journal never holds it (`leasehold admin url` prints
    /// the link on demand).
    #[arg(long)]
    pub print_admin_url: bool,
    /// A host name admin calls may use for this server (repeatable), besides
    /// IP addresses, `localhost` and this machine's own names. Others are
    /// refused (`host_not_allowed`), so a web page whose name was pointed at
    /// this server cannot call the admin API.
    #[arg(long, value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Serve /metrics to anyone, without the admin token (it shows product
    /// names and seat counts).
    #[arg(long)]
    pub public_metrics: bool,
    /// Keep events this many days (default 400); older ones are deleted and
    /// the file shrinks. Past a million events, denials go first.
    #[arg(long, value_name = "DAYS", default_value_t = 400, value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub events_keep_days: u32,
}

fn parse_durability(s: &str) -> Result<Durability, String> {
    match s {
        "full" => Ok(Durability::Full),
        "normal" => Ok(Durability::Normal),
        other => Err(format!(
            "`{other}` is not a durability level; use `full` or `normal`"
        )),
    }
}

/// Runs the server until Ctrl-C or SIGTERM. The first line on stdout is the
/// bound address; the second the admin URL for a browser.
///
/// # Errors
/// When the server cannot start (address taken, data directory locked, …).
pub async fn run(args: ServeArgs) -> Result<()> {
    let data_dir = crate::paths::data_dir(args.data_dir)?;
    let mut config = Config::new(&data_dir);
    config.listen = args.listen;
    config.mdns = !args.no_mdns;
    config.trust = args.trust;
    config.admin_remote = args.admin_remote;
    config.server_name = args.name;
    config.durability = args.durability;
    config.admin_group = args.admin_group;
    config.max_connections = args.max_connections.map(|n| n as usize);
    config.allowed_hosts = args.allow_host;
    config.public_metrics = args.public_metrics;
    config.events_keep_days = args.events_keep_days;
    config.admin_remote_plain = args.admin_remote_plain_http;
    config.tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => TlsMode::Files { cert, key },
        _ if args.tls => TlsMode::Made,
        _ => TlsMode::Off,
    };
    let server = Server::start(config)
        .await
        .context("the server could not start")?;
    let addr = server.local_addr();
    println!("{addr}");
    let browse_host = leasehold_service::local::reachable(addr);
    if args.print_admin_url || std::io::stdout().is_terminal() {
        println!(
            "admin UI: http://{browse_host}/ui/#token={}",
            server.admin_token()
        );
    } else {
        println!(
            "admin UI: http://{browse_host}/ui/ (sign in with the link `leasehold admin url --data-dir {}` prints)",
            data_dir.display()
        );
    }
    eprintln!(
        "Leasehold is serving on {addr} with data in {}. Stop with Ctrl-C.",
        data_dir.display()
    );
    if let Some(tls) = server.tls() {
        eprintln!(
            "HTTPS on the same port: https://{browse_host}/ui/ with the certificate {} (SHA-256 {}); check that a browser shows this fingerprint.",
            tls.certificate, tls.fingerprint
        );
    }
    if args.admin_remote_plain_http {
        eprintln!(
            "warning: admin calls from other computers are taken over plain HTTP (--admin-remote-plain-http): tokens and passwords cross the network readable"
        );
    }
    let accounts = server.accounts();
    if accounts
        .list()
        .iter()
        .any(|a| a.local_admin && !a.has_password)
    {
        eprintln!(
            "The admin account `{name}` has no password yet: the desktop app and `leasehold admin` on this machine sign in with the data directory's token. To sign in from a browser on another computer, set one: leasehold admin account password {name} --data-dir {}",
            data_dir.display(),
            name = accounts.local_admin()
        );
    }
    shutdown_signal().await;
    eprintln!("stopping; leases stay valid and are restored on the next start");
    server.shutdown().await;
    Ok(())
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
