//! The end user's choice of how this machine gets its license: one small TOML
//! file in the platform's config directory (`client.toml`), and a state file
//! next to it where auto mode remembers the last server it found.
//!
//! ```toml
//! mode = "network"
//! auto = true                                  # discover over mDNS
//! servers = ["lic1.lan:7878", "lic2.lan:7878"] # tried in order (after discovery)
//! ```
//!
//! ```toml
//! mode = "network"
//! servers = ["https://lic1.lan:7878"]          # over TLS
//! tls_fingerprints = ["AB:CD:…"]               # its certificate (`leasehold admin status`)
//! ```
//!
//! ```toml
//! mode = "standalone"
//! license_file = "/opt/designer/designer.lic"  # a node-locked license code
//! ```
//!
//! Files are written atomically (a temp file renamed over the old one). A file
//! that cannot be read as settings is an error naming the file and the line;
//! it is never silently replaced by defaults.

use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// Environment variable with the settings file to use instead of the default.
pub const CONFIG_ENV: &str = "LEASEHOLD_CLIENT_CONFIG";
/// The settings file's name inside the config directory.
pub const FILE_NAME: &str = "client.toml";

/// What the end user chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settings {
    /// A node-locked license file on this machine; no server is asked.
    Standalone {
        /// The file holding the license code. Relative paths in the settings
        /// file are relative to the file's directory; [`Settings::load`]
        /// returns them made absolute.
        license_file: PathBuf,
    },
    /// Borrow a seat from a lease server.
    Network {
        /// Discover servers over mDNS first.
        auto: bool,
        /// `host:port` addresses, tried in order (after discovery when `auto`);
        /// `https://host:port` over TLS.
        servers: Vec<String>,
        /// SHA-256 fingerprints of the certificates trusted for `https://`
        /// servers (without any, the system's roots decide).
        tls_fingerprints: Vec<String>,
    },
}

impl Default for Settings {
    /// No settings file yet: network mode, discover the server.
    fn default() -> Self {
        Self::Network {
            auto: true,
            servers: Vec::new(),
            tls_fingerprints: Vec::new(),
        }
    }
}

/// Why the settings could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The file holds something that is not valid Leasehold client settings.
    #[error(
        "{}, line {line}: {message} (fix or remove the file; it was left as it is)",
        path.display()
    )]
    Invalid {
        path: PathBuf,
        /// 1-based.
        line: usize,
        message: String,
    },
    /// The file exists but cannot be read.
    #[error("cannot read the client settings {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file cannot be written.
    #[error("cannot write the client settings {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The platform has no config directory (no home directory).
    #[error(
        "cannot find a config directory for the client settings; set {CONFIG_ENV} to a file path"
    )]
    NoConfigDir,
}

impl SettingsError {
    /// A stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "settings_invalid",
            Self::Read { .. } => "settings_unreadable",
            Self::Write { .. } => "settings_unwritable",
            Self::NoConfigDir => "settings_no_config_dir",
        }
    }
}

/// The settings file to use: `LEASEHOLD_CLIENT_CONFIG` if set, else
/// `client.toml` in the platform's config directory (on Linux
/// `~/.config/leasehold/client.toml`).
///
/// # Errors
///
/// [`SettingsError::NoConfigDir`] when neither gives a path.
pub fn default_path() -> Result<PathBuf, SettingsError> {
    if let Some(path) = std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    directories::ProjectDirs::from("", "", "leasehold")
        .map(|dirs| dirs.config_dir().join(FILE_NAME))
        .ok_or(SettingsError::NoConfigDir)
}

/// The state file next to a settings file (`client.toml` →
/// `client.state.toml`): what auto mode remembers, not the user's choice.
#[must_use]
pub fn state_path(settings_path: &Path) -> PathBuf {
    settings_path.with_extension("state.toml")
}

/// The file as written: flat keys, nothing else allowed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    mode: Spanned<String>,
    license_file: Option<Spanned<PathBuf>>,
    auto: Option<Spanned<bool>>,
    servers: Option<Spanned<Vec<Spanned<String>>>>,
    tls_fingerprints: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Serialize)]
struct WrittenSettings<'a> {
    mode: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_file: Option<&'a Path>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    servers: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_fingerprints: Option<&'a [String]>,
}

