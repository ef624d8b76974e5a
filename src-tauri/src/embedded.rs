//! The lease server this app runs in-process: started on a listener bound
//! before the window opened, stopped and started again from the Server tab
//! and the tray, moved to another port on request, shut down on Quit.
//!
//! When a Leasehold service runs on this machine (or an admin installed
//! one), the app attaches to it instead (attach.rs): no server of its own;
//! the same questions are answered for the service, and Start/Stop go to
//! the service manager.

use crate::attach::{self, Elevation, Finder, Service};
use crate::connection::ConnectionInfo;
use crate::error::DesktopError;
use crate::listen::{self, Bound, PortConflict};
use crate::settings::Settings;
use leasehold_server::{Server, ServerHandle};
use std::net::SocketAddr;
use tokio::sync::Mutex;

pub struct EmbeddedServer {
    settings: Settings,
    /// Where to look for a service to attach to at startup.
    finder: Finder,
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
    /// The service this app is the console of, instead of a server of its own.
    attached: Option<Service>,
    /// Shown with the attached service (e.g. its token cannot be read).
    service_problem: Option<(&'static str, String)>,
}

impl EmbeddedServer {
    /// Attaches where [`Finder::from_env`] says (normally: the installed service).
    #[must_use]
    pub fn new(settings: Settings) -> Self {
        Self::with_finder(settings, Finder::from_env())
    }

    #[must_use]
    pub fn with_finder(settings: Settings, finder: Finder) -> Self {
        let state = State {
            handle: None,
            wanted: settings.listen,
            listen: settings.listen,
            token: String::new(),
            error: None,
            attached: None,
            service_problem: None,
        };
        Self {
            settings,
            finder,
            state: Mutex::new(state),
        }
    }

    /// Starts on the listener bound before the window opened. A failure is
    /// kept and shown in the UI rather than ending the app.
    pub async fn start_first(&self, bound: std::io::Result<Bound>) -> ConnectionInfo {
        let mut st = self.state.lock().await;
        if let Some(service) = attach::find(&self.finder).await {
            tracing::info!(
                data_dir = %service.data_dir.display(),
                address = %service.address,
                "a Leasehold service runs on this machine: attached to it, no server of our own"
            );
            drop(bound);
            attach_to(&mut st, service);
            return info(&st);
        }
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
        if st.attached.is_some() {
            control_service(&mut st, true).await?;
        } else if st.handle.is_none() {
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
        if st.attached.is_some() {
            if let Err(e) = control_service(&mut st, false).await {
                tracing::warn!("the service was not stopped: {e}");
                st.service_problem = Some((e.code(), e.to_string()));
            }
        } else if let Some(handle) = st.handle.take() {
            handle.shutdown().await;
        }
        info(&st)
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
        let command = attach::install_command(&attach::cli_binary()?, Elevation::detect())?;
        let mut st = self.state.lock().await;
        if st.attached.is_some() {
            return Ok(info(&st));
        }
        if let Some(handle) = st.handle.take() {
            handle.shutdown().await;
        }
        let installed = attach::run_all(&[command]).await;
        let found = match installed {
            Ok(()) => attach::find_after_install().await,
            Err(_) => None,
        };
        match (installed, found) {
            (Ok(()), Some(service)) => {
                attach_to(&mut st, service);
                Ok(info(&st))
            }
            (result, _) => {
                self.restart_own(&mut st).await;
                Err(result.err().unwrap_or_else(|| DesktopError::Service {
                    code: "service_not_answering",
                    message: "the service was installed but does not answer; see `leasehold service status` and `journalctl -u leasehold`".to_owned(),
                }))
            }
        }
    }

    /// Starts the app's own server again after a failed install.
    async fn restart_own(&self, st: &mut State) {
        let bound = listen::bind_exact(st.listen)
            .or_else(|_| listen::bind_or_fallback(st.wanted).map(|b| b.listener));
        let result = match bound {
            Ok(listener) => self.start_on(st, listener).await,
            Err(e) => Err(DesktopError::bind(st.wanted, e)),
        };
        if let Err(e) = result {
            st.error = Some((e.code(), e.to_string()));
        }
    }

    /// Stops the server as the app exits, waiting at most `limit`: Quit must
    /// not hang on a client that keeps a connection open. Leases are durable
    /// once granted, so an unfinished stop loses nothing.
    pub async fn stop_for_exit(&self, limit: std::time::Duration) {
        if self.state.lock().await.attached.is_some() {
            return; // The service outlives the console.
        }
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
        if st.attached.is_some() {
            return Err(DesktopError::Service {
                code: "service_port",
                message: format!(
                    "the service's port is set where it is installed: `sudo leasehold service install --listen 0.0.0.0:{port}`"
                ),
            });
        }
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

/// Makes `service` the server this app shows, with its admin token.
fn attach_to(st: &mut State, service: Service) {
    match service.token() {
        Ok(token) => {
            st.token = token;
            st.service_problem = None;
        }
        Err(e) => {
            tracing::warn!("{e}");
            st.token.clear();
            st.service_problem = Some((e.code(), e.to_string()));
        }
    }
    st.error = None;
    st.attached = Some(service);
}

/// Starts or stops the attached service with privileges, then waits until
/// it answers (or stops answering).
async fn control_service(st: &mut State, start: bool) -> Result<(), DesktopError> {
    let Some(service) = st.attached.as_mut() else {
        return Ok(());
    };
    let commands = attach::start_stop_commands(service.control, start, Elevation::detect())?;
    attach::run_all(&commands).await?;
    service.running = start;
    let settled = attach::wait_until(service, start).await;
    if start && !settled {
        return Err(DesktopError::Service {
            code: "service_not_answering",
            message: format!(
                "the service started but does not answer on {}; see `journalctl -u leasehold`",
                service.address
            ),
        });
    }
    if start {
        // Its first start may have just written the token.
        let service = service.clone();
        attach_to(st, service);
    }
    st.service_problem = None;
    Ok(())
}

fn info(st: &State) -> ConnectionInfo {
    if let Some(service) = &st.attached {
        let mut info = ConnectionInfo::embedded(service.listen, &st.token, service.running, None);
        info.base_url = crate::connection::base_url(service.address);
        info.attached = Some(service.attached());
        info.error = st
            .service_problem
            .as_ref()
            .map(|(code, message)| crate::connection::Problem {
                code,
                message: message.clone(),
            })
            .or_else(|| {
                (service.running && !service.healthy).then(|| crate::connection::Problem {
                    code: "service_not_answering",
                    message: format!(
                        "the service runs but does not answer on {}; see `journalctl -u leasehold`",
                        service.address
                    ),
                })
            });
        return info;
    }
    let conflict =
        (st.listen.port() != st.wanted.port() && st.wanted.port() != 0).then_some(PortConflict {
            wanted: st.wanted.port(),
            got: st.listen.port(),
        });
    let mut info = ConnectionInfo::embedded(st.listen, &st.token, st.handle.is_some(), conflict);
    info.can_install_service = attach::can_install_service();
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
