//! The app's one error type. It crosses to the UI as `{ code, message }`, so
//! the page can tell "port in use" from "data directory locked".

use serde::ser::SerializeStruct;
use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum DesktopError {
    #[error("port {} is in use by another program; choose another port", .addr.port())]
    PortInUse { addr: SocketAddr },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Server(#[from] leasehold_server::Error),
    /// Attaching to, controlling or installing the Leasehold service
    /// (`service_not_permitted`, `service_token_unreadable`, …; see
    /// service.rs, elevate.rs and attached.rs).
    #[error("{message}")]
    Service { code: &'static str, message: String },
}

impl DesktopError {
    /// The stable machine-readable code; the server's own codes pass through.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::PortInUse { .. } => "port_in_use",
            Self::Bind { .. } => leasehold_core::ErrorCode::BindFailed.as_str(),
            Self::Server(e) => e.code().as_str(),
            Self::Service { code, .. } => code,
        }
    }

    /// A [`DesktopError::Service`] with its stable `code`.
    pub(crate) fn service(code: &'static str, message: impl Into<String>) -> Self {
        Self::Service {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn bind(addr: SocketAddr, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            Self::PortInUse { addr }
        } else {
            Self::Bind { addr, source }
        }
    }
}

impl serde::Serialize for DesktopError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("DesktopError", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_crosses_as_port_in_use() {
        let e = DesktopError::bind(
            "0.0.0.0:7878".parse().unwrap(),
            std::io::ErrorKind::AddrInUse.into(),
        );
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["code"], "port_in_use");
        assert_eq!(
            v["message"],
            "port 7878 is in use by another program; choose another port"
        );
    }
}
