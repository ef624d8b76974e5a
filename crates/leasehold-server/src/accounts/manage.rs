//! Making, changing and removing accounts and their tokens. Each change is
//! checked, written, and only then applied in memory, one at a time.

use super::{Accounts, Caller, Digest, digest, secret};
use crate::error::{Error, Result};
use crate::store::{Op, StoredAccount, StoredToken};
use leasehold_core::event::{Event, EventKind};
use leasehold_core::wire::accounts::{
    AccountView, MAX_ACCOUNT_NAME, MAX_PASSWORD_CHARS, MAX_TOKEN_LABEL, MIN_PASSWORD_CHARS,
    NewAccount, PasswordChange, Role, TokenMade, TokenView,
};

/// Most accounts a server keeps.
pub const MAX_ACCOUNTS: usize = 256;
/// Most tokens an account has.
pub const MAX_TOKENS: usize = 32;
/// The id the data directory's token is listed with.
const DATA_DIR_TOKEN_ID: &str = "admin-token";

/// An account name as kept: lower case, letters, digits and `. _ - @`.
fn check_name(name: &str) -> Result<String> {
    let name = name.trim().to_lowercase();
    let fine = !name.is_empty()
        && name.len() <= MAX_ACCOUNT_NAME
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if fine {
        Ok(name)
    } else {
        Err(Error::InvalidField {
            field: "name",
            reason: format!(
                "an account name is 1 to {MAX_ACCOUNT_NAME} letters, digits and . _ - @, starting with a letter or digit"
            ),
        })
    }
}

/// Text no longer than the document says (what the server does not read
/// further, like a password it only compares, is still held to it).
pub(super) fn check_length(field: &'static str, text: &str, max: usize) -> Result<()> {
    if text.chars().count() > max {
        return Err(Error::InvalidField {
            field,
            reason: format!("at most {max} characters"),
        });
    }
    Ok(())
}

fn check_password(password: &str) -> Result<()> {
    let chars = password.chars().count();
    let reason = if chars < MIN_PASSWORD_CHARS {
        format!("a password has at least {MIN_PASSWORD_CHARS} characters")
    } else if chars > MAX_PASSWORD_CHARS {
        format!("a password has at most {MAX_PASSWORD_CHARS} characters")
    } else if password.chars().any(char::is_control) {
        "a password has no control characters (tabs, line breaks)".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::InvalidField {
        field: "password",
        reason,
    })
}

impl Accounts {
    /// Every account, by name.
    #[must_use]
    pub fn list(&self) -> Vec<AccountView> {
        let reg = self.registry();
        reg.accounts
            .values()
            .map(|a| {
                self.view(
                    a,
                    reg.tokens.values().filter(|t| t.account == a.name).count(),
                )
            })
            .collect()
    }

    fn view(&self, a: &StoredAccount, tokens: usize) -> AccountView {
        let local = a.name == self.local_admin;
        AccountView {
            name: a.name.clone(),
            role: a.role,
            has_password: a.password.is_some(),
            local_admin: local,
            tokens: u32::try_from(tokens + usize::from(local)).unwrap_or(u32::MAX),
            created_at: a.created_at,
        }
    }

    /// Only the account itself or an admin may manage its password and tokens.
    fn may_manage(caller: &Caller, name: &str) -> Result<()> {
        if caller.account == name || caller.role == Role::Admin {
            Ok(())
        } else {
            Err(Error::Forbidden {
                account: caller.account.clone(),
                role: caller.role,
                needed: format!("the admin role, or to be `{name}`"),
            })
        }
    }

