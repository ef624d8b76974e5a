//! Activation of licences on this server (admin API): the request for the
//! vendor, importing the vendor's response, deactivating to move a licence.

use super::AppState;
use super::extract::{Json, Path, Query};
use crate::authority::client as authority;
use crate::error::{Error, Result};
use crate::store::Op;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post, put};
use leasehold_core::LicenseId;
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::admin::{
    ActivationRequestView, AuthoritySent, Deactivated, DeactivationProofView, ImportActivation,
    LicenseView, ServerStatus, SetAuthority,
};
use reqwest::Url;
use serde::Deserialize;

/// `?authority=URL`: the activation authority to use this once, instead of
/// the one set on the server.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorityParam {
    /// The authority's address (`http://host:port`).
    #[param(schema_with = leasehold_core::wire::admin::authority_url)]
    pub authority: Option<String>,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/v1/licenses/{license_id}/activation-request",
            get(activation_request),
        )
        .route("/admin/v1/activations", post(import_activation))
        .route(
            "/admin/v1/licenses/{license_id}/deactivate",
            post(deactivate),
        )
        .route(
            "/admin/v1/licenses/{license_id}/activate-online",
            post(activate_online),
        )
        .route("/admin/v1/authority", put(set_authority))
        .route(
            "/admin/v1/licenses/{license_id}/deactivation-proof",
            get(deactivation_proof),
        )
}

/// The authority to call: the one named in the call, else the server's.
fn authority_for(state: &AppState, param: AuthorityParam) -> Result<Option<Url>> {
    param
        .authority
        .filter(|u| !u.trim_matches(' ').is_empty())
        .or_else(|| state.run.authority_url())
        .map(|u| authority::check_url(&u))
        .transpose()
}

/// The activation request for a licence on this server (names the code, this
/// server's public key and this computer's fingerprint), for the vendor.
#[utoipa::path(get, path = "/admin/v1/licenses/{license_id}/activation-request", tag = "admin", security(("bearer" = [])), params(("license_id" = LicenseId, Path, description = "The license id")), responses(
    (status = 200, body = ActivationRequestView),
    (status = 404, description = "`license_not_found`", body = ErrorBody),
    (status = 409, description = "`activation_not_needed`: the code counts on any server as it is", body = ErrorBody),
))]
pub async fn activation_request(
    State(state): State<AppState>,
    Path(id): Path<LicenseId>,
) -> Result<Json<ActivationRequestView>> {
    state.engine.activation_request(id).map(Json)
}

/// Imports the vendor's activation response: the licence counts from now.
#[utoipa::path(post, path = "/admin/v1/activations", tag = "admin", security(("bearer" = [])), request_body = ImportActivation, responses(
    (status = 200, description = "The licence, now counting", body = LicenseView),
    (status = 422, description = "`bad_activation`, `untrusted_vendor`, `bad_signature` or `activation_mismatch` (another server, computer or licence, or older than this server's deactivation)", body = ErrorBody),
    (status = 404, description = "`license_not_found`: add the code first", body = ErrorBody),
))]
pub async fn import_activation(
    State(state): State<AppState>,
    Json(req): Json<ImportActivation>,
) -> Result<Json<LicenseView>> {
    state
        .engine
        .import_activation(&req.response)
        .await
        .map(Json)
}

/// Stops counting a licence on this server and answers the signed proof the
/// vendor needs to activate it elsewhere. Leases out run to their end. With
/// an activation authority (set, or `?authority=`), the proof is sent to it
/// too; the deactivation here stands whatever the authority says.
#[utoipa::path(post, path = "/admin/v1/licenses/{license_id}/deactivate", tag = "admin", security(("bearer" = [])), params(("license_id" = LicenseId, Path, description = "The license id"), AuthorityParam), responses(
    (status = 200, body = Deactivated),
    (status = 400, description = "`invalid_field`: the authority URL", body = ErrorBody),
    (status = 409, description = "`not_activated_here`: nothing to deactivate", body = ErrorBody),
    (status = 422, description = "`activation_mismatch`: activated for another computer (the data directory was copied)", body = ErrorBody),
))]
pub async fn deactivate(
    State(state): State<AppState>,
    Path(id): Path<LicenseId>,
    Query(param): Query<AuthorityParam>,
) -> Result<Json<Deactivated>> {
    let url = authority_for(&state, param)?;
    let mut done = state.engine.deactivate(id).await?;
    if let Some(url) = url {
        // Any answer means freed (sent twice, it was freed the first time).
        let error = authority::deactivate(&url, &done.proof)
            .await
            .err()
            .map(|e| e.to_string());
        done.authority = Some(AuthoritySent {
            url: url.to_string(),
            freed: error.is_none(),
            error,
        });
    }
    Ok(Json(done))
}

