//! The Leasehold service this app is the console of (found by service.rs):
//! no server of its own; the window gets the service's address and admin
//! token, and Start/Stop go to the service manager with privileges.

use crate::connection::{self, ConnectionInfo, Problem};
use crate::elevate::{self, Elevation};
use crate::error::DesktopError;
use crate::service::{self, Service};

pub struct AttachedService {
    service: Service,
    /// Read from the service's data directory; empty when it cannot be read.
    token: String,
    /// Shown with the service (e.g. its token cannot be read).
    problem: Option<(&'static str, String)>,
}

impl AttachedService {
    /// Attaches to `service`, reading its admin token. An unreadable token
    /// is a problem shown in the window, never a reason to run a server of
    /// our own.
    #[must_use]
    pub fn new(service: Service) -> Self {
        let mut attached = Self {
            service,
            token: String::new(),
            problem: None,
        };
        attached.read_token();
        attached
    }

    /// Starts the service with privileges and waits until it answers.
    ///
    /// # Errors
    /// As [`elevate::start_stop_commands`] and [`elevate::run_all`];
    /// `service_not_answering` when it started but does not answer.
    pub async fn start(&mut self) -> Result<(), DesktopError> {
        self.control(true).await
    }

    /// Stops the service with privileges; a refusal is kept and shown.
    pub async fn stop(&mut self) {
        if let Err(e) = self.control(false).await {
            tracing::warn!("the service was not stopped: {e}");
            self.problem = Some((e.code(), e.to_string()));
        }
    }

    /// Starts or stops the service, then waits until it answers (or stops
    /// answering).
    async fn control(&mut self, start: bool) -> Result<(), DesktopError> {
        let commands =
            elevate::start_stop_commands(self.service.control, start, Elevation::detect())?;
        elevate::run_all(&commands).await?;
        self.service.running = start;
        let settled = service::wait_until(&mut self.service, start).await;
        if start && !settled {
            return Err(DesktopError::service(
                "service_not_answering",
                format!(
                    "the service started but does not answer on {}; see `journalctl -u leasehold`",
                    self.service.address
                ),
            ));
        }
        self.problem = None;
        if start {
            // Its first start may have just written the token; a token it
            // cannot read stays the problem shown.
            self.read_token();
        }
        Ok(())
    }

    fn read_token(&mut self) {
        match self.service.token() {
            Ok(token) => {
                self.token = token;
                self.problem = None;
            }
            Err(e) => {
                tracing::warn!("{e}");
                self.token.clear();
                self.problem = Some((e.code(), e.to_string()));
            }
        }
    }

    /// What the window is told: the service's address, token and state, and
    /// `attached`.
    #[must_use]
    pub fn info(&self) -> ConnectionInfo {
        let service = &self.service;
        let mut info = ConnectionInfo::new(service.listen, &self.token, service.running, None);
        info.base_url = connection::base_url(service.address);
        info.attached = Some(service.attached());
        info.error = self
            .problem
            .as_ref()
            .map(|(code, message)| Problem {
                code,
                message: message.clone(),
            })
            .or_else(|| {
                (service.running && !service.healthy).then(|| Problem {
                    code: "service_not_answering",
                    message: format!(
                        "the service runs but does not answer on {}; see `journalctl -u leasehold`",
                        service.address
                    ),
                })
            });
        info
    }
}
