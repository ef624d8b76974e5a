//! What a server is started with.

use crate::store::Durability;
use leasehold_core::license::VendorPublicKey;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The default port of the lease server.
pub const DEFAULT_PORT: u16 = 7878;

#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Announce the server over mDNS.
    pub mdns: bool,
    /// Vendor keys trusted for this run (`serve --trust`).
    pub trust: Vec<VendorPublicKey>,
    /// Accept admin calls from other machines, not only loopback.
    pub admin_remote: bool,
    /// The name shown to clients and announced over mDNS; the host name by default.
    pub server_name: Option<String>,
    pub durability: Durability,
    /// A group whose members may read the admin token (a system service's
    /// admins); `None` keeps it owner-only.
    pub admin_group: Option<String>,
    /// The clock to run on; `None` starts a fresh one. Tests pass a clock
    /// they have skipped ahead to restart a server "later".
    pub clock: Option<crate::clock::Clock>,
    /// Connections open at once (`serve --max-connections`); `None` derives
    /// the cap from the open-file limit (see [`crate::connections`]).
    pub max_connections: Option<usize>,
    /// Headers must arrive within this; idle connections close after it.
    pub header_timeout: Duration,
    /// On shutdown, how long requests in progress may take to finish.
    pub shutdown_grace: Duration,
    /// Host names admin calls may use besides IP literals, `localhost` and
    /// this machine's own names (`serve --allow-host`).
    pub allowed_hosts: Vec<String>,
    /// Serve `/metrics` without the admin token (`serve --public-metrics`).
    pub public_metrics: bool,
    /// Events older than this many days are deleted (`--events-keep-days`).
    pub events_keep_days: u32,
    /// HTTPS on the same port (`serve --tls`, `--tls-cert`/`--tls-key`;
    /// `--admin-remote` turns it on with a certificate the server makes).
    pub tls: crate::tls::TlsMode,
    /// Admin calls from other computers over plain HTTP (`serve
    /// --admin-remote-plain-http`): the token crosses the LAN readable.
    pub admin_remote_plain: bool,
    /// How often the alert conditions are looked at; `None`: only when
    /// asked (`ServerHandle::check_alerts`, what tests do).
    pub alert_check_every: Option<Duration>,
}

impl Config {
    /// A config with defaults for everything but the data directory:
    /// loopback on the default port, mDNS on, full durability.
    #[must_use]
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            mdns: true,
            trust: Vec::new(),
            admin_remote: false,
            server_name: None,
            durability: Durability::Full,
            admin_group: None,
            clock: None,
            max_connections: None,
            header_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(2),
            allowed_hosts: Vec::new(),
            public_metrics: false,
            events_keep_days: 400,
            tls: crate::tls::TlsMode::Off,
            admin_remote_plain: false,
            alert_check_every: Some(crate::server::ALERT_CHECK_EVERY),
        }
    }

    /// Loopback, port 0, no mDNS: what tests and embedded uses want.
    #[must_use]
    pub fn ephemeral(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            mdns: false,
            alert_check_every: None,
            ..Self::new(data_dir)
        }
    }
}
