//! A typed HTTP client for one lease server's client protocol (`/v1/…`):
//! hello, checkout, renew, release. Error answers become [`ClientError`]s and
//! every grant's signature is checked against the key the server announced.

use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::VerifyingKey;
use leasehold_core::LeaseId;
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::client::{CheckoutRequest, Hello, LeaseGrant, Released};
use reqwest::{Response, Url};
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

use crate::error::ClientError;
use answers::{ErrorAnswer, checkout_error, lease_error, other_error};
use trust::ChainTrust;

mod answers;
mod features;
mod queue;
mod trust;
pub(crate) mod usage;

use leasehold_core::license::VendorPublicKey;
use leasehold_core::wire::PROTOCOL_VERSION;
pub use queue::Waiting;

/// The header that tells the server which protocol this client speaks (an
/// SDK without it is an old one, and is told to update).
pub const PROTOCOL_HEADER: &str = "leasehold-protocol";

/// The port a server listens on when an address names none.
pub const DEFAULT_PORT: u16 = 7878;
/// How long to wait for a TCP connection: a server that is down is reported
/// in seconds, not minutes.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one request may take in all.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One lease server. Cheap to clone; clones share the connection settings and
/// the server's key once learned.
#[derive(Clone, Debug)]
pub struct ServerApi {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// `http://host:port/`, the root the `/v1/…` paths are joined to.
    base: Url,
    /// `host:port`, as shown in errors and logs.
    display: String,
    http: reqwest::Client,
    /// The key grants must be signed with: from the first hello, or pinned
    /// by the application. Trusted only with a chain that verifies.
    server_key: OnceCell<VerifyingKey>,
    /// The vendor keys and the chains that verified (see `trust.rs`).
    trust: ChainTrust,
}

