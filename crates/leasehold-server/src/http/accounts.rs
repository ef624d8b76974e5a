//! Signing in and out, and admin accounts with their tokens (admin API).

use super::AppState;
use super::extract::{Json, Path, Peer};
use crate::accounts::Caller;
use crate::error::Result;
use axum::Router;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::accounts::{
    AccountChange, AccountView, ConfirmPassword, NewAccount, NewToken, PasswordChange, SessionView,
    SignIn, TokenMade, TokenView, TokensRevoked,
};

/// Sign-in: no token needed (the origin rules still apply).
pub fn sign_in_routes() -> Router<AppState> {
    Router::new().route("/admin/v1/session", post(sign_in))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/v1/session", get(session).delete(sign_out))
        .route("/admin/v1/session/confirm", post(confirm))
        .route("/admin/v1/accounts", get(accounts).post(create))
        .route("/admin/v1/accounts/{name}", put(change).delete(remove))
        .route("/admin/v1/accounts/{name}/password", put(password))
        .route(
            "/admin/v1/accounts/{name}/tokens",
            get(tokens).post(make_token).delete(revoke_all_tokens),
        )
        .route(
            "/admin/v1/accounts/{name}/tokens/{token_id}",
            axum::routing::delete(revoke_token),
        )
}

/// Signs in with an account's name and password: the answer's `token` is
/// the session's bearer token (12 idle hours, 7 days at most).
#[utoipa::path(post, path = "/admin/v1/session", tag = "admin", request_body = SignIn, responses(
    (status = 201, body = SessionView),
    (status = 401, description = "`sign_in_failed`: the name or password is wrong", body = ErrorBody),
    (status = 400, description = "`invalid_field`: a name or password longer than the document allows", body = ErrorBody),
    (status = 403, description = "`admin_remote_disabled`, `tls_required` or `host_not_allowed`: where the call comes from", body = ErrorBody),
    (status = 429, description = "`too_many_sign_ins`: wait the seconds the message gives", body = ErrorBody),
))]
pub async fn sign_in(
    State(state): State<AppState>,
    Peer(peer): Peer,
    Json(req): Json<SignIn>,
) -> Result<(StatusCode, Json<SessionView>)> {
    let view = state
        .run
        .accounts
        .sign_in(&req.name, &req.password, peer)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Who the caller is: account, role, and how it signed in.
#[utoipa::path(get, path = "/admin/v1/session", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = SessionView),
))]
pub async fn session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Json<SessionView> {
    Json(state.run.accounts.session_view(&caller))
}

/// Gives the signed-in account's password again: for the next 15 minutes
/// (`confirmedUntil`) the session may make accounts, change roles, set
/// another's password and make tokens. Wrong passwords count as wrong
/// sign-ins do. A token is never asked; it gets its session as it is.
#[utoipa::path(post, path = "/admin/v1/session/confirm", tag = "admin", security(("bearer" = [])), request_body = ConfirmPassword, responses(
    (status = 200, body = SessionView),
    (status = 400, description = "`invalid_field`: no password, or one longer than the document allows", body = ErrorBody),
    (status = 401, description = "`sign_in_failed`: the password is wrong", body = ErrorBody),
    (status = 429, description = "`too_many_sign_ins`: wait the seconds the message gives", body = ErrorBody),
))]
pub async fn confirm(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Peer(peer): Peer,
    Json(req): Json<ConfirmPassword>,
) -> Result<Json<SessionView>> {
    Ok(Json(
        state
            .run
            .accounts
            .confirm(&caller, &req.password, peer)
            .await?,
    ))
}

/// Signs out: the session's token is refused from now on (a token for
/// scripts stays; revoke it to end it).
#[utoipa::path(delete, path = "/admin/v1/session", tag = "admin", security(("bearer" = [])), responses(
    (status = 204, description = "Signed out"),
))]
pub async fn sign_out(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> StatusCode {
    state.run.accounts.sign_out(&caller);
    StatusCode::NO_CONTENT
}

/// Every admin account with its role (never a password).
#[utoipa::path(get, path = "/admin/v1/accounts", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = Vec<AccountView>),
))]
pub async fn accounts(State(state): State<AppState>) -> Json<Vec<AccountView>> {
    Json(state.run.accounts.list())
}

/// Makes an account (admins only).
#[utoipa::path(post, path = "/admin/v1/accounts", tag = "admin", security(("bearer" = [])), request_body = NewAccount, responses(
    (status = 201, body = AccountView),
    (status = 400, description = "`invalid_field`: the name or password", body = ErrorBody),
    (status = 403, description = "`forbidden`: not an admin; `password_confirmation_required`: a session whose password was given over 15 minutes ago", body = ErrorBody),
    (status = 409, description = "`account_exists`, or `account_limit_reached` (256 accounts)", body = ErrorBody),
))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(req): Json<NewAccount>,
) -> Result<(StatusCode, Json<AccountView>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.run.accounts.create(&caller, req).await?),
    ))
}

