//! `leasehold admin alerts …`: the alerts, acknowledging them, where they
//! are sent, and a test.

use super::{AdminApi, format, print_json};
use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use leasehold_core::wire::alerts::{
    Alert, AlertList, AlertSettings, AlertTest, Delivery, MailSecurity, MailSettings,
    WebhookSettings,
};

#[derive(Debug, Subcommand)]
pub enum AlertsCmd {
    /// Show the alerts not acknowledged yet (open first), then the latest
    /// acknowledged, and how the last mail and webhook went.
    List,
    /// Mark an alert as seen (operators and admins).
    Ack {
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Send a test alert now to the mail relay and webhook set, and say how each went.
    Test,
    /// Show, or change, where alerts are sent and the usage threshold.
    Settings(SettingsArgs),
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Alert at this share (%) of seats in use or tokens spent (0: never).
    #[arg(long, value_name = "PERCENT")]
    pub usage_percent: Option<u32>,
    /// Send mail through this relay (`host:port`, port 25 by default).
    #[arg(long, value_name = "HOST:PORT", requires_all = ["mail_from", "mail_to"])]
    pub mail_relay: Option<String>,
    #[arg(long, value_name = "ADDRESS")]
    pub mail_from: Option<String>,
    /// A recipient (repeatable, at most 20).
    #[arg(long, value_name = "ADDRESS")]
    pub mail_to: Vec<String>,
    /// `none` (plain, a LAN relay), `starttls` or `tls`.
    #[arg(long, value_name = "HOW", default_value = "none", value_parser = parse_security)]
    pub mail_security: MailSecurity,
    /// A user name for the relay; its password is read as a line of stdin.
    #[arg(long, value_name = "USER")]
    pub mail_user: Option<String>,
    /// Stop sending mail.
    #[arg(long, conflicts_with = "mail_relay")]
    pub no_mail: bool,
    /// POST each alert as JSON to this URL.
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// Stop calling the webhook.
    #[arg(long, conflicts_with = "webhook")]
    pub no_webhook: bool,
}

fn parse_security(s: &str) -> Result<MailSecurity, String> {
    match s {
        "none" => Ok(MailSecurity::None),
        "starttls" => Ok(MailSecurity::Starttls),
        "tls" => Ok(MailSecurity::Tls),
        other => Err(format!("`{other}` is not one of none, starttls, tls")),
    }
}

/// Runs an `alerts` subcommand.
///
/// # Errors
/// The server's refusal (`forbidden`, `invalid_field` naming the field).
pub async fn run(api: &AdminApi, cmd: AlertsCmd, json: bool) -> Result<()> {
    match cmd {
        AlertsCmd::List => {
            let list: AlertList = api.get("/admin/v1/alerts", &[]).await?;
            if json {
                return print_json(&list);
            }
            outln!(
                "{} open, {} not acknowledged",
                list.open,
                list.unacknowledged
            );
            for a in &list.alerts {
                print_alert(a)?;
            }
            print_delivery("last mail", list.last_mail.as_ref())?;
            print_delivery("last webhook", list.last_webhook.as_ref())?;
        }
        AlertsCmd::Ack { id } => {
            let alert: Alert = api
                .post(&format!("/admin/v1/alerts/{id}/acknowledge"), &())
                .await?;
            if json {
                return print_json(&alert);
            }
            outln!("alert {id} acknowledged");
        }
        AlertsCmd::Test => {
            let test: AlertTest = api.post("/admin/v1/alerts/test", &()).await?;
            if json {
                return print_json(&test);
            }
            if test.mail.is_none() && test.webhook.is_none() {
                outln!(
                    "no mail relay or webhook is set: `leasehold admin alerts settings --mail-relay … --mail-from … --mail-to …` or `--webhook URL`"
                );
            }
            print_delivery("mail", test.mail.as_ref())?;
            print_delivery("webhook", test.webhook.as_ref())?;
            if [&test.mail, &test.webhook]
                .iter()
                .any(|d| d.as_ref().is_some_and(|d| !d.ok))
            {
                return Err(anyhow!(
                    "the test alert did not go out everywhere (see above)"
                ));
            }
        }
        AlertsCmd::Settings(args) => settings(api, args, json).await?,
    }
    Ok(())
}

async fn settings(api: &AdminApi, args: SettingsArgs, json: bool) -> Result<()> {
    let mut s: AlertSettings = api.get("/admin/v1/alerts/settings", &[]).await?;
    let changing = args.usage_percent.is_some()
        || args.mail_relay.is_some()
        || args.no_mail
        || args.webhook.is_some()
        || args.no_webhook;
    if changing {
        if let Some(p) = args.usage_percent {
            s.usage_percent = p;
        }
        if let (Some(relay), Some(from)) = (args.mail_relay, args.mail_from) {
            let password = if args.mail_user.is_some() {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\n', '\r']).to_owned())
            } else {
                Some(String::new())
            };
            s.mail = Some(MailSettings {
                relay,
                security: args.mail_security,
                from,
                to: args.mail_to,
                user: args.mail_user,
                password,
                has_password: false,
            });
        }
        if args.no_mail {
            s.mail = None;
        }
        if let Some(url) = args.webhook {
            s.webhook = Some(WebhookSettings { url });
        }
        if args.no_webhook {
            s.webhook = None;
        }
        s = api.put("/admin/v1/alerts/settings", &s).await?;
    }
    if json {
        return print_json(&s);
    }
    outln!(
        "usage alert   {}",
        match s.usage_percent {
            0 => "off".to_owned(),
            p => format!("at {p} % of seats in use or tokens spent"),
        }
    );
    match &s.mail {
        Some(m) => outln!(
            "mail          to {} via {} ({:?}) from {}",
            m.to.join(", "),
            m.relay,
            m.security,
            m.from
        ),
        None => outln!("mail          off"),
    }
    match &s.webhook {
        Some(w) => outln!("webhook       {}", w.url),
        None => outln!("webhook       off"),
    }
    Ok(())
}

fn print_alert(a: &Alert) -> Result<()> {
    let state = match (&a.resolved_at, &a.acknowledged_at) {
        (None, None) => "OPEN".to_owned(),
        (None, Some(_)) => format!(
            "open, seen by {}",
            a.acknowledged_by.as_deref().unwrap_or("?")
        ),
        (Some(_), None) => "ended, not seen".to_owned(),
        (Some(_), Some(_)) => format!(
            "ended, seen by {}",
            a.acknowledged_by.as_deref().unwrap_or("?")
        ),
    };
    outln!(
        "#{} {} {:?} [{state}] {}",
        a.id,
        format::local_time(a.raised_at),
        a.severity,
        a.message
    );
    Ok(())
}

fn print_delivery(what: &str, d: Option<&Delivery>) -> Result<()> {
    if let Some(d) = d {
        match &d.error {
            None => outln!("{what}: sent {}", format::local_time(d.at)),
            Some(e) => outln!("{what}: FAILED {}: {e}", format::local_time(d.at)),
        }
    }
    Ok(())
}
