//! The SDK an application links to borrow a Leasehold seat.
//!
//! ```no_run
//! # async fn app() -> Result<(), leasehold_client::ClientError> {
//! use leasehold_client::Client;
//!
//! let client = Client::builder().server("licenses.lan:7878").app("Designer", "4.2").build()?;
//! let guard = client.checkout("Designer").await?; // ClientError::NoSeatFree when all are taken
//! let mut seat = guard.subscribe(); // SeatState: Held, Reconnecting, Lost, Regained, …
//! // … work, watching `seat.changed()` …
//! guard.release().await?;
//! # Ok(()) }
//! ```
//!
//! - [`Client`] knows where the server is and who is asking (machine id,
//!   user, host, application), and checks seats out.
//! - [`LeaseGuard`] holds a seat: renews it in the background, rides out
//!   short outages on the same lease, checks out again after a real loss, and
//!   releases on [`LeaseGuard::release`] or drop.
//! - [`ServerApi`] is the typed HTTP protocol for one server, for tools.
//! - [`discovery`] finds servers on the LAN over mDNS.
//! - [`settings`] is the end user's choice, standalone or network, in a small
//!   TOML file; [`Client::from_settings`] builds a client from it in one line:
//!
//! ```no_run
//! # async fn app() -> Result<(), leasehold_client::ClientError> {
//! use leasehold_client::Client;
//!
//! const VENDOR_KEY: &str = "LHPK-…"; // your `leasehold vendor pubkey`, compiled in
//! let client = Client::from_settings("Designer", "4.2", VENDOR_KEY)?;
//! let guard = client.checkout("Designer").await?; // a server's seat, or the license file
//! # Ok(()) }
//! ```

pub mod api;
mod borrowing;
pub mod clock_state;
mod consume;
pub mod discovery;
pub mod error;
mod features;
pub mod guard;
pub mod identity;
pub mod loans;
pub mod settings;
pub mod source;
pub mod standalone;
mod waiting;

use std::path::PathBuf;
use std::sync::Arc;

pub use api::{DEFAULT_PORT, ServerApi};
pub use borrowing::LoanReturn;
pub use error::{ClientError, LeaseEnd};
pub use features::FeatureSeat;
pub use guard::{LeaseGuard, LostReason, ReleaseOutcome, SeatState};
pub use identity::{Identity, IdentityError};
pub use leasehold_core::license::VendorPublicKey;
pub use leasehold_core::wire::client::{CheckoutRequest, Hello, LeaseGrant, Released};
pub use leasehold_core::wire::feature::{FeatureGrant, FeatureReleased};
pub use leasehold_core::{ClientId, LeaseId, Product, Timestamp};
pub use settings::{Settings, SettingsError};
pub use source::AutoDiscovery;
pub use standalone::{StandaloneError, StandaloneLicense};

use api::Reach;
use source::AutoResolver;

/// The environment variable naming a server (`host:port`) for one run.
pub const SERVER_ENV: &str = "LEASEHOLD_SERVER";
/// The environment variable naming one more certificate (SHA-256
/// fingerprint) trusted for `https://` servers, for one run.
pub const TLS_FINGERPRINT_ENV: &str = "LEASEHOLD_TLS_FINGERPRINT";

/// Where the client finds its server.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerSource {
    /// These addresses (`host:port`), tried in order: the first that answers
    /// is used.
    Manual(Vec<String>),
    /// Discover servers over mDNS and use the first that answers its hello;
    /// remember it, and discover again when it stops answering.
    Auto(AutoDiscovery),
}

