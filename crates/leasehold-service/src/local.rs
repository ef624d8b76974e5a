//! Facts about this machine that several programs need once: how a local
//! program reaches a server, and whether we run as root.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The address a program on this machine calls a server listening on
/// `listen` at: loopback (of the same family) for 0.0.0.0 and ::.
#[must_use]
pub fn reachable(listen: SocketAddr) -> SocketAddr {
    let ip: IpAddr = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => Ipv4Addr::LOCALHOST.into(),
        IpAddr::V6(ip) if ip.is_unspecified() => Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

/// Whether this process runs as root (always false off unix).
#[must_use]
pub fn is_root() -> bool {
    cfg!(unix)
        && std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn everywhere_becomes_loopback_of_the_same_family() {
        let r = |s: &str| reachable(s.parse().unwrap()).to_string();
        assert_eq!(r("0.0.0.0:7878"), "127.0.0.1:7878");
        assert_eq!(r("[::]:7878"), "[::1]:7878");
        assert_eq!(r("192.168.1.5:7000"), "192.168.1.5:7000");
    }
}