/// Activates a licence through the vendor's activation authority: the
/// request goes to it, its response is imported as `POST
/// /admin/v1/activations` would.
#[utoipa::path(post, path = "/admin/v1/licenses/{license_id}/activate-online", tag = "admin", security(("bearer" = [])), params(("license_id" = LicenseId, Path, description = "The license id"), AuthorityParam), responses(
    (status = 200, description = "The licence, now counting", body = LicenseView),
    (status = 400, description = "`invalid_field`: the authority URL", body = ErrorBody),
    (status = 404, description = "`license_not_found`", body = ErrorBody),
    (status = 409, description = "`no_authority_set`, `activation_not_needed`, or `activation_limit_reached`: active on as many servers as the code allows", body = ErrorBody),
    (status = 422, description = "the authority's refusal: `bad_activation`, `untrusted_vendor`, `bad_signature`, `activation_mismatch`", body = ErrorBody),
    (status = 502, description = "`authority_unreachable`", body = ErrorBody),
))]
pub async fn activate_online(
    State(state): State<AppState>,
    Path(id): Path<LicenseId>,
    Query(param): Query<AuthorityParam>,
) -> Result<Json<LicenseView>> {
    let url = authority_for(&state, param)?.ok_or(Error::NoAuthoritySet)?;
    let request = state.engine.activation_request(id)?;
    // A deactivation here whose proof never reached the authority: send it
    // first, so the authority frees the old activation and answers anew.
    if let Ok(proof) = state.engine.deactivation_proof(id) {
        match authority::deactivate(&url, &proof).await {
            Err(e @ Error::AuthorityUnreachable(_)) => return Err(e),
            Err(e) => {
                tracing::info!(license = %id, "the authority did not take the pending proof: {e}")
            }
            Ok(_) => {
                tracing::info!(license = %id, "the pending deactivation proof was given to the authority")
            }
        }
    }
    let answer = authority::activate(&url, &request.request).await?;
    state
        .engine
        .import_activation(&answer.response)
        .await
        .map(Json)
}

/// The proof of this server's last deactivation of a licence (kept until
/// it is activated here again), to send to the vendor again.
#[utoipa::path(get, path = "/admin/v1/licenses/{license_id}/deactivation-proof", tag = "admin", security(("bearer" = [])), params(("license_id" = LicenseId, Path, description = "The license id")), responses(
    (status = 200, body = DeactivationProofView),
    (status = 404, description = "`license_not_found`", body = ErrorBody),
    (status = 409, description = "`no_deactivation_proof`: not deactivated here since its last activation", body = ErrorBody),
))]
pub async fn deactivation_proof(
    State(state): State<AppState>,
    Path(id): Path<LicenseId>,
) -> Result<Json<DeactivationProofView>> {
    let proof = state.engine.deactivation_proof(id)?;
    Ok(Json(DeactivationProofView {
        license_id: id,
        proof,
    }))
}

/// Sets (or with null / empty, forgets) the activation authority's address.
#[utoipa::path(put, path = "/admin/v1/authority", tag = "admin", security(("bearer" = [])), request_body = SetAuthority, responses(
    (status = 200, body = ServerStatus),
    (status = 400, description = "`invalid_field`: not an http URL", body = ErrorBody),
))]
pub async fn set_authority(
    State(state): State<AppState>,
    Json(req): Json<SetAuthority>,
) -> Result<axum::Json<ServerStatus>> {
    let url = req
        .url
        .filter(|u| !u.trim_matches(' ').is_empty())
        .map(|u| authority::check_url(&u))
        .transpose()?
        .map(|u| u.to_string());
    let op = match &url {
        Some(u) => Op::PutSetting {
            key: crate::engine::AUTHORITY_SETTING.to_owned(),
            value: u.clone(),
        },
        None => Op::DeleteSetting {
            key: crate::engine::AUTHORITY_SETTING.to_owned(),
        },
    };
    state.engine.store().apply(vec![op]).await?;
    state.engine.record(
        leasehold_core::event::EventKind::SettingsChanged,
        match &url {
            Some(u) => format!("activation authority set to {u}"),
            None => "activation authority forgotten".to_owned(),
        },
    );
    *state
        .run
        .authority
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = url;
    Ok(super::admin::status(State(state)).await)
}
