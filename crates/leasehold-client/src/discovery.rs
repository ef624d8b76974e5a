//! Finding lease servers on the LAN over mDNS / DNS-SD (`_leasehold._tcp`).
//!
//! [`discover`] lists every server that answers within a time limit,
//! [`discover_first`] returns as soon as one is found, and [`Browser`] streams
//! servers appearing and leaving (for a live picker). mDNS stops at routers and
//! VPNs, so a manual `host:port` must always be possible as well.

use std::collections::HashMap;
use std::net::{SocketAddr, SocketAddrV6};
use std::time::Duration;

use mdns_sd::{ResolvedService, ScopedIp, ServiceDaemon, ServiceEvent};
use serde::{Deserialize, Serialize};

/// DNS-SD service type Leasehold servers announce.
pub const SERVICE_TYPE: &str = "_leasehold._tcp.local.";

/// How long [`Browser::close`] waits for the mDNS daemon thread to stop.
const DAEMON_STOP_WAIT: Duration = Duration::from_millis(500);

/// A lease server seen on the network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FoundServer {
    /// The server's human name (TXT `name`, else the instance name).
    pub name: String,
    /// The server's stable identity (TXT `id`).
    pub server_id: String,
    /// The client protocol version it speaks (TXT `proto`).
    pub protocol_version: u32,
    /// Where to reach its HTTP API: IPv4 first, then IPv6, each sorted.
    #[schema(value_type = Vec<String>)]
    pub addresses: Vec<SocketAddr>,
}

/// Why discovery could not run at all. Finding nothing is not an error.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The mDNS daemon could not be started.
    #[error("cannot start mDNS discovery: {0}")]
    Start(#[source] mdns_sd::Error),
    /// The daemon refused the browse request.
    #[error("cannot browse for Leasehold servers: {0}")]
    Browse(#[source] mdns_sd::Error),
}

/// A change in the set of servers seen by a [`Browser`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiscoveryEvent {
    /// A server was found, or its details or addresses changed.
    Updated(FoundServer),
    /// A server said goodbye or its records expired; its last known details.
    Removed(FoundServer),
}

/// A running browse for Leasehold servers. Receiving is async and never
/// blocks the runtime. Call [`close`](Self::close) when done; dropping it
/// also stops the daemon, without waiting.
pub struct Browser {
    daemon: ServiceDaemon,
    events: mdns_sd::Receiver<ServiceEvent>,
    /// What is known so far, by instance full name, merged across events.
    servers: HashMap<String, FoundServer>,
    closed: bool,
}

impl Browser {
    /// Starts browsing `_leasehold._tcp.local.` on every interface.
    ///
    /// # Errors
    ///
    /// [`DiscoveryError::Start`] if the mDNS daemon cannot start,
    /// [`DiscoveryError::Browse`] if it refuses the browse.
    pub fn start() -> Result<Self, DiscoveryError> {
        let daemon = ServiceDaemon::new().map_err(DiscoveryError::Start)?;
        let events = match daemon.browse(SERVICE_TYPE) {
            Ok(events) => events,
            Err(e) => {
                // Best effort: the daemon is useless without the browse.
                let _stopping = daemon.shutdown();
                return Err(DiscoveryError::Browse(e));
            }
        };
        Ok(Self {
            daemon,
            events,
            servers: HashMap::new(),
            closed: false,
        })
    }

    /// Waits for the next change. `None` once the daemon has stopped.
    pub async fn next_event(&mut self) -> Option<DiscoveryEvent> {
        loop {
            let event = self.events.recv_async().await.ok()?;
            if let Some(change) = self.apply(event) {
                return Some(change);
            }
        }
    }

    /// Servers seen so far, sorted by name (then id).
    pub fn servers(&self) -> Vec<FoundServer> {
        let mut list: Vec<_> = self.servers.values().cloned().collect();
        list.sort_by(|a, b| (&a.name, &a.server_id).cmp(&(&b.name, &b.server_id)));
        list
    }

    /// Stops the browse and the daemon, waiting briefly for it to exit.
    pub async fn close(mut self) {
        self.closed = true;
        match self.daemon.shutdown() {
            Ok(done) => {
                let stopped = tokio::time::timeout(DAEMON_STOP_WAIT, done.recv_async()).await;
                if stopped.is_err() {
                    tracing::debug!("mDNS browse daemon did not confirm shutdown");
                }
            }
            Err(e) => tracing::debug!(error = %e, "mDNS browse daemon already stopped"),
        }
    }

