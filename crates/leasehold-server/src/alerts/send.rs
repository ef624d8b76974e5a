//! Sending alerts out: mail to a relay (lettre) and a JSON POST to a
//! webhook, from a task of their own with a short line (a burst beyond it
//! is dropped and logged, never held in memory), each tried three times.
//! How the last sending went is kept for the UI.

use super::settings::relay_parts;
use leasehold_core::Timestamp;
use leasehold_core::wire::alerts::{Alert, AlertSettings, Delivery, MailSecurity, MailSettings};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;

/// Alerts waiting to be sent at most.
const LINE: usize = 64;
/// One try's time limit.
const TRY_TIMEOUT: Duration = Duration::from_secs(15);
/// Waits before the second and third tries.
const RETRY_AFTER: [Duration; 2] = [Duration::from_secs(5), Duration::from_secs(30)];

#[derive(Default)]
struct Last {
    mail: Option<Delivery>,
    webhook: Option<Delivery>,
}

pub(super) struct Outbox {
    line: mpsc::Sender<(Alert, AlertSettings)>,
    last: Arc<Mutex<Last>>,
    server: Arc<String>,
}

impl Outbox {
    /// Starts the sending task (it ends when the outbox is dropped).
    pub(super) fn start(server_name: String) -> Self {
        let (line, mut queue) = mpsc::channel::<(Alert, AlertSettings)>(LINE);
        let last = Arc::new(Mutex::new(Last::default()));
        let server = Arc::new(server_name);
        let (task_last, task_server) = (Arc::clone(&last), Arc::clone(&server));
        tokio::spawn(async move {
            while let Some((alert, settings)) = queue.recv().await {
                for (attempt, wait) in std::iter::once(Duration::ZERO)
                    .chain(RETRY_AFTER)
                    .enumerate()
                {
                    tokio::time::sleep(wait).await;
                    let failed = deliver(&task_server, &task_last, &alert, &settings).await;
                    if !failed {
                        break;
                    }
                    tracing::warn!(
                        alert = alert.id,
                        attempt = attempt + 1,
                        "an alert could not be sent"
                    );
                }
            }
        });
        Self { line, last, server }
    }

    /// Queues the alert for the channels `settings` name.
    pub(super) fn send(&self, alert: Alert, settings: &AlertSettings) {
        if settings.mail.is_none() && settings.webhook.is_none() {
            return;
        }
        if self.line.try_send((alert, settings.clone())).is_err() {
            tracing::warn!("too many alerts to send at once; this one is only shown in the UI");
        }
    }

    /// Sends now, once, and says how each channel went.
    pub(super) async fn deliver_now(
        &self,
        alert: &Alert,
        settings: &AlertSettings,
    ) -> (Option<Delivery>, Option<Delivery>) {
        deliver(&self.server, &self.last, alert, settings).await;
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        (
            settings.mail.as_ref().and(last.mail.clone()),
            settings.webhook.as_ref().and(last.webhook.clone()),
        )
    }

    /// How the last mail and webhook went.
    pub(super) fn last(&self) -> (Option<Delivery>, Option<Delivery>) {
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        (last.mail.clone(), last.webhook.clone())
    }
}

/// Sends to every channel set; returns whether any failed.
async fn deliver(
    server: &str,
    last: &Mutex<Last>,
    alert: &Alert,
    settings: &AlertSettings,
) -> bool {
    let mut failed = false;
    if let Some(mail) = &settings.mail {
        let result = tokio::time::timeout(TRY_TIMEOUT, send_mail(server, mail, alert))
            .await
            .unwrap_or_else(|_| Err("the relay did not answer in time".to_owned()));
        failed |= result.is_err();
        last.lock().unwrap_or_else(PoisonError::into_inner).mail = Some(delivery(result));
    }
    if let Some(hook) = &settings.webhook {
        let result = tokio::time::timeout(TRY_TIMEOUT, post(server, &hook.url, alert))
            .await
            .unwrap_or_else(|_| Err("the webhook did not answer in time".to_owned()));
        failed |= result.is_err();
        last.lock().unwrap_or_else(PoisonError::into_inner).webhook = Some(delivery(result));
    }
    failed
}

fn delivery(result: Result<(), String>) -> Delivery {
    Delivery {
        at: Timestamp::now(),
        ok: result.is_ok(),
        error: result.err(),
    }
}

/// The subject line: the server and the first sentence.
fn subject(server: &str, alert: &Alert) -> String {
    let first = alert.message.split(". ").next().unwrap_or(&alert.message);
    let first: String = first
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    format!("[Leasehold {server}] {first}")
}

fn body(server: &str, alert: &Alert) -> String {
    format!(
        "{}\n\nServer: {server}\nAlert: {} ({:?}), raised {}\n\nAcknowledge it in the Leasehold admin UI (the bell), or with `leasehold admin alerts ack {}`.\n",
        alert.message,
        alert.kind.as_str(),
        alert.severity,
        alert.raised_at.to_rfc3339(),
        alert.id
    )
}

async fn send_mail(server: &str, m: &MailSettings, alert: &Alert) -> Result<(), String> {
    use lettre::message::Mailbox;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let parse = |a: &str| a.parse::<Mailbox>().map_err(|e| format!("`{a}`: {e}"));
    let mut message = Message::builder()
        .from(parse(&m.from)?)
        .subject(subject(server, alert));
    for to in &m.to {
        message = message.to(parse(to)?);
    }
    let message = message
        .body(body(server, alert))
        .map_err(|e| format!("the mail cannot be made: {e}"))?;
    let (host, port) = relay_parts(&m.relay).map_err(|e| e.to_string())?;
    let builder = match m.security {
        MailSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        MailSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host)
            .map_err(|e| format!("STARTTLS to {host}: {e}"))?,
        MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&host)
            .map_err(|e| format!("TLS to {host}: {e}"))?,
    };
    let mut builder = builder.port(port).timeout(Some(TRY_TIMEOUT));
    if let Some(user) = &m.user {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            m.password.clone().unwrap_or_default(),
        ));
    }
    builder
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("the relay {} refused or could not be reached: {e}", m.relay))
}

async fn post(server: &str, url: &str, alert: &Alert) -> Result<(), String> {
    // A redirect is not followed: the answer says where it pointed, no more.
    let http = leasehold_http::client()
        .timeout(TRY_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let payload = serde_json::json!({
        // Chat tools (Slack, Mattermost, Teams' incoming webhooks) show `text`.
        "text": subject(server, alert),
        "server": server,
        "alert": alert,
    });
    let response = http
        .post(url)
        .json(&payload)
        .send()
        .await
        // The URL is left out of what is shown: it is the webhook's key.
        .map_err(|e| format!("the webhook could not be reached: {}", e.without_url()))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the webhook answered {}", response.status()))
    }
}
