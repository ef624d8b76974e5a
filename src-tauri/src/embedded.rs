//! The lease server this app runs in-process: started on a listener bound
//! before the window opened, stopped and started again from the Server tab
//! and the tray, moved to another port on request, shut down on Quit.
//! It knows nothing of the Leasehold service; server.rs chooses between the two.

use crate::connection::{ConnectionInfo, Problem};
use crate::error::DesktopError;
use crate::listen::{self, Bound, PortConflict};
use crate::settings::Settings;
use leasehold_server::{Server, ServerHandle};
use std::net::SocketAddr;

pub struct EmbeddedServer {
    settings: Settings,
    handle: Option<ServerHandle>,
    /// The port the admin asked for (the default, or one chosen in the UI).
    wanted: SocketAddr,
    /// The address last listened on; a restart tries it first so the open
    /// window keeps working.
    listen: SocketAddr,
    token: String,
    /// Why the server is not running, when it failed to start.
    error: Option<(&'static str, String)>,
}

impl EmbeddedServer {
    /// A server not started yet, wanting `settings.listen`.
    #[must_use]
    pub fn new(settings: Settings) -> Self {
        Self {
            handle: None,
            wanted: settings.listen,
            listen: settings.listen,
            token: String::new(),
            error: None,
            settings,
        }
    }

    /// Starts on the listener bound before the window opened. A failure is
    /// kept and shown in the UI rather than ending the app.
    pub async fn start_first(&mut self, bound: std::io::Result<Bound>) {
        let result = match bound {
            Ok(b) => self.start_on(b.listener).await,
            Err(e) => Err(DesktopError::bind(self.wanted, e)),
        };
        if let Err(e) = result {
            tracing::error!("the embedded server did not start: {e}");
            self.error = Some((e.code(), e.to_string()));
        }
    }

    /// Starts the server again on the address it last used, or on a free
    /// port when that one was taken meanwhile. Does nothing when running.
    ///
    /// # Errors
    /// No port could be bound, or the server could not open its data.
    pub async fn start(&mut self) -> Result<(), DesktopError> {
        if self.handle.is_some() {
            return Ok(());
        }
        let listener = match listen::bind_exact(self.listen) {
            Ok(l) => l,
            Err(_) => {
                listen::bind_or_fallback(self.wanted)
                    .map_err(|e| DesktopError::bind(self.wanted, e))?
                    .listener
            }
        };
        self.start_on(listener).await
    }

    /// Starts again after the server was stopped for something that failed
    /// (installing the service); a failure is kept and shown in the UI.
    pub async fn start_again(&mut self) {
        if let Err(e) = self.start().await {
            self.error = Some((e.code(), e.to_string()));
        }
    }

    /// Stops serving; leases stay valid and come back on the next start.
    pub async fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown().await;
        }
    }

    /// Moves the server to `port` on the same address (the admin's answer to
    /// a port conflict). The old server keeps running if the port is taken.
    ///
    /// # Errors
    /// [`DesktopError::PortInUse`] when the port is taken; start errors.
    pub async fn restart_on(&mut self, port: u16) -> Result<(), DesktopError> {
        let addr = SocketAddr::new(self.wanted.ip(), port);
        let listener = listen::bind_exact(addr).map_err(|e| DesktopError::bind(addr, e))?;
        self.stop().await;
        self.wanted = addr;
        self.start_on(listener).await
    }

    async fn start_on(&mut self, listener: std::net::TcpListener) -> Result<(), DesktopError> {
        let addr = listener
            .local_addr()
            .map_err(|e| DesktopError::bind(self.wanted, e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| DesktopError::bind(addr, e))?;
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(|e| DesktopError::bind(addr, e))?;
        let handle = Server::start_on(listener, self.settings.server_config(addr)).await?;
        self.listen = handle.local_addr();
        handle.admin_token().clone_into(&mut self.token);
        self.handle = Some(handle);
        self.error = None;
        Ok(())
    }

    /// What the window is told: address, token, running, a port conflict
    /// and why it did not start.
    #[must_use]
    pub fn info(&self) -> ConnectionInfo {
        let conflict = (self.listen.port() != self.wanted.port() && self.wanted.port() != 0)
            .then_some(PortConflict {
                wanted: self.wanted.port(),
                got: self.listen.port(),
            });
        let mut info =
            ConnectionInfo::new(self.listen, &self.token, self.handle.is_some(), conflict);
        info.error = self.error.as_ref().map(|(code, message)| Problem {
            code,
            message: message.clone(),
        });
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &std::path::Path, listen: SocketAddr) -> Settings {
        Settings {
            data_dir: dir.to_path_buf(),
            listen,
            mdns: false,
            trust: Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_taken_port_is_reported_and_can_be_left_for_another() {
        let dir = tempfile::tempdir().unwrap();
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let wanted = taken.local_addr().unwrap();
        let mut server = EmbeddedServer::new(settings(dir.path(), wanted));
        server.start_first(listen::bind_or_fallback(wanted)).await;
        let info = server.info();
        assert!(info.running);
        let conflict = info.port_conflict.expect("the conflict is reported");
        assert_eq!(conflict.wanted, wanted.port());
        assert!(!info.token.is_empty());

        let err = server.restart_on(wanted.port()).await.unwrap_err();
        assert_eq!(err.code(), "port_in_use");
        assert!(
            server.info().running,
            "a refused move leaves the server running"
        );

        drop(taken);
        server.restart_on(wanted.port()).await.unwrap();
        let info = server.info();
        assert_eq!(info.port_conflict, None);
        assert_eq!(info.base_url, format!("http://{wanted}"));
        server.stop().await;
    }

    #[tokio::test]
    async fn stop_then_start_keeps_address_and_token() {
        let dir = tempfile::tempdir().unwrap();
        let mut server = EmbeddedServer::new(settings(dir.path(), "127.0.0.1:0".parse().unwrap()));
        server
            .start_first(listen::bind_or_fallback("127.0.0.1:0".parse().unwrap()))
            .await;
        let first = server.info();
        assert!(first.running && first.port_conflict.is_none());
        server.stop().await;
        assert!(!server.info().running);
        server.start().await.unwrap();
        let again = server.info();
        assert!(again.running);
        assert_eq!(again.base_url, first.base_url);
        assert_eq!(again.token, first.token);
        server.stop().await;
    }
}
