//! HTTPS on the server's one port. A connection whose first byte opens a TLS
//! handshake is served over TLS, any other as plain HTTP: applications may
//! keep plain HTTP (their grants are signed), while admin calls from other
//! computers must come over TLS (`auth.rs`). The certificate is the admin's
//! (`serve --tls-cert --tls-key`) or one the server makes on its first start
//! with TLS (`tls-cert.pem`, `tls-key.pem` in the data directory, the key
//! owner-only); its SHA-256 fingerprint is shown by `admin status` and the
//! Server tab, so an admin can check what the browser shows.

use crate::error::{Error, Result};
use leasehold_core::wire::admin::{TlsInfo, TlsSource};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The certificate the server makes, in the data directory.
pub const CERT_FILE: &str = "tls-cert.pem";
/// Its private key (owner-only).
pub const KEY_FILE: &str = "tls-key.pem";

/// The first byte of a TLS record carrying a handshake.
pub const HANDSHAKE: u8 = 0x16;

/// How a server serves TLS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain HTTP only.
    #[default]
    Off,
    /// The certificate in the data directory, made on the first start.
    Made,
    /// The admin's certificate chain and key (PEM files).
    Files { cert: PathBuf, key: PathBuf },
}

/// TLS as a running server has it.
#[derive(Clone)]
pub struct Tls {
    pub acceptor: tokio_rustls::TlsAcceptor,
    pub info: TlsInfo,
}

fn refused(what: &str, path: &Path, why: impl std::fmt::Display) -> Error {
    Error::Tls(format!("{what} {}: {why}", path.display()))
}

/// Sets TLS up as `mode` says (`None` for [`TlsMode::Off`]). `names` go into
/// a certificate the server makes (host names and addresses it answers to).
///
/// # Errors
/// `Error::Config` naming the file and what is wrong with it.
pub fn setup(mode: &TlsMode, data_dir: &Path, names: &[String]) -> Result<Option<Tls>> {
    let (cert, key, source) = match mode {
        TlsMode::Off => return Ok(None),
        TlsMode::Files { cert, key } => (cert.clone(), key.clone(), TlsSource::Provided),
        TlsMode::Made => {
            let cert = data_dir.join(CERT_FILE);
            let key = data_dir.join(KEY_FILE);
            if !cert.exists() || !key.exists() {
                make(&cert, &key, names)?;
            }
            // A key copied or restored with a looser mode is made owner-only again.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| refused("cannot make owner-only", &key, e))?;
            }
            (cert, key, TlsSource::Made)
        }
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert)
        .map_err(|e| refused("cannot read the certificate", &cert, e))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| refused("cannot read the certificate", &cert, e))?;
    let Some(leaf) = chain.first() else {
        return Err(refused(
            "no certificate in",
            &cert,
            "expected a PEM `BEGIN CERTIFICATE` block",
        ));
    };
    let fingerprint = leasehold_http::fingerprint(leaf.as_ref());
    let secret = PrivateKeyDer::from_pem_file(&key)
        .map_err(|e| refused("cannot read the private key", &key, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, secret)
        .map_err(|e| refused("the certificate and key do not go together", &cert, e))?;
    Ok(Some(Tls {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        info: TlsInfo {
            fingerprint,
            source,
            certificate: cert.display().to_string(),
        },
    }))
}

/// Makes a self-signed certificate for `names` and writes it and its key.
fn make(cert: &Path, key: &Path, names: &[String]) -> Result<()> {
    let mut names: Vec<String> = names.to_vec();
    for local in ["localhost", "127.0.0.1", "::1"] {
        if !names.iter().any(|n| n == local) {
            names.push(local.to_owned());
        }
    }
    let mut params = rcgen::CertificateParams::new(names)
        .map_err(|e| Error::Tls(format!("making a TLS certificate: {e}")))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Leasehold license server");
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2099, 12, 31);
    let pair =
        rcgen::KeyPair::generate().map_err(|e| Error::Tls(format!("making a TLS key: {e}")))?;
    let made = params
        .self_signed(&pair)
        .map_err(|e| Error::Tls(format!("making a TLS certificate: {e}")))?;
    write_private(key, pair.serialize_pem().as_bytes())
        .map_err(|e| refused("cannot write", key, e))?;
    std::fs::write(cert, made.pem()).map_err(|e| refused("cannot write", cert, e))?;
    tracing::info!(certificate = %cert.display(), fingerprint = leasehold_http::fingerprint(made.der()), "made a TLS certificate");
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_certificate_is_kept_and_read_back_with_the_same_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let names = vec!["lic1.lan".to_owned(), "192.0.2.7".to_owned()];
        let first = setup(&TlsMode::Made, dir.path(), &names).unwrap().unwrap();
        assert_eq!(first.info.source, TlsSource::Made);
        assert_eq!(first.info.fingerprint.len(), 32 * 3 - 1);
        let again = setup(&TlsMode::Made, dir.path(), &names).unwrap().unwrap();
        assert_eq!(
            first.info.fingerprint, again.info.fingerprint,
            "made once, then kept"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The admin's own files, and files that are not what they should be.
        let files = TlsMode::Files {
            cert: dir.path().join(CERT_FILE),
            key: dir.path().join(KEY_FILE),
        };
        assert_eq!(
            setup(&files, dir.path(), &[]).unwrap().unwrap().info.source,
            TlsSource::Provided
        );
        std::fs::write(dir.path().join("junk.pem"), "not a certificate").unwrap();
        let bad = TlsMode::Files {
            cert: dir.path().join("junk.pem"),
            key: dir.path().join(KEY_FILE),
        };
        let err = setup(&bad, dir.path(), &[]).err().unwrap().to_string();
        assert!(err.contains("junk.pem"), "{err}");
        let missing = TlsMode::Files {
            cert: dir.path().join("nope.pem"),
            key: dir.path().join(KEY_FILE),
        };
        assert!(
            setup(&missing, dir.path(), &[])
                .err()
                .unwrap()
                .to_string()
                .contains("nope.pem")
        );
    }
}
