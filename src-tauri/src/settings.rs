//! What the app starts its embedded server with, read from the environment:
//! `LEASEHOLD_DATA_DIR`, `LEASEHOLD_LISTEN`, `LEASEHOLD_NO_MDNS`, `LEASEHOLD_TRUST`.

use leasehold_core::license::VendorPublicKey;
use leasehold_server::DEFAULT_PORT;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// Where to listen; when the port is taken the app falls back to a free one.
    pub listen: SocketAddr,
    pub mdns: bool,
    /// Vendor keys trusted for this run, on top of those in the data directory.
    pub trust: Vec<VendorPublicKey>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot find this user's data directory; set LEASEHOLD_DATA_DIR")]
    NoDataDir,
    #[error("LEASEHOLD_LISTEN={0:?} is not an address and port such as 0.0.0.0:7878")]
    BadListen(String),
    #[error("LEASEHOLD_TRUST has {0:?}, which is not a vendor public key")]
    BadTrustKey(String),
}

impl Settings {
    /// Reads the process environment.
    ///
    /// # Errors
    /// A malformed variable, or no data directory at all.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads settings through `var`, so tests need not touch the real environment.
    ///
    /// # Errors
    /// As [`Settings::from_env`].
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let data_dir = match set("LEASEHOLD_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => directories::ProjectDirs::from("", "", "leasehold")
                .map(|p| p.data_dir().to_path_buf())
                .ok_or(SettingsError::NoDataDir)?,
        };
        let listen = match set("LEASEHOLD_LISTEN") {
            Some(s) => s.trim().parse().map_err(|_| SettingsError::BadListen(s))?,
            None => SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)),
        };
        let mdns =
            !set("LEASEHOLD_NO_MDNS").is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"));
        let trust = set("LEASEHOLD_TRUST")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(|k| {
                        k.parse()
                            .map_err(|_| SettingsError::BadTrustKey(k.to_owned()))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Self {
            data_dir,
            listen,
            mdns,
            trust,
        })
    }

    /// The server configuration for these settings. `listen` is informative:
    /// the app binds the listener itself.
    #[must_use]
    pub fn server_config(&self, listen: SocketAddr) -> leasehold_server::Config {
        let mut config = leasehold_server::Config::new(&self.data_dir);
        config.listen = listen;
        config.mdns = self.mdns;
        config.trust = self.trust.clone();
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_listen_everywhere_on_7878_with_mdns() {
        let s = from(&[("LEASEHOLD_DATA_DIR", "/tmp/lh")]).unwrap();
        assert_eq!(s.listen, SocketAddr::from(([0, 0, 0, 0], 7878)));
        assert!(s.mdns);
        assert!(s.trust.is_empty());
        assert_eq!(s.data_dir, PathBuf::from("/tmp/lh"));
    }

    #[test]
    fn no_mdns_and_listen_are_read() {
        let s = from(&[
            ("LEASEHOLD_DATA_DIR", "/d"),
            ("LEASEHOLD_NO_MDNS", "1"),
            ("LEASEHOLD_LISTEN", "127.0.0.1:0"),
        ])
        .unwrap();
        assert!(!s.mdns);
        assert_eq!(s.listen, SocketAddr::from(([127, 0, 0, 1], 0)));
        let s = from(&[("LEASEHOLD_DATA_DIR", "/d"), ("LEASEHOLD_NO_MDNS", "0")]).unwrap();
        assert!(s.mdns);
    }

    #[test]
    fn bad_values_are_named() {
        let e = from(&[("LEASEHOLD_DATA_DIR", "/d"), ("LEASEHOLD_LISTEN", "nope")]).unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        let e = from(&[
            ("LEASEHOLD_DATA_DIR", "/d"),
            ("LEASEHOLD_TRUST", "not-a-key"),
        ])
        .unwrap_err();
        assert!(matches!(e, SettingsError::BadTrustKey(k) if k == "not-a-key"));
    }
}