impl ServerSource {
    /// `LEASEHOLD_SERVER` if set and not empty, else `fallback`.
    #[must_use]
    pub fn from_env_or(fallback: ServerSource) -> ServerSource {
        match std::env::var(SERVER_ENV) {
            Ok(addr) if !addr.trim().is_empty() => {
                ServerSource::Manual(vec![addr.trim().to_owned()])
            }
            _ => fallback,
        }
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder {
    servers: Vec<String>,
    source: Option<ServerSource>,
    /// Standalone mode: the license file.
    standalone: Option<PathBuf>,
    /// Standalone mode: where the latest time seen is kept (see
    /// [`clock_state`]); by default next to the settings file.
    clock_state: Option<PathBuf>,
    /// `Some(None)`: the default settings file; `Some(Some(p))`: that one.
    settings_file: Option<Option<PathBuf>>,
    /// Keys licences must be signed with (standalone files, and the chains
    /// servers show in network mode).
    vendor_keys: Vec<VendorPublicKey>,
    /// Certificates trusted for `https://` servers (SHA-256, as text).
    tls_fingerprints: Vec<String>,
    app_name: String,
    app_version: String,
    client_id: Option<ClientId>,
    user: Option<String>,
    host: Option<String>,
    /// Where borrowed seats are kept; by default next to the settings.
    borrow_dir: Option<PathBuf>,
    /// How often a borrowed seat in use looks whether its loan ended early.
    loan_check: Option<std::time::Duration>,
}

impl ClientBuilder {
    /// How often a borrowed seat in use looks whether its loan was given
    /// back on this computer (and, every twelfth time, asks the lending
    /// server whether it still stands); 5 s unless set (tests).
    #[doc(hidden)]
    #[must_use]
    pub fn loan_check_every(mut self, every: std::time::Duration) -> Self {
        self.loan_check = Some(every);
        self
    }

    /// Where this computer keeps borrowed seats (`Client::borrow`); by
    /// default `borrows/` next to the client settings.
    #[must_use]
    pub fn borrow_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.borrow_dir = Some(dir.into());
        self
    }

    /// Adds a server address (`host:port`) to try, after any added before.
    #[must_use]
    pub fn server(mut self, addr: impl Into<String>) -> Self {
        self.servers.push(addr.into());
        self
    }

    /// Where to find servers; replaces any [`server`](Self::server) calls.
    #[must_use]
    pub fn source(mut self, source: ServerSource) -> Self {
        self.source = Some(source);
        self
    }

    /// Standalone mode: checkouts verify this node-locked license file
    /// instead of asking a server. Needs [`vendor_key`](Self::vendor_key).
    #[must_use]
    pub fn standalone(mut self, license_file: impl Into<PathBuf>) -> Self {
        self.standalone = Some(license_file.into());
        self
    }

    /// Standalone mode: keep the latest time seen on this computer in this
    /// file (default: `client.clock` next to the settings file), so a
    /// licence with dates is not used with the clock set back.
    #[must_use]
    pub fn clock_state(mut self, path: impl Into<PathBuf>) -> Self {
        self.clock_state = Some(path.into());
        self
    }

    /// A vendor public key the application trusts (the vendor compiles its
    /// key into the application): standalone license files must be signed
    /// with one, and in network mode a server must show a licence signed
    /// with one (and activated for it). Repeatable.
    #[must_use]
    pub fn vendor_key(mut self, key: VendorPublicKey) -> Self {
        self.vendor_keys.push(key);
        self
    }

    /// Trusts the `https://` server whose certificate has this SHA-256
    /// fingerprint (`AB:CD:…` as `leasehold admin status` and the Server tab
    /// show it), whatever its names or issuer: how a server that made its
    /// own certificate is reached over TLS. Repeatable (one per server);
    /// without any, `https://` servers need a certificate the system
    /// trusts. Plain `http://` servers are not affected (grants are signed
    /// either way).
    #[must_use]
    pub fn tls_fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.tls_fingerprints.push(fingerprint.into());
        self
    }

    /// Takes the mode and servers from the end user's settings file, read at
    /// [`build`](Self::build): `path`, or with `None` the default one
    /// ([`settings::default_path`]: `LEASEHOLD_CLIENT_CONFIG`, else the
    /// platform's config directory). Overrides [`server`](Self::server),
    /// [`source`](Self::source) and [`standalone`](Self::standalone).
    /// `LEASEHOLD_SERVER`, when set, overrides the file for this run.
    #[must_use]
    pub fn settings_file(mut self, path: Option<PathBuf>) -> Self {
        self.settings_file = Some(path);
        self
    }

