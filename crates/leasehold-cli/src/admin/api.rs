//! The admin API as `leasehold admin` calls it: finds the server and its token
//! (flags, environment, or the data directory of a local server), sends typed
//! requests, and turns every failure into a sentence that says what to do.

use super::Target;
use anyhow::{Context, Result, anyhow};
use leasehold_core::wire::ErrorBody;
use leasehold_service::{DataDir, TokenError};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a plain (non-streaming) admin call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection to one server's admin API.
pub struct AdminApi {
    http: reqwest::Client,
    /// `http://host:port`, no trailing slash.
    base: String,
    token: String,
    /// Where the address came from, for error messages ("from --server",
    /// "from DIR/listen-address").
    origin: String,
}

/// Reads the admin token a server keeps in `data_dir`.
///
/// # Errors
/// When the file is missing (no server ever started there) or unreadable,
/// with what to do.
pub fn read_token(data_dir: &Path) -> Result<String> {
    DataDir::new(data_dir).admin_token().map_err(|e| match e {
        TokenError::Missing { .. } => anyhow!(
            "{e}; a server makes one on its first start: run `leasehold serve --data-dir {}` once",
            data_dir.display()
        ),
        TokenError::Empty { .. } => anyhow!("{e}; restart the server to write it again"),
        TokenError::NotAllowed { .. } => {
            anyhow!("{e}; run this as the user the server runs as")
        }
        TokenError::Io { .. } => anyhow!("{e}"),
    })
}

fn data_dir(target: &Target) -> Result<PathBuf> {
    crate::paths::admin_data_dir(target.data_dir.clone())
}

