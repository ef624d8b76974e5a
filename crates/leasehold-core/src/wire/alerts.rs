//! Alerts (`/admin/v1/alerts`): conditions an admin must hear of — a code
//! ending soon, a product out of seats, the store failing, mDNS failing, the
//! clock set back, usage near a limit, the server stopped — raised once per
//! condition, shown in the UI until acknowledged, and sent by mail to a
//! relay on the LAN and to a webhook.

use crate::ids::{LicenseId, Product};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What an alert is about.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A code counting now ends within the expiry warning window.
    LicenseExpiring,
    /// Checkouts of a product were refused in the last 15 minutes: every seat was in use.
    OutOfSeats,
    /// Seats in use reached the usage threshold of the seats licensed.
    UsageNearLimit,
    /// Consumption tokens spent reached the usage threshold of the period's.
    TokensNearLimit,
    /// Writing to the store fails (a full or failing disk).
    StoreFailing,
    /// Announcing over mDNS fails.
    MdnsFailed,
    /// The computer's clock is set back: codes with dates do not count.
    ClockSetBack,
    /// The server was stopped (said by the server as it stops).
    ServerStopped,
    /// The server was not stopped cleanly last time (a crash or power loss).
    UncleanStop,
    /// A test an admin sent to check the mail and webhook settings.
    Test,
}

impl AlertKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LicenseExpiring => "license_expiring",
            Self::OutOfSeats => "out_of_seats",
            Self::UsageNearLimit => "usage_near_limit",
            Self::TokensNearLimit => "tokens_near_limit",
            Self::StoreFailing => "store_failing",
            Self::MdnsFailed => "mdns_failed",
            Self::ClockSetBack => "clock_set_back",
            Self::ServerStopped => "server_stopped",
            Self::UncleanStop => "unclean_stop",
            Self::Test => "test",
        }
    }

    /// Every kind.
    pub const ALL: [Self; 10] = [
        Self::LicenseExpiring,
        Self::OutOfSeats,
        Self::UsageNearLimit,
        Self::TokensNearLimit,
        Self::StoreFailing,
        Self::MdnsFailed,
        Self::ClockSetBack,
        Self::ServerStopped,
        Self::UncleanStop,
        Self::Test,
    ];

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    /// As serde spells it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Warning, Self::Critical]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// One alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub id: u64,
    pub kind: AlertKind,
    pub severity: Severity,
    /// The condition it is about (`out_of_seats:cad`): one open alert per key.
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<Product>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_id: Option<LicenseId>,
    /// What happened and what to do, in words.
    pub message: String,
    pub raised_at: Timestamp,
    /// When the condition ended by itself; absent while it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<Timestamp>,
    /// The account that acknowledged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
}

/// How the last sending on a channel went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub at: Timestamp,
    pub ok: bool,
    /// What went wrong (absent when it went out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `GET /admin/v1/alerts`: those not acknowledged (open first, newest
/// first), then the latest acknowledged ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertList {
    pub alerts: Vec<Alert>,
    /// Alerts whose condition still holds.
    pub open: u32,
    /// Alerts no admin has acknowledged yet (the bell's count).
    pub unacknowledged: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_mail: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_webhook: Option<Delivery>,
}

/// How mail reaches the relay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailSecurity {
    /// Plain SMTP (a relay on the LAN, port 25).
    #[default]
    None,
    /// Plain, then STARTTLS (required), port 587.
    Starttls,
    /// TLS from the start, port 465.
    Tls,
}

/// Mail to a relay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailSettings {
    /// `host:port` of the relay (port 25 when left out).
    #[schema(min_length = 1, max_length = 255)]
    pub relay: String,
    #[serde(default)]
    pub security: MailSecurity,
    /// The sender address, e.g. `leasehold@lic1.lan`.
    #[schema(min_length = 3, max_length = 254)]
    pub from: String,
    /// Who gets the mail (at most 20).
    #[schema(min_items = 1, max_items = 20)]
    pub to: Vec<String>,
    /// A user name when the relay wants one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub user: Option<String>,
    /// Write-only: absent keeps the one stored, empty removes it. Never sent back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub password: Option<String>,
    /// A password is stored (answers only).
    #[serde(default)]
    pub has_password: bool,
}

/// A JSON POST for chat or monitoring.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSettings {
    /// `http://` or `https://`.
    #[schema(min_length = 1, max_length = 2048)]
    pub url: String,
}

/// `GET|PUT /admin/v1/alerts/settings`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertSettings {
    /// Alert when this share (%) of a product's seats are in use, or of its
    /// period's tokens spent; 0: never.
    #[serde(deserialize_with = "super::whole_u32")]
    #[schema(value_type = u32, maximum = 100)]
    pub usage_percent: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<MailSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookSettings>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            usage_percent: 90,
            mail: None,
            webhook: None,
        }
    }
}

/// `POST /admin/v1/alerts/test`: what each channel did with a test alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertTest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Delivery>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_serdes_and_read_back() {
        for kind in AlertKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(AlertKind::parse(kind.as_str()), Some(kind));
        }
        for severity in [Severity::Warning, Severity::Critical] {
            assert_eq!(serde_json::to_value(severity).unwrap(), severity.as_str());
            assert_eq!(Severity::parse(severity.as_str()), Some(severity));
        }
        assert_eq!(AlertKind::parse("nope"), None);
    }
}
