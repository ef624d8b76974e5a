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
    let text = text.trim();
    if text.len() > MAX_URL_LEN {
        return Err(bad(format!("is longer than {MAX_URL_LEN} characters")));
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
    Ok(url)
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
        reqwest::Client::builder()
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
