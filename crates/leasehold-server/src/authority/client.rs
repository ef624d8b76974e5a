//! A lease server's calls to the vendor's activation authority: the same
//! request and response blocks as the offline exchange, carried over HTTP.
//! Both are signed end to end (the response by the vendor, the proof by
//! this server), so the connection adds no trust: a wrong or hostile URL can
//! refuse or fail, never make a licence count.

use crate::error::{Error, Result};
use leasehold_core::ErrorCode;
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::authority::{
    AuthorityActivate, AuthorityActivated, AuthorityDeactivate, AuthorityDeactivated,
};
use reqwest::Url;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::OnceLock;
use std::time::Duration;

/// The longest authority URL accepted.
pub const MAX_URL_LEN: usize = leasehold_core::wire::admin::MAX_AUTHORITY_URL;
/// The most of an authority's answer read (a response is about 1 KiB).
const MAX_ANSWER: usize = 64 * 1024;
const TIMEOUT: Duration = Duration::from_secs(20);

/// Checks an authority URL as the admin typed it.
///
/// # Errors
/// `invalid_field` saying what is wrong.
pub fn check_url(text: &str) -> Result<Url> {
    let bad = |reason: String| Error::InvalidField {
        field: "authority",
        reason,
    };
    // As sent (the document's maxLength), and as kept after parsing (which
    // may escape characters): a stored address is always usable again.
    if text.chars().count() > MAX_URL_LEN {
        return Err(bad(format!("is longer than {MAX_URL_LEN} characters")));
    }
    let text = text.trim_matches(' ');
    if text
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
    {
        return Err(bad(
            "this build reaches an authority over plain http only (https comes with TLS support); the exchange is signed end to end, so http through your proxy is safe, or use the offline exchange (`admin activation request`)".into(),
        ));
    }
    if let Err(reason) = plain_form(text) {
        return Err(bad(format!(
            "`{text}` is not an authority address: {reason}; give it as the vendor sent it, e.g. http://activate.example.com:7879"
        )));
    }
    let url = Url::parse(text).map_err(|e| {
        bad(format!(
            "`{text}` is not a URL ({e}); give the authority's address as the vendor sent it, e.g. http://activate.example.com:7879"
        ))
    })?;
    match url.scheme() {
        "http" => {}
        "https" => {
            return Err(bad(
                "this build reaches an authority over plain http only (https comes with TLS support); the exchange is signed end to end, so http through your proxy is safe, or use the offline exchange (`admin activation request`)".into(),
            ));
        }
        other => return Err(bad(format!("`{other}:` is not http"))),
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(bad("needs a host and no user name or password in it".into()));
    }
    if url.as_str().len() > MAX_URL_LEN {
        return Err(bad(format!(
            "is longer than {MAX_URL_LEN} characters once its special characters are escaped"
        )));
    }
    Ok(url)
}

/// The one form an authority address takes (the API document's pattern,
/// `leasehold_core::wire::admin::AUTHORITY_URL_PATTERN`): `http://`, a host
/// name (its last label starting with a letter) or an IPv4 address, an
/// optional port, an optional path of plain characters; nothing else.
fn plain_form(text: &str) -> std::result::Result<(), &'static str> {
    let rest = text
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("http://"))
        .map(|_| &text[7..])
        .ok_or("it is not http://")?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if !path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._~/-".contains(c))
    {
        return Err("its path has characters other than letters, digits and . _ ~ / -");
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if let Some(port) = port
        && (!port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err())
    {
        return Err("its port is not a number from 0 to 65535");
    }
    let octet = |s: &str| {
        !s.is_empty()
            && s.len() <= 3
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0'))
            && s.parse::<u16>().is_ok_and(|n| n <= 255)
    };
    let labels: Vec<&str> = host.split('.').collect();
    let ipv4 = labels.len() == 4 && labels.iter().all(|l| octet(l));
    let name = labels
        .iter()
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && labels
            .last()
            .and_then(|l| l.bytes().next())
            .is_some_and(|b| b.is_ascii_alphabetic());
    if ipv4 || name {
        Ok(())
    } else {
        Err("its host is neither a host name nor an IPv4 address")
    }
}

