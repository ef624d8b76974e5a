//! Starting and stopping a server: open the store, build the engine, bind,
//! serve the router, run the sweeper, announce over mDNS; stop cleanly.

use crate::clock::Clock;
use crate::config::Config;
use crate::connections;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{AppState, RunInfo, router};
use crate::mdns::{Advertiser, Announcement};
use crate::store::{Store, StoreOptions};
use crate::trust::TrustedKeys;
use axum::extract::ConnectInfo;
use leasehold_core::event::EventKind;
use leasehold_core::wire::PROTOCOL_VERSION;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running server. Dropping it does not stop it: call [`ServerHandle::shutdown`].
pub struct ServerHandle {
    addr: SocketAddr,
    admin_token: String,
    data_dir: PathBuf,
    engine: Engine,
    run: Arc<RunInfo>,
    stop: watch::Sender<bool>,
    http: JoinHandle<()>,
    sweeper: JoinHandle<()>,
    watching: JoinHandle<()>,
}

pub struct Server;

impl Server {
    /// Binds `config.listen` and starts serving.
    ///
    /// # Errors
    /// [`Error::Bind`] when the address is taken or not ours; store errors
    /// (another server on the same data directory, a newer schema, …).
    pub async fn start(config: Config) -> Result<ServerHandle> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: config.listen.to_string(),
                source,
            })?;
        Self::start_on(listener, config).await
    }

    /// Starts serving on a listener bound by the caller (the desktop app binds
    /// before its window opens). `config.listen` is ignored.
    ///
    /// # Errors
    /// As [`Server::start`], except binding.
    pub async fn start_on(listener: TcpListener, config: Config) -> Result<ServerHandle> {
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Internal(format!("listener has no address: {e}")))?;
        let data_dir = config.data_dir.clone();
        let dir = data_dir.clone();
        let durability = config.durability;
        let retention = crate::store::Retention {
            keep_days: config.events_keep_days,
            ..crate::store::Retention::default()
        };
        let (store, mut snapshot) = tokio::task::spawn_blocking(move || {
            Store::open(
                &dir,
                StoreOptions {
                    durability,
                    retention,
                },
            )
        })
        .await
        .map_err(|e| Error::Internal(format!("store open task failed: {e}")))??;
        let admin_token = snapshot.admin_token.clone();
        if let Some(group) = &config.admin_group
            && let Err(e) = crate::access::share_token_with_group(&data_dir, group)
        {
            store.close().await;
            return Err(e);
        }
        let trust = TrustedKeys::load(&config.trust, &snapshot.trusted_keys);
        let server_name = config
            .server_name
            .clone()
            .unwrap_or_else(default_server_name);
        let clock = config.clock.clone().unwrap_or_else(Clock::system);
        let last_seen = crate::engine::last_seen(&snapshot.settings);
        let clock_warning = crate::clock::check_against_last_seen(clock.now(), last_seen);
        let mdns_on = config.mdns
            && snapshot
                .settings
                .get(crate::engine::MDNS_SETTING)
                .map(String::as_str)
                != Some("off");
        let authority_url = snapshot
            .settings
            .get(crate::engine::AUTHORITY_SETTING)
            .cloned();
        let stored_accounts = (
            std::mem::take(&mut snapshot.accounts),
            std::mem::take(&mut snapshot.account_tokens),
        );
        let settings = snapshot.settings.clone();
        let stored_alerts = std::mem::take(&mut snapshot.alerts);
        // A clean stop removes it: still here, the last run did not stop so.
        let unclean = data_dir.join(ADDRESS_FILE).exists();
        let engine = Engine::load(snapshot, store.clone(), trust, server_name, clock);
        let alerts = Arc::new(crate::alerts::Alerts::open(
            engine.clone(),
            stored_alerts,
            settings
                .get(crate::alerts::ALERTS_SETTING)
                .map(String::as_str),
            unclean,
            engine.identity().server_name.clone(),
        ));
        let accounts = match crate::accounts::Accounts::open(
            engine.clone(),
            store.clone(),
            stored_accounts,
            &settings,
            &admin_token,
        )
        .await
        {
            Ok((accounts, first)) => {
                if first {
                    tracing::info!(
                        account = accounts.local_admin(),
                        "made the admin account `{}` without a password: the desktop app and `leasehold admin` on this machine sign in as it with the data directory's token; for a browser on another computer, set its password with `leasehold admin account password {}`",
                        accounts.local_admin(),
                        accounts.local_admin()
                    );
                }
                Arc::new(accounts)
            }
            Err(e) => {
                store.close().await;
                return Err(e);
            }
        };
        let allowed_hosts = allowed_hosts(&config, &engine.identity().server_name);
        // Admin calls from elsewhere get HTTPS unless plain HTTP is forced.
        let tls_mode = match &config.tls {
            crate::tls::TlsMode::Off if config.admin_remote && !config.admin_remote_plain => {
                crate::tls::TlsMode::Made
            }
            mode => mode.clone(),
        };
        let mut cert_names = allowed_hosts.clone();
        if !addr.ip().is_unspecified() {
            cert_names.push(addr.ip().to_string());
        }
        let tls = match crate::tls::setup(&tls_mode, &data_dir, &cert_names) {
            Ok(tls) => tls,
            Err(e) => {
                store.close().await;
                return Err(e);
            }
        };
        engine.watch_policy(&data_dir);
        let advertiser = advertiser(&engine, addr, mdns_on);
        let (stop, stopped) = watch::channel(false);
        let limits = connection_limits(&config);
        let run = Arc::new(RunInfo {
            connections: Arc::default(),
            listen: addr,
            data_dir: data_dir.clone(),
            admin_remote: config.admin_remote,
            admin_token: admin_token.clone(),
            accounts,
            alerts,
            mdns: Mutex::new(Some(advertiser)),
            stopping: stopped.clone(),
            allowed_hosts,
            public_metrics: config.public_metrics,
            tls: tls.as_ref().map(|t| t.info.clone()),
            admin_remote_plain: config.admin_remote_plain,
            backup: Arc::default(),
            authority: Mutex::new(authority_url),
        });
        let app = router(AppState {
            engine: engine.clone(),
            run: run.clone(),
        });
        let http = tokio::spawn(connections::serve(
            listener,
            app,
            limits,
            tls.map(|t| t.acceptor),
            Arc::clone(&run.connections),
            stopped.clone(),
        ));
        let sweeper = tokio::spawn(sweep(engine.clone(), stopped.clone()));
        let watching = tokio::spawn(watch_alerts(
            Arc::clone(&run),
            config.alert_check_every,
            stopped,
        ));
        write_address_file(&data_dir, addr);
        match clock_warning {
            Some(warning) => {
                tracing::warn!("{warning}");
                engine.record(
                    EventKind::ServerStart,
                    format!("server started on {addr}; {warning}"),
                );
            }
            None => engine.record(EventKind::ServerStart, format!("server started on {addr}")),
        }
        tracing::debug!(%addr, data_dir = %data_dir.display(), "lease server started");
        Ok(ServerHandle {
            addr,
            admin_token,
            data_dir,
            engine,
            run,
            stop,
            http,
            sweeper,
            watching,
        })
    }
}

