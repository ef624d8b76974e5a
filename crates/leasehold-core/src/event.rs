//! Events: every grant, denial, release, expiry, disconnect and admin action,
//! as recorded for the Logs tab, the usage figures and the audit trail.

use crate::ids::{ClientId, CorrelationId, LeaseId, LicenseId, Product};
use crate::lease::{Ending, Holder, Lease};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What happened. Plain renewals are counted in the metrics, not logged:
/// a busy server renews thousands of leases a second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Grant,
    /// A seat granted beyond the licensed count, from the codes' overdraft
    /// (the vendor bills these).
    OverdraftGrant,
    /// Consumption tokens spent beyond the balance (the token overdraft).
    TokenOverdraft,
    Deny,
    /// A seat of a counted feature taken under a lease.
    FeatureGrant,
    /// A seat lent for offline use (`client borrow`).
    Borrow,
    /// A renewal that arrived after the lease had already ended.
    RenewAfterExpiry,
    Release,
    Expire,
    /// A lease that expired while the server was down, reclaimed on start.
    Reclaim,
    Disconnect,
    LicenseAdded,
    LicenseRemoved,
    /// A license code someone tried to add and the server refused.
    LicenseRejected,
    /// The vendor's activation response was imported: the licence counts here.
    LicenseActivated,
    /// The licence was deactivated here (to move it to another server).
    LicenseDeactivated,
    /// The clock was set back more than a day behind the latest time seen.
    ClockSetBack,
    TrustedKeyAdded,
    /// A client joined a product's queue.
    QueueJoined,
    /// A client left the queue without a seat (it asked to, stopped asking,
    /// or the admin removed it).
    QueueLeft,
    /// A waiting client was given a seat.
    QueueGranted,
    /// The admin named a user for a product's seats.
    NamedUserAssigned,
    /// The admin took a named user's seat away.
    NamedUserUnassigned,
    /// A seat policy was put in force (read from `policy.toml`, or set by
    /// the admin).
    PolicyChanged,
    /// `policy.toml` changed but is invalid: the policy before stays.
    PolicyRejected,
    /// An admin account signed in, or gave a wrong password.
    AdminSignIn,
    /// An admin account was made, changed (role, password, tokens) or removed.
    AccountChanged,
    /// A server setting changed (expiry warnings, mDNS, the activation authority).
    SettingsChanged,
    ServerStart,
    ServerStop,
}

impl EventKind {
    pub const ALL: [EventKind; 30] = [
        Self::Grant,
        Self::OverdraftGrant,
        Self::TokenOverdraft,
        Self::Deny,
        Self::FeatureGrant,
        Self::Borrow,
        Self::RenewAfterExpiry,
        Self::Release,
        Self::Expire,
        Self::Reclaim,
        Self::Disconnect,
        Self::LicenseAdded,
        Self::LicenseRemoved,
        Self::LicenseRejected,
        Self::LicenseActivated,
        Self::LicenseDeactivated,
        Self::ClockSetBack,
        Self::TrustedKeyAdded,
        Self::QueueJoined,
        Self::QueueLeft,
        Self::QueueGranted,
        Self::NamedUserAssigned,
        Self::NamedUserUnassigned,
        Self::PolicyChanged,
        Self::PolicyRejected,
        Self::AdminSignIn,
        Self::AccountChanged,
        Self::SettingsChanged,
        Self::ServerStart,
        Self::ServerStop,
    ];

