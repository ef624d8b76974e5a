//! Binding the server's port before the window opens, with a fallback to a
//! free port when the wanted one is taken (the UI then says so).

use serde::Serialize;
use std::net::{SocketAddr, TcpListener};

/// The wanted port was taken; the server listens on `got` instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortConflict {
    pub wanted: u16,
    pub got: u16,
}

#[derive(Debug)]
pub struct Bound {
    pub listener: TcpListener,
    pub conflict: Option<PortConflict>,
}

/// Binds `wanted`; if that fails because the port is in use (or not ours),
/// binds a free port on the same address and reports the conflict.
///
/// # Errors
/// When even a free port on that address cannot be bound (no such address).
pub fn bind_or_fallback(wanted: SocketAddr) -> std::io::Result<Bound> {
    match TcpListener::bind(wanted) {
        Ok(listener) => Ok(Bound {
            listener,
            conflict: None,
        }),
        Err(e) if wanted.port() != 0 => {
            tracing::warn!(%wanted, "cannot listen on {wanted}: {e}; using a free port instead");
            let listener = TcpListener::bind(SocketAddr::new(wanted.ip(), 0))?;
            let got = listener.local_addr()?.port();
            Ok(Bound {
                listener,
                conflict: Some(PortConflict {
                    wanted: wanted.port(),
                    got,
                }),
            })
        }
        Err(e) => Err(e),
    }
}

/// Binds exactly `addr`, with no fallback (a port the admin chose).
///
/// # Errors
/// When the port is taken or the address is not ours.
pub fn bind_exact(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_is_bound_without_conflict() {
        let b = bind_or_fallback(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
        assert!(b.conflict.is_none());
        assert_ne!(b.listener.local_addr().unwrap().port(), 0);
    }

    #[test]
    fn a_taken_port_falls_back_and_reports_it() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let wanted = taken.local_addr().unwrap();
        let b = bind_or_fallback(wanted).unwrap();
        let got = b.listener.local_addr().unwrap().port();
        assert_ne!(got, wanted.port());
        assert_eq!(
            b.conflict,
            Some(PortConflict {
                wanted: wanted.port(),
                got
            })
        );
        assert!(bind_exact(wanted).is_err(), "the taken port stays taken");
    }
}