    /// The application's name and version, shown to the admin.
    #[must_use]
    pub fn app(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.app_name = name.into();
        self.app_version = version.into();
        self
    }

    /// Overrides the client id (default: this machine's id). For
    /// applications that run several instances, and tests.
    #[must_use]
    pub fn client_id(mut self, id: impl Into<ClientId>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// Overrides the user name (default: the login name).
    #[must_use]
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Overrides the host name (default: this computer's name).
    #[must_use]
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// The client. Looks up only the identity parts not given.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoServer`] without any server,
    /// [`ClientError::InvalidAddress`] for a bad address,
    /// [`ClientError::Settings`] for a settings file that cannot be read,
    /// [`ClientError::Standalone`] (`NoVendorKey`) for standalone mode
    /// without a vendor key,
    /// [`ClientError::Identity`] if a default identity part is not found.
    pub fn build(mut self) -> Result<Client, ClientError> {
        if let Some(path) = self.settings_file.take() {
            let path = match path {
                Some(path) => path,
                None => settings::default_path()?,
            };
            let loaded = Settings::load(&path)?.with_env_override();
            self.standalone = None;
            if self.clock_state.is_none() {
                self.clock_state = Some(clock_state::path_for(&path));
            }
            self.source = Some(match loaded {
                Settings::Standalone { license_file } => {
                    self.standalone = Some(license_file);
                    ServerSource::Manual(Vec::new())
                }
                Settings::Network {
                    auto,
                    servers,
                    tls_fingerprints,
                } => {
                    self.tls_fingerprints.extend(tls_fingerprints);
                    if auto {
                        ServerSource::Auto(
                            AutoDiscovery::new()
                                .remember_in(settings::state_path(&path))
                                .fallback(servers),
                        )
                    } else {
                        ServerSource::Manual(servers)
                    }
                }
            });
        }
        let vendor_keys = self.vendor_keys.clone();
        let reach = Reach {
            vendor_keys: self.vendor_keys.clone(),
            pins: api::parse_pins(&self.tls_fingerprints)?,
        };
        let backend = if let Some(license_file) = self.standalone {
            if self.vendor_keys.is_empty() {
                return Err(StandaloneError::NoVendorKey.into());
            }
            Backend::Standalone {
                license_file,
                vendor_keys: self.vendor_keys,
                clock_state: self.clock_state.or_else(clock_state::default_path),
            }
        } else {
            match self.source {
                Some(ServerSource::Auto(auto)) => {
                    let resolver = AutoResolver::new(auto, reach)?;
                    Backend::Network {
                        servers: resolver.fallback().to_vec(),
                        auto: Some(resolver),
                    }
                }
                Some(ServerSource::Manual(list)) => Backend::manual(&list, &reach)?,
                None => Backend::manual(&self.servers, &reach)?,
            }
        };
        let client_id = match self.client_id {
            Some(id) => id,
            None => identity::machine_id()?,
        };
        let user = match self.user {
            Some(user) => user,
            None => identity::login_name()?,
        };
        let host = match self.host {
            Some(host) => host,
            None => identity::host_name()?,
        };
        Ok(Client {
            backend,
            identity: Identity {
                client_id,
                user,
                host,
                computer: leasehold_host::seat_computer(),
            },
            app_name: self.app_name,
            app_version: self.app_version,
            loans: self.borrow_dir.map(loans::Loans::new),
            loan_check: self.loan_check.unwrap_or(borrowing::LOAN_CHECK),
            vendor_keys,
        })
    }
}

/// Where seats come from.
#[derive(Clone, Debug)]
enum Backend {
    /// Lease servers: a fixed list in order of preference, or (auto) what
    /// discovery finds.
    Network {
        servers: Vec<ServerApi>,
        auto: Option<Arc<AutoResolver>>,
    },
    /// A node-locked license file, checked offline.
    Standalone {
        license_file: PathBuf,
        vendor_keys: Vec<VendorPublicKey>,
        clock_state: Option<PathBuf>,
    },
}

impl Backend {
    fn manual(addresses: &[String], reach: &Reach) -> Result<Self, ClientError> {
        if addresses.is_empty() {
            return Err(ClientError::NoServer);
        }
        let servers = addresses
            .iter()
            .map(|a| reach.server(a))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::Network {
            servers,
            auto: None,
        })
    }
}

/// Checks seats out for one application on this machine. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    backend: Backend,
    identity: Identity,
    app_name: String,
    app_version: String,
    /// Where loans are kept (`None`: the default place).
    loans: Option<loans::Loans>,
    /// The vendor keys a loan's chain must verify with, offline.
    vendor_keys: Vec<VendorPublicKey>,
    /// How often a borrowed seat in use looks whether its loan ended.
    loan_check: std::time::Duration,
}