    /// The name used on the wire, in the store and in filters.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::OverdraftGrant => "overdraft_grant",
            Self::TokenOverdraft => "token_overdraft",
            Self::Deny => "deny",
            Self::FeatureGrant => "feature_grant",
            Self::Borrow => "borrow",
            Self::RenewAfterExpiry => "renew_after_expiry",
            Self::Release => "release",
            Self::Expire => "expire",
            Self::Reclaim => "reclaim",
            Self::Disconnect => "disconnect",
            Self::LicenseAdded => "license_added",
            Self::LicenseRemoved => "license_removed",
            Self::LicenseRejected => "license_rejected",
            Self::LicenseActivated => "license_activated",
            Self::LicenseDeactivated => "license_deactivated",
            Self::ClockSetBack => "clock_set_back",
            Self::TrustedKeyAdded => "trusted_key_added",
            Self::QueueJoined => "queue_joined",
            Self::QueueLeft => "queue_left",
            Self::QueueGranted => "queue_granted",
            Self::NamedUserAssigned => "named_user_assigned",
            Self::NamedUserUnassigned => "named_user_unassigned",
            Self::PolicyChanged => "policy_changed",
            Self::PolicyRejected => "policy_rejected",
            Self::AdminSignIn => "admin_sign_in",
            Self::AccountChanged => "account_changed",
            Self::SettingsChanged => "settings_changed",
            Self::ServerStart => "server_start",
            Self::ServerStop => "server_stop",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Done by an admin through the admin API: its event names the account
    /// (`Event::by`).
    #[must_use]
    pub fn is_admin_action(self) -> bool {
        matches!(
            self,
            Self::Disconnect
                | Self::LicenseAdded
                | Self::LicenseRemoved
                | Self::LicenseRejected
                | Self::LicenseActivated
                | Self::LicenseDeactivated
                | Self::TrustedKeyAdded
                | Self::QueueLeft
                | Self::NamedUserAssigned
                | Self::NamedUserUnassigned
                | Self::PolicyChanged
                | Self::PolicyRejected
                | Self::AdminSignIn
                | Self::AccountChanged
                | Self::SettingsChanged
        )
    }

