//! Announcing the lease server on the LAN over mDNS / DNS-SD, so clients find
//! it without typing an address.
//!
//! The server is announced as `<server name>._leasehold._tcp.local.` with TXT
//! records `txtvers=1`, `proto=<protocol version>`, `id=<server id>` and
//! `name=<server name>`. Announcing is best effort: a machine without a
//! multicast-capable interface still serves clients that were given its
//! address by hand, so nothing here ever fails the caller. Problems are logged
//! and shown in [`Advertiser::status`].
//!
//! # How `leasehold serve` uses it
//!
//! After binding its listener (so the real port is known, even with
//! `--listen …:0`), the server starts the advertiser unless `--no-mdns` was
//! given, keeps it in its shared state, and stops it on shutdown:
//!
//! ```no_run
//! use leasehold_server::mdns::{Advertiser, Announcement};
//!
//! # fn demo(port: u16) {
//! let advertiser = Advertiser::start(Announcement {
//!     port,
//!     server_id: "6f1c…".into(),
//!     server_name: "Design office".into(),
//!     protocol_version: 1,
//!     only_address: None,
//! });
//! // GET /admin/v1/server  -> include `advertiser.status()` (an `MdnsStatus`)
//! // admin switch on/off   -> `advertiser.set_enabled(false)` / `(true)`
//! // on shutdown           -> `advertiser.shutdown()` sends the goodbye
//! advertiser.shutdown();
//! # }
//! ```
//!
//! `start`, `set_enabled` and `shutdown` block for at most a few hundred
//! milliseconds (the goodbye packets); call them from `spawn_blocking` when on
//! the async runtime and that matters.

mod names;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use mdns_sd::{DaemonEvent, ServiceDaemon, ServiceEvent, ServiceInfo};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use names::SERVICE_TYPE;

/// The `.local` host name this server announces (what an admin browsing by
/// name types).
#[must_use]
pub fn announced_host_name() -> String {
    names::host_name(names::machine_host_name().as_deref())
}

/// How long to wait for the first announcement before reporting `failed`.
/// Probing (RFC 6762 §8.1) takes about 750 ms, so 3 s leaves room.
const ANNOUNCE_DEADLINE: Duration = Duration::from_secs(3);

/// How long `shutdown` waits for the daemon to confirm the goodbye went out.
const GOODBYE_WAIT: Duration = Duration::from_millis(500);

/// mdns-sd repeats the goodbye once, 120 ms after the first; let it go too.
const GOODBYE_REPEAT: Duration = Duration::from_millis(150);

/// How long the self-check looks for the server's own announcement.
const SELF_CHECK_WAIT: Duration = Duration::from_secs(2);

/// After the self-check first sees the server, how long it waits for more
/// addresses (they can arrive in several answers).
const SELF_CHECK_SETTLE: Duration = Duration::from_millis(300);

/// How long `shutdown` waits for the daemon thread to stop.
const DAEMON_STOP_WAIT: Duration = Duration::from_millis(500);

/// What the server tells the LAN about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// The TCP port of the HTTP API (the real one, after binding).
    pub port: u16,
    /// Stable identity of this server, so clients can tell two apart.
    pub server_id: String,
    /// Human name, shown in client pickers; also the DNS-SD instance name.
    pub server_name: String,
    /// Version of the client protocol, so old clients can skip new servers.
    pub protocol_version: u32,
    /// The one address the server listens on, when it is not listening on
    /// every interface: only that address is announced, so clients are never
    /// sent to an address where nothing answers. `None` announces every
    /// address of every interface, following changes.
    pub only_address: Option<std::net::IpAddr>,
}

/// Where the announcement stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum MdnsState {
    /// Registered, waiting for probing to finish (about a second).
    Starting,
    /// Announced on at least one interface; clients can find the server.
    Announcing,
    /// Could not announce; `detail` says why. It keeps retrying as
    /// interfaces come up, and turns to `announcing` if that works.
    Failed,
    /// Switched off (`--no-mdns`, the admin switch, or shut down).
    Off,
}

