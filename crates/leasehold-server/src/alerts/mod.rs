//! Alerts: every few seconds the server looks at what it sees
//! (`conditions.rs`); a condition that starts raises one alert (stored,
//! shown in the UI's bell, sent by mail and webhook once: `send.rs`), and
//! the alert resolves when the condition ends. An admin (operator or up)
//! acknowledges it. A crash is told at the next start, a stop as it
//! happens.

pub mod conditions;
mod send;
mod settings;

pub use settings::ALERTS_SETTING;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::store::Op;
use conditions::{Condition, DENIAL_MINUTES, Inputs};
use leasehold_core::Timestamp;
use leasehold_core::wire::alerts::{
    Alert, AlertKind, AlertList, AlertSettings, Delivery, Severity,
};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Acknowledged alerts the list shows besides the others.
const ACKNOWLEDGED_SHOWN: usize = 50;
/// Alerts kept in memory (as in the store).
pub(crate) const KEEP: usize = 1_000;
/// A condition back within this of its alert's end opens that alert again
/// rather than raising (and sending) a new one.
pub const COOL_DOWN_MS: i64 = 60 * 60_000;

struct State {
    alerts: BTreeMap<u64, Alert>,
    next_id: u64,
    settings: AlertSettings,
    last_mail: Option<Delivery>,
    last_webhook: Option<Delivery>,
    /// The last stop was not clean: said at the first check.
    unclean_since: Option<Timestamp>,
}

pub struct Alerts {
    state: Mutex<State>,
    engine: Engine,
    outbox: send::Outbox,
    raised: tokio::sync::broadcast::Sender<Alert>,
}

/// What the server sees that the engine does not know (mDNS).
#[derive(Clone, Debug, Default)]
pub struct Outside {
    pub mdns_failed: Option<String>,
}