impl ServerApi {
    /// A client for the server at `addr`: `host:port`, `host` (port 7878),
    /// `[v6::addr]:port`, or the same with `http://` in front.
    ///
    /// # Errors
    ///
    /// [`ClientError::InvalidAddress`] for anything else (including
    /// `https://`: the server speaks plain HTTP on the LAN).
    pub fn new(addr: &str) -> Result<Self, ClientError> {
        let base = parse_address(addr)?;
        let display = match (base.host_str(), base.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            _ => addr.trim().to_owned(),
        };
        // Renewals are minutes apart, so pooled connections buy nothing, and
        // a fresh connection each time follows a server that restarted.
        // A license server is on the LAN: never go through an HTTP proxy.
        let http = leasehold_http::client()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .pool_max_idle_per_host(0)
            .no_proxy()
            .user_agent(concat!("leasehold-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::InvalidAddress {
                address: addr.to_owned(),
                detail: format!("cannot set up the HTTP client: {e}"),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                base,
                display,
                http,
                server_key: OnceCell::new(),
                trust: ChainTrust::default(),
            }),
        })
    }

    /// Checks out seats only from a server that shows a licence signed by
    /// one of these vendor keys (and activated for it, if the licence needs
    /// that). Without any, checkouts fail with [`ClientError::NoVendorKey`].
    #[must_use]
    pub fn trusting(self, vendor_keys: &[VendorPublicKey]) -> Self {
        let inner = Inner {
            base: self.inner.base.clone(),
            display: self.inner.display.clone(),
            http: self.inner.http.clone(),
            server_key: OnceCell::new_with(self.inner.server_key.get().copied()),
            trust: ChainTrust::new(vendor_keys.to_vec()),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Trusts only this key (hex Ed25519 public key) for grants instead of
    /// the one the server announces in its hello.
    ///
    /// # Errors
    ///
    /// [`ClientError::Protocol`] if `hex_key` is not a valid public key.
    pub fn pin_server_key(self, hex_key: &str) -> Result<Self, ClientError> {
        let key = parse_public_key(hex_key).map_err(|detail| ClientError::Protocol {
            server: self.inner.display.clone(),
            detail: format!("pinned server key: {detail}"),
        })?;
        // A fresh handle: clones made earlier keep their own key.
        let inner = Inner {
            base: self.inner.base.clone(),
            display: self.inner.display.clone(),
            http: self.inner.http.clone(),
            server_key: OnceCell::new_with(Some(key)),
            trust: ChainTrust::new(self.inner.trust.vendor_keys().to_vec()),
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The server's address as `host:port`.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.inner.display
    }

    /// `GET /v1/hello`: who the server is. Also learns its grant-signing key
    /// if none is known yet.
    ///
    /// # Errors
    ///
    /// [`ClientError::Unreachable`] if the server cannot be reached in time,
    /// [`ClientError::Protocol`] for an answer that is not a valid hello,
    /// [`ClientError::Server`] for an error answer.
    pub async fn hello(&self) -> Result<Hello, ClientError> {
        let response = self
            .send(self.inner.http.get(self.url("v1/hello")?))
            .await?;
        let hello: Hello = self.read(response).await?;
        if hello.protocol_version != PROTOCOL_VERSION {
            return Err(ClientError::ProtocolVersion {
                server: self.inner.display.clone(),
                theirs: hello.protocol_version,
                ours: PROTOCOL_VERSION,
            });
        }
        let key = parse_public_key(&hello.server_public_key)
            .map_err(|detail| self.protocol(format!("server key in hello: {detail}")))?;
        // Keeps the first key learned (or the pinned one).
        let _known = self.inner.server_key.get_or_init(|| async { key }).await;
        Ok(hello)
    }

    /// `POST /v1/checkout`: asks for a seat.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoSeatFree`] (with seats, in use and when to retry),
    /// [`ClientError::NoLicense`], [`ClientError::NoValidLicense`],
    /// [`ClientError::BadGrantSignature`] for a grant that does not verify,
    /// [`ClientError::Unreachable`], [`ClientError::Protocol`],
    /// [`ClientError::Server`].
    pub async fn checkout(&self, request: &CheckoutRequest) -> Result<LeaseGrant, ClientError> {
        let key = self.server_key().await?;
        self.ensure_trusted(&request.product, &key, None).await?;
        let response = self
            .send(
                self.inner
                    .http
                    .post(self.url("v1/checkout")?)
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION)
                    .json(request),
            )
            .await?;
        let grant: LeaseGrant = self
            .read_with(response, |body| checkout_error(request, body))
            .await?;
        self.accept(&key, request, grant).await
    }

    /// A grant for `request` as the server sent it, checked: for what was
    /// asked, signed by the server's key, from a server still trusted.
    async fn accept(
        &self,
        key: &VerifyingKey,
        request: &CheckoutRequest,
        grant: LeaseGrant,
    ) -> Result<LeaseGrant, ClientError> {
        if grant.product != request.product || grant.client_id != request.client_id {
            return Err(self.protocol(format!(
                "grant is for {} / {}, not the {} / {} asked for",
                grant.product, grant.client_id, request.product, request.client_id
            )));
        }
        self.verify(key, &grant).await?;
        self.still_trusted(key, &grant).await?;
        Ok(grant)
    }

    /// `POST /v1/leases/{id}/renew`: extends a lease.
    ///
    /// # Errors
    ///
    /// [`ClientError::LeaseLost`] when the server no longer holds the lease
    /// (check out again), [`ClientError::OverSubscribed`] when it will not
    /// renew it, [`ClientError::BadGrantSignature`],
    /// [`ClientError::Unreachable`], [`ClientError::Protocol`],
    /// [`ClientError::Server`].
    pub async fn renew(&self, lease_id: LeaseId) -> Result<LeaseGrant, ClientError> {
        let key = self.server_key().await?;
        let url = self.url(&format!("v1/leases/{lease_id}/renew"))?;
        let response = self
            .send(
                self.inner
                    .http
                    .post(url)
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION),
            )
            .await?;
        let grant: LeaseGrant = self
            .read_with(response, |body| lease_error(lease_id, body))
            .await?;
        if grant.lease_id != lease_id {
            return Err(self.protocol(format!(
                "renewed lease {} instead of {lease_id}",
                grant.lease_id
            )));
        }
        self.verify(&key, &grant).await?;
        self.still_trusted(&key, &grant).await?;
        Ok(grant)
    }

    /// `POST /v1/leases/{id}/release`: gives a seat back. Idempotent:
    /// releasing a lease that is already gone answers `was_held: false`.
    ///
    /// # Errors
    ///
    /// [`ClientError::Unreachable`], [`ClientError::Protocol`],
    /// [`ClientError::Server`].
    pub async fn release(&self, lease_id: LeaseId) -> Result<Released, ClientError> {
        let url = self.url(&format!("v1/leases/{lease_id}/release"))?;
        let response = self.send(self.inner.http.post(url)).await?;
        self.read_with(response, |body| lease_error(lease_id, body))
            .await
    }

    /// The key grants must be signed with, asking the server once if needed.
    async fn server_key(&self) -> Result<VerifyingKey, ClientError> {
        if let Some(key) = self.inner.server_key.get() {
            return Ok(*key);
        }
        self.hello().await?;
        self.inner
            .server_key
            .get()
            .copied()
            .ok_or_else(|| self.protocol("the hello did not yield a server key".into()))
    }

    /// Checks the server's signature on a grant. A grant that does not
    /// verify is refused, and its lease is released (best effort): a seat
    /// this client will never use must not stay taken until it expires.
    async fn verify(&self, key: &VerifyingKey, grant: &LeaseGrant) -> Result<(), ClientError> {
        if grant.verify(key) {
            return Ok(());
        }
        let server = self.inner.display.clone();
        tracing::warn!(
            %server,
            lease = %grant.lease_id,
            "a grant with a bad signature was refused (a spoofed server or a changed key); releasing its lease"
        );
        if let Err(e) = self.release(grant.lease_id).await {
            tracing::warn!(%server, error = %e, "releasing the lease of a refused grant failed; it will expire");
        }
        Err(ClientError::BadGrantSignature { server })
    }

    fn url(&self, path: &str) -> Result<Url, ClientError> {
        self.inner
            .base
            .join(path)
            .map_err(|e| self.protocol(format!("cannot build the URL for {path}: {e}")))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Response, ClientError> {
        request.send().await.map_err(|e| ClientError::Unreachable {
            server: self.inner.display.clone(),
            detail: error_chain(&e),
        })
    }

    async fn read<T: DeserializeOwned>(&self, response: Response) -> Result<T, ClientError> {
        self.read_with(response, other_error).await
    }

    /// Reads a success body as `T`, or an error body mapped by `on_error`.
    async fn read_with<T: DeserializeOwned>(
        &self,
        response: Response,
        on_error: impl FnOnce(ErrorAnswer) -> ClientError,
    ) -> Result<T, ClientError> {
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::Unreachable {
                server: self.inner.display.clone(),
                detail: format!("reading the answer: {}", error_chain(&e)),
            })?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|e| self.protocol(format!("HTTP {status} with an unreadable body: {e}")));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(on_error(ErrorAnswer { status, body })),
            Err(_) => Err(self.protocol(format!("HTTP {status} without a Leasehold error body"))),
        }
    }

    fn protocol(&self, detail: String) -> ClientError {
        ClientError::Protocol {
            server: self.inner.display.clone(),
            detail,
        }
    }
}

