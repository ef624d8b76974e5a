//! Auto mode: find a server over mDNS, use the first one that answers its
//! hello, remember it for a fast next start, and find one again when it stops
//! answering. Manual addresses, if any, are tried after it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leasehold_core::wire::PROTOCOL_VERSION;
use tokio::sync::Mutex;

use crate::api::{Reach, ServerApi};
use crate::discovery::{Browser, DiscoveryEvent, FoundServer};
use crate::error::ClientError;
use crate::settings::Remembered;

/// How long auto mode browses before giving up on finding a server.
pub const DEFAULT_DISCOVERY_TIMEOUT: Duration = Duration::from_secs(3);

/// How [`ServerSource::Auto`](crate::ServerSource::Auto) finds its server.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AutoDiscovery {
    /// How long to browse before giving up.
    pub timeout: Duration,
    /// The state file remembering the last server found; `None` remembers
    /// nothing across runs.
    pub remember: Option<PathBuf>,
    /// `host:port` addresses tried after the discovered server, or alone
    /// when discovery finds nothing.
    pub fallback: Vec<String>,
}

impl Default for AutoDiscovery {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_DISCOVERY_TIMEOUT,
            remember: None,
            fallback: Vec::new(),
        }
    }
}

impl AutoDiscovery {
    /// Discover with the default timeout, remember nothing, no fallback.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Browses at most `timeout`.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Remembers the server found in this state file (and tries it first).
    #[must_use]
    pub fn remember_in(mut self, state_file: impl Into<PathBuf>) -> Self {
        self.remember = Some(state_file.into());
        self
    }

    /// Addresses to try after discovery.
    #[must_use]
    pub fn fallback(mut self, servers: Vec<String>) -> Self {
        self.fallback = servers;
        self
    }
}

/// The running side of auto mode, shared by a client and its guards.
#[derive(Debug)]
pub(crate) struct AutoResolver {
    config: AutoDiscovery,
    /// Every server is asked to show a licence signed with its vendor keys.
    reach: Reach,
    fallback: Vec<ServerApi>,
    /// The server found and answering, if any. An async lock: resolving holds
    /// it across the browse, so concurrent callers wait for one discovery.
    current: Mutex<Option<ServerApi>>,
}

impl AutoResolver {
    pub(crate) fn new(config: AutoDiscovery, reach: Reach) -> Result<Arc<Self>, ClientError> {
        let fallback = config
            .fallback
            .iter()
            .map(|a| reach.server(a))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Arc::new(Self {
            config,
            reach,
            fallback,
            current: Mutex::new(None),
        }))
    }

    /// The addresses configured by hand, tried after the one found.
    pub(crate) fn fallback(&self) -> &[ServerApi] {
        &self.fallback
    }

    /// The servers to use now, best first: the one found (found now if need
    /// be), then the fallback addresses.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoServerFound`] when nothing was found and there is no
    /// fallback.
    pub(crate) async fn servers(&self) -> Result<Vec<ServerApi>, ClientError> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.find(true).await;
        }
        self.list(current.as_ref())
    }

    /// Forgets the server in use (it stopped answering) and finds one again,
    /// skipping the remembered address.
    ///
    /// # Errors
    ///
    /// As [`servers`](Self::servers).
    pub(crate) async fn rediscover(&self) -> Result<Vec<ServerApi>, ClientError> {
        let mut current = self.current.lock().await;
        *current = self.find(false).await;
        self.list(current.as_ref())
    }

    fn list(&self, found: Option<&ServerApi>) -> Result<Vec<ServerApi>, ClientError> {
        let mut list: Vec<ServerApi> = found.into_iter().cloned().collect();
        for server in &self.fallback {
            if !list.iter().any(|s| s.address() == server.address()) {
                list.push(server.clone());
            }
        }
        if list.is_empty() {
            return Err(ClientError::NoServerFound {
                waited: self.config.timeout,
            });
        }
        Ok(list)
    }

    /// The remembered server if it answers (when `use_remembered`), else the
    /// first discovered server that answers its hello; remembers it.
    async fn find(&self, use_remembered: bool) -> Option<ServerApi> {
        if use_remembered
            && let Some(state) = self.config.remember.as_deref().and_then(Remembered::load)
            && let Ok(api) = self.reach.server(&state.address)
        {
            match api.hello().await {
                Ok(hello) if hello.protocol_version == PROTOCOL_VERSION => {
                    tracing::debug!(server = %state.address, "the remembered server answers");
                    return Some(api);
                }
                Ok(_) => {
                    tracing::debug!(server = %state.address, "the remembered server speaks another protocol")
                }
                Err(e) => {
                    tracing::debug!(server = %state.address, error = %e, "the remembered server does not answer")
                }
            }
        }
        let (api, found) = self.discover_answering().await?;
        if let Some(path) = &self.config.remember {
            let state = Remembered {
                address: api.address().to_owned(),
                server_id: found.server_id.clone(),
                server_name: found.name.clone(),
            };
            if let Err(e) = state.save(path) {
                tracing::warn!(path = %path.display(), error = %e, "cannot remember the server found");
            }
        }
        Some(api)
    }

    /// Browses until a server answers its hello on one of its addresses, or
    /// the timeout.
    async fn discover_answering(&self) -> Option<(ServerApi, FoundServer)> {
        let mut browser = match Browser::start() {
            Ok(browser) => browser,
            Err(e) => {
                tracing::warn!(error = %e, "mDNS discovery cannot run");
                return None;
            }
        };
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        let mut answer = None;
        while let Ok(Some(event)) = tokio::time::timeout_at(deadline, browser.next_event()).await {
            let DiscoveryEvent::Updated(found) = event else {
                continue;
            };
            if found.protocol_version != PROTOCOL_VERSION {
                tracing::debug!(server = %found.name, proto = found.protocol_version, "skipping a server with another protocol");
                continue;
            }
            if let Some(api) = first_answering(&found, &self.reach).await {
                tracing::info!(server = %found.name, address = api.address(), "found a Leasehold server");
                answer = Some((api, found));
                break;
            }
        }
        browser.close().await;
        answer
    }
}

/// The first of `found`'s addresses that answers a hello.
async fn first_answering(found: &FoundServer, reach: &Reach) -> Option<ServerApi> {
    for addr in &found.addresses {
        // A client that trusts certificates by fingerprint wants TLS: it
        // asks what it finds over HTTPS too (a server without TLS, or with
        // another certificate, is passed by), never plain.
        let address = if reach.pins.is_empty() {
            addr.to_string()
        } else {
            format!("https://{addr}")
        };
        let Ok(api) = reach.server(&address) else {
            continue;
        };
        match api.hello().await {
            Ok(hello) if hello.server_id.to_string() == found.server_id => return Some(api),
            Ok(hello) => {
                tracing::debug!(%addr, id = %hello.server_id, "another server answers there")
            }
            Err(e) => tracing::debug!(%addr, error = %e, "no hello"),
        }
    }
    None
}
