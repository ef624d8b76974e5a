//! HTTP clients for Leasehold's tools and SDK. reqwest speaks TLS through
//! rustls with the `ring` provider (it builds with a C compiler alone);
//! rustls must be told which provider to use before any client is built, so
//! every client is made here: [`client`] installs it once.
//!
//! [`pinned`] trusts exactly one certificate, named by the SHA-256
//! fingerprint the server shows (`leasehold admin status`): how an admin
//! reaches a server whose certificate it made itself.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Once};

fn provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// A reqwest client builder whose TLS works (and checks certificates
/// against the system's roots).
pub fn client() -> reqwest::ClientBuilder {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Already installed by the process: that one is used.
        let _ = provider().install_default();
    });
    reqwest::Client::builder()
}

/// A client builder that trusts only the certificate with `fingerprint`
/// (SHA-256, hex, with or without colons), whatever its names or issuer.
///
/// # Errors
/// A fingerprint that is not 64 hex digits (with its colons).
pub fn pinned(fingerprint: &str) -> Result<reqwest::ClientBuilder, String> {
    pinned_to(&[parse_fingerprint(fingerprint)?])
}

/// A client builder that trusts only certificates whose SHA-256 is one of
/// `pins` (a client that knows several servers, each with a certificate it
/// made itself).
///
/// # Errors
/// No pins, or rustls refusing its safe defaults (never in practice).
pub fn pinned_to(pins: &[[u8; 32]]) -> Result<reqwest::ClientBuilder, String> {
    if pins.is_empty() {
        return Err("no certificate fingerprint to trust".to_owned());
    }
    let provider = Arc::new(provider());
    let algorithms = provider.signature_verification_algorithms;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            pins: pins.to_vec(),
            algorithms,
        }))
        .with_no_client_auth();
    Ok(client().tls_backend_preconfigured(config))
}

/// A certificate's SHA-256 fingerprint as people compare it: `AB:CD:…`.
#[must_use]
pub fn fingerprint(der: &[u8]) -> String {
    with_colons(&Sha256::digest(der))
}

/// A digest as `AB:CD:…`.
fn with_colons(digest: &[u8]) -> String {
    digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Why the server's certificate was refused, when that is what `error`
/// (a reqwest error, with its sources) comes down to; `None` for any other
/// failure (refused connection, timeout, …).
#[must_use]
pub fn certificate_refusal(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(error);
    while let Some(e) = next {
        match rustls_error(e) {
            Some(rustls::Error::InvalidCertificate(why)) => {
                return Some(format!("its certificate is not trusted ({why})"));
            }
            Some(rustls::Error::General(why)) if why.starts_with(PIN_REFUSAL) => {
                return Some(why.clone());
            }
            _ => {}
        }
        next = e.source();
    }
    None
}

/// `e` as a rustls error, looking inside the io::Errors that wrap one (an
/// io::Error hides what it wraps from `source()`).
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current = e;
    for _ in 0..8 {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner: &(dyn std::error::Error + Send + Sync + 'static) =
            current.downcast_ref::<std::io::Error>()?.get_ref()?;
        current = inner;
    }
    None
}

/// How a refusal by [`pinned_to`] begins.
const PIN_REFUSAL: &str = "its certificate is not the one trusted";

/// `AB:CD:…` or `abcd…` as 32 bytes.
///
/// # Errors
/// Anything else, said plainly.
pub fn parse_fingerprint(text: &str) -> Result<[u8; 32], String> {
    let hex: String = text
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect();
    let bad = || {
        format!(
            "`{}` is not a SHA-256 fingerprint: 64 hex digits, e.g. AB:CD:… as `leasehold admin status` shows it",
            text.chars().take(120).collect::<String>()
        )
    };
    // (from_str_radix would take a sign.)
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16)
            .map_err(|_| bad())?;
    }
    Ok(out)
}

#[derive(Debug)]
struct Pinned {
    pins: Vec<[u8; 32]>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if self.pins.contains(&seen) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "{PIN_REFUSAL}: it has the fingerprint {}, which is not among those given",
                with_colons(&seen)
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fingerprints_are_read_with_or_without_colons() {
        let colons = (0..32)
            .map(|i| format!("{i:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        let plain = colons.replace(':', "").to_lowercase();
        let want: Vec<u8> = (0..32).collect();
        assert_eq!(super::parse_fingerprint(&colons).unwrap().to_vec(), want);
        assert_eq!(super::parse_fingerprint(&plain).unwrap().to_vec(), want);
        for bad in [
            "",
            "AB:CD",
            &"zz".repeat(32),
            &"ab".repeat(33),
            &"+a".repeat(32),
        ] {
            assert!(
                super::parse_fingerprint(bad)
                    .unwrap_err()
                    .contains("not a SHA-256 fingerprint"),
                "{bad}"
            );
        }
    }
}
