//! Serving HTTP connections so that no stranger can take the server down:
//! headers must arrive within a time limit (also between requests on a
//! kept-alive connection, so idle sockets are closed), the number of open
//! connections is capped below the open-file limit, and on shutdown idle and
//! slow connections are closed at once, requests in progress get a short
//! grace to finish.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How connections are limited. [`Limits::default`] derives the cap from
/// the open-file limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once; one more is closed as soon as it is accepted.
    pub max_connections: usize,
    /// A request's headers must arrive within this, counted from when the
    /// connection opens or its previous response was sent: an idle or slow
    /// connection is closed after it.
    pub header_timeout: Duration,
    /// On shutdown, how long requests in progress may take to finish before
    /// their connections are cut.
    pub shutdown_grace: Duration,
    /// Connections one address may hold open at once (`None`: no cap of its
    /// own; a lease server's clients may share one address behind NAT).
    pub per_address: Option<usize>,
}

/// Open files kept for everything that is not a connection (the store,
/// mDNS sockets, logs, the desktop app's own).
const RESERVED_FILES: u64 = 256;
/// The default cap never exceeds this: a LAN licence server with more
/// connections open at once is under attack, not busy.
const MAX_DEFAULT_CONNECTIONS: u64 = 16_384;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: default_max_connections(open_file_limit()),
            header_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(2),
            per_address: None,
        }
    }
}

/// Open connections per address, for [`Limits::per_address`].
#[derive(Default)]
struct PerAddress(std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>);

impl PerAddress {
    /// Counts one more from `ip`, unless it holds `cap` already.
    fn take(self: &Arc<Self>, ip: std::net::IpAddr, cap: usize) -> Option<AddressSlot> {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = open.entry(ip).or_insert(0);
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(AddressSlot(Arc::clone(self), ip))
    }
}

/// One connection's place in its address's count, given back on drop.
struct AddressSlot(Arc<PerAddress>, std::net::IpAddr);

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self
            .0
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// The connection cap for an open-file limit: three quarters of what is
/// left after the reserve, at least 32, at most [`MAX_DEFAULT_CONNECTIONS`].
#[must_use]
pub fn default_max_connections(open_files: u64) -> usize {
    let cap = open_files.saturating_sub(RESERVED_FILES) / 4 * 3;
    usize::try_from(cap.clamp(32, MAX_DEFAULT_CONNECTIONS)).unwrap_or(32)
}

/// Raises this process's soft open-file limit to its hard limit (where the
/// platform has one) and returns the limit now in force.
#[must_use]
pub fn raise_open_file_limit() -> u64 {
    #[cfg(unix)]
    {
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(limit) => limit,
            Err(e) => {
                tracing::warn!("cannot raise the open-file limit: {e}");
                open_file_limit()
            }
        }
    }
    #[cfg(not(unix))]
    {
        open_file_limit()
    }
}

/// The soft open-file limit in force (Windows has none that matters here).
#[must_use]
pub fn open_file_limit() -> u64 {
    #[cfg(unix)]
    {
        rlimit::Resource::NOFILE
            .get()
            .map_or(1024, |(soft, _)| soft)
    }
    #[cfg(not(unix))]
    {
        MAX_DEFAULT_CONNECTIONS * 2
    }
}

/// Counters for `/metrics` and the admin's status.
#[derive(Debug, Default)]
pub struct ConnectionStats {
    pub open: AtomicU64,
    /// Connections closed at once because the cap was reached.
    pub refused: AtomicU64,
}

/// Serves `app` on `listener` until `stop` turns true, then closes every
/// connection within the grace (see the module docs).
/// How a request's connection came: over TLS or not (a request extension;
/// an admin call from another computer needs TLS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transport {
    pub tls: bool,
}

pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stats: Arc<ConnectionStats>,
    mut stop: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = Arc::new(PerAddress::default());
    let (closing, closed) = watch::channel(false);
    let mut conns = JoinSet::new();
    let mut refusals_logged_at: Option<tokio::time::Instant> = None;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors, or the peer gave up before we
                // took it: wait a moment rather than spin.
                tracing::warn!("accepting a connection failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            stats.refused.fetch_add(1, Ordering::Relaxed);
            let now = tokio::time::Instant::now();
            if refusals_logged_at.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(60)) {
                refusals_logged_at = Some(now);
                tracing::warn!(
                    max = limits.max_connections,
                    "too many connections open; new ones are closed until some end (serve --max-connections raises the cap)"
                );
            }
            drop(socket);
            continue;
        };
        let address_slot = match limits.per_address {
            Some(cap) => match per_address.take(peer.ip(), cap) {
                Some(slot) => Some(slot),
                None => {
                    stats.refused.fetch_add(1, Ordering::Relaxed);
                    drop(socket);
                    continue;
                }
            },
            None => None,
        };
        let _ = socket.set_nodelay(true);
        let app = app.clone();
        let closed = closed.clone();
        let stats = Arc::clone(&stats);
        stats.open.fetch_add(1, Ordering::Relaxed);
        let tls = tls.clone();
        conns.spawn(async move {
            let _permit = permit;
            let _address_slot = address_slot;
            // A TLS handshake starts with its record type; anything else is
            // plain HTTP. Both must start within the header time limit.
            let secure = match &tls {
                Some(acceptor) => {
                    let mut first = [0u8; 1];
                    match tokio::time::timeout(limits.header_timeout, socket.peek(&mut first)).await
                    {
                        Ok(Ok(1)) if first[0] == crate::tls::HANDSHAKE => Some(acceptor.clone()),
                        Ok(Ok(1)) => None,
                        _ => {
                            stats.open.fetch_sub(1, Ordering::Relaxed);
                            return;
                        }
                    }
                }
                None => None,
            };
            match secure {
                Some(acceptor) => {
                    match tokio::time::timeout(limits.header_timeout, acceptor.accept(socket)).await
                    {
                        Ok(Ok(stream)) => {
                            one_connection(
                                stream,
                                app,
                                peer,
                                Transport { tls: true },
                                limits,
                                closed,
                            )
                            .await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, "a TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!(%peer, "a TLS handshake took too long"),
                    }
                }
                None => {
                    one_connection(socket, app, peer, Transport { tls: false }, limits, closed)
                        .await
                }
            }
            stats.open.fetch_sub(1, Ordering::Relaxed);
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::info!(
            left = conns.len(),
            "connections still busy after the shutdown grace were cut"
        );
        conns.abort_all();
        while conns.join_next().await.is_some() {}
    }
}

/// Serves one connection's requests until it ends, or the server stops.
async fn one_connection<I>(
    io: I,
    app: Router,
    peer: std::net::SocketAddr,
    transport: Transport,
    limits: Limits,
    mut closed: watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // Whether a request is being answered: on shutdown, a connection
    // that is idle or still sending headers is closed at once.
    let busy = Arc::new(AtomicBool::new(false));
    let in_request = Arc::clone(&busy);
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req.extensions_mut().insert(transport);
        in_request.store(true, Ordering::Relaxed);
        let answer = app.clone().oneshot(req);
        let in_request = Arc::clone(&in_request);
        async move {
            let response = answer.await;
            in_request.store(false, Ordering::Relaxed);
            response
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // Bounds what one connection can make the server buffer.
        .max_buf_size(64 * 1024)
        .serve_connection(TokioIo::new(io), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = async { let _ = closed.wait_for(|c| *c).await; } => {
            // A request in progress finishes first (within the grace).
            if busy.load(Ordering::Relaxed) {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_stays_below_the_open_file_limit() {
        assert_eq!(default_max_connections(1024), 576);
        assert_eq!(default_max_connections(100), 32);
        assert_eq!(default_max_connections(1 << 20), 16_384);
        for limit in [300, 1024, 4096, 65_536] {
            assert!((default_max_connections(limit) as u64) < limit - RESERVED_FILES / 2);
        }
    }
}