    /// Folds one daemon event into the known servers.
    fn apply(&mut self, event: ServiceEvent) -> Option<DiscoveryEvent> {
        match event {
            ServiceEvent::ServiceResolved(resolved) => {
                let Some(incoming) = found_server(&resolved) else {
                    tracing::debug!(service = %resolved.fullname, "ignoring a _leasehold._tcp record without valid id/proto");
                    return None;
                };
                let merged = match self.servers.remove(&resolved.fullname) {
                    Some(known) => merge(known, incoming),
                    None => incoming,
                };
                tracing::debug!(service = %resolved.fullname, addresses = ?merged.addresses, "found a Leasehold server");
                self.servers
                    .insert(resolved.fullname.clone(), merged.clone());
                Some(DiscoveryEvent::Updated(merged))
            }
            ServiceEvent::ServiceRemoved(_, fullname) => {
                let gone = self.servers.remove(&fullname)?;
                tracing::debug!(service = %fullname, "a Leasehold server left");
                Some(DiscoveryEvent::Removed(gone))
            }
            _ => None,
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.closed {
            // Not waiting: drop may run on the runtime.
            let _stopping = self.daemon.shutdown();
        }
    }
}

/// Browses for `timeout` and returns every server found, sorted by name.
/// Keeps listening the whole time: a server's addresses can arrive in parts.
///
/// # Errors
///
/// Only if mDNS cannot run at all (see [`Browser::start`]); no server found
/// is `Ok(vec![])`.
pub async fn discover(timeout: Duration) -> Result<Vec<FoundServer>, DiscoveryError> {
    let mut browser = Browser::start()?;
    let deadline = tokio::time::Instant::now() + timeout;
    while let Ok(Some(_)) = tokio::time::timeout_at(deadline, browser.next_event()).await {}
    let servers = browser.servers();
    browser.close().await;
    Ok(servers)
}

/// Browses until the first server with an address is found, or `timeout`.
///
/// # Errors
///
/// Only if mDNS cannot run at all (see [`Browser::start`]); no server found
/// is `Ok(None)`.
pub async fn discover_first(timeout: Duration) -> Result<Option<FoundServer>, DiscoveryError> {
    let mut browser = Browser::start()?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut first = None;
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, browser.next_event()).await {
        if let DiscoveryEvent::Updated(server) = event
            && !server.addresses.is_empty()
        {
            first = Some(server);
            break;
        }
    }
    browser.close().await;
    Ok(first)
}

/// A server from a resolved record; `None` if its TXT lacks `id` or `proto`.
fn found_server(resolved: &ResolvedService) -> Option<FoundServer> {
    let txt = &resolved.txt_properties;
    let server_id = txt.get_property_val_str("id").filter(|id| !id.is_empty())?;
    let protocol_version = txt.get_property_val_str("proto")?.trim().parse().ok()?;
    let name = txt
        .get_property_val_str("name")
        .filter(|name| !name.is_empty())
        .map_or_else(|| instance_label(&resolved.fullname), str::to_owned);
    // A name from the network is shown as it is, tricks included, escaped.
    let name = leasehold_core::text::escaped(&name);
    let mut addresses: Vec<_> = resolved
        .addresses
        .iter()
        .map(|ip| socket_addr(ip, resolved.port))
        .collect();
    sort_addresses(&mut addresses);
    Some(FoundServer {
        name,
        server_id: server_id.to_owned(),
        protocol_version,
        addresses,
    })
}

/// Newer details win; addresses accumulate (ServiceResolved may carry a part).
fn merge(known: FoundServer, mut incoming: FoundServer) -> FoundServer {
    let port_changed = match (known.addresses.first(), incoming.addresses.first()) {
        (Some(old), Some(new)) => old.port() != new.port(),
        _ => false,
    };
    if !port_changed {
        for addr in known.addresses {
            if !incoming.addresses.contains(&addr) {
                incoming.addresses.push(addr);
            }
        }
        sort_addresses(&mut incoming.addresses);
    }
    incoming
}

/// IPv4 before IPv6 (simpler to reach), then by address.
fn sort_addresses(addresses: &mut [SocketAddr]) {
    addresses.sort_by_key(|a| (a.is_ipv6(), *a));
}

/// Link-local IPv6 needs its interface, or it cannot be connected to.
fn socket_addr(ip: &ScopedIp, port: u16) -> SocketAddr {
    match ip {
        ScopedIp::V6(v6) if v6.addr().is_unicast_link_local() => {
            SocketAddr::V6(SocketAddrV6::new(*v6.addr(), port, 0, v6.scope_id().index))
        }
        other => SocketAddr::new(other.to_ip_addr(), port),
    }
}

/// The instance part of `Name._leasehold._tcp.local.`, unescaped.
fn instance_label(fullname: &str) -> String {
    let instance = fullname
        .strip_suffix(SERVICE_TYPE)
        .and_then(|rest| rest.strip_suffix('.'))
        .unwrap_or(fullname);
    let mut out = String::with_capacity(instance.len());
    let mut escaped = false;
    for c in instance.chars() {
        if c == '\\' && !escaped {
            escaped = true;
        } else {
            out.push(c);
            escaped = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(addrs: &[&str]) -> FoundServer {
        FoundServer {
            name: "A".into(),
            server_id: "id".into(),
            protocol_version: 1,
            addresses: addrs.iter().map(|a| a.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn merge_accumulates_addresses_ipv4_first() {
        let merged = merge(
            server(&["[fe80::1]:7878"]),
            server(&["10.0.0.2:7878", "10.0.0.1:7878"]),
        );
        let got: Vec<_> = merged.addresses.iter().map(ToString::to_string).collect();
        assert_eq!(got, ["10.0.0.1:7878", "10.0.0.2:7878", "[fe80::1]:7878"]);
    }

    #[test]
    fn merge_drops_old_addresses_when_the_port_changed() {
        let merged = merge(server(&["10.0.0.1:7878"]), server(&["10.0.0.1:9000"]));
        assert_eq!(merged.addresses, server(&["10.0.0.1:9000"]).addresses);
    }

    #[test]
    fn instance_label_unescapes_dots() {
        assert_eq!(
            instance_label("Acme\\. Corp._leasehold._tcp.local."),
            "Acme. Corp"
        );
        assert_eq!(instance_label("odd"), "odd");
    }
}