impl Alerts {
    /// Takes the stored alerts and settings; `unclean` when the last run
    /// did not stop cleanly. Starts the sender.
    #[must_use]
    pub fn open(
        engine: Engine,
        stored: Vec<Alert>,
        settings_json: Option<&str>,
        unclean: bool,
        server_name: String,
    ) -> Self {
        let settings = settings::read(settings_json);
        let next_id = stored.iter().map(|a| a.id).max().unwrap_or(0) + 1;
        let now = engine.now();
        let (raised, _) = tokio::sync::broadcast::channel(64);
        let alerts = Self {
            state: Mutex::new(State {
                alerts: stored.into_iter().map(|a| (a.id, a)).collect(),
                next_id,
                settings,
                last_mail: None,
                last_webhook: None,
                unclean_since: unclean.then_some(now),
            }),
            outbox: send::Outbox::start(server_name),
            engine,
            raised,
        };
        // The server runs again: a stop said last time is over.
        let ended: Vec<Alert> = {
            let mut st = alerts.state();
            st.alerts
                .values_mut()
                .filter(|a| a.kind == AlertKind::ServerStopped && a.resolved_at.is_none())
                .map(|a| {
                    a.resolved_at = Some(now);
                    a.clone()
                })
                .collect()
        };
        alerts
            .engine
            .store()
            .submit(ended.into_iter().map(Op::PutAlert).collect());
        alerts
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Alerts as they are raised (the desktop app shows each as a
    /// notification).
    #[must_use]
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Alert> {
        self.raised.subscribe()
    }

    /// What the engine sees now, for the rules.
    fn inputs(&self, outside: &Outside, usage_percent: u32) -> Inputs {
        let engine = &self.engine;
        let products = engine.usage();
        let minute = engine.now().0.div_euclid(60_000);
        let recent_denials = products
            .iter()
            .map(|p| {
                let n = (0..DENIAL_MINUTES)
                    .map(|back| engine.metrics().denials_in(&p.product, minute - back))
                    .sum();
                (p.product.clone(), n)
            })
            .collect();
        Inputs {
            expiring: engine.expiring_licenses(),
            products,
            recent_denials,
            store_failing: engine.store_failing(),
            mdns_failed: outside.mdns_failed.clone(),
            clock_set_back: engine.clock_set_back().map(|c| c.message),
            usage_percent,
        }
    }

    /// Looks at the conditions now: raises an alert for each that started,
    /// resolves those that ended. Returns the alerts raised.
    pub fn check(&self, outside: &Outside) -> Vec<Alert> {
        let usage_percent = self.state().settings.usage_percent;
        let inputs = self.inputs(outside, usage_percent);
        let now = self.engine.now();
        let mut st = self.state();
        let open: HashSet<String> = st
            .alerts
            .values()
            .filter(|a| a.resolved_at.is_none())
            .map(|a| a.key.clone())
            .collect();
        let holding = conditions::conditions(&inputs, &|k| open.contains(k));
        let mut changed = Vec::new();
        let mut raised = Vec::new();
        let holds: HashSet<&str> = holding.iter().map(|c| c.key.as_str()).collect();
        for a in st.alerts.values_mut() {
            let from_a_condition = !matches!(
                a.kind,
                AlertKind::ServerStopped | AlertKind::UncleanStop | AlertKind::Test
            );
            if a.resolved_at.is_none() && from_a_condition && !holds.contains(a.key.as_str()) {
                a.resolved_at = Some(now);
                changed.push(a.clone());
            }
        }
        for c in holding.into_iter().filter(|c| !open.contains(&c.key)) {
            // The same condition back within the cool-down: its alert opens
            // again, and is not sent again (a pool going 2→1→2 is one alert).
            let recent = st
                .alerts
                .values_mut()
                .rev()
                .find(|a| a.key == c.key)
                .filter(|a| a.resolved_at.is_some_and(|r| now.0 - r.0 < COOL_DOWN_MS));
            if let Some(a) = recent {
                a.resolved_at = None;
                a.message = c.message;
                changed.push(a.clone());
                continue;
            }
            let alert = st.raise(c, now);
            raised.push(alert);
        }
        if let Some(since) = st.unclean_since.take() {
            let mut alert = st.raise(
                Condition {
                    key: format!("{}:{}", AlertKind::UncleanStop.as_str(), since.0),
                    kind: AlertKind::UncleanStop,
                    severity: Severity::Warning,
                    product: None,
                    license_id: None,
                    message: "The server was not stopped cleanly last time (a crash, a kill or a power loss). Seats held then were kept and come back as their leases run out; check the server's log for why.".to_owned(),
                },
                now,
            );
            alert.resolved_at = Some(now);
            st.alerts.insert(alert.id, alert.clone());
            raised.push(alert);
        }
        st.forget_oldest();
        let settings = st.settings.clone();
        drop(st);
        changed.extend(raised.iter().cloned());
        self.engine
            .store()
            .submit(changed.into_iter().map(Op::PutAlert).collect());
        for a in &raised {
            let _ = self.raised.send(a.clone());
            self.outbox.send(a.clone(), &settings);
        }
        raised
    }

    /// Marks an alert as seen by `by`.
    ///
    /// # Errors
    /// `not_found` for an id that is not an alert, or a store error.
    pub async fn acknowledge(&self, id: u64, by: Option<String>) -> Result<Alert> {
        let now = self.engine.now();
        let alert = {
            let mut st = self.state();
            let a = st
                .alerts
                .get_mut(&id)
                .ok_or_else(|| Error::NotFound(format!("/admin/v1/alerts/{id} (no such alert)")))?;
            if a.acknowledged_at.is_none() {
                a.acknowledged_at = Some(now);
                a.acknowledged_by = by;
            }
            a.clone()
        };
        self.engine
            .store()
            .apply(vec![Op::PutAlert(alert.clone())])
            .await?;
        Ok(alert)
    }

    /// Those not acknowledged (open first, newest first), then the latest
    /// acknowledged ones.
    #[must_use]
    pub fn list(&self) -> AlertList {
        let mut st = self.state();
        let (mail, webhook) = self.outbox.last();
        if mail.is_some() {
            st.last_mail = mail;
        }
        if webhook.is_some() {
            st.last_webhook = webhook;
        }
        let mut waiting: Vec<Alert> = st
            .alerts
            .values()
            .filter(|a| a.acknowledged_at.is_none())
            .cloned()
            .collect();
        waiting.sort_by(|a, b| {
            a.resolved_at
                .is_some()
                .cmp(&b.resolved_at.is_some())
                .then(b.id.cmp(&a.id))
        });
        let open = st
            .alerts
            .values()
            .filter(|a| a.resolved_at.is_none())
            .count();
        let unacknowledged = waiting.len();
        waiting.extend(
            st.alerts
                .values()
                .rev()
                .filter(|a| a.acknowledged_at.is_some())
                .take(ACKNOWLEDGED_SHOWN)
                .cloned(),
        );
        AlertList {
            alerts: waiting,
            open: u32::try_from(open).unwrap_or(u32::MAX),
            unacknowledged: u32::try_from(unacknowledged).unwrap_or(u32::MAX),
            last_mail: st.last_mail.clone(),
            last_webhook: st.last_webhook.clone(),
        }
    }

    /// Sends a test alert now to the channels set, to check the settings.
    pub async fn test(&self, by: Option<String>) -> leasehold_core::wire::alerts::AlertTest {
        let now = self.engine.now();
        let (alert, settings) = {
            let mut st = self.state();
            let key = format!("{}:{}", AlertKind::Test.as_str(), st.next_id);
            let mut alert = st.raise(
                Condition {
                    key,
                    kind: AlertKind::Test,
                    severity: Severity::Warning,
                    product: None,
                    license_id: None,
                    message: format!(
                        "A test alert{}: mail and webhook settings work when this arrives.",
                        by.map(|b| format!(" sent by {b}")).unwrap_or_default()
                    ),
                },
                now,
            );
            alert.resolved_at = Some(now);
            alert.acknowledged_at = Some(now);
            st.alerts.insert(alert.id, alert.clone());
            (alert, st.settings.clone())
        };
        self.engine
            .store()
            .submit(vec![Op::PutAlert(alert.clone())]);
        let (mail, webhook) = self.outbox.deliver_now(&alert, &settings).await;
        leasehold_core::wire::alerts::AlertTest { mail, webhook }
    }

    /// The server stops: the alert is stored and sent (waiting a few
    /// seconds at most for it to go out).
    pub async fn stopping(&self) {
        let now = self.engine.now();
        let (alert, settings) = {
            let mut st = self.state();
            let alert = st.raise(
                Condition {
                    key: AlertKind::ServerStopped.as_str().to_owned(),
                    kind: AlertKind::ServerStopped,
                    severity: Severity::Warning,
                    product: None,
                    license_id: None,
                    message: "The license server was stopped: applications cannot check seats out until it runs again.".to_owned(),
                },
                now,
            );
            (alert, st.settings.clone())
        };
        let _ = self
            .engine
            .store()
            .apply(vec![Op::PutAlert(alert.clone())])
            .await;
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            self.outbox.deliver_now(&alert, &settings),
        )
        .await;
    }
}

impl State {
    /// A new alert for the condition.
    fn raise(&mut self, c: Condition, now: Timestamp) -> Alert {
        let alert = Alert {
            id: self.next_id,
            kind: c.kind,
            severity: c.severity,
            key: c.key,
            product: c.product,
            license_id: c.license_id,
            message: c.message,
            raised_at: now,
            resolved_at: None,
            acknowledged_at: None,
            acknowledged_by: None,
        };
        self.next_id += 1;
        self.alerts.insert(alert.id, alert.clone());
        alert
    }

    /// Lets the oldest resolved alerts go past [`KEEP`] (an open one stays).
    fn forget_oldest(&mut self) {
        let over = self.alerts.len().saturating_sub(KEEP);
        if over == 0 {
            return;
        }
        let gone: Vec<u64> = self
            .alerts
            .values()
            .filter(|a| a.resolved_at.is_some())
            .take(over)
            .map(|a| a.id)
            .collect();
        for id in gone {
            self.alerts.remove(&id);
        }
    }
}
