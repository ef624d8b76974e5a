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

/// How a client reaches each of its servers: the vendor keys their licence
/// must verify with, and the certificates trusted for `https://` ones.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reach {
    pub vendor_keys: Vec<VendorPublicKey>,
    /// SHA-256 fingerprints; none: the system's roots.
    pub pins: Vec<[u8; 32]>,
}

impl Reach {
    /// The server at `addr`, reached this way.
    pub(crate) fn server(&self, addr: &str) -> Result<ServerApi, ClientError> {
        Ok(ServerApi::with_pins(addr, &self.pins)?.trusting(&self.vendor_keys))
    }
}

/// One lease server. Cheap to clone; clones share the connection settings and
/// the server's key once learned.
#[derive(Clone, Debug)]
pub struct ServerApi {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// `http(s)://host:port/`, the root the `/v1/…` paths are joined to.
    base: Url,
    /// `host:port` (`https://host:port` over TLS), as shown in errors and
    /// logs.
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
    /// `[v6::addr]:port`, or the same with `http://` in front; with
    /// `https://`, TLS checked against the system's roots.
    ///
    /// # Errors
    ///
    /// [`ClientError::InvalidAddress`] for anything else.
    pub fn new(addr: &str) -> Result<Self, ClientError> {
        Self::with_pins(addr, &[])
    }

    /// As [`new`](Self::new), but an `https://` server must show a
    /// certificate whose SHA-256 is one of `fingerprints` (`AB:CD:…`: a
    /// certificate the server made itself, as `leasehold admin status`
    /// shows it). Without any the system's roots decide; plain `http://`
    /// addresses ignore them.
    ///
    /// # Errors
    ///
    /// [`ClientError::InvalidFingerprint`] for one that is not a SHA-256
    /// fingerprint (64 hex digits, colons allowed),
    /// [`ClientError::InvalidAddress`] for an address that cannot be used.
    pub fn with_fingerprints(
        addr: &str,
        fingerprints: &[impl AsRef<str>],
    ) -> Result<Self, ClientError> {
        Self::with_pins(addr, &parse_pins(fingerprints)?)
    }

    pub(crate) fn with_pins(addr: &str, pins: &[[u8; 32]]) -> Result<Self, ClientError> {
        let base = parse_address(addr)?;
        let tls = base.scheme() == "https";
        let display = match (base.host_str(), base.port_or_known_default(), tls) {
            (Some(host), Some(port), false) => format!("{host}:{port}"),
            (Some(host), Some(port), true) => format!("https://{host}:{port}"),
            _ => addr.trim().to_owned(),
        };
        let invalid = |detail: String| ClientError::InvalidAddress {
            address: addr.to_owned(),
            detail,
        };
        let builder = if tls && !pins.is_empty() {
            leasehold_http::pinned_to(pins).map_err(invalid)?
        } else {
            leasehold_http::client()
        };
        // Renewals are minutes apart, so pooled connections buy nothing, and
        // a fresh connection each time follows a server that restarted.
        // A license server is on the LAN: never go through an HTTP proxy.
        // A licence server never redirects; following one could leave TLS.
        let http = builder
            .redirect(reqwest::redirect::Policy::none())
            .https_only(tls)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .pool_max_idle_per_host(0)
            .no_proxy()
            .user_agent(concat!("leasehold-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| invalid(format!("cannot set up the HTTP client: {e}")))?;
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

    /// The server's address as `host:port` (`https://host:port` over TLS).
    #[must_use]
    pub fn address(&self) -> &str {
        &self.inner.display
    }

    /// Whether it is asked over TLS (an `https://` address).
    #[must_use]
    pub fn uses_tls(&self) -> bool {
        self.inner.base.scheme() == "https"
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
        request.send().await.map_err(|e| self.unreachable(&e))
    }

    /// A request that got no answer: a certificate refused, or no server.
    fn unreachable(&self, e: &reqwest::Error) -> ClientError {
        let server = self.inner.display.clone();
        match leasehold_http::certificate_refusal(e) {
            Some(detail) => {
                // Seen, whatever the caller does next: it may be a server
                // pretending to be this one.
                tracing::warn!(%server, %detail, "a server's certificate was refused; nothing was sent to it");
                ClientError::UntrustedCertificate { server, detail }
            }
            None => ClientError::Unreachable {
                server,
                detail: error_chain(e),
            },
        }
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

/// `host:port`, `host` or `http://host:port` → `http://host:port/`;
/// `https://host[:port]` → `https://host:port/`.
fn parse_address(addr: &str) -> Result<Url, ClientError> {
    let invalid = |detail: &str| ClientError::InvalidAddress {
        address: addr.to_owned(),
        detail: detail.to_owned(),
    };
    let whole = addr.trim();
    // One trailing slash may go ("http://h:1/"), never the scheme's own.
    let trimmed = whole
        .strip_suffix('/')
        .filter(|t| !t.ends_with('/'))
        .unwrap_or(whole);
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
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "Leasehold servers speak http:// (and https:// where TLS is on)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host; expected HOST:PORT"));
    }
    if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
        return Err(invalid(
            "expected only HOST:PORT, without path, query or user",
        ));
    }
    // `https://h:443` has its port, though the URL drops a scheme's own.
    if url.port().is_none() && !names_a_port(&with_scheme) {
        url.set_port(Some(DEFAULT_PORT))
            .map_err(|()| invalid("cannot carry a port"))?;
    }
    Ok(url)
}

/// Whether `scheme://authority…` writes a port (`h:1`, `[v6]:1`).
fn names_a_port(with_scheme: &str) -> bool {
    let authority = with_scheme
        .split_once("://")
        .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
    let after_host = authority
        .rsplit_once(']')
        .map_or(authority, |(_, tail)| tail);
    after_host.contains(':')
}

/// Certificate fingerprints as text → their 32 bytes.
pub(crate) fn parse_pins(fingerprints: &[impl AsRef<str>]) -> Result<Vec<[u8; 32]>, ClientError> {
    fingerprints
        .iter()
        .map(|f| leasehold_http::parse_fingerprint(f.as_ref()))
        .collect::<Result<_, _>>()
        .map_err(|detail| ClientError::InvalidFingerprint { detail })
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
        assert_eq!(base("https://lic-server"), "https://lic-server:7878/");
        assert_eq!(base("HTTPS://[::1]:9000/"), "https://[::1]:9000/");
        // A scheme's own port, written, is kept (not 7878).
        assert_eq!(
            base("https://lic.example.com:443"),
            "https://lic.example.com/"
        );
        assert_eq!(base("http://[::1]:80"), "http://[::1]/");
        assert_eq!(base("https://[::1]"), "https://[::1]:7878/");
    }

    #[test]
    fn bad_addresses_are_refused_with_a_reason() {
        for bad in [
            "",
            "https://x:1/v1",
            "x:1/path",
            "x:notaport",
            "ftp://x",
            "https://",
        ] {
            let err = parse_address(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_address", "{bad}");
        }
    }

    #[test]
    fn display_address_is_host_port_and_says_https() {
        assert_eq!(
            ServerApi::new("10.1.2.3").unwrap().address(),
            "10.1.2.3:7878"
        );
        assert_eq!(
            ServerApi::with_pins("https://10.1.2.3", &[[7; 32]])
                .unwrap()
                .address(),
            "https://10.1.2.3:7878"
        );
    }
}
