//! The lease server this app runs in-process: started on a listener bound
//! before the window opened, stopped and started again from the Server tab
//! and the tray, moved to another port on request, shut down on Quit.
//!
//! (When the app attaches to a Leasehold service instead, a second kind of
//! backend answers the same questions; see issue 5.)

use crate::connection::ConnectionInfo;
use crate::error::DesktopError;
use crate::listen::{self, Bound, PortConflict};
use crate::settings::Settings;
use leasehold_server::{Server, ServerHandle};
use std::net::SocketAddr;
use tokio::sync::Mutex;

pub struct EmbeddedServer {
    settings: Settings,
    /// Held across the awaits of start and stop, so they never interleave.
    state: Mutex<State>,
}

struct State {
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
    #[must_use]
    pub fn new(settings: Settings) -> Self {
        let state = State {
            handle: None,
            wanted: settings.listen,
            listen: settings.listen,
            token: String::new(),
            error: None,
        };
        Self {
            settings,
            state: Mutex::new(state),
        }
    }

    /// Starts on the listener bound before the window opened. A failure is
    /// kept and shown in the UI rather than ending the app.
    pub async fn start_first(&self, bound: std::io::Result<Bound>) -> ConnectionInfo {
        let mut st = self.state.lock().await;
        let result = match bound {
            Ok(b) => self.start_on(&mut st, b.listener).await,
            Err(e) => Err(DesktopError::bind(st.wanted, e)),
        };
        if let Err(e) = result {
            tracing::error!("the embedded server did not start: {e}");
            st.error = Some((e.code(), e.to_string()));
        }
        info(&st)
    }

    pub async fn info(&self) -> ConnectionInfo {
        info(&*self.state.lock().await)
    }

    /// Starts the server again on the address it last used, or on a free
    /// port when that one was taken meanwhile. Does nothing when running.
    ///
    /// # Errors
    /// No port could be bound, or the server could not open its data.
    pub async fn start(&self) -> Result<ConnectionInfo, DesktopError> {
        let mut st = self.state.lock().await;
        if st.handle.is_none() {
            let listener = match listen::bind_exact(st.listen) {
                Ok(l) => l,
                Err(_) => {
                    listen::bind_or_fallback(st.wanted)
                        .map_err(|e| DesktopError::bind(st.wanted, e))?
                        .listener
                }
            };
            self.start_on(&mut st, listener).await?;
        }
        Ok(info(&st))
    }

    /// Stops serving; leases stay valid and come back on the next start.
    pub async fn stop(&self) -> ConnectionInfo {
        let mut st = self.state.lock().await;
        if let Some(handle) = st.handle.take() {
            handle.shutdown().await;
        }
        info(&st)
    }

    /// Stops the server as the app exits, waiting at most `limit`: Quit must
    /// not hang on a client that keeps a connection open. Leases are durable
    /// once granted, so an unfinished stop loses nothing.
    pub async fn stop_for_exit(&self, limit: std::time::Duration) {
        if tokio::time::timeout(limit, self.stop()).await.is_err() {
            tracing::warn!("the server did not stop within {limit:?}; exiting anyway");
        }
    }

    /// Moves the server to `port` on the same address (the admin's answer to
    /// a port conflict). The old server keeps running if the port is taken.
    ///
    /// # Errors
    /// [`DesktopError::PortInUse`] when the port is taken; start errors.
    pub async fn restart_on(&self, port: u16) -> Result<ConnectionInfo, DesktopError> {
        let mut st = self.state.lock().await;
        let addr = SocketAddr::new(st.wanted.ip(), port);
        let listener = listen::bind_exact(addr).map_err(|e| DesktopError::bind(addr, e))?;
        if let Some(handle) = st.handle.take() {
            handle.shutdown().await;
        }
        st.wanted = addr;
        self.start_on(&mut st, listener).await?;
        Ok(info(&st))
    }

    async fn start_on(
        &self,
        st: &mut State,
        listener: std::net::TcpListener,
    ) -> Result<(), DesktopError> {
        let addr = listener
            .local_addr()
            .map_err(|e| DesktopError::bind(st.wanted, e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| DesktopError::bind(addr, e))?;
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(|e| DesktopError::bind(addr, e))?;
        let handle = Server::start_on(listener, self.settings.server_config(addr)).await?;
        st.listen = handle.local_addr();
        handle.admin_token().clone_into(&mut st.token);
        st.handle = Some(handle);
        st.error = None;
        Ok(())
    }
}

fn info(st: &State) -> ConnectionInfo {
    let conflict =
        (st.listen.port() != st.wanted.port() && st.wanted.port() != 0).then_some(PortConflict {
            wanted: st.wanted.port(),
            got: st.listen.port(),
        });
    let mut info = ConnectionInfo::embedded(st.listen, &st.token, st.handle.is_some(), conflict);
    info.error = st
        .error
        .as_ref()
        .map(|(code, message)| crate::connection::Problem {
            code,
            message: message.clone(),
        });
    info
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
        let server = EmbeddedServer::new(settings(dir.path(), wanted));
        let info = server.start_first(listen::bind_or_fallback(wanted)).await;
        assert!(info.running);
        let conflict = info.port_conflict.expect("the conflict is reported");
        assert_eq!(conflict.wanted, wanted.port());
        assert!(!info.token.is_empty());

        let err = server.restart_on(wanted.port()).await.unwrap_err();
        assert_eq!(err.code(), "port_in_use");
        assert!(
            server.info().await.running,
            "a refused move leaves the server running"
        );

        drop(taken);
        let info = server.restart_on(wanted.port()).await.unwrap();
        assert_eq!(info.port_conflict, None);
        assert_eq!(info.base_url, format!("http://{wanted}"));
        server.stop().await;
    }

    #[tokio::test]
    async fn stop_then_start_keeps_address_and_token() {
        let dir = tempfile::tempdir().unwrap();
        let server = EmbeddedServer::new(settings(dir.path(), "127.0.0.1:0".parse().unwrap()));
        let first = server
            .start_first(listen::bind_or_fallback("127.0.0.1:0".parse().unwrap()))
            .await;
        assert!(first.running && first.port_conflict.is_none());
        let stopped = server.stop().await;
        assert!(!stopped.running);
        let again = server.start().await.unwrap();
        assert!(again.running);
        assert_eq!(again.base_url, first.base_url);
        assert_eq!(again.token, first.token);
        server.stop().await;
    }
}