    /// How serious it is, for filtering the Logs tab by level.
    #[must_use]
    pub fn level(self) -> Level {
        match self {
            Self::Deny
            | Self::RenewAfterExpiry
            | Self::Disconnect
            | Self::LicenseRejected
            | Self::OverdraftGrant
            | Self::TokenOverdraft
            | Self::PolicyRejected
            | Self::Reclaim => Level::Warn,
            Self::ClockSetBack => Level::Error,
            _ => Level::Info,
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    /// The level as stored and sent.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// One recorded event. `seq` is assigned when it is recorded and only grows,
/// so a live tail can ask for "everything after seq N". What it is not
/// about (no lease, no licence) is left out, not sent as null.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub seq: u64,
    pub at: Timestamp,
    pub kind: EventKind,
    pub level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<Product>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_id: Option<LeaseId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_id: Option<LicenseId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<CorrelationId>,
    /// A sentence for people, e.g. "granted cad to ann@ws-12 (3 of 10 in use)".
    pub message: String,
    /// The admin account that did it (admin actions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// The hash an event chain starts from (the link before the first event).
pub const CHAIN_START: [u8; 32] = [0; 32];

impl Event {
    /// The event's link in the hash chain of the event log: SHA-256 over
    /// the previous event's hash and every field of this one, so an event
    /// removed or edited breaks every link after it.
    #[must_use]
    pub fn chain_hash(&self, prev: &[u8; 32]) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"leasehold-event-v1\n");
        h.update(prev);
        h.update(self.seq.to_be_bytes());
        h.update(self.at.0.to_be_bytes());
        let text = |h: &mut Sha256, t: Option<&str>| match t {
            // Length-prefixed, with absence apart from empty text.
            None => h.update([0u8]),
            Some(t) => {
                h.update([1u8]);
                h.update((t.len() as u64).to_be_bytes());
                h.update(t.as_bytes());
            }
        };
        text(&mut h, Some(self.kind.as_str()));
        text(&mut h, Some(self.level.as_str()));
        text(&mut h, self.product.as_ref().map(|p| p.as_str()));
        text(&mut h, self.client_id.as_ref().map(|c| c.as_str()));
        text(&mut h, self.user.as_deref());
        text(&mut h, self.host.as_deref());
        let ids = [
            self.lease_id.map(|i| i.to_string()),
            self.license_id.map(|i| i.to_string()),
            self.correlation_id.map(|i| i.to_string()),
        ];
        for id in &ids {
            text(&mut h, id.as_deref());
        }
        text(&mut h, Some(&self.message));
        // Added after the chain began: an event without an account hashes
        // as before.
        if let Some(by) = &self.by {
            text(&mut h, Some(by));
        }
        h.finalize().into()
    }

    /// A new event with no subject yet; `seq` is filled in when recorded.
    #[must_use]
    pub fn new(kind: EventKind, at: Timestamp, message: impl Into<String>) -> Self {
        Self {
            seq: 0,
            at,
            kind,
            level: kind.level(),
            product: None,
            client_id: None,
            user: None,
            host: None,
            lease_id: None,
            license_id: None,
            correlation_id: None,
            message: message.into(),
            by: None,
        }
    }

    /// Fills the subject fields from a lease.
    #[must_use]
    pub fn about(mut self, lease: &Lease) -> Self {
        self.product = Some(lease.product.clone());
        self.client_id = Some(lease.holder.client_id.clone());
        self.user = Some(lease.holder.user.clone());
        self.host = Some(lease.holder.host.clone());
        self.lease_id = Some(lease.id);
        self
    }

    #[must_use]
    pub fn correlated(mut self, id: CorrelationId) -> Self {
        self.correlation_id = Some(id);
        self
    }

    /// Correlates the event when there is an id (a sweeper's expiry has none).
    #[must_use]
    pub fn correlated_opt(self, id: Option<CorrelationId>) -> Self {
        match id {
            Some(id) => self.correlated(id),
            None => self,
        }
    }

    /// A seat granted: "granted cad to ann@ws-12 (3 of 10 in use)".
    #[must_use]
    pub fn granted(lease: &Lease, at: Timestamp, in_use: u32, seats: u32) -> Self {
        let h = &lease.holder;
        if lease.overdraft {
            let over = in_use.saturating_sub(seats);
            let message = format!(
                "granted {} to {}@{} in overdraft ({in_use} of {seats} in use, {over} over licence)",
                lease.product, h.user, h.host
            );
            return Self::new(EventKind::OverdraftGrant, at, message).about(lease);
        }
        let message = format!(
            "granted {} to {}@{} ({in_use} of {seats} in use)",
            lease.product, h.user, h.host
        );
        Self::new(EventKind::Grant, at, message).about(lease)
    }

    /// A checkout refused, with the reason the rules gave.
    #[must_use]
    pub fn denied(product: &Product, holder: &Holder, at: Timestamp, reason: &str) -> Self {
        let message = format!(
            "denied {product} to {}@{}: {reason}",
            holder.user, holder.host
        );
        let mut event = Self::new(EventKind::Deny, at, message);
        event.product = Some(product.clone());
        event.client_id = Some(holder.client_id.clone());
        event.user = Some(holder.user.clone());
        event.host = Some(holder.host.clone());
        event
    }

    /// A lease ended: released by its client, ended by an administrator, or
    /// expired unrenewed.
    #[must_use]
    pub fn lease_ended(how: Ending, lease: &Lease, at: Timestamp) -> Self {
        let (p, u, h) = (&lease.product, &lease.holder.user, &lease.holder.host);
        let (kind, message) = match how {
            Ending::Released => (EventKind::Release, format!("{u}@{h} released {p}")),
            Ending::Disconnected => (
                EventKind::Disconnect,
                format!("administrator disconnected {u}@{h} from {p}"),
            ),
            Ending::Expired => (
                EventKind::Expire,
                format!("lease of {p} by {u}@{h} expired unrenewed"),
            ),
        };
        Self::new(kind, at, message).about(lease)
    }

    /// A lease that expired while the server was down, reclaimed on start.
    #[must_use]
    pub fn reclaimed(lease: &Lease, at: Timestamp) -> Self {
        let (p, u, h) = (&lease.product, &lease.holder.user, &lease.holder.host);
        let message = format!("{p} of {u}@{h} expired while the server was down");
        Self::new(EventKind::Reclaim, at, message).about(lease)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::from(k.as_str())
            );
        }
        assert_eq!(EventKind::parse("nope"), None);
    }
}
