//! Admin accounts with roles: who is calling the admin API, and what they
//! may do. A call proves who it is with a bearer token: a password
//! sign-in's session (kept in memory, ended by sign-out, 12 idle hours or 7
//! days), a token for scripts (kept as its digest), or the data directory's
//! `admin-token`, which signs in as the local admin account (the desktop
//! app and `leasehold admin` on the server's machine: whoever can read that
//! file owns the database anyway). The first start makes that account,
//! `admin`, without a password. Each admin route needs a role
//! (`http/roles.rs`).

mod manage;
mod password;
mod sign_in;

pub use sign_in::CONFIRM_WINDOW_MS;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::store::{Op, Store, StoredAccount, StoredToken};
use leasehold_core::Timestamp;
use leasehold_core::event::{Event, EventKind, Level};
use leasehold_core::wire::accounts::{Role, SessionView, SignedInBy};
use password::Hasher;
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The setting naming the account the data directory's token signs in as.
pub const LOCAL_ADMIN_SETTING: &str = "local_admin_account";
/// The account the first start makes.
pub const FIRST_ADMIN: &str = "admin";
/// A session unused this long ends.
pub const SESSION_IDLE_MS: i64 = 12 * 3_600_000;
/// A session ends this long after its sign-in, used or not.
pub const SESSION_MAX_MS: i64 = 7 * 86_400_000;
/// Wrong passwords in a row an account is allowed before it must wait.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait after wrong passwords.
pub const MAX_LOCKOUT_SECS: u64 = 15 * 60;
const MAX_SESSIONS_PER_ACCOUNT: usize = 32;
/// Names and addresses whose failed sign-ins are counted at most; past it,
/// new ones wait (a stranger cannot grow the map).
const MAX_FAILURE_ENTRIES: usize = 4_096;

type Digest = [u8; 32];

/// Who an admin call is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    pub role: Role,
    pub by: SignedInBy,
    pub local_admin: bool,
    /// The session's digest, when signed in by password.
    session: Option<Digest>,
    /// The digest of the bearer it came with.
    credential: Digest,
}

struct Session {
    account: String,
    started: Timestamp,
    used: Timestamp,
    /// When its password was last given (the sign-in, or a confirmation).
    confirmed: Timestamp,
}

struct Failures {
    count: u32,
    until: Timestamp,
}

#[derive(Default)]
struct Registry {
    accounts: BTreeMap<String, StoredAccount>,
    tokens: HashMap<Digest, StoredToken>,
    sessions: HashMap<Digest, Session>,
    /// Sign-in attempts in a row without success, per name and address
    /// (at most [`MAX_FAILURE_ENTRIES`]).
    failures: HashMap<(String, Option<std::net::IpAddr>), Failures>,
    /// Credentials already reported as having crossed the network readable
    /// (only live ones are kept).
    exposed: std::collections::HashSet<Digest>,
}

pub struct Accounts {
    registry: Mutex<Registry>,
    /// Held by a change across its write, so two cannot interleave.
    changes: tokio::sync::Mutex<()>,
    store: Store,
    engine: Engine,
    hasher: Hasher,
    local_admin: String,
    local_digest: Digest,
}

fn digest(token: &str) -> Digest {
    Sha256::digest(token.as_bytes()).into()
}