impl Settings {
    /// Reads the settings at `path`; a missing file gives the defaults
    /// (network, auto). Relative license paths are made absolute.
    ///
    /// # Errors
    ///
    /// [`SettingsError::Read`] if the file exists but cannot be read,
    /// [`SettingsError::Invalid`] (file and line) if it is not valid.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        Ok(Self::load_if_exists(path)?.unwrap_or_default())
    }

    /// Like [`load`](Self::load), but `None` when there is no file.
    ///
    /// # Errors
    ///
    /// As [`load`](Self::load).
    pub fn load_if_exists(path: &Path) -> Result<Option<Self>, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(SettingsError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let mut settings = Self::parse(&text, path)?;
        if let Self::Standalone { license_file } = &mut settings
            && license_file.is_relative()
            && let Some(dir) = path.parent()
        {
            *license_file = dir.join(&*license_file);
        }
        Ok(Some(settings))
    }

    /// Reads settings from `text`; `path` is only named in errors.
    ///
    /// # Errors
    ///
    /// [`SettingsError::Invalid`] naming the line of the first problem.
    pub fn parse(text: &str, path: &Path) -> Result<Self, SettingsError> {
        let invalid = |span: Option<Range<usize>>, message: String| SettingsError::Invalid {
            path: path.to_owned(),
            line: span.map_or(1, |s| line_of(text, s.start)),
            message,
        };
        let raw: RawSettings =
            toml::from_str(text).map_err(|e| invalid(e.span(), e.message().trim().to_owned()))?;
        let wrong_mode = |span: Range<usize>, key: &str, mode: &str| {
            invalid(
                Some(span),
                format!("`{key}` does not belong in mode = \"{mode}\""),
            )
        };
        match raw.mode.get_ref().as_str() {
            "standalone" => {
                if let Some(auto) = &raw.auto {
                    return Err(wrong_mode(auto.span(), "auto", "standalone"));
                }
                if let Some(servers) = &raw.servers {
                    return Err(wrong_mode(servers.span(), "servers", "standalone"));
                }
                if let Some(pins) = &raw.tls_fingerprints {
                    return Err(wrong_mode(pins.span(), "tls_fingerprints", "standalone"));
                }
                let license_file = raw.license_file.ok_or_else(|| {
                    invalid(
                        Some(raw.mode.span()),
                        "mode = \"standalone\" needs `license_file = \"PATH\"`".into(),
                    )
                })?;
                if license_file.get_ref().as_os_str().is_empty() {
                    return Err(invalid(
                        Some(license_file.span()),
                        "`license_file` is empty".into(),
                    ));
                }
                Ok(Self::Standalone {
                    license_file: license_file.into_inner(),
                })
            }
            "network" => {
                if let Some(file) = &raw.license_file {
                    return Err(wrong_mode(file.span(), "license_file", "network"));
                }
                let auto = raw.auto.as_ref().is_some_and(|a| *a.get_ref());
                let mut servers = Vec::new();
                if let Some(list) = raw.servers {
                    for server in list.into_inner() {
                        let span = server.span();
                        let address = server.into_inner();
                        if let Err(e) = crate::ServerApi::new(&address) {
                            return Err(invalid(Some(span), e.to_string()));
                        }
                        servers.push(address);
                    }
                }
                let mut tls_fingerprints = Vec::new();
                for pin in raw
                    .tls_fingerprints
                    .map(Spanned::into_inner)
                    .unwrap_or_default()
                {
                    if let Err(e) = leasehold_http::parse_fingerprint(pin.get_ref()) {
                        return Err(invalid(Some(pin.span()), e));
                    }
                    tls_fingerprints.push(pin.into_inner());
                }
                if !auto && servers.is_empty() {
                    return Err(invalid(
                        Some(raw.mode.span()),
                        "mode = \"network\" needs `auto = true` or `servers = [\"HOST:PORT\", …]`"
                            .into(),
                    ));
                }
                Ok(Self::Network {
                    auto,
                    servers,
                    tls_fingerprints,
                })
            }
            other => Err(invalid(
                Some(raw.mode.span()),
                format!("unknown mode {other:?}; expected \"standalone\" or \"network\""),
            )),
        }
    }

    /// The settings as the file's text.
    #[must_use]
    pub fn to_toml(&self) -> String {
        let written = match self {
            Self::Standalone { license_file } => WrittenSettings {
                mode: "standalone",
                license_file: Some(license_file),
                auto: None,
                servers: None,
                tls_fingerprints: None,
            },
            Self::Network {
                auto,
                servers,
                tls_fingerprints,
            } => WrittenSettings {
                mode: "network",
                license_file: None,
                auto: Some(*auto),
                servers: (!servers.is_empty()).then_some(servers.as_slice()),
                tls_fingerprints: (!tls_fingerprints.is_empty())
                    .then_some(tls_fingerprints.as_slice()),
            },
        };
        let body = toml::to_string(&written).unwrap_or_else(|e| {
            // Only strings, bools and a list: cannot fail; keep the mode at least.
            tracing::error!(error = %e, "cannot format client settings");
            format!("mode = {:?}\n", written.mode)
        });
        format!("# Leasehold client settings (`leasehold client mode` changes them)\n{body}")
    }

    /// Writes the settings to `path` atomically, creating its directory.
    ///
    /// # Errors
    ///
    /// [`SettingsError::Write`] if the directory or file cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        write_atomically(path, self.to_toml().as_bytes()).map_err(|source| SettingsError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// These settings with `LEASEHOLD_SERVER` applied, if set and not empty:
    /// network mode with that one server, for this run only; and
    /// `LEASEHOLD_TLS_FINGERPRINT` added to the certificates trusted.
    #[must_use]
    pub fn with_env_override(self) -> Self {
        self.with_server_override(std::env::var(crate::SERVER_ENV).ok())
            .with_fingerprint(std::env::var(crate::TLS_FINGERPRINT_ENV).ok())
    }

    /// These settings with `server` (if given and not empty) in place of the
    /// mode chosen: network mode with that one server (keeping the
    /// certificates trusted).
    #[must_use]
    pub fn with_server_override(self, server: Option<String>) -> Self {
        match server {
            Some(addr) if !addr.trim().is_empty() => Self::Network {
                auto: false,
                servers: vec![addr.trim().to_owned()],
                tls_fingerprints: self.tls_fingerprints().to_vec(),
            },
            _ => self,
        }
    }

    /// These settings trusting one more certificate (network mode; empty
    /// text changes nothing).
    #[must_use]
    pub fn with_fingerprint(mut self, fingerprint: Option<String>) -> Self {
        if let (
            Self::Network {
                tls_fingerprints, ..
            },
            Some(pin),
        ) = (&mut self, fingerprint.map(|f| f.trim().to_owned()))
            && !pin.is_empty()
            && !tls_fingerprints.contains(&pin)
        {
            tls_fingerprints.push(pin);
        }
        self
    }

    /// The certificates trusted for `https://` servers (none in standalone
    /// mode).
    #[must_use]
    pub fn tls_fingerprints(&self) -> &[String] {
        match self {
            Self::Network {
                tls_fingerprints, ..
            } => tls_fingerprints,
            Self::Standalone { .. } => &[],
        }
    }
}