impl ServerHandle {
    /// The address actually bound (with the real port when 0 was asked for).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    #[must_use]
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// HTTPS on the port, when on.
    #[must_use]
    pub fn tls(&self) -> Option<&leasehold_core::wire::admin::TlsInfo> {
        self.run.tls.as_ref()
    }

    /// The alerts.
    #[must_use]
    pub fn alerts(&self) -> Arc<crate::alerts::Alerts> {
        Arc::clone(&self.run.alerts)
    }

    /// Looks at the alert conditions now (the server does every 10 s);
    /// returns the alerts raised.
    pub fn check_alerts(&self) -> Vec<leasehold_core::wire::alerts::Alert> {
        self.run.check_alerts()
    }

    /// Admin accounts, their tokens and sessions.
    #[must_use]
    pub fn accounts(&self) -> Arc<crate::accounts::Accounts> {
        Arc::clone(&self.run.accounts)
    }

    #[must_use]
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// The engine, for in-process callers (tests, the desktop app).
    #[must_use]
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The server's router, for in-process calls (`oneshot`) to the same
    /// state. Such calls come from this process, so they count as local
    /// (the admin API refuses a request whose peer it does not know).
    pub fn router(&self) -> axum::Router {
        let app = router(AppState {
            engine: self.engine.clone(),
            run: self.run.clone(),
        });
        app.layer(axum::middleware::map_request(
            |mut req: axum::extract::Request| async {
                if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
                    let here = SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
                    req.extensions_mut().insert(ConnectInfo(here));
                }
                req
            },
        ))
    }

    /// Waits until everything recorded so far (events included) is in the store.
    pub async fn store_flush(&self) {
        if let Err(e) = self.engine.store().apply(Vec::new()).await {
            tracing::warn!("flushing the store failed: {e}");
        }
    }

    /// Stops serving, withdraws the mDNS announcement, flushes the store.
    /// No lease is ended: after a restart every unexpired lease is back.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let advertiser = self
            .run
            .mdns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(a) = advertiser {
            let _ = tokio::task::spawn_blocking(move || a.shutdown()).await;
        }
        let _ = self.http.await;
        let _ = self.sweeper.await;
        let _ = self.watching.await;
        self.run.alerts.stopping().await;
        let _ = std::fs::remove_file(self.data_dir.join(ADDRESS_FILE));
        self.engine.note_time_now();
        self.engine.record(EventKind::ServerStop, "server stopped");
        self.engine.store().close().await;
        tracing::debug!("lease server stopped");
    }
}