/// A new bearer secret: `prefix` and 64 hex digits.
fn secret(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

impl Accounts {
    /// Takes the stored accounts; on the first start (none stored) makes
    /// the local admin account. Returns whether it was made now.
    ///
    /// # Errors
    /// A store error writing the first account.
    pub async fn open(
        engine: Engine,
        store: Store,
        stored: (Vec<StoredAccount>, Vec<StoredToken>),
        settings: &BTreeMap<String, String>,
        admin_token: &str,
    ) -> Result<(Self, bool)> {
        let local_admin = settings
            .get(LOCAL_ADMIN_SETTING)
            .cloned()
            .unwrap_or_else(|| FIRST_ADMIN.to_owned());
        let mut registry = Registry::default();
        for a in stored.0 {
            registry.accounts.insert(a.name.clone(), a);
        }
        for t in stored.1 {
            match hex::decode(&t.digest)
                .ok()
                .and_then(|d| Digest::try_from(d).ok())
            {
                Some(d) if registry.accounts.contains_key(&t.account) => {
                    registry.tokens.insert(d, t);
                }
                _ => tracing::warn!(
                    id = t.id,
                    "a stored admin token is damaged or has no account; left out"
                ),
            }
        }
        // The local admin always exists and is an admin: made on the first
        // start, and again should its row be lost or damaged.
        let made = match registry.accounts.get(&local_admin) {
            Some(a) if a.role == Role::Admin => None,
            other => Some(StoredAccount {
                name: local_admin.clone(),
                role: Role::Admin,
                password: other.and_then(|a| a.password.clone()),
                created_at: engine.now(),
            }),
        };
        let first = made.is_some() && registry.accounts.is_empty();
        if let Some(account) = made {
            store
                .apply(vec![
                    Op::PutAccount(account.clone()),
                    Op::PutSetting {
                        key: LOCAL_ADMIN_SETTING.to_owned(),
                        value: local_admin.clone(),
                    },
                ])
                .await?;
            registry.accounts.insert(local_admin.clone(), account);
        }
        let accounts = Self {
            registry: Mutex::new(registry),
            changes: tokio::sync::Mutex::new(()),
            store,
            engine,
            hasher: Hasher::default(),
            local_admin,
            local_digest: digest(admin_token),
        };
        Ok((accounts, first))
    }

    /// The account the data directory's token signs in as.
    #[must_use]
    pub fn local_admin(&self) -> &str {
        &self.local_admin
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Who a bearer token is.
    ///
    /// # Errors
    /// `unauthorized` for a token that is no one's (or a session that ended).
    pub fn authenticate(&self, token: &str) -> Result<Caller> {
        self.who(token, true)
    }

    /// Who a token for scripts (or the data directory's) is; a session's
    /// token is refused, and its idle time left as it was (what a scraper
    /// like Prometheus sends is never a person's session).
    ///
    /// # Errors
    /// `unauthorized`.
    pub fn authenticate_script(&self, token: &str) -> Result<Caller> {
        self.who(token, false)
    }

    fn who(&self, token: &str, sessions: bool) -> Result<Caller> {
        let d = digest(token);
        let now = self.engine.now();
        let mut reg = self.registry();
        let (account, by, session) = if d == self.local_digest {
            (self.local_admin.clone(), SignedInBy::Token, None)
        } else if let Some(t) = reg.tokens.get(&d) {
            (t.account.clone(), SignedInBy::Token, None)
        } else if let Some(s) = reg.sessions.get_mut(&d).filter(|_| sessions) {
            if now.0 - s.used.0 > SESSION_IDLE_MS || now.0 - s.started.0 > SESSION_MAX_MS {
                reg.sessions.remove(&d);
                return Err(Error::Unauthorized);
            }
            s.used = now;
            (s.account.clone(), SignedInBy::Session, Some(d))
        } else {
            return Err(Error::Unauthorized);
        };
        let role = reg
            .accounts
            .get(&account)
            .map(|a| a.role)
            .ok_or(Error::Unauthorized)?;
        Ok(Caller {
            local_admin: account == self.local_admin,
            account,
            role,
            by,
            session,
            credential: d,
        })
    }

    /// Whether what `caller` signed in with still signs in as the same
    /// account with a role no lower (a long call, like the live event
    /// stream, asks again now and then).
    #[must_use]
    pub fn still_valid(&self, caller: &Caller) -> bool {
        let now = self.engine.now();
        let reg = self.registry();
        let account = if caller.credential == self.local_digest {
            Some(self.local_admin.clone())
        } else if let Some(t) = reg.tokens.get(&caller.credential) {
            Some(t.account.clone())
        } else {
            reg.sessions
                .get(&caller.credential)
                .filter(|s| {
                    now.0 - s.used.0 <= SESSION_IDLE_MS && now.0 - s.started.0 <= SESSION_MAX_MS
                })
                .map(|s| s.account.clone())
        };
        account.is_some_and(|a| {
            a == caller.account
                && reg
                    .accounts
                    .get(&a)
                    .is_some_and(|stored| stored.role >= caller.role)
        })
    }

    /// Says once, as a warning in the log, that `token` crossed the network
    /// readable (plain HTTP from `from`, refused at `route`), naming whose
    /// token it is and how to end it; a token that signs in as no one is
    /// not worth a line.
    pub fn exposed(&self, token: &str, from: Option<std::net::IpAddr>, route: &str) {
        let d = digest(token);
        let mut reg = self.registry();
        let (account, what, end) = if d == self.local_digest {
            (
                self.local_admin.clone(),
                "The data directory's admin-token".to_owned(),
                "Renew it with the server stopped (`leasehold admin token --renew`)".to_owned(),
            )
        } else if let Some(t) = reg.tokens.get(&d) {
            (
                t.account.clone(),
                format!("Token {} ({})", t.id, t.label),
                format!(
                    "Revoke it (`leasehold admin account token revoke {} {}`)",
                    t.account, t.id
                ),
            )
        } else if let Some(s) = reg.sessions.get(&d) {
            (
                s.account.clone(),
                "A signed-in session".to_owned(),
                "Sign out in that browser".to_owned(),
            )
        } else {
            return;
        };
        // Only live credentials are kept.
        let Registry {
            exposed,
            tokens,
            sessions,
            ..
        } = &mut *reg;
        exposed.retain(|x| {
            *x == self.local_digest || tokens.contains_key(x) || sessions.contains_key(x)
        });
        if !exposed.insert(d) {
            return;
        }
        drop(reg);
        let from = from.map_or_else(|| "an unknown address".to_owned(), |p| p.to_string());
        let mut e = Event::new(
            EventKind::AdminSignIn,
            self.engine.now(),
            format!(
                "{what} of `{account}` was sent to {route} over plain HTTP from {from}: refused, but it was readable on the way. {end}, and use HTTPS"
            ),
        );
        e.level = Level::Warn;
        self.engine.events().record(e);
    }

    /// Ends the caller's session (a token is not a session: nothing ends).
    pub fn sign_out(&self, caller: &Caller) {
        if let Some(d) = caller.session {
            self.registry().sessions.remove(&d);
        }
    }

    /// What `GET /admin/v1/session` says of the caller.
    #[must_use]
    pub fn session_view(&self, caller: &Caller) -> SessionView {
        let reg = self.registry();
        let expires_at = caller
            .session
            .and_then(|d| reg.sessions.get(&d))
            .map(|s| Timestamp((s.started.0 + SESSION_MAX_MS).min(s.used.0 + SESSION_IDLE_MS)));
        SessionView {
            account: caller.account.clone(),
            role: caller.role,
            by: caller.by,
            local_admin: caller.local_admin,
            has_password: reg
                .accounts
                .get(&caller.account)
                .is_some_and(|a| a.password.is_some()),
            expires_at,
            confirmed_until: self.confirmed_until(&reg, caller),
            data_dir_token: caller.credential == self.local_digest,
            token: None,
        }
    }
}