/// `host:port`, `host` or `http://host:port` → `http://host:port/`.
fn parse_address(addr: &str) -> Result<Url, ClientError> {
    let invalid = |detail: &str| ClientError::InvalidAddress {
        address: addr.to_owned(),
        detail: detail.to_owned(),
    };
    let trimmed = addr.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(invalid("empty; expected HOST:PORT"));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("http://{trimmed}")
    };
    let mut url =
        Url::parse(&with_scheme).map_err(|e| invalid(&format!("{e}; expected HOST:PORT")))?;
    if url.scheme() != "http" {
        return Err(invalid("only http:// is spoken by Leasehold servers"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host; expected HOST:PORT"));
    }
    if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
        return Err(invalid(
            "expected only HOST:PORT, without path, query or user",
        ));
    }
    if url.port().is_none() {
        url.set_port(Some(DEFAULT_PORT))
            .map_err(|()| invalid("cannot carry a port"))?;
    }
    Ok(url)
}

fn parse_public_key(hex_key: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = hex::decode(hex_key.trim())
        .map_err(|e| format!("not hex: {e}"))?
        .try_into()
        .map_err(|b: Vec<u8>| format!("{} bytes, expected 32", b.len()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("not an Ed25519 public key: {e}"))
}

/// An error and its sources on one line ("connection refused" sits deep).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(addr: &str) -> String {
        parse_address(addr).unwrap().to_string()
    }

    #[test]
    fn addresses_in_every_accepted_spelling() {
        assert_eq!(base("127.0.0.1:7000"), "http://127.0.0.1:7000/");
        assert_eq!(base(" lic-server "), "http://lic-server:7878/");
        assert_eq!(base("http://lic-server:9000/"), "http://lic-server:9000/");
        assert_eq!(base("[::1]:7000"), "http://[::1]:7000/");
        assert_eq!(base("[::1]"), "http://[::1]:7878/");
    }

    #[test]
    fn bad_addresses_are_refused_with_a_reason() {
        for bad in ["", "https://x:1", "x:1/path", "x:notaport", "ftp://x"] {
            let err = parse_address(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_address", "{bad}");
        }
    }

    #[test]
    fn display_address_is_host_port() {
        assert_eq!(
            ServerApi::new("10.1.2.3").unwrap().address(),
            "10.1.2.3:7878"
        );
    }
}
