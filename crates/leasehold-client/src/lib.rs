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

pub mod api;
pub mod discovery;
pub mod error;
pub mod guard;
pub mod identity;

pub use api::{DEFAULT_PORT, ServerApi};
pub use error::{ClientError, LeaseEnd};
pub use guard::{LeaseGuard, LostReason, ReleaseOutcome, SeatState};
pub use identity::{Identity, IdentityError};
pub use leasehold_core::wire::client::{CheckoutRequest, Hello, LeaseGrant, Released};
pub use leasehold_core::{ClientId, LeaseId, Product, Timestamp};

/// The environment variable naming a server (`host:port`) for one run.
pub const SERVER_ENV: &str = "LEASEHOLD_SERVER";

/// Where the client finds its server.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerSource {
    /// These addresses (`host:port`), tried in order: the first that answers
    /// is used.
    Manual(Vec<String>),
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
    app_name: String,
    app_version: String,
    client_id: Option<ClientId>,
    user: Option<String>,
    host: Option<String>,
}

impl ClientBuilder {
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
    /// [`ClientError::Identity`] if a default identity part is not found.
    pub fn build(self) -> Result<Client, ClientError> {
        let addresses = match self.source {
            Some(ServerSource::Manual(list)) => list,
            None => self.servers,
        };
        if addresses.is_empty() {
            return Err(ClientError::NoServer);
        }
        let servers = addresses
            .iter()
            .map(|a| ServerApi::new(a))
            .collect::<Result<Vec<_>, _>>()?;
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
            servers,
            identity: Identity {
                client_id,
                user,
                host,
            },
            app_name: self.app_name,
            app_version: self.app_version,
        })
    }
}

/// Checks seats out for one application on this machine. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    /// In order of preference.
    servers: Vec<ServerApi>,
    identity: Identity,
    app_name: String,
    app_version: String,
}

impl Client {
    /// Starts building a client.
    #[must_use]
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Who this client says it is.
    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The servers it uses, in order.
    #[must_use]
    pub fn servers(&self) -> &[ServerApi] {
        &self.servers
    }

    /// The first server that answers, and its hello.
    ///
    /// # Errors
    ///
    /// The last server's error if none answers (see [`ServerApi::hello`]).
    pub async fn hello(&self) -> Result<(ServerApi, Hello), ClientError> {
        let mut last = ClientError::NoServer;
        for server in &self.servers {
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
        }
    }

    /// Checks a seat of `product` out and starts renewing it. Tries the
    /// servers in order, moving on only from one that cannot be reached.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoSeatFree`] (with seats, in use and when to retry),
    /// [`ClientError::NoLicense`], [`ClientError::NoValidLicense`],
    /// [`ClientError::Unreachable`] (within seconds), and the rest of
    /// [`ServerApi::checkout`]'s errors.
    pub async fn checkout(&self, product: impl Into<Product>) -> Result<LeaseGuard, ClientError> {
        let request = self.checkout_request(product);
        let (index, grant) = guard::checkout_any(&self.servers, 0, &request).await?;
        tracing::debug!(lease = %grant.lease_id, product = %grant.product, "seat checked out");
        Ok(LeaseGuard::start(
            self.servers.clone(),
            index,
            request,
            grant,
        ))
    }
}