/// Gives an account another role (admins only); it applies at once.
#[utoipa::path(put, path = "/admin/v1/accounts/{name}", tag = "admin", security(("bearer" = [])), params(("name" = String, Path)), request_body = AccountChange, responses(
    (status = 200, body = AccountView),
    (status = 403, description = "`password_confirmation_required`: a session whose password was given over 15 minutes ago", body = ErrorBody),
    (status = 404, description = "`account_not_found`", body = ErrorBody),
    (status = 409, description = "`local_admin_account`: it stays an admin", body = ErrorBody),
))]
pub async fn change(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Json(req): Json<AccountChange>,
) -> Result<Json<AccountView>> {
    Ok(Json(
        state
            .run
            .accounts
            .set_role(&caller, &name, req.role)
            .await?,
    ))
}

/// Removes an account (admins only): its sessions and tokens end at once.
#[utoipa::path(delete, path = "/admin/v1/accounts/{name}", tag = "admin", security(("bearer" = [])), params(("name" = String, Path)), responses(
    (status = 204, description = "Removed"),
    (status = 404, description = "`account_not_found`", body = ErrorBody),
    (status = 409, description = "`local_admin_account`: it cannot be removed", body = ErrorBody),
))]
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<StatusCode> {
    state.run.accounts.remove(&caller, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets an account's password: one's own (with the current one, whatever the
/// role, unless none is set or the caller holds the data directory's
/// token), or anyone else's as an admin. Its other sessions end.
#[utoipa::path(put, path = "/admin/v1/accounts/{name}/password", tag = "admin", security(("bearer" = [])), params(("name" = String, Path)), request_body = PasswordChange, responses(
    (status = 204, description = "Set"),
    (status = 401, description = "`sign_in_failed`: the current password is wrong", body = ErrorBody),
    (status = 429, description = "`too_many_sign_ins`: wrong current passwords count as wrong sign-ins", body = ErrorBody),
    (status = 403, description = "`forbidden`: another account's, not being an admin; `password_confirmation_required`: another account's, from a session whose password was given over 15 minutes ago", body = ErrorBody),
    (status = 404, description = "`account_not_found`", body = ErrorBody),
))]
pub async fn password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Peer(peer): Peer,
    Path(name): Path<String>,
    Json(req): Json<PasswordChange>,
) -> Result<StatusCode> {
    state
        .run
        .accounts
        .set_password(&caller, &name, req, peer)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An account's tokens for scripts (one's own, or any as an admin).
#[utoipa::path(get, path = "/admin/v1/accounts/{name}/tokens", tag = "admin", security(("bearer" = [])), params(("name" = String, Path)), responses(
    (status = 200, body = Vec<TokenView>),
    (status = 403, description = "`forbidden`", body = ErrorBody),
    (status = 404, description = "`account_not_found`", body = ErrorBody),
))]
pub async fn tokens(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<Json<Vec<TokenView>>> {
    Ok(Json(state.run.accounts.tokens(&caller, &name)?))
}

/// Makes a token for scripts; the answer shows it this once.
#[utoipa::path(post, path = "/admin/v1/accounts/{name}/tokens", tag = "admin", security(("bearer" = [])), params(("name" = String, Path)), request_body = NewToken, responses(
    (status = 201, body = TokenMade),
    (status = 403, description = "`forbidden`; `password_confirmation_required`: a session whose password was given over 15 minutes ago", body = ErrorBody),
    (status = 404, description = "`account_not_found`", body = ErrorBody),
    (status = 409, description = "`account_limit_reached`: 32 tokens already", body = ErrorBody),
))]
pub async fn make_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Json(req): Json<NewToken>,
) -> Result<(StatusCode, Json<TokenMade>)> {
    let made = state
        .run
        .accounts
        .make_token(&caller, &name, &req.label)
        .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Revokes a token: calls with it are refused from now on.
#[utoipa::path(delete, path = "/admin/v1/accounts/{name}/tokens/{token_id}", tag = "admin", security(("bearer" = [])), params(("name" = String, Path), ("token_id" = String, Path)), responses(
    (status = 204, description = "Revoked"),
    (status = 403, description = "`forbidden`", body = ErrorBody),
    (status = 404, description = "`account_not_found`: no such token", body = ErrorBody),
    (status = 409, description = "`local_admin_account`: the data directory's token is not revoked here", body = ErrorBody),
))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((name, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    state.run.accounts.revoke_token(&caller, &name, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes every token for scripts the account has, say after a password
/// was given away (the data directory's `admin-token` stays).
#[utoipa::path(delete, path = "/admin/v1/accounts/{name}/tokens", tag = "admin", security(("bearer" = [])), params(("name" = String, Path)), responses(
    (status = 200, body = TokensRevoked),
    (status = 403, description = "`forbidden`", body = ErrorBody),
    (status = 404, description = "`account_not_found`", body = ErrorBody),
))]
pub async fn revoke_all_tokens(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<Json<TokensRevoked>> {
    let revoked = state.run.accounts.revoke_all_tokens(&caller, &name).await?;
    Ok(Json(TokensRevoked {
        revoked: u32::try_from(revoked).unwrap_or(u32::MAX),
    }))
}
