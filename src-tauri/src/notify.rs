//! Alerts as the desktop's own notifications while the app runs: every
//! [`POLL_EVERY`] the app asks its server (embedded or the service) for the
//! alerts and shows each new one it has not shown, once. At start, alerts
//! already waiting for an admin are told in one notification.

use crate::server::LicenseServer;
use leasehold_core::wire::alerts::{AlertList, Severity};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// How often the app asks for alerts.
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// A notification to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// The alerts shown so far: ids at or below `seen` were shown (or were
/// there before the app looked the first time).
#[derive(Debug, Default)]
pub struct Shown {
    seen: Option<u64>,
}

impl Shown {
    /// What to show of `list`: on the first look one summary of the alerts
    /// waiting, after it each alert raised since, not acknowledged.
    pub fn next(&mut self, list: &AlertList) -> Vec<Notice> {
        let newest = list.alerts.iter().map(|a| a.id).max().unwrap_or(0);
        let Some(seen) = self.seen else {
            self.seen = Some(newest);
            return match list.unacknowledged {
                0 => vec![],
                n => vec![Notice {
                    title: "Leasehold".to_owned(),
                    body: format!(
                        "{n} alert{} waiting for an admin: open the bell in Leasehold",
                        if n == 1 { " is" } else { "s are" }
                    ),
                }],
            };
        };
        let mut fresh: Vec<_> = list
            .alerts
            .iter()
            .filter(|a| a.id > seen && a.acknowledged_at.is_none())
            .collect();
        fresh.sort_by_key(|a| a.id);
        self.seen = Some(newest.max(seen));
        fresh
            .into_iter()
            .map(|a| Notice {
                title: match a.severity {
                    Severity::Critical => "Leasehold: needs attention now".to_owned(),
                    Severity::Warning => "Leasehold".to_owned(),
                },
                body: a.message.clone(),
            })
            .collect()
    }
}

/// Asks the server for alerts until the app ends; shows what is new.
pub fn watch<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let Ok(http) = leasehold_http::client()
            .timeout(std::time::Duration::from_secs(10))
            .build()
        else {
            return;
        };
        let mut shown = Shown::default();
        loop {
            let info = app.state::<LicenseServer>().info().await;
            if info.running {
                let answer = http
                    .get(format!("{}/admin/v1/alerts", info.base_url))
                    .bearer_auth(&info.token)
                    .send()
                    .await;
                if let Ok(r) = answer
                    && let Ok(list) = r.json::<AlertList>().await
                {
                    for n in shown.next(&list) {
                        if let Err(e) = app
                            .notification()
                            .builder()
                            .title(&n.title)
                            .body(&n.body)
                            .show()
                        {
                            tracing::debug!("a desktop notification could not be shown: {e}");
                        }
                    }
                }
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasehold_core::Timestamp;
    use leasehold_core::wire::alerts::{Alert, AlertKind};

    fn alert(id: u64, severity: Severity, acknowledged: bool) -> Alert {
        Alert {
            id,
            kind: AlertKind::OutOfSeats,
            severity,
            key: format!("out_of_seats:p{id}"),
            product: None,
            license_id: None,
            message: format!("alert {id}"),
            raised_at: Timestamp(0),
            resolved_at: None,
            acknowledged_at: acknowledged.then_some(Timestamp(1)),
            acknowledged_by: None,
        }
    }

    fn list(alerts: Vec<Alert>) -> AlertList {
        let unacknowledged = u32::try_from(
            alerts
                .iter()
                .filter(|a| a.acknowledged_at.is_none())
                .count(),
        )
        .unwrap();
        AlertList {
            alerts,
            open: 0,
            unacknowledged,
            last_mail: None,
            last_webhook: None,
        }
    }

    #[test]
    fn waiting_alerts_are_summed_up_once_then_each_new_one_is_shown_once() {
        let mut shown = Shown::default();
        let first = shown.next(&list(vec![
            alert(1, Severity::Warning, false),
            alert(2, Severity::Warning, true),
        ]));
        assert_eq!(first.len(), 1);
        assert!(first[0].body.starts_with("1 alert is waiting"), "{first:?}");
        assert!(
            shown
                .next(&list(vec![alert(1, Severity::Warning, false)]))
                .is_empty()
        );
        let next = shown.next(&list(vec![
            alert(1, Severity::Warning, false),
            alert(4, Severity::Critical, false),
            alert(3, Severity::Warning, true),
        ]));
        assert_eq!(
            next,
            vec![Notice {
                title: "Leasehold: needs attention now".into(),
                body: "alert 4".into()
            }]
        );
        assert!(
            shown
                .next(&list(vec![alert(4, Severity::Critical, false)]))
                .is_empty(),
            "shown once"
        );
        assert!(Shown::default().next(&list(vec![])).is_empty());
    }
}