impl Client {
    /// Starts building a client.
    #[must_use]
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client as the end user set this machine up (see [`settings`]):
    /// standalone with the license file verified against `vendor_key` (the
    /// `LHPK-…` text of the vendor's public key), or network (auto or the
    /// servers listed). `LEASEHOLD_SERVER` overrides for one run;
    /// `LEASEHOLD_CLIENT_CONFIG` names another settings file.
    ///
    /// # Errors
    ///
    /// [`StandaloneError::BadVendorKey`] if `vendor_key` is not a public
    /// key, else as [`ClientBuilder::build`].
    pub fn from_settings(
        app_name: &str,
        app_version: &str,
        vendor_key: &str,
    ) -> Result<Self, ClientError> {
        let vendor_key: VendorPublicKey = vendor_key
            .parse()
            .map_err(|source| StandaloneError::BadVendorKey { source })?;
        Self::builder()
            .app(app_name, app_version)
            .vendor_key(vendor_key)
            .settings_file(None)
            .build()
    }

    /// True in standalone mode (no server is asked).
    #[must_use]
    pub fn is_standalone(&self) -> bool {
        matches!(self.backend, Backend::Standalone { .. })
    }

    /// Who this client says it is.
    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The servers configured by hand, in order (in auto mode: the
    /// fallback addresses; none in standalone mode).
    #[must_use]
    pub fn servers(&self) -> &[ServerApi] {
        match &self.backend {
            Backend::Network { servers, .. } => servers,
            Backend::Standalone { .. } => &[],
        }
    }

    /// The servers to use now, best first. In auto mode this discovers (or
    /// reuses the server found before).
    ///
    /// # Errors
    ///
    /// [`ClientError::NoServerFound`] in auto mode when nothing answers and
    /// nothing is configured; [`ClientError::NoServer`] in standalone mode.
    pub async fn resolve_servers(&self) -> Result<Vec<ServerApi>, ClientError> {
        match &self.backend {
            Backend::Network {
                auto: Some(auto), ..
            } => auto.servers().await,
            Backend::Network { servers, .. } => Ok(servers.clone()),
            Backend::Standalone { .. } => Err(ClientError::NoServer),
        }
    }

    /// The first server that answers, and its hello.
    ///
    /// # Errors
    ///
    /// The last server's error if none answers (see [`ServerApi::hello`]);
    /// [`ClientError::NoServer`] in standalone mode.
    pub async fn hello(&self) -> Result<(ServerApi, Hello), ClientError> {
        let mut last = ClientError::NoServer;
        for server in &self.resolve_servers().await? {
            match server.hello().await {
                Ok(hello) => return Ok((server.clone(), hello)),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The request a checkout of `product` sends.
    #[must_use]
    pub fn checkout_request(&self, product: impl Into<Product>) -> CheckoutRequest {
        CheckoutRequest {
            product: product.into(),
            client_id: self.identity.client_id.clone(),
            user: self.identity.user.clone(),
            host: self.identity.host.clone(),
            app_name: self.app_name.clone(),
            app_version: self.app_version.clone(),
            computer: Some(self.identity.computer).filter(|c| !c.is_unknown()),
            wait: false,
            units: None,
        }
    }

    /// Checks a seat of `product` out and, in network mode, starts renewing
    /// it. Tries the servers in order, moving on only from one that cannot
    /// be reached; in auto mode, discovers again if the server found before
    /// does not answer. In standalone mode, verifies the license file (a
    /// guard that stays `Held` for the license's life; release does nothing).
    ///
    /// # Errors
    ///
    /// [`ClientError::NoSeatFree`] (with seats, in use and when to retry),
    /// [`ClientError::NoLicense`], [`ClientError::NoValidLicense`],
    /// [`ClientError::Unreachable`] (within seconds),
    /// [`ClientError::NoServerFound`] (auto mode), the rest of
    /// [`ServerApi::checkout`]'s errors, and in standalone mode
    /// [`ClientError::Standalone`] saying what is wrong with the file.
    pub async fn checkout(&self, product: impl Into<Product>) -> Result<LeaseGuard, ClientError> {
        self.checkout_with(self.checkout_request(product)).await
    }

    /// [`Client::checkout`] of `units` of an element pool (`vendor issue
    /// --units N`: cores, modules), held while the guard lives; granted only
    /// when that many are free.
    ///
    /// # Errors
    /// As [`Client::checkout`], and the server's `not_a_unit_pool`,
    /// `too_many_units` ([`ClientError::Server`]).
    pub async fn checkout_units(
        &self,
        product: impl Into<Product>,
        units: u32,
    ) -> Result<LeaseGuard, ClientError> {
        let mut request = self.checkout_request(product);
        request.units = Some(units).filter(|u| *u != 1);
        self.checkout_with(request).await
    }

    async fn checkout_with(&self, request: CheckoutRequest) -> Result<LeaseGuard, ClientError> {
        // A seat borrowed by this computer is used first, with no server.
        if matches!(self.backend, Backend::Network { .. })
            && request.units.is_none()
            && let Some(guard) = self.checkout_on_loan(&request.product).await
        {
            return Ok(guard);
        }
        let (servers, auto) = match &self.backend {
            Backend::Standalone {
                license_file,
                vendor_keys,
                clock_state,
            } => {
                return self.checkout_standalone(
                    license_file,
                    vendor_keys,
                    clock_state.as_deref(),
                    request.product,
                );
            }
            Backend::Network {
                servers,
                auto: None,
            } => (servers.clone(), None),
            Backend::Network {
                auto: Some(auto), ..
            } => (auto.servers().await?, Some(Arc::clone(auto))),
        };
        let (servers, (index, grant)) = match (
            guard::checkout_any(&servers, 0, &request).await,
            &auto,
        ) {
            (Err(e), Some(auto)) if e.is_unreachable() => {
                tracing::debug!(error = %e, "the server found before does not answer; discovering again");
                let servers = auto.rediscover().await?;
                let granted = guard::checkout_any(&servers, 0, &request).await?;
                (servers, granted)
            }
            (outcome, _) => (servers, outcome?),
        };
        tracing::debug!(lease = %grant.lease_id, product = %grant.product, "seat checked out");
        Ok(LeaseGuard::start(servers, index, request, grant, auto))
    }

    fn checkout_standalone(
        &self,
        license_file: &std::path::Path,
        vendor_keys: &[VendorPublicKey],
        clock_file: Option<&std::path::Path>,
        product: Product,
    ) -> Result<LeaseGuard, ClientError> {
        let machine = identity::machine_id()?;
        let now = Timestamp::now();
        let latest = clock_file.and_then(clock_state::latest_seen);
        let verified = standalone::verify_file(license_file, vendor_keys, &machine, now, latest);
        if let Some(path) = clock_file {
            clock_state::note(path, now);
        }
        let license = verified?;
        if license.terms.product != product {
            return Err(StandaloneError::WrongProduct {
                path: license.path,
                licensed: license.terms.product,
                asked: product,
            }
            .into());
        }
        tracing::debug!(product = %product, file = %license.path.display(), "standalone license verified");
        Ok(LeaseGuard::standalone(license))
    }
}