/// The advertiser's state as the admin API reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MdnsStatus {
    /// Where the announcement stands.
    pub state: MdnsState,
    /// Why it failed, or the last warning from the mDNS daemon.
    pub detail: Option<String>,
    /// The IP addresses clients see for this server, sorted (found by
    /// browsing for it once announced, and again when addresses change).
    pub addresses: Vec<String>,
}

impl MdnsStatus {
    fn off() -> Self {
        Self {
            state: MdnsState::Off,
            detail: None,
            addresses: Vec::new(),
        }
    }

    fn failed(detail: String) -> Self {
        Self {
            state: MdnsState::Failed,
            detail: Some(detail),
            addresses: Vec::new(),
        }
    }
}

/// Announces the server over mDNS until shut down or switched off.
///
/// Dropping it has the same effect as [`Advertiser::shutdown`].
pub struct Advertiser {
    announcement: Announcement,
    /// Status, shared with the threads that watch the daemon.
    shared: Arc<Mutex<Shared>>,
    /// The running daemon, if switched on.
    running: Mutex<Option<Running>>,
}

/// State the watcher threads update.
struct Shared {
    status: MdnsStatus,
    /// Bumped on every start and stop, so a watcher of an old daemon cannot
    /// overwrite the status of a newer one.
    generation: u64,
    /// The instance's full name; changes if a name conflict renames it.
    fullname: String,
}

struct Running {
    daemon: ServiceDaemon,
    /// The name as registered, which the daemon knows it by.
    registered_name: String,
}

impl Advertiser {
    /// Starts announcing `ann`. Never fails: problems are logged and shown by
    /// [`status`](Self::status).
    pub fn start(ann: Announcement) -> Advertiser {
        let advertiser = Self::new_off(ann);
        advertiser.set_enabled(true);
        advertiser
    }

    /// An advertiser that is switched off (for `--no-mdns`); it can be
    /// switched on later with [`set_enabled`](Self::set_enabled).
    pub fn new_off(ann: Announcement) -> Advertiser {
        Advertiser {
            announcement: ann,
            shared: Arc::new(Mutex::new(Shared {
                status: MdnsStatus::off(),
                generation: 0,
                fullname: String::new(),
            })),
            running: Mutex::new(None),
        }
    }

    /// What is announced.
    pub fn announcement(&self) -> &Announcement {
        &self.announcement
    }

    /// The current state, addresses and last problem.
    pub fn status(&self) -> MdnsStatus {
        lock(&self.shared).status.clone()
    }

    /// Switches announcing on or off at runtime. Switching off sends a
    /// goodbye so clients drop the server at once. Doing what is already
    /// the case does nothing.
    pub fn set_enabled(&self, enabled: bool) {
        let mut running = lock(&self.running);
        match (enabled, running.is_some()) {
            (true, false) => *running = self.launch(),
            (false, true) => {
                if let Some(r) = running.take() {
                    self.stop(r);
                }
            }
            _ => {}
        }
    }

    /// Unregisters the service (a goodbye with TTL 0 goes out, waited for
    /// briefly) and stops the mDNS daemon.
    pub fn shutdown(self) {
        // Drop does the work.
    }