    /// The lock every change of accounts takes, for `caller` still signed
    /// in as it was when its request was let in: a request that waited for
    /// the lock behind a revoke, a password change or a demotion is refused
    /// (`unauthorized`), so a token revoked with "all" cannot make another.
    async fn changing(&self, caller: &Caller) -> Result<tokio::sync::MutexGuard<'_, ()>> {
        let one = self.changes.lock().await;
        if !self.still_valid(caller) {
            return Err(Error::Unauthorized);
        }
        Ok(one)
    }

    fn account(&self, name: &str) -> Result<StoredAccount> {
        self.registry()
            .accounts
            .get(name)
            .cloned()
            .ok_or_else(|| Error::AccountNotFound(name.to_owned()))
    }

    fn record(&self, message: String) {
        self.engine.events().record(Event::new(
            EventKind::AccountChanged,
            self.engine.now(),
            message,
        ));
    }

    /// Makes an account.
    ///
    /// # Errors
    /// `invalid_field`, `account_exists`, `password_confirmation_required`,
    /// or a store error.
    pub async fn create(&self, caller: &Caller, new: NewAccount) -> Result<AccountView> {
        let name = check_name(&new.name)?;
        if let Some(p) = &new.password {
            check_password(p)?;
        }
        let _one = self.changing(caller).await?;
        self.recently_confirmed(caller)?;
        {
            let reg = self.registry();
            if reg.accounts.contains_key(&name) {
                return Err(Error::AccountExists(name));
            }
            if reg.accounts.len() >= MAX_ACCOUNTS {
                return Err(Error::AccountLimitReached(format!(
                    "this server keeps at most {MAX_ACCOUNTS} accounts"
                )));
            }
        }
        let password = match new.password {
            Some(p) => Some(self.hasher.hash(p).await?),
            None => None,
        };
        let account = StoredAccount {
            name: name.clone(),
            role: new.role,
            password,
            created_at: self.engine.now(),
        };
        self.store
            .apply(vec![Op::PutAccount(account.clone())])
            .await?;
        self.registry()
            .accounts
            .insert(name.clone(), account.clone());
        self.record(format!("account `{name}` made ({})", new.role));
        Ok(self.view(&account, 0))
    }

    /// Gives an account another role (at once: its sessions and tokens too).
    ///
    /// # Errors
    /// `account_not_found`, `local_admin_account`,
    /// `password_confirmation_required`, or a store error.
    pub async fn set_role(&self, caller: &Caller, name: &str, role: Role) -> Result<AccountView> {
        let name = name.trim().to_lowercase();
        let _one = self.changing(caller).await?;
        self.recently_confirmed(caller)?;
        let mut account = self.account(&name)?;
        if name == self.local_admin && role != Role::Admin {
            return Err(Error::LocalAdminAccount(name));
        }
        let before = account.role;
        account.role = role;
        self.store
            .apply(vec![Op::PutAccount(account.clone())])
            .await?;
        let tokens = {
            let mut reg = self.registry();
            reg.accounts.insert(name.clone(), account.clone());
            reg.tokens.values().filter(|t| t.account == name).count()
        };
        self.record(format!("account `{name}`: role {before} → {role}"));
        Ok(self.view(&account, tokens))
    }

    /// Removes an account: its sessions and tokens end at once.
    ///
    /// # Errors
    /// `account_not_found`, `local_admin_account`, or a store error.
    pub async fn remove(&self, caller: &Caller, name: &str) -> Result<()> {
        let name = name.trim().to_lowercase();
        let _one = self.changing(caller).await?;
        self.account(&name)?;
        if name == self.local_admin {
            return Err(Error::LocalAdminAccount(name));
        }
        self.store
            .apply(vec![Op::DeleteAccount(name.clone())])
            .await?;
        {
            let mut reg = self.registry();
            reg.accounts.remove(&name);
            reg.tokens.retain(|_, t| t.account != name);
            reg.sessions.retain(|_, s| s.account != name);
            reg.failures.retain(|(n, _), _| *n != name);
        }
        self.record(format!("account `{name}` removed"));
        Ok(())
    }

    /// Sets an account's password. Its other sessions end.
    ///
    /// # Errors
    /// `forbidden` (another's, not being an admin), `sign_in_failed` (the
    /// current password wrong), `too_many_sign_ins` (wrong ones counted
    /// with sign-ins), `password_confirmation_required` (another's,
    /// from a session), `invalid_field`, `account_not_found`.
    pub async fn set_password(
        &self,
        caller: &Caller,
        name: &str,
        change: PasswordChange,
        peer: Option<std::net::IpAddr>,
    ) -> Result<()> {
        let name = name.trim().to_lowercase();
        Self::may_manage(caller, &name)?;
        check_password(&change.password)?;
        if let Some(current) = &change.current_password {
            check_length("currentPassword", current, MAX_PASSWORD_CHARS)?;
        }
        let _one = self.changing(caller).await?;
        let mut account = self.account(&name)?;
        // One's own needs the current one, whatever the role (a session left
        // open must not lock its owner out); an admin resets anyone else's
        // from a session that gave its password lately, and the data
        // directory's token is the machine's owner.
        if caller.account != name {
            self.recently_confirmed(caller)?;
        }
        let own = caller.account == name && caller.credential != self.local_digest;
        // Counted and logged as a sign-in is: not a faster way to guess.
        if own && account.password.is_some() {
            let current = change.current_password.unwrap_or_default();
            self.with_password(&name, &current, peer, |_, _| ()).await?;
        }
        account.password = Some(self.hasher.hash(change.password).await?);
        self.store
            .apply(vec![Op::PutAccount(account.clone())])
            .await?;
        {
            let mut reg = self.registry();
            reg.accounts.insert(name.clone(), account);
            reg.failures.retain(|(n, _), _| *n != name);
            reg.sessions
                .retain(|d, s| s.account != name || caller.session == Some(*d));
        }
        self.record(format!("account `{name}`: password set"));
        Ok(())
    }

    /// An account's tokens (never the tokens themselves).
    ///
    /// # Errors
    /// `forbidden`, `account_not_found`.
    pub fn tokens(&self, caller: &Caller, name: &str) -> Result<Vec<TokenView>> {
        let name = name.trim().to_lowercase();
        Self::may_manage(caller, &name)?;
        let account = self.account(&name)?;
        let mut list: Vec<TokenView> = Vec::new();
        if name == self.local_admin {
            list.push(TokenView {
                id: DATA_DIR_TOKEN_ID.to_owned(),
                label: "the data directory's admin-token (the desktop app, `leasehold admin` on this machine)".to_owned(),
                created_at: account.created_at,
                data_dir: true,
            });
        }
        let reg = self.registry();
        let mut theirs: Vec<&StoredToken> =
            reg.tokens.values().filter(|t| t.account == name).collect();
        theirs.sort_by_key(|t| t.created_at);
        list.extend(theirs.into_iter().map(|t| TokenView {
            id: t.id.clone(),
            label: t.label.clone(),
            created_at: t.created_at,
            data_dir: false,
        }));
        Ok(list)
    }

    /// Makes a token for scripts; it is shown this once.
    ///
    /// # Errors
    /// `forbidden`, `account_not_found`, `invalid_field`,
    /// `password_confirmation_required`, or a store error.
    pub async fn make_token(&self, caller: &Caller, name: &str, label: &str) -> Result<TokenMade> {
        let name = name.trim().to_lowercase();
        Self::may_manage(caller, &name)?;
        crate::engine::check_field("label", label, true, MAX_TOKEN_LABEL)?;
        let _one = self.changing(caller).await?;
        self.recently_confirmed(caller)?;
        self.account(&name)?;
        if self
            .registry()
            .tokens
            .values()
            .filter(|t| t.account == name)
            .count()
            >= MAX_TOKENS
        {
            return Err(Error::AccountLimitReached(format!(
                "an account has at most {MAX_TOKENS} tokens"
            )));
        }
        let token = secret("lha_")?;
        let stored = StoredToken {
            id: secret("")?.chars().take(16).collect(),
            account: name.clone(),
            digest: hex::encode(digest(&token)),
            label: label.trim().to_owned(),
            created_at: self.engine.now(),
        };
        self.store
            .apply(vec![Op::PutAccountToken(stored.clone())])
            .await?;
        self.registry()
            .tokens
            .insert(digest(&token), stored.clone());
        self.record(format!(
            "account `{name}`: token {} made ({})",
            stored.id, stored.label
        ));
        Ok(TokenMade {
            view: TokenView {
                id: stored.id,
                label: stored.label,
                created_at: stored.created_at,
                data_dir: false,
            },
            token,
        })
    }

    /// Revokes a token: calls with it are refused from now on.
    ///
    /// # Errors
    /// `forbidden`, `account_not_found` (no such token of the account), or
    /// a store error. The data directory's token cannot be revoked here.
    pub async fn revoke_token(&self, caller: &Caller, name: &str, id: &str) -> Result<()> {
        let name = name.trim().to_lowercase();
        Self::may_manage(caller, &name)?;
        if id == DATA_DIR_TOKEN_ID && name == self.local_admin {
            return Err(Error::LocalAdminAccount(name));
        }
        let _one = self.changing(caller).await?;
        let found = self
            .registry()
            .tokens
            .iter()
            .find(|(_, t)| t.account == name && t.id == id)
            .map(|(d, _)| *d);
        let Some(d) = found else {
            return Err(Error::TokenNotFound(id.chars().take(40).collect()));
        };
        self.store
            .apply(vec![Op::DeleteAccountToken(id.to_owned())])
            .await?;
        self.registry().tokens.remove(&d);
        self.record(format!("account `{name}`: token {id} revoked"));
        Ok(())
    }

    /// Revokes every token for scripts an account has (the data directory's
    /// `admin-token` stays: it is the machine's, not the account's); the
    /// number revoked.
    ///
    /// # Errors
    /// `forbidden`, `account_not_found`, the store's.
    pub async fn revoke_all_tokens(&self, caller: &Caller, name: &str) -> Result<usize> {
        let name = name.trim().to_lowercase();
        Self::may_manage(caller, &name)?;
        let _one = self.changing(caller).await?;
        self.account(&name)?;
        let theirs: Vec<(Digest, String)> = self
            .registry()
            .tokens
            .iter()
            .filter(|(_, t)| t.account == name)
            .map(|(d, t)| (*d, t.id.clone()))
            .collect();
        if theirs.is_empty() {
            return Ok(0);
        }
        let ops = theirs
            .iter()
            .map(|(_, id)| Op::DeleteAccountToken(id.clone()))
            .collect();
        self.store.apply(ops).await?;
        let mut reg = self.registry();
        for (d, _) in &theirs {
            reg.tokens.remove(d);
        }
        drop(reg);
        self.record(format!(
            "account `{name}`: all {} tokens revoked",
            theirs.len()
        ));
        Ok(theirs.len())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_and_passwords_are_checked() {
        assert_eq!(super::check_name(" Ann.Lee@site ").unwrap(), "ann.lee@site");
        for bad in ["", ".ann", "ann lee", "ann/x", "änn", &"a".repeat(65)] {
            assert!(super::check_name(bad).is_err(), "{bad}");
        }
        assert!(super::check_password("12345678").is_ok());
        for bad in ["1234567", "tab\there1", &"x".repeat(129)] {
            assert!(super::check_password(bad).is_err(), "{bad}");
        }
    }
}
