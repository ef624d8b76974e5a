//! `leasehold admin users assign | unassign | list PRODUCT [USER]`: the
//! named users of a product whose codes have named users.

use super::{AdminApi, format, print_json};
use crate::table::Table;
use anyhow::Result;
use clap::Subcommand;
use leasehold_core::wire::named::{NamedUsersList, NamedUsersView};

#[derive(Debug, Subcommand)]
pub enum UsersCmd {
    /// Name USER for a seat of PRODUCT: only named users may check out a
    /// product whose codes have named users.
    Assign {
        #[arg(value_name = "PRODUCT")]
        product: String,
        #[arg(value_name = "USER")]
        user: String,
    },
    /// Take USER's seat of PRODUCT away (a lease the user holds runs to its
    /// end). A seat that moved to USER may go to another user only after
    /// the vendor's cool-down.
    Unassign {
        #[arg(value_name = "PRODUCT")]
        product: String,
        #[arg(value_name = "USER")]
        user: String,
    },
    /// Show who is named (for PRODUCT, or every product with named users).
    List {
        #[arg(value_name = "PRODUCT")]
        product: Option<String>,
    },
}

/// Runs a `users` subcommand.
///
/// # Errors
/// The server's refusal (`product_not_named`, `named_seats_full` with when a
/// seat frees, `not_a_named_user`).
pub async fn run(api: &AdminApi, cmd: UsersCmd, json: bool) -> Result<()> {
    let (view, said) = match cmd {
        UsersCmd::Assign { product, user } => {
            let view: NamedUsersView = api.put(&path(&product, &user), &()).await?;
            (view, format!("{user} is named for {product}"))
        }
        UsersCmd::Unassign { product, user } => {
            let view: NamedUsersView = api.delete(&path(&product, &user)).await?;
            (view, format!("{user} is no longer named for {product}"))
        }
        UsersCmd::List { product: None } => {
            let list: NamedUsersList = api.get("/admin/v1/named-users", &[]).await?;
            if json {
                return print_json(&list);
            }
            if list.products.is_empty() {
                outln!("no product here has named users");
            }
            for view in &list.products {
                show(view)?;
            }
            return Ok(());
        }
        UsersCmd::List {
            product: Some(product),
        } => {
            let path = format!(
                "/admin/v1/named-users/{}",
                super::api::path_segment(&product)
            );
            let view: NamedUsersView = api.get(&path, &[]).await?;
            (view, String::new())
        }
    };
    if json {
        return print_json(&view);
    }
    if !said.is_empty() {
        outln!("{said}");
    }
    show(&view)
}

fn path(product: &str, user: &str) -> String {
    format!(
        "/admin/v1/named-users/{}/{}",
        super::api::path_segment(product),
        super::api::path_segment(user)
    )
}

fn show(view: &NamedUsersView) -> Result<()> {
    outln!(
        "{}: {} named of {}{}",
        view.product,
        view.users.len(),
        format::count(view.seats, "seat", "seats"),
        if view.in_force {
            ""
        } else {
            " (no named code counts now: anyone may check out)"
        }
    );
    let mut table = Table::new(["USER", "NAMED", "SEAT"]);
    for u in &view.users {
        table.row([
            u.user.clone(),
            format::local_time(u.assigned_at),
            if u.moved {
                "moved from another user".to_owned()
            } else {
                "first user".to_owned()
            },
        ]);
    }
    if !table.is_empty() {
        out!("{table}");
    }
    for until in &view.cooling_until {
        outln!(
            "a seat freed from a user may go to another from {} (cool-down {} h)",
            format::local_time(*until),
            view.reassign_after_hours
        );
    }
    Ok(())
}