    /// Starts a daemon and registers the service; `None` (with status
    /// `failed`) when that is impossible.
    fn launch(&self) -> Option<Running> {
        let generation = {
            let mut shared = lock(&self.shared);
            shared.generation += 1;
            shared.generation
        };
        let set_failed = |detail: String| {
            tracing::warn!(%detail, "mDNS announcement unavailable");
            let mut shared = lock(&self.shared);
            if shared.generation == generation {
                shared.status = MdnsStatus::failed(detail);
            }
        };

        let info = match self.service_info() {
            Ok(info) => info,
            Err(e) => {
                set_failed(format!("invalid service record: {e}"));
                return None;
            }
        };
        let registered_name = info.get_fullname().to_owned();

        let daemon = match ServiceDaemon::new() {
            Ok(daemon) => daemon,
            Err(e) => {
                set_failed(format!("cannot start the mDNS daemon: {e}"));
                return None;
            }
        };
        let monitor = match daemon.monitor() {
            Ok(monitor) => monitor,
            Err(e) => {
                set_failed(format!("cannot watch the mDNS daemon: {e}"));
                stop_daemon(&daemon);
                return None;
            }
        };
        {
            let mut shared = lock(&self.shared);
            shared.fullname = registered_name.clone();
            shared.status = MdnsStatus {
                state: MdnsState::Starting,
                detail: None,
                addresses: Vec::new(),
            };
        }
        if let Err(e) = daemon.register(info) {
            set_failed(format!("cannot register {registered_name}: {e}"));
            stop_daemon(&daemon);
            return None;
        }
        tracing::info!(
            service = %registered_name,
            port = self.announcement.port,
            "mDNS: announcing"
        );

        let shared = Arc::clone(&self.shared);
        let spawned = thread::Builder::new()
            .name("leasehold-mdns-monitor".into())
            .spawn(move || watch_daemon(&monitor, &shared, generation));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "mDNS: cannot start the monitor thread");
        }

        Some(Running {
            daemon,
            registered_name,
        })
    }

    fn stop(&self, running: Running) {
        {
            let mut shared = lock(&self.shared);
            shared.generation += 1;
            shared.status = MdnsStatus::off();
        }
        match running.daemon.unregister(&running.registered_name) {
            Ok(done) => match done.recv_timeout(GOODBYE_WAIT) {
                Ok(_) => thread::sleep(GOODBYE_REPEAT),
                Err(e) => tracing::warn!(error = %e, "mDNS: goodbye not confirmed"),
            },
            Err(e) => tracing::warn!(error = %e, "mDNS: cannot unregister"),
        }
        stop_daemon(&running.daemon);
        tracing::info!(service = %running.registered_name, "mDNS: stopped announcing");
    }

    fn service_info(&self) -> Result<ServiceInfo, mdns_sd::Error> {
        let ann = &self.announcement;
        let txt = names::txt_records(&ann.server_id, &ann.server_name, ann.protocol_version);
        let host = names::host_name(names::machine_host_name().as_deref());
        let fixed: Vec<std::net::IpAddr> = ann.only_address.into_iter().collect();
        let info = ServiceInfo::new(
            SERVICE_TYPE,
            &names::instance_name(&ann.server_name),
            &host,
            fixed.as_slice(),
            ann.port,
            txt.as_slice(),
        )?;
        Ok(if ann.only_address.is_some() {
            info
        } else {
            info.enable_addr_auto()
        })
    }
}