impl std::fmt::Display for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Standalone { license_file } => {
                write!(f, "standalone (license file {})", license_file.display())
            }
            Self::Network {
                auto,
                servers,
                tls_fingerprints,
            } => {
                f.write_str("network (")?;
                match (auto, servers.is_empty()) {
                    (true, true) => f.write_str("discover the server automatically")?,
                    (true, false) => write!(f, "discover, then try {}", servers.join(", "))?,
                    (false, _) => write!(f, "servers {}", servers.join(", "))?,
                }
                match tls_fingerprints.len() {
                    0 => {}
                    1 => f.write_str("; 1 certificate trusted")?,
                    n => write!(f, "; {n} certificates trusted")?,
                }
                f.write_str(")")
            }
        }
    }
}

/// What auto mode remembers between runs: the last server that answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    /// `host:port` it answered on.
    pub address: String,
    /// Its server id, from its hello.
    pub server_id: String,
    /// Its name, for people.
    #[serde(default)]
    pub server_name: String,
}

impl Remembered {
    /// Reads the state file; `None` when missing or unreadable (it is only a
    /// hint, so a bad one is logged and ignored, then rewritten).
    #[must_use]
    pub fn load(path: &Path) -> Option<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot read the client state file; ignoring it");
                return None;
            }
        };
        match toml::from_str(&text) {
            Ok(state) => Some(state),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "the client state file is not valid; ignoring it");
                None
            }
        }
    }

    /// Writes the state file atomically.
    ///
    /// # Errors
    ///
    /// The I/O error if it cannot be written.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let body = toml::to_string(self).map_err(std::io::Error::other)?;
        let text = format!(
            "# Written by Leasehold: the last server found in auto mode (safe to delete)\n{body}"
        );
        write_atomically(path, text.as_bytes())
    }
}

