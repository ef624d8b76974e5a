//! Admin accounts and their tokens as stored (schema 13). The token itself
//! is never stored: only its SHA-256 digest.

use super::load::{BadRow, int, opt_text, rows, text};
use leasehold_core::Timestamp;
use leasehold_core::wire::accounts::Role;
use rusqlite::{Connection, params};

/// An account as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAccount {
    pub name: String,
    pub role: Role,
    /// The Argon2id PHC string; `None`: the account signs in with tokens only.
    pub password: Option<String>,
    pub created_at: Timestamp,
}

/// A token for scripts as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    pub id: String,
    pub account: String,
    /// SHA-256 of the token, hex.
    pub digest: String,
    pub label: String,
    pub created_at: Timestamp,
}

pub(crate) fn load(
    conn: &Connection,
) -> Result<(Vec<StoredAccount>, Vec<StoredToken>), rusqlite::Error> {
    let accounts = rows(
        conn,
        "SELECT name, role, password, created_at FROM accounts ORDER BY name",
        |r| {
            let role = text(r, 1)?;
            Ok(StoredAccount {
                name: text(r, 0)?,
                role: Role::parse(&role).ok_or_else(|| BadRow(format!("unknown role {role:?}")))?,
                password: opt_text(r, 2)?,
                created_at: Timestamp(int(r, 3)?),
            })
        },
    )?;
    let tokens = rows(
        conn,
        "SELECT id, account, digest, label, created_at FROM account_tokens ORDER BY created_at",
        |r| {
            Ok(StoredToken {
                id: text(r, 0)?,
                account: text(r, 1)?,
                digest: text(r, 2)?,
                label: text(r, 3)?,
                created_at: Timestamp(int(r, 4)?),
            })
        },
    )?;
    Ok((accounts, tokens))
}

pub(crate) fn put_account(conn: &Connection, a: &StoredAccount) -> Result<(), rusqlite::Error> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO accounts (name, role, password, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![a.name, a.role.as_str(), a.password, a.created_at.0])?;
    Ok(())
}

/// The account and every token of it.
pub(crate) fn delete_account(conn: &Connection, name: &str) -> Result<(), rusqlite::Error> {
    conn.prepare_cached("DELETE FROM account_tokens WHERE account = ?1")?
        .execute([name])?;
    conn.prepare_cached("DELETE FROM accounts WHERE name = ?1")?
        .execute([name])?;
    Ok(())
}

pub(crate) fn put_token(conn: &Connection, t: &StoredToken) -> Result<(), rusqlite::Error> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO account_tokens (id, account, digest, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![t.id, t.account, t.digest, t.label, t.created_at.0])?;
    Ok(())
}

pub(crate) fn delete_token(conn: &Connection, id: &str) -> Result<(), rusqlite::Error> {
    conn.prepare_cached("DELETE FROM account_tokens WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}
