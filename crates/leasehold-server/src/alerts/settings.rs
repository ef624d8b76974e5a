//! Where alerts go and when usage is "near a limit": kept in the data
//! directory's settings (`alerts`, JSON), changed with `PUT
//! /admin/v1/alerts/settings` (the UI's Alerts settings, `leasehold admin
//! alerts settings`). The mail password is kept but never sent back.

use super::Alerts;
use crate::error::{Error, Result};
use crate::store::Op;
use leasehold_core::wire::alerts::{AlertSettings, MailSettings, WebhookSettings};

/// The setting holding the alert settings.
pub const ALERTS_SETTING: &str = "alerts";
/// Most mail recipients.
pub const MAX_RECIPIENTS: usize = 20;

/// The stored settings, or the defaults when none (or damaged ones) are stored.
pub(super) fn read(json: Option<&str>) -> AlertSettings {
    match json.map(serde_json::from_str::<AlertSettings>) {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            tracing::warn!("the stored alert settings cannot be read ({e}); using the defaults");
            AlertSettings::default()
        }
        None => AlertSettings::default(),
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
    Error::AlertSettings {
        field,
        reason: reason.into(),
    }
}

/// An address a header can hold: `name@host`, nothing that ends a line.
fn check_address(field: &'static str, a: &str) -> Result<()> {
    let a = a.trim();
    let fine = a.len() <= 254
        && a.split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty())
        && !a
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';'));
    if fine {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!(
                "`{}` is not a mail address (name@host)",
                a.chars().take(100).collect::<String>()
            ),
        ))
    }
}

/// `host:port` (port 25 when left out), or an error naming the field.
pub(super) fn relay_parts(relay: &str) -> Result<(String, u16)> {
    let relay = relay.trim();
    let (host, port) = match relay.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.starts_with('[') => {
            let port = p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                invalid("mail.relay", format!("`{p}` is not a port (1 to 65535)"))
            })?;
            (
                h.trim_start_matches('[').trim_end_matches(']').to_owned(),
                port,
            )
        }
        _ => (relay.to_owned(), 25),
    };
    let fine = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
    if fine {
        Ok((host, port))
    } else {
        Err(invalid(
            "mail.relay",
            "give the relay as host:port, e.g. mail.lan:25",
        ))
    }
}

fn check_mail(m: &MailSettings) -> Result<()> {
    relay_parts(&m.relay)?;
    check_address("mail.from", &m.from)?;
    if m.to.is_empty() || m.to.len() > MAX_RECIPIENTS {
        return Err(invalid(
            "mail.to",
            format!("give 1 to {MAX_RECIPIENTS} addresses"),
        ));
    }
    for to in &m.to {
        check_address("mail.to", to)?;
    }
    if m.user.is_some() && m.security == leasehold_core::wire::alerts::MailSecurity::None {
        return Err(invalid(
            "mail.user",
            "a user and password are sent only over starttls or tls, never in plain text",
        ));
    }
    for (field, text) in [
        ("mail.user", m.user.as_deref()),
        ("mail.password", m.password.as_deref()),
    ] {
        if text.is_some_and(|t| t.len() > 255 || t.chars().any(char::is_control)) {
            return Err(invalid(field, "at most 255 bytes, no control characters"));
        }
    }
    Ok(())
}

fn check_webhook(w: &WebhookSettings) -> Result<()> {
    let url = reqwest::Url::parse(w.url.trim())
        .map_err(|e| invalid("webhook.url", format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            "webhook.url",
            "give an http:// or https:// URL with a host",
        ));
    }
    if w.url.len() > 2048 {
        return Err(invalid("webhook.url", "at most 2048 characters"));
    }
    Ok(())
}

/// The settings as answered: the password left out.
pub(super) fn shown(s: &AlertSettings) -> AlertSettings {
    let mut s = s.clone();
    if let Some(m) = &mut s.mail {
        m.has_password = m.password.as_deref().is_some_and(|p| !p.is_empty());
        m.password = None;
    }
    s
}

impl Alerts {
    /// The settings (without the mail password).
    #[must_use]
    pub fn settings(&self) -> AlertSettings {
        shown(&self.state().settings)
    }

    /// Replaces the settings, each part checked first. A mail password left
    /// out keeps the one stored; an empty one removes it.
    ///
    /// # Errors
    /// `invalid_field` naming what is wrong, or a store error.
    pub async fn set_settings(&self, mut new: AlertSettings) -> Result<AlertSettings> {
        if new.usage_percent > 100 {
            return Err(Error::InvalidField {
                field: "usagePercent",
                reason: "0 (no usage alerts) to 100".into(),
            });
        }
        if let Some(m) = &mut new.mail {
            check_mail(m)?;
            m.relay = m.relay.trim().to_owned();
            m.from = m.from.trim().to_owned();
            m.to = m.to.iter().map(|t| t.trim().to_owned()).collect();
            m.has_password = false;
            if m.password.is_none() {
                // Kept only for the same relay, security and user: else the
                // stored password could be sent somewhere new.
                m.password = self
                    .state()
                    .settings
                    .mail
                    .as_ref()
                    .filter(|old| {
                        old.relay == m.relay && old.security == m.security && old.user == m.user
                    })
                    .and_then(|old| old.password.clone());
            }
            if m.password.as_deref() == Some("") {
                m.password = None;
            }
        }
        if let Some(w) = &mut new.webhook {
            check_webhook(w)?;
            w.url = w.url.trim().to_owned();
        }
        let json = serde_json::to_string(&new).map_err(|e| Error::Internal(e.to_string()))?;
        self.engine
            .store()
            .apply(vec![Op::PutSetting {
                key: ALERTS_SETTING.to_owned(),
                value: json,
            }])
            .await?;
        self.state().settings = new.clone();
        self.engine.record(
            leasehold_core::event::EventKind::SettingsChanged,
            format!(
                "alert settings changed: usage at {} %, mail {}, webhook {}",
                new.usage_percent,
                new.mail.as_ref().map_or("off".to_owned(), |m| format!(
                    "to {} via {}",
                    m.to.join(", "),
                    m.relay
                )),
                if new.webhook.is_some() { "on" } else { "off" }
            ),
        );
        Ok(shown(&new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relays_and_addresses_are_checked_so_no_header_can_be_forged() {
        assert_eq!(
            relay_parts("mail.lan").unwrap(),
            ("mail.lan".to_owned(), 25)
        );
        assert_eq!(
            relay_parts("127.0.0.1:2525").unwrap(),
            ("127.0.0.1".to_owned(), 2525)
        );
        assert_eq!(relay_parts("[::1]:25").unwrap(), ("::1".to_owned(), 25));
        for bad in ["", "mail.lan:0", "mail.lan:x", "mail lan", "a/b:25"] {
            assert!(relay_parts(bad).is_err(), "{bad}");
        }
        assert!(check_address("f", "ops@corp.lan").is_ok());
        for bad in [
            "ops",
            "@corp",
            "ops@",
            "a@b\r\nBcc: x@y",
            "a b@c",
            "<a@b>",
            "a@b,c@d",
        ] {
            assert!(check_address("f", bad).is_err(), "{bad:?}");
        }
        assert!(
            check_webhook(&WebhookSettings {
                url: "https://chat.lan/hook/1".into()
            })
            .is_ok()
        );
        for bad in ["ftp://x/y", "chat.lan/hook", "http://"] {
            assert!(
                check_webhook(&WebhookSettings { url: bad.into() }).is_err(),
                "{bad}"
            );
        }
    }
}