/// Writes `bytes` to a temp file in `path`'s directory, syncs it and renames
/// it over `path`, so readers see the old file or the new one, never a part.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "settings".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        // Best effort: do not leave the temp file behind.
        let _gone = std::fs::remove_file(&tmp);
    }
    written
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, SettingsError> {
        Settings::parse(text, Path::new("/etc/x/client.toml"))
    }

    fn line(err: SettingsError) -> (usize, String) {
        match err {
            SettingsError::Invalid { line, message, .. } => (line, message),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn every_shape_round_trips_through_text() {
        for s in [
            Settings::Standalone {
                license_file: "/opt/a b/designer.lic".into(),
            },
            Settings::Network {
                auto: true,
                servers: vec![],
                tls_fingerprints: vec![],
            },
            Settings::Network {
                auto: false,
                servers: vec!["a.lan:7878".into(), "10.0.0.2:9000".into()],
                tls_fingerprints: vec![],
            },
            Settings::Network {
                auto: true,
                servers: vec!["https://a.lan:7878".into()],
                tls_fingerprints: vec!["AB:".repeat(31) + "AB", "cd".repeat(32)],
            },
        ] {
            assert_eq!(parse(&s.to_toml()).unwrap(), s, "{}", s.to_toml());
        }
    }

    #[test]
    fn problems_name_their_line() {
        let (l, m) =
            line(parse("mode = \"network\"\nauto = true\ncolour = \"red\"\n").unwrap_err());
        assert_eq!(l, 3, "{m}");
        assert!(m.contains("colour"), "{m}");

        let (l, m) = line(parse("# hi\nmode = \"cloud\"\n").unwrap_err());
        assert_eq!(l, 2);
        assert!(m.contains("unknown mode"), "{m}");

        let (l, m) = line(
            parse("mode = \"network\"\nservers = [\"ok:1\",\n  \"ftp://x:1\"]\n").unwrap_err(),
        );
        assert_eq!(l, 3, "{m}");

        let (l, m) = line(
            parse(
                "mode = \"network\"\nservers = [\"https://x:1\"]\ntls_fingerprints = [\"AB:CD\"]\n",
            )
            .unwrap_err(),
        );
        assert_eq!(l, 3, "{m}");
        assert!(m.contains("not a SHA-256 fingerprint"), "{m}");

        let (l, _) = line(
            parse("mode = \"standalone\"\nlicense_file = \"f\"\ntls_fingerprints = []\n")
                .unwrap_err(),
        );
        assert_eq!(l, 3);

        let (l, m) = line(parse("mode = \"standalone\"\n").unwrap_err());
        assert_eq!(l, 1);
        assert!(m.contains("license_file"), "{m}");

        let (l, _) =
            line(parse("mode = \"standalone\"\nlicense_file = \"f\"\nauto = true\n").unwrap_err());
        assert_eq!(l, 3);

        let (l, m) = line(parse("mode = \"network\"\n").unwrap_err());
        assert_eq!(l, 1);
        assert!(m.contains("auto"), "{m}");

        let (l, _) = line(parse("mode = \"network\"\nauto = \"yes\"\n").unwrap_err());
        assert_eq!(l, 2);
        assert!(parse("mode = [").is_err());
    }

    #[test]
    fn server_override_replaces_the_mode_for_one_run() {
        let standalone = Settings::Standalone {
            license_file: "f".into(),
        };
        assert_eq!(
            standalone
                .clone()
                .with_server_override(Some(" h:1 ".into())),
            Settings::Network {
                auto: false,
                servers: vec!["h:1".into()],
                tls_fingerprints: vec![],
            }
        );
        assert_eq!(
            standalone.clone().with_server_override(Some(String::new())),
            standalone
        );
        assert_eq!(standalone.clone().with_server_override(None), standalone);
    }

    #[test]
    fn a_server_override_keeps_the_certificates_trusted_and_one_more_is_added() {
        let pin = "AB:".repeat(31) + "AB";
        let network = Settings::Network {
            auto: true,
            servers: vec![],
            tls_fingerprints: vec![pin.clone()],
        };
        let overridden = network
            .with_server_override(Some("https://h:1".into()))
            .with_fingerprint(Some(format!(" {} ", "cd".repeat(32))))
            .with_fingerprint(Some(pin.clone()))
            .with_fingerprint(Some(" ".into()));
        assert_eq!(
            overridden,
            Settings::Network {
                auto: false,
                servers: vec!["https://h:1".into()],
                tls_fingerprints: vec![pin, "cd".repeat(32)],
            }
        );
        let standalone = Settings::Standalone {
            license_file: "f".into(),
        };
        assert_eq!(
            standalone.clone().with_fingerprint(Some("cd".repeat(32))),
            standalone
        );
        assert!(standalone.tls_fingerprints().is_empty());
    }

    #[test]
    fn state_file_sits_next_to_the_settings() {
        assert_eq!(
            state_path(Path::new("/c/client.toml")),
            PathBuf::from("/c/client.state.toml")
        );
        assert_eq!(
            state_path(Path::new("/c/client")),
            PathBuf::from("/c/client.state.toml")
        );
    }
}