/// The file in the data directory that tells local tools (`leasehold admin`,
/// the desktop app) where this server listens.
pub const ADDRESS_FILE: &str = "listen-address";

/// Writes the address local tools should call: loopback when listening on
/// every interface.
fn write_address_file(data_dir: &std::path::Path, addr: SocketAddr) {
    let local = if addr.ip().is_unspecified() {
        SocketAddr::new(
            if addr.is_ipv4() {
                [127, 0, 0, 1].into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            },
            addr.port(),
        )
    } else {
        addr
    };
    let path = data_dir.join(ADDRESS_FILE);
    match std::fs::write(&path, format!("{local}\n")) {
        Ok(()) => crate::access::world_readable(&path),
        Err(e) => tracing::warn!(
            "cannot write {}: {e}; `leasehold admin` will need --server",
            ADDRESS_FILE
        ),
    }
}

/// Ends leases at their deadlines: sleeps until the earliest one, and is
/// woken early when a lease with an earlier deadline appears.
async fn sweep(engine: Engine, mut stopped: watch::Receiver<bool>) {
    loop {
        let next = engine.sweep().await;
        engine.note_time();
        engine.drop_idle_listing();
        engine.reload_policy(false);
        // Never longer than clock::MAX_SLEEP: wall time may jump (suspend, NTP).
        let at = match next {
            Some(t) => engine.clock().instant_at(t),
            None => tokio::time::Instant::now() + crate::clock::MAX_SLEEP,
        };
        let wake = tokio::time::sleep_until(at);
        tokio::select! {
            () = wake => {}
            () = engine.sweeper_woken() => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

/// How often the alert conditions are looked at.
pub const ALERT_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Looks at the alert conditions every `every` until the server stops.
async fn watch_alerts(
    run: Arc<RunInfo>,
    every: Option<std::time::Duration>,
    mut stopped: watch::Receiver<bool>,
) {
    let Some(every) = every else { return };
    loop {
        run.check_alerts();
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

/// The connection limits of this run; raises the open-file limit first.
fn connection_limits(config: &Config) -> connections::Limits {
    let open_files = connections::raise_open_file_limit();
    let max_connections = match config.max_connections {
        Some(n) => {
            if n as u64 >= open_files {
                tracing::warn!(
                    max_connections = n,
                    open_files,
                    "the connection cap is above the open-file limit; the server may run out of files before it refuses connections"
                );
            }
            n.max(1)
        }
        None => connections::default_max_connections(open_files),
    };
    tracing::debug!(max_connections, open_files, "connection limits");
    connections::Limits {
        max_connections,
        header_timeout: config.header_timeout,
        shutdown_grace: config.shutdown_grace,
        per_address: None,
    }
}

/// The mDNS advertiser for this server, announcing only when `on`.
fn advertiser(engine: &Engine, addr: SocketAddr, on: bool) -> Advertiser {
    let id = engine.identity();
    let ann = Announcement {
        port: addr.port(),
        server_id: id.server_id.to_string(),
        server_name: id.server_name.clone(),
        protocol_version: PROTOCOL_VERSION,
        only_address: (!addr.ip().is_unspecified()).then_some(addr.ip()),
    };
    if on {
        Advertiser::start(ann)
    } else {
        Advertiser::new_off(ann)
    }
}

/// The names admin calls may give as Host: this machine's (bare, `.local`
/// and `.lan`), the server's name when it is one, and `--allow-host`.
fn allowed_hosts(config: &Config, server_name: &str) -> Vec<String> {
    let machine = gethostname::gethostname()
        .to_string_lossy()
        .to_ascii_lowercase();
    let mut names: Vec<String> = config
        .allowed_hosts
        .iter()
        .map(|n| n.trim().trim_end_matches('.').to_ascii_lowercase())
        .collect();
    if !machine.is_empty() {
        let bare = machine.split('.').next().unwrap_or(&machine).to_owned();
        names.extend([
            format!("{bare}.local"),
            format!("{bare}.lan"),
            bare,
            machine,
        ]);
    }
    // The name mDNS announces (cleaned up: `build_box` -> `build-box.local`).
    let announced = crate::mdns::announced_host_name().to_ascii_lowercase();
    names.push(announced.trim_end_matches('.').to_owned());
    let server = server_name.to_ascii_lowercase();
    if !server.is_empty()
        && server
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        names.push(server);
    }
    names.sort();
    names.dedup();
    names
}

/// The host name, cleaned for display and mDNS; a generic name if there is none.
fn default_server_name() -> String {
    let host: String = gethostname::gethostname()
        .to_string_lossy()
        .chars()
        .filter(|c| !leasehold_core::text::is_deceptive(*c))
        .take(63)
        .collect();
    let host = host.trim();
    if host.is_empty() {
        "Leasehold server".to_owned()
    } else {
        host.to_owned()
    }
}
