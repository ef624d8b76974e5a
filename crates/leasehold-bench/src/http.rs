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
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connect to {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Self {
            addr,
            host: addr.to_string(),
            bearer: None,
            sender,
        })
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
        self.call(Method::GET, path, Full::new(Bytes::new()), false)
            .await
    }

    async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Full<Bytes>,
        json: bool,
    ) -> Result<(StatusCode, Bytes)> {
        self.sender.ready().await.context("connection closed")?;
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host);
        if json {
            req = req.header("content-type", "application/json");
        }
        if let Some(b) = &self.bearer {
            req = req.header("authorization", b);
        }
        let response = self
            .sender
            .send_request(req.body(body)?)
            .await
            .context("request failed")?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .context("reading the body")?
            .to_bytes();
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
    let req = Request::builder()
        .uri(path)
        .header("host", addr.to_string())
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(req).await?;
    let status = response.status();
    let bytes = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!("GET {path}: {status}");
    }
    Ok(bytes)
}

/// The server's own request latency histogram from `/metrics`: cumulative
/// counts by upper bound in seconds.
///
/// # Errors
/// When `/metrics` cannot be read.
pub async fn server_latency(addr: SocketAddr) -> Result<Vec<(f64, u64)>> {
    let text = get_once(addr, "/metrics").await?;
    Ok(parse_latency(&String::from_utf8_lossy(&text)))
}

fn parse_latency(text: &str) -> Vec<(f64, u64)> {
    text.lines()
        .filter_map(|line| {
            line.strip_prefix("leasehold_http_request_duration_seconds_bucket{le=\"")
        })
        .filter_map(|rest| {
            let (bound, count) = rest.split_once("\"} ")?;
            let bound = if bound == "+Inf" {
                f64::INFINITY
            } else {
                bound.parse().ok()?
            };
            Some((bound, count.trim().parse().ok()?))
        })
        .collect()
}

/// The smallest histogram bound (ms) holding at least `q` of the requests
/// counted between two readings; `None` when nothing was counted.
#[must_use]
pub fn bucket_quantile_ms(before: &[(f64, u64)], after: &[(f64, u64)], q: f64) -> Option<f64> {
    let counts: Vec<(f64, u64)> = after
        .iter()
        .map(|&(bound, n)| {
            (
                bound,
                n.saturating_sub(before.iter().find(|b| b.0 == bound).map_or(0, |b| b.1)),
            )
        })
        .collect();
    let total = counts.iter().find(|c| c.0.is_infinite())?.1;
    if total == 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    counts
        .iter()
        .find(|c| c.1 as f64 >= q * total as f64)
        .map(|c| c.0 * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_servers_latency_histogram() {
        let before = parse_latency(
            "leasehold_http_request_duration_seconds_bucket{le=\"0.0005\"} 10\nleasehold_http_request_duration_seconds_bucket{le=\"0.001\"} 10\nleasehold_http_request_duration_seconds_bucket{le=\"+Inf\"} 10\n",
        );
        let after = parse_latency(
            "# HELP x\nleasehold_http_request_duration_seconds_bucket{le=\"0.0005\"} 900\nleasehold_http_request_duration_seconds_bucket{le=\"0.001\"} 1005\nleasehold_http_request_duration_seconds_bucket{le=\"+Inf\"} 1010\n",
        );
        assert_eq!(after.len(), 3);
        assert_eq!(bucket_quantile_ms(&before, &after, 0.5), Some(0.5));
        assert_eq!(bucket_quantile_ms(&before, &after, 0.99), Some(1.0));
        assert_eq!(
            bucket_quantile_ms(&before, &after, 0.999),
            Some(f64::INFINITY)
        );
        assert_eq!(bucket_quantile_ms(&after, &after, 0.99), None);
    }
}