impl Drop for Advertiser {
    fn drop(&mut self) {
        let running = match self.running.get_mut() {
            Ok(running) => running.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(r) = running {
            self.stop(r);
        }
    }
}

/// Asks the daemon thread to exit and waits briefly for it.
fn stop_daemon(daemon: &ServiceDaemon) {
    match daemon.shutdown() {
        Ok(done) => {
            if let Err(e) = done.recv_timeout(DAEMON_STOP_WAIT) {
                tracing::debug!(error = %e, "mDNS: daemon stop not confirmed");
            }
        }
        Err(e) => tracing::debug!(error = %e, "mDNS: daemon already stopped"),
    }
}

/// Follows daemon events: the first announcement, errors, renames. Reports
/// `failed` if nothing was announced by the deadline. Ends with the daemon.
fn watch_daemon(monitor: &mdns_sd::Receiver<DaemonEvent>, shared: &Mutex<Shared>, generation: u64) {
    let deadline = Instant::now() + ANNOUNCE_DEADLINE;
    loop {
        let waiting = lock(shared).status.state == MdnsState::Starting;
        let event = if waiting {
            match monitor.recv_deadline(deadline) {
                Ok(event) => event,
                Err(mdns_sd::RecvTimeoutError::Timeout) => {
                    let detail = format!(
                        "not announced on any network interface after {} s: no \
                         multicast-capable interface is up (it will be announced \
                         when one comes up)",
                        ANNOUNCE_DEADLINE.as_secs()
                    );
                    tracing::warn!(%detail, "mDNS announcement failed");
                    update(shared, generation, |s| {
                        if s.status.state == MdnsState::Starting {
                            s.status = MdnsStatus::failed(detail);
                        }
                    });
                    continue;
                }
                Err(mdns_sd::RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match monitor.recv() {
                Ok(event) => event,
                Err(_) => return,
            }
        };
        match event {
            DaemonEvent::Announce(service, on) => {
                tracing::debug!(%service, %on, "mDNS: announced");
                let mut first = false;
                update(shared, generation, |s| {
                    if s.status.state != MdnsState::Announcing {
                        s.status.state = MdnsState::Announcing;
                        s.status.detail = None;
                        first = true;
                    }
                });
                if first {
                    refresh_addresses(shared, generation);
                }
            }
            DaemonEvent::Error(e) => {
                tracing::warn!(error = %e, "mDNS daemon error");
                update(shared, generation, |s| {
                    s.status.detail = Some(e.to_string())
                });
            }
            DaemonEvent::NameChange(change) => {
                tracing::info!(from = %change.original, to = %change.new_name, "mDNS: name conflict, renamed");
                update(shared, generation, |s| {
                    if same_name(&change.original, &s.fullname) {
                        s.fullname = change.new_name.clone();
                    }
                });
            }
            DaemonEvent::IpAdd(ip) => {
                tracing::debug!(%ip, "mDNS: address added");
                refresh_addresses(shared, generation);
            }
            DaemonEvent::IpDel(ip) => {
                tracing::debug!(%ip, "mDNS: address removed");
                refresh_addresses(shared, generation);
            }
            _ => {}
        }
    }
}

/// Re-reads the addresses clients see, unless the daemon was replaced.
fn refresh_addresses(shared: &Mutex<Shared>, generation: u64) {
    let fullname = {
        let s = lock(shared);
        if s.generation != generation {
            return;
        }
        s.fullname.clone()
    };
    let addresses = observe_own_addresses(&fullname);
    if addresses.is_none() {
        tracing::debug!(service = %fullname, "mDNS: own announcement not seen by the self-check");
    }
    update(shared, generation, |s| {
        s.status.addresses = addresses.unwrap_or_default()
    });
}

/// Looks at the announcement from the outside, as a client would (a daemon
/// does not hear its own answers), to learn the addresses clients see.
/// `None` if it cannot be seen within [`SELF_CHECK_WAIT`].
fn observe_own_addresses(fullname: &str) -> Option<Vec<String>> {
    let observer = ServiceDaemon::new().ok()?;
    let seen = observer.browse(SERVICE_TYPE).ok().and_then(|events| {
        let deadline = Instant::now() + SELF_CHECK_WAIT;
        let mut addresses = BTreeSet::new();
        let mut settle_by = None;
        loop {
            let until = settle_by.unwrap_or(deadline).min(deadline);
            match events.recv_deadline(until) {
                Ok(ServiceEvent::ServiceResolved(found))
                    if same_name(&found.fullname, fullname) =>
                {
                    addresses.extend(found.addresses.iter().map(|ip| ip.to_ip_addr()));
                    // Addresses may arrive in parts: listen a little longer.
                    settle_by.get_or_insert_with(|| Instant::now() + SELF_CHECK_SETTLE);
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        (!addresses.is_empty()).then(|| addresses.iter().map(ToString::to_string).collect())
    });
    stop_daemon(&observer);
    seen
}

/// DNS names compare case-insensitively; mdns-sd escapes dots in instance
/// names it is given (`a\\.b`) but not in those it reads off the wire.
fn same_name(a: &str, b: &str) -> bool {
    let unescape = |name: &str| name.replace("\\.", ".").replace("\\\\", "\\");
    unescape(a).eq_ignore_ascii_case(&unescape(b))
}

/// Applies `change` unless a newer start or stop has happened since.
fn update(shared: &Mutex<Shared>, generation: u64, change: impl FnOnce(&mut Shared)) {
    let mut shared = lock(shared);
    if shared.generation == generation {
        change(&mut shared);
    }
}

/// Status is plain data, valid even if a holder panicked, so poisoning is ignored.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
