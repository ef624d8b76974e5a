//! `leasehold admin policy show | set | check`: the admin's seat policy
//! (`policy.toml` in the data directory), and the dry run that says whether
//! a checkout would be granted now and, if not, which rule says no.

use super::{AdminApi, print_json};
use anyhow::{Context, Result};
use clap::Subcommand;
use leasehold_core::Product;
use leasehold_core::wire::policy::{PolicyCheck, PolicyCheckRequest, PolicyStatus, PolicyText};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum PolicyCmd {
    /// Show the policy in force: groups, each product's rules with their
    /// lines, the order of precedence, and the file's error if it has one.
    Show,
    /// Replace the policy with FILE (checked first: a file with a mistake is
    /// refused with its line and nothing changes). Editing
    /// DATA_DIR/policy.toml directly works too; the server reads it again
    /// within seconds.
    Set {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Would USER on HOST get a seat of PRODUCT now? Takes no seat; says
    /// which rule (and line) refuses, or which reservation it draws on.
    Check {
        #[arg(value_name = "PRODUCT")]
        product: String,
        #[arg(long, value_name = "USER", default_value = "")]
        user: String,
        #[arg(long, value_name = "HOST", default_value = "")]
        host: String,
    },
}

/// Runs a `policy` subcommand; `Ok(false)` when `check` finds the seat
/// would be refused (the CLI then exits 3, as a refused checkout does).
///
/// # Errors
/// The server's refusal (`invalid_policy` with its line), or a file that
/// cannot be read.
pub async fn run(api: &AdminApi, cmd: PolicyCmd, json: bool) -> Result<bool> {
    match cmd {
        PolicyCmd::Show => {
            let status: PolicyStatus = api.get("/admin/v1/policy", &[]).await?;
            if json {
                print_json(&status)?;
            } else {
                show(&status)?;
            }
            Ok(true)
        }
        PolicyCmd::Set { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let status: PolicyStatus = api.put("/admin/v1/policy", &PolicyText { text }).await?;
            if json {
                print_json(&status)?;
            } else {
                outln!(
                    "policy in force: {} product(s) with rules, {} group(s)",
                    status.policy.products.len(),
                    status.policy.groups.len()
                );
            }
            Ok(true)
        }
        PolicyCmd::Check {
            product,
            user,
            host,
        } => {
            let body = PolicyCheckRequest {
                product: Product(product),
                user,
                host,
            };
            let check: PolicyCheck = api.post("/admin/v1/policy/check", &body).await?;
            if json {
                print_json(&check)?;
            } else {
                let verdict = if check.granted { "granted" } else { "refused" };
                outln!("{verdict}: {}", check.message);
                if let Some(code) = check.code {
                    outln!("code:    {code}");
                }
                if let Some(rule) = &check.rule {
                    outln!("rule:    {rule}");
                }
                outln!("seats:   {} in use of {}", check.in_use, check.seats);
            }
            Ok(check.granted)
        }
    }
}

fn show(status: &PolicyStatus) -> Result<()> {
    let p = &status.policy;
    if let Some(error) = &status.error {
        outln!("policy.toml is NOT in force: {error}");
        outln!("(the policy below stays in force until the file is fixed)");
    }
    if p.groups.is_empty() && p.products.is_empty() {
        outln!("no seat policy: every checkout goes to the licence");
    }
    for g in &p.groups {
        outln!(
            "group {} (line {}): users [{}], hosts [{}]",
            g.name,
            g.line,
            g.users.join(", "),
            g.hosts.join(", ")
        );
    }
    for product in &p.products {
        outln!("{} (line {}):", product.product, product.line);
        for r in &product.rules {
            outln!("  {}", r.text);
        }
        if product.keep_unborrowed > 0 {
            outln!("  keep {} seat(s) from borrowing", product.keep_unborrowed);
        }
    }
    outln!("order of precedence (the first step that refuses decides):");
    for step in &p.precedence {
        let code = step.code.map(|c| format!(" ({c})")).unwrap_or_default();
        outln!("  {}. {}{code}: {}", step.step, step.rule, step.effect);
    }
    Ok(())
}
