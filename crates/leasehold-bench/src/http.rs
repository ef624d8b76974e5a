//! A lean HTTP/1.1 keep-alive connection over hyper's connection API: one
//! TCP connection, one request at a time, no pool, no redirects. The load
//! generator opens N of them; the same code loads the bare baseline and the
//! lease server, so whatever it costs is paid equally by both.

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use tokio::net::TcpStream;

/// One keep-alive connection to `addr`.
pub struct Conn {
    addr: SocketAddr,
    /// `Host` header value, made once.
    host: String,
    /// `Authorization` header for admin calls, when given.
    bearer: Option<String>,
    sender: SendRequest<Full<Bytes>>,
}

impl Conn {
    /// Connects (TCP_NODELAY on) and runs the connection's task on the current runtime.
    ///
    /// # Errors
    /// When the TCP connection or the HTTP handshake fails.
    pub async fn open(addr: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(addr).await.with_context(|| format!("connect to {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Self { addr, host: addr.to_string(), bearer: None, sender })
    }

    /// The same, with a bearer token sent on every request (admin API).
    ///
    /// # Errors
    /// As [`Conn::open`].
    pub async fn open_admin(addr: SocketAddr, token: &str) -> Result<Self> {
        let mut conn = Self::open(addr).await?;
        conn.bearer = Some(format!("Bearer {token}"));
        Ok(conn)
    }

    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// POSTs a JSON body; returns status and the whole response body.
    ///
    /// # Errors
    /// When the connection breaks.
    pub async fn post(&mut self, path: &str, json: Bytes) -> Result<(StatusCode, Bytes)> {
        self.call(Method::POST, path, Full::new(json), true).await
    }

    /// GETs `path`; returns status and body.
    ///
    /// # Errors
    /// When the connection breaks.
    pub async fn get(&mut self, path: &str) -> Result<(StatusCode, Bytes)> {
        self.call(Method::GET, path, Full::new(Bytes::new()), false).await
    }

    async fn call(&mut self, method: Method, path: &str, body: Full<Bytes>, json: bool) -> Result<(StatusCode, Bytes)> {
        self.sender.ready().await.context("connection closed")?;
        let mut req = Request::builder().method(method).uri(path).header("host", &self.host);
        if json {
            req = req.header("content-type", "application/json");
        }
        if let Some(b) = &self.bearer {
            req = req.header("authorization", b);
        }
        let response = self.sender.send_request(req.body(body)?).await.context("request failed")?;
        let status = response.status();
        let bytes = response.into_body().collect().await.context("reading the body")?.to_bytes();
        Ok((status, bytes))
    }
}

/// One GET on a fresh connection; for probes (`/healthz`) where keep-alive
/// does not matter.
///
/// # Errors
/// When nothing answers or the status is not a success.
pub async fn get_once(addr: SocketAddr, path: &str) -> Result<Bytes> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = Request::builder().uri(path).header("host", addr.to_string()).body(Empty::<Bytes>::new())?;
    let response = sender.send_request(req).await?;
    let status = response.status();
    let bytes = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!("GET {path}: {status}");
    }
    Ok(bytes)
}