/// Asks the authority at `url` to activate: the vendor's response.
///
/// # Errors
/// The authority's refusal with its own code (`activation_limit_reached`,
/// …), or `authority_unreachable`.
pub async fn activate(url: &Url, request: &str) -> Result<AuthorityActivated> {
    call(
        url,
        "authority/v1/activations",
        &AuthorityActivate {
            request: request.to_owned(),
        },
    )
    .await
}

/// Sends a deactivation proof to the authority at `url`.
///
/// # Errors
/// As [`activate`].
pub async fn deactivate(url: &Url, proof: &str) -> Result<AuthorityDeactivated> {
    call(
        url,
        "authority/v1/deactivations",
        &AuthorityDeactivate {
            proof: proof.to_owned(),
        },
    )
    .await
}

/// The refusals an authority makes, passed on with their own code; any
/// other answer means the URL is not an authority (or a broken one).
const RELAYED: &[ErrorCode] = &[
    ErrorCode::ActivationLimitReached,
    ErrorCode::UntrustedVendor,
    ErrorCode::BadActivation,
    ErrorCode::BadSignature,
    ErrorCode::ActivationMismatch,
    ErrorCode::BadRequest,
    ErrorCode::StorageFull,
    ErrorCode::StorageError,
];

fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        leasehold_http::client()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("leasehold-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}

async fn call<B: Serialize, T: DeserializeOwned>(base: &Url, path: &str, body: &B) -> Result<T> {
    let unreachable = |why: String| {
        Error::AuthorityUnreachable(format!(
            "the activation authority at {base} {why}; check the address and this computer's connection to it, or use the offline exchange (`leasehold admin activation request`)"
        ))
    };
    let mut dir = base.clone();
    if !dir.path().ends_with('/') {
        dir.set_path(&format!("{}/", dir.path()));
    }
    let url = dir
        .join(path)
        .map_err(|e| unreachable(format!("gives no usable address ({e})")))?;
    let mut answer = http()
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| unreachable(format!("could not be reached ({e})")))?;
    let status = answer.status();
    let mut bytes = Vec::new();
    while let Some(chunk) = answer
        .chunk()
        .await
        .map_err(|e| unreachable(format!("broke off its answer ({e})")))?
    {
        if bytes.len() + chunk.len() > MAX_ANSWER {
            return Err(unreachable("answered with far too much".into()));
        }
        bytes.extend_from_slice(&chunk);
    }
    if status.is_success() {
        return serde_json::from_slice(&bytes)
            .map_err(|_| unreachable("did not answer as an activation authority".into()));
    }
    let Ok(refusal) = serde_json::from_slice::<ErrorBody>(&bytes) else {
        return Err(unreachable(format!(
            "answered {status}, not as an activation authority"
        )));
    };
    match RELAYED.iter().find(|c| c.as_str() == refusal.code).copied() {
        Some(code) => Err(Error::Authority {
            code,
            message: format!("the activation authority refused: {}", refusal.message),
        }),
        None => Err(unreachable(format!(
            "did not answer as an activation authority ({}: {})",
            refusal.code, refusal.message
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authority_address_takes_the_documented_form_only() {
        for good in [
            "http://activate.example.com",
            "HTTP://activate.example.com:7879/",
            "  http://10.0.0.5:65535/leasehold/v1  ",
            "http://lic-01",
        ] {
            assert!(check_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://0.1.2.3:69937",
            "http://example.com:",
            "http://user@example.com",
            "http://example.com/a b",
            "http://example.com/*",
            "http://example.com?x=1",
            "http://256.1.1.1",
            "http://1.2.3",
            "ftp://example.com",
            "http://",
            "\thttp://example.com",
        ] {
            assert_eq!(
                check_url(bad).unwrap_err().code().as_str(),
                "invalid_field",
                "{bad}"
            );
        }
        assert!(
            check_url("https://example.com")
                .unwrap_err()
                .to_string()
                .contains("plain http only")
        );
        let long = format!("http://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert!(check_url(&long).is_err());
    }
}
