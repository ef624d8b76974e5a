//! Passwords given at the door: signing in, and confirming the password
//! again before an action that hands out access ([`CONFIRM_WINDOW_MS`]).
//! Both count wrong passwords the same way, so confirming is no side door
//! for a guesser.

use super::{
    Accounts, Caller, Digest, FREE_FAILURES, Failures, MAX_FAILURE_ENTRIES, MAX_LOCKOUT_SECS,
    MAX_SESSIONS_PER_ACCOUNT, Registry, SESSION_MAX_MS, Session, digest, manage, secret,
};
use crate::error::{Error, Result};
use leasehold_core::Timestamp;
use leasehold_core::event::{Event, EventKind, Level};
use leasehold_core::wire::accounts::{
    MAX_ACCOUNT_NAME, MAX_PASSWORD_CHARS, Role, SessionView, SignedInBy,
};
use std::net::IpAddr;

/// How long after its password was given a session may make accounts,
/// change roles, set another's password or make tokens. Past it the server
/// answers `password_confirmation_required` until the password is given
/// again: a session left open in a browser does not hand out lasting access.
pub const CONFIRM_WINDOW_MS: i64 = 15 * 60_000;

impl Accounts {
    /// Signs in with a password: a new session. `peer` is where the call
    /// comes from: wrong passwords are counted per name and address, so a
    /// guesser elsewhere cannot lock an admin out.
    ///
    /// # Errors
    /// `sign_in_failed` (a wrong name or password, said the same way),
    /// `too_many_sign_ins` after [`FREE_FAILURES`] wrong passwords in a row
    /// (for a name that does not exist too, so the answer says nothing of
    /// which names do).
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        peer: Option<IpAddr>,
    ) -> Result<SessionView> {
        manage::check_length("name", name, MAX_ACCOUNT_NAME)?;
        manage::check_length("password", password, MAX_PASSWORD_CHARS)?;
        let name = name.trim().to_lowercase();
        let token = secret("lhs_")?;
        let (now, role) = self
            .with_password(&name, password, peer, |reg, now| {
                let mut theirs: Vec<(Digest, Timestamp)> = reg
                    .sessions
                    .iter()
                    .filter(|(_, s)| s.account == name)
                    .map(|(d, s)| (*d, s.used))
                    .collect();
                if theirs.len() >= MAX_SESSIONS_PER_ACCOUNT {
                    theirs.sort_by_key(|(_, used)| *used);
                    for (d, _) in &theirs[..=theirs.len() - MAX_SESSIONS_PER_ACCOUNT] {
                        reg.sessions.remove(d);
                    }
                }
                reg.sessions.insert(
                    digest(&token),
                    Session {
                        account: name.clone(),
                        started: now,
                        used: now,
                        confirmed: now,
                    },
                );
                (
                    now,
                    reg.accounts.get(&name).map_or(Role::Viewer, |a| a.role),
                )
            })
            .await?;
        let mut e = Event::new(EventKind::AdminSignIn, now, format!("`{name}` signed in"));
        e.by = Some(name.clone());
        self.engine.events().record(e);
        Ok(SessionView {
            local_admin: name == self.local_admin,
            account: name,
            role,
            by: SignedInBy::Session,
            has_password: true,
            expires_at: Some(Timestamp(now.0 + SESSION_MAX_MS)),
            confirmed_until: Some(Timestamp(now.0 + CONFIRM_WINDOW_MS)),
            data_dir_token: false,
            token: Some(token),
        })
    }

    /// Gives the caller's password again: its session may hand out access
    /// for another [`CONFIRM_WINDOW_MS`]. A token is never asked: the answer
    /// is the session as it is.
    ///
    /// # Errors
    /// `sign_in_failed`, `too_many_sign_ins` (counted with sign-ins),
    /// `unauthorized` when the session ended meanwhile.
    pub async fn confirm(
        &self,
        caller: &Caller,
        password: &str,
        peer: Option<IpAddr>,
    ) -> Result<SessionView> {
        manage::check_length("password", password, MAX_PASSWORD_CHARS)?;
        if password.is_empty() {
            return Err(Error::InvalidField {
                field: "password",
                reason: "give the account's password".to_owned(),
            });
        }
        let Some(session) = caller.session else {
            return Ok(self.session_view(caller));
        };
        let confirmed = self
            .with_password(&caller.account, password, peer, |reg, now| {
                reg.sessions.get_mut(&session).map(|s| s.confirmed = now)
            })
            .await?;
        if confirmed.is_none() {
            return Err(Error::Unauthorized);
        }
        let mut e = Event::new(
            EventKind::AdminSignIn,
            self.engine.now(),
            format!("`{}` confirmed their password", caller.account),
        );
        e.by = Some(caller.account.clone());
        self.engine.events().record(e);
        Ok(self.session_view(caller))
    }

    /// Refuses an action that hands out access (an account, a role,
    /// another's password, a token, the backup) to a session whose password was given
    /// more than [`CONFIRM_WINDOW_MS`] ago. Tokens, for scripts or the data
    /// directory's, are not asked: each is a secret kept on purpose.
    ///
    /// # Errors
    /// `password_confirmation_required`.
    pub fn recently_confirmed(&self, caller: &Caller) -> Result<()> {
        let Some(session) = caller.session else {
            return Ok(());
        };
        let now = self.engine.now();
        let fresh = self
            .registry()
            .sessions
            .get(&session)
            .is_some_and(|s| now.0 - s.confirmed.0 <= CONFIRM_WINDOW_MS);
        if fresh {
            Ok(())
        } else {
            Err(Error::PasswordConfirmationRequired(
                CONFIRM_WINDOW_MS / 60_000,
            ))
        }
    }

    /// Until when the caller's session may hand out access without being
    /// asked for its password (none for a token).
    pub(super) fn confirmed_until(&self, reg: &Registry, caller: &Caller) -> Option<Timestamp> {
        caller
            .session
            .and_then(|d| reg.sessions.get(&d))
            .map(|s| Timestamp(s.confirmed.0 + CONFIRM_WINDOW_MS))
    }

    /// Checks `password` as account `name`'s and, when right, runs `then`
    /// under the same lock that sees it is still the account's password (one
    /// changed, or an account removed, while the hash ran counts as wrong).
    /// Wrong passwords are counted per name and address before the hash, so
    /// guesses sent at once meet the wait as guesses sent one after another.
    pub(super) async fn with_password<T>(
        &self,
        name: &str,
        password: &str,
        peer: Option<IpAddr>,
        then: impl FnOnce(&mut Registry, Timestamp) -> T,
    ) -> Result<T> {
        let who = (name.to_owned(), peer);
        let now = self.engine.now();
        let phc = {
            let mut reg = self.registry();
            if reg.failures.len() >= MAX_FAILURE_ENTRIES && !reg.failures.contains_key(&who) {
                // Full: only those still made to wait are kept.
                reg.failures.retain(|_, f| f.until > now);
                if reg.failures.len() >= MAX_FAILURE_ENTRIES {
                    return Err(Error::TooManySignIns(60));
                }
            }
            let f = reg.failures.entry(who.clone()).or_insert(Failures {
                count: 0,
                until: now,
            });
            if f.until > now {
                let secs = u64::try_from((f.until.0 - now.0 + 999) / 1000).unwrap_or(1);
                return Err(Error::TooManySignIns(secs));
            }
            f.count += 1;
            if f.count >= FREE_FAILURES {
                let wait = (30u64 << (f.count - FREE_FAILURES).min(10)).min(MAX_LOCKOUT_SECS);
                f.until = Timestamp(now.0 + i64::try_from(wait * 1000).unwrap_or(i64::MAX));
            }
            reg.accounts.get(name).and_then(|a| a.password.clone())
        };
        let ok = self.hasher.verify(phc.clone(), password.to_owned()).await?;
        let now = self.engine.now();
        let mut reg = self.registry();
        let still = reg
            .accounts
            .get(name)
            .is_some_and(|a| a.password.is_some() && a.password == phc);
        if !ok || !still {
            let exists = reg.accounts.contains_key(name);
            let count = reg.failures.get(&who).map_or(0, |f| f.count);
            drop(reg);
            if exists {
                let from = peer.map_or_else(|| "this computer".to_owned(), |p| p.to_string());
                let mut e = Event::new(
                    EventKind::AdminSignIn,
                    now,
                    format!("a wrong password for `{name}` from {from} ({count} in a row)"),
                );
                e.level = Level::Warn;
                self.engine.events().record(e);
            }
            return Err(Error::SignInFailed);
        }
        reg.failures.remove(&who);
        Ok(then(&mut reg, now))
    }
}
