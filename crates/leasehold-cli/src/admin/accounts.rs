//! `leasehold admin account …`: admin accounts, their roles, passwords and
//! tokens for scripts.

use super::{AdminApi, format, print_json};
use crate::table::Table;
use anyhow::{Result, anyhow};
use clap::Subcommand;
use leasehold_core::wire::accounts::{
    AccountChange, AccountView, NewAccount, NewToken, PasswordChange, Role, TokenMade, TokenView,
    TokensRevoked,
};
use std::io::{BufRead, IsTerminal};

#[derive(Debug, Subcommand)]
pub enum AccountCmd {
    /// Show every account with its role.
    List,
    /// Make an account: `viewer` sees everything and changes nothing,
    /// `operator` also disconnects seats and acknowledges alerts, `admin`
    /// also manages licences, keys, policy, settings and accounts.
    Add {
        #[arg(value_name = "NAME")]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Give it a password (asked for, or read from stdin); without one
        /// it signs in only with tokens.
        #[arg(long)]
        password: bool,
    },
    /// Give an account another role (it applies at once).
    Role {
        #[arg(value_name = "NAME")]
        name: String,
        #[arg(value_name = "ROLE", value_parser = parse_role)]
        role: Role,
    },
    /// Remove an account: its sessions and tokens end at once.
    Remove {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Set an account's password (asked for twice on a terminal, else read
    /// as a line from stdin). Changing your own as a non-admin asks for the
    /// current one first.
    Password {
        #[arg(value_name = "NAME")]
        name: String,
        /// Ask for (or read first from stdin) the current password.
        #[arg(long)]
        current: bool,
    },
    /// Tokens for scripts: make one (printed this once), list, revoke.
    #[command(subcommand)]
    Token(TokenCmd),
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Make a token for NAME; use it as `--token` or `LEASEHOLD_ADMIN_TOKEN`.
    Create {
        #[arg(value_name = "NAME")]
        name: String,
        /// What it is for, e.g. "nightly report".
        #[arg(long)]
        label: String,
    },
    List {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Revoke one token (ID from `token list`), or with `--all` every one
    /// NAME has (say after a password was given away).
    Revoke {
        #[arg(value_name = "NAME")]
        name: String,
        #[arg(value_name = "ID", required_unless_present = "all")]
        id: Option<String>,
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(&s.to_lowercase())
        .ok_or_else(|| format!("`{s}` is not a role; use viewer, operator or admin"))
}

/// A password from the terminal (not echoed, asked twice) or a line of stdin.
fn read_password(prompt: &str, confirm: bool) -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("{prompt}: "))?;
        if confirm && rpassword::prompt_password("again: ")? != first {
            return Err(anyhow!("the two passwords differ; nothing was changed"));
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim_end_matches(['\n', '\r']).to_owned();
    if line.is_empty() {
        return Err(anyhow!("no password on stdin: write it as one line"));
    }
    Ok(line)
}

fn account_path(name: &str) -> String {
    format!("/admin/v1/accounts/{}", super::api::path_segment(name))
}

/// Runs an `account` subcommand.
///
/// # Errors
/// The server's refusal (`forbidden`, `account_exists`, `local_admin_account`, …).
pub async fn run(api: &AdminApi, cmd: AccountCmd, json: bool) -> Result<()> {
    match cmd {
        AccountCmd::List => {
            let list: Vec<AccountView> = api.get("/admin/v1/accounts", &[]).await?;
            if json {
                return print_json(&list);
            }
            let mut table = Table::new(["ACCOUNT", "ROLE", "SIGNS IN WITH", "TOKENS", "SINCE"]);
            for a in &list {
                let with = match (a.has_password, a.local_admin) {
                    (true, true) => "password, data directory token",
                    (false, true) => "data directory token",
                    (true, false) => "password",
                    (false, false) => "tokens only",
                };
                table.row([
                    a.name.clone(),
                    a.role.to_string(),
                    with.to_owned(),
                    a.tokens.to_string(),
                    format::local_time(a.created_at),
                ]);
            }
            out!("{table}");
        }
        AccountCmd::Add {
            name,
            role,
            password,
        } => {
            let password = if password {
                Some(read_password("password", true)?)
            } else {
                None
            };
            let made: AccountView = api
                .post(
                    "/admin/v1/accounts",
                    &NewAccount {
                        name,
                        role,
                        password,
                    },
                )
                .await?;
            if json {
                return print_json(&made);
            }
            outln!("account {} made ({})", made.name, made.role);
            if !made.has_password {
                outln!(
                    "it has no password: give it one with `leasehold admin account password {}`, or a token with `leasehold admin account token create {} --label …`",
                    made.name,
                    made.name
                );
            }
        }
        AccountCmd::Role { name, role } => {
            let view: AccountView = api
                .put(&account_path(&name), &AccountChange { role })
                .await?;
            if json {
                return print_json(&view);
            }
            outln!("{} is now {}", view.name, view.role);
        }
        AccountCmd::Remove { name } => {
            api.delete::<()>(&account_path(&name)).await?;
            outln!("account {name} removed; its sessions and tokens no longer sign in");
        }
        AccountCmd::Password { name, current } => {
            let current_password = if current {
                Some(read_password("current password", false)?)
            } else {
                None
            };
            let password = read_password("new password", true)?;
            api.put::<_, ()>(
                &format!("{}/password", account_path(&name)),
                &PasswordChange {
                    current_password,
                    password,
                },
            )
            .await?;
            outln!("password of {name} set; its other sessions are signed out");
        }
        AccountCmd::Token(cmd) => token(api, cmd, json).await?,
    }
    Ok(())
}

async fn token(api: &AdminApi, cmd: TokenCmd, json: bool) -> Result<()> {
    match cmd {
        TokenCmd::Create { name, label } => {
            let made: TokenMade = api
                .post(
                    &format!("{}/tokens", account_path(&name)),
                    &NewToken { label },
                )
                .await?;
            if json {
                return print_json(&made);
            }
            outln!("{}", made.token);
            eprintln!(
                "token {} for {name} made; it is shown this once: keep it where the script reads it",
                made.view.id
            );
        }
        TokenCmd::List { name } => {
            let list: Vec<TokenView> = api
                .get(&format!("{}/tokens", account_path(&name)), &[])
                .await?;
            if json {
                return print_json(&list);
            }
            let mut table = Table::new(["ID", "LABEL", "MADE"]);
            for t in &list {
                table.row([
                    t.id.clone(),
                    t.label.clone(),
                    format::local_time(t.created_at),
                ]);
            }
            out!("{table}");
        }
        TokenCmd::Revoke { name, id: None, .. } => {
            let answer: TokensRevoked = api
                .delete(&format!("{}/tokens", account_path(&name)))
                .await?;
            if json {
                return print_json(&answer);
            }
            let tokens = if answer.revoked == 1 {
                "token"
            } else {
                "tokens"
            };
            outln!("{} {tokens} of {name} revoked", answer.revoked);
        }
        TokenCmd::Revoke {
            name, id: Some(id), ..
        } => {
            api.delete::<()>(&format!(
                "{}/tokens/{}",
                account_path(&name),
                super::api::path_segment(&id)
            ))
            .await?;
            outln!("token {id} of {name} revoked");
        }
    }
    Ok(())
}
