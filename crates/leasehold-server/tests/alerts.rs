//! Alerts on a real server with its clock skipped ahead: each condition
//! raises one alert (not one a minute), resolves when it ends, is
//! acknowledged by an operator; mail goes to a real SMTP relay on loopback
//! (aiosmtpd, started here) and a JSON POST to a webhook on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::{Vendor, add_license, call, checkout, start};
use leasehold_core::Timestamp;
use leasehold_core::license::dates::DAY_MS;
use leasehold_server::ServerHandle;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn kinds(raised: &[leasehold_core::wire::alerts::Alert]) -> Vec<String> {
    raised.iter().map(|a| a.key.clone()).collect()
}

async fn list(server: &ServerHandle) -> Value {
    let (code, body) = call(server, Method::GET, "/admin/v1/alerts", None, true).await;
    assert_eq!(code, StatusCode::OK);
    body
}

#[tokio::test]
async fn each_condition_raises_one_alert_and_resolves_when_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let today = server.engine().now().0.div_euclid(DAY_MS);
    let mut ending = vendor.terms("cad", 2);
    ending.valid_until = Some(Timestamp((today + 6) * DAY_MS));
    ending.customer = "Acme".into();
    add_license(&server, &vendor.issue(&ending)).await;
    // 100 tokens a month.
    let tokens = leasehold_core::testing::terms_with_feature_and_loans("sim", 10);
    add_license(&server, &vendor.issue(&tokens)).await;

    // A code ending in 5 days.
    let raised = server.check_alerts();
    assert_eq!(kinds(&raised).len(), 1, "{raised:?}");
    assert!(raised[0].key.starts_with("license_expiring:"));
    assert!(
        raised[0].message.contains("cad code for Acme"),
        "{}",
        raised[0].message
    );
    // Looked at again: nothing new (once per condition, not every check).
    assert!(server.check_alerts().is_empty());

    // Both seats taken, a third refused: usage near the limit, out of seats.
    checkout(&server, "cad", "ws-1").await;
    let (_, second) = checkout(&server, "cad", "ws-2").await;
    assert_eq!(
        checkout(&server, "cad", "ws-3").await.0,
        StatusCode::CONFLICT
    );
    let mut keys = kinds(&server.check_alerts());
    keys.sort();
    assert_eq!(keys, vec!["out_of_seats:cad", "usage_near_limit:cad"]);
    // Tokens: 95 of 100 spent.
    let (code, body) = call(
        &server,
        Method::POST,
        "/v1/usage",
        Some(json!({"product": "sim", "amount": 95, "idempotencyKey": "k1", "clientId": "ws-1"})),
        false,
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(kinds(&server.check_alerts()), vec!["tokens_near_limit:sim"]);

    // A seat given back: 1 of 2 (50 %) ends the usage alert; 16 quiet
    // minutes end "out of seats".
    let lease = second["leaseId"].as_str().unwrap();
    call(
        &server,
        Method::POST,
        &format!("/v1/leases/{lease}/release"),
        None,
        false,
    )
    .await;
    server.check_alerts();
    let open = |l: &Value| -> Vec<String> {
        let mut v: Vec<String> = l["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a.get("resolvedAt").is_none())
            .map(|a| a["key"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let l = list(&server).await;
    assert!(
        !open(&l).contains(&"usage_near_limit:cad".to_owned()),
        "{l}"
    );
    assert!(open(&l).contains(&"out_of_seats:cad".to_owned()), "{l}");
    server.engine().skip_time(Duration::from_secs(16 * 60));
    server.check_alerts();
    let l = list(&server).await;
    assert!(!open(&l).contains(&"out_of_seats:cad".to_owned()), "{l}");
    assert_eq!(
        l["unacknowledged"], 4,
        "resolved alerts wait for an admin: {l}"
    );

    // The clock set back two days: critical.
    server
        .engine()
        .clock()
        .skip_back(Duration::from_secs(2 * 86_400));
    server.engine().note_time();
    let raised = server.check_alerts();
    assert_eq!(kinds(&raised), vec!["clock_set_back"], "{raised:?}");
    assert_eq!(
        raised[0].severity,
        leasehold_core::wire::alerts::Severity::Critical
    );
    server
        .engine()
        .clock()
        .skip(Duration::from_secs(2 * 86_400));
    server.engine().note_time();
    server.check_alerts();

    // The code ran out: its alert resolves.
    server.engine().skip_time(Duration::from_secs(6 * 86_400));
    server.check_alerts();
    let l = list(&server).await;
    assert!(
        !open(&l).iter().any(|k| k.starts_with("license_expiring")),
        "{l}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_operator_acknowledges_and_a_restart_keeps_it_and_tells_of_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let mut ending = vendor.terms("cad", 1);
    ending.valid_until = Some(Timestamp(
        (server.engine().now().0.div_euclid(DAY_MS) + 2) * DAY_MS,
    ));
    add_license(&server, &vendor.issue(&ending)).await;
    let id = server.check_alerts()[0].id;
    let (code, _) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts",
        Some(json!({"name": "otto", "role": "operator", "password": "operator-pass"})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::CREATED);
    let (_, session) = call(
        &server,
        Method::POST,
        "/admin/v1/session",
        Some(json!({"name": "otto", "password": "operator-pass"})),
        false,
    )
    .await;
    let token = session["token"].as_str().unwrap();
    let req = axum::http::Request::post(format!("/admin/v1/alerts/{id}/acknowledge"))
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (code, alert) = common::send(&server, req).await;
    assert_eq!(code, StatusCode::OK, "{alert}");
    assert_eq!(alert["acknowledgedBy"], "otto");
    let l = list(&server).await;
    assert_eq!(
        (l["unacknowledged"].clone(), l["open"].clone()),
        (json!(0), json!(1))
    );
    let (code, body) = call(
        &server,
        Method::POST,
        "/admin/v1/alerts/424242/acknowledge",
        None,
        true,
    )
    .await;
    assert_eq!(
        (code, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    server.shutdown().await;

    // Kept across a clean restart: still open, still acknowledged, not raised again;
    // the stop itself was an alert, now resolved.
    let server = start(dir.path(), &vendor).await;
    assert!(server.check_alerts().is_empty());
    let l = list(&server).await;
    let stopped = l["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "server_stopped")
        .unwrap();
    assert!(stopped.get("resolvedAt").is_some(), "{stopped}");
    let expiring = l["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "license_expiring")
        .unwrap();
    assert_eq!(expiring["acknowledgedBy"], "otto");
    server.shutdown().await;

    // What a crash leaves (the address file stays): told at the next start.
    std::fs::write(
        dir.path().join(leasehold_server::server::ADDRESS_FILE),
        "127.0.0.1:1",
    )
    .unwrap();
    let server = start(dir.path(), &vendor).await;
    assert_eq!(
        kinds(&server.check_alerts())
            .first()
            .map(|k| k.starts_with("unclean_stop")),
        Some(true)
    );
    server.shutdown().await;
}

/// An SMTP relay on loopback (aiosmtpd), keeping each mail in a Maildir.
struct Relay {
    child: std::process::Child,
    port: u16,
    maildir: PathBuf,
}

impl Relay {
    fn start(dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = dir.join("maildir");
        let child = std::process::Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/setup.sh installs it)");
        let relay = Self {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return relay;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the SMTP relay (python3 -m aiosmtpd) did not start; is aiosmtpd installed? (scripts/setup.sh)"
        );
    }

    fn mails(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(self.maildir.join("new")) else {
            return vec![];
        };
        dir.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    }

    async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("{n} mails did not arrive; {} did", self.mails().len());
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A webhook on loopback that keeps what it is sent.
async fn webhook() -> (String, Arc<Mutex<Vec<Value>>>, tokio::task::JoinHandle<()>) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let keep = Arc::clone(&got);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let keep = Arc::clone(&keep);
            async move {
                keep.lock().unwrap().push(v);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, got, task)
}

#[tokio::test]
async fn alerts_go_out_by_mail_and_webhook_once_and_a_test_says_how_each_went() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let (url, hooked, hook_task) = webhook().await;
    let vendor = Vendor::new();
    let server = start(&dir.path().join("data"), &vendor).await;
    let with_user = |relay: &str, password: Option<&str>| {
        let mut mail = json!({"relay": relay, "security": "starttls", "from": "leasehold@lic1.lan", "to": ["ops@corp.lan"], "user": "lic"});
        if let Some(p) = password {
            mail["password"] = json!(p);
        }
        json!({"usagePercent": 90, "mail": mail})
    };
    let put = |body: Value| {
        call(
            &server,
            Method::PUT,
            "/admin/v1/alerts/settings",
            Some(body),
            true,
        )
    };
    let (code, saved) = put(with_user("mail.corp.lan:587", Some("relay-secret"))).await;
    // The password is kept, never shown…
    assert_eq!(code, StatusCode::OK, "{saved}");
    assert!(
        saved["mail"].get("password").is_none() && saved["mail"]["hasPassword"] == true,
        "{saved}"
    );
    assert!(!saved.to_string().contains("relay-secret"));
    let (_, saved) = put(with_user("mail.corp.lan:587", None)).await;
    assert_eq!(
        saved["mail"]["hasPassword"], true,
        "the same relay and user keep it: {saved}"
    );
    // …but never follows the settings to another relay (where it would be sent).
    let (_, saved) = put(with_user("evil.example:587", None)).await;
    assert_eq!(saved["mail"]["hasPassword"], false, "{saved}");
    // A user and password are never sent in plain text.
    let mut plain = with_user("mail.corp.lan:25", Some("relay-secret"));
    plain["mail"]["security"] = json!("none");
    let (code, body) = put(plain).await;
    assert_eq!(
        (code, body["code"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("invalid_alert_settings")
        ),
        "{body}"
    );
    // This relay takes mail without signing in: no user, the password removed.
    let (code, saved) = call(&server, Method::PUT, "/admin/v1/alerts/settings", Some(json!({
        "usagePercent": 90,
        "mail": {"relay": format!("127.0.0.1:{}", relay.port), "from": "leasehold@lic1.lan", "to": ["ops@corp.lan", "it@corp.lan"], "password": ""},
        "webhook": {"url": url},
    })), true).await;
    assert_eq!(
        (code, saved["mail"]["hasPassword"].clone()),
        (StatusCode::OK, json!(false)),
        "{saved}"
    );

    let mut ending = vendor.terms("cad", 1);
    ending.valid_until = Some(Timestamp(
        (server.engine().now().0.div_euclid(DAY_MS) + 3) * DAY_MS,
    ));
    add_license(&server, &vendor.issue(&ending)).await;
    server.check_alerts();
    server.check_alerts();
    let mails = relay.wait_for(1).await;
    assert_eq!(mails.len(), 1, "once per condition");
    assert!(mails[0].contains("Subject: [Leasehold "), "{}", mails[0]);
    assert!(
        mails[0].contains("ops@corp.lan") && mails[0].contains("it@corp.lan"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("ends soon"), "{}", mails[0]);
    for _ in 0..200 {
        if !hooked.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let posted = hooked.lock().unwrap().clone();
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0]["alert"]["kind"], "license_expiring");
    assert!(
        posted[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("[Leasehold ")
    );
    // The webhook's answer is noted just after it was received.
    let mut l = list(&server).await;
    for _ in 0..200 {
        if l.get("lastWebhook").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        l = list(&server).await;
    }
    assert_eq!(
        (l["lastMail"]["ok"].clone(), l["lastWebhook"]["ok"].clone()),
        (json!(true), json!(true)),
        "{l}"
    );

    // The admin's test: both went.
    let (code, test) = call(&server, Method::POST, "/admin/v1/alerts/test", None, true).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        (test["mail"]["ok"].clone(), test["webhook"]["ok"].clone()),
        (json!(true), json!(true)),
        "{test}"
    );
    relay.wait_for(2).await;

    // The relay and the webhook gone: the test says so, in words.
    drop(relay);
    hook_task.abort();
    let _ = hook_task.await;
    let (_, test) = call(&server, Method::POST, "/admin/v1/alerts/test", None, true).await;
    assert_eq!(test["mail"]["ok"], false, "{test}");
    assert!(
        test["mail"]["error"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1"),
        "{test}"
    );
    assert_eq!(test["webhook"]["ok"], false, "{test}");
    assert!(
        !test.to_string().contains("/hook"),
        "the webhook's URL (its key) is not shown: {test}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn settings_that_could_forge_a_mail_or_reach_nowhere_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    let mail = |relay: &str, from: &str, to: &str| json!({"usagePercent": 90, "mail": {"relay": relay, "from": from, "to": [to]}});
    for (bad, field) in [
        (
            mail("mail.lan:25", "a@b\r\nBcc: victim@x", "ops@corp"),
            "mail.from",
        ),
        (mail("mail.lan:25", "a@b", "ops@corp\nBcc: x@y"), "mail.to"),
        (mail("mail.lan:99999", "a@b", "ops@corp"), "mail.relay"),
        (mail("mail lan", "a@b", "ops@corp"), "mail.relay"),
        (json!({"usagePercent": 101}), "usagePercent"),
        (
            json!({"usagePercent": 90, "webhook": {"url": "file:///etc/passwd"}}),
            "webhook.url",
        ),
    ] {
        let (code, body) = call(
            &server,
            Method::PUT,
            "/admin/v1/alerts/settings",
            Some(bad.clone()),
            true,
        )
        .await;
        assert!(
            matches!(
                code,
                StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
            ),
            "{bad} → {body}"
        );
        assert!(body["message"].as_str().unwrap().contains(field), "{body}");
    }
    let (_, settings) = call(
        &server,
        Method::GET,
        "/admin/v1/alerts/settings",
        None,
        true,
    )
    .await;
    assert_eq!(settings, json!({"usagePercent": 90}), "nothing was kept");
    server.shutdown().await;
}
