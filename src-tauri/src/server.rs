//! The app's one managed state: the license server the window shows. That
//! is the app's own (embedded.rs), or — when a Leasehold service runs on
//! this machine, or an admin installed one — that service, which the app is
//! the console of (attached.rs). The window's commands and the tray ask the
//! same questions of either.

use crate::attached::AttachedService;
use crate::connection::ConnectionInfo;
use crate::elevate::{self, Elevation};
use crate::embedded::EmbeddedServer;
use crate::error::DesktopError;
use crate::listen::Bound;
use crate::service::{self, Finder};
use crate::settings::Settings;
use tokio::sync::Mutex;

pub struct LicenseServer {
    /// Where to look for a service to attach to at startup.
    finder: Finder,
    /// Held across the awaits of start and stop, so they never interleave.
    which: Mutex<Which>,
}

/// Which server the window shows.
enum Which {
    /// The app's own server (until it starts: not running).
    Own(EmbeddedServer),
    /// The Leasehold service; the app runs no server of its own.
    Service(AttachedService),
}

impl LicenseServer {
    /// Attaches where [`Finder::from_env`] says (normally: the installed service).
    #[must_use]
    pub fn new(settings: Settings) -> Self {
        Self::with_finder(settings, Finder::from_env())
    }

    #[must_use]
    pub fn with_finder(settings: Settings, finder: Finder) -> Self {
        Self {
            finder,
            which: Mutex::new(Which::Own(EmbeddedServer::new(settings))),
        }
    }

    /// Attaches to the service when there is one; otherwise starts the
    /// app's own server on the listener bound before the window opened. A
    /// failure is kept and shown in the UI rather than ending the app.
    pub async fn start_first(&self, bound: std::io::Result<Bound>) -> ConnectionInfo {
        let mut which = self.which.lock().await;
        if let Some(service) = service::find(&self.finder).await {
            tracing::info!(
                data_dir = %service.data_dir.display(),
                address = %service.address,
                "a Leasehold service runs on this machine: attached to it, no server of our own"
            );
            drop(bound);
            *which = Which::Service(AttachedService::new(service));
        } else if let Which::Own(own) = &mut *which {
            own.start_first(bound).await;
        }
        info(&which)
    }

    pub async fn info(&self) -> ConnectionInfo {
        info(&*self.which.lock().await)
    }

    /// Starts the app's own server again (on the address it last used, or a
    /// free port when that one was taken meanwhile), or the service. Does
    /// nothing when the own server runs.
    ///
    /// # Errors
    /// No port could be bound, or the server could not open its data; for
    /// the service, as [`AttachedService::start`].
    pub async fn start(&self) -> Result<ConnectionInfo, DesktopError> {
        let mut which = self.which.lock().await;
        match &mut *which {
            Which::Own(own) => own.start().await?,
            Which::Service(service) => service.start().await?,
        }
        Ok(info(&which))
    }

    /// Stops serving; leases stay valid and come back on the next start.
    /// Stopping the service may be refused: the answer says why.
    pub async fn stop(&self) -> ConnectionInfo {
        let mut which = self.which.lock().await;
        match &mut *which {
            Which::Own(own) => own.stop().await,
            Which::Service(service) => service.stop().await,
        }
        info(&which)
    }

    /// Installs the Leasehold service (`pkexec leasehold service install`)
    /// and attaches to it. The app's own server stops first (the service
    /// wants the same port) and starts again if the install fails.
    ///
    /// # Errors
    /// `service_cli_missing`, `service_not_permitted`,
    /// `service_control_failed`, or `service_not_answering` when the service
    /// was installed but does not answer.
    pub async fn install_service(&self) -> Result<ConnectionInfo, DesktopError> {
        let command = elevate::install_command(&elevate::cli_binary()?, Elevation::detect())?;
        let mut which = self.which.lock().await;
        let Which::Own(own) = &mut *which else {
            return Ok(info(&which));
        };
        own.stop().await;
        let installed = elevate::run_all(&[command]).await;
        let found = match installed {
            Ok(()) => service::find_after_install().await,
            Err(_) => None,
        };
        match (installed, found) {
            (Ok(()), Some(service)) => {
                *which = Which::Service(AttachedService::new(service));
                Ok(info(&which))
            }
            (result, _) => {
                own.start_again().await;
                Err(result.err().unwrap_or_else(|| DesktopError::service(
                    "service_not_answering",
                    "the service was installed but does not answer; see `leasehold service status` and `journalctl -u leasehold`",
                )))
            }
        }
    }

    /// Stops the app's own server as the app exits, waiting at most `limit`:
    /// Quit must not hang on a client that keeps a connection open. Leases
    /// are durable once granted, so an unfinished stop loses nothing. The
    /// service outlives its console.
    pub async fn stop_for_exit(&self, limit: std::time::Duration) {
        if matches!(*self.which.lock().await, Which::Service(_)) {
            return;
        }
        if tokio::time::timeout(limit, self.stop()).await.is_err() {
            tracing::warn!("the server did not stop within {limit:?}; exiting anyway");
        }
    }

    /// Moves the app's own server to `port` on the same address (the admin's
    /// answer to a port conflict). The old server keeps running if the port
    /// is taken.
    ///
    /// # Errors
    /// [`DesktopError::PortInUse`] when the port is taken; start errors;
    /// `service_port` when attached (the service's port is set where it is
    /// installed).
    pub async fn restart_on(&self, port: u16) -> Result<ConnectionInfo, DesktopError> {
        let mut which = self.which.lock().await;
        let Which::Own(own) = &mut *which else {
            return Err(DesktopError::service(
                "service_port",
                format!(
                    "the service's port is set where it is installed: `sudo leasehold service install --listen 0.0.0.0:{port}`"
                ),
            ));
        };
        own.restart_on(port).await?;
        Ok(info(&which))
    }
}

fn info(which: &Which) -> ConnectionInfo {
    match which {
        Which::Own(own) => {
            let mut info = own.info();
            info.can_install_service = service::can_install_service();
            info
        }
        Which::Service(service) => service.info(),
    }
}