impl AdminApi {
    /// Finds the server: `--server`, else the `listen-address` file of the
    /// data directory; the token: `--token` / `LEASEHOLD_ADMIN_TOKEN`, else
    /// the data directory's token file.
    ///
    /// # Errors
    /// When no server address or token can be found.
    pub fn connect(target: &Target) -> Result<Self> {
        let (address, origin) = match &target.server {
            Some(server) => (server.trim().to_owned(), "--server".to_owned()),
            None => {
                let dir = DataDir::new(data_dir(target)?);
                let file = dir.address_file();
                let no_server = |why: &str| {
                    anyhow!(
                        "no server running on this data directory ({why}); start one with `leasehold serve --data-dir {}` or pass --server HOST:PORT",
                        dir.path().display()
                    )
                };
                match dir.listen_address() {
                    // The server that wrote it was killed: its lock is free.
                    Some(_) if dir.in_use() == Some(false) => {
                        return Err(no_server(&format!(
                            "{} is left from a server that was stopped without removing it",
                            file.display()
                        )));
                    }
                    Some(addr) => (addr.to_string(), file.display().to_string()),
                    None => {
                        return Err(no_server(&format!(
                            "no {} file in {}",
                            leasehold_server::server::ADDRESS_FILE,
                            dir.path().display()
                        )));
                    }
                }
            }
        };
        let token = match &target.token {
            Some(token) if !token.trim().is_empty() => token.trim().to_owned(),
            _ => {
                let dir = data_dir(target)?;
                read_token(&dir).map_err(|e| {
                    if target.server.is_some() {
                        anyhow!(
                            "no admin token: pass --token T or set LEASEHOLD_ADMIN_TOKEN (`leasehold admin token` prints it on the server's machine)"
                        )
                    } else {
                        e
                    }
                })?
            }
        };
        let base = if address.starts_with("http://") || address.starts_with("https://") {
            address.trim_end_matches('/').to_owned()
        } else if is_this_computer(&address) {
            format!("http://{}", address.trim_end_matches('/'))
        } else {
            // A token must not cross the network readable: another computer
            // is asked over HTTPS unless `http://` is written out.
            format!("https://{}", address.trim_end_matches('/'))
        };
        let builder = match &target.tls_fingerprint {
            Some(pin) if base.starts_with("https://") => {
                leasehold_http::pinned(pin).map_err(|e| anyhow!("--tls-fingerprint: {e}"))?
            }
            Some(_) => {
                return Err(anyhow!(
                    "--tls-fingerprint is for an https:// server; give --server https://HOST:PORT"
                ));
            }
            None => leasehold_http::client(),
        };
        let http = builder
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| anyhow!("cannot set up the HTTP client: {e}"))?;
        Ok(Self {
            http,
            base,
            token,
            origin,
        })
    }

    /// The admin UI's sign-in link: opening it signs the browser in (the
    /// token rides in the fragment, which browsers never send to a server).
    #[must_use]
    pub fn ui_url(&self) -> String {
        format!("{}/ui/#token={}", self.base, self.token)
    }

    /// `host:port` (or the URL) this talks to.
    #[must_use]
    pub fn address(&self) -> &str {
        self.base.strip_prefix("http://").unwrap_or(&self.base)
    }

    fn https(&self) -> bool {
        self.base.starts_with("https://")
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    /// `GET path?query` answered with JSON.
    ///
    /// # Errors
    /// See [`AdminApi::send`].
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        self.send(self.request(Method::GET, path).query(query))
            .await
    }

    /// `POST path` with a JSON body, answered with JSON.
    ///
    /// # Errors
    /// See [`AdminApi::send`].
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.post_with(path, &[], body).await
    }

    /// `POST path?query` with a JSON body.
    ///
    /// # Errors
    /// As [`Self::post`].
    pub async fn post_with<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &B,
    ) -> Result<T> {
        self.send(self.request(Method::POST, path).query(query).json(body))
            .await
    }

    /// `PUT path` with a JSON body.
    ///
    /// # Errors
    /// As [`Self::post`].
    pub async fn put<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.send(self.request(Method::PUT, path).json(body)).await
    }

    /// `DELETE path`, answered with JSON.
    ///
    /// # Errors
    /// See [`AdminApi::send`].
    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.send(self.request(Method::DELETE, path)).await
    }

    /// `GET path` written to the new file `to` (owner-only; via a temporary
    /// file renamed at the end, so `to` is whole or absent); returns the
    /// bytes written.
    ///
    /// # Errors
    /// `to` exists or cannot be written, or see [`AdminApi::send`].
    pub async fn download(&self, path: &str, to: &std::path::Path) -> Result<u64> {
        use std::io::Write;
        if to.exists() {
            return Err(anyhow!(
                "{} already exists; choose another file name (a backup never overwrites one)",
                to.display()
            ));
        }
        let resp = self
            .request(Method::GET, path)
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let mut resp = self.check(resp).await?;
        let tmp = to.with_extension("partial");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts
            .open(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut written = 0u64;
        let result: Result<()> = async {
            while let Some(chunk) = resp.chunk().await.map_err(|e| self.unreachable(&e))? {
                file.write_all(&chunk)
                    .with_context(|| format!("cannot write {}", tmp.display()))?;
                written += chunk.len() as u64;
            }
            file.sync_all()
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, to)
                .with_context(|| format!("cannot move {} to {}", tmp.display(), to.display()))
        }
        .await;
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map(|()| written)
    }

    /// Opens a streaming `GET` (server-sent events); no overall time limit.
    ///
    /// # Errors
    /// See [`AdminApi::send`].
    pub async fn stream(&self, path: &str, query: &[(&str, String)]) -> Result<Response> {
        let req = self
            .request(Method::GET, path)
            .query(query)
            .header("accept", "text/event-stream");
        let resp = req.send().await.map_err(|e| self.unreachable(&e))?;
        self.check(resp).await
    }

    /// Sends, checks the status and decodes the answer.
    ///
    /// # Errors
    /// The server unreachable, the server's own error message (with what to
    /// do about it), or an answer that is not what this build expects.
    async fn send<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T> {
        let resp = req
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let resp = self.check(resp).await?;
        let bytes = resp.bytes().await.map_err(|e| self.unreachable(&e))?;
        // 204 No Content: nothing to read (what `()` expects).
        let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        serde_json::from_slice(body).map_err(|e| {
            anyhow!(
                "the server at {} answered with something this `leasehold` does not understand ({e}); is it a Leasehold server of the same version?",
                self.address()
            )
        })
    }

    async fn check(&self, resp: Response) -> Result<Response> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let body = resp.bytes().await.unwrap_or_default();
        let error = serde_json::from_slice::<ErrorBody>(&body).unwrap_or_else(|_| {
            ErrorBody::new("", String::from_utf8_lossy(&body).trim().to_owned())
        });
        Err(explain(status, &error, self.address()))
    }

    fn unreachable(&self, e: &reqwest::Error) -> anyhow::Error {
        let cause = root_cause(e);
        let what = if e.is_timeout() {
            "it did not answer in time".to_owned()
        } else if self.https() && cause.to_lowercase().contains("certificate") {
            format!(
                "{cause}\nthe server's certificate is not trusted here: read its fingerprint with `leasehold admin status` on the server and pass it with --tls-fingerprint"
            )
        } else {
            cause
        };
        if self.origin == "--server" {
            anyhow!(
                "cannot reach the Leasehold server at {}: {what}\ncheck the address and that the server is running there",
                self.address()
            )
        } else {
            anyhow!(
                "cannot reach the Leasehold server at {} (address from {}): {what}\nthe server may have stopped without cleaning up; start it with `leasehold serve` or pass --server HOST:PORT",
                self.address(),
                self.origin
            )
        }
    }
}

/// Whether `host:port` names this computer (loopback or `localhost`).
fn is_this_computer(address: &str) -> bool {
    let host = match address.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => address.rsplit_once(':').map_or(address, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// The innermost error's text, e.g. "Connection refused (os error 111)".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The server's message verbatim, then a line saying what to do.
fn explain(status: StatusCode, error: &ErrorBody, address: &str) -> anyhow::Error {
    use leasehold_core::ErrorCode as C;
    let hint = match error.error_code() {
        Some(C::Unauthorized) => {
            return anyhow!(
                "the server at {address} refused the admin token (401 unauthorized)\nuse the token `leasehold admin token` prints on the server's machine, with --token T or LEASEHOLD_ADMIN_TOKEN"
            );
        }
        Some(C::AdminRemoteDisabled) => "or run this command on the server's machine",
        Some(C::HostNotAllowed) => {
            "call the server by its IP address or `localhost`, or start it with --allow-host NAME"
        }
        Some(C::UntrustedVendor) => {
            "trust the vendor's public key first with `leasehold admin trust LHPK-…` (or start the server with --trust), then add the code again; a vendor's own build of Leasehold takes only that vendor's codes (`leasehold admin status` lists the keys it trusts)"
        }
        Some(C::LicenseChecksum | C::NotALicenseCode | C::LicenseCorrupt) => {
            "check the code for typos or paste it again; a code with line breaks can be piped in with `license add -`"
        }
        Some(C::LicenseAlreadyAdded) => "`leasehold admin license list` shows it",
        Some(C::LicenseExpired | C::LicenseNotYetValid) => {
            "ask the vendor for a current license code"
        }
        Some(C::LicenseNotFound) => "`leasehold admin license list` shows the ids",
        Some(C::LeaseNotFound | C::ClientNotFound) => {
            "`leasehold admin computers` shows the computers and leases that hold seats"
        }
        Some(C::BadPublicKey) => {
            "a vendor public key looks like LHPK-…; `leasehold vendor pubkey` prints it"
        }
        Some(C::StorageFull) => "free space on the server's disk",
        _ => "",
    };
    let message = if error.message.is_empty() {
        format!("the server at {address} answered {status}")
    } else {
        error.message.clone()
    };
    if hint.is_empty() {
        anyhow!("{message}")
    } else {
        anyhow!("{message}\n{hint}")
    }
}

/// `text` as one URL path segment: everything but unreserved characters
/// percent-encoded (a user name may hold spaces, slashes, anything).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_this_computer_is_asked_over_plain_http_by_default() {
        for here in ["127.0.0.1:7878", "localhost:1", "[::1]:7878", "127.1.2.3:9"] {
            assert!(super::is_this_computer(here), "{here}");
        }
        for there in [
            "192.0.2.7:7878",
            "lic1.lan:7878",
            "[2001:db8::1]:7878",
            "lic1.lan",
        ] {
            assert!(!super::is_this_computer(there), "{there}");
        }
    }

    #[test]
    fn a_name_is_one_path_segment() {
        assert_eq!(super::path_segment("ann"), "ann");
        assert_eq!(super::path_segment("DOM\\ann b/c"), "DOM%5Cann%20b%2Fc");
        assert_eq!(super::path_segment("zoë"), "zo%C3%AB");
    }
}
